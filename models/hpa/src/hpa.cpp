// The Horizontal Pod Autoscaler's arithmetic; sources in ecsim/hpa/hpa.hpp.

#include "ecsim/hpa/hpa.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace ecsim::hpa {
namespace {

// Over the pods with a sample: for a utilisation target GetResourceUtilizationRatio (the whole
// percent of the requests they use, over the target; none when they request nothing), for an
// average value the mean usage over the target (calcPlainMetricReplicas).
std::optional<double> ratio_of_sums(double used, double requested, double counted,
                                    const Target& target) {
  if (!target.utilization) return counted > 0 ? std::optional(used / (target.value * counted)) : std::nullopt;
  if (requested <= 0) return std::nullopt;
  const auto utilization = static_cast<std::int64_t>(std::floor(used * 100 / requested));
  return static_cast<double>(utilization) / target.value;
}

std::optional<double> usage_ratio(std::span<const Pod> pods, std::span<const double> usage,
                                  const Target& target) {
  double used = 0, requested = 0, counted = 0;
  for (std::size_t i = 0; i < pods.size(); ++i) {
    if (usage[i] < 0) continue;  // not among the samples
    used += usage[i];
    requested += pods[i].request;
    ++counted;
  }
  return ratio_of_sums(used, requested, counted, target);
}

// GetResourceReplicas from the ready pods' usage ratio on: with no pod missing and none to
// rebalance, ceil(ratio x ready) outside the tolerance; else `rebalanced(rebalance_ignored)`
// gives the ratio again with the missing pods (and on a scale-up the ignored ones) counted, and
// how many pods it counts, and the proposal stands only if it keeps the direction.
template <typename Rebalanced>
std::optional<std::int32_t> replicas_from_ratio(std::int32_t current_replicas, double ratio,
                                                double ready, bool any_missing, bool any_ignored,
                                                double tolerance, Rebalanced rebalanced) {
  const bool rebalance_ignored = any_ignored && ratio > 1.0;
  if (!rebalance_ignored && !any_missing) {
    if (std::abs(1.0 - ratio) <= tolerance) return current_replicas;
    return static_cast<std::int32_t>(std::ceil(ratio * ready));
  }
  const auto [again, counted] = rebalanced(rebalance_ignored);
  if (!again) return current_replicas;
  if (std::abs(1.0 - *again) <= tolerance || (ratio < 1.0 && *again > 1.0) ||
      (ratio > 1.0 && *again < 1.0))
    return current_replicas;
  const auto replicas = static_cast<std::int32_t>(std::ceil(*again * counted));
  // A change of the pods counted must not turn the direction round.
  if ((*again < 1.0 && replicas > current_replicas) ||
      (*again > 1.0 && replicas < current_replicas))
    return current_replicas;
  return replicas;
}

}  // namespace

PodClass classify_pod(const Pod& pod, Resource resource, SimTime now) {
  if (pod.stopped) return PodClass::kSkipped;
  if (pod.pending) return PodClass::kIgnored;
  if (!pod.has_metric) return PodClass::kMissing;
  if (resource != Resource::kCpu) return PodClass::kReady;
  bool unready;
  if (pod.started + kCpuInitializationPeriod > now) {
    // Within the initialisation period: unready, or no whole window since the last change.
    unready = !pod.ready || pod.metric_time < pod.ready_changed + pod.metric_window;
  } else {
    // Later: ignored only if unready and never ready since its start.
    unready = !pod.ready && pod.started + kInitialReadinessDelay > pod.ready_changed;
  }
  return unready ? PodClass::kIgnored : PodClass::kReady;
}

std::optional<std::int32_t> resource_replicas(std::int32_t current_replicas,
                                                  std::span<const Pod> pods,
                                                  std::int32_t target_percent, SimTime now,
                                                  double tolerance) {
  return resource_replicas(current_replicas, pods,
                               Target{Resource::kCpu, true, static_cast<double>(target_percent)},
                               now, tolerance);
}

