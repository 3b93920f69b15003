// The key figures of every scenario with a golden summary, each asserted on its own with the
// arithmetic that derives it from the scenario's text, so that a regenerated golden cannot
// bless a wrong number: counts, costs, availability, placement. Bounds on random counts are the
// expected value +- 4 standard deviations.

#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "ecsim/engine/engine.hpp"
#include "ecsim/scenario/scenario.hpp"
#include "engine_test_support.hpp"

using namespace ecsim;

namespace {

// On-demand prices of the catalog, USD an hour.
constexpr double kM6iLarge = 0.096;
constexpr double kM6iXlarge = 0.192;
constexpr double kM5Large = 0.096;
constexpr double kEksClusterHour = 0.10;

// Replication 0 of the shipped scenario at `relative` under scenarios/, as the golden runs it.
engine::ReplicationResult run_shipped(const std::string& relative) {
  scenario::LoadResult loaded =
      scenario::load_scenario(std::string(ECSIM_SOURCE_DIR) + "/scenarios/" + relative);
  for (const auto& d : loaded.diagnostics.sorted()) INFO(scenario::format_diagnostic(d));
  REQUIRE(loaded.scenario);
  engine::RunOptions options;
  options.seed = loaded.scenario->seed;
  options.horizon = loaded.scenario->duration;
  engine::ReplicationResult r = engine::run_replication(*loaded.scenario, options);
  CHECK(r.tasks.lost() == 0);
  return r;
}

const engine::ServiceResult& service(const engine::ReplicationResult& r, const std::string& cluster,
                                     const std::string& name) {
  for (const engine::ServiceResult& s : r.services)
    if (s.cluster == cluster && s.name == name) return s;
  FAIL("no service " << cluster << "/" << name);
  return r.services.front();
}

std::int64_t total(const std::vector<std::int64_t>& v) {
  return std::accumulate(v.begin(), v.end(), std::int64_t{0});
}

// Whether `x` is within `expected` +- 4 sqrt(expected), as a Poisson count is but rarely.
bool poisson_plausible(double x, double expected) {
  return std::abs(x - expected) <= 4 * std::sqrt(expected);
}

}  // namespace

TEST_CASE("quickstart: a day of jobs, the zone outage's replacements, the cost",
          "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("quickstart.yaml");
  REQUIRE(r.jobs.size() == 2);
  // report: bursts of 20 every hour from 0h05m: 24 bursts in the day, 480 tasks, all done.
  CHECK(r.jobs[1].tasks.submitted == 480);
  CHECK(r.jobs[1].tasks.completed == 480);
  // etl: diurnal, 75 an hour on average: 1800 expected in the day (a Poisson count).
  CHECK(poisson_plausible(static_cast<double>(r.jobs[0].tasks.submitted), 1800));
  // 6 m6i.xlarge, 2 per zone. Zone b is down 10h to 10h45m: its 2 instances are replaced
  // after 5 minutes unreachable (in a and c); when b is back the group rebalances, launching 2
  // there and then terminating 2: 6 + 2 + 2 launches.
  CHECK(r.platform.replacements == 2);
  CHECK(r.platform.rebalances == 2);
  CHECK(r.platform.launches == 10);
  // EC2: 6 instances all day, 6 x 24 x 0.192 = $27.648, plus each rebalancing launch billed
  // from its launch while the one it replaces still runs: 2 overlaps of about a minute (the
  // launch latency), $0.0064 or so.
  CHECK(r.cost.ec2 > 27.648 + 2 * kM6iXlarge * 30 / 3600);
  CHECK(r.cost.ec2 < 27.648 + 2 * kM6iXlarge * 180 / 3600);
}

