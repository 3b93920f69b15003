// Elastic Beanstalk's scaling triggers and deployment policies in the event loop. Sources:
// "Auto Scaling triggers" and the option reference (the alarms, their defaults), EC2 Auto
// Scaling's "Simple scaling policies" (cooldown after an activity) and "default termination
// policy", "Deployment policies and settings" and "Immutable environment updates"
// (the policies' steps); models/beanstalk/README.md cites each and says where ecsim chooses.

#include "ecsim/beanstalk/runtime.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "ecsim/platform/catalog.hpp"
#include "ecsim/sim/assert.hpp"

namespace ecsim::beanstalk {
namespace {

using std::chrono::minutes;

constexpr std::int64_t kAllInstances = std::numeric_limits<std::int32_t>::max();

}  // namespace

Runtime::Runtime(std::span<const EnvironmentConfig> environments,
                 std::span<const ecs::EcsClusterConfig> clusters, Context context)
    : configs_(environments), clusters_(clusters), context_(context) {}

void Runtime::start() {
  environments_.resize(configs_.size());
  for (std::size_t i = 0; i < configs_.size(); ++i) {
    const EnvironmentConfig& c = configs_[i];
    EnvironmentRuntime& e = environments_[i];
    e.config = &c;
    e.service = context_.ecs.service_id(c.cluster, c.service);
    e.current = &clusters_[c.cluster].services[c.service].task_definition;
    e.result.name = c.name;
    e.result.application = c.application;
    e.result.cluster = clusters_[c.cluster].name;
    const auto desired = static_cast<std::int64_t>(context_.platform.desired(c.group));
    e.result.instances_min = e.result.instances_max = desired;
    e.min_size = c.options.min_size;
    e.max_size = c.options.max_size;
    for (std::size_t a = 0; a < c.options.scheduled.size(); ++a)
      if (!c.options.scheduled[a].suspend) schedule_action(i, a, kSimStart - SimDuration{1});
    // Without a load the metrics are flat zeros and CloudWatch's alarms would see the lower
    // threshold breached for ever; ecsim gives an environment without a load no triggers.
    if (c.has_load) context_.sim.schedule_in(minutes(1), kTrigger, static_cast<std::uint32_t>(i));
    for (std::size_t d = 0; d < c.deployments.size(); ++d)
      context_.sim.schedule_at(c.deployments[d].at, kDeploy, static_cast<std::uint32_t>(i), d);
  }
}

bool Runtime::handle(const Event& e) {
  switch (e.kind) {
    case kTrigger: on_trigger(e.target); return true;
    case kDeploy: on_deploy(e.target, e.payload); return true;
    case kDeployCheck: on_deploy_check(e.target); return true;
    case kScheduledAction: on_scheduled_action(e.target, e.payload); return true;
    default: ECSIM_ASSERT(false, "a Beanstalk event kind");
  }
  return false;
}

std::int64_t Runtime::live(const EnvironmentRuntime& e) const {
  return static_cast<std::int64_t>(context_.platform.live_instances(e.config->group).size());
}

std::int64_t Runtime::serving(const EnvironmentRuntime& e) const {
  return context_.ecs.serving(e.service);
}

// --- triggers ---------------------------------------------------------------------------------

// The datapoint of the period that just closed, over the group's running, reachable instances
// (each reports its own EC2 metric; the alarms take their Average or Sum); none before a whole
// period has passed or while no instance runs (CloudWatch's INSUFFICIENT_DATA).
std::optional<double> Runtime::datapoint(const EnvironmentRuntime& e) {
  const TriggerConfig& t = e.config->options.trigger;
  const auto period_minutes = static_cast<std::size_t>(
      std::chrono::duration_cast<minutes>(t.period).count());
  workload::LoadMeter* load = context_.ecs.load(e.service);
  if (load == nullptr || load->periods_closed() < period_minutes) return std::nullopt;
  std::vector<workload::LoadPeriod>& periods = periods_;
  load->recent_periods(period_minutes, periods);
  // An instance its zone's outage cut off sends CloudWatch nothing: it is not in the average.
  std::int64_t instances = 0;
  double per_vcpu = 0;  // the sum over the instances of 1 / their vCPUs (types may be mixed)
  const platform::InstanceCatalog& catalog = platform::InstanceCatalog::builtin();
  for (const InstanceId id : context_.platform.live_instances(e.config->group)) {
    if (context_.platform.state(id) != platform::InstanceState::kRunning ||
        !context_.platform.reachable(id))
      continue;
    ++instances;
    per_vcpu += 1.0 / catalog.at(context_.platform.type(id)).vcpu;
  }
  if (instances == 0) return std::nullopt;
  // The sum over the reporting instances of their metric. The tasks share the load evenly, so
  // of a minute's bytes (or requests, or CPU) the reporting instances sent the share of the
  // serving tasks they run: all of it unless instances serving then have since been cut off.
  double total = 0;
  const double reserved_cores = static_cast<double>(e.current->reserved_cpu_units()) / 1024.0;
  const auto reporting = static_cast<double>(instances);
  for (const workload::LoadPeriod& p : periods) {
    if (p.serving_tasks <= 0) continue;
    const double share = std::min(1.0, reporting / p.serving_tasks);
    switch (t.metric) {
      case TriggerMetric::kNetworkOut: total += p.network_out_bytes * share; break;
      case TriggerMetric::kRequestCount: total += p.requests * share; break;
      case TriggerMetric::kCpuUtilization:
        // Each serving instance's CPU in use over its vCPUs (each its own type's), averaged
        // over the period's minutes: the task's use of its reservation over the cores.
        total += p.cpu_percent * reserved_cores * p.serving_tasks * share / reporting * per_vcpu /
                 static_cast<double>(periods.size());
        break;
    }
  }
  return t.statistic == TriggerStatistic::kSum ? total : total / static_cast<double>(instances);
}

// Each minute: a simple scaling activity in progress completes once the group has what it
// asked for, and its cooldown starts; at the end of each period a datapoint closes; an alarm is
// in ALARM while its last EvaluationPeriods datapoints all breach (GreaterThanThreshold for the
// high alarm, LessThanThreshold for the low one), and invokes its policy each minute it stays
// there, which acts unless an activity or its cooldown is under way.
void Runtime::on_trigger(std::size_t env) {
  EnvironmentRuntime& e = environments_[env];
  const TriggerConfig& t = e.config->options.trigger;
  if (context_.sim.now() + minutes(1) <= context_.horizon)
    context_.sim.schedule_in(minutes(1), kTrigger, static_cast<std::uint32_t>(env));
  ++e.minutes;
  if (e.activity) {
    // Done once no instance it launched is still pending (a launch the zone refused ends it
    // short, as a failed activity does) and the instances it terminated are gone.
    std::int64_t running = 0;
    for (const InstanceId id : context_.platform.live_instances(e.config->group))
      running += context_.platform.state(id) == platform::InstanceState::kRunning;
    if (live(e) == running && running <= static_cast<std::int64_t>(
                                              context_.platform.desired(e.config->group))) {
      e.activity.reset();
      e.cooldown_until = context_.sim.now() + e.config->options.cooldown;
    }
  }
  const auto period_minutes =
      static_cast<std::uint32_t>(std::chrono::duration_cast<minutes>(t.period).count());
  if (e.minutes % period_minutes == 0) {
    const std::optional<double> point = datapoint(e);
    // A missing datapoint breaks a run of breaching ones (TreatMissingData: missing).
    e.datapoints.push_back(point.value_or(std::numeric_limits<double>::quiet_NaN()));
    const auto keep = static_cast<std::size_t>(t.evaluation_periods);
    if (e.datapoints.size() > keep)
      e.datapoints.erase(e.datapoints.begin(),
                         e.datapoints.end() - static_cast<std::ptrdiff_t>(keep));
  }
  if (e.datapoints.size() < static_cast<std::size_t>(t.evaluation_periods)) return;
  const bool high = std::all_of(e.datapoints.begin(), e.datapoints.end(),
                                [&](double v) { return v > t.upper_threshold; });
  const bool low = std::all_of(e.datapoints.begin(), e.datapoints.end(),
                               [&](double v) { return v < t.lower_threshold; });
  if ((!high && !low) || e.activity || context_.sim.now() < e.cooldown_until) return;
  const double last = e.datapoints.back();
  if (high)
    scale(e, t.upper_increment, "AWSEBCloudwatchAlarmHigh", last, t.upper_threshold);
  else
    scale(e, t.lower_increment, "AWSEBCloudwatchAlarmLow", last, t.lower_threshold);
}

// A simple scaling policy's change of the group's desired capacity, within MinSize and
// MaxSize. Scale-in terminates by the group's default termination policy: from the zone with
// the most instances, the instance closest to its next billing hour, then the oldest; it waits
// while a deployment runs (ecsim's choice: the deployment counts the instances it started with).
void Runtime::scale(EnvironmentRuntime& e, std::int64_t increment, std::string_view alarm,
                    double value, double threshold) {
  const EnvironmentOptions& o = e.config->options;
  const GroupId g = e.config->group;
  const auto desired = static_cast<std::int64_t>(context_.platform.desired(g));
  const std::int64_t extra = e.deployment ? e.deployment->extra : 0;
  const std::int64_t to = std::clamp(desired + increment, e.min_size, e.max_size + extra);
  if (to == desired || (to < desired && e.deployment)) return;
  const bool out = to > desired;
  const SimTime now = context_.sim.now();
  if (out) {
    context_.platform.scale_out(context_.sim, g, static_cast<std::uint32_t>(to));
  } else {
    terminate_by_policy(e, desired - to);
  }
  e.activity = static_cast<std::uint32_t>(to);
  (out ? e.result.scale_outs : e.result.scale_ins) += 1;
  e.result.instances_min = std::min(e.result.instances_min, to);
  e.result.instances_max = std::max(e.result.instances_max, to);
  const TriggerConfig& t = o.trigger;
  scaling_.push_back(
      {now, clusters_[e.config->cluster].name,
       fmt::format("Elastic Beanstalk environment {}", e.config->name),
       fmt::format("Auto Scaling group of {}", e.config->name), desired, to,
       fmt::format("a monitor alarm {} in state ALARM triggered policy {} changing the desired "
                   "capacity from {} to {} ({} {} {:.9g} {} {:.9g})",
                   alarm,
                   out ? "AWSEBAutoScalingScaleUpPolicy" : "AWSEBAutoScalingScaleDownPolicy",
                   desired, to, metric_name(t.metric),
                   t.statistic == TriggerStatistic::kSum ? "Sum" : "Average", value,
                   out ? ">" : "<", threshold)});
}

// `count` instances of the group terminate, its desired count going down with each, by the
// group's default termination policy: from the zone with the most instances, the instance
// closest to its next billing hour, then the oldest.
void Runtime::terminate_by_policy(EnvironmentRuntime& e, std::int64_t count) {
  const SimTime now = context_.sim.now();
  std::vector<InstanceId> candidates(context_.platform.live_instances(e.config->group));
  for (std::int64_t n = count; n > 0 && !candidates.empty(); --n) {
    std::vector<std::int64_t> per_zone(context_.platform.az_count(), 0);
    for (const InstanceId id : candidates) ++per_zone[context_.platform.az(id).value()];
    const auto hour_part = [&](InstanceId id) {
      return (now - context_.platform.launched_at(id)) % std::chrono::hours(1);
    };
    auto victim = candidates.begin();
    for (auto it = candidates.begin(); it != candidates.end(); ++it) {
      const auto zi = per_zone[context_.platform.az(*it).value()];
      const auto zv = per_zone[context_.platform.az(*victim).value()];
      if (zi > zv || (zi == zv && hour_part(*it) > hour_part(*victim))) victim = it;
    }
    context_.platform.terminate(context_.sim, *victim, true);
    candidates.erase(victim);
  }
}

// --- scheduled actions ------------------------------------------------------------------------

// The first time after `after` that action `a` runs: its StartTime once, or its Recurrence's
// next time within StartTime and EndTime; none past the run's end.
void Runtime::schedule_action(std::size_t env, std::size_t action, SimTime after) {
  const ScheduledAction& a = configs_[env].options.scheduled[action];
  SimTime at = kNever;
  if (!a.recurrence) {
    if (a.start && *a.start > after && *a.start >= kSimStart) at = *a.start;
  } else {
    SimTime from = after;
    if (a.start && *a.start - SimDuration{1} > from) from = *a.start - SimDuration{1};
    at = workload::next_cron_time(*a.recurrence, from);
    if (a.end && at != kNever && at > *a.end) at = kNever;
  }
  if (at == kNever || at > context_.horizon) return;
  context_.sim.schedule_at(at, kScheduledAction, static_cast<std::uint32_t>(env), action);
}

// An action sets the group's MinSize, MaxSize and DesiredCapacity (a desired count outside the
// new bounds moves inside them, as EC2 Auto Scaling does); the difference launches or
// terminates at once, without a cooldown.
void Runtime::on_scheduled_action(std::size_t env, std::size_t action) {
  EnvironmentRuntime& e = environments_[env];
  const ScheduledAction& a = e.config->options.scheduled[action];
  schedule_action(env, action, context_.sim.now());
  const GroupId g = e.config->group;
  const std::int64_t extra = e.deployment ? e.deployment->extra : 0;
  e.min_size = a.min_size.value_or(e.min_size);
  e.max_size = a.max_size.value_or(e.max_size);
  if (e.min_size > e.max_size) e.max_size = e.min_size;
  context_.platform.set_min(g, static_cast<std::uint32_t>(e.min_size));
  context_.platform.set_max(g, static_cast<std::uint32_t>(e.max_size + extra));
  const auto desired = static_cast<std::int64_t>(context_.platform.desired(g));
  const std::int64_t to =
      std::clamp(a.desired.value_or(desired), e.min_size, e.max_size + extra);
  if (to > desired) context_.platform.scale_out(context_.sim, g, static_cast<std::uint32_t>(to));
  else if (to < desired) terminate_by_policy(e, desired - to);
  e.result.instances_min = std::min(e.result.instances_min, to);
  e.result.instances_max = std::max(e.result.instances_max, to);
  const auto text = [](const std::optional<std::int64_t>& v) {
    return v ? std::to_string(*v) : std::string("unchanged");
  };
  scaling_.push_back(
      {context_.sim.now(), clusters_[e.config->cluster].name,
       fmt::format("Elastic Beanstalk environment {}", e.config->name),
       fmt::format("Auto Scaling group of {}", e.config->name), desired, to,
       fmt::format("a scheduled action {} update of AutoScalingGroup constraints to min: {}, "
                   "max: {}, desired: {} changing the desired capacity from {} to {}",
                   a.name, text(a.min_size), text(a.max_size), text(a.desired), desired, to)});
}

// --- deployments ------------------------------------------------------------------------------

void Runtime::on_deploy(std::size_t env, std::size_t index) {
  EnvironmentRuntime& e = environments_[env];
  const VersionDeployment& v = e.config->deployments[index];
  const DeploymentSettings& s = e.config->options.deployment;
  DeploymentResult& r = e.result.deployments.emplace_back();
  r.version = v.label;
  r.policy = s.policy;
  r.started = context_.sim.now();
  r.instances = live(e);
  r.fewest_serving = serving(e);
  r.most_instances = live(e);
  if (e.deployment) {
    // Beanstalk takes one operation at a time: an environment being updated is not Ready.
    r.failed = true;
    r.finished = r.started;
    return;
  }
  Active a;
  a.index = e.result.deployments.size() - 1;
  a.previous = e.current;
  a.batch_since = context_.sim.now();
  a.old_seen = r.instances;
  const GroupId g = e.config->group;
  const std::string trigger = fmt::format("deployment of version {} ({})", v.label,
                                          policy_name(s.policy));
  const auto desired = context_.platform.desired(g);
  switch (s.policy) {
    case DeploymentPolicy::kAllAtOnce:
      a.phase = Phase::kBatches;
      a.batch = r.batch = r.instances;
      context_.ecs.deploy_daemon(e.service, &v.task_definition, v.fails_to_start, trigger,
                                 kAllInstances);
      break;
    case DeploymentPolicy::kRolling:
      a.phase = Phase::kBatches;
      a.batch = r.batch = batch_instances(s, r.instances);
      context_.ecs.deploy_daemon(e.service, &v.task_definition, v.fails_to_start, trigger,
                                 a.batch);
      break;
    case DeploymentPolicy::kRollingWithAdditionalBatch:
      // The extra batch runs the new version and comes up before any instance leaves.
      a.phase = Phase::kExtraBatch;
      a.batch = r.batch = batch_instances(s, r.instances);
      a.extra = a.batch;
      a.old_instances = context_.platform.live_instances(g);
      context_.ecs.deploy_daemon(e.service, &v.task_definition, v.fails_to_start, trigger, 0);
      context_.platform.set_max(g, static_cast<std::uint32_t>(e.max_size + a.extra));
      context_.platform.scale_out(context_.sim, g, desired + static_cast<std::uint32_t>(a.extra));
      break;
    case DeploymentPolicy::kImmutable:
      // One new instance first (in a temporary group, here the environment's group grown by
      // one), then as many as were in service.
      a.phase = Phase::kFirstInstance;
      a.extra = 1;
      a.old_instances = context_.platform.live_instances(g);
      context_.ecs.deploy_daemon(e.service, &v.task_definition, v.fails_to_start, trigger, 0);
      context_.platform.set_max(
          g, static_cast<std::uint32_t>(e.max_size + std::max<std::int64_t>(r.instances, 1)));
      context_.platform.scale_out(context_.sim, g, desired + 1);
      break;
  }
  e.deployment = std::move(a);
  context_.sim.schedule_in(kDeployCheckPeriod, kDeployCheck, static_cast<std::uint32_t>(env));
}

void Runtime::on_deploy_check(std::size_t env) {
  EnvironmentRuntime& e = environments_[env];
  if (!e.deployment) return;
  Active& a = *e.deployment;
  DeploymentResult& r = e.result.deployments[a.index];
  const DeploymentSettings& s = e.config->options.deployment;
  const GroupId g = e.config->group;
  const SimTime now = context_.sim.now();
  const ecs::DaemonProgress p = context_.ecs.daemon_progress(e.service);
  r.fewest_serving = std::min(r.fewest_serving, serving(e));
  r.most_instances = std::max(r.most_instances, live(e));
  if (p.new_healthy > a.healthy_seen) a.batch_since = now;  // the batch is making progress
  a.healthy_seen = p.new_healthy;
  if (p.old_running < a.old_seen) ++r.batches;  // old tasks stopped: a batch went out
  a.old_seen = p.old_running;
  const auto desired = context_.platform.desired(g);
  auto new_instances = [&] {
    std::vector<InstanceId> out;
    for (const InstanceId id : context_.platform.live_instances(g))
      if (std::find(a.old_instances.begin(), a.old_instances.end(), id) == a.old_instances.end())
        out.push_back(id);
    return out;
  };
  switch (a.phase) {
    case Phase::kExtraBatch:
      if (p.new_healthy >= a.extra) {
        a.phase = Phase::kBatches;
        a.batch_since = now;
        context_.ecs.set_deployment_batch(e.service, a.batch);
      }
      break;
    case Phase::kBatches:
      if (p.old_running == 0 && p.new_pending == 0 && p.new_healthy >= p.desired) {
        if (a.extra > 0) {
          // The additional batch goes when the deployment completes.
          std::vector<InstanceId> extra = new_instances();
          extra.resize(std::min<std::size_t>(extra.size(), static_cast<std::size_t>(a.extra)));
          for (const InstanceId id : extra) context_.platform.terminate(context_.sim, id, true);
        }
        finish_deployment(e, false);
        return;
      }
      break;
    case Phase::kFirstInstance:
      if (p.new_healthy >= 1) {
        a.phase = Phase::kRest;
        a.batch_since = now;
        a.extra = std::max<std::int64_t>(r.instances, 1);
        context_.platform.scale_out(
            context_.sim, g, desired + static_cast<std::uint32_t>(a.extra - 1));
      }
      break;
    case Phase::kRest:
      if (p.new_healthy >= a.extra) {
        // The new instances join the environment's group; the old ones terminate.
        for (const InstanceId id : a.old_instances)
          if (context_.platform.state(id) == platform::InstanceState::kPending ||
              context_.platform.state(id) == platform::InstanceState::kRunning)
            context_.platform.terminate(context_.sim, id, true);
        finish_deployment(e, false);
        return;
      }
      break;
    case Phase::kNone: break;
  }
  if (now - a.batch_since > s.timeout) {
    if (s.ignore_health_check && a.phase == Phase::kBatches) {
      // IgnoreHealthCheck: a batch that misses its health check does not stop the deployment.
      a.batch_since = now;
      context_.ecs.set_deployment_batch(e.service, a.batch + (p.desired - p.old_running - p.new_healthy));
    } else {
      // The deployment fails and is not rolled back: the batches done keep the new version,
      // the rest the old. An Immutable deployment's new instances terminate (the originals
      // never changed), and its service returns to the previous version.
      if (a.phase == Phase::kFirstInstance || a.phase == Phase::kRest || a.extra > 0) {
        for (const InstanceId id : new_instances()) context_.platform.terminate(context_.sim, id, true);
      }
      if (a.phase == Phase::kFirstInstance || a.phase == Phase::kRest)
        context_.ecs.deploy_daemon(e.service, a.previous, false, "rollback", 0);
      else
        context_.ecs.set_deployment_batch(e.service, 0);
      finish_deployment(e, true);
      return;
    }
  }
  context_.sim.schedule_in(kDeployCheckPeriod, kDeployCheck, static_cast<std::uint32_t>(env));
}

void Runtime::finish_deployment(EnvironmentRuntime& e, bool failed) {
  DeploymentResult& r = e.result.deployments[e.deployment->index];
  r.finished = context_.sim.now();
  r.failed = failed;
  if (!failed) e.current = &e.config->deployments[e.deployment->index].task_definition;
  context_.platform.set_max(e.config->group, static_cast<std::uint32_t>(e.max_size));
  e.deployment.reset();
}

// --- measures and checks ------------------------------------------------------------------------

void Runtime::append_instances(std::vector<std::int64_t>& row) const {
  for (const EnvironmentRuntime& e : environments_)
    row.push_back(static_cast<std::int64_t>(context_.platform.desired(e.config->group)));
}

void Runtime::append_columns(std::vector<std::string>& names) const {
  for (const EnvironmentConfig& c : configs_) names.push_back("instances:" + c.name);
}

void Runtime::check_invariants() const {
  for (const EnvironmentRuntime& e : environments_) {
    const auto desired = static_cast<std::int64_t>(context_.platform.desired(e.config->group));
    const std::int64_t extra = e.deployment ? e.deployment->extra : 0;
    ECSIM_ASSERT(desired >= e.min_size && desired <= e.max_size + extra,
                 "a Beanstalk environment's group stays within MinSize and MaxSize");
  }
}

Results Runtime::results(SimTime end) const {
  (void)end;
  Results out;
  for (const EnvironmentRuntime& e : environments_) out.environments.push_back(e.result);
  out.scaling = scaling_;
  return out;
}

}  // namespace ecsim::beanstalk
