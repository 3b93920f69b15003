#pragma once

// One replication of a scenario: the event loop that ties the platform (zones, instances,
// groups), the ECS clusters' container instances, services and standalone tasks, Fargate and the
// job streams together, and measures what happens. The class is split over world.cpp (tasks,
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
#include "ecsim/eks/control_plane.hpp"
#include "ecsim/eks/scheduler.hpp"
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

// The states of a deployment (ECS's rolloutState) and of an EKS Deployment's rollout.
inline constexpr std::string_view kRolloutInProgress = "IN_PROGRESS";
inline constexpr std::string_view kRolloutCompleted = "COMPLETED";
inline constexpr std::string_view kRolloutFailed = "FAILED";
/// A deployment a newer one replaced before it completed.
inline constexpr std::string_view kRolloutStopped = "STOPPED";

// Event kinds of the engine; the platform's lie in [platform::kFirstEventKind, kEndEventKind).
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
  kEksCycle = 13,          // target: EKS cluster; one scheduling cycle
  kEksPodStarted = 14,     // target: pod; bound, now RUNNING
  kEksBackoffDone = 15,    // target: pod; its back-off is over
  kEksNotReady = 16,       // target: EKS cluster, payload: node record; grace period over
  kEksEvict = 17,          // target: pod; its toleration of the node's taint is over
  kEksPodComplete = 18,    // target: pod; a Job's pod ran its duration
  kEksJobArrival = 19,     // target: EKS cluster, payload: workload; a copy of a Job is created
  kEksOperation = 20,      // target: EKS cluster, payload: operation; a cordon, drain or update
  kEksDrainTick = 21,      // target: EKS cluster; draining nodes retry their evictions
  kEksNodeTerminate = 22,  // target: EKS cluster, payload: node drain; its node is terminated
  kEksPodCreated = 23,     // target: pod; the API server has stored its creation
  kFailCheck = 24,         // RunOptions::fail_check_at: a self-check fails (tests of exit 3)
};

/// How a task ended. Scheduler stops (scale-in, deployment, drain) count as completed.
enum class Outcome : std::uint8_t { kCompleted, kFailed, kEvicted };

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

// --- EKS (eks.cpp) ---------------------------------------------------------------------------

using PodIndex = std::uint32_t;
enum class PodState : std::uint8_t { kPending, kStarting, kRunning, kStopped };

/// One pod: what the kubelet and the scheduler know of it.
struct PodRecord {
  std::uint32_t cluster = 0;
  std::uint32_t workload = 0;  // index into the cluster's workloads
  PodState state = PodState::kPending;
  bool queued = false;         // in the active queue
  bool serving = false;        // RUNNING on a reachable node (counted in running)
  std::uint64_t sequence = 0;  // creation order, the queue's tie-break
  std::uint32_t attempts = 0;  // failed scheduling cycles, for the back-off
  SimTime created = kSimStart;
  SimTime backoff_until = kSimStart;
  std::uint32_t node = kUnset;    // node record while bound
  std::uint32_t target = kUnset;  // a DaemonSet pod's node record (spec.nodeName)
  eks::PodClassId cls = 0;
  std::uint32_t revision = 0;            // a Deployment's pod: the revision it was created from
  bool never_ready = false;              // of a broken revision: bound, never RUNNING
  std::uint32_t run = kUnset;            // a Job's pod: which copy of the Job
  std::uint32_t ordinal = 0;             // its name is `<workload>-<ordinal>`
  SimDuration duration = kUntilStopped;  // a Job's pod: its run time once RUNNING
  EventHandle started;                   // start, then (a Job's pod) completion
};

