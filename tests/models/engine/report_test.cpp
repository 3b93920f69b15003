#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecsim/engine/engine.hpp"
#include "ecsim/engine/report.hpp"
#include "ecsim/scenario/scenario.hpp"

using namespace ecsim;
using namespace ecsim::engine;
using Json = nlohmann::json;

namespace {

// Student's t_{0.975, 1}: with two replications x and y the sample standard deviation is
// |x - y| / sqrt(2), so the 95% half-width t * s / sqrt(2) is t * |x - y| / 2.
constexpr double kT1 = 12.706204736;

SimTime at_seconds(std::int64_t s) { return kSimStart + std::chrono::seconds(s); }

scenario::Scenario two_zones() {
  scenario::Scenario s;
  s.name = "services";
  s.duration = std::chrono::hours(1);
  s.platform.azs = {"us-east-1a", "us-east-1b"};
  return s;
}

// One replication of a 1h run with the service prod/web (desired 4, 4 running at the end) and
// one drain.
ReplicationResult replication(std::int64_t min_running, double mean_running, double availability,
                              std::vector<std::int64_t> by_az, std::uint64_t evicted,
                              std::vector<DeploymentResult> deployments, DrainResult drain) {
  ServiceResult svc;
  svc.cluster = "prod";
  svc.name = "web";
  svc.desired = 4;
  svc.min_running = min_running;
  svc.mean_running = mean_running;
  svc.availability = availability;
  svc.running_by_az = std::move(by_az);
  svc.tasks.submitted = 4 + evicted;
  svc.tasks.started = 4 + evicted;
  svc.tasks.evicted = evicted;
  svc.tasks.running_at_end = 4;
  svc.deployments = std::move(deployments);
  ReplicationResult r;
  r.end = at_seconds(3600);
  r.services.push_back(std::move(svc));
  r.drains.push_back(std::move(drain));
  return r;
}

// Replication 0: the update at 30m fails and rolls back, the drain at 20m completes at 25m.
ReplicationResult first() {
  ReplicationResult r = replication(
      3, 3.9, 0.95, {2, 2}, 2,
      {{"create", kSimStart, at_seconds(42), RolloutState::kCompleted, false, {}, 0},
       {"update at 30m", at_seconds(1800), at_seconds(2100), RolloutState::kFailed, true, {}, 3}},
      {"prod", at_seconds(1200), 2, at_seconds(1500), 0});
  TimeseriesRow row;
  row.at = at_seconds(60);
  row.running = 5;
  row.pending = 1;
  row.cpu_reserved_by_az = {1024, 512};
  row.memory_reserved_by_az = {2048, 1024};
  row.cost_usd = 0.5;
  row.instances = 3;
  row.service_running_by_az = {2, 1};
  r.timeseries.push_back(row);
  return r;
}

// Replication 1: the update is stuck from 31m40s on, the drain never completes.
ReplicationResult second() {
  return replication(
      2, 3.7, 0.85, {1, 3}, 1,
      {{"create", kSimStart, at_seconds(50), RolloutState::kCompleted, false, {}, 0},
       {"update at 30m", at_seconds(1800), {}, RolloutState::kInProgress, false, at_seconds(1900), 1}},
      {"prod", at_seconds(1200), 2, {}, 2});
}

RunReport report_of(const scenario::Scenario& s, std::vector<ReplicationResult> reps) {
  RunReport report;
  report.scenario = &s;
  report.seed = 1;
  report.replications = std::move(reps);
  report.version = "test";
  return report;
}

}  // namespace

