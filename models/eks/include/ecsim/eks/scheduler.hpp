#pragma once

/// The kube-scheduler as a library: pods compiled once per workload into pod classes, the
/// default filter and score plugins with Kubernetes' normalisations and weights, random
/// tie-breaks from a seeded stream, profiles chosen by name, per-node explanations, and
/// DefaultPreemption. Exact: every feasible node is filtered and scored unless a profile asks
/// for Kubernetes' sampling (percentageOfNodesToScore). Counts of matching pods per node and
/// per topology domain are kept up to date on bind and unbind, so a scheduling cycle never
/// rescans the pods. models/eks/README.md ("Scheduler") gives every formula and choice.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ecsim/eks/labels.hpp"
#include "ecsim/eks/nodes.hpp"
#include "ecsim/eks/objects.hpp"
#include "ecsim/eks/scoring.hpp"
#include "ecsim/sim/ids.hpp"
#include "ecsim/sim/random.hpp"

namespace ecsim::eks {

namespace detail {
struct SchedulerState;
}  // namespace detail

/// How NodeResourcesFit scores (its scoringStrategy.type).
enum class ScoringStrategy : std::uint8_t {
  kLeastAllocated,            ///< the default: favour nodes with the most left
  kMostAllocated,             ///< favour the fullest nodes (bin packing)
  kRequestedToCapacityRatio,  ///< the profile's shape of utilisation to score
};

/// The largest weight a profile may give a score plugin (Kubernetes allows up to 100 per
/// plugin in practice; ecsim keeps the totals within 32 bits).
inline constexpr std::int64_t kMaxWeight = 10'000;

/// A scheduling profile: the score plugins' weights and NodeResourcesFit's strategy. The
/// default is kube-scheduler's default-scheduler profile.
struct Profile {
  std::string name = "default-scheduler";       ///< schedulerName pods select it by
  std::int64_t taint_toleration_weight = 3;      ///< TaintToleration
  std::int64_t node_affinity_weight = 2;         ///< NodeAffinity
  std::int64_t pod_topology_spread_weight = 2;   ///< PodTopologySpread
  std::int64_t inter_pod_affinity_weight = 2;    ///< InterPodAffinity
  std::int64_t node_resources_fit_weight = 1;    ///< NodeResourcesFit
  std::int64_t balanced_allocation_weight = 1;   ///< NodeResourcesBalancedAllocation
  ScoringStrategy strategy = ScoringStrategy::kLeastAllocated;  ///< NodeResourcesFit's
  std::int64_t cpu_weight = 1;                   ///< NodeResourcesFit's weight of CPU
  std::int64_t memory_weight = 1;                ///< NodeResourcesFit's weight of memory
  /// RequestedToCapacityRatio's shape (utilisation ascending, scores 0..10); the default
  /// favours full nodes, as the Kubernetes documentation's bin-packing example.
  std::vector<ShapePoint> shape{{0, 0}, {100, 10}};
  /// PodTopologySpread's system defaults (hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway)
  /// for controller-owned pods without constraints of their own.
  bool default_spreading = true;
  /// InterPodAffinity's hardPodAffinityWeight: what an existing pod's required affinity term
  /// matching the incoming pod adds to its domain's score.
  std::int32_t hard_pod_affinity_weight = 1;
  /// percentageOfNodesToScore: 100 (ecsim's default) filters and scores every node; 1..99
  /// stops filtering once that share of nodes (at least 100) is feasible, as kube-scheduler
  /// does, starting where the previous cycle stopped; 0 is Kubernetes' adaptive default
  /// (50% - nodes / 125, at least 5%).
  std::uint32_t percentage_of_nodes_to_score = 100;

