// ECS services in the event loop, on scenarios built in code so that every number is exact:
// launches take 60 s, tasks start 10 s after placement, nothing is random but the ties.

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "ecsim/ecs/task_definition.hpp"
#include "ecsim/engine/engine.hpp"
#include "ecsim/platform/catalog.hpp"
#include "ecsim/scenario/scenario.hpp"
#include "engine_test_support.hpp"

using namespace ecsim;
using namespace std::chrono_literals;

namespace {

using test::at;
using test::per_zone;
using test::task_definition;

// A bridge task definition of one container reserving `cpu` units and `memory` MiB that maps
// container port 80 to the static host port 80.
ecs::TaskDefinition static_port_task_definition(std::int64_t cpu, std::int64_t memory,
                                                std::string family = "web") {
  ecs::TaskDefinitionInput in;
  in.family = std::move(family);
  in.network_mode = "bridge";
  ecs::ContainerDefinitionInput c;
  c.name = "app";
  c.image = "busybox";
  c.cpu = cpu;
  c.memory = memory;
  ecs::PortMappingInput http;
  http.container_port = 80;
  http.host_port = 80;
  c.port_mappings.push_back(http);
  in.container_definitions.push_back(c);
  REQUIRE(ecs::check(in).empty());
  return ecs::from_input(in);
}

// `instances` m6i.large (2 vCPU: 2048 units, 7,800 MiB registered) over three zones, one
// cluster "prod" on them, a service "web" of `desired` tasks of 512 units and 1 GiB.
scenario::Scenario cluster(std::uint32_t instances, std::int64_t desired, SimDuration duration) {
  scenario::Scenario s = test::three_zones("services", duration);
  s.platform.groups.push_back(
      test::m6i_large_group("prod", instances, 30, {AzId{0}, AzId{1}, AzId{2}}));
  scenario::EcsClusterConfig c;
  c.name = "prod";
  c.asg = GroupId{0};
  c.task_start_latency = {10s, 0};
  scenario::ServiceConfig web;
  web.name = "web";
  web.task_definition = task_definition(512, 1024);
  web.desired_count = desired;
  c.services.push_back(web);
  s.ecs.push_back(c);
  return s;
}

scenario::ServiceConfig& web(scenario::Scenario& s) { return s.ecs[0].services[0]; }

// Makes the cluster's group the capacity provider "prod-asg" with managed scaling (AWS's
// defaults: target 100%, steps 1..10000, 300 s warm-up) and termination protection, and puts
// the service on it.
void with_managed_scaling(scenario::Scenario& s) {
  scenario::AsgCapacityProviderConfig cp;
  cp.name = "prod-asg";
  cp.managed_scaling = ecs::ManagedScaling{};
  cp.managed_termination_protection = true;
  s.ecs[0].capacity_provider = cp;
  web(s).capacity_provider_strategy = {{"prod-asg", 0, 1}};
}

engine::ReplicationResult run(const scenario::Scenario& s, std::uint64_t seed = 1) {
  return test::run_with_timeseries(s, seed);
}

// Zone `az` down from `from` for `length`.
platform::ScheduledFault zone_outage(AzId az, SimDuration from, SimDuration length) {
  platform::ScheduledFault f;
  f.at = at(from);
  f.kind = platform::ScheduledFault::Kind::kAzOutage;
  f.az = az;
  f.duration = length;
  return f;
}

// One instance of the cluster's group failing at `when`.
platform::ScheduledFault instance_failure(SimDuration when) {
  platform::ScheduledFault f;
  f.at = at(when);
  f.kind = platform::ScheduledFault::Kind::kInstanceFailure;
  f.groups = {GroupId{0}};
  f.count = 1;
  return f;
}

scenario::ServiceUpdate update_at(SimDuration when, const ecs::TaskDefinition& td,
                                  bool fails = false) {
  scenario::ServiceUpdate u;
  u.at = at(when);
  u.task_definition = td;
  u.fails_to_start = fails;
  return u;
}

}  // namespace

TEST_CASE("a REPLICA service spreads its tasks over zones, then instances, and keeps them",
          "[engine][services]") {
  // 6 instances, 2 per zone; 6 tasks: 2 per zone, one per instance (spread on instanceId).
  const engine::ReplicationResult r = run(cluster(6, 6, 1h));
  REQUIRE(r.services.size() == 1);
  const engine::ServiceResult& s = r.services[0];
  CHECK(s.cluster == "prod");
  CHECK(s.name == "web");
  CHECK(s.orchestrator == "ecs");
  CHECK(s.desired == 6);
  CHECK(s.running_by_az == per_zone(2, 2, 2));
  CHECK(s.tasks.submitted == 6);
  CHECK(s.tasks.running_at_end == 6);
  CHECK(s.min_running == 6);
  CHECK(s.availability == 1.0);
  // RUNNING from 10 s on: a mean of 6 x 3590 / 3600 = 5.98333.
  CHECK(s.mean_running == Approx(6.0 * 3590 / 3600));
  REQUIRE(s.deployments.size() == 1);
  CHECK(s.deployments[0].trigger == "create");
  CHECK(s.deployments[0].state == RolloutState::kCompleted);
  // Complete once the tasks count as healthy: 40 s after RUNNING, as they have no health check.
  CHECK(s.deployments[0].finished == at(50s));
  // One task per instance, reserved from placement at 0 s: 512 of each instance's 2048 units.
  CHECK(r.cpu_reserved_mean == Approx(512.0 / 2048));
  CHECK(r.tasks.lost() == 0);
}

