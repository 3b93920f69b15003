#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ecsim/beanstalk/results.hpp"
#include "ecsim/ecs/results.hpp"
#include "ecsim/eks/results.hpp"
#include "ecsim/platform/platform.hpp"
#include "ecsim/scenario/scenario.hpp"
#include "ecsim/sim/assert.hpp"
#include "ecsim/sim/measure.hpp"
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

using ::ecsim::TaskCounts;
using ::ecsim::WaitSeconds;
using ::ecsim::RolloutState;
using eks::ControlPlaneResult;
using eks::QuotaAmounts;
using eks::NamespaceResult;
using EksNodesResult = eks::NodesResult;
using eks::PluginScore;
using eks::NodeExplanation;
using eks::ExplainOutcome;
using eks::ExplainResult;
using eks::ExplainRequest;
using eks::NodeGroupUpdateResult;
// ECS's shapes of a deployment, a job stream and a drain are also the report's: EKS rollouts,
// Jobs and drain operations are reported in them.
using ecs::DeploymentResult;
using ecs::DrainResult;
using ecs::JobResult;

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
  /// What the autoscalers set, in ReplicationResult::autoscaled_columns order: each scaled
  /// service's desired count, each Cluster Autoscaler's registered nodes.
  std::vector<std::int64_t> autoscaled;
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
  std::optional<workload::LoadSummary> load;  ///< with a load
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
  std::vector<DrainResult> drains;  ///< EKS drain operations, then ECS drains, each in time order
  /// Managed node group updates, per EKS cluster in scenario order, each in time order.
  std::vector<NodeGroupUpdateResult> node_group_updates;
  std::vector<ControlPlaneResult> control_plane;  ///< per EKS cluster, in scenario order
  std::vector<ScalingActivity> scaling;  ///< every autoscaler's changes, in time order
  /// The names of TimeseriesRow::autoscaled's columns ("desired:CLUSTER/NAME",
  /// "nodes:CLUSTER"); the same in every replication.
  std::vector<std::string> autoscaled_columns;
  std::vector<EksNodesResult> eks_nodes;          ///< per EKS cluster, in scenario order
  /// The decision RunOptions::explain asked for; none without a request or when no matching
  /// pod had a scheduling cycle at or after its time.
  std::optional<ExplainResult> explanation;
  /// Per EKS cluster in scenario order, its namespaces with workloads or quotas, by name.
  std::vector<NamespaceResult> namespaces;
  std::vector<beanstalk::EnvironmentResult> beanstalk;  ///< per environment, in scenario order
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
