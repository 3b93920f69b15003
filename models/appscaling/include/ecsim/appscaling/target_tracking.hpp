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

/// The state between evaluations of one scalable target: each policy's cooldowns.
class Scaler {
 public:
  explicit Scaler(const ScalableTarget* target);

  /// The change to make at `now` (a minute boundary) given each policy's datapoints (parallel
  /// to the target's policies), or none. A desired count outside min/max is first brought
  /// within them, as registering the target does.
  std::optional<Decision> evaluate(SimTime now, const TargetState& state,
                                   std::span<const Datapoints> per_policy);

 private:
  struct PolicyState {
    SimTime scale_out_until = kSimStart;  ///< the scale-out cooldown's end
    SimTime scale_in_until = kSimStart;   ///< the scale-in cooldown's end
    std::int64_t cooldown_base = 0;       ///< capacity before the scale-out that began it
  };
  const ScalableTarget* target_;
  std::vector<PolicyState> policies_;
};

}  // namespace ecsim::appscaling
