// One replication of a scenario: the event loop that ties the platform (zones, instances,
// groups), the ECS clusters' container instances and standalone tasks, Fargate and the job
// streams together, and measures what happens.

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "audit.hpp"
#include "ecsim/ecs/container_instances.hpp"
#include "ecsim/ecs/placement.hpp"
#include "ecsim/ecs/query.hpp"
#include "ecsim/engine/engine.hpp"
#include "ecsim/platform/cost.hpp"
#include "ecsim/platform/fargate.hpp"
#include "ecsim/sim/assert.hpp"
#include "ecsim/sim/random.hpp"
#include "ecsim/sim/simulator.hpp"
#include "ecsim/sim/stats.hpp"
#include "ecsim/workload/arrivals.hpp"
#include "ecsim/workload/durations.hpp"

namespace ecsim::engine {
namespace {

using scenario::LaunchType;
using TaskIndex = std::uint32_t;
constexpr TaskIndex kNoTask = std::numeric_limits<TaskIndex>::max();
constexpr std::uint32_t kNoCluster = std::numeric_limits<std::uint32_t>::max();

// Event kinds of the engine; the platform's lie in [platform::kFirstEventKind, kEndEventKind).
enum EventKind : std::uint32_t {
  kArrival = 1,           // target: job
  kTaskComplete = 2,      // target: task
  kFargateStarted = 3,    // target: task
  kFargateLaunch = 4,     // the launch token bucket has a token again
  kFargateSpotNotice = 5, // target: task
  kFargateSpotReclaim = 6,// target: task
  kSample = 7,            // a time-series row is due
};


using detail::TaskState;
enum class Outcome : std::uint8_t { kNone, kCompleted, kFailed, kEvicted };

struct JobRuntime {
  const scenario::JobConfig* config;
  std::uint32_t cluster;
  workload::ArrivalGenerator arrivals;
  RandomStream arrival_stream;
  RandomStream duration_stream;
  std::int64_t cpu_units;   // reserved per task on EC2, from the task definition
  std::int64_t memory_mib;
  JobResult result;
  QuantileSketch wait;
  std::deque<TaskIndex> waiting;  // EC2 tasks in PROVISIONING, oldest first
  // With placement strategies or constraints: the job's task group in its cluster, and per
  // container instance whether it satisfies every memberOf expression.
  std::optional<ecs::TaskGroupIndex> group;
  std::vector<std::uint8_t> member_of;
};

struct ClusterRuntime {
  const scenario::EcsClusterConfig* config;
  ecs::ContainerInstances instances;
  std::vector<std::vector<TaskIndex>> tasks_on;  // per container instance
  // Per container instance, the value ids of the attributes spread strategies can use.
  std::vector<std::uint32_t> instance_type, os_type, cpu_architecture;
};

// The attributes the ECS agent registers that ecsim models, for memberOf expressions.
struct RegisteredAttributes {
  std::string az, type, ec2_id;
  std::array<ecs::InstanceAttribute, 4> list;
  ecs::InstanceAttributes view;
};

void describe(RegisteredAttributes& a, const std::string& az, const platform::InstanceType& type,
              InstanceId id) {
  a.az = az;
  a.type = type.name;
  a.ec2_id = fmt::format("i-{:017x}", id.value());
  a.list = {ecs::InstanceAttribute{"ecs.availability-zone", a.az},
            ecs::InstanceAttribute{"ecs.instance-type", a.type},
            ecs::InstanceAttribute{"ecs.os-type", "linux"},
            ecs::InstanceAttribute{"ecs.cpu-architecture",
                                   type.arch == platform::Arch::kArm64 ? "arm64" : "x86_64"}};
  a.view = ecs::InstanceAttributes{};
  a.view.attributes = a.list;
  a.view.ec2_instance_id = a.ec2_id;
}

class World {
 public:
  World(const scenario::Scenario& s, const RunOptions& options)
      : scenario_(s),
        options_(options),
        streams_(options.seed),
        platform_(s.platform, platform::InstanceCatalog::builtin(), streams_.seed_of("platform")),
        fargate_bucket_(s.platform.fargate.launch_burst, s.platform.fargate.launch_rate_per_second),
        fargate_rng_(streams_.stream("fargate")),
        placer_(streams_.stream("placement")),
        cost_(s.platform.prices),
        az_state_(s.platform.azs.size(), platform::AzState::kUp),
        fargate_running_by_az_(s.platform.azs.size(), 0),
        cpu_by_az_(s.platform.azs.size(), 0),
        memory_by_az_(s.platform.azs.size(), 0) {
    cluster_of_group_.assign(s.platform.groups.size(), kNoCluster);
    for (std::size_t c = 0; c < s.ecs.size(); ++c) {
      const scenario::EcsClusterConfig& cc = s.ecs[c];
      clusters_.push_back(ClusterRuntime{&cc, {}, {}, {}, {}, {}});
      if (cc.asg) cluster_of_group_[cc.asg->value()] = static_cast<std::uint32_t>(c);
      for (const scenario::JobConfig& jc : cc.jobs) {
        const std::string stream_name = fmt::format("job/{}/{}", cc.name, jc.name);
        jobs_.push_back(JobRuntime{&jc,
                                   static_cast<std::uint32_t>(c),
                                   workload::ArrivalGenerator(jc.arrivals),
                                   streams_.stream(stream_name + "/arrivals"),
                                   streams_.stream(stream_name + "/durations"),
                                   jc.task_definition.reserved_cpu_units(),
                                   jc.task_definition.reserved_memory_mib(),
                                   JobResult{cc.name, jc.name, {}, {}, {}},
                                   QuantileSketch{},
                                   {},
                                   std::nullopt,
                                   {}});
        if (jc.uses_placement()) jobs_.back().group = clusters_.back().instances.add_task_group();
      }
    }
  }

