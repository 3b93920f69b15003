#pragma once

/// What Application Auto Scaling is told about an ECS service: its scalable target
/// (RegisterScalableTarget) and its scaling policies (PutScalingPolicy), as plain validated
/// values. Sources: the Application Auto Scaling API reference and user guide (target tracking,
/// cooldowns, multiple policies) and the ECS developer guide's "Automatically scale your
/// Amazon ECS service"; models/appscaling/README.md cites each rule.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecsim/sim/time.hpp"
#include "ecsim/workload/cron.hpp"

namespace ecsim::appscaling {

/// A target tracking policy's predefined metric for an ECS service.
enum class Metric : std::uint8_t {
  kEcsCpu,                    ///< ECSServiceAverageCPUUtilization, percent
  kEcsMemory,                 ///< ECSServiceAverageMemoryUtilization, percent
  kAlbRequestCountPerTarget,  ///< ALBRequestCountPerTarget, requests per target per minute
};

/// The name AWS gives `metric` (its PredefinedMetricType).
const char* metric_name(Metric metric);

/// The cooldowns Application Auto Scaling gives an ECS service's target tracking policy when
/// the policy does not set them.
inline constexpr SimDuration kDefaultCooldown = std::chrono::seconds(300);

/// The CloudWatch alarms a target tracking policy creates: AlarmHigh when the metric is above
/// the target for 3 one-minute datapoints in a row, AlarmLow when it is below 90% of the target
/// for 15 in a row.
inline constexpr std::size_t kHighDatapoints = 3;
inline constexpr std::size_t kLowDatapoints = 15;
inline constexpr double kLowThreshold = 0.9;
inline constexpr SimDuration kMetricPeriod = std::chrono::minutes(1);

/// PutScalingPolicy with PolicyType TargetTrackingScaling.
struct TargetTrackingPolicy {
  std::string name;  ///< PolicyName
  Metric metric = Metric::kEcsCpu;
  double target = 0;  ///< TargetValue, in the metric's unit, > 0
  SimDuration scale_out_cooldown = kDefaultCooldown;
  SimDuration scale_in_cooldown = kDefaultCooldown;
  bool disable_scale_in = false;
};

/// How a step adjustment changes the capacity (StepScalingPolicyConfiguration.AdjustmentType).
enum class AdjustmentType : std::uint8_t { kChangeInCapacity, kPercentChangeInCapacity, kExactCapacity };

/// One step: the adjustment for a breach (metric minus the alarm's threshold) within
/// [lower, upper) above the threshold, or (lower, upper] below it; none: unbounded.
struct StepAdjustment {
  std::optional<double> lower, upper;
  std::int64_t adjustment = 0;  ///< ScalingAdjustment
};

/// A CloudWatch alarm comparison (PutMetricAlarm's ComparisonOperator).
enum class Comparison : std::uint8_t { kGreaterOrEqual, kGreater, kLess, kLessOrEqual };

/// The CloudWatch alarm that invokes a step scaling policy (`aws cloudwatch put-metric-alarm`):
/// the service's metric (Average, one-minute periods), its threshold and how many of the last
/// `evaluation_periods` datapoints must breach (`datapoints_to_alarm`).
struct MetricAlarm {
  std::string name;  ///< AlarmName
  Metric metric = Metric::kEcsCpu;
  double threshold = 0;
  Comparison comparison = Comparison::kGreaterOrEqual;
  std::size_t evaluation_periods = 1;
  std::size_t datapoints_to_alarm = 1;
};

/// PutScalingPolicy with PolicyType StepScaling, with the alarm that invokes it.
struct StepScalingPolicy {
  std::string name;  ///< PolicyName
  AdjustmentType type = AdjustmentType::kChangeInCapacity;
  std::vector<StepAdjustment> steps;  ///< in the order given
  std::int64_t min_adjustment_magnitude = 0;  ///< for PercentChangeInCapacity; 0: none
  SimDuration cooldown = kDefaultCooldown;
  MetricAlarm alarm;
};

/// PutScheduledAction: at its times the scalable target's minimum and maximum capacity change.
struct ScheduledAction {
  std::string name;  ///< ScheduledActionName
  enum class Kind : std::uint8_t { kAt, kRate, kCron } kind = Kind::kAt;
  SimTime at = kSimStart;                ///< kAt: when (UTC, from the run's calendar start)
  SimDuration rate{};                    ///< kRate: every, from StartTime (or the run's start)
  workload::CronSchedule cron;           ///< kCron: the schedule's minutes to weekdays
  SimTime start = kSimStart;             ///< StartTime: none fires before
  SimTime end = kNever;                  ///< EndTime: none fires after
  std::optional<std::int64_t> min_capacity, max_capacity;  ///< ScalableTargetAction
};

/// RegisterScalableTarget for an ECS service's desired count, with its policies.
struct ScalableTarget {
  std::size_t cluster = 0;  ///< index into the scenario's ECS clusters
  std::size_t service = 0;  ///< index into that cluster's services
  std::string resource_id;  ///< service/CLUSTER/SERVICE
  std::int64_t min_capacity = 0;
  std::int64_t max_capacity = 0;
  bool scale_in_suspended = false;   ///< SuspendedState.DynamicScalingInSuspended
  bool scale_out_suspended = false;  ///< SuspendedState.DynamicScalingOutSuspended
  bool scheduled_suspended = false;  ///< SuspendedState.ScheduledScalingSuspended
  std::vector<TargetTrackingPolicy> policies;
  std::vector<StepScalingPolicy> step_policies;
  std::vector<ScheduledAction> scheduled;
  std::string target_path;                  ///< the register-scalable-target file, resolved
  std::vector<std::string> policy_paths;    ///< the put-scaling-policy files, resolved
};

}  // namespace ecsim::appscaling
