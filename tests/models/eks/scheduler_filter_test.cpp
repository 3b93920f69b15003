#include <catch2/catch.hpp>

#include <stdexcept>

#include "ecsim/eks/scheduler.hpp"
#include "scheduler_fixture.hpp"

using namespace ecsim;
using namespace ecsim::eks;
using namespace ecsim::eks::test;

TEST_CASE("NodeResourcesFit rejects nodes short of cpu, memory or pods, with every reason",
          "[eks][scheduler]") {
  Scheduler s = scheduler();
  NodeSpec small = node("small", "a", 1000, 1 * kGi);
  small.pods = 1;
  const NodeIndex a = s.add_node(small);
  const NodeIndex b = s.add_node(node("big", "a", 4000, 8 * kGi));
  const PodClassId filler = s.add_pod_class(pod(100, 0));
  s.bind(TaskId{0}, filler, a);  // small now holds 1 of 1 pods, 100m of 1000m
  // 1000m and 2 GiB: small has 900m free and 1 GiB, and no pod slot left.
  const PodClassId big = s.add_pod_class(pod(1000, 2 * kGi));
  const Explanation ex = s.explain(big);
  CHECK(verdict(ex, a).rejected_by == Plugin::kNodeResourcesFit);
  CHECK(verdict(ex, a).reason == "Too many pods, Insufficient cpu, Insufficient memory");
  CHECK_FALSE(verdict(ex, b).rejected_by.has_value());
  CHECK(ex.chosen == b);
  CHECK(s.schedule(big).node == b);
  // A pod that requests nothing fits wherever a pod slot is free.
  const PodClassId nothing = s.add_pod_class(pod(0, 0));
  s.unbind(TaskId{0});
  CHECK(s.schedule(nothing).feasible == 2);
}

TEST_CASE("NodeUnschedulable rejects cordoned nodes unless the pod tolerates the taint",
          "[eks][scheduler]") {
  Scheduler s = scheduler();
  const NodeIndex a = s.add_node(node("a", "a", 4000, 4 * kGi));
  const NodeIndex b = s.add_node(node("b", "a", 4000, 4 * kGi));
  s.set_unschedulable(a, true);
  const PodClassId plain = s.add_pod_class(pod(100, 0));
  const Explanation ex = s.explain(plain);
  CHECK(verdict(ex, a).rejected_by == Plugin::kNodeUnschedulable);
  CHECK(verdict(ex, a).reason == "node(s) were unschedulable");
  CHECK(ex.feasible == 1);
  CHECK(ex.chosen == b);
  PodDescription tolerant = pod(100, 0);
  tolerant.spec.tolerations.push_back({"node.kubernetes.io/unschedulable",
                                       TolerationOperator::kExists, "", TaintEffect::kNoSchedule,
                                       std::nullopt});
  CHECK(s.schedule(s.add_pod_class(tolerant)).feasible == 2);
}

TEST_CASE("NodeName keeps only the named node", "[eks][scheduler]") {
  Scheduler s = scheduler();
  s.add_node(node("a", "a", 4000, 4 * kGi));
  const NodeIndex b = s.add_node(node("b", "a", 4000, 4 * kGi));
  PodDescription p = pod(100, 0);
  p.spec.node_name = s.nodes().name(b);
  const PodClassId c = s.add_pod_class(p);
  const Explanation ex = s.explain(c);
  CHECK(verdict(ex, 0).reason == "node(s) didn't match the requested node name");
  CHECK(ex.chosen == b);
}

