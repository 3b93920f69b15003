#pragma once

/// The Kubernetes objects ecsim simulates, as plain validated values: what a pod asks of the
/// scheduler (requests, node selection, affinities, tolerations, topology spread, priority,
/// host ports) and the workloads that make pods (Deployment, StatefulSet, DaemonSet, Job), with
/// PodDisruptionBudgets, PriorityClasses and ResourceQuotas. models/scenario reads them from real
/// manifests; the scheduler and the controllers use them. Field names follow the Kubernetes API
/// (in snake_case); units are in each comment.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ecsim/hpa/hpa.hpp"
#include "ecsim/workload/cron.hpp"

#include "ecsim/sim/time.hpp"

namespace ecsim::eks {

/// Labels (or a nodeSelector): key to value, sorted by key.
using Labels = std::map<std::string, std::string>;

/// What a pod requests (the scheduler's view: requests, not limits).
struct Resources {
  std::int64_t cpu_millis = 0;    ///< CPU in millicores (1000 = one vCPU)
  std::int64_t memory_bytes = 0;  ///< memory in bytes

  friend bool operator==(const Resources&, const Resources&) = default;
};

/// A taint's effect.
enum class TaintEffect : std::uint8_t { kNoSchedule, kPreferNoSchedule, kNoExecute };

/// A node taint.
struct Taint {
  std::string key;
  std::string value;  ///< may be empty
  TaintEffect effect = TaintEffect::kNoSchedule;

  friend bool operator==(const Taint&, const Taint&) = default;
};

/// A toleration's operator.
enum class TolerationOperator : std::uint8_t { kEqual, kExists };

/// A pod toleration.
struct Toleration {
  std::string key;  ///< empty with kExists: tolerates every taint
  TolerationOperator op = TolerationOperator::kEqual;
  std::string value;
  std::optional<TaintEffect> effect;  ///< none: every effect
  /// For NoExecute: how long the pod stays bound after the taint appears; none: for ever.
  std::optional<SimDuration> toleration_seconds;

  friend bool operator==(const Toleration&, const Toleration&) = default;
};

/// The operator of a label selector or node selector requirement.
enum class SelectorOperator : std::uint8_t { kIn, kNotIn, kExists, kDoesNotExist, kGt, kLt };

/// One requirement: key, operator and values (Gt/Lt take one integer value).
struct SelectorRequirement {
  std::string key;
  SelectorOperator op = SelectorOperator::kIn;
  std::vector<std::string> values;

  friend bool operator==(const SelectorRequirement&, const SelectorRequirement&) = default;
};

/// A label selector: matchLabels and matchExpressions, all of which must hold. An empty
/// selector matches every object (as in Kubernetes, for PDBs and spread constraints).
struct LabelSelector {
  Labels match_labels;
  std::vector<SelectorRequirement> match_expressions;

  friend bool operator==(const LabelSelector&, const LabelSelector&) = default;
};

/// A node selector term: its requirements all hold (matchFields is not simulated).
struct NodeSelectorTerm {
  std::vector<SelectorRequirement> match_expressions;

  friend bool operator==(const NodeSelectorTerm&, const NodeSelectorTerm&) = default;
};

/// A preferred node affinity term with its weight (1..100).
struct PreferredSchedulingTerm {
  std::int32_t weight = 1;
  NodeSelectorTerm preference;

  friend bool operator==(const PreferredSchedulingTerm&, const PreferredSchedulingTerm&) = default;
};

/// spec.affinity.nodeAffinity.
struct NodeAffinity {
  /// requiredDuringSchedulingIgnoredDuringExecution: the node matches at least one term; none
  /// given means no requirement.
  std::vector<NodeSelectorTerm> required;
  /// preferredDuringSchedulingIgnoredDuringExecution.
  std::vector<PreferredSchedulingTerm> preferred;

  friend bool operator==(const NodeAffinity&, const NodeAffinity&) = default;
};

/// A pod (anti-)affinity term: pods matching `selector` in `namespaces` (empty: the pod's own)
/// on nodes sharing the value of `topology_key`.
struct PodAffinityTerm {
  LabelSelector selector;
  std::vector<std::string> namespaces;
  std::string topology_key;

  friend bool operator==(const PodAffinityTerm&, const PodAffinityTerm&) = default;
};

/// A preferred pod (anti-)affinity term with its weight (1..100).
struct WeightedPodAffinityTerm {
  std::int32_t weight = 1;
  PodAffinityTerm term;

  friend bool operator==(const WeightedPodAffinityTerm&, const WeightedPodAffinityTerm&) = default;
};

/// spec.affinity.podAffinity or spec.affinity.podAntiAffinity.
struct PodAffinity {
  std::vector<PodAffinityTerm> required;
  std::vector<WeightedPodAffinityTerm> preferred;

