#pragma once

// One replication of a scenario: the event loop that ties the platform (zones, instances,
// groups), the EKS runtime, the ECS clusters' container instances, services and standalone
// tasks, Fargate and the job streams together, and measures what happens. The class is split over world.cpp (tasks,
// jobs, instances, Fargate, measurement) and services.cpp (services, deployments, drains,
// managed scaling).

#include <array>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit.hpp"
#include "ecsim/ecs/attributes.hpp"
#include "ecsim/ecs/container_instances.hpp"
#include "ecsim/ecs/managed_scaling.hpp"
#include "ecsim/ecs/placement.hpp"
#include "ecsim/eks/runtime.hpp"
#include "ecsim/engine/engine.hpp"
#include "ecsim/platform/cost.hpp"
#include "ecsim/platform/fargate.hpp"
#include "ecsim/platform/platform.hpp"
#include "ecsim/sim/random.hpp"
#include "ecsim/sim/simulator.hpp"
#include "ecsim/sim/stats.hpp"
#include "ecsim/workload/arrivals.hpp"

namespace ecsim::engine::detail {

using scenario::LaunchType;
using TaskIndex = std::uint32_t;
inline constexpr TaskIndex kNoTask = std::numeric_limits<TaskIndex>::max();
inline constexpr std::uint32_t kUnset = std::numeric_limits<std::uint32_t>::max();
/// The duration of a task that runs until it is stopped (a service's).
inline constexpr SimDuration kUntilStopped = SimDuration::max();

// Event kinds of the engine; the platform's lie in [platform::kFirstEventKind, kEndEventKind),
// the EKS runtime's in [eks::kFirstEventKind, eks::kEndEventKind).
enum EventKind : std::uint32_t {
  kArrival = 1,            // target: job
  kTaskComplete = 2,       // target: task
  kTaskStarted = 3,        // target: task (PENDING, now RUNNING or failed to start)
  kFargateLaunch = 4,      // the launch token bucket has a token again
  kFargateSpotNotice = 5,  // target: task
  kFargateSpotReclaim = 6, // target: task
  kSample = 7,             // a time-series row is due
  kServiceRetry = 8,       // target: service; its launch back-off is over
  kServiceUpdate = 9,      // target: service, payload: index of the update
  kDrain = 10,             // target: cluster, payload: index of the drain
  kAgentLost = 11,         // target: cluster, payload: container instance
  kScalingTick = 12,       // target: cluster; managed scaling evaluates
  kFailCheck = 24,         // RunOptions::fail_check_at: a self-check fails (tests of exit 3)
};

struct JobRuntime {
  const scenario::JobConfig* config;
  std::uint32_t cluster;
  workload::ArrivalGenerator arrivals;
  RandomStream arrival_stream;
  RandomStream duration_stream;
  std::int64_t cpu_units;  // reserved per task on EC2, from the task definition
  std::int64_t memory_mib;
  JobResult result;
  QuantileSketch wait;
  std::deque<TaskIndex> waiting;  // EC2 tasks in PROVISIONING, oldest first
  // With placement strategies or constraints: the job's task group in its cluster, and per
  // container instance whether it satisfies every memberOf expression.
  std::optional<ecs::TaskGroupIndex> group;
  std::vector<std::uint8_t> member_of;
};

/// One revision of a service being deployed (or deployed).
struct DeploymentRuntime {
  const ecs::TaskDefinition* task_definition;
  bool fails_to_start = false;
  std::int64_t failures = 0;  // the circuit breaker's count (reset when a task gets healthy)
  DeploymentResult result;
};

struct ServiceRuntime {
  const scenario::ServiceConfig* config;
  std::uint32_t cluster;
  ecs::TaskGroupIndex group;           // the service's tasks, for spread and distinctInstance
  std::vector<std::uint8_t> member_of; // per container instance of the cluster
  std::int64_t desired = 0;
  std::vector<DeploymentRuntime> deployments;  // the last one is the primary
  std::vector<TaskIndex> tasks;                // not STOPPED, in no particular order
  std::vector<std::int64_t> provider_tasks;    // live tasks per capacity provider strategy item
  std::int64_t consecutive_failures = 0;       // tasks in a row that never reached RUNNING
  SimTime throttled_until = kSimStart;
  bool retry_scheduled = false;
  bool dirty = false;
  bool wants_capacity = false;  // could not place every task it wanted on EC2
  std::int64_t unplaced = 0;    // tasks it could not place at its last reconcile
  bool failed = false;          // the circuit breaker stopped it (no rollback)
  // Measurement.
  std::int64_t running = 0;
  std::vector<std::int64_t> running_by_az;
  TimeWeightedGauge running_gauge;
  SimTime started_at = kNever;  // first time running >= desired
  bool available = false;
  SimTime available_since = kSimStart;
  SimDuration available_time{};
  std::int64_t min_running = 0;
  QuantileSketch wait;
  ServiceResult result;
};

/// The value ids of a custom attribute a spread strategy names, per container instance of a
/// cluster: dense, in the order values first appear; ecs::kNoAttributeValue where absent.
struct AttributeColumn {
  std::string name;
  std::vector<std::uint32_t> values;        // per container instance
  std::map<std::string, std::uint32_t> ids;  // value -> id
};

struct ClusterRuntime {
  const scenario::EcsClusterConfig* config;
  ecs::ContainerInstances instances;
  std::vector<std::vector<TaskIndex>> tasks_on;  // per container instance
  // Per container instance, the value ids of the attributes spread strategies can use.
  std::vector<std::uint32_t> instance_type, os_type, cpu_architecture;
  std::vector<AttributeColumn> custom;           // one per custom attribute spread over
  std::vector<SimTime> disconnected_since;       // per container instance; kNever if connected
  std::vector<std::uint32_t> busy;               // per container instance: non-DAEMON tasks
  bool tracks_busy = false;                      // managed scaling reads `busy`; else not kept
  std::vector<std::uint32_t> services;           // indices into World::services_
  std::vector<ecs::ContainerInstanceIndex> draining;  // set DRAINING, in that order
  RandomStream start_latency{0};                 // placement to RUNNING on its instances
  ecs::ScalingAlarms alarms;                     // managed scaling's datapoints
};

struct DrainRuntime {
  std::uint32_t cluster;
  std::vector<ecs::ContainerInstanceIndex> instances;
  DrainResult result;
};

// The attributes the ECS agent registers that ecsim models, and the instance's custom ones, for
// memberOf expressions.
struct RegisteredAttributes {
  std::string az, type, ec2_id;
  std::array<ecs::InstanceAttribute, 4 + ecs::kMaxCustomAttributes> list;
  ecs::InstanceAttributes view;
};

/// What the service scheduler keeps per task, in one row so that creating a task is one push.
struct ServiceTaskFields {
  std::uint32_t deployment = 0;     // index into the service's deployments
  std::uint32_t provider = kUnset;  // capacity provider strategy item; kUnset if none
  std::uint32_t slot = 0;           // position in the service's task list
  std::uint8_t cut_off = 0;         // a RUNNING task on an unreachable instance
};

/// The placement rules of a job or a service: a view of its strategies and constraints.
struct PlacementRules {
  std::optional<ecs::TaskGroupIndex> group;  // none: first fit
  std::span<const scenario::StrategyConfig> strategies;
  bool distinct_instance = false;
  std::span<const std::uint8_t> member_of;   // empty: no memberOf constraint
};

/// The placement strategies `configs` as the placer takes them, written into `out` (at most 5),
/// with views of cluster `c`'s attribute columns: valid until an instance registers.
std::span<const ecs::PlacementStrategy> resolve_strategies(
    const ClusterRuntime& c, std::span<const scenario::StrategyConfig> configs,
    std::array<ecs::PlacementStrategy, 5>& out);

class World {
 public:
  World(const scenario::Scenario& s, const RunOptions& options);
  ReplicationResult run();
  /// The run's clock, for the messages of failed checks.
  [[nodiscard]] const Simulator& simulator() const noexcept { return sim_; }

