#include <catch2/catch.hpp>

#include <vector>

#include "audit.hpp"

using namespace ecsim;
using namespace ecsim::engine;
using namespace ecsim::engine::detail;

TEST_CASE("the state audit accepts matching counts and rejects drifted ones", "[engine]") {
  const std::vector<TaskState> states{TaskState::kRunning, TaskState::kStopped,
                                      TaskState::kPending, TaskState::kRunning};
  // Counted: 0 provisioning, 1 pending, 2 running.
  CHECK_NOTHROW(audit_task_states(kSimStart, states, 0, 1, 2));
  CHECK_THROWS_WITH(audit_task_states(kSimStart + std::chrono::minutes(5), states, 1, 0, 2),
                    "at 5m: task states counted 0/1/2 (provisioning/pending/running) but "
                    "tracked 1/0/2");
}

TEST_CASE("the conservation audit rejects a lost task", "[engine]") {
  TaskCounts t;
  t.submitted = 10;
  t.completed = 6;
  t.failed = 1;
  t.evicted = 1;
  t.running_at_end = 1;
  t.pending_at_end = 1;
  CHECK_NOTHROW(audit_conservation(kSimStart, t));
  t.pending_at_end = 0;  // 10 submitted, 9 accounted for
  CHECK_THROWS_WITH(audit_conservation(kSimStart + std::chrono::hours(1), t),
                    "at 1h: 10 tasks submitted but completed + failed + evicted + running + "
                    "pending = 9");
}

TEST_CASE("the instance audit rejects resources that do not add up", "[engine]") {
  ecs::ContainerInstances ci;
  const auto i = ci.register_instance(InstanceId{0}, AzId{0}, 2048, 4000);
  const std::vector<std::int64_t> cpu{1024, 512};
  const std::vector<std::int64_t> memory{1000, 500};
  std::vector<std::vector<std::uint32_t>> tasks_on{{0, 1}};
  ci.reserve(i, 1024, 1000);
  ci.reserve(i, 512, 500);
  CHECK_NOTHROW(audit_instances(kSimStart, "c", ci, tasks_on, cpu, memory));
  // Task 1 vanishes from the instance's list while its reservation stays.
  tasks_on[0].pop_back();
  CHECK_THROWS_AS(audit_instances(kSimStart, "c", ci, tasks_on, cpu, memory), InvariantViolation);
  CHECK_THROWS_WITH(audit_instances(kSimStart, "c", ci, tasks_on, cpu, memory),
                    "at 0s: container instance 0 of cluster c holds tasks of 1024 CPU units and "
                    "1000 MiB against 2048 / 4000 registered and 512 / 2500 free");
}
