#pragma once

/// The ECS clusters of a run as one component of the engine: container instances registered
/// from the platform's instances, job streams run as standalone tasks (RunTask) on EC2 or
/// Fargate, the service scheduler (REPLICA and DAEMON reconciliation, rolling deployments with
/// the circuit breaker and the launch back-off, AZ rebalancing), DRAINING instances, lost
/// agents, and managed scaling of a cluster's capacity provider.
///
/// Like platform::Platform it owns a range of event kinds and handles them; it reads the
/// platform's instance changes, which the engine hands it, and measures what it runs. The class
/// is split over runtime.cpp (tasks, jobs, instances, Fargate, measurement) and services.cpp
/// (services, deployments, drains, agents, managed scaling).

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

#include "ecsim/ecs/audit.hpp"
#include "ecsim/ecs/attributes.hpp"
#include "ecsim/ecs/container_instances.hpp"
#include "ecsim/ecs/managed_scaling.hpp"
#include "ecsim/ecs/placement.hpp"
#include "ecsim/ecs/cluster_spec.hpp"
#include "ecsim/ecs/results.hpp"
#include "ecsim/platform/cost.hpp"
#include "ecsim/platform/fargate.hpp"
#include "ecsim/platform/platform.hpp"
#include "ecsim/sim/id_vector.hpp"
#include "ecsim/sim/ids.hpp"
#include "ecsim/sim/measure.hpp"
#include "ecsim/sim/random.hpp"
#include "ecsim/sim/simulator.hpp"
#include "ecsim/sim/stats.hpp"
#include "ecsim/workload/arrivals.hpp"

