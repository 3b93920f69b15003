#pragma once

/// What an EKS cluster did over one run, as plain values: each workload against its replicas,
/// each Job's pods, the control plane, the namespaces and their quotas, the nodes, drains and
/// node group updates, and an explained scheduling decision. The engine gathers them into the
/// run's result; the report writer turns them into text.

#include <cstdint>
#include <optional>
#include <map>
#include <string>
#include <vector>

#include "ecsim/sim/measure.hpp"
#include "ecsim/sim/time.hpp"
#include "ecsim/workload/load.hpp"

namespace ecsim::eks {

/// One rollout of a Deployment: its creation, or a new revision made by an operation.
struct RolloutResult {
  std::string trigger;              ///< "create", or "rollout at <time>"
  SimTime started;
  std::optional<SimTime> finished;  ///< when it completed or was superseded; none in progress
  RolloutState state = RolloutState::kInProgress;
  /// In progress without progress for progressDeadlineSeconds: since when.
  std::optional<SimTime> stuck_since;
};

/// What one Deployment, StatefulSet or DaemonSet did: its running pods against its replicas.
struct WorkloadResult {
  std::string cluster;
  std::string name;
  ReplicaSummary replicas;
  TaskCounts pods;
  std::vector<RolloutResult> rollouts;  ///< a Deployment's, in the order they started
  std::optional<workload::LoadSummary> load;  ///< with a load (eks[].load)
};

/// What one Job's pods did, over every copy of the Job.
struct JobResult {
  std::string cluster;
  std::string name;
  TaskCounts pods;
  WaitSeconds wait;
  /// Copies of the Job that ended Failed, by the reason of their Failed condition
  /// (BackoffLimitExceeded, DeadlineExceeded, PodFailurePolicy).
  std::map<std::string, std::uint64_t> failed;
};

/// One drain operation (`kubectl drain` of a node group's nodes) and how far it got.
struct DrainResult {
  std::string cluster;
  SimTime at;                      ///< when the nodes were cordoned
  std::uint32_t nodes = 0;
  std::optional<SimTime> drained;  ///< when the last pod other than DaemonSet pods left them
  std::uint64_t pods_left = 0;     ///< pods other than DaemonSet pods still on them at the end
};

/// One EKS cluster's control plane over the run.
struct ControlPlaneResult {
  std::string cluster;
  double api_available_fraction = 1;  ///< time the API server answered / the run
  double etcd_quorum_lost_seconds = 0;
  /// Mutating requests made: pod creations, bindings, evictions and deletions.
  std::uint64_t api_mutating_requests = 0;
  double api_queue_mean_seconds = 0;  ///< from issue to completion, mean over the requests
  double api_queue_max_seconds = 0;   ///< from issue to completion, the longest
  std::uint64_t quota_rejections = 0; ///< pod creations a ResourceQuota refused
};


/// Pods and requests counted by a namespace's quota.
struct QuotaAmounts {
  std::int64_t pods = 0;
  std::int64_t cpu_millis = 0;    ///< requests.cpu, millicores
  std::int64_t memory_bytes = 0;  ///< requests.memory, bytes

