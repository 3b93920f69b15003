// EKS clusters in the engine: nodes from the node groups' instances, the controllers of
// Deployments, StatefulSets and DaemonSets, the kube-scheduler's queue (priority then creation,
// back-off for unschedulable pods, preemption), node lifecycle (NotReady after the grace period,
// evictions after the pods' toleration) and the control plane's etcd quorum, which gates every
// write: without it nothing is created, scheduled or evicted until it returns. The API servers
// admit pod creations against the namespaces' ResourceQuotas and, with api_mutating_rps, serve
// mutating requests one after the other at that rate.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/format.h>

#include "ecsim/eks/disruption.hpp"
#include "ecsim/platform/catalog.hpp"
#include "ecsim/sim/assert.hpp"
#include "world.hpp"

namespace ecsim::engine::detail {

namespace {

/// Kubernetes' scheduling back-off: 1 s for the first failure, doubling, at most 10 s.
constexpr SimDuration kInitialBackoff = std::chrono::seconds(1);
constexpr SimDuration kMaxBackoff = std::chrono::seconds(10);
/// Assumed time from binding to RUNNING (image pull, container start): lognormal, median 5 s.
constexpr platform::LaunchLatency kPodStartLatency{std::chrono::seconds(5), 0.3};

constexpr std::string_view kUnreachableTaintKey = "node.kubernetes.io/unreachable";
/// A Deployment's progressDeadlineSeconds (Kubernetes' default): a rollout without progress
/// for that long is reported stuck (ProgressDeadlineExceeded).
constexpr SimDuration kProgressDeadline = std::chrono::seconds(600);

/// The PriorityClass of a pod: the one it names, or the global default when it names none;
/// nullptr when there is none (priority 0, may preempt).
const eks::PriorityClass* priority_class_of(const eks::Manifests& m, const eks::PodSpec& spec) {
  for (const eks::PriorityClass& pc : m.priority_classes)
    if (spec.priority_class_name.empty() ? pc.global_default : pc.name == spec.priority_class_name)
      return &pc;
  return nullptr;
}

/// How long a pod stays on a NotReady or unreachable node: its own toleration of those taints
/// when it has one (none: forever), else the admission plugin's default.
SimDuration toleration_of(const eks::PodSpec& spec, SimDuration fallback, bool daemon) {
  if (daemon) return kUntilStopped;
  for (const eks::Toleration& t : spec.tolerations) {
    const bool matches = (t.key.empty() && t.op == eks::TolerationOperator::kExists) ||
                         t.key == kUnreachableTaintKey || t.key == eks::kNotReadyTaintKey;
    if (!matches) continue;
    if (t.effect && *t.effect != eks::TaintEffect::kNoExecute) continue;
    return t.toleration_seconds ? *t.toleration_seconds : kUntilStopped;
  }
  return fallback;
}

/// The workload's kind as Kubernetes names it.
std::string_view kind_name(EksWorkload::Kind kind) {
  switch (kind) {
    case EksWorkload::Kind::kDeployment: return "Deployment";
    case EksWorkload::Kind::kStatefulSet: return "StatefulSet";
    case EksWorkload::Kind::kDaemonSet: return "DaemonSet";
    case EksWorkload::Kind::kJob: return "Job";
  }
  return "";
}

/// The profile's weight of each score plugin, in eks::kScorePlugins order.
std::vector<std::int64_t> score_weights(const eks::Profile& p) {
  return {p.taint_toleration_weight,   p.node_affinity_weight,      p.pod_topology_spread_weight,
          p.inter_pod_affinity_weight, p.node_resources_fit_weight, p.balanced_allocation_weight};
}

/// The tolerations the DaemonSet controller adds to its pods (AddOrUpdateDaemonPodTolerations;
/// network-unavailable is added only to hostNetwork pods, which ecsim does not read).
void add_daemon_tolerations(std::vector<eks::Toleration>& tolerations) {
  const auto add = [&](std::string_view key, eks::TaintEffect effect) {
    tolerations.push_back({std::string(key), eks::TolerationOperator::kExists, "", effect, std::nullopt});
  };
  add(eks::kNotReadyTaintKey, eks::TaintEffect::kNoExecute);
  add(kUnreachableTaintKey, eks::TaintEffect::kNoExecute);
  add("node.kubernetes.io/disk-pressure", eks::TaintEffect::kNoSchedule);
  add("node.kubernetes.io/memory-pressure", eks::TaintEffect::kNoSchedule);
  add("node.kubernetes.io/pid-pressure", eks::TaintEffect::kNoSchedule);
  add(eks::kUnschedulableTaintKey, eks::TaintEffect::kNoSchedule);
}

/// The requests pod `pod` of `wl` was admitted with: its revision's (a rollout may change them).
const eks::Resources& pod_requests(const EksWorkload& wl, const PodRecord& pod) {
  return pod.revision < wl.revision_requests.size() ? wl.revision_requests[pod.revision]
                                                    : wl.requests;
}

/// The tighter of a hard limit and another quota's.
void tighten(std::optional<std::int64_t>& hard, const std::optional<std::int64_t>& other) {
  if (other && (!hard || *other < *hard)) hard = other;
}

/// A mutating request issued now: when the API servers complete it (FIFO, one every
/// `interval`; at once when unlimited).
SimTime api_request(ApiQueue& q, SimTime now) {
  ++q.requests;
  if (q.interval == SimDuration{}) return now;
  const SimTime done = std::max(now, q.free_at) + q.interval;
  q.free_at = done;
  q.total_wait += done - now;
  q.max_wait = std::max(q.max_wait, done - now);
  return done;
}

/// The cluster's namespaces, by name: those of its workloads and of its quotas, with the
/// tightest hard limits of every quota of each.
std::vector<EksNamespace> namespaces_of(const scenario::EksClusterConfig& cc) {
  const eks::Manifests& m = cc.manifests;
  std::set<std::string> names;
  for (const eks::Deployment& d : m.deployments) names.insert(d.meta.name_space);
  for (const eks::StatefulSet& d : m.stateful_sets) names.insert(d.meta.name_space);
  for (const eks::DaemonSet& d : m.daemon_sets) names.insert(d.meta.name_space);
  for (const scenario::EksJobConfig& j : cc.jobs) names.insert(m.jobs[j.job].meta.name_space);
  for (const eks::ResourceQuota& q : m.quotas) names.insert(q.meta.name_space);
  for (const eks::ResourceQuota& q : cc.quotas) names.insert(q.meta.name_space);
  std::vector<EksNamespace> out;
  for (const std::string& name : names) out.emplace_back().name = name;
  const auto add = [&](const eks::ResourceQuota& q) {
    EksNamespace& ns = *std::find_if(out.begin(), out.end(), [&](const EksNamespace& n) {
      return n.name == q.meta.name_space;
    });
    tighten(ns.hard_pods, q.pods);
    tighten(ns.hard_cpu_millis, q.requests_cpu_millis);
    tighten(ns.hard_memory_bytes, q.requests_memory_bytes);
  };
  for (const eks::ResourceQuota& q : m.quotas) add(q);
  for (const eks::ResourceQuota& q : cc.quotas) add(q);
  return out;
}

}  // namespace

// --- setup ------------------------------------------------------------------------------------

void World::create_eks() {
  eks_of_group_.assign(scenario_.platform.groups.size(), kUnset);
  std::vector<AzId> zones;
  for (std::size_t z = 0; z < scenario_.platform.azs.size(); ++z)
    zones.push_back(AzId{static_cast<AzId::rep_type>(z)});
  const std::size_t n_zones = zones.size();
  for (std::size_t c = 0; c < scenario_.eks.size(); ++c) {
    const scenario::EksClusterConfig& cc = scenario_.eks[c];
    // Each cluster's control plane is billed per hour for the whole run.
    (void)cost_.start_eks_control_plane(kSimStart);  // never stopped: the cluster lives all run
    std::vector<eks::Profile> profiles;
    if (auto p = eks::builtin_profile(cc.scheduler.profile)) profiles.push_back(*p);
    else profiles.emplace_back();
    if (cc.scheduler.percentage_of_nodes_to_score)
      profiles.back().percentage_of_nodes_to_score = *cc.scheduler.percentage_of_nodes_to_score;
    EksRuntime& rt = eks_.emplace_back(
        &cc, eks::Scheduler(streams_.stream(fmt::format("eks/{}/scheduler", cc.name)), profiles),
        eks::ControlPlane(eks::default_layout(zones), kSimStart),
        streams_.stream(fmt::format("eks/{}/pod_start", cc.name)));
    rt.namespaces = namespaces_of(cc);
    if (cc.api_mutating_rps) {
      rt.api.interval = std::max(SimDuration{1}, from_seconds(1.0 / *cc.api_mutating_rps));
    }
    for (const GroupId g : cc.groups) eks_of_group_[g.value()] = static_cast<std::uint32_t>(c);
    const eks::Manifests& m = cc.manifests;
    auto add = [&](EksWorkload::Kind kind, const eks::ObjectMeta& meta, const eks::PodTemplate& pod,
                   std::int32_t replicas, std::optional<eks::LabelSelector> selector) {
      EksWorkload& w = rt.workloads.emplace_back();
      w.kind = kind;
      w.pod = &pod;
      w.replicas = replicas;
      eks::PodDescription d;
      d.name_space = meta.name_space;
      d.labels = pod.labels;
      d.spec = pod.spec;
      if (kind == EksWorkload::Kind::kDaemonSet) add_daemon_tolerations(d.spec.tolerations);
      const auto ns = std::find_if(rt.namespaces.begin(), rt.namespaces.end(),
                                   [&](const EksNamespace& n) { return n.name == meta.name_space; });
      w.name_space = static_cast<std::uint32_t>(ns - rt.namespaces.begin());
      ns->workloads.push_back(static_cast<std::uint32_t>(rt.workloads.size() - 1));
      w.requests = pod.spec.requests;
      const eks::PriorityClass* pc = priority_class_of(m, pod.spec);
      d.priority = pc ? pc->value : 0;
      d.preempt_lower_priority = pc ? pc->preempt_lower_priority : true;
      d.owner_selector = std::move(selector);
      w.cls = rt.scheduler.add_pod_class(d);
      w.description = std::move(d);
      w.toleration =
          toleration_of(pod.spec, cc.default_toleration, kind == EksWorkload::Kind::kDaemonSet);
      w.measure.cluster = static_cast<std::uint32_t>(c);
      w.measure.running_by_az.assign(n_zones, 0);
      w.measure.result.cluster = cc.name;
      w.measure.result.name = meta.name;
      w.measure.result.orchestrator = "eks";
      w.measure.desired = kind == EksWorkload::Kind::kDaemonSet ? 0 : replicas;
    };
    for (const eks::Deployment& d : m.deployments) {
      add(EksWorkload::Kind::kDeployment, d.meta, d.pod, d.replicas, d.selector);
      rt.workloads.back().deployment = &d;
      rt.workloads.back().revision_requests.push_back(rt.workloads.back().requests);
    }
    for (const eks::StatefulSet& s : m.stateful_sets)
      add(EksWorkload::Kind::kStatefulSet, s.meta, s.pod, s.replicas, s.selector);
    for (const eks::DaemonSet& d : m.daemon_sets)
      add(EksWorkload::Kind::kDaemonSet, d.meta, d.pod, 0, d.selector);
    // Jobs: no owner selector (the default spreading is for the other controllers' pods).
    for (const scenario::EksJobConfig& jc : cc.jobs) {
      const eks::Job& job = m.jobs[jc.job];
      add(EksWorkload::Kind::kJob, job.meta, job.pod, 0, std::nullopt);
      EksWorkload& w = rt.workloads.back();
      w.job = &jc;
      w.job_object = &job;
      const std::string stream = fmt::format("eks/{}/job/{}/{}", cc.name, jc.name_space, jc.name);
      w.arrival_stream = streams_.stream(stream + "/arrivals");
      w.duration_stream = streams_.stream(stream + "/durations");
      const auto wi = static_cast<std::uint64_t>(rt.workloads.size() - 1);
      if (!jc.arrivals) {
        sim_.schedule_at(kSimStart, kEksJobArrival, static_cast<std::uint32_t>(c), wi);
      } else {
        w.arrivals.emplace(*jc.arrivals);
        if (const auto a = w.arrivals->next(w.arrival_stream); a && a->at <= kSimStart + options_.horizon)
          sim_.schedule_at(a->at, kEksJobArrival, static_cast<std::uint32_t>(c), wi);
      }
    }
  }
  eks_resolve_explain();
  for (std::uint32_t c = 0; c < eks_.size(); ++c) {
    eks_link_budgets(c);
    eks_schedule_operations(c);
    eks_reconcile(c);
  }
}

// --- pod names and explanations -------------------------------------------------------------

// Built on demand, so that no pod holds a string.
std::string World::eks_pod_name(PodIndex p) const {
  const PodRecord& pod = pods_[p];
  return fmt::format("{}-{}", eks_[pod.cluster].workloads[pod.workload].measure.result.name,
                     pod.ordinal);
}

// The workloads (and ordinals) the explain request's pod name can mean: `NAME` or
// `NAMESPACE/NAME`, NAME a workload's or one of its pods' (`<workload>-<ordinal>`).
void World::eks_resolve_explain() {
  if (!options_.explain) return;
  const ExplainRequest& q = *options_.explain;
  std::string_view name = q.pod;
  std::string_view name_space;
  if (const std::size_t slash = name.find('/'); slash != std::string_view::npos) {
    name_space = name.substr(0, slash);
    name = name.substr(slash + 1);
  }
  for (std::uint32_t c = 0; c < eks_.size(); ++c) {
    if (!q.cluster.empty() && q.cluster != eks_[c].config->name) continue;
    for (std::uint32_t w = 0; w < eks_[c].workloads.size(); ++w) {
      const EksWorkload& wl = eks_[c].workloads[w];
      if (!name_space.empty() && name_space != wl.description.name_space) continue;
      const std::string& workload = wl.measure.result.name;
      if (name == workload) {
        explain_targets_.push_back({c, w, kUnset});
        continue;
      }
      if (name.size() <= workload.size() + 1 || !name.starts_with(workload) ||
          name[workload.size()] != '-')
        continue;
      const std::string_view digits = name.substr(workload.size() + 1);
      std::uint32_t ordinal = 0;
      const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), ordinal);
      if (error != std::errc{} || end != digits.data() + digits.size() || ordinal == kUnset ||
          (digits.size() > 1 && digits[0] == '0'))
        continue;
      explain_targets_.push_back({c, w, ordinal});
    }
  }
  explaining_ = !explain_targets_.empty();
}