namespace ecsim::ecs {

/// A task's record: a slot of the runtime's task table, reused once the task stopped and no
/// event names it.
using TaskIndex = TaskId;
inline constexpr TaskIndex kNoTask = TaskIndex::invalid();
inline constexpr std::uint32_t kUnset = std::numeric_limits<std::uint32_t>::max();
/// The duration of a task that runs until it is stopped (a service's).
inline constexpr SimDuration kUntilStopped = SimDuration::max();

/// First and one-past-last event kind the ECS runtime schedules; the engine routes these to
/// `Runtime::handle`.
inline constexpr std::uint32_t kFirstEventKind = 200;
inline constexpr std::uint32_t kEndEventKind = 300;

/// The ECS runtime's events, each with what its target and payload hold.
enum EventKind : std::uint32_t {
  kArrival = kFirstEventKind,  ///< target: job
  kTaskComplete,               ///< target: task
  kTaskStarted,                ///< target: task (PENDING, now RUNNING or failed to start)
  kFargateLaunch,              ///< the launch token bucket has a token again
  kFargateSpotNotice,          ///< target: task
  kFargateSpotReclaim,         ///< target: task
  kServiceRetry,               ///< target: service; its launch back-off is over
  kServiceUpdate,              ///< target: service; payload: index of the update
  kDrain,                      ///< target: cluster; payload: index of the drain
  kAgentLost,                  ///< target: cluster; payload: container instance
  kScalingTick,                ///< target: cluster; managed scaling evaluates
  kTaskHealthy,                ///< target: task; a service task now counts as healthy
};

struct JobRuntime {
  const JobConfig* config;
  ClusterId cluster;
  workload::ArrivalGenerator arrivals;
  RandomStream arrival_stream;
  RandomStream duration_stream;
  JobResult result;
  QuantileSketch wait;
  std::deque<TaskIndex> waiting;  // EC2 tasks in PROVISIONING, oldest first
  // With placement strategies or constraints: the job's task group in its cluster, and per
  // container instance whether it satisfies every memberOf expression.
  std::optional<TaskGroupIndex> group;
  std::vector<std::uint8_t> member_of;
};

/// One revision of a service being deployed (or deployed).
struct DeploymentRuntime {
  const TaskDefinition* task_definition;
  bool fails_to_start = false;
  std::int64_t failures = 0;  // the circuit breaker's count (reset when a task gets healthy)
  // A DAEMON deployment that another component paces (Elastic Beanstalk's batches): at most
  // this many eligible instances without a healthy task at once; none: minimumHealthyPercent.
  std::optional<std::int64_t> batch;
  DeploymentResult result;
};

/// Where a DAEMON service's deployment stands, over the instances that should run its task.
struct DaemonProgress {
  std::int64_t desired = 0;      ///< eligible ACTIVE instances
  std::int64_t old_running = 0;  ///< tasks of earlier revisions RUNNING on them
  std::int64_t new_healthy = 0;  ///< tasks of the primary revision RUNNING and healthy
  std::int64_t new_pending = 0;  ///< tasks of the primary revision on their way to healthy
};

struct ServiceRuntime {
  const ServiceConfig* config;
  ClusterId cluster;
  TaskGroupIndex group;           // the service's tasks, for spread and distinctInstance
  std::vector<std::uint8_t> member_of; // per container instance of the cluster
  std::vector<DeploymentRuntime> deployments;  // the last one is the primary
  std::vector<TaskIndex> tasks;                // not STOPPED, in no particular order
  std::vector<std::int64_t> provider_tasks;    // live tasks per capacity provider strategy item
  std::int64_t consecutive_failures = 0;       // tasks in a row that never reached RUNNING
  SimTime throttled_until = kSimStart;
  bool retry_scheduled = false;
  bool dirty = false;
  bool wants_capacity = false;  // could not place every task it wanted on EC2
  bool in_wanting = false;      // in its cluster's `wanting` list
  std::int64_t unplaced = 0;    // tasks it could not place at its last reconcile
  bool failed = false;          // the circuit breaker stopped it (no rollback)
  ReplicaMeter meter;   // RUNNING tasks (not cut off) against desiredCount
  std::optional<workload::LoadMeter> load;  // its load, shared by the serving tasks
  ServiceResult result;  // its name and task counts; the rest is filled in at the end
};

/// The value ids of a custom attribute a spread strategy names, per container instance of a
/// cluster: dense, in the order values first appear; kNoAttributeValue where absent.
struct AttributeColumn {
  std::string name;
  std::vector<std::uint32_t> values;        // per container instance
  std::map<std::string, std::uint32_t> ids;  // value -> id
};

struct ClusterRuntime {
  const EcsClusterConfig* config;
  ContainerInstances instances;
  std::vector<std::vector<TaskIndex>> tasks_on;  // per container instance
  // Per container instance, the value ids of the attributes spread strategies can use.
  std::vector<std::uint32_t> instance_type, os_type, cpu_architecture;
  std::vector<AttributeColumn> custom;           // one per custom attribute spread over
  std::vector<SimTime> disconnected_since;       // per container instance; kNever if connected
  std::vector<std::uint32_t> busy;               // per container instance: non-DAEMON tasks
  bool tracks_busy = false;                      // managed scaling reads `busy`; else not kept
  std::vector<ServiceId> services;               // its services
  std::vector<std::uint32_t> jobs;               // indices into Runtime::jobs_
  // Services that could not place every task they wanted on EC2 (a superset: those that no
  // longer want are dropped when it is next read, and it is sorted then), woken when
  // capacity frees.
  std::vector<ServiceId> wanting;
  bool wanting_sorted = true;
  std::vector<ContainerInstanceIndex> draining;  // set DRAINING, in that order
  RandomStream start_latency{0};                 // placement to RUNNING on its instances
  ScalingAlarms alarms;                     // managed scaling's datapoints
};

struct DrainRuntime {
  ClusterId cluster;
  std::vector<ContainerInstanceIndex> instances;
  DrainResult result;
};

// The attributes the ECS agent registers that ecsim models, and the instance's custom ones, for
// memberOf expressions.
struct RegisteredAttributes {
  std::string az, type, ec2_id;
  std::array<InstanceAttribute, 4 + kMaxCustomAttributes> list;
  InstanceAttributes view;
};

/// What the service scheduler keeps per task, in one row so that creating a task is one push.
struct ServiceTaskFields {
  std::uint32_t deployment = 0;     // index into the service's deployments
  std::uint32_t provider = kUnset;  // capacity provider strategy item; kUnset if none
  std::uint32_t slot = 0;           // position in the service's task list
  std::uint8_t cut_off = 0;         // a RUNNING task on an unreachable instance
  std::uint8_t healthy = 0;         // RUNNING long enough to count towards minimumHealthyPercent
  SimTime serving_since = kSimStart;  // when it last began to serve (its load's slow start)
};

/// The placement rules of a job or a service: a view of its strategies and constraints.
struct PlacementRules {
  std::optional<TaskGroupIndex> group;  // none: first fit
  std::span<const StrategyConfig> strategies;
  bool distinct_instance = false;
  std::span<const std::uint8_t> member_of;   // empty: no memberOf constraint
};

/// The placement strategies `configs` as the placer takes them, written into `out` (at most 5),
/// with views of cluster `c`'s attribute columns: valid until an instance registers.
std::span<const PlacementStrategy> resolve_strategies(
    const ClusterRuntime& c, std::span<const StrategyConfig> configs,
    std::array<PlacementStrategy, 5>& out);

/// What the runtime shares with the rest of the run.
struct Context {
  Simulator& sim;
  platform::Platform& platform;
  const platform::PlatformConfig& platform_config;  ///< zones, groups, Fargate
  const RandomStreams& streams;
  platform::CostMeter& cost;  ///< Fargate tasks are billed here
  QuantileSketch& all_wait;   ///< every task's and pod's wait to RUNNING, seconds
  SimTime horizon;            ///< the end of the run
};

/// The ECS clusters of one run.
class Runtime {
 public:
  /// The runtime of `clusters`, which must outlive it, as do the context's references.
  Runtime(std::span<const EcsClusterConfig> clusters, Context context);

