#include <catch2/catch.hpp>

#include <array>
#include <set>
#include <stdexcept>
#include <vector>

#include "ecsim/eks/scheduler.hpp"
#include "scheduler_fixture.hpp"

using namespace ecsim;
using namespace ecsim::eks;
using namespace ecsim::eks::test;

namespace {

// Node 0 empty, node 1 with 2000m and 2 GiB requested; both 4000m and 8 GiB.
Scheduler two_nodes(Profile profile = Profile{}) {
  Scheduler s = scheduler({std::move(profile)});
  s.add_node(node("empty", "a", 4000, 8 * kGi));
  s.add_node(node("half", "a", 4000, 8 * kGi));
  s.bind(TaskId{1}, s.add_pod_class(pod(2000, 2 * kGi)), 1);
  return s;
}

}  // namespace

TEST_CASE("LeastAllocated and BalancedAllocation, weighted and summed", "[eks][scheduler]") {
  Scheduler s = two_nodes();
  const Explanation ex = s.explain(s.add_pod_class(pod(1000, 2 * kGi)));
  // empty: cpu (4000 - 1000) * 100 / 4000 = 75, memory (8 - 2) / 8 -> 75: fit 75. Fractions
  // 0.25 and 0.25: balanced 100.
  CHECK(score_of(ex, 0, Plugin::kNodeResourcesFit).raw == 75);
  CHECK(score_of(ex, 0, Plugin::kNodeResourcesBalancedAllocation).raw == 100);
  // half: cpu 3000 of 4000 -> 25, memory 4 of 8 GiB -> 50: (25 + 50) / 2 = 37. Fractions 0.75
  // and 0.5: std 0.125, (1 - 0.125) * 100 = 87.5 -> 87.
  CHECK(score_of(ex, 1, Plugin::kNodeResourcesFit).raw == 37);
  CHECK(score_of(ex, 1, Plugin::kNodeResourcesBalancedAllocation).normalized == 87);
  // No PreferNoSchedule taint anywhere: TaintToleration normalises 0 to 100 everywhere,
  // weighted x3 = 300. NodeAffinity, PodTopologySpread and InterPodAffinity skip (0).
  CHECK(score_of(ex, 0, Plugin::kTaintToleration).weighted == 300);
  CHECK(score_of(ex, 0, Plugin::kNodeAffinity).skipped);
  CHECK(score_of(ex, 0, Plugin::kPodTopologySpread).skipped);
  CHECK(score_of(ex, 0, Plugin::kInterPodAffinity).skipped);
  // Totals: 300 + 75 + 100 = 475 and 300 + 37 + 87 = 424.
  CHECK(verdict(ex, 0).total == 475);
  CHECK(verdict(ex, 1).total == 424);
  CHECK(ex.chosen == 0);
  CHECK(ex.best_total == 475);
}

TEST_CASE("MostAllocated prefers the fuller node", "[eks][scheduler]") {
  Profile most = *builtin_profile("most-allocated");
  Scheduler s = two_nodes(most);
  const Explanation ex = s.explain(s.add_pod_class(pod(1000, 2 * kGi)));
  // empty: 1000 / 4000 -> 25 and 2 / 8 -> 25: 25. half: 75 and 50: 62.
  CHECK(score_of(ex, 0, Plugin::kNodeResourcesFit).raw == 25);
  CHECK(score_of(ex, 1, Plugin::kNodeResourcesFit).raw == 62);
  // 300 + 25 + 100 = 425 against 300 + 62 + 87 = 449.
  CHECK(ex.chosen == 1);
}

TEST_CASE("RequestedToCapacityRatio follows its shape and rounds the average",
          "[eks][scheduler]") {
  Profile p = *builtin_profile("requested-to-capacity-ratio");
  Scheduler s = two_nodes(p);
  const Explanation ex = s.explain(s.add_pod_class(pod(1000, 2 * kGi)));
  // Shape {0: 0, 100: 100}: half is at 75% cpu and 50% memory: round((75 + 50) / 2) = 63
  // (LeastAllocated would truncate; this strategy rounds).
  CHECK(score_of(ex, 1, Plugin::kNodeResourcesFit).raw == 63);
  CHECK(score_of(ex, 0, Plugin::kNodeResourcesFit).raw == 25);
}