TEST_CASE("a task with a health check counts once its check has passed, not after 40 s",
          "[engine][services]") {
  scenario::Scenario sc = cluster(6, 6, 1h);
  ecs::TaskDefinitionInput in;
  in.family = "web";
  ecs::ContainerDefinitionInput app;
  app.name = "app";
  app.image = "busybox";
  app.cpu = 512;
  app.memory = 1024;
  ecs::HealthCheckInput check;
  check.has_command = true;
  check.interval = 15;
  app.health_check = check;
  // A non-essential container's check does not count.
  ecs::ContainerDefinitionInput sidecar = app;
  sidecar.name = "sidecar";
  sidecar.essential = false;
  sidecar.health_check->interval = 120;
  in.container_definitions = {app, sidecar};
  REQUIRE(ecs::check(in).empty());
  web(sc).task_definition = ecs::from_input(in);
  CHECK(web(sc).task_definition.seconds_to_healthy() == 15);
  // RUNNING at 10 s, healthy at its first check 15 s later.
  CHECK(run(sc).services[0].deployments[0].finished == at(25s));
}

TEST_CASE("scaling a service in stops tasks in the zone with the most of them",
          "[engine][services]") {
  scenario::Scenario sc = cluster(6, 7, 1h);
  scenario::ServiceUpdate down;
  down.at = at(30min);
  down.desired_count = 4;
  web(sc).updates.push_back(down);
  const engine::ReplicationResult r = run(sc);
  const engine::ServiceResult& s = r.services[0];
  // 7 tasks: 3, 2, 2 (the first zone gets the extra). Down to 4: the zone with 3 gives one
  // (2, 2, 2), then ties go to any zone: two more stop, leaving two zones at 1 and one at 2.
  std::vector<std::int64_t> sorted = s.running_by_az;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == per_zone(1, 1, 2));
  CHECK(s.desired == 4);
  CHECK(s.tasks.completed == 3);  // stopped by the scheduler
  CHECK(s.tasks.running_at_end == 4);
}

TEST_CASE("a rolling update at 100/200 never drops below desired and completes",
          "[engine][services]") {
  scenario::Scenario sc = cluster(6, 6, 2h);
  web(sc).updates.push_back(update_at(1h, task_definition(512, 1024, false, "web-v2")));
  const engine::ReplicationResult r = run(sc);
  const engine::ServiceResult& s = r.services[0];
  REQUIRE(s.deployments.size() == 2);
  // 1h: 6 new tasks start (200% allows 12), RUNNING at 1h00m10s, healthy 40 s later; then
  // the 6 old ones stop.
  CHECK(s.deployments[1].trigger == "update at 1h");
  CHECK(s.deployments[1].state == RolloutState::kCompleted);
  CHECK(s.deployments[1].finished == at(1h + 50s));
  CHECK(s.min_running == 6);
  CHECK(s.availability == 1.0);
  CHECK(s.tasks.submitted == 12);
  CHECK(s.tasks.completed == 6);
  CHECK(s.running_by_az == per_zone(2, 2, 2));
}

TEST_CASE("a rolling update at 50/100 stops half, then starts their replacements",
          "[engine][services]") {
  scenario::Scenario sc = cluster(6, 6, 2h);
  web(sc).deployment = {50, 100};
  web(sc).updates.push_back(update_at(1h, task_definition(512, 1024, false, "web-v2")));
  const engine::ReplicationResult r = run(sc);
  const engine::ServiceResult& s = r.services[0];
  // Lower limit ceil(3) = 3, upper 6. 1h: stop 3 old, start 3 new (RUNNING at 1h00m10s,
  // healthy at 1h00m50s); then stop the other 3 and start 3 more (RUNNING at 1h01m, healthy at
  // 1h01m40s).
  CHECK(s.min_running == 3);
  CHECK(s.deployments[1].state == RolloutState::kCompleted);
  CHECK(s.deployments[1].finished == at(1h + 100s));
  // Below desired for 20 s of the 7190 s since the service first ran all its tasks.
  CHECK(s.availability == Approx(1.0 - 20.0 / 7190));
}

