#include "ecsim/eks/nodes.hpp"

#include <algorithm>

#include "ecsim/eks/scoring.hpp"
#include "ecsim/sim/assert.hpp"

namespace ecsim::eks {
namespace {

InternedLabels node_labels(const std::string& name, const Labels& labels, LabelInterner& in) {
  InternedLabels out = intern_labels(labels, in);
  if (label_value(out, kHostnameKey) == kNoValue) {
    out.push_back({kHostnameKey, in.value(name)});
    std::sort(out.begin(), out.end(),
              [](const LabelPair& a, const LabelPair& b) { return a.key < b.key; });
  }
  return out;
}

std::vector<InternedTaint> intern(const std::vector<Taint>& taints, LabelInterner& in) {
  std::vector<InternedTaint> out;
  out.reserve(taints.size());
  for (const Taint& t : taints) out.push_back({in.key(t.key), in.value(t.value), t.effect});
  return out;
}

template <class T>
void grow(std::vector<T>& v, std::size_t n, const T& value) {
  if (v.size() < n) v.resize(n, value);
}

}  // namespace

PodResources pod_resources(const Resources& r, const std::optional<Resources>& nonzero) noexcept {
  if (nonzero) return {r.cpu_millis, r.memory_bytes, nonzero->cpu_millis, nonzero->memory_bytes};
  return {r.cpu_millis, r.memory_bytes,
          r.cpu_millis != 0 ? r.cpu_millis : kDefaultMilliCpuRequest,
          r.memory_bytes != 0 ? r.memory_bytes : kDefaultMemoryRequest};
}

HostPortKey host_port_key(const HostPort& port) noexcept {
  const std::uint32_t protocol = port.protocol == "UDP" ? 1U : port.protocol == "SCTP" ? 2U : 0U;
  return (protocol << 16) | (static_cast<std::uint32_t>(port.port) & 0xffffU);
}

NodeIndex NodeTable::add(const NodeSpec& spec) {
  ECSIM_ASSERT(!by_name_.contains(spec.name), "node names are unique");
  ECSIM_ASSERT(spec.cpu_millis >= 0 && spec.memory_bytes >= 0 && spec.pods >= 0,
               "allocatable amounts are non-negative");
  NodeIndex i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
  } else {
    i = static_cast<NodeIndex>(present_.size());
    const std::size_t n = std::size_t{i} + 1;
    grow(present_, n, std::uint8_t{0});
    grow(schedulable_, n, std::uint8_t{0});
    grow(ready_, n, std::uint8_t{0});
    for (auto* column : {&alloc_cpu_, &alloc_mem_, &alloc_pods_, &req_cpu_, &req_mem_, &nz_cpu_,
                         &nz_mem_, &pods_})
      grow(*column, n, std::int64_t{0});
    grow(taint_set_, n, TaintSetId{0});
    own_taints_.resize(n);
    labels_.resize(n);
    names_.resize(n);
    grow(name_ids_, n, kNoValue);
    ports_.resize(n);
  }
  present_[i] = 1;
  schedulable_[i] = spec.unschedulable ? 0 : 1;
  ready_[i] = spec.ready ? 1 : 0;
  alloc_cpu_[i] = spec.cpu_millis;
  alloc_mem_[i] = spec.memory_bytes;
  alloc_pods_[i] = spec.pods;
  req_cpu_[i] = req_mem_[i] = nz_cpu_[i] = nz_mem_[i] = pods_[i] = 0;
  names_[i] = spec.name;
  name_ids_[i] = interner_.value(spec.name);
  labels_[i] = node_labels(spec.name, spec.labels, interner_);
  own_taints_[i] = intern(spec.taints, interner_);
  ports_[i].clear();
  refresh_taint_set(i);
  count_prefer(i, +1);
  by_name_.emplace(spec.name, i);
  ++count_;
  ++shape_epoch_;
  return i;
}

void NodeTable::remove(NodeIndex i) {
  ECSIM_ASSERT(present(i), "removing a node that is present");
  ECSIM_ASSERT(pods_[i] == 0, "a node is removed after its pods are unbound");
  count_prefer(i, -1);
  present_[i] = 0;
  schedulable_[i] = 0;
  by_name_.erase(names_[i]);
  labels_[i].clear();
  taint_set_[i] = 0;
  free_.push_back(i);
  --count_;
  ++shape_epoch_;
}

