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

using std::chrono::minutes;
using std::chrono::seconds;

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

/// One replication of the scenario at `relative` under tests/scenarios, every pod accounted for.
engine::ReplicationResult run_eks(const std::string& relative) {
  const engine::ReplicationResult r = run_with_timeseries(load(relative));
  CHECK(r.tasks.lost() == 0);
  return r;
}

/// The time-series row at `when`.
const engine::TimeseriesRow& row_at(const engine::ReplicationResult& r, SimDuration when) {
  for (const engine::TimeseriesRow& row : r.timeseries)
    if (row.at == at(when)) return row;
  FAIL("no time-series row at that instant");
  return r.timeseries.front();
}

/// Web's pods per zone at `before` (none in zone a, `serving` in all) and at `after` (none in
/// zone a, all 6 recreated elsewhere), with nothing pending at `before`.
void check_web_moves(const engine::ReplicationResult& r, SimDuration before,
                     std::int64_t serving, SimDuration after) {
  CHECK(row_at(r, before).pending == 0);
  const std::vector<std::int64_t> early = running_at(r, "web", before);
  CHECK(early[0] == 0);
  CHECK(sum(early) == serving);
  const std::vector<std::int64_t> late = running_at(r, "web", after);
  CHECK(late[0] == 0);
  CHECK(sum(late) == 6);
}

/// Workload `name` of `r` is an EKS service that ran `by_zone` pods, as many as it created.
const engine::ServiceResult& check_steady(const engine::ReplicationResult& r,
                                          const std::string& name,
                                          const std::vector<std::int64_t>& by_zone) {
  const engine::ServiceResult& svc = service(r, name);
  CHECK(svc.orchestrator == "eks");
  CHECK(svc.desired == sum(by_zone));
  CHECK(svc.running_by_az == by_zone);
  CHECK(svc.tasks.submitted == static_cast<std::uint64_t>(sum(by_zone)));
  CHECK(svc.tasks.lost() == 0);
  return svc;
}

}  // namespace

TEST_CASE("EKS: a Deployment of 6 pods on 3 nodes runs them spread over the zones") {
  const engine::ReplicationResult r = run_eks("eks/engine/deployment.yaml");
  const engine::ServiceResult& web = check_steady(r, "web", per_zone(2, 2, 2));
  CHECK(web.tasks.running_at_end == 6);
  CHECK(web.availability == Approx(1.0));
  // Every pod binds at once and waits only its start latency, a lognormal of median 5 s and
  // sigma 0.3: within 5 x e^(+-4 x 0.3), 1.5 s to 16.6 s, for all 9 (6 web, 3 agent).
  CHECK(r.wait.max > 1.5);
  CHECK(r.wait.max < 16.6);
  CHECK(r.wait.mean > 1.5);
  CHECK(r.wait.mean < 16.6);
  REQUIRE(r.control_plane.size() == 1);
  CHECK(r.control_plane[0].cluster == "run");
  CHECK(r.control_plane[0].etcd_quorum_lost_seconds == 0);
  CHECK(r.control_plane[0].api_available_fraction == Approx(1.0));
  // The control plane's fee: 30 minutes at $0.10 per cluster-hour.
  CHECK(r.cost.eks_control_plane == Approx(0.05));
}

TEST_CASE("EKS: a DaemonSet runs one pod per node") {
  const engine::ReplicationResult r = run_eks("eks/engine/deployment.yaml");
  check_steady(r, "agent", per_zone(1, 1, 1));
}

TEST_CASE("EKS: a zone outage evicts the lost nodes' pods after grace and toleration") {
  const engine::ReplicationResult r = run_eks("eks/engine/zone-outage.yaml");
  // Zone a goes down at 30m: its pods stop serving at once, but are evicted only 40 s + 2 min
  // later (32m40s), then recreated in the other zones (before the group replaces the
  // instance at 35m).
  CHECK(running_at(r, "web", minutes(29)) == per_zone(2, 2, 2));
  check_web_moves(r, minutes(32), 4, minutes(34));
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
  const engine::ReplicationResult r = run_eks("eks/engine/quorum-loss.yaml");
  // Zones a and b down from 30m to 50m (a until 1h30m): only zone c's pods serve, and the
  // evictions due at 35m40s wait for quorum (nothing pending: no pod recreated). Quorum is
  // back at 50m: zone b's pods serve again, zone a's are evicted and recreated.
  CHECK(running_at(r, "web", minutes(45)) == per_zone(0, 0, 2));
  check_web_moves(r, minutes(45), 2, minutes(55));
  REQUIRE(r.control_plane.size() == 1);
  CHECK(r.control_plane[0].etcd_quorum_lost_seconds == Approx(1200));
  CHECK(r.control_plane[0].api_available_fraction < 1.0);
}

TEST_CASE("EKS: a higher-priority pod that does not fit preempts a lower-priority one") {
  const engine::ReplicationResult r = run_eks("eks/engine/preemption.yaml");
  const engine::ServiceResult& db = service(r, "db");
  CHECK(db.tasks.running_at_end == 2);
  CHECK(db.tasks.evicted == 0);
  const engine::ServiceResult& low = service(r, "low");
  CHECK(low.tasks.evicted == 1);
  CHECK(low.tasks.running_at_end == 0);
  CHECK(low.tasks.pending_at_end == 1);
}

TEST_CASE("EKS: preemption spares the pod whose PodDisruptionBudget allows no disruption") {
  // Evicting either low-priority pod makes room for db-1. Without the budget the victim is the
  // one that started later, `guarded` with seeds 1 and 3 (checked by hand with minAvailable 0);
  // with it, `plain` goes whatever the seed.
  const scenario::Scenario s = load("eks/engine/preemption-budget.yaml");
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    const engine::ReplicationResult r = run_with_timeseries(s, seed);
    CAPTURE(seed);
    CHECK(service(r, "db").tasks.running_at_end == 2);
    CHECK(service(r, "guarded").tasks.evicted == 0);
    CHECK(service(r, "guarded").tasks.running_at_end == 1);
    CHECK(service(r, "plain").tasks.evicted == 1);
    CHECK(service(r, "plain").tasks.pending_at_end == 1);
  }
}

TEST_CASE("EKS: a Job runs its completions, parallelism pods at a time, and reports in jobs[]") {
  const engine::ReplicationResult r = run_eks("eks/engine/job.yaml");
  REQUIRE(r.jobs.size() == 1);
  const engine::JobResult& batch = r.jobs[0];
  CHECK(batch.cluster == "run");
  CHECK(batch.name == "batch");
  CHECK(batch.tasks.submitted == 6);
  CHECK(batch.tasks.completed == 6);
  CHECK(batch.tasks.lost() == 0);
  // Three rounds of two 5-minute pods: all done in a little over 15 minutes.
  CHECK(row_at(r, minutes(7)).running == 6 + 3 + 2);
  CHECK(row_at(r, minutes(20)).running == 6 + 3);
  for (const engine::ServiceResult& svc : r.services) CHECK(svc.name != "batch");
}