TEST_CASE("ecs/az-outage: replacements, rebalancing, and where the tasks end",
          "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("ecs/az-outage.yaml");
  // 9 m6i.large, 3 per zone. Zone a is down 1h to 2h: 3 replaced after 5 minutes, then 3
  // rebalancing launches when it is back: 9 + 3 + 3.
  CHECK(r.platform.replacements == 3);
  CHECK(r.platform.rebalances == 3);
  CHECK(r.platform.launches == 15);
  // 9 instances for 4 h: 9 x 4 x 0.096 = $3.456, plus 3 rebalancing overlaps of about a minute
  // each (one rebalancing launch at a time).
  CHECK(r.cost.ec2 > 3.456 + 3 * kM6iLarge * 30 / 3600);
  CHECK(r.cost.ec2 < 3.456 + 3 * kM6iLarge * 180 / 3600);
  // web (from services/web.json) has AZ rebalancing: back to 3 per zone. api has not: its 3
  // tasks lost in a were replaced in b and c, and stay there.
  const engine::ServiceResult& web = service(r, "shop", "web");
  CHECK(web.running_by_az == test::per_zone(3, 3, 3));
  const engine::ServiceResult& api = service(r, "shop", "api");
  CHECK(api.running_by_az[0] == 0);
  CHECK(total(api.running_by_az) == 9);
  CHECK(api.tasks.evicted == 3);
  CHECK(api.tasks.submitted == 12);
  // Both were short 3 tasks for the 3 minutes until the agents were lost and a few seconds
  // more: availability under 1 - 180 / (4 x 3600) = 0.9875.
  CHECK(web.availability < 1 - 180.0 / (4 * 3600));
  CHECK(api.availability < 1 - 180.0 / (4 * 3600));
  CHECK(api.min_running == 6);
}

TEST_CASE("ecs/daemon: one agent per instance as managed scaling grows the group",
          "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("ecs/daemon.yaml");
  // An m6i.large registers 2048 CPU units: the agent (256) and 3 web tasks (512 each, 1792 in
  // all) fit, a 4th would not (2304). web grows to 30 at 1h: 10 instances, 7 launched.
  CHECK(r.platform.launches == 10);
  const engine::ServiceResult& agent = service(r, "logs", "agent");
  const engine::ServiceResult& web = service(r, "logs", "web");
  CHECK(agent.desired == 10);
  CHECK(agent.tasks.running_at_end == 10);
  CHECK(agent.tasks.submitted == 10);
  CHECK(web.tasks.running_at_end == 30);
}

TEST_CASE("ecs/drain: a third of a cluster drained at 100/200, and stuck at 100/100",
          "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("ecs/drain.yaml");
  REQUIRE(r.drains.size() == 2);
  // share 0.33 of 6: ceil(1.98) = 2 instances each; 12 tasks spread 2 per instance, so 4 on
  // them. roomy (100/200) replaces them (16 submitted) and is drained within seconds (a task
  // starts 10 s after placement, lognormal); tight (100/100) cannot move a task: stuck.
  CHECK(r.drains[0].instances == 2);
  REQUIRE(r.drains[0].drained);
  CHECK(*r.drains[0].drained > test::at(std::chrono::seconds(3600)));
  CHECK(*r.drains[0].drained < test::at(std::chrono::seconds(3600 + 60)));
  CHECK(service(r, "roomy", "web").tasks.submitted == 16);
  CHECK(service(r, "roomy", "web").min_running == 12);
  CHECK(r.drains[1].instances == 2);
  CHECK_FALSE(r.drains[1].drained);
  CHECK(r.drains[1].service_tasks_left == 4);
  CHECK(service(r, "tight", "web").tasks.submitted == 12);
  // 12 m6i.xlarge for 3 h: 12 x 3 x 0.192 = $6.912 exactly (nothing launched or ended).
  CHECK(r.cost.ec2 == Approx(6.912).epsilon(1e-12));
}

TEST_CASE("ecs/fargate-spot: 6 on FARGATE, 14 on FARGATE_SPOT, interruptions replaced",
          "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("ecs/fargate-spot.yaml");
  const engine::ServiceResult& web = service(r, "serverless", "web");
  // 14 Spot tasks interrupted at 0.25 an hour each for 12 h: 42 expected (a Poisson count);
  // each one replaced, so 20 + evicted created.
  CHECK(poisson_plausible(static_cast<double>(web.tasks.evicted), 14 * 0.25 * 12));
  CHECK(web.tasks.submitted == 20 + web.tasks.evicted);
  CHECK(web.tasks.running_at_end == 20);
  // 0.5 vCPU and 1 GiB: $0.024685 a task-hour on demand, $0.0074055 on Spot. 6 and 14 for 12
  // hours: 6 x 12 x 0.024685 + 14 x 12 x 0.0074055 = 1.77732 + 1.244124 = $3.021444; an
  // interrupted task's replacement takes over its billing within the minute (a split of 7 and
  // 13 would cost $3.2288, 5 and 15 $2.8141).
  CHECK(r.cost.fargate == Approx(3.021444).epsilon(1e-3));
}

