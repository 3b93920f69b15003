#pragma once

/// The decisions of one scalable target's target tracking policies, made once a minute from
/// the CloudWatch datapoints of their metrics: each policy's AlarmHigh and AlarmLow, the
/// capacity each proposes, their cooldowns, and how several policies combine (the largest
/// capacity wins a scale-out; a scale-in needs every policy to agree).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ecsim/appscaling/policy.hpp"
#include "ecsim/sim/time.hpp"

namespace ecsim::appscaling {

/// One policy's recent datapoints, oldest first, the last the period that just ended; a
/// missing value is INSUFFICIENT_DATA (no task ran in that minute).
using Datapoints = std::span<const std::optional<double>>;

/// What the scalable target is now.
struct TargetState {
  std::int64_t desired = 0;            ///< the service's desired count
  bool deployment_in_progress = false; ///< scale-in is turned off during an ECS deployment
};

/// A change of the desired count, with its cause in Application Auto Scaling's words.
struct Decision {
  std::int64_t to = 0;
  std::string cause;
};

/// The state between evaluations of one scalable target: each policy's cooldowns, and the
/// minimum and maximum capacity its scheduled actions set.
class Scaler {
 public:
  explicit Scaler(const ScalableTarget* target);

  /// The change to make at `now` (a minute boundary) given each policy's datapoints (the
  /// target tracking policies', then the step scaling policies' alarms', in the target's
  /// order), or none. A desired count outside min/max is first brought within them, as
  /// registering the target does. The largest scale-out of any policy wins; a target tracking
  /// scale-in needs every such policy to agree, a step scale-in is its alarm's alone.
  std::optional<Decision> evaluate(SimTime now, const TargetState& state,
                                   std::span<const Datapoints> per_policy);
  /// Scheduled action `a` runs at `now`: the capacities it names replace the target's, and a
  /// desired count outside them is brought within (unless scheduled scaling is suspended).
  std::optional<Decision> scheduled(std::size_t a, std::int64_t desired);
  /// The minimum and maximum capacity now.
  [[nodiscard]] std::int64_t min_capacity() const noexcept { return min_; }
  [[nodiscard]] std::int64_t max_capacity() const noexcept { return max_; }

 private:
  struct StepState {
    SimTime scale_out_until = kSimStart, scale_in_until = kSimStart;
    std::int64_t cooldown_base = 0;  ///< capacity before the scale-out that began the cooldown
  };
  // The step scaling policies' decision (step_scaling.cpp): a scale-out larger than
  // `tracking_out` (target tracking's), or without any scale-out a scale-in; none otherwise.
  std::optional<Decision> step(SimTime now, std::int64_t desired, std::span<const Datapoints> alarms,
                               std::optional<std::int64_t> tracking_out, bool scale_in_allowed);
  std::vector<StepState> steps_;
  std::int64_t min_ = 0, max_ = 0;
  struct PolicyState {
    SimTime scale_out_until = kSimStart;  ///< the scale-out cooldown's end
    SimTime scale_in_until = kSimStart;   ///< the scale-in cooldown's end
    std::int64_t cooldown_base = 0;       ///< capacity before the scale-out that began it
  };
  const ScalableTarget* target_;
  std::vector<PolicyState> policies_;
};

}  // namespace ecsim::appscaling
