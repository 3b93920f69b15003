// EKS clusters in the engine: nodes, controllers, the scheduling queue, node lifecycle and the
// control plane's quorum, on the scenarios of tests/scenarios/eks/engine.

#include <catch2/catch.hpp>

#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "engine_test_support.hpp"

namespace ecsim::test {
namespace {

const engine::ServiceResult& service(const engine::ReplicationResult& r, const std::string& name) {
  for (const engine::ServiceResult& s : r.services)
    if (s.name == name) return s;
  FAIL("no service " << name);
  return r.services.front();
}

std::size_t service_index(const engine::ReplicationResult& r, const std::string& name) {
  for (std::size_t k = 0; k < r.services.size(); ++k)
    if (r.services[k].name == name) return k;
  FAIL("no service " << name);
  return 0;
}

/// Service `name`'s RUNNING pods per zone in the time-series row at `when`.
std::vector<std::int64_t> running_at(const engine::ReplicationResult& r, const std::string& name,
                                     SimDuration when) {
  const std::size_t k = service_index(r, name);
  constexpr std::size_t kZones = 3;
  for (const engine::TimeseriesRow& row : r.timeseries) {
    if (row.at != at(when)) continue;
    std::vector<std::int64_t> out;
    for (std::size_t z = 0; z < kZones; ++z) out.push_back(row.service_running_by_az[k * kZones + z]);
    return out;
  }
  FAIL("no time-series row at that instant");
  return {};
}

std::int64_t sum(const std::vector<std::int64_t>& v) {
  return std::accumulate(v.begin(), v.end(), std::int64_t{0});
}

}  // namespace

TEST_CASE("EKS: a Deployment of 6 pods on 3 nodes runs them spread over the zones") {
  const scenario::Scenario s = load("eks/engine/deployment.yaml");
  const engine::ReplicationResult r = run_with_timeseries(s);
  CHECK(r.tasks.lost() == 0);
  const engine::ServiceResult& web = service(r, "web");
  CHECK(web.orchestrator == "eks");
  CHECK(web.desired == 6);
  CHECK(web.running_by_az == per_zone(2, 2, 2));
  CHECK(web.tasks.submitted == 6);
  CHECK(web.tasks.running_at_end == 6);
  CHECK(web.tasks.lost() == 0);
  CHECK(web.availability == Approx(1.0));
  CHECK(r.wait.max > 0);
  REQUIRE(r.control_plane.size() == 1);
  CHECK(r.control_plane[0].cluster == "run");
  CHECK(r.control_plane[0].etcd_quorum_lost_seconds == 0);
  CHECK(r.control_plane[0].api_available_fraction == Approx(1.0));
}

TEST_CASE("EKS: a DaemonSet runs one pod per node") {
  const scenario::Scenario s = load("eks/engine/deployment.yaml");
  const engine::ReplicationResult r = run_with_timeseries(s);
  const engine::ServiceResult& agent = service(r, "agent");
  CHECK(agent.orchestrator == "eks");
  CHECK(agent.desired == 3);
  CHECK(agent.running_by_az == per_zone(1, 1, 1));
  CHECK(agent.tasks.submitted == 3);
  CHECK(agent.tasks.lost() == 0);
}

TEST_CASE("EKS: a zone outage evicts the lost nodes' pods after grace and toleration") {
  const scenario::Scenario s = load("eks/engine/zone-outage.yaml");
  const engine::ReplicationResult r = run_with_timeseries(s);
  CHECK(r.tasks.lost() == 0);
  using std::chrono::minutes;
  // Zone a goes down at 30m: its pods stop serving at once, but are evicted only 40 s + 2 min
  // later (32m40s), then recreated in the other zones (before the group replaces the
  // instance at 35m).
  CHECK(running_at(r, "web", minutes(29)) == per_zone(2, 2, 2));
  for (const engine::TimeseriesRow& row : r.timeseries)
    if (row.at == at(minutes(32))) CHECK(row.pending == 0);
  const std::vector<std::int64_t> during = running_at(r, "web", minutes(32));
  CHECK(during[0] == 0);
  CHECK(sum(during) == 4);
  const std::vector<std::int64_t> after = running_at(r, "web", minutes(34));
  CHECK(after[0] == 0);
  CHECK(sum(after) == 6);
  const engine::ServiceResult& web = service(r, "web");
  CHECK(web.tasks.evicted == 2);
  CHECK(web.tasks.lost() == 0);
  // The DaemonSet's pods tolerate the taints: they go only with their nodes' instances (the
  // group replaces the unhealthy one, and rebalances when the zone is back).
  CHECK(service(r, "agent").tasks.evicted ==
        r.platform.replacements + r.platform.rebalances);
  REQUIRE(r.control_plane.size() == 1);
  CHECK(r.control_plane[0].etcd_quorum_lost_seconds == 0);
}

TEST_CASE("EKS: two zones down lose etcd quorum and nothing is rescheduled until it returns") {
  const scenario::Scenario s = load("eks/engine/quorum-loss.yaml");
  const engine::ReplicationResult r = run_with_timeseries(s);
  CHECK(r.tasks.lost() == 0);
  using std::chrono::minutes;
  // Zones a and b down from 30m to 50m (a until 1h30m): only zone c's pods serve, and the
  // evictions due at 35m40s wait for quorum.
  CHECK(running_at(r, "web", minutes(45)) == per_zone(0, 0, 2));
  for (const engine::TimeseriesRow& row : r.timeseries)
    if (row.at == at(minutes(45))) CHECK(row.pending == 0);
  // Quorum is back at 50m: zone b's pods serve again, zone a's are evicted and recreated.
  const std::vector<std::int64_t> after = running_at(r, "web", minutes(55));
  CHECK(after[0] == 0);
  CHECK(sum(after) == 6);
  REQUIRE(r.control_plane.size() == 1);
  CHECK(r.control_plane[0].etcd_quorum_lost_seconds == Approx(1200));
  CHECK(r.control_plane[0].api_available_fraction < 1.0);
}

TEST_CASE("EKS: a higher-priority pod that does not fit preempts a lower-priority one") {
  const scenario::Scenario s = load("eks/engine/preemption.yaml");
  const engine::ReplicationResult r = run_with_timeseries(s);
  CHECK(r.tasks.lost() == 0);
  const engine::ServiceResult& db = service(r, "db");
  CHECK(db.tasks.running_at_end == 2);
  CHECK(db.tasks.evicted == 0);
  const engine::ServiceResult& low = service(r, "low");
  CHECK(low.tasks.evicted == 1);
  CHECK(low.tasks.running_at_end == 0);
  CHECK(low.tasks.pending_at_end == 1);
}

}  // namespace ecsim::test