TEST_CASE("ecs/managed-scaling: 30 instances for a burst of 120 tasks", "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("ecs/managed-scaling.yaml");
  // 120 tasks of 1024 units and 2 GiB; an m6i.xlarge takes 4 (4096 units). 30 instances, in
  // one scale-out (maximum_scaling_step_size 40).
  CHECK(r.jobs[0].tasks.submitted == 120);
  CHECK(r.jobs[0].tasks.completed == 120);
  CHECK(r.platform.launches == 30);
  // Each instance boots (about a minute), runs its tasks for 20 minutes, then idles until
  // scale-in after 15 one-minute datapoints below target: 34 to 38 minutes each.
  CHECK(r.cost.ec2 > 30 * kM6iXlarge * 34 / 60);
  CHECK(r.cost.ec2 < 30 * kM6iXlarge * 38 / 60);
}

TEST_CASE("ecs/placement-binpack, -spread and -random: one workload, binpack the cheapest",
          "[engine][figures]") {
  const engine::ReplicationResult binpack = run_shipped("ecs/placement-binpack.yaml");
  const engine::ReplicationResult spread = run_shipped("ecs/placement-spread.yaml");
  const engine::ReplicationResult random = run_shipped("ecs/placement-random.yaml");
  for (const engine::ReplicationResult* r : {&binpack, &spread, &random}) {
    // web: 12, then 40 at 2h (28 more), then 8 at 4h: 40 tasks made, 8 running at the end.
    const engine::ServiceResult& web = service(*r, "shop", "web");
    CHECK(web.tasks.submitted == 40);
    CHECK(web.tasks.running_at_end == 8);
    // batch: Poisson at 12 an hour for 8 h, 96 expected; the seed (23) is the same for all
    // three, and so are the arrivals.
    CHECK(poisson_plausible(static_cast<double>(r->jobs[0].tasks.submitted), 96));
    CHECK(r->jobs[0].tasks.submitted == binpack.jobs[0].tasks.submitted);
  }
  // binpack packs tasks onto few instances so that scale-in can free the others: it costs
  // less than random, which costs less than spreading over every instance.
  CHECK(binpack.cost.ec2 < random.cost.ec2);
  CHECK(random.cost.ec2 < spread.cost.ec2);
}

TEST_CASE("ecs/rolling-deployments: 100/200, 50/100, and the circuit breaker",
          "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("ecs/rolling-deployments.yaml");
  // surge (100/200): 6 new tasks start before the 6 old stop; never below 6.
  const engine::ServiceResult& surge = service(r, "apps", "surge");
  CHECK(surge.tasks.submitted == 12);
  CHECK(surge.min_running == 6);
  CHECK(surge.deployments.back().state == RolloutState::kCompleted);
  // in-place (50/100): half stop first, so 3 at the least.
  const engine::ServiceResult& in_place = service(r, "apps", "in-place");
  CHECK(in_place.tasks.submitted == 12);
  CHECK(in_place.min_running == 3);
  // broken: the threshold is max(3, min(200, ceil(0.5 x 6))) = 3 failed tasks; the deployment
  // fails and rolls back, and the old revision's 6 tasks run on.
  const engine::ServiceResult& broken = service(r, "apps", "broken");
  REQUIRE(broken.deployments.size() == 3);
  CHECK(broken.deployments[1].state == RolloutState::kFailed);
  CHECK(broken.deployments[1].rolled_back);
  CHECK(broken.deployments[2].trigger == "rollback");
  CHECK(broken.tasks.failed == 3);
  CHECK(broken.tasks.running_at_end == 6);
  CHECK(broken.min_running == 6);
  // 12 m6i.xlarge for 3 h: $6.912.
  CHECK(r.cost.ec2 == Approx(6.912).epsilon(1e-12));
}

