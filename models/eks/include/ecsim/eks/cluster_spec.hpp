#pragma once

/// An EKS cluster as a scenario sets it up: the eksctl ClusterConfig and Kubernetes manifests it
/// names, the scheduler and control-plane options, the Jobs' pod durations, and the operations
/// (node group updates, cordons, drains, rollouts) made at fixed times. Plain validated values;
/// models/scenario reads them, eks::Runtime runs them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ecsim/eks/node_group.hpp"
#include "ecsim/eks/objects.hpp"
#include "ecsim/sim/ids.hpp"
#include "ecsim/sim/time.hpp"
#include "ecsim/workload/arrivals.hpp"
#include "ecsim/workload/durations.hpp"
#include "ecsim/workload/load.hpp"

namespace ecsim::eks {


/// The kube-scheduler's built-in profiles a scenario chooses from (the names of the
/// scheduler's own table): Kubernetes' default-scheduler (NodeResourcesFit LeastAllocated),
/// most-allocated (bin packing), requested-to-capacity-ratio (scored by `shape`),
/// no-default-spreading (without the default topology spread) and kubernetes-sampling
/// (Kubernetes' adaptive percentageOfNodesToScore).
inline constexpr std::array<std::string_view, 5> kSchedulerProfiles{
    "default-scheduler", "most-allocated", "requested-to-capacity-ratio", "no-default-spreading",
    "kubernetes-sampling"};

/// One point of a RequestedToCapacityRatio shape.
struct UtilizationShapePoint {
  std::int32_t utilization = 0;  ///< percent of allocatable requested, 0 to 100
  std::int32_t score = 0;        ///< 0 to 10, as Kubernetes writes it