/// A Deployment, StatefulSet or DaemonSet and the pods its controller keeps.
struct EksWorkload {
  enum class Kind : std::uint8_t { kDeployment, kStatefulSet, kDaemonSet, kJob };
  Kind kind = Kind::kDeployment;
  const eks::PodTemplate* pod = nullptr;
  std::int32_t replicas = 0;
  eks::PodClassId cls = 0;
  SimDuration toleration{};          // of the not-ready and unreachable taints
  std::vector<PodIndex> pods;        // not stopped
  eks::PodDescription description;   // a DaemonSet's, pinned to each node in turn
  std::vector<eks::PodClassId> node_cls;  // a DaemonSet's class per node record; kUnset: none yet
  ServiceRuntime measure;            // the measurement ECS services use (config unset)
  // A Deployment: its object, the current revision, how many pods of older ones are left, and
  // each rollout (the last one in progress until its revision runs every replica).
  const eks::Deployment* deployment = nullptr;
  std::uint32_t revision = 0;
  bool broken = false;               // the current revision's pods never become Ready
  std::int64_t old_pods = 0;
  std::vector<DeploymentResult> rollouts;
  SimTime last_progress = kSimStart;  // a new pod RUNNING or an old one removed, during a rollout

  /// A rollout is in progress (the last one, until its revision runs every replica).
  [[nodiscard]] bool rolling_out() const {
    return !rollouts.empty() && rollouts.back().state == kRolloutInProgress;
  }
  std::uint32_t created = 0;         // pods created so far: the next ordinal (not StatefulSets)
  std::uint32_t name_space = 0;      // index into the cluster's namespaces
  eks::Resources requests;           // each pod's, as the quota counts them
  // A Deployment: each revision's pod requests (a rollout may change them), by revision.
  std::vector<eks::Resources> revision_requests;
  bool quota_blocked = false;        // a creation was refused: retry once the namespace frees
  // A Job: its scenario entry, when copies are created, and each copy's progress.
  struct JobRun {
    std::int32_t succeeded = 0, failures = 0;
    bool failed = false;  // past backoffLimit
  };
  const scenario::EksJobConfig* job = nullptr;
  const eks::Job* job_object = nullptr;
  std::optional<workload::ArrivalGenerator> arrivals;
  RandomStream arrival_stream{0}, duration_stream{0};
  std::vector<JobRun> runs;
};

/// A node of an EKS cluster: one running instance of a node group.
struct EksNode {
  InstanceId instance;
  eks::NodeIndex node = eks::kNoNode;
  AzId az;
  std::uint32_t group = 0;       // index into the cluster's node groups
  std::uint32_t version = 0;     // the group's launch template version it was launched with
  std::uint32_t drain = kUnset;  // its EksNodeDrain while one is active
  bool present = true;
  bool reachable = true;
  bool ready = true;
  bool cordoned = false;         // spec.unschedulable
  std::uint64_t generation = 0;  // bumped at every reachability change
  std::uint32_t busy_pods = 0;   // bound pods that no DaemonSet owns
};

/// A node being drained: by a drain operation, or by a node group update (its upgrade phase or
/// its scale-down), evicting its pods through the eviction API.
struct EksNodeDrain {
  std::uint32_t node = kUnset;       // node record
  SimTime since = kSimStart;         // when its evictions began
  std::uint32_t update = kUnset;     // the update draining it; kUnset for a drain operation
  std::uint32_t operation = kUnset;  // the drain operation's record; kUnset for an update
  bool scale_down = false;           // an update's scale-down: the group's desired count drops
  bool active = true;                // still evicting (false once drained, stopped or gone)
};

/// A drain operation on some nodes, and how far it got.
struct EksDrainOperation {
  std::vector<std::uint32_t> nodes;  // node records
  std::uint32_t left = 0;            // nodes not drained yet
  DrainResult result;
};

/// A managed node group update in progress or ended: EKS's scale-up, upgrade and scale-down
/// phases.
struct EksNodeGroupUpdate {
  enum class Phase : std::uint8_t { kScaleUp, kUpgrade, kScaleDown, kEnded };
  Phase phase = Phase::kScaleUp;
  std::uint32_t group = 0;            // index into the cluster's node groups
  std::uint32_t version = 0;          // the launch template version it rolls out
  std::uint32_t increment = 0;        // the group's desired and max sizes were raised by
  std::uint32_t max_unavailable = 1;  // nodes drained at a time
  std::uint32_t original_max = 0;     // the group's max before the update
  std::uint32_t draining = 0;         // nodes being drained or waiting to be terminated
  std::uint32_t scale_down_left = 0;  // nodes the scale-down still removes
  NodeGroupUpdateResult result;
};

