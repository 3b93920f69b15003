#pragma once

/// The EKS clusters of a run as one component of the engine: nodes from the node groups'
/// instances, the controllers of Deployments, StatefulSets, DaemonSets and Jobs, ResourceQuota
/// admission, the API servers' request queue, the kube-scheduler's queue (priority then
/// creation, back-off, preemption), node lifecycle (NotReady after the grace period, evictions
/// after the pods' toleration), the control plane's etcd quorum, and operations (cordons,
/// drains honouring PodDisruptionBudgets, managed node group updates, rollouts).
///
/// Like platform::Platform it owns a range of event kinds and handles them; it reads the
/// platform's instance changes, which the engine hands it, and measures what it runs.

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "ecsim/eks/cluster_spec.hpp"
#include "ecsim/eks/control_plane.hpp"
#include "ecsim/eks/disruption.hpp"
#include "ecsim/eks/results.hpp"
#include "ecsim/eks/scheduler.hpp"
#include "ecsim/hpa/runtime.hpp"
#include "ecsim/platform/config.hpp"
#include "ecsim/platform/cost.hpp"
#include "ecsim/platform/platform.hpp"
#include "ecsim/sim/id_vector.hpp"
#include "ecsim/sim/ids.hpp"
#include "ecsim/sim/measure.hpp"
#include "ecsim/sim/random.hpp"
#include "ecsim/sim/simulator.hpp"
#include "ecsim/sim/stats.hpp"
#include "ecsim/workload/arrivals.hpp"
#include "ecsim/workload/cron.hpp"
#include "ecsim/workload/load.hpp"

namespace ecsim::eks {

/// First and one-past-last event kind the EKS runtime schedules; the engine routes these to
/// `Runtime::handle`.
inline constexpr std::uint32_t kFirstEventKind = 300;
inline constexpr std::uint32_t kEndEventKind = 400;

/// The EKS runtime's events, each with what its target and payload hold.
enum EventKind : std::uint32_t {
  kCycle = kFirstEventKind,  ///< target: cluster; one scheduling cycle
  kPodStarted,               ///< target: pod; bound, now RUNNING
  kBackoffDone,              ///< target: pod; its back-off is over
  kNotReady,                 ///< target: the node's instance; payload: its generation
  kEvict,                    ///< target: pod; payload: its node's generation
  kPodComplete,              ///< target: pod; a Job's pod ran its duration
  kJobArrival,               ///< target: cluster; payload: workload; a copy of a Job is created
  kOperation,                ///< target: cluster; payload: operation; a cordon, drain, update
  kDrainTick,                ///< target: cluster; draining nodes retry their evictions
  kNodeTerminate,            ///< target: cluster; payload: node drain; its node is terminated
  kPodCreated,               ///< target: pod; the API server has stored its creation
  kJobRetry,                 ///< target: cluster; payload: workload | run << 32; back-off over
  kJobDeadline,              ///< target: cluster; payload: workload | run << 32; deadline due
  kJobStopPods,              ///< target: cluster; payload: workload | run << 32; it failed
  kFargateEvict,             ///< target: pod on Fargate; payload: its zone's outage generation
  kNodeDeleted,              ///< target: cluster; payload: node; its instance gone, NotReady
};

/// An index (of a drain, an update, a Job run, an ordinal, a pod class, ...) that names none;
/// pods, nodes, workloads and clusters have ids, whose `invalid()` names none.
inline constexpr std::uint32_t kUnset = std::numeric_limits<std::uint32_t>::max();
/// The duration of a pod that runs until it is stopped.
inline constexpr SimDuration kUntilStopped = SimDuration::max();

enum class PodState : std::uint8_t { kPending, kStarting, kRunning, kStopped };

/// How an HPA sync files a pod of its target, from what the pod lister and the metrics API
/// give the controller: not running (ignored), running and not Ready or Ready for less than a
/// metric window (missing a sample), or sampled.
enum class HpaPodState : std::uint8_t { kNone, kPending, kUnready, kRecent, kSampled };
inline constexpr std::size_t kHpaPodStates = static_cast<std::size_t>(HpaPodState::kSampled) + 1;

/// One pod: what the kubelet and the scheduler know of it.
struct PodRecord {
  ClusterId cluster;           ///< its cluster
  ServiceId workload;          ///< its workload, of the cluster's workloads
  PodState state = PodState::kPending;
  bool queued = false;         ///< in the active queue
  bool serving = false;        ///< RUNNING on a reachable node (counted in running)
  std::uint64_t sequence = 0;  ///< creation order, the queue's tie-break
  std::uint32_t attempts = 0;  ///< failed scheduling cycles, for the back-off
  SimTime created = kSimStart;
  SimTime bound_at = kSimStart;       ///< bound to a node (status.startTime), or on Fargate
  SimTime ready_changed = kSimStart;  ///< the last change of its serving (its Ready condition)
  SimTime backoff_until = kSimStart;
  NodeId node;                 ///< its node record while bound; invalid: none
  AzId fargate_az;             ///< on Fargate (its own Fargate node): its zone; invalid: not
  platform::CostItemId fargate_cost;  ///< on Fargate: its billing
  NodeId target;               ///< a DaemonSet pod's node record (spec.nodeName); invalid: none
  PodClassId cls = 0;
  std::uint32_t revision = 0;            ///< a Deployment's pod: the revision it was created from
  bool never_ready = false;              ///< of a broken revision: bound, never RUNNING
  std::uint32_t run = kUnset;            ///< a Job's pod: which copy of the Job
  std::uint32_t ordinal = 0;             ///< its name is `<workload>-<ordinal>`
  SimDuration duration = kUntilStopped;  ///< a Job's pod: its run time once RUNNING
  bool fails = false;                    ///< a Job's pod: it exits with `exit_code`, failed
  std::int32_t exit_code = 0;
  EventHandle started;                   ///< creation, start, then (a Job's pod) completion
  TaskId prev, next;                     ///< its workload's pods, in creation order; invalid: end
  HpaPodState hpa = HpaPodState::kNone;  ///< how its workload's HPA counts it; kNone: no HPA
  /// Events (back-off, eviction) and lists (unschedulable, deferred evictions) that name this
  /// record without a handle to cancel; a stopped pod's record is reused once none is left.
  std::uint32_t refs = 0;
  bool freed = false;  ///< stopped, unnamed and in the free list
};

/// The pods of a workload that are not stopped, in creation order, linked through their records
/// (appending and removing one is O(1)).
struct PodList {
  TaskId head, tail;  ///< invalid: the list is empty
  std::uint32_t size = 0;
};

/// The pods of a PodList in order, for a range-for that does not remove any.
class PodRange {
 public:
  PodRange(const IdVector<TaskId, PodRecord>& pods, const PodList& list)
      : pods_(&pods), head_(list.head) {}
  class iterator {
   public:
    iterator(const IdVector<TaskId, PodRecord>* pods, TaskId p) : pods_(pods), p_(p) {}
    TaskId operator*() const { return p_; }
    iterator& operator++() {
      p_ = (*pods_)[p_].next;
      return *this;
    }
    bool operator!=(const iterator& other) const { return p_ != other.p_; }

