// The EKS runtime on its own: a platform, a simulator and the runtime, composed here as the
// engine composes them (platform events to the platform, its changes to the runtime).

#include <catch2/catch.hpp>
#include <optional>

#include "ecsim/eks/runtime.hpp"
#include "ecsim/platform/catalog.hpp"
#include "ecsim/platform/cost.hpp"

namespace ecsim::test {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::int64_t kMiB = 1024 * 1024;

/// One zone, one managed node group of `nodes` m5.large, and the objects a test adds.
struct Harness {
  explicit Harness(std::uint32_t nodes) {
    config.azs = {"us-east-1a"};
    platform::AsgConfig group;
    group.name = "workers";
    group.instance_type = platform::InstanceCatalog::builtin().index_of("m5.large");
    group.min = group.max = group.desired = nodes;
    group.azs = {AzId{0}};
    config.groups.push_back(group);
    eks::ClusterSpec& c = specs.emplace_back();
    c.name = "lab";
    eks::NodeGroupConfig ng;
    ng.name = "workers";
    ng.instance_type = "m5.large";
    ng.min = ng.max = ng.desired = nodes;
    c.config.node_groups.push_back(ng);
    c.groups.push_back(GroupId{0});
  }

  eks::Deployment& deployment(std::string name, std::int32_t replicas) {
    eks::Deployment& d = specs[0].manifests.deployments.emplace_back();
    d.meta.name = name;
    d.replicas = replicas;
    d.selector.match_labels = {{"app", name}};
    d.pod.labels = {{"app", name}};
    d.pod.spec.requests = {500, 512 * kMiB};
    return d;
  }

  void job(std::string name, std::int32_t completions, std::int32_t parallelism, SimDuration run) {
    eks::Job& j = specs[0].manifests.jobs.emplace_back();
    j.meta.name = name;
    j.completions = completions;
    j.parallelism = parallelism;
    j.pod.spec.requests = {250, 256 * kMiB};
    eks::JobSpec& spec = specs[0].jobs.emplace_back();
    spec.name = name;
    spec.job = specs[0].manifests.jobs.size() - 1;
    spec.duration = workload::FixedDuration{run};
  }

  /// Starts the platform and the runtime and runs to `until`.
  void run(SimTime until) {
    platform.emplace(config, platform::InstanceCatalog::builtin(), 7);
    cost.emplace(config.prices);
    runtime.emplace(specs, eks::Context{sim, *platform, config, *cost, wait, until, nullptr});
    runtime->start(RandomStreams(11));
    platform->start(sim);
    changes();
    sim.run_until(until, [&](const Event& e) {
      if (e.kind >= platform::kFirstEventKind && e.kind < platform::kEndEventKind) {
        platform->handle(sim, e);
        changes();
      } else if (runtime->handle(e)) {
        changes();
      }
    });
    runtime->check_invariants();
  }

  void changes() {
    runtime->zones_changed();
    std::vector<platform::InstanceChange>& list = platform->changes();
    do {
      for (std::size_t k = 0; k < list.size(); ++k) (void)runtime->on_instance_change(list[k]);
      list.clear();
      runtime->catch_up();
    } while (!list.empty());
  }

  platform::PlatformConfig config;
  std::vector<eks::ClusterSpec> specs;
  Simulator sim;
  QuantileSketch wait;
  std::optional<platform::Platform> platform;
  std::optional<platform::CostMeter> cost;
  std::optional<eks::Runtime> runtime;
};

}  // namespace

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

TEST_CASE("the Cluster Autoscaler's self-check holds each node group within minSize and maxSize",
          "[eks][cluster-autoscaler]") {
  // 3 m5.large of a group of 2 to 6 nodes; 12 pods of 500m, 3 to a node (1,930m allocatable):
  // 9 fit, the 3 others make the autoscaler add a fourth node.
  Harness h(3);
  h.config.groups[0].min = 2;
  h.config.groups[0].max = 6;
  h.specs[0].config.node_groups[0].min = 2;
  h.specs[0].config.node_groups[0].max = 6;
  h.specs[0].cluster_autoscaler = eks::ClusterAutoscalerConfig{};
  (void)h.deployment("web", 12);
  h.run(kSimStart + minutes(10));  // checks itself at the end
  CHECK(h.platform->desired(GroupId{0}) == 4);
  CHECK(h.runtime->running() == 12);
  // A group pushed below its minSize behind the autoscaler's back (the platform's own floor
  // lowered first) fails the check, naming the group.
  h.platform->set_min(GroupId{0}, 0);
  for (int k = 0; k < 3; ++k)
    h.platform->terminate(h.sim, h.platform->live_instances(GroupId{0}).front(), true);
  CHECK(h.platform->desired(GroupId{0}) == 1);
  CHECK_THROWS_WITH(h.runtime->check_invariants(),
                    Catch::Contains("node group workers of cluster lab wants 1 nodes, outside its "
                                    "minSize 2 and maxSize 6"));
}

}  // namespace ecsim::test