TEST_CASE("a rolling update at 100/100 cannot start and is reported stuck", "[engine][services]") {
  scenario::Scenario sc = cluster(6, 6, 2h);
  web(sc).deployment = {100, 100};
  web(sc).updates.push_back(update_at(1h, task_definition(512, 1024, false, "web-v2")));
  const engine::ReplicationResult r = run(sc);
  const engine::ServiceResult& s = r.services[0];
  // Lower = upper = 6: no old task may stop, no new one may start.
  REQUIRE(s.deployments.size() == 2);
  CHECK(s.deployments[1].state == RolloutState::kInProgress);
  CHECK(s.deployments[1].stuck_since == at(1h));
  CHECK_FALSE(s.deployments[1].finished);
  CHECK(s.tasks.submitted == 6);
}

TEST_CASE("the circuit breaker fails a deployment whose tasks never run and rolls it back",
          "[engine][services]") {
  scenario::Scenario sc = cluster(6, 6, 3h);
  web(sc).circuit_breaker = true;
  web(sc).rollback = true;
  web(sc).updates.push_back(update_at(1h, task_definition(512, 1024, false, "web-bad"), true));
  const engine::ReplicationResult r = run(sc);
  const engine::ServiceResult& s = r.services[0];
  REQUIRE(s.deployments.size() == 3);
  // Threshold max(3, min(200, ceil(0.5 x 6))) = 3. 1h: 6 new tasks start; at 1h00m10s they
  // stop before RUNNING one by one: the third trips the breaker, and the rollback stops the
  // three still PENDING.
  CHECK(s.deployments[1].state == RolloutState::kFailed);
  CHECK(s.deployments[1].rolled_back);
  CHECK(s.deployments[1].finished == at(1h + 10s));
  CHECK(s.deployments[1].failed_tasks == 3);
  CHECK(s.deployments[2].trigger == "rollback");
  CHECK(s.deployments[2].state == RolloutState::kCompleted);
  CHECK(s.deployments[2].finished == at(1h + 10s));
  // The old tasks never stopped: 100% minimum healthy, and no new task got healthy.
  CHECK(s.min_running == 6);
  CHECK(s.tasks.failed == 3);
  CHECK(s.tasks.completed == 3);
  CHECK(s.tasks.running_at_end == 6);
}

TEST_CASE("without the circuit breaker a failing revision is retried with a growing back-off",
          "[engine][services]") {
  scenario::Scenario sc = cluster(6, 1, 2h);
  web(sc).updates.push_back(update_at(1h, task_definition(512, 1024, false, "web-bad"), true));
  const engine::ReplicationResult r = run(sc);
  const engine::ServiceResult& s = r.services[0];
  // One new task at a time fails 10 s after it starts; the n-th failure delays the next start
  // by 30 s x 2^(n-1), at most 27 min. Starts at 1h, 1h00m40s (fail at +10 s, wait 30 s),
  // 1h01m50s (+60 s), 1h04m (+2 min), 1h08m10s (+4), 1h16m20s (+8), 1h32m30s (+16), 1h59m40s
  // (+27, not 32): the eighth fails at 1h59m50s.
  CHECK(s.deployments[1].state == RolloutState::kInProgress);
  CHECK(s.deployments[1].failed_tasks == 8);
  CHECK(s.tasks.running_at_end == 1);  // the old task keeps running (100% minimum healthy)
}

TEST_CASE("the back-off's cap can be the older guides' 15 minutes", "[engine][services]") {
  scenario::Scenario sc = cluster(6, 1, 3h);
  web(sc).updates.push_back(update_at(1h, task_definition(512, 1024, false, "web-bad"), true));
  SECTION("27 minutes, the default") {
    // As above to the eighth failure at 1h59m50s (7190 s); then starts every 10 s + 27 min:
    // 8810 s (fails 8820), 10440 s (fails 10450); the next, 12070 s, is past 3h (10800 s).
    CHECK(run(sc).services[0].deployments[1].failed_tasks == 10);
  }
  SECTION("15 minutes") {
    sc.ecs[0].launch_throttle.max_delay = 15min;
    // Failures at 3610, 3650, 3720, 3850, 4100, 4590 s; the sixth waits 15 min, not 16: starts
    // at 5490, 6400, 7310, 8220, 9130, 10040 s fail 10 s later; 10950 s is past 3h.
    CHECK(run(sc).services[0].deployments[1].failed_tasks == 12);
  }
}

TEST_CASE("draining a third of the instances at 100/200 moves their tasks and finishes",
          "[engine][services]") {
  scenario::Scenario sc = cluster(6, 6, 2h);
  scenario::DrainConfig d;
  d.at = at(1h);
  d.kind = scenario::DrainConfig::Kind::kShare;
  d.share = 1.0 / 3;
  sc.ecs[0].drains.push_back(d);
  const engine::ReplicationResult r = run(sc);
  REQUIRE(r.drains.size() == 1);
  // ceil(6 / 3) = 2 instances, the two oldest (one in a, one in b); their 2 tasks are replaced
  // (start at 1h, RUNNING at 1h00m10s, healthy 40 s later) before they stop.
  CHECK(r.drains[0].instances == 2);
  CHECK(r.drains[0].drained == at(1h + 50s));
  CHECK(r.drains[0].service_tasks_left == 0);
  const engine::ServiceResult& s = r.services[0];
  CHECK(s.min_running == 6);
  CHECK(s.tasks.submitted == 8);
}