   private:
    const IdVector<TaskId, PodRecord>* pods_;
    TaskId p_;
  };
  [[nodiscard]] iterator begin() const { return {pods_, head_}; }
  [[nodiscard]] iterator end() const { return {pods_, TaskId::invalid()}; }

 private:
  const IdVector<TaskId, PodRecord>* pods_;
  TaskId head_;
};

/// A Deployment, StatefulSet, DaemonSet or Job and the pods its controller keeps.
struct WorkloadState {
  enum class Kind : std::uint8_t { kDeployment, kStatefulSet, kDaemonSet, kJob, kPod };
  Kind kind = Kind::kDeployment;
  std::string name;  ///< metadata.name
  const PodTemplate* pod = nullptr;
  std::int32_t replicas = 0;
  PodClassId cls = 0;
  SimDuration toleration{};          ///< of the not-ready and unreachable taints
  PodList pods;                      ///< not stopped, in creation order
  std::int32_t running_pods = 0;     ///< of `pods`, those RUNNING
  PodDescription description;        ///< a DaemonSet's, pinned to each node in turn
  IdVector<NodeId, PodClassId> node_cls;  ///< a DaemonSet's class per node; kUnset: none yet
  ReplicaMeter measure;              ///< running (serving) pods against replicas
  std::optional<workload::LoadMeter> load;  ///< its load (eks[].load), shared by serving pods
  /// A HorizontalPodAutoscaler's target: its pods that are not stopped counted by revision and
  /// by how a sync files them (a sync reads these counts, not the pods), and the pods that
  /// became Ready, with when, oldest first from `hpa_recent_head` (settled at the next sync
  /// a metric window later).
  struct HpaCounts {
    std::uint32_t revision = 0;
    std::array<std::int64_t, kHpaPodStates> pods{};  ///< by HpaPodState
  };
  struct HpaRecent {
    TaskId pod;
    SimTime ready_at;
  };
  bool hpa_target = false;
  std::vector<HpaCounts> hpa_counts;
  std::vector<HpaRecent> hpa_recent;
  std::size_t hpa_recent_head = 0;
  TaskCounts counts;                 ///< its pods by how they ended
  // A Deployment: its object, the current revision, how many pods of older ones are left, and
  // each rollout (the last one in progress until its revision runs every replica).
  const Deployment* deployment = nullptr;
  std::uint32_t revision = 0;
  bool broken = false;  ///< the current revision's pods never become Ready
  std::int64_t old_pods = 0;
  std::vector<RolloutResult> rollouts;
  SimTime last_progress = kSimStart;  ///< a new pod RUNNING or an old one removed, in a rollout

