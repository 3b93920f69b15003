#pragma once

/// EKS node groups as an eksctl ClusterConfig describes them, after eksctl's defaults: managed
/// (`managedNodeGroups`) or self-managed (`nodeGroups`), each an Auto Scaling group of one
/// instance type over some zones, with the labels and taints its nodes register with.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecsim/eks/objects.hpp"
#include "ecsim/platform/config.hpp"
#include "ecsim/sim/ids.hpp"

namespace ecsim::eks {

/// A self-managed node group's instancesDistribution (EC2 Auto Scaling's mixed instances policy).
struct NodeGroupDistribution {
  std::uint32_t on_demand_base = 0;       ///< onDemandBaseCapacity (default 0)
  std::uint32_t on_demand_percent = 100;  ///< onDemandPercentageAboveBaseCapacity (default 100)
  /// spotAllocationStrategy (the Auto Scaling group's default, lowest-price).
  platform::SpotAllocation spot_allocation = platform::SpotAllocation::kLowestPrice;
  std::uint32_t spot_pools = 2;           ///< spotInstancePools (ASG's default 2)

  friend bool operator==(const NodeGroupDistribution&, const NodeGroupDistribution&) = default;
};

/// A node group of an EKS cluster.
struct NodeGroupConfig {
  std::string name;
  bool managed = true;                 ///< managedNodeGroups (true) or nodeGroups (false)
  std::string instance_type;           ///< a type of the EC2 catalog
  std::uint32_t min = 0;               ///< minSize (eksctl's default: desiredCapacity)
  std::uint32_t max = 0;               ///< maxSize (eksctl's default: desiredCapacity)
  std::uint32_t desired = 2;           ///< desiredCapacity (eksctl's default: 2)
  std::vector<std::string> azs;        ///< availabilityZones; empty: the cluster's
  Labels labels;                       ///< labels its nodes register with
  std::vector<Taint> taints;           ///< taints its nodes register with
  bool spot = false;                   ///< Spot capacity (without a distribution)
  bool windows = false;                ///< amiFamily WindowsServer*: nodes of os windows
  /// Every type listed (managed: instanceTypes; self-managed: instancesDistribution's), the
  /// first being `instance_type`; empty when the group names one type.
  std::vector<std::string> instance_types;
  /// A self-managed group's instancesDistribution: its On-Demand and Spot split.
  std::optional<NodeGroupDistribution> distribution;
  /// updateConfig: nodes updated at a time (managed groups; default 1).
  IntOrPercent max_unavailable{1, false};
  std::optional<std::uint32_t> max_pods_per_node;  ///< maxPodsPerNode; none: the ENI formula

  friend bool operator==(const NodeGroupConfig&, const NodeGroupConfig&) = default;
};

/// One selector of a Fargate profile: a pod created in `name_space` whose labels include every
/// one of `labels` matches it.
struct FargateSelector {
  std::string name_space;  ///< namespace (required)
  Labels labels;           ///< labels; empty: every pod of the namespace

  friend bool operator==(const FargateSelector&, const FargateSelector&) = default;
};

/// A Fargate profile (`fargateProfiles`): pods matching any of its selectors run on Fargate.
struct FargateProfile {
  std::string name;
  std::vector<FargateSelector> selectors;  ///< at least one

  friend bool operator==(const FargateProfile&, const FargateProfile&) = default;
};

/// What ecsim reads of an eksctl ClusterConfig (apiVersion eksctl.io/v1alpha5).
struct ClusterConfig {
  std::string name;                    ///< metadata.name
  std::string region;                  ///< metadata.region
  std::string version;                 ///< metadata.version ("1.33"); empty: not given
  std::vector<std::string> azs;        ///< availabilityZones; empty: the scenario's zones
  std::vector<NodeGroupConfig> node_groups;  ///< self-managed first, then managed, file order
  std::vector<FargateProfile> fargate_profiles;  ///< fargateProfiles, in file order
  bool auto_mode = false;  ///< autoModeConfig.enabled: EKS Auto Mode runs the cluster's compute
  /// autoModeConfig.nodePools: Auto Mode's built-in NodePools it enables ("general-purpose",
  /// "system"); both unless the file lists others (an empty list: none).
  std::vector<std::string> auto_mode_pools;

  friend bool operator==(const ClusterConfig&, const ClusterConfig&) = default;
};

}  // namespace ecsim::eks