TEST_CASE("Scoring counts 100m and 200 MiB for pods that request nothing", "[eks][scheduler]") {
  Scheduler s = scheduler();
  s.add_node(node("n", "a", 1000, 1000LL * 1024 * 1024));
  const Explanation ex = s.explain(s.add_pod_class(pod(0, 0)));
  // cpu (1000 - 100) * 100 / 1000 = 90; memory (1000 - 200) MiB -> 80: (90 + 80) / 2 = 85.
  CHECK(score_of(ex, 0, Plugin::kNodeResourcesFit).raw == 85);
  // A best-effort pod: BalancedAllocation skips.
  CHECK(score_of(ex, 0, Plugin::kNodeResourcesBalancedAllocation).skipped);
}

TEST_CASE("Scoring counts each container's missing request, and an explicit zero as zero",
          "[eks][scheduler]") {
  Scheduler s = scheduler();
  s.add_node(node("n", "a", 1000, 1000LL * 1024 * 1024));
  // memory: "0" named in the one container: cpu (1000 - 100) * 100 / 1000 = 90, memory 100:
  // (90 + 100) / 2 = 95 (the pod's total alone would have counted 200 MiB and given 85).
  PodDescription zero = pod(100, 0);
  zero.spec.nonzero_requests = Resources{100, 0};
  CHECK(score_of(s.explain(s.add_pod_class(zero)), 0, Plugin::kNodeResourcesFit).raw == 95);
  // Two containers that name nothing: 200m and 400 MiB, so cpu 80, memory 60: 70.
  PodDescription two = pod(0, 0);
  two.spec.nonzero_requests = Resources{200, 400LL * 1024 * 1024};
  CHECK(score_of(s.explain(s.add_pod_class(two)), 0, Plugin::kNodeResourcesFit).raw == 70);
}

TEST_CASE("TaintToleration counts intolerable PreferNoSchedule taints and reverses",
          "[eks][scheduler]") {
  Scheduler s = scheduler();
  NodeSpec n0 = node("n0", "a", 4000, 4 * kGi);
  NodeSpec n1 = n0;
  n1.name = "n1";
  n1.taints = {{"spot", "", TaintEffect::kPreferNoSchedule}};
  NodeSpec n2 = n0;
  n2.name = "n2";
  n2.taints = {{"spot", "", TaintEffect::kPreferNoSchedule},
               {"old", "yes", TaintEffect::kPreferNoSchedule}};
  s.add_node(n0);
  s.add_node(n1);
  s.add_node(n2);
  const Explanation ex = s.explain(s.add_pod_class(pod(100, 0)));
  // Raw 0, 1, 2; largest 2: 100 - 100 * 0 / 2 = 100, 100 - 50 = 50, 100 - 100 = 0.
  CHECK(score_of(ex, 1, Plugin::kTaintToleration).raw == 1);
  CHECK(score_of(ex, 0, Plugin::kTaintToleration).normalized == 100);
  CHECK(score_of(ex, 1, Plugin::kTaintToleration).normalized == 50);
  CHECK(score_of(ex, 2, Plugin::kTaintToleration).normalized == 0);
  CHECK(score_of(ex, 1, Plugin::kTaintToleration).weighted == 150);
  // Tolerating "spot" (any effect) leaves n2 with one intolerable taint: 0, 0, 1 -> 100, 100, 0.
  PodDescription p = pod(100, 0);
  p.spec.tolerations = {{"spot", TolerationOperator::kExists, "", std::nullopt, std::nullopt}};
  const Explanation ex2 = s.explain(s.add_pod_class(p));
  CHECK(score_of(ex2, 1, Plugin::kTaintToleration).normalized == 100);
  CHECK(score_of(ex2, 2, Plugin::kTaintToleration).normalized == 0);
}

