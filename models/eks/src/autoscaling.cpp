// Workloads' loads, and what the HorizontalPodAutoscaler controller (ecsim/hpa/runtime.hpp)
// reads of its targets: the pod lister's and the metrics API's view, kept as counts by revision
// and by how a sync files each pod, and the target's scale it writes.

#include <fmt/format.h>

#include <algorithm>

#include "ecsim/eks/runtime.hpp"
#include "ecsim/sim/assert.hpp"

namespace ecsim::eks {
namespace {

// How long a pod must have run before the metrics API has a sample of it: one window of the
// metrics-server's resolution (15 s, its default --metric-resolution). An assumption: the
// kubelet's first sample also waits for its own housekeeping.
constexpr SimDuration kMetricWindow = std::chrono::seconds(15);

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

void Runtime::start_loads(ClusterId c) {
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
    rt.hpa_targets.push_back(target);
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
}

hpa::TargetView Runtime::metrics_view(ClusterId c, ServiceId w) {
  ClusterState& rt = clusters_[c];
  WorkloadState& wl = rt.workloads[w];
  ECSIM_ASSERT(wl.hpa_target, "the metrics view is kept for HPAs' targets");
  const SimTime now = sim_.now();
  // Pods Ready for a whole metric window since their last change have a sample now.
  while (wl.hpa_recent_head < wl.hpa_recent.size()) {
    const WorkloadState::HpaRecent r = wl.hpa_recent[wl.hpa_recent_head];
    if (now - r.ready_at < kMetricWindow) break;
    ++wl.hpa_recent_head;
    const PodRecord& pod = pods_[r.pod];
    if (pod.hpa == HpaPodState::kRecent && pod.ready_changed == r.ready_at)
      hpa_file(wl, r.pod, HpaPodState::kSampled);
  }
  hpa::TargetView view;
  view.replicas = wl.replicas;
  // Without etcd quorum the controller can write no scale.
  view.writable = rt.control_plane.quorum();
  if (wl.load) {
    wl.load->advance(now);
    view.cpu_seconds = wl.load->per_task_cpu_seconds();
    view.memory_mib_seconds = wl.load->per_task_memory_mib_seconds();
  }
  hpa_view_.clear();
  for (const WorkloadState::HpaCounts& k : wl.hpa_counts) {
    const Resources& requests = wl.requests_of(k.revision);
    const auto count = [&](HpaPodState st) { return k.pods[static_cast<std::size_t>(st)]; };
    hpa_view_.push_back({static_cast<double>(requests.cpu_millis),
                         static_cast<double>(requests.memory_bytes), count(HpaPodState::kSampled),
                         count(HpaPodState::kPending),
                         count(HpaPodState::kUnready) + count(HpaPodState::kRecent)});
  }
  view.pods = hpa_view_;
  return view;
}

void Runtime::scale(ClusterId c, ServiceId w, std::int32_t replicas, std::string_view who,
                    std::string why) {
  ClusterState& rt = clusters_[c];
  WorkloadState& wl = rt.workloads[w];
  const SimTime now = sim_.now();
  const char* kind = wl.kind == WorkloadState::Kind::kStatefulSet ? "StatefulSet" : "Deployment";
  scaling_.push_back({now, rt.config->name, std::string(who),
                      fmt::format("{} {}/{}", kind, rt.namespaces[wl.name_space].name, wl.name),
                      wl.replicas, replicas, std::move(why)});
  wl.replicas = replicas;
  wl.measure.desired = replicas;
  wl.measure.observe(now);
}

void Runtime::scaled(ClusterId c) {
  reconcile(c);
  kick(c);
}

void Runtime::append_autoscaled(std::vector<std::int64_t>& row) const {
  for (const ClusterState& rt : clusters_) {
    for (const ServiceId w : rt.hpa_targets) row.push_back(rt.workloads[w].replicas);
    if (rt.node_autoscaler) row.push_back(static_cast<std::int64_t>(rt.registered_nodes.value()));
    if (rt.provisioner) row.push_back(static_cast<std::int64_t>(rt.pooled_nodes.value()));
  }
}

void Runtime::append_autoscaled_columns(std::vector<std::string>& names) const {
  for (const ClusterState& rt : clusters_) {
    for (const ServiceId w : rt.hpa_targets)
      names.push_back(fmt::format("desired:{}/{}", rt.config->name, rt.workloads[w].name));
    if (rt.node_autoscaler || rt.provisioner)
      names.push_back(fmt::format("nodes:{}", rt.config->name));
  }
}

}  // namespace ecsim::eks
