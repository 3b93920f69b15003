// One scheduling cycle: filters as passes over node columns into a byte mask, the feasible
// nodes compacted, each score plugin computed over them and normalised as its upstream
// NormalizeScore does, the weighted sum, and the uniform choice among the best. The same code
// serves `schedule` and `explain`; explaining only keeps what the cycle computes anyway.
//
// Upstream sources (kubernetes/pkg/scheduler/framework/plugins): nodeunschedulable,
// nodename, tainttoleration, nodeaffinity, nodeports, noderesources (fit.go,
// least_allocated.go, most_allocated.go, requested_to_capacity_ratio.go,
// balanced_allocation.go), podtopologyspread (filtering.go, scoring.go), interpodaffinity
// (filtering.go, scoring.go), and schedule_one.go (numFeasibleNodesToFind, selectHost).

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <limits>
#include <string>

#include "ecsim/sim/assert.hpp"
#include "scheduler_impl.hpp"

namespace ecsim::eks {

namespace detail {

constexpr std::size_t kTaint = 0, kAffinity = 1, kSpread = 2, kInterPod = 3, kFit = 4,
                      kBalanced = 5;

constexpr std::string_view kReasonUnschedulable = "node(s) were unschedulable";
constexpr std::string_view kReasonNodeName = "node(s) didn't match the requested node name";
constexpr std::string_view kReasonNodeAffinity = "node(s) didn't match Pod's node affinity/selector";
constexpr std::string_view kReasonPorts = "node(s) didn't have free ports for the requested pod ports";
constexpr std::string_view kReasonSpread = "node(s) didn't match pod topology spread constraints";
const std::string_view kReasonSpreadLabel =
    "node(s) didn't match pod topology spread constraints (missing required label)";
const std::string_view kReasonAffinity = "node(s) didn't match pod affinity rules";
constexpr std::string_view kReasonAntiAffinity = "node(s) didn't match pod anti-affinity rules";
constexpr std::string_view kReasonExistingAnti =
    "node(s) didn't satisfy existing pods anti-affinity rules";

// --- per-class caches -----------------------------------------------------------------------

void prepare_class(SchedulerState& st, PodClass& c) {
  ensure_matches(st, c);
  const NodeTable& nodes = st.nodes;
  while (c.tolerated.size() < nodes.taint_sets()) {
    // TaintToleration: a NoSchedule or NoExecute taint no toleration tolerates rejects the
    // node; PreferNoSchedule taints not tolerated are counted for the score.
    const auto& taints = nodes.taints(static_cast<TaintSetId>(c.tolerated.size()));
    std::uint8_t ok = 1;
    std::uint16_t prefer = 0;
    for (const InternedTaint& t : taints) {
      bool tolerated = false;
      for (const CompiledToleration& tol : c.tolerations) tolerated = tolerated || tolerates(tol, t);
      if (t.effect == TaintEffect::kPreferNoSchedule) {
        prefer = static_cast<std::uint16_t>(prefer + (tolerated ? 0 : 1));
      } else if (!tolerated) {
        ok = 0;
      }
    }
    c.tolerated.push_back(ok);
    c.intolerable_prefer.push_back(prefer);
  }
  c.tolerates_all_taint_sets =
      std::find(c.tolerated.begin(), c.tolerated.end(), 0) == c.tolerated.end();
  if (c.node_epoch != nodes.shape_epoch()) {
    // NodeAffinity: nodeSelector and required terms (ORed; a term without requirements
    // matches nothing), and the sum of the weights of the preferred terms that match. A class
    // with none of them reads neither column: nothing to compute after a node change.
    c.node_epoch = nodes.shape_epoch();
    if (!has_node_requirements(c) && c.preferred_terms.empty()) return;
    const std::size_t size = nodes.size();
    c.affinity_ok.assign(size, 0);
    c.preferred_sum.assign(size, 0);
    const LabelInterner& in = nodes.interner();
    for (NodeIndex n = 0; n < size; ++n) {
      if (!nodes.present(n)) continue;
      const InternedLabels& labels = nodes.labels(n);
      bool ok = !c.has_node_selector || matches(c.node_selector, labels, in);
      if (ok && !c.required_terms.empty()) {
        bool any = false;
        for (const Selector& t : c.required_terms)
          any = any || (!t.requirements.empty() && matches(t, labels, in));
        ok = any;
      }
      c.affinity_ok[n] = ok ? 1 : 0;
      std::uint32_t sum = 0;
      for (const auto& [weight, term] : c.preferred_terms)
        if (!term.requirements.empty() && matches(term, labels, in))
          sum += static_cast<std::uint32_t>(weight);
      c.preferred_sum[n] = sum;
    }
  }
}

bool has_node_requirements(const PodClass& c) {
  return c.has_node_selector || !c.required_terms.empty();
}

// --- PreFilter state ------------------------------------------------------------------------

bool has_all_keys(const SchedulerState& st, std::span<const SpreadTerm> terms, NodeIndex n) {
  for (const SpreadTerm& t : terms)
    if (st.topologies[t.topology].domain_of_node[n] == kNone) return false;
  return true;
}

void prefilter_spread(SchedulerState& st, PodClass& c, Prefilter& pf) {
  const NodeTable& nodes = st.nodes;
  bool all_have_keys = true;
  for (const SpreadTerm& t : c.hard_spread)
    all_have_keys = all_have_keys && st.topologies[t.topology].nodes_with_key == nodes.count();
  const bool fast = all_have_keys && !has_node_requirements(c);
  for (const SpreadTerm& t : c.hard_spread) {
    const Topology& topo = st.topologies[t.topology];
    HardSpread h;
    h.term = &t;
    const std::size_t domains = topo.domain_value.size();
    h.counts.assign(domains, 0);
    h.eligible.assign(domains, 0);
    if (fast) {
      const std::vector<std::uint32_t>& counts = domain_counts(st, t.selector, t.topology);
      for (std::size_t d = 0; d < domains; ++d) {
        h.eligible[d] = topo.nodes_in_domain[d] > 0 ? 1 : 0;
        h.counts[d] = h.eligible[d] != 0 ? counts[d] : 0;
      }
    } else {
      const std::vector<std::uint32_t>& per_node = st.selectors[t.selector].node_count;
      for (NodeIndex n = 0; n < nodes.size(); ++n) {
        if (!nodes.present(n) || (has_node_requirements(c) && c.affinity_ok[n] == 0) ||
            !has_all_keys(st, c.hard_spread, n))
          continue;
        const DomainId d = topo.domain_of_node[n];
        h.eligible[d] = 1;
        h.counts[d] += per_node[n];
      }
    }
    std::int64_t min = std::numeric_limits<std::int32_t>::max();
    std::int64_t eligible = 0;
    for (std::size_t d = 0; d < domains; ++d) {
      if (h.eligible[d] == 0) continue;
      ++eligible;
      min = std::min(min, h.counts[d]);
    }
    // minDomains: with fewer eligible domains, the global minimum is taken as 0.
    if (eligible < t.min_domains) min = 0;
    h.min = min;
    pf.spread.push_back(std::move(h));
  }
}

void prefilter_inter_pod(SchedulerState& st, PodClass& c, Prefilter& pf) {
  for (const BoundTerm& b : st.bound_terms) {
    if (b.kind == TermKind::kRequiredAntiAffinity && b.owners_total > 0 &&
        class_matches(st, c, b.selector))
      pf.inter_pod.existing_anti.push_back(&b);
  }
  for (const AffinityTerm& t : c.required_affinity) {
    for (const std::uint32_t n : domain_counts(st, t.selector, t.topology))
      pf.inter_pod.any_affinity_match = pf.inter_pod.any_affinity_match || n > 0;
  }
}

Prefilter prefilter(SchedulerState& st, PodClass& c) {
  Prefilter pf;
  if (!c.hard_spread.empty()) prefilter_spread(st, c, pf);
  if (!c.required_affinity.empty() || !c.required_anti.empty() || !st.bound_terms.empty())
    prefilter_inter_pod(st, c, pf);
  return pf;
}

// --- filters, one node at a time (the rare plugins, and every reason) -----------------------

// PodTopologySpread's Filter on node n: "" when it passes, else the reason.
std::string_view spread_reason(const SchedulerState& st, const PodClass& c, const Prefilter& pf,
                               NodeIndex n) {
  for (const HardSpread& h : pf.spread) {
    const DomainId d = st.topologies[h.term->topology].domain_of_node[n];
    if (d == kNone) return kReasonSpreadLabel;
    // skew = matching pods in the node's domain + 1 if the pod matches itself - the global
    // minimum; it must not exceed maxSkew.
    const std::int64_t skew = h.counts[d] + (h.term->self_match ? 1 : 0) - h.min;
    if (skew > h.term->max_skew) return kReasonSpread;
  }
  static_cast<void>(c);
  return {};
}

// InterPodAffinity's Filter on node n.
std::string_view inter_pod_reason(const SchedulerState& st, const PodClass& c,
                                  const Prefilter& pf, NodeIndex n) {
  bool pods_exist = true;
  for (const AffinityTerm& t : c.required_affinity) {
    const DomainId d = st.topologies[t.topology].domain_of_node[n];
    if (d == kNone) return kReasonAffinity;
    if (domain_counts(st, t.selector, t.topology)[d] == 0) pods_exist = false;
  }
  // The first pod of a group with affinity to itself may go to any node with the keys.
  if (!pods_exist && !(!pf.inter_pod.any_affinity_match && c.self_matches_affinity))
    return kReasonAffinity;
  for (const AffinityTerm& t : c.required_anti) {
    const DomainId d = st.topologies[t.topology].domain_of_node[n];
    if (d != kNone && domain_counts(st, t.selector, t.topology)[d] > 0) return kReasonAntiAffinity;
  }
  for (const BoundTerm* b : pf.inter_pod.existing_anti) {
    const DomainId d = st.topologies[b->topology].domain_of_node[n];
    if (d != kNone && b->owners[d] > 0) return kReasonExistingAnti;
  }
  return {};
}

bool ports_free(const NodeTable& nodes, const PodClass& c, NodeIndex n) {
  if (!nodes.has_ports(n)) return true;
  for (const HostPortKey p : c.ports)
    if (nodes.port_in_use(n, p)) return false;
  return true;
}

// InterPodAffinity's Filter for every node, one pass per term (the same tests as
// inter_pod_reason).
void and_inter_pod(const SchedulerState& st, const PodClass& c, const Prefilter& pf,
                   std::uint8_t* mask, std::size_t size) {
  // "No pod in the cluster matches the required affinity terms, and the pod matches them
  // itself": then any node with every key passes.
  const bool first_of_group = !pf.inter_pod.any_affinity_match && c.self_matches_affinity;
  for (const AffinityTerm& t : c.required_affinity) {
    const DomainId* dom = st.topologies[t.topology].domain_of_node.data();
    const std::uint32_t* counts = domain_counts(st, t.selector, t.topology).data();
    for (std::size_t n = 0; n < size; ++n) {
      const DomainId d = dom[n];
      mask[n] &= static_cast<std::uint8_t>(d != kNone && (first_of_group || counts[d] > 0));
    }
  }
  for (const AffinityTerm& t : c.required_anti) {
    const DomainId* dom = st.topologies[t.topology].domain_of_node.data();
    const std::uint32_t* counts = domain_counts(st, t.selector, t.topology).data();
    for (std::size_t n = 0; n < size; ++n)
      mask[n] &= static_cast<std::uint8_t>(dom[n] == kNone || counts[dom[n]] == 0);
  }
  for (const BoundTerm* b : pf.inter_pod.existing_anti) {
    const DomainId* dom = st.topologies[b->topology].domain_of_node.data();
    const std::uint32_t* owners = b->owners.data();
    for (std::size_t n = 0; n < size; ++n)
      mask[n] &= static_cast<std::uint8_t>(dom[n] == kNone || owners[dom[n]] == 0);
  }
}

// ANDs plugin `p`'s verdict for every node into mask (one byte per node slot).
void apply_filter(SchedulerState& st, PodClass& c, const ResourceCache& cache,
                  const Prefilter& pf, Plugin p, std::uint8_t* mask) {
  const NodeTable& nodes = st.nodes;
  const NodeTable::Columns col = nodes.columns();
  const std::size_t size = col.size;
  switch (p) {
    case Plugin::kNodeUnschedulable:
      if (c.tolerates_unschedulable) return;
      for (std::size_t n = 0; n < size; ++n) mask[n] &= col.schedulable[n];
      return;
    case Plugin::kNodeName:
      if (c.node_name == kNoValue) return;
      for (NodeIndex n = 0; n < size; ++n)
        mask[n] &= static_cast<std::uint8_t>(nodes.name_id(n) == c.node_name);
      return;
    case Plugin::kTaintToleration: {
      const std::uint8_t* tolerated = c.tolerated.data();
      for (std::size_t n = 0; n < size; ++n) mask[n] &= tolerated[col.taint_set[n]];
      return;
    }
    case Plugin::kNodeAffinity: {
      if (!has_node_requirements(c)) return;
      const std::uint8_t* ok = c.affinity_ok.data();
      for (std::size_t n = 0; n < size; ++n) mask[n] &= ok[n];
      return;
    }
    case Plugin::kNodePorts:
      if (c.ports.empty()) return;
      for (NodeIndex n = 0; n < size; ++n)
        mask[n] &= static_cast<std::uint8_t>(nodes.present(n) && ports_free(nodes, c, n));
      return;
    case Plugin::kNodeResourcesFit: {
      const std::uint8_t* fits = cache.fits.data();
      for (std::size_t n = 0; n < size; ++n) mask[n] &= fits[n];
      return;
    }
    case Plugin::kPodTopologySpread:
      // One pass per constraint, the same test as spread_reason: the node has the key and
      // count + self - min <= maxSkew.
      for (const HardSpread& h : pf.spread) {
        const DomainId* dom = st.topologies[h.term->topology].domain_of_node.data();
        const std::int64_t allowed = h.term->max_skew + h.min - (h.term->self_match ? 1 : 0);
        for (std::size_t n = 0; n < size; ++n) {
          const DomainId d = dom[n];
          mask[n] &= static_cast<std::uint8_t>(d != kNone && h.counts[d] <= allowed);
        }
      }
      return;
    case Plugin::kInterPodAffinity:
      and_inter_pod(st, c, pf, mask, size);
      return;
    case Plugin::kNodeResourcesBalancedAllocation:
      return;
  }
}

const Plugin kFilters[8] = {Plugin::kNodeUnschedulable, Plugin::kNodeName,
                               Plugin::kTaintToleration,   Plugin::kNodeAffinity,
                               Plugin::kNodePorts,         Plugin::kNodeResourcesFit,
                               Plugin::kPodTopologySpread, Plugin::kInterPodAffinity};

std::string filter_reason(SchedulerState& st, const PodClass& c, const Prefilter& pf, Plugin p,
                          NodeIndex n) {
  const NodeTable& nodes = st.nodes;
  switch (p) {
    case Plugin::kNodeUnschedulable: return std::string(kReasonUnschedulable);
    case Plugin::kNodeName: return std::string(kReasonNodeName);
    case Plugin::kTaintToleration: {
      for (const InternedTaint& t : nodes.taints(nodes.taint_set(n))) {
        if (t.effect == TaintEffect::kPreferNoSchedule) continue;
        bool tolerated = false;
        for (const CompiledToleration& tol : c.tolerations) tolerated = tolerated || tolerates(tol, t);
        if (!tolerated) {
          return "node(s) had untolerated taint {" + nodes.interner().key_name(t.key) + ": " +
                 nodes.interner().value_name(t.value) + "}";
        }
      }
      return "node(s) had untolerated taint";
    }
    case Plugin::kNodeAffinity: return std::string(kReasonNodeAffinity);
    case Plugin::kNodePorts: return std::string(kReasonPorts);
    case Plugin::kNodeResourcesFit: {
      std::string reasons;
      const auto add = [&](std::string_view r) {
        reasons += reasons.empty() ? "" : ", ";
        reasons += r;
      };
      if (nodes.pods(n) + 1 > nodes.allocatable_pods(n)) add("Too many pods");
      const PodResources& r = c.resources;
      if (r.cpu_millis > 0 && r.cpu_millis > nodes.allocatable_cpu(n) - nodes.requested_cpu(n))
        add("Insufficient cpu");
      if (r.memory_bytes > 0 &&
          r.memory_bytes > nodes.allocatable_memory(n) - nodes.requested_memory(n))
        add("Insufficient memory");
      return reasons;
    }
    case Plugin::kPodTopologySpread: return std::string(spread_reason(st, c, pf, n));
    case Plugin::kInterPodAffinity: return std::string(inter_pod_reason(st, c, pf, n));
    case Plugin::kNodeResourcesBalancedAllocation: return {};
  }
  return {};
}

}  // namespace detail

using namespace detail;

namespace {

// --- scores ---------------------------------------------------------------------------------

// Branch-free passes over raw columns for the fused cycle. Parameters are __restrict (no two
// arrays overlap) so that the compiler vectorises the ones that can be; the passes are not
// inlined, so that each loop has the registers to itself.

// mask[n] = a[n] & b[n] & (c[n] | c_or) over byte columns holding 0 or 1, eight at a time in
// 64-bit words; returns how many are 1.
[[gnu::noinline]] std::size_t and_columns(std::uint8_t* __restrict mask, const std::uint8_t* __restrict a,
                        const std::uint8_t* __restrict b, const std::uint8_t* __restrict c,
                        std::uint8_t c_or, std::size_t size) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  const std::uint64_t c_or8 = kOnes * c_or;
  std::size_t n = 0;
  std::uint64_t count = 0;
  for (; n + 8 <= size; n += 8) {
    std::uint64_t wa, wb, wc;
    std::memcpy(&wa, a + n, 8);
    std::memcpy(&wb, b + n, 8);
    std::memcpy(&wc, c + n, 8);
    const std::uint64_t w = wa & wb & (wc | c_or8);
    std::memcpy(mask + n, &w, 8);
    count += (w * kOnes) >> 56;  // the sum of the eight bytes (each 0 or 1)
  }
  for (; n < size; ++n) {
    mask[n] = static_cast<std::uint8_t>(a[n] & b[n] & (c[n] | c_or));
    count += mask[n];
  }
  return static_cast<std::size_t>(count);
}

// mask[n] &= tolerated[taint_set[n]] (TaintToleration's filter); returns how many are 1.
[[gnu::noinline]] std::size_t and_tolerated(std::uint8_t* __restrict mask,
                                            const std::uint8_t* __restrict tolerated,
                                            const TaintSetId* __restrict taint_set,
                                            std::size_t size) {
  std::size_t count = 0;
  for (std::size_t n = 0; n < size; ++n) {
    mask[n] = static_cast<std::uint8_t>(mask[n] & tolerated[taint_set[n]]);
    count += mask[n];
  }
  return count;
}

// Takes the infeasible nodes' keys off `count` (how many present nodes have each key): the
// nodes present (present[n] = 1) whose mask[n] is 0, found eight at a time.
[[gnu::noinline]] void subtract_infeasible(const std::uint8_t* __restrict present, const std::uint8_t* __restrict mask,
                         const std::uint32_t* __restrict keys, std::uint32_t* __restrict count,
                         std::size_t size) {
  std::size_t n = 0;
  for (; n + 8 <= size; n += 8) {
    std::uint64_t p, m;
    std::memcpy(&p, present + n, 8);
    std::memcpy(&m, mask + n, 8);
    // Bytes are 0 or 1: bit 8b is set for each present node b of the eight that did not pass.
    for (std::uint64_t out = p & ~m; out != 0; out &= out - 1)
      --count[keys[n + static_cast<std::size_t>(std::countr_zero(out) / 8)]];
  }
  for (; n < size; ++n)
    if (present[n] != 0 && mask[n] == 0) --count[keys[n]];
}

// The fused cycle keeps its totals in 16 bits (the profile's weights allow it: see
// fast_cycle): SSE2 compares and takes the maximum of eight of them at once.

// total[n] = weighted[n] + table[min(keys[n], spare)] (slots without a node have key kNone).
[[gnu::noinline]] void add_gathered(std::int16_t* __restrict total,
                                    const std::uint32_t* __restrict weighted,
                                    const std::int16_t* __restrict table,
                                    const std::uint32_t* __restrict keys, std::uint32_t spare,
                                    std::size_t size) {
  for (std::size_t n = 0; n < size; ++n) {
    const std::uint32_t k = keys[n];
    total[n] = static_cast<std::int16_t>(static_cast<std::int32_t>(weighted[n]) +
                                         table[k < spare ? k : spare]);
  }
}

// total[n] = weighted[n].
[[gnu::noinline]] void narrow(std::int16_t* __restrict total,
                              const std::uint32_t* __restrict weighted, std::size_t size) {
  for (std::size_t n = 0; n < size; ++n) total[n] = static_cast<std::int16_t>(weighted[n]);
}

// total[n] = `rejected` where mask[n] is 0; returns the largest total.
[[gnu::noinline]] std::int16_t reject_and_max(std::int16_t* __restrict total,
                                              const std::uint8_t* __restrict mask,
                                              std::int16_t rejected, std::size_t size) {
  std::int16_t best = std::numeric_limits<std::int16_t>::min();
  std::size_t n = 0;
#if defined(__SSE2__)
  const __m128i zero = _mm_setzero_si128();
  const __m128i rejected8 = _mm_set1_epi16(rejected);
  __m128i b8 = _mm_set1_epi16(best);
  for (; n + 8 <= size; n += 8) {
    const __m128i m16 =
        _mm_unpacklo_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(mask + n)), zero);
    const __m128i out = _mm_cmpeq_epi16(m16, zero);
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(total + n));
    x = _mm_or_si128(_mm_and_si128(out, rejected8), _mm_andnot_si128(out, x));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(total + n), x);
    b8 = _mm_max_epi16(b8, x);
  }
  alignas(16) std::int16_t lanes[8];
  _mm_store_si128(reinterpret_cast<__m128i*>(lanes), b8);
  for (const std::int16_t l : lanes) best = l > best ? l : best;