TEST_CASE("NodeAffinity sums matching preferred weights and scales by the largest",
          "[eks][scheduler]") {
  Scheduler s = scheduler();
  NodeSpec n0 = node("n0", "a", 4000, 4 * kGi);
  n0.labels["disk"] = "ssd";
  NodeSpec n1 = node("n1", "a", 4000, 4 * kGi);
  n1.labels["gen"] = "7";
  s.add_node(n0);
  s.add_node(n1);
  s.add_node(node("n2", "a", 4000, 4 * kGi));
  PodDescription p = pod(100, 0);
  p.spec.node_affinity.preferred = {{10, {{{"disk", SelectorOperator::kIn, {"ssd"}}}}},
                                    {30, {{{"gen", SelectorOperator::kIn, {"7"}}}}}};
  const Explanation ex = s.explain(s.add_pod_class(p));
  // Raw 10, 30, 0; 100 * 10 / 30 = 33, 100, 0; weighted x2: 66, 200, 0.
  CHECK(score_of(ex, 0, Plugin::kNodeAffinity).raw == 10);
  CHECK(score_of(ex, 0, Plugin::kNodeAffinity).normalized == 33);
  CHECK(score_of(ex, 1, Plugin::kNodeAffinity).weighted == 200);
  CHECK(score_of(ex, 2, Plugin::kNodeAffinity).normalized == 0);
  CHECK(ex.chosen == 1);
}

TEST_CASE("Default topology spreading for a controller's pods, hostname and zone",
          "[eks][scheduler]") {
  Scheduler s = three_nodes("a", "a", "b", 64000, 64 * kGi);
  PodDescription web = pod(100, kGi, {{"app", "web"}});
  web.owner_selector = LabelSelector{{{"app", "web"}}, {}};
  const PodClassId c = s.add_pod_class(web);
  s.bind(TaskId{1}, c, 0);
  s.bind(TaskId{2}, c, 0);
  s.bind(TaskId{3}, c, 2);
  const Explanation ex = s.explain(c);
  // Hostname: weight log(3 nodes + 2) = 1.609; zone: domains a and b, weight log(2 + 2) =
  // 1.386; zone counts a 2, b 1.
  // n0: (2 x 1.609 + 2) + (2 x 1.386 + 4) = 5.219 + 6.773 = 11.99 -> 12.
  // n1: (0 + 2) + 6.773 = 8.77 -> 9.   n2: (1.609 + 2) + (1.386 + 4) = 9.00 -> 9.
  CHECK(score_of(ex, 0, Plugin::kPodTopologySpread).raw == 12);
  CHECK(score_of(ex, 1, Plugin::kPodTopologySpread).raw == 9);
  CHECK(score_of(ex, 2, Plugin::kPodTopologySpread).raw == 9);
  // min 9, max 12: n0 100 * (21 - 12) / 12 = 75; n1 and n2 100 * (21 - 9) / 12 = 100.
  CHECK(score_of(ex, 0, Plugin::kPodTopologySpread).normalized == 75);
  CHECK(score_of(ex, 1, Plugin::kPodTopologySpread).normalized == 100);
  CHECK(score_of(ex, 2, Plugin::kPodTopologySpread).weighted == 200);
  // Without an owner there is no default spreading.
  CHECK(score_of(s.explain(s.add_pod_class(pod(100, kGi, {{"app", "web"}}))), 0,
                 Plugin::kPodTopologySpread)
            .skipped);
  // Nor under a profile that turns it off.
  Scheduler off = scheduler({*builtin_profile("no-default-spreading")});
  off.add_node(node("n0", "a", 64000, 64 * kGi));
  CHECK(score_of(off.explain(off.add_pod_class(web)), 0, Plugin::kPodTopologySpread).skipped);
}

TEST_CASE("ScheduleAnyway constraints ignore nodes without the key", "[eks][scheduler]") {
  Scheduler s = scheduler();
  s.add_node(node("n0", "a", 64000, 64 * kGi));
  s.add_node(node("n1", "b", 64000, 64 * kGi));
  NodeSpec bare;
  bare.name = "bare";
  bare.cpu_millis = 64000;
  bare.memory_bytes = 64 * kGi;
  s.add_node(bare);
  PodDescription p = pod(100, 0, {{"app", "web"}});
  TopologySpreadConstraint t;
  t.max_skew = 1;
  t.topology_key = "topology.kubernetes.io/zone";
  t.when_unsatisfiable = WhenUnsatisfiable::kScheduleAnyway;
  t.selector.match_labels = {{"app", "web"}};
  p.spec.topology_spread = {t};
  const PodClassId c = s.add_pod_class(p);
  s.bind(TaskId{1}, c, 0);
  const Explanation ex = s.explain(c);
  // Domains a and b (bare is ignored): weight log(4) = 1.386. n0: 1 x 1.386 + 0 = 1.39 -> 1;
  // n1: 0. min 0, max 1: n0 100 * (1 + 0 - 1) / 1 = 0, n1 100; bare is ignored: 0.
  CHECK(score_of(ex, 0, Plugin::kPodTopologySpread).normalized == 0);
  CHECK(score_of(ex, 1, Plugin::kPodTopologySpread).normalized == 100);
  CHECK(score_of(ex, 2, Plugin::kPodTopologySpread).normalized == 0);
  CHECK(ex.chosen == 1);
}