  friend bool operator==(const Profile&, const Profile&) = default;
};

/// The names of the built-in profiles: "default-scheduler", "most-allocated",
/// "requested-to-capacity-ratio", "no-default-spreading", "kubernetes-sampling".
std::span<const std::string_view> builtin_profile_names() noexcept;
/// The built-in profile called `name`, if there is one.
std::optional<Profile> builtin_profile(std::string_view name);

/// A pod as the scheduler needs it, before compilation: namespace, labels, spec, the priority
/// its class resolves to, and its controller's selector.
struct PodDescription {
  std::string name_space = "default";  ///< metadata.namespace
  Labels labels;                       ///< metadata.labels
  PodSpec spec;                        ///< requests, affinities, tolerations, ...
  std::int32_t priority = 0;           ///< the PriorityClass value (the caller resolves it)
  bool preempt_lower_priority = true;  ///< preemptionPolicy PreemptLowerPriority (or Never)
  /// The owning controller's selector (Deployment, ReplicaSet, StatefulSet): the selector of
  /// the default topology spreading; none for a bare pod.
  std::optional<LabelSelector> owner_selector;
  std::string profile;                 ///< spec.schedulerName; empty: the first profile
};

/// A compiled pod description: every pod of one workload shares one.
using PodClassId = std::uint32_t;

/// The plugins, in the order kube-scheduler's default profile runs its filters, then the
/// score-only one.
enum class Plugin : std::uint8_t {
  kNodeUnschedulable,
  kNodeName,
  kTaintToleration,
  kNodeAffinity,
  kNodePorts,
  kNodeResourcesFit,
  kPodTopologySpread,
  kInterPodAffinity,
  kNodeResourcesBalancedAllocation,
};
/// The plugin's name as in Kubernetes ("NodeResourcesFit", ...).
std::string_view to_string(Plugin plugin) noexcept;

/// The score plugins, in the order their details appear in an explanation.
inline constexpr std::array<Plugin, 6> kScorePlugins{
    Plugin::kTaintToleration,  Plugin::kNodeAffinity,     Plugin::kPodTopologySpread,
    Plugin::kInterPodAffinity, Plugin::kNodeResourcesFit, Plugin::kNodeResourcesBalancedAllocation};

/// The outcome of one scheduling cycle (nothing is bound: the caller binds).
/// How the usual pod's cycle finds the best node (see Scheduler::set_cycle_index).
enum class CycleIndex : std::uint8_t { kAuto, kAlways, kNever };
/// kAuto's threshold: from this many node slots the index is used.
inline constexpr std::size_t kIndexedCycleNodes = 512;

struct ScheduleResult {
  NodeIndex node = kNoNode;   ///< the chosen node, or kNoNode when none is feasible
  std::uint32_t feasible = 0; ///< nodes that passed every filter (among those looked at)
  std::int64_t score = 0;     ///< the chosen node's weighted total
  std::uint32_t ties = 0;     ///< nodes sharing the best total (the choice is uniform among them)
};

/// One score plugin's numbers for one node.
struct ScoreDetail {
  std::int64_t raw = 0;         ///< the plugin's Score
  std::int64_t normalized = 0;  ///< after its NormalizeScore (0..100)
  std::int64_t weighted = 0;    ///< normalized x the profile's weight
  bool skipped = false;         ///< the plugin's PreScore skipped it for this pod (all 0)
};

/// One node's part in a scheduling decision.
struct NodeVerdict {
  NodeIndex node = kNoNode;           ///< the node's slot
  std::optional<Plugin> rejected_by;  ///< the first filter that failed; none: feasible
  /// Why, in Kubernetes' wording ("Insufficient cpu", "node(s) had untolerated taint {k: v}").
  std::string reason;
  bool scored = false;                ///< feasible and among the nodes scored
  std::array<ScoreDetail, kScorePlugins.size()> scores{};  ///< in kScorePlugins order
  std::int64_t total = 0;             ///< the sum of the weighted scores
};

/// Everything about one scheduling decision, for `ecsim explain`.
struct Explanation {
  std::vector<NodeVerdict> nodes;  ///< one per node present, by slot
  NodeIndex chosen = kNoNode;      ///< what `schedule` would choose now
  std::uint32_t feasible = 0;      ///< nodes that passed every filter
  std::int64_t best_total = 0;     ///< the best weighted total
  std::uint32_t ties = 0;          ///< nodes with that total
};

/// "No budget protects this pod".
inline constexpr std::uint32_t kNoBudget = std::numeric_limits<std::uint32_t>::max();

/// PodDisruptionBudgets for preemption, as views: the disruptions each budget allows now and
/// the budget that protects each pod (indexed by TaskId value; pods past the end or kNoBudget:
/// none). A pod under several budgets is given one (Kubernetes refuses to evict such pods).
struct DisruptionBudgets {
  std::span<const std::int32_t> allowed;         ///< status.disruptionsAllowed, per budget
  std::span<const std::uint32_t> budget_of_pod;  ///< budget index per pod, or kNoBudget
};

/// What DefaultPreemption decided: the node the pod is nominated to and the pods to evict.
struct PreemptionResult {
  NodeIndex node = kNoNode;           ///< the nominated node
  std::vector<TaskId> victims;        ///< highest priority first
  std::int32_t pdb_violations = 0;    ///< victims whose eviction breaks their budget
};

/// The kube-scheduler for one cluster: owns the node table, the pod classes, the bound pods'
/// counts and the random stream of its tie-breaks.
class Scheduler {
 public:
  /// A scheduler with `profiles` (the first is the default; names unique) whose ties are drawn
  /// from `random` (copied: a named stream of the run).
  explicit Scheduler(const RandomStream& random, std::vector<Profile> profiles = {Profile{}});
  /// Frees the state.
  ~Scheduler();
  /// Moves the state (schedulers are not copied).
  Scheduler(Scheduler&&) noexcept;
  /// Moves the state.
  Scheduler& operator=(Scheduler&&) noexcept;

