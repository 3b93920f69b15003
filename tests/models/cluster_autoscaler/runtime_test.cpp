// The Cluster Autoscaler composed with the EKS runtime on its own (tests/models/eks/harness.hpp).

#include <catch2/catch.hpp>
#include <optional>

#include "../eks/harness.hpp"
#include "ecsim/cluster_autoscaler/runtime.hpp"

namespace ecsim::test {
namespace {

using std::chrono::minutes;

/// 3 m5.large of a group of 2 to 6 nodes, 12 pods of 500m, 3 to a node (1,930m allocatable),
/// and the Cluster Autoscaler with its defaults, run for 10 minutes.
struct Autoscaled {
  Autoscaled() : h(3) {
    h.config.groups[0].min = 2;
    h.config.groups[0].max = 6;
    h.specs[0].config.node_groups[0].min = 2;
    h.specs[0].config.node_groups[0].max = 6;
    h.specs[0].cluster_autoscaler = eks::ClusterAutoscalerConfig{};
    (void)h.deployment("web", 12);
    h.on_start = [this] {
      ca.emplace(cluster_autoscaler::Context{h.sim, *h.platform, h.config, *h.runtime, kEnd});
      ca->start(RandomStreams(11));
    };
    h.on_event = [this](const Event& e) {
      REQUIRE(e.kind >= cluster_autoscaler::kFirstEventKind);
      REQUIRE(e.kind < cluster_autoscaler::kEndEventKind);
      ca->handle(e);
    };
    h.run(kEnd);
    ca->check_invariants();
  }
  static constexpr SimTime kEnd = kSimStart + minutes(10);
  Harness h;
  std::optional<cluster_autoscaler::Runtime> ca;
};

}  // namespace

TEST_CASE("the Cluster Autoscaler's self-check holds each node group within minSize and maxSize",
          "[cluster-autoscaler]") {
  // 9 pods fit, the 3 others make the autoscaler add a fourth node.
  Autoscaled a;
  CHECK(a.h.platform->desired(GroupId{0}) == 4);
  CHECK(a.h.runtime->running() == 12);
  // A group pushed below its minSize behind the autoscaler's back (the platform's own floor
  // lowered first) fails the check, naming the group.
  a.h.platform->set_min(GroupId{0}, 0);
  for (int k = 0; k < 3; ++k)
    a.h.platform->terminate(a.h.sim, a.h.platform->live_instances(GroupId{0}).front(), true);
  CHECK(a.h.platform->desired(GroupId{0}) == 1);
  CHECK_THROWS_WITH(a.ca->check_invariants(),
                    Catch::Contains("node group workers of cluster lab wants 1 nodes, outside its "
                                    "minSize 2 and maxSize 6"));
}

TEST_CASE("the Cluster Autoscaler's results count its scale-ups and the nodes over the run",
          "[cluster-autoscaler]") {
  // One scale-up of one node, at the first scan (10 s); the new node registers after its
  // launch and takes the 3 pods left: 3 nodes, then 4 for the rest of the 10 minutes.
  Autoscaled a;
  eks::Results r = a.h.runtime->results(a.h.sim.now());
  CHECK_FALSE(r.nodes[0].autoscaled);  // the EKS runtime leaves them to the autoscaler
  a.ca->add_results(r, a.h.sim.now());
  REQUIRE(r.nodes[0].autoscaled);
  CHECK(r.nodes[0].autoscaled->scale_ups == 1);
  CHECK(r.nodes[0].autoscaled->nodes_added == 1);
  CHECK(r.nodes[0].autoscaled->nodes_removed == 0);
  CHECK(r.nodes[0].autoscaled->pods_evicted == 0);
  CHECK(r.nodes[0].autoscaled->nodes_max == 4);
  CHECK(r.nodes[0].autoscaled->nodes_mean > 3.0);
  CHECK(r.nodes[0].autoscaled->nodes_mean < 4.0);
  CHECK(r.nodes[0].autoscaled->usd_per_hour_max == Approx(4 * 0.096));
}

}  // namespace ecsim::test