  ReplicationResult run() {
    const auto wall_start = std::chrono::steady_clock::now();
    const SimTime horizon = kSimStart + options_.horizon;
    platform_.start(sim_);
    drain_platform_changes();
    next_arrival_.resize(jobs_.size());
    for (std::uint32_t j = 0; j < jobs_.size(); ++j) schedule_next_arrival(j);
    if (options_.timeseries) sim_.schedule_at(kSimStart, kSample);

    auto handler = [this](const Event& e) { dispatch(e); };
    if (options_.progress) {
      // Slices of 1% of the horizon let the caller show progress without a per-event check.
      for (int slice = 1; slice <= 100; ++slice) {
        sim_.run_until(kSimStart + options_.horizon * slice / 100, handler);
        options_.progress(slice / 100.0);
      }
    } else {
      sim_.run_until(horizon, handler);
    }
    check_invariants();

    ReplicationResult r;
    r.seed = options_.seed;
    r.end = sim_.now();
    r.events = sim_.events_handled();
    r.tasks = totals();
    r.wait = wait_of(all_wait_);
    r.cost.ec2 = platform_.ec2_cost_usd(r.end);
    r.cost.fargate = cost_.cost_at(r.end).fargate;
    const double cpu_registered = cpu_registered_.integral(r.end);
    const double mem_registered = memory_registered_.integral(r.end);
    r.cpu_reserved_mean = cpu_registered > 0 ? cpu_reserved_.integral(r.end) / cpu_registered : 0;
    r.memory_reserved_mean =
        mem_registered > 0 ? memory_reserved_.integral(r.end) / mem_registered : 0;
    r.platform = platform_.counters();
    for (JobRuntime& job : jobs_) {
      job.result.tasks.running_at_end = 0;
      job.result.tasks.pending_at_end = 0;
      job.result.wait = wait_of(job.wait);
      r.jobs.push_back(job.result);
    }
    for (TaskIndex t = 0; t < state_.size(); ++t) {
      JobResult& jr = r.jobs[job_of_[t]];
      if (state_[t] == TaskState::kRunning) ++jr.tasks.running_at_end;
      else if (state_[t] != TaskState::kStopped) ++jr.tasks.pending_at_end;
    }
    r.timeseries = std::move(rows_);
    r.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    return r;
  }

 private:
  // --- dispatch -----------------------------------------------------------------------------

