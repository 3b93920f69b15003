// Container instances from a fixed list (registered by hand, never replaced) and custom
// attributes in memberOf expressions and spread strategies, on scenarios built in code: tasks
// start 10 s after placement, an m6i.large registers 2048 CPU units.

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ecsim/ecs/query.hpp"
#include "ecsim/engine/engine.hpp"
#include "ecsim/scenario/scenario.hpp"
#include "engine_test_support.hpp"

using namespace ecsim;
using namespace std::chrono_literals;

namespace {

using namespace ecsim::test;

const AzId kA{0};
const AzId kB{1};
const AzId kC{2};

using Attributes = std::vector<scenario::CustomAttribute>;

// A cluster "shop" over three zones with no container instance yet.
scenario::Scenario shop(SimDuration duration) {
  scenario::Scenario s = three_zones("fixed-instances", duration);
  scenario::EcsClusterConfig c;
  c.name = "shop";
  c.task_start_latency = {10s, 0};
  s.ecs.push_back(c);
  return s;
}

// Adds `count` m6i.large registered by hand in zone `az`, each with `attributes`.
void add_fixed(scenario::Scenario& s, std::uint32_t count, AzId az, Attributes attributes = {}) {
  scenario::EcsClusterConfig& c = s.ecs[0];
  platform::AsgConfig g = m6i_large_group(
      "shop/instances[" + std::to_string(c.fixed_instances.size()) + "]", count, count, {az});
  g.replace = false;
  c.fixed_instances.push_back(scenario::FixedInstancesConfig{
      GroupId{static_cast<GroupId::rep_type>(s.platform.groups.size())}, std::move(attributes)});
  s.platform.groups.push_back(g);
}

// Gives the cluster an Auto Scaling group of `desired` m6i.large over every zone, each instance
// with `attributes`.
void add_asg(scenario::Scenario& s, std::uint32_t desired, Attributes attributes = {}) {
  scenario::EcsClusterConfig& c = s.ecs[0];
  c.asg = GroupId{static_cast<GroupId::rep_type>(s.platform.groups.size())};
  c.asg_attributes = std::move(attributes);
  s.platform.groups.push_back(m6i_large_group("shop", desired, 30, {kA, kB, kC}));
}

// A REPLICA service of `desired` tasks of `cpu` units and 1 GiB, added to the cluster.
scenario::ServiceConfig& add_service(scenario::Scenario& s, std::string name, std::int64_t desired,
                                     std::int64_t cpu = 512) {
  scenario::ServiceConfig service;
  service.name = std::move(name);
  service.task_definition = task_definition(cpu, 1024);
  service.desired_count = desired;
  s.ecs[0].services.push_back(service);
  return s.ecs[0].services.back();
}

ecs::Query query(std::string_view text) {
  auto parsed = ecs::parse_query(text);
  REQUIRE(std::holds_alternative<ecs::Query>(parsed));
  return std::get<ecs::Query>(std::move(parsed));
}

scenario::StrategyConfig spread_over(std::string custom) {
  return scenario::StrategyConfig{ecs::StrategyType::kSpread, ecs::StrategyField::kAttribute,
                                  scenario::ModelledAttribute::kCustom, std::move(custom)};
}

scenario::StrategyConfig spread_over_instances() {
  return scenario::StrategyConfig{ecs::StrategyType::kSpread, ecs::StrategyField::kInstanceId,
                                  scenario::ModelledAttribute::kAvailabilityZone, {}};
}

// One m6i.large by hand in zone a and one in b, a service "web" of `desired` tasks of 1024
// units (two fit on an instance), and `fault` (an instance failure picks among both).
scenario::Scenario two_by_hand(SimDuration duration, std::int64_t desired,
                               platform::ScheduledFault fault) {
  scenario::Scenario s = shop(duration);
  add_fixed(s, 1, kA);
  add_fixed(s, 1, kB);
  add_service(s, "web", desired, 1024);
  if (fault.kind == platform::ScheduledFault::Kind::kInstanceFailure)
    fault.groups = s.ecs[0].groups();
  s.platform.faults.push_back(fault);
  return s;
}

}  // namespace