#endif
  for (; n < size; ++n) {
    if (mask[n] == 0) total[n] = rejected;
    best = total[n] > best ? total[n] : best;
  }
  return best;
}

// For each byte m, how many of its bits are set (baseline x86-64 has no popcount).
constexpr auto kBitCounts = [] {
  std::array<std::uint8_t, 256> table{};
  for (unsigned m = 0; m < 256; ++m)
    for (unsigned b = 0; b < 8; ++b) table[m] = static_cast<std::uint8_t>(table[m] + ((m >> b) & 1U));
  return table;
}();

// Which of the eight 16-bit values at v equal x, as the bits of a byte.
inline unsigned equal_bits(const std::int16_t* v, std::int16_t x) {
#if defined(__SSE2__)
  const __m128i e = _mm_cmpeq_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v)),
                                    _mm_set1_epi16(x));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_packs_epi16(e, e))) & 0xffU;
#else
  unsigned bits = 0;
  for (unsigned i = 0; i < 8; ++i) bits |= (v[i] == x ? 1U : 0U) << i;
  return bits;
#endif
}

// How many of v[0, m) equal x.
[[gnu::noinline]] std::uint32_t count_equal(const std::int16_t* __restrict v, std::size_t m,
                                            std::int16_t x) {
  std::uint32_t count = 0;
  std::size_t i = 0;
  for (; i + 8 <= m; i += 8) count += kBitCounts[equal_bits(v + i, x)];
  for (; i < m; ++i) count += v[i] == x ? 1U : 0U;
  return count;
}