TEST_CASE("a drain at 100/100 cannot progress, and the run shows it stuck",
          "[engine][services]") {
  scenario::Scenario sc = cluster(6, 6, 2h);
  web(sc).deployment = {100, 100};
  scenario::DrainConfig d;
  d.at = at(1h);
  d.kind = scenario::DrainConfig::Kind::kShare;
  d.share = 1.0 / 3;
  sc.ecs[0].drains.push_back(d);
  const engine::ReplicationResult r = run(sc);
  REQUIRE(r.drains.size() == 1);
  CHECK_FALSE(r.drains[0].drained);
  CHECK(r.drains[0].service_tasks_left == 2);
  CHECK(r.services[0].tasks.submitted == 6);
}

TEST_CASE("tasks on an instance cut off by a zone outage are lost after the grace and replaced",
          "[engine][services]") {
  scenario::Scenario sc = cluster(6, 6, 3h);
  sc.ecs[0].lost_after = 3min;
  sc.platform.faults.push_back(zone_outage(AzId{0}, 1h, 1h));
  SECTION("without AZ rebalancing the tasks stay where they moved") {
    const engine::ReplicationResult r = run(sc);
    const engine::ServiceResult& s = r.services[0];
    // 1h: the 2 tasks in a are cut off (no longer serving); 1h03m: ECS counts them lost and
    // replaces them in b and c, RUNNING at 1h03m10s. 190 s below desired, out of the 3 h less
    // the 10 s before the service first ran.
    CHECK(s.min_running == 4);
    CHECK(s.availability == Approx(1.0 - 190.0 / (3 * 3600 - 10)));
    CHECK(s.tasks.evicted == 2);
    CHECK(s.running_by_az == per_zone(0, 3, 3));
  }
  SECTION("with AZ rebalancing they come back to the recovered zone") {
    web(sc).az_rebalancing = true;
    const engine::ReplicationResult r = run(sc);
    CHECK(r.services[0].running_by_az == per_zone(2, 2, 2));
    CHECK(r.services[0].min_running == 4);
  }
}

TEST_CASE("a DAEMON service runs one task on every instance, new ones included",
          "[engine][services]") {
  scenario::Scenario sc = cluster(3, 0, 1h);
  scenario::ServiceConfig& d = web(sc);
  d.name = "agent";
  d.scheduling_strategy = ecs::SchedulingStrategy::kDaemon;
  d.deployment = ecs::default_deployment_configuration(ecs::SchedulingStrategy::kDaemon);
  sc.platform.faults.push_back(instance_failure(10min));
  const engine::ReplicationResult r = run(sc);
  const engine::ServiceResult& s = r.services[0];
  // 3 instances: 3 tasks; 10 min: one fails (its task evicted), the replacement registers at
  // 11 min and gets a daemon task at once.
  CHECK(s.desired == 3);
  CHECK(s.tasks.submitted == 4);
  CHECK(s.tasks.evicted == 1);
  CHECK(s.tasks.running_at_end == 3);
}

namespace {

// A DAEMON service "agent" of 256-unit, 256 MiB tasks, added to `sc`'s cluster.
void add_daemon(scenario::Scenario& sc) {
  scenario::ServiceConfig agent;
  agent.name = "agent";
  agent.task_definition = task_definition(256, 256, false, "agent");
  agent.scheduling_strategy = ecs::SchedulingStrategy::kDaemon;
  agent.deployment = ecs::default_deployment_configuration(ecs::SchedulingStrategy::kDaemon);
  sc.ecs[0].services.push_back(agent);
}

// RUNNING tasks of service `s` (index in the results) in zone `z` in the row at `when`.
std::uint32_t running_in_zone(const engine::ReplicationResult& r, std::size_t s, std::size_t z,
                              SimDuration when) {
  for (const engine::TimeseriesRow& row : r.timeseries)
    if (row.at == at(when)) return row.service_running_by_az[s * 3 + z];
  FAIL("no time-series row at " << format_duration(when));
  return 0;
}

}  // namespace