  void dispatch(const Event& e) {
    if (e.kind >= platform::kFirstEventKind && e.kind < platform::kEndEventKind) {
      platform_.handle(sim_, e);
      drain_platform_changes();
      return;
    }
    switch (e.kind) {
      case kArrival: on_arrival(e.target); break;
      case kTaskComplete: finish(e.target, Outcome::kCompleted); break;
      case kFargateStarted: on_fargate_started(e.target); break;
      case kFargateLaunch:
        fargate_launch_scheduled_ = false;
        launch_fargate();
        break;
      case kFargateSpotNotice:
        if (state_[e.target] != TaskState::kStopped)
          sim_.schedule_in(platform::kSpotNotice, kFargateSpotReclaim, e.target);
        break;
      case kFargateSpotReclaim:
        if (state_[e.target] != TaskState::kStopped) finish(e.target, Outcome::kEvicted);
        break;
      case kSample: sample(); break;
      default: ECSIM_ASSERT(false, "unknown event kind");
    }
  }

  // --- arrivals -----------------------------------------------------------------------------

  void schedule_next_arrival(std::uint32_t j) {
    JobRuntime& job = jobs_[j];
    std::optional<workload::Arrival> a = job.arrivals.next(job.arrival_stream);
    if (!a || a->at > kSimStart + options_.horizon) return;
    next_arrival_[j] = *a;
    sim_.schedule_at(std::max(a->at, sim_.now()), kArrival, j);
  }

  void on_arrival(std::uint32_t j) {
    JobRuntime& job = jobs_[j];
    const workload::Arrival a = next_arrival_[j];
    const SimDuration duration =
        a.duration ? *a.duration : workload::sample(*job.config->duration, job.duration_stream);
    const TaskIndex t = create_task(j, duration, a.cpu_units ? *a.cpu_units : job.cpu_units,
                                    a.memory_mib ? *a.memory_mib : job.memory_mib);
    if (job.config->launch_type == LaunchType::kEc2) {
      const ecs::PlacementFailure why = place_ec2(t);
      if (why != ecs::PlacementFailure::kNone) {
        if (job.config->when_no_capacity == scenario::WhenNoCapacity::kFail) {
          ++job.result.failure_reasons[std::string(ecs::to_string(why))];
          finish(t, Outcome::kFailed);
        } else {
          job.waiting.push_back(t);
        }
      }
    } else {
      fargate_queue_.push_back(t);
      launch_fargate();
    }
    schedule_next_arrival(j);
  }

  TaskIndex create_task(std::uint32_t j, SimDuration duration, std::int64_t cpu,
                        std::int64_t memory) {
    const auto t = static_cast<TaskIndex>(state_.size());
    ECSIM_ASSERT(t != kNoTask, "fewer than 2^32 tasks per run");
    job_of_.push_back(j);
    state_.push_back(TaskState::kProvisioning);
    created_.push_back(sim_.now());
    duration_.push_back(duration);
    cpu_.push_back(cpu);
    memory_.push_back(memory);
    az_.push_back(AzId{});
    instance_.push_back(0);
    slot_.push_back(0);
    completion_.push_back(EventHandle{});
    cost_item_.push_back(platform::CostItemId{});
    ++jobs_[j].result.tasks.submitted;
    ++provisioning_;
    return t;
  }

  // --- EC2 ------------------------------------------------------------------------------------