// The index of the (k+1)-th element of v[0, m) equal to x (there is one).
[[gnu::noinline]] std::size_t nth_equal(const std::int16_t* __restrict v, std::size_t m,
                                        std::int16_t x, std::uint64_t k) {
  std::size_t i = 0;
  for (; i + 8 <= m; i += 8) {
    const unsigned in_block = kBitCounts[equal_bits(v + i, x)];
    if (k < in_block) break;
    k -= in_block;
  }
  for (; i < m; ++i) {
    if (v[i] != x) continue;
    if (k == 0) return i;
    --k;
  }
  ECSIM_ASSERT(false, "nth_equal is asked for an element that exists");
}

// The largest of v[0, m), m > 0 (SSE2 has no 32-bit max: compare and blend).
std::int32_t max_of(const std::int32_t* __restrict v, std::size_t m) {
  std::int32_t best = std::numeric_limits<std::int32_t>::min();
  std::size_t i = 0;
#if defined(__SSE2__)
  __m128i b4 = _mm_set1_epi32(best);
  for (; i + 4 <= m; i += 4) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(v + i));
    const __m128i greater = _mm_cmpgt_epi32(x, b4);
    b4 = _mm_or_si128(_mm_and_si128(greater, x), _mm_andnot_si128(greater, b4));
  }
  alignas(16) std::int32_t lanes[4];
  _mm_store_si128(reinterpret_cast<__m128i*>(lanes), b4);
  for (const std::int32_t l : lanes) best = l > best ? l : best;