  friend bool operator==(const UtilizationShapePoint&, const UtilizationShapePoint&) = default;
};

/// The kube-scheduler's configuration for one cluster: a built-in profile and what the
/// scenario changes of it.
struct SchedulerConfig {
  std::string profile = "default-scheduler";  ///< one of kSchedulerProfiles
  /// For requested-to-capacity-ratio: points in increasing utilisation; empty: the profile's.
  std::vector<UtilizationShapePoint> shape;
  /// percentageOfNodesToScore, 0 to 100; none: the profile's (100, every node, except for
  /// kubernetes-sampling). With 1 to 99 the scheduler stops looking for feasible nodes once it
  /// has found that share of the nodes (at least 100, as Kubernetes does) and scores those; 0
  /// is Kubernetes' adaptive rule (50% less 1% per 125 nodes, at least 5%).
  std::optional<std::uint32_t> percentage_of_nodes_to_score;
};

/// How long the pods of one Job run, and when the Job is created.
struct JobSpec {
  std::string name;                    ///< the Job's metadata.name
  std::string name_space = "default";  ///< the Job's metadata.namespace
  std::size_t job = 0;                 ///< index into the cluster's manifests.jobs
  workload::DurationSpec duration;     ///< each pod's run time once running
  /// When a new copy of the Job is created; none: once, at the start of the run.
  std::optional<workload::ArrivalSpec> arrivals;
  /// The share of its pods that fail (exit with `exit_code`) instead of completing, 0 to 1.
  double failure_probability = 0;
  /// How long a failing pod runs before it fails; none: a duration drawn as for the others.
  std::optional<workload::DurationSpec> fails_after;
  std::int32_t exit_code = 1;  ///< a failing pod's container exit code (for podFailurePolicy)
};

/// Something done to a cluster at a fixed time (a scenario operation, read among the
/// faults): node group updates, cordons and drains of a node group's nodes, Deployment rollouts.
struct Operation {
  enum class Kind : std::uint8_t {
    kNodeGroupUpdate,  ///< a managed node group update (new launch template version)
    kCordon,           ///< nodes marked unschedulable
    kDrain,            ///< nodes cordoned, then their pods evicted honouring PDBs
    kRollout,          ///< a Deployment's new revision, rolled out by its strategy
  };
  SimTime at;
  Kind kind = Kind::kNodeGroupUpdate;
  std::size_t node_group = 0;  ///< index into the cluster's config.node_groups
  /// For kCordon and kDrain: only the node-th live node of the group, 0 the oldest; none:
  /// every node of the group.
  std::optional<std::uint32_t> node;
  /// For kNodeGroupUpdate: --force, evict even when a PodDisruptionBudget forbids it rather than
  /// fail with PodEvictionFailure after 15 minutes.
  bool force = false;
  /// For kRollout: the Deployment (index into the cluster's manifests.deployments), and what
  /// its new revision changes: replicas, the pod's CPU (millicores) and memory (bytes) requests;
  /// none: unchanged.
  std::size_t deployment = 0;
  std::optional<std::int32_t> replicas;
  std::optional<std::int64_t> cpu_millis;
  std::optional<std::int64_t> memory_bytes;
  /// For kRollout: the new revision's pods never become Ready (a bad image or a crash loop).
  bool broken = false;
};

/// Assumed Kubernetes defaults a scenario may change. node-monitor-grace-period is 50 s from
/// Kubernetes 1.32 (kubernetes/kubernetes#126287), 40 s before.
inline constexpr SimDuration kDefaultNodeMonitorGrace = std::chrono::seconds(50);
inline constexpr SimDuration kNodeMonitorGraceBefore132 = std::chrono::seconds(40);
inline constexpr SimDuration kDefaultTolerationSeconds = std::chrono::seconds(300);

/// An EKS cluster: eksctl's node groups (each an Auto Scaling group of the platform), the
/// objects of its manifests and the scenario's options for it.
/// How the Cluster Autoscaler picks among the node groups a scale-up could grow (--expander).
enum class Expander : std::uint8_t { kRandom, kMostPods, kLeastWaste, kPrice, kPriority };

/// The Cluster Autoscaler's flags that ecsim simulates, with the defaults of its FAQ
/// ("What are the parameters to CA?"); from a scenario block or a cluster-autoscaler
/// Deployment's command.
struct ClusterAutoscalerConfig {
  SimDuration scan_interval = std::chrono::seconds(10);
  /// --expander, a chain: each filters the options of the one before; random breaks ties.
  std::vector<Expander> expanders{Expander::kRandom};
  /// The priority expander's priorities: node group name patterns (ECMAScript regular
  /// expressions, matched in full) by priority, highest wins.
  std::vector<std::pair<std::int32_t, std::vector<std::string>>> priorities;
  bool scale_down_enabled = true;
  double scale_down_utilization_threshold = 0.5;
  SimDuration scale_down_unneeded_time = std::chrono::minutes(10);
  SimDuration scale_down_delay_after_add = std::chrono::minutes(10);
  /// none: the scan interval, its documented default
  std::optional<SimDuration> scale_down_delay_after_delete;
  SimDuration scale_down_delay_after_failure = std::chrono::minutes(3);
  SimDuration max_node_provision_time = std::chrono::minutes(15);
  std::int32_t max_empty_bulk_delete = 10;
  bool balance_similar_node_groups = false;
  bool skip_nodes_with_system_pods = true;
  bool ignore_daemonsets_utilization = false;
  std::int32_t max_nodes_total = 0;  ///< 0: no limit
  SimDuration new_pod_scale_up_delay{};
  /// How long a node whose scale-down simulation failed (a pod that cannot move) is left out of
  /// the scale-down candidates before it is simulated again.
  SimDuration unremovable_node_recheck_timeout = std::chrono::minutes(5);
  std::string source;  ///< where it was read: "eks[0].cluster_autoscaler" or the Deployment
};

/// The load on a Deployment or StatefulSet (`eks[].load[]`).
struct WorkloadLoad {
  std::string name;                    ///< the workload's metadata.name
  std::string name_space = "default";
  bool stateful_set = false;           ///< a StatefulSet, else a Deployment
  workload::LoadSpec load;
};

struct ClusterSpec {
  std::string name;                         ///< the scenario's `cluster`, unique among all clusters
  std::string config_path;                  ///< the eksctl file, resolved
  std::vector<std::string> manifest_paths;  ///< resolved, in the scenario's order
  ClusterConfig config;                ///< from the eksctl file, after eksctl's defaults
  /// The platform group of each node group, parallel to config.node_groups: index into
  /// PlatformConfig::groups.
  std::vector<GroupId> groups;
  /// The platform group of each Karpenter NodePool, parallel to manifests.node_pools: its
  /// instances, launched one by one (index into PlatformConfig::groups).
  std::vector<GroupId> pool_groups;
  Manifests manifests;  ///< every object of every manifest file
  SchedulerConfig scheduler;
  /// Mutating API requests per second the control plane accepts; none: unlimited.
  std::optional<double> api_mutating_rps;
  /// How long a node may go unheard before it is NotReady (node-monitor-grace-period).
  SimDuration node_monitor_grace = kDefaultNodeMonitorGrace;
  /// tolerationSeconds of the not-ready and unreachable NoExecute tolerations every pod gets
  /// (the DefaultTolerationSeconds admission plugin).
  SimDuration default_toleration = kDefaultTolerationSeconds;
  /// The scenario's own quotas (`namespaces.NAME.quota`), each named after its namespace; they
  /// hold together with the manifests' ResourceQuotas, as several quotas of a namespace do.
  std::vector<ResourceQuota> quotas;
  std::vector<JobSpec> jobs;        ///< one per Job of the manifests
  std::vector<WorkloadLoad> loads;  ///< at most one per workload
  /// The Cluster Autoscaler, when the scenario or a cluster-autoscaler Deployment runs one; it
  /// scales every node group between its minSize and maxSize.
  std::optional<ClusterAutoscalerConfig> cluster_autoscaler;
  std::vector<Operation> operations;  ///< in time order (equal times in file order)
};

}  // namespace ecsim::eks
