#include <catch2/catch.hpp>

#include "ecsim/eks/disruption.hpp"

using namespace ecsim::eks;

namespace {

PodDisruptionBudget min_available(IntOrPercent v) {
  PodDisruptionBudget pdb;
  pdb.min_available = v;
  return pdb;
}

PodDisruptionBudget max_unavailable(IntOrPercent v) {
  PodDisruptionBudget pdb;
  pdb.max_unavailable = v;
  return pdb;
}

}  // namespace

TEST_CASE("a budget's minAvailable or maxUnavailable, integer or percent rounded up", "[eks]") {
  // minAvailable 2 of 3: 2 healthy needed; with 3 healthy one eviction is allowed.
  CHECK(desired_healthy(min_available({2, false}), 3) == 2);
  CHECK(disruptions_allowed(min_available({2, false}), 3, 3) == 1);
  CHECK(disruptions_allowed(min_available({2, false}), 3, 2) == 0);
  // minAvailable 50% of 5: ceil(2.5) = 3.
  CHECK(desired_healthy(min_available({50, true}), 5) == 3);
  // maxUnavailable 1 of 4: 3 healthy needed.
  CHECK(desired_healthy(max_unavailable({1, false}), 4) == 3);
  // maxUnavailable 30% of 5: ceil(1.5) = 2 may be unavailable, so 3 healthy needed.
  CHECK(desired_healthy(max_unavailable({30, true}), 5) == 3);
  // minAvailable 100%: nothing may be evicted; maxUnavailable 0 the same.
  CHECK(disruptions_allowed(min_available({100, true}), 4, 4) == 0);
  CHECK(disruptions_allowed(max_unavailable({0, false}), 4, 4) == 0);
  // Fewer healthy than required: 0, never negative.
  CHECK(disruptions_allowed(min_available({3, false}), 3, 1) == 0);
}

TEST_CASE("a Deployment's maxSurge rounds up, maxUnavailable down, never both 0", "[eks]") {
  Deployment d;  // 25% / 25%
  // 10 replicas: surge ceil(2.5) = 3, unavailable floor(2.5) = 2.
  CHECK(rolling_limits(d, 10) == RollingLimits{3, 2});
  // 1 replica: surge ceil(0.25) = 1, unavailable floor(0.25) = 0.
  CHECK(rolling_limits(d, 1) == RollingLimits{1, 0});
  d.max_surge = {0, false};
  // maxSurge 0 and 25% of 3 = floor(0.75) = 0: maxUnavailable becomes 1.
  CHECK(rolling_limits(d, 3) == RollingLimits{0, 1});
  d.max_unavailable = {2, false};
  CHECK(rolling_limits(d, 3) == RollingLimits{0, 2});
}
