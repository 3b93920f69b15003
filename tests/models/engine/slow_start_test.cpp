// A load balancer's slow start on a scaled ECS service and on a Deployment under an HPA: the
// same runs with and without it, through the runtimes' serving changes.

#include <catch2/catch.hpp>

#include <string>

#include "ecsim/engine/engine.hpp"
#include "ecsim/scenario/scenario.hpp"

using namespace ecsim;

namespace {

scenario::Scenario shipped(const std::string& relative) {
  scenario::LoadResult r =
      scenario::load_scenario(std::string(ECSIM_SOURCE_DIR) + "/scenarios/" + relative);
  for (const auto& d : r.diagnostics.sorted()) INFO(scenario::format_diagnostic(d));
  REQUIRE(r.scenario);
  return std::move(*r.scenario);
}

workload::LoadSummary load_of(const scenario::Scenario& s) {
  engine::RunOptions options;
  options.seed = s.seed;
  options.horizon = s.duration;
  options.timeseries = false;
  const engine::ReplicationResult r = engine::run_replication(s, options);
  for (const engine::ServiceResult& service : r.services)
    if (service.load) return *service.load;
  FAIL("a service with a load");
  return {};
}

}  // namespace

TEST_CASE("slow start on ECS: while the new tasks warm up, the old ones take the rest and overflow") {
  // ecs-target-tracking: at 1h04m target tracking adds tasks while the 4 old ones run near 95%;
  // with a 5-minute slow start the new ones take a rising share, so the old ones overflow for
  // longer than with an even share at once. The requests are the same.
  scenario::Scenario s = shipped("autoscaling/ecs-target-tracking.yaml");
  const workload::LoadSummary even = load_of(s);
  s.ecs[0].services[0].load->slow_start = std::chrono::minutes(5);
  const workload::LoadSummary slow = load_of(s);
  CHECK(slow.requests == Approx(even.requests));
  CHECK(slow.excess_requests > even.excess_requests);
  CHECK(slow.overload_seconds > even.overload_seconds);
}

TEST_CASE("slow start on EKS: the same for a Deployment's new pods") {
  scenario::Scenario s = shipped("autoscaling/hpa-diurnal.yaml");
  const workload::LoadSummary even = load_of(s);
  for (eks::WorkloadLoad& l : s.eks[0].loads) l.load.slow_start = std::chrono::minutes(15);
  const workload::LoadSummary slow = load_of(s);
  // hpa-diurnal: the HPA adds pods as the morning rises; with a 15-minute slow start the old
  // pods, near their target, carry the new ones' missing share and overflow at the steepest
  // climbs.
  CHECK(slow.requests == Approx(even.requests));
  CHECK(slow.excess_requests > even.excess_requests);
  CHECK(slow.overload_seconds > even.overload_seconds);
}
