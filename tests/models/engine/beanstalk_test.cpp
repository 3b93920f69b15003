// Elastic Beanstalk environments end to end: the shipped scenario's triggers and its rolling
// deployment, each deployment policy on the same environment, failing versions, scale-in, and
// public source bundles read unchanged.

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "ecsim/engine/engine.hpp"
#include "ecsim/platform/catalog.hpp"
#include "ecsim/scenario/scenario.hpp"
#include "engine_test_support.hpp"

using namespace ecsim;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

scenario::Scenario shipped() {
  scenario::LoadResult r = scenario::load_scenario(
      std::string(ECSIM_SOURCE_DIR) + "/scenarios/autoscaling/beanstalk-rolling-deployment.yaml");
  for (const auto& d : r.diagnostics.sorted()) INFO(scenario::format_diagnostic(d));
  REQUIRE(r.scenario);
  return std::move(*r.scenario);
}

engine::ReplicationResult run(const scenario::Scenario& s) {
  return test::run_with_timeseries(s);
}

const beanstalk::DeploymentResult& deployment(const engine::ReplicationResult& r) {
  REQUIRE(r.beanstalk.size() == 1);
  REQUIRE(r.beanstalk[0].deployments.size() == 1);
  return r.beanstalk[0].deployments[0];
}

double minutes_of(SimTime t) {
  return std::chrono::duration<double>(t - kSimStart).count() / 60.0;
}

}  // namespace

TEST_CASE("the shipped Beanstalk environment: NetworkOut triggers, then a rolling deployment in batches of 40%") {
  const engine::ReplicationResult r = run(shipped());
  // The header's arithmetic. 10 req/s x 4,800 B over 2 instances: 7.2 MB per 5 minutes in each
  // (the first datapoint a little less, the tasks starting in its first minute), above 6 MB:
  // 2 -> 3 at the first datapoint, 5m. At 20 req/s from 3h, 3 instances send 9.6 MB: at the
  // 3h05m datapoint 3 -> 4; the new instance runs by 3h07m, the cooldown (360 s) holds until
  // 3h13m, when the alarm (the 3h10m datapoint: 4 instances, 7.2 MB) is still in ALARM: 4 -> 5.
  // 5 instances send 5.76 MB: inside 2-6 MB, no more activity.
  REQUIRE(r.scaling.size() == 3);
  CHECK(minutes_of(r.scaling[0].at) == Approx(5));
  CHECK(r.scaling[0].from == 2);
  CHECK(r.scaling[0].to == 3);
  CHECK(minutes_of(r.scaling[1].at) == Approx(185));
  CHECK(r.scaling[1].to == 4);
  CHECK(r.scaling[1].reason.ends_with("(NetworkOut Average 9600000 > 6000000)"));
  CHECK(minutes_of(r.scaling[2].at) == Approx(193));
  CHECK(r.scaling[2].to == 5);
  CHECK(r.scaling[2].reason.ends_with("(NetworkOut Average 7200000 > 6000000)"));
  CHECK(r.scaling[0].autoscaler == "Elastic Beanstalk environment shop-web");
  // The deployment at 4h: ceil(40% x 5) = 2 per batch, so batches of 2, 2 and 1, each out of
  // service in its turn: never fewer than 3 serving, never more than the 5 instances. The
  // triggers see no change: the instances out of the load balancer send nothing, and the
  // Average over the 5 is the same total over 5.
  const beanstalk::DeploymentResult& d = deployment(r);
  CHECK(d.version == "v2");
  CHECK(d.policy == beanstalk::DeploymentPolicy::kRolling);
  CHECK(d.instances == 5);
  CHECK(d.batch == 2);
  CHECK(d.batches == 3);
  CHECK(d.fewest_serving == 3);
  CHECK(d.most_instances == 5);
  CHECK_FALSE(d.failed);
  REQUIRE(d.finished);
  // Each batch: start (about 10 s), 40 s to healthy, 20 s deregistration and 3 x 15 s checks.
  const double took = std::chrono::duration<double>(*d.finished - d.started).count();
  CHECK(took > 3 * (40 + 20 + 45));
  CHECK(took < 3 * (40 + 20 + 45 + 40));
  // ECS's view: the environment's DAEMON service deployed v2 and completed.
  REQUIRE(r.services.size() == 1);
  CHECK(r.services[0].cluster == "awseb-shop-web");
  CHECK(r.services[0].deployments.back().state == RolloutState::kCompleted);
  CHECK(r.beanstalk[0].instances_max == 5);
  CHECK(r.autoscaled_columns == std::vector<std::string>{"instances:shop-web"});
  CHECK(r.timeseries.back().autoscaled == std::vector<std::int64_t>{5});
}

