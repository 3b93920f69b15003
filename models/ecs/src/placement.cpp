// Placement as the ECS Developer Guide ("Amazon ECS task placement", "task placement
// strategies", "task placement constraints") describes it. How the steps combine, and every
// choice the guide leaves open, is written down in models/ecs/README.md ("Placement").
//
// Shape of the hot path: one vectorised pass over the instance columns flags the instances that
// pass resources and constraints, and a branch-free compaction writes their indices, ascending,
// to candidates_. Only a task with static host ports takes one more pass, over the candidates
// alone, dropping those where a port is taken: a 64-bit summary per instance settles most of
// them, the exact per-instance list the rest (most tasks map no static port, so ports stay out
// of the vectorised pass). Then the strategies, two at a time as one 64-bit lexicographic key:
// a pair that others follow narrows candidates_ in place to its ties (gather keys and minimum in
// one pass, keep the equal ones in a second); the last pair needs no ties, only the first
// candidate with the smallest key, in one pass. Candidates stay in ascending index order
// throughout, so "the lowest index among the ties" is the first one left.

#include "ecsim/ecs/placement.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <functional>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <limits>
#include <span>

#include "ecsim/sim/assert.hpp"

namespace ecsim::ecs {
namespace {

// Raw views of the columns one placement reads.
struct Columns {
  const std::uint8_t* active;
  const std::uint8_t* connected;
  const std::int32_t* cpu_free;
  const std::int32_t* mem_free;
  std::size_t size;
};

// Sets flags[i] to 1 for every usable instance with room for (cpu, mem) that meets the
// constraints, else 0. The constraints are template parameters so that each combination is one
// straight loop of same-width compares and ands, which the compiler vectorises.
template <bool kMemberOf, bool kDistinct>
void flag(const Columns& c, std::int32_t cpu, std::int32_t mem, const std::uint8_t* mask,
          const std::uint32_t* group_tasks, std::uint8_t* flags) {
  for (std::size_t i = 0; i < c.size; ++i) {
    // active_ and connected_ hold 0 or 1. Bitwise &, not &&: no branch per instance.
    unsigned ok = static_cast<unsigned>(c.active[i] & c.connected[i]) &
                  static_cast<unsigned>(c.cpu_free[i] >= cpu) &
                  static_cast<unsigned>(c.mem_free[i] >= mem);
    if constexpr (kMemberOf) ok &= static_cast<unsigned>(mask[i] != 0);
    if constexpr (kDistinct) ok &= static_cast<unsigned>(group_tasks[i] == 0);
    flags[i] = static_cast<std::uint8_t>(ok);
  }
}

// For each byte m, the positions of its set bits, ascending, padded with zeros: which of 8
// consecutive instances a flag mask m keeps. 32-bit entries, so a row adds to a base index as
// two 4-lane vectors.
constexpr auto kBitPositions = [] {
  std::array<std::array<std::uint32_t, 8>, 256> table{};
  for (unsigned m = 0; m < 256; ++m) {
    unsigned k = 0;
    for (unsigned b = 0; b < 8; ++b)
      if ((m >> b) & 1U) table[m][k++] = b;
  }
  return table;
}();

// How many bits each byte has set: a table, because baseline x86-64 has no popcount.
constexpr auto kBitCounts = [] {
  std::array<std::uint8_t, 256> table{};
  for (unsigned m = 0; m < 256; ++m)
    for (unsigned b = 0; b < 8; ++b)
      table[m] = static_cast<std::uint8_t>(table[m] + ((m >> b) & 1U));
  return table;
}();

// Writes the indices i with flags[i] == 1 to out (which has room for `size` + 8), in ascending
// order; returns how many. Eight flags at a time become a byte mask whose table row gives the
// kept offsets: eight unconditional stores (two SSE2 stores on x86-64) and a count, with no
// branch on the flags, so the cost does not depend on how many instances passed.
std::size_t compact(const std::uint8_t* flags, std::size_t size, ContainerInstanceIndex* out) {
  std::size_t k = 0;
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, flags + i, sizeof word);
    // Flags are 0 or 1, one per byte; the multiply gathers bit 0 of byte b into bit 56 + b.
    // (Assumes a little-endian host, as every platform ecsim builds on is.)
    const auto mask = static_cast<unsigned>((word * 0x0102040810204080ULL) >> 56);
    const std::uint32_t* row = kBitPositions[mask].data();
#if defined(__SSE2__)
    const __m128i base = _mm_set1_epi32(static_cast<int>(i));
    const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row));
    const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 4));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + k), _mm_add_epi32(lo, base));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + k + 4), _mm_add_epi32(hi, base));