 private:
  // --- world.cpp: dispatch, jobs, EC2 and Fargate tasks, instances, measurement ---------------
  void dispatch(const Event& e);
  void schedule_next_arrival(std::uint32_t j);
  void on_arrival(std::uint32_t j);
  TaskIndex create_task(SimDuration duration, std::int64_t cpu, std::int64_t memory,
                        std::uint32_t cluster, LaunchType launch);
  ecs::PlacementResult choose_instance(std::uint32_t c, const PlacementRules& rules,
                                       std::int64_t cpu, std::int64_t memory,
                                       std::span<const ecs::HostPort> ports);
  std::span<const ecs::HostPort> host_ports_of(TaskIndex t) const;
  void assign_to_instance(TaskIndex t, ecs::ContainerInstanceIndex i);
  ecs::PlacementFailure place_job_task(TaskIndex t);
  void place_waiting(std::uint32_t c);
  void release_ec2(TaskIndex t);
  void count_busy(TaskIndex t, bool placed);
  void capacity_freed(std::uint32_t c);
  void drain_platform_changes();
  void on_instance_change(const platform::InstanceChange& change);
  void register_instance(std::uint32_t c, InstanceId id);
  void register_member_of(std::uint32_t c, InstanceId id, const platform::InstanceType& type);
  std::span<const scenario::CustomAttribute> custom_attributes(InstanceId id) const;
  void adjust_registered(std::int64_t cpu, std::int64_t mem);
  std::optional<AzId> fargate_zone(TaskIndex t) const;
  void launch_fargate();
  void on_task_started(TaskIndex t);
  void evict_fargate_in(AzId z);
  void start_running(TaskIndex t);
  void finish(TaskIndex t, Outcome outcome);
  TaskCounts& counts_of(TaskIndex t);
  void reserve_in_az(AzId z, std::int64_t cpu, std::int64_t mem, bool ec2);
  void sample();
  TaskCounts totals() const;
  void check_invariants() const;

