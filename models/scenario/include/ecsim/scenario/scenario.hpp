#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

/// A stream of batch jobs, each run as one ECS standalone task (RunTask).
struct JobConfig {
  std::string name;                      ///< unique within its cluster
  std::string task_definition_path;      ///< as resolved against the scenario's folder
  ecs::TaskDefinition task_definition;
  LaunchType launch_type = LaunchType::kEc2;
  workload::ArrivalSpec arrivals;
  std::optional<workload::DurationSpec> duration;  ///< none: each arrival (a trace) carries one
  WhenNoCapacity when_no_capacity = WhenNoCapacity::kWait;
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