TEST_CASE("memberOf on a custom attribute places tasks only on the instances that have it",
          "[engine][ecs]") {
  // Two instances tagged team=payments in zone a (registered by hand), an Auto Scaling group of
  // two tagged team=web (zones a and b, the first two of its three), and one untagged instance
  // in zone c.
  scenario::Scenario s = shop(1h);
  add_fixed(s, 2, kA, {{"team", "payments"}});
  add_asg(s, 2, {{"team", "web"}});
  add_fixed(s, 1, kC);
  scenario::ServiceConfig& payments = add_service(s, "payments", 2);
  payments.member_of.push_back(query("attribute:team == payments"));
  scenario::ServiceConfig& daemon = add_service(s, "agent", 0, 128);
  daemon.scheduling_strategy = ecs::SchedulingStrategy::kDaemon;
  daemon.deployment = ecs::default_deployment_configuration(ecs::SchedulingStrategy::kDaemon);
  daemon.member_of.push_back(query("attribute:team exists"));
  scenario::ServiceConfig& others = add_service(s, "others", 3);
  others.member_of.push_back(query("attribute:team != payments"));
  // Three 1024-unit jobs at 5 min, failing when they find no room: each payments instance has
  // 2048 - 128 (daemon) - 512 (service) = 1408 units free, so one fits on each and the third
  // fails on the constraint (the untagged instance has all its 2048 free).
  scenario::JobConfig job;
  job.name = "settle";
  job.task_definition = task_definition(1024, 1024, false, "settle");
  job.arrivals = workload::BurstArrivals{1h, 3, 5min, 0s};
  job.duration = workload::FixedDuration{10h};
  job.when_no_capacity = scenario::WhenNoCapacity::kFail;
  job.member_of.push_back(query("attribute:team == payments"));
  s.ecs[0].jobs.push_back(job);

  const engine::ReplicationResult r = run_with_timeseries(s);
  REQUIRE(r.services.size() == 3);
  // Spread over zones then instances, within the payments instances: both in zone a.
  CHECK(r.services[0].running_by_az == per_zone(2, 0, 0));
  CHECK(r.services[0].tasks.running_at_end == 2);
  // `exists`: the four tagged instances, not the untagged one.
  CHECK(r.services[1].desired == 4);
  CHECK(r.services[1].running_by_az == per_zone(3, 1, 0));
  // `!=` needs the attribute: the web instances (a and b), never the untagged one in c.
  CHECK(r.services[2].running_by_az == per_zone(2, 1, 0));
  REQUIRE(r.jobs.size() == 1);
  CHECK(r.jobs[0].tasks.started == 2);
  CHECK(r.jobs[0].tasks.failed == 1);
  CHECK(r.jobs[0].failure_reasons.at("MemberOf placement constraint unsatisfied.") == 1);
}

TEST_CASE("a spread on a custom attribute balances a service over its values",
          "[engine][ecs]") {
  // By hand: team=payments x2 in zone a (instances 0, 1), team=web in a (2) and in b (3), and
  // one untagged in c (4), which counts as a value of its own.
  scenario::Scenario s = shop(1h);
  add_fixed(s, 2, kA, {{"team", "payments"}});
  add_fixed(s, 1, kA, {{"team", "web"}});
  add_fixed(s, 1, kB, {{"team", "web"}});
  add_fixed(s, 1, kC);
  SECTION("spread over team, then instances") {
    scenario::ServiceConfig& web = add_service(s, "web", 6);
    web.placement_strategy = {spread_over("team"), spread_over_instances()};
    const engine::ReplicationResult r = run_with_timeseries(s);
    // Two tasks per value. Each goes to the value with the fewest, then the instance with the
    // fewest, then the lowest index: 0 (payments), 2 (web), 4 (none), 1 (payments: 0 and 1
    // tie with 3 at no task), 3 (web), 4 (none). By zone: 0, 1, 2 in a; 3 in b; 4 twice in c.
    CHECK(r.services[0].running_by_az == per_zone(3, 1, 2));
  }
  SECTION("ECS's default, spread over zones then instances, for comparison") {
    add_service(s, "web", 6);
    const engine::ReplicationResult r = run_with_timeseries(s);
    CHECK(r.services[0].running_by_az == per_zone(2, 2, 2));
  }
  SECTION("an attribute no instance has leaves every instance one value") {
    scenario::ServiceConfig& web = add_service(s, "web", 6);
    web.placement_strategy = {spread_over("rack"), spread_over_instances()};
    const engine::ReplicationResult r = run_with_timeseries(s);
    // Only the instance spread acts: one task on each of the 5, the sixth on instance 0.
    CHECK(r.services[0].running_by_az == per_zone(4, 1, 1));
  }
}