TEST_CASE("InterPodAffinity sums preferred terms per domain and normalises min to max",
          "[eks][scheduler]") {
  Scheduler s = three_nodes("a", "a", "b", 64000, 64 * kGi);
  s.bind(TaskId{1}, s.add_pod_class(pod(100, 0, {{"app", "cache"}})), 0);
  const PodClassId web = s.add_pod_class(pod(100, 0, {{"app", "web"}}));
  s.bind(TaskId{2}, web, 1);
  s.bind(TaskId{3}, web, 2);
  PodDescription p = pod(100, 0, {{"app", "api"}});
  PodAffinityTerm near_cache = app_term("cache", "topology.kubernetes.io/zone");
  PodAffinityTerm away_from_web = app_term("web", "kubernetes.io/hostname");
  p.spec.pod_affinity.preferred = {{50, near_cache}};
  p.spec.pod_anti_affinity.preferred = {{20, away_from_web}};
  const Explanation ex = s.explain(s.add_pod_class(p));
  // Zone a: +50 x 1 cache pod; hosts n1 and n2: -20 x 1 web pod each.
  // n0 50, n1 50 - 20 = 30, n2 -20. min -20, max 50: 100, 100 x 50 / 70 = 71, 0.
  CHECK(score_of(ex, 0, Plugin::kInterPodAffinity).raw == 50);
  CHECK(score_of(ex, 1, Plugin::kInterPodAffinity).raw == 30);
  CHECK(score_of(ex, 2, Plugin::kInterPodAffinity).raw == -20);
  CHECK(score_of(ex, 1, Plugin::kInterPodAffinity).normalized == 71);
  CHECK(score_of(ex, 2, Plugin::kInterPodAffinity).normalized == 0);
  CHECK(ex.chosen == 0);
}

TEST_CASE("Existing pods' affinity terms score the incoming pod", "[eks][scheduler]") {
  Scheduler s = scheduler();
  s.add_node(node("n0", "a", 64000, 64 * kGi));
  s.add_node(node("n1", "b", 64000, 64 * kGi));
  PodDescription lonely = pod(100, 0, {{"app", "lonely"}});
  PodAffinityTerm web = app_term("web", "kubernetes.io/hostname");
  lonely.spec.pod_anti_affinity.preferred = {{40, web}};
  s.bind(TaskId{1}, s.add_pod_class(lonely), 0);
  const Explanation ex = s.explain(s.add_pod_class(pod(100, 0, {{"app", "web"}})));
  // The bound pod's preferred anti-affinity matches a web pod: n0 -40, n1 0: 0 and 100.
  CHECK(score_of(ex, 0, Plugin::kInterPodAffinity).raw == -40);
  CHECK(score_of(ex, 1, Plugin::kInterPodAffinity).normalized == 100);
  CHECK(ex.chosen == 1);
}

TEST_CASE("Ties are broken uniformly from the seeded stream, reproducibly", "[eks][scheduler]") {
  const auto choices = [](std::uint64_t seed) {
    Scheduler s{RandomStream{seed}};
    for (std::size_t i = 0; i < 8; ++i) s.add_node(node(numbered(i), "a", 4000, 4 * kGi));
    const PodClassId c = s.add_pod_class(pod(100, 0));
    std::vector<NodeIndex> out;
    for (int i = 0; i < 40; ++i) {
      const Explanation ex = s.explain(c);
      const ScheduleResult r = s.schedule(c);
      CHECK(r.ties == 8);
      CHECK(ex.chosen == r.node);  // explaining does not move the stream
      out.push_back(r.node);
    }
    return out;
  };
  const std::vector<NodeIndex> a = choices(7);
  CHECK(a == choices(7));
  CHECK(a != choices(8));
  CHECK(std::set<NodeIndex>(a.begin(), a.end()).size() > 4);
}

