// Step scaling policies with their CloudWatch alarms, and scheduled actions, against cases
// worked by hand from the Application Auto Scaling documentation (models/appscaling/README.md,
// "Step scaling" and "Scheduled actions").

#include <catch2/catch.hpp>

#include <optional>
#include <vector>

#include "ecsim/appscaling/target_tracking.hpp"

namespace ecsim::test {
namespace {

using appscaling::AdjustmentType;
using appscaling::Comparison;
using appscaling::Datapoints;
using appscaling::Scaler;
using appscaling::ScalableTarget;
using appscaling::StepScalingPolicy;
using appscaling::TargetState;
using std::chrono::minutes;

using Points = std::vector<std::optional<double>>;

constexpr SimTime kAt = kSimStart + std::chrono::hours(1);

// Scale out on CPU >= 70% for 2 of 2 minutes: +1 below 90% (breach [0, 20)), +3 from 90%.
StepScalingPolicy out_policy() {
  StepScalingPolicy p;
  p.name = "out";
  p.steps = {{0.0, 20.0, 1}, {20.0, std::nullopt, 3}};
  p.alarm = {"cpu-high", appscaling::Metric::kEcsCpu, 70, Comparison::kGreaterOrEqual, 2, 2};
  return p;
}

// Scale in by 25% on CPU <= 30% for 3 of 5 minutes (breach (-inf, 0]).
StepScalingPolicy in_policy() {
  StepScalingPolicy p;
  p.name = "in";
  p.type = AdjustmentType::kPercentChangeInCapacity;
  p.steps = {{std::nullopt, 0.0, -25}};
  p.alarm = {"cpu-low", appscaling::Metric::kEcsCpu, 30, Comparison::kLessOrEqual, 5, 3};
  return p;
}

ScalableTarget target(std::vector<StepScalingPolicy> policies) {
  ScalableTarget t;
  t.resource_id = "service/c/s";
  t.min_capacity = 1;
  t.max_capacity = 20;
  t.step_policies = std::move(policies);
  return t;
}

std::optional<appscaling::Decision> run(Scaler& s, SimTime now, std::int64_t desired,
                                        const std::vector<Points>& per_policy) {
  std::vector<Datapoints> views;
  for (const Points& p : per_policy) views.emplace_back(p);
  return s.evaluate(now, TargetState{desired, false}, views);
}

}  // namespace

TEST_CASE("Step scaling: the alarm's M of N datapoints, and the step the breach falls in",
          "[appscaling]") {
  const ScalableTarget t = target({out_policy()});
  Scaler s(&t);
  // One datapoint at or above 70% of two: OK, nothing.
  CHECK_FALSE(run(s, kAt, 4, {{60, 80}}).has_value());
  // 75% then 80%: ALARM; the breach 80 - 70 = 10 is in [0, 20): +1.
  auto d = run(s, kAt, 4, {{75, 80}});
  REQUIRE(d);
  CHECK(d->to == 5);
  CHECK(d->cause == "monitor alarm cpu-high in state ALARM triggered policy out");
  // A minute later, in the 300 s cooldown, the alarm still in ALARM at 95% (breach 25: +3):
  // the capacity the first scale-out added counts, 4 + 3 = 7, so 2 more, not 3.
  d = run(s, kAt + minutes(1), 5, {{80, 95}});
  REQUIRE(d);
  CHECK(d->to == 7);
  // Still in the cooldown at +1 (breach 5): 4 + 1 = 5 < 7: nothing.
  CHECK_FALSE(run(s, kAt + minutes(2), 7, {{95, 75}}).has_value());
  // The cooldown over (from the first scale-out at 1h: 1h05m), ALARM at 75%: 7 + 1 = 8.
  d = run(s, kAt + minutes(5), 7, {{75, 75}});
  REQUIRE(d);
  CHECK(d->to == 8);
  // The breach exactly 20 goes to the upper step (lower bound inclusive above the threshold).
  Scaler fresh(&t);
  d = run(fresh, kAt, 4, {{90, 90}});
  REQUIRE(d);
  CHECK(d->to == 7);
}

TEST_CASE("Step scaling: a percentage of the capacity, rounded towards zero, at least one",
          "[appscaling]") {
  const ScalableTarget t = target({in_policy()});
  Scaler s(&t);
  // 3 of the last 5 at or below 30%: ALARM. 10 tasks less 25% = 10 - 2.5, rounded towards
  // zero: -2, so 8.
  auto d = run(s, kAt, 10, {{50, 20, 40, 25, 30}});
  REQUIRE(d);
  CHECK(d->to == 8);
  // In its cooldown nothing more scales in.
  CHECK_FALSE(run(s, kAt + minutes(1), 8, {{20, 20, 20, 20, 20}}).has_value());
  // After it, 3 tasks less 25% = -0.75, which counts as -1: 2. The minimum (1) holds below.
  d = run(s, kAt + minutes(6), 3, {{20, 20, 20, 20, 20}});
  REQUIRE(d);
  CHECK(d->to == 2);
  d = run(s, kAt + minutes(12), 1, {{20, 20, 20, 20, 20}});
  CHECK_FALSE(d.has_value());
}

TEST_CASE("Step scaling: a scale-out wins over a scale-in and ends its cooldown", "[appscaling]") {
  const ScalableTarget t = target({out_policy(), in_policy()});
  Scaler s(&t);
  // Only the low alarm: 8 less 25% = 6.
  auto d = run(s, kAt, 8, {{50, 50}, {20, 20, 20, 20, 20}});
  REQUIRE(d);
  CHECK(d->to == 6);
  // Both alarms (the datapoints differ per alarm here): the scale-out goes ahead, 6 + 1.
  d = run(s, kAt + minutes(1), 6, {{80, 80}, {20, 20, 20, 20, 20}});
  REQUIRE(d);
  CHECK(d->to == 7);
  // The scale-in cooldown ended with the scale-out: a scale-in may follow at once.
  d = run(s, kAt + minutes(2), 7, {{50, 50}, {20, 20, 20, 20, 20}});
  REQUIRE(d);
  CHECK(d->to == 6);  // 7 - 1.75, rounded towards zero: -1
}

TEST_CASE("Scheduled actions: new capacities, and a desired count brought within them",
          "[appscaling]") {
  ScalableTarget t = target({});
  appscaling::ScheduledAction morning;
  morning.name = "morning";
  morning.min_capacity = 8;
  morning.max_capacity = 20;
  appscaling::ScheduledAction night;
  night.name = "night";
  night.max_capacity = 3;
  t.scheduled = {morning, night};
  Scaler s(&t);
  auto d = s.scheduled(0, 4);
  REQUIRE(d);
  CHECK(d->to == 8);
  CHECK(d->cause == "scheduled action name morning was triggered (min 8, max 20)");
  CHECK(s.min_capacity() == 8);
  // Only a maximum below the minimum: the minimum follows it down.
  d = s.scheduled(1, 8);
  REQUIRE(d);
  CHECK(d->to == 3);
  CHECK(s.min_capacity() == 3);
  CHECK(s.max_capacity() == 3);
  // Suspended scheduled scaling changes nothing.
  t.scheduled_suspended = true;
  Scaler suspended(&t);
  CHECK_FALSE(suspended.scheduled(0, 4).has_value());
}

}  // namespace ecsim::test