TEST_CASE("a cluster of instances registered by hand runs tasks and loses capacity for good",
          "[engine][ecs]") {
  // Four tasks: two per instance, both full.
  platform::ScheduledFault f;
  f.at = at(30min);
  f.kind = platform::ScheduledFault::Kind::kInstanceFailure;
  f.count = 1;
  const engine::ReplicationResult r = run_with_timeseries(two_by_hand(2h, 4, f));
  const engine::ServiceResult& web = r.services[0];
  // RUNNING at 10 s; at 30 min one instance fails with its two tasks, and nothing replaces it:
  // the other instance is full, so the service runs 2 of 4 until the end.
  CHECK(web.tasks.evicted == 2);
  CHECK(web.tasks.running_at_end == 2);
  CHECK(web.min_running == 2);
  CHECK(web.availability == Approx((1800.0 - 10) / (7200 - 10)));
  CHECK(r.platform.failures == 1);
  CHECK(r.platform.launches == 2);
  REQUIRE_FALSE(r.timeseries.empty());
  CHECK(r.timeseries.front().instances == 2);
  CHECK(r.timeseries.back().instances == 1);
}

TEST_CASE("an instance registered by hand in a failed zone waits for it and comes back",
          "[engine][ecs]") {
  // Two tasks, one per zone; zone a is down from 10 min to 40 min.
  platform::ScheduledFault f;
  f.at = at(10min);
  f.kind = platform::ScheduledFault::Kind::kAzOutage;
  f.az = kA;
  f.duration = 30min;
  const engine::ReplicationResult r = run_with_timeseries(two_by_hand(1h, 2, f));
  const engine::ServiceResult& web = r.services[0];
  // 13 min: the agent has been lost for lost_after (3 min); its task counts as lost and is
  // replaced on b, RUNNING at 13m10s. The instance is never terminated (no group replaces it):
  // it stays registered, reconnects at 40 min, and the service stays where it moved.
  CHECK(web.tasks.evicted == 1);
  CHECK(web.running_by_az == per_zone(0, 2, 0));
  CHECK(web.availability == Approx(1.0 - 190.0 / (3600 - 10)));
  CHECK(r.platform.replacements == 0);
  CHECK(r.platform.launches == 2);
  for (const engine::TimeseriesRow& row : r.timeseries) CHECK(row.instances == 2);
}

TEST_CASE("managed scaling counts and scales in only the Auto Scaling group's instances",
          "[engine][ecs]") {
  // Two idle instances by hand and a group of two with managed scaling: M = 0 busy instances of
  // the group, N = 2: after 15 datapoints below target the group goes to 0. The instances
  // registered by hand are neither counted nor terminated.
  scenario::Scenario s = shop(1h);
  add_fixed(s, 2, kA);
  add_asg(s, 2);
  scenario::AsgCapacityProviderConfig cp;
  cp.name = "shop-asg";
  cp.managed_scaling = ecs::ManagedScaling{};
  s.ecs[0].capacity_provider = cp;
  // A task on an instance by hand makes no instance of the group busy.
  add_service(s, "web", 1).placement_strategy = {
      scenario::StrategyConfig{ecs::StrategyType::kBinpack, ecs::StrategyField::kCpu,
                               scenario::ModelledAttribute::kAvailabilityZone, {}}};
  const engine::ReplicationResult r = run_with_timeseries(s);
  REQUIRE_FALSE(r.timeseries.empty());
  CHECK(r.timeseries.front().instances == 4);
  CHECK(r.timeseries.back().instances == 2);
  CHECK(r.services[0].tasks.running_at_end == 1);
  CHECK(r.services[0].tasks.evicted == 0);
}

TEST_CASE("a scenario file with a group and a fixed list: faults over both, replacement only "
          "for the group",
          "[engine][ecs]") {
  const scenario::Scenario s = load("engine/fixed-instances.yaml");
  // Two of the three instances fail at 10 min, drawn at random from the group's one and the two
  // by hand. A failed instance of the group is replaced (one launch more than the first 3);
  // one by hand is not. So at the end the group has its one, and by hand survive 2 minus those
  // of the 2 failures that were not the group's.
  bool group_hit = false, group_spared = false;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    const engine::ReplicationResult r = run_with_timeseries(s, seed);
    CHECK(r.platform.failures == 2);
    const std::uint64_t group_failed = r.platform.launches - 3;
    REQUIRE(group_failed <= 1);
    const std::uint64_t by_hand_failed = 2 - group_failed;
    REQUIRE_FALSE(r.timeseries.empty());
    CHECK(r.timeseries.back().instances == 1 + (2 - by_hand_failed));
    CHECK(r.jobs[0].tasks.lost() == 0);
    (group_failed == 1 ? group_hit : group_spared) = true;
  }
  // Over 8 seeds both outcomes occur (the group's instance is among the 2 of 3 with chance 2/3).
  CHECK(group_hit);
  CHECK(group_spared);
}