  // Places EC2 task `t` by its job's strategies and constraints, or on the first instance with
  // room; returns why it could not (kNone when placed).
  ecs::PlacementFailure place_ec2(TaskIndex t) {
    JobRuntime& job = jobs_[job_of_[t]];
    ClusterRuntime& c = clusters_[job.cluster];
    std::optional<ecs::ContainerInstanceIndex> i;
    if (job.group) {
      // Spans into the cluster's tables are taken now: they grow as instances register.
      std::array<ecs::PlacementStrategy, 5> strategies;
      std::size_t n = 0;
      for (const scenario::StrategyConfig& sc : job.config->placement_strategy) {
        ecs::PlacementStrategy& ps = strategies[n++];
        ps.type = sc.type;
        ps.field = sc.field;
        if (sc.field == ecs::StrategyField::kAttribute)
          ps.attribute_values = sc.attribute == scenario::ModelledAttribute::kInstanceType
                                    ? c.instance_type
                                : sc.attribute == scenario::ModelledAttribute::kOsType
                                    ? c.os_type
                                    : c.cpu_architecture;
      }
      ecs::PlacementRequest request;
      request.cpu_units = cpu_[t];
      request.memory_mib = memory_[t];
      request.group = *job.group;
      request.strategies = std::span(strategies.data(), n);
      request.distinct_instance = job.config->distinct_instance;
      if (!job.config->member_of.empty()) request.member_of = job.member_of;
      const ecs::PlacementResult result = placer_.place(c.instances, request);
      if (!result.instance) return result.failure;
      i = result.instance;
      c.instances.reserve(*i, cpu_[t], memory_[t], *job.group);
    } else {
      i = c.instances.first_fit(cpu_[t], memory_[t]);
      if (!i) return c.instances.why_not(cpu_[t], memory_[t]);
      c.instances.reserve(*i, cpu_[t], memory_[t]);
    }
    instance_[t] = *i;
    slot_[t] = static_cast<std::uint32_t>(c.tasks_on[*i].size());
    c.tasks_on[*i].push_back(t);
    reserve_in_az(c.instances.az(*i), cpu_[t], memory_[t], true);
    // The image pull and container start are not modelled yet: placed tasks run at once.
    start_running(t, c.instances.az(*i));
    return ecs::PlacementFailure::kNone;
  }

  // Places waiting EC2 tasks of cluster `c` while any fits: the job whose oldest waiting task is
  // oldest goes first; a job whose oldest task does not fit waits as a whole (its tasks share a
  // size, except trace jobs, whose later tasks wait behind the first).
  void place_waiting(std::uint32_t c) {
    std::vector<std::uint32_t>& candidates = scratch_jobs_;
    candidates.clear();
    for (std::uint32_t j = 0; j < jobs_.size(); ++j)
      if (jobs_[j].cluster == c && !jobs_[j].waiting.empty()) candidates.push_back(j);
    while (!candidates.empty()) {
      auto oldest = candidates.begin();
      for (auto it = candidates.begin(); it != candidates.end(); ++it) {
        const TaskIndex a = jobs_[*it].waiting.front(), b = jobs_[*oldest].waiting.front();
        if (created_[a] < created_[b] || (created_[a] == created_[b] && a < b)) oldest = it;
      }
      JobRuntime& job = jobs_[*oldest];
      if (place_ec2(job.waiting.front()) == ecs::PlacementFailure::kNone) {
        job.waiting.pop_front();
        if (job.waiting.empty()) candidates.erase(oldest);
      } else {
        candidates.erase(oldest);
      }
    }
  }

  void release_ec2(TaskIndex t) {
    const JobRuntime& job = jobs_[job_of_[t]];
    ClusterRuntime& c = clusters_[job.cluster];
    const ecs::ContainerInstanceIndex i = instance_[t];
    if (job.group) c.instances.release(i, cpu_[t], memory_[t], *job.group);
    else c.instances.release(i, cpu_[t], memory_[t]);
    reserve_in_az(c.instances.az(i), -cpu_[t], -memory_[t], true);
    std::vector<TaskIndex>& on = c.tasks_on[i];
    const TaskIndex moved = on.back();
    on[slot_[t]] = moved;
    slot_[moved] = slot_[t];
    on.pop_back();
  }

  void drain_platform_changes() {
    for (std::size_t z = 0; z < az_state_.size(); ++z) {
      const AzId az{static_cast<AzId::rep_type>(z)};
      const platform::AzState was = az_state_[z];
      // Update first: evictions free capacity, and nothing may launch into the failed zone.
      az_state_[z] = platform_.az_state(az);
      if (az_state_[z] == platform::AzState::kDown && was != platform::AzState::kDown)
        evict_fargate_in(az);
    }
    std::vector<platform::InstanceChange>& changes = platform_.changes();
    // Handling a change may make the platform report more; index, don't iterate.
    for (std::size_t k = 0; k < changes.size(); ++k) on_instance_change(changes[k]);
    changes.clear();
    if (!fargate_queue_.empty()) launch_fargate();
  }

