#pragma once

// The index behind first fit and ECS's default spread: which slot is the lowest that can hold a
// task, without a pass over the slots.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ecsim::ecs::detail {

/// A max tree over slots 0, 1, ... with eight children per node, holding per node the most free
/// CPU and the most free memory among the slots below it that are candidates (kUnusable where
/// none is). The lowest slot that can hold a task is found by descending it leftmost first,
/// skipping every child that cannot, eight children compared at once; a change of one slot
/// updates one leaf-to-root path, which stops where a maximum does not change. Levels are
/// arrays of CPU and of memory (a node's eight children side by side), from the top (at most
/// eight entries) down to the slots; each is padded to a multiple of eight with kUnusable.
class FitTree {
 public:
  static constexpr std::int32_t kUnusable = std::numeric_limits<std::int32_t>::min();

  /// Sets slot `s` to `cpu` and `memory` free (kUnusable for both: not a candidate), growing
  /// the tree when `s` is past its slots.
  void set(std::size_t s, std::int32_t cpu, std::int32_t memory);
  /// The most CPU free at a candidate slot; kUnusable when there is none.
  [[nodiscard]] std::int32_t max_cpu() const noexcept;

  /// The lowest slot with at least `cpu` and `memory` free for which `accept(slot)` holds.
  template <class Accept>
  [[nodiscard]] std::optional<std::size_t> search(std::int64_t cpu, std::int64_t memory,
                                                  Accept&& accept) const {
    if (levels_.empty()) return std::nullopt;
    constexpr std::int64_t kMax = std::numeric_limits<std::int32_t>::max();
    if (cpu > kMax || memory > kMax) return std::nullopt;
    // Compared as value > request - 1, so requests are raised to one above kUnusable, which
    // therefore never fits.
    const auto c = static_cast<std::int32_t>(std::max<std::int64_t>(cpu, kUnusable + 1) - 1);
    const auto m = static_cast<std::int32_t>(std::max<std::int64_t>(memory, kUnusable + 1) - 1);
    const std::size_t depth = levels_.size();
    // Per level: the node whose children are being tried, and those left to try.
    std::size_t node[kMaxDepth];
    unsigned left[kMaxDepth];
    std::size_t d = 0;
    node[0] = 0;
    left[0] = fitting(levels_[0], 0, c, m);
    for (;;) {
      if (left[d] == 0) {
        if (d == 0) return std::nullopt;
        --d;
        continue;
      }
      const std::size_t entry = node[d] * kFan + static_cast<std::size_t>(std::countr_zero(left[d]));
      left[d] &= left[d] - 1;
      if (d + 1 == depth) {
        if (accept(entry)) return entry;
        continue;
      }
      ++d;
      node[d] = entry;
      left[d] = fitting(levels_[d], entry, c, m);
    }
  }

 private:
  static constexpr std::size_t kFan = 8;
  static constexpr std::size_t kMaxDepth = 24;  // 8^24 slots: more than an index holds

  struct Level {
    std::vector<std::int32_t> cpu;     // per entry: the most free CPU below it
    std::vector<std::int32_t> memory;  // per entry: the most free memory below it
  };

  /// Bit k set when child k of `node` (entries node x 8 + k of `level`) has more than `cpu`
  /// and more than `memory`.
  static unsigned fitting(const Level& level, std::size_t node, std::int32_t cpu,
                          std::int32_t memory) noexcept {
    const std::int32_t* pc = level.cpu.data() + node * kFan;
    const std::int32_t* pm = level.memory.data() + node * kFan;
#if defined(__SSE2__)
    const __m128i c = _mm_set1_epi32(cpu);
    const __m128i m = _mm_set1_epi32(memory);
    const auto load = [](const std::int32_t* p) {
      return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    };
    const __m128i lo = _mm_and_si128(_mm_cmpgt_epi32(load(pc), c), _mm_cmpgt_epi32(load(pm), m));
    const __m128i hi =
        _mm_and_si128(_mm_cmpgt_epi32(load(pc + 4), c), _mm_cmpgt_epi32(load(pm + 4), m));
    return static_cast<unsigned>(_mm_movemask_ps(_mm_castsi128_ps(lo))) |
           static_cast<unsigned>(_mm_movemask_ps(_mm_castsi128_ps(hi))) << 4;
#else
    unsigned bits = 0;
    for (std::size_t k = 0; k < kFan; ++k)
      bits |= (pc[k] > cpu && pm[k] > memory ? 1U : 0U) << k;
    return bits;
#endif
  }

  /// Rebuilds the levels above the slots, for `slots` slots (the old ones kept).
  void grow(std::size_t slots);

  std::vector<Level> levels_;  // levels_[0] is the top, levels_.back() the slots
};

}  // namespace ecsim::ecs::detail