TEST_CASE("eks/microservices: the demo on 9 nodes, the tainted group left empty",
          "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("eks/microservices.yaml");
  // 12 Deployments of 1 replica: 12 pods, each created and bound once (24 API requests).
  CHECK(r.tasks.submitted == 12);
  CHECK(r.tasks.running_at_end == 12);
  REQUIRE(r.control_plane.size() == 1);
  CHECK(r.control_plane[0].api_mutating_requests == 24);
  // eksctl's defaults: 3 + 2 + 2 + 2 nodes of m5.large. managed-ng-public's 3 carry NoSchedule
  // and NoExecute taints no pod tolerates: the pods run on the other 6.
  REQUIRE(r.eks_nodes.size() == 1);
  CHECK(r.eks_nodes[0].nodes_at_end == 9);
  CHECK(r.eks_nodes[0].busy_max == 6);
  // 9 x 6 h x 0.096 = $5.184, and the control plane 6 h x $0.10.
  CHECK(r.cost.ec2 == Approx(9 * 6 * kM5Large).epsilon(1e-12));
  CHECK(r.cost.eks_control_plane == Approx(6 * kEksClusterHour).epsilon(1e-12));
}

TEST_CASE("eks/az-outage: two zones down lose etcd quorum for 20 minutes", "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("eks/az-outage.yaml");
  REQUIRE(r.control_plane.size() == 1);
  // At 3h zones a and b fail together for 20 minutes: 2 of 3 etcd members, no quorum. (Zone a
  // alone at 1h leaves 2 of 3.) The API is unavailable 1200 s of 6 h: 1 - 1200 / 21600.
  CHECK(r.control_plane[0].etcd_quorum_lost_seconds == Approx(1200));
  CHECK(r.control_plane[0].api_available_fraction == Approx(1 - 1200.0 / 21600));
  // Every pod that was lost is back by the end: 12 running.
  CHECK(r.tasks.running_at_end == 12);
  CHECK(r.tasks.submitted == 12 + r.tasks.evicted);
}

TEST_CASE("eks/least-vs-most-allocated: six nodes busy against four", "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("eks/least-vs-most-allocated.yaml");
  REQUIRE(r.eks_nodes.size() == 2);
  // 12 pods of 500m on six m6i.large (1930m each): spread, 2 a node; packed, 3 a node (a 4th
  // needs 2000m), so 4 nodes.
  CHECK(r.eks_nodes[0].busy_max == 6);
  CHECK(r.eks_nodes[1].busy_max == 4);
  CHECK(r.tasks.running_at_end == 24);
  // 12 m6i.large for an hour, and two control planes.
  CHECK(r.cost.ec2 == Approx(12 * kM6iLarge).epsilon(1e-12));
  CHECK(r.cost.eks_control_plane == Approx(2 * kEksClusterHour).epsilon(1e-12));
}

TEST_CASE("eks/nodegroup-upgrade: six nodes replaced at the budgets' floors", "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("eks/nodegroup-upgrade.yaml");
  REQUIRE(r.node_group_updates.size() == 1);
  const engine::NodeGroupUpdateResult& u = r.node_group_updates[0];
  CHECK(u.status == "Successful");
  CHECK(u.nodes_replaced == 6);
  CHECK(u.pods_deleted == 0);
  // web's budget (minAvailable 5 of 6) and api's (maxUnavailable 1 of 4) hold: 5 and 3.
  CHECK(service(r, "shop", "web").min_running == 5);
  CHECK(service(r, "shop", "api").min_running == 3);
  // One log agent per node again at the end: 6 nodes.
  CHECK(service(r, "shop", "log-agent").desired == 6);
  CHECK(r.eks_nodes[0].nodes_at_end == 6);
  // At least the 6 nodes for 3 h (6 x 3 x 0.096 = $1.728), and the update's extra ones while
  // they ran: less than 6 more for the hour the update could take.
  CHECK(r.cost.ec2 > 6 * 3 * kM5Large);
  CHECK(r.cost.ec2 < 6 * 3 * kM5Large + 6 * kM5Large);
}