TEST_CASE("TaintToleration rejects untolerated NoSchedule and NoExecute taints, not Prefer",
          "[eks][scheduler]") {
  Scheduler s = scheduler();
  NodeSpec gpu = node("gpu", "a", 4000, 4 * kGi);
  gpu.taints = {{"nvidia.com/gpu", "true", TaintEffect::kNoSchedule}};
  NodeSpec evict = node("evict", "a", 4000, 4 * kGi);
  evict.taints = {{"dedicated", "batch", TaintEffect::kNoExecute}};
  NodeSpec soft = node("soft", "a", 4000, 4 * kGi);
  soft.taints = {{"spot", "", TaintEffect::kPreferNoSchedule}};
  const NodeIndex g = s.add_node(gpu);
  const NodeIndex e = s.add_node(evict);
  const NodeIndex p = s.add_node(soft);
  const Explanation ex = s.explain(s.add_pod_class(pod(100, 0)));
  CHECK(verdict(ex, g).reason == "node(s) had untolerated taint {nvidia.com/gpu: true}");
  CHECK(verdict(ex, e).reason == "node(s) had untolerated taint {dedicated: batch}");
  CHECK_FALSE(verdict(ex, p).rejected_by.has_value());
  // Tolerating the gpu taint by key and value (Equal), and the other by Exists on its key.
  PodDescription tolerant = pod(100, 0);
  tolerant.spec.tolerations = {
      {"nvidia.com/gpu", TolerationOperator::kEqual, "true", std::nullopt, std::nullopt},
      {"dedicated", TolerationOperator::kExists, "", TaintEffect::kNoExecute, std::nullopt}};
  CHECK(s.schedule(s.add_pod_class(tolerant)).feasible == 3);
  // A toleration for the wrong effect does not help.
  PodDescription wrong = pod(100, 0);
  wrong.spec.tolerations = {{"dedicated", TolerationOperator::kExists, "",
                             TaintEffect::kNoSchedule, std::nullopt}};
  CHECK(verdict(s.explain(s.add_pod_class(wrong)), e).rejected_by == Plugin::kTaintToleration);
}

TEST_CASE("A node that is not ready (unheard: Ready Unknown) carries the unreachable taint",
          "[eks][scheduler]") {
  Scheduler s = scheduler();
  const NodeIndex a = s.add_node(node("a", "a", 4000, 4 * kGi));
  s.set_ready(a, false);
  const Explanation ex = s.explain(s.add_pod_class(pod(100, 0)));
  CHECK(verdict(ex, a).reason ==
        "node(s) had untolerated taint {node.kubernetes.io/unreachable: }");
  // A toleration of not-ready does not cover it.
  PodDescription not_ready = pod(100, 0);
  not_ready.spec.tolerations = {{"node.kubernetes.io/not-ready", TolerationOperator::kExists, "",
                                 std::nullopt, std::nullopt}};
  CHECK(s.schedule(s.add_pod_class(not_ready)).node == kNoNode);
  s.set_ready(a, true);
  CHECK(s.schedule(s.add_pod_class(pod(100, 0))).node == a);
}

TEST_CASE("NodeAffinity applies nodeSelector and required terms, ORed", "[eks][scheduler]") {
  Scheduler s = scheduler();
  NodeSpec n0 = node("n0", "a", 4000, 4 * kGi);
  n0.labels["disk"] = "ssd";
  n0.labels["gen"] = "5";
  NodeSpec n1 = node("n1", "b", 4000, 4 * kGi);
  n1.labels["disk"] = "hdd";
  n1.labels["gen"] = "7";
  NodeSpec n2 = node("n2", "c", 4000, 4 * kGi);
  s.add_node(n0);
  s.add_node(n1);
  s.add_node(n2);
  PodDescription selector = pod(100, 0);
  selector.spec.node_selector = {{"disk", "ssd"}};
  const Explanation ex = s.explain(s.add_pod_class(selector));
  CHECK(ex.chosen == 0);
  CHECK(verdict(ex, 1).reason == "node(s) didn't match Pod's node affinity/selector");
  CHECK(verdict(ex, 2).rejected_by == Plugin::kNodeAffinity);
  // Terms: (gen > 6) or (disk NotIn [ssd, hdd]): n1 (7 > 6) and n2 (no disk label).
  PodDescription terms = pod(100, 0);
  terms.spec.node_affinity.required = {
      {{{"gen", SelectorOperator::kGt, {"6"}}}},
      {{{"disk", SelectorOperator::kNotIn, {"ssd", "hdd"}}}}};
  const Explanation ex2 = s.explain(s.add_pod_class(terms));
  CHECK(verdict(ex2, 0).rejected_by == Plugin::kNodeAffinity);
  CHECK_FALSE(verdict(ex2, 1).rejected_by.has_value());
  CHECK_FALSE(verdict(ex2, 2).rejected_by.has_value());
}

