#pragma once

// The scheduler's private state: pod classes, selectors with their per-node and per-domain
// counts, topology domains, terms of bound pods, resource-score caches and scratch buffers.

#include <map>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ecsim/eks/scheduler.hpp"

namespace ecsim::eks::detail {

using SelectorId = std::uint32_t;
using TopologyId = std::uint32_t;
using BoundTermId = std::uint32_t;
using DomainId = std::uint32_t;
inline constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

// One conjunct of a selector: the pod's namespace is one of `namespaces` (sorted) and its
// labels match `labels`.
struct Conjunct {
  std::vector<LabelValue> namespaces;
  Selector labels;
};

// A selector over pods (the conjunction of its conjuncts) and the counts of bound pods that
// match it: per node, and per domain of each topology it is tracked on.
struct PodSelector {
  std::vector<Conjunct> conjuncts;
  std::vector<std::uint32_t> node_count;  // per node slot
  struct Tracked {
    TopologyId topology;
    std::vector<std::uint32_t> domain_count;  // per domain of the topology, over all nodes
  };
  std::vector<Tracked> tracked;
  std::uint64_t bound = 0;  // matching pods bound anywhere
  std::uint32_t max_node_count = 0;  // the most ever counted on one node (never decreases)
  // For the fused cycle's tabulated spreading over this selector's per-node counts and a
  // zone-like topology: each present node's key ((domain + 1) << shift) + count (domain + 1
  // is 0 without the key; 1 << shift is bit_ceil(max_node_count + 1)), and how many present
  // nodes have each key. Kept on every change, so a cycle needs no pass to find the keys.
  struct KeyColumn {
    TopologyId topology = 0;
    unsigned shift = 0;
    std::vector<std::uint32_t> key;   // per node slot; kNone for a slot without a node
    std::vector<std::uint32_t> hist;  // per key
  };
  std::vector<KeyColumn> key_columns;
};

// The domains of one topology key: each distinct value of the key among the nodes.
struct Topology {
  LabelKey key = 0;
  std::vector<DomainId> domain_of_node;       // per node slot; kNone: the node lacks the key
  std::vector<LabelValue> domain_value;       // per domain
  std::vector<std::uint32_t> nodes_in_domain; // per domain: nodes present
  std::unordered_map<LabelValue, DomainId> domain_of_value;
  std::uint32_t nodes_with_key = 0;           // nodes present that have the key
};

// A term of bound pods that other pods' scheduling reads (existing pods' affinity rules).
enum class TermKind : std::uint8_t {
  kRequiredAntiAffinity,   // filters: no matching incoming pod in the domain
  kRequiredAffinity,       // scores: + hardPodAffinityWeight for matching incoming pods
  kPreferredAffinity,      // scores: + weight
  kPreferredAntiAffinity,  // scores: - weight
};
struct BoundTerm {
  TermKind kind;
  SelectorId selector;
  TopologyId topology;
  std::int32_t weight;
  std::vector<std::uint32_t> owners;  // per domain: bound pods carrying the term
  std::uint64_t owners_total = 0;     // over the domains (pods on nodes with the key)
};

struct SpreadTerm {
  TopologyId topology;
  LabelKey key;
  std::int32_t max_skew;
  SelectorId selector;
  std::int32_t min_domains;
  bool self_match;  // the pod itself matches the selector
};

struct AffinityTerm {
  SelectorId selector;
  TopologyId topology;
  LabelKey key;
  std::int32_t weight;
};

struct CompiledToleration {
  LabelKey key;  // kNone: empty key (any)
  bool exists;
  LabelValue value;
  bool any_effect;
  TaintEffect effect;
};

struct PodClass {
  LabelValue name_space = 0;
  InternedLabels labels;
  PodResources resources;
  std::vector<HostPortKey> ports;
  LabelValue node_name = kNoValue;
  std::int32_t priority = 0;
  bool preempt = true;
  std::uint32_t profile = 0;

