#include "scheduler_impl.hpp"

namespace ecsim::eks {

std::optional<PreemptionResult> Scheduler::preempt(PodClassId, const DisruptionBudgets&) {
  return std::nullopt;
}

}  // namespace ecsim::eks