#else
    const auto base = static_cast<ContainerInstanceIndex>(i);
    for (std::size_t j = 0; j < 8; ++j) out[k + j] = base + row[j];
#endif
    k += kBitCounts[mask];
  }
  for (; i < size; ++i) {
    out[k] = static_cast<ContainerInstanceIndex>(i);
    k += flags[i];
  }
  return k;
}

// Per-candidate keys, smaller is preferred. `flip` is 0 when placing and all ones when
// stopping: x ^ ~0 is UINT32_MAX - x, so "the most" becomes "the least" and one minimum search
// serves both directions.
struct ColumnKey {  // a per-instance column: free CPU or memory, or the group's tasks there
  const std::uint32_t* column;
  std::uint32_t flip;
  std::uint32_t operator()(ContainerInstanceIndex c) const { return column[c] ^ flip; }
};
struct ZoneKey {  // the group's tasks in the instance's zone
  const std::uint32_t* per_zone;
  const AzId* zone;
  std::uint32_t flip;
  std::uint32_t operator()(ContainerInstanceIndex c) const {
    return per_zone[zone[c].value()] ^ flip;
  }
};
struct ValueKey {  // the group's tasks on the instances sharing the instance's attribute value
  const std::uint32_t* per_value;
  const std::uint32_t* value;
  std::uint32_t flip;
  std::uint32_t operator()(ContainerInstanceIndex c) const { return per_value[value[c]] ^ flip; }
};
struct NoKey {  // the second half of a lone strategy's key
  std::uint32_t operator()(ContainerInstanceIndex) const { return 0; }
};

// Two consecutive strategies compare as one 64-bit key, the first in the high half: the second
// only orders what the first left tied, which is exactly how a chain applies them.
template <class First, class Second>
std::uint64_t pair_key(const First& first, const Second& second, ContainerInstanceIndex c) {
  return (std::uint64_t{first(c)} << 32) | second(c);
}

// Keeps, in order, the candidates with the smallest key; returns how many. The keys are
// gathered once into a contiguous scratch array so that the reduction and the comparison read
// it in order.
template <class First, class Second>
std::size_t keep_best(ContainerInstanceIndex* cand, std::size_t n, std::uint64_t* keys,
                      const First& first, const Second& second) {
  std::uint64_t best = std::numeric_limits<std::uint64_t>::max();
  for (std::size_t i = 0; i < n; ++i) {
    keys[i] = pair_key(first, second, cand[i]);
    best = std::min(best, keys[i]);
  }
  std::size_t m = 0;
  for (std::size_t i = 0; i < n; ++i) {
    cand[m] = cand[i];
    m += static_cast<std::size_t>(keys[i] == best);
  }
  return m;
}

// The candidate with the smallest key, the first (lowest index) among equals: when nothing
// follows in the chain, the ties need not be kept, so one pass does.
template <class First, class Second>
ContainerInstanceIndex first_best(const ContainerInstanceIndex* cand, std::size_t n,
                                  const First& first, const Second& second) {
  std::uint64_t best = std::numeric_limits<std::uint64_t>::max();
  ContainerInstanceIndex at = cand[0];
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t k = pair_key(first, second, cand[i]);
    // Strictly less: an equal key later in (ascending) order never replaces the first.
    at = k < best ? cand[i] : at;
    best = std::min(best, k);
  }
  return at;
}