#endif
  // By value: std::max returns a reference, which makes GCC keep `best` in memory.
  for (; i < m; ++i) best = v[i] > best ? v[i] : best;
  return best;
}

// How many of v[0, m) equal x.
std::uint32_t count_equal(const std::int32_t* __restrict v, std::size_t m, std::int32_t x) {
  std::uint32_t count = 0;
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i x4 = _mm_set1_epi32(x);
  __m128i c4 = _mm_setzero_si128();
  for (; i + 4 <= m; i += 4) {
    const __m128i e = _mm_cmpeq_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v + i)), x4);
    c4 = _mm_sub_epi32(c4, e);  // e is -1 where equal
  }
  alignas(16) std::uint32_t lanes[4];
  _mm_store_si128(reinterpret_cast<__m128i*>(lanes), c4);
  count = lanes[0] + lanes[1] + lanes[2] + lanes[3];
#endif
  for (; i < m; ++i) count += v[i] == x ? 1U : 0U;
  return count;
}

// The index of the (k+1)-th element of v[0, m) equal to x (there is one).
[[gnu::noinline]] std::size_t nth_equal(const std::int32_t* __restrict v, std::size_t m, std::int32_t x,
                      std::uint64_t k) {
  std::size_t i = 0;
#if defined(__SSE2__)
  // Whole blocks of four are skipped by their count of equals (a table: no popcnt in SSE2).
  constexpr std::uint8_t kBits[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};
  const __m128i x4 = _mm_set1_epi32(x);
  for (; i + 4 <= m; i += 4) {
    const __m128i e = _mm_cmpeq_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v + i)), x4);
    const std::uint8_t in_block = kBits[_mm_movemask_ps(_mm_castsi128_ps(e))];
    if (k < in_block) break;
    k -= in_block;
  }
#endif
  for (; i < m; ++i) {
    if (v[i] != x) continue;
    if (k == 0) return i;
    --k;
  }
  ECSIM_ASSERT(false, "nth_equal is asked for an element that exists");
}

// Maps every value v of vals (all within [lo, hi]) to f(v): through a table of the range when
// it is no longer than vals (the normalisations divide, and a table divides once per value).
template <class F>
void map_values(std::span<std::int64_t> vals, std::int64_t lo, std::int64_t hi, F f,
                std::vector<std::int64_t>& table) {
  if (vals.empty()) return;
  const auto range = static_cast<std::uint64_t>(hi - lo);
  if (range < vals.size()) {
    table.resize(range + 1);
    for (std::uint64_t k = 0; k <= range; ++k) table[k] = f(lo + static_cast<std::int64_t>(k));
    for (std::int64_t& v : vals) v = table[static_cast<std::size_t>(v - lo)];
  } else {
    for (std::int64_t& v : vals) v = f(v);
  }
}

// helper.DefaultNormalizeScore through map_values.
void normalize_default(std::span<std::int64_t> vals, bool reverse, std::vector<std::int64_t>& t) {
  std::int64_t max = 0;
  for (const std::int64_t v : vals) max = std::max(max, v);
  if (max == 0) {
    if (reverse) std::fill(vals.begin(), vals.end(), kMaxNodeScore);
    return;
  }
  map_values(vals, 0, max, [&](std::int64_t v) {
    const std::int64_t s = kMaxNodeScore * v / max;
    return reverse ? kMaxNodeScore - s : s;
  }, t);
}

struct Scores {
  // Per plugin: skipped (PreScore said Skip: every node 0).
  bool skipped[kScorePlugins.size()] = {};
};

// PodTopologySpread's PreScore and Score for the candidates (ScheduleAnyway constraints, or
// the system defaults), into raw; returns false when the plugin skips.
bool score_spread(SchedulerState& st, PodClass& c, std::span<const NodeIndex> cand,
                  std::span<std::int64_t> raw, std::span<std::uint8_t> ignored) {
  if (c.soft_spread.empty() || cand.empty()) return false;
  const NodeTable& nodes = st.nodes;
  const std::size_t m = cand.size();
  // Nodes without every key are ignored (scored 0) unless the constraints are the system
  // defaults.
  const bool require_all = !c.system_default_spread;
  std::size_t ignored_count = 0;
  for (std::size_t i = 0; i < m; ++i) {
    const bool ig = require_all && !has_all_keys(st, c.soft_spread, cand[i]);
    ignored[i] = ig ? 1 : 0;
    ignored_count += ig ? 1 : 0;
  }
  bool all_have_keys = true;
  for (const SpreadTerm& t : c.soft_spread)
    all_have_keys = all_have_keys && st.topologies[t.topology].nodes_with_key == nodes.count();
  const bool fast = !has_node_requirements(c) && (!require_all || all_have_keys);

  std::vector<double>& acc = st.acc;
  acc.assign(m, 0.0);
  for (const SpreadTerm& t : c.soft_spread) {
    const Topology& topo = st.topologies[t.topology];
    const DomainId* dom = topo.domain_of_node.data();
    if (t.key == kHostnameKey) {
      // Per node: the matching pods on the node itself.
      const double w = topology_normalizing_weight(m - ignored_count);
      const std::uint32_t* count = st.selectors[t.selector].node_count.data();
      for (std::size_t i = 0; i < m; ++i) {
        const NodeIndex n = cand[i];
        if (dom[n] != kNone) acc[i] += spread_score_for_count(count[n], t.max_skew, w);
      }
      continue;
    }
    // Domains among the scored nodes (a node without the key adds the empty value's domain
    // when the constraints are the system defaults, as upstream's map does).
    std::vector<std::uint8_t>& seen = st.domain_seen;
    seen.assign(topo.domain_value.size() + 1, 0);
    for (std::size_t i = 0; i < m; ++i) {
      if (ignored[i] != 0) continue;
      const DomainId d = dom[cand[i]];
      seen[d == kNone ? topo.domain_value.size() : d] = 1;
    }
    std::size_t domains = 0;
    for (const std::uint8_t s : seen) domains += s;
    const double w = topology_normalizing_weight(domains);
    // Matching pods per domain over every node that passes the pod's node affinity (and has
    // every key unless system defaults).
    std::vector<std::int64_t>& counts = st.domain_scratch;
    counts.assign(topo.domain_value.size(), 0);
    if (fast) {
      const std::vector<std::uint32_t>& tracked = domain_counts(st, t.selector, t.topology);
      for (std::size_t d = 0; d < counts.size(); ++d) counts[d] = tracked[d];
    } else {
      const std::uint32_t* per_node = st.selectors[t.selector].node_count.data();
      for (NodeIndex n = 0; n < nodes.size(); ++n) {
        if (!nodes.present(n) || dom[n] == kNone) continue;
        if (has_node_requirements(c) && c.affinity_ok[n] == 0) continue;
        if (require_all && !has_all_keys(st, c.soft_spread, n)) continue;
        counts[dom[n]] += per_node[n];
      }
    }
    // The term is the same for every node of a domain.
    std::vector<double>& term = st.domain_terms;
    term.resize(counts.size());
    for (std::size_t d = 0; d < counts.size(); ++d)
      term[d] = spread_score_for_count(counts[d], t.max_skew, w);
    for (std::size_t i = 0; i < m; ++i) {
      const DomainId d = dom[cand[i]];
      if (d != kNone) acc[i] += term[d];
    }
  }
  for (std::size_t i = 0; i < m; ++i) raw[i] = ignored[i] != 0 ? 0 : go_round(acc[i]);
  return true;
}