  void on_instance_change(const platform::InstanceChange& change) {
    const GroupId g = platform_.group(change.instance);
    if (!g.valid() || cluster_of_group_[g.value()] == kNoCluster) return;
    const std::uint32_t c = cluster_of_group_[g.value()];
    ClusterRuntime& cluster = clusters_[c];
    const std::optional<ecs::ContainerInstanceIndex> i = cluster.instances.find(change.instance);
    switch (change.kind) {
      case platform::ChangeKind::kRunning: {
        const platform::InstanceType& type =
            platform::InstanceCatalog::builtin().at(platform_.type(change.instance));
        const std::int64_t cpu = ecs::registered_cpu_units(type.vcpu);
        const std::int64_t mem = ecs::registered_memory_mib(type.memory_mib);
        const ecs::ContainerInstanceIndex ci =
            cluster.instances.register_instance(change.instance, platform_.az(change.instance), cpu, mem);
        cluster.tasks_on.resize(cluster.instances.size());
        cluster.instance_type.push_back(platform_.type(change.instance));
        cluster.os_type.push_back(0);  // every modelled instance runs Linux
        cluster.cpu_architecture.push_back(type.arch == platform::Arch::kArm64 ? 1 : 0);
        register_member_of(c, change.instance, type);
        // Utilisation counts every registered instance, reachable or not, against the tasks it
        // holds.
        adjust_registered(cpu, mem);
        if (!platform_.reachable(change.instance)) cluster.instances.set_connected(ci, false);
        place_waiting(c);
        break;
      }
      case platform::ChangeKind::kUnreachable:
        if (i) cluster.instances.set_connected(*i, false);
        break;
      case platform::ChangeKind::kReachable:
        if (i && cluster.instances.active(*i)) {
          cluster.instances.set_connected(*i, true);
          place_waiting(c);
        }
        break;
      case platform::ChangeKind::kInterruptionNotice:
        // Spot draining arrives with the ECS services issue; until then tasks run until reclaim.
        break;
      case platform::ChangeKind::kTerminated:
        if (i && cluster.instances.active(*i)) {
          // Deregister first, so that the tasks its evictions let through do not land on it.
          cluster.instances.deregister(*i);
          adjust_registered(-cluster.instances.cpu_registered(*i),
                            -cluster.instances.memory_registered(*i));
          // A copy: each eviction changes the list.
          const std::vector<TaskIndex> doomed = cluster.tasks_on[*i];
          for (const TaskIndex t : doomed) finish(t, Outcome::kEvicted);
        }
        break;
    }
  }

  // Evaluates the memberOf expressions of the cluster's jobs for a newly registered instance:
  // the attributes they can test do not change while it lives.
  void register_member_of(std::uint32_t c, InstanceId id, const platform::InstanceType& type) {
    RegisteredAttributes attributes;
    bool described = false;
    for (JobRuntime& job : jobs_) {
      if (job.cluster != c || job.config->member_of.empty()) continue;
      if (!described) {
        describe(attributes, scenario_.platform.azs[platform_.az(id).value()], type, id);
        described = true;
      }
      bool all = true;
      for (const ecs::Query& q : job.config->member_of) all = all && q.matches(attributes.view);
      job.member_of.push_back(all ? 1 : 0);
    }
  }

  void adjust_registered(std::int64_t cpu, std::int64_t mem) {
    registered_cpu_ += cpu;
    registered_memory_ += mem;
    cpu_registered_.set(sim_.now(), static_cast<double>(registered_cpu_));
    memory_registered_.set(sim_.now(), static_cast<double>(registered_memory_));
  }

  // --- Fargate --------------------------------------------------------------------------------

  std::optional<AzId> fargate_zone() const {
    std::optional<AzId> best;
    const auto cap = scenario_.platform.fargate.capacity_per_az;
    for (std::size_t z = 0; z < az_state_.size(); ++z) {
      if (az_state_[z] == platform::AzState::kDown) continue;
      if (cap && fargate_running_by_az_[z] >= *cap) continue;
      if (!best || fargate_running_by_az_[z] < fargate_running_by_az_[best->value()])
        best = AzId{static_cast<AzId::rep_type>(z)};
    }
    return best;
  }

