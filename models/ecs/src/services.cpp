// ECS services in the event loop: the service scheduler (REPLICA and DAEMON), rolling
// deployments with the circuit breaker and the launch back-off, AZ rebalancing, DRAINING
// container instances, lost agents and managed scaling of the cluster's capacity provider. The
// arithmetic comes from models/ecs (deployment.hpp, capacity_provider.hpp, managed_scaling.hpp);
// the choices ecsim makes where AWS is silent are in models/ecs/README.md.

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "ecsim/ecs/capacity_provider.hpp"
#include "ecsim/ecs/deployment.hpp"
#include "ecsim/sim/assert.hpp"
#include "ecsim/ecs/runtime.hpp"

namespace ecsim::ecs {
namespace {


/// ECS's default placement of a REPLICA service: spread over zones, then over instances.
const std::array<StrategyConfig, 2> kDefaultReplicaStrategies{
    StrategyConfig{StrategyType::kSpread, StrategyField::kAvailabilityZone,
                             ModelledAttribute::kAvailabilityZone, {}},
    StrategyConfig{StrategyType::kSpread, StrategyField::kInstanceId,
                             ModelledAttribute::kAvailabilityZone, {}}};

/// Managed scaling evaluates the CapacityProviderReservation metric once a minute.
constexpr SimDuration kScalingPeriod = std::chrono::minutes(1);

}  // namespace

// --- creation and bookkeeping -----------------------------------------------------------------

void Runtime::create_services() {
  const std::size_t zones = platform_config_.azs.size();
  for (const ClusterId c : clusters_.ids()) {
    ClusterRuntime& cluster = clusters_[c];
    const EcsClusterConfig& cc = *cluster.config;
    for (const ServiceConfig& sc : cc.services) {
      const ServiceId index = services_.next_id();
      ServiceRuntime& s = services_.emplace_back();
      s.config = &sc;
      s.cluster = c;
      s.group = cluster.instances.add_task_group();
      s.meter.desired = sc.scheduling_strategy == SchedulingStrategy::kReplica ? sc.desired_count : 0;
      s.provider_tasks.assign(sc.capacity_provider_strategy.size(), 0);
      s.meter.running_by_az.assign(zones, 0);
      s.result.cluster = cc.name;
      s.result.name = sc.name;
      // A load's tasks can use the CPU the task definition reserves (CloudWatch's
      // CPUUtilization of a service is its tasks' use over that reservation), in one-minute
      // periods (ECS's service metrics).
      if (sc.load)
        s.load.emplace(&*sc.load,
                       static_cast<double>(sc.task_definition.reserved_cpu_units()) / 1024.0,
                       static_cast<double>(sc.task_definition.reserved_memory_mib()),
                       std::chrono::minutes(1));
      start_deployment(s, &sc.task_definition, sc.fails_to_start, "create");
      for (std::size_t u = 0; u < sc.updates.size(); ++u)
        sim_.schedule_at(sc.updates[u].at, kServiceUpdate, index.value(), u);
      cluster.services.push_back(index);
      mark_dirty(index);
    }
    for (std::size_t d = 0; d < cc.drains.size(); ++d)
      sim_.schedule_at(cc.drains[d].at, kDrain, c.value(), d);
    if (cc.capacity_provider && cc.capacity_provider->managed_scaling)
      sim_.schedule_in(kScalingPeriod, kScalingTick, c.value());
  }
}

// A REPLICA service whose reconcile would do nothing whatever its cluster's instances do: its
// primary deployment COMPLETED (so every task is of it), desiredCount tasks all serving, none
// wanting room, no zone rebalancing, and no DRAINING instance in the cluster (whose tasks would
// count as old). A new, lost or returning instance changes nothing for it.
bool Runtime::steady(const ServiceRuntime& s) const {
  const auto desired = s.meter.desired;
  return s.config->scheduling_strategy == SchedulingStrategy::kReplica && !s.failed &&
         s.deployments.back().result.state == RolloutState::kCompleted && !s.wants_capacity &&
         !s.config->az_rebalancing && s.meter.running == desired &&
         static_cast<std::int64_t>(s.tasks.size()) == desired &&
         clusters_[s.cluster].draining.empty();
}

void Runtime::mark_unsteady(ClusterId c) {
  for (const ServiceId s : clusters_[c].services)
    if (!steady(services_[s])) mark_dirty(s);
}

void Runtime::mark_dirty(ServiceId s) {
  if (services_[s].dirty) return;
  services_[s].dirty = true;
  dirty_.push_back(s);
}

// Reconciles every service something happened to, until none is left: a reconcile may stop
// tasks, which concerns their service again, and a finished drain stops its DAEMON tasks.
void Runtime::flush_services() {
  if (flushing_) return;
  flushing_ = true;
  std::size_t rounds = 0;
  while (!dirty_.empty()) {
    for (std::size_t k = 0; k < dirty_.size(); ++k) {
      const ServiceId s = dirty_[k];
      services_[s].dirty = false;
      reconcile(s);
      ECSIM_ASSERT(++rounds < 100'000'000, "service reconciles converge");
    }
    dirty_.clear();
    check_drains();
  }
  flushing_ = false;
}

void Runtime::reconcile(ServiceId s) {
  ServiceRuntime& service = services_[s];
  if (service.config->scheduling_strategy == SchedulingStrategy::kDaemon)
    reconcile_daemon(service, s);
  else
    reconcile_replica(service, s);
}

PlacementRules Runtime::rules_of(const ServiceRuntime& s) const {
  PlacementRules rules;
  rules.group = s.group;
  rules.strategies = s.config->placement_strategy;
  if (rules.strategies.empty() && s.config->scheduling_strategy == SchedulingStrategy::kReplica)
    rules.strategies = kDefaultReplicaStrategies;
  rules.distinct_instance = s.config->distinct_instance;
  if (!s.config->member_of.empty()) rules.member_of = s.member_of;
  return rules;
}

void Runtime::start_deployment(ServiceRuntime& s, const TaskDefinition* td, bool fails,
                             std::string trigger) {
  if (!s.deployments.empty()) {
    DeploymentResult& previous = s.deployments.back().result;
    if (previous.state == RolloutState::kInProgress) {
      previous.state = RolloutState::kStopped;
      previous.finished = sim_.now();
      previous.stuck_since.reset();
    }
  }
  // Tasks already running this revision (a rollback's) belong to the new deployment: rolling
  // back does not replace the tasks that never left.
  const auto index = static_cast<std::uint32_t>(s.deployments.size());
  for (const TaskIndex t : s.tasks)
    if (s.deployments[svc_[t].deployment].task_definition == td) svc_[t].deployment = index;
  DeploymentRuntime& d = s.deployments.emplace_back();
  d.task_definition = td;
  d.fails_to_start = fails;
  d.result.trigger = std::move(trigger);
  d.result.started = sim_.now();
  d.result.state = RolloutState::kInProgress;
  // A new task definition resets the launch back-off (documented) and the breaker's stop.
  s.consecutive_failures = 0;
  s.throttled_until = sim_.now();
  s.failed = false;
}

void Runtime::on_service_update(ServiceId index, std::size_t update) {
  ServiceRuntime& s = services_[index];
  const ServiceUpdate& u = s.config->updates[update];
  if (u.desired_count && s.config->scheduling_strategy == SchedulingStrategy::kReplica) {
    s.meter.desired = *u.desired_count;
    observe(s);
  }
  if (u.task_definition)
    start_deployment(s, &*u.task_definition, u.fails_to_start,
                     fmt::format("update at {}", format_duration(u.at - kSimStart)));
  mark_dirty(index);
}

ServiceId Runtime::service_id(std::size_t cluster, std::size_t service) const {
  const ClusterId c{static_cast<ClusterId::rep_type>(cluster)};
  ECSIM_ASSERT(cluster < clusters_.size() && service < clusters_[c].services.size(),
               "a service of the scenario");
  return clusters_[c].services[service];
}

workload::LoadMeter* Runtime::load(ServiceId s) {
  ServiceRuntime& svc = services_[s];
  if (!svc.load) return nullptr;
  svc.load->advance(sim_.now());
  return &*svc.load;
}

void Runtime::deploy_daemon(ServiceId index, const TaskDefinition* td, bool fails_to_start,
                            std::string trigger, std::int64_t batch) {
  ServiceRuntime& s = services_[index];
  ECSIM_ASSERT(s.config->scheduling_strategy == SchedulingStrategy::kDaemon && batch >= 0,
               "a paced deployment is of a DAEMON service");
  start_deployment(s, td, fails_to_start, std::move(trigger));
  s.deployments.back().batch = batch;
  mark_dirty(index);
}

void Runtime::set_deployment_batch(ServiceId index, std::int64_t batch) {
  ServiceRuntime& s = services_[index];
  ECSIM_ASSERT(s.deployments.back().batch.has_value() && batch >= 0,
               "only a paced deployment changes its pace");
  s.deployments.back().batch = batch;
  mark_dirty(index);
}

DaemonProgress Runtime::daemon_progress(ServiceId index) const {
  const ServiceRuntime& s = services_[index];
  const ClusterRuntime& c = clusters_[s.cluster];
  const auto primary = static_cast<std::uint32_t>(s.deployments.size() - 1);
  DaemonProgress p;
  for (ContainerInstanceIndex i = 0; i < c.instances.size(); ++i)
    p.desired += daemon_eligible(s, i);
  for (const TaskIndex t : s.tasks) {
    if (!daemon_eligible(s, instance_[t])) continue;
    if (state_[t] != TaskState::kRunning) ++p.new_pending;
    else if (svc_[t].deployment != primary) ++p.old_running;
    else if (healthy(t)) ++p.new_healthy;
    else ++p.new_pending;
  }
  return p;
}

bool Runtime::daemon_eligible(const ServiceRuntime& s, ContainerInstanceIndex i) const {
  return clusters_[s.cluster].instances.active(i) && (s.member_of.empty() || s.member_of[i] != 0);
}

void Runtime::set_desired_count(ServiceId index, std::int64_t desired) {
  ServiceRuntime& s = services_[index];
  ECSIM_ASSERT(s.config->scheduling_strategy == SchedulingStrategy::kReplica && desired >= 0,
               "a REPLICA service's desired count is set");
  s.meter.desired = desired;
  observe(s);
  mark_dirty(index);
}

// --- task events ------------------------------------------------------------------------------

// A service's running count is what can serve: RUNNING tasks whose instance is reachable. A
// task cut off by a zone outage stops counting at once, though ECS sees it RUNNING until its
// agent is declared lost.
void Runtime::count_serving(TaskIndex t, std::int64_t delta) {
  ServiceRuntime& s = services_[service_of_[t]];
  s.meter.running += delta;
  s.meter.running_by_az[az_[t].value()] += delta;
  observe(s);
  if (!s.load) return;
  if (delta > 0) {
    svc_[t].serving_since = sim_.now();
    s.load->start_serving(sim_.now());
  } else {
    s.load->stop_serving(sim_.now(), svc_[t].serving_since);
  }
}

void Runtime::cut_off(ClusterId c, ContainerInstanceIndex i, bool off) {
  for (const TaskIndex t : clusters_[c].tasks_on[i]) {
    if (!service_of_[t].valid() || state_[t] != TaskState::kRunning || (svc_[t].cut_off != 0) == off)
      continue;
    svc_[t].cut_off = off ? 1 : 0;
    count_serving(t, off ? -1 : 1);
  }
}

void Runtime::on_service_task_running(TaskIndex t) {
  ServiceRuntime& s = services_[service_of_[t]];
  if (launch_[t] == LaunchType::kEc2 && !clusters_[s.cluster].instances.connected(instance_[t]))
    svc_[t].cut_off = 1;
  else
    count_serving(t, 1);
  // resetOnHealthyTask (the default): a healthy task clears the breaker's count; ecsim also
  // ends the launch back-off then.
  s.deployments[svc_[t].deployment].failures = 0;
  s.consecutive_failures = 0;
  // It counts towards minimumHealthyPercent once healthy: 40 s after RUNNING without a health
  // check, after its checks' interval with one (TaskDefinition::seconds_to_healthy).
  ++refs_[t];
  sim_.schedule_in(std::chrono::seconds{task_definition_of(t).seconds_to_healthy()} +
                       s.config->target_healthy_delay,
                   kTaskHealthy, t.value());
  mark_dirty(service_of_[t]);
}

void Runtime::on_service_task_failed(TaskIndex t) {
  ServiceRuntime& s = services_[service_of_[t]];
  const std::uint32_t primary = static_cast<std::uint32_t>(s.deployments.size() - 1);
  DeploymentRuntime& d = s.deployments[svc_[t].deployment];
  ++d.result.failed_tasks;
  ++d.failures;
  ++s.consecutive_failures;
  s.throttled_until = sim_.now() + launch_throttle_delay(
                                       s.consecutive_failures,
                                       clusters_[s.cluster].config->launch_throttle);
  if (svc_[t].deployment != primary || d.result.state != RolloutState::kInProgress || !s.config->circuit_breaker)
    return;
  if (!circuit_breaker_tripped(d.failures, s.meter.desired, s.config->circuit_breaker_threshold))
    return;
  d.result.state = RolloutState::kFailed;
  d.result.finished = sim_.now();
  d.result.stuck_since.reset();
  // Rollback goes back to the last deployment that completed; without one the service stops
  // launching tasks.
  std::optional<std::size_t> last_good;
  for (std::size_t k = 0; k < primary; ++k)
    if (s.deployments[k].result.state == RolloutState::kCompleted) last_good = k;
  if (s.config->rollback && last_good) {
    d.result.rolled_back = true;
    const DeploymentRuntime good = s.deployments[*last_good];
    start_deployment(s, good.task_definition, good.fails_to_start, "rollback");
  } else {
    s.failed = true;
  }
}

void Runtime::on_service_task_gone(TaskIndex t, bool was_running) {
  ServiceRuntime& s = services_[service_of_[t]];
  const TaskIndex moved = s.tasks.back();
  s.tasks[svc_[t].slot] = moved;
  svc_[moved].slot = svc_[t].slot;
  s.tasks.pop_back();
  if (svc_[t].provider != kUnset) --s.provider_tasks[svc_[t].provider];
  if (was_running && svc_[t].cut_off == 0) count_serving(t, -1);
  mark_dirty(service_of_[t]);
}

// Records a change of running or desired (ReplicaMeter: the time-weighted mean, availability,
// the fewest running once started).
void Runtime::observe(ServiceRuntime& s) { s.meter.observe(sim_.now()); }

ServiceResult Runtime::service_result(ServiceRuntime& s, SimTime end) {
  ServiceResult r = s.result;
  r.replicas = s.meter.summary(end);
  if (s.load) r.load = s.load->summary(end);
  for (const DeploymentRuntime& d : s.deployments) r.deployments.push_back(d.result);
  return r;
}

// --- starting and stopping tasks ----------------------------------------------------------------

// Starts one task of service `index`'s primary deployment, on instance `on` (DAEMON) or where
// its placement puts it; false when no container instance can take it.
bool Runtime::start_service_task(ServiceId index, std::optional<ContainerInstanceIndex> on) {
  ServiceRuntime& s = services_[index];
  const DeploymentRuntime& d = s.deployments.back();
  const CapacityProviderStrategy& strategy = s.config->capacity_provider_strategy;
  std::uint32_t provider = kUnset;
  LaunchType launch = s.config->launch_type;
  if (!strategy.empty()) {
    provider = static_cast<std::uint32_t>(next_provider(strategy, s.provider_tasks));
    const std::string& name = strategy[provider].capacity_provider;
    launch = name == "FARGATE"        ? LaunchType::kFargate
             : name == "FARGATE_SPOT" ? LaunchType::kFargateSpot
                                      : LaunchType::kEc2;
  }
  const TaskSize size = d.task_definition->held_size(launch != LaunchType::kEc2);
  const std::int64_t cpu = size.cpu_units, memory = size.memory_mib;
  if (launch == LaunchType::kEc2 && !on) {
    on = choose_instance(s.cluster, rules_of(s), cpu, memory, *d.task_definition).instance;
    if (!on) return false;
  }
  const TaskIndex t = create_task(kUntilStopped, cpu, memory, s.cluster, launch);
  service_of_[t] = index;
  svc_[t].deployment = static_cast<std::uint32_t>(s.deployments.size() - 1);
  svc_[t].provider = provider;
  if (provider != kUnset) ++s.provider_tasks[provider];
  svc_[t].slot = static_cast<std::uint32_t>(s.tasks.size());
  s.tasks.push_back(t);
  ++s.result.tasks.submitted;
  if (launch == LaunchType::kEc2) {
    assign_to_instance(t, *on);
  } else {
    fargate_queue_.push_back(t);
    launch_fargate();
  }
  return true;
}

// The scheduler stops a task (scale-in, a deployment, a drain): it ends as completed.
void Runtime::stop_service_task(TaskIndex t) { finish(t, Outcome::kCompleted); }

// Stops one task of `s` when it scales in: one not yet RUNNING if any (the newest), else on EC2
// the instance the placement strategies' scale-in counterparts choose (by default: the zone with
// the most of its tasks, then the instance with the most), on Fargate the newest task of the
// zone with the most.
void Runtime::scale_in_one(ServiceRuntime& s, std::span<const TaskIndex> among) {
  TaskIndex pick = kNoTask;
  for (const TaskIndex t : among)
    if (state_[t] != TaskState::kRunning && newer(t, pick)) pick = t;
  if (pick == kNoTask && !among.empty() && launch_[among.front()] == LaunchType::kEc2) {
    ClusterRuntime& c = clusters_[s.cluster];
    const PlacementRules rules = rules_of(s);
    std::array<PlacementStrategy, 5> strategies;
    StopRequest request;
    request.group = s.group;
    request.cpu_units = cpu_[among.front()];
    request.memory_mib = memory_[among.front()];
    request.strategies = resolve_strategies(c, rules.strategies, strategies);
    if (const auto i = placer_.choose_stop(c.instances, request)) {
      for (const TaskIndex t : c.tasks_on[*i])
        if (service_of_[t] == service_of_[among.front()] && newer(t, pick)) pick = t;
    }
  }
  if (pick == kNoTask) {
    std::optional<std::size_t> fullest;
    for (std::size_t z = 0; z < s.meter.running_by_az.size(); ++z)
      if (!fullest || s.meter.running_by_az[z] > s.meter.running_by_az[*fullest]) fullest = z;
    for (const TaskIndex t : among)
      if (az_[t].value() == fullest && newer(t, pick)) pick = t;
  }
  ECSIM_ASSERT(pick != kNoTask, "a service scaling in has a task to stop");
  stop_service_task(pick);
}

// How many of the `start_new` tasks a rolling-update step allows service `index` may launch
// now: none once the circuit breaker stopped it, none during its launch back-off (a retry is
// then scheduled for the back-off's end).
std::int64_t Runtime::launches_allowed(ServiceRuntime& s, ServiceId index,
                                     std::int64_t start_new) {
  if (s.failed || start_new <= 0) return 0;
  if (sim_.now() >= s.throttled_until) return start_new;
  if (!s.retry_scheduled) {
    sim_.schedule_at(s.throttled_until, kServiceRetry, index.value());
    s.retry_scheduled = true;
  }
  return 0;
}

// --- REPLICA ----------------------------------------------------------------------------------

// One pass of the service scheduler over a REPLICA service: tasks not yet RUNNING that belong to
// an earlier revision or sit on a DRAINING instance stop at once; then the rolling-update
// arithmetic decides how many old RUNNING tasks (earlier revisions, DRAINING instances) stop and
// how many new ones start; a service with more tasks than desired and nothing old scales in.
void Runtime::reconcile_replica(ServiceRuntime& s, ServiceId index) {
  const ClusterRuntime& c = clusters_[s.cluster];
  const auto primary = static_cast<std::uint32_t>(s.deployments.size() - 1);
  auto is_old = [&](TaskIndex t) {
    return svc_[t].deployment != primary ||
           (launch_[t] == LaunchType::kEc2 && state_[t] != TaskState::kProvisioning &&
            c.instances.draining(instance_[t]));
  };
  std::vector<TaskIndex>& stop = scratch_tasks_;
  stop.clear();
  for (const TaskIndex t : s.tasks)
    if (state_[t] != TaskState::kRunning && is_old(t)) stop.push_back(t);
  for (const TaskIndex t : stop) stop_service_task(t);

  DeploymentCounts counts;
  counts.desired = s.meter.desired;
  for (const TaskIndex t : s.tasks) {
    if (state_[t] != TaskState::kRunning) ++counts.new_pending;
    else if (is_old(t)) ++counts.old_running;
    else if (healthy(t)) ++counts.new_healthy;
    else ++counts.new_pending;
  }
  const DeploymentStep step = deployment_step(counts, s.config->deployment);
  if (step.stop_old > 0) {
    stop.clear();
    for (const TaskIndex t : s.tasks)
      if (state_[t] == TaskState::kRunning && is_old(t)) stop.push_back(t);
    // Earlier revisions go first, then tasks on DRAINING instances; the oldest first within.
    std::sort(stop.begin(), stop.end(), [&](TaskIndex a, TaskIndex b) {
      const bool a_new = svc_[a].deployment == primary, b_new = svc_[b].deployment == primary;
      return a_new != b_new ? b_new : sequence_[a] < sequence_[b];
    });
    stop.resize(static_cast<std::size_t>(step.stop_old));
    for (const TaskIndex t : stop) stop_service_task(t);
  }
  if (counts.old_running == 0) {
    for (std::int64_t excess = counts.new_healthy + counts.new_pending - s.meter.desired; excess > 0;
         --excess) {
      stop.assign(s.tasks.begin(), s.tasks.end());
      scale_in_one(s, stop);
    }
  }

  const std::int64_t want = launches_allowed(s, index, step.start_new);
  s.unplaced = 0;
  set_wants_capacity(index, false);
  for (std::int64_t k = 0; k < want; ++k) {
    if (!start_service_task(index, std::nullopt)) {
      s.unplaced = want - k;
      set_wants_capacity(index, true);
      break;
    }
  }
  if (want == 0 && counts.old_running == 0 && counts.new_pending == 0 && !s.failed)
    rebalance_zones(s, index);
  update_deployment_states(s, step.stuck && s.unplaced == 0);
}

// AZ rebalancing: a steady service whose zones differ by two or more tasks starts one more task
// where it would even them out (if the upper limit allows), and the scale-in that follows once
// it runs stops one in the zone with the most. Only for services whose first strategy spreads
// over zones (the default), so that the scale-in takes from the fullest zone.
void Runtime::rebalance_zones(ServiceRuntime& s, ServiceId index) {
  if (!s.config->az_rebalancing || s.meter.running != s.meter.desired || s.meter.desired == 0) return;
  if (sim_.now() < s.throttled_until) return;
  const PlacementRules rules = rules_of(s);
  if (rules.strategies.empty() ||
      rules.strategies.front().field != StrategyField::kAvailabilityZone)
    return;
  if (rolling_bounds(s.meter.desired, s.config->deployment).upper <= s.meter.desired) return;
  // The zones the service can use now, and its tasks in them.
  const ClusterRuntime& c = clusters_[s.cluster];
  std::vector<std::uint8_t> usable(s.meter.running_by_az.size(), 0);
  if (launch_[s.tasks.front()] == LaunchType::kEc2) {
    for (ContainerInstanceIndex i = 0; i < c.instances.size(); ++i)
      if (c.instances.active(i) && c.instances.connected(i)) usable[c.instances.az(i).value()] = 1;
  } else {
    for (std::size_t z = 0; z < usable.size(); ++z)
      usable[z] = az_state_[z] != platform::AzState::kDown ? 1 : 0;
  }
  std::int64_t most = 0, fewest = std::numeric_limits<std::int64_t>::max();
  for (std::size_t z = 0; z < usable.size(); ++z) {
    most = std::max(most, s.meter.running_by_az[z]);
    if (usable[z] != 0) fewest = std::min(fewest, s.meter.running_by_az[z]);
  }
  if (fewest == std::numeric_limits<std::int64_t>::max() || most - fewest < 2) return;
  if (launch_[s.tasks.front()] != LaunchType::kEc2) {
    start_service_task(index, std::nullopt);
    return;
  }
  const DeploymentRuntime& d = s.deployments.back();
  const auto where =
      choose_instance(s.cluster, rules, d.task_definition->reserved_cpu_units(),
                      d.task_definition->reserved_memory_mib(), *d.task_definition)
          .instance;
  // Only a task that lands in a zone it evens out: otherwise the scale-in would undo it.
  if (where && s.meter.running_by_az[c.instances.az(*where).value()] + 1 < most)
    start_service_task(index, where);
}

// Completes the primary deployment once it runs desiredCount healthy tasks and nothing else is
// left; notes since when an IN_PROGRESS one cannot progress (`stuck`).
void Runtime::update_deployment_states(ServiceRuntime& s, bool stuck) {
  DeploymentResult& primary = s.deployments.back().result;
  if (primary.state != RolloutState::kInProgress) return;
  const ClusterRuntime& c = clusters_[s.cluster];
  const auto p = static_cast<std::uint32_t>(s.deployments.size() - 1);
  std::int64_t healthy = 0;
  bool others = false;
  for (const TaskIndex t : s.tasks) {
    if (svc_[t].deployment != p) others = true;
    else if (this->healthy(t) &&
             !(launch_[t] == LaunchType::kEc2 && c.instances.draining(instance_[t])))
      ++healthy;
  }
  if (!others && healthy >= s.meter.desired && static_cast<std::int64_t>(s.tasks.size()) == healthy) {
    primary.state = RolloutState::kCompleted;
    primary.finished = sim_.now();
    primary.stuck_since.reset();
  } else if (!stuck) {
    primary.stuck_since.reset();
  } else if (!primary.stuck_since) {
    primary.stuck_since = sim_.now();
  }
}

// --- DAEMON -----------------------------------------------------------------------------------

// One pass over a DAEMON service: desired is the number of ACTIVE instances that meet its
// constraints; each of them without a task of the service gets one (if it has room) within the
// rolling-update limits (0/100 by default: old tasks stop, then new ones start). Tasks on
// DRAINING instances stop last, in check_drains.
void Runtime::reconcile_daemon(ServiceRuntime& s, ServiceId index) {
  ClusterRuntime& c = clusters_[s.cluster];
  const auto primary = static_cast<std::uint32_t>(s.deployments.size() - 1);
  auto eligible = [&](ContainerInstanceIndex i) { return daemon_eligible(s, i); };
  std::int64_t desired = 0;
  for (ContainerInstanceIndex i = 0; i < c.instances.size(); ++i) desired += eligible(i);
  if (desired != s.meter.desired) {
    s.meter.desired = desired;
    observe(s);
  }
  std::vector<TaskIndex>& stop = scratch_tasks_;
  stop.clear();
  for (const TaskIndex t : s.tasks)
    if (state_[t] != TaskState::kRunning && svc_[t].deployment != primary) stop.push_back(t);
  for (const TaskIndex t : stop) stop_service_task(t);

  DeploymentCounts counts;
  counts.desired = desired;
  for (const TaskIndex t : s.tasks) {
    if (!eligible(instance_[t])) continue;
    if (state_[t] != TaskState::kRunning) ++counts.new_pending;
    else if (svc_[t].deployment != primary) ++counts.old_running;
    else if (healthy(t)) ++counts.new_healthy;
    else ++counts.new_pending;
  }
  DeploymentStep step = deployment_step(counts, s.config->deployment);
  if (const std::optional<std::int64_t> batch = s.deployments.back().batch) {
    // Paced by batches (Elastic Beanstalk's: a batch leaves service, is deployed and must be
    // healthy before the next): once no new task is on its way, old tasks stop so that at most
    // `batch` eligible instances lack a healthy task.
    step.stop_old = counts.new_pending > 0
                        ? 0
                        : std::clamp<std::int64_t>(
                              counts.old_running + counts.new_healthy - (desired - *batch), 0,
                              counts.old_running);
    step.stuck = step.stuck && step.stop_old == 0;
  }
  if (step.stop_old > 0) {
    stop.clear();
    for (const TaskIndex t : s.tasks)
      if (eligible(instance_[t]) && svc_[t].deployment != primary) stop.push_back(t);
    std::sort(stop.begin(), stop.end());
    stop.resize(static_cast<std::size_t>(step.stop_old));
    for (const TaskIndex t : stop) stop_service_task(t);
  }
  std::int64_t want = launches_allowed(s, index, step.start_new);
  const DeploymentRuntime& d = s.deployments.back();
  const std::int64_t cpu = d.task_definition->reserved_cpu_units();
  const std::int64_t memory = d.task_definition->reserved_memory_mib();
  set_wants_capacity(index, false);
  for (ContainerInstanceIndex i = 0; want > 0 && i < c.instances.size(); ++i) {
    if (!eligible(i) || !c.instances.connected(i) || c.instances.group_tasks(s.group, i) != 0)
      continue;
    if (c.instances.cpu_free(i) < cpu || c.instances.memory_free(i) < memory ||
        !c.instances.ports_free(i, d.task_definition->host_ports()) ||
        (d.task_definition->network_mode() == NetworkMode::kAwsvpc &&
         c.instances.enis_free(i) == 0)) {
      set_wants_capacity(index, true);  // AWS does not stop other tasks to make room for a daemon
      continue;
    }
    start_service_task(index, i);
    --want;
  }
  update_deployment_states(s, step.stuck);
}

// --- draining -----------------------------------------------------------------------------------

void Runtime::on_drain(ClusterId c, std::size_t drain) {
  ClusterRuntime& cluster = clusters_[c];
  const DrainConfig& config = cluster.config->drains[drain];
  std::vector<ContainerInstanceIndex> active;
  for (ContainerInstanceIndex i = 0; i < cluster.instances.size(); ++i)
    if (cluster.instances.active(i)) active.push_back(i);
  DrainRuntime& d = drains_.emplace_back();
  d.cluster = c;
  switch (config.kind) {
    case DrainConfig::Kind::kInstance:
      if (config.instance < active.size()) d.instances.push_back(active[config.instance]);
      break;
    case DrainConfig::Kind::kShare: {
      const auto n = static_cast<std::size_t>(
          std::ceil(config.share * static_cast<double>(active.size()) - 1e-9));
      d.instances.assign(active.begin(), active.begin() + static_cast<std::ptrdiff_t>(
                                                              std::min(n, active.size())));
      break;
    }
    case DrainConfig::Kind::kAz:
      for (const ContainerInstanceIndex i : active)
        if (cluster.instances.az(i) == config.az) d.instances.push_back(i);
      break;
  }
  d.result.cluster = cluster.config->name;
  d.result.at = sim_.now();
  d.result.instances = static_cast<std::uint32_t>(d.instances.size());
  for (const ContainerInstanceIndex i : d.instances) set_draining(c, i);
}

// Sets instance `i` of cluster `c` DRAINING: it takes no new tasks; its services replace their
// tasks on it (PENDING ones stop at once); standalone tasks are left alone.
void Runtime::set_draining(ClusterId c, ContainerInstanceIndex i) {
  ClusterRuntime& cluster = clusters_[c];
  cluster.instances.set_draining(i);
  cluster.draining.push_back(i);
  for (const ServiceId s : cluster.services) mark_dirty(s);
}

// The service tasks on instance `i` of `c`, copied into the scratch list (stopping them changes
// the instance's own list; nothing a stop calls uses the scratch list).
const std::vector<TaskIndex>& Runtime::service_tasks_on(const ClusterRuntime& c,
                                                       ContainerInstanceIndex i) {
  scratch_tasks_.clear();
  for (const TaskIndex t : c.tasks_on[i])
    if (service_of_[t].valid()) scratch_tasks_.push_back(t);
  return scratch_tasks_;
}

// DAEMON tasks leave a DRAINING instance last, once no other service task is on it; a drain is
// done when no service task is left on its instances.
void Runtime::check_drains() {
  for (const ClusterId c : clusters_.ids()) {
    ClusterRuntime& cluster = clusters_[c];
    for (const ContainerInstanceIndex i : cluster.draining) {
      if (!cluster.instances.registered(i)) continue;
      bool replica_left = false, daemon_left = false;
      for (const TaskIndex t : cluster.tasks_on[i]) {
        if (!service_of_[t].valid()) continue;
        const bool daemon = services_[service_of_[t]].config->scheduling_strategy ==
                            SchedulingStrategy::kDaemon;
        (daemon ? daemon_left : replica_left) = true;
      }
      if (replica_left || !daemon_left) continue;
      for (const TaskIndex t : service_tasks_on(cluster, i)) stop_service_task(t);
    }
  }
  for (DrainRuntime& d : drains_) {
    if (d.result.drained) continue;
    const ClusterRuntime& cluster = clusters_[d.cluster];
    bool left = false;
    for (const ContainerInstanceIndex i : d.instances)
      for (const TaskIndex t : cluster.tasks_on[i]) left = left || service_of_[t].valid();
    if (!left) d.result.drained = sim_.now();
  }
}

// The agent of instance `i` has been disconnected for the cluster's `lost_after`: ECS counts
// its service tasks as lost, and their services replace them elsewhere.
void Runtime::on_agent_lost(ClusterId c, ContainerInstanceIndex i) {
  ClusterRuntime& cluster = clusters_[c];
  if (!cluster.instances.registered(i) || cluster.instances.connected(i)) return;
  if (sim_.now() - cluster.disconnected_since[i] < cluster.config->lost_after) return;
  for (const TaskIndex t : service_tasks_on(cluster, i)) finish(t, Outcome::kEvicted);
}

// --- managed scaling ----------------------------------------------------------------------------

// Whether container instance `i` of `c` belongs to its Auto Scaling group (rather than its
// fixed list): only those count for, and are scaled in by, the group's capacity provider.
bool Runtime::in_asg(const ClusterRuntime& c, ContainerInstanceIndex i) const {
  return c.config->asg && platform_.group(c.instances.ec2(i)) == *c.config->asg;
}

// M of the CapacityProviderReservation metric: the group's instances running at least one task
// other than a DAEMON one, plus the instances the tasks waiting for room would need (their CPU
// and memory over one of the group's instances, rounded up, at least one).
// M of CapacityProviderReservation, as AWS's "Deep Dive on Amazon ECS Cluster Auto Scaling"
// describes it: the instances running non-DAEMON tasks, plus, when tasks wait in PROVISIONING,
// a lower bound on the instances they need: the waiting tasks grouped by their size, each group
// binpacked on an empty instance of the group's type (what its DAEMON tasks leave of it), and
// the largest of those counts taken (at least 1).
std::int64_t Runtime::instances_needed(ClusterId c) const {
  const ClusterRuntime& cluster = clusters_[c];
  std::int64_t busy = 0;
  for (ContainerInstanceIndex i = 0; i < cluster.instances.size(); ++i)
    busy += cluster.instances.registered(i) && cluster.busy[i] != 0 && in_asg(cluster, i);
  // Waiting tasks by (cpu units, MiB), in a small sorted vector: a handful of sizes.
  std::vector<std::pair<std::pair<std::int64_t, std::int64_t>, std::int64_t>>& groups =
      scratch_sizes_;
  groups.clear();
  const auto add = [&](std::int64_t cpu, std::int64_t memory, std::int64_t n) {
    if (n <= 0) return;
    const std::pair<std::int64_t, std::int64_t> key{cpu, memory};
    const auto it = std::lower_bound(groups.begin(), groups.end(), key,
                                     [](const auto& g, const auto& k) { return g.first < k; });
    if (it != groups.end() && it->first == key)
      it->second += n;
    else
      groups.insert(it, {key, n});
  };
  for (const JobRuntime& job : jobs_) {
    if (job.cluster != c) continue;
    for (const TaskIndex t : job.waiting) add(cpu_[t], memory_[t], 1);
  }
  std::int64_t daemon_cpu = 0, daemon_memory = 0;
  for (const ServiceId s : cluster.services) {
    const ServiceRuntime& service = services_[s];
    const TaskDefinition& td = *service.deployments.back().task_definition;
    if (service.config->scheduling_strategy == SchedulingStrategy::kDaemon) {
      daemon_cpu += td.reserved_cpu_units();
      daemon_memory += td.reserved_memory_mib();
      continue;
    }
    add(td.reserved_cpu_units(), td.reserved_memory_mib(), service.unplaced);
  }
  if (groups.empty()) return busy;
  const platform::InstanceType& type = platform::InstanceCatalog::builtin().at(
      platform_config_.groups[cluster.config->asg->value()].instance_type);
  const std::int64_t free_cpu = registered_cpu_units(type.vcpu) - daemon_cpu;
  const std::int64_t free_memory = registered_memory_mib(type.memory_mib) - daemon_memory;
  std::int64_t extra = 1;
  for (const auto& [size, n] : groups) {
    const auto& [cpu, memory] = size;
    std::int64_t per = std::numeric_limits<std::int64_t>::max();
    if (cpu > 0) per = std::min(per, std::max<std::int64_t>(0, free_cpu) / cpu);
    if (memory > 0) per = std::min(per, std::max<std::int64_t>(0, free_memory) / memory);
    if (per == 0) continue;  // fits no instance of the type: more of them would not help
    if (per == std::numeric_limits<std::int64_t>::max()) per = n;  // reserves nothing
    extra = std::max(extra, (n + per - 1) / per);
  }
  return busy + extra;
}

// One evaluation of managed scaling: scale out through the group's desired count, scale in by
// terminating instances of the group the cluster chooses (with managed termination protection,
// only those running no task but DAEMON ones), the newest of the zone with the most instances
// first.
void Runtime::on_scaling_tick(ClusterId c) {
  ClusterRuntime& cluster = clusters_[c];
  const AsgCapacityProviderConfig& provider = *cluster.config->capacity_provider;
  const ManagedScaling& scaling = *provider.managed_scaling;
  const GroupId group = *cluster.config->asg;
  std::int64_t warmed = 0;
  for (const InstanceId id : platform_.live_instances(group))
    if (platform_.state(id) == platform::InstanceState::kRunning &&
        warmed_up(platform_.launched_at(id), sim_.now(), scaling))
      ++warmed;
  const std::int64_t desired = platform_.desired(group);
  const ScalingDecision decision = evaluate_managed_scaling(
      scaling, instances_needed(c), warmed, desired, cluster.alarms);
  if (decision.action == ScalingAction::kScaleOut) {
    platform_.scale_out(sim_, group, static_cast<std::uint32_t>(decision.desired));
  } else if (decision.action == ScalingAction::kScaleIn) {
    std::vector<ContainerInstanceIndex> candidates;
    for (ContainerInstanceIndex i = 0; i < cluster.instances.size(); ++i) {
      if (cluster.instances.registered(i) && in_asg(cluster, i) &&
          (cluster.busy[i] == 0 || !provider.managed_termination_protection))
        candidates.push_back(i);
    }
    for (std::int64_t n = desired - decision.desired; n > 0 && !candidates.empty(); --n) {
      std::vector<std::uint32_t> per_zone(az_state_.size(), 0);
      for (const ContainerInstanceIndex i : candidates) ++per_zone[cluster.instances.az(i).value()];
      auto victim = candidates.begin();
      for (auto it = candidates.begin(); it != candidates.end(); ++it) {
        const auto zi = per_zone[cluster.instances.az(*it).value()];
        const auto zv = per_zone[cluster.instances.az(*victim).value()];
        if (zi > zv || (zi == zv && *it > *victim)) victim = it;
      }
      platform_.terminate(sim_, cluster.instances.ec2(*victim), true);
      candidates.erase(victim);
    }
  }
  sim_.schedule_in(kScalingPeriod, kScalingTick, c.value());
}

}  // namespace ecsim::ecs
