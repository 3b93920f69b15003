#include "ecsim/ecs/capacity_provider.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "ecsim/sim/assert.hpp"

// Where each rule comes from (looked up for this file; see also models/ecs/README.md).
//
// [ITEM] Amazon ECS API Reference, CapacityProviderStrategyItem (and the SDKs' copies): base
//        "designates how many tasks, at a minimum, to run on the specified capacity provider.
//        Only one capacity provider in a capacity provider strategy can have a base defined",
//        default 0, range 0..100000; weight "the relative percentage of the total number of
//        tasks launched that should use the specified capacity provider. The weight value is
//        taken into consideration after the base value, if defined, is satisfied", default 0,
//        range 0..1000; "When multiple capacity providers are specified within a capacity
//        provider strategy, at least one of the capacity providers must have a weight value
//        greater than zero and any capacity providers with a weight of 0 can't be used to place
//        tasks"; weights 1 and 1 split the tasks evenly, 1 and 4 put four tasks on the second for
//        each one on the first; capacityProvider is 1..255 characters.
// [API]  CreateService / RunTask capacityProviderStrategy: "A capacity provider strategy can
//        contain a maximum of 20 capacity providers" (6 in earlier editions).
// [DG]   Developer Guide, "Amazon ECS capacity providers": "A capacity provider strategy can only
//        contain Auto Scaling group capacity providers or Fargate capacity providers."
//
// The order in which tasks beyond the base are handed out is not documented; ecsim uses the
// D'Hondt (highest averages) rule, ties to the earlier provider in the strategy. See the README.

namespace ecsim::ecs {
namespace {

constexpr std::int64_t kMaxBase = 100'000;
constexpr std::int64_t kMaxWeight = 1'000;
constexpr std::size_t kMaxProviders = 20;
constexpr std::size_t kMaxNameLength = 255;

std::string item_field(std::size_t i, std::string_view key) {
  return fmt::format("capacityProviderStrategy[{}].{}", i, key);
}

// The provider (if any) still short of its base: only one provider may have a base, so at most
// one index qualifies.
std::optional<std::size_t> unmet_base(const CapacityProviderStrategy& strategy,
                                      std::span<const std::int64_t> counts) {
  for (std::size_t i = 0; i < strategy.size(); ++i)
    if (counts[i] < strategy[i].base) return i;
  return std::nullopt;
}

// Tasks a provider runs beyond its base (never negative once every base is met).
std::int64_t excess(const CapacityProviderStrategyItem& item, std::int64_t count) {
  return std::max<std::int64_t>(0, count - item.base);
}

}  // namespace

bool is_fargate_provider(std::string_view name) noexcept {
  return name == "FARGATE" || name == "FARGATE_SPOT";
}

Problems check(const CapacityProviderStrategy& strategy) {
  Problems problems;
  if (strategy.empty()) {
    problems.push_back({"capacityProviderStrategy",
                        "a capacity provider strategy needs at least one capacity provider"});
    return problems;
  }
  if (strategy.size() > kMaxProviders)
    problems.push_back({"capacityProviderStrategy",
                        fmt::format("A capacity provider strategy can contain a maximum of 20 "
                                    "capacity providers. (found {})",
                                    strategy.size())});

  std::set<std::string_view> seen;
  bool any_fargate = false;
  bool any_asg = false;
  std::optional<std::size_t> first_base;
  for (std::size_t i = 0; i < strategy.size(); ++i) {
    const CapacityProviderStrategyItem& item = strategy[i];
    const std::string& name = item.capacity_provider;
    if (name.empty() || name.size() > kMaxNameLength) {
      problems.push_back(
          {item_field(i, "capacityProvider"),
           fmt::format("capacityProvider must be 1 to 255 characters (found {})", name.size())});
    } else if (!seen.insert(name).second) {
      problems.push_back({item_field(i, "capacityProvider"),
                          fmt::format("capacity provider '{}' appears more than once in the "
                                      "strategy",
                                      name)});
    }
    if (!name.empty()) (is_fargate_provider(name) ? any_fargate : any_asg) = true;

    if (item.base < 0 || item.base > kMaxBase) {
      problems.push_back({item_field(i, "base"),
                          fmt::format("base must be between 0 and 100000 (found {})", item.base)});
    } else if (item.base > 0) {
      if (first_base) {
        problems.push_back(
            {item_field(i, "base"),
             fmt::format("Only one capacity provider in a capacity provider strategy can have a "
                         "base defined. (capacityProviderStrategy[{}] already has base {})",
                         *first_base, strategy[*first_base].base)});
      } else {
        first_base = i;
      }
    }
    if (item.weight < 0 || item.weight > kMaxWeight)
      problems.push_back(
          {item_field(i, "weight"),
           fmt::format("weight must be between 0 and 1000 (found {})", item.weight)});
  }

  if (strategy.size() > 1 &&
      std::none_of(strategy.begin(), strategy.end(),
                   [](const CapacityProviderStrategyItem& item) { return item.weight > 0; }))
    problems.push_back({"capacityProviderStrategy",
                        "When multiple capacity providers are specified within a capacity "
                        "provider strategy, at least one of the capacity providers must have a "
                        "weight value greater than zero. (every weight is 0)"});
  if (any_fargate && any_asg)
    problems.push_back({"capacityProviderStrategy",
                        "A capacity provider strategy can only contain Auto Scaling group "
                        "capacity providers or Fargate capacity providers. (found both)"});
  return problems;
}

std::size_t next_provider(const CapacityProviderStrategy& strategy,
                          std::span<const std::int64_t> counts) {
  ECSIM_ASSERT(!strategy.empty() && counts.size() == strategy.size(),
               "one count per provider of a non-empty strategy");
  if (const auto i = unmet_base(strategy, counts)) return *i;
  // A lone provider takes every task, whatever its weight: AWS's weight-0 exclusion is worded
  // for strategies with several providers.
  if (strategy.size() == 1) return 0;
  // D'Hondt: the next task goes where (tasks beyond base + 1) / weight is smallest, compared by
  // cross-multiplication to stay exact; strict < keeps the earlier provider on a tie.
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < strategy.size(); ++i) {
    if (strategy[i].weight <= 0) continue;
    if (!best) {
      best = i;
      continue;
    }
    const std::size_t b = *best;
    const std::int64_t lhs = (excess(strategy[i], counts[i]) + 1) * strategy[b].weight;
    const std::int64_t rhs = (excess(strategy[b], counts[b]) + 1) * strategy[i].weight;
    if (lhs < rhs) best = i;
  }
  ECSIM_ASSERT(best.has_value(),
               "check() guarantees a weight > 0 when there are several providers");
  return *best;
}