std::optional<std::int32_t> resource_replicas(std::int32_t current_replicas,
                                                  std::span<const Pod> pods,
                                                  const Target& target, SimTime now,
                                                  double tolerance) {
  // Scratch kept between calls (an HPA syncs every 15 s over all its target's pods).
  thread_local std::vector<PodClass> classes;
  thread_local std::vector<double> usage;
  classes.assign(pods.size(), PodClass::kSkipped);
  usage.assign(pods.size(), -1);  // -1: not among the samples
  std::int64_t ready = 0, ignored = 0, missing = 0, samples = 0;
  for (std::size_t i = 0; i < pods.size(); ++i) {
    classes[i] = classify_pod(pods[i], target.resource, now);
    switch (classes[i]) {
      case PodClass::kSkipped: break;
      case PodClass::kIgnored: ++ignored; break;
      case PodClass::kMissing: ++missing; break;
      case PodClass::kReady:
        ++ready;
        ++samples;
        usage[i] = pods[i].usage;
        break;
    }
  }
  if (samples == 0) return std::nullopt;
  const std::optional<double> ratio = usage_ratio(pods, usage, target);
  if (!ratio) return std::nullopt;
  return replicas_from_ratio(
      current_replicas, *ratio, static_cast<double>(ready), missing > 0, ignored > 0, tolerance,
      [&](bool rebalance_ignored) {
        // Missing pods count at 100% of their request on a scale-down and 0% on a scale-up; on
        // a scale-up, pods not yet ready count at 0%.
        for (std::size_t i = 0; i < pods.size(); ++i) {
          if (classes[i] == PodClass::kMissing) {
            if (*ratio < 1.0) usage[i] = target.utilization ? pods[i].request : target.value;
            else if (*ratio > 1.0) usage[i] = 0;
          }
          if (rebalance_ignored && classes[i] == PodClass::kIgnored) usage[i] = 0;
        }
        const auto counted = std::count_if(usage.begin(), usage.end(), [](double u) { return u >= 0; });
        return std::pair(usage_ratio(pods, usage, target), static_cast<double>(counted));
      });
}

std::optional<std::int32_t> grouped_replicas(std::int32_t current_replicas,
                                                 std::span<const PodGroup> groups,
                                                 const Target& target, double usage,
                                                 double tolerance) {
  double ready = 0, ready_request = 0, missing = 0, missing_request = 0;
  double ignored = 0, ignored_request = 0;
  for (const PodGroup& g : groups) {
    ready += static_cast<double>(g.ready);
    ready_request += static_cast<double>(g.ready) * g.request;
    missing += static_cast<double>(g.missing);
    missing_request += static_cast<double>(g.missing) * g.request;
    ignored += static_cast<double>(g.ignored);
    ignored_request += static_cast<double>(g.ignored) * g.request;
  }
  if (ready == 0) return std::nullopt;
  // usage_ratio over the pods counted: the ready ones at `usage` (a negative one is no sample),
  // and in the second pass missing pods using `missing_used` in all and ignored ones 0.
  const bool sampled = usage >= 0;
  const auto ratio_of = [&](bool count_missing, double missing_used, bool count_ignored) {
    double used = sampled ? usage * ready : 0, requested = sampled ? ready_request : 0;
    double counted = sampled ? ready : 0;
    if (count_missing) {
      used += missing_used;
      requested += missing_request;
      counted += missing;
    }
    if (count_ignored) {
      requested += ignored_request;
      counted += ignored;
    }
    return std::pair(ratio_of_sums(used, requested, counted, target), counted);
  };
  const std::optional<double> ratio = ratio_of(false, 0, false).first;
  if (!ratio) return std::nullopt;
  return replicas_from_ratio(
      current_replicas, *ratio, ready, missing > 0, ignored > 0, tolerance,
      [&](bool rebalance_ignored) {
        // Missing pods at 100% of their request (or at the target) on a scale-down, 0% on a
        // scale-up, not counted at exactly 1; on a scale-up, ignored pods at 0%.
        const double missing_used =
            *ratio < 1.0 ? (target.utilization ? missing_request : target.value * missing) : 0;
        return ratio_of(missing > 0 && *ratio != 1.0, missing_used, rebalance_ignored);
      });
}

ScalingRules default_scale_up() {
  ScalingRules r;
  r.stabilization_window = SimDuration::zero();
  r.select = ScalingRules::Select::kMax;
  r.policies = {{Policy::Type::kPods, 4, std::chrono::seconds(15)},
                {Policy::Type::kPercent, 100, std::chrono::seconds(15)}};
  return r;
}

ScalingRules default_scale_down() {
  ScalingRules r;
  r.stabilization_window = std::chrono::seconds(300);
  r.select = ScalingRules::Select::kMax;
  r.policies = {{Policy::Type::kPercent, 100, std::chrono::seconds(15)}};
  return r;
}

Behavior::Behavior(std::int32_t min_replicas, std::int32_t max_replicas,
                         ScalingRules scale_up, ScalingRules scale_down)
    : min_(min_replicas), max_(max_replicas), up_(std::move(scale_up)),
      down_(std::move(scale_down)) {}