TEST_CASE("node_admits applies the node selector, required affinity and NoSchedule and NoExecute taints",
          "[eks][scheduler]") {
  Scheduler s = scheduler();
  NodeSpec ssd = node("ssd", "a", 4000, 4 * kGi);
  ssd.labels["disk"] = "ssd";
  NodeSpec tainted = node("tainted", "a", 4000, 4 * kGi);
  tainted.labels["disk"] = "ssd";
  tainted.taints = {{"dedicated", "batch", TaintEffect::kNoExecute}};
  NodeSpec soft = node("soft", "a", 4000, 4 * kGi);
  soft.labels["disk"] = "ssd";
  soft.taints = {{"spot", "", TaintEffect::kPreferNoSchedule}};
  NodeSpec hdd = node("hdd", "a", 4000, 4 * kGi);
  const NodeIndex a = s.add_node(ssd);
  const NodeIndex t = s.add_node(tainted);
  const NodeIndex p = s.add_node(soft);
  const NodeIndex h = s.add_node(hdd);
  PodDescription d = pod(100, 0);
  d.spec.node_selector = {{"disk", "ssd"}};
  const PodClassId c = s.add_pod_class(d);
  CHECK(s.node_admits(c, a));
  CHECK_FALSE(s.node_admits(c, t));  // NoExecute not tolerated
  CHECK(s.node_admits(c, p));        // PreferNoSchedule does not count
  CHECK_FALSE(s.node_admits(c, h));  // no disk=ssd label
  // Resources do not count: a full node still admits; cordoning neither (a filter of its own).
  s.set_unschedulable(a, true);
  CHECK(s.node_admits(s.add_pod_class(pod(64000, 0, {})), a));
  // Not ready (unheard): the unreachable NoSchedule taint, unless tolerated.
  s.set_ready(p, false);
  CHECK_FALSE(s.node_admits(c, p));
  d.spec.tolerations = {{"node.kubernetes.io/unreachable", TolerationOperator::kExists, "",
                         TaintEffect::kNoSchedule, std::nullopt},
                        {"dedicated", TolerationOperator::kExists, "", std::nullopt, std::nullopt}};
  const PodClassId tolerant = s.add_pod_class(d);
  CHECK(s.node_admits(tolerant, p));
  CHECK(s.node_admits(tolerant, t));
  // Labels that change are seen.
  NodeSpec relabelled = hdd;
  relabelled.labels["disk"] = "ssd";
  s.set_labels(h, relabelled.labels);
  CHECK(s.node_admits(c, h));
}

TEST_CASE("NodePorts rejects a node where the host port is taken on the same protocol",
          "[eks][scheduler]") {
  Scheduler s = scheduler();
  const NodeIndex a = s.add_node(node("a", "a", 4000, 4 * kGi));
  const NodeIndex b = s.add_node(node("b", "a", 4000, 4 * kGi));
  PodDescription web = pod(100, 0);
  web.spec.host_ports = {{8080, "TCP"}};
  const PodClassId c = s.add_pod_class(web);
  s.bind(TaskId{1}, c, a);
  const Explanation ex = s.explain(c);
  CHECK(verdict(ex, a).reason == "node(s) didn't have free ports for the requested pod ports");
  CHECK(ex.chosen == b);
  PodDescription udp = pod(100, 0);
  udp.spec.host_ports = {{8080, "UDP"}};
  CHECK(s.schedule(s.add_pod_class(udp)).feasible == 2);
  s.unbind(TaskId{1});
  CHECK(s.schedule(c).feasible == 2);
}

namespace {

// Three zones a, b, c with one node each, and `pods[i]` pods labelled app=web bound to node i.
Scheduler zones_with(const std::vector<int>& pods, PodClassId& web) {
  Scheduler s = scheduler();
  const char* zones[] = {"a", "b", "c"};
  for (std::size_t i = 0; i < pods.size(); ++i)
    s.add_node(node(numbered(i), zones[i % 3], 64000, 256 * kGi));
  web = s.add_pod_class(pod(100, 0, {{"app", "web"}}));
  std::uint32_t id = 100;
  for (std::size_t i = 0; i < pods.size(); ++i)
    for (int k = 0; k < pods[i]; ++k) s.bind(TaskId{id++}, web, static_cast<NodeIndex>(i));
  return s;
}

PodDescription spread_pod(std::int32_t max_skew, std::optional<std::int32_t> min_domains = {}) {
  PodDescription p = pod(100, 0, {{"app", "web"}});
  TopologySpreadConstraint t;
  t.max_skew = max_skew;
  t.topology_key = "topology.kubernetes.io/zone";
  t.when_unsatisfiable = WhenUnsatisfiable::kDoNotSchedule;
  t.selector.match_labels = {{"app", "web"}};
  t.min_domains = min_domains;
  p.spec.topology_spread = {t};
  return p;
}

}  // namespace