TEST_CASE("DAEMON tasks leave a DRAINING instance last, once its other service tasks are gone",
          "[engine][services]") {
  // 3 instances, one per zone, each with a web task and an agent task. The instance in zone a
  // (the oldest) is drained at 1h.
  scenario::Scenario sc = cluster(3, 3, 2h);
  add_daemon(sc);
  sc.timeseries_interval = 1s;
  scenario::DrainConfig d;
  d.at = at(1h);
  d.kind = scenario::DrainConfig::Kind::kInstance;
  d.instance = 0;
  sc.ecs[0].drains.push_back(d);
  SECTION("at 100/200 web moves, and the agent stops when its task is gone") {
    const engine::ReplicationResult r = run(sc);
    // web's replacement starts at 1h (RUNNING at 1h00m10s, on b or c: a's instance is
    // DRAINING; healthy 40 s later); then its old task stops. The agent task stays until then,
    // not a moment less.
    CHECK(running_in_zone(r, 0, 0, 1h + 49s) == 1);
    CHECK(running_in_zone(r, 1, 0, 1h + 49s) == 1);
    CHECK(running_in_zone(r, 0, 0, 1h + 50s) == 0);
    CHECK(running_in_zone(r, 1, 0, 1h + 50s) == 0);
    CHECK(r.drains[0].drained == at(1h + 50s));
    // The drained instance takes no agent again: 2 agents on the 2 ACTIVE instances.
    CHECK(r.services[1].running_by_az == per_zone(0, 1, 1));
    CHECK(r.services[1].desired == 2);
  }
  SECTION("at 100/100 web cannot move, so the agent stays to the end") {
    web(sc).deployment = {100, 100};
    const engine::ReplicationResult r = run(sc);
    CHECK_FALSE(r.drains[0].drained);
    CHECK(r.services[0].running_by_az == per_zone(1, 1, 1));
    CHECK(r.services[1].running_by_az == per_zone(1, 1, 1));
  }
}

TEST_CASE("a registering instance takes its DAEMON tasks before the tasks waiting for room",
          "[engine][services]") {
  // One m6i.large (2048 units): the agent (256 units) and a job whose tasks (512 units, 10 h)
  // arrive every minute and wait for room: 3 fit beside the agent. At 10m the instance fails
  // (all 4 evicted); its replacement registers at 11m while 9 job tasks wait (the arrivals of
  // 3m to 11m). The agent is placed first, then 3 of the waiting tasks: were the waiting tasks
  // placed first, 4 would fill the instance and leave the agent no room.
  scenario::Scenario sc = cluster(1, 0, 30min);
  sc.ecs[0].services.clear();
  add_daemon(sc);
  scenario::JobConfig job;
  job.name = "batch";
  job.task_definition = task_definition(512, 1024, false, "batch");
  job.arrivals = workload::ConstantArrivals{1min, 0s};
  job.duration = workload::FixedDuration{10h};
  job.when_no_capacity = scenario::WhenNoCapacity::kWait;
  sc.ecs[0].jobs.push_back(job);
  sc.platform.faults.push_back(instance_failure(10min));
  const engine::ReplicationResult r = run(sc);
  CHECK(r.services[0].tasks.running_at_end == 1);
  CHECK(r.services[0].tasks.evicted == 1);
  CHECK(r.jobs[0].tasks.evicted == 3);
  CHECK(r.jobs[0].tasks.running_at_end == 3);
  // 31 arrivals (0m to 30m): 3 evicted, 3 running, 25 waiting.
  CHECK(r.jobs[0].tasks.submitted == 31);
  CHECK(r.jobs[0].tasks.pending_at_end == 25);
}

TEST_CASE("standalone tasks on a lost agent stay until their instance is terminated",
          "[engine][services]") {
  // 3 instances, one per zone; web's 3 tasks, one each, and a standalone task of 10 h at 1 min,
  // placed by first fit on the oldest instance, in zone a. Zone a fails at 1h. Its agent is
  // lost after 3 minutes: web's task there is evicted and replaced at 1h03m. The standalone
  // task stays: only the instance's end (the group replaces it after 5 minutes unreachable,
  // at 1h05m) evicts it.
  scenario::Scenario sc = cluster(3, 3, 2h);
  sc.ecs[0].lost_after = 3min;
  scenario::JobConfig job;
  job.name = "batch";
  job.task_definition = task_definition(256, 256, false, "batch");
  job.arrivals = workload::ConstantArrivals{10h, 1min};
  job.duration = workload::FixedDuration{10h};
  sc.ecs[0].jobs.push_back(job);
  sc.platform.faults.push_back(zone_outage(AzId{0}, 1h, 1h));
  for (const auto& [end, job_evicted] : {std::pair{1h + 4min, 0}, std::pair{1h + 6min, 1}}) {
    INFO("run ends at " << format_duration(end));
    scenario::Scenario cut = sc;
    cut.duration = end;
    const engine::ReplicationResult r = run(cut);
    CHECK(r.services[0].tasks.evicted == 1);
    CHECK(r.jobs[0].tasks.submitted == 1);
    CHECK(r.jobs[0].tasks.evicted == static_cast<std::uint64_t>(job_evicted));
  }
}

