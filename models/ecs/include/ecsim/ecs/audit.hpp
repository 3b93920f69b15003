#pragma once

/// The ECS runtime's self-checks: each recomputes from the task table what the incremental
/// bookkeeping claims, and throws InternalError (exit status 3) when the two disagree.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ecsim/ecs/container_instances.hpp"
#include "ecsim/sim/id_vector.hpp"
#include "ecsim/sim/time.hpp"

namespace ecsim::ecs {

/// Where a task is in its life.
enum class TaskState : std::uint8_t { kProvisioning, kPending, kRunning, kStopped };

/// Every task is in exactly one state, and the counts kept per state match the task table.
void audit_task_states(std::span<const TaskState> states, std::uint64_t provisioning,
                       std::uint64_t pending, std::uint64_t running);

/// No container instance holds more than it registered, and its free resources equal what it
/// registered less the tasks it holds (`tasks_on[i]`, sized by `cpu` and `memory`).
void audit_instances(std::string_view cluster, const ContainerInstances& instances,
                     const std::vector<std::vector<TaskId>>& tasks_on,
                     const IdVector<TaskId, std::int64_t>& cpu,
                     const IdVector<TaskId, std::int64_t>& memory);

}  // namespace ecsim::ecs
