#include <catch2/catch.hpp>

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "ecsim/sim/suggest.hpp"

using namespace ecsim;
using Names = std::vector<std::string>;

TEST_CASE("edit distance counts insertions, deletions, substitutions and swaps", "[sim]") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("spread", "spread") == 0);
  CHECK(edit_distance("", "abc") == 3);            // three insertions
  CHECK(edit_distance("abc", "") == 3);            // three deletions
  CHECK(edit_distance("binpak", "binpack") == 1);  // insert 'c'
  CHECK(edit_distance("memroy", "memory") == 1);   // swap "ro" to "or"
  // kitten -> sitten (k->s) -> sittin (e->i) -> sitting (+g).
  CHECK(edit_distance("kitten", "sitting") == 3);
  // Optimal string alignment may not edit a swapped pair again: "ca" -> "ac" -> "abc" would be
  // 2 (unrestricted Damerau-Levenshtein), but OSA needs 3 (e.g. delete c, keep a, insert b, c).
  CHECK(edit_distance("ca", "abc") == 3);
  CHECK(edit_distance("A", "a") == 1);  // case-sensitive
}

TEST_CASE("closest names come nearest first, ties in name order", "[sim]") {
  const std::array<std::string_view, 5> strategies{"spread", "binpack", "random", "bin", "spreads"};
  // "sprad" (5 bytes, so at most max(2, 5/3 = 1) = 2 edits): spread is 1 insertion away,
  // spreads 2; random, binpack and bin need more than 2.
  CHECK(closest_names("sprad", strategies) == Names{"spread", "spreads"});
  // "binpak": binpack is 1 insertion away; bin 3 deletions, over the limit max(2, 6/3) = 2.
  CHECK(closest_names("binpak", strategies) == Names{"binpack"});

  const std::array<std::string_view, 4> ties{"xyz", "abd", "abc", "abe"};
  // "abx" is one substitution from abc, abd and abe, and 3 from xyz (limit 2): byte order decides.
  CHECK(closest_names("abx", ties) == Names{"abc", "abd", "abe"});
  CHECK(closest_names("abx", ties, 2) == Names{"abc", "abd"});
  CHECK(closest_names("abx", ties, 0).empty());
}

TEST_CASE("closest names ignore ASCII case but never offer the name itself", "[sim]") {
  const std::array<std::string_view, 3> names{"Spread", "spread", "spread"};
  // "spread" itself is left out (twice); "Spread" differs only in case, distance 0.
  CHECK(closest_names("spread", names) == Names{"Spread"});
  // "SPREAD" folds to "spread": both spellings are distance 0, and the duplicate is dropped.
  CHECK(closest_names("SPREAD", names) == Names{"Spread", "spread"});
}

TEST_CASE("closest names keep to edits a misspelling could make", "[sim]") {
  const std::array<std::string_view, 4> names{"az", "id", "a", "b"};
  // For 2 bytes the limit is min(max(2, 0), 2 - 1) = 1: "az" (1 substitution) and "a" (1
  // deletion) qualify; "id" would replace every byte.
  CHECK(closest_names("ax", names) == Names{"a", "az"});
  // For 1 byte the limit is 0: nothing but a change of case is close.
  CHECK(closest_names("c", names).empty());
  CHECK(closest_names("", names).empty());

  // 9 bytes: limit max(2, 9/3 = 3) = 3 edits.
  const std::array<std::string_view, 2> long_names{"abcdefxyz", "abcdewxyz"};
  // abcdefghi -> abcdefxyz: 3 substitutions (ghi -> xyz), kept; abcdewxyz needs 4.
  CHECK(closest_names("abcdefghi", long_names) == Names{"abcdefxyz"});
}

TEST_CASE("closest names take candidates held as strings", "[sim]") {
  const std::vector<std::string> names{"memory", "cpu", "gpu"};
  // "cpus" -> cpu: 1 deletion; gpu: 2 (delete s, c -> g), within max(2, 4/3 = 1) = 2.
  CHECK(closest_names("cpus", names) == Names{"cpu", "gpu"});
  CHECK(closest_names("memroy", names) == Names{"memory"});
}