TEST_CASE("eks/nodegroup-upgrade-stuck: PodEvictionFailure, then a forced update",
          "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("eks/nodegroup-upgrade-stuck.yaml");
  REQUIRE(r.node_group_updates.size() == 2);
  const engine::NodeGroupUpdateResult& first = r.node_group_updates[0];
  CHECK(first.status == "Failed");
  CHECK(first.error == "PodEvictionFailure");
  const engine::NodeGroupUpdateResult& forced = r.node_group_updates[1];
  CHECK(forced.force);
  CHECK(forced.status == "Successful");
  // Every old node that holds a ledger pod (the budget allows no eviction) waits 15 minutes,
  // then its pods are deleted: at least the 3 ledger pods (a recreated member may land on an
  // old node and go again). Only one goes at a time, so ledger keeps 2.
  CHECK(forced.pods_deleted >= 3);
  CHECK(service(r, "shop", "ledger").min_running == 2);
  CHECK(service(r, "shop", "web").min_running == 5);
  CHECK(service(r, "shop", "api").min_running == 3);
  // The failed update's scale-up stays (6 + 6 nodes), and the forced one returns to that size.
  CHECK(r.eks_nodes[0].nodes_at_end == 12);
  CHECK(service(r, "shop", "log-agent").desired == 12);
}

TEST_CASE("eks/preemption: the critical pod preempts two batch pods", "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("eks/preemption.yaml");
  // A node fails at 30m: its api pod and 2 batch pods go. The new api pod preempts 2 batch pods
  // elsewhere: api evicted 1, batch 2 + 2 = 4. The replacement node takes 3 batch pods; the
  // 6th finds 330m on the node with 2 api pods and waits.
  const engine::ServiceResult& api = service(r, "shared", "api");
  const engine::ServiceResult& batch = service(r, "shared", "batch");
  CHECK(r.platform.failures == 1);
  CHECK(api.tasks.evicted == 1);
  CHECK(api.tasks.running_at_end == 3);
  CHECK(batch.tasks.evicted == 4);
  CHECK(batch.tasks.running_at_end == 5);
  CHECK(batch.tasks.pending_at_end == 1);
  // batch ran 6 only before the failure: availability about 30 / 120 minutes.
  CHECK(batch.availability == Approx(0.25).margin(0.01));
}

TEST_CASE("eks/shared-cluster: a slow API, a quota too small, a quota with room",
          "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("eks/shared-cluster.yaml");
  REQUIRE(r.control_plane.size() == 1);
  // 323 pods created and bound: 646 requests at 20 a second. The creations queue first: the
  // last completes at 323 / 20 = 16.15 s after it was issued at 0 s.
  CHECK(r.control_plane[0].api_mutating_requests == 646);
  CHECK(r.control_plane[0].api_queue_max_seconds == Approx(323.0 / 20));
  CHECK(r.tasks.running_at_end == 323);
  // ci's quota (400 pods) holds its 300 runners; analytics' refuses one creation.
  CHECK(service(r, "shared", "runners").tasks.running_at_end == 300);
  CHECK(r.control_plane[0].quota_rejections == 1);
}

TEST_CASE("mmc: M/M/4 over 20 hours, 4 replications", "[engine][figures]") {
  scenario::Scenario s = test::load("mmc/mmc.yaml");
  // Poisson at 3 a minute for 20 h: 3600 expected per replication.
  for (std::uint32_t k = 0; k < 4; ++k) {
    engine::RunOptions options;
    options.seed = engine::replication_seed(s.seed, k);
    options.horizon = std::chrono::hours(20);
    options.timeseries = false;
    const engine::ReplicationResult r = engine::run_replication(s, options);
    CHECK(poisson_plausible(static_cast<double>(r.tasks.submitted), 3600));
    CHECK(r.tasks.lost() == 0);
  }
}