bool World::eks_explain_wanted(PodIndex p) const {
  if (sim_.now() < kSimStart + options_.explain->at) return false;
  const PodRecord& pod = pods_[p];
  return std::any_of(explain_targets_.begin(), explain_targets_.end(), [&](const ExplainTarget& t) {
    return t.cluster == pod.cluster && t.workload == pod.workload &&
           (t.ordinal == kUnset || t.ordinal == pod.ordinal);
  });
}

// The scheduler's explanation of pod `p`'s cycle now, as plain values; the outcome is filled in
// once the cycle has run.
ExplainResult World::eks_explanation(PodIndex p, const eks::Explanation& why) const {
  const PodRecord& pod = pods_[p];
  const EksRuntime& rt = eks_[pod.cluster];
  const EksWorkload& wl = rt.workloads[pod.workload];
  ExplainResult x;
  x.cluster = rt.config->name;
  x.pod = eks_pod_name(p);
  x.workload = wl.measure.result.name;
  x.kind = kind_name(wl.kind);
  x.name_space = wl.description.name_space;
  x.at = sim_.now();
  x.priority = rt.scheduler.priority(pod.cls);
  x.cpu_millis = wl.description.spec.requests.cpu_millis;
  x.memory_bytes = wl.description.spec.requests.memory_bytes;
  const std::span<const eks::Profile> profiles = rt.scheduler.profiles();
  const auto named = std::find_if(profiles.begin(), profiles.end(), [&](const eks::Profile& pr) {
    return pr.name == wl.description.profile;
  });
  const eks::Profile& profile = named != profiles.end() ? *named : profiles.front();
  x.profile = profile.name;
  for (const eks::Plugin plugin : eks::kScorePlugins) x.plugins.emplace_back(eks::to_string(plugin));
  x.weights = score_weights(profile);
  for (const eks::NodeVerdict& v : why.nodes) {
    NodeExplanation& n = x.nodes.emplace_back();
    n.name = rt.scheduler.nodes().name(v.node);
    for (const EksNode& node : rt.nodes)
      if (node.present && node.node == v.node) n.zone = scenario_.platform.azs[node.az.value()];
    if (v.rejected_by) n.filter = eks::to_string(*v.rejected_by);
    n.reason = v.reason;
    n.scored = v.scored;
    if (v.scored)
      for (const eks::ScoreDetail& d : v.scores)
        n.scores.push_back(PluginScore{d.raw, d.normalized, d.weighted, d.skipped});
    n.total = v.total;
    n.chosen = v.node == why.chosen;
  }
  x.feasible = why.feasible;
  x.ties = why.ties;
  return x;
}

