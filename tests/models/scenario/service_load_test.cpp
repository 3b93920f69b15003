#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "ecsim/scenario/scenario.hpp"

using namespace ecsim;
using namespace ecsim::scenario;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

const std::string kServices = ECSIM_TEST_SCENARIOS "/services/";

// tests/scenarios/services/services.yaml, which must load.
const Scenario& services_scenario() {
  static const LoadResult r = load_scenario(kServices + "services.yaml");
  for (const Diagnostic& d : r.diagnostics.all()) INFO(format_diagnostic(d));
  REQUIRE(r.scenario);
  return *r.scenario;
}

const EcsClusterConfig& prod() {
  REQUIRE(services_scenario().ecs.size() == 1);
  return services_scenario().ecs[0];
}

const ServiceConfig& service(const std::string& name) {
  const auto& services = prod().services;
  const auto it = std::find_if(services.begin(), services.end(),
                               [&](const ServiceConfig& s) { return s.name == name; });
  REQUIRE(it != services.end());
  return *it;
}

}  // namespace

TEST_CASE("a service's own keys are read into its configuration", "[scenario]") {
  const ServiceConfig& web = service("web");
  CHECK(web.task_definition_path == kServices + "web.json");
  CHECK(web.task_definition.family() == "web");
  CHECK(web.service_definition_path.empty());
  CHECK(web.scheduling_strategy == ecs::SchedulingStrategy::kReplica);
  CHECK(web.desired_count == 6);
  CHECK(web.capacity_provider_strategy == ecs::CapacityProviderStrategy{{"prod-asg", 2, 1}});
  REQUIRE(web.placement_strategy.size() == 2);
  CHECK(web.placement_strategy[0].type == ecs::StrategyType::kSpread);
  CHECK(web.placement_strategy[0].field == ecs::StrategyField::kAvailabilityZone);
  CHECK(web.placement_strategy[1].type == ecs::StrategyType::kBinpack);
  CHECK(web.placement_strategy[1].field == ecs::StrategyField::kMemory);
  CHECK(web.distinct_instance);
  CHECK(web.member_of.empty());
  CHECK(web.deployment == ecs::DeploymentConfiguration{50, 150});
  CHECK(web.circuit_breaker);
  CHECK(web.rollback);
  CHECK(web.circuit_breaker_threshold.type == ecs::CircuitBreakerThresholdType::kCount);
  CHECK(web.circuit_breaker_threshold.value == 4);
  CHECK(web.az_rebalancing);
  CHECK_FALSE(web.fails_to_start);
}

TEST_CASE("UpdateService calls are read in time order with their new values", "[scenario]") {
  const ServiceConfig& web = service("web");
  REQUIRE(web.updates.size() == 2);
  const ServiceUpdate& first = web.updates[0];
  CHECK(first.at == kSimStart + hours(1));
  REQUIRE(first.task_definition);
  CHECK(first.task_definition_path == kServices + "web-v2.json");
  // web-v2.json: task cpu "1024", memory "2048".
  CHECK(first.task_definition->reserved_cpu_units() == 1024);
  CHECK(first.task_definition->reserved_memory_mib() == 2048);
  CHECK(first.desired_count == 8);
  CHECK(first.fails_to_start);
  const ServiceUpdate& second = web.updates[1];
  CHECK(second.at == kSimStart + hours(2));
  CHECK_FALSE(second.task_definition);
  CHECK(second.task_definition_path.empty());
  CHECK(second.desired_count == 4);
  CHECK_FALSE(second.fails_to_start);
}

