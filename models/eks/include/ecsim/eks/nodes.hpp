#pragma once

/// The nodes of one Kubernetes cluster as the scheduler sees them, as a structure of arrays:
/// allocatable and requested resources, pods, interned labels and taints, cordon and readiness,
/// host ports in use. Filters and scores scan these columns; the Scheduler adds the per-selector
/// counts that inter-pod affinity and topology spreading need on top.

#include <cstdint>
#include <optional>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ecsim/eks/labels.hpp"
#include "ecsim/eks/objects.hpp"

namespace ecsim::eks {

/// A node's slot in a NodeTable; slots of removed nodes are reused by later nodes.
using NodeIndex = std::uint32_t;
/// "No node".
inline constexpr NodeIndex kNoNode = std::numeric_limits<NodeIndex>::max();
/// The id of a distinct list of taints (nodes with the same taints share one).
using TaintSetId = std::uint32_t;

/// The key of the taint the node controller puts on a node that is not ready.
inline constexpr std::string_view kNotReadyTaintKey = "node.kubernetes.io/not-ready";
/// The taint of a node whose Ready condition is Unknown: its kubelet stopped posting status (its
/// instance is cut off, or gone). ecsim's NotReady nodes are all such.
inline constexpr std::string_view kUnreachableTaintKey = "node.kubernetes.io/unreachable";
/// The key of the taint that stands for spec.unschedulable (cordon) in NodeUnschedulable.
inline constexpr std::string_view kUnschedulableTaintKey = "node.kubernetes.io/unschedulable";

/// What a node registers with.
struct NodeSpec {
  std::string name;              ///< metadata.name; also the hostname label when it has none
  Labels labels;                 ///< including topology.kubernetes.io/zone where known
  std::vector<Taint> taints;     ///< spec.taints, in order
  std::int64_t cpu_millis = 0;   ///< allocatable CPU, millicores
  std::int64_t memory_bytes = 0; ///< allocatable memory, bytes
  std::int64_t pods = 110;       ///< allocatable pods
  bool unschedulable = false;    ///< spec.unschedulable (cordoned)
  bool ready = true;             ///< the Ready condition
};

/// A pod's requests as the node table counts them.
struct PodResources {
  std::int64_t cpu_millis = 0;            ///< requests, millicores
  std::int64_t memory_bytes = 0;          ///< requests, bytes
  std::int64_t nonzero_cpu_millis = 0;    ///< requests with 100m for none (scoring only)
  std::int64_t nonzero_memory_bytes = 0;  ///< requests with 200 MiB for none (scoring only)

  friend bool operator==(const PodResources&, const PodResources&) = default;
};

/// A pod's `requests`, and for scoring `nonzero` (its requests with the scheduler's defaults for
/// each container's missing CPU and memory), or when none is given `requests` as one
/// container's: 100m for no CPU, 200 MiB for no memory.
PodResources pod_resources(const Resources& requests,
                           const std::optional<Resources>& nonzero = std::nullopt) noexcept;

/// A host port in use: protocol in the high 16 bits (0 TCP, 1 UDP, 2 SCTP), port in the low 16.
using HostPortKey = std::uint32_t;
/// The key of `port`.
HostPortKey host_port_key(const HostPort& port) noexcept;

/// A taint with interned key and value.
struct InternedTaint {
  LabelKey key = 0;                               ///< the key's id
  LabelValue value = 0;                           ///< the value's id (of "" when empty)
  TaintEffect effect = TaintEffect::kNoSchedule;  ///< NoSchedule, PreferNoSchedule, NoExecute

  friend bool operator==(const InternedTaint&, const InternedTaint&) = default;
};

/// The node columns. Owns its label interner (shared with the pods through `interner()`).
class NodeTable {
 public:
  /// An empty table.
  NodeTable() = default;

  /// Adds a node (reusing a removed node's slot if any) and returns its slot.
  NodeIndex add(const NodeSpec& spec);
  /// Removes node `i`; its slot may be reused. Its pods must have been unbound.
  void remove(NodeIndex i);
  /// Cordons (true) or uncordons node `i`.
  void set_unschedulable(NodeIndex i, bool unschedulable);
  /// Sets node `i`'s Ready condition; a node that is not ready carries the not-ready taint
  /// (NoSchedule), as the node lifecycle controller puts it.
  void set_ready(NodeIndex i, bool ready);
  /// Replaces node `i`'s labels (the hostname label defaults to the name again).
  void set_labels(NodeIndex i, const Labels& labels);
  /// Replaces node `i`'s taints.
  void set_taints(NodeIndex i, const std::vector<Taint>& taints);

  /// Counts a pod's requests and host ports on node `i`.
  void bind(NodeIndex i, const PodResources& pod, std::span<const HostPortKey> ports);
  /// Takes a pod's requests and host ports off node `i`.
  void unbind(NodeIndex i, const PodResources& pod, std::span<const HostPortKey> ports);