  bool has_node_selector = false;
  Selector node_selector;
  std::vector<Selector> required_terms;  // empty: no required node affinity
  std::vector<std::pair<std::int32_t, Selector>> preferred_terms;

  std::vector<CompiledToleration> tolerations;
  bool tolerates_unschedulable = false;

  std::vector<SpreadTerm> hard_spread;  // DoNotSchedule
  std::vector<SpreadTerm> soft_spread;  // ScheduleAnyway, or the system defaults
  bool system_default_spread = false;

  std::vector<AffinityTerm> required_affinity;  // all share one compound selector
  bool self_matches_affinity = false;
  std::vector<AffinityTerm> required_anti;
  std::vector<AffinityTerm> preferred_affinity;
  std::vector<AffinityTerm> preferred_anti;
  std::vector<BoundTermId> bound_terms;  // the terms its bound pods carry

  // Caches, filled when first needed.
  std::vector<std::uint8_t> matches;  // per selector id evaluated so far: 1 if it matches
  std::vector<std::uint8_t> tolerated;            // per taint set: NoSchedule/NoExecute ok
  std::vector<std::uint16_t> intolerable_prefer;  // per taint set: PreferNoSchedule count
  bool tolerates_all_taint_sets = false;          // every taint set so far is tolerated
  std::uint64_t node_epoch = std::numeric_limits<std::uint64_t>::max();
  std::vector<std::uint8_t> affinity_ok;        // per node: nodeSelector and required terms
  std::vector<std::uint32_t> preferred_sum;     // per node: matching preferred weights
  std::uint32_t node_index = kNone;  // its slot in SchedulerState::node_indexes, if it has one
};

// NodeResourcesFit's filter and both resource scores of one request size under one profile,
// per node, refreshed on every change of a node's requests: a cycle only reads them.
struct ResourceCache {
  std::uint32_t profile = 0;
  PodResources resources;
  std::uint64_t last_used = 0;
  std::vector<std::uint8_t> fits;      // NodeResourcesFit's filter passes
  std::vector<std::uint8_t> fit;       // NodeResourcesFit score, 0..100
  std::vector<std::uint8_t> balanced;  // NodeResourcesBalancedAllocation score, 0..100
  // fit x its weight + balanced x its weight (0 for a best-effort pod, which it skips).
  std::vector<std::uint32_t> weighted;
};

// The nodes whose scheduling inputs changed (requests, presence, cordon, labels, counts of
// matching pods), as a ring of the last kChangeRing: the node indexes catch up from it.
inline constexpr std::size_t kChangeRing = 16384;

// The fused cycle's index for one pod class: its feasible nodes (present, resources fit, not
// cordoned unless tolerated) grouped in cells by (spread key, weighted resource score), so
// that a cycle reads the best cell of each key instead of passing over every node. Kept up to
// date lazily: a cycle first applies the nodes changed since its last one (or rebuilds when
// more changed than a rebuild costs).
struct ClassNodeIndex {
  PodClassId owner = kNone;
  std::uint64_t last_used = 0;
  std::uint64_t applied = 0;           // changes applied (a position in the change log)
  std::uint32_t keys = 0;              // spread keys (1 without spreading)
  std::uint32_t values = 0;            // weighted resource scores are 0..values-1
  std::uint32_t words = 0;             // per key: 64-bit words of its bitmap of values
  std::uint32_t feasible = 0;          // nodes in cells
  std::vector<std::uint32_t> cell_of;  // per node slot: key x values + score; kNone: infeasible
  std::vector<std::uint32_t> next;     // per node slot: the next node of its cell's list
  std::vector<std::uint32_t> prev;     // per node slot: the previous one (kNone: the head)
  std::vector<std::uint32_t> head;     // per cell: its first node, kNone when empty
  std::vector<std::uint32_t> count;    // per cell: its nodes
  std::vector<std::uint32_t> key_count;  // per key: feasible nodes with it
  std::vector<std::uint64_t> nonempty;   // per key, `words` words: bit v set if cell v has nodes
};

// kube-scheduler's node tree: the zones (a node's region and zone labels) in the order they
// first appeared, each with its nodes in the order they were added. Sampling cycles
// (percentageOfNodesToScore below 100) walk the nodes in the tree's order: one node of each
// zone in turn.
struct NodeZone {
  std::string key;                // region + ":\0:" + zone; empty without either label
  std::vector<NodeIndex> nodes;   // in the order added
};

struct BoundPod {
  PodClassId cls = kNone;
  NodeIndex node = kNoNode;
  std::uint32_t slot = 0;   // position in node_pods[node]
  std::uint64_t seq = 0;    // bind order: the earlier, the more important at equal priority
};

struct SchedulerState {
  /// Bound pods by priority: preemption needs a pod of lower priority than the preemptor.
  std::map<std::int32_t, std::uint64_t> bound_by_priority;
  SchedulerState(const RandomStream& r, std::vector<Profile> p)
      : profiles(std::move(p)), random(r) {}

