#include "ecsim/ecs/managed_scaling.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "ecsim/sim/assert.hpp"

// Where each rule comes from (looked up for this file; see also models/ecs/README.md).
//
// [MS]   Amazon ECS API Reference, ManagedScaling (also CloudFormation's
//        AWS::ECS::CapacityProvider ManagedScaling): targetCapacity "must be greater than 0 and
//        less than or equal to 100", default 100; minimumScalingStepSize 1..10000, default 1,
//        "When additional capacity is required, Amazon ECS will scale up the minimum scaling step
//        size even if the actual demand is less than the minimum scaling step size";
//        maximumScalingStepSize 1..10000, default 10000; both are "the ... number of Amazon EC2
//        instances that Amazon ECS will scale out at one time" and "the scale in process is not
//        affected by" them; instanceWarmupPeriod 0..10000 seconds, default 300, "the period of
//        time ... after a newly launched Amazon EC2 instance can contribute to CloudWatch metrics
//        for Auto Scaling group".
// [CAS]  Developer Guide, "Automatically manage Amazon ECS capacity with cluster auto scaling":
//        ECS publishes CapacityProviderReservation and manages a target tracking policy with
//        targetCapacity as its target value; the formula is in AWS's blog "Deep Dive on Amazon
//        ECS Cluster Auto Scaling": CapacityProviderReservation = M / N x 100, M the instances
//        needed for the RUNNING and PROVISIONING tasks, N the instances running; 100 when M and N
//        are 0, 200 when N is 0 and M is not.
// [TT]   Target tracking on a one-minute metric: a datapoint a minute, scale-in after 15
//        consecutive datapoints below target (the low alarm); ecsim scales out on the first
//        datapoint above target (ManagedScaling::scale_out_datapoints, a choice, see README).

namespace ecsim::ecs {
namespace {

constexpr std::int64_t kMaxStep = 10'000;
constexpr std::int64_t kMaxWarmupSeconds = 10'000;

}  // namespace

Problems check(const ManagedScalingInput& input) {
  Problems problems;
  if (input.target_capacity && (*input.target_capacity < 1 || *input.target_capacity > 100))
    problems.push_back({"managedScaling.targetCapacity",
                        fmt::format("targetCapacity must be greater than 0 and less than or equal "
                                    "to 100 (found {})",
                                    *input.target_capacity)});
  const auto check_step = [&](const std::optional<std::int64_t>& v, const char* key) {
    if (v && (*v < 1 || *v > kMaxStep))
      problems.push_back({fmt::format("managedScaling.{}", key),
                          fmt::format("{} must be between 1 and 10000 (found {})", key, *v)});
  };
  check_step(input.minimum_scaling_step_size, "minimumScalingStepSize");
  check_step(input.maximum_scaling_step_size, "maximumScalingStepSize");
  const std::int64_t min_step = input.minimum_scaling_step_size.value_or(1);
  const std::int64_t max_step = input.maximum_scaling_step_size.value_or(kMaxStep);
  if (min_step >= 1 && max_step <= kMaxStep && min_step > max_step)
    problems.push_back({"managedScaling.minimumScalingStepSize",
                        fmt::format("minimumScalingStepSize ({}) must not exceed "
                                    "maximumScalingStepSize ({})",
                                    min_step, max_step)});
  if (input.instance_warmup_period &&
      (*input.instance_warmup_period < 0 || *input.instance_warmup_period > kMaxWarmupSeconds))
    problems.push_back({"managedScaling.instanceWarmupPeriod",
                        fmt::format("instanceWarmupPeriod must be between 0 and 10000 seconds "
                                    "(found {})",
                                    *input.instance_warmup_period)});
  return problems;
}

ManagedScaling from_input(const ManagedScalingInput& input) {
  ECSIM_ASSERT(check(input).empty(), "from_input needs a managedScaling without problems");
  ManagedScaling scaling;
  if (input.target_capacity)
    scaling.target_capacity_percent = static_cast<std::int32_t>(*input.target_capacity);
  if (input.minimum_scaling_step_size)
    scaling.minimum_scaling_step_size = static_cast<std::int32_t>(*input.minimum_scaling_step_size);
  if (input.maximum_scaling_step_size)
    scaling.maximum_scaling_step_size = static_cast<std::int32_t>(*input.maximum_scaling_step_size);
  if (input.instance_warmup_period)
    scaling.instance_warmup = std::chrono::seconds{*input.instance_warmup_period};
  return scaling;
}

double capacity_provider_reservation(std::int64_t needed, std::int64_t current) {
  ECSIM_ASSERT(needed >= 0 && current >= 0, "instance counts are never negative");
  if (current == 0) return needed == 0 ? 100.0 : 200.0;
  return 100.0 * static_cast<double>(needed) / static_cast<double>(current);
}

std::int64_t instances_for_target(std::int64_t needed, std::int32_t target_percent) {
  ECSIM_ASSERT(needed >= 0, "instance counts are never negative");
  ECSIM_ASSERT(target_percent >= 1 && target_percent <= 100, "targetCapacity is 1..100");
  return (100 * needed + target_percent - 1) / target_percent;
}

bool warmed_up(SimTime launched, SimTime now, const ManagedScaling& scaling) noexcept {
  return now - launched >= scaling.instance_warmup;
}

ScalingDecision evaluate_managed_scaling(const ManagedScaling& scaling, std::int64_t needed,
                                         std::int64_t warmed, std::int64_t group_desired,
                                         ScalingAlarms& alarms) {
  ECSIM_ASSERT(needed >= 0 && warmed >= 0 && group_desired >= warmed,
               "warmed-up instances are part of the group's desired capacity");
  const std::int64_t target = scaling.target_capacity_percent;
  // The metric is compared with the target in integers: 100 x M against target x N, with the
  // two special cases spelled out, so that no rounding of the double decides anything.
  bool above = false;
  bool below = false;
  if (warmed == 0) {
    const std::int64_t metric = needed == 0 ? 100 : 200;
    above = metric > target;
    below = metric < target;  // never: target <= 100
  } else {
    above = 100 * needed > target * warmed;
    below = 100 * needed < target * warmed;
  }
  alarms.above = above ? alarms.above + 1 : 0;
  alarms.below = below ? alarms.below + 1 : 0;

  const std::int64_t wanted = instances_for_target(needed, scaling.target_capacity_percent);
  ScalingDecision decision{ScalingAction::kNone, group_desired};
  if (alarms.above >= scaling.scale_out_datapoints && wanted > group_desired) {
    const std::int64_t step =
        std::clamp<std::int64_t>(wanted - group_desired, scaling.minimum_scaling_step_size,
                                 scaling.maximum_scaling_step_size);
    decision = {ScalingAction::kScaleOut, group_desired + step};
  } else if (alarms.below >= scaling.scale_in_datapoints && warmed == group_desired &&
             wanted < group_desired) {
    decision = {ScalingAction::kScaleIn, wanted};
  }
  if (decision.action != ScalingAction::kNone) alarms = {};
  return decision;
}

}  // namespace ecsim::ecs