TEST_CASE("EKS: bare Pods run once and are never replaced and spec.nodeName goes to the kubelet") {
  const engine::ReplicationResult r = run_eks("eks/engine/bare-pods.yaml");
  // Scheduled (it tolerates the taint), evicted by the drain at 30m, not made again.
  CHECK(service(r, "solo").tasks.started == 1);
  CHECK(service(r, "solo").tasks.evicted == 1);
  CHECK(service(r, "solo").tasks.submitted == 1);
  CHECK(service(r, "solo").tasks.pending_at_end == 0);
  // Bound by name although it tolerates no taint: the kubelet does not check NoSchedule.
  CHECK(service(r, "pinned").tasks.started == 1);
  CHECK(service(r, "pinned").tasks.evicted == 1);
  CHECK(service(r, "pinned").tasks.submitted == 1);
  // 4 CPUs on a node with 1930m allocatable: the kubelet refuses it (OutOfcpu), for good.
  CHECK(service(r, "too-big").tasks.failed == 1);
  CHECK(service(r, "too-big").tasks.submitted == 1);
  // A node that never registers: Pending to the end, no scheduler ever tries it.
  CHECK(service(r, "elsewhere").tasks.pending_at_end == 1);
  CHECK(service(r, "elsewhere").tasks.started == 0);
  CHECK(r.tasks.lost() == 0);
}

TEST_CASE("EKS: each scoped ResourceQuota counts only the pods its scopes select") {
  const engine::ReplicationResult r = run_eks("eks/engine/quota-scopes.yaml");
  CHECK(service(r, "high").tasks.running_at_end == 6);        // pods-high: 10
  CHECK(service(r, "low").tasks.running_at_end == 4);         // pods-low: 4
  CHECK(service(r, "plain").tasks.running_at_end == 12);      // no quota counts them
  CHECK(service(r, "besteffort").tasks.running_at_end == 2);  // best-effort: 2
  REQUIRE(r.namespaces.size() == 1);
  CHECK(r.namespaces[0].at_end.pods == 24);
}

namespace {

const engine::JobResult& job_named(const engine::ReplicationResult& r, const std::string& name) {
  const auto it = std::find_if(r.jobs.begin(), r.jobs.end(),
                               [&](const engine::JobResult& j) { return j.name == name; });
  REQUIRE(it != r.jobs.end());
  return *it;
}

}  // namespace

TEST_CASE("EKS: CronJobs make Jobs at their schedule by their concurrencyPolicy") {
  // cronjobs.yaml: every 15 minutes in 1h59m, 7 times; each Job one pod of 20 minutes.
  const engine::ReplicationResult r = run_eks("eks/engine/cronjobs.yaml");
  CHECK(job_named(r, "allow").tasks.submitted == 7);
  CHECK(job_named(r, "allow").tasks.completed == 6);
  // Forbid: the times a Job still runs are skipped, every other one.
  CHECK(job_named(r, "forbid").tasks.submitted == 4);
  // Replace: each Job deletes the one before, whose pod stops early.
  CHECK(job_named(r, "replace").tasks.submitted == 7);
  CHECK(job_named(r, "replace").tasks.evicted == 6);
  CHECK(job_named(r, "replace").tasks.completed == 0);
  CHECK(job_named(r, "suspended").tasks.submitted == 0);
}

TEST_CASE("EKS: a CronJob's Job that cannot be made within startingDeadlineSeconds is missed") {
  // No etcd quorum from 40m to 50m: the Jobs due at 45m are made at 50m, or missed.
  const engine::ReplicationResult r = run_eks("eks/engine/cronjob-deadline.yaml");
  CHECK(job_named(r, "late").tasks.submitted == 3);
  CHECK(job_named(r, "deadline").tasks.submitted == 2);
}

TEST_CASE("EKS: failed pods, the back-off, activeDeadlineSeconds and podFailurePolicy") {
  const engine::ReplicationResult r = run_eks("eks/engine/job-failures.yaml");
  using Reasons = std::map<std::string, std::uint64_t>;
  // Four pods fail: three replaced, the fourth past backoffLimit 3.
  CHECK(job_named(r, "always-fails").tasks.submitted == 4);
  CHECK(job_named(r, "always-fails").tasks.failed == 4);
  CHECK(job_named(r, "always-fails").failure_reasons == Reasons{{"BackoffLimitExceeded", 1}});
  // Its 10-minute pod is stopped at 2m with the Job.
  CHECK(job_named(r, "deadline").tasks.evicted == 1);
  CHECK(job_named(r, "deadline").failure_reasons == Reasons{{"DeadlineExceeded", 1}});
  // Exit code 42: FailJob at the first failure.
  CHECK(job_named(r, "fail-fast").tasks.submitted == 1);
  CHECK(job_named(r, "fail-fast").failure_reasons == Reasons{{"PodFailurePolicy", 1}});
  // Exit code 3 is ignored: replaced at once, each about 65 s, and never past backoffLimit 0.
  CHECK(job_named(r, "ignored").tasks.submitted > 20);
  CHECK(job_named(r, "ignored").tasks.running_at_end == 1);
  CHECK(job_named(r, "ignored").failure_reasons.empty());
}

TEST_CASE("EKS: a failed pod's replacement waits 10 s then 20 s then 40 s") {
  // One pod at a time, each failing a minute after it starts (its start takes a few seconds).
  const engine::ReplicationResult r = run_eks("eks/engine/job-backoff-delay.yaml");
  const auto pods = [&](std::int64_t s) {
    const engine::TimeseriesRow& row = row_at(r, std::chrono::seconds{s});
    return row.running + row.pending;
  };
  CHECK(pods(60) == 1);
  CHECK(pods(70) == 0);  // first failure at about 65 s, the next pod at about 75 s
  CHECK(pods(80) == 1);
  CHECK(pods(140) == 0);  // second failure at about 135 s: 20 s
  CHECK(pods(150) == 0);
  CHECK(pods(160) == 1);
  CHECK(pods(230) == 0);  // third failure at about 225 s: 40 s
  CHECK(pods(260) == 0);
  CHECK(pods(270) == 1);
  CHECK(pods(400) == 0);  // the fourth failed the Job
  CHECK(r.jobs[0].failure_reasons ==
        std::map<std::string, std::uint64_t>{{"BackoffLimitExceeded", 1}});
}

TEST_CASE("EKS: an unheard node's pods go by their unreachable toleration, after the grace of their version") {
  // unreachable.yaml: zone a cut off at 10m. Cluster "run" (no version: 1.32 or later) is
  // NotReady at 10m50s, "old" (1.31) at 10m40s; unreachable-60 then goes 60 s later, and
  // not-ready-only 300 s later, its not-ready toleration not covering the unreachable taint.
  scenario::Scenario s = load("eks/engine/unreachable.yaml");
  const auto evicted = [&](SimDuration until, const std::string& cluster, const std::string& name) {
    s.duration = until;
    const engine::ReplicationResult r = run_with_timeseries(s);
    const auto it = std::find_if(r.services.begin(), r.services.end(),
                                 [&](const engine::ServiceResult& x) {
                                   return x.cluster == cluster && x.name == name;
                                 });
    REQUIRE(it != r.services.end());
    return it->tasks.evicted;
  };
  using std::chrono::minutes;
  using std::chrono::seconds;
  CHECK(evicted(minutes(11) + seconds(35), "old", "unreachable-60") == 0);
  CHECK(evicted(minutes(11) + seconds(45), "old", "unreachable-60") == 1);
  CHECK(evicted(minutes(11) + seconds(45), "run", "unreachable-60") == 0);
  CHECK(evicted(minutes(11) + seconds(55), "run", "unreachable-60") == 1);
  // Not at 11m50s, as a not-ready toleration read as covering both taints would have it (the
  // platform terminates the cut-off instance at 15m, which takes the pod with its node).
  CHECK(evicted(minutes(14) + seconds(55), "run", "not-ready-only") == 0);
}