/// A namespace of an EKS cluster: the tightest hard limits of its ResourceQuotas, what its
/// non-terminal pods hold, and the workloads in it.
struct EksNamespace {
  std::string name;
  std::optional<std::int64_t> hard_pods, hard_cpu_millis, hard_memory_bytes;  // none: no limit
  QuotaAmounts used, peak;
  std::uint64_t rejections = 0;
  std::vector<std::uint32_t> workloads;  // indices into the cluster's workloads
};

/// The API servers' mutating requests: one FIFO served at `interval` per request.
struct ApiQueue {
  SimDuration interval{};       // 1 / api_mutating_rps; zero: unlimited
  SimTime free_at = kSimStart;  // when the last request issued completes
  std::uint64_t requests = 0;
  SimDuration total_wait{}, max_wait{};
};

struct EksRuntime {
  EksRuntime(const scenario::EksClusterConfig* c, eks::Scheduler s, eks::ControlPlane cp,
             RandomStream start)
      : config(c), scheduler(std::move(s)), control_plane(std::move(cp)), start_latency(start),
        busy_gauge(kSimStart) {}

  const scenario::EksClusterConfig* config;
  eks::Scheduler scheduler;
  eks::ControlPlane control_plane;
  std::vector<EksWorkload> workloads;
  std::vector<EksNode> nodes;
  std::map<InstanceId, std::uint32_t> node_of_instance;
  // The active queue: (-priority, creation sequence, pod), highest priority then oldest first.
  std::set<std::tuple<std::int64_t, std::uint64_t, PodIndex>> active;
  std::vector<PodIndex> unschedulable;  // waiting for something that could help
  std::vector<PodIndex> deferred_evictions;  // toleration over without quorum
  std::vector<std::size_t> deferred_operations;  // operations due without quorum
  bool cycle_scheduled = false;
  bool catch_up = false;  // quorum returned: controllers catch up after this instant's changes
  RandomStream start_latency{0};
  std::vector<EksNamespace> namespaces;  // by name
  ApiQueue api;
  std::vector<std::uint8_t> has_daemon_pod;  // scratch of the DaemonSet controller, per node
  // PodDisruptionBudgets: those covering each workload's pods, and each budget's workloads.
  std::vector<std::vector<std::uint32_t>> budgets_of_workload, workloads_of_budget;
  // Per node group: when each update started (a node launched at or after the k-th start runs
  // version k + 1), and the update in progress (kUnset: none).
  std::vector<std::vector<SimTime>> version_starts;
  std::vector<std::uint32_t> updating;
  std::vector<EksNodeDrain> drains;
  std::vector<EksDrainOperation> drain_operations;
  std::vector<EksNodeGroupUpdate> updates;
  bool drain_tick_scheduled = false;
  RandomStream update_rng{0};  // the upgrade phase's random choice of nodes
  std::int64_t busy_nodes = 0;   // nodes with busy_pods > 0
  TimeWeightedGauge busy_gauge;  // busy_nodes over time
};

/// A pod an explain request names: of workload `workload` of EKS cluster `cluster`, the one
/// with `ordinal` (kUnset: any of its pods).
struct ExplainTarget {
  std::uint32_t cluster = 0;
  std::uint32_t workload = 0;
  std::uint32_t ordinal = kUnset;
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

/// Waiting times in seconds from a sketch of them.
WaitSeconds wait_of(const QuantileSketch& s);

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