TEST_CASE("managed scaling binpacks the waiting tasks instead of dividing their total",
          "[engine][services]") {
  // 5 tasks of 768 units: an m6i.large (2048 units) takes 2, so they need 3 instances, though
  // their 3840 units would fit 2. All 3 come in the first step (1 min), register at 2 min and
  // take the tasks, healthy 50 s later; dividing the total would start 2, then a third.
  scenario::Scenario sc = cluster(0, 5, 1h);
  web(sc).task_definition = test::task_definition(768, 1024, false, "web");
  with_managed_scaling(sc);
  const engine::ReplicationResult r = run(sc);
  CHECK(r.platform.launches == 3);
  CHECK(r.services[0].tasks.running_at_end == 5);
  CHECK(r.services[0].deployments[0].finished == at(2min + 50s));
}

TEST_CASE("managed scaling launches instances for a service on an empty group",
          "[engine][services]") {
  scenario::Scenario sc = cluster(0, 10, 1h);
  with_managed_scaling(sc);
  const engine::ReplicationResult r = run(sc);
  const engine::ServiceResult& s = r.services[0];
  // 10 tasks of 512 units: 4 per m6i.large, so 3 instances. 1 min: M = 0 + ceil(5120 / 2048)
  // = 3, N = 0: scale out to 3; they register at 2 min and take the tasks, RUNNING 10 s and
  // healthy 50 s later.
  CHECK(r.platform.launches == 3);
  CHECK(s.tasks.running_at_end == 10);
  CHECK(s.deployments[0].finished == at(2min + 50s));
}

TEST_CASE("a Fargate service shares its tasks between FARGATE and FARGATE_SPOT by base and weight",
          "[engine][services]") {
  scenario::Scenario sc = cluster(0, 10, 1h);
  web(sc).task_definition = task_definition(512, 1024, true);
  web(sc).capacity_provider_strategy = {{"FARGATE", 2, 1}, {"FARGATE_SPOT", 0, 3}};
  sc.platform.fargate.launch_latency = {40s, 0};
  const engine::ReplicationResult r = run(sc);
  const engine::ServiceResult& s = r.services[0];
  // Base 2 on FARGATE, the other 8 by weight 1:3: 2 + 2 on FARGATE, 6 on FARGATE_SPOT.
  CHECK(s.tasks.running_at_end == 10);
  CHECK(s.running_by_az == per_zone(4, 3, 3));
  // 0.5 vCPU and 1 GiB: on demand 0.04048 x 0.5 + 0.004445 x 1 = $0.024685 per task-hour, Spot
  // 70% off: $0.0074055. Fargate bills from the image pull, which starts at launch (0 s; the
  // tasks run from 40 s), to the end: one hour of 4 x 0.024685 + 6 x 0.0074055 = $0.143173.
  // (5 and 5, had the 8 split evenly, would be $0.160453; 3 and 7, $0.125894.)
  CHECK(r.cost.fargate == Approx(0.143173).epsilon(1e-9));
}

TEST_CASE("with Spot draining, services move off an interrupted instance before its reclaim",
          "[engine][services]") {
  scenario::Scenario sc = cluster(6, 6, 6h);
  sc.platform.groups[0].spot = true;
  sc.platform.spot_interruptions_per_hour = 0.5;
  SECTION("draining on: the 2-minute notice is enough to replace every task") {
    sc.ecs[0].spot_draining = true;
    const engine::ReplicationResult r = run(sc, 7);
    // About 6 instances x 0.5 an hour x 6 h = 18 notices, a Poisson count: 18 +- 4 sqrt(18).
    CHECK(r.platform.interruptions >= 1);
    CHECK(r.platform.interruptions <= 35);
    CHECK(r.services[0].tasks.evicted == 0);
    CHECK(r.services[0].min_running == 6);
  }
  SECTION("draining off: the tasks run until the reclaim and are lost with it") {
    const engine::ReplicationResult r = run(sc, 7);
    // The same notices as with draining (the platform's streams do not depend on it). Each
    // reclaimed instance is replaced, and holds at most all 6 tasks when it goes.
    CHECK(r.platform.interruptions >= 1);
    CHECK(r.platform.interruptions <= 35);
    const std::uint64_t reclaims = r.platform.launches - 6;
    CHECK(reclaims <= r.platform.interruptions);
    CHECK(r.services[0].tasks.evicted >= 1);
    CHECK(r.services[0].tasks.evicted <= 6 * reclaims);
    CHECK(r.services[0].min_running < 6);
  }
}