TEST_CASE("autoscaling/hpa-diurnal: the HPA follows a diurnal day within its tolerance",
          "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("autoscaling/hpa-diurnal.yaml");
  const engine::ServiceResult& web = service(r, "web", "web");
  REQUIRE(web.load);
  // A whole day of 100 (1 + 0.8 cos(...)) req/s: the cosine integrates to 0.
  CHECK(web.load->requests == Catch::Detail::Approx(100.0 * 86400).epsilon(1e-9));
  // The first 2 pods start within seconds; before that every request is excess (about 31 req/s
  // at 00:00: 100 (1 + 0.8 cos(-14h / 24h x 2 pi)) = 30.7).
  CHECK(web.load->overload_seconds > 0);
  CHECK(web.load->overload_seconds < 15);
  CHECK(web.load->excess_requests < 31 * web.load->overload_seconds);
  REQUIRE(!r.scaling.empty());
  // 2 -> 3 when 2 pods reach 66% (33 req/s), at 4.20h: the first sync after it.
  const ScalingActivity& first = r.scaling.front();
  CHECK(first.from == 2);
  CHECK(first.to == 3);
  CHECK(to_seconds(first.at) / 3600 > 4.19);
  CHECK(to_seconds(first.at) / 3600 < 4.22);
  // The peak holds 11 pods (1800m / 11 = 164m, 65%, within the tolerance), never 12.
  std::int64_t most = 0;
  for (const ScalingActivity& a : r.scaling) {
    most = std::max(most, a.to);
    CHECK(std::abs(a.to - a.from) == 1);  // a slow day: one pod at a time
    CHECK(a.autoscaler == "HorizontalPodAutoscaler default/web");
  }
  CHECK(most == 11);
  // Every scale-down waits out the 300 s window: no two changes of direction within it.
  for (std::size_t i = 1; i < r.scaling.size(); ++i)
    if (r.scaling[i].to < r.scaling[i].from && r.scaling[i - 1].to > r.scaling[i - 1].from)
      CHECK(r.scaling[i].at - r.scaling[i - 1].at >= std::chrono::seconds(300));
  CHECK(r.scaling.back().to == 3);
  CHECK(web.desired == 3);
  // Never short of CPU once running: the mean use is near the 60% target and no minute reached
  // 100% (at most 66%, where the HPA adds a pod).
  CHECK(web.load->cpu_percent_max < 67);
  CHECK(web.load->overloaded_periods == 0);
}

TEST_CASE("autoscaling/ecs-target-tracking: AlarmHigh and AlarmLow as the traffic doubles",
          "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("autoscaling/ecs-target-tracking.yaml");
  const engine::ServiceResult& api = service(r, "shop", "api");
  REQUIRE(api.load);
  REQUIRE(r.scaling.size() == 3);
  using std::chrono::minutes;
  // AlarmHigh after three minutes above 60% (from 1h01m): 1h04m, ceil(4 x 85 / 60) = 6.
  CHECK(r.scaling[0].at == kSimStart + minutes(64));
  CHECK(r.scaling[0].from == 4);
  CHECK(r.scaling[0].to == 6);
  // Within the cooldown the capacity before it counts: ceil(4 x 95 / 60) = 7.
  CHECK(r.scaling[1].at == kSimStart + minutes(65));
  CHECK(r.scaling[1].to == 7);
  // AlarmLow after 15 minutes below 54% (from 3h01m): 3h16m, ceil(7 x 28.6 / 60) = 4.
  CHECK(r.scaling[2].at == kSimStart + minutes(196));
  CHECK(r.scaling[2].to == 4);
  CHECK(r.scaling[2].reason.find("AlarmLow") != std::string::npos);
  // traffic.csv integrates to 200 req/s for 6 h, plus 200 more over the ramps' triangles
  // (5 and 10 minutes) and from 1h05m to 3h: 200 x 21600 + 200 x 300 / 2 + 200 x 6900 +
  // 200 x 600 / 2.
  CHECK(api.load->requests ==
        Catch::Detail::Approx(200.0 * 21600 + 200.0 * 300 / 2 + 200.0 * 6900 + 200.0 * 600 / 2));
  // Overloaded only before the first tasks run, in the first minute.
  CHECK(api.load->overload_seconds < 20);
  CHECK(api.load->overloaded_periods <= 1);
  // Two instances: the first for 6 h, the second from about 1h05m (launched once the desired
  // count outgrew the first).
  CHECK(r.platform.launches == 2);
  CHECK(r.cost.ec2 > kM6iLarge * (6 + 4.85));
  CHECK(r.cost.ec2 < kM6iLarge * (6 + 4.95));
}

