// Target tracking's alarms, proposals, cooldowns and several policies, against cases worked by
// hand from the Application Auto Scaling documentation (models/appscaling/README.md).

#include <catch2/catch.hpp>

#include <optional>
#include <vector>

#include "ecsim/appscaling/target_tracking.hpp"

namespace ecsim::test {
namespace {

using appscaling::Datapoints;
using appscaling::Scaler;
using appscaling::ScalableTarget;
using appscaling::TargetState;
using appscaling::TargetTrackingPolicy;
using std::chrono::minutes;
using std::chrono::seconds;

using Points = std::vector<std::optional<double>>;

ScalableTarget target(std::int64_t min, std::int64_t max, std::vector<TargetTrackingPolicy> p) {
  ScalableTarget t;
  t.resource_id = "service/c/s";
  t.min_capacity = min;
  t.max_capacity = max;
  t.policies = std::move(p);
  return t;
}

TargetTrackingPolicy cpu(double value, const char* name = "cpu") {
  TargetTrackingPolicy p;
  p.name = name;
  p.target = value;
  return p;
}

Points repeat(double v, std::size_t n) { return Points(n, v); }

std::optional<appscaling::Decision> one(Scaler& s, SimTime now, std::int64_t desired,
                                        const Points& points, bool deploying = false) {
  const std::vector<Datapoints> views{Datapoints(points)};
  return s.evaluate(now, TargetState{desired, deploying}, views);
}

constexpr SimTime kAt = kSimStart + std::chrono::hours(1);

}  // namespace

TEST_CASE("AlarmHigh: three datapoints in a row above the target, ceil(desired x metric / target)",
          "[appscaling]") {
  const ScalableTarget t = target(1, 20, {cpu(60)});
  Scaler s(&t);
  // Two above, then the third: 4 tasks at 90% want ceil(4 x 90 / 60) = 6.
  CHECK_FALSE(one(s, kAt, 4, {50, 90, 90}).has_value());
  const auto d = one(s, kAt, 4, {90, 90, 90});
  REQUIRE(d);
  CHECK(d->to == 6);
  CHECK(d->cause == "monitor alarm TargetTracking-service/c/s-AlarmHigh in state ALARM "
                    "triggered policy cpu");
  // At the target is not above it; a minute without data breaks the streak.
  Scaler fresh(&t);
  CHECK_FALSE(one(fresh, kAt, 4, {60, 60, 60}).has_value());
  CHECK_FALSE(one(fresh, kAt, 4, {90, std::nullopt, 90}).has_value());
  // Never above MaxCapacity: ceil(10 x 100 / 60) = 17 becomes 12.
  const ScalableTarget small = target(1, 12, {cpu(60)});
  Scaler capped(&small);
  CHECK(one(capped, kAt, 10, {100, 100, 100})->to == 12);
}

TEST_CASE("AlarmLow: fifteen datapoints below 90% of the target, rounded up", "[appscaling]") {
  const ScalableTarget t = target(2, 20, {cpu(60)});
  Scaler s(&t);
  // 53.9 < 54 for 14 minutes is not enough; 15 are. 10 tasks at 30%: ceil(10 x 30 / 60) = 5.
  Points low = repeat(30, 15);
  low[0] = 55;
  CHECK_FALSE(one(s, kAt, 10, low).has_value());
  const auto d = one(s, kAt, 10, repeat(30, 15));
  REQUIRE(d);
  CHECK(d->to == 5);
  CHECK(d->cause.find("AlarmLow") != std::string::npos);
  // Never below MinCapacity: ceil(3 x 5 / 60) = 1 becomes 2 (after the scale-in cooldown).
  Scaler floor(&t);
  CHECK(one(floor, kAt, 3, repeat(5, 15))->to == 2);
  // DisableScaleIn, a deployment in progress and DynamicScalingInSuspended each block it.
  TargetTrackingPolicy no_in = cpu(60);
  no_in.disable_scale_in = true;
  const ScalableTarget keep = target(2, 20, {no_in});
  Scaler k(&keep);
  CHECK_FALSE(one(k, kAt, 10, repeat(30, 15)).has_value());
  Scaler deploying(&t);
  CHECK_FALSE(one(deploying, kAt, 10, repeat(30, 15), true).has_value());
  ScalableTarget suspended = t;
  suspended.scale_in_suspended = true;
  Scaler sus(&suspended);
  CHECK_FALSE(one(sus, kAt, 10, repeat(30, 15)).has_value());
}

TEST_CASE("cooldowns: a scale-out's capacity counts within it, scale-in waits for its own",
          "[appscaling]") {
  const ScalableTarget t = target(1, 50, {cpu(50)});
  Scaler s(&t);
  // 4 tasks at 100%: ceil(4 x 100 / 50) = 8, starting a 300 s cooldown with base 4.
  REQUIRE(one(s, kAt, 4, repeat(100, 3))->to == 8);
  // A minute later the new tasks are not running yet, the metric still 100%: within the
  // cooldown the base stays 4, ceil(4 x 100 / 50) = 8, no more than the 8 asked for.
  CHECK_FALSE(one(s, kAt + minutes(1), 8, repeat(100, 3)).has_value());
  // A larger scale-out goes ahead within it: 4 x 150 / 50 = 12.
  CHECK(one(s, kAt + minutes(2), 8, repeat(150, 3))->to == 12);
  // After the cooldown the base is the desired count: ceil(12 x 100 / 50) = 24.
  CHECK(one(s, kAt + minutes(5), 12, repeat(100, 3))->to == 24);
  // Scale-in: one at 20% (ceil(24 x 20 / 50) = 10), then none within 300 s, then another.
  CHECK(one(s, kAt + minutes(30), 24, repeat(20, 15))->to == 10);
  CHECK_FALSE(one(s, kAt + minutes(34), 10, repeat(20, 15)).has_value());
  CHECK(one(s, kAt + minutes(35), 10, repeat(20, 15))->to == 4);
  // A scale-out ends the scale-in cooldown: after it, a scale-in may follow at once.
  Scaler t2(&t);
  REQUIRE(one(t2, kAt, 20, repeat(10, 15))->to == 4);
  REQUIRE(one(t2, kAt + minutes(1), 4, repeat(100, 3))->to == 8);
  CHECK(one(t2, kAt + minutes(2), 8, repeat(10, 15))->to == 2);
}

TEST_CASE("several policies: the largest scale-out wins, a scale-in needs them all", "[appscaling]") {
  const ScalableTarget t = target(1, 100, {cpu(50, "cpu"), cpu(1000, "requests")});
  Scaler s(&t);
  // CPU wants ceil(10 x 60 / 50) = 12, requests ceil(10 x 2000 / 1000) = 20: 20.
  const Points high_cpu = repeat(60, 3), high_requests = repeat(2000, 3);
  std::vector<Datapoints> views{Datapoints(high_cpu), Datapoints(high_requests)};
  const auto d = s.evaluate(kAt, TargetState{10, false}, views);
  REQUIRE(d);
  CHECK(d->to == 20);
  CHECK(d->cause.ends_with("triggered policy requests"));
  // CPU low, requests at its target: no scale-in.
  Scaler t2(&t);
  const Points low_cpu = repeat(10, 15), steady_requests = repeat(1000, 15);
  views = {Datapoints(low_cpu), Datapoints(steady_requests)};
  CHECK_FALSE(t2.evaluate(kAt, TargetState{10, false}, views).has_value());
  // Both low: the larger proposal, ceil(10 x 10 / 50) = 2 against ceil(10 x 500 / 1000) = 5.
  const Points low_requests = repeat(500, 15);
  views = {Datapoints(low_cpu), Datapoints(low_requests)};
  CHECK(t2.evaluate(kAt, TargetState{10, false}, views)->to == 5);
}

TEST_CASE("a desired count outside the scalable target's range is brought within it",
          "[appscaling]") {
  const ScalableTarget t = target(2, 6, {cpu(60)});
  Scaler s(&t);
  const auto up = one(s, kAt, 1, repeat(60, 3));
  REQUIRE(up);
  CHECK(up->to == 2);
  CHECK(one(s, kAt, 9, repeat(60, 3))->to == 6);
}

}  // namespace ecsim::test