TEST_CASE("EKS on Fargate: a profile's pods run one per Fargate node in the zones, billed at Fargate's price") {
  // fargate.yaml: api (3 pods of 1 CPU, 2 GiB: Fargate 1 vCPU, 3 GiB) and worker (2 pods
  // without requests: 0.25 vCPU, 0.5 GiB) on Fargate; web and the DaemonSet agent on the 3 EC2
  // nodes. Zone a is cut off at 10m; its Fargate pods are evicted at 15m50s (50 s grace, then
  // the default 300 s toleration) and replaced in zones b and c.
  const engine::ReplicationResult r = run_eks("eks/engine/fargate.yaml");
  // Spread over the zones: api 1 per zone; worker in a, then b (api's pods tie the zones).
  CHECK(running_at(r, "api", minutes(5)) == std::vector<std::int64_t>{1, 1, 1});
  CHECK(running_at(r, "worker", minutes(5)) == std::vector<std::int64_t>{1, 1, 0});
  // The DaemonSet runs on the EC2 nodes only, one each, though its namespace is a profile's.
  CHECK(running_at(r, "agent", minutes(5)) == std::vector<std::int64_t>{1, 1, 1});
  // Cut off: not serving, still bound to their Fargate nodes until the eviction.
  CHECK(running_at(r, "api", minutes(15) + std::chrono::seconds(40)) ==
        std::vector<std::int64_t>{0, 1, 1});
  CHECK(service(r, "api").tasks.evicted == 1);
  CHECK(service(r, "worker").tasks.evicted == 1);
  // Replaced within a launch (40 s median) in the zones that are up, fewest first.
  CHECK(running_at(r, "api", minutes(18)) == std::vector<std::int64_t>{0, 1, 2});
  CHECK(running_at(r, "worker", minutes(18)) == std::vector<std::int64_t>{0, 1, 1});
  // Billed from each launch to the run's end or the eviction, whose replacement launches at
  // once: 3 api pods x 20 min at (1 x 0.04048 + 3 x 0.004445) USD/h = 0.053815, and 2 worker
  // pods x 20 min at (0.25 x 0.04048 + 0.5 x 0.004445) USD/h = 0.0123425 x 2/3.
  CHECK(r.cost.fargate == Approx(0.053815 + 0.0123425 * 2.0 / 3.0).epsilon(1e-9));
}

TEST_CASE("EKS: a node group's instancesDistribution launches On-Demand and Spot nodes of its types") {
  // spot-mix.yaml: 5 nodes, base 1 and 50% On-Demand above it: launches 1, 2 and 4 On-Demand
  // m5.large (0.096 USD/h), 3 and 5 Spot m5a.large (0.086 USD/h at 70% off), over zones a, b,
  // c, a, b. on-spot's pods select m5a.large: one on each Spot node, in zones c and b.
  const engine::ReplicationResult r = run_eks("eks/engine/spot-mix.yaml");
  CHECK(r.cost.ec2 == Approx(3 * 0.096 + 2 * 0.086 * 0.3).epsilon(1e-9));
  const engine::ServiceResult& on_spot = service(r, "on-spot");
  CHECK(on_spot.running_by_az == std::vector<std::int64_t>{0, 1, 1});
  CHECK(on_spot.tasks.running_at_end == 2);
  CHECK(on_spot.tasks.pending_at_end == 2);
}

TEST_CASE("EKS: nodes carry the kubelet's os and arch labels, and a gated pod is never scheduled") {
  // website-pods.yaml: two pods of the Kubernetes website's examples, unchanged. One requires
  // kubernetes.io/os In [linux] and runs; the other lists two schedulingGates and stays
  // Pending (nothing removes them).
  const engine::ReplicationResult r = run_eks("eks/engine/website-pods.yaml");
  CHECK(service(r, "with-affinity-preferred-weight").tasks.running_at_end == 1);
  const engine::ServiceResult& gated = service(r, "test-pod");
  CHECK(gated.tasks.started == 0);
  CHECK(gated.tasks.pending_at_end == 1);
}

TEST_CASE("EKS: a failed instance's Node and pods go once it is NotReady, not at once") {
  // replacement.yaml: a node fails at 10m. Its pods stop serving at once; the Node is deleted,
  // its instance gone, when it turns NotReady 50 s later (node-monitor-grace-period), and its
  // pods are evicted then.
  scenario::Scenario s = load("eks/engine/replacement.yaml");
  const auto evicted = [&](SimDuration until) {
    s.duration = until;
    const engine::ReplicationResult r = run_with_timeseries(s);
    std::uint64_t n = 0;
    for (const engine::ServiceResult& x : r.services) n += x.tasks.evicted;
    return n;
  };
  using std::chrono::seconds;
  CHECK(evicted(minutes(10) + seconds(45)) == 0);
  CHECK(evicted(minutes(10) + seconds(55)) > 0);
}

TEST_CASE("EKS: a Recreate rollout stops every old pod before it starts the new ones") {
  const engine::ReplicationResult r = run_eks("eks/engine/recreate.yaml");
  const engine::ServiceResult& web = service(r, "web");
  CHECK(web.min_running == 0);
  CHECK(web.tasks.completed == 6);
  CHECK(web.tasks.running_at_end == 6);
  // Right after 10m: 6 pods, none running (the old ones gone, the new ones starting).
  const engine::TimeseriesRow& just_after = row_at(r, std::chrono::minutes(10) + std::chrono::seconds(1));
  CHECK(just_after.running == 0);
  CHECK(just_after.pending == 6);
  REQUIRE(web.deployments.size() == 1);
  CHECK(web.deployments[0].state == RolloutState::kCompleted);
}

// --- operations: node group updates, cordons and drains --------------------------------------

TEST_CASE("EKS: a Job stops making pods once more than backoffLimit of them failed") {
  // job-backoff.yaml: 3 pods of 2 CPU, one per node (an m6i.xlarge has room for one), 3 hours
  // each, so none completes in the hour. An instance fails at 10m and another at 20m: every
  // node holds one of the Job's pods then (the group replaces the first failed instance within a
  // minute and the replacement pod binds there), so whichever fails, a pod fails with it. The
  // outcome is the same for every seed (1, 2 and 3 checked).
  scenario::Scenario s = load("eks/engine/job-backoff.yaml");
  SECTION("backoffLimit 1: the first failure is replaced, the second is past the limit") {
    const engine::ReplicationResult r = run_eks("eks/engine/job-backoff.yaml");
    REQUIRE(r.jobs.size() == 1);
    const engine::TaskCounts& t = r.jobs[0].tasks;
    // The second failure fails the Job (BackoffLimitExceeded): its 2 pods still running are
    // terminated with it, 4 stopped in all.
    CHECK(t.submitted == 4);
    CHECK(t.evicted == 4);
    CHECK(t.running_at_end == 0);
    CHECK(t.completed == 0);
    CHECK(r.jobs[0].failure_reasons ==
          std::map<std::string, std::uint64_t>{{"BackoffLimitExceeded", 1}});
  }
  SECTION("backoffLimit 2: both failures are replaced") {
    s.eks[0].manifests.jobs[0].backoff_limit = 2;
    const engine::ReplicationResult r = run_with_timeseries(s);
    REQUIRE(r.jobs.size() == 1);
    const engine::TaskCounts& t = r.jobs[0].tasks;
    CHECK(t.submitted == 5);
    CHECK(t.evicted == 2);
    CHECK(t.running_at_end == 3);
  }
}

