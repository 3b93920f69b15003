#pragma once

/// An ECS cluster as a scenario sets it up: its container instances (an Auto Scaling group, a
/// fixed list, or both), services with their deployments and updates, job streams run as
/// standalone tasks, and drains at fixed times. Plain validated values; models/scenario reads
/// them, the ECS runtime runs them.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecsim/ecs/capacity_provider.hpp"
#include "ecsim/ecs/deployment.hpp"
#include "ecsim/ecs/managed_scaling.hpp"
#include "ecsim/ecs/placement.hpp"
#include "ecsim/ecs/query.hpp"
#include "ecsim/ecs/task_definition.hpp"
#include "ecsim/platform/config.hpp"
#include "ecsim/sim/ids.hpp"
#include "ecsim/sim/time.hpp"
#include "ecsim/workload/arrivals.hpp"
#include "ecsim/workload/durations.hpp"
#include "ecsim/workload/load.hpp"

namespace ecsim::ecs {

/// Where an ECS task runs.
enum class LaunchType : std::uint8_t { kEc2, kFargate, kFargateSpot };

/// What RunTask does on EC2 when no container instance has room for the task.
enum class WhenNoCapacity : std::uint8_t {
  kWait,  ///< stay in PROVISIONING until an instance has room (a capacity provider's behaviour)
  kFail,  ///< fail at once with RESOURCE:CPU or RESOURCE:MEMORY (RunTask without one)
};

/// The container-instance attributes ecsim models, for spread strategies and memberOf
/// expressions.
enum class ModelledAttribute : std::uint8_t {
  kAvailabilityZone,  ///< ecs.availability-zone
  kInstanceType,      ///< ecs.instance-type
  kOsType,            ///< ecs.os-type (always linux)
  kCpuArchitecture,   ///< ecs.cpu-architecture (x86_64 or arm64)
  kCustom,            ///< a custom attribute (PutAttributes, ECS_INSTANCE_ATTRIBUTES), by name
};

/// One placement strategy of a RunTask request, as `placementStrategy` gives it.
struct StrategyConfig {
  StrategyType type = StrategyType::kRandom;
  StrategyField field = StrategyField::kNone;
  ModelledAttribute attribute = ModelledAttribute::kAvailabilityZone;  ///< for kAttribute
  std::string custom;  ///< for kCustom: the attribute's name, without `attribute:`
};

/// A custom attribute of container instances, as PutAttributes or the agent's
/// ECS_INSTANCE_ATTRIBUTES sets it.
struct CustomAttribute {
  std::string name;   ///< 1 to 128 characters (AWS's rule), not starting with `ecs.`
  std::string value;  ///< empty for an attribute set without a value