  /// A rollout is in progress (the last one, until its revision runs every replica).
  [[nodiscard]] bool rolling_out() const {
    return !rollouts.empty() && rollouts.back().state == RolloutState::kInProgress;
  }
  std::uint32_t created = 0;     ///< pods created so far: the next ordinal (not StatefulSets)
  std::uint32_t name_space = 0;  ///< index into the cluster's namespaces
  std::vector<std::uint32_t> scoped_quotas;  ///< its namespace's scoped quotas counting its pods
  Resources requests;            ///< each pod's, as the quota counts them
  /// A Deployment: each revision's pod requests (a rollout may change them), by revision.
  std::vector<Resources> revision_requests;
  /// The requests a pod of revision `of` was admitted with: that revision's, else the
  /// workload's.
  [[nodiscard]] const Resources& requests_of(std::uint32_t of) const {
    return of < revision_requests.size() ? revision_requests[of] : requests;
  }
  bool quota_blocked = false;  ///< a creation was refused: retry once the namespace frees
  bool pod_created = false;    ///< a bare Pod: its one creation was made (or refused)
  /// Its pods run on Fargate (a Fargate profile selects them): index into the cluster's
  /// profiles; kUnset: on the cluster's nodes.
  std::uint32_t fargate_profile = kUnset;
  std::vector<std::int32_t> fargate_by_az;  ///< its pods on Fargate per zone, not stopped
  // A Job: its scenario entry, when copies are created, and each copy's progress.
  struct JobRun {
    std::int32_t succeeded = 0, failures = 0;
    std::int32_t active = 0;  ///< its pods not stopped
    bool failed = false;      ///< past backoffLimit
    bool missed = false;      ///< a CronJob's: replaced, or past startingDeadlineSeconds
    /// Why it failed (the Failed condition's reason), once `failed`.
    enum class Reason : std::uint8_t { kNone, kBackoffLimitExceeded, kDeadlineExceeded,
                                       kPodFailurePolicy } reason = Reason::kNone;
    SimTime not_before = kSimStart;  ///< its next pod waits for the back-off until then
    std::int32_t backoff_failures = 0;  ///< counted failures, for the back-off's doubling
    bool wanting = false;     ///< in `wanting`
    SimTime due = kSimStart;  ///< when it was created (a CronJob's: its scheduled time)
  };
  const JobSpec* job = nullptr;
  const Job* job_object = nullptr;
  std::optional<workload::ArrivalGenerator> arrivals;
  RandomStream arrival_stream{0}, duration_stream{0}, failure_stream{0};
  std::vector<JobRun> runs;
  /// The copies that may want more pods (a min-heap of indices into `runs`): the Job controller
  /// visits only these, lowest first, so its work follows the copies in progress, not all of
  /// them since the start.
  std::vector<std::uint32_t> wanting;

