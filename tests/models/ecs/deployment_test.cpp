#include "ecsim/ecs/deployment.hpp"

#include <catch2/catch.hpp>

using namespace ecsim;
using namespace ecsim::ecs;
using namespace std::chrono_literals;

TEST_CASE("a REPLICA service defaults to 100/200 and a DAEMON service to 0/100", "[ecs]") {
  CHECK(default_deployment_configuration(SchedulingStrategy::kReplica) ==
        DeploymentConfiguration{100, 200});
  CHECK(default_deployment_configuration(SchedulingStrategy::kDaemon) ==
        DeploymentConfiguration{0, 100});
  // Missing fields take the strategy's default; given ones are kept.
  CHECK(from_input({}, SchedulingStrategy::kReplica) == DeploymentConfiguration{100, 200});
  CHECK(from_input({50, std::nullopt}, SchedulingStrategy::kReplica) ==
        DeploymentConfiguration{50, 200});
  CHECK(from_input({50, std::nullopt}, SchedulingStrategy::kDaemon) ==
        DeploymentConfiguration{50, 100});
}

TEST_CASE("the lower limit rounds up and the upper limit rounds down", "[ecs]") {
  // desired 3 at 50/200: lower = ceil(3 x 50 / 100) = ceil(1.5) = 2, upper = floor(6) = 6.
  CHECK(rolling_bounds(3, {50, 200}) == RollingBounds{2, 6});
  // desired 4 at 100/200: lower = 4, upper = 8 (AWS's example: four new before four old stop).
  CHECK(rolling_bounds(4, {100, 200}) == RollingBounds{4, 8});
  // desired 4 at 50/100: lower = 2 (AWS's example: stop two before starting two), upper = 4.
  CHECK(rolling_bounds(4, {50, 100}) == RollingBounds{2, 4});
  // desired 5 at 50/150: lower = ceil(2.5) = 3, upper = floor(7.5) = 7.
  CHECK(rolling_bounds(5, {50, 150}) == RollingBounds{3, 7});
  // desired 7 at 75/125: lower = ceil(5.25) = 6, upper = floor(8.75) = 8.
  CHECK(rolling_bounds(7, {75, 125}) == RollingBounds{6, 8});
  // desired 1 at 50/150: lower = ceil(0.5) = 1, upper = floor(1.5) = 1.
  CHECK(rolling_bounds(1, {50, 150}) == RollingBounds{1, 1});
  // desired 3 at the DAEMON default 0/100: lower = 0, upper = 3.
  CHECK(rolling_bounds(3, {0, 100}) == RollingBounds{0, 3});
  CHECK(rolling_bounds(0, {100, 200}) == RollingBounds{0, 0});
}

TEST_CASE("a deployment configuration outside AWS's ranges is reported field by field", "[ecs]") {
  CHECK(check({100, 200}, SchedulingStrategy::kReplica).empty());
  CHECK(check({0, 100}, SchedulingStrategy::kReplica).empty());
  // 100/100 is accepted: it is legal, it just cannot replace a task (see the step tests).
  CHECK(check({100, 100}, SchedulingStrategy::kReplica).empty());
  CHECK(check({50, 100}, SchedulingStrategy::kDaemon).empty());

  const Problems both = check({101, 99}, SchedulingStrategy::kReplica);
  REQUIRE(both.size() == 2);
  CHECK(both[0] == Problem{"deploymentConfiguration.minimumHealthyPercent",
                           "minimumHealthyPercent must be between 0 and 100 (found 101)"});
  CHECK(both[1].field == "deploymentConfiguration.maximumPercent");
  CHECK_THAT(both[1].message, Catch::StartsWith("maximumPercent must be between 100 and "
                                                "2147483647 (found 99;"));
  CHECK(check({-1, std::nullopt}, SchedulingStrategy::kReplica).size() == 1);
  CHECK(check({std::nullopt, 200}, SchedulingStrategy::kDaemon) ==
        Problems{{"deploymentConfiguration.maximumPercent",
                  "a DAEMON service's maximumPercent should remain at 100% (found 200)"}});
}

TEST_CASE("at 100/200 a rolling update starts all new tasks before stopping old ones", "[ecs]") {
  const DeploymentConfiguration config{100, 200};
  // desired 4: lower 4, upper 8. 4 old running: start min(8 - 4, 4 - 0) = 4, stop 4 - 4 = 0.
  CHECK(deployment_step({4, 4, 0, 0}, config) == DeploymentStep{4, 0, false});
  // The 4 new tasks are pending: start min(8 - 8, 4 - 4) = 0, stop 0; waiting, not stuck.
  CHECK(deployment_step({4, 4, 0, 4}, config) == DeploymentStep{0, 0, false});
  // 2 of them healthy: healthy = 4 + 2 = 6, stop 6 - 4 = 2.
  CHECK(deployment_step({4, 4, 2, 2}, config) == DeploymentStep{0, 2, false});
  // All 4 healthy: stop min(4, 8 - 4) = 4.
  CHECK(deployment_step({4, 4, 4, 0}, config) == DeploymentStep{0, 4, false});
  // Done: no old tasks, 4 new.
  CHECK(deployment_step({4, 0, 4, 0}, config) == DeploymentStep{0, 0, false});
}

