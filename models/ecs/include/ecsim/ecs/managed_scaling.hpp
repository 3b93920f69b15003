#pragma once

#include <cstdint>
#include <optional>

#include "ecsim/sim/problem.hpp"
#include "ecsim/sim/time.hpp"

/// ECS managed scaling (cluster auto scaling) of an Auto Scaling group capacity provider, as
/// pure arithmetic: the CapacityProviderReservation metric, the ASG size it asks for, the
/// minimum and maximum scaling step sizes, the instance warm-up and the datapoint counting of
/// the target tracking alarms. The caller evaluates once a minute and counts instances.

namespace ecsim::ecs {

/// A validated managedScaling block.
struct ManagedScaling {
  std::int32_t target_capacity_percent = 100;  ///< targetCapacity, 1..100.
  std::int32_t minimum_scaling_step_size = 1;  ///< Fewest instances one scale-out adds, 1..10000.
  std::int32_t maximum_scaling_step_size = 10'000;  ///< Most instances one scale-out adds.
  /// Time after launch before an instance contributes to the metric (instanceWarmupPeriod).
  SimDuration instance_warmup = std::chrono::seconds{300};
  /// Consecutive one-minute datapoints above target that trigger a scale-out (ecsim's choice).
  std::int32_t scale_out_datapoints = 1;
  /// Consecutive one-minute datapoints below target that trigger a scale-in.
  std::int32_t scale_in_datapoints = 15;
};

/// managedScaling as written, each field optional so that missing ones take AWS's defaults.
struct ManagedScalingInput {
  std::optional<std::int64_t> target_capacity;            ///< `targetCapacity`, if given.
  std::optional<std::int64_t> minimum_scaling_step_size;  ///< `minimumScalingStepSize`, if given.
  std::optional<std::int64_t> maximum_scaling_step_size;  ///< `maximumScalingStepSize`, if given.
  std::optional<std::int64_t> instance_warmup_period;     ///< `instanceWarmupPeriod` in seconds.
};

/// Every problem with `input`; fields are `managedScaling.targetCapacity` and so on.
Problems check(const ManagedScalingInput& input);

/// The settings `input` describes, defaults filled in (asserts that `check` found nothing).
ManagedScaling from_input(const ManagedScalingInput& input);

/// The CapacityProviderReservation metric in percent, for `needed` instances (M: what the
/// provider's RUNNING and PROVISIONING tasks need) and `current` instances (N): 100 x M / N;
/// 100 when both are 0, 200 when N is 0 and M is not.
double capacity_provider_reservation(std::int64_t needed, std::int64_t current);

/// The ASG size that brings the metric to `target_percent` (1..100) for `needed` instances:
/// the fewest N with 100 x M / N <= target, that is ceil(100 x M / target).
std::int64_t instances_for_target(std::int64_t needed, std::int32_t target_percent);

/// Whether an instance launched at `launched` has finished warming up at `now` and counts in N.
bool warmed_up(SimTime launched, SimTime now, const ManagedScaling& scaling) noexcept;

/// What one evaluation decides.
enum class ScalingAction : std::uint8_t { kNone, kScaleOut, kScaleIn };

/// The outcome of one evaluation: the action and the ASG desired capacity it sets.
struct ScalingDecision {
  ScalingAction action = ScalingAction::kNone;  ///< What to do.
  std::int64_t desired = 0;  ///< The new desired capacity (the current one for kNone).

  friend bool operator==(const ScalingDecision&, const ScalingDecision&) = default;
};

/// The alarm datapoints counted so far, carried by the caller from one evaluation to the next.
struct ScalingAlarms {
  std::int32_t above = 0;  ///< Consecutive datapoints with the metric above target.
  std::int32_t below = 0;  ///< Consecutive datapoints with the metric below target.
};

/// One evaluation (one datapoint, once a minute). `needed` is M; `warmed` is N, the group's
/// instances past their warm-up; `group_desired` is the group's desired capacity, warming and
/// launching instances included. Updates `alarms` with the metric and decides: a scale-out
/// raises the desired capacity by max(min step, min(max step, shortfall)), the shortfall being
/// `instances_for_target` less `group_desired`, so instances still warming up are not asked for
/// twice; a scale-in (not limited by the step sizes, and only once no instance is warming up)
/// lowers it to `instances_for_target`. Either resets both counts.
ScalingDecision evaluate_managed_scaling(const ManagedScaling& scaling, std::int64_t needed,
                                         std::int64_t warmed, std::int64_t group_desired,
                                         ScalingAlarms& alarms);

}  // namespace ecsim::ecs