void check_strategy(const PlacementStrategy& s, std::size_t instances) {
  switch (s.type) {
    case StrategyType::kBinpack:
      ECSIM_ASSERT(s.field == StrategyField::kCpu || s.field == StrategyField::kMemory,
                   "binpack takes cpu or memory");
      break;
    case StrategyType::kSpread:
      ECSIM_ASSERT(s.field == StrategyField::kInstanceId ||
                       s.field == StrategyField::kAvailabilityZone ||
                       s.field == StrategyField::kAttribute,
                   "spread takes instanceId or an attribute");
      ECSIM_ASSERT(s.field != StrategyField::kAttribute || s.attribute_values.size() == instances,
                   "an attribute column has one value per container instance");
      break;
    case StrategyType::kRandom:
      break;
  }
}

}  // namespace

PlacementResult Placer::place(const ContainerInstances& instances,
                              const PlacementRequest& request) {
  const std::size_t size = instances.size();
  ECSIM_ASSERT(request.cpu_units >= 0 && request.memory_mib >= 0,
               "a task reserves non-negative resources");
  ECSIM_ASSERT(request.member_of.empty() || request.member_of.size() == size,
               "a memberOf mask has one byte per container instance");
  ECSIM_ASSERT(request.group < instances.task_groups() || !request.distinct_instance,
               "distinctInstance needs a registered task group");
  for (const PlacementStrategy& s : request.strategies) check_strategy(s, size);
  grow_scratch(size);

  const Columns columns{instances.active_.data(), instances.connected_.data(),
                        instances.cpu_free_.data(), instances.mem_free_.data(), size};
  const std::uint8_t* mask = request.member_of.data();
  const std::uint32_t* group_tasks =
      request.distinct_instance ? instances.group_tasks_[request.group].data() : nullptr;
  constexpr std::int64_t kMax32 = std::numeric_limits<std::int32_t>::max();
  // Free amounts are 32-bit; a larger request fits nowhere, and is left to the slow path.
  const bool fits_32 = request.cpu_units <= kMax32 && request.memory_mib <= kMax32;
  const auto cpu = static_cast<std::int32_t>(std::min(request.cpu_units, kMax32));
  const auto mem = static_cast<std::int32_t>(std::min(request.memory_mib, kMax32));
  const std::span<const PlacementStrategy> st = request.strategies;
  // The zone indexes know nothing of network interfaces: an awsvpc task takes the passes.
  const bool indexed = fits_32 && !request.needs_eni;
  if (indexed && request.member_of.empty() && st.size() == 2 &&
      st[0].type == StrategyType::kSpread && st[0].field == StrategyField::kAvailabilityZone &&
      st[1].type == StrategyType::kSpread && st[1].field == StrategyField::kInstanceId) {
    if (const auto chosen = place_default_spread(instances, request))
      return {*chosen, PlacementFailure::kNone};
  }
  if (indexed && st.size() == 2 && st[0].type == StrategyType::kSpread &&
      st[0].field == StrategyField::kAvailabilityZone && st[1].type == StrategyType::kBinpack &&
      st[1].field == StrategyField::kMemory) {
    if (const auto chosen = place_zone_binpack(instances, request))
      return {*chosen, PlacementFailure::kNone};
  }
  std::uint8_t* flags = flags_.data();
  const bool has_mask = !request.member_of.empty();
  if (has_mask) {
    if (request.distinct_instance) {
      flag<true, true>(columns, cpu, mem, mask, group_tasks, flags);
    } else {
      flag<true, false>(columns, cpu, mem, mask, group_tasks, flags);
    }
  } else {
    if (request.distinct_instance) {
      flag<false, true>(columns, cpu, mem, mask, group_tasks, flags);
    } else {
      flag<false, false>(columns, cpu, mem, mask, group_tasks, flags);
    }
  }
  std::size_t n = fits_32 ? compact(flags, size, candidates_.data()) : 0;
  if (!request.host_ports.empty()) [[unlikely]]
    n = drop_port_conflicts(instances, request.host_ports, n);
  if (request.needs_eni) n = drop_without_eni(instances, n);

  if (n == 0) return {std::nullopt, why_none(instances, request)};

  n = apply_strategies(instances, request.group, request.strategies, n, false, true);
  return {candidates_[0], PlacementFailure::kNone};
}

