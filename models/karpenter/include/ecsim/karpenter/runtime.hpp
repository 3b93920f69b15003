#pragma once

/// Karpenter (kubernetes-sigs/karpenter with the AWS provider) in a run: a component with its
/// own event kinds that batches each cluster's pods the scheduler could not place, launches
/// NodeClaims of its NodePools' offerings for them, and disrupts its nodes (empty and
/// underutilized consolidation, expireAfter, Spot interruptions) within the pools' budgets. It
/// reads the cluster through the EKS runtime's const views, is told of its changes as an
/// eks::NodeProvisioner, launches through the platform and terminates through EKS.
/// models/karpenter/README.md cites each rule.

#include <cstdint>
#include <map>
#include <memory>
#include <string_view>
#include <vector>

#include "ecsim/karpenter/provisioner.hpp"
#include "ecsim/eks/results.hpp"
#include "ecsim/eks/runtime.hpp"
#include "ecsim/eks/scheduler.hpp"
#include "ecsim/platform/config.hpp"
#include "ecsim/platform/platform.hpp"
#include "ecsim/sim/random.hpp"
#include "ecsim/sim/simulator.hpp"

namespace ecsim::karpenter {

inline constexpr std::uint32_t kFirstEventKind = 800;
inline constexpr std::uint32_t kEndEventKind = 900;

enum EventKind : std::uint32_t {
  kBatch = kFirstEventKind,  ///< target: cluster; its batch of pending pods may be due
  kDisruption,               ///< target: cluster; its disruption loop (every 10 s)
  kExpire,                   ///< target: cluster; payload: node; its NodePool's expireAfter is up
};

/// What the component works with; every reference outlives it.
struct Context {
  Simulator& sim;
  platform::Platform& platform;
  const platform::PlatformConfig& platform_config;  ///< zones, prices, the NodePools' groups
  eks::Runtime& eks;
  SimTime horizon;  ///< the end of the run
};

/// Karpenter in every EKS cluster whose manifests hold NodePools.
class Runtime final : public eks::NodeProvisioner {
 public:
  /// Karpenter of the run; tells the EKS runtime (not started yet) of itself.
  explicit Runtime(Context context);
  ~Runtime() override;
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  /// Builds each cluster's pools (their offerings from the catalog, template nodes) and
  /// schedules its first disruption pass. Call after the EKS runtime has started.
  void start(const RandomStreams& streams);
  /// Handles one event whose kind is in [kFirstEventKind, kEndEventKind); the platform may have
  /// changed (the caller then hands the platform's changes on).
  void handle(const Event& e);
  /// The self-checks: each pool's counts of nodes and claims (per zone, and their capacity)
  /// against its nodes and claims themselves, and its limits held. Throws InternalError.
  void check_invariants() const;
  /// Fills `eks_nodes[].karpenter` of the clusters it runs in, at `end`.
  void add_results(eks::Results& r, SimTime end) const;

  // eks::NodeProvisioner: what the EKS runtime tells it.
  void pod_unschedulable(ClusterId c) override;
  void node_registered(ClusterId c, NodeId n) override;
  void node_removed(ClusterId c, NodeId n) override;
  void instance_gone(ClusterId c, InstanceId i) override;
  void interruption_notice(ClusterId c, NodeId n) override;

  /// One cluster's Karpenter: its pools, claims, batch and counts (defined in runtime.cpp).
  struct Cluster;

 private:
  void start_cluster(Cluster& k);
  void open_batch(Cluster& k);
  void batch(Cluster& k);
  void provision(Cluster& k);
  void disrupt(Cluster& k);
  void terminate(Cluster& k, NodeId n, std::string_view reason);

  Context ctx_;
  std::vector<std::unique_ptr<Cluster>> clusters_;  ///< per EKS cluster; null: none runs
  std::vector<TaskId> dropped_;  ///< scratch: pods that stopped waiting for a node
};

}  // namespace ecsim::karpenter
