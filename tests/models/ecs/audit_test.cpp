#include <catch2/catch.hpp>

#include <vector>

#include "ecsim/ecs/audit.hpp"
#include "ecsim/sim/assert.hpp"
#include "ecsim/sim/measure.hpp"

using namespace ecsim;
using Catch::Matchers::Contains;
using namespace ecsim::ecs;

TEST_CASE("the state audit accepts matching counts and rejects drifted ones", "[ecs]") {
  const std::vector<TaskState> states{TaskState::kRunning, TaskState::kStopped,
                                      TaskState::kPending, TaskState::kRunning};
  // Counted: 0 provisioning, 1 pending, 2 running.
  CHECK_NOTHROW(audit_task_states(states, 0, 1, 2));
  // Outside a run (no CheckContext) the message names the check and that it is a bug.
  CHECK_THROWS_WITH(audit_task_states(states, 1, 0, 2),
                    "internal error: self-check failed: task states counted 0/1/2 "
                    "(provisioning/pending/running) but tracked 1/0/2; this is a bug in ecsim, "
                    "please report it with the scenario and this message");
}

TEST_CASE("the conservation audit rejects a lost task", "[ecs]") {
  TaskCounts t;
  t.submitted = 10;
  t.completed = 6;
  t.failed = 1;
  t.evicted = 1;
  t.running_at_end = 1;
  t.pending_at_end = 1;
  CHECK_NOTHROW(audit_conservation(t));
  t.pending_at_end = 0;  // 10 submitted, 9 accounted for
  // Inside a run, the message says which one.
  const CheckContext context("scenario 's', replication 2, seed 7", nullptr);
  CHECK_THROWS_WITH(audit_conservation(t),
                    Contains("self-check failed: 10 tasks submitted but completed + failed + "
                             "evicted + running + pending = 9 in scenario 's', replication 2, "
                             "seed 7; this is a bug in ecsim"));
}

TEST_CASE("the instance audit rejects resources that do not add up", "[ecs]") {
  ContainerInstances ci;
  const auto i = ci.register_instance(InstanceId{0}, AzId{0}, 2048, 4000);
  IdVector<TaskId, std::int64_t> cpu, memory;
  cpu.push_back(1024);
  cpu.push_back(512);
  memory.push_back(1000);
  memory.push_back(500);
  std::vector<std::vector<TaskId>> tasks_on{{TaskId{0}, TaskId{1}}};
  ci.reserve(i, 1024, 1000);
  ci.reserve(i, 512, 500);
  CHECK_NOTHROW(audit_instances("c", ci, tasks_on, cpu, memory));
  // Task 1 vanishes from the instance's list while its reservation stays.
  tasks_on[0].pop_back();
  CHECK_THROWS_AS(audit_instances("c", ci, tasks_on, cpu, memory), InternalError);
  CHECK_THROWS_WITH(audit_instances("c", ci, tasks_on, cpu, memory),
                    Contains("self-check failed: container instance 0 of cluster c holds tasks of "
                             "1024 CPU units and 1000 MiB against 2048 / 4000 registered and 512 / "
                             "2500 free"));
}