TEST_CASE("percentageOfNodesToScore samples from a rotating start", "[eks][scheduler]") {
  Profile p;
  p.percentage_of_nodes_to_score = 10;
  Scheduler s = scheduler({p});
  for (std::size_t i = 0; i < 300; ++i) s.add_node(node(numbered(i), "a", 4000, 4 * kGi));
  const PodClassId c = s.add_pod_class(pod(100, 0));
  // 10% of 300 is 30, raised to 100: nodes 0..99 first, then 100..199.
  const ScheduleResult r1 = s.schedule(c);
  CHECK(r1.feasible == 100);
  CHECK(r1.node < 100);
  const ScheduleResult r2 = s.schedule(c);
  CHECK(r2.node >= 100);
  CHECK(r2.node < 200);
}

TEST_CASE("percentageOfNodesToScore walks the node tree: one node of each zone in turn",
          "[eks][scheduler]") {
  // 100 nodes of zone a registered first, then 100 of b, then 100 of c: the first 100 nodes
  // upstream looks at are a0 b0 c0 a1 b1 c1 ..., so 34 of a and 33 each of b and c.
  Profile p;
  p.percentage_of_nodes_to_score = 10;
  Scheduler s = scheduler({p});
  const char* zones[] = {"a", "b", "c"};
  for (std::size_t i = 0; i < 300; ++i)
    s.add_node(node(numbered(i), zones[i / 100], 4000, 4 * kGi));
  const PodClassId c = s.add_pod_class(pod(100, 0));
  const auto scored_per_zone = [&](const Explanation& ex) {
    std::array<int, 3> per{};
    for (const NodeVerdict& v : ex.nodes)
      if (v.scored) ++per[v.node / 100];
    return per;
  };
  const Explanation first = s.explain(c);
  CHECK(first.feasible == 100);
  CHECK(scored_per_zone(first) == std::array<int, 3>{34, 33, 33});
  CHECK(s.schedule(c).node < 300);
  // The next cycle starts after the 100th node of the tree (c33): a34 b34 c34 ...
  const Explanation second = s.explain(c);
  CHECK(scored_per_zone(second) == std::array<int, 3>{33, 34, 33});
  CHECK_FALSE(verdict(second, 33).scored);
  CHECK(verdict(second, 34).scored);
}

TEST_CASE("The node tree keeps each zone's order when nodes leave, move or come back",
          "[eks][scheduler]") {
  // 200 nodes alternating zones a and b; node 0 (a) is removed, node 1 (b) moves to a new
  // zone c, and a node of zone a is added. The tree's order is a2 b3 c1 a4 b5 a6 b7 ...; the
  // sample is its first 100 nodes (10% of 200, raised to 100).
  Profile p;
  p.percentage_of_nodes_to_score = 10;
  Scheduler s = scheduler({p});
  for (std::size_t i = 0; i < 200; ++i)
    s.add_node(node(numbered(i), i % 2 == 0 ? "a" : "b", 4000, 4 * kGi));
  s.remove_node(0);
  s.set_labels(1, {{"topology.kubernetes.io/zone", "c"}});
  const NodeIndex added = s.add_node(node(numbered(500), "a", 4000, 4 * kGi));
  const PodClassId c = s.add_pod_class(pod(100, 0));
  const Explanation ex = s.explain(c);
  CHECK(ex.feasible == 100);
  // Zones a, b, c in that order (c is new); the first round takes a2 b3 c1, the next ones a
  // and b only: 100 nodes are c1, 50 of a and 49 of b, and the re-added node is a's last.
  CHECK(verdict(ex, 1).scored);   // c's only node, in the first round
  CHECK(verdict(ex, 2).scored);   // a's first
  CHECK(verdict(ex, 3).scored);   // b's first
  CHECK_FALSE(verdict(ex, added).scored);  // the end of zone a
  int a = 0, b = 0;
  for (const NodeVerdict& v : ex.nodes) {
    if (!v.scored || v.node == 1) continue;
    (v.node % 2 == 0 || v.node == added ? a : b) += 1;
  }
  CHECK(a == 50);
  CHECK(b == 49);
}

