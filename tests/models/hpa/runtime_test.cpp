// The HorizontalPodAutoscaler controller as a component of its own: a simulator, the component
// and views written by hand, without the engine or EKS.

#include <catch2/catch.hpp>

#include <vector>

#include "ecsim/hpa/runtime.hpp"
#include "ecsim/sim/assert.hpp"

namespace ecsim::test {
namespace {

using std::chrono::seconds;

// An HPA of cluster `cluster` on CPU at 50% of the requests, 1 to 10 replicas, default behaviour.
hpa::Spec cpu_at_50(std::uint32_t cluster, std::string name) {
  hpa::Spec s;
  s.cluster = cluster;
  s.name = std::move(name);
  s.min_replicas = 1;
  s.max_replicas = 10;
  s.metrics = {hpa::Target{hpa::Resource::kCpu, true, 50}};
  return s;
}

// A view of `replicas` pods, all sampled, each requesting 500m CPU and 256 MiB, whose mean use
// per pod since the start is `cpu_seconds` core-seconds.
struct View {
  std::vector<hpa::RevisionPods> pods;
  hpa::TargetView view;
  View(std::int32_t replicas, double cpu_seconds, bool writable = true)
      : pods{{500, 256.0 * 1024 * 1024, replicas, 0, 0}} {
    view.replicas = replicas;
    view.writable = writable;
    view.cpu_seconds = cpu_seconds;
    view.memory_mib_seconds = 0;
    view.pods = pods;
  }
};

}  // namespace

TEST_CASE("the HPA controller syncs each cluster that has HPAs every 15 s", "[hpa]") {
  hpa::Runtime hpas({cpu_at_50(0, "default/a"), cpu_at_50(2, "default/b"), cpu_at_50(2, "default/c")});
  Simulator sim;
  hpas.start(sim, kSimStart + seconds(60));
  std::vector<std::pair<SimTime, std::uint32_t>> syncs;
  sim.run([&](const Event& e) { syncs.emplace_back(sim.now(), hpas.on_sync(sim, e)); });
  // Clusters 0 and 2 at 15, 30, 45 and 60 s, cluster 0 first at each; cluster 1 has none.
  std::vector<std::pair<SimTime, std::uint32_t>> expected;
  for (int t = 15; t <= 60; t += 15) {
    expected.emplace_back(kSimStart + seconds(t), 0);
    expected.emplace_back(kSimStart + seconds(t), 2);
  }
  CHECK(syncs == expected);
  CHECK(hpas.of_cluster(0).size() == 1);
  CHECK(hpas.of_cluster(1).empty());
  CHECK(hpas.of_cluster(2).size() == 2);
  CHECK(hpas.of_cluster(7).empty());
}

TEST_CASE("an HPA sync scales from the mean use since its last sync", "[hpa]") {
  hpa::Runtime hpas({cpu_at_50(0, "default/web")});
  // 4 pods of 500m using 0.45 cores each over the first 15 s (6.75 core-s): 450m is 90% of the
  // request, a ratio of 90 / 50 = 1.8 against the target, so ceil(4 x 1.8) = 8; the default
  // scale-up allows the larger of 4 pods and 100% per 15 s, 8, within maxReplicas 10.
  View first(4, 6.75);
  const auto up = hpas.sync(0, kSimStart + seconds(15), first.view);
  REQUIRE(up.has_value());
  CHECK(up->to == 8);
  CHECK(up->reason == "New size: 8; reason: cpu resource utilization (percentage of request) above target");
  // Over the next 15 s the 8 pods use 0.25 cores each (3.75 more core-s): 50%, on target, no
  // change. (Over the whole 30 s the mean would be 70%, which would scale.)
  View second(8, 6.75 + 3.75);
  CHECK_FALSE(hpas.sync(0, kSimStart + seconds(30), second.view).has_value());
  hpas.check_invariants();
}

TEST_CASE("an HPA leaves a target alone without quorum, and its next window starts there", "[hpa]") {
  hpa::Runtime hpas({cpu_at_50(0, "default/web")});
  // At 15 s the API server cannot store a scale: no change, though 90% would scale to 8.
  View unwritable(4, 6.75, false);
  CHECK_FALSE(hpas.sync(0, kSimStart + seconds(15), unwritable.view).has_value());
  // At 30 s, 0.375 cores a pod over the last 15 s (5.625 core-s): 75%, ratio 1.5, ceil(4 x 1.5)
  // = 6. From the start (82.5% over 30 s) it would be ceil(4 x 1.65) = 7.
  View writable(4, 6.75 + 5.625);
  const auto up = hpas.sync(0, kSimStart + seconds(30), writable.view);
  REQUIRE(up.has_value());
  CHECK(up->to == 6);
  // A target at 0 replicas is never scaled (the controller's scale-to-zero rule).
  View zero(0, 6.75 + 5.625 + 100);
  CHECK_FALSE(hpas.sync(0, kSimStart + seconds(45), zero.view).has_value());
}

TEST_CASE("an HPA brings a target above maxReplicas down to it", "[hpa]") {
  hpa::Runtime hpas({cpu_at_50(0, "default/web")});
  View above(12, 0);  // no use at all, yet the bound comes first
  const auto down = hpas.sync(0, kSimStart + seconds(15), above.view);
  REQUIRE(down.has_value());
  CHECK(down->to == 10);
  CHECK(down->reason == "New size: 10; reason: Current number of replicas above Spec.MaxReplicas");
}

TEST_CASE("the HPA controller's self-check fails on replicas it set outside min and max", "[hpa]") {
  // minReplicas above maxReplicas, which the API server refuses: the bound above wins, 3, below
  // minReplicas 5, and the self-check says so.
  hpa::Spec bad = cpu_at_50(0, "default/bad");
  bad.min_replicas = 5;
  bad.max_replicas = 3;
  hpa::Runtime hpas({bad});
  View four(4, 0);
  const auto d = hpas.sync(0, kSimStart + seconds(15), four.view);
  REQUIRE(d.has_value());
  CHECK(d->to == 3);
  CHECK_THROWS_WITH(hpas.check_invariants(),
                    Catch::Contains("HorizontalPodAutoscaler default/bad set 3 replicas, outside "
                                    "minReplicas 5 and maxReplicas 3"));
}

}  // namespace ecsim::test