// stabilizeRecommendationWithBehaviors: the current replicas brought within the lowest
// proposal of the scale-up window and the highest of the scale-down window (each counting
// this one); the proposal is recorded, replacing one older than both windows.
std::int32_t Behavior::stabilise(SimTime now, std::int32_t current, std::int32_t proposed) {
  std::int32_t up = proposed, down = proposed;
  const SimTime up_cutoff = now - up_.stabilization_window;
  const SimTime down_cutoff = now - down_.stabilization_window;
  std::optional<std::size_t> old;
  for (std::size_t i = 0; i < recommendations_.size(); ++i) {
    const Recommendation& r = recommendations_[i];
    if (r.at > up_cutoff) up = std::min(up, r.replicas);
    if (r.at > down_cutoff) down = std::max(down, r.replicas);
    if (r.at < up_cutoff && r.at < down_cutoff) old = i;
  }
  std::int32_t out = current;
  if (out < up) out = up;
  if (out > down) out = down;
  if (old) recommendations_[*old] = Recommendation{now, proposed};
  else recommendations_.push_back(Recommendation{now, proposed});
  return out;
}

// getReplicasChangePerPeriod: the replicas changed by the events within `period` before now.
std::int32_t Behavior::changed_within(const std::vector<ScaleEvent>& events, SimTime now,
                                         SimDuration period) const {
  std::int32_t sum = 0;
  for (const ScaleEvent& e : events)
    if (e.at > now - period) sum += e.change;
  return sum;
}

// calculateScaleUpLimitWithScalingRules and calculateScaleDownLimitWithBehaviors: each policy
// proposes a limit from the replicas at the start of its period (now less what the events
// within it added, plus what they removed); selectPolicy Max takes the largest change (the
// highest limit up, the lowest down), Min the least; Disabled allows none.
std::int32_t Behavior::policy_limit(SimTime now, std::int32_t current, bool up) const {
  const ScalingRules& rules = up ? up_ : down_;
  if (rules.select == ScalingRules::Select::kDisabled) return current;
  const bool highest = (rules.select == ScalingRules::Select::kMax) == up;
  std::int32_t result = highest ? std::numeric_limits<std::int32_t>::min()
                                : std::numeric_limits<std::int32_t>::max();
  for (const Policy& p : rules.policies) {
    const std::int32_t start = current - changed_within(up_events_, now, p.period) +
                               changed_within(down_events_, now, p.period);
    const std::int32_t sign = up ? 1 : -1;
    const double factor = 1 + sign * p.value / 100.0;
    // A percentage rounds up when scaling up (else it might never add a pod), down otherwise.
    const std::int32_t proposed =
        p.type == Policy::Type::kPods
            ? start + sign * p.value
            : static_cast<std::int32_t>(up ? std::ceil(start * factor) : start * factor);
    result = highest ? std::max(result, proposed) : std::min(result, proposed);
  }
  return result;
}

void Behavior::record_initial(SimTime now, std::int32_t current) {
  if (recommendations_.empty()) recommendations_.push_back(Recommendation{now, current});
}

std::int32_t Behavior::decide(SimTime now, std::int32_t current, std::int32_t proposed) {
  std::int32_t desired;
  if (current == 0) {
    return 0;  // scaling is disabled while the target has no replicas
  } else if (current > max_) {
    desired = max_;
  } else if (current < min_) {
    desired = min_;
  } else {
    desired = stabilise(now, current, proposed);
    // convertDesiredReplicasWithBehaviorRate: the policies' limit, then min and max.
    if (desired > current) {
      const std::int32_t limit = std::max(policy_limit(now, current, true), current);
      desired = std::min(desired, std::min(max_, limit));
    } else if (desired < current) {
      const std::int32_t limit = std::min(policy_limit(now, current, false), current);
      desired = std::max(desired, std::max(min_, limit));
    }
  }
  if (desired > current) up_events_.push_back(ScaleEvent{now, desired - current});
  if (desired < current) down_events_.push_back(ScaleEvent{now, current - desired});
  // Events older than every policy's period no longer count.
  SimDuration longest{};
  for (const Policy& p : up_.policies) longest = std::max(longest, p.period);
  for (const Policy& p : down_.policies) longest = std::max(longest, p.period);
  const auto outdated = [&](const ScaleEvent& e) { return e.at <= now - longest; };
  std::erase_if(up_events_, outdated);
  std::erase_if(down_events_, outdated);
  return desired;
}

}  // namespace ecsim::hpa