  friend bool operator==(const PodAffinity&, const PodAffinity&) = default;
};

/// A topology spread constraint's whenUnsatisfiable.
enum class WhenUnsatisfiable : std::uint8_t { kDoNotSchedule, kScheduleAnyway };

/// spec.topologySpreadConstraints[i].
struct TopologySpreadConstraint {
  std::int32_t max_skew = 1;
  std::string topology_key;
  WhenUnsatisfiable when_unsatisfiable = WhenUnsatisfiable::kDoNotSchedule;
  LabelSelector selector;
  std::optional<std::int32_t> min_domains;

  friend bool operator==(const TopologySpreadConstraint&, const TopologySpreadConstraint&) = default;
};

/// A host port a container binds (hostPort, protocol TCP/UDP/SCTP).
struct HostPort {
  std::int32_t port = 0;
  std::string protocol = "TCP";

  friend bool operator==(const HostPort&, const HostPort&) = default;
};

/// What the scheduler and the kubelet need of a pod spec.
struct PodSpec {
  /// Effective requests: the sum over containers, or the largest init container's if larger
  /// (per resource), as the scheduler computes them.
  Resources requests;
  /// The same with 100m CPU and 200 MiB memory for each container that names no such request
  /// (resourcehelper's NonMissingContainerRequests, which the resource scores count; an
  /// explicit zero stays zero). None: `requests` counted as one container's.
  std::optional<Resources> nonzero_requests;
  Labels node_selector;
  NodeAffinity node_affinity;
  PodAffinity pod_affinity;
  PodAffinity pod_anti_affinity;
  std::vector<Toleration> tolerations;
  std::vector<TopologySpreadConstraint> topology_spread;
  std::string priority_class_name;  ///< empty: the default class, if any
  std::vector<HostPort> host_ports;
  std::string node_name;            ///< spec.nodeName: bound to that node, no scheduling
  bool active_deadline = false;     ///< spec.activeDeadlineSeconds is set (a Terminating pod)
  bool scheduling_gated = false;    ///< spec.schedulingGates lists a gate: never scheduled
  bool pod_level_resources = false;  ///< spec.resources given (read into `requests`)

  friend bool operator==(const PodSpec&, const PodSpec&) = default;
};

/// A pod template: labels and spec.
struct PodTemplate {
  Labels labels;
  PodSpec spec;
  /// metadata.annotations["cluster-autoscaler.kubernetes.io/safe-to-evict"] is "false": the
  /// Cluster Autoscaler never removes a node that runs the pod.
  bool not_safe_to_evict = false;

  friend bool operator==(const PodTemplate&, const PodTemplate&) = default;
};

/// An integer or a percentage (maxSurge, maxUnavailable, minAvailable).
struct IntOrPercent {
  std::int64_t value = 0;
  bool percent = false;

  friend bool operator==(const IntOrPercent&, const IntOrPercent&) = default;
};

/// Where an object came from, for messages and outputs.
struct ObjectMeta {
  std::string name;
  std::string name_space = "default";  ///< metadata.namespace
  Labels labels;

  friend bool operator==(const ObjectMeta&, const ObjectMeta&) = default;
};

/// apps/v1 Deployment (RollingUpdate; Recreate is RollingUpdate with maxSurge 0 and
/// maxUnavailable 100%).
struct Deployment {
  ObjectMeta meta;
  std::int32_t replicas = 1;
  LabelSelector selector;
  PodTemplate pod;
  IntOrPercent max_surge{25, true};
  IntOrPercent max_unavailable{25, true};

  friend bool operator==(const Deployment&, const Deployment&) = default;
};

/// apps/v1 StatefulSet: replicas created in order (podManagementPolicy OrderedReady).
struct StatefulSet {
  ObjectMeta meta;
  std::int32_t replicas = 1;
  LabelSelector selector;
  PodTemplate pod;

  friend bool operator==(const StatefulSet&, const StatefulSet&) = default;
};

/// apps/v1 DaemonSet.
struct DaemonSet {
  ObjectMeta meta;
  LabelSelector selector;
  PodTemplate pod;
  IntOrPercent max_unavailable{1, false};