TEST_CASE("EKS: a node group update replaces every node, one at a time, at the budget's floor") {
  const engine::ReplicationResult r = run_eks("eks/engine/upgrade.yaml");
  REQUIRE(r.node_group_updates.size() == 1);
  const engine::NodeGroupUpdateResult& u = r.node_group_updates[0];
  CHECK(u.cluster == "run");
  CHECK(u.node_group == "workers");
  CHECK(u.status == "Successful");
  CHECK(u.error.empty());
  CHECK(u.nodes_replaced == 3);
  CHECK(u.pods_evicted >= 6);  // every web pod left an old node at least once
  CHECK(u.pods_deleted == 0);
  REQUIRE(u.finished);
  CHECK(*u.finished - u.at < minutes(15));
  // The budget (minAvailable 5 of 6) let one web pod go at a time: never fewer than 5 ran.
  const engine::ServiceResult& web = service(r, "web");
  CHECK(web.min_running == 5);
  CHECK(web.tasks.running_at_end == 6);
  CHECK(web.tasks.evicted == u.pods_evicted);  // drains evict only web: DaemonSet pods stay
  // The group is back to its three nodes: the DaemonSet wants three pods.
  CHECK(service(r, "agent").desired == 3);
  // Three old nodes, six added by the scale-up, three replacements: 12 launches at least.
  CHECK(r.platform.launches >= 12);
}

TEST_CASE("EKS: an update whose budget allows no eviction fails with PodEvictionFailure") {
  const engine::ReplicationResult r = run_eks("eks/engine/upgrade-stuck.yaml");
  REQUIRE(r.node_group_updates.size() == 2);
  const engine::NodeGroupUpdateResult& u = r.node_group_updates[0];
  CHECK(u.status == "Failed");
  CHECK(u.error == "PodEvictionFailure");
  REQUIRE(u.finished);
  // The scale-up's nodes are Ready about a minute in; the first node's drain then fails 15
  // minutes later (checked every 5 s).
  CHECK(*u.finished - u.at >= minutes(15));
  CHECK(*u.finished - u.at <= minutes(18));
  CHECK(u.nodes_replaced == 0);
  CHECK(u.pods_evicted == 0);
  const engine::ServiceResult& web = service(r, "web");
  CHECK(web.min_running == 6);
  CHECK(web.tasks.evicted == 0);
  // The second update, at 35m, is refused while the first is in progress.
  const engine::NodeGroupUpdateResult& second = r.node_group_updates[1];
  CHECK(second.status == "Failed");
  CHECK(second.error == "ResourceInUseException");
  CHECK(second.finished == std::optional(at(minutes(35))));
}

TEST_CASE("EKS: a forced update deletes the pods its budget protects after 15 minutes") {
  const engine::ReplicationResult r = run_eks("eks/engine/upgrade-forced.yaml");
  REQUIRE(r.node_group_updates.size() == 1);
  const engine::NodeGroupUpdateResult& u = r.node_group_updates[0];
  CHECK(u.force);
  CHECK(u.status == "Successful");
  CHECK(u.nodes_replaced == 3);
  CHECK(u.pods_evicted == 0);  // the budget never allowed an eviction
  CHECK(u.pods_deleted >= 6);  // each old node's web pods were deleted after 15 minutes
  REQUIRE(u.finished);
  CHECK(*u.finished - u.at >= minutes(45));
  const engine::ServiceResult& web = service(r, "web");
  CHECK(web.min_running < 6);
  CHECK(web.tasks.running_at_end == 6);
}

TEST_CASE("EKS: a cordoned node takes no new pod, and a drain evicts within the budget or is stuck") {
  const engine::ReplicationResult r = run_eks("eks/engine/drain.yaml");
  // Node 0 (zone a) cordoned at 10m keeps its pods; node 1 (zone b) drained at 20m, one pod at
  // a time (minAvailable 5 of 6): both go to the only schedulable node, in zone c.
  CHECK(running_at(r, "web", minutes(15)) == per_zone(2, 2, 2));
  CHECK(running_at(r, "web", minutes(25)) == per_zone(2, 0, 4));
  // Node 2 drained at 40m: the budget lets one pod go, which has nowhere to land (every node
  // cordoned); the rest stay, so the drain never ends.
  CHECK(running_at(r, "web", minutes(45)) == per_zone(2, 0, 3));
  CHECK(row_at(r, minutes(45)).pending == 1);
  REQUIRE(r.drains.size() == 2);
  CHECK(r.drains[0].cluster == "run");
  CHECK(r.drains[0].instances == 1);
  REQUIRE(r.drains[0].drained);
  CHECK(*r.drains[0].drained > at(minutes(20)));
  CHECK(*r.drains[0].drained < at(minutes(21)));
  CHECK(r.drains[0].service_tasks_left == 0);
  CHECK_FALSE(r.drains[1].drained);
  CHECK(r.drains[1].service_tasks_left == 3);
  const engine::ServiceResult& web = service(r, "web");
  CHECK(web.min_running == 5);
  CHECK(web.tasks.evicted == 3);
  // DaemonSet pods are not evicted by a drain.
  CHECK(service(r, "agent").tasks.evicted == 0);
  CHECK(service(r, "agent").running_by_az == per_zone(1, 1, 1));
}

TEST_CASE("EKS: a Deployment rollout keeps within maxSurge and maxUnavailable, and a broken one stalls") {
  const engine::ReplicationResult r = run_eks("eks/engine/rollout.yaml");
  const engine::ServiceResult& web = service(r, "web");
  REQUIRE(web.deployments.size() == 3);
  // 6 replicas, 25%: maxSurge 2 (rounded up), maxUnavailable 1 (rounded down). The restart at
  // 10m replaces every pod within seconds, never with fewer than 5 running.
  const engine::DeploymentResult& restart = web.deployments[0];
  CHECK(restart.trigger == "rollout at 10m");
  CHECK(restart.state == RolloutState::kCompleted);
  REQUIRE(restart.finished);
  CHECK(*restart.finished - restart.started < minutes(1));
  CHECK(web.min_running == 5);
  // The broken revision at 30m: 2 new pods (the surge), then one old one removed (down to 5
  // available) and a third new one; none becomes Ready, so it stalls with 5 old pods serving and
  // 3 new ones pending, until the next rollout supersedes it.
  const engine::DeploymentResult& broken = web.deployments[1];
  CHECK(broken.state == RolloutState::kStopped);
  CHECK(broken.finished == std::optional(at(minutes(50))));
  CHECK(broken.stuck_since == std::optional(at(minutes(30))));
  CHECK(sum(running_at(r, "web", minutes(40))) == 5);
  CHECK(row_at(r, minutes(40)).pending == 3);
  // The fixed revision asks 750m per pod and 8 replicas: all 8 run by the end.
  const engine::DeploymentResult& fixed = web.deployments[2];
  CHECK(fixed.state == RolloutState::kCompleted);
  CHECK(web.desired == 8);
  CHECK(web.tasks.running_at_end == 8);
  CHECK(web.tasks.pending_at_end == 0);
  CHECK(web.tasks.lost() == 0);
}