void NodeTable::set_unschedulable(NodeIndex i, bool unschedulable) {
  schedulable_[i] = unschedulable ? 0 : 1;
  ++shape_epoch_;
}

void NodeTable::set_ready(NodeIndex i, bool ready) {
  count_prefer(i, -1);
  ready_[i] = ready ? 1 : 0;
  refresh_taint_set(i);
  count_prefer(i, +1);
  ++shape_epoch_;
}

void NodeTable::set_labels(NodeIndex i, const Labels& labels) {
  labels_[i] = node_labels(names_[i], labels, interner_);
  ++shape_epoch_;
}

void NodeTable::set_taints(NodeIndex i, const std::vector<Taint>& taints) {
  count_prefer(i, -1);
  own_taints_[i] = intern(taints, interner_);
  refresh_taint_set(i);
  count_prefer(i, +1);
  ++shape_epoch_;
}

void NodeTable::bind(NodeIndex i, const PodResources& pod, std::span<const HostPortKey> ports) {
  ECSIM_ASSERT(present(i), "pods bind to nodes that are present");
  req_cpu_[i] += pod.cpu_millis;
  req_mem_[i] += pod.memory_bytes;
  nz_cpu_[i] += pod.nonzero_cpu_millis;
  nz_mem_[i] += pod.nonzero_memory_bytes;
  ++pods_[i];
  ports_[i].insert(ports_[i].end(), ports.begin(), ports.end());
}

void NodeTable::unbind(NodeIndex i, const PodResources& pod, std::span<const HostPortKey> ports) {
  ECSIM_ASSERT(pods_[i] > 0, "unbinding a pod that was bound");
  req_cpu_[i] -= pod.cpu_millis;
  req_mem_[i] -= pod.memory_bytes;
  nz_cpu_[i] -= pod.nonzero_cpu_millis;
  nz_mem_[i] -= pod.nonzero_memory_bytes;
  --pods_[i];
  for (const HostPortKey p : ports) {
    const auto it = std::find(ports_[i].begin(), ports_[i].end(), p);
    ECSIM_ASSERT(it != ports_[i].end(), "unbinding a host port that was bound");
    *it = ports_[i].back();
    ports_[i].pop_back();
  }
}

NodeIndex NodeTable::find(std::string_view name) const {
  const auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? kNoNode : it->second;
}

bool NodeTable::port_in_use(NodeIndex i, HostPortKey port) const {
  return std::find(ports_[i].begin(), ports_[i].end(), port) != ports_[i].end();
}

TaintSetId NodeTable::intern_taints(std::vector<InternedTaint> taints) {
  std::string key;
  for (const InternedTaint& t : taints)
    key += std::to_string(t.key) + '=' + std::to_string(t.value) + ':' +
           std::to_string(static_cast<int>(t.effect)) + ';';
  const auto it = taint_set_ids_.find(key);
  if (it != taint_set_ids_.end()) return it->second;
  const auto id = static_cast<TaintSetId>(taint_sets_.size());
  taint_sets_.push_back(std::move(taints));
  taint_set_ids_.emplace(std::move(key), id);
  return id;
}

void NodeTable::refresh_taint_set(NodeIndex i) {
  std::vector<InternedTaint> taints = own_taints_[i];
  if (ready_[i] == 0) {
    // Ready Unknown (no status from the kubelet): the node lifecycle controller's
    // unreachable taint (TaintNodesByCondition), not not-ready, which is for Ready False.
    const InternedTaint unreachable{interner_.key(kUnreachableTaintKey), interner_.value(""),
                                    TaintEffect::kNoSchedule};
    if (std::find(taints.begin(), taints.end(), unreachable) == taints.end())
      taints.push_back(unreachable);
  }
  taint_set_[i] = intern_taints(std::move(taints));
}

void NodeTable::count_prefer(NodeIndex i, int sign) {
  if (present_[i] == 0) return;
  for (const InternedTaint& t : taint_sets_[taint_set_[i]]) {
    if (t.effect == TaintEffect::kPreferNoSchedule) {
      prefer_nodes_ = sign > 0 ? prefer_nodes_ + 1 : prefer_nodes_ - 1;
      return;
    }
  }
}

}  // namespace ecsim::eks