void normalize_spread(std::span<std::int64_t> vals, std::span<const std::uint8_t> ignored,
                      std::vector<std::int64_t>& table) {
  std::int64_t min = std::numeric_limits<std::int64_t>::max();
  std::int64_t max = 0;
  bool any = false;
  for (std::size_t i = 0; i < vals.size(); ++i) {
    if (ignored[i] != 0) continue;
    any = true;
    min = std::min(min, vals[i]);
    max = std::max(max, vals[i]);
  }
  if (!any) {
    std::fill(vals.begin(), vals.end(), 0);
    return;
  }
  for (std::size_t i = 0; i < vals.size(); ++i)
    if (ignored[i] != 0) vals[i] = min;  // in range for the table; zeroed below
  map_values(vals, min, max, [&](std::int64_t v) { return spread_normalize(v, min, max); }, table);
  for (std::size_t i = 0; i < vals.size(); ++i)
    if (ignored[i] != 0) vals[i] = 0;
}

// InterPodAffinity's PreScore and Score into raw; false when it skips (nothing to count).
bool score_inter_pod(SchedulerState& st, PodClass& c, const Profile& profile,
                     std::span<const NodeIndex> cand, std::span<std::int64_t> raw) {
  if (c.preferred_affinity.empty() && c.preferred_anti.empty() && st.bound_terms.empty())
    return false;
  // topologyScore[key][value], kept per topology and domain.
  std::vector<std::vector<std::int64_t>>& acc = st.topology_scores;
  if (acc.size() < st.topologies.size()) acc.resize(st.topologies.size());
  std::vector<TopologyId>& active = st.active_topologies;
  active.clear();
  bool any = false;
  const auto add = [&](TopologyId t, std::span<const std::uint32_t> counts, std::int64_t w) {
    std::vector<std::int64_t>& a = acc[t];
    if (std::find(active.begin(), active.end(), t) == active.end()) {
      active.push_back(t);
      a.assign(st.topologies[t].domain_value.size(), 0);
    }
    for (std::size_t d = 0; d < counts.size(); ++d) {
      if (counts[d] == 0) continue;
      a[d] += w * counts[d];
      any = true;
    }
  };
  // The incoming pod's preferred terms, over the existing pods they match.
  for (const AffinityTerm& t : c.preferred_affinity)
    add(t.topology, domain_counts(st, t.selector, t.topology), t.weight);
  for (const AffinityTerm& t : c.preferred_anti)
    add(t.topology, domain_counts(st, t.selector, t.topology), -std::int64_t{t.weight});
  // The existing pods' terms that match the incoming pod.
  for (const BoundTerm& b : st.bound_terms) {
    if (b.owners_total == 0 || !class_matches(st, c, b.selector)) continue;
    switch (b.kind) {
      case TermKind::kRequiredAntiAffinity: break;
      case TermKind::kRequiredAffinity:
        if (profile.hard_pod_affinity_weight > 0)
          add(b.topology, b.owners, profile.hard_pod_affinity_weight);
        break;
      case TermKind::kPreferredAffinity: add(b.topology, b.owners, b.weight); break;
      case TermKind::kPreferredAntiAffinity: add(b.topology, b.owners, -std::int64_t{b.weight}); break;
    }
  }
  if (!any) return false;
  for (std::size_t i = 0; i < cand.size(); ++i) {
    std::int64_t s = 0;
    for (const TopologyId t : active) {
      const DomainId d = st.topologies[t].domain_of_node[cand[i]];
      if (d != kNone) s += acc[t][d];
    }
    raw[i] = s;
  }
  return true;
}

void normalize_inter_pod(std::span<std::int64_t> vals, std::vector<std::int64_t>& table) {
  if (vals.empty()) return;
  std::int64_t min = std::numeric_limits<std::int64_t>::max();
  std::int64_t max = std::numeric_limits<std::int64_t>::min();
  for (const std::int64_t v : vals) {
    min = std::min(min, v);
    max = std::max(max, v);
  }
  map_values(vals, min, max, [&](std::int64_t v) { return inter_pod_normalize(v, min, max); },
             table);
}

// PodTopologySpread's score for the usual shape of constraints: one on the hostname, then one
// on a key with few domains (the system defaults: hostname, then zone), for a pod without
// node requirements. A node's raw score depends only on (its domain, its count of matching
// pods), so the rounded sums are tabulated per cycle for every such key and each node reads
// its entry: integer loads instead of floating-point work per node.
//
// The keys' stride: one more than the most matching pods ever counted on one node.
std::size_t spread_stride(const SchedulerState& st, const PodClass& c) {
  // A power of two, so that the fused cycle computes keys with a shift (SSE2 has no 32-bit
  // multiply).
  return std::bit_ceil(std::size_t{st.selectors[c.soft_spread[0].selector].max_node_count} + 1);
}

// How many keys the table has when the constraints have that shape, else 0.
std::size_t spread_table_entries(const SchedulerState& st, const PodClass& c, std::size_t m) {
  if (c.soft_spread.size() != 2 || has_node_requirements(c)) return 0;
  const SpreadTerm& h = c.soft_spread[0];
  const SpreadTerm& z = c.soft_spread[1];
  if (h.key != kHostnameKey || z.key == kHostnameKey) return 0;
  const NodeTable& nodes = st.nodes;
  // No node may be ignored and the tracked domain counts must be the ones upstream counts.
  if (st.topologies[h.topology].nodes_with_key != nodes.count()) return 0;
  if (!c.system_default_spread && st.topologies[z.topology].nodes_with_key != nodes.count())
    return 0;
  const std::size_t domains = st.topologies[z.topology].domain_value.size();
  const std::size_t entries = (domains + 1) * spread_stride(st, c);  // slot 0: no zone label
  return entries <= 4 * m + 256 ? entries : 0;
}

// Node n's key: (1 + its domain, or 0 without the key) x stride + its count.
struct SpreadKey {
  const std::uint32_t* count;
  const DomainId* domain;
  std::uint32_t stride;
  std::uint32_t operator()(NodeIndex n) const {
    // kNone + 1 wraps to 0: the slot of nodes without the key.
    return (domain[n] + 1) * stride + count[n];
  }
};