  /// Slots in use or freed (1 + the largest slot ever used).
  [[nodiscard]] std::size_t size() const noexcept { return present_.size(); }
  /// Nodes present.
  [[nodiscard]] std::size_t count() const noexcept { return count_; }
  /// Whether slot `i` holds a node (not removed).
  [[nodiscard]] bool present(NodeIndex i) const { return present_[i] != 0; }
  /// Whether node `i` is cordoned (spec.unschedulable).
  [[nodiscard]] bool unschedulable(NodeIndex i) const { return schedulable_[i] == 0; }
  /// Whether node `i` is Ready.
  [[nodiscard]] bool ready(NodeIndex i) const { return ready_[i] != 0; }
  /// Node `i`'s name (metadata.name).
  [[nodiscard]] const std::string& name(NodeIndex i) const { return names_[i]; }
  /// The node's name as an interned value (spec.nodeName compares with it).
  [[nodiscard]] LabelValue name_id(NodeIndex i) const { return name_ids_[i]; }
  /// The node slot called `name`, or kNoNode.
  [[nodiscard]] NodeIndex find(std::string_view name) const;
  /// Allocatable CPU of node `i`, millicores.
  [[nodiscard]] std::int64_t allocatable_cpu(NodeIndex i) const { return alloc_cpu_[i]; }
  /// Allocatable memory of node `i`, bytes.
  [[nodiscard]] std::int64_t allocatable_memory(NodeIndex i) const { return alloc_mem_[i]; }
  /// Allocatable pods of node `i`.
  [[nodiscard]] std::int64_t allocatable_pods(NodeIndex i) const { return alloc_pods_[i]; }
  /// CPU requested by the pods bound to node `i`, millicores, as the filter counts it.
  [[nodiscard]] std::int64_t requested_cpu(NodeIndex i) const { return req_cpu_[i]; }
  /// Memory requested by the pods bound to node `i`, bytes, as the filter counts it.
  [[nodiscard]] std::int64_t requested_memory(NodeIndex i) const { return req_mem_[i]; }
  /// requested_cpu with 100m for each pod that requests none (scoring), millicores.
  [[nodiscard]] std::int64_t nonzero_requested_cpu(NodeIndex i) const { return nz_cpu_[i]; }
  /// requested_memory with 200 MiB for each pod that requests none (scoring), bytes.
  [[nodiscard]] std::int64_t nonzero_requested_memory(NodeIndex i) const { return nz_mem_[i]; }
  /// Pods bound.
  [[nodiscard]] std::int64_t pods(NodeIndex i) const { return pods_[i]; }
  /// Interned labels, sorted by key.
  [[nodiscard]] const InternedLabels& labels(NodeIndex i) const { return labels_[i]; }
  /// The value of `key` on node `i`, or kNoValue.
  [[nodiscard]] LabelValue label(NodeIndex i, LabelKey key) const {
    return label_value(labels_[i], key);
  }
  /// The taints in force on node `i` (its own, then the not-ready taint when not ready).
  [[nodiscard]] TaintSetId taint_set(NodeIndex i) const { return taint_set_[i]; }
  /// The taints of a taint set, in order.
  [[nodiscard]] const std::vector<InternedTaint>& taints(TaintSetId s) const {
    return taint_sets_[s];
  }
  /// Distinct taint sets so far (ids are dense from 0; 0 is "no taints").
  [[nodiscard]] std::size_t taint_sets() const noexcept { return taint_sets_.size(); }
  /// Whether host port `port` is in use on node `i`.
  [[nodiscard]] bool port_in_use(NodeIndex i, HostPortKey port) const;
  /// Whether any pod with host ports is bound on node `i`.
  [[nodiscard]] bool has_ports(NodeIndex i) const { return !ports_[i].empty(); }
  /// Incremented on every change of any node's labels, taints, presence or cordon.
  [[nodiscard]] std::uint64_t shape_epoch() const noexcept { return shape_epoch_; }
  /// Nodes present that carry a PreferNoSchedule taint.
  [[nodiscard]] std::size_t prefer_no_schedule_nodes() const noexcept { return prefer_nodes_; }

  /// Raw views of the columns the scheduler's passes read (valid until the next add).
  struct Columns {
    const std::uint8_t* present;             ///< 1 where the slot holds a node
    const std::uint8_t* schedulable;         ///< 1 where the node is not cordoned
    const TaintSetId* taint_set;             ///< the taints in force
    const std::int64_t* allocatable_cpu;     ///< millicores
    const std::int64_t* allocatable_memory;  ///< bytes
    std::size_t size;                        ///< slots
  };
  /// The columns, for vectorised passes.
  [[nodiscard]] Columns columns() const noexcept {
    return {present_.data(), schedulable_.data(), taint_set_.data(), alloc_cpu_.data(),
            alloc_mem_.data(), present_.size()};
  }

  /// The interner of label keys and values, shared with the pods.
  [[nodiscard]] LabelInterner& interner() noexcept { return interner_; }
  [[nodiscard]] const LabelInterner& interner() const noexcept { return interner_; }

 private:
  TaintSetId intern_taints(std::vector<InternedTaint> taints);
  void refresh_taint_set(NodeIndex i);
  void count_prefer(NodeIndex i, int sign);

  LabelInterner interner_;
  std::size_t count_ = 0;
  std::uint64_t shape_epoch_ = 0;
  std::size_t prefer_nodes_ = 0;
  // One byte per flag so that filter passes AND whole columns.
  std::vector<std::uint8_t> present_, schedulable_, ready_;
  std::vector<std::int64_t> alloc_cpu_, alloc_mem_, alloc_pods_;
  std::vector<std::int64_t> req_cpu_, req_mem_, nz_cpu_, nz_mem_, pods_;
  std::vector<TaintSetId> taint_set_;
  std::vector<std::vector<InternedTaint>> own_taints_;  // spec.taints per node
  std::vector<InternedLabels> labels_;
  std::vector<std::string> names_;
  std::vector<LabelValue> name_ids_;
  std::vector<std::vector<HostPortKey>> ports_;  // a multiset, unsorted
  std::vector<NodeIndex> free_;
  std::unordered_map<std::string, NodeIndex> by_name_;
  std::vector<std::vector<InternedTaint>> taint_sets_{{}};
  std::unordered_map<std::string, TaintSetId> taint_set_ids_{{"", 0}};
};

}  // namespace ecsim::eks