  /// Copy `r` may want more pods.
  void want_pods(std::uint32_t r) {
    if (runs[r].wanting) return;
    runs[r].wanting = true;
    wanting.push_back(r);
    std::push_heap(wanting.begin(), wanting.end(), std::greater<>{});
  }
};

/// A template scheduler's pod classes by workload and the workload's own class: each made once,
/// from the workload's current description (the Cluster Autoscaler's and Karpenter's).
using TemplateClasses = std::map<std::pair<ServiceId, PodClassId>, PodClassId>;

/// Workload `w`'s pod class in `templates`, made on first use and kept in `classes`.
PodClassId template_class(Scheduler& templates, TemplateClasses& classes, ServiceId w,
                          const WorkloadState& wl);

/// A node of an EKS cluster: one running instance of a node group.
struct NodeRecord {
  InstanceId instance;
  NodeIndex node = kNoNode;
  AzId az;
  std::uint32_t group = 0;       ///< index into the cluster's node groups
  std::uint32_t version = 0;     ///< the group's launch template version it was launched with
  std::uint32_t drain = kUnset;  ///< its NodeDrain while one is active
  bool present = true;
  bool reachable = true;
  SimTime unheard_since = kSimStart;  ///< when it was last heard, while not reachable
  bool ready = true;
  bool cordoned = false;         ///< spec.unschedulable
  bool autoscaler_deleting = false;  ///< the Cluster Autoscaler is deleting it (the Node goes with its instance)
  std::uint64_t generation = 0;  ///< bumped at every reachability change
  std::uint32_t busy_pods = 0;   ///< bound pods that no DaemonSet owns
  SimTime pod_changed = kSimStart;  ///< it registered, or a pod last bound to it or left it (Karpenter's consolidateAfter)
};

/// A node being drained: by a drain operation, or by a node group update (its upgrade phase or
/// its scale-down), evicting its pods through the eviction API.
struct NodeDrain {
  NodeId node;                       ///< node record
  SimTime since = kSimStart;         ///< when its evictions began
  std::uint32_t update = kUnset;     ///< the update draining it; kUnset for a drain operation
  std::uint32_t operation = kUnset;  ///< the drain operation's record; kUnset for an update
  bool scale_down = false;           ///< an update's scale-down: the group's desired count drops
  bool active = true;                ///< still evicting (false once drained, stopped or gone)
  bool autoscaler = false;           ///< the Cluster Autoscaler's scale-down of an unneeded node
  bool karpenter = false;            ///< Karpenter's termination of one of its nodes
};

/// A drain operation on some nodes, and how far it got.
struct DrainOperation {
  std::vector<NodeId> nodes;  ///< node records
  std::uint32_t left = 0;     ///< nodes not drained yet
  DrainResult result;
};

/// A managed node group update in progress or ended: EKS's scale-up, upgrade and scale-down
/// phases.
struct NodeGroupUpdate {
  enum class Phase : std::uint8_t { kScaleUp, kUpgrade, kScaleDown, kEnded };
  Phase phase = Phase::kScaleUp;
  std::uint32_t group = 0;            ///< index into the cluster's node groups
  std::uint32_t version = 0;          ///< the launch template version it rolls out
  std::uint32_t increment = 0;        ///< the group's desired and max sizes were raised by
  std::uint32_t max_unavailable = 1;  ///< nodes drained at a time
  std::uint32_t original_max = 0;     ///< the group's max before the update
  std::uint32_t draining = 0;         ///< nodes being drained or waiting to be terminated
  std::uint32_t scale_down_left = 0;  ///< nodes the scale-down still removes
  NodeGroupUpdateResult result;
};

/// A namespace of an EKS cluster: the tightest hard limits of its ResourceQuotas, what its
/// non-terminal pods hold, and the workloads in it.
/// A ResourceQuota with scopes: it counts only the pods its scopes select, on its own.
struct ScopedQuota {
  const ResourceQuota* quota = nullptr;
  QuotaAmounts used;  ///< of the pods it counts
};

struct NamespaceState {
  std::string name;
  /// The tightest hard limits of the namespace's quotas without scopes; none: no limit.
  std::optional<std::int64_t> hard_pods, hard_cpu_millis, hard_memory_bytes;
  std::vector<ScopedQuota> scoped;  ///< its quotas with scopes, each checked on its own
  QuotaAmounts used, peak;
  std::uint64_t rejections = 0;
  std::vector<ServiceId> workloads;  ///< of the cluster's workloads
  std::vector<ServiceId> blocked;    ///< workloads whose last creation it refused
};

/// The API servers' mutating requests: one FIFO served at `interval` per request.
struct ApiQueue {
  SimDuration interval{};       ///< 1 / api_mutating_rps; zero: unlimited
  SimTime free_at = kSimStart;  ///< when the last request issued completes
  std::uint64_t requests = 0;
  SimDuration total_wait{}, max_wait{};
};

/// One EKS cluster's state.
struct ClusterState {
  ClusterState(const ClusterSpec* c, Scheduler s, ControlPlane cp, RandomStream start)
      : config(c), scheduler(std::move(s)), control_plane(std::move(cp)), start_latency(start),
        busy_gauge(kSimStart) {}