// A pod no DaemonSet owns was bound (+1) or unbound (-1): its node's busy count changes.
void World::eks_count_busy(PodIndex p, std::int64_t delta) {
  const PodRecord& pod = pods_[p];
  EksRuntime& rt = eks_[pod.cluster];
  if (rt.workloads[pod.workload].kind == EksWorkload::Kind::kDaemonSet) return;
  EksNode& node = rt.nodes[pod.node];
  const bool was_busy = node.busy_pods > 0;
  node.busy_pods = static_cast<std::uint32_t>(node.busy_pods + delta);
  if (was_busy == (node.busy_pods > 0)) return;
  rt.busy_nodes += was_busy ? -1 : 1;
  rt.busy_gauge.set(sim_.now(), static_cast<double>(rt.busy_nodes));
}

// --- platform changes ---------------------------------------------------------------------------

void World::eks_zones_changed() {
  for (EksRuntime& rt : eks_) {
    const bool had = rt.control_plane.quorum();
    for (std::size_t z = 0; z < az_state_.size(); ++z)
      rt.control_plane.set_zone(AzId{static_cast<AzId::rep_type>(z)},
                                az_state_[z] != platform::AzState::kDown, sim_.now());
    if (!had && rt.control_plane.quorum()) rt.catch_up = true;
  }
}

// Quorum is back (after the instance changes of the same instant, so that nodes back with it
// keep their pods): deferred evictions happen, controllers catch up, the queue runs.
void World::eks_catch_up() {
  for (std::uint32_t c = 0; c < eks_.size(); ++c) {
    EksRuntime& rt = eks_[c];
    if (!rt.catch_up) continue;
    rt.catch_up = false;
    const std::vector<PodIndex> deferred = std::exchange(rt.deferred_evictions, {});
    for (const PodIndex p : deferred) eks_evict_expired(p);
    for (const std::size_t op : std::exchange(rt.deferred_operations, {})) eks_operation(c, op);
    eks_reconcile(c);
    eks_retry_unschedulable(c);
    eks_kick(c);
  }
}

