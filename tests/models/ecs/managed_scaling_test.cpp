#include "ecsim/ecs/managed_scaling.hpp"

#include <catch2/catch.hpp>

using namespace ecsim;
using namespace ecsim::ecs;
using namespace std::chrono_literals;

TEST_CASE("capacity provider reservation is needed over current instances in percent", "[ecs]") {
  CHECK(capacity_provider_reservation(3, 4) == 75.0);   // 3 / 4 x 100
  CHECK(capacity_provider_reservation(5, 4) == 125.0);  // 5 / 4 x 100
  CHECK(capacity_provider_reservation(0, 4) == 0.0);
  // The two special cases: nothing needed and nothing running is on target at 100; tasks
  // waiting for an empty group read 200.
  CHECK(capacity_provider_reservation(0, 0) == 100.0);
  CHECK(capacity_provider_reservation(3, 0) == 200.0);
}

TEST_CASE("the group size for a target is the needed instances over the target, rounded up",
          "[ecs]") {
  CHECK(instances_for_target(3, 100) == 3);
  CHECK(instances_for_target(9, 90) == 10);   // 900 / 90 = 10 exactly
  CHECK(instances_for_target(10, 90) == 12);  // ceil(1000 / 90) = ceil(11.1) = 12
  CHECK(instances_for_target(1, 50) == 2);    // 100 / 50 = 2: one spare instance per busy one
  CHECK(instances_for_target(0, 75) == 0);
}

