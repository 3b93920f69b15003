#pragma once

#include <cstdint>
#include <optional>

#include "ecsim/sim/problem.hpp"
#include "ecsim/sim/time.hpp"

/// The arithmetic of ECS rolling updates, as pure functions on plain numbers: the bounds that
/// minimumHealthyPercent and maximumPercent put on a service's tasks, what a rolling update may
/// start and stop at one moment, the deployment circuit breaker's failure threshold, and the
/// service scheduler's back-off for tasks that never reach RUNNING. The event-driven service
/// model calls these; they hold no state of their own. Sources are named in
/// `src/deployment.cpp` and models/ecs/README.md.

namespace ecsim::ecs {

/// How a service places its tasks: desiredCount replicas, or one task per container instance.
enum class SchedulingStrategy : std::uint8_t { kReplica, kDaemon };

/// A validated deploymentConfiguration: the two percentages of desiredCount that bound a
/// rolling update (and a drain).
struct DeploymentConfiguration {
  /// Lower limit on RUNNING (and healthy) tasks, in percent of desiredCount, 0..100.
  std::int32_t minimum_healthy_percent = 100;
  /// Upper limit on RUNNING plus PENDING tasks, in percent of desiredCount, at least 100.
  std::int32_t maximum_percent = 200;

  friend bool operator==(const DeploymentConfiguration&, const DeploymentConfiguration&) = default;
};

/// AWS's defaults for `strategy`: 100/200 for REPLICA, 0/100 for DAEMON.
DeploymentConfiguration default_deployment_configuration(SchedulingStrategy strategy) noexcept;

/// deploymentConfiguration as written: each percentage optional, so that a missing one takes the
/// default for the service's scheduling strategy.
struct DeploymentConfigurationInput {
  std::optional<std::int64_t> minimum_healthy_percent;  ///< `minimumHealthyPercent`, if given.
  std::optional<std::int64_t> maximum_percent;          ///< `maximumPercent`, if given.
};

/// Every problem with `input` for a service using `strategy`; fields are
/// `deploymentConfiguration.minimumHealthyPercent` and `deploymentConfiguration.maximumPercent`.
Problems check(const DeploymentConfigurationInput& input, SchedulingStrategy strategy);

/// The configuration `input` describes, defaults filled in (asserts that `check` found nothing).
DeploymentConfiguration from_input(const DeploymentConfigurationInput& input,
                                   SchedulingStrategy strategy);

/// The task counts a rolling update must stay within, for one desiredCount.
struct RollingBounds {
  /// Fewest tasks that must stay RUNNING and healthy: minimumHealthyPercent x desired / 100,
  /// rounded up.
  std::int64_t lower = 0;
  /// Most tasks that may be RUNNING or PENDING: maximumPercent x desired / 100, rounded down.
  std::int64_t upper = 0;

  friend bool operator==(const RollingBounds&, const RollingBounds&) = default;
};

/// The bounds of a service with `desired` (>= 0) tasks under `config`.
RollingBounds rolling_bounds(std::int64_t desired, const DeploymentConfiguration& config);

/// One service's tasks at one moment of a rolling update (or a drain), all counts >= 0.
struct DeploymentCounts {
  /// The service's desiredCount.
  std::int64_t desired = 0;
  /// RUNNING tasks to be replaced: of the old revision, or on DRAINING instances.
  std::int64_t old_running = 0;
  /// Tasks of the new revision that are RUNNING and healthy.
  std::int64_t new_healthy = 0;
  /// Tasks of the new revision started (PENDING, or RUNNING) but not yet healthy.
  std::int64_t new_pending = 0;
};

/// What a rolling update may do now, from one snapshot of the counts.
struct DeploymentStep {
  std::int64_t start_new = 0;  ///< New tasks that may be started now.
  std::int64_t stop_old = 0;   ///< Old tasks that may be stopped now.
  /// True when nothing may start or stop, no new task is on its way to healthy, and the update
  /// is not finished: it cannot progress (for example 100/100, or a drain with both at 100).
  bool stuck = false;

  friend bool operator==(const DeploymentStep&, const DeploymentStep&) = default;
};

/// The starts and stops `config` allows for `counts`. Both come from the same snapshot: a
/// stopped task frees room under the upper limit only once the caller reports it gone.
DeploymentStep deployment_step(const DeploymentCounts& counts,
                               const DeploymentConfiguration& config);

/// How the deployment circuit breaker turns desiredCount into a failure threshold
/// (`thresholdConfiguration.type`).
enum class CircuitBreakerThresholdType : std::uint8_t {
  kBoundedPercent,    ///< value % of desired, rounded up, then kept within 3..200 (the default).
  kUnboundedPercent,  ///< value % of desired, rounded up, at least 1.
  kCount,             ///< value itself.
};

/// The circuit breaker's `thresholdConfiguration`; the default is BOUNDED_PERCENT 50.
struct CircuitBreakerThreshold {
  /// How to read `value`.
  CircuitBreakerThresholdType type = CircuitBreakerThresholdType::kBoundedPercent;
  /// A percentage of desired, or a count; at least 1.
  std::int64_t value = 50;
};

/// Every problem with `threshold`; the field is `thresholdConfiguration.value`.
Problems check(const CircuitBreakerThreshold& threshold);

/// The number of failed tasks that fails a deployment of a service with `desired` tasks: by
/// default max(3, min(200, ceil(0.5 x desired))).
std::int64_t circuit_breaker_threshold(std::int64_t desired,
                                       const CircuitBreakerThreshold& threshold = {});

/// Whether `failures` failed tasks (counted as the breaker counts them) fail the deployment.
bool circuit_breaker_tripped(std::int64_t failures, std::int64_t desired,
                             const CircuitBreakerThreshold& threshold = {});

/// The service scheduler's back-off for tasks that go from PENDING to STOPPED without running.
struct LaunchThrottle {
  /// Delay after the first such failure; it doubles with each further consecutive failure.
  SimDuration first_delay = std::chrono::seconds{30};
  /// Longest delay between attempts: 27 minutes in the current Developer Guide (15 earlier).
  SimDuration max_delay = std::chrono::minutes{27};
};

/// How long the scheduler waits before the next launch after `consecutive_failures` (>= 0)
/// tasks in a row never reached RUNNING: 0 for none, then first_delay x 2^(n-1) up to max_delay.
SimDuration launch_throttle_delay(std::int64_t consecutive_failures,
                                  const LaunchThrottle& throttle = {});

}  // namespace ecsim::ecs