TEST_CASE("a service given only what it must takes AWS's defaults", "[scenario]") {
  const ServiceConfig& plain = service("plain");
  CHECK(plain.scheduling_strategy == ecs::SchedulingStrategy::kReplica);
  CHECK(plain.desired_count == 2);
  CHECK(plain.launch_type == LaunchType::kEc2);
  CHECK(plain.capacity_provider_strategy.empty());
  CHECK(plain.placement_strategy.empty());
  CHECK_FALSE(plain.distinct_instance);
  CHECK(plain.member_of.empty());
  CHECK(plain.deployment == ecs::DeploymentConfiguration{100, 200});
  CHECK_FALSE(plain.circuit_breaker);
  CHECK_FALSE(plain.rollback);
  CHECK(plain.circuit_breaker_threshold.type == ecs::CircuitBreakerThresholdType::kBoundedPercent);
  CHECK(plain.circuit_breaker_threshold.value == 50);
  CHECK_FALSE(plain.az_rebalancing);
  CHECK_FALSE(plain.fails_to_start);
  CHECK(plain.updates.empty());
}

TEST_CASE("a DAEMON service has no desired count and deploys 0/100 by default", "[scenario]") {
  const ServiceConfig& agent = service("agent");
  CHECK(agent.scheduling_strategy == ecs::SchedulingStrategy::kDaemon);
  CHECK(agent.desired_count == 0);
  CHECK(agent.launch_type == LaunchType::kEc2);
  CHECK(agent.deployment == ecs::DeploymentConfiguration{0, 100});
  CHECK(agent.placement_strategy.empty());
  REQUIRE(agent.member_of.size() == 1);
}

TEST_CASE("a create-service JSON file gives the fields the scenario does not", "[scenario]") {
  // web-service.json names the service web-api with desiredCount 4, EC2, minimumHealthyPercent
  // 75, maximumPercent 200, the breaker on without rollback, AZ rebalancing ENABLED; the
  // scenario sets desired_count 3 and maximum_percent 300.
  const ServiceConfig& api = service("web-api");
  CHECK(api.service_definition_path == kServices + "web-service.json");
  CHECK(api.task_definition_path == kServices + "web.json");
  CHECK(api.desired_count == 3);
  CHECK(api.launch_type == LaunchType::kEc2);
  CHECK(api.capacity_provider_strategy.empty());
  CHECK(api.deployment == ecs::DeploymentConfiguration{75, 300});
  CHECK(api.circuit_breaker);
  CHECK_FALSE(api.rollback);
  CHECK(api.az_rebalancing);
  REQUIRE(api.placement_strategy.size() == 1);
  CHECK(api.placement_strategy[0].field == ecs::StrategyField::kInstanceId);
  CHECK(api.member_of.size() == 1);
  CHECK_FALSE(api.distinct_instance);
}

TEST_CASE("a strategy over FARGATE and FARGATE_SPOT keeps its order, bases and weights",
          "[scenario]") {
  const ServiceConfig& spot = service("spot");
  CHECK(spot.capacity_provider_strategy ==
        ecs::CapacityProviderStrategy{{"FARGATE", 1, 0}, {"FARGATE_SPOT", 0, 3}});
  CHECK(spot.fails_to_start);
}

TEST_CASE("the cluster's capacity provider, drains and agent settings are read", "[scenario]") {
  const EcsClusterConfig& c = prod();
  REQUIRE(c.asg);
  REQUIRE(c.capacity_provider);
  CHECK(c.capacity_provider->name == "prod-asg");
  REQUIRE(c.capacity_provider->managed_scaling);
  const ecs::ManagedScaling& scaling = *c.capacity_provider->managed_scaling;
  CHECK(scaling.target_capacity_percent == 90);
  CHECK(scaling.minimum_scaling_step_size == 2);
  CHECK(scaling.maximum_scaling_step_size == 10);
  CHECK(scaling.instance_warmup == seconds(120));
  CHECK(c.capacity_provider->managed_termination_protection);
  CHECK(c.spot_draining);
  CHECK(c.lost_after == minutes(5));
  CHECK(c.task_start_latency.median == seconds(20));
  CHECK(c.task_start_latency.sigma == 0.5);
  REQUIRE(c.drains.size() == 3);
  CHECK(c.drains[0].at == kSimStart + minutes(30));
  CHECK(c.drains[0].kind == DrainConfig::Kind::kInstance);
  CHECK(c.drains[0].instance == 0);
  CHECK(c.drains[1].at == kSimStart + hours(2));
  CHECK(c.drains[1].kind == DrainConfig::Kind::kShare);
  CHECK(c.drains[1].share == 0.33);
  CHECK(c.drains[2].kind == DrainConfig::Kind::kAz);
  // platform.azs lists us-east-1b second.
  CHECK(c.drains[2].az == AzId{1});
  CHECK(c.jobs.size() == 1);
  CHECK(c.services.size() == 5);
}

