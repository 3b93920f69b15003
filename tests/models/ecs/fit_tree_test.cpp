#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "ecsim/ecs/fit_tree.hpp"
#include "ecsim/sim/random.hpp"

using namespace ecsim;
using ecsim::ecs::detail::FitTree;

namespace {

struct Slot {
  std::int32_t cpu = FitTree::kUnusable;
  std::int32_t memory = FitTree::kUnusable;
};

// The lowest slot with at least cpu and memory free that `accept` takes, by a pass.
template <class Accept>
std::optional<std::size_t> lowest(const std::vector<Slot>& slots, std::int64_t cpu,
                                  std::int64_t memory, Accept&& accept) {
  for (std::size_t s = 0; s < slots.size(); ++s)
    if (slots[s].cpu != FitTree::kUnusable && slots[s].cpu >= cpu && slots[s].memory >= memory &&
        accept(s))
      return s;
  return std::nullopt;
}

}  // namespace

TEST_CASE("an empty fit tree finds nothing and has no CPU", "[ecs]") {
  const FitTree tree;
  CHECK(tree.max_cpu() == FitTree::kUnusable);
  CHECK_FALSE(tree.search(0, 0, [](std::size_t) { return true; }));
}

TEST_CASE("a fit tree finds the lowest slot a pass over the slots finds", "[ecs]") {
  // Random slots set in random order (the tree grows past one, eight, 64 and 512 slots),
  // candidates and not, searched for random sizes with and without a predicate that refuses
  // some slots (ports, distinctInstance): the same answer as a pass, and the same largest CPU.
  RandomStream rng{7};
  for (int trial = 0; trial < 40; ++trial) {
    FitTree tree;
    std::vector<Slot> slots;
    const std::size_t size = 1 + rng.uniform_int(trial < 20 ? 70 : 1500);
    for (int step = 0; step < 3000; ++step) {
      const std::size_t s = rng.uniform_int(size);
      if (slots.size() <= s) slots.resize(s + 1);
      Slot v;
      if (rng.uniform_int(8) != 0) {
        v.cpu = static_cast<std::int32_t>(rng.uniform_int(9) * 512);
        v.memory = static_cast<std::int32_t>(rng.uniform_int(17) * 1024);
      }
      slots[s] = v;
      tree.set(s, v.cpu, v.memory);
      std::int32_t most = FitTree::kUnusable;
      for (const Slot& x : slots) most = x.cpu > most ? x.cpu : most;
      REQUIRE(tree.max_cpu() == most);
      const auto cpu = static_cast<std::int64_t>(rng.uniform_int(10) * 512);
      const auto memory = static_cast<std::int64_t>(rng.uniform_int(18) * 1024);
      const auto any = [](std::size_t) { return true; };
      REQUIRE(tree.search(cpu, memory, any) == lowest(slots, cpu, memory, any));
      const std::size_t odd = rng.uniform_int(2);
      const auto some = [odd](std::size_t slot) { return slot % 2 == odd; };
      REQUIRE(tree.search(cpu, memory, some) == lowest(slots, cpu, memory, some));
    }
  }
}

TEST_CASE("a fit tree refuses requests past 32 bits and takes zero-sized ones", "[ecs]") {
  FitTree tree;
  tree.set(3, 0, 0);
  tree.set(5, std::numeric_limits<std::int32_t>::max(), std::numeric_limits<std::int32_t>::max());
  const auto any = [](std::size_t) { return true; };
  CHECK(tree.search(0, 0, any) == std::size_t{3});
  CHECK(tree.search(1, 0, any) == std::size_t{5});
  CHECK_FALSE(tree.search(std::int64_t{1} << 32, 0, any));
  CHECK_FALSE(tree.search(0, std::int64_t{1} << 32, any));
  // Slots never set are not candidates, even for a request of nothing.
  CHECK(tree.search(0, 0, [](std::size_t s) { return s != 3; }) == std::size_t{5});
}