TEST_CASE("EKS: a rollout still in progress at the end of a run says so, stuck or not") {
  // The rollout scenario cut short while its broken revision (30m) stalls: its 3 new pods never
  // become Ready and the last progress was at 30m (the surge and one old pod removed, within a
  // second of the rollout). At 35m that is 5 minutes without progress: IN_PROGRESS, not yet
  // stuck; at 45m, 15 minutes, past progressDeadlineSeconds (600 s): stuck since 30m. Neither
  // has finished, and the restart at 10m before it has completed.
  scenario::Scenario s = test::load("eks/engine/rollout.yaml");
  for (const auto& [end, stuck] :
       {std::pair{minutes(35), false}, std::pair{minutes(45), true}}) {
    INFO("run ends at " << format_duration(end));
    engine::RunOptions options;
    options.horizon = end;
    const engine::ReplicationResult r = engine::run_replication(s, options);
    const engine::ServiceResult& web = service(r, "web");
    REQUIRE(web.deployments.size() == 2);
    CHECK(web.deployments[0].state == RolloutState::kCompleted);
    const engine::DeploymentResult& broken = web.deployments[1];
    CHECK(broken.trigger == "rollout at 30m");
    CHECK(broken.state == RolloutState::kInProgress);
    CHECK_FALSE(broken.finished);
    CHECK(broken.stuck_since == (stuck ? std::optional(at(minutes(30))) : std::nullopt));
    // 5 old pods serve, 3 new ones wait: 8 in all, as the bounds allow (6 + maxSurge 2).
    CHECK(web.tasks.running_at_end == 5);
    CHECK(web.tasks.pending_at_end == 3);
  }
}

namespace {

/// Namespace `name` of `r`.
const engine::NamespaceResult& name_space(const engine::ReplicationResult& r,
                                          const std::string& name) {
  for (const engine::NamespaceResult& n : r.namespaces)
    if (n.name == name) return n;
  FAIL("no namespace " << name);
  return r.namespaces.front();
}

}  // namespace

TEST_CASE("EKS: a ResourceQuota refuses pod creations past its pods, CPU or memory") {
  const engine::ReplicationResult r = run_eks("eks/engine/quota.yaml");
  // team-a (pods 3): web's 2 pods and one of the Job's; the Job's second pod is refused at the
  // start and created when the first completes (10 minutes), so both complete.
  REQUIRE(r.jobs.size() == 1);
  CHECK(r.jobs[0].tasks.submitted == 2);
  CHECK(r.jobs[0].tasks.completed == 2);
  const engine::NamespaceResult& a = name_space(r, "team-a");
  CHECK(a.cluster == "run");
  CHECK(a.quota_rejections == 1);
  CHECK(a.hard_pods == 3);
  CHECK(a.hard_cpu_millis == 2000);
  CHECK(a.hard_memory_bytes == 4LL << 30);
  // Peak: 2 x 500m + 100m, 2 x 512Mi + 128Mi; at the end web's two pods.
  CHECK(a.peak == engine::QuotaAmounts{3, 1100, 1152LL << 20});
  CHECK(a.at_end == engine::QuotaAmounts{2, 1000, 1LL << 30});
  // team-b (the scenario's cpu: 3): 3 of api's 5 one-CPU pods, one refusal (nothing frees).
  const engine::ServiceResult& api = service(r, "api");
  CHECK(api.tasks.submitted == 3);
  CHECK(api.tasks.running_at_end == 3);
  CHECK(api.availability == 0);
  const engine::NamespaceResult& b = name_space(r, "team-b");
  CHECK(b.quota_rejections == 1);
  CHECK_FALSE(b.hard_pods.has_value());
  CHECK(b.hard_cpu_millis == 3000);
  // team-c: a quota on requests.memory refuses a pod that requests none.
  CHECK(service(r, "bare").tasks.submitted == 0);
  CHECK(name_space(r, "team-c").quota_rejections == 1);
  REQUIRE(r.control_plane.size() == 1);
  CHECK(r.control_plane[0].quota_rejections == 3);
}

TEST_CASE("EKS: 1,000 pod creations at 50 mutating requests a second queue for 20 s") {
  const scenario::Scenario s = load("eks/engine/api-rate.yaml");
  const engine::ReplicationResult r = run_with_timeseries(s);
  CHECK(r.tasks.lost() == 0);
  CHECK(r.tasks.running_at_end == 1000);
  REQUIRE(r.control_plane.size() == 1);
  const engine::ControlPlaneResult& cp = r.control_plane[0];
  // 1,000 creations and 1,000 bindings. Creation k completes at k / 50 s (the last at 20 s);
  // pod k is scheduled then, and its binding waits behind the creations still queued: it
  // completes at 20 + k / 50 s, 20 s after it was issued.
  CHECK(cp.api_mutating_requests == 2000);
  CHECK(cp.api_queue_max_seconds == Approx(20.0));
  CHECK(cp.api_queue_mean_seconds == Approx((10.01 + 20.0) / 2));
  // The last pod starts about 5 s (its start latency) after its binding at 40 s.
  CHECK(r.wait.max > 40.0);
  CHECK(r.wait.max < 60.0);
  // Without the limit: the same requests, none waits.
  scenario::Scenario unlimited = s;
  unlimited.eks[0].api_mutating_rps.reset();
  const engine::ReplicationResult u = run_with_timeseries(unlimited);
  CHECK(u.control_plane[0].api_mutating_requests == 2000);
  CHECK(u.control_plane[0].api_queue_max_seconds == 0);
  CHECK(u.wait.max < 25.0);  // the start latency alone (lognormal, median 5 s)
}

TEST_CASE("EKS: a DaemonSet runs only on the nodes its selector and tolerations admit") {
  const engine::ReplicationResult r = run_eks("eks/engine/daemons.yaml");
  // Three workers (one per zone) and two GPU nodes (zones a and b), tainted NoSchedule.
  check_steady(r, "agent", per_zone(1, 1, 1));
  check_steady(r, "gpu-agent", per_zone(1, 1, 0));
  check_steady(r, "logs", per_zone(2, 2, 1));
}

TEST_CASE("EKS: a DaemonSet's desired count leaves out a node while it is NotReady") {
  const engine::ReplicationResult r = run_eks("eks/engine/zone-outage.yaml");
  // Zone a's node is unreachable from 30m and NotReady from 30m40s until the group replaces it
  // at 35m: from then the agent wants 2 pods, not 3, and has them. It is short for the 40 s of
  // grace and the starts of its pods on new nodes (about 5 s each, here and when the group
  // rebalances after the outage), not for the 5 minutes to the replacement (which would leave
  // it below 1 - 300 / 7200).
  CHECK(running_at(r, "agent", minutes(32)) == per_zone(0, 1, 1));
  CHECK(service(r, "agent").availability > 1 - 120.0 / 7200);
}