TEST_CASE("a cluster without the new keys keeps the defaults", "[scenario]") {
  const LoadResult r = load_scenario(ECSIM_SOURCE_DIR "/scenarios/quickstart.yaml");
  REQUIRE(r.scenario);
  const EcsClusterConfig& c = r.scenario->ecs.at(0);
  CHECK_FALSE(c.capacity_provider);
  CHECK(c.services.empty());
  CHECK(c.drains.empty());
  CHECK_FALSE(c.spot_draining);
  CHECK(c.lost_after == kDefaultLostAfter);
  CHECK(c.task_start_latency.median == kDefaultEc2TaskStartLatency.median);
  CHECK(c.task_start_latency.sigma == kDefaultEc2TaskStartLatency.sigma);
}

TEST_CASE("managed_scaling: {} turns managed scaling on with AWS's defaults", "[scenario]") {
  const LoadResult r = load_scenario(kServices + "managed-defaults.yaml");
  for (const Diagnostic& d : r.diagnostics.all()) INFO(format_diagnostic(d));
  REQUIRE(r.scenario);
  const auto& provider = r.scenario->ecs.at(0).capacity_provider;
  REQUIRE(provider);
  REQUIRE(provider->managed_scaling);
  // targetCapacity 100, steps 1 and 10000, warm-up 300 s.
  CHECK(provider->managed_scaling->target_capacity_percent == 100);
  CHECK(provider->managed_scaling->minimum_scaling_step_size == 1);
  CHECK(provider->managed_scaling->maximum_scaling_step_size == 10'000);
  CHECK(provider->managed_scaling->instance_warmup == seconds(300));
  CHECK_FALSE(provider->managed_termination_protection);
}

TEST_CASE("scheduled actions' schedules are read as Application Auto Scaling writes them",
          "[scenario][appscaling]") {
  const LoadResult r = load_scenario(ECSIM_TEST_SCENARIOS "/engine/step-scaling.yaml");
  for (const Diagnostic& d : r.diagnostics.all()) INFO(format_diagnostic(d));
  REQUIRE(r.scenario);
  REQUIRE(r.scenario->scalable_targets.size() == 1);
  const auto& actions = r.scenario->scalable_targets[0].scheduled;
  REQUIRE(actions.size() == 4);
  using Kind = appscaling::ScheduledAction::Kind;
  // cron(0 5 * * ? *): 05:00 every day.
  CHECK(actions[0].kind == Kind::kCron);
  CHECK(actions[0].cron.hours.test(5));
  CHECK(actions[0].cron.minutes.test(0));
  CHECK(actions[0].cron.hours.count() == 1);
  CHECK(actions[0].min_capacity == std::optional<std::int64_t>(9));
  // at(2024-01-01T05:30:00): the run's clock starts at 2024-01-01 00:00 UTC.
  CHECK(actions[1].kind == Kind::kAt);
  CHECK(actions[1].at == kSimStart + hours(5) + minutes(30));
  // AWS numbers the days of the week 1-7 from Sunday: 2-6 is Monday to Friday (1 to 5).
  CHECK(actions[2].cron.weekdays.to_string() == "0111110");
  CHECK_FALSE(actions[2].cron.any_weekday);
  // 1/2: from Sunday, every other day (the step stays 2): Sunday, Tuesday, Thursday, Saturday.
  CHECK(actions[3].cron.weekdays.to_string() == "1010101");
}
