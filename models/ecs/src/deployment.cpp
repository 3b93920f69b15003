#include "ecsim/ecs/deployment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "ecsim/sim/assert.hpp"

// Where each rule comes from (looked up for this file; see also models/ecs/README.md).
//
// [DC]   Amazon ECS API Reference, DeploymentConfiguration (the SDKs' generated docs carry the
//        same text): maximumPercent is "an upper limit on the number of tasks in a service that
//        are allowed in the RUNNING or PENDING state during a deployment, as a percentage of the
//        desired number of tasks (rounded down to the nearest integer)"; minimumHealthyPercent
//        "a lower limit on the number of tasks in a service that must remain in the RUNNING
//        state during a deployment, as a percentage of the desired number of tasks (rounded up to
//        the nearest integer)"; both also apply while container instances are DRAINING; defaults
//        200% and 100%; a DAEMON service's maximumPercent "should remain at 100%", and its
//        minimumHealthyPercent defaults to 0%. Tasks of a service with a load balancer count as
//        healthy once RUNNING and reported healthy by it.
// [CB]   API Reference, ServiceDeploymentCircuitBreaker.threshold: "a minimum threshold of 3 and
//        a maximum threshold of 200", formula "0.5 * desired task count"; ThresholdConfiguration
//        and the ThresholdType enum: BOUNDED_PERCENT (default, value 50) multiplies value by the
//        latest desired count and clamps to 3..200, UNBOUNDED_PERCENT does not clamp, COUNT uses
//        value as is. The AWS "What's New" of 8 January 2024 lowered the minimum to 3 ("the
//        failure threshold for a service with 3 tasks is now 3 (v/s 10 earlier)").
// [THR]  Developer Guide, "Amazon ECS service throttle logic": when tasks repeatedly go from
//        PENDING to STOPPED, "the time between subsequent restart attempts is incrementally
//        increased up to a maximum of 27 minutes" (15 minutes in earlier editions); no
//        user-tunable parameters; a new task definition returns the service to normal at once.
//        The schedule itself is not documented: see LaunchThrottle and the README.