TEST_CASE("PodTopologySpread DoNotSchedule keeps the skew within maxSkew", "[eks][scheduler]") {
  PodClassId web = 0;
  Scheduler s = zones_with({3, 2, 1}, web);
  // Counts a 3, b 2, c 1; global minimum 1. With the pod (it matches itself): skew on a is
  // 3 + 1 - 1 = 3, on b 2, on c 1. maxSkew 1: only c; maxSkew 2: b and c.
  const Explanation one = s.explain(s.add_pod_class(spread_pod(1)));
  CHECK(verdict(one, 0).reason == "node(s) didn't match pod topology spread constraints");
  CHECK(verdict(one, 1).rejected_by == Plugin::kPodTopologySpread);
  CHECK(one.chosen == 2);
  const Explanation two = s.explain(s.add_pod_class(spread_pod(2)));
  CHECK(two.feasible == 2);
}

TEST_CASE("PodTopologySpread treats the minimum as 0 below minDomains", "[eks][scheduler]") {
  PodClassId web = 0;
  Scheduler s = zones_with({2, 2, 2}, web);
  // Counts 2, 2, 2 over 3 zones: skew 2 + 1 - 2 = 1 everywhere with maxSkew 1.
  CHECK(s.schedule(s.add_pod_class(spread_pod(1))).feasible == 3);
  // minDomains 4 > 3 eligible zones: minimum 0, skew 3 > 1 everywhere.
  CHECK(s.schedule(s.add_pod_class(spread_pod(1, 4))).feasible == 0);
  // A node without the zone label fails with the missing-label reason.
  NodeSpec bare;
  bare.name = "bare";
  bare.cpu_millis = 4000;
  bare.memory_bytes = 4 * kGi;
  const NodeIndex b = s.add_node(bare);
  const Explanation ex = s.explain(s.add_pod_class(spread_pod(1)));
  CHECK(verdict(ex, b).reason ==
        "node(s) didn't match pod topology spread constraints (missing required label)");
}

TEST_CASE("PodTopologySpread counts only nodes that pass the pod's node affinity",
          "[eks][scheduler]") {
  PodClassId web = 0;
  Scheduler s = zones_with({0, 5, 1}, web);
  // Restricted to zones a and c, the domains are a (0) and c (1): minimum 0, and c's skew is
  // 1 + 1 - 0 = 2 > 1; zone b's 5 pods do not count.
  PodDescription p = spread_pod(1);
  p.spec.node_affinity.required = {
      {{{"topology.kubernetes.io/zone", SelectorOperator::kIn, {"a", "c"}}}}};
  const Explanation ex = s.explain(s.add_pod_class(p));
  CHECK(verdict(ex, 1).rejected_by == Plugin::kNodeAffinity);
  CHECK(verdict(ex, 2).rejected_by == Plugin::kPodTopologySpread);
  CHECK(ex.chosen == 0);
}

TEST_CASE("InterPodAffinity required anti-affinity on the hostname keeps replicas apart",
          "[eks][scheduler]") {
  Scheduler s = scheduler();
  for (std::size_t i = 0; i < 3; ++i) s.add_node(node(numbered(i), "a", 4000, 4 * kGi));
  PodDescription p = pod(100, 0, {{"app", "db"}});
  PodAffinityTerm term = app_term("db", "kubernetes.io/hostname");
  p.spec.pod_anti_affinity.required = {term};
  const PodClassId db = s.add_pod_class(p);
  s.bind(TaskId{1}, db, 0);
  s.bind(TaskId{2}, db, 1);
  const Explanation ex = s.explain(db);
  CHECK(verdict(ex, 0).reason == "node(s) didn't match pod anti-affinity rules");
  CHECK(ex.chosen == 2);
  // A pod without rules of its own is kept off by the existing pods' anti-affinity when it
  // matches their selector.
  const PodClassId plain_db = s.add_pod_class(pod(100, 0, {{"app", "db"}}));
  const Explanation ex2 = s.explain(plain_db);
  CHECK(verdict(ex2, 1).reason == "node(s) didn't satisfy existing pods anti-affinity rules");
  CHECK(ex2.feasible == 1);
  CHECK(s.schedule(s.add_pod_class(pod(100, 0, {{"app", "web"}}))).feasible == 3);
}