  friend bool operator==(const DaemonSet&, const DaemonSet&) = default;
};

/// What a CronJob adds to the Job its jobTemplate describes.
struct CronSpec {
  enum class Concurrency : std::uint8_t {
    kAllow,    ///< a new Job even while earlier ones run (the default)
    kForbid,   ///< no new Job while an earlier one runs: that run is skipped
    kReplace,  ///< the running Job is deleted (its pods stopped) for the new one
  };
  std::string schedule_text;        ///< spec.schedule as written
  workload::CronSchedule schedule;  ///< spec.schedule, parsed
  Concurrency concurrency = Concurrency::kAllow;
  /// spec.startingDeadlineSeconds: a run that cannot start within this of its time is missed.
  std::optional<std::int64_t> starting_deadline_s;
  bool suspend = false;  ///< spec.suspend: no Job is created

  friend bool operator==(const CronSpec&, const CronSpec&) = default;
};

/// One rule of a Job's podFailurePolicy: what a failed pod does to its Job.
struct PodFailureRule {
  enum class Action : std::uint8_t {
    kFailJob,  ///< the Job fails at once
    kIgnore,   ///< not counted towards backoffLimit; the pod is replaced
    kCount,    ///< counted, as without a rule
  };
  Action action = Action::kCount;
  /// onPodConditions DisruptionTarget: the rule is for pods evicted or preempted; otherwise for
  /// pods whose container exited with a code `exit_in` (In) or not in (NotIn) `exit_codes`.
  bool on_disruption = false;
  bool exit_in = true;
  std::vector<std::int32_t> exit_codes;

  friend bool operator==(const PodFailureRule&, const PodFailureRule&) = default;
};

/// batch/v1 Job (or the jobTemplate of a batch/v1 CronJob, with `cron`); its pods' durations
/// come from the scenario's workload section.
struct Job {
  ObjectMeta meta;
  std::int32_t completions = 1;
  std::int32_t parallelism = 1;
  std::int32_t backoff_limit = 6;
  PodTemplate pod;
  std::optional<CronSpec> cron;  ///< a CronJob's: its Jobs come at its schedule
  /// spec.activeDeadlineSeconds: a copy still active this long after it started fails.
  std::optional<std::int64_t> active_deadline_s;
  std::vector<PodFailureRule> failure_rules;  ///< spec.podFailurePolicy.rules, in order

  friend bool operator==(const Job&, const Job&) = default;
};

/// v1 Pod written on its own (a bare pod): created once, scheduled once (or, with
/// spec.nodeName, admitted by that node's kubelet), never replaced; it runs to the end.
struct Pod {
  ObjectMeta meta;
  PodTemplate pod;  ///< its labels and spec

  friend bool operator==(const Pod&, const Pod&) = default;
};

/// policy/v1 PodDisruptionBudget: exactly one of min_available and max_unavailable.
struct PodDisruptionBudget {
  ObjectMeta meta;
  LabelSelector selector;
  std::optional<IntOrPercent> min_available;
  std::optional<IntOrPercent> max_unavailable;

  friend bool operator==(const PodDisruptionBudget&, const PodDisruptionBudget&) = default;
};

/// scheduling.k8s.io/v1 PriorityClass.
struct PriorityClass {
  std::string name;
  std::int32_t value = 0;
  bool global_default = false;
  bool preempt_lower_priority = true;  ///< preemptionPolicy PreemptLowerPriority (or Never)

  friend bool operator==(const PriorityClass&, const PriorityClass&) = default;
};

/// v1 ResourceQuota (hard limits on pods and on requests.cpu / requests.memory).
/// One scope of a ResourceQuota (`spec.scopes[]`, or `spec.scopeSelector.matchExpressions[]`):
/// the quota counts only the pods every one of its scopes selects.
struct QuotaScope {
  enum class Name : std::uint8_t {
    kBestEffort,     ///< pods with no request and no limit (QoS BestEffort)
    kNotBestEffort,  ///< the others
    kTerminating,    ///< pods with spec.activeDeadlineSeconds
    kNotTerminating, ///< pods without
    kPriorityClass,  ///< pods by spec.priorityClassName (`values`, by `op`)
  };
  Name name = Name::kBestEffort;
  SelectorOperator op = SelectorOperator::kExists;  ///< In, NotIn, Exists or DoesNotExist
  std::vector<std::string> values;                  ///< In and NotIn: the priority classes

  friend bool operator==(const QuotaScope&, const QuotaScope&) = default;
};

struct ResourceQuota {
  ObjectMeta meta;
  std::optional<std::int64_t> pods;
  std::optional<std::int64_t> requests_cpu_millis;
  std::optional<std::int64_t> requests_memory_bytes;
  std::vector<QuotaScope> scopes;  ///< empty: every pod of the namespace counts

