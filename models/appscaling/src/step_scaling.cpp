// Step scaling policies and the CloudWatch alarms that invoke them; sources in
// models/appscaling/README.md ("Step scaling").

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ecsim/appscaling/target_tracking.hpp"

namespace ecsim::appscaling {
namespace {

bool breaches(Comparison c, double value, double threshold) {
  switch (c) {
    case Comparison::kGreaterOrEqual: return value >= threshold;
    case Comparison::kGreater: return value > threshold;
    case Comparison::kLess: return value < threshold;
    case Comparison::kLessOrEqual: return value <= threshold;
  }
  return false;
}

// In ALARM: at least DatapointsToAlarm of the last EvaluationPeriods datapoints breach (a
// missing one does not: TreatMissingData missing, which never counts it as breaching).
bool in_alarm(const MetricAlarm& a, Datapoints points) {
  if (points.size() < a.evaluation_periods) return false;
  std::size_t breaching = 0;
  for (std::size_t i = points.size() - a.evaluation_periods; i < points.size(); ++i)
    if (points[i] && breaches(a.comparison, *points[i], a.threshold)) ++breaching;
  return breaching >= a.datapoints_to_alarm;
}

// The step whose interval holds `delta` (the metric less the threshold): for an alarm on a
// metric above its threshold the lower bound is inclusive and the upper exclusive, for one
// below it the reverse (so that a metric at the threshold of a <= alarm is in the step ending
// at 0).
const StepAdjustment* step_for(const StepScalingPolicy& p, double delta) {
  const bool below = p.alarm.comparison == Comparison::kLess ||
                     p.alarm.comparison == Comparison::kLessOrEqual;
  for (const StepAdjustment& s : p.steps) {
    const double lo = s.lower.value_or(-std::numeric_limits<double>::infinity());
    const double hi = s.upper.value_or(std::numeric_limits<double>::infinity());
    const bool within = below ? (delta > lo && delta <= hi) : (delta >= lo && delta < hi);
    if (within) return &s;
  }
  return nullptr;
}

// The capacity `adjustment` gives from `base`. A percentage of the capacity between 0 and 1
// counts as 1, between -1 and 0 as -1, otherwise is rounded towards zero, and is at least
// MinAdjustmentMagnitude.
std::int64_t adjusted(const StepScalingPolicy& p, std::int64_t base, std::int64_t adjustment) {
  switch (p.type) {
    case AdjustmentType::kChangeInCapacity: return base + adjustment;
    case AdjustmentType::kExactCapacity: return adjustment;
    case AdjustmentType::kPercentChangeInCapacity: {
      const double change = static_cast<double>(base) * static_cast<double>(adjustment) / 100.0;
      auto n = change > 0 && change < 1    ? std::int64_t{1}
               : change < 0 && change > -1 ? std::int64_t{-1}
                                           : static_cast<std::int64_t>(std::trunc(change));
      if (p.min_adjustment_magnitude > 0 && n != 0 && std::abs(n) < p.min_adjustment_magnitude)
        n = n > 0 ? p.min_adjustment_magnitude : -p.min_adjustment_magnitude;
      return base + n;
    }
  }
  return base;
}

}  // namespace

std::optional<Decision> Scaler::step(SimTime now, std::int64_t desired,
                                     std::span<const Datapoints> alarms,
                                     std::optional<std::int64_t> tracking_out,
                                     bool scale_in_allowed) {
  std::optional<std::pair<std::int64_t, std::size_t>> out, in;
  for (std::size_t i = 0; i < target_->step_policies.size(); ++i) {
    const StepScalingPolicy& policy = target_->step_policies[i];
    const StepState& st = steps_[i];
    const Datapoints points = alarms[i];
    // An alarm in ALARM invokes its policy every minute it stays there.
    if (!in_alarm(policy.alarm, points) || !points.back()) continue;
    const StepAdjustment* s = step_for(policy, *points.back() - policy.alarm.threshold);
    if (s == nullptr) continue;
    const bool grows = policy.type == AdjustmentType::kExactCapacity ? s->adjustment > desired
                                                                     : s->adjustment > 0;
    if (grows) {
      if (target_->scale_out_suspended) continue;
      // Within the scale-out cooldown the capacity the first scale-out added counts: only a
      // larger step adds more.
      const std::int64_t base = now < st.scale_out_until ? st.cooldown_base : desired;
      const std::int64_t to = std::clamp(adjusted(policy, base, s->adjustment), min_, max_);
      if (to > desired && (!out || to > out->first)) out = std::pair{to, i};
    } else {
      if (target_->scale_in_suspended || !scale_in_allowed || now < st.scale_in_until) continue;
      const std::int64_t to = std::clamp(adjusted(policy, desired, s->adjustment), min_, max_);
      // Of several scale-ins, the one leaving the largest capacity.
      if (to < desired && (!in || to > in->first)) in = std::pair{to, i};
    }
  }
  const auto cause = [&](std::size_t i) {
    return fmt::format("monitor alarm {} in state ALARM triggered policy {}",
                       target_->step_policies[i].alarm.name, target_->step_policies[i].name);
  };
  if (out && (!tracking_out || out->first > *tracking_out)) {
    StepState& st = steps_[out->second];
    if (now >= st.scale_out_until) {
      st.cooldown_base = desired;
      st.scale_out_until = now + target_->step_policies[out->second].cooldown;
    }
    // A scale-out ends every scale-in cooldown.
    for (StepState& other : steps_) other.scale_in_until = kSimStart;
    return Decision{out->first, cause(out->second)};
  }
  if (out || tracking_out || !in) return std::nullopt;
  steps_[in->second].scale_in_until = now + target_->step_policies[in->second].cooldown;
  return Decision{in->first, cause(in->second)};
}

}  // namespace ecsim::appscaling
