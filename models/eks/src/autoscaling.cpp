// The HorizontalPodAutoscaler controller of the EKS runtime: every 15 s (the kube-controller-
// manager's --horizontal-pod-autoscaler-sync-period) each HPA reads its target's pods from the
// metrics API's view (the load meter: each serving pod's mean use since the last sync) and sets
// the target's replicas by the arithmetic of ecsim/eks/hpa.hpp.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "ecsim/eks/runtime.hpp"
#include "ecsim/sim/assert.hpp"

namespace ecsim::eks {
namespace {

// How long a pod must have run before the metrics API has a sample of it: one window of the
// metrics-server's resolution (15 s, its default --metric-resolution). An assumption: the
// kubelet's first sample also waits for its own housekeeping.
constexpr SimDuration kMetricWindow = std::chrono::seconds(15);

const char* resource_name(HpaResource r) { return r == HpaResource::kCpu ? "cpu" : "memory"; }

}  // namespace

void Runtime::hpa_file(WorkloadState& wl, TaskId p, HpaPodState to) {
  PodRecord& pod = pods_[p];
  const auto at = std::find_if(wl.hpa_counts.begin(), wl.hpa_counts.end(),
                               [&](const WorkloadState::HpaCounts& k) { return k.revision == pod.revision; });
  WorkloadState::HpaCounts& counts =
      at != wl.hpa_counts.end() ? *at : wl.hpa_counts.emplace_back(WorkloadState::HpaCounts{pod.revision, {}});
  if (pod.hpa != HpaPodState::kNone) --counts.pods[static_cast<std::size_t>(pod.hpa)];
  pod.hpa = to;
  if (to != HpaPodState::kNone) ++counts.pods[static_cast<std::size_t>(to)];
  if (to == HpaPodState::kNone &&
      std::all_of(counts.pods.begin(), counts.pods.end(), [](std::int64_t n) { return n == 0; }))
    wl.hpa_counts.erase(wl.hpa_counts.begin() + (&counts - wl.hpa_counts.data()));
  if (to != HpaPodState::kRecent) return;
  // Settled at the first sync a metric window after it became Ready, if it still is.
  if (wl.hpa_recent_head > 0 && wl.hpa_recent_head * 2 >= wl.hpa_recent.size()) {
    wl.hpa_recent.erase(wl.hpa_recent.begin(),
                        wl.hpa_recent.begin() + static_cast<std::ptrdiff_t>(wl.hpa_recent_head));
    wl.hpa_recent_head = 0;
  }
  wl.hpa_recent.push_back({p, pod.ready_changed});
}

void Runtime::start_autoscalers(ClusterId c) {
  ClusterState& rt = clusters_[c];
  const Manifests& m = rt.config->manifests;
  for (const HorizontalPodAutoscaler& h : m.autoscalers) {
    const bool stateful = h.target_kind == HorizontalPodAutoscaler::TargetKind::kStatefulSet;
    ServiceId target;
    for (const ServiceId w : rt.workloads.ids()) {
      const WorkloadState& wl = rt.workloads[w];
      const auto kind = stateful ? WorkloadState::Kind::kStatefulSet : WorkloadState::Kind::kDeployment;
      if (wl.kind == kind && wl.name == h.target_name &&
          rt.namespaces[wl.name_space].name == h.meta.name_space)
        target = w;
    }
    ECSIM_ASSERT(target.valid(), "an autoscaler's target was checked when it was read");
    rt.autoscalers.push_back({&h, target, HpaBehavior(h.min_replicas, h.max_replicas, h.scale_up,
                                                      h.scale_down),
                              kSimStart, 0, 0});
    rt.workloads[target].hpa_target = true;  // before its first pod is created
  }
  for (const WorkloadLoad& l : rt.config->loads) {
    for (const ServiceId w : rt.workloads.ids()) {
      WorkloadState& wl = rt.workloads[w];
      const auto kind = l.stateful_set ? WorkloadState::Kind::kStatefulSet : WorkloadState::Kind::kDeployment;
      if (wl.kind != kind || wl.name != l.name || rt.namespaces[wl.name_space].name != l.name_space)
        continue;
      // Metric periods of one minute: CloudWatch's for container insights and ECS, and the
      // granularity of the response-time estimate.
      wl.load.emplace(&l.load, static_cast<double>(wl.requests.cpu_millis) / 1000.0,
                      static_cast<double>(wl.requests.memory_bytes) / (1024.0 * 1024.0),
                      std::chrono::minutes(1));
    }
  }
  if (!rt.autoscalers.empty() && kSimStart + kHpaSyncPeriod <= horizon_)
    sim_.schedule_at(kSimStart + kHpaSyncPeriod, kAutoscalerSync, c.value());
}

void Runtime::autoscaler_sync(ClusterId c) {
  ClusterState& rt = clusters_[c];
  const SimTime now = sim_.now();
  if (now + kHpaSyncPeriod <= horizon_) sim_.schedule_at(now + kHpaSyncPeriod, kAutoscalerSync, c.value());
  // Without etcd quorum the controller can write no scale.
  const bool writable = rt.control_plane.quorum();
  bool changed = false;
  std::vector<HpaPodGroup>& groups = hpa_scratch_;
  for (ClusterState::Autoscaler& a : rt.autoscalers) {
    WorkloadState& wl = rt.workloads[a.target];
    // Pods Ready for a whole metric window since their last change have a sample now.
    while (wl.hpa_recent_head < wl.hpa_recent.size()) {
      const WorkloadState::HpaRecent r = wl.hpa_recent[wl.hpa_recent_head];
      if (now - r.ready_at < kMetricWindow) break;
      ++wl.hpa_recent_head;
      const PodRecord& pod = pods_[r.pod];
      if (pod.hpa == HpaPodState::kRecent && pod.ready_changed == r.ready_at)
        hpa_file(wl, r.pod, HpaPodState::kSampled);
    }
    // The pods' mean use since the last sync, per serving pod.
    double cpu_millis = 0, memory_bytes = 0;
    const double window = to_seconds(now - a.last_sync);
    if (wl.load && window > 0) {
      wl.load->advance(now);
      cpu_millis = 1000 * (wl.load->per_task_cpu_seconds() - a.cpu_seconds) / window;
      memory_bytes = 1024.0 * 1024.0 *
                     (wl.load->per_task_memory_mib_seconds() - a.memory_mib_seconds) / window;
      a.cpu_seconds = wl.load->per_task_cpu_seconds();
      a.memory_mib_seconds = wl.load->per_task_memory_mib_seconds();
    }
    a.last_sync = now;
    const std::int32_t current = wl.replicas;
    a.behavior.record_initial(now, current);
    if (current == 0 || !writable) continue;  // scaling is disabled at 0 replicas
    std::optional<std::int32_t> proposed;
    const HpaTarget* deciding = nullptr;  // the metric whose proposal won, for the reason
    for (const HpaTarget& target : a.spec->metrics) {
      const double usage = target.resource == HpaResource::kCpu ? cpu_millis : memory_bytes;
      groups.clear();
      for (const WorkloadState::HpaCounts& k : wl.hpa_counts) {
        const Resources& requests = wl.requests_of(k.revision);
        const auto count = [&](HpaPodState st) { return k.pods[static_cast<std::size_t>(st)]; };
        groups.push_back({target.resource == HpaResource::kCpu
                              ? static_cast<double>(requests.cpu_millis)
                              : static_cast<double>(requests.memory_bytes),
                          count(HpaPodState::kSampled), count(HpaPodState::kPending),
                          count(HpaPodState::kUnready) + count(HpaPodState::kRecent)});
      }
      const auto r = hpa_grouped_replicas(current, groups, target, usage);
      if (!r) continue;
      if (!proposed || *r > *proposed) {
        proposed = *r;
        deciding = &target;
      }
    }
    const bool outside = current > a.spec->max_replicas || current < a.spec->min_replicas;
    if (!proposed && !outside) continue;  // no metric for any ready pod: no change
    const std::int32_t desired = a.behavior.decide(now, current, proposed.value_or(current));
    if (desired == current) continue;
    // The reason, in the controller's words, only for a change (a sync mostly changes nothing).
    std::string reason;
    if (outside) {
      reason = current > a.spec->max_replicas ? "Current number of replicas above Spec.MaxReplicas"
                                             : "Current number of replicas below Spec.MinReplicas";
    } else if (desired < current && *proposed <= current) {
      reason = "All metrics below target";
    } else {
      reason = fmt::format("{} resource{} {} target", resource_name(deciding->resource),
                           deciding->utilization ? " utilization (percentage of request)" : "",
                           *proposed > current ? "above" : "below");
    }
    ECSIM_ASSERT(desired >= a.spec->min_replicas && desired <= a.spec->max_replicas,
                 "an HPA keeps its target within minReplicas and maxReplicas");
    const char* kind = wl.kind == WorkloadState::Kind::kStatefulSet ? "StatefulSet" : "Deployment";
    const std::string& ns = rt.namespaces[wl.name_space].name;
    scaling_.push_back({now, rt.config->name,
                        fmt::format("HorizontalPodAutoscaler {}/{}", ns, a.spec->meta.name),
                        fmt::format("{} {}/{}", kind, ns, wl.name), current, desired,
                        fmt::format("New size: {}; reason: {}", desired, reason)});
    wl.replicas = desired;
    wl.measure.desired = desired;
    wl.measure.observe(now);
    changed = true;
  }
  if (changed) {
    reconcile(c);
    kick(c);
  }
}

void Runtime::append_autoscaled(std::vector<std::int64_t>& row) const {
  for (const ClusterState& rt : clusters_) {
    for (const ClusterState::Autoscaler& a : rt.autoscalers) row.push_back(rt.workloads[a.target].replicas);
    if (rt.cluster_autoscaler)
      row.push_back(static_cast<std::int64_t>(rt.cluster_autoscaler->nodes.value()));
    if (rt.karpenter) row.push_back(static_cast<std::int64_t>(rt.karpenter->nodes.value()));
  }
}

void Runtime::append_autoscaled_columns(std::vector<std::string>& names) const {
  for (const ClusterState& rt : clusters_) {
    for (const ClusterState::Autoscaler& a : rt.autoscalers)
      names.push_back(fmt::format("desired:{}/{}", rt.config->name, rt.workloads[a.target].name));
    if (rt.cluster_autoscaler || rt.karpenter)
      names.push_back(fmt::format("nodes:{}", rt.config->name));
  }
}

}  // namespace ecsim::eks