  friend bool operator==(const ResourceQuota&, const ResourceQuota&) = default;
};

/// Whether quota `q` counts a pod of `spec` (every scope selects it; a quota without scopes
/// counts every pod), as the quota admission's scope matching does.
bool quota_selects(const ResourceQuota& q, const PodSpec& spec);

/// Everything read from a cluster's manifests, in file order per kind.
/// A HorizontalPodAutoscaler (autoscaling/v2, or v1's targetCPUUtilizationPercentage).
struct HorizontalPodAutoscaler {
  ObjectMeta meta;
  enum class TargetKind : std::uint8_t { kDeployment, kStatefulSet } target_kind =
      TargetKind::kDeployment;
  std::string target_name;       ///< spec.scaleTargetRef.name, in the HPA's namespace
  std::int32_t min_replicas = 1;
  std::int32_t max_replicas = 1;
  std::vector<hpa::Target> metrics;  ///< Resource metrics; none given: CPU at 80% (v2's default)
  hpa::ScalingRules scale_up = hpa::default_scale_up();
  hpa::ScalingRules scale_down = hpa::default_scale_down();
};

/// What a disruption budget limits (spec.disruption.budgets[].reasons), as bits.
enum DisruptionReason : std::uint8_t {
  kReasonEmpty = 1,
  kReasonUnderutilized = 2,
  kReasonDrifted = 4,
  kAllReasons = 7,
};

/// One disruption budget: at most `nodes` of the pool's nodes disrupted at once, while active.
struct NodePoolBudget {
  IntOrPercent nodes{10, true};  ///< "10%" by default; percentages round up
  /// When it becomes active (upstream cron syntax, in UTC) and for how long; none: always.
  std::optional<workload::CronSchedule> schedule;
  SimDuration duration{};
  std::uint8_t reasons = kAllReasons;  ///< DisruptionReason bits
};

enum class ConsolidationPolicy : std::uint8_t { kWhenEmpty, kWhenEmptyOrUnderutilized };

/// A Karpenter NodePool (karpenter.sh/v1), after the CRD's defaults.
struct NodePool {
  ObjectMeta meta;
  std::string node_class;  ///< spec.template.spec.nodeClassRef.name
  /// The nodeClassRef names EKS Auto Mode's NodeClass (group eks.amazonaws.com), not an
  /// EC2NodeClass: its nodes carry eks.amazonaws.com/instance-* labels.
  bool auto_mode_class = false;
  Labels labels;           ///< spec.template.metadata.labels, set on its nodes
  std::vector<Taint> taints;
  std::vector<Taint> startup_taints;  ///< read; pods need not tolerate them (not simulated)
  /// spec.template.spec.requirements: node selector requirements over the nodes' labels.
  std::vector<SelectorRequirement> requirements;
  /// A node's lifetime before it is replaced; none: Never. Default 720h.
  std::optional<SimDuration> expire_after = std::chrono::hours(720);
  /// How long a draining node waits for its pods before they are deleted; none: for ever.
  std::optional<SimDuration> termination_grace_period;
  ConsolidationPolicy policy = ConsolidationPolicy::kWhenEmptyOrUnderutilized;
  /// How long a node must see no pod arrive or leave before consolidation; none: Never.
  std::optional<SimDuration> consolidate_after = SimDuration{};
  std::vector<NodePoolBudget> budgets{NodePoolBudget{}};
  /// spec.limits: the most the pool's nodes may offer together; none: no limit.
  std::optional<std::int64_t> limit_cpu_millis, limit_memory_bytes, limit_nodes;
  std::int32_t weight = 0;  ///< spec.weight: the highest weight is tried first
};

/// An EC2NodeClass (karpenter.k8s.aws/v1): what ecsim simulates of it.
struct NodeClass {
  ObjectMeta meta;
  std::optional<std::int32_t> max_pods;       ///< spec.kubelet.maxPods
  std::optional<std::int32_t> pods_per_core;  ///< spec.kubelet.podsPerCore
};

struct Manifests {
  std::vector<Deployment> deployments;
  std::vector<StatefulSet> stateful_sets;
  std::vector<DaemonSet> daemon_sets;
  std::vector<Job> jobs;
  std::vector<Pod> pods;  ///< bare pods
  std::vector<PodDisruptionBudget> pdbs;
  std::vector<PriorityClass> priority_classes;
  std::vector<ResourceQuota> quotas;
  std::vector<std::string> namespaces;  ///< the names of the Namespace objects
  std::vector<HorizontalPodAutoscaler> autoscalers;
  std::vector<NodePool> node_pools;      ///< Karpenter's, in file order
  std::vector<NodeClass> node_classes;   ///< EC2NodeClasses, in file order
  /// Kinds skipped (Service, ConfigMap, ...), one note each: "file:line: skipped Service 'x'".
  std::vector<std::string> notes;
};

}  // namespace ecsim::eks