TEST_CASE("each deployment policy on the same environment: capacity kept, instances used") {
  SECTION("RollingWithAdditionalBatch: an extra batch of 2 first, so 5 serve throughout") {
    scenario::Scenario s = shipped();
    s.beanstalk[0].options.deployment.policy = beanstalk::DeploymentPolicy::kRollingWithAdditionalBatch;
    const engine::ReplicationResult r = run(s);
    const beanstalk::DeploymentResult& d = deployment(r);
    CHECK(d.batch == 2);
    CHECK(d.batches == 3);
    CHECK(d.fewest_serving == 5);
    CHECK(d.most_instances == 7);
    CHECK_FALSE(d.failed);
    // The additional batch terminates when the deployment completes.
    CHECK(r.timeseries.back().autoscaled == std::vector<std::int64_t>{5});
  }
  SECTION("Immutable: one new instance, then 4 more, beside the old 5; then the old go") {
    scenario::Scenario s = shipped();
    s.beanstalk[0].options.deployment.policy = beanstalk::DeploymentPolicy::kImmutable;
    const engine::ReplicationResult r = run(s);
    const beanstalk::DeploymentResult& d = deployment(r);
    CHECK(d.fewest_serving == 5);
    CHECK(d.most_instances == 10);
    CHECK(d.batches == 0);
    CHECK_FALSE(d.failed);
    CHECK(r.timeseries.back().autoscaled == std::vector<std::int64_t>{5});
    CHECK(r.services[0].deployments.back().state == RolloutState::kCompleted);
    // 5 instances launched for it: 2 at the start, 3 by the triggers, 5 for the deployment.
    CHECK(r.platform.launches == 10);
  }
  SECTION("AllAtOnce: every instance at once, none serving for a moment") {
    scenario::Scenario s = shipped();
    s.beanstalk[0].options.deployment.policy = beanstalk::DeploymentPolicy::kAllAtOnce;
    const engine::ReplicationResult r = run(s);
    const beanstalk::DeploymentResult& d = deployment(r);
    CHECK(d.batch == 5);
    CHECK(d.batches == 1);
    CHECK(d.fewest_serving == 0);
    CHECK(d.most_instances == 5);
    REQUIRE(r.services[0].load);
    CHECK(r.services[0].load->excess_requests > 60);  // the seconds with nothing serving
  }
}

TEST_CASE("a version that never starts: Rolling fails after its timeout, Immutable leaves the environment as it was") {
  SECTION("Rolling: the first batch stays out of service, the rest keep v1") {
    scenario::Scenario s = shipped();
    s.beanstalk[0].deployments[0].fails_to_start = true;
    const engine::ReplicationResult r = run(s);
    const beanstalk::DeploymentResult& d = deployment(r);
    CHECK(d.failed);
    REQUIRE(d.finished);
    // Timeout 600 s + 240 s without a healthy new task (checked every 5 s).
    const double took = std::chrono::duration<double>(*d.finished - d.started).count();
    CHECK(took >= 840);
    CHECK(took <= 850);
    CHECK(d.batches == 1);
    CHECK(d.fewest_serving == 3);
    CHECK(r.services[0].mean_running > 0);
    CHECK(r.timeseries.back().service_running_by_az.size() == 3);
    std::int64_t running = 0;
    for (const auto n : r.timeseries.back().service_running_by_az) running += n;
    CHECK(running == 3);  // no automatic rollback
  }
  SECTION("Immutable: the new instances terminate and 5 still serve v1") {
    scenario::Scenario s = shipped();
    s.beanstalk[0].options.deployment.policy = beanstalk::DeploymentPolicy::kImmutable;
    s.beanstalk[0].deployments[0].fails_to_start = true;
    const engine::ReplicationResult r = run(s);
    const beanstalk::DeploymentResult& d = deployment(r);
    CHECK(d.failed);
    CHECK(d.fewest_serving == 5);
    CHECK(d.most_instances == 6);  // only the first new instance was launched
    CHECK(r.timeseries.back().autoscaled == std::vector<std::int64_t>{5});
    std::int64_t running = 0;
    for (const auto n : r.timeseries.back().service_running_by_az) running += n;
    CHECK(running == 5);
  }
}