  const ClusterSpec* config;
  Scheduler scheduler;
  ControlPlane control_plane;
  IdVector<ServiceId, WorkloadState> workloads;
  IdVector<NodeId, NodeRecord> nodes;
  std::map<InstanceId, NodeId> node_of_instance;
  std::vector<NodeId> record_of_node;  ///< per scheduler node slot: its record, or invalid
  /// The active queue: (-priority, creation sequence, pod), highest priority then oldest first.
  std::set<std::tuple<std::int64_t, std::uint64_t, TaskId>> active;
  std::vector<TaskId> unschedulable;             ///< waiting for something that could help
  /// Bare pods whose spec.nodeName names no present, reachable node yet: its kubelet admits
  /// them once it registers (or comes back).
  std::vector<TaskId> awaiting_kubelet;
  std::vector<TaskId> deferred_evictions;        ///< toleration over without quorum
  std::vector<std::size_t> deferred_operations;  ///< operations due without quorum
  bool cycle_scheduled = false;
  bool catch_up = false;  ///< quorum returned: controllers catch up after this instant's changes
  RandomStream start_latency{0};
  std::vector<NamespaceState> namespaces;  ///< by name
  ApiQueue api;
  IdVector<NodeId, std::uint8_t> has_daemon_pod;  ///< scratch of the DaemonSet controller
  /// PodDisruptionBudgets: those covering each workload's pods, and each budget's workloads.
  IdVector<ServiceId, std::vector<std::uint32_t>> budgets_of_workload;
  std::vector<std::vector<ServiceId>> workloads_of_budget;
  /// Per node group: when each update started (a node launched at or after the k-th start runs
  /// version k + 1), and the update in progress (kUnset: none).
  std::vector<std::vector<SimTime>> version_starts;
  std::vector<std::uint32_t> updating;
  std::vector<NodeDrain> drains;
  std::vector<DrainOperation> drain_operations;
  std::vector<NodeGroupUpdate> updates;
  bool drain_tick_scheduled = false;
  RandomStream update_rng{0};    ///< the upgrade phase's random choice of nodes
  RandomStream fargate_rng{0};   ///< Fargate pods' launch latencies
  bool has_fargate = false;      ///< some workload's pods run on Fargate
  std::vector<AzId> fargate_zones;       ///< where its Fargate pods run: the cluster's zones
  std::vector<std::int64_t> fargate_by_az;  ///< its pods on Fargate per zone, not stopped
  std::vector<TaskId> fargate_waiting;   ///< Fargate pods waiting for a zone that is up
  std::int64_t busy_nodes = 0;   ///< nodes with busy_pods > 0
  TimeWeightedGauge busy_gauge;  ///< busy_nodes over time
  /// The EC2 price of its registered nodes, USD per hour (Spot at its discount), over time.
  TimeWeightedGauge node_price{kSimStart};
  /// Its HorizontalPodAutoscalers' targets, in manifest order.
  std::vector<ServiceId> hpa_targets;
  /// What a node autoscaler (the Cluster Autoscaler or Karpenter) reads of the cluster, kept
  /// when the cluster runs one: the pods that failed a scheduling cycle (one ref each, from
  /// their first failed cycle on: PodScheduled False); the Cluster Autoscaler's: the pods its
  /// drains evicted, when one of its drains was last given up, the registered nodes.
  bool node_autoscaler = false;  ///< the Cluster Autoscaler runs in it
  std::vector<TaskId> failed_scheduling;
  std::uint64_t autoscaler_evictions = 0;
  SimTime autoscaler_drain_failed = kNever;
  TimeWeightedGauge registered_nodes{kSimStart};  ///< its registered nodes over time
  /// Karpenter runs in it (its manifests hold NodePools): the nodes of its NodePools (numbered
  /// after the node groups) over time, and the pods its terminations evicted or deleted.
  bool provisioner = false;
  TimeWeightedGauge pooled_nodes{kSimStart};
  std::uint64_t provisioner_evictions = 0;
};

/// What the Cluster Autoscaler's scale-down reads of a pod for every pod of every candidate node
/// each scan, in 16 bytes rather than the record's 160, so that the pass stays in cache: its
/// workload, the revision it was created from, its class, and the node the last scale-down
/// simulation moved it to (the autoscaler's hint; kNoNode at its creation).
struct PodBrief {
  ServiceId workload;
  std::uint32_t revision = 0;
  PodClassId cls = 0;
  NodeIndex hint = kNoNode;
};

/// What a node provisioner (Karpenter, models/karpenter) is told of a cluster as it changes:
/// the runtime calls it at the instant it acts, so that the provisioner's work interleaves with
/// the runtime's as it does in a cluster. A call per pod's first failed cycle and per node
/// registered or gone, never per event.
class NodeProvisioner {
 public:
  virtual ~NodeProvisioner() = default;
  /// A pod of cluster `c` failed its first scheduling cycle (it is in failed_scheduling now).
  virtual void pod_unschedulable(ClusterId c) = 0;
  /// Node `n` of a NodePool registered.
  virtual void node_registered(ClusterId c, NodeId n) = 0;
  /// Node `n` of a NodePool is gone (its record no longer present).
  virtual void node_removed(ClusterId c, NodeId n) = 0;
  /// Instance `i` of a NodePool's group went before it registered as a node.
  virtual void instance_gone(ClusterId c, InstanceId i) = 0;
  /// Node `n` of a NodePool, not being drained, got a Spot interruption notice.
  virtual void interruption_notice(ClusterId c, NodeId n) = 0;
};

/// What the runtime shares with the rest of the run.
struct Context {
  Simulator& sim;
  platform::Platform& platform;
  const platform::PlatformConfig& platform_config;  ///< zones, groups, Fargate
  platform::CostMeter& cost;      ///< Fargate pods are billed here
  QuantileSketch& all_wait;       ///< every task's and pod's wait to RUNNING, seconds
  SimTime horizon;                ///< the end of the run
  const ExplainRequest* explain;  ///< the scheduling decision to explain; may be null
};

/// The EKS clusters of one run.
class Runtime {
 public:
  /// The runtime of `clusters`, which must outlive it, as do the context's references.
  Runtime(std::span<const ClusterSpec> clusters, Context context);

  /// Builds the clusters (schedulers, workloads, namespaces, budgets), schedules their Jobs'
  /// arrivals and operations, and creates the first pods. Call once, before the platform starts.
  void start(const RandomStreams& streams);

  /// No EKS cluster in the run.
  [[nodiscard]] bool empty() const noexcept { return clusters_.empty(); }