  friend bool operator==(const QuotaAmounts&, const QuotaAmounts&) = default;
};


/// One namespace of an EKS cluster: the tightest of its quotas and what its pods used.
struct NamespaceResult {
  std::string cluster;
  std::string name;
  QuotaAmounts at_end;  ///< non-terminal pods at the end and their requests
  QuotaAmounts peak;    ///< the most at any time, each amount on its own
  /// The tightest hard limit of its ResourceQuotas without scopes, per amount; none: no limit.
  std::optional<std::int64_t> hard_pods, hard_cpu_millis, hard_memory_bytes;
  std::uint64_t quota_rejections = 0;  ///< pod creations refused
};


/// One EKS cluster's nodes: how many there were and how many ran workload pods.
struct NodesResult {
  std::string cluster;
  std::int64_t nodes_at_end = 0;     ///< nodes registered at the end
  std::int64_t busy_at_end = 0;      ///< nodes with a pod bound that no DaemonSet owns, at the end
  double busy_mean = 0;              ///< busy nodes, time-weighted over the run
  std::int64_t busy_max = 0;         ///< most busy nodes at any instant
  /// With a Cluster Autoscaler: what it did, and the nodes over the run.
  struct Autoscaled {
    std::uint64_t scale_ups = 0;      ///< scale-up decisions
    std::uint64_t nodes_added = 0;    ///< nodes its scale-ups asked for
    std::uint64_t nodes_removed = 0;  ///< nodes its scale-downs removed
    std::uint64_t pods_evicted = 0;   ///< pods its scale-downs evicted
    double nodes_mean = 0;            ///< registered nodes, time-weighted over the run
    std::int64_t nodes_max = 0;       ///< most registered nodes at any instant
    double usd_per_hour_mean = 0;     ///< the registered nodes' EC2 price, time-weighted
    double usd_per_hour_max = 0;      ///< its highest: the peak fleet, were it kept all run
  };
  std::optional<Autoscaled> autoscaled;
  /// With Karpenter: its NodeClaims, its disruptions by reason, and its nodes over the run.
  struct Provisioned {
    std::uint64_t nodeclaims = 0;       ///< NodeClaims launched (provisioning and replacements)
    std::uint64_t launch_failures = 0;  ///< launches refused (no capacity in the zone)
    std::uint64_t empty = 0;            ///< nodes deleted as Empty
    std::uint64_t underutilized = 0;    ///< nodes deleted as Underutilized (pods moved elsewhere)
    std::uint64_t replaced = 0;         ///< nodes replaced by a cheaper one
    std::uint64_t expired = 0;          ///< nodes past expireAfter
    std::uint64_t interrupted = 0;      ///< Spot nodes drained on an interruption notice
    std::uint64_t pods_evicted = 0;     ///< pods its disruptions evicted
    double nodes_mean = 0;              ///< its registered nodes, time-weighted over the run
    std::int64_t nodes_max = 0;         ///< most of its nodes at any instant
    double usd_per_hour_mean = 0;       ///< the cluster's registered nodes' EC2 price, time-weighted
    double usd_per_hour_max = 0;        ///< its highest: the peak fleet, were it kept all run
  };
  std::optional<Provisioned> karpenter;
};


/// One score plugin's numbers for one node of an explained decision.
struct PluginScore {
  std::int64_t raw = 0;         ///< the plugin's Score
  std::int64_t normalized = 0;  ///< after its NormalizeScore, 0..100
  std::int64_t weighted = 0;    ///< normalized x the profile's weight
  bool skipped = false;         ///< the plugin's PreScore skipped this pod (all 0)
};

/// One node's part in an explained decision.
struct NodeExplanation {
  std::string name;
  std::string zone;
  std::string filter;   ///< the first filter plugin that rejected the node; empty: feasible
  std::string reason;   ///< the filter's reason in Kubernetes' wording ("Insufficient cpu")
  bool scored = false;  ///< feasible and scored (sampling may leave feasible nodes unscored)
  std::vector<PluginScore> scores;  ///< in ExplainResult::plugins order; empty unless scored
  std::int64_t total = 0;           ///< the sum of the weighted scores
  bool chosen = false;              ///< the node the scheduler picked
};

/// What came of an explained scheduling cycle.
enum class ExplainOutcome : std::uint8_t {
  kBound,          ///< bound to `ExplainResult::node`
  kPreempting,     ///< no node fits: the victims are evicted and the pod nominated to `node`
  kUnschedulable,  ///< no node fits and preemption cannot help: the pod waits
};

/// One scheduling decision of one pod, every node's filter result and score, as plain values.
struct ExplainResult {
  std::string cluster;
  std::string pod;         ///< the pod's name, `<workload>-<ordinal>`
  std::string workload;    ///< its controller's name
  std::string kind;        ///< Deployment, StatefulSet, DaemonSet or Job
  std::string name_space;  ///< metadata.namespace
  SimTime at;              ///< when the scheduling cycle ran
  std::int32_t priority = 0;
  std::int64_t cpu_millis = 0;    ///< requested CPU, millicores
  std::int64_t memory_bytes = 0;  ///< requested memory, bytes
  std::string profile;            ///< the scheduling profile's name
  std::vector<std::string> plugins;     ///< the score plugins' names, in column order
  std::vector<std::int64_t> weights;    ///< their weights in the profile
  std::vector<NodeExplanation> nodes;   ///< every node present, by slot
  std::uint32_t feasible = 0;           ///< nodes that passed every filter
  std::uint32_t ties = 0;               ///< nodes sharing the best total
  ExplainOutcome outcome = ExplainOutcome::kUnschedulable;
  std::string node;                  ///< bound to, or nominated by preemption
  std::vector<std::string> victims;  ///< pods preemption evicts, `namespace/name`
};

/// Which scheduling decision to explain: the first cycle at or after `at` of the pod `pod`
/// (`NAME` or `NAMESPACE/NAME`), or of any pod of the workload of that name.
struct ExplainRequest {
  std::string pod;
  SimDuration at{};     ///< since the start of the run
  std::string cluster;  ///< empty: any EKS cluster
  /// End the run once the decision is explained (the rest of the result then covers the run
  /// up to that instant only).
  bool stop_once_explained = false;
};


/// One managed node group update (a scenario operation) and how it ended.
struct NodeGroupUpdateResult {
  std::string cluster;
  std::string node_group;
  SimTime at;                        ///< when the update started
  /// When it succeeded or failed; none while still in progress at the end of the run.
  std::optional<SimTime> finished;
  /// EKS's update status: "Successful", "Failed" or "InProgress".
  std::string status = "InProgress";
  std::string error;                 ///< "PodEvictionFailure" when it failed, else empty
  bool force = false;                ///< the update was forced
  std::uint32_t nodes_replaced = 0;  ///< old nodes drained and terminated
  std::uint64_t pods_evicted = 0;    ///< pods evicted through the eviction API (PDBs honoured)
  std::uint64_t pods_deleted = 0;    ///< pods deleted past their budgets (forced updates only)
};

/// Everything the EKS clusters did, each list per cluster in scenario order (within a cluster,
/// workloads in the order of their manifests' kinds: Deployments, StatefulSets, DaemonSets).
struct Results {
  std::vector<WorkloadResult> workloads;
  std::vector<JobResult> jobs;
  std::vector<DrainResult> drains;                      ///< in the order they started
  std::vector<NodeGroupUpdateResult> node_group_updates;  ///< in the order they started
  std::vector<ControlPlaneResult> control_planes;
  std::vector<NodesResult> nodes;
  std::vector<NamespaceResult> namespaces;              ///< by name within a cluster
  std::vector<ScalingActivity> scaling;                 ///< the autoscalers' changes, in time order
  std::optional<ExplainResult> explanation;
};

}  // namespace ecsim::eks