bool World::on_eks_instance_change(const platform::InstanceChange& change) {
  const GroupId g = platform_.group(change.instance);
  if (!g.valid() || eks_of_group_.empty() || eks_of_group_[g.value()] == kUnset) return false;
  const std::uint32_t c = eks_of_group_[g.value()];
  EksRuntime& rt = eks_[c];
  const auto found = rt.node_of_instance.find(change.instance);
  switch (change.kind) {
    case platform::ChangeKind::kRunning: {
      if (found != rt.node_of_instance.end()) break;
      const platform::InstanceType& type =
          platform::InstanceCatalog::builtin().at(platform_.type(change.instance));
      const auto group = std::find(rt.config->groups.begin(), rt.config->groups.end(), g);
      const eks::NodeGroupConfig& ng =
          rt.config->config.node_groups[static_cast<std::size_t>(group - rt.config->groups.begin())];
      eks::NodeSpec spec;
      spec.name = fmt::format("ip-{:x}.{}", change.instance.value(), rt.config->name);
      spec.labels = ng.labels;
      spec.labels["kubernetes.io/hostname"] = spec.name;
      spec.labels["topology.kubernetes.io/zone"] =
          scenario_.platform.azs[platform_.az(change.instance).value()];
      spec.labels["node.kubernetes.io/instance-type"] = type.name;
      spec.taints = ng.taints;
      spec.cpu_millis = type.eks_allocatable_cpu_m;
      spec.memory_bytes = static_cast<std::int64_t>(type.eks_allocatable_memory_mib) * 1024 * 1024;
      spec.pods = ng.max_pods_per_node ? *ng.max_pods_per_node : type.eks_allocatable_pods;
      EksNode node;
      node.instance = change.instance;
      node.group = static_cast<std::uint32_t>(group - rt.config->groups.begin());
      // Launched at or after the k-th update of its group began: the k-th new version.
      const std::vector<SimTime>& starts = rt.version_starts[node.group];
      node.version = static_cast<std::uint32_t>(
          std::upper_bound(starts.begin(), starts.end(), platform_.launched_at(change.instance)) -
          starts.begin());
      node.node = rt.scheduler.add_node(spec);
      node.az = platform_.az(change.instance);
      node.reachable = platform_.reachable(change.instance);
      const auto n = static_cast<std::uint32_t>(rt.nodes.size());
      rt.nodes.push_back(node);
      rt.node_of_instance[change.instance] = n;
      if (!node.reachable) {
        sim_.schedule_in(rt.config->node_monitor_grace, kEksNotReady, c,
                         static_cast<std::uint64_t>(n) << 32);
      }
      eks_reconcile(c);  // DaemonSets
      eks_retry_unschedulable(c);
      eks_kick(c);
      if (rt.updating[node.group] != kUnset) eks_update_progress(c, rt.updating[node.group]);
      break;
    }
    case platform::ChangeKind::kUnreachable:
      if (found != rt.node_of_instance.end() && rt.nodes[found->second].reachable) {
        EksNode& node = rt.nodes[found->second];
        node.reachable = false;
        ++node.generation;
        for (const TaskId pod : rt.scheduler.pods_on(node.node))
          eks_set_serving(static_cast<PodIndex>(pod.value()), false);
        sim_.schedule_in(rt.config->node_monitor_grace, kEksNotReady, c,
                         (static_cast<std::uint64_t>(found->second) << 32) | (node.generation & 0xffffffff));
      }
      break;
    case platform::ChangeKind::kReachable:
      if (found != rt.node_of_instance.end() && !rt.nodes[found->second].reachable) {
        EksNode& node = rt.nodes[found->second];
        node.reachable = true;
        ++node.generation;
        const bool was_not_ready = !node.ready;
        if (was_not_ready) {
          node.ready = true;
          rt.scheduler.set_ready(node.node, true);
        }
        for (const TaskId pod : rt.scheduler.pods_on(node.node)) {
          const PodIndex p = static_cast<PodIndex>(pod.value());
          if (pods_[p].state == PodState::kRunning) eks_set_serving(p, true);
        }
        if (was_not_ready) eks_reconcile(c);  // eligible for DaemonSets again
        eks_retry_unschedulable(c);
        eks_kick(c);
      }
      break;
    case platform::ChangeKind::kInterruptionNotice: break;
    case platform::ChangeKind::kTerminated:
      if (found != rt.node_of_instance.end()) {
        const std::uint32_t n = found->second;
        EksNode& node = rt.nodes[n];
        ++node.generation;
        const std::vector<TaskId> doomed(rt.scheduler.pods_on(node.node).begin(),
                                              rt.scheduler.pods_on(node.node).end());
        for (const TaskId pod : doomed) eks_finish(static_cast<PodIndex>(pod.value()), Outcome::kEvicted);
        // DaemonSet pods still waiting for it go with it (they never ran).
        for (EksWorkload& wl : rt.workloads) {
          const std::vector<PodIndex> pods = wl.pods;
          for (const PodIndex p : pods)
            if (pods_[p].target == n) eks_finish(p, Outcome::kFailed);
        }
        rt.scheduler.remove_node(node.node);
        node.present = false;
        rt.node_of_instance.erase(found);
        const std::uint32_t drain = std::exchange(node.drain, kUnset);
        const std::uint32_t group = node.group;
        if (drain != kUnset) eks_drain_ended(c, drain);
        else if (rt.updating[group] != kUnset) eks_update_progress(c, rt.updating[group]);
        eks_reconcile(c);
        eks_kick(c);
      }
      break;
  }
  return true;
}

void World::eks_dispatch(const Event& e) {
  switch (e.kind) {
    case kEksCycle: eks_cycle(e.target); break;
    case kEksPodStarted: eks_started(e.target); break;
    case kEksBackoffDone: {
      PodRecord& pod = pods_[e.target];
      if (pod.state == PodState::kPending && !pod.queued) eks_enqueue(e.target);
      break;
    }
    case kEksNotReady:
      eks_not_ready(e.target, static_cast<std::uint32_t>(e.payload >> 32), e.payload & 0xffffffff);
      break;
    case kEksPodComplete: {
      const std::uint32_t c = pods_[e.target].cluster;
      eks_finish(e.target, Outcome::kCompleted);
      eks_reconcile(c);
      eks_kick(c);
      break;
    }
    case kEksJobArrival: eks_job_arrival(e.target, static_cast<std::uint32_t>(e.payload)); break;
    // Operations may terminate nodes: the platform's changes are handled at once.
    case kEksOperation:
      eks_operation(e.target, e.payload);
      drain_platform_changes();
      break;
    case kEksDrainTick:
      eks_drain_tick(e.target);
      drain_platform_changes();
      break;
    case kEksNodeTerminate:
      eks_node_terminate(e.target, static_cast<std::uint32_t>(e.payload));
      drain_platform_changes();
      break;
    case kEksPodCreated:
      if (pods_[e.target].state == PodState::kPending) eks_enqueue(e.target);
      break;
    case kEksEvict: {
      // Only while the node is still in the outage that made the eviction due.
      const PodRecord& pod = pods_[e.target];
      if (pod.state != PodState::kStopped && pod.node != kUnset &&
          eks_[pod.cluster].nodes[pod.node].generation == e.payload)
        eks_evict_expired(e.target);
      break;
    }
    default: ECSIM_ASSERT(false, "unknown EKS event kind");
  }
}

// --- controllers ---------------------------------------------------------------------------------