  /// Handles one event whose kind is in [kFirstEventKind, kEndEventKind); true when it may
  /// have changed the platform (the caller then hands the platform's changes back at once).
  bool handle(const Event& e);
  /// Handles an instance change; false when the instance is no node of an EKS cluster.
  bool on_instance_change(const platform::InstanceChange& change);
  /// Zones changed state (read from the platform): the control planes' quorum follows.
  void zones_changed();
  /// Quorum came back during this instant: deferred work runs, controllers catch up. Call after
  /// the instant's instance changes.
  void catch_up();

  /// Pods RUNNING, and pods pending or starting, now.
  [[nodiscard]] std::uint64_t running() const noexcept { return running_; }
  [[nodiscard]] std::uint64_t pending() const noexcept { return pending_; }
  /// Appends the serving pods per zone of every workload but Jobs, workload by workload.
  void append_running_by_az(std::vector<std::uint32_t>& row) const;
  /// Adds every pod's outcome and the pods running and pending now to `all`.
  void add_totals(TaskCounts& all) const;
  /// The targets of cluster `c`'s HorizontalPodAutoscalers, in manifest order.
  [[nodiscard]] std::span<const ServiceId> hpa_targets(ClusterId c) const {
    return clusters_[c].hpa_targets;
  }
  /// What an HPA's sync reads of workload `w` of cluster `c` now: its replicas, whether the API
  /// can store a scale, its load's mean use per serving pod so far, and its pods by revision as
  /// the pod lister and the metrics API show them (a pod Ready for a whole metric window since
  /// its last change has a sample from now on). The pods stay valid until the next call.
  hpa::TargetView metrics_view(ClusterId c, ServiceId w);
  /// Sets workload `w`'s replicas through its scale, as `who` decided for `why` (a scaling
  /// activity); its controller acts at `scaled`.
  void scale(ClusterId c, ServiceId w, std::int32_t replicas, std::string_view who, std::string why);
  /// The scales set in cluster `c` since the last call take effect: its controllers reconcile.
  void scaled(ClusterId c);
  /// Appends what the autoscalers set now, cluster by cluster: each HPA's target's replicas,
  /// then the registered nodes when a Cluster Autoscaler runs.
  void append_autoscaled(std::vector<std::int64_t>& row) const;
  /// Appends the names of those columns ("desired:CLUSTER/WORKLOAD", "nodes:CLUSTER").
  void append_autoscaled_columns(std::vector<std::string>& names) const;
  // What a node autoscaler (models/cluster_autoscaler, models/karpenter) reads of a cluster
  // and asks of it.
  /// Cluster `c`'s state, read-only.
  [[nodiscard]] const ClusterState& cluster(ClusterId c) const { return clusters_[c]; }
  /// The clusters' ids.
  [[nodiscard]] auto cluster_ids() const { return clusters_.ids(); }
  /// Pod `p`'s record and brief.
  [[nodiscard]] const PodRecord& pod(TaskId p) const { return pods_[p]; }
  [[nodiscard]] const PodBrief& pod_brief(TaskId p) const { return pod_brief_[p]; }
  /// Whether node slot `n` of cluster `c` passes the NodeAffinity and TaintToleration filters
  /// for pod class `cls` (Scheduler::node_admits).
  [[nodiscard]] bool node_admits(ClusterId c, PodClassId cls, NodeIndex n) {
    return clusters_[c].scheduler.node_admits(cls, n);
  }
  /// Sets the node a scale-down simulation last moved pod `p` to.
  void set_pod_hint(TaskId p, NodeIndex n) { pod_brief_[p].hint = n; }
  /// The pods of cluster `c` that failed a scheduling cycle and still wait for a node that a
  /// new one could be (see awaits_node), oldest first; the others are dropped from the list
  /// (and appended to `dropped` first, when given).
  std::span<const TaskId> failed_scheduling(ClusterId c, std::vector<TaskId>* dropped = nullptr);
  /// Karpenter, told of the clusters' changes; set before `start`, it must outlive the runtime.
  void set_provisioner(NodeProvisioner* p) noexcept { provisioner_ = p; }
  /// Node `n` of cluster `c` is a NodePool's (Karpenter's).
  [[nodiscard]] bool pooled(const ClusterState& rt, const NodeRecord& node) const {
    return rt.provisioner && node.group >= rt.config->config.node_groups.size();
  }
  /// A node of NodePool `pool` of cluster `c` with instance type `type` in zone `az`, as it
  /// registers (Karpenter's template nodes, its offerings' labels).
  [[nodiscard]] NodeSpec pool_node_spec(ClusterId c, std::uint32_t pool,
                                        const platform::InstanceType& type, AzId az, bool spot,
                                        std::string name) const {
    return pool_node_spec(clusters_[c], pool, type, az, spot, std::move(name));
  }
  /// Whether the eviction API would evict pod `p` now (its budgets allow it).
  [[nodiscard]] bool eviction_allowed(ClusterId c, TaskId p) const;
  /// Karpenter terminates node `n`: cordoned, drained through the eviction API (its pods
  /// deleted past the NodePool's terminationGracePeriod), then its instance terminated.
  void drain_for_termination(ClusterId c, NodeId n) {
    start_drain(c, n, kUnset, kUnset, true, false, true);
  }
  /// Pod `p` waits for a node that a new one could be: pending, not pinned to a node (spec.nodeName
  /// or a DaemonSet's), not on Fargate. What the Cluster Autoscaler and Karpenter provision for.
  [[nodiscard]] bool awaits_node(TaskId p) const;
  /// Disruptions PodDisruptionBudget `budget` of cluster `c` allows now.
  [[nodiscard]] std::int64_t allowed_disruptions(ClusterId c, std::uint32_t budget) const;
  /// A node of node group `group` of cluster `c` with instance type `type` in zone `az`, as it
  /// registers (the Cluster Autoscaler's template nodes).
  [[nodiscard]] NodeSpec group_node_spec(ClusterId c, std::uint32_t group,
                                         const platform::InstanceType& type, AzId az,
                                         std::string name) const {
    return node_spec(clusters_[c], group, type, az, std::move(name));
  }
  /// The Cluster Autoscaler deletes empty node `n`: cordoned, its instance terminated with its
  /// group's desired count lowered; the Node goes with the instance.
  void delete_empty_node(ClusterId c, NodeId n);
  /// The Cluster Autoscaler drains node `n` through the eviction API, then terminates it.
  void drain_for_scale_down(ClusterId c, NodeId n) { start_drain(c, n, kUnset, kUnset, true, true); }
  /// Records an autoscaler's scaling activity (they are kept in time order).
  void record_scaling(ScalingActivity a) { scaling_.push_back(std::move(a)); }