namespace ecsim::ecs {
namespace {

constexpr std::int64_t kMaxInteger = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kBoundedMin = 3;
constexpr std::int64_t kBoundedMax = 200;

// Non-negative operands only; callers keep products far inside int64 (percent <= 2^31, desired
// well below 2^31).
constexpr std::int64_t ceil_div(std::int64_t a, std::int64_t b) noexcept {
  return (a + b - 1) / b;
}

}  // namespace

DeploymentConfiguration default_deployment_configuration(SchedulingStrategy strategy) noexcept {
  if (strategy == SchedulingStrategy::kDaemon) return {0, 100};
  return {100, 200};
}

Problems check(const DeploymentConfigurationInput& input, SchedulingStrategy strategy) {
  Problems problems;
  if (input.minimum_healthy_percent) {
    const std::int64_t v = *input.minimum_healthy_percent;
    if (v < 0 || v > 100)
      problems.push_back(
          {"deploymentConfiguration.minimumHealthyPercent",
           fmt::format("minimumHealthyPercent must be between 0 and 100 (found {})", v)});
  }
  if (input.maximum_percent) {
    const std::int64_t v = *input.maximum_percent;
    if (strategy == SchedulingStrategy::kDaemon) {
      if (v != 100)
        problems.push_back({"deploymentConfiguration.maximumPercent",
                            fmt::format("a DAEMON service's maximumPercent should remain at 100% "
                                        "(found {})",
                                        v)});
    } else if (v < 100 || v > kMaxInteger) {
      problems.push_back(
          {"deploymentConfiguration.maximumPercent",
           fmt::format("maximumPercent must be between 100 and {} (found {}; below 100 the "
                       "service could never run desiredCount tasks)",
                       kMaxInteger, v)});
    }
  }
  return problems;
}

DeploymentConfiguration from_input(const DeploymentConfigurationInput& input,
                                   SchedulingStrategy strategy) {
  ECSIM_ASSERT(check(input, strategy).empty(),
               "from_input needs a deploymentConfiguration "
               "without problems");
  DeploymentConfiguration config = default_deployment_configuration(strategy);
  if (input.minimum_healthy_percent)
    config.minimum_healthy_percent = static_cast<std::int32_t>(*input.minimum_healthy_percent);
  if (input.maximum_percent)
    config.maximum_percent = static_cast<std::int32_t>(*input.maximum_percent);
  return config;
}

RollingBounds rolling_bounds(std::int64_t desired, const DeploymentConfiguration& config) {
  ECSIM_ASSERT(desired >= 0, "desiredCount is never negative");
  return {ceil_div(desired * config.minimum_healthy_percent, 100),
          desired * config.maximum_percent / 100};
}

DeploymentStep deployment_step(const DeploymentCounts& counts,
                               const DeploymentConfiguration& config) {
  ECSIM_ASSERT(counts.desired >= 0 && counts.old_running >= 0 && counts.new_healthy >= 0 &&
                   counts.new_pending >= 0,
               "task counts are never negative");
  const RollingBounds bounds = rolling_bounds(counts.desired, config);
  const std::int64_t total = counts.old_running + counts.new_healthy + counts.new_pending;
  const std::int64_t new_total = counts.new_healthy + counts.new_pending;

  DeploymentStep step;
  // Starting is capped twice: by the room under the upper limit, and by the new tasks still
  // missing (a rolling update never runs more new tasks than desired).
  step.start_new =
      std::max<std::int64_t>(0, std::min(bounds.upper - total, counts.desired - new_total));
  // Old tasks count as healthy; stopping one must leave at least the lower limit healthy. New
  // tasks that are not healthy yet do not count, so they cannot pay for a stop.
  const std::int64_t healthy = counts.old_running + counts.new_healthy;
  step.stop_old = std::clamp<std::int64_t>(healthy - bounds.lower, 0, counts.old_running);
  const bool finished = counts.old_running == 0 && new_total >= counts.desired;
  step.stuck = step.start_new == 0 && step.stop_old == 0 && counts.new_pending == 0 && !finished;
  return step;
}

Problems check(const CircuitBreakerThreshold& threshold) {
  Problems problems;
  if (threshold.value < 1 || threshold.value > kMaxInteger)
    problems.push_back(
        {"thresholdConfiguration.value",
         fmt::format("value must be between 1 and {} (found {})", kMaxInteger, threshold.value)});
  return problems;
}

std::int64_t circuit_breaker_threshold(std::int64_t desired,
                                       const CircuitBreakerThreshold& threshold) {
  ECSIM_ASSERT(desired >= 0, "desiredCount is never negative");
  ECSIM_ASSERT(threshold.value >= 1, "check() rejects a threshold value below 1");
  switch (threshold.type) {
    case CircuitBreakerThresholdType::kCount:
      return threshold.value;
    case CircuitBreakerThresholdType::kUnboundedPercent:
      // A threshold of 0 would fail every deployment of a service scaled to 0 before it began.
      return std::max<std::int64_t>(1, ceil_div(desired * threshold.value, 100));
    case CircuitBreakerThresholdType::kBoundedPercent:
      break;
  }
  return std::clamp(ceil_div(desired * threshold.value, 100), kBoundedMin, kBoundedMax);
}

bool circuit_breaker_tripped(std::int64_t failures, std::int64_t desired,
                             const CircuitBreakerThreshold& threshold) {
  return failures >= circuit_breaker_threshold(desired, threshold);
}

SimDuration launch_throttle_delay(std::int64_t consecutive_failures,
                                  const LaunchThrottle& throttle) {
  ECSIM_ASSERT(consecutive_failures >= 0, "a failure count is never negative");
  ECSIM_ASSERT(
      throttle.first_delay >= SimDuration::zero() && throttle.max_delay >= throttle.first_delay,
      "a throttle needs 0 <= first_delay <= max_delay");
  if (consecutive_failures == 0) return SimDuration::zero();
  SimDuration delay = throttle.first_delay;
  // Doubling stops at the cap, so the loop runs at most ~63 times and never overflows.
  for (std::int64_t n = 1;
       n < consecutive_failures && delay > SimDuration::zero() && delay < throttle.max_delay; ++n) {
    delay = delay > throttle.max_delay / 2 ? throttle.max_delay : delay * 2;
  }
  return std::min(delay, throttle.max_delay);
}

}  // namespace ecsim::ecs
