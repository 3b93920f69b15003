#pragma once

/// What every model measures the same way: counts of tasks (or pods) by how they ended, waiting
/// times, a replicated workload's running count against its desired count, and the states of a
/// rollout. Plain values; the report writer turns them into text.

#include <cstdint>
#include <string>
#include <vector>

#include "ecsim/sim/stats.hpp"
#include "ecsim/sim/time.hpp"

namespace ecsim {

/// Every task (or pod) ever created, by how it ended (or where it is at the end of the run).
struct TaskCounts {
  std::uint64_t submitted = 0;
  std::uint64_t started = 0;         ///< reached RUNNING at least once
  std::uint64_t completed = 0;       ///< ran to the end of its duration
  std::uint64_t failed = 0;          ///< never ran: placement failed (RESOURCE:CPU/MEMORY, ...)
  std::uint64_t evicted = 0;         ///< stopped by the platform while running or starting
  std::uint64_t running_at_end = 0;
  std::uint64_t pending_at_end = 0;  ///< PROVISIONING or PENDING at the end
  /// submitted minus every outcome above: 0 unless a task went missing (a bug).
  [[nodiscard]] std::int64_t lost() const noexcept {
    return static_cast<std::int64_t>(submitted) -
           static_cast<std::int64_t>(completed + failed + evicted + running_at_end +
                                     pending_at_end);
  }
  /// Adds `other`'s submitted, started, completed, failed and evicted (not the end counts).
  void add_outcomes(const TaskCounts& other) noexcept {
    submitted += other.submitted;
    started += other.started;
    completed += other.completed;
    failed += other.failed;
    evicted += other.evicted;
  }
};

/// The self-check that no task went missing: every task submitted is completed, failed,
/// evicted, running or pending. Throws InternalError otherwise.
void audit_conservation(const TaskCounts& counts);

/// How a task or pod ended. Scheduler stops (scale-in, deployment, drain) count as completed.
enum class Outcome : std::uint8_t { kCompleted, kFailed, kEvicted };

/// Counts `outcome` in `counts`.
inline void count_outcome(TaskCounts& counts, Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::kCompleted: ++counts.completed; break;
    case Outcome::kFailed: ++counts.failed; break;
    case Outcome::kEvicted: ++counts.evicted; break;
  }
}

/// Waiting times from creation to RUNNING of the tasks that started, in seconds.
struct WaitSeconds {
  double mean = 0, p50 = 0, p95 = 0, p99 = 0, max = 0;
};

/// Waiting times in seconds from a sketch of them (all 0 when it is empty).
WaitSeconds wait_of(const QuantileSketch& s);

/// The state of a deployment (ECS's rolloutState) or of a Deployment's rollout.
enum class RolloutState : std::uint8_t {
  kInProgress,
  kCompleted,
  kFailed,
  kStopped,  ///< a newer deployment replaced it before it completed
};

/// A replicated workload's running count against its desired count, over the run.
struct ReplicaSummary {
  std::int64_t desired = 0;       ///< at the end
  std::int64_t min_running = 0;   ///< fewest running once started
  double mean_running = 0;        ///< running, time-weighted over the run
  double availability = 0;        ///< share of the time since started with running >= desired
  std::vector<std::int64_t> running_by_az;  ///< running per zone at the end
};

/// Measures a service or a Deployment: its running count per zone and over time, and from the
/// moment it first had its desired count running (its start) the time it had them and the
/// fewest it ran. Call `observe` after every change of `running` or `desired`.
struct ReplicaMeter {
  explicit ReplicaMeter(std::size_t zones = 0) : running_by_az(zones, 0) {}

  std::int64_t desired = 0;
  std::int64_t running = 0;
  std::vector<std::int64_t> running_by_az;
  TimeWeightedGauge running_gauge;
  SimTime started_at = kNever;  ///< first time running >= desired (with desired > 0)
  bool available = false;
  SimTime available_since = kSimStart;
  SimDuration available_time{};
  std::int64_t min_running = 0;
  QuantileSketch wait;  ///< creation to RUNNING of its tasks, seconds

  /// Records the current running and desired counts at `now`.
  void observe(SimTime now);
  /// The summary at `end`, the end of the run.
  [[nodiscard]] ReplicaSummary summary(SimTime end) const;
};

/// One change of a target's size an autoscaler made.
struct ScalingActivity {
  SimTime at = kSimStart;
  std::string cluster;
  std::string autoscaler;  ///< its kind and name, e.g. "HorizontalPodAutoscaler default/web"
  std::string target;      ///< what it scaled, e.g. "Deployment default/web"
  std::int64_t from = 0, to = 0;
  std::string reason;      ///< in the autoscaler's own words
};

}  // namespace ecsim