namespace {

/// A run of zones decided the choice (`chosen`; none: the passes decide), or did not.
struct Settled {
  bool settled = false;
  std::optional<ContainerInstanceIndex> chosen;
};

/// Calls `visit` with each run of zones holding equally many of a group's tasks (its count per
/// zone in `zone_counts`), fewest first, zones in order within a run, until one settles the
/// choice; none when none does, or when there are more zones than this orders.
template <class Visit>
std::optional<ContainerInstanceIndex> by_fewest_tasks(const std::uint32_t* zone_counts,
                                                      std::size_t zones, Visit&& visit) {
  std::array<std::pair<std::uint32_t, std::size_t>, 64> order;
  if (zones > order.size()) return std::nullopt;
  for (std::size_t z = 0; z < zones; ++z) order[z] = {zone_counts[z], z};
  std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(zones));
  std::array<std::size_t, 64> run;
  for (std::size_t g = 0; g < zones;) {
    std::size_t n = 0;
    for (const std::uint32_t count = order[g].first; g < zones && order[g].first == count; ++g)
      run[n++] = order[g].second;
    const Settled s = visit(std::span<const std::size_t>(run.data(), n));
    if (s.settled) return s.chosen;
  }
  return std::nullopt;
}

}  // namespace

// The strategies' key is (the group's tasks in the instance's zone, the group's tasks on the
// instance), smallest first, the lowest index among ties. Over the zones with the fewest tasks
// (among those where some instance fits), an instance with none of the group's tasks has the
// smallest key possible; the lowest such instance of those zones is the answer. When those
// zones have an instance that fits but none without a task of the group, the smallest
// per-instance count is not known here, and the passes decide.
std::optional<ContainerInstanceIndex> Placer::place_default_spread(
    const ContainerInstances& instances, const PlacementRequest& request) {
  const std::uint32_t* counts = instances.group_tasks_[request.group].data();
  const std::uint32_t* zone_counts = instances.group_az_tasks_[request.group].data();
  const std::span<const HostPort> ports = request.host_ports;
  const bool distinct = request.distinct_instance;
  return by_fewest_tasks(zone_counts, instances.azs_, [&](std::span<const std::size_t> run) {
    bool fits = false;
    std::optional<ContainerInstanceIndex> best;
    for (const std::size_t z : run) {
      instances.sync_zone_fit(z);
      const detail::FitTree& tree = instances.zone_fit_[z];
      const std::vector<ContainerInstanceIndex>& members = instances.zone_members_[z];
      // The lowest instance of the zone that fits (with distinctInstance: holds none of the
      // group's tasks), then the lowest that fits and holds none.
      const auto feasible = tree.search(request.cpu_units, request.memory_mib, [&](std::size_t s) {
        const ContainerInstanceIndex i = members[s];
        return (!distinct || counts[i] == 0) && instances.ports_free(i, ports);
      });
      if (!feasible) continue;
      fits = true;
      std::optional<std::size_t> empty = feasible;
      if (counts[members[*feasible]] != 0)
        empty = tree.search(request.cpu_units, request.memory_mib, [&](std::size_t s) {
          const ContainerInstanceIndex i = members[s];
          return counts[i] == 0 && instances.ports_free(i, ports);
        });
      if (empty && (!best || members[*empty] < *best)) best = members[*empty];
    }
    return fits ? Settled{true, best} : Settled{};
  });
}