  // --- services.cpp: services, deployments, drains, agents, managed scaling -------------------
  void create_services();
  void mark_dirty(std::uint32_t s);
  void flush_services();
  void reconcile(std::uint32_t s);
  void reconcile_replica(ServiceRuntime& s, std::uint32_t index);
  void reconcile_daemon(ServiceRuntime& s, std::uint32_t index);
  bool start_service_task(std::uint32_t s, std::optional<ecs::ContainerInstanceIndex> on);
  void stop_service_task(TaskIndex t);
  void scale_in_one(ServiceRuntime& s, std::span<const TaskIndex> among);
  std::int64_t launches_allowed(ServiceRuntime& s, std::uint32_t index, std::int64_t start_new);
  void rebalance_zones(ServiceRuntime& s, std::uint32_t index);
  void update_deployment_states(ServiceRuntime& s, bool stuck);
  void on_service_task_failed(TaskIndex t);
  void on_service_task_running(TaskIndex t);
  void on_service_task_gone(TaskIndex t, bool was_running);
  void cut_off(std::uint32_t c, ecs::ContainerInstanceIndex i, bool off);
  void count_serving(TaskIndex t, std::int64_t delta);
  void observe(ServiceRuntime& s);
  void on_service_update(std::uint32_t s, std::size_t update);
  void start_deployment(ServiceRuntime& s, const ecs::TaskDefinition* td, bool fails,
                        std::string trigger);
  void on_drain(std::uint32_t c, std::size_t drain);
  void set_draining(std::uint32_t c, ecs::ContainerInstanceIndex i);
  void check_drains();
  const std::vector<TaskIndex>& service_tasks_on(const ClusterRuntime& c,
                                                 ecs::ContainerInstanceIndex i);
  void on_agent_lost(std::uint32_t c, ecs::ContainerInstanceIndex i);
  void on_scaling_tick(std::uint32_t c);
  std::int64_t instances_needed(std::uint32_t c) const;
  bool in_asg(const ClusterRuntime& c, ecs::ContainerInstanceIndex i) const;
  PlacementRules rules_of(const ServiceRuntime& s) const;
  ServiceResult service_result(ServiceRuntime& s, SimTime end) const;

  const scenario::Scenario& scenario_;
  RunOptions options_;
  RandomStreams streams_;
  Simulator sim_;
  platform::Platform platform_;
  platform::LaunchTokenBucket fargate_bucket_;
  RandomStream fargate_rng_;
  ecs::Placer placer_;
  platform::CostMeter cost_;  // Fargate and EKS control planes; EC2 is billed by the platform
  std::vector<platform::AzState> az_state_;
  std::vector<std::uint32_t> fargate_running_by_az_;
  std::vector<std::int64_t> cpu_by_az_, memory_by_az_;
  std::vector<ClusterRuntime> clusters_;
  std::vector<std::uint32_t> cluster_of_group_;
  // Per platform group of a cluster: the custom attributes its instances register with.
  std::vector<std::span<const scenario::CustomAttribute>> attributes_of_group_;
  std::vector<JobRuntime> jobs_;
  std::vector<ServiceRuntime> services_;
  std::vector<DrainRuntime> drains_;
  eks::Runtime eks_;
  std::vector<workload::Arrival> next_arrival_;
  std::deque<TaskIndex> fargate_queue_;
  bool fargate_launch_scheduled_ = false;
  std::vector<std::uint32_t> scratch_jobs_;
  std::vector<std::uint32_t> dirty_;      // services to reconcile before the next event
  std::vector<TaskIndex> scratch_tasks_;  // reused by reconciles
  bool flushing_ = false;
  std::uint32_t registered_instances_ = 0;

  // The task table, structure of arrays, indexed by TaskIndex.
  std::vector<std::uint32_t> job_of_;      // kUnset for service tasks
  std::vector<std::uint32_t> service_of_;  // kUnset for job tasks
  std::vector<ServiceTaskFields> svc_;     // meaningful for service tasks only
  std::vector<std::uint32_t> cluster_of_;
  std::vector<LaunchType> launch_;
  std::vector<TaskState> state_;
  std::vector<SimTime> created_;
  std::vector<SimDuration> duration_;
  std::vector<std::int64_t> cpu_, memory_;
  std::vector<AzId> az_;
  std::vector<ecs::ContainerInstanceIndex> instance_;
  std::vector<std::uint32_t> slot_;  // position in tasks_on[instance]
  std::vector<EventHandle> completion_;
  std::vector<platform::CostItemId> cost_item_;
  std::uint64_t provisioning_ = 0, pending_ = 0, running_ = 0;

  QuantileSketch all_wait_;
  std::int64_t reserved_cpu_ = 0, reserved_memory_ = 0, registered_cpu_ = 0, registered_memory_ = 0;
  TimeWeightedGauge cpu_reserved_, memory_reserved_, cpu_registered_, memory_registered_;
  std::vector<TimeseriesRow> rows_;
};

}  // namespace ecsim::engine::detail