  friend bool operator==(const CustomAttribute&, const CustomAttribute&) = default;
};

/// A stream of batch jobs, each run as one ECS standalone task (RunTask).
struct JobConfig {
  std::string name;                      ///< unique within its cluster
  std::string task_definition_path;      ///< as resolved against the scenario's folder
  TaskDefinition task_definition;
  LaunchType launch_type = LaunchType::kEc2;
  workload::ArrivalSpec arrivals;
  std::optional<workload::DurationSpec> duration;  ///< none: each arrival (a trace) carries one
  WhenNoCapacity when_no_capacity = WhenNoCapacity::kWait;
  /// RunTask's placementStrategy, applied in order; empty: the first instance with room.
  std::vector<StrategyConfig> placement_strategy;
  bool distinct_instance = false;        ///< a distinctInstance constraint
  std::vector<Query> member_of;     ///< memberOf constraints, all of which must hold
  /// True when the job asks for strategies or constraints rather than the first fit.
  [[nodiscard]] bool uses_placement() const {
    return !placement_strategy.empty() || distinct_instance || !member_of.empty();
  }
};

/// A change UpdateService makes at a fixed time: a new task definition revision (which starts
/// a deployment), a new desiredCount, or both.
struct ServiceUpdate {
  SimTime at;                                          ///< when the update is made
  std::optional<std::int64_t> desired_count;           ///< the new desiredCount, if changed
  std::optional<TaskDefinition> task_definition;  ///< the new revision, if one
  std::string task_definition_path;                    ///< its file, resolved; empty if none
  /// The new revision's tasks stop before they reach RUNNING (a bad image, an essential
  /// container that exits at once): the what-if of a failing deployment.
  bool fails_to_start = false;
};

/// An ECS service (CreateService), from the scenario's own keys, a create-service JSON file, or
/// both (the scenario's keys win).
struct ServiceConfig {
  std::string name;                          ///< serviceName: unique within its cluster
  std::string task_definition_path;          ///< resolved against the scenario's folder
  TaskDefinition task_definition;
  std::string service_definition_path;       ///< the create-service JSON, resolved; may be empty
  SchedulingStrategy scheduling_strategy = SchedulingStrategy::kReplica;
  std::int64_t desired_count = 0;            ///< REPLICA only; DAEMON runs one per instance
  /// Where tasks run when `capacity_provider_strategy` is empty.
  LaunchType launch_type = LaunchType::kEc2;
  /// Base and weight over the cluster's ASG provider, FARGATE and FARGATE_SPOT; empty: use
  /// `launch_type`.
  CapacityProviderStrategy capacity_provider_strategy;
  /// placementStrategy in order; empty for a REPLICA service on EC2 means ECS's default: spread
  /// over zones, then over instances, by the service's own tasks.
  std::vector<StrategyConfig> placement_strategy;
  bool distinct_instance = false;            ///< a distinctInstance constraint
  std::vector<Query> member_of;         ///< memberOf constraints, all of which must hold
  /// minimumHealthyPercent / maximumPercent (100/200 for REPLICA, 0/100 for DAEMON by default).
  DeploymentConfiguration deployment;
  bool circuit_breaker = false;              ///< deploymentCircuitBreaker.enable
  bool rollback = false;                     ///< deploymentCircuitBreaker.rollback
  CircuitBreakerThreshold circuit_breaker_threshold;
  bool az_rebalancing = false;               ///< availabilityZoneRebalancing ENABLED
  /// The first revision's tasks stop before they reach RUNNING (see ServiceUpdate).
  bool fails_to_start = false;
  std::vector<ServiceUpdate> updates;        ///< UpdateService calls, in time order
  /// The requests its tasks serve (`load`); none: it serves none (uses no CPU).
  std::optional<workload::LoadSpec> load;
  /// Time after a task's containers are healthy before it counts as healthy for a deployment:
  /// its load balancer target passing the health checks (an Elastic Beanstalk environment's
  /// deregistration delay and healthy threshold x interval); 0 for a plain ECS service.
  SimDuration target_healthy_delay{};
};

/// The cluster's Auto Scaling group as a capacity provider (one per cluster in ecsim).
struct AsgCapacityProviderConfig {
  std::string name;                                   ///< the provider's name in strategies
  std::optional<ManagedScaling> managed_scaling; ///< none: the group keeps its own size
  /// Never terminate (scale in) an instance that runs tasks other than DAEMON ones.
  bool managed_termination_protection = false;
};

/// Container instances set to DRAINING at a fixed time.
struct DrainConfig {
  enum class Kind : std::uint8_t {
    kInstance,  ///< one instance: the `instance`-th registered and still ACTIVE (0 = oldest)
    kShare,     ///< ceil(share x ACTIVE instances), oldest first
    kAz,        ///< every ACTIVE instance in zone `az`
  };
  SimTime at;                    ///< when the drain starts
  Kind kind = Kind::kInstance;
  std::uint32_t instance = 0;    ///< for kInstance
  double share = 0;              ///< for kShare, in (0, 1]
  AzId az;                       ///< for kAz
};

/// Assumed time from placement to RUNNING of a task on a container instance (image pull,
/// container start); a lognormal like the launch latencies.
inline constexpr platform::LaunchLatency kDefaultEc2TaskStartLatency{std::chrono::seconds(10),
                                                                     0.3};
/// Assumed time an agent may stay disconnected before ECS treats its tasks as lost and their
/// services replace them.
inline constexpr SimDuration kDefaultLostAfter = std::chrono::minutes(3);

/// Container instances registered by hand, outside any Auto Scaling group: one entry of
/// `capacity.instances`, a platform group that is never replaced.
struct FixedInstancesConfig {
  GroupId group;                            ///< index into PlatformConfig::groups
  std::vector<CustomAttribute> attributes;  ///< every instance of the entry has them
};

/// An ECS cluster: its container instances (from an Auto Scaling group, a fixed list, or both),
/// services and jobs.
struct EcsClusterConfig {
  std::string name;
  std::optional<GroupId> asg;  ///< the Auto Scaling group: index into PlatformConfig::groups
  std::vector<CustomAttribute> asg_attributes;  ///< every instance of the group has them
  std::vector<FixedInstancesConfig> fixed_instances;  ///< in `capacity.instances` order
  /// The group as a capacity provider (with managed scaling), if declared.
  std::optional<AsgCapacityProviderConfig> capacity_provider;
  std::vector<JobConfig> jobs;
  std::vector<ServiceConfig> services;
  std::vector<DrainConfig> drains;  ///< in time order
  /// ECS_ENABLE_SPOT_INSTANCE_DRAINING: a Spot interruption notice sets the instance DRAINING.
  bool spot_draining = false;
  /// How long an agent may be disconnected before its tasks count as lost (and are replaced).
  SimDuration lost_after = kDefaultLostAfter;
  /// The service scheduler's back-off for tasks that never reach RUNNING: 30 s doubling up to
  /// 27 minutes (the current Developer Guide; earlier editions said 15).
  LaunchThrottle launch_throttle;
  /// Placement to RUNNING on this cluster's container instances.
  platform::LaunchLatency task_start_latency = kDefaultEc2TaskStartLatency;
  /// True when the cluster has container instances: an Auto Scaling group or a fixed list.
  [[nodiscard]] bool has_instances() const { return asg.has_value() || !fixed_instances.empty(); }
  /// Every platform group whose instances register with this cluster: the Auto Scaling group
  /// first, then the fixed list's.
  [[nodiscard]] std::vector<GroupId> groups() const {
    std::vector<GroupId> out;
    if (asg) out.push_back(*asg);
    for (const FixedInstancesConfig& f : fixed_instances) out.push_back(f.group);
    return out;
  }
};

}  // namespace ecsim::ecs