SpreadKey spread_key(const SchedulerState& st, const PodClass& c) {
  return {st.selectors[c.soft_spread[0].selector].node_count.data(),
          st.topologies[c.soft_spread[1].topology].domain_of_node.data(),
          static_cast<std::uint32_t>(spread_stride(st, c))};
}

// Fills st.key_raw, st.table (normalised) and st.key_weighted for every key, given which keys
// the m candidates have (present[key] != 0).
void build_spread_table(SchedulerState& st, const PodClass& c, std::size_t m,
                        std::size_t entries, const std::uint8_t* present, std::int64_t weight) {
  const SpreadTerm& h = c.soft_spread[0];
  const SpreadTerm& z = c.soft_spread[1];
  const std::size_t stride = spread_stride(st, c);
  const std::size_t domains = entries / stride - 1;
  // A domain is among the candidates' when one of its keys is.
  std::size_t zone_domains = 0;
  for (std::size_t slot = 0; slot <= domains; ++slot) {
    std::uint8_t any = 0;
    for (std::size_t k = 0; k < stride; ++k) any |= present[slot * stride + k];
    zone_domains += any;
  }
  // The raw score of every key, in upstream's order of floating-point additions.
  const double wh = topology_normalizing_weight(m);
  const double wz = topology_normalizing_weight(zone_domains);
  const std::vector<std::uint32_t>& zc = domain_counts(st, z.selector, z.topology);
  std::vector<std::int64_t>& key_raw = st.key_raw;
  key_raw.resize(entries);
  std::int64_t min = std::numeric_limits<std::int64_t>::max();
  std::int64_t max = std::numeric_limits<std::int64_t>::min();
  for (std::size_t slot = 0; slot <= domains; ++slot) {
    const double zone_term =
        slot == 0 ? 0.0 : spread_score_for_count(zc[slot - 1], z.max_skew, wz);
    for (std::size_t k = 0; k < stride; ++k) {
      double score = 0.0;
      score += spread_score_for_count(static_cast<std::int64_t>(k), h.max_skew, wh);
      if (slot != 0) score += zone_term;
      const std::size_t key = slot * stride + k;
      key_raw[key] = go_round(score);
      if (present[key] == 0) continue;
      min = std::min(min, key_raw[key]);
      max = std::max(max, key_raw[key]);
    }
  }
  std::vector<std::int64_t>& key_norm = st.table;
  key_norm.resize(entries);
  std::vector<std::int32_t>& key_weighted = st.key_weighted;
  key_weighted.resize(entries);
  // Only the keys present are read (a node's key is present when the node is a candidate);
  // the others are 0, which saves their division.
  for (std::size_t key = 0; key < entries; ++key) {
    key_norm[key] = present[key] != 0 ? spread_normalize(key_raw[key], min, max) : 0;
    key_weighted[key] = static_cast<std::int32_t>(weight * key_norm[key]);
  }
}

// The tabulated score for the candidates: adds the weighted normalised score to `total`;
// fills raw and norm when they are given. False when the constraints do not have the shape.
bool score_spread_tabulated(SchedulerState& st, PodClass& c, std::span<const NodeIndex> cand,
                            std::int64_t weight, std::int32_t* total, std::int64_t* raw,
                            std::int64_t* norm) {
  const std::size_t m = cand.size();
  const std::size_t entries = spread_table_entries(st, c, m);
  if (entries == 0) return false;
  std::vector<std::uint32_t>& keys = st.keys;
  if (keys.size() < m) keys.resize(m);
  st.domain_seen.assign(entries, 0);
  std::uint8_t* present = st.domain_seen.data();
  std::uint32_t* kp = keys.data();
  const SpreadKey key_of = spread_key(st, c);
  for (std::size_t i = 0; i < m; ++i) {
    kp[i] = key_of(cand[i]);
    present[kp[i]] = 1;
  }
  build_spread_table(st, c, m, entries, present, weight);
  const std::int32_t* kw = st.key_weighted.data();
  for (std::size_t i = 0; i < m; ++i) total[i] += kw[kp[i]];
  if (raw != nullptr) {
    for (std::size_t i = 0; i < m; ++i) {
      raw[i] = st.key_raw[kp[i]];
      norm[i] = st.table[kp[i]];
    }
  }
  return true;
}

// The uniform choice among the candidates whose total is the best (upstream samples a
// reservoir in one pass; one draw among the counted ties has the same distribution).
void select_host(SchedulerState& st, const std::int32_t* total, std::size_t m,
                 std::int32_t best, ScheduleResult& r) {
  const std::uint32_t ties = count_equal(total, m, best);
  const std::uint64_t pick = ties > 1 ? st.random.uniform_int(ties) : 0;
  r.node = static_cast<NodeIndex>(nth_equal(total, m, best, pick));  // the caller maps it
  r.ties = ties;
}

struct CycleOutput {
  ScheduleResult result;
  Scores scores;
};