TEST_CASE("Profiles are chosen by the pod's schedulerName", "[eks][scheduler]") {
  Scheduler s = scheduler({Profile{}, *builtin_profile("most-allocated")});
  s.add_node(node("empty", "a", 4000, 8 * kGi));
  s.add_node(node("half", "a", 4000, 8 * kGi));
  s.bind(TaskId{1}, s.add_pod_class(pod(2000, 2 * kGi)), 1);
  CHECK(s.schedule(s.add_pod_class(pod(1000, 2 * kGi))).node == 0);
  PodDescription packed = pod(1000, 2 * kGi);
  packed.profile = "most-allocated";
  CHECK(s.schedule(s.add_pod_class(packed)).node == 1);
  CHECK(builtin_profile_names().size() == 5);
  CHECK_FALSE(builtin_profile("nope").has_value());
}

TEST_CASE("The fused cycle and the explained one agree on every decision", "[eks][scheduler]") {
  // schedule() takes the fused path for these pods (reading the node index or passing over
  // the nodes), explain() the general one; with the same random stream they must find the
  // same best total and the same ties, so the same node.
  const CycleIndex mode = GENERATE(CycleIndex::kAlways, CycleIndex::kNever);
  Scheduler s{RandomStream{42}};
  s.set_cycle_index(mode);
  const char* zones[] = {"a", "b", "c"};
  for (std::size_t i = 0; i < 60; ++i) {
    const auto gib = static_cast<std::int64_t>(8 + i % 3 * 8);
    NodeSpec n = node(numbered(i), zones[i % 3], i % 4 == 0 ? 4000 : 8000, gib * kGi);
    n.pods = 20;
    if (i % 10 == 0) n.labels.erase("topology.kubernetes.io/zone");
    s.add_node(n);
  }
  std::vector<PodClassId> classes;
  const char* apps[] = {"web", "api", "cache"};
  for (std::size_t k = 0; k < 3; ++k) {
    PodDescription p = pod(static_cast<std::int64_t>(250 * (k + 1)), static_cast<std::int64_t>(k + 1) * kGi / 2,
                           {{"app", apps[k]}});
    p.owner_selector = LabelSelector{p.labels, {}};
    classes.push_back(s.add_pod_class(p));
  }
  classes.push_back(s.add_pod_class(pod(0, 0)));  // best effort, no owner
  RandomStream workload(3);
  std::vector<TaskId> running;
  std::uint32_t next = 0;
  for (int step = 0; step < 400; ++step) {
    if (!running.empty() && workload.bernoulli(0.3)) {
      const std::size_t k = workload.uniform_int(running.size());
      s.unbind(running[k]);
      running[k] = running.back();
      running.pop_back();
    }
    if (step % 40 == 39) {
      // The cluster changes under the counts: a cordon, a node moving zone with its pods, and
      // an empty node replaced by a new one.
      const auto some = static_cast<NodeIndex>(workload.uniform_int(s.nodes().size()));
      if (s.nodes().present(some)) s.set_unschedulable(some, !s.nodes().unschedulable(some));
      // A node turning NotReady or Ready again (its not-ready taint only filters).
      const auto flaky = static_cast<NodeIndex>(workload.uniform_int(s.nodes().size()));
      if (s.nodes().present(flaky)) s.set_ready(flaky, workload.bernoulli(0.5));
      const auto moved = static_cast<NodeIndex>(workload.uniform_int(s.nodes().size()));
      if (s.nodes().present(moved))
        s.set_labels(moved, {{"topology.kubernetes.io/zone", zones[workload.uniform_int(3)]}});
      for (NodeIndex n = 0; n < s.nodes().size(); ++n) {
        if (s.nodes().present(n) && s.pods_on(n).empty()) {
          s.remove_node(n);
          s.add_node(node(numbered(1000 + static_cast<std::size_t>(step)), zones[step % 3], 8000,
                          16 * kGi));
          break;
        }
      }
    }
    const PodClassId c = classes[workload.uniform_int(classes.size())];
    const Explanation ex = s.explain(c);
    const ScheduleResult r = s.schedule(c);
    REQUIRE(ex.chosen == r.node);
    if (r.node == kNoNode) continue;
    REQUIRE(ex.best_total == r.score);
    REQUIRE(ex.ties == r.ties);
    REQUIRE(ex.feasible == r.feasible);
    s.bind(TaskId{next}, c, r.node);
    running.push_back(TaskId{next++});
  }
}

