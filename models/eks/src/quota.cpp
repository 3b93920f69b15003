#include <algorithm>

#include "ecsim/eks/objects.hpp"

// ResourceQuota scopes as the quota admission matches them (kubernetes/kubernetes,
// pkg/quota/v1/evaluator/core/pods.go, podMatchesScopeFunc): BestEffort is a pod of QoS class
// BestEffort (no container requests or limits anything; a limit alone becomes the request, so
// zero effective requests is the same test), Terminating a pod with activeDeadlineSeconds, and
// PriorityClass compares spec.priorityClassName by the selector's operator (Exists: any name,
// DoesNotExist: none given).

namespace ecsim::eks {
namespace {

bool selects(const QuotaScope& scope, const PodSpec& spec) {
  const bool best_effort = spec.requests.cpu_millis == 0 && spec.requests.memory_bytes == 0;
  switch (scope.name) {
    case QuotaScope::Name::kBestEffort: return best_effort;
    case QuotaScope::Name::kNotBestEffort: return !best_effort;
    case QuotaScope::Name::kTerminating: return spec.active_deadline;
    case QuotaScope::Name::kNotTerminating: return !spec.active_deadline;
    case QuotaScope::Name::kPriorityClass: {
      const std::string& name = spec.priority_class_name;
      const bool listed =
          std::find(scope.values.begin(), scope.values.end(), name) != scope.values.end();
      switch (scope.op) {
        case SelectorOperator::kIn: return !name.empty() && listed;
        case SelectorOperator::kNotIn: return name.empty() || !listed;
        case SelectorOperator::kExists: return !name.empty();
        case SelectorOperator::kDoesNotExist: return name.empty();
        default: return false;
      }
    }
  }
  return false;
}

}  // namespace

bool quota_selects(const ResourceQuota& q, const PodSpec& spec) {
  return std::all_of(q.scopes.begin(), q.scopes.end(),
                     [&](const QuotaScope& s) { return selects(s, spec); });
}

}  // namespace ecsim::eks
