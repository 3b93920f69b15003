#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include "ecsim/eks/scheduler.hpp"
#include "scheduler_fixture.hpp"

using namespace ecsim;
using namespace ecsim::eks;
using namespace ecsim::eks::test;

namespace {

PodDescription prioritised(std::int64_t cpu, std::int32_t priority) {
  PodDescription p = pod(cpu, 0);
  p.priority = priority;
  return p;
}

// Node a: four pods of 1000m at priority `low` (pods 1 to 4, bound in that order); node b: two
// pods of 2000m at priority `mid` (pods 5 and 6). Both nodes have 4000m, so both are full.
Scheduler full_cluster(std::int32_t low = 0, std::int32_t mid = 5) {
  Scheduler s = scheduler();
  s.add_node(node("a", "z", 4000, 8 * kGi));
  s.add_node(node("b", "z", 4000, 8 * kGi));
  const PodClassId small = s.add_pod_class(prioritised(1000, low));
  const PodClassId big = s.add_pod_class(prioritised(2000, mid));
  for (std::uint32_t p = 1; p <= 4; ++p) s.bind(TaskId{p}, small, 0);
  s.bind(TaskId{5}, big, 1);
  s.bind(TaskId{6}, big, 1);
  return s;
}

// Checks that a preemption nominated `node` and evicts exactly `victims`; returns it.
PreemptionResult check_preempts(const std::optional<PreemptionResult>& r, NodeIndex node,
                                const std::vector<TaskId>& victims) {
  REQUIRE(r.has_value());
  CHECK(r->node == node);
  CHECK(r->victims == victims);
  return *r;
}

}  // namespace

TEST_CASE("Preemption evicts the fewest, least important pods on the best node",
          "[eks][scheduler]") {
  Scheduler s = full_cluster();
  const PodClassId urgent = s.add_pod_class(prioritised(2000, 10));
  REQUIRE(s.schedule(urgent).node == kNoNode);
  // Node a: all four go, then 1 and 2 are reprieved (3000m, then 2000m free), 3 and 4 are not
  // (1000m free): victims 3 and 4, highest victim priority 0.
  // Node b: both go, 5 is reprieved (2000m free), 6 is not: victim 6, priority 5.
  // No budget is violated; the lower highest-victim priority (0 < 5) picks node a.
  CHECK(check_preempts(s.preempt(urgent), 0, {TaskId{3}, TaskId{4}}).pdb_violations == 0);
}

TEST_CASE("Preemption prefers the node with fewer PodDisruptionBudget violations",
          "[eks][scheduler]") {
  Scheduler s = full_cluster();
  const PodClassId urgent = s.add_pod_class(prioritised(2000, 10));
  // Budget 0 protects pods 1 to 4 and allows no disruption: on node a every candidate victim
  // violates it (allowed goes 0 -> -1 -> ...), so a's two victims are two violations; node b's
  // victim violates nothing.
  const std::array<std::int32_t, 1> allowed{0};
  const std::array<std::uint32_t, 7> budget_of{kNoBudget, 0, 0, 0, 0, kNoBudget, kNoBudget};
  CHECK(check_preempts(s.preempt(urgent, {allowed, budget_of}), 1, {TaskId{6}}).pdb_violations ==
        0);
}

TEST_CASE("Preemption never evicts pods of equal or higher priority", "[eks][scheduler]") {
  Scheduler s = full_cluster();
  // Priority 5 can only evict the priority-0 pods on node a (3 and 4, as above).
  check_preempts(s.preempt(s.add_pod_class(prioritised(2000, 5))), 0, {TaskId{3}, TaskId{4}});
  // Priority 0 can evict nothing.
  CHECK_FALSE(s.preempt(s.add_pod_class(prioritised(2000, 0))).has_value());
}

TEST_CASE("Preemption ties go to fewer victims, then the later-started victims",
          "[eks][scheduler]") {
  // a: four 1000m pods (1..4); b: two 2000m pods (5, 6); c: two 2000m pods (7, 8), later; all
  // of priority 1.
  Scheduler s = full_cluster(1, 1);
  s.add_node(node("c", "z", 4000, 8 * kGi));
  const PodClassId big = s.add_pod_class(prioritised(2000, 1));
  s.bind(TaskId{7}, big, 2);
  s.bind(TaskId{8}, big, 2);
  // a needs victims 3 and 4 (sum of priorities 2 x (1 + 2^31)), b only 6, c only 8: b and c
  // tie on every count (one victim of priority 1); c's victim started later, so c.
  check_preempts(s.preempt(s.add_pod_class(prioritised(2000, 9))), 2, {TaskId{8}});
}

TEST_CASE("Pods with preemptionPolicy Never do not preempt", "[eks][scheduler]") {
  Scheduler s = full_cluster();
  PodDescription polite = prioritised(2000, 10);
  polite.preempt_lower_priority = false;
  CHECK_FALSE(s.preempt(s.add_pod_class(polite)).has_value());
}

TEST_CASE("Preemption skips nodes whose failure eviction cannot resolve", "[eks][scheduler]") {
  Scheduler s = full_cluster();
  s.set_taints(0, {{"dedicated", "x", TaintEffect::kNoSchedule}});
  // Node a is full of priority-0 pods, but the taint (UnschedulableAndUnresolvable) rules it
  // out; node b's priority-5 pods are the victims instead.
  check_preempts(s.preempt(s.add_pod_class(prioritised(2000, 10))), 1, {TaskId{6}});
}

TEST_CASE("Preemption accounts for anti-affinity with the victims", "[eks][scheduler]") {
  Scheduler s = scheduler();
  s.add_node(node("a", "z", 8000, 8 * kGi));
  PodDescription db = prioritised(100, 0);
  db.labels = {{"app", "db"}};
  s.bind(TaskId{1}, s.add_pod_class(db), 0);
  // A db replica of higher priority that refuses to share a host with another db pod: it
  // fails InterPodAffinity (anti-affinity, resolvable); evicting pod 1 resolves it.
  PodDescription replica = prioritised(100, 10);
  replica.labels = {{"app", "db"}};
  replica.spec.pod_anti_affinity.required = {app_term("db", "kubernetes.io/hostname")};
  const PodClassId c = s.add_pod_class(replica);
  REQUIRE(s.schedule(c).node == kNoNode);
  check_preempts(s.preempt(c), 0, {TaskId{1}});
}
