#pragma once

/// What an Elastic Beanstalk environment did over a run: its deployments and its scaling.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecsim/beanstalk/environment.hpp"
#include "ecsim/sim/time.hpp"

namespace ecsim::beanstalk {

/// One deployment of an application version, as it went.
struct DeploymentResult {
  std::string version;                  ///< the version's label
  DeploymentPolicy policy = DeploymentPolicy::kAllAtOnce;
  SimTime started = kSimStart;
  std::optional<SimTime> finished;      ///< none: still in progress at the end
  bool failed = false;                  ///< a batch was not healthy within the timeout
  std::int64_t instances = 0;           ///< in service when it started
  std::int64_t batch = 0;               ///< instances per batch (0 for Immutable)
  std::int64_t batches = 0;             ///< batches deployed (Rolling, with additional batch)
  std::int64_t fewest_serving = 0;      ///< fewest tasks serving while it ran
  std::int64_t most_instances = 0;      ///< most instances of the environment while it ran
};

/// What an environment did over the run.
struct EnvironmentResult {
  std::string name;
  std::string application;
  std::string cluster;   ///< its ECS cluster
  std::vector<DeploymentResult> deployments;
  std::int64_t scale_outs = 0, scale_ins = 0;  ///< the triggers' scaling activities
  std::int64_t instances_min = 0, instances_max = 0;  ///< the group's desired capacity
};

}  // namespace ecsim::beanstalk
