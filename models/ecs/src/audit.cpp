#include "ecsim/ecs/audit.hpp"

#include <fmt/format.h>

#include "ecsim/sim/assert.hpp"

namespace ecsim::ecs {

void audit_task_states(std::span<const TaskState> states, std::uint64_t provisioning,
                       std::uint64_t pending, std::uint64_t running) {
  std::uint64_t counted[4] = {0, 0, 0, 0};
  for (const TaskState s : states) ++counted[static_cast<std::size_t>(s)];
  if (counted[0] != provisioning || counted[1] != pending || counted[2] != running)
    check_failed(fmt::format(
        "self-check failed: task states counted {}/{}/{} (provisioning/pending/running) but "
        "tracked {}/{}/{}",
        counted[0], counted[1], counted[2], provisioning, pending, running));
}

void audit_instances(std::string_view cluster, const ContainerInstances& instances,
                     const std::vector<std::vector<TaskId>>& tasks_on,
                     const IdVector<TaskId, std::int64_t>& cpu,
                     const IdVector<TaskId, std::int64_t>& memory) {
  for (ContainerInstanceIndex i = 0; i < instances.size(); ++i) {
    std::int64_t cpu_held = 0, memory_held = 0;
    for (const TaskId task : tasks_on[i]) {
      cpu_held += cpu[task];
      memory_held += memory[task];
    }
    if (cpu_held > instances.cpu_registered(i) || memory_held > instances.memory_registered(i) ||
        instances.cpu_free(i) != instances.cpu_registered(i) - cpu_held ||
        instances.memory_free(i) != instances.memory_registered(i) - memory_held)
      check_failed(fmt::format(
          "self-check failed: container instance {} of cluster {} holds tasks of {} CPU units and "
          "{} MiB against {} / {} registered and {} / {} free",
          i, cluster, cpu_held, memory_held, instances.cpu_registered(i),
          instances.memory_registered(i), instances.cpu_free(i), instances.memory_free(i)));
  }
}

}  // namespace ecsim::ecs
