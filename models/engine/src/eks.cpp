// EKS clusters in the engine: nodes from the node groups' instances, the controllers of
// Deployments, StatefulSets and DaemonSets, the kube-scheduler's queue (priority then creation,
// back-off for unschedulable pods, preemption), node lifecycle (NotReady after the grace period,
// evictions after the pods' toleration) and the control plane's etcd quorum, which gates every
// write: without it nothing is created, scheduled or evicted until it returns. The API servers
// admit pod creations against the namespaces' ResourceQuotas and, with api_mutating_rps, serve
// mutating requests one after the other at that rate.

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

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
    EksRuntime& rt = eks_.emplace_back(EksRuntime{
        &cc, eks::Scheduler(streams_.stream(fmt::format("eks/{}/scheduler", cc.name)), profiles),
        eks::ControlPlane(eks::default_layout(zones), kSimStart), {}, {}, {}, {}, {}, {}, false, false,
        streams_.stream(fmt::format("eks/{}/pod_start", cc.name)), namespaces_of(cc), {}, {}});
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
    for (const eks::Deployment& d : m.deployments)
      add(EksWorkload::Kind::kDeployment, d.meta, d.pod, d.replicas, d.selector);
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
  for (std::uint32_t c = 0; c < eks_.size(); ++c) eks_reconcile(c);
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
      case EksWorkload::Kind::kDeployment:
        while (!wl.quota_blocked && static_cast<std::int32_t>(wl.pods.size()) < wl.replicas)
          eks_create_pod(c, w);
        break;
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
  wl.pods.push_back(p);
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
  const eks::ScheduleResult r = rt.scheduler.schedule(cls);
  if (r.node != eks::kNoNode) {
    std::uint32_t n = 0;
    while (rt.nodes[n].node != r.node || !rt.nodes[n].present) ++n;
    eks_bind(best, n);
  } else if (const std::optional<eks::PreemptionResult> pre = rt.scheduler.preempt(cls);
             pre && !pre->victims.empty()) {
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
  pod.state = PodState::kStarting;
  // The kubelet starts the pod once the binding is stored.
  const SimTime bound = api_request(rt.api, sim_.now());
  pod.started = sim_.schedule_at(bound + platform::sample(kPodStartLatency, rt.start_latency),
                                 kEksPodStarted, p);
}

void World::eks_started(PodIndex p) {
  PodRecord& pod = pods_[p];
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
  if (wl.kind == EksWorkload::Kind::kStatefulSet) eks_reconcile(pod.cluster);
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
  if (outcome != Outcome::kCompleted) sim_.cancel(pod.started);
  if (pod.node != kUnset) rt.scheduler.unbind(TaskId{p});
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
  // An eviction or deletion takes effect at once and takes its turn in the API queue.
  if (outcome != Outcome::kCompleted && rt.control_plane.quorum())
    (void)api_request(rt.api, sim_.now());
  // The namespace's quota usage drops: controllers it refused try again.
  EksNamespace& ns = rt.namespaces[wl.name_space];
  ns.used.pods -= 1;
  ns.used.cpu_millis -= wl.requests.cpu_millis;
  ns.used.memory_bytes -= wl.requests.memory_bytes;
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
      s.deployments.clear();
      for (const PodIndex p : wl.pods) {
        if (pods_[p].state == PodState::kRunning) ++s.tasks.running_at_end;
        else ++s.tasks.pending_at_end;
      }
      r.services.push_back(std::move(s));
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
