// The HorizontalPodAutoscaler controller: each cluster's HPAs sync every 15 s, each reading its
// target's pods and mean use from the view the engine hands it and deciding its scale by the
// arithmetic of ecsim/hpa/hpa.hpp.

#include "ecsim/hpa/runtime.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "ecsim/sim/assert.hpp"

namespace ecsim::hpa {
namespace {

const char* resource_name(Resource r) { return r == Resource::kCpu ? "cpu" : "memory"; }

}  // namespace

Runtime::Runtime(std::vector<Spec> specs) {
  autoscalers_.reserve(specs.size());
  for (Spec& s : specs) {
    Behavior behavior(s.min_replicas, s.max_replicas, s.scale_up, s.scale_down);
    if (by_cluster_.size() <= s.cluster) by_cluster_.resize(std::size_t{s.cluster} + 1);
    by_cluster_[s.cluster].push_back(static_cast<std::uint32_t>(autoscalers_.size()));
    autoscalers_.push_back({std::move(s), std::move(behavior), kSimStart, 0, 0, std::nullopt});
  }
}

void Runtime::start(Simulator& sim, SimTime horizon) {
  horizon_ = horizon;
  if (kSimStart + kSyncPeriod > horizon_) return;
  for (std::uint32_t c = 0; c < by_cluster_.size(); ++c)
    if (!by_cluster_[c].empty()) sim.schedule_at(kSimStart + kSyncPeriod, kSync, c);
}

std::uint32_t Runtime::on_sync(Simulator& sim, const Event& e) {
  ECSIM_ASSERT(e.kind == kSync && e.target < by_cluster_.size(), "a sync names a cluster with HPAs");
  const SimTime next = sim.now() + kSyncPeriod;
  if (next <= horizon_) sim.schedule_at(next, kSync, e.target);
  return static_cast<std::uint32_t>(e.target);
}

std::span<const std::uint32_t> Runtime::of_cluster(std::uint32_t c) const {
  if (c >= by_cluster_.size()) return {};
  return by_cluster_[c];
}

std::optional<Decision> Runtime::sync(std::uint32_t index, SimTime now, const TargetView& target) {
  Autoscaler& a = autoscalers_[index];
  // The pods' mean use since the last sync, per serving pod.
  double cpu_millis = 0, memory_bytes = 0;
  const double window = to_seconds(now - a.last_sync);
  if (target.cpu_seconds && window > 0) {
    cpu_millis = 1000 * (*target.cpu_seconds - a.cpu_seconds) / window;
    memory_bytes = 1024.0 * 1024.0 * (*target.memory_mib_seconds - a.memory_mib_seconds) / window;
    a.cpu_seconds = *target.cpu_seconds;
    a.memory_mib_seconds = *target.memory_mib_seconds;
  }
  a.last_sync = now;
  const std::int32_t current = target.replicas;
  a.behavior.record_initial(now, current);
  if (current == 0 || !target.writable) return std::nullopt;  // scaling is disabled at 0 replicas
  std::optional<std::int32_t> proposed;
  const Target* deciding = nullptr;  // the metric whose proposal won, for the reason
  for (const Target& metric : a.spec.metrics) {
    const bool cpu = metric.resource == Resource::kCpu;
    groups_.clear();
    for (const RevisionPods& k : target.pods)
      groups_.push_back({cpu ? k.cpu_request : k.memory_request, k.sampled, k.pending, k.unsampled});
    const auto r = grouped_replicas(current, groups_, metric, cpu ? cpu_millis : memory_bytes);
    if (!r) continue;
    if (!proposed || *r > *proposed) {
      proposed = *r;
      deciding = &metric;
    }
  }
  const bool outside = current > a.spec.max_replicas || current < a.spec.min_replicas;
  if (!proposed && !outside) return std::nullopt;  // no metric for any ready pod: no change
  const std::int32_t desired = a.behavior.decide(now, current, proposed.value_or(current));
  if (desired == current) return std::nullopt;
  // The reason, in the controller's words, only for a change (a sync mostly changes nothing).
  std::string reason;
  if (outside) {
    reason = current > a.spec.max_replicas ? "Current number of replicas above Spec.MaxReplicas"
                                           : "Current number of replicas below Spec.MinReplicas";
  } else if (desired < current && *proposed <= current) {
    reason = "All metrics below target";
  } else {
    reason = fmt::format("{} resource{} {} target", resource_name(deciding->resource),
                         deciding->utilization ? " utilization (percentage of request)" : "",
                         *proposed > current ? "above" : "below");
  }
  a.last_set = desired;
  return Decision{desired, fmt::format("New size: {}; reason: {}", desired, reason)};
}

void Runtime::check_invariants() const {
  for (const Autoscaler& a : autoscalers_) {
    if (a.last_set && (*a.last_set < a.spec.min_replicas || *a.last_set > a.spec.max_replicas))
      check_failed(fmt::format(
          "self-check failed: HorizontalPodAutoscaler {} set {} replicas, outside minReplicas {} "
          "and maxReplicas {}",
          a.spec.name, *a.last_set, a.spec.min_replicas, a.spec.max_replicas));
    // One recommendation a sync, one older than both windows reused: at most the syncs within
    // the longer window, and two more.
    const SimDuration window =
        std::max(a.spec.scale_up.stabilization_window, a.spec.scale_down.stabilization_window);
    const std::size_t bound = static_cast<std::size_t>(window / kSyncPeriod) + 2;
    if (a.behavior.recommendations_held() > bound)
      check_failed(fmt::format(
          "self-check failed: HorizontalPodAutoscaler {} holds {} recommendations, more than the "
          "{} its stabilization windows need",
          a.spec.name, a.behavior.recommendations_held(), bound));
  }
}

}  // namespace ecsim::hpa
