// The EKS runtime: nodes from the node groups' instances, the controllers of
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

#include "ecsim/eks/runtime.hpp"

#include "ecsim/eks/disruption.hpp"
#include "ecsim/eks/fargate.hpp"
#include "ecsim/platform/catalog.hpp"
#include "ecsim/sim/assert.hpp"

namespace ecsim::eks {

namespace {

/// Kubernetes' scheduling back-off: 1 s for the first failure, doubling, at most 10 s.
constexpr SimDuration kInitialBackoff = std::chrono::seconds(1);
constexpr SimDuration kMaxBackoff = std::chrono::seconds(10);
/// Assumed time from binding to RUNNING (image pull, container start): lognormal, median 5 s.
constexpr platform::LaunchLatency kPodStartLatency{std::chrono::seconds(5), 0.3};

/// A Deployment's progressDeadlineSeconds (Kubernetes' default): a rollout without progress
/// for that long is reported stuck (ProgressDeadlineExceeded).
constexpr SimDuration kProgressDeadline = std::chrono::seconds(600);

/// The PriorityClass of a pod: the one it names, or the global default when it names none;
/// nullptr when there is none (priority 0, may preempt).
const PriorityClass* priority_class_of(const Manifests& m, const PodSpec& spec) {
  for (const PriorityClass& pc : m.priority_classes)
    if (spec.priority_class_name.empty() ? pc.global_default : pc.name == spec.priority_class_name)
      return &pc;
  return nullptr;
}

/// How long a pod stays on a NotReady or unreachable node: its own toleration of those taints
/// when it has one (none: forever), else the admission plugin's default.
SimDuration toleration_of(const PodSpec& spec, SimDuration fallback, bool daemon) {
  if (daemon) return kUntilStopped;
  // The NoExecute taint of an ecsim NotReady node is the unreachable one (Ready Unknown): a
  // toleration of not-ready alone does not cover it, and then DefaultTolerationSeconds adds its
  // own (`fallback`) for unreachable, as it does for each of the two keys a pod leaves out.
  for (const Toleration& t : spec.tolerations) {
    const bool matches =
        (t.key.empty() && t.op == TolerationOperator::kExists) || t.key == kUnreachableTaintKey;
    if (!matches) continue;
    if (t.effect && *t.effect != TaintEffect::kNoExecute) continue;
    return t.toleration_seconds ? *t.toleration_seconds : kUntilStopped;
  }
  return fallback;
}

/// The workload's kind as Kubernetes names it.
std::string_view kind_name(WorkloadState::Kind kind) {
  switch (kind) {
    case WorkloadState::Kind::kDeployment: return "Deployment";
    case WorkloadState::Kind::kStatefulSet: return "StatefulSet";
    case WorkloadState::Kind::kDaemonSet: return "DaemonSet";
    case WorkloadState::Kind::kJob: return "Job";
    case WorkloadState::Kind::kPod: return "Pod";
  }
  return "";
}

/// The profile's weight of each score plugin, in kScorePlugins order.
std::vector<std::int64_t> score_weights(const Profile& p) {
  return {p.taint_toleration_weight,   p.node_affinity_weight,      p.pod_topology_spread_weight,
          p.inter_pod_affinity_weight, p.node_resources_fit_weight, p.balanced_allocation_weight};
}

/// The tolerations the DaemonSet controller adds to its pods (AddOrUpdateDaemonPodTolerations;
/// network-unavailable is added only to hostNetwork pods, which ecsim does not read).
void add_daemon_tolerations(std::vector<Toleration>& tolerations) {
  const auto add = [&](std::string_view key, TaintEffect effect) {
    tolerations.push_back({std::string(key), TolerationOperator::kExists, "", effect, std::nullopt});
  };
  add(kNotReadyTaintKey, TaintEffect::kNoExecute);
  add(kUnreachableTaintKey, TaintEffect::kNoExecute);
  add("node.kubernetes.io/disk-pressure", TaintEffect::kNoSchedule);
  add("node.kubernetes.io/memory-pressure", TaintEffect::kNoSchedule);
  add("node.kubernetes.io/pid-pressure", TaintEffect::kNoSchedule);
  add(kUnschedulableTaintKey, TaintEffect::kNoSchedule);
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

/// The cluster an event's target names (kCycle, kJobArrival, kOperation, ...).
ClusterId cluster_target(const Event& e) {
  return ClusterId{static_cast<ClusterId::rep_type>(e.target)};
}

/// The pod an event's target names (kPodStarted, kBackoffDone, kEvict, ...).
TaskId pod_target(const Event& e) { return TaskId{e.target}; }

/// The cluster's namespaces, by name: those of its workloads and of its quotas, with the
/// tightest hard limits of every quota of each.
std::vector<NamespaceState> namespaces_of(const ClusterSpec& cc) {
  const Manifests& m = cc.manifests;
  std::set<std::string> names;
  for (const Deployment& d : m.deployments) names.insert(d.meta.name_space);
  for (const StatefulSet& d : m.stateful_sets) names.insert(d.meta.name_space);
  for (const DaemonSet& d : m.daemon_sets) names.insert(d.meta.name_space);
  for (const Pod& p : m.pods) names.insert(p.meta.name_space);
  for (const JobSpec& j : cc.jobs) names.insert(m.jobs[j.job].meta.name_space);
  for (const ResourceQuota& q : m.quotas) names.insert(q.meta.name_space);
  for (const ResourceQuota& q : cc.quotas) names.insert(q.meta.name_space);
  std::vector<NamespaceState> out;
  for (const std::string& name : names) out.emplace_back().name = name;
  const auto add = [&](const ResourceQuota& q) {
    NamespaceState& ns = *std::find_if(out.begin(), out.end(), [&](const NamespaceState& n) {
      return n.name == q.meta.name_space;
    });
    if (!q.scopes.empty()) {
      ns.scoped.push_back(ScopedQuota{&q, {}});
      return;
    }
    tighten(ns.hard_pods, q.pods);
    tighten(ns.hard_cpu_millis, q.requests_cpu_millis);
    tighten(ns.hard_memory_bytes, q.requests_memory_bytes);
  };
  for (const ResourceQuota& q : m.quotas) add(q);
  for (const ResourceQuota& q : cc.quotas) add(q);
  return out;
}

}  // namespace

// --- setup ------------------------------------------------------------------------------------

Runtime::Runtime(std::span<const ClusterSpec> clusters, Context context)
    : specs_(clusters),
      sim_(context.sim),
      platform_(context.platform),
      platform_config_(context.platform_config),
      cost_(context.cost),
      all_wait_(context.all_wait),
      horizon_(context.horizon),
      explain_(context.explain) {}

void Runtime::start(const RandomStreams& streams) {
  cluster_of_group_.assign(platform_config_.groups.size(), ClusterId::invalid());
  ECSIM_ASSERT(specs_.size() <= std::numeric_limits<ClusterId::rep_type>::max(),
               "at most 65535 EKS clusters (what a ClusterId can name)");
  std::vector<AzId> zones;
  for (std::size_t z = 0; z < platform_config_.azs.size(); ++z)
    zones.push_back(AzId{static_cast<AzId::rep_type>(z)});
  const std::size_t n_zones = zones.size();
  zone_generation_.assign(n_zones, 0);
  zone_down_.assign(n_zones, false);
  zone_changed_.assign(n_zones, false);
  for (const ClusterSpec& cc : specs_) {
    const ClusterId c = clusters_.next_id();
    std::vector<Profile> profiles;
    if (auto p = builtin_profile(cc.scheduler.profile)) profiles.push_back(*p);
    else profiles.emplace_back();
    if (cc.scheduler.percentage_of_nodes_to_score)
      profiles.back().percentage_of_nodes_to_score = *cc.scheduler.percentage_of_nodes_to_score;
    ClusterState& rt = clusters_.emplace_back(
        &cc, Scheduler(streams.stream(fmt::format("eks/{}/scheduler", cc.name)), profiles),
        ControlPlane(default_layout(zones), kSimStart),
        streams.stream(fmt::format("eks/{}/pod_start", cc.name)));
    rt.namespaces = namespaces_of(cc);
    rt.fargate_rng = streams.stream(fmt::format("eks/{}/fargate", cc.name));
    rt.fargate_by_az.assign(n_zones, 0);
    for (const AzId z : zones)
      if (cc.config.azs.empty() ||
          std::find(cc.config.azs.begin(), cc.config.azs.end(),
                    platform_config_.azs[z.value()]) != cc.config.azs.end())
        rt.fargate_zones.push_back(z);
    if (cc.api_mutating_rps) {
      rt.api.interval = std::max(SimDuration{1}, from_seconds(1.0 / *cc.api_mutating_rps));
    }
    for (const GroupId g : cc.groups) cluster_of_group_[g] = c;
    for (const GroupId g : cc.pool_groups) cluster_of_group_[g] = c;
    const Manifests& m = cc.manifests;
    auto add = [&](WorkloadState::Kind kind, const ObjectMeta& meta, const PodTemplate& pod,
                   std::int32_t replicas, std::optional<LabelSelector> selector) {
      const ServiceId id = rt.workloads.next_id();
      WorkloadState& w = rt.workloads.emplace_back();
      w.kind = kind;
      w.pod = &pod;
      w.replicas = replicas;
      PodDescription d;
      d.name_space = meta.name_space;
      d.labels = pod.labels;
      d.spec = pod.spec;
      if (kind == WorkloadState::Kind::kDaemonSet) add_daemon_tolerations(d.spec.tolerations);
      const auto ns = std::find_if(rt.namespaces.begin(), rt.namespaces.end(),
                                   [&](const NamespaceState& n) { return n.name == meta.name_space; });
      w.name_space = static_cast<std::uint32_t>(ns - rt.namespaces.begin());
      ns->workloads.push_back(id);
      for (std::uint32_t q = 0; q < ns->scoped.size(); ++q)
        if (quota_selects(*ns->scoped[q].quota, pod.spec)) w.scoped_quotas.push_back(q);
      w.requests = pod.spec.requests;
      const PriorityClass* pc = priority_class_of(m, pod.spec);
      d.priority = pc ? pc->value : 0;
      d.preempt_lower_priority = pc ? pc->preempt_lower_priority : true;
      d.owner_selector = std::move(selector);
      w.cls = rt.scheduler.add_pod_class(d);
      w.description = std::move(d);
      w.toleration =
          toleration_of(pod.spec, cc.default_toleration, kind == WorkloadState::Kind::kDaemonSet);
      w.name = meta.name;
      w.measure.running_by_az.assign(n_zones, 0);
      w.measure.desired = kind == WorkloadState::Kind::kDaemonSet ? 0 : replicas;
      if (const auto fp = fargate_profile_for(cc.config.fargate_profiles, meta.name_space, pod,
                                              kind == WorkloadState::Kind::kDaemonSet)) {
        w.fargate_profile = static_cast<std::uint32_t>(*fp);
        rt.has_fargate = true;
        w.fargate_by_az.assign(n_zones, 0);
      }
      return id;
    };
    for (const Deployment& d : m.deployments) {
      const ServiceId id =
          add(WorkloadState::Kind::kDeployment, d.meta, d.pod, d.replicas, d.selector);
      WorkloadState& w = rt.workloads[id];
      w.deployment = &d;
      w.revision_requests.push_back(w.requests);
    }
    for (const StatefulSet& s : m.stateful_sets)
      add(WorkloadState::Kind::kStatefulSet, s.meta, s.pod, s.replicas, s.selector);
    for (const DaemonSet& d : m.daemon_sets)
      add(WorkloadState::Kind::kDaemonSet, d.meta, d.pod, 0, d.selector);
    // Bare pods: no owner, so no default spreading with others.
    for (const Pod& pod : m.pods) add(WorkloadState::Kind::kPod, pod.meta, pod.pod, 1, std::nullopt);
    // Jobs: no owner selector (the default spreading is for the other controllers' pods).
    for (const JobSpec& jc : cc.jobs) {
      const Job& job = m.jobs[jc.job];
      const ServiceId wi = add(WorkloadState::Kind::kJob, job.meta, job.pod, 0, std::nullopt);
      WorkloadState& w = rt.workloads[wi];
      w.job = &jc;
      w.job_object = &job;
      const std::string stream = fmt::format("eks/{}/job/{}/{}", cc.name, jc.name_space, jc.name);
      w.arrival_stream = streams.stream(stream + "/arrivals");
      w.duration_stream = streams.stream(stream + "/durations");
      w.failure_stream = streams.stream(stream + "/failures");
      if (job.cron) {
        // A CronJob: a Job at each time of its schedule after its creation at 0, unless
        // suspended.
        const SimTime first = workload::next_cron_time(job.cron->schedule, kSimStart);
        if (!job.cron->suspend && first <= horizon_)
          sim_.schedule_at(first, kJobArrival, c.value(), wi.value());
      } else if (!jc.arrivals) {
        sim_.schedule_at(kSimStart, kJobArrival, c.value(), wi.value());
      } else {
        w.arrivals.emplace(*jc.arrivals);
        if (const auto a = w.arrivals->next(w.arrival_stream); a && a->at <= horizon_)
          sim_.schedule_at(a->at, kJobArrival, c.value(), wi.value());
      }
    }
  }
  resolve_explain();
  for (const ClusterId c : clusters_.ids()) {
    link_budgets(c);
    schedule_operations(c, streams);
    start_loads(c);
    clusters_[c].node_autoscaler = clusters_[c].config->cluster_autoscaler.has_value();
    clusters_[c].provisioner = !clusters_[c].config->manifests.node_pools.empty();
    ECSIM_ASSERT(!clusters_[c].provisioner || provisioner_, "Karpenter is set before the runtime starts");
    reconcile(c);
  }
}

// --- pod names and explanations -------------------------------------------------------------

void Runtime::link(WorkloadState& wl, TaskId p) {
  PodRecord& pod = pods_[p];
  pod.prev = wl.pods.tail;
  pod.next = TaskId::invalid();
  if (wl.pods.tail.valid()) pods_[wl.pods.tail].next = p;
  else wl.pods.head = p;
  wl.pods.tail = p;
  ++wl.pods.size;
  if (wl.hpa_target)
    hpa_file(wl, p, pod.state != PodState::kRunning ? HpaPodState::kPending
                    : pod.serving                   ? HpaPodState::kRecent
                                                    : HpaPodState::kUnready);
}

void Runtime::unlink(WorkloadState& wl, TaskId p) {
  PodRecord& pod = pods_[p];
  if (pod.prev.valid()) pods_[pod.prev].next = pod.next;
  else wl.pods.head = pod.next;
  if (pod.next.valid()) pods_[pod.next].prev = pod.prev;
  else wl.pods.tail = pod.prev;
  pod.prev = pod.next = TaskId::invalid();
  --wl.pods.size;
  if (pod.hpa != HpaPodState::kNone) hpa_file(wl, p, HpaPodState::kNone);
}

// Built on demand, so that no pod holds a string.
std::string Runtime::pod_name(TaskId p) const {
  const PodRecord& pod = pods_[p];
  const WorkloadState& wl = clusters_[pod.cluster].workloads[pod.workload];
  if (wl.kind == WorkloadState::Kind::kPod) return wl.name;  // a bare pod has its own name
  return fmt::format("{}-{}", wl.name, pod.ordinal);
}

// The workloads (and ordinals) the explain request's pod name can mean: `NAME` or
// `NAMESPACE/NAME`, NAME a workload's or one of its pods' (`<workload>-<ordinal>`).
void Runtime::resolve_explain() {
  if (!explain_) return;
  const ExplainRequest& q = *explain_;
  std::string_view name = q.pod;
  std::string_view name_space;
  if (const std::size_t slash = name.find('/'); slash != std::string_view::npos) {
    name_space = name.substr(0, slash);
    name = name.substr(slash + 1);
  }
  for (const ClusterId c : clusters_.ids()) {
    if (!q.cluster.empty() && q.cluster != clusters_[c].config->name) continue;
    for (const ServiceId w : clusters_[c].workloads.ids()) {
      const WorkloadState& wl = clusters_[c].workloads[w];
      if (!name_space.empty() && name_space != wl.description.name_space) continue;
      const std::string& workload = wl.name;
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

bool Runtime::explain_wanted(TaskId p) const {
  if (sim_.now() < kSimStart + explain_->at) return false;
  const PodRecord& pod = pods_[p];
  return std::any_of(explain_targets_.begin(), explain_targets_.end(), [&](const ExplainTarget& t) {
    return t.cluster == pod.cluster && t.workload == pod.workload &&
           (t.ordinal == kUnset || t.ordinal == pod.ordinal);
  });
}

// The scheduler's explanation of pod `p`'s cycle now, as plain values; the outcome is filled in
// once the cycle has run.
ExplainResult Runtime::explanation(TaskId p, const Explanation& why) const {
  const PodRecord& pod = pods_[p];
  const ClusterState& rt = clusters_[pod.cluster];
  const WorkloadState& wl = rt.workloads[pod.workload];
  ExplainResult x;
  x.cluster = rt.config->name;
  x.pod = pod_name(p);
  x.workload = wl.name;
  x.kind = kind_name(wl.kind);
  x.name_space = wl.description.name_space;
  x.at = sim_.now();
  x.priority = rt.scheduler.priority(pod.cls);
  x.cpu_millis = wl.description.spec.requests.cpu_millis;
  x.memory_bytes = wl.description.spec.requests.memory_bytes;
  const std::span<const Profile> profiles = rt.scheduler.profiles();
  const auto named = std::find_if(profiles.begin(), profiles.end(), [&](const Profile& pr) {
    return pr.name == wl.description.profile;
  });
  const Profile& profile = named != profiles.end() ? *named : profiles.front();
  x.profile = profile.name;
  for (const Plugin plugin : kScorePlugins) x.plugins.emplace_back(to_string(plugin));
  x.weights = score_weights(profile);
  for (const NodeVerdict& v : why.nodes) {
    NodeExplanation& n = x.nodes.emplace_back();
    n.name = rt.scheduler.nodes().name(v.node);
    if (v.node < rt.record_of_node.size() && rt.record_of_node[v.node].valid())
      n.zone = platform_config_.azs[rt.nodes[rt.record_of_node[v.node]].az.value()];
    if (v.rejected_by) n.filter = to_string(*v.rejected_by);
    n.reason = v.reason;
    n.scored = v.scored;
    if (v.scored)
      for (const ScoreDetail& d : v.scores)
        n.scores.push_back(PluginScore{d.raw, d.normalized, d.weighted, d.skipped});
    n.total = v.total;
    n.chosen = v.node == why.chosen;
  }
  x.feasible = why.feasible;
  x.ties = why.ties;
  return x;
}

// A pod no DaemonSet owns was bound (+1) or unbound (-1): its node's busy count changes.
bool Runtime::awaits_node(TaskId p) const {
  const PodRecord& pod = pods_[p];
  const WorkloadState& wl = clusters_[pod.cluster].workloads[pod.workload];
  return pod.state == PodState::kPending && !pod.target.valid() &&
         wl.kind != WorkloadState::Kind::kDaemonSet && wl.fargate_profile == kUnset;
}

std::span<const TaskId> Runtime::failed_scheduling(ClusterId c, std::vector<TaskId>* dropped) {
  std::vector<TaskId>& list = clusters_[c].failed_scheduling;
  std::size_t kept = 0;
  for (const TaskId p : list) {
    if (!awaits_node(p)) {
      if (dropped) dropped->push_back(p);
      (void)release(p);
      continue;
    }
    list[kept++] = p;
  }
  list.resize(kept);
  return list;
}

double Runtime::price_of(InstanceId i) const {
  const double price = platform::InstanceCatalog::builtin().at(platform_.type(i)).price_usd_per_hour;
  return platform_.spot(i) ? price * (1.0 - platform_config_.prices.ec2_spot_discount) : price;
}

void Runtime::count_busy(TaskId p, std::int64_t delta) {
  const PodRecord& pod = pods_[p];
  ClusterState& rt = clusters_[pod.cluster];
  if (rt.workloads[pod.workload].kind == WorkloadState::Kind::kDaemonSet) return;
  NodeRecord& node = rt.nodes[pod.node];
  node.pod_changed = sim_.now();
  const bool was_busy = node.busy_pods > 0;
  node.busy_pods = static_cast<std::uint32_t>(node.busy_pods + delta);
  if (was_busy == (node.busy_pods > 0)) return;
  rt.busy_nodes += was_busy ? -1 : 1;
  rt.busy_gauge.set(sim_.now(), static_cast<double>(rt.busy_nodes));
}

// --- platform changes ---------------------------------------------------------------------------

void Runtime::zones_changed() {
  bool any = false;
  for (std::size_t z = 0; z < zone_down_.size(); ++z) {
    const bool down = platform_.az_state(AzId{static_cast<AzId::rep_type>(z)}) ==
                      platform::AzState::kDown;
    zone_changed_[z] = down != zone_down_[z];
    if (!zone_changed_[z]) continue;
    any = true;
    zone_down_[z] = down;
    ++zone_generation_[z];
  }
  if (any)
    for (const ClusterId c : clusters_.ids())
      if (clusters_[c].has_fargate) fargate_zones_changed(c);
  for (ClusterState& rt : clusters_) {
    const bool had = rt.control_plane.quorum();
    for (std::size_t z = 0; z < platform_.az_count(); ++z)
    {
      const AzId az{static_cast<AzId::rep_type>(z)};
      rt.control_plane.set_zone(az, platform_.az_state(az) != platform::AzState::kDown, sim_.now());
    }
    if (!had && rt.control_plane.quorum()) rt.catch_up = true;
  }
}

// Quorum is back (after the instance changes of the same instant, so that nodes back with it
// keep their pods): deferred evictions happen, controllers catch up, the queue runs.
void Runtime::catch_up() {
  for (const ClusterId c : clusters_.ids()) {
    ClusterState& rt = clusters_[c];
    if (!rt.catch_up) continue;
    rt.catch_up = false;
    const std::vector<TaskId> deferred = std::exchange(rt.deferred_evictions, {});
    for (const TaskId p : deferred)
      if (release(p)) evict_expired(p);
    for (const std::size_t op : std::exchange(rt.deferred_operations, {})) operation(c, op);
    reconcile(c);
    retry_unschedulable(c);
    kick(c);
  }
}

NodeSpec Runtime::node_spec(const ClusterState& rt, std::uint32_t group,
                            const platform::InstanceType& type, AzId az, std::string name) const {
  const NodeGroupConfig& ng = rt.config->config.node_groups[group];
  NodeSpec spec;
  spec.name = std::move(name);
  spec.labels = ng.labels;
  spec.labels["kubernetes.io/hostname"] = spec.name;
  spec.labels["topology.kubernetes.io/zone"] = platform_config_.azs[az.value()];
  spec.labels["node.kubernetes.io/instance-type"] = type.name;
  // The kubelet's own labels (kubernetes/kubernetes, well_known_labels.go), with the
  // deprecated beta ones it still sets.
  const char* os = ng.windows ? "windows" : "linux";
  const char* arch = type.arch == platform::Arch::kArm64 ? "arm64" : "amd64";
  spec.labels["kubernetes.io/os"] = os;
  spec.labels["kubernetes.io/arch"] = arch;
  spec.labels["beta.kubernetes.io/os"] = os;
  spec.labels["beta.kubernetes.io/arch"] = arch;
  spec.taints = ng.taints;
  spec.cpu_millis = type.eks_allocatable_cpu_m;
  spec.memory_bytes = static_cast<std::int64_t>(type.eks_allocatable_memory_mib) * 1024 * 1024;
  spec.pods = ng.max_pods_per_node ? *ng.max_pods_per_node : type.eks_allocatable_pods;
  return spec;
}

bool Runtime::on_instance_change(const platform::InstanceChange& change) {
  const GroupId g = platform_.group(change.instance);
  if (!cluster_of_group_.contains(g) || !cluster_of_group_[g].valid()) return false;
  const ClusterId c = cluster_of_group_[g];
  ClusterState& rt = clusters_[c];
  const auto found = rt.node_of_instance.find(change.instance);
  switch (change.kind) {
    case platform::ChangeKind::kRunning: {
      if (found != rt.node_of_instance.end()) break;
      const platform::InstanceType& type =
          platform::InstanceCatalog::builtin().at(platform_.type(change.instance));
      const auto group = std::find(rt.config->groups.begin(), rt.config->groups.end(), g);
      const std::string name = fmt::format("ip-{:x}.{}", change.instance.value(), rt.config->name);
      NodeRecord node;
      node.instance = change.instance;
      // A node group's node, else a Karpenter NodePool's (numbered after the node groups).
      const bool pooled = group == rt.config->groups.end();
      const auto pool = static_cast<std::uint32_t>(
          std::find(rt.config->pool_groups.begin(), rt.config->pool_groups.end(), g) -
          rt.config->pool_groups.begin());
      node.group = pooled ? static_cast<std::uint32_t>(rt.config->groups.size()) + pool
                          : static_cast<std::uint32_t>(group - rt.config->groups.begin());
      const NodeSpec spec =
          pooled ? pool_node_spec(rt, pool, type, platform_.az(change.instance),
                                  platform_.spot(change.instance), name)
                 : node_spec(rt, node.group, type, platform_.az(change.instance), name);
      // Launched at or after the k-th update of its group began: the k-th new version.
      const std::vector<SimTime>& starts = rt.version_starts[node.group];
      node.version = static_cast<std::uint32_t>(
          std::upper_bound(starts.begin(), starts.end(), platform_.launched_at(change.instance)) -
          starts.begin());
      node.node = rt.scheduler.add_node(spec);
      node.az = platform_.az(change.instance);
      node.reachable = platform_.reachable(change.instance);
      const NodeId n = rt.nodes.push_back(node);
      if (rt.record_of_node.size() <= node.node)
        rt.record_of_node.resize(node.node + 1, NodeId::invalid());
      rt.record_of_node[node.node] = n;
      rt.node_of_instance[change.instance] = n;
      rt.registered_nodes.add(sim_.now(), 1);
      rt.node_price.add(sim_.now(), price_of(change.instance));
      if (pooled) {
        rt.nodes[n].pod_changed = sim_.now();
        rt.pooled_nodes.add(sim_.now(), 1);
        provisioner_->node_registered(c, n);
      }
      if (!node.reachable) {
        sim_.schedule_in(rt.config->node_monitor_grace, kNotReady, change.instance.value(),
                         node.generation);
      }
      reconcile(c);  // DaemonSets
      retry_unschedulable(c);
      retry_awaiting_kubelet(c);
      kick(c);
      if (rt.updating[node.group] != kUnset) update_progress(c, rt.updating[node.group]);
      break;
    }
    case platform::ChangeKind::kUnreachable:
      if (found != rt.node_of_instance.end() && rt.nodes[found->second].reachable) {
        NodeRecord& node = rt.nodes[found->second];
        node.reachable = false;
        node.unheard_since = sim_.now();
        ++node.generation;
        for (const TaskId p : rt.scheduler.pods_on(node.node)) set_serving(p, false);
        sim_.schedule_in(rt.config->node_monitor_grace, kNotReady, change.instance.value(),
                         node.generation);
      }
      break;
    case platform::ChangeKind::kReachable:
      if (found != rt.node_of_instance.end() && !rt.nodes[found->second].reachable) {
        NodeRecord& node = rt.nodes[found->second];
        node.reachable = true;
        ++node.generation;
        const bool was_not_ready = !node.ready;
        if (was_not_ready) {
          node.ready = true;
          rt.scheduler.set_ready(node.node, true);
        }
        for (const TaskId p : rt.scheduler.pods_on(node.node))
          if (pods_[p].state == PodState::kRunning) set_serving(p, true);
        if (was_not_ready) reconcile(c);  // eligible for DaemonSets again
        retry_unschedulable(c);
        retry_awaiting_kubelet(c);
        kick(c);
      }
      break;
    case platform::ChangeKind::kInterruptionNotice:
      // Karpenter's interruption handling: the node is cordoned and drained at once, its pods
      // provisioned for elsewhere (Spot's two-minute notice).
      if (found != rt.node_of_instance.end() && pooled(rt, rt.nodes[found->second]) &&
          rt.nodes[found->second].drain == kUnset && rt.nodes[found->second].present)
        provisioner_->interruption_notice(c, found->second);
      break;
    case platform::ChangeKind::kTerminated:
      if (rt.provisioner && found == rt.node_of_instance.end())
        provisioner_->instance_gone(c, change.instance);
      if (found != rt.node_of_instance.end()) {
        const NodeId n = found->second;
        NodeRecord& node = rt.nodes[n];
        rt.node_of_instance.erase(found);
        // A node that EKS drained (an operation, a node group update) goes at once: its pods
        // were evicted first. One whose instance went by itself (a failure, a Spot reclaim, the
        // Auto Scaling group) stops answering; the node lifecycle controller deletes the Node
        // once it is NotReady (node-monitor-grace-period after it was last heard) and finds
        // its instance gone, and the Node's pods go with it.
        const SimTime heard = node.reachable ? sim_.now() : node.unheard_since;
        const SimTime deleted = heard + rt.config->node_monitor_grace;
        if (node.drain != kUnset || node.autoscaler_deleting || deleted <= sim_.now()) {
          remove_node(c, n);
          break;
        }
        if (node.reachable) {
          node.reachable = false;
          node.unheard_since = sim_.now();
          for (const TaskId p : rt.scheduler.pods_on(node.node)) set_serving(p, false);
        }
        ++node.generation;
        sim_.schedule_at(deleted, kNodeDeleted, c.value(), n.value());
      }
      break;
  }
  return true;
}

// Node `n` of cluster `c`, whose instance is gone, leaves the cluster with its pods (evicted;
// their controllers replace them) and the DaemonSet pods still waiting for it.
void Runtime::remove_node(ClusterId c, NodeId n) {
  ClusterState& rt = clusters_[c];
  NodeRecord& node = rt.nodes[n];
  ++node.generation;
  const std::vector<TaskId> doomed(rt.scheduler.pods_on(node.node).begin(),
                                   rt.scheduler.pods_on(node.node).end());
  for (const TaskId p : doomed) finish(p, Outcome::kEvicted);
  for (WorkloadState& wl : rt.workloads) {
    if (wl.kind != WorkloadState::Kind::kDaemonSet) continue;
    for (TaskId p = wl.pods.head, next; p.valid(); p = next) {
      next = pods_[p].next;
      if (pods_[p].target == n) finish(p, Outcome::kFailed);
    }
  }
  rt.scheduler.remove_node(node.node);
  rt.registered_nodes.add(sim_.now(), -1);
  rt.node_price.add(sim_.now(), -price_of(node.instance));
  if (pooled(rt, node)) {
    rt.pooled_nodes.add(sim_.now(), -1);
    provisioner_->node_removed(c, n);
  }
  rt.record_of_node[node.node] = NodeId::invalid();
  node.present = false;
  const std::uint32_t drain = std::exchange(node.drain, kUnset);
  const std::uint32_t group = node.group;
  if (drain != kUnset) drain_ended(c, drain);
  else if (rt.updating[group] != kUnset) update_progress(c, rt.updating[group]);
  reconcile(c);
  kick(c);
}

bool Runtime::handle(const Event& e) {
  switch (e.kind) {
    case kCycle: cycle(cluster_target(e)); break;
    case kPodStarted: started(pod_target(e)); break;
    case kBackoffDone: {
      const TaskId p = pod_target(e);
      if (!release(p)) break;
      PodRecord& pod = pods_[p];
      if (pod.state == PodState::kPending && !pod.queued) enqueue(p);
      break;
    }
    case kNotReady: not_ready(InstanceId{e.target}, e.payload); break;
    case kNodeDeleted: {
      const ClusterId c = cluster_target(e);
      const NodeId n{static_cast<NodeId::rep_type>(e.payload)};
      if (clusters_[c].nodes[n].present) remove_node(c, n);
      break;
    }
    case kPodComplete: {
      const TaskId p = pod_target(e);
      const ClusterId c = pods_[p].cluster;
      finish(p, pods_[p].fails ? Outcome::kFailed : Outcome::kCompleted);
      reconcile(c);
      kick(c);
      break;
    }
    case kJobArrival:
      job_arrival(cluster_target(e), ServiceId{static_cast<ServiceId::rep_type>(e.payload)});
      break;
    case kJobRetry:
    case kJobDeadline:
    case kJobStopPods: {
      const ClusterId c = cluster_target(e);
      const ServiceId w{static_cast<ServiceId::rep_type>(e.payload & 0xFFFFFFFFu)};
      const auto r = static_cast<std::uint32_t>(e.payload >> 32);
      WorkloadState& wl = clusters_[c].workloads[w];
      if (e.kind == kJobStopPods) {
        std::vector<TaskId> doomed;
        for (const TaskId p : pods_of(wl))
          if (pods_[p].run == r) doomed.push_back(p);
        for (const TaskId p : doomed) finish(p, Outcome::kEvicted);
        reconcile(c);
        kick(c);
        break;
      }
      WorkloadState::JobRun& run = wl.runs[r];
      const bool open = !run.failed && !run.missed && run.succeeded < wl.job_object->completions;
      if (e.kind == kJobRetry && open) wl.want_pods(r);
      if (e.kind == kJobDeadline && open)
        fail_job_run(c, w, r, WorkloadState::JobRun::Reason::kDeadlineExceeded);
      reconcile(c);
      kick(c);
      break;
    }
    // Operations may terminate nodes: the platform's changes are handled at once.
    case kOperation: operation(cluster_target(e), e.payload); return true;
    case kDrainTick: drain_tick(cluster_target(e)); return true;
    case kNodeTerminate:
      node_terminate(cluster_target(e), static_cast<std::uint32_t>(e.payload));
      return true;
    case kPodCreated: {
      const TaskId p = pod_target(e);
      if (pods_[p].state == PodState::kPending) created(p);
      break;
    }
    case kFargateEvict: {
      const TaskId p = pod_target(e);
      if (!release(p)) break;
      const PodRecord& pod = pods_[p];
      if (pod.fargate_az.valid() && zone_generation_[pod.fargate_az.value()] == e.payload)
        evict_expired(p);
      break;
    }
    case kEvict: {
      const TaskId p = pod_target(e);
      if (!release(p)) break;
      // Only while the node is still in the outage that made the eviction due.
      const PodRecord& pod = pods_[p];
      if (pod.state != PodState::kStopped && pod.node.valid() &&
          clusters_[pod.cluster].nodes[pod.node].generation == e.payload)
        evict_expired(p);
      break;
    }
    default: ECSIM_ASSERT(false, "unknown EKS event kind");
  }
  return false;
}

// --- controllers ---------------------------------------------------------------------------------

// Each controller creates the pods its object is missing; without etcd quorum nothing is written.
// A controller whose creation a ResourceQuota refused tries again once a pod of its namespace
// has stopped.
void Runtime::reconcile(ClusterId c) {
  ClusterState& rt = clusters_[c];
  if (!rt.control_plane.quorum()) return;
  for (const ServiceId w : rt.workloads.ids()) {
    WorkloadState& wl = rt.workloads[w];
    switch (wl.kind) {
      case WorkloadState::Kind::kDeployment:
        // Settled (no rollout, no old pods, its replicas made): the controller has nothing to do.
        if (wl.old_pods == 0 && !wl.rolling_out() &&
            static_cast<std::int64_t>(wl.pods.size) == wl.replicas)
          break;
        reconcile_deployment(c, w);
        break;
      case WorkloadState::Kind::kStatefulSet:
        // OrderedReady: the next pod once every earlier one runs; fewer replicas remove the
        // highest ordinals first.
        while (!wl.quota_blocked && static_cast<std::int32_t>(wl.pods.size) < wl.replicas) {
          if (wl.running_pods != static_cast<std::int32_t>(wl.pods.size)) break;
          create_pod(c, w);
        }
        while (static_cast<std::int32_t>(rt.workloads[w].pods.size) > rt.workloads[w].replicas) {
          TaskId highest = rt.workloads[w].pods.head;
          for (const TaskId p : pods_of(rt.workloads[w]))
            if (pods_[p].ordinal > pods_[highest].ordinal) highest = p;
          finish(highest, Outcome::kCompleted);
        }
        break;
      case WorkloadState::Kind::kDaemonSet: {
        // One pod per eligible node (its node selector and required affinity match, its
        // taints are tolerated), created for that node (spec.nodeName, as the DaemonSet
        // controller's node affinity does) and scheduled like any other.
        IdVector<NodeId, std::uint8_t>& has = rt.has_daemon_pod;
        has.assign(rt.nodes.size(), 0);
        for (const TaskId p : pods_of(wl)) has[pods_[p].target] = 1;
        std::int64_t eligible = 0;
        for (const NodeId n : rt.nodes.ids()) {
          if (!rt.nodes[n].present || !rt.scheduler.node_admits(wl.cls, rt.nodes[n].node)) continue;
          ++eligible;
          if (!has[n] && !wl.quota_blocked) create_pod(c, w, n);
        }
        wl.measure.desired = eligible;
        wl.measure.observe(sim_.now());
        break;
      }
      case WorkloadState::Kind::kJob: reconcile_job(c, w); break;
      case WorkloadState::Kind::kPod:
        // Created once (kubectl apply); a refused creation, or a pod that stopped, is not
        // made again: nothing owns it.
        if (!wl.pod_created) {
          wl.pod_created = true;
          (void)create_pod(c, w);
        }
        break;
    }
  }
}

// A new copy of Job `w`: its pods are created now if etcd has quorum, else when it returns.
void Runtime::job_arrival(ClusterId c, ServiceId w) {
  WorkloadState& wl = clusters_[c].workloads[w];
  if (const std::optional<CronSpec>& cron = wl.job_object->cron) {
    const SimTime next = workload::next_cron_time(cron->schedule, sim_.now());
    if (next <= horizon_) sim_.schedule_at(next, kJobArrival, c.value(), w.value());
    // concurrencyPolicy, against the copies still running (neither complete nor failed).
    const auto unfinished = [&](const WorkloadState::JobRun& r) {
      return !r.failed && !r.missed && r.succeeded < wl.job_object->completions;
    };
    if (cron->concurrency == CronSpec::Concurrency::kForbid &&
        std::any_of(wl.runs.begin(), wl.runs.end(), unfinished))
      return;  // this time is skipped
    if (cron->concurrency == CronSpec::Concurrency::kReplace) {
      // The running Jobs are deleted: their pods stop, and they make no more.
      for (WorkloadState::JobRun& r : wl.runs)
        if (unfinished(r)) r.missed = true;
      std::vector<TaskId> doomed;
      for (const TaskId p : pods_of(wl)) doomed.push_back(p);
      for (const TaskId p : doomed) finish(p, Outcome::kEvicted);
    }
  }
  wl.runs.emplace_back();
  wl.runs.back().due = sim_.now();
  const auto run = static_cast<std::uint32_t>(wl.runs.size() - 1);
  wl.want_pods(run);
  if (const std::optional<std::int64_t>& deadline = wl.job_object->active_deadline_s)
    sim_.schedule_in(std::chrono::seconds{*deadline}, kJobDeadline, c.value(),
                     w.value() | std::uint64_t{run} << 32);
  if (const auto a = wl.arrivals ? wl.arrivals->next(wl.arrival_stream) : std::nullopt;
      a && a->at <= horizon_)
    sim_.schedule_at(std::max(a->at, sim_.now()), kJobArrival, c.value(), w.value());
  reconcile(c);
}

// The Job controller: each copy keeps up to `parallelism` pods active until `completions` of
// them succeeded, and gives up once more than `backoffLimit` failed (evicted pods count).
void Runtime::reconcile_job(ClusterId c, ServiceId w) {
  WorkloadState& wl = clusters_[c].workloads[w];
  const Job& job = *wl.job_object;
  // The copies that may want pods, lowest first; each is topped up, unless a quota refuses.
  std::vector<std::uint32_t>& wanting = wl.wanting;
  while (!wanting.empty() && !wl.quota_blocked) {
    const std::uint32_t r = wanting.front();
    WorkloadState::JobRun& run = wl.runs[r];
    // startingDeadlineSeconds: a CronJob's Job that could not be created in time (no etcd
    // quorum) is missed.
    if (job.cron && job.cron->starting_deadline_s && run.succeeded + run.active + run.failures == 0 &&
        sim_.now() - run.due > std::chrono::seconds{*job.cron->starting_deadline_s})
      run.missed = true;
    // The Job controller's back-off after a failed pod: the copy waits, and comes back to
    // `wanting` when it is over (kJobRetry).
    const bool backing_off = run.not_before > sim_.now();
    const std::int32_t want =
        run.failed || run.missed || backing_off
            ? 0
            : std::min(job.parallelism - run.active, job.completions - run.succeeded - run.active);
    for (std::int32_t k = 0; k < want && !wl.quota_blocked; ++k) {
      const TaskId p = create_pod(c, w);
      if (!p.valid()) break;
      PodRecord& pod = pods_[p];
      pod.run = r;
      ++run.active;
      pod.duration = workload::sample(wl.job->duration, wl.duration_stream);
      // A pod that fails exits non-zero after its run time (or `fails_after`).
      if (wl.job->failure_probability > 0 && wl.failure_stream.uniform01() < wl.job->failure_probability) {
        pod.fails = true;
        pod.exit_code = wl.job->exit_code;
        if (wl.job->fails_after) pod.duration = workload::sample(*wl.job->fails_after, wl.duration_stream);
      }
    }
    if (wl.quota_blocked) break;  // still wants pods: it stays for the next reconcile
    std::pop_heap(wanting.begin(), wanting.end(), std::greater<>{});
    wanting.pop_back();
    run.wanting = false;
  }
}

// The Deployment controller: `replicas` pods of the current revision; during a rollout, new
// pods up to maxSurge above replicas, and old ones scaled down (those not available first) while
// at least replicas - maxUnavailable stay available, as its RollingUpdate strategy does.
void Runtime::reconcile_deployment(ClusterId c, ServiceId w) {
  ClusterState& rt = clusters_[c];
  for (;;) {
    WorkloadState& wl = rt.workloads[w];
    const std::int64_t replicas = wl.replicas;
    const auto all = static_cast<std::int64_t>(wl.pods.size);
    const bool rolling = wl.rolling_out();
    if (wl.old_pods == 0) {
      // A pod the namespace's quota refuses stops the creations until the namespace frees.
      for (std::int64_t k = all; k < replicas && !rt.workloads[w].quota_blocked; ++k)
        if (!create_pod(c, w).valid()) break;
      // Fewer replicas: the pods not running go first, oldest first, then the newest. One walk
      // of the list: a pod stopped changes no other pod's serving, so the search for the next
      // one not serving goes on from where the last stopped.
      TaskId next = rt.workloads[w].pods.head;
      for (std::int64_t k = replicas; k < all; ++k) {
        while (next.valid() && pods_[next].serving) next = pods_[next].next;
        TaskId victim = next.valid() ? next : rt.workloads[w].pods.tail;
        if (next.valid()) next = pods_[next].next;
        finish(victim, Outcome::kCompleted);
      }
      WorkloadState& done = rt.workloads[w];
      // Every pod serving (measure.running counts the serving ones).
      if (rolling && done.measure.running == static_cast<std::int64_t>(done.pods.size) &&
          static_cast<std::int64_t>(done.pods.size) == replicas) {
        done.rollouts.back().state = RolloutState::kCompleted;
        done.rollouts.back().finished = sim_.now();
      }
      return;
    }
    std::int64_t fresh = 0, fresh_available = 0, available = 0;
    std::vector<TaskId> old_idle, old_serving;
    for (const TaskId p : pods_of(wl)) {
      const bool serving = pods_[p].serving;
      available += serving ? 1 : 0;
      if (pods_[p].revision == wl.revision) {
        ++fresh;
        fresh_available += serving ? 1 : 0;
      } else {
        (serving ? old_serving : old_idle).push_back(p);
      }
    }
    const RollingLimits limits = rolling_limits(*wl.deployment, replicas);
    std::int64_t up = 0;
    const std::int64_t want = std::min(replicas + limits.max_surge - all, replicas - fresh);
    while (up < want && !rt.workloads[w].quota_blocked && create_pod(c, w).valid()) ++up;
    const std::int64_t min_available = replicas - limits.max_unavailable;
    std::int64_t down = all + up - min_available - (fresh + up - fresh_available);
    bool changed = up > 0;
    for (const TaskId p : old_idle) {
      if (down <= 0) break;
      finish(p, Outcome::kCompleted);
      --down;
      changed = true;
    }
    std::int64_t spare = std::min(down, available - min_available);
    for (const TaskId p : old_serving) {
      if (spare <= 0) break;
      finish(p, Outcome::kCompleted);
      --spare;
      changed = true;
    }
    if (!changed) return;
  }
}

// A new revision of a Deployment (kubectl rollout restart, or a changed template): its pods
// replace the old ones by the Deployment's strategy.
void Runtime::rollout(ClusterId c, const Operation& op) {
  ClusterState& rt = clusters_[c];
  const Deployment* d = &rt.config->manifests.deployments[op.deployment];
  ServiceId w;
  for (const ServiceId s : rt.workloads.ids()) {
    if (rt.workloads[s].deployment != d) continue;
    w = s;
    break;
  }
  WorkloadState& wl = rt.workloads[w];
  ++wl.revision;
  wl.broken = op.broken;
  wl.old_pods = static_cast<std::int64_t>(wl.pods.size);
  if (op.replicas) {
    wl.replicas = *op.replicas;
    wl.measure.desired = *op.replicas;
    wl.measure.observe(sim_.now());
  }
  if (op.cpu_millis || op.memory_bytes) {
    // The new revision names the pod's request: scoring counts it as given, even 0.
    PodSpec& spec = wl.description.spec;
    if (op.cpu_millis) {
      spec.requests.cpu_millis = *op.cpu_millis;
      if (spec.nonzero_requests) spec.nonzero_requests->cpu_millis = *op.cpu_millis;
    }
    if (op.memory_bytes) {
      spec.requests.memory_bytes = *op.memory_bytes;
      if (spec.nonzero_requests) spec.nonzero_requests->memory_bytes = *op.memory_bytes;
    }
    wl.cls = rt.scheduler.add_pod_class(wl.description);
    wl.requests = wl.description.spec.requests;
  }
  wl.revision_requests.push_back(wl.requests);
  // A rollout still in progress is superseded (STOPPED, as ECS says of a replaced deployment).
  if (wl.rolling_out()) {
    RolloutResult& previous = wl.rollouts.back();
    previous.state = RolloutState::kStopped;
    previous.finished = sim_.now();
    if (sim_.now() - wl.last_progress >= kProgressDeadline) previous.stuck_since = wl.last_progress;
  }
  RolloutResult& r = wl.rollouts.emplace_back();
  r.trigger = fmt::format("rollout at {}", format_duration(sim_.now() - kSimStart));
  r.started = sim_.now();
  r.state = RolloutState::kInProgress;
  wl.last_progress = sim_.now();
  reconcile(c);
}

// ResourceQuota admission: the namespace's pods with this one stay within every hard limit, and
// a quota on requests.cpu or requests.memory refuses a pod that does not request it ("must
// specify requests.cpu"). Admitted pods are counted at once (their creation's turn in the API
// queue holds their place).
bool Runtime::admit(ClusterState& rt, ServiceId w) {
  WorkloadState& wl = rt.workloads[w];
  NamespaceState& ns = rt.namespaces[wl.name_space];
  const QuotaAmounts with{ns.used.pods + 1, ns.used.cpu_millis + wl.requests.cpu_millis,
                          ns.used.memory_bytes + wl.requests.memory_bytes};
  const auto within = [](const std::optional<std::int64_t>& hard, std::int64_t v, std::int64_t asked) {
    return !hard || (v <= *hard && asked > 0);
  };
  bool admitted = (!ns.hard_pods || with.pods <= *ns.hard_pods) &&
                  within(ns.hard_cpu_millis, with.cpu_millis, wl.requests.cpu_millis) &&
                  within(ns.hard_memory_bytes, with.memory_bytes, wl.requests.memory_bytes);
  // Each scoped quota that counts the pod must admit it too.
  for (const std::uint32_t q : wl.scoped_quotas) {
    const ScopedQuota& sq = ns.scoped[q];
    admitted = admitted && (!sq.quota->pods || sq.used.pods + 1 <= *sq.quota->pods) &&
               within(sq.quota->requests_cpu_millis, sq.used.cpu_millis + wl.requests.cpu_millis,
                      wl.requests.cpu_millis) &&
               within(sq.quota->requests_memory_bytes,
                      sq.used.memory_bytes + wl.requests.memory_bytes, wl.requests.memory_bytes);
  }
  if (!admitted) {
    ++ns.rejections;
    if (!wl.quota_blocked) ns.blocked.push_back(w);
    wl.quota_blocked = true;
    return false;
  }
  ns.used = with;
  for (const std::uint32_t q : wl.scoped_quotas) {
    QuotaAmounts& u = ns.scoped[q].used;
    u = {u.pods + 1, u.cpu_millis + wl.requests.cpu_millis, u.memory_bytes + wl.requests.memory_bytes};
  }
  ns.peak = {std::max(ns.peak.pods, with.pods), std::max(ns.peak.cpu_millis, with.cpu_millis),
             std::max(ns.peak.memory_bytes, with.memory_bytes)};
  return true;
}

// A controller creates a pod: admitted against the quotas, then stored when the API servers
// get to it, and only then queued for scheduling. False when a quota refused it.
TaskId Runtime::create_pod(ClusterId c, ServiceId w, NodeId target) {
  ClusterState& rt = clusters_[c];
  WorkloadState& wl = rt.workloads[w];
  if (!admit(rt, w)) return TaskId::invalid();
  PodClassId cls = wl.cls;
  if (target.valid()) {
    if (!wl.node_cls.contains(target)) wl.node_cls.resize(target.value() + 1, kUnset);
    if (wl.node_cls[target] == kUnset) {
      PodDescription d = wl.description;
      d.spec.node_name = rt.scheduler.nodes().name(rt.nodes[target].node);
      wl.node_cls[target] = rt.scheduler.add_pod_class(d);
    }
    cls = wl.node_cls[target];
  }
  TaskId p;
  if (free_pods_.empty()) {
    p = pods_.next_id();
    ECSIM_ASSERT(p.valid(), "fewer than 2^32 pods at a time");
    pods_.emplace_back();
  } else {
    p = free_pods_.back();
    free_pods_.pop_back();
    pods_[p] = PodRecord{};
  }
  PodRecord& pod = pods_[p];
  pod.cluster = c;
  pod.workload = w;
  pod.cls = cls;
  pod.target = target;
  pod.sequence = pod_sequence_++;
  pod.created = sim_.now();
  pod.revision = wl.revision;
  pod.never_ready = wl.broken;
  if (wl.kind == WorkloadState::Kind::kStatefulSet) {
    // The lowest ordinal not in use: a replacement keeps the name of the pod it replaces.
    std::vector<std::uint8_t>& used = ordinals_;
    used.assign(wl.pods.size + 1, 0);
    for (const TaskId q : pods_of(wl))
      if (pods_[q].ordinal < used.size()) used[pods_[q].ordinal] = 1;
    pod.ordinal = static_cast<std::uint32_t>(std::find(used.begin(), used.end(), 0) - used.begin());
  } else {
    pod.ordinal = wl.created;
  }
  ++wl.created;
  link(wl, p);
  const std::vector<std::uint32_t>& budgets = rt.budgets_of_workload[w];
  const std::uint32_t budget = budgets.empty() ? kNoBudget : budgets.front();
  if (p == pod_budget_.next_id()) pod_budget_.push_back(budget);
  else pod_budget_[p] = budget;
  const PodBrief brief{w, pod.revision, pod.cls};
  if (p == pod_brief_.next_id()) pod_brief_.push_back(brief);
  else pod_brief_[p] = brief;
  ++wl.counts.submitted;
  ++pending_;
  const SimTime stored = api_request(rt.api, sim_.now());
  if (rt.api.interval == SimDuration{}) created(p);
  else pod.started = sim_.schedule_at(stored, kPodCreated, p.value());
  return p;
}

// --- the scheduling queue -------------------------------------------------------------------------

void Runtime::enqueue(TaskId p) {
  PodRecord& pod = pods_[p];
  if (pod.queued) return;
  pod.queued = true;
  ClusterState& rt = clusters_[pod.cluster];
  rt.active.emplace(-static_cast<std::int64_t>(rt.scheduler.priority(pod.cls)), pod.sequence, p);
  kick(pod.cluster);
}

void Runtime::created(TaskId p) {
  const PodRecord& pod = pods_[p];
  const WorkloadState& wl = clusters_[pod.cluster].workloads[pod.workload];
  // SchedulingGated: no scheduler (nor Fargate's) takes it while a gate is left, and nothing in
  // a run removes one.
  if (wl.description.spec.scheduling_gated) return;
  if (wl.fargate_profile != kUnset)
    launch_on_fargate(p);
  else if (wl.description.spec.node_name.empty())
    enqueue(p);
  else
    kubelet_admit(p);
}

// --- EKS on Fargate ------------------------------------------------------------------------------

void Runtime::launch_on_fargate(TaskId p) {
  PodRecord& pod = pods_[p];
  ClusterState& rt = clusters_[pod.cluster];
  WorkloadState& wl = rt.workloads[pod.workload];
  // Larger than Fargate's largest size: Pending for ever (the load refuses such pods; only a
  // rollout's new requests can get here).
  const std::optional<platform::FargateSize> size = fargate_pod_size(wl.requests_of(pod.revision));
  if (!size) return;
  AzId best = AzId::invalid();
  for (const AzId z : rt.fargate_zones) {
    if (platform_.az_state(z) == platform::AzState::kDown) continue;
    const std::size_t i = z.value();
    if (!best.valid() ||
        std::pair(wl.fargate_by_az[i], rt.fargate_by_az[i]) <
            std::pair(wl.fargate_by_az[best.value()], rt.fargate_by_az[best.value()]))
      best = z;
  }
  if (!best.valid()) {
    ++pod.refs;
    rt.fargate_waiting.push_back(p);
    return;
  }
  pod.fargate_az = best;
  ++wl.fargate_by_az[best.value()];
  ++rt.fargate_by_az[best.value()];
  pod.state = PodState::kStarting;
  pod.bound_at = sim_.now();
  // EKS on Fargate runs x86 pods at the On-Demand price, billed from the launch on.
  pod.fargate_cost = cost_.start_fargate(sim_.now(), size->cpu_units, size->memory_mib,
                                         platform::Arch::kAmd64, false);
  // The Fargate scheduler binds the pod; its Fargate node then launches and runs it.
  const SimTime bound = api_request(rt.api, sim_.now());
  if (pod.never_ready) return;
  pod.started = sim_.schedule_at(
      bound + platform::sample(platform_config_.fargate.launch_latency, rt.fargate_rng),
      kPodStarted, p.value());
}

void Runtime::fargate_zones_changed(ClusterId c) {
  ClusterState& rt = clusters_[c];
  const SimDuration grace = rt.config->node_monitor_grace;
  for (WorkloadState& wl : rt.workloads) {
    if (wl.fargate_profile == kUnset) continue;
    for (const TaskId p : pods_of(wl)) {
      PodRecord& pod = pods_[p];
      if (!pod.fargate_az.valid()) continue;
      const std::size_t z = pod.fargate_az.value();
      if (!zone_changed_[z]) continue;
      const bool down = zone_down_[z];
      if (pod.state == PodState::kRunning) set_serving(p, !down);
      // Its Fargate node is unreachable: NotReady after the grace period, then evicted after
      // the pod's toleration of the unreachable taint, unless the zone is back by then.
      if (!down || wl.toleration == kUntilStopped) continue;
      ++pod.refs;
      sim_.schedule_in(grace + wl.toleration, kFargateEvict, p.value(), zone_generation_[z]);
    }
  }
  for (const TaskId p : std::exchange(rt.fargate_waiting, {}))
    if (release(p) && pods_[p].state == PodState::kPending) launch_on_fargate(p);
}

void Runtime::kubelet_admit(TaskId p) {
  PodRecord& pod = pods_[p];
  ClusterState& rt = clusters_[pod.cluster];
  const WorkloadState& wl = rt.workloads[pod.workload];
  const NodeTable& nodes = rt.scheduler.nodes();
  const NodeIndex n = nodes.find(wl.description.spec.node_name);
  if (n == kNoNode || !nodes.present(n) || !rt.nodes[rt.record_of_node[n]].reachable) {
    ++pod.refs;
    rt.awaiting_kubelet.push_back(p);
    return;
  }
  if (rt.scheduler.kubelet_rejects(pod.cls, n).empty())
    bind(p, rt.record_of_node[n]);
  else
    finish(p, Outcome::kFailed);  // status.phase Failed, reason OutOfcpu, NodeAffinity, ...
}

void Runtime::retry_awaiting_kubelet(ClusterId c) {
  ClusterState& rt = clusters_[c];
  if (rt.awaiting_kubelet.empty()) return;
  std::vector<TaskId> waiting;
  std::swap(waiting, rt.awaiting_kubelet);
  for (const TaskId p : waiting)
    if (release(p) && pods_[p].state == PodState::kPending) kubelet_admit(p);
}

void Runtime::kick(ClusterId c) {
  ClusterState& rt = clusters_[c];
  if (rt.cycle_scheduled || !rt.control_plane.quorum()) return;
  rt.cycle_scheduled = true;
  sim_.schedule_in(SimDuration{}, kCycle, c.value());
}

// One scheduling cycle: the queued pod of highest priority, oldest first.
void Runtime::cycle(ClusterId c) {
  ClusterState& rt = clusters_[c];
  rt.cycle_scheduled = false;
  if (!rt.control_plane.quorum()) return;
  if (rt.active.empty()) return;
  const TaskId best = std::get<2>(*rt.active.begin());
  rt.active.erase(rt.active.begin());
  PodRecord& pod = pods_[best];
  pod.queued = false;
  const PodClassId cls = pod.cls;
  // Explaining leaves the scheduler's stream as it was: the run is the same with or without.
  ExplainResult* explained = nullptr;
  NodeIndex explained_choice = kNoNode;
  if (explaining_ && explain_wanted(best)) {
    const Explanation why = rt.scheduler.explain(cls);
    explained_choice = why.chosen;
    explanation_ = explanation(best, why);
    explaining_ = false;
    explained = &*explanation_;
    if (explain_->stop_once_explained) sim_.stop();  // after this cycle's changes
  }
  const ScheduleResult r = rt.scheduler.schedule(cls);
  ECSIM_ASSERT(!explained || explained_choice == r.node,
               "the explanation chooses the node the scheduler picks");
  if (r.node != kNoNode) {
    bind(best, rt.record_of_node[r.node]);
    if (explained) {
      explained->outcome = ExplainOutcome::kBound;
      explained->node = rt.scheduler.nodes().name(r.node);
    }
  } else if (const std::optional<PreemptionResult> pre =
                 rt.scheduler.preempt(cls, budgets(c));
             pre && !pre->victims.empty()) {
    if (explained) {
      explained->outcome = ExplainOutcome::kPreempting;
      explained->node = rt.scheduler.nodes().name(pre->node);
      for (const TaskId v : pre->victims) {
        const PodRecord& victim = pods_[v];
        explained->victims.push_back(fmt::format(
            "{}/{}", clusters_[victim.cluster].workloads[victim.workload].description.name_space,
            pod_name(v)));
      }
    }
    // The victims are evicted (their controllers recreate them); the preemptor tries again.
    for (const TaskId v : pre->victims) finish(v, Outcome::kEvicted);
    enqueue(best);
    reconcile(c);
  } else {
    PodRecord& waiting = pods_[best];
    const SimDuration backoff =
        std::min<SimDuration>(kMaxBackoff, kInitialBackoff * (std::int64_t{1} << std::min<std::uint32_t>(waiting.attempts, 4)));
    ++waiting.attempts;
    waiting.backoff_until = sim_.now() + backoff;
    ++waiting.refs;
    rt.unschedulable.push_back(best);
    // The Cluster Autoscaler and Karpenter see the pod unschedulable (PodScheduled False) from
    // its first failed cycle on (a cluster runs one of them at most).
    if ((rt.node_autoscaler || rt.provisioner) && waiting.attempts == 1) {
      ++waiting.refs;
      rt.failed_scheduling.push_back(best);
      if (rt.provisioner) provisioner_->pod_unschedulable(c);
    }
  }
  kick(c);
}

// The budgets as preemption reads them: what each of cluster `c`'s allows now, and each pod's.
DisruptionBudgets Runtime::budgets(ClusterId c) {
  const ClusterState& rt = clusters_[c];
  scratch_allowed_.clear();
  for (std::uint32_t b = 0; b < rt.workloads_of_budget.size(); ++b)
    scratch_allowed_.push_back(static_cast<std::int32_t>(
        std::min<std::int64_t>(allowed_disruptions(c, b), std::numeric_limits<std::int32_t>::max())));
  return DisruptionBudgets{scratch_allowed_, pod_budget_.raw()};
}

// Something that could help happened: unschedulable pods go back to the queue once their
// back-off is over.
void Runtime::retry_unschedulable(ClusterId c) {
  ClusterState& rt = clusters_[c];
  if (rt.unschedulable.empty()) return;
  retry_.clear();
  std::swap(retry_, rt.unschedulable);
  for (const TaskId p : retry_) {
    if (!release(p)) continue;
    PodRecord& pod = pods_[p];
    if (pod.state != PodState::kPending) continue;
    if (pod.backoff_until <= sim_.now()) {
      enqueue(p);
    } else {
      ++pod.refs;
      sim_.schedule_at(pod.backoff_until, kBackoffDone, p.value());
    }
  }
}

bool Runtime::release(TaskId p) {
  PodRecord& pod = pods_[p];
  ECSIM_ASSERT(pod.refs > 0, "a reference to a pod record is released once");
  --pod.refs;
  if (pod.state != PodState::kStopped) return true;
  free_if_unused(p);
  return false;
}

void Runtime::free_if_unused(TaskId p) {
  PodRecord& pod = pods_[p];
  if (pod.state != PodState::kStopped || pod.refs != 0 || pod.freed) return;
  pod.freed = true;
  free_pods_.push_back(p);
}

// --- pod life --------------------------------------------------------------------------------------

void Runtime::bind(TaskId p, NodeId n) {
  PodRecord& pod = pods_[p];
  ClusterState& rt = clusters_[pod.cluster];
  rt.scheduler.bind(p, pod.cls, rt.nodes[n].node);
  pod.node = n;
  pod.bound_at = sim_.now();
  count_busy(p, 1);
  pod.state = PodState::kStarting;
  // The kubelet starts the pod once the binding is stored.
  const SimTime bound = api_request(rt.api, sim_.now());
  if (pod.never_ready) return;  // ImagePullBackOff or CrashLoopBackOff: never RUNNING
  pod.started = sim_.schedule_at(bound + platform::sample(kPodStartLatency, rt.start_latency),
                                 kPodStarted, p.value());
}

void Runtime::started(TaskId p) {
  PodRecord& pod = pods_[p];
  ECSIM_ASSERT(pod.state == PodState::kStarting, "only a bound pod starts");
  ClusterState& rt = clusters_[pod.cluster];
  WorkloadState& wl = rt.workloads[pod.workload];
  pod.state = PodState::kRunning;
  if (pod.hpa != HpaPodState::kNone) hpa_file(wl, p, HpaPodState::kUnready);
  --pending_;
  ++running_;
  ++wl.running_pods;
  ++wl.counts.started;
  const double waited = to_seconds(sim_.now() - pod.created);
  all_wait_.add(waited);
  wl.measure.wait.add(waited);
  if (pod.fargate_az.valid() ? !zone_down_[pod.fargate_az.value()] : rt.nodes[pod.node].reachable)
    set_serving(p, true);
  if (pod.duration != kUntilStopped)
    pod.started = sim_.schedule_in(pod.duration, kPodComplete, p.value());
  if (pod.revision == wl.revision) wl.last_progress = sim_.now();
  // The next StatefulSet pod, or a rollout's next step (old pods are left only while one runs).
  if (wl.kind == WorkloadState::Kind::kStatefulSet) reconcile(pod.cluster);
  else if (wl.rolling_out()) reconcile_deployment(pod.cluster, pod.workload);
}

void Runtime::set_serving(TaskId p, bool serving) {
  PodRecord& pod = pods_[p];
  if (pod.serving == serving) return;
  pod.serving = serving;
  ClusterState& rt = clusters_[pod.cluster];
  ReplicaMeter& m = rt.workloads[pod.workload].measure;
  const std::int64_t delta = serving ? 1 : -1;
  m.running += delta;
  const AzId az = pod.node.valid() ? rt.nodes[pod.node].az : pod.fargate_az;
  m.running_by_az[az.value()] += delta;
  m.observe(sim_.now());
  const SimTime serving_since = pod.ready_changed;
  pod.ready_changed = sim_.now();
  if (pod.hpa != HpaPodState::kNone)
    hpa_file(rt.workloads[pod.workload], p,
             serving                           ? HpaPodState::kRecent
             : pod.state == PodState::kRunning ? HpaPodState::kUnready
                                               : HpaPodState::kPending);
  if (std::optional<workload::LoadMeter>& load = rt.workloads[pod.workload].load) {
    if (serving) load->start_serving(sim_.now());
    else load->stop_serving(sim_.now(), serving_since);
  }
}

void Runtime::finish(TaskId p, Outcome outcome) {
  PodRecord& pod = pods_[p];
  ECSIM_ASSERT(pod.state != PodState::kStopped, "a pod stops once");
  ClusterState& rt = clusters_[pod.cluster];
  WorkloadState& wl = rt.workloads[pod.workload];
  set_serving(p, false);
  if (pod.state == PodState::kRunning) {
    --running_;
    --wl.running_pods;
  } else {
    --pending_;
  }
  // Its creation, start or completion, whichever is still due (a no-op for the one running now).
  sim_.cancel(pod.started);
  if (pod.node.valid()) {
    rt.scheduler.unbind(p);
    count_busy(p, -1);
  }
  if (pod.fargate_az.valid()) {
    cost_.stop(pod.fargate_cost, sim_.now());
    --wl.fargate_by_az[pod.fargate_az.value()];
    --rt.fargate_by_az[pod.fargate_az.value()];
  }
  if (pod.queued)
    rt.active.erase({-static_cast<std::int64_t>(rt.scheduler.priority(pod.cls)), pod.sequence, p});
  pod.state = PodState::kStopped;
  pod.queued = false;
  count_outcome(wl.counts, outcome);
  unlink(wl, p);
  if (wl.kind == WorkloadState::Kind::kDeployment && pod.revision != wl.revision) {
    --wl.old_pods;
    wl.last_progress = sim_.now();
  }
  // An eviction or deletion takes effect at once and takes its turn in the API queue.
  if (outcome != Outcome::kCompleted && rt.control_plane.quorum())
    (void)api_request(rt.api, sim_.now());
  // The namespace's quota usage drops: controllers it refused try again.
  NamespaceState& ns = rt.namespaces[wl.name_space];
  ns.used.pods -= 1;
  const Resources& asked = wl.requests_of(pod.revision);
  ns.used.cpu_millis -= asked.cpu_millis;
  ns.used.memory_bytes -= asked.memory_bytes;
  for (const std::uint32_t q : wl.scoped_quotas) {
    QuotaAmounts& u = ns.scoped[q].used;
    u = {u.pods - 1, u.cpu_millis - asked.cpu_millis, u.memory_bytes - asked.memory_bytes};
  }
  for (const ServiceId other : ns.blocked) rt.workloads[other].quota_blocked = false;
  ns.blocked.clear();
  const bool job_pod = wl.kind == WorkloadState::Kind::kJob;
  const PodRecord ended = pod;
  if (job_pod) --wl.runs[pod.run].active;
  // A pod removed may let an unschedulable one fit.
  retry_unschedulable(pod.cluster);
  free_if_unused(p);
  if (job_pod) job_pod_ended(ended.cluster, ended.workload, ended.run, ended, outcome);
}

// The Job controller and the podFailurePolicy (kubernetes/kubernetes pkg/controller/job): a
// failed pod is matched against the rules in order (exit codes for a pod that exited non-zero,
// DisruptionTarget for one evicted or preempted); FailJob fails the copy, Ignore replaces the pod
// without counting it, Count (and no rule) counts it. Past backoffLimit counted failures the copy
// fails (BackoffLimitExceeded); otherwise the replacement waits 10 s, doubling with each counted
// failure, at most 6 minutes ("exponential back-off delay (10s, 20s, 40s ...) capped at six
// minutes", kubernetes/website concepts/workloads/controllers/job). A failed copy's pods stop.
void Runtime::job_pod_ended(ClusterId c, ServiceId w, std::uint32_t r, const PodRecord& pod,
                            Outcome outcome) {
  WorkloadState& wl = clusters_[c].workloads[w];
  WorkloadState::JobRun& run = wl.runs[r];
  const Job& job = *wl.job_object;
  if (run.failed || run.missed) return;
  using Reason = WorkloadState::JobRun::Reason;
  if (outcome == Outcome::kCompleted) {
    ++run.succeeded;
  } else {
    PodFailureRule::Action action = PodFailureRule::Action::kCount;
    for (const PodFailureRule& rule : job.failure_rules) {
      const bool matches =
          outcome == Outcome::kEvicted
              ? rule.on_disruption
              : !rule.on_disruption &&
                    (std::find(rule.exit_codes.begin(), rule.exit_codes.end(), pod.exit_code) !=
                     rule.exit_codes.end()) == rule.exit_in;
      if (matches) {
        action = rule.action;
        break;
      }
    }
    if (action == PodFailureRule::Action::kFailJob) {
      fail_job_run(c, w, r, Reason::kPodFailurePolicy);
      return;
    }
    if (action == PodFailureRule::Action::kCount) {
      ++run.failures;
      if (run.failures > job.backoff_limit) {
        fail_job_run(c, w, r, Reason::kBackoffLimitExceeded);
        return;
      }
      ++run.backoff_failures;
      const SimDuration delay = std::min<SimDuration>(
          std::chrono::minutes{6},
          std::chrono::seconds{10} * (std::int64_t{1} << std::min(run.backoff_failures - 1, 10)));
      run.not_before = std::max(run.not_before, sim_.now() + delay);
      sim_.schedule_at(run.not_before, kJobRetry, c.value(), w.value() | std::uint64_t{r} << 32);
    }
  }
  if (run.succeeded + run.active < job.completions) wl.want_pods(r);
}

void Runtime::fail_job_run(ClusterId c, ServiceId w, std::uint32_t r,
                           WorkloadState::JobRun::Reason reason) {
  WorkloadState& wl = clusters_[c].workloads[w];
  wl.runs[r].failed = true;
  wl.runs[r].reason = reason;
  sim_.schedule_in(SimDuration{}, kJobStopPods, c.value(), w.value() | std::uint64_t{r} << 32);
}

// --- node lifecycle --------------------------------------------------------------------------------

// The node of `instance` has been unheard for the grace period since its reachability changed
// to generation `generation`: NotReady, unless it is gone or came back since.
void Runtime::not_ready(InstanceId instance, std::uint64_t generation) {
  const GroupId g = platform_.group(instance);
  const ClusterId c = cluster_of_group_[g];
  ClusterState& rt = clusters_[c];
  const auto found = rt.node_of_instance.find(instance);
  if (found == rt.node_of_instance.end()) return;  // terminated
  NodeRecord& node = rt.nodes[found->second];
  if (!node.present || node.reachable || node.generation != generation) return;
  node.ready = false;
  rt.scheduler.set_ready(node.node, false);
  for (const TaskId p : rt.scheduler.pods_on(node.node)) {
    const SimDuration toleration = rt.workloads[pods_[p].workload].toleration;
    if (toleration == kUntilStopped) continue;
    ++pods_[p].refs;
    sim_.schedule_in(toleration, kEvict, p.value(), node.generation);
  }
  reconcile(c);  // the not-ready taint makes the node ineligible for DaemonSets
}

void Runtime::evict_expired(TaskId p) {
  PodRecord& pod = pods_[p];
  if (pod.state == PodState::kStopped) return;
  ClusterState& rt = clusters_[pod.cluster];
  if (pod.node.valid()) {
    if (rt.nodes[pod.node].ready) return;  // the node came back in time
  } else if (!pod.fargate_az.valid() || !zone_down_[pod.fargate_az.value()]) {
    return;  // its Fargate node's zone came back in time
  }
  if (!rt.control_plane.quorum()) {
    ++pod.refs;
    rt.deferred_evictions.push_back(p);
    return;
  }
  const ClusterId c = pod.cluster;
  finish(p, Outcome::kEvicted);
  reconcile(c);
  kick(c);
}

// --- results -----------------------------------------------------------------------------------------

Results Runtime::results(SimTime end) {
  Results r;
  operation_results(r);
  r.explanation = explanation_;
  r.scaling = scaling_;
  for (ClusterState& rt : clusters_) {
    ControlPlaneResult& cp = r.control_planes.emplace_back();
    cp.cluster = rt.config->name;
    cp.api_available_fraction = rt.control_plane.api_available_fraction(end);
    cp.etcd_quorum_lost_seconds = rt.control_plane.quorum_lost_seconds(end);
    cp.api_mutating_requests = rt.api.requests;
    cp.api_queue_mean_seconds =
        rt.api.requests == 0 ? 0.0 : to_seconds(rt.api.total_wait) / static_cast<double>(rt.api.requests);
    cp.api_queue_max_seconds = to_seconds(rt.api.max_wait);
    for (const NamespaceState& ns : rt.namespaces) {
      cp.quota_rejections += ns.rejections;
      r.namespaces.push_back(NamespaceResult{rt.config->name, ns.name, ns.used, ns.peak,
                                             ns.hard_pods, ns.hard_cpu_millis,
                                             ns.hard_memory_bytes, ns.rejections});
    }
    r.nodes.push_back(NodesResult{
        rt.config->name,
        std::count_if(rt.nodes.begin(), rt.nodes.end(), [](const NodeRecord& n) { return n.present; }),
        rt.busy_nodes, rt.busy_gauge.mean(end), static_cast<std::int64_t>(rt.busy_gauge.max()),
        std::nullopt, std::nullopt});
    for (WorkloadState& wl : rt.workloads) {
      TaskCounts counts = wl.counts;
      for (const TaskId p : pods_of(wl)) {
        if (pods_[p].state == PodState::kRunning) ++counts.running_at_end;
        else ++counts.pending_at_end;
      }
      if (wl.kind == WorkloadState::Kind::kJob) {
        std::map<std::string, std::uint64_t> failed;
        for (const WorkloadState::JobRun& run : wl.runs) {
          using Reason = WorkloadState::JobRun::Reason;
          switch (run.reason) {
            case Reason::kNone: break;
            case Reason::kBackoffLimitExceeded: ++failed["BackoffLimitExceeded"]; break;
            case Reason::kDeadlineExceeded: ++failed["DeadlineExceeded"]; break;
            case Reason::kPodFailurePolicy: ++failed["PodFailurePolicy"]; break;
          }
        }
        r.jobs.push_back(
            JobResult{rt.config->name, wl.name, counts, wait_of(wl.measure.wait), std::move(failed)});
        continue;
      }
      WorkloadResult& w = r.workloads.emplace_back();
      w.cluster = rt.config->name;
      w.name = wl.name;
      w.replicas = wl.measure.summary(end);
      w.pods = counts;
      w.rollouts = wl.rollouts;
      if (wl.load) w.load = wl.load->summary(end);
      // progressDeadlineSeconds (600 s) without progress: ProgressDeadlineExceeded.
      for (RolloutResult& d : w.rollouts)
        if (d.state == RolloutState::kInProgress && end - wl.last_progress >= kProgressDeadline)
          d.stuck_since = wl.last_progress;
    }
  }
  return r;
}

// The self-checks of the EKS clusters: the pending and running counts, and each namespace's
// quota usage, against the pods themselves.
void Runtime::check_invariants() const {
  std::uint64_t pending = 0, running = 0;
  IdVector<ClusterId, std::vector<QuotaAmounts>> used(clusters_.size());
  // [cluster][namespace][scoped quota]
  IdVector<ClusterId, std::vector<std::vector<QuotaAmounts>>> scoped(clusters_.size());
  for (const ClusterId c : clusters_.ids()) {
    used[c].resize(clusters_[c].namespaces.size());
    for (const NamespaceState& ns : clusters_[c].namespaces)
      scoped[c].emplace_back(ns.scoped.size());
  }
  const auto add = [](QuotaAmounts& u, const Resources& asked) {
    ++u.pods;
    u.cpu_millis += asked.cpu_millis;
    u.memory_bytes += asked.memory_bytes;
  };
  for (const PodRecord& pod : pods_) {
    if (pod.state == PodState::kStopped) continue;
    ++(pod.state == PodState::kRunning ? running : pending);
    const WorkloadState& wl = clusters_[pod.cluster].workloads[pod.workload];
    const Resources& asked = wl.requests_of(pod.revision);
    add(used[pod.cluster][wl.name_space], asked);
    for (const std::uint32_t q : wl.scoped_quotas) add(scoped[pod.cluster][wl.name_space][q], asked);
  }
  if (pending != pending_ || running != running_)
    check_failed(fmt::format("self-check failed: pods counted {}/{} (pending/running) but tracked "
                             "{}/{}",
                             pending, running, pending_, running_));
  for (const ClusterId c : clusters_.ids()) {
    for (std::size_t n = 0; n < clusters_[c].namespaces.size(); ++n) {
      const NamespaceState& ns = clusters_[c].namespaces[n];
      if (!(ns.used == used[c][n]))
        check_failed(fmt::format(
            "self-check failed: namespace {} of cluster {} holds {} pods, {}m CPU, {} bytes but "
            "counts {}, {}m, {}",
            ns.name, clusters_[c].config->name, used[c][n].pods,
            used[c][n].cpu_millis, used[c][n].memory_bytes, ns.used.pods, ns.used.cpu_millis,
            ns.used.memory_bytes));
      for (std::size_t q = 0; q < ns.scoped.size(); ++q)
        if (!(ns.scoped[q].used == scoped[c][n][q]))
          check_failed(fmt::format("self-check failed: quota {} of namespace {} of cluster {} "
                                   "counts {} pods but holds {}",
                                   ns.scoped[q].quota->meta.name, ns.name,
                                   clusters_[c].config->name, ns.scoped[q].used.pods,
                                   scoped[c][n][q].pods));
    }
  }
}

void Runtime::add_totals(TaskCounts& all) const {
  for (const ClusterState& rt : clusters_) {
    for (const WorkloadState& wl : rt.workloads) {
      all.add_outcomes(wl.counts);
    }
  }
  all.running_at_end += running_;
  all.pending_at_end += pending_;
}

void Runtime::append_running_by_az(std::vector<std::uint32_t>& row) const {
  for (const ClusterState& c : clusters_)
    for (const WorkloadState& wl : c.workloads)
      if (wl.kind != WorkloadState::Kind::kJob)
        for (const std::int64_t n : wl.measure.running_by_az)
          row.push_back(static_cast<std::uint32_t>(n));
}

PodClassId template_class(Scheduler& templates, TemplateClasses& classes, ServiceId w,
                          const WorkloadState& wl) {
  const auto key = std::make_pair(w, wl.cls);
  const auto it = classes.find(key);
  if (it != classes.end()) return it->second;
  const PodClassId cls = templates.add_pod_class(wl.description);
  classes.emplace(key, cls);
  return cls;
}

}  // namespace ecsim::eks
