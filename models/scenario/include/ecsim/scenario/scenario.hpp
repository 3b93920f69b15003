#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecsim/appscaling/policy.hpp"
#include "ecsim/beanstalk/environment.hpp"
#include "ecsim/ecs/cluster_spec.hpp"
#include "ecsim/platform/config.hpp"
#include "ecsim/scenario/diagnostics.hpp"
#include "ecsim/scenario/eks_config.hpp"
#include "ecsim/sim/ids.hpp"
#include "ecsim/sim/time.hpp"
#include "ecsim/workload/arrivals.hpp"
#include "ecsim/workload/durations.hpp"

namespace ecsim::scenario {

// The ECS clusters of a scenario, as models/ecs defines them (ecs/cluster_spec.hpp).
using ecs::AsgCapacityProviderConfig;
using ecs::CustomAttribute;
using ecs::DrainConfig;
using ecs::EcsClusterConfig;
using ecs::FixedInstancesConfig;
using ecs::JobConfig;
using ecs::kDefaultEc2TaskStartLatency;
using ecs::kDefaultLostAfter;
using ecs::LaunchType;
using ecs::ModelledAttribute;
using ecs::ServiceConfig;
using ecs::ServiceUpdate;
using ecs::StrategyConfig;
using ecs::WhenNoCapacity;

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
  std::vector<EksClusterConfig> eks;
  /// Application Auto Scaling's scalable targets: ECS services' `autoscaling`, in scenario order.
  std::vector<appscaling::ScalableTarget> scalable_targets;
  /// Elastic Beanstalk environments, each run on one of the `ecs` clusters (after the
  /// scenario's own).
  std::vector<beanstalk::EnvironmentConfig> beanstalk;
};

/// A loaded scenario, or every problem that prevented it.
struct LoadResult {
  std::optional<Scenario> scenario;  ///< set exactly when `diagnostics` is empty
  Diagnostics diagnostics;
};

/// Reads and validates the scenario at `path`, with the files it references (resolved against
/// its folder); collects every problem rather than stopping at the first.
LoadResult load_scenario(const std::string& path);

/// The latest time a scenario may name, its duration included (3660 days): stops a typo from
/// asking for the impossible.
inline constexpr SimDuration kMaxHorizon = std::chrono::hours(24 * 366 * 10);

/// The most instances a scenario may ask for in all, so that a typo cannot exhaust memory.
inline constexpr std::uint32_t kMaxInstances = 1'000'000;

}  // namespace ecsim::scenario