TEST_CASE("EKS: a rollout whose surge a quota refuses goes by maxUnavailable, and counts each revision's requests") {
  const engine::ReplicationResult r = run_eks("eks/engine/rollout-quota.yaml");
  const engine::ServiceResult& web = service(r, "web");
  REQUIRE(web.deployments.size() == 2);
  CHECK(web.deployments[0].state == RolloutState::kCompleted);
  CHECK(web.deployments[1].state == RolloutState::kCompleted);
  CHECK(web.min_running == 5);  // maxUnavailable 1
  REQUIRE(r.namespaces.size() == 1);
  const engine::NamespaceResult& ns = r.namespaces[0];
  // The quota holds 9 pods and 3.3 CPUs: the namespace never went past them, the surges were
  // refused, and the old pods left with the requests they came with (6 x 400m + 3 x 100m).
  CHECK(ns.peak.pods == 9);
  CHECK(ns.peak.cpu_millis == 3300);
  // Each rollout replaces the 6 old pods one at a time, and each new pod is first refused once
  // (its surge, or the next creation in the same pass): 6 a rollout (one rollout alone makes 6).
  CHECK(ns.quota_rejections == 12);
  CHECK(ns.at_end.pods == 9);
  CHECK(ns.at_end.cpu_millis == 6 * 400 + 3 * 100);
}

TEST_CASE("EKS: pods a newer rollout removes while they start never run") {
  // The rollout at 10m2s makes the first one's new pods old while they start (5 s median): they
  // are removed before they run, and their start is cancelled with them.
  const engine::ReplicationResult r = run_eks("eks/engine/rollout-twice.yaml");
  const engine::ServiceResult& web = service(r, "web");
  REQUIRE(web.deployments.size() == 2);
  CHECK(web.deployments[0].state == RolloutState::kStopped);
  CHECK(web.deployments[1].state == RolloutState::kCompleted);
  CHECK(web.tasks.started < web.tasks.submitted);
  CHECK(web.tasks.running_at_end == 6);
  CHECK(web.tasks.pending_at_end == 0);
  CHECK(web.tasks.lost() == 0);
  CHECK(r.tasks.running_at_end == 9);
  CHECK(r.tasks.pending_at_end == 0);
}


TEST_CASE("EKS: the HorizontalPodAutoscaler walkthrough scales php-apache to 7 and back to 1") {
  // hpa-walkthrough.yaml: Kubernetes' walkthrough files; 70 req/s of 10 ms (700m) from 1m to
  // 30m on pods requesting 200m, limited to 500m; the HPA targets 50% between 1 and 10.
  const engine::ReplicationResult r = run_eks("eks/engine/hpa-walkthrough.yaml");
  REQUIRE(r.scaling.size() == 3);
  // The sync at 75 s: one pod at its 500m limit, 250% of its request, ratio 5: ceil(5 x 1) = 5,
  // within the default scale-up limit max(1 + 4, 2 x 1) = 5.
  CHECK(r.scaling[0].at == kSimStart + seconds(75));
  CHECK(r.scaling[0].from == 1);
  CHECK(r.scaling[0].to == 5);
  // At 90 s the 4 new pods have no sample yet: counted at 0% on a scale-up the ratio falls
  // below 1, so no change. At 105 s: 700m / 5 = 140m, 70%, ratio 1.4: ceil(7) = 7; then 100m
  // each, 50%, steady: the walkthrough's "7 replicas".
  CHECK(r.scaling[1].at == kSimStart + seconds(105));
  CHECK(r.scaling[1].to == 7);
  // The load stops at 30m; from the sync at 30m15s every proposal is 1 (no use), but the 300 s
  // scale-down window keeps the highest proposal within it: the last 7 (the sync at 30m00s)
  // leaves the window (recommendations after now - 300 s) at the sync of 35m00s.
  CHECK(r.scaling[2].at == kSimStart + minutes(35));
  CHECK(r.scaling[2].to == 1);
  CHECK(r.scaling[2].reason == "New size: 1; reason: All metrics below target");
  const engine::ServiceResult& php = service(r, "php-apache");
  REQUIRE(php.load);
  CHECK(php.load->requests == Approx(70.0 * 29 * 60));
  // Before 75 s one pod serves at most 500m / 10 ms = 50 req/s of the 70: 20 req/s in excess
  // for 15 s, and until the 4 new pods run (a few seconds more).
  CHECK(php.load->excess_requests > 20 * 15);
  CHECK(php.load->excess_requests < 20 * 25);
  CHECK(php.desired == 1);
}

TEST_CASE("Cluster Autoscaler: a scale-up for the pods that fit nowhere, empty nodes removed together") {
  // ca-scale-up.yaml: 5 pods of 1000m on m6i.large nodes (1930m: one pod each); the group starts
  // with 1 node (running at 0) and may grow to 5. Launches take 60 s.
  const engine::ReplicationResult r = run_eks("eks/engine/ca-scale-up.yaml");
  REQUIRE(r.scaling.size() == 5);
  // The first scan (10 s): 4 pods pending, no node on its way; the binpacking estimate is one
  // node per pod, 4 nodes, within maxSize 5 - 1: 1 -> 5.
  CHECK(r.scaling[0].at == at(seconds(10)));
  CHECK(r.scaling[0].from == 1);
  CHECK(r.scaling[0].to == 5);
  CHECK(r.scaling[0].reason == "TriggeredScaleUp: pod triggered scale-up: [{workers 1->5 (max: 5)}] (4 pod(s))");
  // The first node's pod (bound at once, 30 minutes) ends just after 30m: the scan at 30m10s
  // finds the node empty and unneeded; 10 minutes later (--scale-down-unneeded-time), at
  // 40m10s, it goes. The 4 new nodes' pods started after their 60 s launch and end after
  // 31m10s: unneeded from 31m20s, all three left above minSize go together at 41m20s
  // (max-empty-bulk-delete 10); one stays for minSize 1.
  CHECK(r.scaling[1].at == at(seconds(2410)));
  CHECK(r.scaling[1].reason.starts_with("ScaleDownEmpty"));
  for (std::size_t k = 2; k < 5; ++k) CHECK(r.scaling[k].at == at(seconds(2480)));
  CHECK(r.scaling[4].to == 1);
  REQUIRE(r.eks_nodes[0].autoscaled);
  CHECK(r.eks_nodes[0].autoscaled->nodes_added == 4);
  CHECK(r.eks_nodes[0].autoscaled->nodes_removed == 4);
  CHECK(r.eks_nodes[0].autoscaled->nodes_max == 5);
  CHECK(r.eks_nodes[0].autoscaled->usd_per_hour_max == Approx(5 * 0.096));
  CHECK(r.eks_nodes[0].nodes_at_end == 1);
  // Billed per second: the first node from 0 to 40m10s, three new ones from 10 s to 41m20s,
  // the last from 10 s to the end: 0.096 USD/h x (2410 + 3 x 2470 + 3590) s.
  CHECK(r.cost.ec2 == Approx(0.096 * (2410.0 + 3 * 2470 + 3590) / 3600).epsilon(1e-9));
}

TEST_CASE("Cluster Autoscaler: unneeded nodes drained one at a time, not a node a pod pins") {
  // ca-scale-down.yaml: 3 nodes (running at 0), 3 web pods of 200m spread one per node and a
  // pod annotated safe-to-evict "false". Every node is at about 10% (200m or 400m of 1930m),
  // under the 0.5 threshold, unneeded from the first scan at 10 s.
  const engine::ReplicationResult r = run_eks("eks/engine/ca-scale-down.yaml");
  REQUIRE(r.scaling.size() == 2);
  // 10 minutes later (10m10s) the first is drained; the next deletion waits
  // --scale-down-delay-after-delete (the scan interval): 10m20s. The pinned pod's node stays,
  // and so would minSize 1.
  CHECK(r.scaling[0].at == at(seconds(610)));
  CHECK(r.scaling[1].at == at(seconds(620)));
  CHECK(r.scaling[0].reason.starts_with("ScaleDown: Scale-down: node"));
  CHECK(r.eks_nodes[0].nodes_at_end == 1);
  CHECK(service(r, "pinned").tasks.evicted == 0);
  // The first drain's web pod moves to the emptier of the other two (the one without the
  // pinned pod), which the second drain then empties of 2: 3 evictions.
  CHECK(r.eks_nodes[0].autoscaled->pods_evicted == 3);
  CHECK(service(r, "web").running_by_az == std::vector<std::int64_t>{0, 0, 3});
}

