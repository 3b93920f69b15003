#pragma once

/// The kube-scheduler's score formulas as pure functions on integers, one per plugin, each
/// written as the upstream plugin computes it (pkg/scheduler/framework/plugins). Scores are on
/// Kubernetes' scale: MaxNodeScore = 100. The scheduler's passes and its explanations both call
/// these, so an explanation shows exactly the numbers the decision used.

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

namespace ecsim::eks {

/// framework.MaxNodeScore: the top of every normalised score.
inline constexpr std::int64_t kMaxNodeScore = 100;

/// schedutil.DefaultMilliCPURequest: millicores a pod without a CPU request counts as when
/// NodeResourcesFit scores (never when it filters).
inline constexpr std::int64_t kDefaultMilliCpuRequest = 100;
/// schedutil.DefaultMemoryRequest: bytes (200 MiB) a pod without a memory request counts as
/// when NodeResourcesFit scores.
inline constexpr std::int64_t kDefaultMemoryRequest = 200LL * 1024 * 1024;

/// One point of RequestedToCapacityRatio's shape: utilisation in percent (0..100) and score
/// (0..10, config.MaxCustomPriorityScore).
struct ShapePoint {
  std::int64_t utilization = 0;  ///< percent of allocatable requested, 0..100
  std::int64_t score = 0;        ///< 0..10; scaled by 10 to the 0..100 node score

  friend bool operator==(const ShapePoint&, const ShapePoint&) = default;
};

/// LeastAllocated for one resource: (capacity - requested) * 100 / capacity, integer division;
/// 0 when capacity is 0 or requested exceeds it.
constexpr std::int64_t least_requested_score(std::int64_t requested,
                                             std::int64_t capacity) noexcept {
  if (capacity == 0 || requested > capacity) return 0;
  return (capacity - requested) * kMaxNodeScore / capacity;
}

/// MostAllocated for one resource: min(requested, capacity) * 100 / capacity, integer
/// division; 0 when capacity is 0.
constexpr std::int64_t most_requested_score(std::int64_t requested,
                                            std::int64_t capacity) noexcept {
  if (capacity == 0) return 0;
  if (requested > capacity) requested = capacity;
  return requested * kMaxNodeScore / capacity;
}

/// helper.BuildBrokenLinearFunction over `shape` (utilisations ascending, scores already scaled
/// to 0..100) at utilisation `p`: the first point's score at or below it, the last point's score
/// above it, and in between the integer interpolation
/// s[i-1] + (s[i] - s[i-1]) * (p - u[i-1]) / (u[i] - u[i-1]) (Go's truncating division).
std::int64_t broken_linear(std::span<const ShapePoint> scaled_shape, std::int64_t p) noexcept;

/// RequestedToCapacityRatio for one resource: the shape at requested * 100 / capacity (at 100
/// when capacity is 0 or requested exceeds it). `scaled_shape` has scores on 0..100.
std::int64_t requested_to_capacity_score(std::span<const ShapePoint> scaled_shape,
                                         std::int64_t requested, std::int64_t capacity) noexcept;

/// The shape with each score multiplied by 10 (MaxNodeScore / MaxCustomPriorityScore).
std::vector<ShapePoint> scale_shape(std::span<const ShapePoint> shape);

/// NodeResourcesBalancedAllocation for CPU and memory (useRequested: the pods' own requests,
/// the incoming pod's included): fractions f = requested / allocatable capped at 1 for each
/// resource with allocatable > 0; with two of them std = |f_cpu - f_mem| / 2, else 0; the score
/// is int64((1 - std) * 100), truncated.
std::int64_t balanced_allocation_score(std::int64_t cpu_requested, std::int64_t cpu_allocatable,
                                       std::int64_t memory_requested,
                                       std::int64_t memory_allocatable) noexcept;

/// helper.DefaultNormalizeScore on `scores` in place: with m the largest score, each becomes
/// 100 * s / m (integer division), or 100 - that when `reverse`; when m is 0 every score
/// becomes 100 if `reverse`, else stays as it is.
void default_normalize(std::span<std::int64_t> scores, bool reverse) noexcept;

/// PodTopologySpread's weight of a constraint with `domains` eligible domains: log(domains + 2).
inline double topology_normalizing_weight(std::size_t domains) noexcept {
  return std::log(static_cast<double>(domains) + 2.0);
}

/// PodTopologySpread's term for one constraint: cnt * weight + (maxSkew - 1), in doubles.
inline double spread_score_for_count(std::int64_t count, std::int32_t max_skew,
                                     double weight) noexcept {
  return static_cast<double>(count) * weight + static_cast<double>(max_skew - 1);
}

/// Go's math.Round (half away from zero) of a finite `x` with |x| < 2^63, as an integer.
inline std::int64_t go_round(double x) noexcept {
  // Inline rather than std::llround (a library call): the truncation is exact, and so is the
  // fraction x - trunc(x) (Sterbenz for |x| >= 1, x itself below).
  const auto t = static_cast<std::int64_t>(x);
  const double fraction = x - static_cast<double>(t);
  return t + (fraction >= 0.5 ? 1 : 0) - (fraction <= -0.5 ? 1 : 0);
}

/// PodTopologySpread's NormalizeScore for one node scored `s`, given the smallest and largest
/// scores among the nodes not ignored: 100 when the largest is 0, else
/// 100 * (max + min - s) / max (integer division).
constexpr std::int64_t spread_normalize(std::int64_t s, std::int64_t min_score,
                                        std::int64_t max_score) noexcept {
  if (max_score == 0) return kMaxNodeScore;
  return kMaxNodeScore * (max_score + min_score - s) / max_score;
}

/// InterPodAffinity's NormalizeScore for one node scored `s`: int64(100 * ((s - min) /
/// (max - min))) in doubles, or 0 when max == min.
inline std::int64_t inter_pod_normalize(std::int64_t s, std::int64_t min_score,
                                        std::int64_t max_score) noexcept {
  const std::int64_t diff = max_score - min_score;
  if (diff <= 0) return 0;
  return static_cast<std::int64_t>(static_cast<double>(kMaxNodeScore) *
                                   (static_cast<double>(s - min_score) /
                                    static_cast<double>(diff)));
}

/// Kubernetes' numFeasibleNodesToFind for a cluster of `nodes` nodes and a configured
/// percentageOfNodesToScore `percentage` (0: adaptive, 50 - nodes / 125, at least 5): all nodes
/// under 100, else nodes * percentage / 100 but at least 100.
std::uint32_t feasible_nodes_to_find(std::uint32_t nodes, std::uint32_t percentage) noexcept;

}  // namespace ecsim::eks