// Each controller creates the pods its object is missing; without etcd quorum nothing is written.
// A controller whose creation a ResourceQuota refused tries again once a pod of its namespace
// has stopped.
void World::eks_reconcile(std::uint32_t c) {
  EksRuntime& rt = eks_[c];
  if (!rt.control_plane.quorum()) return;
  for (std::uint32_t w = 0; w < rt.workloads.size(); ++w) {
    EksWorkload& wl = rt.workloads[w];
    switch (wl.kind) {
      case EksWorkload::Kind::kDeployment: eks_reconcile_deployment(c, w); break;
      case EksWorkload::Kind::kStatefulSet:
        // OrderedReady: the next pod once every earlier one runs.
        while (!wl.quota_blocked && static_cast<std::int32_t>(wl.pods.size()) < wl.replicas) {
          const bool all_running = std::all_of(wl.pods.begin(), wl.pods.end(), [&](PodIndex p) {
            return pods_[p].state == PodState::kRunning;
          });
          if (!all_running) break;
          eks_create_pod(c, w);
        }
        break;
      case EksWorkload::Kind::kDaemonSet: {
        // One pod per eligible node (its node selector and required affinity match, its
        // taints are tolerated), created for that node (spec.nodeName, as the DaemonSet
        // controller's node affinity does) and scheduled like any other.
        std::vector<std::uint8_t>& has = rt.has_daemon_pod;
        has.assign(rt.nodes.size(), 0);
        for (const PodIndex p : wl.pods) has[pods_[p].target] = 1;
        std::int64_t eligible = 0;
        for (std::uint32_t n = 0; n < rt.nodes.size(); ++n) {
          if (!rt.nodes[n].present || !rt.scheduler.node_admits(wl.cls, rt.nodes[n].node)) continue;
          ++eligible;
          if (!has[n] && !wl.quota_blocked) eks_create_pod(c, w, n);
        }
        wl.measure.desired = eligible;
        observe(wl.measure);
        break;
      }
      case EksWorkload::Kind::kJob: eks_reconcile_job(c, w); break;
    }
  }
}

// A new copy of Job `w`: its pods are created now if etcd has quorum, else when it returns.
void World::eks_job_arrival(std::uint32_t c, std::uint32_t w) {
  EksWorkload& wl = eks_[c].workloads[w];
  wl.runs.emplace_back();
  if (const auto a = wl.arrivals ? wl.arrivals->next(wl.arrival_stream) : std::nullopt;
      a && a->at <= kSimStart + options_.horizon)
    sim_.schedule_at(std::max(a->at, sim_.now()), kEksJobArrival, c, w);
  eks_reconcile(c);
}

// The Job controller: each copy keeps up to `parallelism` pods active until `completions` of
// them succeeded, and gives up once more than `backoffLimit` failed (evicted pods count).
void World::eks_reconcile_job(std::uint32_t c, std::uint32_t w) {
  EksWorkload& wl = eks_[c].workloads[w];
  std::vector<std::int32_t> active(wl.runs.size(), 0);
  for (const PodIndex p : wl.pods) ++active[pods_[p].run];
  const eks::Job& job = *wl.job_object;
  for (std::uint32_t r = 0; r < wl.runs.size(); ++r) {
    if (wl.runs[r].failed) continue;
    const std::int32_t want = std::min(job.parallelism - active[r],
                                       job.completions - wl.runs[r].succeeded - active[r]);
    for (std::int32_t k = 0; k < want && !wl.quota_blocked; ++k) {
      if (!eks_create_pod(c, w)) break;
      PodRecord& pod = pods_.back();
      pod.run = r;
      pod.duration = workload::sample(wl.job->duration, wl.duration_stream);
    }
  }
}

// The Deployment controller: `replicas` pods of the current revision; during a rollout, new
// pods up to maxSurge above replicas, and old ones scaled down (those not available first) while
// at least replicas - maxUnavailable stay available, as its RollingUpdate strategy does.
void World::eks_reconcile_deployment(std::uint32_t c, std::uint32_t w) {
  EksRuntime& rt = eks_[c];
  for (;;) {
    EksWorkload& wl = rt.workloads[w];
    const std::int64_t replicas = wl.replicas;
    const auto all = static_cast<std::int64_t>(wl.pods.size());
    const bool rolling = wl.rolling_out();
    if (wl.old_pods == 0) {
      // A pod the namespace's quota refuses stops the creations until the namespace frees.
      for (std::int64_t k = all; k < replicas && !rt.workloads[w].quota_blocked; ++k)
        if (!eks_create_pod(c, w)) break;
      // Fewer replicas: the pods not running go first, then the newest.
      for (std::int64_t k = replicas; k < all; ++k) {
        const std::vector<PodIndex>& pods = rt.workloads[w].pods;
        const auto idle = std::find_if(pods.begin(), pods.end(),
                                       [&](PodIndex p) { return !pods_[p].serving; });
        eks_finish(idle != pods.end() ? *idle : pods.back(), Outcome::kCompleted);
      }
      EksWorkload& done = rt.workloads[w];
      if (rolling && std::all_of(done.pods.begin(), done.pods.end(),
                                 [&](PodIndex p) { return pods_[p].serving; }) &&
          static_cast<std::int64_t>(done.pods.size()) == replicas) {
        done.rollouts.back().state = kRolloutCompleted;
        done.rollouts.back().finished = sim_.now();
      }
      return;
    }
    std::int64_t fresh = 0, fresh_available = 0, available = 0;
    std::vector<PodIndex> old_idle, old_serving;
    for (const PodIndex p : wl.pods) {
      const bool serving = pods_[p].serving;
      available += serving ? 1 : 0;
      if (pods_[p].revision == wl.revision) {
        ++fresh;
        fresh_available += serving ? 1 : 0;
      } else {
        (serving ? old_serving : old_idle).push_back(p);
      }
    }
    const eks::RollingLimits limits = eks::rolling_limits(*wl.deployment, replicas);
    std::int64_t up = 0;
    const std::int64_t want = std::min(replicas + limits.max_surge - all, replicas - fresh);
    while (up < want && !rt.workloads[w].quota_blocked && eks_create_pod(c, w)) ++up;
    const std::int64_t min_available = replicas - limits.max_unavailable;
    std::int64_t down = all + up - min_available - (fresh + up - fresh_available);
    bool changed = up > 0;
    for (const PodIndex p : old_idle) {
      if (down <= 0) break;
      eks_finish(p, Outcome::kCompleted);
      --down;
      changed = true;
    }
    std::int64_t spare = std::min(down, available - min_available);
    for (const PodIndex p : old_serving) {
      if (spare <= 0) break;
      eks_finish(p, Outcome::kCompleted);
      --spare;
      changed = true;
    }
    if (!changed) return;
  }
}

// A new revision of a Deployment (kubectl rollout restart, or a changed template): its pods
// replace the old ones by the Deployment's strategy.
void World::eks_rollout(std::uint32_t c, const scenario::EksOperation& op) {
  EksRuntime& rt = eks_[c];
  const eks::Deployment* d = &rt.config->manifests.deployments[op.deployment];
  std::uint32_t w = 0;
  while (rt.workloads[w].deployment != d) ++w;
  EksWorkload& wl = rt.workloads[w];
  ++wl.revision;
  wl.broken = op.broken;
  wl.old_pods = static_cast<std::int64_t>(wl.pods.size());
  if (op.replicas) {
    wl.replicas = *op.replicas;
    wl.measure.desired = *op.replicas;
    observe(wl.measure);
  }
  if (op.cpu_millis || op.memory_bytes) {
    if (op.cpu_millis) wl.description.spec.requests.cpu_millis = *op.cpu_millis;
    if (op.memory_bytes) wl.description.spec.requests.memory_bytes = *op.memory_bytes;
    wl.cls = rt.scheduler.add_pod_class(wl.description);
    wl.requests = wl.description.spec.requests;
  }
  wl.revision_requests.push_back(wl.requests);
  // A rollout still in progress is superseded (STOPPED, as ECS says of a replaced deployment).
  if (wl.rolling_out()) {
    DeploymentResult& previous = wl.rollouts.back();
    previous.state = kRolloutStopped;
    previous.finished = sim_.now();
    if (sim_.now() - wl.last_progress >= kProgressDeadline) previous.stuck_since = wl.last_progress;
  }
  DeploymentResult& r = wl.rollouts.emplace_back();
  r.trigger = fmt::format("rollout at {}", format_duration(sim_.now() - kSimStart));
  r.started = sim_.now();
  r.state = kRolloutInProgress;
  wl.last_progress = sim_.now();
  eks_reconcile(c);
}