TEST_CASE("The node index and the pass over every node choose alike", "[eks][scheduler]") {
  // Two schedulers fed the same cluster and pods, one reading its per-class node indexes and
  // one passing over the nodes, must return the same result for every cycle. The workload
  // reaches every way an index goes stale: more classes than index slots and more request
  // sizes than resource caches (both reused by age), a node's matching pods passing a power
  // of two (the keys' stride grows), a new zone (more keys), cordons, nodes replaced, labels
  // moved, and bursts of more changes than the change log keeps.
  const std::uint64_t seed = GENERATE(1U, 2U, 3U);
  Scheduler indexed{RandomStream{seed}};
  Scheduler scanned{RandomStream{seed}};
  indexed.set_cycle_index(CycleIndex::kAlways);
  scanned.set_cycle_index(CycleIndex::kNever);
  const auto both = [&](auto&& f) {
    f(indexed);
    f(scanned);
  };
  const char* zones[] = {"a", "b", "c", "d"};
  std::size_t named = 0;
  const auto add_node = [&](const char* zone) {
    const std::size_t i = named++;
    NodeSpec n = node(numbered(i), zone, 4000 + 4000 * static_cast<std::int64_t>(i % 2),
                      static_cast<std::int64_t>(8 + 8 * (i % 3)) * kGi);
    n.pods = 30;
    both([&](Scheduler& s) { s.add_node(n); });
  };
  // Enough nodes that most cycles catch up from the change log rather than rebuild.
  for (std::size_t i = 0; i < 600; ++i) add_node(zones[i % 3]);

  std::vector<PodClassId> classes;
  const auto add_class = [&](PodDescription p) {
    PodClassId id = 0;
    both([&](Scheduler& s) { id = s.add_pod_class(p); });
    classes.push_back(id);
  };
  for (std::size_t k = 0; k < 20; ++k) {
    PodDescription p = pod(static_cast<std::int64_t>(100 + 50 * (k % 7)),
                           static_cast<std::int64_t>(1 + k % 5) * kGi / 4,
                           {{"app", "app-" + std::to_string(k)}});
    p.owner_selector = LabelSelector{p.labels, {}};
    if (k == 3) {
      p.spec.tolerations = {Toleration{"node.kubernetes.io/unschedulable",
                                       TolerationOperator::kExists, "", TaintEffect::kNoSchedule,
                                       std::nullopt}};
    }
    if (k == 4) {
      p.spec.tolerations = {Toleration{"dedicated", TolerationOperator::kEqual, "batch",
                                       std::nullopt, std::nullopt}};
    }
    add_class(p);
  }
  add_class(pod(0, 0));     // best effort, no owner: no spreading
  add_class(pod(300, kGi)); // no owner

  RandomStream workload(seed + 100);
  std::vector<TaskId> running;
  std::uint32_t next = 0;
  std::size_t indexed_cycles = 0;
  for (int step = 0; step < 6000; ++step) {
    const double u = workload.uniform01();
    if (!running.empty() && (u < 0.45 || running.size() > 2500)) {
      const std::size_t k = workload.uniform_int(running.size());
      both([&](Scheduler& s) { s.unbind(running[k]); });
      running[k] = running.back();
      running.pop_back();
    }
    if (step % 500 == 250) {
      // A burst: many pods of one class, then most of them gone, with no cycle of the other
      // classes in between (more changes than the log holds).
      const PodClassId c = classes[workload.uniform_int(classes.size())];
      for (int round = 0; round < 3; ++round) {
        while (running.size() < 3000) {
          const ScheduleResult r = indexed.schedule(c);
          REQUIRE(r.node == scanned.schedule(c).node);
          if (r.node == kNoNode) break;
          both([&](Scheduler& s) { s.bind(TaskId{next}, c, r.node); });
          running.push_back(TaskId{next++});
        }
        while (running.size() > 1000) {
          both([&](Scheduler& s) { s.unbind(running.back()); });
          running.pop_back();
        }
      }
    }
    if (step % 97 == 0) {
      const auto n = static_cast<NodeIndex>(workload.uniform_int(indexed.nodes().size()));
      if (indexed.nodes().present(n)) {
        const bool cordon = !indexed.nodes().unschedulable(n);
        both([&](Scheduler& s) { s.set_unschedulable(n, cordon); });
      }
    }
    if (step % 89 == 0) {
      // NotReady and Ready again, and a NoExecute taint one class tolerates.
      const auto n = static_cast<NodeIndex>(workload.uniform_int(indexed.nodes().size()));
      const bool ready = workload.bernoulli(0.4);
      if (indexed.nodes().present(n)) both([&](Scheduler& s) { s.set_ready(n, ready); });
      const auto t = static_cast<NodeIndex>(workload.uniform_int(indexed.nodes().size()));
      std::vector<Taint> taints;
      if (workload.bernoulli(0.7))
        taints.push_back(Taint{"dedicated", "batch", TaintEffect::kNoExecute});
      if (indexed.nodes().present(t)) both([&](Scheduler& s) { s.set_taints(t, taints); });
    }
    if (step % 211 == 0) {
      const auto n = static_cast<NodeIndex>(workload.uniform_int(indexed.nodes().size()));
      // The fourth zone appears after a while.
      const char* zone = zones[workload.uniform_int(step > 3000 ? 4 : 3)];
      if (indexed.nodes().present(n))
        both([&](Scheduler& s) { s.set_labels(n, {{"topology.kubernetes.io/zone", zone}}); });
    }
    if (step % 307 == 0) {
      for (NodeIndex n = 0; n < indexed.nodes().size(); ++n) {
        if (indexed.nodes().present(n) && indexed.pods_on(n).empty()) {
          both([&](Scheduler& s) { s.remove_node(n); });
          add_node(zones[step % 4]);
          break;
        }
      }
    }
    if (step % 1000 == 999) {
      // Another request size, so that the resource caches are reused by age.
      add_class(pod(static_cast<std::int64_t>(150 + step / 10), kGi / 3));
    }
    const PodClassId c = classes[workload.uniform_int(classes.size())];
    const ScheduleResult a = indexed.schedule(c);
    const ScheduleResult b = scanned.schedule(c);
    REQUIRE(a.node == b.node);
    REQUIRE(a.feasible == b.feasible);
    REQUIRE(a.score == b.score);
    REQUIRE(a.ties == b.ties);
    if (a.node == kNoNode) continue;
    ++indexed_cycles;
    both([&](Scheduler& s) { s.bind(TaskId{next}, c, a.node); });
    running.push_back(TaskId{next++});
  }
  CHECK(indexed_cycles > 4000);
}