TEST_CASE("at 50/100 a rolling update stops old tasks to make room for new ones", "[ecs]") {
  const DeploymentConfiguration config{50, 100};
  // desired 4: lower 2, upper 4. 4 old: start min(4 - 4, 4) = 0, stop 4 - 2 = 2.
  CHECK(deployment_step({4, 4, 0, 0}, config) == DeploymentStep{0, 2, false});
  // 2 old left: start min(4 - 2, 4 - 0) = 2; healthy 2 = lower, stop 0.
  CHECK(deployment_step({4, 2, 0, 0}, config) == DeploymentStep{2, 0, false});
  // The 2 new ones pending: nothing to do until they are healthy.
  CHECK(deployment_step({4, 2, 0, 2}, config) == DeploymentStep{0, 0, false});
  // Healthy: healthy 4, stop 4 - 2 = 2; start min(4 - 4, 4 - 2) = 0.
  CHECK(deployment_step({4, 2, 2, 0}, config) == DeploymentStep{0, 2, false});
  // Old ones gone: start min(4 - 2, 4 - 2) = 2.
  CHECK(deployment_step({4, 0, 2, 0}, config) == DeploymentStep{2, 0, false});
}

TEST_CASE("with both limits at 100 a rolling update or a drain cannot progress", "[ecs]") {
  // desired 4 at 100/100: lower 4, upper 4. start min(4 - 4, 4) = 0, stop 4 - 4 = 0.
  CHECK(deployment_step({4, 4, 0, 0}, {100, 100}) == DeploymentStep{0, 0, true});
  // desired 1 at 50/150 is the same trap: lower = upper = 1.
  CHECK(deployment_step({1, 1, 0, 0}, {50, 150}) == DeploymentStep{0, 0, true});
  // The DAEMON default 0/100 stops first: desired 3, lower 0, upper 3, stop 3.
  CHECK(deployment_step({3, 3, 0, 0}, {0, 100}) == DeploymentStep{0, 3, false});
}

TEST_CASE("new tasks that are not healthy yet do not pay for stopping old ones", "[ecs]") {
  // desired 4 at 75/150: lower ceil(3) = 3, upper floor(6) = 6. 4 old, 2 new pending:
  // start min(6 - 6, 4 - 2) = 0; healthy = 4 (the pending ones do not count), stop 4 - 3 = 1.
  CHECK(deployment_step({4, 4, 0, 2}, {75, 150}) == DeploymentStep{0, 1, false});
}

TEST_CASE("the circuit breaker threshold is half the desired count within 3 and 200", "[ecs]") {
  // BOUNDED_PERCENT 50: max(3, min(200, ceil(0.5 x desired))).
  CHECK(circuit_breaker_threshold(0) == 3);    // ceil(0) = 0 -> 3
  CHECK(circuit_breaker_threshold(1) == 3);    // ceil(0.5) = 1 -> 3
  CHECK(circuit_breaker_threshold(3) == 3);    // ceil(1.5) = 2 -> 3 (AWS: "3 tasks is now 3")
  CHECK(circuit_breaker_threshold(6) == 3);    // ceil(3) = 3
  CHECK(circuit_breaker_threshold(7) == 4);    // ceil(3.5) = 4
  CHECK(circuit_breaker_threshold(25) == 13);  // ceil(12.5) = 13
  CHECK(circuit_breaker_threshold(400) == 200);
  CHECK(circuit_breaker_threshold(401) == 200);  // ceil(200.5) = 201 -> 200
  CHECK(circuit_breaker_threshold(800) == 200);
  // 12 failures of a 25-task service are tolerated, the 13th fails the deployment.
  CHECK_FALSE(circuit_breaker_tripped(12, 25));
  CHECK(circuit_breaker_tripped(13, 25));
}

TEST_CASE("a configured circuit breaker threshold may be unbounded or a count", "[ecs]") {
  using T = CircuitBreakerThresholdType;
  // UNBOUNDED_PERCENT 50: ceil(0.5 x 401) = 201, beyond the bounded 200.
  CHECK(circuit_breaker_threshold(401, {T::kUnboundedPercent, 50}) == 201);
  // ceil(0.5 x 1) = 1, below the bounded 3; a service at 0 still needs one failure.
  CHECK(circuit_breaker_threshold(1, {T::kUnboundedPercent, 50}) == 1);
  CHECK(circuit_breaker_threshold(0, {T::kUnboundedPercent, 50}) == 1);
  // BOUNDED_PERCENT 20 of 100: ceil(20) = 20.
  CHECK(circuit_breaker_threshold(100, {T::kBoundedPercent, 20}) == 20);
  // COUNT 7 ignores the desired count.
  CHECK(circuit_breaker_threshold(1000, {T::kCount, 7}) == 7);
  CHECK(check(CircuitBreakerThreshold{T::kCount, 0}) ==
        Problems{{"thresholdConfiguration.value",
                  "value must be between 1 and 2147483647 "
                  "(found 0)"}});
  CHECK(check(CircuitBreakerThreshold{}).empty());
}

TEST_CASE("the launch back-off doubles from 30 seconds up to 27 minutes", "[ecs]") {
  CHECK(launch_throttle_delay(0) == 0s);
  CHECK(launch_throttle_delay(1) == 30s);
  CHECK(launch_throttle_delay(2) == 1min);
  CHECK(launch_throttle_delay(3) == 2min);
  CHECK(launch_throttle_delay(4) == 4min);
  CHECK(launch_throttle_delay(5) == 8min);
  CHECK(launch_throttle_delay(6) == 16min);
  CHECK(launch_throttle_delay(7) == 27min);  // 32 minutes, capped
  CHECK(launch_throttle_delay(1'000'000) == 27min);
  // The older documented cap, 15 minutes, from a first delay of 1 minute: 1, 2, 4, 8, 15.
  const LaunchThrottle older{1min, 15min};
  CHECK(launch_throttle_delay(4, older) == 8min);
  CHECK(launch_throttle_delay(5, older) == 15min);
}
