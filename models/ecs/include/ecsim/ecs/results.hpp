#pragma once

/// What the ECS clusters did over one run, as plain values: each service against its desired
/// count with its deployments, each job stream's tasks, each scheduled drain, and the reserved
/// share of what the container instances registered. The engine gathers them into the run's
/// result; the report writer turns them into text.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ecsim/sim/measure.hpp"
#include "ecsim/sim/time.hpp"
#include "ecsim/workload/load.hpp"

namespace ecsim::ecs {

/// One deployment of a service: the first one (the service's creation) or one an update made.
struct DeploymentResult {
  std::string trigger;             ///< "create", or "update at <time>"
  SimTime started;
  std::optional<SimTime> finished; ///< when it completed or failed; none while IN_PROGRESS
  RolloutState state = RolloutState::kInProgress;  ///< AWS's rolloutState
  bool rolled_back = false;        ///< FAILED and the circuit breaker rolled it back
  /// IN_PROGRESS and unable to progress (for example 100/100 with no room): since when.
  std::optional<SimTime> stuck_since;
  std::uint64_t failed_tasks = 0;  ///< tasks of this deployment that stopped before RUNNING
};

/// What one service did: its RUNNING tasks against desiredCount (DAEMON: eligible instances).
struct ServiceResult {
  std::string cluster;
  std::string name;
  ReplicaSummary replicas;
  TaskCounts tasks;
  std::vector<DeploymentResult> deployments;  ///< in the order they started
  std::optional<workload::LoadSummary> load;  ///< with a load
};

/// What one job stream did.
struct JobResult {
  std::string cluster;
  std::string name;
  TaskCounts tasks;
  WaitSeconds wait;
  std::map<std::string, std::uint64_t> failure_reasons;  ///< e.g. RESOURCE:MEMORY -> count
};

/// One scheduled drain (or Spot draining of one instance) and how far it got.
struct DrainResult {
  std::string cluster;
  SimTime at;                      ///< when the instances were set to DRAINING
  std::uint32_t instances = 0;     ///< how many
  std::optional<SimTime> drained;  ///< when the last service task left them; none: stuck
  std::uint64_t service_tasks_left = 0;  ///< service tasks still on them at the end
};

/// Everything the ECS clusters did, each list in scenario order.
struct Results {
  std::vector<JobResult> jobs;
  std::vector<ServiceResult> services;
  std::vector<DrainResult> drains;  ///< in the order they started
  double cpu_reserved_mean = 0;     ///< reserved / registered CPU, time-weighted over the run
  double memory_reserved_mean = 0;  ///< reserved / registered memory, time-weighted
};

}  // namespace ecsim::ecs
