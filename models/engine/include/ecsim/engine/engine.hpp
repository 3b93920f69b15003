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
#include "ecsim/sim/time.hpp"

namespace ecsim::engine {

/// Thrown when a run's own self-checks find an impossible state (exit status 3).
class InvariantViolation : public std::runtime_error {
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

/// One scheduled drain (or Spot draining of one instance) and how far it got.
struct DrainResult {
  std::string cluster;
  SimTime at;                        ///< when the instances were set to DRAINING
  std::uint32_t instances = 0;       ///< how many
  /// When the last service task left them; none while some remain (a stuck drain).
  std::optional<SimTime> drained;
  std::uint64_t service_tasks_left = 0;  ///< service tasks still on them at the end
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
  std::vector<DrainResult> drains;      ///< scheduled drains, in time order
  std::vector<ControlPlaneResult> control_plane;  ///< per EKS cluster, in scenario order
  /// Per EKS cluster in scenario order, its namespaces with workloads or quotas, by name.
  std::vector<NamespaceResult> namespaces;
  std::vector<TimeseriesRow> timeseries;
};

/// How a replication is run.
struct RunOptions {
  std::uint64_t seed = 1;                 ///< root of this replication's random streams
  SimDuration horizon{};                  ///< simulated time to run
  bool timeseries = true;                 ///< record a row every scenario.timeseries_interval
  /// Called now and then with the fraction of the horizon done (0..1); may be empty.
  std::function<void(double)> progress;
};

/// Simulates `scenario` once; throws InvariantViolation when a self-check fails.
ReplicationResult run_replication(const scenario::Scenario& scenario, const RunOptions& options);

/// The seed of replication `index` of a scenario whose seed is `root`: replication 0 uses `root`
/// itself, the others seeds derived from it, so adding replications never changes earlier ones.
std::uint64_t replication_seed(std::uint64_t root, std::uint32_t index);

}  // namespace ecsim::engine