// ResourceQuota admission: the namespace's pods with this one stay within every hard limit, and
// a quota on requests.cpu or requests.memory refuses a pod that does not request it ("must
// specify requests.cpu"). Admitted pods are counted at once (their creation's turn in the API
// queue holds their place).
bool World::eks_admit(EksRuntime& rt, EksWorkload& wl) {
  EksNamespace& ns = rt.namespaces[wl.name_space];
  const QuotaAmounts with{ns.used.pods + 1, ns.used.cpu_millis + wl.requests.cpu_millis,
                          ns.used.memory_bytes + wl.requests.memory_bytes};
  const auto within = [](const std::optional<std::int64_t>& hard, std::int64_t v, std::int64_t asked) {
    return !hard || (v <= *hard && asked > 0);
  };
  const bool admitted = (!ns.hard_pods || with.pods <= *ns.hard_pods) &&
                        within(ns.hard_cpu_millis, with.cpu_millis, wl.requests.cpu_millis) &&
                        within(ns.hard_memory_bytes, with.memory_bytes, wl.requests.memory_bytes);
  if (!admitted) {
    ++ns.rejections;
    wl.quota_blocked = true;
    return false;
  }
  ns.used = with;
  ns.peak = {std::max(ns.peak.pods, with.pods), std::max(ns.peak.cpu_millis, with.cpu_millis),
             std::max(ns.peak.memory_bytes, with.memory_bytes)};
  return true;
}

// A controller creates a pod: admitted against the quotas, then stored when the API servers
// get to it, and only then queued for scheduling. False when a quota refused it.
bool World::eks_create_pod(std::uint32_t c, std::uint32_t w, std::uint32_t target) {
  EksRuntime& rt = eks_[c];
  EksWorkload& wl = rt.workloads[w];
  if (!eks_admit(rt, wl)) return false;
  eks::PodClassId cls = wl.cls;
  if (target != kUnset) {
    if (wl.node_cls.size() <= target) wl.node_cls.resize(target + 1, kUnset);
    if (wl.node_cls[target] == kUnset) {
      eks::PodDescription d = wl.description;
      d.spec.node_name = rt.scheduler.nodes().name(rt.nodes[target].node);
      wl.node_cls[target] = rt.scheduler.add_pod_class(d);
    }
    cls = wl.node_cls[target];
  }
  const auto p = static_cast<PodIndex>(pods_.size());
  PodRecord& pod = pods_.emplace_back();
  pod.cluster = c;
  pod.workload = w;
  pod.cls = cls;
  pod.target = target;
  pod.sequence = pod_sequence_++;
  pod.created = sim_.now();
  pod.revision = wl.revision;
  pod.never_ready = wl.broken;
  if (wl.kind == EksWorkload::Kind::kStatefulSet) {
    // The lowest ordinal not in use: a replacement keeps the name of the pod it replaces.
    std::vector<std::uint8_t> used(wl.pods.size() + 1, 0);
    for (const PodIndex q : wl.pods)
      if (pods_[q].ordinal < used.size()) used[pods_[q].ordinal] = 1;
    pod.ordinal = static_cast<std::uint32_t>(std::find(used.begin(), used.end(), 0) - used.begin());
  } else {
    pod.ordinal = wl.created;
  }
  ++wl.created;
  wl.pods.push_back(p);
  const std::vector<std::uint32_t>& budgets = rt.budgets_of_workload[w];
  pod_budget_.push_back(budgets.empty() ? eks::kNoBudget : budgets.front());
  ++wl.measure.result.tasks.submitted;
  ++eks_pending_;
  const SimTime stored = api_request(rt.api, sim_.now());
  if (rt.api.interval == SimDuration{}) eks_enqueue(p);
  else pod.started = sim_.schedule_at(stored, kEksPodCreated, p);
  return true;
}

// --- the scheduling queue -------------------------------------------------------------------------

void World::eks_enqueue(PodIndex p) {
  PodRecord& pod = pods_[p];
  if (pod.queued) return;
  pod.queued = true;
  EksRuntime& rt = eks_[pod.cluster];
  rt.active.emplace(-static_cast<std::int64_t>(rt.scheduler.priority(pod.cls)), pod.sequence, p);
  eks_kick(pod.cluster);
}

void World::eks_kick(std::uint32_t c) {
  EksRuntime& rt = eks_[c];
  if (rt.cycle_scheduled || !rt.control_plane.quorum()) return;
  rt.cycle_scheduled = true;
  sim_.schedule_in(SimDuration{}, kEksCycle, c);
}

// One scheduling cycle: the queued pod of highest priority, oldest first.
void World::eks_cycle(std::uint32_t c) {
  EksRuntime& rt = eks_[c];
  rt.cycle_scheduled = false;
  if (!rt.control_plane.quorum()) return;
  if (rt.active.empty()) return;
  const PodIndex best = std::get<2>(*rt.active.begin());
  rt.active.erase(rt.active.begin());
  PodRecord& pod = pods_[best];
  pod.queued = false;
  const eks::PodClassId cls = pod.cls;
  // Explaining leaves the scheduler's stream as it was: the run is the same with or without.
  ExplainResult* explained = nullptr;
  eks::NodeIndex explained_choice = eks::kNoNode;
  if (explaining_ && eks_explain_wanted(best)) {
    const eks::Explanation why = rt.scheduler.explain(cls);
    explained_choice = why.chosen;
    explanation_ = eks_explanation(best, why);
    explaining_ = false;
    explained = &*explanation_;
    if (options_.explain->stop_once_explained) sim_.stop();  // after this cycle's changes
  }
  const eks::ScheduleResult r = rt.scheduler.schedule(cls);
  ECSIM_ASSERT(!explained || explained_choice == r.node,
               "the explanation chooses the node the scheduler picks");
  if (r.node != eks::kNoNode) {
    std::uint32_t n = 0;
    while (rt.nodes[n].node != r.node || !rt.nodes[n].present) ++n;
    eks_bind(best, n);
    if (explained) {
      explained->outcome = ExplainOutcome::kBound;
      explained->node = rt.scheduler.nodes().name(r.node);
    }
  } else if (const std::optional<eks::PreemptionResult> pre =
                 rt.scheduler.preempt(cls, eks_budgets(c));
             pre && !pre->victims.empty()) {
    if (explained) {
      explained->outcome = ExplainOutcome::kPreempting;
      explained->node = rt.scheduler.nodes().name(pre->node);
      for (const TaskId v : pre->victims) {
        const auto q = static_cast<PodIndex>(v.value());
        explained->victims.push_back(fmt::format(
            "{}/{}", eks_[pods_[q].cluster].workloads[pods_[q].workload].description.name_space,
            eks_pod_name(q)));
      }
    }
    // The victims are evicted (their controllers recreate them); the preemptor tries again.
    for (const TaskId v : pre->victims) eks_finish(static_cast<PodIndex>(v.value()), Outcome::kEvicted);
    eks_enqueue(best);
    eks_reconcile(c);
  } else {
    PodRecord& waiting = pods_[best];
    const SimDuration backoff =
        std::min<SimDuration>(kMaxBackoff, kInitialBackoff * (std::int64_t{1} << std::min<std::uint32_t>(waiting.attempts, 4)));
    ++waiting.attempts;
    waiting.backoff_until = sim_.now() + backoff;
    rt.unschedulable.push_back(best);
  }
  eks_kick(c);
}