// Scores the candidates st.cand[0, m): totals into st.total (and, when `keep_raw`, every
// plugin's raw and normalised scores into st.raw and st.norm), then picks the node. Plugins
// that give every node the same score add a constant instead of a pass.
CycleOutput score_and_select(SchedulerState& st, PodClass& c, const ResourceCache& cache,
                             std::size_t m, bool keep_raw) {
  const Profile& profile = st.profiles[c.profile];
  const NodeIndex* cand = st.cand.data();
  const std::span<const NodeIndex> cands(cand, m);
  CycleOutput out;
  const std::int64_t weights[kScorePlugins.size()] = {
      profile.taint_toleration_weight,   profile.node_affinity_weight,
      profile.pod_topology_spread_weight, profile.inter_pod_affinity_weight,
      profile.node_resources_fit_weight, profile.balanced_allocation_weight};
  for (std::size_t p = 0; p < kScorePlugins.size(); ++p) {
    if (st.raw[p].size() < m) st.raw[p].resize(m);
    if (st.norm[p].size() < m) st.norm[p].resize(m);
  }
  if (st.total.size() < m) st.total.resize(m);
  if (keep_raw) st.total_explained.resize(m);
  if (st.flags.size() < m) st.flags.resize(m);
  // Totals fit in 32 bits: weights are at most kMaxWeight, so a total is at most
  // 6 x 100 x kMaxWeight.
  std::int32_t* total = st.total.data();
  std::int64_t constant = 0;
  const auto span_of = [m](std::vector<std::int64_t>& v) { return std::span(v.data(), m); };
  const auto keep = [&](std::size_t p) {
    if (keep_raw) std::copy_n(st.norm[p].data(), m, st.raw[p].data());
  };
  const auto accumulate = [&](std::size_t p) {
    const std::int64_t w = weights[p];
    const std::int64_t* v = st.norm[p].data();
    for (std::size_t i = 0; i < m; ++i) total[i] += static_cast<std::int32_t>(w * v[i]);
  };
  // Every node scores `value` raw and `normalized` after normalisation.
  const auto same_for_all = [&](std::size_t p, std::int64_t value, std::int64_t normalized) {
    constant += weights[p] * normalized;
    if (!keep_raw) return;
    std::fill_n(st.raw[p].data(), m, value);
    std::fill_n(st.norm[p].data(), m, normalized);
  };
  const auto skip = [&](std::size_t p) {
    out.scores.skipped[p] = true;
    same_for_all(p, 0, 0);
  };

  // NodeResourcesFit and BalancedAllocation need no normalisation: their weighted sum is
  // cached per node.
  const bool best_effort = c.resources.cpu_millis == 0 && c.resources.memory_bytes == 0;
  const std::uint32_t* weighted = cache.weighted.data();
  for (std::size_t i = 0; i < m; ++i) total[i] = static_cast<std::int32_t>(weighted[cand[i]]);
  if (best_effort) out.scores.skipped[kBalanced] = true;  // BalancedAllocation skips them
  if (keep_raw) {
    for (std::size_t i = 0; i < m; ++i) {
      st.raw[kFit][i] = st.norm[kFit][i] = cache.fit[cand[i]];
      st.raw[kBalanced][i] = st.norm[kBalanced][i] = best_effort ? 0 : cache.balanced[cand[i]];
    }
  }

  // TaintToleration: PreferNoSchedule taints not tolerated, reversed (fewest is best).
  if (st.nodes.prefer_no_schedule_nodes() == 0) {
    same_for_all(kTaint, 0, kMaxNodeScore);
  } else {
    std::int64_t* v = st.norm[kTaint].data();
    const TaintSetId* ts = st.nodes.columns().taint_set;
    for (std::size_t i = 0; i < m; ++i) v[i] = c.intolerable_prefer[ts[cand[i]]];
    keep(kTaint);
    normalize_default(span_of(st.norm[kTaint]), true, st.table);
    accumulate(kTaint);
  }
  // NodeAffinity: the weights of the preferred terms the node matches, scaled by the largest.
  if (c.preferred_terms.empty()) {
    skip(kAffinity);
  } else {
    std::int64_t* v = st.norm[kAffinity].data();
    for (std::size_t i = 0; i < m; ++i) v[i] = c.preferred_sum[cand[i]];
    keep(kAffinity);
    normalize_default(span_of(st.norm[kAffinity]), false, st.table);
    accumulate(kAffinity);
  }
  // PodTopologySpread.
  if (c.soft_spread.empty()) {
    skip(kSpread);
  } else if (!score_spread_tabulated(st, c, cands, weights[kSpread], total,
                                     keep_raw ? st.raw[kSpread].data() : nullptr,
                                     st.norm[kSpread].data())) {
    score_spread(st, c, cands, span_of(st.norm[kSpread]), std::span(st.flags.data(), m));
    keep(kSpread);
    normalize_spread(span_of(st.norm[kSpread]), std::span(st.flags.data(), m), st.table);
    accumulate(kSpread);
  }
  // InterPodAffinity.
  if (!score_inter_pod(st, c, profile, cands, span_of(st.norm[kInterPod]))) {
    skip(kInterPod);
  } else {
    keep(kInterPod);
    normalize_inter_pod(span_of(st.norm[kInterPod]), st.table);
    accumulate(kInterPod);
  }

  const std::int32_t best = max_of(total, m);
  select_host(st, total, m, best, out.result);
  out.result.node = cand[out.result.node];
  if (keep_raw)
    for (std::size_t i = 0; i < m; ++i) st.total_explained[i] = total[i] + constant;
  out.result.score = best + constant;
  return out;
}

// Filters every node into st.mask, then compacts the candidates into st.cand (all feasible
// nodes, or the first ones found from the rotating start when the profile samples); returns
// how many candidates and how many nodes were feasible among those looked at.
std::size_t filter_all(SchedulerState& st, PodClass& c, const ResourceCache& cache,
                       const Prefilter& pf, std::uint32_t& feasible) {
  const NodeTable& nodes = st.nodes;
  const std::size_t size = nodes.size();
  if (st.mask.size() < size) st.mask.resize(size);
  if (st.cand.size() < size) st.cand.resize(size);
  std::uint8_t* mask = st.mask.data();
  const NodeTable::Columns col = nodes.columns();
  if (c.tolerates_all_taint_sets) {
    // The usual case in one pass: present, not cordoned (or tolerated), resources fit.
    const std::uint8_t* fits = cache.fits.data();
    const std::uint8_t schedulable_mask = c.tolerates_unschedulable ? 0 : 1;
    for (std::size_t n = 0; n < size; ++n)
      mask[n] = col.present[n] & fits[n] &
                static_cast<std::uint8_t>(col.schedulable[n] | (schedulable_mask ^ 1));
    for (const Plugin p : kFilters) {
      if (p != Plugin::kNodeUnschedulable && p != Plugin::kTaintToleration &&
          p != Plugin::kNodeResourcesFit)
        apply_filter(st, c, cache, pf, p, mask);
    }
  } else {
    std::copy_n(col.present, size, mask);
    for (const Plugin p : kFilters) apply_filter(st, c, cache, pf, p, mask);
  }

  const Profile& profile = st.profiles[c.profile];
  const auto present = static_cast<std::uint32_t>(nodes.count());
  const std::uint32_t want = feasible_nodes_to_find(present, profile.percentage_of_nodes_to_score);
  NodeIndex* cand = st.cand.data();
  std::size_t m = 0;
  if (want >= present) {
    for (std::size_t n = 0; n < size; ++n) {
      cand[m] = static_cast<NodeIndex>(n);
      m += mask[n];
    }
  } else {
    // Upstream walks the nodes in its node tree's order (zones interleaved), stops once it has
    // found enough feasible nodes and starts the next cycle after the last node it looked at.
    const std::vector<NodeIndex>& order = tree_order(st);
    const std::size_t count = order.size();
    const std::uint32_t start = st.next_start % static_cast<std::uint32_t>(count);
    std::size_t looked = count;
    for (std::size_t k = 0; k < count; ++k) {
      const NodeIndex n = order[(start + k) % count];
      if (mask[n] == 0) continue;
      cand[m++] = n;
      if (m == want) {
        looked = k + 1;
        break;
      }
    }
    st.next_start = static_cast<std::uint32_t>((start + looked) % count);
  }
  feasible = static_cast<std::uint32_t>(m);
  return m;
}

