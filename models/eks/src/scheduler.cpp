// The scheduler's state kept in step with the cluster: pod classes compiled once, selectors
// with their counts of matching bound pods per node and per topology domain, the terms that
// bound pods carry, and the resource-score caches. The cycle itself is in cycle.cpp, preemption
// in preemption.cpp.

#include <algorithm>
#include <array>
#include <bit>

#include "ecsim/sim/assert.hpp"
#include "scheduler_impl.hpp"

namespace ecsim::eks {

using namespace detail;

namespace {

constexpr std::size_t kMaxResourceCaches = 16;

constexpr std::array<std::string_view, 5> kBuiltinProfileNames{
    "default-scheduler", "most-allocated", "requested-to-capacity-ratio", "no-default-spreading",
    "kubernetes-sampling"};

}  // namespace

std::span<const std::string_view> builtin_profile_names() noexcept { return kBuiltinProfileNames; }

std::optional<Profile> builtin_profile(std::string_view name) {
  Profile p;
  p.name = std::string(name);
  if (name == "default-scheduler") return p;
  if (name == "most-allocated") {
    p.strategy = ScoringStrategy::kMostAllocated;
    return p;
  }
  if (name == "requested-to-capacity-ratio") {
    p.strategy = ScoringStrategy::kRequestedToCapacityRatio;
    return p;
  }
  if (name == "no-default-spreading") {
    p.default_spreading = false;
    return p;
  }
  if (name == "kubernetes-sampling") {
    p.percentage_of_nodes_to_score = 0;
    return p;
  }
  return std::nullopt;
}

std::string_view to_string(Plugin plugin) noexcept {
  switch (plugin) {
    case Plugin::kNodeUnschedulable: return "NodeUnschedulable";
    case Plugin::kNodeName: return "NodeName";
    case Plugin::kTaintToleration: return "TaintToleration";
    case Plugin::kNodeAffinity: return "NodeAffinity";
    case Plugin::kNodePorts: return "NodePorts";
    case Plugin::kNodeResourcesFit: return "NodeResourcesFit";
    case Plugin::kPodTopologySpread: return "PodTopologySpread";
    case Plugin::kInterPodAffinity: return "InterPodAffinity";
    case Plugin::kNodeResourcesBalancedAllocation: return "NodeResourcesBalancedAllocation";
  }
  return "?";
}

namespace detail {

// --- topologies -----------------------------------------------------------------------------

void topology_add_node(SchedulerState& st, Topology& t, TopologyId id, NodeIndex n) {
  if (t.domain_of_node.size() < st.nodes.size()) t.domain_of_node.resize(st.nodes.size(), kNone);
  const LabelValue v = st.nodes.label(n, t.key);
  if (v == kNoValue) {
    t.domain_of_node[n] = kNone;
    return;
  }
  auto [it, fresh] = t.domain_of_value.try_emplace(v, static_cast<DomainId>(t.domain_value.size()));
  if (fresh) {
    t.domain_value.push_back(v);
    t.nodes_in_domain.push_back(0);
    // Every count kept per domain of this topology gets the new domain, at zero.
    for (PodSelector& s : st.selectors)
      for (PodSelector::Tracked& tr : s.tracked)
        if (tr.topology == id) tr.domain_count.push_back(0);
    for (BoundTerm& b : st.bound_terms)
      if (b.topology == id) b.owners.push_back(0);
  }
  t.domain_of_node[n] = it->second;
  ++t.nodes_in_domain[it->second];
  ++t.nodes_with_key;
}

void topology_remove_node(Topology& t, NodeIndex n) {
  const DomainId d = t.domain_of_node[n];
  if (d == kNone) return;
  --t.nodes_in_domain[d];
  --t.nodes_with_key;
  t.domain_of_node[n] = kNone;
}

TopologyId topology(SchedulerState& st, LabelKey key) {
  const auto it = st.topology_ids.find(key);
  if (it != st.topology_ids.end()) return it->second;
  const auto id = static_cast<TopologyId>(st.topologies.size());
  st.topologies.push_back(Topology{});
  st.topologies.back().key = key;
  st.topology_ids.emplace(key, id);
  for (NodeIndex n = 0; n < st.nodes.size(); ++n)
    if (st.nodes.present(n)) topology_add_node(st, st.topologies[id], id, n);
  st.topologies[id].domain_of_node.resize(st.nodes.size(), kNone);
  return id;
}

// --- selectors ------------------------------------------------------------------------------

bool selector_matches(const PodSelector& s, const PodClass& c, const LabelInterner& in) {
  for (const Conjunct& k : s.conjuncts) {
    if (!std::binary_search(k.namespaces.begin(), k.namespaces.end(), c.name_space)) return false;
    if (!matches(k.labels, c.labels, in)) return false;
  }
  return true;
}

void ensure_matches(SchedulerState& st, PodClass& c) {
  while (c.matches.size() < st.selectors.size()) {
    const std::size_t next = c.matches.size();
    c.matches.push_back(selector_matches(st.selectors[next], c, st.nodes.interner()) ? 1 : 0);
  }
}

bool class_matches(SchedulerState& st, PodClass& c, SelectorId s) {
  ensure_matches(st, c);
  return c.matches[s] != 0;
}

SelectorId selector(SchedulerState& st, std::vector<Conjunct> conjuncts) {
  std::string key;
  for (Conjunct& k : conjuncts) {
    std::sort(k.namespaces.begin(), k.namespaces.end());
    for (const LabelValue ns : k.namespaces) key += std::to_string(ns) + ',';
    key += '|' + selector_key(k.labels) + '&';
  }
  const auto it = st.selector_ids.find(key);
  if (it != st.selector_ids.end()) return it->second;
  const auto id = static_cast<SelectorId>(st.selectors.size());
  st.selectors.push_back(PodSelector{std::move(conjuncts), {}, {}, 0, 0, {}});
  st.selector_ids.emplace(std::move(key), id);
  PodSelector& s = st.selectors[id];
  s.node_count.assign(st.nodes.size(), 0);
  for (const BoundPod& p : st.pods) {
    if (p.cls == kNone) continue;
    if (class_matches(st, st.classes[p.cls], id)) {
      ++s.node_count[p.node];
      ++s.bound;
      s.max_node_count = std::max(s.max_node_count, s.node_count[p.node]);
    }
  }
  return id;
}

void track(SchedulerState& st, SelectorId s, TopologyId t) {
  PodSelector& sel = st.selectors[s];
  for (const PodSelector::Tracked& tr : sel.tracked)
    if (tr.topology == t) return;
  const Topology& topo = st.topologies[t];
  std::vector<std::uint32_t> counts(topo.domain_value.size(), 0);
  for (NodeIndex n = 0; n < topo.domain_of_node.size(); ++n)
    if (topo.domain_of_node[n] != kNone) counts[topo.domain_of_node[n]] += sel.node_count[n];
  sel.tracked.push_back({t, std::move(counts)});
}

const std::vector<std::uint32_t>& domain_counts(const SchedulerState& st, SelectorId s,
                                                TopologyId t) {
  for (const PodSelector::Tracked& tr : st.selectors[s].tracked)
    if (tr.topology == t) return tr.domain_count;
  ECSIM_ASSERT(false, "a selector is tracked on every topology it is read on");
}

BoundTermId bound_term(SchedulerState& st, TermKind kind, SelectorId s, TopologyId t,
                       std::int32_t weight) {
  const std::string key = std::to_string(static_cast<int>(kind)) + ':' + std::to_string(s) +
                          ':' + std::to_string(t) + ':' + std::to_string(weight);
  const auto it = st.bound_term_ids.find(key);
  if (it != st.bound_term_ids.end()) return it->second;
  const auto id = static_cast<BoundTermId>(st.bound_terms.size());
  st.bound_terms.push_back(
      {kind, s, t, weight, std::vector<std::uint32_t>(st.topologies[t].domain_value.size(), 0), 0});
  st.bound_term_ids.emplace(key, id);
  return id;
}

// --- resource caches ------------------------------------------------------------------------

std::int64_t fit_score(const Profile& p, std::span<const ShapePoint> shape, std::int64_t cpu_req,
                       std::int64_t cpu_alloc, std::int64_t mem_req, std::int64_t mem_alloc) {
  const std::int64_t requested[2] = {cpu_req, mem_req};
  const std::int64_t allocatable[2] = {cpu_alloc, mem_alloc};
  const std::int64_t weights[2] = {p.cpu_weight, p.memory_weight};
  std::int64_t node_score = 0;
  std::int64_t weight_sum = 0;
  for (int r = 0; r < 2; ++r) {
    if (allocatable[r] == 0) continue;
    std::int64_t s = 0;
    switch (p.strategy) {
      case ScoringStrategy::kLeastAllocated:
        s = least_requested_score(requested[r], allocatable[r]);
        break;
      case ScoringStrategy::kMostAllocated:
        s = most_requested_score(requested[r], allocatable[r]);
        break;
      case ScoringStrategy::kRequestedToCapacityRatio:
        s = requested_to_capacity_score(shape, requested[r], allocatable[r]);
        // RequestedToCapacityRatio leaves resources scoring 0 out of the average.
        if (s <= 0) continue;
        break;
    }
    node_score += s * weights[r];
    weight_sum += weights[r];
  }
  if (weight_sum == 0) return 0;
  if (p.strategy == ScoringStrategy::kRequestedToCapacityRatio)
    return go_round(static_cast<double>(node_score) / static_cast<double>(weight_sum));
  return node_score / weight_sum;
}

bool fits_resources(const NodeTable& nodes, NodeIndex n, const PodResources& r) {
  if (nodes.pods(n) + 1 > nodes.allocatable_pods(n)) return false;
  if (r.cpu_millis > 0 && r.cpu_millis > nodes.allocatable_cpu(n) - nodes.requested_cpu(n))
    return false;
  if (r.memory_bytes > 0 &&
      r.memory_bytes > nodes.allocatable_memory(n) - nodes.requested_memory(n))
    return false;
  return true;
}

void compute_cache_node(SchedulerState& st, ResourceCache& e, NodeIndex n) {
  const NodeTable& nodes = st.nodes;
  if (!nodes.present(n)) {
    e.fits[n] = e.fit[n] = e.balanced[n] = 0;
    e.weighted[n] = 0;
    return;
  }
  const PodResources& r = e.resources;
  e.fits[n] = fits_resources(nodes, n, r) ? 1 : 0;
  e.fit[n] = static_cast<std::uint8_t>(
      fit_score(st.profiles[e.profile], st.scaled_shapes[e.profile],
                nodes.nonzero_requested_cpu(n) + r.nonzero_cpu_millis, nodes.allocatable_cpu(n),
                nodes.nonzero_requested_memory(n) + r.nonzero_memory_bytes,
                nodes.allocatable_memory(n)));
  e.balanced[n] = static_cast<std::uint8_t>(balanced_allocation_score(
      nodes.requested_cpu(n) + r.cpu_millis, nodes.allocatable_cpu(n),
      nodes.requested_memory(n) + r.memory_bytes, nodes.allocatable_memory(n)));
  const Profile& p = st.profiles[e.profile];
  const bool best_effort = r.cpu_millis == 0 && r.memory_bytes == 0;
  e.weighted[n] = static_cast<std::uint32_t>(
      p.node_resources_fit_weight * e.fit[n] +
      (best_effort ? 0 : p.balanced_allocation_weight * e.balanced[n]));
}

ResourceCache& resource_cache(SchedulerState& st, const PodClass& c) {
  ++st.cache_clock;
  for (ResourceCache& e : st.caches) {
    if (e.profile == c.profile && e.resources == c.resources) {
      e.last_used = st.cache_clock;
      return e;
    }
  }
  ResourceCache* e = nullptr;
  if (st.caches.size() < kMaxResourceCaches) {
    e = &st.caches.emplace_back();
  } else {
    e = &*std::min_element(st.caches.begin(), st.caches.end(),
                           [](const ResourceCache& a, const ResourceCache& b) {
                             return a.last_used < b.last_used;
                           });
  }
  e->profile = c.profile;
  e->resources = c.resources;
  e->last_used = st.cache_clock;
  const std::size_t size = st.nodes.size();
  e->fits.assign(size, 0);
  e->fit.assign(size, 0);
  e->balanced.assign(size, 0);
  e->weighted.assign(size, 0);
  for (NodeIndex n = 0; n < size; ++n) compute_cache_node(st, *e, n);
  return *e;
}

void refresh_caches(SchedulerState& st, NodeIndex n) {
  note_change(st, n);
  for (ResourceCache& e : st.caches) {
    if (e.fits.size() < st.nodes.size()) {
      e.fits.resize(st.nodes.size(), 0);
      e.fit.resize(st.nodes.size(), 0);
      e.balanced.resize(st.nodes.size(), 0);
      e.weighted.resize(st.nodes.size(), 0);
    }
    compute_cache_node(st, e, n);
  }
}

// --- the node tree -------------------------------------------------------------------------

namespace {

// utilnode.GetZoneKey: the beta failure-domain labels where present, else the topology ones;
// region + ":\0:" + zone, or empty when both are empty.
std::string zone_key(const SchedulerState& st, NodeIndex n) {
  const LabelInterner& in = st.nodes.interner();
  const auto label = [&](std::string_view beta, std::string_view stable) -> std::string {
    for (const std::string_view name : {beta, stable}) {
      const std::optional<LabelKey> key = in.find_key(name);
      if (!key) continue;
      const LabelValue v = st.nodes.label(n, *key);
      if (v != kNoValue) return in.value_name(v);
    }
    return {};
  };
  const std::string zone =
      label("failure-domain.beta.kubernetes.io/zone", "topology.kubernetes.io/zone");
  const std::string region =
      label("failure-domain.beta.kubernetes.io/region", "topology.kubernetes.io/region");
  if (region.empty() && zone.empty()) return {};
  return region + std::string(":\0:", 3) + zone;
}

void tree_add(SchedulerState& st, NodeIndex n) {
  if (st.zone_key_of.size() <= n) st.zone_key_of.resize(std::size_t{n} + 1);
  std::string key = zone_key(st, n);
  const auto zone = std::find_if(st.node_zones.begin(), st.node_zones.end(),
                                 [&](const NodeZone& z) { return z.key == key; });
  if (zone != st.node_zones.end()) {
    zone->nodes.push_back(n);
  } else {
    st.node_zones.push_back(NodeZone{key, {n}});
  }
  st.zone_key_of[n] = std::move(key);
  st.tree_order_stale = true;
}

void tree_remove(SchedulerState& st, NodeIndex n) {
  const auto zone = std::find_if(st.node_zones.begin(), st.node_zones.end(),
                                 [&](const NodeZone& z) { return z.key == st.zone_key_of[n]; });
  ECSIM_ASSERT(zone != st.node_zones.end(), "a node leaves the zone of the tree it is in");
  zone->nodes.erase(std::find(zone->nodes.begin(), zone->nodes.end(), n));
  if (zone->nodes.empty()) st.node_zones.erase(zone);
  st.tree_order_stale = true;
}

}  // namespace

const std::vector<NodeIndex>& tree_order(SchedulerState& st) {
  if (!st.tree_order_stale) return st.tree_order;
  // nodeTree.list(): the first node of each zone in zone order, then the second, ...
  st.tree_order.clear();
  for (std::size_t i = 0;; ++i) {
    bool any = false;
    for (const NodeZone& z : st.node_zones) {
      if (i >= z.nodes.size()) continue;
      st.tree_order.push_back(z.nodes[i]);
      any = true;
    }
    if (!any) break;
  }
  st.tree_order_stale = false;
  return st.tree_order;
}

// --- key columns for the fused cycle ------------------------------------------------------

namespace {

std::uint32_t node_key(const SchedulerState& st, const PodSelector& sel,
                       const PodSelector::KeyColumn& kc, NodeIndex n) {
  if (!st.nodes.present(n)) return kNone;
  // kNone + 1 wraps to 0: the slot of nodes without the key.
  return ((st.topologies[kc.topology].domain_of_node[n] + 1) << kc.shift) + sel.node_count[n];
}

void build_keys(SchedulerState& st, const PodSelector& sel, PodSelector::KeyColumn& kc) {
  kc.shift = static_cast<unsigned>(std::bit_width(sel.max_node_count));
  kc.key.assign(st.nodes.size(), kNone);
  kc.hist.assign((st.topologies[kc.topology].domain_value.size() + 1) << kc.shift, 0);
  for (NodeIndex n = 0; n < st.nodes.size(); ++n) {
    kc.key[n] = node_key(st, sel, kc, n);
    if (kc.key[n] == kNone) continue;
    if (kc.key[n] >= kc.hist.size()) kc.hist.resize(std::size_t{kc.key[n]} + 1, 0);
    ++kc.hist[kc.key[n]];
  }
}

}  // namespace

PodSelector::KeyColumn& key_column(SchedulerState& st, SelectorId s, TopologyId t) {
  PodSelector& sel = st.selectors[s];
  for (PodSelector::KeyColumn& kc : sel.key_columns)
    if (kc.topology == t) return kc;
  PodSelector::KeyColumn& kc = sel.key_columns.emplace_back();
  kc.topology = t;
  build_keys(st, sel, kc);
  return kc;
}

void update_keys(SchedulerState& st, PodSelector& sel, NodeIndex n) {
  for (PodSelector::KeyColumn& kc : sel.key_columns) {
    if (kc.key.size() < st.nodes.size()) kc.key.resize(st.nodes.size(), kNone);
    if (sel.node_count[n] >= (1U << kc.shift)) {
      build_keys(st, sel, kc);  // the stride grows (rarely: the count reached a power of two)
      continue;
    }
    if (kc.key[n] != kNone) --kc.hist[kc.key[n]];
    kc.key[n] = node_key(st, sel, kc, n);
    if (kc.key[n] == kNone) continue;
    if (kc.key[n] >= kc.hist.size()) kc.hist.resize(std::size_t{kc.key[n]} + 1, 0);
    ++kc.hist[kc.key[n]];
  }
}

// --- counting bound pods --------------------------------------------------------------------

void count_pod(SchedulerState& st, PodClassId cls, NodeIndex n, int sign) {
  PodClass& c = st.classes[cls];
  const auto add = [sign](std::uint32_t& v) {
    v = sign > 0 ? v + 1 : v - 1;
  };
  ensure_matches(st, c);
  for (SelectorId s = 0; s < st.selectors.size(); ++s) {
    if (c.matches[s] == 0) continue;
    PodSelector& sel = st.selectors[s];
    add(sel.node_count[n]);
    sel.max_node_count = std::max(sel.max_node_count, sel.node_count[n]);
    if (!sel.key_columns.empty()) update_keys(st, sel, n);
    sel.bound = sign > 0 ? sel.bound + 1 : sel.bound - 1;
    for (PodSelector::Tracked& tr : sel.tracked) {
      const DomainId d = st.topologies[tr.topology].domain_of_node[n];
      if (d != kNone) add(tr.domain_count[d]);
    }
  }
  for (const BoundTermId b : c.bound_terms) {
    BoundTerm& term = st.bound_terms[b];
    const DomainId d = st.topologies[term.topology].domain_of_node[n];
    if (d == kNone) continue;
    add(term.owners[d]);
    term.owners_total = sign > 0 ? term.owners_total + 1 : term.owners_total - 1;
  }
}

// --- compiling pods -------------------------------------------------------------------------

bool tolerates(const CompiledToleration& t, const InternedTaint& taint) {
  if (!t.any_effect && t.effect != taint.effect) return false;
  if (t.key != kNone && t.key != taint.key) return false;
  return t.exists || t.value == taint.value;
}

}  // namespace detail

namespace {

std::vector<LabelValue> term_namespaces(const std::vector<std::string>& namespaces,
                                        LabelValue own, LabelInterner& in) {
  if (namespaces.empty()) return {own};
  std::vector<LabelValue> out;
  for (const std::string& ns : namespaces) out.push_back(in.value(ns));
  return out;
}

}  // namespace

Scheduler::Scheduler(const RandomStream& random, std::vector<Profile> profiles)
    : state_(std::make_unique<SchedulerState>(random, std::move(profiles))) {
  ECSIM_ASSERT(!state_->profiles.empty(), "a scheduler has at least one profile");
  for (const Profile& p : state_->profiles) {
    ECSIM_ASSERT(p.percentage_of_nodes_to_score <= 100, "percentageOfNodesToScore is 0..100");
    for (const std::int64_t w :
         {p.taint_toleration_weight, p.node_affinity_weight, p.pod_topology_spread_weight,
          p.inter_pod_affinity_weight, p.node_resources_fit_weight, p.balanced_allocation_weight})
      ECSIM_ASSERT(w >= 0 && w <= kMaxWeight, "score plugin weights are 0..kMaxWeight");
    state_->scaled_shapes.push_back(scale_shape(p.shape));
  }
}

Scheduler::~Scheduler() = default;
Scheduler::Scheduler(Scheduler&&) noexcept = default;
Scheduler& Scheduler::operator=(Scheduler&&) noexcept = default;

const NodeTable& Scheduler::nodes() const noexcept { return state_->nodes; }
LabelInterner& Scheduler::interner() noexcept { return state_->nodes.interner(); }
std::span<const Profile> Scheduler::profiles() const noexcept { return state_->profiles; }
std::size_t Scheduler::pod_classes() const noexcept { return state_->classes.size(); }
std::int32_t Scheduler::priority(PodClassId c) const { return state_->classes[c].priority; }

NodeIndex Scheduler::add_node(const NodeSpec& spec) {
  SchedulerState& st = *state_;
  const NodeIndex n = st.nodes.add(spec);
  const std::size_t size = st.nodes.size();
  if (st.node_pods.size() < size) st.node_pods.resize(size);
  for (PodSelector& s : st.selectors)
    if (s.node_count.size() < size) s.node_count.resize(size, 0);
  for (TopologyId t = 0; t < st.topologies.size(); ++t)
    topology_add_node(st, st.topologies[t], t, n);
  for (PodSelector& s : st.selectors) update_keys(st, s, n);
  refresh_caches(st, n);
  tree_add(st, n);
  return n;
}

void Scheduler::remove_node(NodeIndex n) {
  SchedulerState& st = *state_;
  ECSIM_ASSERT(st.node_pods[n].empty(), "a node is removed after its pods are unbound");
  for (Topology& t : st.topologies) topology_remove_node(t, n);
  tree_remove(st, n);
  st.nodes.remove(n);
  for (PodSelector& s : st.selectors) update_keys(st, s, n);
  refresh_caches(st, n);
}

void Scheduler::set_unschedulable(NodeIndex n, bool unschedulable) {
  state_->nodes.set_unschedulable(n, unschedulable);
  note_change(*state_, n);
}

void Scheduler::set_ready(NodeIndex n, bool ready) {
  state_->nodes.set_ready(n, ready);
  note_change(*state_, n);
}

void Scheduler::set_taints(NodeIndex n, const std::vector<Taint>& taints) {
  state_->nodes.set_taints(n, taints);
  note_change(*state_, n);
}

void Scheduler::set_labels(NodeIndex n, const Labels& labels) {
  SchedulerState& st = *state_;
  // The node's pods leave their old domains and join the new ones.
  for (const TaskId p : st.node_pods[n]) count_pod(st, st.pods[p.value()].cls, n, -1);
  for (Topology& t : st.topologies) topology_remove_node(t, n);
  st.nodes.set_labels(n, labels);
  for (TopologyId t = 0; t < st.topologies.size(); ++t)
    topology_add_node(st, st.topologies[t], t, n);
  for (PodSelector& s : st.selectors) update_keys(st, s, n);
  for (const TaskId p : st.node_pods[n]) count_pod(st, st.pods[p.value()].cls, n, +1);
  // nodeTree.updateNode: a node whose zone changed leaves the old one for the end of the new.
  if (zone_key(st, n) != st.zone_key_of[n]) {
    tree_remove(st, n);
    tree_add(st, n);
  }
  note_change(st, n);
}

PodClassId Scheduler::add_pod_class(const PodDescription& pod) {
  SchedulerState& st = *state_;
  LabelInterner& in = st.nodes.interner();
  PodClass c;
  c.name_space = in.value(pod.name_space);
  c.labels = intern_labels(pod.labels, in);
  const PodSpec& spec = pod.spec;
  c.resources = pod_resources(spec.requests, spec.nonzero_requests);
  for (const HostPort& p : spec.host_ports) c.ports.push_back(host_port_key(p));
  c.node_name = spec.node_name.empty() ? kNoValue : in.value(spec.node_name);
  c.priority = pod.priority;
  c.preempt = pod.preempt_lower_priority;
  c.profile = 0;
  if (!pod.profile.empty()) {
    c.profile = kNone;
    for (std::uint32_t i = 0; i < st.profiles.size(); ++i)
      if (st.profiles[i].name == pod.profile) c.profile = i;
    ECSIM_ASSERT(c.profile != kNone, "a pod's schedulerName names one of the profiles");
  }
  const Profile& profile = st.profiles[c.profile];

  c.has_node_selector = !spec.node_selector.empty();
  if (c.has_node_selector) c.node_selector = compile_node_selector(spec.node_selector, in);
  for (const NodeSelectorTerm& t : spec.node_affinity.required)
    c.required_terms.push_back(compile_term(t, in));
  for (const PreferredSchedulingTerm& t : spec.node_affinity.preferred)
    if (t.weight != 0) c.preferred_terms.emplace_back(t.weight, compile_term(t.preference, in));

  for (const Toleration& t : spec.tolerations) {
    c.tolerations.push_back({t.key.empty() ? kNone : in.key(t.key),
                             t.op == TolerationOperator::kExists, in.value(t.value),
                             !t.effect.has_value(), t.effect.value_or(TaintEffect::kNoSchedule)});
  }
  const InternedTaint unschedulable{in.key(kUnschedulableTaintKey), in.value(""),
                                    TaintEffect::kNoSchedule};
  for (const CompiledToleration& t : c.tolerations)
    c.tolerates_unschedulable = c.tolerates_unschedulable || tolerates(t, unschedulable);

  const auto own = [&](const LabelSelector& s) {
    return std::vector<Conjunct>{{{c.name_space}, compile_selector(s, in)}};
  };
  const auto spread_term = [&](LabelKey key, std::int32_t max_skew, const LabelSelector& s,
                               std::int32_t min_domains) {
    const SelectorId sel = selector(st, own(s));
    const TopologyId topo = topology(st, key);
    track(st, sel, topo);
    return SpreadTerm{topo, key, max_skew, sel, min_domains,
                      selector_matches(st.selectors[sel], c, in)};
  };
  for (const TopologySpreadConstraint& t : spec.topology_spread) {
    const SpreadTerm term =
        spread_term(in.key(t.topology_key), t.max_skew, t.selector, t.min_domains.value_or(1));
    (t.when_unsatisfiable == WhenUnsatisfiable::kDoNotSchedule ? c.hard_spread : c.soft_spread)
        .push_back(term);
  }
  const bool owner_selects = pod.owner_selector.has_value() &&
                             !(pod.owner_selector->match_labels.empty() &&
                               pod.owner_selector->match_expressions.empty());
  if (spec.topology_spread.empty() && profile.default_spreading && owner_selects) {
    // Kubernetes' system defaults (PodTopologySpread's defaultingType System).
    c.system_default_spread = true;
    c.soft_spread.push_back(spread_term(kHostnameKey, 3, *pod.owner_selector, 1));
    c.soft_spread.push_back(spread_term(kZoneKey, 5, *pod.owner_selector, 1));
  }

  const auto term_conjunct = [&](const PodAffinityTerm& t) {
    return Conjunct{term_namespaces(t.namespaces, c.name_space, in),
                    compile_selector(t.selector, in)};
  };
  const auto affinity_term = [&](const PodAffinityTerm& t, std::int32_t weight) {
    const SelectorId sel = selector(st, {term_conjunct(t)});
    const LabelKey key = in.key(t.topology_key);
    const TopologyId topo = topology(st, key);
    track(st, sel, topo);
    return AffinityTerm{sel, topo, key, weight};
  };
  if (!spec.pod_affinity.required.empty()) {
    // The incoming pod counts pods that match all its required affinity terms at once.
    std::vector<Conjunct> all;
    for (const PodAffinityTerm& t : spec.pod_affinity.required) all.push_back(term_conjunct(t));
    const SelectorId compound = selector(st, all);
    for (const PodAffinityTerm& t : spec.pod_affinity.required) {
      const LabelKey key = in.key(t.topology_key);
      const TopologyId topo = topology(st, key);
      track(st, compound, topo);
      c.required_affinity.push_back({compound, topo, key, 1});
    }
    c.self_matches_affinity = selector_matches(st.selectors[compound], c, in);
    for (const PodAffinityTerm& t : spec.pod_affinity.required) {
      const AffinityTerm one = affinity_term(t, 1);
      // Its weight is the scheduling profile's hardPodAffinityWeight, read when scoring.
      c.bound_terms.push_back(
          bound_term(st, TermKind::kRequiredAffinity, one.selector, one.topology, 1));
    }
  }
  for (const PodAffinityTerm& t : spec.pod_anti_affinity.required) {
    const AffinityTerm term = affinity_term(t, 1);
    c.required_anti.push_back(term);
    c.bound_terms.push_back(
        bound_term(st, TermKind::kRequiredAntiAffinity, term.selector, term.topology, 0));
  }
  for (const WeightedPodAffinityTerm& t : spec.pod_affinity.preferred) {
    const AffinityTerm term = affinity_term(t.term, t.weight);
    c.preferred_affinity.push_back(term);
    c.bound_terms.push_back(bound_term(st, TermKind::kPreferredAffinity, term.selector,
                                       term.topology, t.weight));
  }
  for (const WeightedPodAffinityTerm& t : spec.pod_anti_affinity.preferred) {
    const AffinityTerm term = affinity_term(t.term, t.weight);
    c.preferred_anti.push_back(term);
    c.bound_terms.push_back(bound_term(st, TermKind::kPreferredAntiAffinity, term.selector,
                                       term.topology, t.weight));
  }
  st.classes.push_back(std::move(c));
  return static_cast<PodClassId>(st.classes.size() - 1);
}

void Scheduler::bind(TaskId pod, PodClassId cls, NodeIndex n) {
  SchedulerState& st = *state_;
  ECSIM_ASSERT(pod.valid() && cls < st.classes.size() && st.nodes.present(n),
               "binding a valid pod of a known class to a node that is present");
  if (st.pods.size() <= pod.value()) st.pods.resize(std::size_t{pod.value()} + 1);
  BoundPod& b = st.pods[pod.value()];
  ECSIM_ASSERT(b.cls == kNone, "a pod is bound once");
  const PodClass& c = st.classes[cls];
  st.nodes.bind(n, c.resources, c.ports);
  b = {cls, n, static_cast<std::uint32_t>(st.node_pods[n].size()), st.bind_seq++};
  st.node_pods[n].push_back(pod);
  ++st.bound_by_priority[c.priority];
  count_pod(st, cls, n, +1);
  refresh_caches(st, n);
}

void Scheduler::unbind(TaskId pod) {
  SchedulerState& st = *state_;
  ECSIM_ASSERT(pod.valid() && pod.value() < st.pods.size() && st.pods[pod.value()].cls != kNone,
               "unbinding a bound pod");
  BoundPod& b = st.pods[pod.value()];
  const NodeIndex n = b.node;
  const PodClass& c = st.classes[b.cls];
  st.nodes.unbind(n, c.resources, c.ports);
  if (const auto it = st.bound_by_priority.find(c.priority); --it->second == 0)
    st.bound_by_priority.erase(it);
  count_pod(st, b.cls, n, -1);
  std::vector<TaskId>& list = st.node_pods[n];
  const TaskId last = list.back();
  list[b.slot] = last;
  st.pods[last.value()].slot = b.slot;
  list.pop_back();
  b = BoundPod{};
  refresh_caches(st, n);
}

NodeIndex Scheduler::node_of(TaskId pod) const {
  const SchedulerState& st = *state_;
  if (!pod.valid() || pod.value() >= st.pods.size()) return kNoNode;
  return st.pods[pod.value()].node;
}

std::span<const TaskId> Scheduler::pods_on(NodeIndex n) const { return state_->node_pods[n]; }

bool Scheduler::node_admits(PodClassId cls, NodeIndex n) {
  SchedulerState& st = *state_;
  PodClass& c = st.classes[cls];
  prepare_class(st, c);
  return st.nodes.present(n) && c.tolerated[st.nodes.taint_set(n)] != 0 &&
         (!has_node_requirements(c) || c.affinity_ok[n] != 0);
}

std::string_view Scheduler::kubelet_rejects(PodClassId cls, NodeIndex n) {
  SchedulerState& st = *state_;
  PodClass& c = st.classes[cls];
  prepare_class(st, c);
  const NodeTable& nodes = st.nodes;
  ECSIM_ASSERT(nodes.present(n), "a kubelet admits pods on its own node");
  // kubelet lifecycle/predicate.go: the scheduler's resource, port and node-affinity checks,
  // each failure named as the kubelet names it, then untolerated NoExecute taints.
  const PodResources& r = c.resources;
  if (r.cpu_millis > 0 && r.cpu_millis > nodes.allocatable_cpu(n) - nodes.requested_cpu(n))
    return "OutOfcpu";
  if (r.memory_bytes > 0 &&
      r.memory_bytes > nodes.allocatable_memory(n) - nodes.requested_memory(n))
    return "OutOfmemory";
  if (nodes.pods(n) + 1 > nodes.allocatable_pods(n)) return "OutOfpods";
  if (!c.ports.empty() && !ports_free(nodes, c, n)) return "NodePorts";
  if (has_node_requirements(c) && c.affinity_ok[n] == 0) return "NodeAffinity";
  for (const InternedTaint& t : nodes.taints(nodes.taint_set(n))) {
    if (t.effect != TaintEffect::kNoExecute) continue;
    bool tolerated = false;
    for (const CompiledToleration& tol : c.tolerations) tolerated = tolerated || tolerates(tol, t);
    if (!tolerated) return "Taint";
  }
  return {};
}

std::uint32_t Scheduler::matching_pods(PodClassId cls, std::size_t constraint,
                                       NodeIndex n) const {
  const PodClass& c = state_->classes[cls];
  const std::size_t hard = c.hard_spread.size();
  const SpreadTerm& t =
      constraint < hard ? c.hard_spread[constraint] : c.soft_spread[constraint - hard];
  return state_->selectors[t.selector].node_count[n];
}

}  // namespace ecsim::eks
