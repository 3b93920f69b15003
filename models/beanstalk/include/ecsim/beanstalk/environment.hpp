#pragma once

/// An Elastic Beanstalk environment on the ECS platform as ecsim runs it: its option settings
/// read into plain values (Auto Scaling group, scaling triggers, deployment policy, the load
/// balancer's health checks), and the application versions deployed to it. Sources are named
/// in `src/options.cpp` and models/beanstalk/README.md.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecsim/ecs/task_definition.hpp"
#include "ecsim/sim/ids.hpp"
#include "ecsim/sim/problem.hpp"
#include "ecsim/sim/time.hpp"
#include "ecsim/workload/cron.hpp"

namespace ecsim::beanstalk {

/// One option setting as the API (`OptionSettings`) or an `.ebextensions` file gives it.
struct OptionSetting {
  std::string name_space;  ///< Namespace, e.g. aws:autoscaling:asg
  std::string option;      ///< OptionName, e.g. MinSize
  std::string value;       ///< Value, as text
  std::string resource;    ///< ResourceName (a scheduled action's name); may be empty
};

/// A scheduled Auto Scaling action (aws:autoscaling:scheduledaction, the settings of one
/// ResourceName): at StartTime once, or at each Recurrence (UTC cron) from StartTime to EndTime,
/// the group's MinSize, MaxSize and DesiredCapacity become the values given.
struct ScheduledAction {
  std::string name;                        ///< its ResourceName
  std::optional<std::int64_t> min_size, max_size, desired;
  std::optional<SimTime> start, end;       ///< StartTime, EndTime, in the run's clock
  std::optional<workload::CronSchedule> recurrence;  ///< Recurrence
  bool suspend = false;                    ///< Suspend: the action does not run
};

/// The metric a scaling trigger watches (aws:autoscaling:trigger MeasureName), of those ecsim
/// derives from a load.
enum class TriggerMetric : std::uint8_t {
  kNetworkOut,      ///< bytes sent per instance in a period, Bytes
  kCpuUtilization,  ///< the instance's CPU in use, Percent
  kRequestCount,    ///< requests the load balancer routed in a period, Count
};

/// The name CloudWatch gives `metric` (its MeasureName).
const char* metric_name(TriggerMetric metric);

/// The statistic of a trigger's alarms (Statistic), of those ecsim computes.
enum class TriggerStatistic : std::uint8_t { kAverage, kSum };

/// The two CloudWatch alarms and simple scaling policies Beanstalk creates on the group.
struct TriggerConfig {
  TriggerMetric metric = TriggerMetric::kNetworkOut;
  TriggerStatistic statistic = TriggerStatistic::kAverage;
  SimDuration period = std::chrono::minutes(5);  ///< Period, whole minutes
  std::int64_t evaluation_periods = 1;           ///< EvaluationPeriods
  double upper_threshold = 6'000'000;            ///< UpperThreshold, in the metric's unit
  std::int64_t upper_increment = 1;              ///< UpperBreachScaleIncrement, instances
  double lower_threshold = 2'000'000;            ///< LowerThreshold
  std::int64_t lower_increment = -1;             ///< LowerBreachScaleIncrement, instances
};

/// aws:elasticbeanstalk:command DeploymentPolicy, of those ecsim runs.
enum class DeploymentPolicy : std::uint8_t {
  kAllAtOnce,
  kRolling,
  kRollingWithAdditionalBatch,
  kImmutable,
};

/// The name Beanstalk gives `policy` (AllAtOnce, Rolling, ...).
const char* policy_name(DeploymentPolicy policy);

/// How a deployment proceeds (aws:elasticbeanstalk:command).
struct DeploymentSettings {
  DeploymentPolicy policy = DeploymentPolicy::kAllAtOnce;
  bool fixed_batch = false;          ///< BatchSizeType Fixed; else Percentage
  std::int64_t batch_size = 100;     ///< BatchSize: percent (1-100) or instances
  /// Timeout plus the 240 s Beanstalk adds: how long a batch may take to become healthy.
  SimDuration timeout = std::chrono::seconds(600 + 240);
  bool ignore_health_check = false;  ///< IgnoreHealthCheck
};

/// The environment as its option settings make it (defaults from the option reference).
struct EnvironmentOptions {
  std::int64_t min_size = 1;                          ///< aws:autoscaling:asg MinSize
  std::int64_t max_size = 4;                          ///< MaxSize
  SimDuration cooldown = std::chrono::seconds(360);   ///< Cooldown
  /// Availability Zones "Any N": at most this many zones; none: Any (every zone).
  std::optional<std::int64_t> zone_count;
  std::vector<std::string> custom_zones;              ///< Custom Availability Zones
  std::optional<std::string> instance_type;           ///< InstanceType / first of InstanceTypes
  std::vector<std::string> instance_types;            ///< aws:ec2:instances InstanceTypes, in order
  bool spot = false;                                  ///< EnableSpot
  std::int64_t on_demand_base = 0;                    ///< SpotFleetOnDemandBase, instances
  /// SpotFleetOnDemandAboveBasePercentage; none: its default (70 load-balanced, 0 single).
  std::optional<std::int64_t> on_demand_above_base_percent;
  /// SpotAllocationStrategy: capacity-optimized (the default), price-capacity-optimized,
  /// capacity-optimized-prioritized or lowest-price.
  std::string spot_allocation = "capacity-optimized";
  bool single_instance = false;                       ///< EnvironmentType SingleInstance
  bool enhanced_health = false;                       ///< SystemType enhanced
  SimDuration deregistration_delay = std::chrono::seconds(20);   ///< DeregistrationDelay
  SimDuration health_check_interval = std::chrono::seconds(15);  ///< HealthCheckInterval
  std::int64_t healthy_threshold = 3;                 ///< HealthyThresholdCount
  TriggerConfig trigger;
  DeploymentSettings deployment;
  std::vector<ScheduledAction> scheduled;  ///< by ResourceName, in the order first named
};

/// A problem with one option setting: its index in the list given and what is wrong, in
/// Beanstalk's words.
struct OptionProblem {
  std::size_t setting = 0;
  std::string message;
};

/// What reading a list of option settings found: the options, every problem, and the settings
/// that are accepted but not simulated (their indices and why).
struct OptionsRead {
  EnvironmentOptions options;
  std::vector<OptionProblem> problems;
  std::vector<OptionProblem> not_simulated;
};

/// Reads `settings` in order (a later setting of the same option wins), with Beanstalk's
/// validation of each value and ecsim's refusal of what it cannot run, and the checks across
/// options (MinSize <= MaxSize, a Fixed batch no larger than MaxSize, the trigger's unit).
OptionsRead read_options(const std::vector<OptionSetting>& settings);

/// Instances per batch of a rolling deployment over `instances` (Percentage: rounded up; at
/// least 1, at most `instances`).
std::int64_t batch_instances(const DeploymentSettings& d, std::int64_t instances);

/// An application version deployed at a fixed time (UpdateEnvironment with a VersionLabel).
struct VersionDeployment {
  SimTime at = kSimStart;
  std::string label;                   ///< the version's label
  std::string dockerrun_path;          ///< its Dockerrun.aws.json, resolved
  ecs::TaskDefinition task_definition; ///< the task definition Beanstalk registers from it
  /// The version's containers never reach RUNNING (a bad image): the what-if of a failing
  /// deployment.
  bool fails_to_start = false;
};

/// An environment of a scenario, set up: where its ECS cluster, service and Auto Scaling group
/// are, its options and its deployments.
struct EnvironmentConfig {
  std::string name;          ///< EnvironmentName
  std::string application;   ///< ApplicationName
  std::string version = "v1";  ///< VersionLabel: the version it starts with
  std::size_t cluster = 0;   ///< index of its ECS cluster in the scenario's `ecs`
  std::size_t service = 0;   ///< index of the cluster's service that runs the task
  GroupId group;             ///< the Auto Scaling group (index into the platform's groups)
  EnvironmentOptions options;
  std::vector<VersionDeployment> deployments;  ///< in time order
  bool has_load = false;     ///< a load drives the triggers; without one they never breach
};

}  // namespace ecsim::beanstalk