TEST_CASE("managed scaling scales in only instances that run no service task",
          "[engine][services]") {
  scenario::Scenario sc = cluster(0, 10, 2h);
  with_managed_scaling(sc);
  scenario::ServiceUpdate down;
  down.at = at(30min);
  down.desired_count = 2;
  web(sc).updates.push_back(down);
  const engine::ReplicationResult r = run(sc);
  // 3 instances for 10 tasks (4 + 3 + 3 by zone and instance); down to 2 at 30 min: the
  // scale-in leaves 2 tasks on 2 instances (the zones with the most go first). M = 2, N = 3:
  // 15 datapoints below target, then the group goes to 2, terminating the empty instance.
  REQUIRE(!r.timeseries.empty());
  CHECK(r.timeseries.back().instances == 2);
  CHECK(r.services[0].tasks.evicted == 0);
  CHECK(r.services[0].tasks.running_at_end == 2);
}

TEST_CASE("managed scaling survives a group shrinking under termination protection",
          "[engine][services]") {
  // The reproducer of an abort (managed_scaling.cpp: group_desired >= warmed): scaled in at 4h,
  // the group launched to rebalance its zones, and when that launch came up the instances it
  // was to replace were protected; the group kept one instance over its desired count, which
  // managed scaling then counted as warmed up. Each seed below aborted. 12 tasks of 512 units
  // fit 8 to an m6i.xlarge (4096 units), so the first scale-in leaves 2 instances; 40 tasks need
  // 5: 3 more launches at 2h; at 4h, 8 tasks need 1, and the scale-in to it launches one to
  // rebalance. So 3 + 3 + 1 = 7 launches, the rebalancing one terminated again, 8 tasks running.
  const scenario::Scenario sc = test::load("capacity/rebalance-under-protection.yaml");
  for (const std::uint64_t seed : {3u, 4u, 6u, 8u, 10u}) {
    INFO("seed " << seed);
    engine::RunOptions options;
    options.seed = seed;
    options.horizon = sc.duration;
    const engine::ReplicationResult r = engine::run_replication(sc, options);
    CHECK(r.platform.launches == 7);
    CHECK(r.platform.rebalances == 1);
    CHECK(r.services[0].tasks.running_at_end == 8);
    CHECK(r.tasks.lost() == 0);
  }
}

TEST_CASE("a drain leaves standalone tasks alone and is done when the service tasks left",
          "[engine][services]") {
  scenario::Scenario sc = cluster(3, 3, 2h);
  scenario::DrainConfig d;
  d.at = at(1h);
  d.kind = scenario::DrainConfig::Kind::kAz;
  d.az = AzId{0};
  sc.ecs[0].drains.push_back(d);
  scenario::JobConfig job;
  job.name = "batch";
  job.task_definition = task_definition(256, 256, false, "batch");
  job.arrivals = workload::ConstantArrivals{30min, 0s};
  job.duration = workload::FixedDuration{10h};
  sc.ecs[0].jobs.push_back(job);
  const engine::ReplicationResult r = run(sc);
  REQUIRE(r.drains.size() == 1);
  CHECK(r.drains[0].instances == 1);
  CHECK(r.drains[0].drained == at(1h + 50s));
  CHECK(r.services[0].running_by_az == per_zone(0, 2, 1));
  // Standalone tasks placed on the zone-a instance before the drain keep running there.
  CHECK(r.jobs[0].tasks.evicted == 0);
}

TEST_CASE("a REPLICA service with a static host port runs at most one task per instance",
          "[engine][services]") {
  // 3 instances (one per zone) with room for 3 tasks of 512 units each, but every task maps
  // host port 80: after one task per instance the other 2 of desired 5 find the port taken
  // everywhere and are never created.
  scenario::Scenario sc = cluster(3, 5, 1h);
  web(sc).task_definition = static_port_task_definition(512, 1024);
  const engine::ReplicationResult r = run(sc);
  const engine::ServiceResult& s = r.services[0];
  CHECK(s.desired == 5);
  CHECK(s.tasks.submitted == 3);
  CHECK(s.tasks.running_at_end == 3);
  CHECK(s.running_by_az == per_zone(1, 1, 1));
  // Never all 5: the deployment never completes and the service never counts as available.
  CHECK(s.deployments[0].state == RolloutState::kInProgress);
  CHECK(s.availability == 0.0);
  CHECK(r.tasks.lost() == 0);
}

TEST_CASE("a static host port on every instance blocks a 100/200 rolling update, not a 0/100 one",
          "[engine][services]") {
  // 3 tasks on 3 instances, each holding host port 80; at 1h a new revision with the same port.
  scenario::Scenario sc = cluster(3, 3, 2h);
  web(sc).task_definition = static_port_task_definition(512, 1024);
  web(sc).updates.push_back(update_at(1h, static_port_task_definition(512, 1024, "web-v2")));
  SECTION("100/200 starts new tasks first, and none finds the port free") {
    const engine::ReplicationResult r = run(sc);
    const engine::ServiceResult& s = r.services[0];
    // Upper limit 6: start 3 new, which find no instance; lower limit 3: stop no old one.
    CHECK(s.deployments[1].state == RolloutState::kInProgress);
    CHECK(s.tasks.submitted == 3);
    CHECK(s.tasks.running_at_end == 3);
    CHECK(s.min_running == 3);
  }
  SECTION("0/100 stops the old tasks first, which frees the port") {
    web(sc).deployment = {0, 100};
    const engine::ReplicationResult r = run(sc);
    const engine::ServiceResult& s = r.services[0];
    // Lower limit 0: the 3 old tasks stop at 1h; the 3 new ones take their ports at once and
    // are RUNNING 10 s later, healthy 40 s after that.
    CHECK(s.deployments[1].state == RolloutState::kCompleted);
    CHECK(s.deployments[1].finished == at(1h + 50s));
    CHECK(s.tasks.submitted == 6);
    CHECK(s.tasks.completed == 3);
    CHECK(s.tasks.running_at_end == 3);
    CHECK(s.min_running == 0);
  }
}

