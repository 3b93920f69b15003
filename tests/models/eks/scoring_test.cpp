#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "ecsim/eks/scoring.hpp"

using namespace ecsim::eks;

TEST_CASE("LeastAllocated scores the share left, rounded down", "[eks][scheduler]") {
  // (4000 - 1000) * 100 / 4000 = 75.
  CHECK(least_requested_score(1000, 4000) == 75);
  // (3000 - 1000) * 100 / 3000 = 66.67 -> 66.
  CHECK(least_requested_score(1000, 3000) == 66);
  CHECK(least_requested_score(5000, 4000) == 0);  // over capacity
  CHECK(least_requested_score(0, 0) == 0);        // nothing allocatable
}

TEST_CASE("MostAllocated scores the share used, capped at the capacity", "[eks][scheduler]") {
  // 1000 * 100 / 3000 = 33.3 -> 33.
  CHECK(most_requested_score(1000, 3000) == 33);
  CHECK(most_requested_score(5000, 4000) == 100);
  CHECK(most_requested_score(10, 0) == 0);
}

TEST_CASE("RequestedToCapacityRatio interpolates its shape in integers", "[eks][scheduler]") {
  // Shape {0: 0, 100: 10} scaled by 10 to {0: 0, 100: 100}.
  const std::array<ShapePoint, 2> shape{{{0, 0}, {100, 10}}};
  const std::vector<ShapePoint> scaled = scale_shape(shape);
  CHECK(scaled[1].score == 100);
  // 1000 of 3000: utilisation 1000 * 100 / 3000 = 33; 0 + (100 - 0) * (33 - 0) / 100 = 33.
  CHECK(requested_to_capacity_score(scaled, 1000, 3000) == 33);
  // Over capacity counts as 100% utilisation: 100.
  CHECK(requested_to_capacity_score(scaled, 5000, 4000) == 100);
  // A shape {0: 10, 50: 2, 100: 6} scaled to {0: 100, 50: 20, 100: 60}: at 75%,
  // 20 + (60 - 20) * (75 - 50) / 50 = 40; below the first point, the first score.
  const std::array<ShapePoint, 3> bent{{{0, 10}, {50, 2}, {100, 6}}};
  const std::vector<ShapePoint> s = scale_shape(bent);
  CHECK(broken_linear(s, 75) == 40);
  CHECK(broken_linear(s, 0) == 100);
  CHECK(broken_linear(s, 120) == 60);
}

TEST_CASE("BalancedAllocation is 100 times one less half the gap between the fractions",
          "[eks][scheduler]") {
  // cpu 1000/4000 = 0.25, memory 3/4 = 0.75: std = |0.25 - 0.75| / 2 = 0.25; (1 - 0.25) * 100 = 75.
  CHECK(balanced_allocation_score(1000, 4000, 3, 4) == 75);
  // Equal fractions: std 0, score 100.
  CHECK(balanced_allocation_score(500, 1000, 2, 4) == 100);
  // A fraction over 1 counts as 1: cpu 2.0 -> 1, memory 0: std 0.5, score 50.
  CHECK(balanced_allocation_score(2000, 1000, 0, 4) == 50);
  // One resource with nothing allocatable: one fraction, std 0, score 100.
  CHECK(balanced_allocation_score(2000, 0, 1, 4) == 100);
}

TEST_CASE("DefaultNormalizeScore scales by the largest and can reverse", "[eks][scheduler]") {
  std::vector<std::int64_t> s{0, 1, 3};
  default_normalize(s, false);
  // 100 * 1 / 3 = 33; 100 * 3 / 3 = 100.
  CHECK(s == std::vector<std::int64_t>{0, 33, 100});
  std::vector<std::int64_t> r{0, 1, 3};
  default_normalize(r, true);
  CHECK(r == std::vector<std::int64_t>{100, 67, 0});
  std::vector<std::int64_t> zero{0, 0};
  default_normalize(zero, true);
  CHECK(zero == std::vector<std::int64_t>{100, 100});
  std::vector<std::int64_t> zero_forward{0, 0};
  default_normalize(zero_forward, false);
  CHECK(zero_forward == std::vector<std::int64_t>{0, 0});
}

TEST_CASE("PodTopologySpread normalises by (max + min - s) / max", "[eks][scheduler]") {
  // Scores 4, 6, 10: min 4, max 10. 100 * (14 - 4) / 10 = 100; 100 * 8 / 10 = 80; 40.
  CHECK(spread_normalize(4, 4, 10) == 100);
  CHECK(spread_normalize(6, 4, 10) == 80);
  CHECK(spread_normalize(10, 4, 10) == 40);
  CHECK(spread_normalize(0, 0, 0) == 100);
  // The weight of a constraint over 3 domains: log(3 + 2) = 1.609...
  CHECK(topology_normalizing_weight(3) == Approx(std::log(5.0)));
  // 2 matching pods, maxSkew 5: 2 * log(5) + 4 = 7.22.
  CHECK(spread_score_for_count(2, 5, std::log(5.0)) == Approx(7.2189));
}

TEST_CASE("InterPodAffinity normalises min to max onto 0..100, truncating", "[eks][scheduler]") {
  // Scores -3, 0, 6: 100 * (0 + 3) / 9 = 33.3 -> 33.
  CHECK(inter_pod_normalize(-3, -3, 6) == 0);
  CHECK(inter_pod_normalize(0, -3, 6) == 33);
  CHECK(inter_pod_normalize(6, -3, 6) == 100);
  CHECK(inter_pod_normalize(5, 5, 5) == 0);
}

TEST_CASE("percentageOfNodesToScore follows numFeasibleNodesToFind", "[eks][scheduler]") {
  CHECK(feasible_nodes_to_find(50, 10) == 50);      // under 100 nodes: all
  CHECK(feasible_nodes_to_find(5000, 100) == 5000);
  CHECK(feasible_nodes_to_find(5000, 10) == 500);
  // Adaptive: 50 - 5000 / 125 = 10%: 500.
  CHECK(feasible_nodes_to_find(5000, 0) == 500);
  // Adaptive at 10000 nodes: 50 - 80 < 5, so 5%: 500.
  CHECK(feasible_nodes_to_find(10000, 0) == 500);
  // 1% of 1000 is 10, raised to the minimum of 100.
  CHECK(feasible_nodes_to_find(1000, 1) == 100);
}
