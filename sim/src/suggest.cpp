#include "ecsim/sim/suggest.hpp"

#include <algorithm>
#include <utility>

namespace ecsim {
namespace {

char fold(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

template <bool kFoldCase>
std::size_t osa_distance(std::string_view a, std::string_view b) {
  const auto same = [](char x, char y) { return kFoldCase ? fold(x) == fold(y) : x == y; };
  // Three rows of the dynamic programme: i-2, i-1 and i (the transposition looks two rows back).
  std::vector<std::size_t> before(b.size() + 1);
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = same(a[i - 1], b[j - 1]) ? 0 : 1;
      std::size_t best = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]))
        best = std::min(best, before[j - 2] + 1);
      current[j] = best;
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

template <class Candidate>
std::vector<std::string> closest(std::string_view wanted, std::span<const Candidate> candidates,
                                 std::size_t max) {
  const std::size_t size = wanted.size();
  // A distance equal to the size could replace every byte: no longer a misspelling.
  const std::size_t limit = std::min(std::max<std::size_t>(2, size / 3), size == 0 ? 0 : size - 1);
  std::vector<std::pair<std::size_t, std::string_view>> near;
  for (const Candidate& candidate : candidates) {
    const std::string_view name = candidate;
    if (name == wanted) continue;
    // The distance is at least the difference in length: skip the quadratic work.
    const std::size_t gap = name.size() > size ? name.size() - size : size - name.size();
    if (gap > limit) continue;
    const std::size_t distance = osa_distance<true>(wanted, name);
    if (distance <= limit) near.emplace_back(distance, name);
  }
  std::sort(near.begin(), near.end());
  near.erase(std::unique(near.begin(), near.end()), near.end());
  std::vector<std::string> names;
  for (const auto& [distance, name] : near) {
    if (names.size() == max) break;
    names.emplace_back(name);
  }
  return names;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  return osa_distance<false>(a, b);
}

std::vector<std::string> closest_names(std::string_view wanted,
                                       std::span<const std::string_view> candidates,
                                       std::size_t max) {
  return closest(wanted, candidates, max);
}

std::vector<std::string> closest_names(std::string_view wanted,
                                       std::span<const std::string> candidates, std::size_t max) {
  return closest(wanted, candidates, max);
}

}  // namespace ecsim
