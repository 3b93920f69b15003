#pragma once

/// EKS on Fargate: which Fargate profile takes a pod, and the Fargate size a pod runs on.
/// Source: the Amazon EKS User Guide, "Define which Pods use AWS Fargate when launched" (a pod
/// matches a profile when its namespace is a selector's and its labels include every label of
/// that selector; the label eks.amazonaws.com/fargate-profile names the profile when several
/// match) and "Understand Fargate Pod configuration details" (one pod per Fargate node; the
/// larger of the largest init container's requests and the sum of the other containers'; 256 MB
/// added for the kubelet, kube-proxy and containerd; rounded up to the next Fargate size; with
/// no requests the smallest, 0.25 vCPU and 0.5 GB). Where several profiles match and the pod
/// names none, AWS picks one at random; ecsim takes the first in the file (all profiles run
/// the same way in ecsim: subnets are not simulated).

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "ecsim/eks/node_group.hpp"
#include "ecsim/eks/objects.hpp"
#include "ecsim/platform/fargate.hpp"

namespace ecsim::eks {

/// The memory Fargate adds to every pod for its Kubernetes components, MiB.
inline constexpr std::uint32_t kFargatePodOverheadMib = 256;

/// The label that chooses among several matching profiles.
inline constexpr std::string_view kFargateProfileLabel = "eks.amazonaws.com/fargate-profile";

/// The index of the profile of `profiles` that takes a pod of `name_space` with `labels`;
/// none: the pod runs on the cluster's nodes.
[[nodiscard]] std::optional<std::size_t> fargate_profile_of(
    const std::vector<FargateProfile>& profiles, std::string_view name_space,
    const Labels& labels);

/// The profile that takes the pods of a workload of `name_space` with template `pod`: none for
/// a DaemonSet's (`daemon_set`; DaemonSets do not run on Fargate) and for a pod bound by
/// spec.nodeName (its node's kubelet runs it), else as fargate_profile_of.
[[nodiscard]] std::optional<std::size_t> fargate_profile_for(
    const std::vector<FargateProfile>& profiles, std::string_view name_space,
    const PodTemplate& pod, bool daemon_set);

/// The Fargate size of a pod requesting `requests` (effective requests, as the scheduler
/// counts them): CPU and memory with the 256 MiB added, rounded up; none when larger than
/// Fargate's largest (16 vCPU, 120 GiB).
[[nodiscard]] std::optional<platform::FargateSize> fargate_pod_size(const Resources& requests);

}  // namespace ecsim::eks