  /// The self-checks: the pending and running counts, and each namespace's quota usage, against
  /// the pods themselves. Throws InternalError when they disagree.
  void check_invariants() const;
  /// How many records check_invariants walks (pod slots).
  [[nodiscard]] std::uint64_t audit_size() const noexcept { return pods_.size(); }
  /// What the clusters did, at `end`.
  [[nodiscard]] Results results(SimTime end);

 private:
  /// A pod an explain request names: of workload `workload` of cluster `cluster`, the one with
  /// `ordinal` (kUnset: any of its pods).
  struct ExplainTarget {
    ClusterId cluster;
    ServiceId workload;
    std::uint32_t ordinal = kUnset;
  };

  // runtime.cpp: setup, controllers, queue, pod life, node lifecycle, results
  void reconcile(ClusterId c);
  TaskId create_pod(ClusterId c, ServiceId w, NodeId target = NodeId::invalid());
  /// Drops one reference to pod `p`'s record (reusing it once a stopped pod has none left);
  /// true while the pod is not stopped.
  bool release(TaskId p);
  /// Puts a stopped pod's record in the free list once nothing names it.
  void free_if_unused(TaskId p);
  bool admit(ClusterState& rt, ServiceId w);
  void reconcile_job(ClusterId c, ServiceId w);
  void reconcile_deployment(ClusterId c, ServiceId w);
  void rollout(ClusterId c, const Operation& op);
  void job_arrival(ClusterId c, ServiceId w);
  // A pod of copy `r` of Job `w` ended with `outcome`: the Job controller counts it (by the
  // podFailurePolicy), fails the copy past backoffLimit, or waits the back-off to replace it.
  void job_pod_ended(ClusterId c, ServiceId w, std::uint32_t r, const PodRecord& pod,
                     Outcome outcome);
  // Copy `r` of Job `w` fails for `reason`: its active pods are stopped, at once but in an event
  // of their own (the caller may be stopping pods of a list of its own).
  void fail_job_run(ClusterId c, ServiceId w, std::uint32_t r,
                    WorkloadState::JobRun::Reason reason);
  void enqueue(TaskId p);
  // Pod `p`'s creation is stored: the scheduler's queue takes it, or with spec.nodeName its
  // node's kubelet.
  void created(TaskId p);
  // A bare pod with spec.nodeName: that node's kubelet admits it (bound at once) or refuses it
  // (Failed); it waits while the node is absent or unreachable.
  void kubelet_admit(TaskId p);
  // A pod a Fargate profile selects: launched on a Fargate node of its own in the zone with
  // the fewest of its workload's, then of the cluster's, Fargate pods among those up.
  void launch_on_fargate(TaskId p);
  // Zones changed: Fargate pods in a zone that went down stop serving and are evicted after
  // node-monitor-grace-period and their toleration unless it comes back; waiting ones launch.
  void fargate_zones_changed(ClusterId c);
  // The waiting bare pods of cluster `c` try their nodes again.
  void retry_awaiting_kubelet(ClusterId c);
  void kick(ClusterId c);
  void cycle(ClusterId c);
  void retry_unschedulable(ClusterId c);
  DisruptionBudgets budgets(ClusterId c);
  void bind(TaskId p, NodeId n);
  void started(TaskId p);
  void finish(TaskId p, Outcome outcome);
  void set_serving(TaskId p, bool serving);
  void not_ready(InstanceId instance, std::uint64_t generation);
  void remove_node(ClusterId c, NodeId n);
  void evict_expired(TaskId p);
  void count_busy(TaskId p, std::int64_t delta);
  /// Instance `i`'s price, USD per hour, Spot at its discount.
  [[nodiscard]] double price_of(InstanceId i) const;
  std::string pod_name(TaskId p) const;
  [[nodiscard]] PodRange pods_of(const WorkloadState& wl) const { return {pods_, wl.pods}; }
  void link(WorkloadState& wl, TaskId p);
  /// Files pod `p` of an HPA's target under `to` (kNone: it stops).
  void hpa_file(WorkloadState& wl, TaskId p, HpaPodState to);
  void unlink(WorkloadState& wl, TaskId p);
  void resolve_explain();
  bool explain_wanted(TaskId p) const;
  ExplainResult explanation(TaskId p, const Explanation& why) const;
  // autoscaling.cpp: workloads' loads, and what HorizontalPodAutoscalers read of their targets
  void start_loads(ClusterId c);
  // karpenter_nodes.cpp: the nodes of Karpenter's NodePools
  /// A node of NodePool `pool` with instance type `type` in zone `az`, as it registers.
  NodeSpec pool_node_spec(const ClusterState& rt, std::uint32_t pool,
                          const platform::InstanceType& type, AzId az, bool spot,
                          std::string name) const;
  /// A node of node group `group` with instance type `type` in zone `az`, as it registers.
  NodeSpec node_spec(const ClusterState& rt, std::uint32_t group,
                     const platform::InstanceType& type, AzId az, std::string name) const;
  // operations.cpp: cordons, drains with PodDisruptionBudgets, node group updates
  void link_budgets(ClusterId c);
  void schedule_operations(ClusterId c, const RandomStreams& streams);
  void operation(ClusterId c, std::size_t op);
  std::vector<NodeId> nodes_of(ClusterId c, const Operation& op) const;
  void cordon(ClusterId c, NodeId n);
  void start_drain(ClusterId c, NodeId n, std::uint32_t update, std::uint32_t operation,
                   bool scale_down, bool autoscaler = false, bool karpenter = false);
  void drain_tick(ClusterId c);
  bool drain_node(ClusterId c, std::uint32_t d);
  void node_drained(ClusterId c, std::uint32_t d);
  void node_terminate(ClusterId c, std::uint32_t d);
  void drain_ended(ClusterId c, std::uint32_t d);
  void start_update(ClusterId c, std::size_t op);
  void update_progress(ClusterId c, std::uint32_t u);
  void update_failed(ClusterId c, std::uint32_t u);
  void operation_results(Results& r);