std::size_t provider_to_scale_in(const CapacityProviderStrategy& strategy,
                                 std::span<const std::int64_t> counts) {
  ECSIM_ASSERT(!strategy.empty() && counts.size() == strategy.size(),
               "one count per provider of a non-empty strategy");
  // Tasks a zero-weight provider runs beyond its base should not exist (a lone provider aside);
  // they go first, the last such provider first.
  for (std::size_t i = strategy.size(); i-- > 0;)
    if (strategy[i].weight <= 0 && excess(strategy[i], counts[i]) > 0) return i;
  // The reverse of D'Hondt: take from the provider whose last task had the largest quotient
  // tasks-beyond-base / weight; among equals the later provider got its task last.
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < strategy.size(); ++i) {
    if (strategy[i].weight <= 0 || excess(strategy[i], counts[i]) == 0) continue;
    if (!best) {
      best = i;
      continue;
    }
    const std::size_t b = *best;
    const std::int64_t lhs = excess(strategy[i], counts[i]) * strategy[b].weight;
    const std::int64_t rhs = excess(strategy[b], counts[b]) * strategy[i].weight;
    if (lhs >= rhs) best = i;
  }
  if (best) return *best;
  // Only base tasks are left: take from the last provider that has any.
  for (std::size_t i = strategy.size(); i-- > 0;)
    if (counts[i] > 0) return i;
  ECSIM_ASSERT(false, "provider_to_scale_in needs at least one task");
  return 0;
}

std::vector<std::int64_t> distribute(const CapacityProviderStrategy& strategy, std::int64_t tasks) {
  ECSIM_ASSERT(tasks >= 0, "a task count is never negative");
  std::vector<std::int64_t> counts(strategy.size(), 0);
  // One task at a time, so that a service scaled out task by task ends where a service created
  // at that size starts; desiredCount is small enough (thousands) for this to be cheap.
  for (std::int64_t t = 0; t < tasks; ++t) ++counts[next_provider(strategy, counts)];
  return counts;
}

}  // namespace ecsim::ecs
