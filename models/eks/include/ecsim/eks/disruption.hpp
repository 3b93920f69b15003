#pragma once

/// The arithmetic of PodDisruptionBudgets and rolling updates, as pure functions on plain
/// numbers (the disruption controller's and the Deployment controller's rules).

#include <cstdint>

#include "ecsim/eks/objects.hpp"

namespace ecsim::eks {

/// `v` as a count of `total`: the integer itself, or percent x total / 100 rounded up
/// (`round_up`) or down. Kubernetes' GetScaledValueFromIntOrPercent.
std::int64_t scaled_value(const IntOrPercent& v, std::int64_t total, bool round_up) noexcept;

/// How many of `expected` pods a budget requires healthy: minAvailable (a percentage rounded
/// up), or expected less maxUnavailable (a percentage rounded up), never below 0.
std::int64_t desired_healthy(const PodDisruptionBudget& pdb, std::int64_t expected) noexcept;

/// Evictions the budget allows now: healthy less desired_healthy, never below 0.
std::int64_t disruptions_allowed(const PodDisruptionBudget& pdb, std::int64_t expected,
                                 std::int64_t healthy) noexcept;

/// A Deployment's rolling-update limits for `replicas`: maxSurge rounded up, maxUnavailable
/// rounded down; if both come to 0, maxUnavailable is 1 (as the controller does).
struct RollingLimits {
  std::int64_t max_surge = 0;        ///< pods above replicas, at most
  std::int64_t max_unavailable = 0;  ///< pods below replicas that may be unavailable, at most

  friend bool operator==(const RollingLimits&, const RollingLimits&) = default;
};

/// The limits of `deployment` at `replicas`.
RollingLimits rolling_limits(const Deployment& deployment, std::int64_t replicas) noexcept;

}  // namespace ecsim::eks