  // --- eks.cpp: EKS clusters, their nodes, controllers, scheduling queue and control plane ----
  void create_eks();
  void eks_zones_changed();
  void eks_catch_up();
  bool on_eks_instance_change(const platform::InstanceChange& change);
  void eks_dispatch(const Event& e);
  void eks_reconcile(std::uint32_t c);
  bool eks_create_pod(std::uint32_t c, std::uint32_t w, std::uint32_t target = kUnset);
  bool eks_admit(EksRuntime& rt, EksWorkload& wl);
  void eks_reconcile_job(std::uint32_t c, std::uint32_t w);
  void eks_reconcile_deployment(std::uint32_t c, std::uint32_t w);
  void eks_rollout(std::uint32_t c, const scenario::EksOperation& op);
  void eks_job_arrival(std::uint32_t c, std::uint32_t w);
  void eks_enqueue(PodIndex p);
  void eks_kick(std::uint32_t c);
  void eks_cycle(std::uint32_t c);
  void eks_retry_unschedulable(std::uint32_t c);
  eks::DisruptionBudgets eks_budgets(std::uint32_t c);
  void eks_bind(PodIndex p, std::uint32_t node);
  void eks_started(PodIndex p);
  void eks_finish(PodIndex p, Outcome outcome);
  void eks_set_serving(PodIndex p, bool serving);
  void eks_not_ready(std::uint32_t c, std::uint32_t n, std::uint64_t generation);
  void eks_evict_expired(PodIndex p);
  // --- eks_operations.cpp: cordons, drains with PodDisruptionBudgets, node group updates ----
  void eks_link_budgets(std::uint32_t c);
  void eks_schedule_operations(std::uint32_t c);
  void eks_operation(std::uint32_t c, std::size_t op);
  std::vector<std::uint32_t> eks_nodes_of(std::uint32_t c, const scenario::EksOperation& op) const;
  void eks_cordon(std::uint32_t c, std::uint32_t n);
  void eks_start_drain(std::uint32_t c, std::uint32_t n, std::uint32_t update,
                       std::uint32_t operation, bool scale_down);
  void eks_drain_tick(std::uint32_t c);
  bool eks_drain_node(std::uint32_t c, std::uint32_t d);
  bool eks_eviction_allowed(std::uint32_t c, PodIndex p) const;
  std::int64_t eks_disruptions_allowed(std::uint32_t c, std::uint32_t budget) const;
  void eks_node_drained(std::uint32_t c, std::uint32_t d);
  void eks_node_terminate(std::uint32_t c, std::uint32_t d);
  void eks_drain_ended(std::uint32_t c, std::uint32_t d);
  void eks_start_update(std::uint32_t c, std::size_t op);
  void eks_update_progress(std::uint32_t c, std::uint32_t u);
  void eks_update_failed(std::uint32_t c, std::uint32_t u);
  void eks_operation_results(ReplicationResult& r);

  std::string eks_pod_name(PodIndex p) const;
  void eks_resolve_explain();
  bool eks_explain_wanted(PodIndex p) const;
  ExplainResult eks_explanation(PodIndex p, const eks::Explanation& why) const;
  void eks_count_busy(PodIndex p, std::int64_t delta);
  void eks_results(ReplicationResult& r);
  void eks_check_invariants() const;
  void eks_totals(TaskCounts& all) const;

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
  std::vector<EksRuntime> eks_;
  std::vector<std::uint32_t> eks_of_group_;  // per platform group: EKS cluster, or kUnset
  std::vector<PodRecord> pods_;
  // Per pod: the PodDisruptionBudget of its cluster covering it (the first if several), or
  // eks::kNoBudget; the view preemption reads.
  std::vector<std::uint32_t> pod_budget_;
  std::vector<std::int32_t> scratch_allowed_;  // per budget of a cluster, for preemption
  std::uint64_t eks_running_ = 0, eks_pending_ = 0, pod_sequence_ = 0;
  std::vector<ExplainTarget> explain_targets_;  // what options_.explain names
  bool explaining_ = false;                     // a decision to explain is still awaited
  std::optional<ExplainResult> explanation_;
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