TEST_CASE("managed scaling settings are checked against AWS's ranges", "[ecs]") {
  CHECK(check(ManagedScalingInput{}).empty());
  const ManagedScaling defaults = from_input({});
  CHECK(defaults.target_capacity_percent == 100);
  CHECK(defaults.minimum_scaling_step_size == 1);
  CHECK(defaults.maximum_scaling_step_size == 10'000);
  CHECK(defaults.instance_warmup == 300s);
  CHECK(defaults.scale_in_datapoints == 15);
  CHECK(from_input({90, 2, 5, 60}).instance_warmup == 60s);

  CHECK(check(ManagedScalingInput{0, {}, {}, {}}) ==
        Problems{{"managedScaling.targetCapacity",
                  "targetCapacity must be greater than 0 and less than or equal to 100 (found "
                  "0)"}});
  CHECK(check(ManagedScalingInput{101, {}, {}, {}}).size() == 1);
  const Problems steps = check(ManagedScalingInput{{}, 0, 10'001, -1});
  REQUIRE(steps.size() == 3);
  CHECK(steps[0] == Problem{"managedScaling.minimumScalingStepSize",
                            "minimumScalingStepSize must be between 1 and 10000 (found 0)"});
  CHECK(steps[1] == Problem{"managedScaling.maximumScalingStepSize",
                            "maximumScalingStepSize must be between 1 and 10000 (found 10001)"});
  CHECK(steps[2] == Problem{"managedScaling.instanceWarmupPeriod",
                            "instanceWarmupPeriod must be between 0 and 10000 seconds (found "
                            "-1)"});
  CHECK(check(ManagedScalingInput{{}, 5, 4, {}}) ==
        Problems{{"managedScaling.minimumScalingStepSize",
                  "minimumScalingStepSize (5) must not exceed maximumScalingStepSize (4)"}});
}

TEST_CASE("tasks waiting for an empty group scale it out at the first datapoint", "[ecs]") {
  const ManagedScaling scaling;  // target 100, steps 1..10000
  ScalingAlarms alarms;
  // 5 instances needed, none running: metric 200 > 100; ceil(500 / 100) = 5, step 5.
  CHECK(evaluate_managed_scaling(scaling, 5, 0, 0, alarms) ==
        ScalingDecision{ScalingAction::kScaleOut, 5});
  CHECK(alarms.above == 0);  // reset by the action
  // The 5 are launching and warming up (desired 5, 0 warmed): still 200, but nothing more to ask.
  CHECK(evaluate_managed_scaling(scaling, 5, 0, 5, alarms) ==
        ScalingDecision{ScalingAction::kNone, 5});
  // Warmed up and busy: metric 5 / 5 = 100 = target, nothing.
  CHECK(evaluate_managed_scaling(scaling, 5, 5, 5, alarms) ==
        ScalingDecision{ScalingAction::kNone, 5});
  // Nothing needed and nothing running: 100, on target.
  ScalingAlarms idle;
  CHECK(evaluate_managed_scaling(scaling, 0, 0, 0, idle) ==
        ScalingDecision{ScalingAction::kNone, 0});
}

TEST_CASE("a scale-out adds at least the minimum and at most the maximum step", "[ecs]") {
  ManagedScaling scaling;
  scaling.minimum_scaling_step_size = 4;
  scaling.maximum_scaling_step_size = 6;
  ScalingAlarms alarms;
  // 3 needed, 2 running: shortfall 3 - 2 = 1, raised to the minimum step 4: 2 + 4 = 6.
  CHECK(evaluate_managed_scaling(scaling, 3, 2, 2, alarms) ==
        ScalingDecision{ScalingAction::kScaleOut, 6});
  // 20 needed, 2 running: shortfall 18, cut to the maximum step 6: 2 + 6 = 8.
  CHECK(evaluate_managed_scaling(scaling, 20, 2, 2, alarms) ==
        ScalingDecision{ScalingAction::kScaleOut, 8});
  // At target 50, 4 needed, 4 running: metric 100 > 50, wanted ceil(400 / 50) = 8, shortfall 4.
  scaling.target_capacity_percent = 50;
  CHECK(evaluate_managed_scaling(scaling, 4, 4, 4, alarms) ==
        ScalingDecision{ScalingAction::kScaleOut, 8});
}

TEST_CASE("a scale-in waits for 15 consecutive datapoints below target", "[ecs]") {
  const ManagedScaling scaling;
  ScalingAlarms alarms;
  // 2 needed, 4 running: metric 50 < 100. 14 datapoints: nothing.
  for (int minute = 1; minute <= 14; ++minute)
    CHECK(evaluate_managed_scaling(scaling, 2, 4, 4, alarms).action == ScalingAction::kNone);
  CHECK(alarms.below == 14);
  // The 15th: down to ceil(200 / 100) = 2, not limited by the step sizes.
  CHECK(evaluate_managed_scaling(scaling, 2, 4, 4, alarms) ==
        ScalingDecision{ScalingAction::kScaleIn, 2});
  CHECK(alarms.below == 0);

  // A datapoint on target starts the count again.
  ScalingAlarms broken;
  for (int minute = 1; minute <= 10; ++minute) evaluate_managed_scaling(scaling, 2, 4, 4, broken);
  CHECK(evaluate_managed_scaling(scaling, 4, 4, 4, broken).action == ScalingAction::kNone);
  CHECK(broken.below == 0);
}

TEST_CASE("a group does not scale in while an instance warms up or when below target rounds up",
          "[ecs]") {
  const ManagedScaling scaling;
  ScalingAlarms alarms;
  // 3 warmed of 4: 20 datapoints below target (2 / 3 = 67%), no scale-in.
  for (int minute = 1; minute <= 20; ++minute)
    CHECK(evaluate_managed_scaling(scaling, 2, 3, 4, alarms).action == ScalingAction::kNone);
  // The fourth has warmed up and the count kept going: scale in to 2 at once.
  CHECK(evaluate_managed_scaling(scaling, 2, 4, 4, alarms) ==
        ScalingDecision{ScalingAction::kScaleIn, 2});

  // At target 95, 9 needed of 10: metric 90 < 95, but ceil(900 / 95) = ceil(9.47) = 10 = N.
  ManagedScaling ninety_five;
  ninety_five.target_capacity_percent = 95;
  ScalingAlarms stays;
  for (int minute = 1; minute <= 20; ++minute)
    CHECK(evaluate_managed_scaling(ninety_five, 9, 10, 10, stays).action == ScalingAction::kNone);
}

TEST_CASE("an instance counts once its warm-up period has passed", "[ecs]") {
  const ManagedScaling scaling;  // 300 s
  const SimTime launched = kSimStart + 10min;
  CHECK_FALSE(warmed_up(launched, launched + 299s, scaling));
  CHECK(warmed_up(launched, launched + 300s, scaling));
}