// The strategies' key is (the group's tasks in the instance's zone, the instance's free
// memory), smallest first, the lowest index among ties. Each zone's usable instances are kept
// in buckets by free memory, the buckets in order, so the least (free memory, index) that
// passes the other filters in the first bucket at or past the task's memory holding one is
// its zone's best; the zones with the fewest tasks among those where one passes decide, the
// smallest (free memory, index) among them.
std::optional<ContainerInstanceIndex> Placer::place_zone_binpack(
    const ContainerInstances& instances, const PlacementRequest& request) {
  // Past this many instances that pass on memory but fail the rest, a pass over the candidates
  // costs no more.
  constexpr std::size_t kMaxScan = 256;
  const std::uint32_t* counts = instances.group_tasks_[request.group].data();
  const std::uint32_t* zone_counts = instances.group_az_tasks_[request.group].data();
  const std::uint8_t* mask = request.member_of.empty() ? nullptr : request.member_of.data();
  const std::int32_t* cpu_free = instances.cpu_free_.data();
  const std::int32_t* mem_free = instances.mem_free_.data();
  const auto cpu = static_cast<std::int32_t>(request.cpu_units);
  const auto mem = static_cast<std::int32_t>(request.memory_mib);
  const std::size_t first = static_cast<std::size_t>(mem) >> instances.memory_shift_;
  if (first >= ContainerInstances::kMemoryBuckets) return std::nullopt;
  std::size_t scanned = 0;
  return by_fewest_tasks(zone_counts, instances.azs_, [&](std::span<const std::size_t> run) {
    std::optional<std::pair<std::int32_t, ContainerInstanceIndex>> best;
    for (const std::size_t z : run) {
      instances.sync_zone_memory(z);
      const ContainerInstances::MemoryBuckets& zone = instances.zone_memory_[z];
      // The buckets in use from the task's memory up: the first holding an instance that
      // passes has the zone's least (free memory, index) among those that pass.
      for (std::size_t word = first / 64; word < zone.used.size(); ++word) {
        std::uint64_t bits = zone.used[word];
        if (word == first / 64) bits &= ~std::uint64_t{0} << (first % 64);
        bool found = false;
        for (; bits != 0; bits &= bits - 1) {
          const std::size_t b = word * 64 + static_cast<std::size_t>(std::countr_zero(bits));
          std::optional<std::pair<std::int32_t, ContainerInstanceIndex>> in_bucket;
          for (const ContainerInstanceIndex i : zone.bucket[b]) {
            if (++scanned > kMaxScan) return Settled{true, std::nullopt};
            if (mem_free[i] < mem || cpu_free[i] < cpu || (mask != nullptr && mask[i] == 0) ||
                (request.distinct_instance && counts[i] != 0) ||
                !instances.ports_free(i, request.host_ports))
              continue;
            const std::pair candidate{mem_free[i], i};
            if (!in_bucket || candidate < *in_bucket) in_bucket = candidate;
          }
          if (!in_bucket) continue;
          if (!best || *in_bucket < *best) best = in_bucket;
          found = true;
          break;
        }
        if (found) break;
      }
    }
    return best ? Settled{true, best->second} : Settled{};
  });
}

std::optional<ContainerInstanceIndex> Placer::choose_stop(const ContainerInstances& instances,
                                                          const StopRequest& request) {
  const std::size_t size = instances.size();
  ECSIM_ASSERT(request.group < instances.task_groups(), "scale-in needs a registered task group");
  for (const PlacementStrategy& s : request.strategies) check_strategy(s, size);
  grow_scratch(size);

  // Every instance holding a task of the group is a candidate, whatever its state: a task on a
  // disconnected instance still counts for the service until it is replaced.
  const std::uint32_t* counts = instances.group_tasks_[request.group].data();
  std::size_t n = 0;
  for (std::size_t i = 0; i < size; ++i) {
    candidates_[n] = static_cast<ContainerInstanceIndex>(i);
    n += static_cast<std::size_t>(counts[i] != 0);
  }
  if (n == 0) return std::nullopt;

  n = apply_strategies(instances, request.group, request.strategies, n, true, !request.random_ties);
  if (n > 1 && request.random_ties) return candidates_[random_.uniform_int(n)];
  return candidates_[0];
}

