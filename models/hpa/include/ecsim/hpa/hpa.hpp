#pragma once

/// The Horizontal Pod Autoscaler's arithmetic (autoscaling/v2), as the kube-controller-manager
/// computes it, for a resource-utilisation metric: which pods count (groupPods), the replica
/// count a metric proposes (ReplicaCalculator.GetResourceReplicas, with the 0.1 tolerance and
/// the treatment of missing and not-yet-ready pods), and the behaviour that turns proposals
/// into a scale (stabilisation windows, scaling policies, selectPolicy, min and max replicas).
///
/// Sources: kubernetes/kubernetes pkg/controller/podautoscaler (replica_calculator.go,
/// horizontal.go: stabilizeRecommendationWithBehaviors, convertDesiredReplicasWithBehaviorRate,
/// calculateScaleUpLimitWithScalingRules, calculateScaleDownLimitWithBehaviors), pkg/apis/
/// autoscaling/v2/defaults.go (the default behaviour) and the kube-controller-manager flags
/// (--horizontal-pod-autoscaler-sync-period 15s, -tolerance 0.1, -cpu-initialization-period 5m,
/// -initial-readiness-delay 30s). The controller of a run (runtime.hpp) syncs each HPA with
/// it.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ecsim/sim/time.hpp"

namespace ecsim::hpa {

inline constexpr SimDuration kSyncPeriod = std::chrono::seconds(15);
inline constexpr double kTolerance = 0.1;
inline constexpr SimDuration kCpuInitializationPeriod = std::chrono::minutes(5);
inline constexpr SimDuration kInitialReadinessDelay = std::chrono::seconds(30);

/// What the controller knows of one pod the HPA's target selects, for a CPU metric.
struct Pod {
  bool pending = false;            ///< phase Pending (not started)
  bool stopped = false;            ///< Failed, Succeeded or being deleted: not counted at all
  bool ready = false;              ///< its Ready condition is True
  bool has_metric = false;         ///< the metrics API returned a sample for it
  SimTime started = kSimStart;     ///< status.startTime
  SimTime ready_changed = kSimStart;  ///< the Ready condition's lastTransitionTime
  SimTime metric_time = kSimStart;    ///< the sample's timestamp (the end of its window)
  SimDuration metric_window{};        ///< the sample's window
  double usage = 0;                ///< the sample, in the metric's unit (CPU millicores)
  double request = 0;              ///< the pod's request of the resource, same unit
};

/// The resource a metric measures.
enum class Resource : std::uint8_t { kCpu, kMemory };

/// A Resource metric's target: a utilisation (percent of the pods' requests) or an average
/// value per pod (CPU millicores or memory bytes).
struct Target {
  Resource resource = Resource::kCpu;
  bool utilization = true;
  double value = 80;  ///< percent, or millicores or bytes
};

/// How groupPods files a pod.
enum class PodClass : std::uint8_t { kSkipped, kReady, kIgnored, kMissing };

/// groupPods at `now`: a stopped pod is skipped; a pending one ignored; one
/// without a sample missing; for CPU only, within cpu-initialization-period of its start, ignored while
/// unready or until a whole metric window has passed since its last readiness change; later,
/// ignored only if unready and never ready (its last transition within the initial readiness
/// delay of its start); otherwise ready.
[[nodiscard]] PodClass classify_pod(const Pod& pod, Resource resource, SimTime now);
/// The same for CPU.
[[nodiscard]] inline PodClass classify_cpu_pod(const Pod& pod, SimTime now) {
  return classify_pod(pod, Resource::kCpu, now);
}

/// The replica count a resource utilisation target (percent of request) proposes, as
/// GetResourceReplicas computes it from the pods' classes; none when no ready pod has a sample
/// ("did not receive metrics for any ready pods"). Utilisation is truncated to a whole percent
/// before the ratio, as upstream does.
[[nodiscard]] std::optional<std::int32_t> resource_replicas(std::int32_t current_replicas,
                                                                std::span<const Pod> pods,
                                                                std::int32_t target_percent,
                                                                SimTime now,
                                                                double tolerance = kTolerance);
/// The same for any Resource target: a utilisation as above, or an average value per pod
/// (GetRawResourceReplicas: the mean usage over the target, no truncation; a missing pod
/// counts at the target on a scale-down).
[[nodiscard]] std::optional<std::int32_t> resource_replicas(std::int32_t current_replicas,
                                                                std::span<const Pod> pods,
                                                                const Target& target,
                                                                SimTime now,
                                                                double tolerance = kTolerance);

/// Pods of an HPA's target that request the same amount, counted by how groupPods files them.
struct PodGroup {
  double request = 0;        ///< each pod's request of the resource, in the metric's unit
  std::int64_t ready = 0;    ///< with a sample
  std::int64_t ignored = 0;  ///< pending (or, for CPU, not yet ready)
  std::int64_t missing = 0;  ///< without a sample
};

/// resource_replicas when every ready pod's sample is the same `usage` (the mean use of a
/// load its serving pods share evenly), from the pods counted by group: the same rules, in time
/// independent of the number of pods. A sum of equal samples is taken as their product, the
/// exact value of the per-pod sum.
[[nodiscard]] std::optional<std::int32_t> grouped_replicas(std::int32_t current_replicas,
                                                               std::span<const PodGroup> groups,
                                                               const Target& target, double usage,
                                                               double tolerance = kTolerance);

/// One scaling policy: change by `value` pods or percent within `period`.
struct Policy {
  enum class Type : std::uint8_t { kPods, kPercent } type = Type::kPercent;
  std::int32_t value = 100;
  SimDuration period = std::chrono::seconds(15);
};

/// behavior.scaleUp or behavior.scaleDown.
struct ScalingRules {
  SimDuration stabilization_window{};
  enum class Select : std::uint8_t { kMax, kMin, kDisabled } select = Select::kMax;
  std::vector<Policy> policies;
};

/// The defaults of autoscaling/v2: scale up without a window, by the larger of 100% and 4 pods
/// per 15 s; scale down with a 300 s window, by 100% per 15 s.
[[nodiscard]] ScalingRules default_scale_up();
[[nodiscard]] ScalingRules default_scale_down();

/// One HPA's state between syncs: its recent recommendations and scale events, and what turns
/// a metric's proposal into the replicas it sets.
class Behavior {
 public:
  Behavior(std::int32_t min_replicas, std::int32_t max_replicas,
              ScalingRules scale_up = default_scale_up(),
              ScalingRules scale_down = default_scale_down());

