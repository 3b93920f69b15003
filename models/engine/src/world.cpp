// The composition of one replication: event routing, the platform's changes, the time series,
// the self-checks and the results.

#include "world.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "ecsim/platform/catalog.hpp"
#include "ecsim/sim/assert.hpp"

namespace ecsim::engine::detail {
namespace {

/// A service's or workload's entry of the run's result.
ServiceResult& add_service(ReplicationResult& r, std::string cluster, std::string name,
                           std::string_view orchestrator, ReplicaSummary&& replicas,
                           const TaskCounts& tasks) {
  ServiceResult& s = r.services.emplace_back();
  s.cluster = std::move(cluster);
  s.name = std::move(name);
  s.orchestrator = orchestrator;
  s.desired = replicas.desired;
  s.min_running = replicas.min_running;
  s.mean_running = replicas.mean_running;
  s.availability = replicas.availability;
  s.running_by_az = std::move(replicas.running_by_az);
  s.tasks = tasks;
  return s;
}

/// The ECS runtime's results, in the run's result (but its drains, which follow EKS's).
void add_ecs_results(ReplicationResult& r, ecs::Results& e) {
  r.cpu_reserved_mean = e.cpu_reserved_mean;
  r.memory_reserved_mean = e.memory_reserved_mean;
  r.jobs = std::move(e.jobs);
  for (ecs::ServiceResult& s : e.services)
  {
    ServiceResult& added =
        add_service(r, std::move(s.cluster), std::move(s.name), "ecs", std::move(s.replicas), s.tasks);
    added.deployments = std::move(s.deployments);
    added.load = s.load;
  }
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
  r.scaling = std::move(e.scaling);
  for (eks::JobResult& j : e.jobs)
    r.jobs.push_back(
        JobResult{std::move(j.cluster), std::move(j.name), j.pods, j.wait, std::move(j.failed)});
  for (eks::WorkloadResult& w : e.workloads) {
    ServiceResult& s =
        add_service(r, std::move(w.cluster), std::move(w.name), "eks", std::move(w.replicas), w.pods);
    s.load = w.load;
    for (const eks::RolloutResult& d : w.rollouts)
      s.deployments.push_back(
          DeploymentResult{d.trigger, d.started, d.finished, d.state, false, d.stuck_since, 0});
  }
}

// The run's HorizontalPodAutoscalers, cluster by cluster in manifest order.
std::vector<hpa::Spec> hpa_specs(std::span<const eks::ClusterSpec> clusters) {
  std::vector<hpa::Spec> specs;
  for (std::size_t c = 0; c < clusters.size(); ++c)
    for (const eks::HorizontalPodAutoscaler& h : clusters[c].manifests.autoscalers)
      specs.push_back({static_cast<std::uint32_t>(c),
                       fmt::format("{}/{}", h.meta.name_space, h.meta.name), h.min_replicas,
                       h.max_replicas, h.metrics, h.scale_up, h.scale_down});
  return specs;
}

}  // namespace

World::World(const scenario::Scenario& s, const RunOptions& options)
    : scenario_(s),
      options_(options),
      horizon_(kSimStart + options.horizon),
      streams_(options.seed),
      platform_(s.platform, platform::InstanceCatalog::builtin(), streams_.seed_of("platform")),
      cost_(s.platform.prices),
      ecs_(s.ecs, ecs::Context{sim_, platform_, s.platform, streams_, cost_, all_wait_, horizon_}),
      eks_(s.eks, eks::Context{sim_, platform_, s.platform, cost_, all_wait_, horizon_,
                               options_.explain ? &*options_.explain : nullptr}),
      cluster_autoscaler_(cluster_autoscaler::Context{sim_, platform_, s.platform, eks_, horizon_}),
      karpenter_(karpenter::Context{sim_, platform_, s.platform, eks_, horizon_}),
      hpa_(hpa_specs(s.eks)),
      appscaling_(s.scalable_targets),
      beanstalk_(s.beanstalk, s.ecs,
                 beanstalk::Context{sim_, platform_, ecs_, horizon_}) {}

ReplicationResult World::run() {
  const auto wall_start = std::chrono::steady_clock::now();
  // Services exist before the first instances register, so that DAEMON tasks go first.
  ecs_.create_services();
  // Each EKS cluster's control plane is billed per hour for the whole run (never stopped).
  for (std::size_t c = 0; c < scenario_.eks.size(); ++c)
    (void)cost_.start_eks_control_plane(kSimStart);
  eks_.start(streams_);
  cluster_autoscaler_.start(streams_);
  karpenter_.start(streams_);
  hpa_.start(sim_, horizon_);
  platform_.start(sim_);
  drain_platform_changes();
  ecs_.start_jobs();
  appscaling_.start(sim_, horizon_);
  beanstalk_.start();
  if (options_.timeseries) sim_.schedule_at(kSimStart, kSample);
  if (options_.fail_check_at) sim_.schedule_at(kSimStart + *options_.fail_check_at, kFailCheck);

  auto handler = [this](const Event& e) { dispatch(e); };
  if (options_.progress) {
    // Slices of 1% of the horizon let the caller show progress without a per-event check.
    // (horizon / 100 * slice, not horizon * slice / 100, which overflows past 1e6 days.)
    for (int slice = 1; slice <= 100; ++slice) {
      const SimTime until = slice == 100 ? horizon_ : kSimStart + options_.horizon / 100 * slice;
      const StopReason why = sim_.run_until(until, handler);
      options_.progress(slice / 100.0, sim_.events_handled());
      if (why == StopReason::kStopped) break;
    }
  } else {
    sim_.run_until(horizon_, handler);
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
  r.platform = platform_.counters();
  ecs::Results ecs_results = ecs_.results(r.end);
  add_ecs_results(r, ecs_results);
  eks::Results eks_results = eks_.results(r.end);
  cluster_autoscaler_.add_results(eks_results, r.end);
  karpenter_.add_results(eks_results, r.end);
  add_eks_results(r, std::move(eks_results));
  // Every autoscaler's changes in time order (EKS's, then Application Auto Scaling's, then
  // Elastic Beanstalk's, at a tie).
  std::vector<ScalingActivity> all = std::move(r.scaling);
  all.insert(all.end(), scaling_.begin(), scaling_.end());
  beanstalk::Results beanstalk_results = beanstalk_.results(r.end);
  all.insert(all.end(), beanstalk_results.scaling.begin(), beanstalk_results.scaling.end());
  r.beanstalk = std::move(beanstalk_results.environments);
  std::stable_sort(all.begin(), all.end(),
                   [](const ScalingActivity& a, const ScalingActivity& b) { return a.at < b.at; });
  r.scaling = std::move(all);
  for (ecs::DrainResult& d : ecs_results.drains) r.drains.push_back(std::move(d));
  r.timeseries = std::move(rows_);
  for (const appscaling::ScalableTarget& t : scenario_.scalable_targets)
    r.autoscaled_columns.push_back(fmt::format("desired:{}/{}", scenario_.ecs[t.cluster].name,
                                               scenario_.ecs[t.cluster].services[t.service].name));
  eks_.append_autoscaled_columns(r.autoscaled_columns);
  beanstalk_.append_columns(r.autoscaled_columns);
  r.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return r;
}

// Each event goes to the component whose range holds its kind; after it, the services whose
// state changed reconcile.
void World::dispatch(const Event& e) {
  if (e.kind >= platform::kFirstEventKind && e.kind < platform::kEndEventKind) {
    platform_.handle(sim_, e);
    drain_platform_changes();
  } else if (e.kind >= ecs::kFirstEventKind && e.kind < ecs::kEndEventKind) {
    if (ecs_.handle(e)) drain_platform_changes();
  } else if (e.kind >= eks::kFirstEventKind && e.kind < eks::kEndEventKind) {
    if (eks_.handle(e)) drain_platform_changes();
  } else if (e.kind >= cluster_autoscaler::kFirstEventKind &&
             e.kind < cluster_autoscaler::kEndEventKind) {
    cluster_autoscaler_.handle(e);
    drain_platform_changes();
  } else if (e.kind >= karpenter::kFirstEventKind && e.kind < karpenter::kEndEventKind) {
    karpenter_.handle(e);
    drain_platform_changes();
  } else if (e.kind >= hpa::kFirstEventKind && e.kind < hpa::kEndEventKind) {
    sync_autoscalers(e);
  } else if (e.kind >= appscaling::kFirstEventKind && e.kind < appscaling::kEndEventKind) {
    autoscale(e);
  } else if (e.kind >= beanstalk::kFirstEventKind && e.kind < beanstalk::kEndEventKind) {
    if (beanstalk_.handle(e)) drain_platform_changes();
  } else {
    switch (e.kind) {
      case kSample: sample(); break;
      case kFailCheck: check_failed("self-check failed: as RunOptions::fail_check_at asked"); break;
      default: ECSIM_ASSERT(false, "unknown event kind");
    }
  }
  ecs_.flush();
}

void World::drain_platform_changes() {
  ecs_.zones_changed();
  if (!eks_.empty()) eks_.zones_changed();
  std::vector<platform::InstanceChange>& changes = platform_.changes();
  // Handling a change may make the platform report more (and so may EKS catching up, which can
  // terminate drained nodes); index, don't iterate.
  do {
    for (std::size_t k = 0; k < changes.size(); ++k)
      if (!eks_.on_instance_change(changes[k])) ecs_.on_instance_change(changes[k]);
    changes.clear();
    if (!eks_.empty()) eks_.catch_up();
  } while (!changes.empty());
  ecs_.after_changes();
}

void World::sample() {
  // The self-checks walk every live record: at a sample only once as many events have passed
  // as they have records to walk, so that checking costs at most as much as the run (a full
  // check ends every replication).
  const std::uint64_t events = sim_.events_handled();
  if (events - audited_at_ >= ecs_.audit_size() + eks_.audit_size()) {
    audited_at_ = events;
    check_invariants();
  }
  TimeseriesRow row;
  row.at = sim_.now();
  row.running = ecs_.running() + eks_.running();
  row.pending = ecs_.pending() + eks_.pending();
  row.cpu_reserved_by_az = ecs_.cpu_reserved_by_az();
  row.memory_reserved_by_az = ecs_.memory_reserved_by_az();
  const platform::CostBreakdown metered = cost_.cost_at(row.at);
  row.cost_usd = platform_.ec2_cost_usd(row.at) + metered.fargate + metered.eks_control_plane;
  row.instances = ecs_.registered_instances();
  ecs_.append_running_by_az(row.service_running_by_az);
  eks_.append_running_by_az(row.service_running_by_az);
  for (const appscaling::ScalableTarget& t : scenario_.scalable_targets)
    row.autoscaled.push_back(ecs_.desired_count(ecs_.service_id(t.cluster, t.service)));
  eks_.append_autoscaled(row.autoscaled);
  beanstalk_.append_instances(row.autoscaled);
  rows_.push_back(std::move(row));
  const SimTime next = sim_.now() + scenario_.timeseries_interval;
  if (next <= horizon_) sim_.schedule_at(next, kSample);
}

void World::autoscale(const Event& e) {
  if (e.kind == appscaling::kScheduled) {
    const auto [t, a] = appscaling_.on_scheduled(sim_, e);
    const appscaling::ScalableTarget& target = appscaling_.target(t);
    const ServiceId service = ecs_.service_id(target.cluster, target.service);
    const std::int64_t desired = ecs_.desired_count(service);
    if (const auto decision = appscaling_.scheduled(t, a, desired)) apply_scaling(t, desired, *decision);
    return;
  }
  const std::size_t t = appscaling_.on_evaluate(sim_, e);
  const appscaling::ScalableTarget& target = appscaling_.target(t);
  const ServiceId service = ecs_.service_id(target.cluster, target.service);
  // The service's metrics: one datapoint per closed minute, none where no task ran
  // (INSUFFICIENT_DATA). The reader asks every scaled service for a load.
  const workload::LoadMeter* load = ecs_.load(service);
  ECSIM_ASSERT(load != nullptr, "a scaled service has a load");
  std::vector<workload::LoadPeriod>& periods = periods_;
  load->recent_periods(appscaling::kLowDatapoints, periods);
  // Target tracking policies' metrics, then the step scaling policies' alarms'.
  const std::size_t policies = target.policies.size() + target.step_policies.size();
  datapoints_.resize(policies);
  datapoint_views_.clear();
  for (std::size_t p = 0; p < policies; ++p) {
    std::vector<std::optional<double>>& points = datapoints_[p];
    points.clear();
    const appscaling::Metric metric =
        p < target.policies.size() ? target.policies[p].metric
                                   : target.step_policies[p - target.policies.size()].alarm.metric;
    for (const workload::LoadPeriod& period : periods) {
      if (period.serving_tasks <= 0) {
        points.emplace_back();
        continue;
      }
      switch (metric) {
        case appscaling::Metric::kEcsCpu: points.emplace_back(period.cpu_percent); break;
        case appscaling::Metric::kEcsMemory: points.emplace_back(period.memory_percent); break;
        case appscaling::Metric::kAlbRequestCountPerTarget:
          points.emplace_back(period.requests_per_target);
          break;
      }
    }
    datapoint_views_.emplace_back(points);
  }
  const std::int64_t desired = ecs_.desired_count(service);
  const auto decision = appscaling_.evaluate(
      t, sim_.now(), appscaling::TargetState{desired, ecs_.deployment_in_progress(service)},
      datapoint_views_);
  if (decision) apply_scaling(t, desired, *decision);
}

void World::apply_scaling(std::size_t t, std::int64_t desired, const appscaling::Decision& decision) {
  const appscaling::ScalableTarget& target = appscaling_.target(t);
  const scenario::EcsClusterConfig& cluster = scenario_.ecs[target.cluster];
  scaling_.push_back({sim_.now(), cluster.name, "Application Auto Scaling " + target.resource_id,
                      fmt::format("ECS service {}/{}", cluster.name,
                                  cluster.services[target.service].name),
                      desired, decision.to,
                      fmt::format("Setting desired count to {}. Cause: {}", decision.to,
                                  decision.cause)});
  ecs_.set_desired_count(ecs_.service_id(target.cluster, target.service), decision.to);
}

void World::sync_autoscalers(const Event& e) {
  const std::uint32_t c = hpa_.on_sync(sim_, e);
  const ClusterId cluster(static_cast<ClusterId::rep_type>(c));
  const std::span<const std::uint32_t> autoscalers = hpa_.of_cluster(c);
  const std::span<const ServiceId> targets = eks_.hpa_targets(cluster);
  ECSIM_ASSERT(autoscalers.size() == targets.size(), "the controller and the cluster list the same HPAs");
  bool changed = false;
  for (std::size_t k = 0; k < autoscalers.size(); ++k) {
    const auto decision = hpa_.sync(autoscalers[k], sim_.now(), eks_.metrics_view(cluster, targets[k]));
    if (!decision) continue;
    eks_.scale(cluster, targets[k], decision->to,
               "HorizontalPodAutoscaler " + hpa_.spec(autoscalers[k]).name, decision->reason);
    changed = true;
  }
  if (changed) eks_.scaled(cluster);
}

TaskCounts World::totals() const {
  TaskCounts all;
  ecs_.add_totals(all);
  eks_.add_totals(all);
  return all;
}

void World::check_invariants() const {
  ecs_.check_invariants();
  audit_conservation(totals());
  eks_.check_invariants();
  cluster_autoscaler_.check_invariants();
  karpenter_.check_invariants();
  hpa_.check_invariants();
  beanstalk_.check_invariants();
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