TEST_CASE("the low alarm removes one instance per activity, each after the last one's cooldown") {
  const engine::ReplicationResult r = run(test::load("engine/beanstalk-scale-in.yaml"));
  std::vector<const ScalingActivity*> ins;
  for (const ScalingActivity& a : r.scaling)
    if (a.to < a.from) ins.push_back(&a);
  // 5 -> 4 -> 3 -> 2 (MinSize), and no further.
  REQUIRE(ins.size() == 3);
  CHECK(ins[0]->from == 5);
  CHECK(ins[2]->to == 2);
  for (std::size_t k = 1; k < ins.size(); ++k)
    CHECK(ins[k]->at - ins[k - 1]->at >= seconds(360));
  CHECK(ins[0]->reason.ends_with("(NetworkOut Average 576000 < 2000000)"));
  CHECK(r.beanstalk[0].scale_ins == 3);
  CHECK(r.beanstalk[0].instances_min == 2);
}

TEST_CASE("public Dockerrun.aws.json and .ebextensions files run unchanged") {
  const engine::ReplicationResult r = run(test::load("engine/beanstalk-realworld.yaml"));
  // The defaults: MinSize 1, one task of the nginx-proxy sample (php-app and nginx, 128 MiB
  // each) on it; AllAtOnce to the multiple-ports sample at 30m.
  REQUIRE(r.services.size() == 1);
  CHECK(r.services[0].desired == 1);
  const beanstalk::DeploymentResult& d = deployment(r);
  CHECK(d.version == "multiple-ports");
  CHECK(d.policy == beanstalk::DeploymentPolicy::kAllAtOnce);
  CHECK_FALSE(d.failed);
  CHECK(r.services[0].deployments.back().state == RolloutState::kCompleted);
}

TEST_CASE("a zone outage under Beanstalk's triggers: the instances left report more each, and the group grows elsewhere") {
  const engine::ReplicationResult r = run(test::load("engine/beanstalk-zone-outage.yaml"));
  // Before: 2 -> 3 -> 4 -> 5 as in the shipped scenario at 20 req/s (5m, 13m, 21m).
  REQUIRE(r.scaling.size() == 4);
  CHECK(r.scaling[2].to == 5);
  // At 1h us-east-1a fails: its 2 instances are cut off and report nothing. The datapoint
  // closing then is the 3 others' own bytes, sent while 5 served: 5.76 MB, inside the band.
  // The next (1h05m) is theirs alone for the whole period: 96,000 B/s x 300 s / 3 = 9.6 MB,
  // above 6 MB: 5 -> 6.
  CHECK(minutes_of(r.scaling[3].at) == Approx(65));
  CHECK(r.scaling[3].to == 6);
  CHECK(r.scaling[3].reason.ends_with("(NetworkOut Average 9600000 > 6000000)"));
  // The group also replaces its two cut-off instances in the zones left once its health check
  // finds them impaired (5 minutes unreachable); then 6 instances send 4.8 MB each, inside the
  // band: no more activity, no scale-in after the zone is back.
  CHECK(r.beanstalk[0].scale_ins == 0);
  CHECK(r.platform.replacements == 2);
  // Nothing of the environment ran in us-east-1a during the outage (the rows between 1h05m and
  // 2h), and 6 served at the end.
  for (const engine::TimeseriesRow& row : r.timeseries) {
    if (row.at <= kSimStart + minutes(65) || row.at >= kSimStart + hours(2)) continue;
    CHECK(row.service_running_by_az[0] == 0);
  }
  std::int64_t running = 0;
  for (const auto n : r.timeseries.back().service_running_by_az) running += n;
  CHECK(running == 6);
}

