// The score formulas of the kube-scheduler's plugins; see scoring.hpp for each one's upstream
// source and models/eks/README.md ("Scheduler") for the choices made where Kubernetes is silent.

#include "ecsim/eks/scoring.hpp"

#include <algorithm>

namespace ecsim::eks {

std::int64_t broken_linear(std::span<const ShapePoint> shape, std::int64_t p) noexcept {
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (p <= shape[i].utilization) {
      if (i == 0) return shape[0].score;
      const ShapePoint& a = shape[i - 1];
      const ShapePoint& b = shape[i];
      return a.score + (b.score - a.score) * (p - a.utilization) / (b.utilization - a.utilization);
    }
  }
  return shape.empty() ? 0 : shape.back().score;
}

std::int64_t requested_to_capacity_score(std::span<const ShapePoint> shape,
                                         std::int64_t requested, std::int64_t capacity) noexcept {
  constexpr std::int64_t kMaxUtilization = 100;
  if (capacity == 0 || requested > capacity) return broken_linear(shape, kMaxUtilization);
  return broken_linear(shape, requested * kMaxUtilization / capacity);
}

std::vector<ShapePoint> scale_shape(std::span<const ShapePoint> shape) {
  std::vector<ShapePoint> scaled(shape.begin(), shape.end());
  for (ShapePoint& p : scaled) p.score *= kMaxNodeScore / 10;
  return scaled;
}

std::int64_t balanced_allocation_score(std::int64_t cpu_requested, std::int64_t cpu_allocatable,
                                       std::int64_t memory_requested,
                                       std::int64_t memory_allocatable) noexcept {
  double fractions[2];
  int n = 0;
  if (cpu_allocatable != 0) {
    fractions[n++] = std::min(
        1.0, static_cast<double>(cpu_requested) / static_cast<double>(cpu_allocatable));
  }
  if (memory_allocatable != 0) {
    fractions[n++] = std::min(
        1.0, static_cast<double>(memory_requested) / static_cast<double>(memory_allocatable));
  }
  const double std_dev = n == 2 ? std::abs((fractions[0] - fractions[1]) / 2) : 0.0;
  return static_cast<std::int64_t>((1 - std_dev) * static_cast<double>(kMaxNodeScore));
}

void default_normalize(std::span<std::int64_t> scores, bool reverse) noexcept {
  std::int64_t max_count = 0;
  for (const std::int64_t s : scores) max_count = std::max(max_count, s);
  if (max_count == 0) {
    if (reverse) std::fill(scores.begin(), scores.end(), kMaxNodeScore);
    return;
  }
  for (std::int64_t& s : scores) {
    s = kMaxNodeScore * s / max_count;
    if (reverse) s = kMaxNodeScore - s;
  }
}

std::uint32_t feasible_nodes_to_find(std::uint32_t nodes, std::uint32_t percentage) noexcept {
  constexpr std::uint32_t kMinFeasibleNodesToFind = 100;
  constexpr std::int64_t kMinFeasibleNodesPercentageToFind = 5;
  if (nodes < kMinFeasibleNodesToFind || percentage >= 100) return nodes;
  std::int64_t p = percentage;
  if (p == 0) p = std::max<std::int64_t>(50 - static_cast<std::int64_t>(nodes) / 125,
                                         kMinFeasibleNodesPercentageToFind);
  const auto n = static_cast<std::uint32_t>(static_cast<std::int64_t>(nodes) * p / 100);
  return std::max(n, kMinFeasibleNodesToFind);
}

}  // namespace ecsim::eks