std::size_t Placer::drop_without_eni(const ContainerInstances& instances, std::size_t n) {
  std::size_t kept = 0;
  for (std::size_t k = 0; k < n; ++k)
    if (instances.eni_free_[candidates_[k]] > 0) candidates_[kept++] = candidates_[k];
  return kept;
}

PlacementFailure Placer::why_none(const ContainerInstances& instances,
                                  const PlacementRequest& request) {
  // The slow path, once per failed placement: name the first step that left nobody, in the
  // documented order (resources and ports, a network interface, then memberOf, then
  // distinctInstance).
  const std::span<const HostPort> ports = request.host_ports;
  const PlacementFailure resources =
      instances.why_not(request.cpu_units, request.memory_mib, ports);
  if (resources != PlacementFailure::kNone) return resources;
  // Resources and ports left someone (so the request fits 32 bits).
  const std::size_t size = instances.size();
  const Columns columns{instances.active_.data(), instances.connected_.data(),
                        instances.cpu_free_.data(), instances.mem_free_.data(), size};
  const auto cpu = static_cast<std::int32_t>(request.cpu_units);
  const auto mem = static_cast<std::int32_t>(request.memory_mib);
  if (request.needs_eni) {
    // Then a network interface for an awsvpc task.
    flag<false, false>(columns, cpu, mem, nullptr, nullptr, flags_.data());
    std::size_t fit = compact(flags_.data(), size, candidates_.data());
    if (!ports.empty()) fit = drop_port_conflicts(instances, ports, fit);
    if (drop_without_eni(instances, fit) == 0) return PlacementFailure::kResourceEni;
  }
  if (!request.member_of.empty()) {
    // The mask alone now.
    flag<true, false>(columns, cpu, mem, request.member_of.data(), nullptr, flags_.data());
    std::size_t members = compact(flags_.data(), size, candidates_.data());
    if (!ports.empty()) members = drop_port_conflicts(instances, ports, members);
    if (request.needs_eni) members = drop_without_eni(instances, members);
    if (members == 0) return PlacementFailure::kMemberOf;
  }
  return PlacementFailure::kDistinctInstance;
}

std::size_t Placer::drop_port_conflicts(const ContainerInstances& instances,
                                        std::span<const HostPort> ports, std::size_t n) {
  ECSIM_ASSERT(
      std::adjacent_find(ports.begin(), ports.end(), std::greater_equal<>{}) == ports.end(),
      "a task's host ports are sorted and distinct");
  ContainerInstanceIndex* cand = candidates_.data();
  std::size_t m = 0;
  if (ports.size() > detail::kPortSummaryMaxRequest) {
    for (std::size_t k = 0; k < n; ++k) {
      cand[m] = cand[k];
      m += static_cast<std::size_t>(instances.ports_free(cand[k], ports));
    }
    return m;
  }
  // A summary sharing no bit with the task's ports proves them free; only a shared bit (a port
  // taken, or two ports hashing alike) costs the exact walk.
  std::uint64_t wanted = 0;
  for (const HostPort& p : ports) wanted |= detail::port_bit(p);
  const std::uint64_t* held = instances.port_bits_.data();
  for (std::size_t k = 0; k < n; ++k) {
    const ContainerInstanceIndex c = cand[k];
    cand[m] = c;
    m += static_cast<std::size_t>((held[c] & wanted) == 0 || instances.ports_free(c, ports));
  }
  return m;
}

void Placer::grow_scratch(std::size_t size) {
  if (flags_.size() >= size && candidates_.size() >= size + 8) return;
  // Compaction stores eight at a time past the last kept index.
  candidates_.resize(size + 8);
  flags_.resize(size);
  pair_keys_.resize(size);
}