  // Starts queued Fargate tasks while the launch-rate bucket and zone capacity allow.
  void launch_fargate() {
    while (!fargate_queue_.empty()) {
      const std::optional<AzId> zone = fargate_zone();
      if (!zone) return;  // a release or a zone's recovery calls again
      const SimTime ready = fargate_bucket_.next_available(sim_.now());
      if (ready > sim_.now()) {
        if (!fargate_launch_scheduled_) {
          sim_.schedule_at(ready, kFargateLaunch);
          fargate_launch_scheduled_ = true;
        }
        return;
      }
      fargate_bucket_.take(sim_.now());
      const TaskIndex t = fargate_queue_.front();
      fargate_queue_.pop_front();
      const scenario::JobConfig& jc = *jobs_[job_of_[t]].config;
      const auto size = *jc.task_definition.fargate_size();
      const bool spot = jc.launch_type == LaunchType::kFargateSpot;
      az_[t] = *zone;
      ++fargate_running_by_az_[zone->value()];
      reserve_in_az(*zone, size.cpu_units, size.memory_mib, false);
      // Fargate bills from the start of the image pull to the task's end.
      cost_item_[t] = cost_.start_fargate(sim_.now(), static_cast<std::uint32_t>(size.cpu_units),
                                          static_cast<std::uint32_t>(size.memory_mib),
                                          platform::Arch::kAmd64, spot);
      state_[t] = TaskState::kPending;
      --provisioning_;
      ++pending_;
      completion_[t] = sim_.schedule_in(
          platform::sample(scenario_.platform.fargate.launch_latency, fargate_rng_), kFargateStarted, t);
    }
  }

  void on_fargate_started(TaskIndex t) {
    start_running(t, az_[t]);
    const scenario::JobConfig& jc = *jobs_[job_of_[t]].config;
    const double rate = scenario_.platform.fargate.spot_interruptions_per_hour;
    if (jc.launch_type == LaunchType::kFargateSpot && rate > 0) {
      const SimDuration until = from_seconds(fargate_rng_.exponential(3600.0 / rate));
      if (until < duration_[t]) sim_.schedule_in(until, kFargateSpotNotice, t);
    }
  }

  // A scan of every task: zone outages are rare, and Fargate tasks keep no per-zone list.
  void evict_fargate_in(AzId z) {
    for (TaskIndex t = 0; t < state_.size(); ++t) {
      if (state_[t] == TaskState::kStopped || az_[t] != z) continue;
      const LaunchType lt = jobs_[job_of_[t]].config->launch_type;
      if (lt != LaunchType::kEc2) finish(t, Outcome::kEvicted);
    }
  }

  // --- task life ------------------------------------------------------------------------------

  void start_running(TaskIndex t, AzId z) {
    JobRuntime& job = jobs_[job_of_[t]];
    if (state_[t] == TaskState::kProvisioning) --provisioning_;
    else --pending_;
    state_[t] = TaskState::kRunning;
    az_[t] = z;
    ++running_;
    ++job.result.tasks.started;
    const double waited = to_seconds(sim_.now() - created_[t]);
    job.wait.add(waited);
    all_wait_.add(waited);
    completion_[t] = sim_.schedule_in(duration_[t], kTaskComplete, t);
  }

  void finish(TaskIndex t, Outcome outcome) {
    JobRuntime& job = jobs_[job_of_[t]];
    const TaskState was = state_[t];
    ECSIM_ASSERT(was != TaskState::kStopped, "a task stops once");
    switch (was) {
      case TaskState::kProvisioning: --provisioning_; break;
      case TaskState::kPending: --pending_; break;
      case TaskState::kRunning: --running_; break;
      case TaskState::kStopped: break;
    }
    state_[t] = TaskState::kStopped;
    if (outcome != Outcome::kCompleted) sim_.cancel(completion_[t]);
    const LaunchType lt = job.config->launch_type;
    if (was != TaskState::kProvisioning) {
      if (lt == LaunchType::kEc2) {
        release_ec2(t);
      } else {
        const auto size = *job.config->task_definition.fargate_size();
        --fargate_running_by_az_[az_[t].value()];
        reserve_in_az(az_[t], -size.cpu_units, -size.memory_mib, false);
        cost_.stop(cost_item_[t], sim_.now());
      }
    }
    switch (outcome) {
      case Outcome::kCompleted: ++job.result.tasks.completed; break;
      case Outcome::kFailed: ++job.result.tasks.failed; break;
      case Outcome::kEvicted: ++job.result.tasks.evicted; break;
      case Outcome::kNone: ECSIM_ASSERT(false, "a stopped task has an outcome");
    }
    if (was != TaskState::kProvisioning) {
      if (lt == LaunchType::kEc2) place_waiting(jobs_[job_of_[t]].cluster);
      else if (!fargate_queue_.empty()) launch_fargate();
    }
  }