  NodeTable nodes;
  std::vector<Profile> profiles;
  RandomStream random;
  std::vector<std::vector<ShapePoint>> scaled_shapes;  // per profile
  std::vector<PodClass> classes;
  std::vector<PodSelector> selectors;
  std::unordered_map<std::string, SelectorId> selector_ids;
  std::vector<Topology> topologies;
  std::unordered_map<LabelKey, TopologyId> topology_ids;
  std::vector<BoundTerm> bound_terms;
  std::unordered_map<std::string, BoundTermId> bound_term_ids;
  std::vector<ResourceCache> caches;
  std::uint64_t cache_clock = 0;
  std::vector<BoundPod> pods;                   // by TaskId value
  std::vector<std::vector<TaskId>> node_pods;   // per node slot
  std::uint64_t bind_seq = 0;
  std::uint32_t next_start = 0;                 // percentageOfNodesToScore's rotation (tree order)
  std::vector<NodeZone> node_zones;             // the node tree, zones in the order first seen
  std::vector<std::string> zone_key_of;         // per node slot: its zone's key in the tree
  std::vector<NodeIndex> tree_order;            // the tree's nodes interleaved over the zones
  bool tree_order_stale = true;
  std::vector<NodeIndex> change_ring = std::vector<NodeIndex>(kChangeRing);
  std::uint64_t changes = 0;                    // nodes noted in change_ring, ever
  std::vector<ClassNodeIndex> node_indexes;     // at most kMaxNodeIndexes, reused by age
  std::uint64_t index_clock = 0;
  CycleIndex cycle_index = CycleIndex::kAuto;   // whether the fused cycle reads the indexes