TEST_CASE("InterPodAffinity required affinity by zone, and the first pod of a group",
          "[eks][scheduler]") {
  Scheduler s = three_nodes("a", "b", "b", 4000, 4 * kGi);
  PodDescription p = pod(100, 0, {{"app", "cache"}});
  PodAffinityTerm term = app_term("cache", "topology.kubernetes.io/zone");
  p.spec.pod_affinity.required = {term};
  const PodClassId cache = s.add_pod_class(p);
  // No matching pod anywhere and the pod matches its own term: every node with a zone.
  CHECK(s.schedule(cache).feasible == 3);
  s.bind(TaskId{1}, cache, 1);
  // Now only zone b has one: n1 and n2.
  const Explanation ex = s.explain(cache);
  CHECK(verdict(ex, 0).reason == "node(s) didn't match pod affinity rules");
  CHECK(ex.feasible == 2);
  // A pod that wants the cache but is not one of them cannot start the group.
  PodDescription client = pod(100, 0, {{"app", "client"}});
  client.spec.pod_affinity.required = {term};
  s.unbind(TaskId{1});
  CHECK(s.schedule(s.add_pod_class(client)).feasible == 0);
}

TEST_CASE("Selectors are namespaced", "[eks][scheduler]") {
  Scheduler s = scheduler();
  s.add_node(node("n0", "a", 4000, 4 * kGi));
  s.add_node(node("n1", "a", 4000, 4 * kGi));
  PodDescription other = pod(100, 0, {{"app", "db"}});
  other.name_space = "other";
  s.bind(TaskId{1}, s.add_pod_class(other), 0);
  PodDescription p = pod(100, 0, {{"app", "db"}});
  PodAffinityTerm term = app_term("db", "kubernetes.io/hostname");
  p.spec.pod_anti_affinity.required = {term};
  // The term looks in the pod's own namespace (default), where nothing runs.
  CHECK(s.schedule(s.add_pod_class(p)).feasible == 2);
  term.namespaces = {"other"};
  p.spec.pod_anti_affinity.required = {term};
  CHECK(s.schedule(s.add_pod_class(p)).feasible == 1);
}

TEST_CASE("Topology spreading counts only the pods of the pod's own namespace",
          "[eks][scheduler]") {
  Scheduler s = three_nodes("a", "b", "c", 64000, 256 * kGi);
  // Two pods labelled app=web in namespace other on n0: invisible to a default-namespace pod.
  PodDescription other = pod(100, 0, {{"app", "web"}});
  other.name_space = "other";
  const PodClassId o = s.add_pod_class(other);
  s.bind(TaskId{1}, o, 0);
  s.bind(TaskId{2}, o, 0);
  PodDescription p = spread_pod(1);  // app=web, zones, maxSkew 1, DoNotSchedule
  CHECK(s.schedule(s.add_pod_class(p)).feasible == 3);
  // The same pod in namespace other sees them: skew 3 on n0.
  p.name_space = "other";
  const PodClassId in_other = s.add_pod_class(p);
  CHECK(s.schedule(in_other).feasible == 2);
  CHECK(s.matching_pods(in_other, 0, 0) == 2);
}

TEST_CASE("Every node a filter rejects comes with a reason, over many placements",
          "[eks][scheduler]") {
  // Pods that spread hard over zones (maxSkew 1) and keep off each other's hosts, and pods
  // that want to share a zone with them: the passes that reject nodes and the per-node reasons
  // an explanation gives must agree.
  Scheduler s{RandomStream{5}};
  const char* zones[] = {"a", "b", "c"};
  for (std::size_t i = 0; i < 30; ++i) s.add_node(node(numbered(i), zones[i % 3], 4000, 8 * kGi));
  PodDescription spread = spread_pod(1);
  spread.spec.pod_anti_affinity.required = {app_term("web", "kubernetes.io/hostname")};
  PodDescription near = pod(100, 0, {{"app", "client"}});
  near.spec.pod_affinity.required = {app_term("web", "topology.kubernetes.io/zone")};
  const PodClassId classes[] = {s.add_pod_class(spread), s.add_pod_class(near)};
  RandomStream workload(9);
  std::uint32_t next = 0;
  for (int step = 0; step < 60; ++step) {
    const PodClassId c = classes[workload.uniform_int(2)];
    const Explanation ex = s.explain(c);
    std::uint32_t passed = 0;
    for (const NodeVerdict& v : ex.nodes) {
      if (v.rejected_by) {
        CHECK_FALSE(v.reason.empty());
      } else {
        ++passed;
      }
    }
    CHECK(passed == ex.feasible);
    const ScheduleResult r = s.schedule(c);
    CHECK(r.node == ex.chosen);
    if (r.node != kNoNode) s.bind(TaskId{next++}, c, r.node);
  }
  // 30 hosts: at most 30 web pods, one per host.
  CHECK(next > 10);
}