  /// Creates the services (before the first instance registers, so that DAEMON tasks go
  /// first) and schedules their updates, the drains and managed scaling.
  void create_services();
  /// Reconciles the services and schedules the jobs' first arrivals; call once the platform
  /// has started and its first changes were handed over.
  void start_jobs();

  /// Handles one event whose kind is in [kFirstEventKind, kEndEventKind); true when it may
  /// have changed the platform (the caller then hands the platform's changes back at once).
  bool handle(const Event& e);
  /// Reconciles the services whose state changed; call after every event.
  void flush() {
    if (!dirty_.empty()) flush_services();
  }
  /// Zones changed state (read from the platform): Fargate tasks in a failed zone stop, and
  /// services reconcile once a zone is back.
  void zones_changed();
  /// Handles an instance change of a group of an ECS cluster (others are ignored).
  void on_instance_change(const platform::InstanceChange& change);
  /// The platform's changes were handed over: waiting Fargate tasks launch.
  void after_changes() {
    if (!fargate_queue_.empty()) launch_fargate();
  }

  /// Tasks RUNNING, and tasks PROVISIONING or PENDING, now.
  [[nodiscard]] std::uint64_t running() const noexcept { return running_; }
  [[nodiscard]] std::uint64_t pending() const noexcept { return provisioning_ + pending_; }
  /// CPU units and MiB reserved now per zone (EC2 and Fargate).
  [[nodiscard]] const std::vector<std::int64_t>& cpu_reserved_by_az() const { return cpu_by_az_; }
  [[nodiscard]] const std::vector<std::int64_t>& memory_reserved_by_az() const {
    return memory_by_az_;
  }
  /// Container instances registered and not deregistered, now.
  [[nodiscard]] std::uint32_t registered_instances() const noexcept { return registered_instances_; }
  /// Appends the RUNNING tasks per zone of every service, service by service.
  void append_running_by_az(std::vector<std::uint32_t>& row) const;
  /// The id of service `service` of cluster `cluster` (indices into the scenario's lists).
  [[nodiscard]] ServiceId service_id(std::size_t cluster, std::size_t service) const;
  /// A service's load meter (advanced to now), or null without a load.
  [[nodiscard]] workload::LoadMeter* load(ServiceId s);
  /// A service's desiredCount, and whether a deployment of it is in progress.
  [[nodiscard]] std::int64_t desired_count(ServiceId s) const { return services_[s].meter.desired; }
  [[nodiscard]] bool deployment_in_progress(ServiceId s) const {
    return services_[s].deployments.back().result.state == RolloutState::kInProgress;
  }
  /// A service's tasks serving now (RUNNING on a reachable instance, or on Fargate).
  [[nodiscard]] std::int64_t serving(ServiceId s) const { return services_[s].meter.running; }
  /// UpdateService with a new desiredCount (an autoscaler's); call flush() after.
  void set_desired_count(ServiceId s, std::int64_t desired);
  /// Starts a deployment of revision `td` (which must outlive the runtime) of DAEMON service
  /// `s`, paced by `batch` (see DeploymentRuntime::batch); call flush() after.
  void deploy_daemon(ServiceId s, const TaskDefinition* td, bool fails_to_start,
                     std::string trigger, std::int64_t batch);
  /// Changes the pace of DAEMON service `s`'s deployment in progress; call flush() after.
  void set_deployment_batch(ServiceId s, std::int64_t batch);
  /// Where DAEMON service `s`'s primary deployment stands now.
  [[nodiscard]] DaemonProgress daemon_progress(ServiceId s) const;
  /// Adds every task's outcome and the tasks running and pending now to `all`.
  void add_totals(TaskCounts& all) const;
  /// The self-checks: task states against their counts, container instances' free resources
  /// against the tasks they hold. Throws InternalError when they disagree.
  void check_invariants() const;
  /// How many records check_invariants walks (task slots and container instances).
  [[nodiscard]] std::uint64_t audit_size() const noexcept;
  /// What the clusters did, at `end`.
  [[nodiscard]] Results results(SimTime end);

