// The instance-type labels of Karpenter's nodes and EKS Auto Mode's built-in NodePools (see
// karpenter.hpp); models/karpenter/README.md cites each rule.

#include "ecsim/eks/karpenter.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace ecsim::eks {

Labels instance_type_labels(const platform::InstanceType& type, std::string_view prefix) {
  Labels out;
  const auto key = [&](const char* name) { return fmt::format("{}instance-{}", prefix, name); };
  const std::string& family = type.family;
  std::size_t letters = 0;
  while (letters < family.size() && std::isalpha(static_cast<unsigned char>(family[letters])))
    ++letters;
  std::size_t digits = letters;
  while (digits < family.size() && std::isdigit(static_cast<unsigned char>(family[digits])))
    ++digits;
  const std::size_t dot = type.name.find('.');
  out[key("family")] = family;
  out[key("category")] = family.substr(0, letters);
  if (digits > letters)
    out[key("generation")] = family.substr(letters, digits - letters);
  if (dot != std::string::npos) out[key("size")] = type.name.substr(dot + 1);
  out[key("cpu")] = fmt::format("{}", type.vcpu);
  out[key("memory")] = fmt::format("{}", type.memory_mib);
  out[key("gpu-count")] = fmt::format("{}", type.gpus);
  return out;
}

std::vector<NodePool> auto_mode_node_pools(std::span<const std::string> names) {
  std::vector<NodePool> out;
  for (const std::string& name : names) {
    NodePool p;
    p.meta.name = name;
    p.meta.name_space.clear();
    p.node_class = "default";
    p.auto_mode_class = true;
    const bool system = name == "system";
    p.requirements = {
        {"karpenter.sh/capacity-type", SelectorOperator::kIn, {"on-demand"}},
        {"eks.amazonaws.com/instance-category", SelectorOperator::kIn, {"c", "m", "r"}},
        {"eks.amazonaws.com/instance-generation", SelectorOperator::kGt, {"4"}},
        {"kubernetes.io/arch", SelectorOperator::kIn,
         system ? std::vector<std::string>{"amd64", "arm64"} : std::vector<std::string>{"amd64"}},
        {"kubernetes.io/os", SelectorOperator::kIn, {"linux"}},
    };
    if (system) p.taints.push_back({"CriticalAddonsOnly", "", TaintEffect::kNoSchedule});
    p.expire_after = std::chrono::hours(336);
    p.consolidate_after = std::chrono::seconds(30);
    p.termination_grace_period = std::chrono::hours(24);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace ecsim::eks