// The whole cycle for the usual pod: no node name, node requirements, host ports, hard
// spreading or inter-pod terms, no PreferNoSchedule taint or preferred node affinity to score,
// every node scored, and either no spreading or the tabulated shape (NoSchedule and NoExecute
// taints, such as a node's not-ready taint, only filter). From the class's node index when it
// has one (see node_index.cpp), else in short passes over all node slots: filter bytes, spread
// keys, the keys present, the totals (cached resource scores plus the key's spread score), the
// best and its ties. The result equals the general path's (tests compare them). False when
// the pod is not that usual.
bool fast_cycle(SchedulerState& st, PodClassId cls, const ResourceCache& cache,
                ScheduleResult& r) {
  PodClass& c = st.classes[cls];
  const NodeTable& nodes = st.nodes;
  const Profile& profile = st.profiles[c.profile];
  if (c.node_name != kNoValue || has_node_requirements(c) ||
      !c.ports.empty() || !c.hard_spread.empty() || !c.required_affinity.empty() ||
      !c.required_anti.empty() || !c.preferred_affinity.empty() || !c.preferred_anti.empty() ||
      !c.preferred_terms.empty() || nodes.prefer_no_schedule_nodes() != 0)
    return false;
  const auto count = static_cast<std::uint32_t>(nodes.count());
  if (feasible_nodes_to_find(count, profile.percentage_of_nodes_to_score) < count) return false;
  // Totals in 16 bits: resource and spread scores at most 100 each times their weights.
  if ((profile.node_resources_fit_weight + profile.balanced_allocation_weight +
       profile.pod_topology_spread_weight) * kMaxNodeScore > 16'000)
    return false;
  for (const BoundTerm& b : st.bound_terms)
    if (b.owners_total > 0 && class_matches(st, c, b.selector)) return false;
  const bool spread = !c.soft_spread.empty();
  // The table is sized for every node; it is only used when all are candidates or fewer.
  const std::size_t entries = spread ? spread_table_entries(st, c, count) : 0;
  if (spread && entries == 0) return false;

  // TaintToleration gives every node 100 (no PreferNoSchedule taint anywhere); the other
  // plugins skip.
  const std::int64_t constant = profile.taint_toleration_weight * kMaxNodeScore;
  const bool indexed =
      st.cycle_index == CycleIndex::kAlways ||
      (st.cycle_index == CycleIndex::kAuto && nodes.size() >= kIndexedCycleNodes);
  if (indexed) {
    const PodSelector::KeyColumn* keys =
        spread ? &key_column(st, c.soft_spread[0].selector, c.soft_spread[1].topology) : nullptr;
    if (ClassNodeIndex* ix = class_node_index(st, cls, cache, keys,
                                              spread ? static_cast<std::uint32_t>(entries) : 1)) {
      r.feasible = ix->feasible;
      if (ix->feasible == 0) return true;
      if (spread) {
        st.domain_seen.resize(entries);
        for (std::size_t k = 0; k < entries; ++k)
          st.domain_seen[k] = ix->key_count[k] > 0 ? 1 : 0;
        build_spread_table(st, c, ix->feasible, entries, st.domain_seen.data(),
                           profile.pod_topology_spread_weight);
      }
      std::int32_t best = 0;
      choose_from_index(st, *ix, spread ? st.key_weighted.data() : nullptr, r, best);
      r.score = best + constant;
      return true;
    }
  }

  const std::size_t size = nodes.size();
  if (st.total.size() < size) st.total.resize(size);
  if (st.keys.size() < size) st.keys.resize(size);
  if (st.mask.size() < size) st.mask.resize(size);
  // The filters: one pass over byte columns, eight nodes at a time.
  const NodeTable::Columns col = nodes.columns();
  std::size_t m =
      and_columns(st.mask.data(), col.present, cache.fits.data(), col.schedulable,
                  static_cast<std::uint8_t>(c.tolerates_unschedulable ? 1 : 0), size);
  if (!c.tolerates_all_taint_sets) m = and_tolerated(st.mask.data(), c.tolerated.data(),
                                                     col.taint_set, size);
  r.feasible = static_cast<std::uint32_t>(m);
  if (m == 0) return true;
  // No compaction: every pass runs over all node slots in order, and a node that did not pass
  // gets a total no feasible node can have, so it never ties with the best.
  if (st.total16.size() < size) st.total16.resize(size);
  std::int16_t* total = st.total16.data();
  constexpr std::int16_t kRejected = std::numeric_limits<std::int16_t>::min();
  if (spread) {
    // Which keys the feasible nodes have: every present node's, kept up to date, less those of
    // the nodes that did not pass (few at steady state).
    const PodSelector::KeyColumn& kc =
        key_column(st, c.soft_spread[0].selector, c.soft_spread[1].topology);
    ECSIM_ASSERT((std::size_t{1} << kc.shift) == spread_stride(st, c),
                 "a key column's stride follows the selector's largest count");
    std::vector<std::uint32_t>& key_count = st.key_count;
    key_count.assign(entries, 0);
    std::copy_n(kc.hist.begin(), std::min(entries, kc.hist.size()), key_count.begin());
    subtract_infeasible(col.present, st.mask.data(), kc.key.data(), key_count.data(), size);
    st.domain_seen.resize(entries);
    for (std::size_t k = 0; k < entries; ++k) st.domain_seen[k] = key_count[k] > 0 ? 1 : 0;
    build_spread_table(st, c, m, entries, st.domain_seen.data(), profile.pod_topology_spread_weight);
    // The table's spare entry past the keys stands for the slots without a node.
    std::vector<std::int16_t>& table = st.key_weighted16;
    table.resize(entries + 1);
    for (std::size_t k = 0; k < entries; ++k)
      table[k] = static_cast<std::int16_t>(st.key_weighted[k]);
    table[entries] = kRejected / 2;
    add_gathered(total, cache.weighted.data(), table.data(), kc.key.data(),
                 static_cast<std::uint32_t>(entries), size);
  } else {
    narrow(total, cache.weighted.data(), size);
  }
  const std::int16_t best = reject_and_max(total, st.mask.data(), kRejected, size);
  const std::uint32_t ties = count_equal(total, size, best);
  const std::uint64_t pick = ties > 1 ? st.random.uniform_int(ties) : 0;
  r.node = static_cast<NodeIndex>(nth_equal(total, size, best, pick));  // slot i: node i
  r.ties = ties;
  r.score = best + constant;
  return true;
}

}  // namespace

ScheduleResult Scheduler::schedule(PodClassId cls) {
  SchedulerState& st = *state_;
  PodClass& c = st.classes[cls];
  prepare_class(st, c);
  const ResourceCache& cache = resource_cache(st, c);
  ScheduleResult fast;
  if (fast_cycle(st, cls, cache, fast)) return fast;
  const Prefilter pf = prefilter(st, c);
  std::uint32_t feasible = 0;
  const std::size_t m = filter_all(st, c, cache, pf, feasible);
  if (m == 0) return ScheduleResult{};
  ScheduleResult r = score_and_select(st, c, cache, m, false).result;
  r.feasible = feasible;
  return r;
}

void Scheduler::set_cycle_index(CycleIndex mode) noexcept { state_->cycle_index = mode; }

Explanation Scheduler::explain(PodClassId cls) {
  SchedulerState& st = *state_;
  const RandomStream saved_random = st.random;
  const std::uint32_t saved_start = st.next_start;
  PodClass& c = st.classes[cls];
  prepare_class(st, c);
  const ResourceCache& cache = resource_cache(st, c);
  const Prefilter pf = prefilter(st, c);
  const NodeTable& nodes = st.nodes;
  const std::size_t size = nodes.size();

  Explanation ex;
  std::vector<std::size_t> verdict_of(size, kNone);
  for (NodeIndex n = 0; n < size; ++n) {
    if (!nodes.present(n)) continue;
    verdict_of[n] = ex.nodes.size();
    ex.nodes.push_back(NodeVerdict{n, std::nullopt, {}, false, {}, 0});
  }
  // Each filter on its own, to name the first that rejects each node, as upstream stops at
  // the first failing filter.
  std::vector<std::uint8_t> alone(size);
  for (const Plugin p : kFilters) {
    std::copy_n(nodes.columns().present, size, alone.data());
    apply_filter(st, c, cache, pf, p, alone.data());
    for (NodeIndex n = 0; n < size; ++n) {
      if (!nodes.present(n) || alone[n] != 0) continue;
      NodeVerdict& v = ex.nodes[verdict_of[n]];
      if (v.rejected_by) continue;
      v.rejected_by = p;
      v.reason = filter_reason(st, c, pf, p, n);
    }
  }
  std::uint32_t feasible = 0;
  const std::size_t m = filter_all(st, c, cache, pf, feasible);
  ex.feasible = feasible;
  if (m > 0) {
    const Profile& profile = st.profiles[c.profile];
    const std::int64_t weights[kScorePlugins.size()] = {
        profile.taint_toleration_weight,   profile.node_affinity_weight,
        profile.pod_topology_spread_weight, profile.inter_pod_affinity_weight,
        profile.node_resources_fit_weight, profile.balanced_allocation_weight};
    const CycleOutput out = score_and_select(st, c, cache, m, true);
    for (std::size_t i = 0; i < m; ++i) {
      NodeVerdict& v = ex.nodes[verdict_of[st.cand[i]]];
      v.scored = true;
      v.total = st.total_explained[i];
      for (std::size_t p = 0; p < kScorePlugins.size(); ++p) {
        v.scores[p] = {st.raw[p][i], st.norm[p][i], weights[p] * st.norm[p][i],
                       out.scores.skipped[p]};
      }
    }
    ex.chosen = out.result.node;
    ex.best_total = out.result.score;
    ex.ties = out.result.ties;
  }
  st.random = saved_random;
  st.next_start = saved_start;
  return ex;
}

}  // namespace ecsim::eks