  std::span<const ClusterSpec> specs_;
  NodeProvisioner* provisioner_ = nullptr;  ///< Karpenter, when a cluster has NodePools
  std::vector<ScalingActivity> scaling_;  ///< every autoscaler's changes, in time order
  std::vector<hpa::RevisionPods> hpa_view_;  ///< scratch of metrics_view: the target's pods
  Simulator& sim_;
  platform::Platform& platform_;
  const platform::PlatformConfig& platform_config_;
  platform::CostMeter& cost_;
  /// Per zone: bumped at every change of its state (for kFargateEvict).
  std::vector<std::uint64_t> zone_generation_;
  std::vector<bool> zone_down_;     ///< per zone: down, as last handed over
  std::vector<bool> zone_changed_;  ///< per zone: scratch of zones_changed
  QuantileSketch& all_wait_;
  SimTime horizon_;
  const ExplainRequest* explain_;
  IdVector<ClusterId, ClusterState> clusters_;
  IdVector<GroupId, ClusterId> cluster_of_group_;  ///< per platform group: cluster, or invalid
  IdVector<TaskId, PodRecord> pods_;
  std::vector<TaskId> free_pods_;  ///< records of stopped pods that nothing names, to reuse
  std::vector<TaskId> retry_;      ///< scratch of retry_unschedulable
  std::vector<std::uint8_t> ordinals_;  ///< scratch of a StatefulSet's ordinals in use
  /// Per pod: its brief (see PodBrief).
  IdVector<TaskId, PodBrief> pod_brief_;
  /// Per pod: the PodDisruptionBudget of its cluster covering it (the first if several), or
  /// kNoBudget; the view preemption reads.
  IdVector<TaskId, std::uint32_t> pod_budget_;
  std::vector<std::int32_t> scratch_allowed_;  ///< per budget of a cluster, for preemption
  std::uint64_t running_ = 0, pending_ = 0, pod_sequence_ = 0;
  std::vector<ExplainTarget> explain_targets_;  ///< what the explain request names
  bool explaining_ = false;                     ///< a decision to explain is still awaited
  std::optional<ExplainResult> explanation_;
};

}  // namespace ecsim::eks
