#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ecsim/platform/platform.hpp"
#include "ecsim/scenario/scenario.hpp"
#include "ecsim/sim/assert.hpp"
#include "ecsim/sim/time.hpp"

namespace ecsim::engine {

/// Thrown when a run's own self-checks (or an internal check) find an impossible state: a bug in
/// ecsim (exit status 3). Its message names the check, the scenario, replication, seed and
/// simulated time.
using InvariantViolation = ::ecsim::InternalError;

/// Thrown when a replication runs out of memory (exit status 1); the message says when.
class OutOfMemory : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Every task ever created, by how it ended (or where it is at the end of the run).
struct TaskCounts {
  std::uint64_t submitted = 0;
  std::uint64_t started = 0;         ///< reached RUNNING at least once
  std::uint64_t completed = 0;       ///< ran to the end of its duration
  std::uint64_t failed = 0;          ///< never ran: placement failed (RESOURCE:CPU/MEMORY, ...)
  std::uint64_t evicted = 0;         ///< stopped by the platform while running or starting
  std::uint64_t running_at_end = 0;
  std::uint64_t pending_at_end = 0;  ///< PROVISIONING or PENDING at the end
  /// submitted minus every outcome above: 0 unless a task went missing (a bug).
  [[nodiscard]] std::int64_t lost() const noexcept {
    return static_cast<std::int64_t>(submitted) -
           static_cast<std::int64_t>(completed + failed + evicted + running_at_end +
                                     pending_at_end);
  }
};

/// Waiting times from creation to RUNNING of the tasks that started, in seconds.
struct WaitSeconds {
  double mean = 0, p50 = 0, p95 = 0, p99 = 0, max = 0;
};

/// One row of the time series: the state of the run at `at`.
struct TimeseriesRow {
  SimTime at;
  std::uint64_t running = 0;
  std::uint64_t pending = 0;
  std::vector<std::int64_t> cpu_reserved_by_az;     ///< CPU units reserved, per zone
  std::vector<std::int64_t> memory_reserved_by_az;  ///< MiB reserved, per zone
  double cost_usd = 0;                              ///< spent so far
  std::uint32_t instances = 0;  ///< container instances registered and not deregistered
  /// RUNNING tasks per service and zone: [s * zones + z], services in ReplicationResult order.
  std::vector<std::uint32_t> service_running_by_az;
};

/// One deployment of a service: the first one (the service's creation) or one an update made.
struct DeploymentResult {
  std::string trigger;             ///< "create", or "update at <time>"
  SimTime started;
  std::optional<SimTime> finished; ///< when it completed or failed; none while IN_PROGRESS
  std::string state;               ///< AWS's rolloutState: COMPLETED, FAILED or IN_PROGRESS
  bool rolled_back = false;        ///< FAILED and the circuit breaker rolled it back
  /// IN_PROGRESS and unable to progress (for example 100/100 with no room): since when.
  std::optional<SimTime> stuck_since;
  std::uint64_t failed_tasks = 0;  ///< tasks of this deployment that stopped before RUNNING
};

/// What one service did. Running counts are measured from the moment the service first had
/// desiredCount tasks RUNNING (before that it was starting); `availability` is 0 if it never did.
struct ServiceResult {
  std::string cluster;
  std::string name;
  std::string orchestrator = "ecs";
  std::int64_t desired = 0;            ///< desiredCount (DAEMON: eligible instances) at the end
  std::int64_t min_running = 0;        ///< fewest RUNNING tasks once started
  double mean_running = 0;             ///< RUNNING tasks, time-weighted over the run
  double availability = 0;             ///< fraction of the time since started with running >= desired
  std::vector<std::int64_t> running_by_az;  ///< RUNNING tasks per zone at the end
  TaskCounts tasks;
  std::vector<DeploymentResult> deployments;  ///< in the order they started
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
  /// The tightest hard limit of its ResourceQuotas, per amount; none: no limit.
  std::optional<std::int64_t> hard_pods, hard_cpu_millis, hard_memory_bytes;
  std::uint64_t quota_rejections = 0;  ///< pod creations refused
};

/// One EKS cluster's nodes: how many there were and how many ran workload pods.
struct EksNodesResult {
  std::string cluster;
  std::int64_t nodes_at_end = 0;     ///< nodes registered at the end
  std::int64_t busy_at_end = 0;      ///< nodes with a pod bound that no DaemonSet owns, at the end
  double busy_mean = 0;              ///< busy nodes, time-weighted over the run
  std::int64_t busy_max = 0;         ///< most busy nodes at any instant
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

/// One scheduled drain (or Spot draining of one instance) and how far it got; for EKS, one
/// drain operation (`kubectl drain` of a node group's nodes).
struct DrainResult {
  std::string cluster;
  SimTime at;                        ///< when the instances were set to DRAINING (EKS: cordoned)
  std::uint32_t instances = 0;       ///< how many (EKS: nodes)
  /// When the last service task left them; none while some remain (a stuck drain). EKS: the
  /// last pod other than DaemonSet pods.
  std::optional<SimTime> drained;
  /// Service tasks still on them at the end (EKS: pods other than DaemonSet pods).
  std::uint64_t service_tasks_left = 0;
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

/// What one job stream did.
struct JobResult {
  std::string cluster;
  std::string name;
  TaskCounts tasks;
  WaitSeconds wait;
  std::map<std::string, std::uint64_t> failure_reasons;  ///< e.g. RESOURCE:MEMORY -> count
};

/// The outcome of one replication.
struct ReplicationResult {
  std::uint64_t seed = 0;
  SimTime end;                       ///< the simulated horizon reached
  std::uint64_t events = 0;
  double wall_seconds = 0;
  TaskCounts tasks;
  WaitSeconds wait;
  platform::CostBreakdown cost;
  double cpu_reserved_mean = 0;      ///< reserved / registered CPU, time-weighted over the run
  double memory_reserved_mean = 0;   ///< reserved / registered memory, time-weighted
  platform::PlatformCounters platform;
  std::vector<JobResult> jobs;
  std::vector<ServiceResult> services;  ///< every cluster's services, in scenario order
  std::vector<DrainResult> drains;      ///< scheduled drains, in time order (ECS, then EKS)
  /// Managed node group updates, per EKS cluster in scenario order, each in time order.
  std::vector<NodeGroupUpdateResult> node_group_updates;
  std::vector<ControlPlaneResult> control_plane;  ///< per EKS cluster, in scenario order
  std::vector<EksNodesResult> eks_nodes;          ///< per EKS cluster, in scenario order
  /// The decision RunOptions::explain asked for; none without a request or when no matching
  /// pod had a scheduling cycle at or after its time.
  std::optional<ExplainResult> explanation;
  /// Per EKS cluster in scenario order, its namespaces with workloads or quotas, by name.
  std::vector<NamespaceResult> namespaces;
  std::vector<TimeseriesRow> timeseries;
};

/// How a replication is run.
struct RunOptions {
  std::uint64_t seed = 1;                 ///< root of this replication's random streams
  std::uint32_t replication = 0;          ///< index of this replication, for messages
  SimDuration horizon{};                  ///< simulated time to run
  bool timeseries = true;                 ///< record a row every scenario.timeseries_interval
  /// Called now and then with the fraction of the horizon done (0..1) and the events handled so
  /// far; may be empty.
  std::function<void(double, std::uint64_t)> progress;
  /// A scheduling decision to explain in ReplicationResult::explanation; the run is the same.
  std::optional<ExplainRequest> explain;
  /// For tests of the exit status: a self-check fails at this time since the start.
  std::optional<SimDuration> fail_check_at;
};

/// Simulates `scenario` once; throws InvariantViolation when a self-check fails and OutOfMemory
/// when memory runs out.
ReplicationResult run_replication(const scenario::Scenario& scenario, const RunOptions& options);

/// The seed of replication `index` of a scenario whose seed is `root`: replication 0 uses `root`
/// itself, the others seeds derived from it, so adding replications never changes earlier ones.
std::uint64_t replication_seed(std::uint64_t root, std::uint32_t index);

}  // namespace ecsim::engine