TEST_CASE("a DAEMON task is not started where another task holds its host port",
          "[engine][services]") {
  // 3 instances, one per zone. "web" holds host port 80 on the instances of zones a and b (2
  // tasks spread over zones); the DAEMON "agent" runs everywhere until, at 30 min, a revision
  // that maps host port 80 replaces it (0/100: old tasks stop, then new ones start): only the
  // instance of zone c has the port free.
  scenario::Scenario sc = cluster(3, 2, 1h);
  web(sc).task_definition = static_port_task_definition(512, 1024);
  scenario::ServiceConfig agent;
  agent.name = "agent";
  agent.task_definition = task_definition(128, 256, false, "agent");
  agent.scheduling_strategy = ecs::SchedulingStrategy::kDaemon;
  agent.deployment = ecs::default_deployment_configuration(ecs::SchedulingStrategy::kDaemon);
  agent.updates.push_back(update_at(30min, static_port_task_definition(128, 256, "agent-v2")));
  sc.ecs[0].services.push_back(agent);
  const engine::ReplicationResult r = run(sc);
  REQUIRE(r.services.size() == 2);
  CHECK(r.services[0].running_by_az == per_zone(1, 1, 0));
  const engine::ServiceResult& a = r.services[1];
  CHECK(a.desired == 3);
  CHECK(a.tasks.submitted == 3 + 1);
  CHECK(a.tasks.completed == 3);
  CHECK(a.running_by_az == per_zone(0, 0, 1));
  CHECK(a.deployments[1].state == RolloutState::kInProgress);
  CHECK(r.tasks.lost() == 0);
}

namespace ecsim::test {

TEST_CASE("Step scaling and scheduled actions scale an ECS service as their files say",
          "[engine][appscaling]") {
  // step-scaling.yaml (rates by the minute: 200 + 40 per minute from 1h to 1h05m; 400 - 20 per
  // minute from 3h to 3h10m; CPU = rate x 5 ms / (tasks x 0.5 vCPU)).
  const engine::ReplicationResult r = run_with_timeseries(load("engine/step-scaling.yaml"));
  REQUIRE(r.scaling.size() == 8);
  const auto at = [](std::int64_t s) { return kSimStart + std::chrono::seconds(s); };
  // 1h04m: the minutes from 1h02m and 1h03m averaged 300 and 340 req/s over 4 tasks, 75% and
  // 85%, both >= 70: ALARM; the breach 85 - 70 = 15 is in the step [15, inf): +3.
  CHECK(r.scaling[0].at == at(3840));
  CHECK(r.scaling[0].to == 7);
  // At 400 req/s 7 tasks run at 57%: no alarm. From 3h the minutes at or below 40% of 7 tasks
  // (280 req/s) begin with 3h06m's (270): the fifth ends at 3h11m: -1; the 300 s cooldown
  // gives 3h16m and 3h21m (6 and 5 tasks at 200 req/s: 33% and 40%); 4 tasks run at 50%.
  CHECK(r.scaling[1].at == at(11460));
  CHECK(r.scaling[1].to == 6);
  CHECK(r.scaling[2].at == at(11760));
  CHECK(r.scaling[3].at == at(12060));
  CHECK(r.scaling[3].to == 4);
  // 05:00: cron(0 5 * * ? *) raises the minimum to 9; 05:30: at() caps the service at 3.
  CHECK(r.scaling[4].at == at(18000));
  CHECK(r.scaling[4].to == 9);
  CHECK(r.scaling[4].reason.ends_with("scheduled action name evening-floor was triggered (min 9, max 20)"));
  CHECK(r.scaling[5].at == at(19800));
  CHECK(r.scaling[5].to == 3);
  // The same minute the low alarm (9 tasks at 22% for 5 minutes) takes one more: 2; two minutes
  // at 100% on 2 tasks bring the high alarm: +3, within the new maximum: 3.
  CHECK(r.scaling[6].to == 2);
  CHECK(r.scaling[7].at == at(19920));
  CHECK(r.scaling[7].to == 3);
}

}  // namespace ecsim::test