  void reserve_in_az(AzId z, std::int64_t cpu, std::int64_t mem, bool ec2) {
    cpu_by_az_[z.value()] += cpu;
    memory_by_az_[z.value()] += mem;
    if (ec2) {
      reserved_cpu_ += cpu;
      reserved_memory_ += mem;
      cpu_reserved_.set(sim_.now(), static_cast<double>(reserved_cpu_));
      memory_reserved_.set(sim_.now(), static_cast<double>(reserved_memory_));
    }
  }

  // --- measurement ----------------------------------------------------------------------------

  void sample() {
    check_invariants();
    TimeseriesRow row;
    row.at = sim_.now();
    row.running = running_;
    row.pending = provisioning_ + pending_;
    row.cpu_reserved_by_az = cpu_by_az_;
    row.memory_reserved_by_az = memory_by_az_;
    row.cost_usd = platform_.ec2_cost_usd(row.at) + cost_.cost_at(row.at).fargate;
    rows_.push_back(std::move(row));
    const SimTime next = sim_.now() + scenario_.timeseries_interval;
    if (next <= kSimStart + options_.horizon) sim_.schedule_at(next, kSample);
  }

  TaskCounts totals() const {
    TaskCounts all;
    for (const JobRuntime& j : jobs_) {
      all.submitted += j.result.tasks.submitted;
      all.started += j.result.tasks.started;
      all.completed += j.result.tasks.completed;
      all.failed += j.result.tasks.failed;
      all.evicted += j.result.tasks.evicted;
    }
    all.running_at_end = running_;
    all.pending_at_end = provisioning_ + pending_;
    return all;
  }

  static WaitSeconds wait_of(const QuantileSketch& s) {
    WaitSeconds w;
    if (s.count() == 0) return w;
    w.mean = s.mean();
    w.p50 = s.quantile(0.5);
    w.p95 = s.quantile(0.95);
    w.p99 = s.quantile(0.99);
    w.max = s.max();
    return w;
  }

  void check_invariants() const {
    detail::audit_task_states(sim_.now(), state_, provisioning_, pending_, running_);
    detail::audit_conservation(sim_.now(), totals());
    for (const ClusterRuntime& c : clusters_)
      detail::audit_instances(sim_.now(), c.config->name, c.instances, c.tasks_on, cpu_, memory_);
  }

  const scenario::Scenario& scenario_;
  RunOptions options_;
  RandomStreams streams_;
  Simulator sim_;
  platform::Platform platform_;
  platform::LaunchTokenBucket fargate_bucket_;
  RandomStream fargate_rng_;
  ecs::Placer placer_;
  platform::CostMeter cost_;  // Fargate; EC2 is billed by the platform
  std::vector<platform::AzState> az_state_;
  std::vector<std::uint32_t> fargate_running_by_az_;
  std::vector<std::int64_t> cpu_by_az_, memory_by_az_;
  std::vector<ClusterRuntime> clusters_;
  std::vector<std::uint32_t> cluster_of_group_;
  std::vector<JobRuntime> jobs_;
  std::vector<workload::Arrival> next_arrival_;
  std::deque<TaskIndex> fargate_queue_;
  bool fargate_launch_scheduled_ = false;
  std::vector<std::uint32_t> scratch_jobs_;

  // The task table, structure of arrays, indexed by TaskIndex.
  std::vector<std::uint32_t> job_of_;
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

}  // namespace

ReplicationResult run_replication(const scenario::Scenario& scenario, const RunOptions& options) {
  World world(scenario, options);
  return world.run();
}

std::uint64_t replication_seed(std::uint64_t root, std::uint32_t index) {
  if (index == 0) return root;
  return RandomStreams(root).seed_of("replication", index);
}

}  // namespace ecsim::engine