 private:
  // --- runtime.cpp: jobs, EC2 and Fargate tasks, instances, measurement ----------------------
  void schedule_next_arrival(std::uint32_t j);
  void on_arrival(std::uint32_t j);
  TaskIndex create_task(SimDuration duration, std::int64_t cpu, std::int64_t memory,
                        ClusterId cluster, LaunchType launch);
  /// Drops one event's reference to task `t`'s slot (freeing a stopped task's once none is
  /// left); true while the task is not stopped.
  bool release_ref(TaskIndex t);
  /// `t` was created after `than` (or `than` is kNoTask).
  [[nodiscard]] bool newer(TaskIndex t, TaskIndex than) const {
    return than == kNoTask || sequence_[t] > sequence_[than];
  }
  /// Where a task of `definition` reserving `cpu` units and `memory` MiB would go under `rules`.
  PlacementResult choose_instance(ClusterId c, const PlacementRules& rules, std::int64_t cpu,
                                  std::int64_t memory, const TaskDefinition& definition);
  /// True when service task `t` is RUNNING and counts towards minimumHealthyPercent.
  [[nodiscard]] bool healthy(TaskIndex t) const {
    return state_[t] == TaskState::kRunning && svc_[t].healthy != 0;
  }
  /// True when `t` runs in awsvpc mode on EC2: it holds one of its instance's interfaces.
  [[nodiscard]] bool holds_eni(TaskIndex t) const;
  /// The task definition task `t` was created from: its job's, or its service deployment's.
  const TaskDefinition& task_definition_of(TaskIndex t) const;
  std::span<const HostPort> host_ports_of(TaskIndex t) const;
  void assign_to_instance(TaskIndex t, ContainerInstanceIndex i);
  PlacementFailure place_job_task(TaskIndex t);
  void place_waiting(ClusterId c);
  void release_ec2(TaskIndex t);
  void count_busy(TaskIndex t, bool placed);
  /// Room was freed in cluster `c` (on instance `on` alone, when given): waiting job tasks are
  /// placed and the services that want room and may now find it reconcile.
  void capacity_freed(ClusterId c, std::optional<ContainerInstanceIndex> on = std::nullopt);
  void set_wants_capacity(ServiceId s, bool wants);
  void register_instance(ClusterId c, InstanceId id);
  void register_member_of(ClusterId c, InstanceId id, const platform::InstanceType& type);
  std::span<const CustomAttribute> custom_attributes(InstanceId id) const;
  void adjust_registered(std::int64_t cpu, std::int64_t mem);
  std::optional<AzId> fargate_zone(TaskIndex t) const;
  void launch_fargate();
  void on_task_started(TaskIndex t);
  void evict_fargate_in(AzId z);
  void start_running(TaskIndex t);
  void finish(TaskIndex t, Outcome outcome);
  TaskCounts& counts_of(TaskIndex t);
  void reserve_in_az(AzId z, std::int64_t cpu, std::int64_t mem, bool ec2);

  // --- services.cpp: services, deployments, drains, agents, managed scaling -------------------
  void mark_dirty(ServiceId s);
  bool steady(const ServiceRuntime& s) const;
  /// Marks every service of cluster `c` dirty but the steady ones: its instances changed.
  void mark_unsteady(ClusterId c);
  void flush_services();
  void reconcile(ServiceId s);
  void reconcile_replica(ServiceRuntime& s, ServiceId index);
  void reconcile_daemon(ServiceRuntime& s, ServiceId index);
  bool daemon_eligible(const ServiceRuntime& s, ContainerInstanceIndex i) const;
  bool start_service_task(ServiceId s, std::optional<ContainerInstanceIndex> on);
  void stop_service_task(TaskIndex t);
  void scale_in_one(ServiceRuntime& s, std::span<const TaskIndex> among);
  std::int64_t launches_allowed(ServiceRuntime& s, ServiceId index, std::int64_t start_new);
  void rebalance_zones(ServiceRuntime& s, ServiceId index);
  void update_deployment_states(ServiceRuntime& s, bool stuck);
  void on_service_task_failed(TaskIndex t);
  void on_service_task_running(TaskIndex t);
  void on_service_task_gone(TaskIndex t, bool was_running);
  void cut_off(ClusterId c, ContainerInstanceIndex i, bool off);
  void count_serving(TaskIndex t, std::int64_t delta);
  void observe(ServiceRuntime& s);
  void on_service_update(ServiceId s, std::size_t update);
  void start_deployment(ServiceRuntime& s, const TaskDefinition* td, bool fails,
                        std::string trigger);
  void on_drain(ClusterId c, std::size_t drain);
  void set_draining(ClusterId c, ContainerInstanceIndex i);
  void check_drains();
  const std::vector<TaskIndex>& service_tasks_on(const ClusterRuntime& c,
                                                 ContainerInstanceIndex i);
  void on_agent_lost(ClusterId c, ContainerInstanceIndex i);
  void on_scaling_tick(ClusterId c);
  std::int64_t instances_needed(ClusterId c) const;
  bool in_asg(const ClusterRuntime& c, ContainerInstanceIndex i) const;
  PlacementRules rules_of(const ServiceRuntime& s) const;
  ServiceResult service_result(ServiceRuntime& s, SimTime end);

