#pragma once

/// What EKS knows of Karpenter's objects (karpenter.sh/v1 NodePool, karpenter.k8s.aws/v1
/// EC2NodeClass, in objects.hpp): the well-known labels of an instance type its nodes carry, and
/// EKS Auto Mode's built-in NodePools. Karpenter itself is models/karpenter, whose README cites
/// each rule.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ecsim/eks/objects.hpp"
#include "ecsim/platform/catalog.hpp"

namespace ecsim::eks {

/// The well-known labels of an instance type, `prefix` then instance-category (the family's
/// leading letters), -family, -generation (the digits after them), -size (after the dot), -cpu,
/// -memory (MiB), -gpu-count: Karpenter's AWS provider's with "karpenter.k8s.aws/", EKS Auto
/// Mode's with "eks.amazonaws.com/".
Labels instance_type_labels(const platform::InstanceType& type,
                            std::string_view prefix = "karpenter.k8s.aws/");

/// EKS Auto Mode's built-in NodePools named in `names` ("general-purpose", "system"), as AWS
/// documents them: On-Demand C, M and R instances of generation 5 or later; general-purpose
/// amd64 only, system amd64 or arm64 and tainted CriticalAddonsOnly; consolidated when empty or
/// underutilized after 30 s, expiring after 336 h, the default budget.
std::vector<NodePool> auto_mode_node_pools(std::span<const std::string> names);

}  // namespace ecsim::eks
