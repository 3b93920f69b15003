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
  for (std::size_t t = 0; t < targets_.size(); ++t)
    if (kSimStart + kMetricPeriod <= horizon_)
      sim.schedule_at(kSimStart + kMetricPeriod, kEvaluate, static_cast<std::uint32_t>(t));
}

std::size_t Runtime::on_evaluate(Simulator& sim, const Event& e) {
  ECSIM_ASSERT(e.kind == kEvaluate && e.target < targets_.size(), "an evaluation of a target");
  if (sim.now() + kMetricPeriod <= horizon_)
    sim.schedule_at(sim.now() + kMetricPeriod, kEvaluate, e.target);
  return static_cast<std::size_t>(e.target);
}

}  // namespace ecsim::appscaling
