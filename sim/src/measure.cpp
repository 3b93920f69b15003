#include "ecsim/sim/measure.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "ecsim/sim/assert.hpp"

namespace ecsim {

void audit_conservation(const TaskCounts& t) {
  if (t.lost() != 0)
    check_failed(fmt::format(
        "self-check failed: {} tasks submitted but completed + failed + evicted + running + "
        "pending = {}",
        t.submitted, static_cast<std::int64_t>(t.submitted) - t.lost()));
}

WaitSeconds wait_of(const QuantileSketch& s) {
  WaitSeconds w;
  if (s.count() == 0) return w;
  w.mean = s.mean();
  w.p50 = s.quantile(0.5);
  w.p95 = s.quantile(0.95);
  w.p99 = s.quantile(0.99);
  w.max = s.max();
  return w;
}

void ReplicaMeter::observe(SimTime now) {
  running_gauge.set(now, static_cast<double>(running));
  const bool ok = running >= desired;
  if (started_at == kNever) {
    // Started once it has all its tasks RUNNING, and at least one (a DAEMON service or
    // DaemonSet starts at 0 of 0, before its first instance registers).
    if (!ok || desired == 0) return;
    started_at = now;
    available = true;
    available_since = now;
    min_running = running;
    return;
  }
  min_running = std::min(min_running, running);
  if (available && !ok) available_time += now - available_since;
  else if (!available && ok) available_since = now;
  available = ok;
}

ReplicaSummary ReplicaMeter::summary(SimTime end) const {
  ReplicaSummary r;
  r.desired = desired;
  const double horizon = to_seconds(end - kSimStart);
  r.mean_running = horizon > 0 ? running_gauge.integral(end) / horizon : 0;
  if (started_at != kNever) {
    const SimDuration up = available_time + (available ? end - available_since : SimDuration{});
    const SimDuration since = end - started_at;
    r.availability = since > SimDuration{} ? to_seconds(up) / to_seconds(since) : 1.0;
    r.min_running = min_running;
  }
  r.running_by_az = running_by_az;
  return r;
}

}  // namespace ecsim
