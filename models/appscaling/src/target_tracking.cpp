// Target tracking's alarms, proposals and cooldowns; sources in models/appscaling/README.md.

#include "ecsim/appscaling/target_tracking.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ecsim/sim/assert.hpp"

namespace ecsim::appscaling {
namespace {

// The last `n` datapoints all present and on one side of `threshold`.
bool breaching(Datapoints points, std::size_t n, double threshold, bool above) {
  if (points.size() < n) return false;
  for (std::size_t i = points.size() - n; i < points.size(); ++i) {
    if (!points[i]) return false;  // insufficient data is no breach
    if (above ? !(*points[i] > threshold) : !(*points[i] < threshold)) return false;
  }
  return true;
}

}  // namespace

const char* metric_name(Metric metric) {
  switch (metric) {
    case Metric::kEcsCpu: return "ECSServiceAverageCPUUtilization";
    case Metric::kEcsMemory: return "ECSServiceAverageMemoryUtilization";
    case Metric::kAlbRequestCountPerTarget: return "ALBRequestCountPerTarget";
  }
  return "";
}

Scaler::Scaler(const ScalableTarget* target)
    : steps_(target->step_policies.size()), min_(target->min_capacity),
      max_(target->max_capacity), target_(target), policies_(target->policies.size()) {}

std::optional<Decision> Scaler::evaluate(SimTime now, const TargetState& state,
                                         std::span<const Datapoints> per_policy) {
  ECSIM_ASSERT(per_policy.size() == target_->policies.size() + target_->step_policies.size(),
               "datapoints for every policy");
  const std::int64_t desired = state.desired;
  if (desired < min_ || desired > max_) {
    const std::int64_t to = std::clamp(desired, min_, max_);
    return Decision{to, fmt::format("the desired count {} was outside the scalable target's "
                                    "minimum {} and maximum {}",
                                    desired, min_, max_)};
  }
  // Each policy's proposal: AlarmHigh in ALARM proposes ceil(base x metric / target), the base
  // being the desired count, or within the policy's scale-out cooldown the capacity before the
  // scale-out that began it (so the capacity that one added counts towards the next); AlarmLow
  // in ALARM proposes ceil(desired x metric / target), rounded up to remove no more than needed.
  std::optional<std::int64_t> out;
  std::size_t out_policy = 0;
  std::int64_t in = std::numeric_limits<std::int64_t>::min();
  std::size_t in_policy = 0;
  // A scale-in needs every policy whose scale-in is enabled to be ready for it.
  bool all_in = std::any_of(target_->policies.begin(), target_->policies.end(),
                            [](const TargetTrackingPolicy& t) { return !t.disable_scale_in; });
  for (std::size_t p = 0; p < target_->policies.size(); ++p) {
    const TargetTrackingPolicy& policy = target_->policies[p];
    const PolicyState& ps = policies_[p];
    const Datapoints points = per_policy[p];
    const bool high = breaching(points, kHighDatapoints, policy.target, true);
    const bool low = breaching(points, kLowDatapoints, kLowThreshold * policy.target, false);
    const double latest = points.empty() || !points.back() ? 0.0 : *points.back();
    if (high && !target_->scale_out_suspended) {
      const std::int64_t base = now < ps.scale_out_until ? ps.cooldown_base : desired;
      const auto proposal = static_cast<std::int64_t>(
          std::ceil(static_cast<double>(base) * latest / policy.target));
      if (proposal > desired && (!out || proposal > *out)) {
        out = proposal;
        out_policy = p;
      }
    }
    if (policy.disable_scale_in) continue;
    if (!low || now < ps.scale_in_until) {
      all_in = false;
      continue;
    }
    const auto proposal = static_cast<std::int64_t>(
        std::ceil(static_cast<double>(desired) * latest / policy.target));
    if (proposal > in) {
      in = proposal;
      in_policy = p;
    }
  }
  // Step scaling policies decide on their own alarms; a larger scale-out wins over target
  // tracking's, and without any scale-out a step scale-in goes ahead.
  const std::optional<std::int64_t> tracking_out =
      out ? std::optional<std::int64_t>(std::min(*out, max_)) : std::nullopt;
  if (std::optional<Decision> stepped =
          step(now, desired, per_policy.subspan(target_->policies.size()), tracking_out,
               !state.deployment_in_progress)) {
    if (stepped->to > desired)
      for (PolicyState& other : policies_) other.scale_in_until = kSimStart;
    return stepped;
  }
  const std::string alarm_of = target_->resource_id;
  if (out) {
    const std::int64_t to = std::min(*out, max_);
    if (to <= desired) return std::nullopt;
    // A scale-out starts the cooldown of the policy that made it (unless one is running: its
    // base stays), and ends every scale-in cooldown.
    PolicyState& ps = policies_[out_policy];
    if (now >= ps.scale_out_until) {
      ps.cooldown_base = desired;
      ps.scale_out_until = now + target_->policies[out_policy].scale_out_cooldown;
    }
    for (PolicyState& other : policies_) other.scale_in_until = kSimStart;
    for (StepState& other : steps_) other.scale_in_until = kSimStart;
    return Decision{to, fmt::format("monitor alarm TargetTracking-{}-AlarmHigh in state ALARM "
                                    "triggered policy {}",
                                    alarm_of, target_->policies[out_policy].name)};
  }
  if (!all_in || target_->scale_in_suspended || state.deployment_in_progress) return std::nullopt;
  const std::int64_t to = std::max(in, min_);
  if (to >= desired) return std::nullopt;
  for (std::size_t p = 0; p < policies_.size(); ++p)
    if (!target_->policies[p].disable_scale_in)
      policies_[p].scale_in_until = now + target_->policies[p].scale_in_cooldown;
  return Decision{to, fmt::format("monitor alarm TargetTracking-{}-AlarmLow in state ALARM "
                                  "triggered policy {}",
                                  alarm_of, target_->policies[in_policy].name)};
}

std::optional<Decision> Scaler::scheduled(std::size_t a, std::int64_t desired) {
  const ScheduledAction& action = target_->scheduled[a];
  if (target_->scheduled_suspended) return std::nullopt;
  if (action.min_capacity) min_ = *action.min_capacity;
  if (action.max_capacity) max_ = *action.max_capacity;
  if (min_ > max_) {
    // One capacity given, beyond the other: the other follows it, as the action's range would be
    // refused otherwise (ecsim's reading: the capacity the action names holds).
    if (action.min_capacity && !action.max_capacity) max_ = min_;
    else min_ = max_;
  }
  if (desired >= min_ && desired <= max_) return std::nullopt;
  const std::int64_t to = std::clamp(desired, min_, max_);
  return Decision{to, fmt::format("scheduled action name {} was triggered (min {}, max {})",
                                  action.name, min_, max_)};
}

}  // namespace ecsim::appscaling