TEST_CASE("An explanation covers every node: the filter that rejected it or its scores",
          "[eks][scheduler]") {
  Scheduler s = scheduler();
  const NodeIndex tainted = s.add_node(node("tainted", "a", 4000, 8 * kGi));
  s.set_taints(tainted, {{"gpu", "true", TaintEffect::kNoSchedule}});
  const NodeIndex small = s.add_node(node("small", "a", 500, 8 * kGi));
  const NodeIndex gone = s.add_node(node("gone", "a", 4000, 8 * kGi));
  const NodeIndex fine = s.add_node(node("fine", "b", 4000, 8 * kGi));
  s.remove_node(gone);
  const Explanation ex = s.explain(s.add_pod_class(pod(1000, kGi)));
  // Removed nodes have no verdict; the others are in slot order.
  REQUIRE(ex.nodes.size() == 3);
  CHECK(ex.nodes[0].node == tainted);
  CHECK(ex.nodes[2].node == fine);
  CHECK(verdict(ex, tainted).rejected_by == Plugin::kTaintToleration);
  CHECK(verdict(ex, small).reason == "Insufficient cpu");
  CHECK_FALSE(verdict(ex, small).scored);
  const NodeVerdict& v = verdict(ex, fine);
  CHECK(v.scored);
  CHECK_FALSE(v.rejected_by.has_value());
  // fine: cpu (4000 - 1000) / 4000 -> 75, memory (8 - 1) / 8 -> 87: fit (75 + 87) / 2 = 81;
  // fractions 0.25 and 0.125: balanced (1 - 0.0625) x 100 = 93; taints 100 x 3 = 300.
  CHECK(score_of(ex, fine, Plugin::kNodeResourcesFit).weighted == 81);
  CHECK(score_of(ex, fine, Plugin::kNodeResourcesBalancedAllocation).weighted == 93);
  std::int64_t sum = 0;
  for (const ScoreDetail& d : v.scores) sum += d.weighted;
  CHECK(sum == v.total);
  CHECK(v.total == 300 + 81 + 93);
  CHECK(ex.chosen == fine);
  CHECK(ex.feasible == 1);
  CHECK(ex.ties == 1);
  CHECK(to_string(Plugin::kNodeResourcesBalancedAllocation) == "NodeResourcesBalancedAllocation");
}
