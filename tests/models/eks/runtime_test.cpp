// The EKS runtime on its own (harness.hpp composes it with a platform and a simulator).

#include <catch2/catch.hpp>

#include "harness.hpp"

namespace ecsim::test {

using std::chrono::minutes;
using std::chrono::seconds;

TEST_CASE("the EKS runtime runs a Deployment's replicas on its nodes", "[eks]") {
  Harness h(3);
  (void)h.deployment("web", 6);
  h.run(kSimStart + minutes(10));
  CHECK(h.runtime->running() == 6);
  CHECK(h.runtime->pending() == 0);
  const eks::Results r = h.runtime->results(h.sim.now());
  REQUIRE(r.workloads.size() == 1);
  const eks::WorkloadResult& web = r.workloads[0];
  CHECK(web.name == "web");
  CHECK(web.pods.submitted == 6);
  CHECK(web.pods.started == 6);
  CHECK(web.pods.running_at_end == 6);
  CHECK(web.replicas.desired == 6);
  CHECK(web.replicas.running_by_az == std::vector<std::int64_t>{6});
  REQUIRE(r.nodes.size() == 1);
  CHECK(r.nodes[0].nodes_at_end == 3);
  CHECK(r.nodes[0].busy_at_end == 3);  // the default spreading puts 2 on each node
  CHECK(h.wait.count() == 6);
  std::vector<std::uint32_t> row;
  h.runtime->append_running_by_az(row);
  CHECK(row == std::vector<std::uint32_t>{6});
}

TEST_CASE("the EKS runtime's Job controller keeps parallelism pods until completions succeed",
          "[eks]") {
  Harness h(2);
  // 5 completions, 2 at a time, 60 s each once running: three waves, done within 10 minutes.
  h.job("batch", 5, 2, seconds(60));
  h.run(kSimStart + minutes(10));
  const eks::Results r = h.runtime->results(h.sim.now());
  REQUIRE(r.jobs.size() == 1);
  CHECK(r.jobs[0].pods.submitted == 5);
  CHECK(r.jobs[0].pods.completed == 5);
  CHECK(r.jobs[0].pods.running_at_end == 0);
  CHECK(r.jobs[0].pods.lost() == 0);
  CHECK(h.runtime->running() == 0);
  TaskCounts all;
  h.runtime->add_totals(all);
  CHECK(all.completed == 5);
}

TEST_CASE("the EKS runtime replaces the pods of a node that failed", "[eks]") {
  Harness h(3);
  (void)h.deployment("web", 6);
  platform::ScheduledFault fault;
  fault.at = kSimStart + minutes(5);
  fault.kind = platform::ScheduledFault::Kind::kInstanceFailure;
  fault.groups = {GroupId{0}};
  fault.count = 1;
  h.config.faults.push_back(fault);
  h.run(kSimStart + minutes(30));
  const eks::Results r = h.runtime->results(h.sim.now());
  const eks::WorkloadResult& web = r.workloads[0];
  // The failed node's 2 pods were evicted (the node stays unreachable until the group replaces
  // it, then its pods go with it) and the controller made 2 more.
  CHECK(web.pods.evicted == 2);
  CHECK(web.pods.submitted == 8);
  CHECK(web.pods.running_at_end == 6);
  CHECK(web.replicas.min_running < 6);
  CHECK(web.replicas.availability < 1.0);
  CHECK(h.runtime->running() == 6);
}

}  // namespace ecsim::test
