// The ECS runtime: job streams, tasks on EC2 and Fargate, the platform's instance changes as
// container instances, and measurement. Services live in services.cpp.

#include "ecsim/ecs/runtime.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "ecsim/ecs/query.hpp"
#include "ecsim/sim/assert.hpp"
#include "ecsim/workload/durations.hpp"

namespace ecsim::ecs {
namespace {

void describe(RegisteredAttributes& a, const std::string& az, const platform::InstanceType& type,
              InstanceId id, std::span<const CustomAttribute> custom) {
  ECSIM_ASSERT(custom.size() <= kMaxCustomAttributes, "at most 10 custom attributes");
  a.az = az;
  a.type = type.name;
  a.ec2_id = fmt::format("i-{:017x}", id.value());
  a.list[0] = InstanceAttribute{"ecs.availability-zone", a.az};
  a.list[1] = InstanceAttribute{"ecs.instance-type", a.type};
  a.list[2] = InstanceAttribute{"ecs.os-type", "linux"};
  a.list[3] = InstanceAttribute{"ecs.cpu-architecture",
                                     type.arch == platform::Arch::kArm64 ? "arm64" : "x86_64"};
  for (std::size_t k = 0; k < custom.size(); ++k)
    a.list[4 + k] = InstanceAttribute{custom[k].name, custom[k].value};
  a.view = InstanceAttributes{};
  a.view.attributes = std::span(a.list.data(), 4 + custom.size());
  a.view.ec2_instance_id = a.ec2_id;
}

// Adds a column for each custom attribute that `strategies` spread over and `c` lacks.
void add_custom_columns(ClusterRuntime& c, std::span<const StrategyConfig> strategies) {
  for (const StrategyConfig& sc : strategies) {
    if (sc.attribute != ModelledAttribute::kCustom) continue;
    const auto named = [&](const AttributeColumn& col) { return col.name == sc.custom; };
    if (std::none_of(c.custom.begin(), c.custom.end(), named))
      c.custom.push_back(AttributeColumn{sc.custom, {}, {}});
  }
}

// The id in `column` of the value an instance with attributes `custom` has, numbering a value
// seen for the first time; kNoAttributeValue when it lacks the attribute.
std::uint32_t value_id(AttributeColumn& column, std::span<const CustomAttribute> custom) {
  const auto named = [&](const CustomAttribute& a) { return a.name == column.name; };
  const auto it = std::find_if(custom.begin(), custom.end(), named);
  if (it == custom.end()) return kNoAttributeValue;
  const auto next = static_cast<std::uint32_t>(column.ids.size());
  return column.ids.emplace(it->value, next).first->second;
}

}  // namespace



std::span<const PlacementStrategy> resolve_strategies(
    const ClusterRuntime& c, std::span<const StrategyConfig> configs,
    std::array<PlacementStrategy, 5>& out) {
  ECSIM_ASSERT(configs.size() <= out.size(), "at most 5 placement strategies");
  std::size_t n = 0;
  for (const StrategyConfig& sc : configs) {
    PlacementStrategy& ps = out[n++];
    ps.type = sc.type;
    ps.field = sc.field;
    ps.attribute_values = {};
    if (sc.field != StrategyField::kAttribute) continue;
    switch (sc.attribute) {
      case ModelledAttribute::kInstanceType: ps.attribute_values = c.instance_type; break;
      case ModelledAttribute::kOsType: ps.attribute_values = c.os_type; break;
      case ModelledAttribute::kCpuArchitecture:
        ps.attribute_values = c.cpu_architecture;
        break;
      case ModelledAttribute::kCustom: {
        // A handful of columns at most: a scan by name costs less than the placement.
        const auto named = [&](const AttributeColumn& a) { return a.name == sc.custom; };
        const auto column = std::find_if(c.custom.begin(), c.custom.end(), named);
        ECSIM_ASSERT(column != c.custom.end(), "every custom attribute spread over has a column");
        ps.attribute_values = column->values;
        break;
      }
      case ModelledAttribute::kAvailabilityZone:
        ECSIM_ASSERT(false, "the zone is spread over as kAvailabilityZone, not as an attribute");
    }
  }
  return std::span(out.data(), n);
}

Runtime::Runtime(std::span<const EcsClusterConfig> clusters, Context context)
    : specs_(clusters),
      sim_(context.sim),
      platform_(context.platform),
      platform_config_(context.platform_config),
      cost_(context.cost),
      all_wait_(context.all_wait),
      horizon_(context.horizon),
      fargate_bucket_(context.platform_config.fargate.launch_burst,
                      context.platform_config.fargate.launch_rate_per_second),
      fargate_rng_(context.streams.stream("fargate")),
      placer_(context.streams.stream("placement")),
      az_state_(context.platform_config.azs.size(), platform::AzState::kUp),
      fargate_running_by_az_(context.platform_config.azs.size(), 0),
      cpu_by_az_(context.platform_config.azs.size(), 0),
      memory_by_az_(context.platform_config.azs.size(), 0) {
  cluster_of_group_.assign(platform_config_.groups.size(), ClusterId::invalid());
  attributes_of_group_.resize(platform_config_.groups.size());
  for (const ClusterId c : IdRange<ClusterId>{specs_.size()}) {
    const EcsClusterConfig& cc = specs_[c.value()];
    ClusterRuntime& cluster = clusters_.emplace_back();
    cluster.config = &cc;
    cluster.start_latency = context.streams.stream(fmt::format("cluster/{}/task_start", cc.name));
    cluster.tracks_busy = cc.capacity_provider && cc.capacity_provider->managed_scaling;
    // Every group of the cluster, its Auto Scaling group and its fixed list, registers with it.
    if (cc.asg) {
      cluster_of_group_[cc.asg->value()] = c;
      attributes_of_group_[cc.asg->value()] = cc.asg_attributes;
    }
    for (const FixedInstancesConfig& f : cc.fixed_instances) {
      cluster_of_group_[f.group.value()] = c;
      attributes_of_group_[f.group.value()] = f.attributes;
    }
    for (const ServiceConfig& sc : cc.services)
      add_custom_columns(cluster, sc.placement_strategy);
    for (const JobConfig& jc : cc.jobs) {
      add_custom_columns(cluster, jc.placement_strategy);
      const std::string stream_name = fmt::format("job/{}/{}", cc.name, jc.name);
      jobs_.push_back(JobRuntime{&jc,
                                 c,
                                 workload::ArrivalGenerator(jc.arrivals),
                                 context.streams.stream(stream_name + "/arrivals"),
                                 context.streams.stream(stream_name + "/durations"),
                                 JobResult{cc.name, jc.name, {}, {}, {}},
                                 QuantileSketch{},
                                 {},
                                 std::nullopt,
                                 {}});
      if (jc.uses_placement()) jobs_.back().group = clusters_.back().instances.add_task_group();
      cluster.jobs.push_back(static_cast<std::uint32_t>(jobs_.size() - 1));
    }
  }
}

// --- dispatch ---------------------------------------------------------------------------------

bool Runtime::handle(const Event& e) {
  // The target as the id of what the kind names (see EventKind).
  const TaskIndex task{e.target};
  const ServiceId service{e.target};
  const ClusterId cluster{static_cast<ClusterId::rep_type>(e.target)};
  switch (e.kind) {
    case kArrival: on_arrival(e.target); break;
    case kTaskComplete: finish(task, Outcome::kCompleted); break;
    case kTaskStarted: on_task_started(task); break;
    case kFargateLaunch:
      fargate_launch_scheduled_ = false;
      launch_fargate();
      break;
    case kFargateSpotNotice:
      if (release_ref(task)) {
        ++refs_[task];
        sim_.schedule_in(platform::kSpotNotice, kFargateSpotReclaim, task.value());
      }
      break;
    case kFargateSpotReclaim:
      if (release_ref(task)) finish(task, Outcome::kEvicted);
      break;
    case kServiceRetry:
      services_[service].retry_scheduled = false;
      mark_dirty(service);
      break;
    case kServiceUpdate: on_service_update(service, e.payload); break;
    case kDrain: on_drain(cluster, e.payload); break;
    case kAgentLost:
      on_agent_lost(cluster, static_cast<ContainerInstanceIndex>(e.payload));
      break;
    // Managed scaling launches and terminates instances: their changes are handled at once.
    case kScalingTick: on_scaling_tick(cluster); return true;
    case kTaskHealthy:
      if (release_ref(task)) {
        svc_[task].healthy = 1;
        mark_dirty(service_of_[task]);
      }
      break;
    default: ECSIM_ASSERT(false, "unknown ECS event kind");
  }
  return false;
}

void Runtime::start_jobs() {
  flush_services();
  next_arrival_.resize(jobs_.size());
  for (std::uint32_t j = 0; j < jobs_.size(); ++j) schedule_next_arrival(j);
}

// --- arrivals ---------------------------------------------------------------------------------

void Runtime::schedule_next_arrival(std::uint32_t j) {
  JobRuntime& job = jobs_[j];
  std::optional<workload::Arrival> a = job.arrivals.next(job.arrival_stream);
  if (!a || a->at > horizon_) return;
  next_arrival_[j] = *a;
  sim_.schedule_at(std::max(a->at, sim_.now()), kArrival, j);
}

void Runtime::on_arrival(std::uint32_t j) {
  JobRuntime& job = jobs_[j];
  const workload::Arrival a = next_arrival_[j];
  const SimDuration duration =
      a.duration ? *a.duration : workload::sample(*job.config->duration, job.duration_stream);
  const LaunchType launch = job.config->launch_type;
  TaskSize size = job.config->task_definition.held_size(launch != LaunchType::kEc2);
  // A trace's sizes count on EC2; Fargate bills the task definition's size, whatever it says.
  if (launch == LaunchType::kEc2) {
    if (a.cpu_units) size.cpu_units = *a.cpu_units;
    if (a.memory_mib) size.memory_mib = *a.memory_mib;
  }
  const TaskIndex t = create_task(duration, size.cpu_units, size.memory_mib, job.cluster, launch);
  job_of_[t] = j;
  ++job.result.tasks.submitted;
  if (launch == LaunchType::kEc2) {
    const PlacementFailure why = place_job_task(t);
    if (why != PlacementFailure::kNone) {
      if (job.config->when_no_capacity == WhenNoCapacity::kFail) {
        ++job.result.failure_reasons[std::string(to_string(why))];
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

TaskIndex Runtime::create_task(SimDuration duration, std::int64_t cpu, std::int64_t memory,
                             ClusterId cluster, LaunchType launch) {
  // A stopped task's slot is reused once nothing names it, so the table follows the live tasks.
  TaskIndex t;
  if (!free_tasks_.empty()) {
    t = free_tasks_.back();
    free_tasks_.pop_back();
  } else {
    t = state_.next_id();
    ECSIM_ASSERT(t != kNoTask, "fewer than 2^32 tasks at a time");
    for (auto* column : {&job_of_, &instance_, &slot_}) column->emplace_back();
    service_of_.emplace_back();
    cluster_of_.emplace_back();
    svc_.emplace_back();
    launch_.emplace_back();
    state_.emplace_back();
    sequence_.emplace_back();
    created_.emplace_back();
    duration_.emplace_back();
    cpu_.emplace_back();
    memory_.emplace_back();
    az_.emplace_back();
    completion_.emplace_back();
    cost_item_.emplace_back();
    refs_.emplace_back();
  }
  job_of_[t] = kUnset;
  service_of_[t] = ServiceId::invalid();
  svc_[t] = ServiceTaskFields{};
  cluster_of_[t] = cluster;
  launch_[t] = launch;
  state_[t] = TaskState::kProvisioning;
  sequence_[t] = next_sequence_++;
  created_[t] = sim_.now();
  duration_[t] = duration;
  cpu_[t] = cpu;
  memory_[t] = memory;
  az_[t] = AzId{};
  instance_[t] = 0;
  slot_[t] = 0;
  completion_[t] = EventHandle{};
  cost_item_[t] = platform::CostItemId{};
  refs_[t] = 0;
  ++provisioning_;
  return t;
}

bool Runtime::release_ref(TaskIndex t) {
  ECSIM_ASSERT(refs_[t] > 0, "a reference to a task slot is released once");
  --refs_[t];
  if (state_[t] != TaskState::kStopped) return true;
  if (refs_[t] == 0) free_tasks_.push_back(t);
  return false;
}

// --- EC2 --------------------------------------------------------------------------------------

// The instance a task of `cpu` units and `memory` MiB holding host `ports` would go to under
// `rules`, without reserving anything.
PlacementResult Runtime::choose_instance(ClusterId c, const PlacementRules& rules,
                                         std::int64_t cpu, std::int64_t memory,
                                         const TaskDefinition& definition) {
  ClusterRuntime& cluster = clusters_[c];
  const std::span<const HostPort> ports = definition.host_ports();
  const bool eni = definition.network_mode() == NetworkMode::kAwsvpc;
  if (!rules.group && !eni) {
    const auto i = cluster.instances.first_fit(cpu, memory, ports);
    if (!i) return {std::nullopt, cluster.instances.why_not(cpu, memory, ports)};
    return {i, PlacementFailure::kNone};
  }
  std::array<PlacementStrategy, 5> strategies;
  PlacementRequest request;
  request.cpu_units = cpu;
  request.memory_mib = memory;
  request.group = rules.group.value_or(0);
  if (rules.group) request.strategies = resolve_strategies(cluster, rules.strategies, strategies);
  request.distinct_instance = rules.group && rules.distinct_instance;
  request.member_of = rules.member_of;
  request.host_ports = ports;
  request.needs_eni = eni;
  return placer_.place(cluster.instances, request);
}

bool Runtime::holds_eni(TaskIndex t) const {
  return launch_[t] == LaunchType::kEc2 &&
         task_definition_of(t).network_mode() == NetworkMode::kAwsvpc;
}

// The static host ports EC2 task `t` holds on its instance: its task definition's (a job's, or
// its service deployment's; a rollback moves a task only to a deployment of the same definition).
const TaskDefinition& Runtime::task_definition_of(TaskIndex t) const {
  if (job_of_[t] != kUnset) return jobs_[job_of_[t]].config->task_definition;
  return *services_[service_of_[t]].deployments[svc_[t].deployment].task_definition;
}

std::span<const HostPort> Runtime::host_ports_of(TaskIndex t) const {
  return task_definition_of(t).host_ports();
}

// Reserves task `t`'s resources on instance `i` of its cluster and starts its containers: it is
// PENDING until the cluster's task start latency has passed.
void Runtime::assign_to_instance(TaskIndex t, ContainerInstanceIndex i) {
  ClusterRuntime& c = clusters_[cluster_of_[t]];
  std::optional<TaskGroupIndex> group;
  if (job_of_[t] != kUnset) group = jobs_[job_of_[t]].group;
  else group = services_[service_of_[t]].group;
  if (group) c.instances.reserve(i, cpu_[t], memory_[t], *group, host_ports_of(t));
  else c.instances.reserve(i, cpu_[t], memory_[t], host_ports_of(t));
  if (holds_eni(t)) c.instances.reserve_eni(i);
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
  else completion_[t] = sim_.schedule_in(latency, kTaskStarted, t.value());
}

// Places job task `t` by its job's strategies and constraints, or on the first instance with
// room; returns why it could not (kUnset when placed).
PlacementFailure Runtime::place_job_task(TaskIndex t) {
  const JobRuntime& job = jobs_[job_of_[t]];
  PlacementRules rules;
  rules.group = job.group;
  rules.strategies = job.config->placement_strategy;
  rules.distinct_instance = job.config->distinct_instance;
  if (!job.config->member_of.empty()) rules.member_of = job.member_of;
  const PlacementResult result =
      choose_instance(job.cluster, rules, cpu_[t], memory_[t], job.config->task_definition);
  if (!result.instance) return result.failure;
  assign_to_instance(t, *result.instance);
  return PlacementFailure::kNone;
}

// Places waiting EC2 tasks of cluster `c` while any fits: the job whose oldest waiting task is
// oldest goes first; a job whose oldest task does not fit waits as a whole (its tasks share a
// size, except trace jobs, whose later tasks wait behind the first).
void Runtime::place_waiting(ClusterId c) {
  std::vector<std::uint32_t>& candidates = scratch_jobs_;
  candidates.clear();
  for (const std::uint32_t j : clusters_[c].jobs)
    if (!jobs_[j].waiting.empty()) candidates.push_back(j);
  while (!candidates.empty()) {
    auto oldest = candidates.begin();
    for (auto it = candidates.begin(); it != candidates.end(); ++it) {
      const TaskIndex a = jobs_[*it].waiting.front(), b = jobs_[*oldest].waiting.front();
      if (created_[a] < created_[b] || (created_[a] == created_[b] && sequence_[a] < sequence_[b]))
        oldest = it;
    }
    JobRuntime& job = jobs_[*oldest];
    if (place_job_task(job.waiting.front()) == PlacementFailure::kNone) {
      job.waiting.pop_front();
      if (job.waiting.empty()) candidates.erase(oldest);
    } else {
      candidates.erase(oldest);
    }
  }
}

void Runtime::release_ec2(TaskIndex t) {
  ClusterRuntime& c = clusters_[cluster_of_[t]];
  const ContainerInstanceIndex i = instance_[t];
  std::optional<TaskGroupIndex> group;
  if (job_of_[t] != kUnset) group = jobs_[job_of_[t]].group;
  else group = services_[service_of_[t]].group;
  if (group) c.instances.release(i, cpu_[t], memory_[t], *group, host_ports_of(t));
  else c.instances.release(i, cpu_[t], memory_[t], host_ports_of(t));
  if (holds_eni(t)) c.instances.release_eni(i);
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
void Runtime::count_busy(TaskIndex t, bool placed) {
  ClusterRuntime& c = clusters_[cluster_of_[t]];
  if (service_of_[t].valid() &&
      services_[service_of_[t]].config->scheduling_strategy == SchedulingStrategy::kDaemon)
    return;
  const ContainerInstanceIndex i = instance_[t];
  const std::uint32_t was = c.busy[i];
  c.busy[i] = placed ? was + 1 : was - 1;
  const auto& provider = c.config->capacity_provider;
  if (provider && provider->managed_termination_protection && (was == 0) != (c.busy[i] == 0))
    platform_.set_scale_in_protected(c.instances.ec2(i), c.busy[i] != 0);
}

// Room appeared on cluster `c` (a release, a new or reconnected instance): waiting job tasks
// are placed first, then the services that could not place everything try again.
void Runtime::capacity_freed(ClusterId c, std::optional<ContainerInstanceIndex> on) {
  place_waiting(c);
  ClusterRuntime& cluster = clusters_[c];
  if (cluster.wanting.empty()) return;
  // In service order, as the cluster lists them; those that stopped wanting leave the list.
  std::erase_if(cluster.wanting, [&](ServiceId s) {
    if (services_[s].wants_capacity) return false;
    services_[s].in_wanting = false;
    return true;
  });
  if (!cluster.wanting_sorted) {
    std::sort(cluster.wanting.begin(), cluster.wanting.end());
    cluster.wanting_sorted = true;
  }
  // A task stopped on instance `on`: nothing else gained room since each waiting service last
  // tried (any other gain woke it), so only those whose task now fits there can place one
  // (a DAEMON service waits for room on particular instances: it always tries).
  const bool usable = on && cluster.instances.active(*on) && cluster.instances.connected(*on);
  for (const ServiceId s : cluster.wanting) {
    const ServiceRuntime& service = services_[s];
    if (on && service.config->scheduling_strategy == SchedulingStrategy::kReplica) {
      const TaskSize size = service.deployments.back().task_definition->held_size(false);
      if (!usable || cluster.instances.cpu_free(*on) < size.cpu_units ||
          cluster.instances.memory_free(*on) < size.memory_mib)
        continue;
    }
    mark_dirty(s);
  }
}

void Runtime::set_wants_capacity(ServiceId s, bool wants) {
  ServiceRuntime& service = services_[s];
  service.wants_capacity = wants;
  if (!wants || service.in_wanting) return;
  service.in_wanting = true;
  ClusterRuntime& cluster = clusters_[service.cluster];
  if (!cluster.wanting.empty() && cluster.wanting.back() > s) cluster.wanting_sorted = false;
  cluster.wanting.push_back(s);
}

void Runtime::zones_changed() {
  for (std::size_t z = 0; z < az_state_.size(); ++z) {
    const AzId az{static_cast<AzId::rep_type>(z)};
    const platform::AzState was = az_state_[z];
    // Update first: evictions free capacity, and nothing may launch into the failed zone.
    az_state_[z] = platform_.az_state(az);
    if (az_state_[z] == platform::AzState::kDown && was != platform::AzState::kDown)
      evict_fargate_in(az);
    if (az_state_[z] != platform::AzState::kDown && was == platform::AzState::kDown)
      for (const ServiceId s : services_.ids()) mark_dirty(s);
  }
}

void Runtime::on_instance_change(const platform::InstanceChange& change) {
  const GroupId g = platform_.group(change.instance);
  if (!g.valid() || !cluster_of_group_[g.value()].valid()) return;
  const ClusterId c = cluster_of_group_[g.value()];
  ClusterRuntime& cluster = clusters_[c];
  const std::optional<ContainerInstanceIndex> i = cluster.instances.find(change.instance);
  switch (change.kind) {
    case platform::ChangeKind::kRunning: register_instance(c, change.instance); break;
    case platform::ChangeKind::kUnreachable:
      if (i && cluster.instances.registered(*i)) {
        cluster.instances.set_connected(*i, false);
        cluster.disconnected_since[*i] = sim_.now();
        sim_.schedule_in(cluster.config->lost_after, kAgentLost, c.value(), *i);
        cut_off(c, *i, true);
      }
      break;
    case platform::ChangeKind::kReachable:
      if (i && cluster.instances.registered(*i)) {
        cluster.instances.set_connected(*i, true);
        cluster.disconnected_since[*i] = kNever;
        cut_off(c, *i, false);
        capacity_freed(c);
        mark_unsteady(c);
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
        mark_unsteady(c);
      }
      break;
  }
}

void Runtime::register_instance(ClusterId c, InstanceId id) {
  ClusterRuntime& cluster = clusters_[c];
  const platform::InstanceType& type = platform::InstanceCatalog::builtin().at(platform_.type(id));
  const std::int64_t cpu = registered_cpu_units(type.vcpu);
  const std::int64_t mem = registered_memory_mib(type.memory_mib);
  const ContainerInstanceIndex ci =
      cluster.instances.register_instance(id, platform_.az(id), cpu, mem);
  // Each awsvpc task attaches an interface of its own; the primary one is the instance's (ENI
  // trunking, which raises the limit, is not simulated).
  cluster.instances.set_task_enis(ci, type.max_enis > 0 ? type.max_enis - 1 : 0);
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
    sim_.schedule_in(cluster.config->lost_after, kAgentLost, c.value(), ci);
  }
  // DAEMON tasks are placed first: their resources are reserved ahead of anything waiting.
  for (const ServiceId s : cluster.services)
    if (services_[s].config->scheduling_strategy == SchedulingStrategy::kDaemon) reconcile(s);
  capacity_freed(c);
  mark_unsteady(c);
}

// Evaluates the memberOf expressions of the cluster's jobs and services for a newly registered
// instance: the attributes they can test do not change while it lives.
void Runtime::register_member_of(ClusterId c, InstanceId id, const platform::InstanceType& type) {
  RegisteredAttributes attributes;
  bool described = false;
  auto evaluate = [&](std::span<const Query> queries) -> std::uint8_t {
    if (!described) {
      describe(attributes, platform_config_.azs[platform_.az(id).value()], type, id,
               custom_attributes(id));
      described = true;
    }
    bool all = true;
    for (const Query& q : queries) all = all && q.matches(attributes.view);
    return all ? 1 : 0;
  };
  for (JobRuntime& job : jobs_)
    if (job.cluster == c && !job.config->member_of.empty())
      job.member_of.push_back(evaluate(job.config->member_of));
  for (const ServiceId s : clusters_[c].services)
    if (!services_[s].config->member_of.empty())
      services_[s].member_of.push_back(evaluate(services_[s].config->member_of));
}

// The custom attributes instance `id` registers with: those of its group.
std::span<const CustomAttribute> Runtime::custom_attributes(InstanceId id) const {
  return attributes_of_group_[platform_.group(id).value()];
}

void Runtime::adjust_registered(std::int64_t cpu, std::int64_t mem) {
  registered_cpu_ += cpu;
  registered_memory_ += mem;
  cpu_registered_.set(sim_.now(), static_cast<double>(registered_cpu_));
  memory_registered_.set(sim_.now(), static_cast<double>(registered_memory_));
}

// --- Fargate ----------------------------------------------------------------------------------

// The zone for Fargate task `t`: among zones that are up and have room, the one with the fewest
// tasks of its service (so a service spreads over zones as its subnets allow), then the fewest
// Fargate tasks in all, then the first listed.
std::optional<AzId> Runtime::fargate_zone(TaskIndex t) const {
  std::optional<AzId> best;
  const auto cap = platform_config_.fargate.capacity_per_az;
  const ServiceRuntime* service = service_of_[t].valid() ? &services_[service_of_[t]] : nullptr;
  auto key = [&](std::size_t z) {
    const std::int64_t mine = service ? service->meter.running_by_az[z] : 0;
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
void Runtime::launch_fargate() {
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
    // Fargate's ARM price for a task definition whose runtimePlatform says ARM64.
    const bool arm = task_definition_of(t).cpu_architecture() == CpuArchitecture::kArm64;
    const platform::Arch arch = arm ? platform::Arch::kArm64 : platform::Arch::kAmd64;
    cost_item_[t] = cost_.start_fargate(sim_.now(), static_cast<std::uint32_t>(cpu_[t]),
                                        static_cast<std::uint32_t>(memory_[t]), arch, spot);
    state_[t] = TaskState::kPending;
    --provisioning_;
    ++pending_;
    completion_[t] = sim_.schedule_in(
        platform::sample(platform_config_.fargate.launch_latency, fargate_rng_), kTaskStarted,
        t.value());
  }
}

// Task `t` has pulled its image and started its containers: it runs, or (a service revision
// that fails to start) stops at once.
void Runtime::on_task_started(TaskIndex t) {
  if (service_of_[t].valid() && services_[service_of_[t]].deployments[svc_[t].deployment].fails_to_start) {
    finish(t, Outcome::kFailed);
    return;
  }
  start_running(t);
  const double rate = platform_config_.fargate.spot_interruptions_per_hour;
  if (launch_[t] == LaunchType::kFargateSpot && rate > 0) {
    const SimDuration until = from_seconds(fargate_rng_.exponential(3600.0 / rate));
    if (until < duration_[t]) {
      ++refs_[t];
      sim_.schedule_in(until, kFargateSpotNotice, t.value());
    }
  }
}

// A scan of every task slot: zone outages are rare, and Fargate tasks keep no per-zone list.
// The tasks go in the order they were created.
void Runtime::evict_fargate_in(AzId z) {
  std::vector<TaskIndex> doomed;
  for (const TaskIndex t : state_.ids()) {
    if (state_[t] == TaskState::kStopped || state_[t] == TaskState::kProvisioning) continue;
    if (az_[t] == z && launch_[t] != LaunchType::kEc2) doomed.push_back(t);
  }
  std::sort(doomed.begin(), doomed.end(),
            [&](TaskIndex a, TaskIndex b) { return sequence_[a] < sequence_[b]; });
  for (const TaskIndex t : doomed) finish(t, Outcome::kEvicted);
}

// --- task life --------------------------------------------------------------------------------

void Runtime::start_running(TaskIndex t) {
  --pending_;
  state_[t] = TaskState::kRunning;
  ++running_;
  ++counts_of(t).started;
  const double waited = to_seconds(sim_.now() - created_[t]);
  all_wait_.add(waited);
  if (job_of_[t] != kUnset) jobs_[job_of_[t]].wait.add(waited);
  else services_[service_of_[t]].meter.wait.add(waited);
  completion_[t] = duration_[t] == kUntilStopped
                       ? EventHandle{}
                       : sim_.schedule_in(duration_[t], kTaskComplete, t.value());
  if (service_of_[t].valid()) on_service_task_running(t);
}

void Runtime::finish(TaskIndex t, Outcome outcome) {
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
  count_outcome(counts_of(t), outcome);
  if (service_of_[t].valid()) {
    if (outcome == Outcome::kFailed) on_service_task_failed(t);
    on_service_task_gone(t, was == TaskState::kRunning);
  }
  if (was != TaskState::kProvisioning) {
    if (ec2) capacity_freed(cluster_of_[t], instance_[t]);
    else if (!fargate_queue_.empty()) launch_fargate();
  }
  if (refs_[t] == 0) free_tasks_.push_back(t);
}

TaskCounts& Runtime::counts_of(TaskIndex t) {
  return job_of_[t] != kUnset ? jobs_[job_of_[t]].result.tasks
                             : services_[service_of_[t]].result.tasks;
}

void Runtime::reserve_in_az(AzId z, std::int64_t cpu, std::int64_t mem, bool ec2) {
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

void Runtime::append_running_by_az(std::vector<std::uint32_t>& row) const {
  for (const ServiceRuntime& s : services_)
    for (const std::int64_t n : s.meter.running_by_az) row.push_back(static_cast<std::uint32_t>(n));
}

void Runtime::add_totals(TaskCounts& all) const {
  for (const JobRuntime& j : jobs_) all.add_outcomes(j.result.tasks);
  for (const ServiceRuntime& s : services_) all.add_outcomes(s.result.tasks);
  all.running_at_end += running_;
  all.pending_at_end += provisioning_ + pending_;
}

void Runtime::check_invariants() const {
  audit_task_states(state_.raw(), provisioning_, pending_, running_);
  for (const ClusterRuntime& c : clusters_)
    audit_instances(c.config->name, c.instances, c.tasks_on, cpu_, memory_);
}

std::uint64_t Runtime::audit_size() const noexcept {
  std::uint64_t size = state_.size();
  for (const ClusterRuntime& c : clusters_) size += c.instances.size();
  return size;
}

Results Runtime::results(SimTime end) {
  Results r;
  const double cpu_registered = cpu_registered_.integral(end);
  const double mem_registered = memory_registered_.integral(end);
  r.cpu_reserved_mean = cpu_registered > 0 ? cpu_reserved_.integral(end) / cpu_registered : 0;
  r.memory_reserved_mean =
      mem_registered > 0 ? memory_reserved_.integral(end) / mem_registered : 0;
  for (JobRuntime& job : jobs_) {
    job.result.tasks.running_at_end = 0;
    job.result.tasks.pending_at_end = 0;
    job.result.wait = wait_of(job.wait);
    r.jobs.push_back(job.result);
  }
  for (ServiceRuntime& s : services_) r.services.push_back(service_result(s, end));
  for (const TaskIndex t : state_.ids()) {
    if (state_[t] == TaskState::kStopped) continue;
    TaskCounts& counts = job_of_[t] != kUnset ? r.jobs[job_of_[t]].tasks
                                              : r.services[service_of_[t].value()].tasks;
    if (state_[t] == TaskState::kRunning) ++counts.running_at_end;
    else ++counts.pending_at_end;
  }
  for (DrainRuntime& d : drains_) {
    const ClusterRuntime& c = clusters_[d.cluster];
    d.result.service_tasks_left = 0;
    for (const ContainerInstanceIndex i : d.instances)
      for (const TaskIndex t : c.tasks_on[i]) d.result.service_tasks_left += service_of_[t].valid();
    r.drains.push_back(d.result);
  }
  return r;
}

}  // namespace ecsim::ecs

