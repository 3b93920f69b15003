#pragma once

/// Karpenter's provisioner: the instance types a NodePool may launch (its offerings), and the
/// packing of a batch of pending pods onto new NodeClaims. models/karpenter/README.md cites
/// each rule.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ecsim/platform/catalog.hpp"
#include "ecsim/sim/ids.hpp"

namespace ecsim::karpenter {

/// The offerings of one NodePool: every (instance type, zone, capacity type) its requirements
/// allow, as parallel arrays, in the order price then type then zone.
struct Offerings {
  std::vector<platform::InstanceTypeIndex> type;
  std::vector<AzId> zone;
  std::vector<std::uint8_t> spot;
  std::vector<std::int64_t> cpu, memory, pods;  ///< allocatable: millicores, bytes, pods
  std::vector<std::int64_t> capacity_cpu, capacity_memory;  ///< for limits: millicores, bytes
  std::vector<double> price;  ///< USD per hour, Spot at its discount
  [[nodiscard]] std::size_t size() const noexcept { return type.size(); }
};

/// A set of offerings, one bit each.
using OfferingSet = std::vector<std::uint64_t>;

/// A pod of a provisioning batch: its requests and the offerings whose nodes admit it.
struct ProvisionPod {
  std::int64_t cpu = 0, memory = 0;  ///< requests: millicores, bytes
  const OfferingSet* compatible = nullptr;  ///< per pool, indexed like `pools`
  std::uint32_t index = 0;                  ///< the caller's index of the pod
};

/// One pool as the provisioner sees it.
struct ProvisionPool {
  const Offerings* offerings = nullptr;
  /// What the pool may still add under its limits: millicores, bytes, nodes.
  std::int64_t cpu_left = INT64_MAX, memory_left = INT64_MAX, nodes_left = INT64_MAX;
  std::vector<std::uint32_t> zone_nodes;  ///< its nodes per zone, for the zone choice
  /// The offerings it may launch now (not refused lately, in a zone that is up); null: all.
  const OfferingSet* available = nullptr;
};

/// A NodeClaim the provisioner decided: the pool, the offering to launch and its pods.
struct ProvisionClaim {
  std::uint32_t pool = 0;
  std::uint32_t offering = 0;
  std::vector<std::uint32_t> pods;  ///< ProvisionPod::index of each
};

/// Karpenter's scheduling simulation for new capacity: pods by CPU then memory, largest first;
/// each onto the first open claim some of whose remaining offerings admit it with its pods so
/// far, else onto a new claim of the highest-weight pool (`pools` in that order) that has one
/// (within its limits). Each claim then launches its cheapest remaining offering, ties going to
/// the zone with the fewest of the pool's nodes. Pods that fit no pool are `unplaced`.
/// Reuses its own working memory between calls.
class Provisioner {
 public:
  void solve(std::span<ProvisionPod> pods, std::span<ProvisionPool> pools,
             std::vector<ProvisionClaim>& claims, std::vector<std::uint32_t>& unplaced);

  /// The cheapest offering of `offerings` in `allowed` that holds `cpu`, `memory` and `pods`
  /// and costs less than `below` USD/hour, ties to the zone with the fewest `zone_nodes`; none.
  static std::optional<std::uint32_t> cheapest(const Offerings& offerings,
                                               const OfferingSet& allowed, std::int64_t cpu,
                                               std::int64_t memory, std::int64_t pods,
                                               double below,
                                               std::span<const std::uint32_t> zone_nodes);

 private:
  struct Open {
    std::uint32_t pool = 0;
    OfferingSet options;
    std::int64_t cpu = 0, memory = 0, pods = 0;  ///< taken so far
    std::int64_t max_cpu = 0, max_memory = 0, max_pods = 0;  ///< the largest option left
    std::vector<std::uint32_t> members;
  };
  // Narrows `options` to those that hold the totals; false (leaving it unchanged) if none does.
  bool narrow(const Offerings& o, OfferingSet& options, const OfferingSet& compatible,
              std::int64_t cpu, std::int64_t memory, std::int64_t pods, Open& into);
  std::vector<Open> open_;
  OfferingSet scratch_;
};

}  // namespace ecsim::karpenter