TEST_CASE("Spot in a Beanstalk environment: the group's mixed instances policy from EnableSpot and its shares") {
  // The shipped environment with EnableSpot, InstanceTypes t3.small,t3a.small, an On-Demand
  // base of 1 and 0% On-Demand above it: its first instance On-Demand, every other one Spot,
  // so EC2 costs less than the same run On-Demand (same launches: the triggers see the same
  // NetworkOut).
  scenario::Scenario on_demand = shipped();
  scenario::Scenario spot = shipped();
  beanstalk::EnvironmentOptions& o = spot.beanstalk[0].options;
  o.spot = true;
  platform::AsgConfig& g = spot.platform.groups[spot.beanstalk[0].group.value()];
  platform::MixedInstances mixed;
  const platform::InstanceCatalog& catalog = platform::InstanceCatalog::builtin();
  mixed.types = {catalog.index_of("t3.small"), catalog.index_of("t3a.small")};
  mixed.on_demand_base = 1;
  mixed.on_demand_percent = 0;
  mixed.spot_allocation = platform::SpotAllocation::kCapacityOptimized;
  g.mixed = mixed;
  const engine::ReplicationResult a = run(on_demand);
  const engine::ReplicationResult b = run(spot);
  CHECK(b.platform.launches == a.platform.launches);
  CHECK(b.scaling.size() == a.scaling.size());
  CHECK(b.cost.ec2 < a.cost.ec2);
}

TEST_CASE("Spot options in the create-environment request become the group's mixed instances policy") {
  const scenario::Scenario s = test::load("engine/beanstalk-spot.yaml");
  const platform::AsgConfig& g = s.platform.groups[s.beanstalk[0].group.value()];
  REQUIRE(g.mixed);
  CHECK(g.mixed->types.size() == 2);
  CHECK(g.mixed->on_demand_base == 1);
  CHECK(g.mixed->on_demand_percent == 70);  // the load-balanced default above the base
  CHECK(g.mixed->spot_allocation == platform::SpotAllocation::kPriceCapacityOptimized);
}

TEST_CASE("scheduled actions set the group's bounds and size at their times") {
  const engine::ReplicationResult r = run(test::load("engine/beanstalk-scheduled.yaml"));
  // The header's arithmetic: 2 -> 3 by the triggers; 09:00 Monday MinSize 6: 3 -> 6; 18:00
  // DesiredCapacity 3 (MinSize 2): 6 -> 3; Tuesday 09:00 (33 h): 3 -> 6; the evening action
  // ended at 20:00 on Monday, so nothing at 42 h.
  REQUIRE(r.scaling.size() == 4);
  CHECK(r.scaling[0].to == 3);
  const auto hours_of = [](SimTime t) { return std::chrono::duration<double>(t - kSimStart).count() / 3600; };
  CHECK(hours_of(r.scaling[1].at) == Approx(9));
  CHECK(r.scaling[1].from == 3);
  CHECK(r.scaling[1].to == 6);
  CHECK(r.scaling[1].reason ==
        "a scheduled action BusinessHours update of AutoScalingGroup constraints to min: 6, max: "
        "unchanged, desired: unchanged changing the desired capacity from 3 to 6");
  CHECK(hours_of(r.scaling[2].at) == Approx(18));
  CHECK(r.scaling[2].to == 3);
  CHECK(hours_of(r.scaling[3].at) == Approx(33));
  CHECK(r.scaling[3].to == 6);
  // 6 instances at 10 req/s send 2.4 MB each: above the low threshold, so the triggers leave
  // the scheduled size alone.
  CHECK(r.beanstalk[0].scale_ins == 0);
  CHECK(r.timeseries.back().autoscaled == std::vector<std::int64_t>{6});
}
