#include "ecsim/ecs/fit_tree.hpp"

#include <algorithm>

#include "ecsim/sim/assert.hpp"

namespace ecsim::ecs::detail {

namespace {

// The largest of the eight values at p.
std::int32_t max_of_eight(const std::int32_t* p) noexcept {
#if defined(__SSE2__)
  // SSE2 has no 32-bit max: compare and blend.
  const auto max = [](__m128i a, __m128i b) {
    const __m128i greater = _mm_cmpgt_epi32(a, b);
    return _mm_or_si128(_mm_and_si128(greater, a), _mm_andnot_si128(greater, b));
  };
  __m128i v = max(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)),
                  _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 4)));
  v = max(v, _mm_shuffle_epi32(v, 0x4E));  // lanes 2, 3, 0, 1
  v = max(v, _mm_shuffle_epi32(v, 0xB1));  // lanes 1, 0, 3, 2
  return _mm_cvtsi128_si32(v);
#else
  std::int32_t best = p[0];
  for (std::size_t k = 1; k < 8; ++k) best = p[k] > best ? p[k] : best;
  return best;
#endif
}

// n rounded up to a multiple of eight, at least eight.
std::size_t padded(std::size_t n) noexcept { return std::max<std::size_t>(8, (n + 7) / 8 * 8); }

}  // namespace

std::int32_t FitTree::max_cpu() const noexcept {
  return levels_.empty() ? kUnusable : max_of_eight(levels_[0].cpu.data());
}

void FitTree::grow(std::size_t slots) {
  Level leaves;
  if (!levels_.empty()) leaves = std::move(levels_.back());
  leaves.cpu.resize(padded(slots), kUnusable);
  leaves.memory.resize(padded(slots), kUnusable);
  // The levels from the slots up, then reversed: each has an entry per eight below it.
  std::vector<Level> up;
  up.push_back(std::move(leaves));
  while (up.back().cpu.size() > kFan) {
    const Level& below = up.back();
    Level level;
    const std::size_t size = padded(below.cpu.size() / kFan);
    level.cpu.assign(size, kUnusable);
    level.memory.assign(size, kUnusable);
    for (std::size_t e = 0; e < below.cpu.size() / kFan; ++e) {
      level.cpu[e] = max_of_eight(below.cpu.data() + e * kFan);
      level.memory[e] = max_of_eight(below.memory.data() + e * kFan);
    }
    up.push_back(std::move(level));
  }
  ECSIM_ASSERT(up.size() <= kMaxDepth, "a fit tree is at most kMaxDepth levels deep");
  std::reverse(up.begin(), up.end());
  levels_ = std::move(up);
}

void FitTree::set(std::size_t s, std::int32_t cpu, std::int32_t memory) {
  if (levels_.empty() || s >= levels_.back().cpu.size()) {
    // Past the slots: twice as many (at least 64), the old ones kept, the levels above rebuilt.
    std::size_t slots = levels_.empty() ? 64 : levels_.back().cpu.size() * 2;
    while (slots <= s) slots *= 2;
    grow(slots);
  }
  std::size_t d = levels_.size() - 1;
  std::int32_t old_cpu = levels_[d].cpu[s], old_memory = levels_[d].memory[s];
  levels_[d].cpu[s] = cpu;
  levels_[d].memory[s] = memory;
  // Up the path: a parent's maximum is the changed child's value when that is at least the
  // old maximum, is unchanged when the child was below it, and is recomputed from the eight
  // children only when the child held it and fell.
  const auto updated = [](std::int32_t now, std::int32_t was, std::int32_t parent,
                          const std::int32_t* children) {
    if (now >= parent) return now;
    return was == parent ? max_of_eight(children) : parent;
  };
  for (std::size_t e = s; d > 0; --d) {
    const std::size_t parent = e / kFan;
    Level& up = levels_[d - 1];
    const std::int32_t pc = up.cpu[parent], pm = up.memory[parent];
    const std::int32_t c = updated(cpu, old_cpu, pc, levels_[d].cpu.data() + parent * kFan);
    const std::int32_t m =
        updated(memory, old_memory, pm, levels_[d].memory.data() + parent * kFan);
    if (c == pc && m == pm) break;  // its ancestors too
    up.cpu[parent] = cpu = c;
    up.memory[parent] = memory = m;
    old_cpu = pc;
    old_memory = pm;
    e = parent;
  }
}

}  // namespace ecsim::ecs::detail
