#pragma once

/// Application Auto Scaling in a run: a component with its own event kinds that evaluates each
/// scalable target's policies once a minute. It knows nothing of ECS: the engine hands it the
/// service's state and datapoints and applies the desired count it decides.

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "ecsim/appscaling/policy.hpp"
#include "ecsim/appscaling/target_tracking.hpp"
#include "ecsim/sim/event.hpp"
#include "ecsim/sim/simulator.hpp"

namespace ecsim::appscaling {

inline constexpr std::uint32_t kFirstEventKind = 400;
inline constexpr std::uint32_t kEndEventKind = 500;

enum EventKind : std::uint32_t {
  kEvaluate = kFirstEventKind,  ///< target: scalable target index; its policies' evaluation
  kScheduled,                   ///< target: scalable target index; payload: scheduled action
};

/// The scalable targets of one run.
class Runtime {
 public:
  /// `targets` must outlive the runtime.
  explicit Runtime(std::span<const ScalableTarget> targets);

  /// Schedules each target's first evaluation, a minute after the start, and its scheduled
  /// actions' first times.
  void start(Simulator& sim, SimTime horizon);
  [[nodiscard]] bool empty() const noexcept { return targets_.empty(); }

  /// The target a kEvaluate event names; schedules its next evaluation.
  std::size_t on_evaluate(Simulator& sim, const Event& e);
  /// The target and scheduled action a kScheduled event names; schedules the action's next time.
  std::pair<std::size_t, std::size_t> on_scheduled(Simulator& sim, const Event& e);
  /// Scheduled action `a` of target `t` runs (see Scaler::scheduled).
  std::optional<Decision> scheduled(std::size_t t, std::size_t a, std::int64_t desired) {
    return scalers_[t].scheduled(a, desired);
  }
  [[nodiscard]] const ScalableTarget& target(std::size_t t) const { return targets_[t]; }
  /// Evaluates target `t` at `now` (see Scaler::evaluate).
  std::optional<Decision> evaluate(std::size_t t, SimTime now, const TargetState& state,
                                   std::span<const Datapoints> per_policy) {
    return scalers_[t].evaluate(now, state, per_policy);
  }

 private:
  std::span<const ScalableTarget> targets_;
  // Schedules the first time after `after` at which action `a` of target `t` runs, if any.
  void schedule_action(Simulator& sim, std::size_t t, std::size_t a, SimTime after);
  std::vector<Scaler> scalers_;
  SimTime horizon_ = kSimStart;
};

}  // namespace ecsim::appscaling