TEST_CASE("autoscaling/hpa-cluster-autoscaler: nodes follow the HPA's pods through the day",
          "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("autoscaling/hpa-cluster-autoscaler.yaml");
  const engine::ServiceResult& web = service(r, "shop", "web");
  REQUIRE(web.load);
  REQUIRE(r.eks_nodes.front().autoscaled);
  const eks::NodesResult::Autoscaled& ca = *r.eks_nodes.front().autoscaled;
  std::int64_t most_pods = 0;
  std::vector<const ScalingActivity*> nodes;
  for (const ScalingActivity& a : r.scaling) {
    if (a.autoscaler == "ClusterAutoscaler") nodes.push_back(&a);
    else most_pods = std::max(most_pods, a.to);
  }
  // The peak needs 7200m / (0.66 x 500m) = 21.8 pods or more; three 500m pods per node.
  CHECK(most_pods >= 22);
  CHECK(ca.nodes_max == (most_pods + 2) / 3);
  // Every scale-up is for pending pods, every scale-down follows one, and the count adds up.
  std::int64_t size = 2;
  for (const ScalingActivity* a : nodes) {
    CHECK(a->from == size);
    size = a->to;
    if (a->to > a->from) CHECK(a->reason.starts_with("TriggeredScaleUp"));
  }
  CHECK(size == r.eks_nodes.front().nodes_at_end);
  CHECK(static_cast<std::int64_t>(ca.nodes_added) - static_cast<std::int64_t>(ca.nodes_removed) ==
        size - 2);
  // Billed from each launch: at least the registered node-hours, and far less than the peak's
  // 8 nodes all day.
  CHECK(r.cost.ec2 >= kM6iLarge * 24 * ca.nodes_mean);
  CHECK(r.cost.ec2 < kM6iLarge * 24 * ca.nodes_mean + kM6iLarge * 20.0 / 60);
  CHECK(r.cost.ec2 < kM6iLarge * 24 * 8 * 0.7);
  // New pods wait for their node's boot: some overload, never a whole overloaded minute.
  CHECK(web.load->overloaded_periods == 0);
  CHECK(web.load->overload_seconds < 120);
}

TEST_CASE("autoscaling/zone-outage-at-peak: target tracking reacts, the HPA does not, Karpenter and Beanstalk launch elsewhere",
          "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("autoscaling/zone-outage-at-peak.yaml");
  using std::chrono::hours;
  using std::chrono::minutes;
  // ECS: AlarmHigh three minutes after the outage (14:00): ceil(7 x 100 / 60) = 12.
  std::vector<const ScalingActivity*> ecs, hpa, karpenter, beanstalk;
  for (const ScalingActivity& a : r.scaling) {
    if (a.at < kSimStart + hours(14) || a.at > kSimStart + hours(15)) continue;
    if (a.cluster == "web-karpenter") karpenter.push_back(&a);
    else if (a.cluster == "awseb-shop-web") beanstalk.push_back(&a);
    else (a.autoscaler.starts_with("Application") ? ecs : hpa).push_back(&a);
  }
  REQUIRE(ecs.size() == 2);
  CHECK(ecs[0]->at == kSimStart + hours(14) + minutes(3));
  CHECK(ecs[0]->from == 7);
  CHECK(ecs[0]->to == 12);
  // Back to 7 on AlarmLow, 15 datapoints after the replacements ran.
  CHECK(ecs[1]->to == 7);
  CHECK(ecs[1]->at - ecs[0]->at >= minutes(15));
  // EKS: no HPA change while the pods of us-east-1a are unready (counted at 0% on a scale-up).
  for (const ScalingActivity* a : hpa) CHECK(a->autoscaler == "ClusterAutoscaler");
  const engine::ServiceResult& web = service(r, "web", "web");
  REQUIRE(web.load);
  // Overloaded from 14:00 until the evicted pods (at 14:05:50) run again on other nodes.
  CHECK(web.load->overload_seconds > 350);
  CHECK(web.load->overload_seconds < 900);
  CHECK(web.tasks.evicted >= 12);
  // Karpenter: the evicted pods' batch closes a second after the eviction (14:05:51) and its
  // claims all go to us-east-1b, the pool's zone that is up; the HPA makes no change there
  // either. From 15:00 the empty nodes of us-east-1a, reachable again, go one per 10 s pass.
  REQUIRE_FALSE(karpenter.empty());
  bool launched = false;
  for (const ScalingActivity* a : karpenter) {
    CHECK(a->autoscaler == "Karpenter");
    if (!a->reason.starts_with("Launched NodeClaim for")) continue;
    if (!launched) CHECK(a->at == kSimStart + hours(14) + minutes(5) + std::chrono::seconds(51));
    launched = true;
    CHECK(a->reason.find(" in us-east-1b ") != std::string::npos);
  }
  CHECK(launched);
  std::vector<SimTime> empties;
  for (const ScalingActivity& a : r.scaling)
    if (a.cluster == "web-karpenter" && a.reason.starts_with("Empty:") && a.at >= kSimStart + hours(15) &&
        a.at < kSimStart + hours(15) + minutes(5))
      empties.push_back(a.at);
  REQUIRE(empties.size() >= 2);
  CHECK(empties.front() == kSimStart + hours(15));
  for (std::size_t i = 1; i < empties.size(); ++i) CHECK(empties[i] - empties[i - 1] == std::chrono::seconds(10));
  // Beanstalk: at 5 instances when the zone fails; the 14:00-14:05 datapoint is the 3 reporting
  // instances' alone (each near 96,000 B/s x 300 s / 3 = 9.6 MB at the peak): 5 -> 6 at 14:05.
  REQUIRE(beanstalk.size() == 1);
  CHECK(beanstalk[0]->at == kSimStart + hours(14) + minutes(5));
  CHECK(beanstalk[0]->from == 5);
  CHECK(beanstalk[0]->to == 6);
  REQUIRE(r.beanstalk.size() == 1);
  CHECK(r.beanstalk[0].scale_ins == 0);  // 6 instances at night: 10 req/s, 2.4 MB each
  CHECK(r.beanstalk[0].instances_max == 6);
}