TEST_CASE("summary.json reports a service's deployments and drains as they went in one run",
          "[engine][report]") {
  const scenario::Scenario s = two_zones();
  const Json j = Json::parse(summary_json(report_of(s, {first()}), false));
  REQUIRE(j["services"].size() == 1);
  const Json& svc = j["services"][0];
  CHECK(svc["cluster"] == "prod");
  CHECK(svc["name"] == "web");
  CHECK(svc["orchestrator"] == "ecs");
  CHECK(svc["desired"] == 4);
  CHECK(svc["min_running"] == 3);
  CHECK(svc["mean_running"] == 3.9);
  CHECK(svc["availability"] == 0.95);
  CHECK_FALSE(svc.contains("availability_ci95"));
  CHECK(svc["running_by_az"] == Json::parse(R"({"us-east-1a": 2, "us-east-1b": 2})"));
  CHECK(svc["tasks"] == Json::parse(R"({"submitted": 6, "started": 6, "completed": 0,
      "failed": 0, "evicted": 2, "running_at_end": 4, "pending_at_end": 0, "lost": 0})"));
  CHECK(svc["deployments"] == Json::parse(R"([
      {"trigger": "create", "started_seconds": 0, "finished_seconds": 42,
       "state": "COMPLETED", "rolled_back": false, "stuck_since_seconds": null,
       "failed_tasks": 0},
      {"trigger": "update at 30m", "started_seconds": 1800, "finished_seconds": 2100,
       "state": "FAILED", "rolled_back": true, "stuck_since_seconds": null,
       "failed_tasks": 3}])"));
  CHECK(j["drains"] == Json::parse(R"([{"cluster": "prod", "at_seconds": 1200, "instances": 2,
      "drained_seconds": 1500, "drained_fraction": 1, "service_tasks_left": 0}])"));
}

TEST_CASE("summary.json averages services and drains over replications with 95% half-widths",
          "[engine][report]") {
  const scenario::Scenario s = two_zones();
  const Json j = Json::parse(summary_json(report_of(s, {first(), second()}), false));
  const Json& svc = j["services"][0];
  CHECK(svc["desired"] == 4.0);
  CHECK(svc["desired_ci95"] == 0.0);
  // min_running 3 and 2: mean 2.5, half-width t * 1 / 2.
  CHECK(svc["min_running"] == 2.5);
  CHECK(svc["min_running_ci95"].get<double>() == Approx(kT1 * 0.5));
  // mean_running 3.9 and 3.7: mean 3.8, half-width t * 0.2 / 2 = 1.2706.
  CHECK(svc["mean_running"].get<double>() == Approx(3.8));
  CHECK(svc["mean_running_ci95"].get<double>() == Approx(kT1 * 0.1));
  // availability 0.95 and 0.85: mean 0.9, half-width t * 0.1 / 2 = 0.6353.
  CHECK(svc["availability"].get<double>() == Approx(0.9));
  CHECK(svc["availability_ci95"].get<double>() == Approx(kT1 * 0.05));
  // Zone a: 2 and 1, mean 1.5; zone b: 2 and 3, mean 2.5; both half-widths t * 1 / 2.
  CHECK(svc["running_by_az"]["us-east-1a"] == 1.5);
  CHECK(svc["running_by_az"]["us-east-1a_ci95"].get<double>() == Approx(kT1 * 0.5));
  CHECK(svc["running_by_az"]["us-east-1b"] == 2.5);
  // Evicted 2 and 1, submitted 6 and 5.
  CHECK(svc["tasks"]["evicted"] == 1.5);
  CHECK(svc["tasks"]["submitted"] == 5.5);
  CHECK(svc["tasks"]["lost"] == 0.0);

  const Json& create = svc["deployments"][0];
  CHECK(create["trigger"] == "create");
  CHECK(create["completed"] == 2);
  CHECK(create["failed"] == 0);
  // Finished at 42 s and 50 s: mean 46, half-width t * 8 / 2 = 50.82.
  CHECK(create["finished_seconds"] == 46.0);
  CHECK(create["finished_seconds_ci95"].get<double>() == Approx(kT1 * 4));
  // Only replication 0 finished the update (at 2100 s): one sample, no spread. Failed tasks 3
  // and 1: mean 2, half-width t * 2 / 2.
  Json update = svc["deployments"][1];
  CHECK(update["failed_tasks_ci95"].get<double>() == Approx(kT1));
  update.erase("failed_tasks_ci95");
  CHECK(update == Json::parse(R"({"trigger": "update at 30m",
      "started_seconds": 1800.0, "started_seconds_ci95": 0.0,
      "finished_seconds": 2100.0, "finished_seconds_ci95": 0.0,
      "completed": 0, "failed": 1, "in_progress": 1, "rolled_back": 1, "stuck": 1,
      "failed_tasks": 2.0})"));

  // Drained in 1 of 2 (at 1500 s): drained_fraction is the mean of 1 and 0, half-width
  // t * 1 / 2; 0 and 2 tasks left: mean 1, half-width t * 2 / 2.
  Json drain = j["drains"][0];
  CHECK(drain["drained_fraction_ci95"].get<double>() == Approx(kT1 * 0.5));
  CHECK(drain["service_tasks_left_ci95"].get<double>() == Approx(kT1));
  drain.erase("drained_fraction_ci95");
  drain.erase("service_tasks_left_ci95");
  CHECK(drain == Json::parse(R"({"cluster": "prod",
      "at_seconds": 1200.0, "at_seconds_ci95": 0.0, "instances": 2.0, "instances_ci95": 0.0,
      "drained_seconds": 1500.0, "drained_seconds_ci95": 0.0,
      "drained_fraction": 0.5, "service_tasks_left": 1.0})"));
}

