// The ECS runtime on its own: a platform, a simulator and the runtime, composed here as the
// engine composes them (platform events to the platform, its changes to the runtime).

#include <catch2/catch.hpp>
#include <optional>

#include "ecsim/ecs/runtime.hpp"
#include "ecsim/platform/catalog.hpp"
#include "ecsim/platform/cost.hpp"

namespace ecsim::test {
namespace {

using std::chrono::minutes;

// A task definition of `cpu` CPU units and `memory` MiB (task level), one container.
ecs::TaskDefinition sized_task(const char* cpu, const char* memory) {
  ecs::TaskDefinitionInput input;
  input.family = "web";
  input.cpu = ecs::TaskSizeInput::string(cpu);
  input.memory = ecs::TaskSizeInput::string(memory);
  ecs::ContainerDefinitionInput c;
  c.name = "app";
  c.image = "busybox";
  input.container_definitions.push_back(c);
  REQUIRE(ecs::check(input).empty());
  return ecs::from_input(input);
}

ecs::TaskDefinition small_task() { return sized_task("512", "1024"); }

/// Two zones, `instances` m5.large container instances registered by hand, spread over them.
struct Harness {
  explicit Harness(std::uint32_t instances) {
    config.azs = {"us-east-1a", "us-east-1b"};
    platform::AsgConfig group;
    group.name = "fixed";
    group.instance_type = platform::InstanceCatalog::builtin().index_of("m5.large");
    group.min = group.max = group.desired = instances;
    group.azs = {AzId{0}, AzId{1}};
    group.replace = false;
    config.groups.push_back(group);
    ecs::EcsClusterConfig& c = specs.emplace_back();
    c.name = "prod";
    c.fixed_instances.push_back(ecs::FixedInstancesConfig{GroupId{0}, {}});
  }

  /// Starts the platform and the runtime as the engine does and runs to `until`.
  void run(SimTime until) {
    platform.emplace(config, platform::InstanceCatalog::builtin(), 3);
    cost.emplace(config.prices);
    runtime.emplace(specs, ecs::Context{sim, *platform, config, streams, *cost, wait, until});
    runtime->create_services();
    platform->start(sim);
    changes();
    runtime->start_jobs();
    sim.run_until(until, [&](const Event& e) {
      if (e.kind >= platform::kFirstEventKind && e.kind < platform::kEndEventKind) {
        platform->handle(sim, e);
        changes();
      } else if (runtime->handle(e)) {
        changes();
      }
      runtime->flush();
    });
    runtime->check_invariants();
  }

  void changes() {
    runtime->zones_changed();
    for (const platform::InstanceChange& change : platform->changes())
      runtime->on_instance_change(change);
    platform->changes().clear();
    runtime->after_changes();
  }

  platform::PlatformConfig config;
  std::vector<ecs::EcsClusterConfig> specs;
  RandomStreams streams{5};
  Simulator sim;
  QuantileSketch wait;
  std::optional<platform::Platform> platform;
  std::optional<platform::CostMeter> cost;
  std::optional<ecs::Runtime> runtime;
};

}  // namespace

TEST_CASE("the ECS runtime spreads a REPLICA service over zones and instances", "[ecs]") {
  Harness h(4);
  ecs::ServiceConfig& s = h.specs[0].services.emplace_back();
  s.name = "web";
  s.task_definition = small_task();
  s.desired_count = 6;
  h.run(kSimStart + minutes(10));
  CHECK(h.runtime->running() == 6);
  CHECK(h.runtime->pending() == 0);
  CHECK(h.runtime->registered_instances() == 4);
  // 6 tasks of 512 units, 3 per zone (ECS's default spread over zones, then instances).
  CHECK(h.runtime->cpu_reserved_by_az() == std::vector<std::int64_t>{1536, 1536});
  std::vector<std::uint32_t> row;
  h.runtime->append_running_by_az(row);
  CHECK(row == std::vector<std::uint32_t>{3, 3});
  const ecs::Results r = h.runtime->results(h.sim.now());
  REQUIRE(r.services.size() == 1);
  CHECK(r.services[0].tasks.submitted == 6);
  CHECK(r.services[0].tasks.running_at_end == 6);
  CHECK(r.services[0].replicas.desired == 6);
  CHECK(r.services[0].replicas.availability == 1.0);
  REQUIRE(r.services[0].deployments.size() == 1);
  CHECK(r.services[0].deployments[0].state == RolloutState::kCompleted);
  CHECK(h.wait.count() == 6);
}

TEST_CASE("the ECS runtime runs a job stream's tasks to completion on EC2", "[ecs]") {
  Harness h(1);
  ecs::JobConfig& j = h.specs[0].jobs.emplace_back();
  j.name = "batch";
  j.task_definition = small_task();
  // One task a minute from the start, each 90 s: at most 2 at a time, on one m5.large (2048 units).
  j.arrivals = workload::ConstantArrivals{minutes(1), {}};
  j.duration = workload::FixedDuration{std::chrono::seconds(90)};
  h.run(kSimStart + minutes(10) + std::chrono::seconds(30));
  TaskCounts all;
  h.runtime->add_totals(all);
  CHECK(all.submitted == 11);  // at 0, 1, ..., 10 minutes
  CHECK(all.failed == 0);
  CHECK(all.lost() == 0);
  const ecs::Results r = h.runtime->results(h.sim.now());
  REQUIRE(r.jobs.size() == 1);
  CHECK(r.jobs[0].tasks.submitted == 11);
  CHECK(r.jobs[0].tasks.completed + r.jobs[0].tasks.running_at_end +
            r.jobs[0].tasks.pending_at_end == 11);
  // Each starts about 10 s after it arrives (the cluster's start latency) and runs 90 s: at
  // 10:30 those of minutes 9 and 10 run, those of minutes 0 to 8 are done.
  CHECK(r.jobs[0].tasks.running_at_end == 2);
  CHECK(r.jobs[0].tasks.completed == 9);
}

TEST_CASE("the ECS runtime wakes a service that waits for room once a stopped task makes room",
          "[ecs]") {
  // One m5.large (2,048 CPU units). The service's first task (1,024) is placed at the start,
  // a job's task (1,024, 15 minutes) fills the rest; at 1 minute the service wants a second task
  // and waits. The job's next task arrives only at 20 minutes, so the room its first task frees
  // at about 15 minutes goes to the service.
  Harness h(1);
  ecs::ServiceConfig& s = h.specs[0].services.emplace_back();
  s.name = "web";
  s.task_definition = sized_task("1024", "1024");
  s.desired_count = 1;
  ecs::ServiceUpdate more;
  more.at = kSimStart + minutes(1);
  more.desired_count = 2;
  s.updates.push_back(more);
  ecs::JobConfig& j = h.specs[0].jobs.emplace_back();
  j.name = "batch";
  j.task_definition = sized_task("1024", "1024");
  j.arrivals = workload::ConstantArrivals{minutes(20), {}};
  j.duration = workload::FixedDuration{minutes(15)};
  h.run(kSimStart + minutes(19));
  const ecs::Results r = h.runtime->results(h.sim.now());
  REQUIRE(r.services.size() == 1);
  CHECK(r.services[0].tasks.started == 2);
  CHECK(r.services[0].tasks.running_at_end == 2);
  CHECK(r.jobs[0].tasks.completed == 1);
  // Before the job's task stopped the service ran one task: it was short for about 14 minutes.
  CHECK(r.services[0].replicas.availability < 0.95);
  CHECK(r.services[0].replicas.desired == 2);
}

}  // namespace ecsim::test
