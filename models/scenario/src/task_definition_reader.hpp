#pragma once

#include <optional>
#include <string>

#include "ecsim/ecs/task_definition.hpp"
#include "ecsim/scenario/diagnostics.hpp"

namespace ecsim::scenario::detail {

/// Reads the ECS task definition JSON at `path` as `aws ecs register-task-definition
/// --cli-input-json` takes it, applies AWS's rules, and returns it; reports every problem, each
/// at its place in the JSON file, or (for a missing file) at `referenced_from` under `field`.
std::optional<ecs::TaskDefinition> read_task_definition(const std::string& path,
                                                        Diagnostics& diagnostics,
                                                        const SourceLocation& referenced_from,
                                                        const std::string& field);

/// Reads the Elastic Beanstalk `Dockerrun.aws.json` (AWSEBDockerrunVersion 2) at `path` into the
/// task definition Beanstalk registers from it: family `family`, its containers and volumes
/// (checked against the ECS API's ContainerDefinition and Volume), bridge networking, on EC2.
std::optional<ecs::TaskDefinition> read_dockerrun(const std::string& path,
                                                  const std::string& family,
                                                  Diagnostics& diagnostics,
                                                  const SourceLocation& referenced_from,
                                                  const std::string& field);

}  // namespace ecsim::scenario::detail