  // Scratch, grown to the node count and reused.
  std::vector<std::uint8_t> mask;
  std::vector<NodeIndex> cand;
  std::vector<std::int64_t> raw[kScorePlugins.size()];
  std::vector<std::int64_t> norm[kScorePlugins.size()];
  std::vector<std::int32_t> total;
  std::vector<std::int64_t> total_explained;
  std::vector<std::int32_t> key_weighted;
  std::vector<std::int16_t> total16;
  std::vector<std::int16_t> key_weighted16;
  std::vector<std::int64_t> table;
  std::vector<std::int64_t> domain_scratch;
  std::vector<std::uint8_t> domain_seen;
  std::vector<std::uint8_t> flags;
  std::vector<double> acc;
  std::vector<double> domain_terms;
  std::vector<double> count_terms;
  std::vector<std::uint32_t> keys;
  std::vector<std::uint32_t> key_count;
  std::vector<std::int64_t> key_raw;
  std::vector<std::vector<std::int64_t>> topology_scores;
  std::vector<TopologyId> active_topologies;
  std::vector<std::uint32_t> tied_cells;
  std::vector<std::uint32_t> tied_nodes;
  std::vector<std::uint8_t> tied_marks;
};

// PodTopologySpread's PreFilter for one DoNotSchedule constraint: the matching pods per
// domain over the nodes that pass the pod's node affinity and carry every constraint's key,
// which domains those nodes form, and the global minimum.
struct HardSpread {
  const SpreadTerm* term = nullptr;
  std::vector<std::int64_t> counts;     // per domain (0 where not eligible)
  std::vector<std::uint8_t> eligible;   // per domain
  std::int64_t min = 0;
};

// InterPodAffinity's PreFilter: the existing pods' required anti-affinity terms that match
// the incoming pod, and whether any pod matches its required affinity terms at all.
struct InterPodState {
  std::vector<const BoundTerm*> existing_anti;
  bool any_affinity_match = false;
};

struct Prefilter {
  std::vector<HardSpread> spread;
  InterPodState inter_pod;
};

// Shared between scheduler.cpp, cycle.cpp and preemption.cpp.
void ensure_matches(SchedulerState& st, PodClass& c);
bool class_matches(SchedulerState& st, PodClass& c, SelectorId s);
const std::vector<std::uint32_t>& domain_counts(const SchedulerState& st, SelectorId s,
                                                TopologyId t);
ResourceCache& resource_cache(SchedulerState& st, const PodClass& c);
bool fits_resources(const NodeTable& nodes, NodeIndex n, const PodResources& r);
bool tolerates(const CompiledToleration& t, const InternedTaint& taint);
void count_pod(SchedulerState& st, PodClassId cls, NodeIndex n, int sign);

// Notes that node n's scheduling inputs changed, for the node indexes.
inline void note_change(SchedulerState& st, NodeIndex n) {
  st.change_ring[st.changes++ % kChangeRing] = n;
}

// Class `cls`'s node index over `cache`'s scores and `keys` (nullptr without spreading;
// `key_count` keys, else 1), brought up to date; nullptr when its cells would be too many.
ClassNodeIndex* class_node_index(SchedulerState& st, PodClassId cls, const ResourceCache& cache,
                                 const PodSelector::KeyColumn* keys, std::uint32_t key_count);
// The top cell of each key, the best total (score + key_weighted[key]; key_weighted nullptr
// without spreading), the ties and the uniform choice among them in node order, from st.random
// as the scanning cycle draws it. The index has a feasible node.
void choose_from_index(SchedulerState& st, ClassNodeIndex& ix, const std::int32_t* key_weighted,
                       ScheduleResult& r, std::int32_t& best);
void refresh_caches(SchedulerState& st, NodeIndex n);
// The present nodes in the node tree's order (rebuilt when nodes or their zones changed).
const std::vector<NodeIndex>& tree_order(SchedulerState& st);
PodSelector::KeyColumn& key_column(SchedulerState& st, SelectorId s, TopologyId t);
void update_keys(SchedulerState& st, PodSelector& sel, NodeIndex n);
void prepare_class(SchedulerState& st, PodClass& c);
bool has_node_requirements(const PodClass& c);
// NodePorts: none of the class's host ports is in use on node `n`.
bool ports_free(const NodeTable& nodes, const PodClass& c, NodeIndex n);
Prefilter prefilter(SchedulerState& st, PodClass& c);
std::string_view spread_reason(const SchedulerState& st, const PodClass& c, const Prefilter& pf,
                               NodeIndex n);
std::string_view inter_pod_reason(const SchedulerState& st, const PodClass& c,
                                  const Prefilter& pf, NodeIndex n);
void apply_filter(SchedulerState& st, PodClass& c, const ResourceCache& cache,
                  const Prefilter& pf, Plugin p, std::uint8_t* mask);
extern const Plugin kFilters[8];
extern const std::string_view kReasonSpreadLabel;
extern const std::string_view kReasonAffinity;

}  // namespace ecsim::eks::detail
