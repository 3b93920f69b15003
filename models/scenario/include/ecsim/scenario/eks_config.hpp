#pragma once

/// The EKS clusters of a scenario, as models/eks defines them (eks/cluster_spec.hpp); the names
/// the readers use.

#include "ecsim/eks/cluster_spec.hpp"

namespace ecsim::scenario {

using eks::kDefaultNodeMonitorGrace;
using eks::kDefaultTolerationSeconds;
using eks::kSchedulerProfiles;
using eks::SchedulerConfig;
using eks::UtilizationShapePoint;
using EksJobConfig = eks::JobSpec;
using EksOperation = eks::Operation;
using EksClusterConfig = eks::ClusterSpec;

}  // namespace ecsim::scenario
