#pragma once

/// The Cluster Autoscaler (kubernetes/autoscaler, cluster-autoscaler) in a run: a component with
/// its own event kind that runs each cluster's loop every --scan-interval. It reads the cluster
/// as the autoscaler reads it through the API server (nodes, pods, budgets, the pods that failed
/// a scheduling cycle: eks::Runtime's read-only views), sizes the node groups through the
/// platform's Auto Scaling groups, and removes nodes through EKS (an empty node's deletion, a
/// drain through the eviction API). models/cluster_autoscaler/README.md cites each rule.

#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <utility>
#include <vector>

#include "ecsim/eks/results.hpp"
#include "ecsim/eks/runtime.hpp"
#include "ecsim/eks/scheduler.hpp"
#include "ecsim/platform/config.hpp"
#include "ecsim/platform/platform.hpp"
#include "ecsim/sim/id_vector.hpp"
#include "ecsim/sim/random.hpp"
#include "ecsim/sim/simulator.hpp"

namespace ecsim::cluster_autoscaler {

inline constexpr std::uint32_t kFirstEventKind = 700;
inline constexpr std::uint32_t kEndEventKind = 800;

enum EventKind : std::uint32_t {
  kScan = kFirstEventKind,  ///< target: cluster; its loop (--scan-interval)
};

/// What the component works with; every reference outlives it.
struct Context {
  Simulator& sim;
  platform::Platform& platform;
  const platform::PlatformConfig& platform_config;  ///< the node groups' Auto Scaling groups
  eks::Runtime& eks;
  SimTime horizon;  ///< the end of the run
};

/// The Cluster Autoscalers of a run: one per EKS cluster that runs one.
class Runtime {
 public:
  explicit Runtime(Context context);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  /// Builds each autoscaler's template nodes and schedules its first scan. Call after the EKS
  /// runtime has started.
  void start(const RandomStreams& streams);
  /// Handles one event whose kind is in [kFirstEventKind, kEndEventKind): a cluster's loop. The
  /// platform may have changed (the caller then hands the platform's changes on).
  void handle(const Event& e);
  /// The self-checks: every node group of a cluster it scales within its minSize and maxSize (the
  /// max as a node group update raises it). Throws InternalError when one is not.
  void check_invariants() const;
  /// Fills `eks_nodes[].cluster_autoscaler` of the clusters it runs in, at `end`.
  void add_results(eks::Results& r, SimTime end) const;

 private:
  /// One cluster's autoscaler: its template nodes, timers, node marks and counts.
  struct Cluster;
  void scan(ClusterId c);
  void check_provisioning(Cluster& ca);
  bool scale_up(Cluster& ca);
  void scale_down(Cluster& ca);

  Context ctx_;
  std::vector<std::unique_ptr<Cluster>> clusters_;  ///< per EKS cluster; null: none runs
};

}  // namespace ecsim::cluster_autoscaler
