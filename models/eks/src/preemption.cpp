// PostFilter DefaultPreemption (pkg/scheduler/framework/plugins/defaultpreemption and
// framework/preemption): for a pod that fits nowhere, on each node where a filter failed in a
// way that evicting pods could resolve, remove every lower-priority pod; if the pod then fits,
// reprieve as many as possible (PDB-violating ones first, then the others, each group from the
// highest priority down) and keep the rest as victims. Pick the node by upstream's criteria in
// order: fewest PDB violations, lowest highest victim priority, smallest sum of priorities
// (each shifted by 2^31), fewest victims, latest start among the highest-priority victims, then
// the first node. ecsim dry-runs every node rather than a random sample of them (upstream looks
// at max(10% of nodes, 100) from a random offset): exact, and documented in the README.

#include <algorithm>
#include <limits>

#include "ecsim/sim/assert.hpp"
#include "scheduler_impl.hpp"

namespace ecsim::eks {

using namespace detail;

namespace {

// The status upstream gives each filter failure: UnschedulableAndUnresolvable ones cannot be
// helped by evicting pods.
bool resolvable(const SchedulerState& st, const PodClass& c, const Prefilter& pf, Plugin p,
                NodeIndex n) {
  switch (p) {
    case Plugin::kNodeResourcesFit:
    case Plugin::kNodePorts:
      return true;
    case Plugin::kPodTopologySpread:
      return spread_reason(st, c, pf, n) != kReasonSpreadLabel;
    case Plugin::kInterPodAffinity:
      return inter_pod_reason(st, c, pf, n) != kReasonAffinity;
    default:
      return false;
  }
}

// Whether pod class c fits node n once the pods `removed` (bound to n) are gone: the filters
// that depend on other pods, recomputed from the counts less the removed pods' part.
bool fits_without(SchedulerState& st, PodClass& c, const Prefilter& pf, NodeIndex n,
                  std::span<const TaskId> removed) {
  const NodeTable& nodes = st.nodes;
  // NodeResourcesFit.
  std::int64_t cpu = nodes.requested_cpu(n), memory = nodes.requested_memory(n);
  std::int64_t pods = nodes.pods(n);
  for (const TaskId p : removed) {
    const PodResources& r = st.classes[st.pods[p.value()].cls].resources;
    cpu -= r.cpu_millis;
    memory -= r.memory_bytes;
    --pods;
  }
  if (pods + 1 > nodes.allocatable_pods(n)) return false;
  if (c.resources.cpu_millis > 0 && c.resources.cpu_millis > nodes.allocatable_cpu(n) - cpu)
    return false;
  if (c.resources.memory_bytes > 0 &&
      c.resources.memory_bytes > nodes.allocatable_memory(n) - memory)
    return false;
  // NodePorts: a port in use stays in use unless every pod that holds it is removed.
  for (const HostPortKey port : c.ports) {
    std::int64_t holders = 0;
    if (nodes.port_in_use(n, port)) {
      for (const TaskId p : st.node_pods[n])
        for (const HostPortKey q : st.classes[st.pods[p.value()].cls].ports) holders += q == port;
    }
    for (const TaskId p : removed)
      for (const HostPortKey q : st.classes[st.pods[p.value()].cls].ports) holders -= q == port;
    if (holders > 0) return false;
  }
  // How many removed pods match selector s.
  const auto removed_matching = [&](SelectorId s) {
    std::int64_t k = 0;
    for (const TaskId p : removed) k += class_matches(st, st.classes[st.pods[p.value()].cls], s);
    return k;
  };
  // PodTopologySpread: the node's domain loses the removed matching pods, and the global
  // minimum becomes the smaller of the other domains' and the new count.
  for (const HardSpread& h : pf.spread) {
    const DomainId d = st.topologies[h.term->topology].domain_of_node[n];
    if (d == kNone) return false;
    std::int64_t count = h.counts[d];
    std::int64_t min = h.min;
    if (h.eligible[d] != 0) {
      count -= removed_matching(h.term->selector);
      std::int64_t others = std::numeric_limits<std::int32_t>::max();
      std::int64_t eligible = 0;
      for (std::size_t e = 0; e < h.counts.size(); ++e) {
        if (h.eligible[e] == 0) continue;
        ++eligible;
        if (e != d) others = std::min(others, h.counts[e]);
      }
      min = eligible < h.term->min_domains ? 0 : std::min(others, count);
    }
    if (count + (h.term->self_match ? 1 : 0) - min > h.term->max_skew) return false;
  }
  // InterPodAffinity.
  if (!c.required_affinity.empty()) {
    bool pods_exist = true;
    bool any = false;
    for (const AffinityTerm& t : c.required_affinity) {
      const DomainId d = st.topologies[t.topology].domain_of_node[n];
      if (d == kNone) return false;
      const std::vector<std::uint32_t>& counts = domain_counts(st, t.selector, t.topology);
      const std::int64_t gone = removed_matching(t.selector);
      std::int64_t total = -gone;
      for (const std::uint32_t k : counts) total += k;
      any = any || total > 0;
      if (counts[d] - gone <= 0) pods_exist = false;
    }
    if (!pods_exist && !(!any && c.self_matches_affinity)) return false;
  }
  for (const AffinityTerm& t : c.required_anti) {
    const DomainId d = st.topologies[t.topology].domain_of_node[n];
    if (d != kNone && domain_counts(st, t.selector, t.topology)[d] - removed_matching(t.selector) > 0)
      return false;
  }
  for (const BoundTerm* b : pf.inter_pod.existing_anti) {
    const DomainId d = st.topologies[b->topology].domain_of_node[n];
    if (d == kNone) continue;
    std::int64_t owners = b->owners[d];
    const auto id = static_cast<BoundTermId>(b - st.bound_terms.data());
    for (const TaskId p : removed) {
      const std::vector<BoundTermId>& terms = st.classes[st.pods[p.value()].cls].bound_terms;
      owners -= std::count(terms.begin(), terms.end(), id);
    }
    if (owners > 0) return false;
  }
  return true;
}

struct Candidate {
  NodeIndex node = kNoNode;
  std::vector<TaskId> victims;  // most important first
  std::int32_t violations = 0;
};

}  // namespace

std::optional<PreemptionResult> Scheduler::preempt(PodClassId cls,
                                                   const DisruptionBudgets& budgets) {
  SchedulerState& st = *state_;
  PodClass& c = st.classes[cls];
  if (!c.preempt) return std::nullopt;  // preemptionPolicy: Never
  // No bound pod of lower priority: nothing could be evicted for it (upstream's candidates
  // would all be empty), so the search over the nodes is skipped.
  if (st.bound_by_priority.empty() || st.bound_by_priority.begin()->first >= c.priority)
    return std::nullopt;
  prepare_class(st, c);
  const ResourceCache& cache = resource_cache(st, c);
  const Prefilter pf = prefilter(st, c);
  const NodeTable& nodes = st.nodes;
  const std::size_t size = nodes.size();

  // The first filter each node fails, as the scheduling cycle found it.
  std::vector<std::uint8_t> alone(size);
  std::vector<std::int8_t> first_failure(size, -1);
  for (std::size_t f = 0; f < std::size(kFilters); ++f) {
    std::copy_n(nodes.columns().present, size, alone.data());
    apply_filter(st, c, cache, pf, kFilters[f], alone.data());
    for (NodeIndex n = 0; n < size; ++n)
      if (nodes.present(n) && alone[n] == 0 && first_failure[n] < 0)
        first_failure[n] = static_cast<std::int8_t>(f);
  }

  // MoreImportantPod: higher priority, then the earlier start.
  const auto more_important = [&](TaskId a, TaskId b) {
    const BoundPod& pa = st.pods[a.value()];
    const BoundPod& pb = st.pods[b.value()];
    const std::int32_t qa = st.classes[pa.cls].priority, qb = st.classes[pb.cls].priority;
    return qa != qb ? qa > qb : pa.seq < pb.seq;
  };
  const auto budget_of = [&](TaskId p) {
    return p.value() < budgets.budget_of_pod.size() ? budgets.budget_of_pod[p.value()] : kNoBudget;
  };

  std::vector<Candidate> candidates;
  for (NodeIndex n = 0; n < size; ++n) {
    if (!nodes.present(n)) continue;
    if (first_failure[n] < 0) {
      // The pod fits here without evicting anything (upstream picks such a node at once).
      return PreemptionResult{n, {}, 0};
    }
    if (!resolvable(st, c, pf, kFilters[first_failure[n]], n)) continue;
    std::vector<TaskId> removed;
    for (const TaskId p : st.node_pods[n])
      if (st.classes[st.pods[p.value()].cls].priority < c.priority) removed.push_back(p);
    if (removed.empty() || !fits_without(st, c, pf, n, removed)) continue;
    std::sort(removed.begin(), removed.end(), more_important);
    // filterPodsWithPDBViolation, in that order: a pod whose budget is exhausted by the pods
    // before it violates it.
    std::vector<std::int64_t> allowed(budgets.allowed.begin(), budgets.allowed.end());
    std::vector<TaskId> violating, others;
    for (const TaskId p : removed) {
      const std::uint32_t b = budget_of(p);
      if (b != kNoBudget && b < allowed.size() && --allowed[b] < 0) {
        violating.push_back(p);
      } else {
        others.push_back(p);
      }
    }
    Candidate cand{n, {}, 0};
    const auto reprieve = [&](TaskId p, bool violates) {
      removed.erase(std::find(removed.begin(), removed.end(), p));
      if (fits_without(st, c, pf, n, removed)) return;
      removed.push_back(p);
      cand.victims.push_back(p);
      cand.violations += violates ? 1 : 0;
    };
    for (const TaskId p : violating) reprieve(p, true);
    for (const TaskId p : others) reprieve(p, false);
    std::sort(cand.victims.begin(), cand.victims.end(), more_important);
    candidates.push_back(std::move(cand));
  }
  if (candidates.empty()) return std::nullopt;

  // pickOneNodeForPreemption's criteria, in order; the first node wins what is left.
  const auto priority_of = [&](TaskId p) {
    return std::int64_t{st.classes[st.pods[p.value()].cls].priority};
  };
  const auto key = [&](const Candidate& k) {
    std::int64_t sum = 0;
    for (const TaskId p : k.victims) sum += priority_of(p) + std::int64_t{1} + std::numeric_limits<std::int32_t>::max();
    // The earliest start among the victims of the highest priority; later is better.
    const std::int64_t top = priority_of(k.victims.front());
    std::uint64_t earliest = std::numeric_limits<std::uint64_t>::max();
    for (const TaskId p : k.victims)
      if (priority_of(p) == top) earliest = std::min(earliest, st.pods[p.value()].seq);
    return std::make_tuple(k.violations, top, sum, k.victims.size(), ~earliest);
  };
  const Candidate* best = &candidates.front();
  for (const Candidate& k : candidates)
    if (key(k) < key(*best)) best = &k;
  return PreemptionResult{best->node, best->victims, best->violations};
}

}  // namespace ecsim::eks