  /// The replicas to set at `now` (a sync) for a target of `current` replicas whose metrics
  /// propose `proposed` (the largest over the HPA's metrics): outside min/max, the nearest
  /// bound; else the proposal stabilised over the windows, then limited by the policies and
  /// min/max. A change is recorded as a scale event.
  std::int32_t decide(SimTime now, std::int32_t current, std::int32_t proposed);
  /// recordInitialRecommendation: at the HPA's first reconcile, before any proposal, the
  /// target's current replicas count as a recommendation (so nothing scales down within the
  /// scale-down window of the HPA's start). Does nothing once any is recorded.
  void record_initial(SimTime now, std::int32_t current);
  /// The recommendations it holds for its stabilisation windows.
  [[nodiscard]] std::size_t recommendations_held() const noexcept { return recommendations_.size(); }

 private:
  struct Recommendation {
    SimTime at;
    std::int32_t replicas;
  };
  struct ScaleEvent {
    SimTime at;
    std::int32_t change;  ///< replicas added (up) or removed (down), positive
  };
  [[nodiscard]] std::int32_t stabilise(SimTime now, std::int32_t current, std::int32_t proposed);
  [[nodiscard]] std::int32_t changed_within(const std::vector<ScaleEvent>& events, SimTime now,
                                            SimDuration period) const;
  /// The policies' limit on the replicas at `now`: at most (`up`) or at least (down).
  [[nodiscard]] std::int32_t policy_limit(SimTime now, std::int32_t current, bool up) const;

  std::int32_t min_, max_;
  ScalingRules up_, down_;
  std::vector<Recommendation> recommendations_;
  std::vector<ScaleEvent> up_events_, down_events_;
};

}  // namespace ecsim::hpa