TEST_CASE("autoscaling/karpenter-vs-cluster-autoscaler: Karpenter's smaller nodes, its consolidation's evictions",
          "[engine][figures]") {
  const engine::ReplicationResult r = run_shipped("autoscaling/karpenter-vs-cluster-autoscaler.yaml");
  REQUIRE(r.eks_nodes.size() == 2);
  REQUIRE(r.eks_nodes[0].autoscaled);
  REQUIRE(r.eks_nodes[1].karpenter);
  const eks::NodesResult::Provisioned& k = *r.eks_nodes[1].karpenter;
  // Each Karpenter claim is the cheapest type that holds its batch: a c7a.medium (1 vCPU, one
  // 500m pod) or a c6a.large (2 vCPU, up to three); the CA adds m6i.large only.
  std::size_t launches = 0;
  for (const ScalingActivity& a : r.scaling) {
    if (a.autoscaler != "Karpenter" || !a.reason.starts_with("Launched NodeClaim for")) continue;
    ++launches;
    const bool one = a.reason.starts_with("Launched NodeClaim for 1 pod(s): c7a.medium");
    const bool few = a.reason.find(": c6a.large on-demand") != std::string::npos;
    CHECK((one || few));
  }
  CHECK(launches + k.replaced == k.nodeclaims);
  // Smaller nodes: more of them at the peak than the CA's 8.
  CHECK(k.nodes_max > r.eks_nodes[0].autoscaled->nodes_max);
  // Consolidation evicts: every eviction comes from a node it deleted with pods (underutilized
  // or replaced), far more than the CA's one drain.
  CHECK(k.underutilized + k.replaced > 0);
  CHECK(k.pods_evicted > r.eks_nodes[0].autoscaled->pods_evicted);
  CHECK(k.expired == 0);  // expireAfter 720h: nothing expires in a day
  // Without autoscaling: the CA cluster's peak of 8 m6i.large kept all day, 8 x 0.096 USD/h;
  // what its nodes cost registered is well below.
  const eks::NodesResult::Autoscaled& ca = *r.eks_nodes[0].autoscaled;
  CHECK(ca.usd_per_hour_max == Approx(0.096 * static_cast<double>(ca.nodes_max)));
  CHECK(ca.usd_per_hour_mean * 24 < 0.7 * ca.usd_per_hour_max * 24);
  CHECK(k.usd_per_hour_mean < k.usd_per_hour_max);
}
