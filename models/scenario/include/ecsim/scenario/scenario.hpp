#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecsim/ecs/placement.hpp"
#include "ecsim/ecs/query.hpp"
#include "ecsim/ecs/task_definition.hpp"
#include "ecsim/platform/config.hpp"
#include "ecsim/scenario/diagnostics.hpp"
#include "ecsim/sim/ids.hpp"
#include "ecsim/sim/time.hpp"
#include "ecsim/workload/arrivals.hpp"
#include "ecsim/workload/durations.hpp"

namespace ecsim::scenario {

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
};

/// One placement strategy of a RunTask request, as `placementStrategy` gives it.
struct StrategyConfig {
  ecs::StrategyType type = ecs::StrategyType::kRandom;
  ecs::StrategyField field = ecs::StrategyField::kNone;
  ModelledAttribute attribute = ModelledAttribute::kAvailabilityZone;  ///< for kAttribute
};

/// A stream of batch jobs, each run as one ECS standalone task (RunTask).
struct JobConfig {
  std::string name;                      ///< unique within its cluster
  std::string task_definition_path;      ///< as resolved against the scenario's folder
  ecs::TaskDefinition task_definition;
  LaunchType launch_type = LaunchType::kEc2;
  workload::ArrivalSpec arrivals;
  std::optional<workload::DurationSpec> duration;  ///< none: each arrival (a trace) carries one
  WhenNoCapacity when_no_capacity = WhenNoCapacity::kWait;
  /// RunTask's placementStrategy, applied in order; empty: the first instance with room.
  std::vector<StrategyConfig> placement_strategy;
  bool distinct_instance = false;        ///< a distinctInstance constraint
  std::vector<ecs::Query> member_of;     ///< memberOf constraints, all of which must hold
  /// True when the job asks for strategies or constraints rather than the first fit.
  [[nodiscard]] bool uses_placement() const {
    return !placement_strategy.empty() || distinct_instance || !member_of.empty();
  }
};

/// An ECS cluster: its container instances (from an Auto Scaling group) and its jobs.
struct EcsClusterConfig {
  std::string name;
  std::optional<GroupId> asg;  ///< index into PlatformConfig::groups
  std::vector<JobConfig> jobs;
};

/// A validated scenario: plain values, ready to simulate.
struct Scenario {
  std::string name;
  std::string file;  ///< the scenario file as given
  std::uint64_t seed = 1;
  SimDuration duration{};
  std::uint32_t replications = 1;
  SimDuration timeseries_interval = std::chrono::minutes(1);
  platform::PlatformConfig platform;
  std::vector<EcsClusterConfig> ecs;
};

/// A loaded scenario, or every problem that prevented it.
struct LoadResult {
  std::optional<Scenario> scenario;  ///< set exactly when `diagnostics` is empty
  Diagnostics diagnostics;
};

/// Reads and validates the scenario at `path`, with the files it references (resolved against
/// its folder); collects every problem rather than stopping at the first.
LoadResult load_scenario(const std::string& path);

/// The most instances a scenario may ask for in all, so that a typo cannot exhaust memory.
inline constexpr std::uint32_t kMaxInstances = 1'000'000;

}  // namespace ecsim::scenario