  /// The nodes, read-only: change them through the scheduler, which keeps its counts in step.
  [[nodiscard]] const NodeTable& nodes() const noexcept;
  /// The label interner shared by nodes and pods.
  [[nodiscard]] LabelInterner& interner() noexcept;
  /// The profiles, in the order given.
  [[nodiscard]] std::span<const Profile> profiles() const noexcept;

  /// Adds a node and returns its slot.
  NodeIndex add_node(const NodeSpec& spec);
  /// Removes node `i`, which must hold no pods.
  void remove_node(NodeIndex i);
  /// Cordons or uncordons node `i`.
  void set_unschedulable(NodeIndex i, bool unschedulable);
  /// Sets node `i`'s Ready condition (not ready: the not-ready NoSchedule taint).
  void set_ready(NodeIndex i, bool ready);
  /// Replaces node `i`'s labels; the counts of its pods move to its new domains.
  void set_labels(NodeIndex i, const Labels& labels);
  /// Replaces node `i`'s taints.
  void set_taints(NodeIndex i, const std::vector<Taint>& taints);

  /// Compiles a pod description (once per workload, not per pod) and returns its class.
  PodClassId add_pod_class(const PodDescription& pod);
  /// Number of pod classes.
  [[nodiscard]] std::size_t pod_classes() const noexcept;
  /// The priority of class `c`'s pods.
  [[nodiscard]] std::int32_t priority(PodClassId c) const;

  /// Runs one scheduling cycle for a pod of class `c`: filters, scores, picks a node (ties at
  /// random). Binds nothing.
  ScheduleResult schedule(PodClassId c);
  /// Whether the usual pod's cycle reads its class's index of feasible nodes (its cost follows
  /// the nodes changed since, not the nodes) or passes over every node. Both choose the same
  /// node with the same draws; kAuto (the default) takes the index from kIndexedCycleNodes
  /// node slots, where it is the faster; the others are for tests and benchmarks.
  void set_cycle_index(CycleIndex mode) noexcept;
  /// Whether node `i` passes class `c`'s NodeAffinity filter (nodeSelector and required node
  /// affinity) and TaintToleration filter (every NoSchedule and NoExecute taint in force
  /// tolerated): the nodes the DaemonSet controller runs the class's pods on.
  [[nodiscard]] bool node_admits(PodClassId c, NodeIndex i);
  /// Why the kubelet of node `i` refuses a pod of class `c` bound to it by `spec.nodeName`,
  /// which the scheduler never sees: its admission checks resources ("OutOfcpu",
  /// "OutOfmemory", "OutOfpods"), host ports ("NodePorts"), nodeSelector and required node
  /// affinity ("NodeAffinity") and NoExecute taints ("Taint"), not NoSchedule taints or a
  /// cordon. Empty when it admits the pod.
  [[nodiscard]] std::string_view kubelet_rejects(PodClassId c, NodeIndex i);
  /// The same decision with every node's filter result and score details; leaves the random
  /// stream and the sampling start where they were, so the next `schedule` chooses `chosen`.
  Explanation explain(PodClassId c);

  /// Binds pod `pod` (unique among bound pods) of class `c` to node `node`.
  void bind(TaskId pod, PodClassId c, NodeIndex node);
  /// Unbinds pod `pod`.
  void unbind(TaskId pod);
  /// The node pod `pod` is bound to, or kNoNode.
  [[nodiscard]] NodeIndex node_of(TaskId pod) const;
  /// The pods bound to node `i`, in no particular order.
  [[nodiscard]] std::span<const TaskId> pods_on(NodeIndex i) const;
  /// Pods bound on node `i` whose class matches the (namespace, label) selector of class
  /// `c`'s spread constraint `constraint`: the count topology spreading reads.
  [[nodiscard]] std::uint32_t matching_pods(PodClassId c, std::size_t constraint,
                                            NodeIndex i) const;

  /// DefaultPreemption for a pod of class `c` that fits nowhere: the node where evicting the
  /// fewest and least important lower-priority pods lets it fit, by Kubernetes' criteria, or
  /// none (also for pods whose preemptionPolicy is Never). Evicts nothing.
  std::optional<PreemptionResult> preempt(PodClassId c, const DisruptionBudgets& budgets = {});

 private:
  // Nodes, profiles, classes, counts, caches and scratch, kept out of the header.
  std::unique_ptr<detail::SchedulerState> state_;
};

}  // namespace ecsim::eks