std::span<const std::uint32_t> Placer::count_values(const ContainerInstances& instances,
                                                    TaskGroupIndex group,
                                                    const PlacementStrategy& strategy, int slot) {
  // Value ids are dense; kNoAttributeValue (absent) is folded into one extra slot past the
  // largest id, so instances without the attribute form one value of their own.
  const std::span<const std::uint32_t> values = strategy.attribute_values;
  std::vector<std::uint32_t>& per_value = value_counts_[slot];
  std::vector<std::uint32_t>& value_of = value_keys_[slot];
  std::uint32_t largest = 0;
  for (const std::uint32_t v : values)
    if (v != kNoAttributeValue) largest = std::max(largest, v);
  const std::size_t slots = std::size_t{largest} + 2;
  if (per_value.size() < slots) per_value.resize(slots);
  if (value_of.size() < values.size()) value_of.resize(values.size());
  std::fill_n(per_value.begin(), slots, 0U);
  const std::uint32_t absent = largest + 1;
  const std::uint32_t* counts = instances.group_tasks_[group].data();
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::uint32_t v = values[i] == kNoAttributeValue ? absent : values[i];
    value_of[i] = v;
    per_value[v] += counts[i];
  }
  return per_value;
}

template <class Fn>
void Placer::with_key(const ContainerInstances& instances, TaskGroupIndex group,
                      const PlacementStrategy& strategy, bool scale_in, int slot, Fn&& fn) {
  const std::uint32_t flip = scale_in ? ~std::uint32_t{0} : 0;
  if (strategy.type == StrategyType::kBinpack) {
    // Placing: the least remaining, free minus the task, the same task everywhere, so the least
    // free. Stopping: the most left after the stop, free plus the task, so the most free.
    // Free amounts are never negative, so reading the int32 column as uint32 keeps its order
    // (and signed and unsigned variants of one type may alias).
    const std::int32_t* free = strategy.field == StrategyField::kCpu ? instances.cpu_free_.data()
                                                                     : instances.mem_free_.data();
    fn(ColumnKey{reinterpret_cast<const std::uint32_t*>(free), flip});
    return;
  }
  // Spread. Placing: the value with the fewest of the group's tasks. Stopping: the most.
  ECSIM_ASSERT(group < instances.task_groups(), "spread counts the tasks of a registered group");
  switch (strategy.field) {
    case StrategyField::kInstanceId:
      fn(ColumnKey{instances.group_tasks_[group].data(), flip});
      return;
    case StrategyField::kAvailabilityZone:
      fn(ZoneKey{instances.group_az_tasks_[group].data(), instances.az_.data(), flip});
      return;
    default: {
      const std::span<const std::uint32_t> per_value =
          count_values(instances, group, strategy, slot);
      fn(ValueKey{per_value.data(), value_keys_[slot].data(), flip});
      return;
    }
  }
}

std::size_t Placer::apply_strategies(const ContainerInstances& instances, TaskGroupIndex group,
                                     std::span<const PlacementStrategy> strategies, std::size_t n,
                                     bool scale_in, bool lowest_ties) {
  ContainerInstanceIndex* cand = candidates_.data();
  std::size_t i = 0;
  while (i < strategies.size() && n > 1) {
    const PlacementStrategy& first = strategies[i];
    if (first.type == StrategyType::kRandom) {
      cand[0] = cand[random_.uniform_int(n)];
      return 1;
    }
    // Two consecutive non-random strategies are applied together as one lexicographic key.
    const bool pair = i + 1 < strategies.size() && strategies[i + 1].type != StrategyType::kRandom;
    const std::size_t next = i + (pair ? 2 : 1);
    const bool last = next == strategies.size();
    auto apply = [&](const auto& k1, const auto& k2) {
      if (last && lowest_ties) {
        cand[0] = first_best(cand, n, k1, k2);
        n = 1;
      } else {
        n = keep_best(cand, n, pair_keys_.data(), k1, k2);
      }
    };
    with_key(instances, group, first, scale_in, 0, [&](const auto& k1) {
      if (pair) {
        with_key(instances, group, strategies[i + 1], scale_in, 1,
                 [&](const auto& k2) { apply(k1, k2); });
      } else {
        apply(k1, NoKey{});
      }
    });
    i = next;
  }
  return n;
}

}  // namespace ecsim::ecs