TEST_CASE("Cluster Autoscaler: a budget that allows no eviction keeps every node") {
  // ca-budget.yaml: the same cluster with minAvailable 3 for web's 3 pods: no pod can move.
  const engine::ReplicationResult r = run_eks("eks/engine/ca-budget.yaml");
  CHECK(r.scaling.empty());
  CHECK(r.eks_nodes[0].nodes_at_end == 3);
  CHECK(r.eks_nodes[0].autoscaled->pods_evicted == 0);
}

TEST_CASE("Cluster Autoscaler: a node found unremovable is checked again after the recheck timeout") {
  // ca-recheck.yaml: two m6i.large nodes (1930m), minSize 1; web's pod (200m, about 10%) on the
  // first, a Job's pod of 1800m on the second until about 2m09s (its 2 minutes after a start
  // of about 9 s). The scan at 10 s finds the first node under the threshold but web's pod has
  // no room on the second (130m left): unremovable, not checked again before 10 s + 5m
  // (--unremovable-node-recheck-timeout). The scan at 2m10s finds the second node empty
  // (unneeded); the one at 5m10s checks the first again, web's pod fits on the second: the
  // first is unneeded (and the second no more, the group at minSize with the first going),
  // drained 10 minutes later, at 15m10s.
  const engine::ReplicationResult r = run_eks("eks/engine/ca-recheck.yaml");
  REQUIRE(r.scaling.size() == 1);
  CHECK(r.scaling[0].at == at(seconds(910)));
  CHECK(r.scaling[0].reason == "ScaleDown: Scale-down: node \"ip-0.ca\" removed with drain");
  // Checked every loop (the timeout 0s): the first node is unneeded from 2m10s, drained at
  // 12m10s.
  const engine::ReplicationResult every = run_eks("eks/engine/ca-recheck-off.yaml");
  REQUIRE(every.scaling.size() == 1);
  CHECK(every.scaling[0].at == at(seconds(730)));
  CHECK(every.eks_nodes[0].nodes_at_end == 1);
  CHECK(service(every, "web").tasks.evicted == 1);
}

TEST_CASE("Cluster Autoscaler: a scale-up whose nodes never register is given up and backed off") {
  // ca-provision-timeout.yaml: every launch fails. The scale-up at 10 s times out after
  // max-node-provision-time: at 15m10s the group goes back to its 1 node, backed off 5 minutes;
  // it tries again at 20m10s, gives up at 35m10s, backed off 10 minutes (doubled), tries at
  // 45m10s.
  const engine::ReplicationResult r = run_eks("eks/engine/ca-provision-timeout.yaml");
  REQUIRE(r.scaling.size() == 5);
  CHECK(r.scaling[1].at == at(seconds(910)));
  CHECK(r.scaling[1].to == 1);
  CHECK(r.scaling[1].reason.ends_with("node group backed off for 5m"));
  CHECK(r.scaling[2].at == at(seconds(1210)));
  CHECK(r.scaling[3].at == at(seconds(2110)));
  CHECK(r.scaling[3].reason.ends_with("node group backed off for 10m"));
  CHECK(r.scaling[4].at == at(seconds(2710)));
  CHECK(r.eks_nodes[0].autoscaled->nodes_max == 1);
}

TEST_CASE("Cluster Autoscaler: AWS's example Deployment runs it, and its own node stays") {
  // ca-real.yaml: the autoscaler from its example manifest (--expander=least-waste) with
  // ca-scale-up.yaml's Job. Its own pod (kube-system, no budget) lands on the first node, which
  // --skip-nodes-with-system-pods (true by default) keeps: the 4 nodes added go at 41m20s.
  const engine::ReplicationResult r = run_eks("eks/engine/ca-real.yaml");
  REQUIRE(r.scaling.size() == 5);
  CHECK(r.scaling[0].to == 5);
  for (std::size_t k = 1; k < 5; ++k) CHECK(r.scaling[k].at == at(seconds(2480)));
  CHECK(r.eks_nodes[0].nodes_at_end == 1);
  CHECK(service(r, "cluster-autoscaler").tasks.evicted == 0);
}

TEST_CASE("EKS: an HPA scales a StatefulSet in, no sooner than its scale-down window allows") {
  // hpa-statefulset.yaml: 4 pods of 500m serving 20 req/s of 10 ms (200m in all, 10% of the
  // 2000m requested) under an HPA with no metrics given (CPU at 80%, v2's default). Its first
  // sync (15 s) records the 4 replicas as a recommendation (recordInitialRecommendation); the
  // 300 s window keeps that 4 until the sync at 315 s, when the highest recommendation left is
  // the 30 s sync's 3 (then only one pod had a sample); at 330 s only proposals of 1 are left.
  const engine::ReplicationResult r = run_eks("eks/engine/hpa-statefulset.yaml");
  REQUIRE(r.scaling.size() == 2);
  CHECK(r.scaling[0].at == at(seconds(315)));
  CHECK(r.scaling[0].from == 4);
  CHECK(r.scaling[0].to == 3);
  CHECK(r.scaling[0].target == "StatefulSet default/db");
  CHECK(r.scaling[1].at == at(seconds(330)));
  CHECK(r.scaling[1].to == 1);
  const engine::ServiceResult& db = service(r, "db");
  CHECK(db.tasks.completed == 3);  // scaled in: stopped by the controller, not evicted
  CHECK(db.tasks.running_at_end == 1);
}


TEST_CASE("Karpenter: a batch of pending pods gets one node of the cheapest type that holds it") {
  // karpenter-provision.yaml: 6 pods of 500m (3000m) fail their first cycle at 0 (the one
  // system node is tainted). The batch closes 1 s later (BATCH_IDLE_DURATION, no pod since):
  // m6i.large holds 3 (1930m), m6i.xlarge all 6 (3920m), the cheaper of those that hold them
  // all: one m6i.xlarge at 1 s. It registers at 61 s; its pods end 30 minutes after they start
  // (just after 31m01s); empty, it goes at the first 10 s tick 5 minutes (consolidateAfter)
  // later: 36m10s.
  const engine::ReplicationResult r = run_eks("eks/engine/karpenter-provision.yaml");
  REQUIRE(r.scaling.size() == 2);
  CHECK(r.scaling[0].at == at(seconds(1)));
  CHECK(r.scaling[0].reason == "Launched NodeClaim for 6 pod(s): m6i.xlarge on-demand in us-east-1a ($0.1920/h)");
  CHECK(r.scaling[1].at == at(seconds(2170)));
  CHECK(r.scaling[1].reason.starts_with("Empty:"));
  REQUIRE(r.eks_nodes[0].karpenter);
  CHECK(r.eks_nodes[0].karpenter->nodeclaims == 1);
  CHECK(r.eks_nodes[0].karpenter->empty == 1);
  CHECK(r.eks_nodes[0].karpenter->pods_evicted == 0);
  // Billed per second: the system node all hour, the Karpenter node from 1 s to 2170 s.
  CHECK(r.cost.ec2 == Approx(0.096 + 0.192 * 2169.0 / 3600).epsilon(1e-9));
  // Registered (from 61 s, its boot excluded): the peak fleet costs 0.096 + 0.192 USD/h.
  CHECK(r.eks_nodes[0].karpenter->usd_per_hour_max == Approx(0.288));
  CHECK(r.eks_nodes[0].karpenter->usd_per_hour_mean == Approx(0.096 + 0.192 * (2170.0 - 61) / 3600).epsilon(1e-9));
}