// The budgets as preemption reads them: what each of cluster `c`'s allows now, and each pod's.
eks::DisruptionBudgets World::eks_budgets(std::uint32_t c) {
  const EksRuntime& rt = eks_[c];
  scratch_allowed_.clear();
  for (std::uint32_t b = 0; b < rt.workloads_of_budget.size(); ++b)
    scratch_allowed_.push_back(static_cast<std::int32_t>(
        std::min<std::int64_t>(eks_disruptions_allowed(c, b), std::numeric_limits<std::int32_t>::max())));
  return eks::DisruptionBudgets{scratch_allowed_, pod_budget_};
}

// Something that could help happened: unschedulable pods go back to the queue once their
// back-off is over.
void World::eks_retry_unschedulable(std::uint32_t c) {
  EksRuntime& rt = eks_[c];
  const std::vector<PodIndex> waiting = std::exchange(rt.unschedulable, {});
  for (const PodIndex p : waiting) {
    PodRecord& pod = pods_[p];
    if (pod.state != PodState::kPending) continue;
    if (pod.backoff_until <= sim_.now()) eks_enqueue(p);
    else sim_.schedule_at(pod.backoff_until, kEksBackoffDone, p);
  }
}

// --- pod life --------------------------------------------------------------------------------------

void World::eks_bind(PodIndex p, std::uint32_t n) {
  PodRecord& pod = pods_[p];
  EksRuntime& rt = eks_[pod.cluster];
  rt.scheduler.bind(TaskId{p}, pod.cls, rt.nodes[n].node);
  pod.node = n;
  eks_count_busy(p, 1);
  pod.state = PodState::kStarting;
  // The kubelet starts the pod once the binding is stored.
  const SimTime bound = api_request(rt.api, sim_.now());
  if (pod.never_ready) return;  // ImagePullBackOff or CrashLoopBackOff: never RUNNING
  pod.started = sim_.schedule_at(bound + platform::sample(kPodStartLatency, rt.start_latency),
                                 kEksPodStarted, p);
}

void World::eks_started(PodIndex p) {
  PodRecord& pod = pods_[p];
  ECSIM_ASSERT(pod.state == PodState::kStarting, "only a bound pod starts");
  EksRuntime& rt = eks_[pod.cluster];
  EksWorkload& wl = rt.workloads[pod.workload];
  pod.state = PodState::kRunning;
  --eks_pending_;
  ++eks_running_;
  ++wl.measure.result.tasks.started;
  const double waited = to_seconds(sim_.now() - pod.created);
  all_wait_.add(waited);
  wl.measure.wait.add(waited);
  if (rt.nodes[pod.node].reachable) eks_set_serving(p, true);
  if (pod.duration != kUntilStopped) pod.started = sim_.schedule_in(pod.duration, kEksPodComplete, p);
  if (pod.revision == wl.revision) wl.last_progress = sim_.now();
  // The next StatefulSet pod, or a rollout's next step (old pods are left only while one runs).
  if (wl.kind == EksWorkload::Kind::kStatefulSet) eks_reconcile(pod.cluster);
  else if (wl.rolling_out()) eks_reconcile_deployment(pod.cluster, pod.workload);
}

void World::eks_set_serving(PodIndex p, bool serving) {
  PodRecord& pod = pods_[p];
  if (pod.serving == serving) return;
  pod.serving = serving;
  EksRuntime& rt = eks_[pod.cluster];
  ServiceRuntime& m = rt.workloads[pod.workload].measure;
  const std::int64_t delta = serving ? 1 : -1;
  m.running += delta;
  m.running_by_az[rt.nodes[pod.node].az.value()] += delta;
  observe(m);
}

void World::eks_finish(PodIndex p, Outcome outcome) {
  PodRecord& pod = pods_[p];
  ECSIM_ASSERT(pod.state != PodState::kStopped, "a pod stops once");
  EksRuntime& rt = eks_[pod.cluster];
  EksWorkload& wl = rt.workloads[pod.workload];
  eks_set_serving(p, false);
  if (pod.state == PodState::kRunning) --eks_running_;
  else --eks_pending_;
  // Its creation, start or completion, whichever is still due (a no-op for the one running now).
  sim_.cancel(pod.started);
  if (pod.node != kUnset) {
    rt.scheduler.unbind(TaskId{p});
    eks_count_busy(p, -1);
  }
  if (pod.queued)
    rt.active.erase({-static_cast<std::int64_t>(rt.scheduler.priority(pod.cls)), pod.sequence, p});
  pod.state = PodState::kStopped;
  pod.queued = false;
  TaskCounts& counts = wl.measure.result.tasks;
  switch (outcome) {
    case Outcome::kCompleted: ++counts.completed; break;
    case Outcome::kFailed: ++counts.failed; break;
    case Outcome::kEvicted: ++counts.evicted; break;
  }
  wl.pods.erase(std::find(wl.pods.begin(), wl.pods.end(), p));
  if (wl.kind == EksWorkload::Kind::kDeployment && pod.revision != wl.revision) {
    --wl.old_pods;
    wl.last_progress = sim_.now();
  }
  // An eviction or deletion takes effect at once and takes its turn in the API queue.
  if (outcome != Outcome::kCompleted && rt.control_plane.quorum())
    (void)api_request(rt.api, sim_.now());
  // The namespace's quota usage drops: controllers it refused try again.
  EksNamespace& ns = rt.namespaces[wl.name_space];
  ns.used.pods -= 1;
  const eks::Resources& asked = pod_requests(wl, pod);
  ns.used.cpu_millis -= asked.cpu_millis;
  ns.used.memory_bytes -= asked.memory_bytes;
  for (const std::uint32_t other : ns.workloads) rt.workloads[other].quota_blocked = false;
  if (wl.kind == EksWorkload::Kind::kJob) {
    EksWorkload::JobRun& run = wl.runs[pod.run];
    if (outcome == Outcome::kCompleted) ++run.succeeded;
    else if (++run.failures > wl.job_object->backoff_limit) run.failed = true;
  }
  // A pod removed may let an unschedulable one fit.
  eks_retry_unschedulable(pod.cluster);
}