TEST_CASE("a drain that never completes has no drained time", "[engine][report]") {
  const scenario::Scenario s = two_zones();
  const Json j = Json::parse(summary_json(report_of(s, {second()}), false));
  CHECK(j["drains"][0]["drained_seconds"].is_null());
  CHECK(j["drains"][0]["drained_fraction"] == 0);
  CHECK(j["services"][0]["deployments"][1]["finished_seconds"].is_null());
  CHECK(j["services"][0]["deployments"][1]["stuck_since_seconds"] == 1900);
}

TEST_CASE("a run without services reports empty services and drains", "[engine][report]") {
  const scenario::Scenario s = two_zones();
  ReplicationResult r;
  const Json j = Json::parse(summary_json(report_of(s, {r, r}), false));
  CHECK(j["services"] == Json::array());
  CHECK(j["drains"] == Json::array());
}

TEST_CASE("timeseries.csv adds instances and running tasks per service and zone",
          "[engine][report]") {
  const scenario::Scenario s = two_zones();
  const std::string csv = timeseries_csv(report_of(s, {first(), second()}));
  CHECK(csv ==
        "replication,time_s,running,pending,cpu_units_reserved_us-east-1a,"
        "cpu_units_reserved_us-east-1b,memory_mib_reserved_us-east-1a,"
        "memory_mib_reserved_us-east-1b,cost_usd,instances,running:prod/web:us-east-1a,"
        "running:prod/web:us-east-1b\n"
        "0,60,5,1,1024,512,2048,1024,0.500000,3,2,1\n");
}

TEST_CASE("timeseries.csv quotes a column name that holds a comma or a quote",
          "[engine][report]") {
  scenario::Scenario s = two_zones();
  s.platform.azs = {"a"};
  ReplicationResult r;
  ServiceResult svc;
  svc.cluster = "c";
  svc.name = "x,\"y\"";
  svc.running_by_az = {0};
  r.services.push_back(svc);
  const std::string csv = timeseries_csv(report_of(s, {r}));
  CHECK(csv.find(",instances,\"running:c/x,\"\"y\"\":a\"\n") != std::string::npos);
}

TEST_CASE("the terminal summary lists services and drains in aligned tables",
          "[engine][report]") {
  const scenario::Scenario s = two_zones();
  const std::string one = terminal_summary(report_of(s, {first()}));
  CHECK_THAT(one, Catch::Contains(
      "service (cluster/name)    desired  min run  mean run  avail %  us-east-1a  us-east-1b"
      "  deployments\n"
      "prod/web                        4        3      3.90    95.00           2           2"
      "  create COMPLETED at 42s; update at 30m FAILED at 35m (rolled back)\n"));
  CHECK_THAT(one, Catch::Contains(
      "drain (cluster)                   at  instances          drained at  service tasks left\n"
      "prod                             20m          2                 25m                   0\n"));

  const std::string two = terminal_summary(report_of(s, {first(), second()}));
  CHECK_THAT(two, Catch::Contains(
      "prod/web                        4      2.5      3.80    90.00         1.5         2.5"
      "  create 2 COMPLETED; update at 30m 1 FAILED (1 rolled back), 1 IN_PROGRESS (1 stuck)\n"));
  CHECK_THAT(two, Catch::Contains(
      "prod                             20m          2           25m (1/2)                   1\n"));

  ReplicationResult bare;
  CHECK_THAT(terminal_summary(report_of(s, {bare})), !Catch::Contains("service (cluster/name)") &&
                                                         !Catch::Contains("drain (cluster)"));
}
