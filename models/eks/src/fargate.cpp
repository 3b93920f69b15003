#include "ecsim/eks/fargate.hpp"

#include <algorithm>

namespace ecsim::eks {
namespace {

bool selector_matches(const FargateSelector& s, std::string_view name_space,
                      const Labels& labels) {
  if (s.name_space != name_space) return false;
  return std::all_of(s.labels.begin(), s.labels.end(), [&](const auto& kv) {
    const auto it = labels.find(kv.first);
    return it != labels.end() && it->second == kv.second;
  });
}

}  // namespace

std::optional<std::size_t> fargate_profile_of(const std::vector<FargateProfile>& profiles,
                                              std::string_view name_space,
                                              const Labels& labels) {
  const auto named = labels.find(std::string(kFargateProfileLabel));
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    if (named != labels.end() && profiles[i].name != named->second) continue;
    for (const FargateSelector& s : profiles[i].selectors)
      if (selector_matches(s, name_space, labels)) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> fargate_profile_for(const std::vector<FargateProfile>& profiles,
                                               std::string_view name_space,
                                               const PodTemplate& pod, bool daemon_set) {
  if (daemon_set || !pod.spec.node_name.empty()) return std::nullopt;
  return fargate_profile_of(profiles, name_space, pod.labels);
}

std::optional<platform::FargateSize> fargate_pod_size(const Resources& requests) {
  constexpr std::int64_t kMiB = 1024 * 1024;
  // 1024 CPU units are one vCPU, 1000 millicores; both round up.
  const std::int64_t millis = std::max<std::int64_t>(requests.cpu_millis, 0);
  const std::int64_t bytes = std::max<std::int64_t>(requests.memory_bytes, 0);
  const auto cpu_units = static_cast<std::uint64_t>((millis * 1024 + 999) / 1000);
  const auto memory_mib =
      static_cast<std::uint64_t>((bytes + kMiB - 1) / kMiB) + kFargatePodOverheadMib;
  return platform::fargate_size_at_least(cpu_units, memory_mib);
}

}  // namespace ecsim::eks
