// The event loop of one replication: dispatch, job streams, tasks on EC2 and Fargate, the
// platform's instance changes, and measurement. Services live in services.cpp.

#include "world.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "ecsim/ecs/query.hpp"
#include "ecsim/sim/assert.hpp"
#include "ecsim/workload/durations.hpp"

namespace ecsim::engine::detail {
namespace {

void describe(RegisteredAttributes& a, const std::string& az, const platform::InstanceType& type,
              InstanceId id, std::span<const scenario::CustomAttribute> custom) {
  ECSIM_ASSERT(custom.size() <= ecs::kMaxCustomAttributes, "at most 10 custom attributes");
  a.az = az;
  a.type = type.name;
  a.ec2_id = fmt::format("i-{:017x}", id.value());
  a.list[0] = ecs::InstanceAttribute{"ecs.availability-zone", a.az};
  a.list[1] = ecs::InstanceAttribute{"ecs.instance-type", a.type};
  a.list[2] = ecs::InstanceAttribute{"ecs.os-type", "linux"};
  a.list[3] = ecs::InstanceAttribute{"ecs.cpu-architecture",
                                     type.arch == platform::Arch::kArm64 ? "arm64" : "x86_64"};
  for (std::size_t k = 0; k < custom.size(); ++k)
    a.list[4 + k] = ecs::InstanceAttribute{custom[k].name, custom[k].value};
  a.view = ecs::InstanceAttributes{};
  a.view.attributes = std::span(a.list.data(), 4 + custom.size());
  a.view.ec2_instance_id = a.ec2_id;
}

// Adds a column for each custom attribute that `strategies` spread over and `c` lacks.
void add_custom_columns(ClusterRuntime& c, std::span<const scenario::StrategyConfig> strategies) {
  for (const scenario::StrategyConfig& sc : strategies) {
    if (sc.attribute != scenario::ModelledAttribute::kCustom) continue;
    const auto named = [&](const AttributeColumn& col) { return col.name == sc.custom; };
    if (std::none_of(c.custom.begin(), c.custom.end(), named))
      c.custom.push_back(AttributeColumn{sc.custom, {}, {}});
  }
}

// The id in `column` of the value an instance with attributes `custom` has, numbering a value
// seen for the first time; kNoAttributeValue when it lacks the attribute.
std::uint32_t value_id(AttributeColumn& column, std::span<const scenario::CustomAttribute> custom) {
  const auto named = [&](const scenario::CustomAttribute& a) { return a.name == column.name; };
  const auto it = std::find_if(custom.begin(), custom.end(), named);
  if (it == custom.end()) return ecs::kNoAttributeValue;
  const auto next = static_cast<std::uint32_t>(column.ids.size());
  return column.ids.emplace(it->value, next).first->second;
}

/// The EKS runtime's results, in the run's result: its workloads after the ECS services, its
/// Jobs after the ECS jobs, its drains before the ECS drains.
void add_eks_results(ReplicationResult& r, eks::Results&& e) {
  for (const eks::DrainResult& d : e.drains)
    r.drains.push_back(DrainResult{d.cluster, d.at, d.nodes, d.drained, d.pods_left});
  r.node_group_updates = std::move(e.node_group_updates);
  r.explanation = std::move(e.explanation);
  r.control_plane = std::move(e.control_planes);
  r.namespaces = std::move(e.namespaces);
  r.eks_nodes = std::move(e.nodes);
  for (eks::JobResult& j : e.jobs)
    r.jobs.push_back(JobResult{std::move(j.cluster), std::move(j.name), j.pods, j.wait, {}});
  for (eks::WorkloadResult& w : e.workloads) {
    ServiceResult& s = r.services.emplace_back();
    s.cluster = std::move(w.cluster);
    s.name = std::move(w.name);
    s.orchestrator = "eks";
    s.desired = w.replicas.desired;
    s.min_running = w.replicas.min_running;
    s.mean_running = w.replicas.mean_running;
    s.availability = w.replicas.availability;
    s.running_by_az = std::move(w.replicas.running_by_az);
    s.tasks = w.pods;
    for (const eks::RolloutResult& d : w.rollouts)
      s.deployments.push_back(
          DeploymentResult{d.trigger, d.started, d.finished, d.state, false, d.stuck_since, 0});
  }
}

}  // namespace



std::span<const ecs::PlacementStrategy> resolve_strategies(
    const ClusterRuntime& c, std::span<const scenario::StrategyConfig> configs,
    std::array<ecs::PlacementStrategy, 5>& out) {
  ECSIM_ASSERT(configs.size() <= out.size(), "at most 5 placement strategies");
  std::size_t n = 0;
  for (const scenario::StrategyConfig& sc : configs) {
    ecs::PlacementStrategy& ps = out[n++];
    ps.type = sc.type;
    ps.field = sc.field;
    ps.attribute_values = {};
    if (sc.field != ecs::StrategyField::kAttribute) continue;
    switch (sc.attribute) {
      case scenario::ModelledAttribute::kInstanceType: ps.attribute_values = c.instance_type; break;
      case scenario::ModelledAttribute::kOsType: ps.attribute_values = c.os_type; break;
      case scenario::ModelledAttribute::kCpuArchitecture:
        ps.attribute_values = c.cpu_architecture;
        break;
      case scenario::ModelledAttribute::kCustom: {
        // A handful of columns at most: a scan by name costs less than the placement.
        const auto named = [&](const AttributeColumn& a) { return a.name == sc.custom; };
        const auto column = std::find_if(c.custom.begin(), c.custom.end(), named);
        ECSIM_ASSERT(column != c.custom.end(), "every custom attribute spread over has a column");
        ps.attribute_values = column->values;
        break;
      }
      case scenario::ModelledAttribute::kAvailabilityZone:
        ECSIM_ASSERT(false, "the zone is spread over as kAvailabilityZone, not as an attribute");
    }
  }
  return std::span(out.data(), n);
}

World::World(const scenario::Scenario& s, const RunOptions& options)
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
      memory_by_az_(s.platform.azs.size(), 0),
      eks_(s.eks, eks::Context{sim_, platform_, s.platform, all_wait_, kSimStart + options.horizon,
                               options_.explain ? &*options_.explain : nullptr}) {
  cluster_of_group_.assign(s.platform.groups.size(), kUnset);
  attributes_of_group_.resize(s.platform.groups.size());
  for (std::size_t c = 0; c < s.ecs.size(); ++c) {
    const scenario::EcsClusterConfig& cc = s.ecs[c];
    ClusterRuntime& cluster = clusters_.emplace_back();
    cluster.config = &cc;
    cluster.start_latency = streams_.stream(fmt::format("cluster/{}/task_start", cc.name));
    cluster.tracks_busy = cc.capacity_provider && cc.capacity_provider->managed_scaling;
    // Every group of the cluster, its Auto Scaling group and its fixed list, registers with it.
    if (cc.asg) {
      cluster_of_group_[cc.asg->value()] = static_cast<std::uint32_t>(c);
      attributes_of_group_[cc.asg->value()] = cc.asg_attributes;
    }
    for (const scenario::FixedInstancesConfig& f : cc.fixed_instances) {
      cluster_of_group_[f.group.value()] = static_cast<std::uint32_t>(c);
      attributes_of_group_[f.group.value()] = f.attributes;
    }
    for (const scenario::ServiceConfig& sc : cc.services)
      add_custom_columns(cluster, sc.placement_strategy);
    for (const scenario::JobConfig& jc : cc.jobs) {
      add_custom_columns(cluster, jc.placement_strategy);
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

ReplicationResult World::run() {
  const auto wall_start = std::chrono::steady_clock::now();
  const SimTime horizon = kSimStart + options_.horizon;
  // Services exist before the first instances register, so that DAEMON tasks go first.
  create_services();
  // Each EKS cluster's control plane is billed per hour for the whole run (never stopped).
  for (std::size_t c = 0; c < scenario_.eks.size(); ++c)
    (void)cost_.start_eks_control_plane(kSimStart);
  eks_.start(streams_);
  platform_.start(sim_);
  drain_platform_changes();
  flush_services();
  next_arrival_.resize(jobs_.size());
  for (std::uint32_t j = 0; j < jobs_.size(); ++j) schedule_next_arrival(j);
  if (options_.timeseries) sim_.schedule_at(kSimStart, kSample);
  if (options_.fail_check_at) sim_.schedule_at(kSimStart + *options_.fail_check_at, kFailCheck);

  auto handler = [this](const Event& e) { dispatch(e); };
  if (options_.progress) {
    // Slices of 1% of the horizon let the caller show progress without a per-event check.
    // (horizon / 100 * slice, not horizon * slice / 100, which overflows past 1e6 days.)
    for (int slice = 1; slice <= 100; ++slice) {
      const SimTime until = slice == 100 ? horizon : kSimStart + options_.horizon / 100 * slice;
      const StopReason why = sim_.run_until(until, handler);
      options_.progress(slice / 100.0, sim_.events_handled());
      if (why == StopReason::kStopped) break;
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
  const platform::CostBreakdown metered = cost_.cost_at(r.end);
  r.cost.fargate = metered.fargate;
  r.cost.eks_control_plane = metered.eks_control_plane;
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
  for (ServiceRuntime& s : services_) r.services.push_back(service_result(s, r.end));
  add_eks_results(r, eks_.results(r.end));
  for (TaskIndex t = 0; t < state_.size(); ++t) {
    if (state_[t] == TaskState::kStopped) continue;
    TaskCounts& counts = job_of_[t] != kUnset ? r.jobs[job_of_[t]].tasks
                                              : r.services[service_of_[t]].tasks;
    if (state_[t] == TaskState::kRunning) ++counts.running_at_end;
    else ++counts.pending_at_end;
  }
  for (DrainRuntime& d : drains_) {
    const ClusterRuntime& c = clusters_[d.cluster];
    d.result.service_tasks_left = 0;
    for (const ecs::ContainerInstanceIndex i : d.instances)
      for (const TaskIndex t : c.tasks_on[i]) d.result.service_tasks_left += service_of_[t] != kUnset;
    r.drains.push_back(d.result);
  }
  r.timeseries = std::move(rows_);
  r.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return r;
}

// --- dispatch ---------------------------------------------------------------------------------

void World::dispatch(const Event& e) {
  if (e.kind >= platform::kFirstEventKind && e.kind < platform::kEndEventKind) {
    platform_.handle(sim_, e);
    drain_platform_changes();
    if (!dirty_.empty()) flush_services();
    return;
  }
  if (e.kind >= eks::kFirstEventKind && e.kind < eks::kEndEventKind) {
    // Operations may terminate nodes: the platform's changes are handled at once.
    if (eks_.handle(e)) drain_platform_changes();
    if (!dirty_.empty()) flush_services();
    return;
  }
  switch (e.kind) {
    case kArrival: on_arrival(e.target); break;
    case kTaskComplete: finish(e.target, Outcome::kCompleted); break;
    case kTaskStarted: on_task_started(e.target); break;
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
    case kFailCheck: check_failed("self-check failed: as RunOptions::fail_check_at asked"); break;
    case kServiceRetry:
      services_[e.target].retry_scheduled = false;
      mark_dirty(e.target);
      break;
    case kServiceUpdate: on_service_update(e.target, e.payload); break;
    case kDrain: on_drain(e.target, e.payload); break;
    case kAgentLost:
      on_agent_lost(e.target, static_cast<ecs::ContainerInstanceIndex>(e.payload));
      break;
    case kScalingTick: on_scaling_tick(e.target); break;
    default: ECSIM_ASSERT(false, "unknown event kind");
  }
  if (!dirty_.empty()) flush_services();
}

// --- arrivals ---------------------------------------------------------------------------------

void World::schedule_next_arrival(std::uint32_t j) {
  JobRuntime& job = jobs_[j];
  std::optional<workload::Arrival> a = job.arrivals.next(job.arrival_stream);
  if (!a || a->at > kSimStart + options_.horizon) return;
  next_arrival_[j] = *a;
  sim_.schedule_at(std::max(a->at, sim_.now()), kArrival, j);
}

void World::on_arrival(std::uint32_t j) {
  JobRuntime& job = jobs_[j];
  const workload::Arrival a = next_arrival_[j];
  const SimDuration duration =
      a.duration ? *a.duration : workload::sample(*job.config->duration, job.duration_stream);
  const LaunchType launch = job.config->launch_type;
  std::int64_t cpu = a.cpu_units ? *a.cpu_units : job.cpu_units;
  std::int64_t memory = a.memory_mib ? *a.memory_mib : job.memory_mib;
  if (launch != LaunchType::kEc2) {
    // Fargate bills and counts the task definition's size, whatever a trace says.
    const auto size = *job.config->task_definition.fargate_size();
    cpu = size.cpu_units;
    memory = size.memory_mib;
  }
  const TaskIndex t = create_task(duration, cpu, memory, job.cluster, launch);
  job_of_[t] = j;
  ++job.result.tasks.submitted;
  if (launch == LaunchType::kEc2) {
    const ecs::PlacementFailure why = place_job_task(t);
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

TaskIndex World::create_task(SimDuration duration, std::int64_t cpu, std::int64_t memory,
                             std::uint32_t cluster, LaunchType launch) {
  const auto t = static_cast<TaskIndex>(state_.size());
  ECSIM_ASSERT(t != kNoTask, "fewer than 2^32 tasks per run");
  job_of_.push_back(kUnset);
  service_of_.push_back(kUnset);
  svc_.push_back(ServiceTaskFields{});
  cluster_of_.push_back(cluster);
  launch_.push_back(launch);
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
  ++provisioning_;
  return t;
}

// --- EC2 --------------------------------------------------------------------------------------

// The instance a task of `cpu` units and `memory` MiB holding host `ports` would go to under
// `rules`, without reserving anything.
ecs::PlacementResult World::choose_instance(std::uint32_t c, const PlacementRules& rules,
                                            std::int64_t cpu, std::int64_t memory,
                                            std::span<const ecs::HostPort> ports) {
  ClusterRuntime& cluster = clusters_[c];
  if (!rules.group) {
    const auto i = cluster.instances.first_fit(cpu, memory, ports);
    if (!i) return {std::nullopt, cluster.instances.why_not(cpu, memory, ports)};
    return {i, ecs::PlacementFailure::kNone};
  }
  std::array<ecs::PlacementStrategy, 5> strategies;
  ecs::PlacementRequest request;
  request.cpu_units = cpu;
  request.memory_mib = memory;
  request.group = *rules.group;
  request.strategies = resolve_strategies(cluster, rules.strategies, strategies);
  request.distinct_instance = rules.distinct_instance;
  request.member_of = rules.member_of;
  request.host_ports = ports;
  return placer_.place(cluster.instances, request);
}

// The static host ports EC2 task `t` holds on its instance: its task definition's (a job's, or
// its service deployment's; a rollback moves a task only to a deployment of the same definition).
std::span<const ecs::HostPort> World::host_ports_of(TaskIndex t) const {
  if (job_of_[t] != kUnset) return jobs_[job_of_[t]].config->task_definition.host_ports();
  const ServiceRuntime& s = services_[service_of_[t]];
  return s.deployments[svc_[t].deployment].task_definition->host_ports();
}

// Reserves task `t`'s resources on instance `i` of its cluster and starts its containers: it is
// PENDING until the cluster's task start latency has passed.
void World::assign_to_instance(TaskIndex t, ecs::ContainerInstanceIndex i) {
  ClusterRuntime& c = clusters_[cluster_of_[t]];
  std::optional<ecs::TaskGroupIndex> group;
  if (job_of_[t] != kUnset) group = jobs_[job_of_[t]].group;
  else group = services_[service_of_[t]].group;
  if (group) c.instances.reserve(i, cpu_[t], memory_[t], *group, host_ports_of(t));
  else c.instances.reserve(i, cpu_[t], memory_[t], host_ports_of(t));
  instance_[t] = i;
  az_[t] = c.instances.az(i);
  slot_[t] = static_cast<std::uint32_t>(c.tasks_on[i].size());
  c.tasks_on[i].push_back(t);
  if (c.tracks_busy) count_busy(t, true);
  reserve_in_az(az_[t], cpu_[t], memory_[t], true);
  state_[t] = TaskState::kPending;
  --provisioning_;
  ++pending_;
  const SimDuration latency = platform::sample(c.config->task_start_latency, c.start_latency);
  // A job's task with no start latency runs at once (no event); a service's always goes through
  // the event, so that its start never runs inside the scheduler's own pass.
  if (latency == SimDuration::zero() && job_of_[t] != kUnset) start_running(t);
  else completion_[t] = sim_.schedule_in(latency, kTaskStarted, t);
}

// Places job task `t` by its job's strategies and constraints, or on the first instance with
// room; returns why it could not (kUnset when placed).
ecs::PlacementFailure World::place_job_task(TaskIndex t) {
  const JobRuntime& job = jobs_[job_of_[t]];
  PlacementRules rules;
  rules.group = job.group;
  rules.strategies = job.config->placement_strategy;
  rules.distinct_instance = job.config->distinct_instance;
  if (!job.config->member_of.empty()) rules.member_of = job.member_of;
  const ecs::PlacementResult result = choose_instance(job.cluster, rules, cpu_[t], memory_[t],
                                                      job.config->task_definition.host_ports());
  if (!result.instance) return result.failure;
  assign_to_instance(t, *result.instance);
  return ecs::PlacementFailure::kNone;
}

// Places waiting EC2 tasks of cluster `c` while any fits: the job whose oldest waiting task is
// oldest goes first; a job whose oldest task does not fit waits as a whole (its tasks share a
// size, except trace jobs, whose later tasks wait behind the first).
void World::place_waiting(std::uint32_t c) {
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
    if (place_job_task(job.waiting.front()) == ecs::PlacementFailure::kNone) {
      job.waiting.pop_front();
      if (job.waiting.empty()) candidates.erase(oldest);
    } else {
      candidates.erase(oldest);
    }
  }
}

void World::release_ec2(TaskIndex t) {
  ClusterRuntime& c = clusters_[cluster_of_[t]];
  const ecs::ContainerInstanceIndex i = instance_[t];
  std::optional<ecs::TaskGroupIndex> group;
  if (job_of_[t] != kUnset) group = jobs_[job_of_[t]].group;
  else group = services_[service_of_[t]].group;
  if (group) c.instances.release(i, cpu_[t], memory_[t], *group, host_ports_of(t));
  else c.instances.release(i, cpu_[t], memory_[t], host_ports_of(t));
  reserve_in_az(c.instances.az(i), -cpu_[t], -memory_[t], true);
  if (c.tracks_busy) count_busy(t, false);
  std::vector<TaskIndex>& on = c.tasks_on[i];
  const TaskIndex moved = on.back();
  on[slot_[t]] = moved;
  slot_[moved] = slot_[t];
  on.pop_back();
}

// Counts task `t` in (or out of) its instance's non-DAEMON tasks; with managed termination
// protection, an instance is protected from scale-in exactly while it has one.
void World::count_busy(TaskIndex t, bool placed) {
  ClusterRuntime& c = clusters_[cluster_of_[t]];
  if (service_of_[t] != kUnset &&
      services_[service_of_[t]].config->scheduling_strategy == ecs::SchedulingStrategy::kDaemon)
    return;
  const ecs::ContainerInstanceIndex i = instance_[t];
  const std::uint32_t was = c.busy[i];
  c.busy[i] = placed ? was + 1 : was - 1;
  const auto& provider = c.config->capacity_provider;
  if (provider && provider->managed_termination_protection && (was == 0) != (c.busy[i] == 0))
    platform_.set_scale_in_protected(c.instances.ec2(i), c.busy[i] != 0);
}

// Room appeared on cluster `c` (a release, a new or reconnected instance): waiting job tasks
// are placed first, then the services that could not place everything try again.
void World::capacity_freed(std::uint32_t c) {
  place_waiting(c);
  for (const std::uint32_t s : clusters_[c].services)
    if (services_[s].wants_capacity) mark_dirty(s);
}

void World::drain_platform_changes() {
  for (std::size_t z = 0; z < az_state_.size(); ++z) {
    const AzId az{static_cast<AzId::rep_type>(z)};
    const platform::AzState was = az_state_[z];
    // Update first: evictions free capacity, and nothing may launch into the failed zone.
    az_state_[z] = platform_.az_state(az);
    if (az_state_[z] == platform::AzState::kDown && was != platform::AzState::kDown)
      evict_fargate_in(az);
    if (az_state_[z] != platform::AzState::kDown && was == platform::AzState::kDown)
      for (std::uint32_t s = 0; s < services_.size(); ++s) mark_dirty(s);
  }
  if (!eks_.empty()) eks_.zones_changed();
  std::vector<platform::InstanceChange>& changes = platform_.changes();
  // Handling a change may make the platform report more (and so may EKS catching up, which can
  // terminate drained nodes); index, don't iterate.
  do {
    for (std::size_t k = 0; k < changes.size(); ++k) on_instance_change(changes[k]);
    changes.clear();
    if (!eks_.empty()) eks_.catch_up();
  } while (!changes.empty());
  if (!fargate_queue_.empty()) launch_fargate();
}

void World::on_instance_change(const platform::InstanceChange& change) {
  if (eks_.on_instance_change(change)) return;
  const GroupId g = platform_.group(change.instance);
  if (!g.valid() || cluster_of_group_[g.value()] == kUnset) return;
  const std::uint32_t c = cluster_of_group_[g.value()];
  ClusterRuntime& cluster = clusters_[c];
  const std::optional<ecs::ContainerInstanceIndex> i = cluster.instances.find(change.instance);
  switch (change.kind) {
    case platform::ChangeKind::kRunning: register_instance(c, change.instance); break;
    case platform::ChangeKind::kUnreachable:
      if (i && cluster.instances.registered(*i)) {
        cluster.instances.set_connected(*i, false);
        cluster.disconnected_since[*i] = sim_.now();
        sim_.schedule_in(cluster.config->lost_after, kAgentLost, c, *i);
        cut_off(c, *i, true);
      }
      break;
    case platform::ChangeKind::kReachable:
      if (i && cluster.instances.registered(*i)) {
        cluster.instances.set_connected(*i, true);
        cluster.disconnected_since[*i] = kNever;
        cut_off(c, *i, false);
        capacity_freed(c);
        for (const std::uint32_t s : cluster.services) mark_dirty(s);
      }
      break;
    case platform::ChangeKind::kInterruptionNotice:
      if (i && cluster.config->spot_draining && cluster.instances.active(*i)) set_draining(c, *i);
      break;
    case platform::ChangeKind::kTerminated:
      if (i && cluster.instances.registered(*i)) {
        // Deregister first, so that the tasks its evictions let through do not land on it.
        cluster.instances.deregister(*i);
        --registered_instances_;
        adjust_registered(-cluster.instances.cpu_registered(*i),
                          -cluster.instances.memory_registered(*i));
        // A copy: each eviction changes the list.
        const std::vector<TaskIndex> doomed = cluster.tasks_on[*i];
        for (const TaskIndex t : doomed) finish(t, Outcome::kEvicted);
        for (const std::uint32_t s : cluster.services) mark_dirty(s);
      }
      break;
  }
}

void World::register_instance(std::uint32_t c, InstanceId id) {
  ClusterRuntime& cluster = clusters_[c];
  const platform::InstanceType& type = platform::InstanceCatalog::builtin().at(platform_.type(id));
  const std::int64_t cpu = ecs::registered_cpu_units(type.vcpu);
  const std::int64_t mem = ecs::registered_memory_mib(type.memory_mib);
  const ecs::ContainerInstanceIndex ci =
      cluster.instances.register_instance(id, platform_.az(id), cpu, mem);
  ++registered_instances_;
  cluster.tasks_on.resize(cluster.instances.size());
  cluster.instance_type.push_back(platform_.type(id));
  cluster.os_type.push_back(0);  // every modelled instance runs Linux
  cluster.cpu_architecture.push_back(type.arch == platform::Arch::kArm64 ? 1 : 0);
  for (AttributeColumn& column : cluster.custom)
    column.values.push_back(value_id(column, custom_attributes(id)));
  cluster.disconnected_since.push_back(kNever);
  cluster.busy.push_back(0);
  register_member_of(c, id, type);
  // Utilisation counts every registered instance, reachable or not, against the tasks it holds.
  adjust_registered(cpu, mem);
  if (!platform_.reachable(id)) {
    cluster.instances.set_connected(ci, false);
    cluster.disconnected_since[ci] = sim_.now();
    sim_.schedule_in(cluster.config->lost_after, kAgentLost, c, ci);
  }
  // DAEMON tasks are placed first: their resources are reserved ahead of anything waiting.
  for (const std::uint32_t s : cluster.services)
    if (services_[s].config->scheduling_strategy == ecs::SchedulingStrategy::kDaemon) reconcile(s);
  capacity_freed(c);
  for (const std::uint32_t s : cluster.services) mark_dirty(s);
}

// Evaluates the memberOf expressions of the cluster's jobs and services for a newly registered
// instance: the attributes they can test do not change while it lives.
void World::register_member_of(std::uint32_t c, InstanceId id, const platform::InstanceType& type) {
  RegisteredAttributes attributes;
  bool described = false;
  auto evaluate = [&](std::span<const ecs::Query> queries) -> std::uint8_t {
    if (!described) {
      describe(attributes, scenario_.platform.azs[platform_.az(id).value()], type, id,
               custom_attributes(id));
      described = true;
    }
    bool all = true;
    for (const ecs::Query& q : queries) all = all && q.matches(attributes.view);
    return all ? 1 : 0;
  };
  for (JobRuntime& job : jobs_)
    if (job.cluster == c && !job.config->member_of.empty())
      job.member_of.push_back(evaluate(job.config->member_of));
  for (const std::uint32_t s : clusters_[c].services)
    if (!services_[s].config->member_of.empty())
      services_[s].member_of.push_back(evaluate(services_[s].config->member_of));
}

// The custom attributes instance `id` registers with: those of its group.
std::span<const scenario::CustomAttribute> World::custom_attributes(InstanceId id) const {
  return attributes_of_group_[platform_.group(id).value()];
}

void World::adjust_registered(std::int64_t cpu, std::int64_t mem) {
  registered_cpu_ += cpu;
  registered_memory_ += mem;
  cpu_registered_.set(sim_.now(), static_cast<double>(registered_cpu_));
  memory_registered_.set(sim_.now(), static_cast<double>(registered_memory_));
}

// --- Fargate ----------------------------------------------------------------------------------

// The zone for Fargate task `t`: among zones that are up and have room, the one with the fewest
// tasks of its service (so a service spreads over zones as its subnets allow), then the fewest
// Fargate tasks in all, then the first listed.
std::optional<AzId> World::fargate_zone(TaskIndex t) const {
  std::optional<AzId> best;
  const auto cap = scenario_.platform.fargate.capacity_per_az;
  const ServiceRuntime* service = service_of_[t] != kUnset ? &services_[service_of_[t]] : nullptr;
  auto key = [&](std::size_t z) {
    const std::int64_t mine = service ? service->running_by_az[z] : 0;
    return std::pair<std::int64_t, std::uint32_t>(mine, fargate_running_by_az_[z]);
  };
  for (std::size_t z = 0; z < az_state_.size(); ++z) {
    if (az_state_[z] == platform::AzState::kDown) continue;
    if (cap && fargate_running_by_az_[z] >= *cap) continue;
    if (!best || key(z) < key(best->value())) best = AzId{static_cast<AzId::rep_type>(z)};
  }
  return best;
}

// Starts queued Fargate tasks while the launch-rate bucket and zone capacity allow.
void World::launch_fargate() {
  while (!fargate_queue_.empty()) {
    const TaskIndex t = fargate_queue_.front();
    const std::optional<AzId> zone = fargate_zone(t);
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
    fargate_queue_.pop_front();
    const bool spot = launch_[t] == LaunchType::kFargateSpot;
    az_[t] = *zone;
    ++fargate_running_by_az_[zone->value()];
    reserve_in_az(*zone, cpu_[t], memory_[t], false);
    // Fargate bills from the start of the image pull to the task's end.
    cost_item_[t] = cost_.start_fargate(sim_.now(), static_cast<std::uint32_t>(cpu_[t]),
                                        static_cast<std::uint32_t>(memory_[t]),
                                        platform::Arch::kAmd64, spot);
    state_[t] = TaskState::kPending;
    --provisioning_;
    ++pending_;
    completion_[t] = sim_.schedule_in(
        platform::sample(scenario_.platform.fargate.launch_latency, fargate_rng_), kTaskStarted, t);
  }
}

// Task `t` has pulled its image and started its containers: it runs, or (a service revision
// that fails to start) stops at once.
void World::on_task_started(TaskIndex t) {
  if (service_of_[t] != kUnset && services_[service_of_[t]].deployments[svc_[t].deployment].fails_to_start) {
    finish(t, Outcome::kFailed);
    return;
  }
  start_running(t);
  const double rate = scenario_.platform.fargate.spot_interruptions_per_hour;
  if (launch_[t] == LaunchType::kFargateSpot && rate > 0) {
    const SimDuration until = from_seconds(fargate_rng_.exponential(3600.0 / rate));
    if (until < duration_[t]) sim_.schedule_in(until, kFargateSpotNotice, t);
  }
}

// A scan of every task: zone outages are rare, and Fargate tasks keep no per-zone list.
void World::evict_fargate_in(AzId z) {
  for (TaskIndex t = 0; t < state_.size(); ++t) {
    if (state_[t] == TaskState::kStopped || state_[t] == TaskState::kProvisioning) continue;
    if (az_[t] == z && launch_[t] != LaunchType::kEc2) finish(t, Outcome::kEvicted);
  }
}

// --- task life --------------------------------------------------------------------------------

void World::start_running(TaskIndex t) {
  --pending_;
  state_[t] = TaskState::kRunning;
  ++running_;
  ++counts_of(t).started;
  const double waited = to_seconds(sim_.now() - created_[t]);
  all_wait_.add(waited);
  if (job_of_[t] != kUnset) jobs_[job_of_[t]].wait.add(waited);
  else services_[service_of_[t]].wait.add(waited);
  completion_[t] = duration_[t] == kUntilStopped
                       ? EventHandle{}
                       : sim_.schedule_in(duration_[t], kTaskComplete, t);
  if (service_of_[t] != kUnset) on_service_task_running(t);
}

void World::finish(TaskIndex t, Outcome outcome) {
  const TaskState was = state_[t];
  ECSIM_ASSERT(was != TaskState::kStopped, "a task stops once");
  switch (was) {
    case TaskState::kProvisioning: --provisioning_; break;
    case TaskState::kPending: --pending_; break;
    case TaskState::kRunning: --running_; break;
    case TaskState::kStopped: break;
  }
  state_[t] = TaskState::kStopped;
  if (outcome != Outcome::kCompleted || duration_[t] == kUntilStopped) sim_.cancel(completion_[t]);
  const bool ec2 = launch_[t] == LaunchType::kEc2;
  if (was == TaskState::kProvisioning) {
    // A service stops its queued Fargate task; a job's fails before it queues.
    std::deque<TaskIndex>* queue = !ec2                  ? &fargate_queue_
                                   : job_of_[t] != kUnset ? &jobs_[job_of_[t]].waiting
                                                         : nullptr;
    if (queue) {
      const auto it = std::find(queue->begin(), queue->end(), t);
      if (it != queue->end()) queue->erase(it);
    }
  } else if (ec2) {
    release_ec2(t);
  } else {
    --fargate_running_by_az_[az_[t].value()];
    reserve_in_az(az_[t], -cpu_[t], -memory_[t], false);
    cost_.stop(cost_item_[t], sim_.now());
  }
  TaskCounts& counts = counts_of(t);
  switch (outcome) {
    case Outcome::kCompleted: ++counts.completed; break;
    case Outcome::kFailed: ++counts.failed; break;
    case Outcome::kEvicted: ++counts.evicted; break;
  }
  if (service_of_[t] != kUnset) {
    if (outcome == Outcome::kFailed) on_service_task_failed(t);
    on_service_task_gone(t, was == TaskState::kRunning);
  }
  if (was != TaskState::kProvisioning) {
    if (ec2) capacity_freed(cluster_of_[t]);
    else if (!fargate_queue_.empty()) launch_fargate();
  }
}

TaskCounts& World::counts_of(TaskIndex t) {
  return job_of_[t] != kUnset ? jobs_[job_of_[t]].result.tasks
                             : services_[service_of_[t]].result.tasks;
}

void World::reserve_in_az(AzId z, std::int64_t cpu, std::int64_t mem, bool ec2) {
  cpu_by_az_[z.value()] += cpu;
  memory_by_az_[z.value()] += mem;
  if (ec2) {
    reserved_cpu_ += cpu;
    reserved_memory_ += mem;
    cpu_reserved_.set(sim_.now(), static_cast<double>(reserved_cpu_));
    memory_reserved_.set(sim_.now(), static_cast<double>(reserved_memory_));
  }
}

// --- measurement ------------------------------------------------------------------------------

void World::sample() {
  check_invariants();
  TimeseriesRow row;
  row.at = sim_.now();
  row.running = running_ + eks_.running();
  row.pending = provisioning_ + pending_ + eks_.pending();
  row.cpu_reserved_by_az = cpu_by_az_;
  row.memory_reserved_by_az = memory_by_az_;
  const platform::CostBreakdown metered = cost_.cost_at(row.at);
  row.cost_usd = platform_.ec2_cost_usd(row.at) + metered.fargate + metered.eks_control_plane;
  row.instances = registered_instances_;
  for (const ServiceRuntime& s : services_)
    for (const std::int64_t n : s.running_by_az)
      row.service_running_by_az.push_back(static_cast<std::uint32_t>(n));
  eks_.append_running_by_az(row.service_running_by_az);
  rows_.push_back(std::move(row));
  const SimTime next = sim_.now() + scenario_.timeseries_interval;
  if (next <= kSimStart + options_.horizon) sim_.schedule_at(next, kSample);
}

TaskCounts World::totals() const {
  TaskCounts all;
  auto add = [&all](const TaskCounts& c) {
    all.submitted += c.submitted;
    all.started += c.started;
    all.completed += c.completed;
    all.failed += c.failed;
    all.evicted += c.evicted;
  };
  for (const JobRuntime& j : jobs_) add(j.result.tasks);
  for (const ServiceRuntime& s : services_) add(s.result.tasks);
  all.running_at_end = running_;
  all.pending_at_end = provisioning_ + pending_;
  eks_.add_totals(all);
  return all;
}

void World::check_invariants() const {
  audit_task_states(state_, provisioning_, pending_, running_);
  audit_conservation(totals());
  for (const ClusterRuntime& c : clusters_)
    audit_instances(c.config->name, c.instances, c.tasks_on, cpu_, memory_);
  eks_.check_invariants();
}

}  // namespace ecsim::engine::detail

namespace ecsim::engine {

ReplicationResult run_replication(const scenario::Scenario& scenario, const RunOptions& options) {
  const std::string run = fmt::format("scenario '{}' ({}), replication {}, seed {}", scenario.name,
                                      scenario.file, options.replication, options.seed);
  CheckContext context(run, nullptr);
  std::optional<detail::World> world;
  try {
    world.emplace(scenario, options);
    context.set_clock(&world->simulator());
    ReplicationResult result = world->run();
    context.set_clock(nullptr);  // the world (and its clock) goes before the context
    return result;
  } catch (const std::bad_alloc&) {
    const SimTime at = world ? world->simulator().now() : kSimStart;
    context.set_clock(nullptr);
    world.reset();  // gives the memory back before the message is made
    throw OutOfMemory(
        fmt::format("out of memory at simulated time {} in {}", format_time(at), run));
  }
}

std::uint64_t replication_seed(std::uint64_t root, std::uint32_t index) {
  if (index == 0) return root;
  return RandomStreams(root).seed_of("replication", index);
}

}  // namespace ecsim::engine
