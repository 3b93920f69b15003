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

}  // namespace ecsim::scenario::detail
