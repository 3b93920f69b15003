// PodDisruptionBudget and RollingUpdate arithmetic. Sources: the Kubernetes documentation
// ("Specifying a Disruption Budget for your Application": percentages of minAvailable and
// maxUnavailable are rounded up; "Deployments": maxSurge is rounded up, maxUnavailable down,
// and both cannot be 0) and the disruption controller (disruptionsAllowed = currentHealthy -
// desiredHealthy, at least 0).

#include "ecsim/eks/disruption.hpp"

#include <algorithm>

namespace ecsim::eks {

std::int64_t scaled_value(const IntOrPercent& v, std::int64_t total, bool round_up) noexcept {
  if (!v.percent) return v.value;
  const std::int64_t product = v.value * total;
  return round_up ? (product + 99) / 100 : product / 100;
}

std::int64_t desired_healthy(const PodDisruptionBudget& pdb, std::int64_t expected) noexcept {
  if (pdb.min_available) return std::max<std::int64_t>(0, scaled_value(*pdb.min_available, expected, true));
  if (pdb.max_unavailable)
    return std::max<std::int64_t>(0, expected - scaled_value(*pdb.max_unavailable, expected, true));
  return 0;
}

std::int64_t disruptions_allowed(const PodDisruptionBudget& pdb, std::int64_t expected,
                                 std::int64_t healthy) noexcept {
  return std::max<std::int64_t>(0, healthy - desired_healthy(pdb, expected));
}

RollingLimits rolling_limits(const Deployment& deployment, std::int64_t replicas) noexcept {
  RollingLimits limits{scaled_value(deployment.max_surge, replicas, true),
                       scaled_value(deployment.max_unavailable, replicas, false)};
  if (limits.max_surge == 0 && limits.max_unavailable == 0) limits.max_unavailable = 1;
  return limits;
}

}  // namespace ecsim::eks
