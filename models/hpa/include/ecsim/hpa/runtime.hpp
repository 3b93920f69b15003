#pragma once

/// The HorizontalPodAutoscaler controller in a run: a component with its own event kind that
/// syncs each cluster's HPAs every 15 s (the kube-controller-manager's
/// --horizontal-pod-autoscaler-sync-period). It knows nothing of EKS: the engine hands it what
/// the pod lister and the metrics API show of each HPA's target, and applies the replicas it
/// decides through the target's scale.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ecsim/hpa/hpa.hpp"
#include "ecsim/sim/event.hpp"
#include "ecsim/sim/simulator.hpp"

namespace ecsim::hpa {

inline constexpr std::uint32_t kFirstEventKind = 600;
inline constexpr std::uint32_t kEndEventKind = 700;

enum EventKind : std::uint32_t {
  kSync = kFirstEventKind,  ///< target: cluster index; its HPAs sync
};

/// One HorizontalPodAutoscaler as the controller runs it.
struct Spec {
  std::uint32_t cluster = 0;  ///< index of its cluster among the run's EKS clusters
  std::string name;           ///< "namespace/name", as its scaling activities name it
  std::int32_t min_replicas = 1;
  std::int32_t max_replicas = 1;
  std::vector<Target> metrics;  ///< Resource metrics; the largest proposal wins
  ScalingRules scale_up = default_scale_up();
  ScalingRules scale_down = default_scale_down();
};

/// The pods of a target that were created with the same requests, counted as the controller
/// files them: with a sample, pending, and running without a sample (not Ready, or Ready for
/// less than a metric window).
struct RevisionPods {
  double cpu_request = 0;     ///< each pod's CPU request, millicores
  double memory_request = 0;  ///< each pod's memory request, bytes
  std::int64_t sampled = 0, pending = 0, unsampled = 0;
};

/// What one sync reads of an HPA's target.
struct TargetView {
  std::int32_t replicas = 0;  ///< spec.replicas of its scale
  bool writable = true;       ///< the API server can store a scale (etcd has quorum)
  /// Its serving pods' mean use per pod since the start of the run: CPU core-seconds and
  /// memory MiB-seconds; none when it has no load (every sample reads zero).
  std::optional<double> cpu_seconds, memory_mib_seconds;
  std::span<const RevisionPods> pods;  ///< by revision
};

/// A sync's change of a target's replicas.
struct Decision {
  std::int32_t to = 0;
  std::string reason;  ///< the controller's event text, "New size: 5; reason: ..."
};

/// The HorizontalPodAutoscalers of one run.
class Runtime {
 public:
  explicit Runtime(std::vector<Spec> specs);

  /// Schedules each cluster's first sync (one sync period after the start), cluster by cluster.
  void start(Simulator& sim, SimTime horizon);
  [[nodiscard]] bool empty() const noexcept { return autoscalers_.empty(); }

  /// The cluster a kSync event names; schedules its next sync.
  std::uint32_t on_sync(Simulator& sim, const Event& e);
  /// The HPAs of cluster `c`, in manifest order (indices into the run's specs).
  [[nodiscard]] std::span<const std::uint32_t> of_cluster(std::uint32_t c) const;
  [[nodiscard]] const Spec& spec(std::uint32_t a) const { return autoscalers_[a].spec; }

  /// HPA `a` syncs at `now` (reconcileAutoscaler): the mean use since its last sync from the
  /// view's totals, each metric's proposal (ecsim/hpa/hpa.hpp) and the behaviour's scale; a
  /// target at 0 replicas, or one the API cannot write, is left alone. The change, if any.
  std::optional<Decision> sync(std::uint32_t a, SimTime now, const TargetView& target);

  /// The self-checks: every replica count it set lies within its HPA's minReplicas and
  /// maxReplicas, and each HPA's held recommendations stay within its windows. Throws
  /// InternalError when one fails.
  void check_invariants() const;

 private:
  struct Autoscaler {
    Spec spec;
    Behavior behavior;
    SimTime last_sync = kSimStart;
    double cpu_seconds = 0;         ///< the target's per-pod CPU use at the last sync, core-s
    double memory_mib_seconds = 0;  ///< its per-pod memory at the last sync, MiB-s
    std::optional<std::int32_t> last_set;  ///< the replicas it last set
  };
  std::vector<Autoscaler> autoscalers_;
  std::vector<std::vector<std::uint32_t>> by_cluster_;  ///< per cluster: its HPAs
  std::vector<PodGroup> groups_;                        ///< scratch of sync
  SimTime horizon_ = kSimStart;
};

}  // namespace ecsim::hpa