// --- node lifecycle --------------------------------------------------------------------------------

void World::eks_not_ready(std::uint32_t c, std::uint32_t n, std::uint64_t generation) {
  EksRuntime& rt = eks_[c];
  EksNode& node = rt.nodes[n];
  if (!node.present || node.reachable || (node.generation & 0xffffffff) != generation) return;
  node.ready = false;
  rt.scheduler.set_ready(node.node, false);
  for (const TaskId pod : rt.scheduler.pods_on(node.node)) {
    const PodIndex p = static_cast<PodIndex>(pod.value());
    const SimDuration toleration = rt.workloads[pods_[p].workload].toleration;
    if (toleration == kUntilStopped) continue;
    sim_.schedule_in(toleration, kEksEvict, p, node.generation);
  }
  eks_reconcile(c);  // the not-ready taint makes the node ineligible for DaemonSets
}

void World::eks_evict_expired(PodIndex p) {
  PodRecord& pod = pods_[p];
  if (pod.state == PodState::kStopped || pod.node == kUnset) return;
  EksRuntime& rt = eks_[pod.cluster];
  const EksNode& node = rt.nodes[pod.node];
  if (node.ready) return;  // the node came back in time
  if (!rt.control_plane.quorum()) {
    rt.deferred_evictions.push_back(p);
    return;
  }
  const std::uint32_t c = pod.cluster;
  eks_finish(p, Outcome::kEvicted);
  eks_reconcile(c);
  eks_kick(c);
}

// --- results -----------------------------------------------------------------------------------------

void World::eks_results(ReplicationResult& r) {
  eks_operation_results(r);
  r.explanation = explanation_;
  for (EksRuntime& rt : eks_) {
    ControlPlaneResult& cp = r.control_plane.emplace_back();
    cp.cluster = rt.config->name;
    cp.api_available_fraction = rt.control_plane.api_available_fraction(r.end);
    cp.etcd_quorum_lost_seconds = rt.control_plane.quorum_lost_seconds(r.end);
    cp.api_mutating_requests = rt.api.requests;
    cp.api_queue_mean_seconds =
        rt.api.requests == 0 ? 0.0 : to_seconds(rt.api.total_wait) / static_cast<double>(rt.api.requests);
    cp.api_queue_max_seconds = to_seconds(rt.api.max_wait);
    for (const EksNamespace& ns : rt.namespaces) {
      cp.quota_rejections += ns.rejections;
      r.namespaces.push_back(NamespaceResult{rt.config->name, ns.name, ns.used, ns.peak,
                                             ns.hard_pods, ns.hard_cpu_millis,
                                             ns.hard_memory_bytes, ns.rejections});
    }
    r.eks_nodes.push_back(EksNodesResult{
        rt.config->name,
        std::count_if(rt.nodes.begin(), rt.nodes.end(), [](const EksNode& n) { return n.present; }),
        rt.busy_nodes, rt.busy_gauge.mean(r.end), static_cast<std::int64_t>(rt.busy_gauge.max())});
    for (EksWorkload& wl : rt.workloads) {
      if (wl.kind == EksWorkload::Kind::kJob) {
        JobResult j{rt.config->name, wl.measure.result.name, wl.measure.result.tasks,
                    wait_of(wl.measure.wait), {}};
        for (const PodIndex p : wl.pods) {
          if (pods_[p].state == PodState::kRunning) ++j.tasks.running_at_end;
          else ++j.tasks.pending_at_end;
        }
        r.jobs.push_back(std::move(j));
        continue;
      }
      ServiceResult s = service_result(wl.measure, r.end);
      s.deployments = wl.rollouts;
      // progressDeadlineSeconds (600 s) without progress: ProgressDeadlineExceeded.
      for (DeploymentResult& d : s.deployments)
        if (d.state == kRolloutInProgress && r.end - wl.last_progress >= kProgressDeadline)
          d.stuck_since = wl.last_progress;
      for (const PodIndex p : wl.pods) {
        if (pods_[p].state == PodState::kRunning) ++s.tasks.running_at_end;
        else ++s.tasks.pending_at_end;
      }
      r.services.push_back(std::move(s));
    }
  }
}

// The self-checks of the EKS clusters: the pending and running counts, and each namespace's
// quota usage, against the pods themselves.
void World::eks_check_invariants() const {
  std::uint64_t pending = 0, running = 0;
  std::vector<std::vector<QuotaAmounts>> used(eks_.size());
  for (std::size_t c = 0; c < eks_.size(); ++c) used[c].resize(eks_[c].namespaces.size());
  for (const PodRecord& pod : pods_) {
    if (pod.state == PodState::kStopped) continue;
    ++(pod.state == PodState::kRunning ? running : pending);
    const EksWorkload& wl = eks_[pod.cluster].workloads[pod.workload];
    QuotaAmounts& u = used[pod.cluster][wl.name_space];
    const eks::Resources& asked = pod_requests(wl, pod);
    ++u.pods;
    u.cpu_millis += asked.cpu_millis;
    u.memory_bytes += asked.memory_bytes;
  }
  if (pending != eks_pending_ || running != eks_running_)
    check_failed(fmt::format("self-check failed: pods counted {}/{} (pending/running) but tracked "
                             "{}/{}",
                             pending, running, eks_pending_, eks_running_));
  for (std::size_t c = 0; c < eks_.size(); ++c) {
    for (std::size_t n = 0; n < eks_[c].namespaces.size(); ++n) {
      const EksNamespace& ns = eks_[c].namespaces[n];
      if (!(ns.used == used[c][n]))
        check_failed(fmt::format(
            "self-check failed: namespace {} of cluster {} holds {} pods, {}m CPU, {} bytes but "
            "counts {}, {}m, {}",
            ns.name, eks_[c].config->name, used[c][n].pods,
            used[c][n].cpu_millis, used[c][n].memory_bytes, ns.used.pods, ns.used.cpu_millis,
            ns.used.memory_bytes));
    }
  }
}

void World::eks_totals(TaskCounts& all) const {
  for (const EksRuntime& rt : eks_) {
    for (const EksWorkload& wl : rt.workloads) {
      const TaskCounts& c = wl.measure.result.tasks;
      all.submitted += c.submitted;
      all.started += c.started;
      all.completed += c.completed;
      all.failed += c.failed;
      all.evicted += c.evicted;
    }
  }
  all.running_at_end += eks_running_;
  all.pending_at_end += eks_pending_;
}

}  // namespace ecsim::engine::detail