TEST_CASE("Karpenter: an underutilized node is replaced by a cheaper one, then drained") {
  // karpenter-consolidate.yaml: 6 pods of 500m on one m6i.xlarge (0.192 USD/h) from 61 s; 4
  // end after 20 minutes (just after 21m01s). Then 2 pods (1000m) hold the node and no other
  // node has room (the system node is tainted): deletion is out, replacement in: m6i.large
  // (0.096 USD/h) holds them. 5 minutes without pod changes later, at the 26m10s tick, the
  // replacement launches; it registers at 27m10s, and the old node is drained: its 2 pods
  // evicted (their Job recreates them on the new node).
  const engine::ReplicationResult r = run_eks("eks/engine/karpenter-consolidate.yaml");
  REQUIRE(r.scaling.size() == 3);
  CHECK(r.scaling[1].at == at(seconds(1570)));
  CHECK(r.scaling[1].reason.starts_with("Launched NodeClaim to replace underutilized node"));
  CHECK(r.scaling[2].at == at(seconds(1630)));
  CHECK(r.scaling[2].reason.starts_with("Underutilized: replaced by a cheaper node"));
  const auto& k = *r.eks_nodes[0].karpenter;
  CHECK(k.replaced == 1);
  CHECK(k.pods_evicted == 2);
  CHECK(k.nodes_max == 2);
  CHECK(r.eks_nodes[0].nodes_at_end == 2);  // the system node and the m6i.large
}

TEST_CASE("Karpenter: a budget of 0 nodes allows no consolidation") {
  // karpenter-frozen.yaml: the same run with budgets [{nodes: "0"}]: min(0) - 0 disrupting = 0
  // disruptions allowed; the m6i.xlarge stays all hour.
  const engine::ReplicationResult r = run_eks("eks/engine/karpenter-frozen.yaml");
  REQUIRE(r.scaling.size() == 1);
  CHECK(r.eks_nodes[0].karpenter->replaced == 0);
  CHECK(r.eks_nodes[0].karpenter->pods_evicted == 0);
  CHECK(r.cost.ec2 == Approx(0.096 + 0.192 * 3599.0 / 3600).epsilon(1e-9));
}

TEST_CASE("Karpenter: a node past expireAfter is drained and its pods provisioned for anew") {
  // karpenter-expire.yaml: expireAfter 30m. The first node is replaced at 27m10s (as above),
  // before it would expire (at 30m01s); its replacement, launched at 26m10s, expires at
  // 56m10s: drained at once (expiration is forceful, no budget), its 2 pods evicted and
  // recreated, pending, and provisioned for: a new m6i.large.
  const engine::ReplicationResult r = run_eks("eks/engine/karpenter-expire.yaml");
  REQUIRE(r.scaling.size() == 5);
  CHECK(r.scaling[3].at == at(seconds(1570 + 1800)));
  CHECK(r.scaling[3].reason.starts_with("Expired:"));
  CHECK(r.scaling[4].reason == "Launched NodeClaim for 2 pod(s): m6i.large on-demand in us-east-1a ($0.0960/h)");
  const auto& k = *r.eks_nodes[0].karpenter;
  CHECK(k.expired == 1);
  CHECK(k.nodeclaims == 3);
  CHECK(k.pods_evicted == 4);
}


TEST_CASE("Karpenter: a Spot interruption notice drains the node and its pods get a new one") {
  // karpenter-spot.yaml: Karpenter's own example Spot NodePool (c, m, r of generation 3 and
  // later, Spot only), 4 pods of 500m, Spot notices at 0.5 an hour per instance. Each notice
  // drains its node at once (the node goes; its 4 pods are evicted and recreated), and the
  // batch of the 4 pending pods closes 1 s later with a new Spot claim.
  const engine::ReplicationResult r = run_eks("eks/engine/karpenter-spot.yaml");
  const auto& k = *r.eks_nodes[0].karpenter;
  REQUIRE(k.interrupted >= 1);
  CHECK(k.interrupted == r.platform.interruptions);
  CHECK(k.nodeclaims == k.interrupted + 1);
  CHECK(k.pods_evicted == 4 * k.interrupted);
  for (std::size_t i = 0; i < r.scaling.size(); ++i) {
    if (!r.scaling[i].reason.starts_with("Interrupted")) continue;
    REQUIRE(i + 1 < r.scaling.size());
    CHECK(r.scaling[i + 1].at == r.scaling[i].at + seconds(1));
    CHECK(r.scaling[i + 1].reason.find(" spot in ") != std::string::npos);
  }
  CHECK(service(r, "web").tasks.running_at_end == 4);
}


TEST_CASE("EKS Auto Mode: its built-in NodePools and a NodePool on its NodeClass provision as Karpenter") {
  // auto-mode.yaml: autoModeConfig {enabled: true}, no node groups, so general-purpose and
  // system (eksctl's default). All pools weigh 0: tried by name. At 1 s, the first batch:
  // - web (2 x 500m, nodeSelector eks.amazonaws.com/instance-category m) fits only
  //   general-purpose (On-Demand amd64 c, m, r of generation 5 or later): the cheapest m that
  //   holds 1000m is m5a.large (0.086 USD/h);
  // - batch (1 vCPU, karpenter.sh/capacity-type spot) only the user's spot pool: c of
  //   generation 6 or later, Spot, the cheapest holding it c6a.large at 70% off 0.0765;
  // - agent tolerates CriticalAddonsOnly and selects karpenter.sh/nodepool system: the system
  //   pool, which also allows arm64: c6g.medium (0.034 USD/h).
  const engine::ReplicationResult r = run_eks("eks/engine/auto-mode.yaml");
  REQUIRE(r.scaling.size() == 3);
  for (const ScalingActivity& a : r.scaling) CHECK(a.at == at(seconds(1)));
  const auto reason = [&](const std::string& pool) {
    for (const ScalingActivity& a : r.scaling)
      if (a.target == "NodePool " + pool) return a.reason;
    return std::string();
  };
  CHECK(reason("general-purpose") == "Launched NodeClaim for 2 pod(s): m5a.large on-demand in us-east-1a ($0.0860/h)");
  CHECK(reason("spot").starts_with("Launched NodeClaim for 1 pod(s): c6a.large spot"));
  CHECK(reason("system") == "Launched NodeClaim for 1 pod(s): c6g.medium on-demand in us-east-1a ($0.0340/h)");
  CHECK(service(r, "web").tasks.running_at_end == 2);
  CHECK(service(r, "batch").tasks.running_at_end == 1);
  CHECK(service(r, "agent").tasks.running_at_end == 1);
}

}  // namespace ecsim::test
