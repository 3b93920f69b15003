// The nodes of Karpenter's NodePools as they register: a NodePool's labels and taints, the
// well-known labels of its offering (instance type, zone, capacity type), and the
// EC2NodeClass's pod limits. Karpenter itself is models/karpenter.

#include "ecsim/eks/karpenter.hpp"
#include "ecsim/eks/runtime.hpp"

namespace ecsim::eks {

NodeSpec Runtime::pool_node_spec(const ClusterState& rt, std::uint32_t pool,
                                 const platform::InstanceType& type, AzId az, bool spot,
                                 std::string name) const {
  const NodePool& np = rt.config->manifests.node_pools[pool];
  NodeSpec spec;
  spec.name = std::move(name);
  spec.labels = np.labels;
  // A requirement of a key no offering sets (a label of the user's) gives the node its value.
  for (const SelectorRequirement& r : np.requirements)
    if (r.op == SelectorOperator::kIn && !r.values.empty() && !spec.labels.contains(r.key))
      spec.labels[r.key] = r.values.front();
  for (auto& [key, value] :
       instance_type_labels(type, np.auto_mode_class ? "eks.amazonaws.com/" : "karpenter.k8s.aws/"))
    spec.labels[key] = std::move(value);
  const char* arch = type.arch == platform::Arch::kArm64 ? "arm64" : "amd64";
  spec.labels["kubernetes.io/hostname"] = spec.name;
  spec.labels["topology.kubernetes.io/zone"] = platform_config_.azs[az.value()];
  spec.labels["topology.kubernetes.io/region"] = platform_config_.region;
  spec.labels["node.kubernetes.io/instance-type"] = type.name;
  spec.labels["kubernetes.io/os"] = "linux";
  spec.labels["kubernetes.io/arch"] = arch;
  spec.labels["beta.kubernetes.io/os"] = "linux";
  spec.labels["beta.kubernetes.io/arch"] = arch;
  spec.labels["karpenter.sh/capacity-type"] = spot ? "spot" : "on-demand";
  spec.labels["karpenter.sh/nodepool"] = np.meta.name;
  spec.taints = np.taints;
  spec.cpu_millis = type.eks_allocatable_cpu_m;
  spec.memory_bytes = static_cast<std::int64_t>(type.eks_allocatable_memory_mib) * 1024 * 1024;
  spec.pods = type.eks_allocatable_pods;
  const auto nc = std::find_if(rt.config->manifests.node_classes.begin(),
                               rt.config->manifests.node_classes.end(),
                               [&](const NodeClass& c) { return c.meta.name == np.node_class; });
  if (nc != rt.config->manifests.node_classes.end()) {
    if (nc->max_pods) spec.pods = *nc->max_pods;
    if (nc->pods_per_core)
      spec.pods = std::min<std::int64_t>(spec.pods, std::int64_t{*nc->pods_per_core} * type.vcpu);
  }
  return spec;
}

}  // namespace ecsim::eks