  std::span<const EcsClusterConfig> specs_;
  Simulator& sim_;
  platform::Platform& platform_;
  const platform::PlatformConfig& platform_config_;
  platform::CostMeter& cost_;  // Fargate; EC2 is billed by the platform
  QuantileSketch& all_wait_;
  SimTime horizon_;
  platform::LaunchTokenBucket fargate_bucket_;
  RandomStream fargate_rng_;
  Placer placer_;
  std::vector<platform::AzState> az_state_;
  std::vector<std::uint32_t> fargate_running_by_az_;
  std::vector<std::int64_t> cpu_by_az_, memory_by_az_;
  IdVector<ClusterId, ClusterRuntime> clusters_;
  std::vector<ClusterId> cluster_of_group_;  // per platform group: its cluster, or invalid
  // Per platform group of a cluster: the custom attributes its instances register with.
  std::vector<std::span<const CustomAttribute>> attributes_of_group_;
  std::vector<JobRuntime> jobs_;
  IdVector<ServiceId, ServiceRuntime> services_;
  std::vector<DrainRuntime> drains_;
  std::vector<workload::Arrival> next_arrival_;
  std::deque<TaskIndex> fargate_queue_;
  bool fargate_launch_scheduled_ = false;
  std::vector<std::uint32_t> scratch_jobs_;
  std::vector<ServiceId> dirty_;          // services to reconcile before the next event
  std::vector<TaskIndex> scratch_tasks_;  // reused by reconciles
  bool flushing_ = false;
  std::uint32_t registered_instances_ = 0;

  // The task table, structure of arrays, indexed by TaskIndex. A stopped task's slot goes to
  // free_tasks_ once no event names it (refs_), and is reused: order among tasks is by
  // sequence_, never by slot.
  IdVector<TaskIndex, std::uint32_t> job_of_;  // kUnset for service tasks
  IdVector<TaskIndex, ServiceId> service_of_;  // invalid for job tasks
  IdVector<TaskIndex, ServiceTaskFields> svc_;  // meaningful for service tasks only
  IdVector<TaskIndex, ClusterId> cluster_of_;
  IdVector<TaskIndex, LaunchType> launch_;
  IdVector<TaskIndex, TaskState> state_;
  IdVector<TaskIndex, std::uint64_t> sequence_;  // creation order over the run
  IdVector<TaskIndex, SimTime> created_;
  IdVector<TaskIndex, SimDuration> duration_;
  IdVector<TaskIndex, std::int64_t> cpu_, memory_;
  IdVector<TaskIndex, AzId> az_;
  IdVector<TaskIndex, ContainerInstanceIndex> instance_;
  IdVector<TaskIndex, std::uint32_t> slot_;  // position in tasks_on[instance]
  IdVector<TaskIndex, EventHandle> completion_;
  IdVector<TaskIndex, platform::CostItemId> cost_item_;
  // instances_needed's waiting tasks by size, reused.
  mutable std::vector<std::pair<std::pair<std::int64_t, std::int64_t>, std::int64_t>> scratch_sizes_;
  IdVector<TaskIndex, std::uint16_t> refs_;  // pending Fargate Spot notices and reclaims naming it
  std::vector<TaskIndex> free_tasks_;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t provisioning_ = 0, pending_ = 0, running_ = 0;

  std::int64_t reserved_cpu_ = 0, reserved_memory_ = 0, registered_cpu_ = 0, registered_memory_ = 0;
  TimeWeightedGauge cpu_reserved_, memory_reserved_, cpu_registered_, memory_registered_;
};

}  // namespace ecsim::ecs
