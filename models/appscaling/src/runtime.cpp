// The Application Auto Scaling component; see ecsim/appscaling/runtime.hpp.

#include "ecsim/appscaling/runtime.hpp"

#include <limits>

#include "ecsim/sim/assert.hpp"

namespace ecsim::appscaling {

Runtime::Runtime(std::span<const ScalableTarget> targets) : targets_(targets) {
  scalers_.reserve(targets.size());
  for (const ScalableTarget& t : targets_) scalers_.emplace_back(&t);
}

void Runtime::start(Simulator& sim, SimTime horizon) {
  horizon_ = horizon;
  ECSIM_ASSERT(targets_.size() <= std::numeric_limits<std::uint32_t>::max(),
               "an event target names each scalable target");
  for (std::size_t t = 0; t < targets_.size(); ++t) {
    if (kSimStart + kMetricPeriod <= horizon_)
      sim.schedule_at(kSimStart + kMetricPeriod, kEvaluate, static_cast<std::uint32_t>(t));
    for (std::size_t a = 0; a < targets_[t].scheduled.size(); ++a)
      schedule_action(sim, t, a, kSimStart - SimDuration{1});
  }
}

// At: once, at its time. Rate: from StartTime, or one rate after the run's start, every rate.
// Cron: at each minute its schedule names. None before StartTime or after EndTime.
void Runtime::schedule_action(Simulator& sim, std::size_t t, std::size_t a, SimTime after) {
  const ScheduledAction& action = targets_[t].scheduled[a];
  SimTime next = kNever;
  switch (action.kind) {
    case ScheduledAction::Kind::kAt:
      if (action.at > after) next = action.at;
      break;
    case ScheduledAction::Kind::kRate: {
      const SimTime first = action.start > kSimStart ? action.start : kSimStart + action.rate;
      if (first > after) next = first;
      else next = first + action.rate * ((after - first) / action.rate + 1);
      break;
    }
    case ScheduledAction::Kind::kCron:
      next = workload::next_cron_time(action.cron, std::max(after, action.start - SimDuration{1}));
      break;
  }
  if (next < action.start) next = action.start;
  if (next == kNever || next > action.end || next > horizon_ || next < sim.now()) return;
  sim.schedule_at(next, kScheduled, static_cast<std::uint32_t>(t), a);
}

std::pair<std::size_t, std::size_t> Runtime::on_scheduled(Simulator& sim, const Event& e) {
  ECSIM_ASSERT(e.kind == kScheduled && e.target < targets_.size(), "a scheduled action of a target");
  const auto a = static_cast<std::size_t>(e.payload);
  schedule_action(sim, e.target, a, sim.now());
  return {e.target, a};
}

std::size_t Runtime::on_evaluate(Simulator& sim, const Event& e) {
  ECSIM_ASSERT(e.kind == kEvaluate && e.target < targets_.size(), "an evaluation of a target");
  if (sim.now() + kMetricPeriod <= horizon_)
    sim.schedule_at(sim.now() + kMetricPeriod, kEvaluate, e.target);
  return static_cast<std::size_t>(e.target);
}

}  // namespace ecsim::appscaling
