#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ecsim {

/// The optimal string alignment (restricted Damerau-Levenshtein) distance between `a` and `b`:
/// the fewest single-byte insertions, deletions, substitutions and transpositions of two adjacent
/// bytes that turn one into the other, where no substring is edited twice; case-sensitive.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/// Up to `max` names from `candidates` close enough to `wanted` to offer as "did you mean",
/// nearest first, ties in byte order of the name, without duplicates or `wanted` itself. Close
/// enough: an edit distance (as `edit_distance`, after folding ASCII letters to lower case) of at
/// most max(2, size/3) and less than size, where size is the length of `wanted` in bytes.
[[nodiscard]] std::vector<std::string> closest_names(std::string_view wanted,
                                                     std::span<const std::string_view> candidates,
                                                     std::size_t max = 3);

/// As the overload over views, for candidates held as strings.
[[nodiscard]] std::vector<std::string> closest_names(std::string_view wanted,
                                                     std::span<const std::string> candidates,
                                                     std::size_t max = 3);

}  // namespace ecsim
