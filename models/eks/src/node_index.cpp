// The fused cycle's per-class index of feasible nodes (present, resources fit, not cordoned
// unless tolerated, every NoSchedule and NoExecute taint tolerated). A node's total in that
// cycle is its weighted resource score (from the class's ResourceCache) plus the spread table's
// entry for its key (from the selector's KeyColumn); the table changes every cycle but has few
// entries. So the feasible nodes are kept in cells by (key, score): the best total is the
// largest of (top score of a key + that key's entry) over the keys, the ties are the nodes of
// the cells that reach it, and the choice is the same uniform draw among them in node order
// that the scanning cycle makes. The cells follow the scheduler's change log: a cycle applies
// the nodes changed since that class's last cycle, so its cost follows the changes, not the
// nodes (except for finding the pick among many ties, a walk that stops at it).

#include <algorithm>
#include <bit>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <limits>

#include "ecsim/sim/assert.hpp"
#include "scheduler_impl.hpp"

namespace ecsim::eks::detail {

namespace {

// Index slots: one per class that schedules, up to this many (each about 12 bytes per node
// slot plus 8 per cell); beyond it the least recently used is taken over and rebuilt.
constexpr std::size_t kMaxNodeIndexes = 128;
constexpr std::size_t kMaxCells = std::size_t{1} << 16;
// Up to this many ties are gathered from their cells; more are found by walking the nodes.
constexpr std::uint64_t kGatherTies = 48;

// The cell node n belongs in, or kNone when it is not feasible for the class.
std::uint32_t cell_for(const SchedulerState& st, const ClassNodeIndex& ix, const PodClass& c,
                       const ResourceCache& cache, const PodSelector::KeyColumn* keys,
                       NodeIndex n) {
  const NodeTable::Columns col = st.nodes.columns();
  if (col.present[n] == 0 || cache.fits[n] == 0 ||
      (col.schedulable[n] == 0 && !c.tolerates_unschedulable) ||
      c.tolerated[col.taint_set[n]] == 0)
    return kNone;
  const std::uint32_t key = keys != nullptr ? keys->key[n] : 0;
  ECSIM_ASSERT(key < ix.keys, "an index has every key (it is rebuilt when there are more)");
  return key * ix.values + cache.weighted[n];
}

void unlink(ClassNodeIndex& ix, NodeIndex n) {
  const std::uint32_t cell = ix.cell_of[n];
  const std::uint32_t p = ix.prev[n], q = ix.next[n];
  if (p != kNone) {
    ix.next[p] = q;
  } else {
    ix.head[cell] = q;
  }
  if (q != kNone) ix.prev[q] = p;
  const std::uint32_t key = cell / ix.values, value = cell % ix.values;
  if (--ix.count[cell] == 0)
    ix.nonempty[std::size_t{key} * ix.words + value / 64] &= ~(std::uint64_t{1} << (value % 64));
  --ix.key_count[key];
  --ix.feasible;
  ix.cell_of[n] = kNone;
}

void link(ClassNodeIndex& ix, NodeIndex n, std::uint32_t cell) {
  const std::uint32_t q = ix.head[cell];
  ix.next[n] = q;
  ix.prev[n] = kNone;
  if (q != kNone) ix.prev[q] = n;
  ix.head[cell] = n;
  const std::uint32_t key = cell / ix.values, value = cell % ix.values;
  if (ix.count[cell]++ == 0)
    ix.nonempty[std::size_t{key} * ix.words + value / 64] |= std::uint64_t{1} << (value % 64);
  ++ix.key_count[key];
  ++ix.feasible;
  ix.cell_of[n] = cell;
}

// Every node into its cell, from scratch.
void rebuild(SchedulerState& st, ClassNodeIndex& ix, const PodClass& c, const ResourceCache& cache,
             const PodSelector::KeyColumn* keys, std::uint32_t key_count,
             std::uint32_t values) {
  const std::size_t size = st.nodes.size();
  const std::size_t cells = std::size_t{key_count} * values;
  if (ix.keys == key_count && ix.values == values && ix.head.size() == cells) {
    // The same cells: empty only those that hold nodes (most of a large index is empty).
    for (std::size_t w = 0; w < ix.nonempty.size(); ++w) {
      for (std::uint64_t bits = ix.nonempty[w]; bits != 0; bits &= bits - 1) {
        const std::size_t cell = (w / ix.words) * values + (w % ix.words) * 64 +
                                 static_cast<std::size_t>(std::countr_zero(bits));
        ix.head[cell] = kNone;
        ix.count[cell] = 0;
      }
      ix.nonempty[w] = 0;
    }
    std::fill(ix.key_count.begin(), ix.key_count.end(), 0);
  } else {
    ix.keys = key_count;
    ix.values = values;
    ix.words = (values + 63) / 64;
    ix.head.assign(cells, kNone);
    ix.count.assign(cells, 0);
    ix.key_count.assign(key_count, 0);
    ix.nonempty.assign(std::size_t{key_count} * ix.words, 0);
  }
  ix.feasible = 0;
  // A node's links are read only while it is in a cell, and link sets them.
  ix.cell_of.assign(size, kNone);
  ix.next.resize(size);
  ix.prev.resize(size);
  for (NodeIndex n = 0; n < size; ++n) {
    const std::uint32_t cell = cell_for(st, ix, c, cache, keys, n);
    if (cell != kNone) link(ix, n, cell);
  }
  ix.applied = st.changes;
}

// The index slot class `cls` owns, taking the least recently used one when it has none.
ClassNodeIndex& index_slot(SchedulerState& st, PodClassId cls, bool& fresh) {
  PodClass& c = st.classes[cls];
  fresh = false;
  if (c.node_index != kNone && st.node_indexes[c.node_index].owner == cls)
    return st.node_indexes[c.node_index];
  fresh = true;
  if (st.node_indexes.size() < kMaxNodeIndexes) {
    c.node_index = static_cast<std::uint32_t>(st.node_indexes.size());
    st.node_indexes.emplace_back().owner = cls;
    return st.node_indexes.back();
  }
  const auto oldest = std::min_element(
      st.node_indexes.begin(), st.node_indexes.end(),
      [](const ClassNodeIndex& a, const ClassNodeIndex& b) { return a.last_used < b.last_used; });
  c.node_index = static_cast<std::uint32_t>(oldest - st.node_indexes.begin());
  oldest->owner = cls;
  return *oldest;
}

// The highest score with nodes under key k (the key has feasible nodes).
std::uint32_t top_value(const ClassNodeIndex& ix, std::uint32_t k) {
  const std::uint64_t* w = ix.nonempty.data() + std::size_t{k} * ix.words;
  for (std::uint32_t i = ix.words; i-- > 0;)
    if (w[i] != 0) return i * 64 + 63 - static_cast<std::uint32_t>(std::countl_zero(w[i]));
  ECSIM_ASSERT(false, "a key with feasible nodes has a non-empty cell");
}

}  // namespace

ClassNodeIndex* class_node_index(SchedulerState& st, PodClassId cls, const ResourceCache& cache,
                                 const PodSelector::KeyColumn* keys, std::uint32_t key_count) {
  const PodClass& c = st.classes[cls];
  const Profile& p = st.profiles[c.profile];
  const auto values =
      static_cast<std::uint32_t>((p.node_resources_fit_weight + p.balanced_allocation_weight) *
                                     kMaxNodeScore + 1);
  if (std::size_t{key_count} * values > kMaxCells) return nullptr;
  bool fresh = false;
  ClassNodeIndex& ix = index_slot(st, cls, fresh);
  ix.last_used = ++st.index_clock;
  const std::size_t size = st.nodes.size();
  const std::uint64_t pending = st.changes - ix.applied;
  // A node's cell is a function of its state and the class (a resource cache rebuilt for the
  // class computes the same scores), so the index is stale only in what the change log holds,
  // or everywhere when the keys change: their stride grows with the most matching pods on a
  // node, and with a new zone there are more (either way, more keys).
  if (fresh || ix.keys != key_count || pending > kChangeRing ||
      pending * 2 > size) {
    rebuild(st, ix, c, cache, keys, key_count, values);
    return &ix;
  }
  if (ix.cell_of.size() < size) {
    ix.cell_of.resize(size, kNone);
    ix.next.resize(size, kNone);
    ix.prev.resize(size, kNone);
  }
  for (std::uint64_t k = ix.applied; k < st.changes; ++k) {
    const NodeIndex n = st.change_ring[k % kChangeRing];
    const std::uint32_t cell = cell_for(st, ix, c, cache, keys, n);
    if (cell == ix.cell_of[n]) continue;
    if (ix.cell_of[n] != kNone) unlink(ix, n);
    if (cell != kNone) link(ix, n, cell);
  }
  ix.applied = st.changes;
  return &ix;
}

void choose_from_index(SchedulerState& st, ClassNodeIndex& ix, const std::int32_t* key_weighted,
                       ScheduleResult& r, std::int32_t& best) {
  ECSIM_ASSERT(ix.feasible > 0, "a choice is made among feasible nodes");
  // Each key's top cell, in one pass: the best total and the cells that reach it.
  best = std::numeric_limits<std::int32_t>::min();
  std::vector<std::uint32_t>& tied = st.tied_cells;
  tied.clear();
  std::uint64_t ties = 0;
  for (std::uint32_t k = 0; k < ix.keys; ++k) {
    if (ix.key_count[k] == 0) continue;
    const std::uint32_t top = top_value(ix, k);
    const std::int32_t total =
        static_cast<std::int32_t>(top) + (key_weighted != nullptr ? key_weighted[k] : 0);
    if (total < best) continue;
    if (total > best) {
      best = total;
      tied.clear();
      ties = 0;
    }
    const std::uint32_t cell = k * ix.values + top;
    tied.push_back(cell);
    ties += ix.count[cell];
  }
  std::uint64_t pick = ties > 1 ? st.random.uniform_int(ties) : 0;
  r.ties = static_cast<std::uint32_t>(ties);
  if (ties <= kGatherTies) {
    // Few: gather them from their cells and take the pick-th in node order.
    std::vector<std::uint32_t>& nodes = st.tied_nodes;
    nodes.clear();
    for (const std::uint32_t cell : tied)
      for (std::uint32_t n = ix.head[cell]; n != kNone; n = ix.next[n]) nodes.push_back(n);
    const auto at = nodes.begin() + static_cast<std::ptrdiff_t>(pick);
    std::nth_element(nodes.begin(), at, nodes.end());
    r.node = static_cast<NodeIndex>(*at);
    return;
  }
  // Many: walk the nodes in order up to the pick-th in a tied cell (on average half of them,
  // four at a time against up to four tied cells; more, through a mark per cell).
  const std::uint32_t* cell_of = ix.cell_of.data();
  const std::size_t size = ix.cell_of.size();
  std::size_t n = 0;
  if (tied.size() <= 4) {
    std::uint32_t c4[4];
    for (std::size_t k = 0; k < 4; ++k) c4[k] = tied[std::min(k, tied.size() - 1)];
#if defined(__SSE2__)
    constexpr std::uint8_t kBits[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};
    const __m128i a = _mm_set1_epi32(static_cast<int>(c4[0]));
    const __m128i b = _mm_set1_epi32(static_cast<int>(c4[1]));
    const __m128i c = _mm_set1_epi32(static_cast<int>(c4[2]));
    const __m128i d = _mm_set1_epi32(static_cast<int>(c4[3]));
    for (; n + 4 <= size; n += 4) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(cell_of + n));
      const __m128i e = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi32(v, a), _mm_cmpeq_epi32(v, b)),
                                     _mm_or_si128(_mm_cmpeq_epi32(v, c), _mm_cmpeq_epi32(v, d)));
      const std::uint8_t in_block = kBits[_mm_movemask_ps(_mm_castsi128_ps(e))];
      if (pick < in_block) break;
      pick -= in_block;
    }
#endif
    for (; n < size; ++n) {
      const std::uint32_t cell = cell_of[n];
      if (cell != c4[0] && cell != c4[1] && cell != c4[2] && cell != c4[3]) continue;
      if (pick == 0) {
        r.node = static_cast<NodeIndex>(n);
        return;
      }
      --pick;
    }
  } else {
    std::vector<std::uint8_t>& marks = st.tied_marks;
    marks.assign(ix.head.size() + 1, 0);  // the last for kNone
    for (const std::uint32_t cell : tied) marks[cell] = 1;
    const auto none = static_cast<std::uint32_t>(ix.head.size());
    for (; n < size; ++n) {
      if (marks[cell_of[n] == kNone ? none : cell_of[n]] == 0) continue;
      if (pick == 0) {
        r.node = static_cast<NodeIndex>(n);
        return;
      }
      --pick;
    }
  }
  ECSIM_ASSERT(false, "the pick-th tied node exists");
}

}  // namespace ecsim::eks::detail
