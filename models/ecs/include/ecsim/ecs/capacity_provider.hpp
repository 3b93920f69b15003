#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ecsim/sim/problem.hpp"

/// Capacity provider strategies: AWS's validation rules and the way a strategy's base and
/// weights share a service's tasks among its providers, in one go or one task at a time. Pure
/// functions; which provider has room for a task is the placement model's business.

namespace ecsim::ecs {

/// One entry of a capacityProviderStrategy.
struct CapacityProviderStrategyItem {
  std::string capacity_provider;  ///< Short name: FARGATE, FARGATE_SPOT or an ASG provider.
  std::int64_t base = 0;          ///< Tasks, at a minimum, to run on this provider (0..100000).
  std::int64_t weight = 0;        ///< Relative share of the tasks beyond the base (0..1000).

  friend bool operator==(const CapacityProviderStrategyItem&,
                         const CapacityProviderStrategyItem&) = default;
};

/// A capacityProviderStrategy in the order it was written; the order breaks ties.
using CapacityProviderStrategy = std::vector<CapacityProviderStrategyItem>;

/// Whether `name` is one of the two Fargate capacity providers (FARGATE, FARGATE_SPOT).
bool is_fargate_provider(std::string_view name) noexcept;

/// Every problem with `strategy` under AWS's rules; fields are `capacityProviderStrategy` and
/// `capacityProviderStrategy[i].base` and so on.
Problems check(const CapacityProviderStrategy& strategy);

/// How many of `tasks` (>= 0) tasks each provider of `strategy` (valid) runs, in strategy
/// order: the base first, then the rest by weight, exactly as `next_provider` would assign them
/// one by one.
std::vector<std::int64_t> distribute(const CapacityProviderStrategy& strategy, std::int64_t tasks);

/// The index in `strategy` (valid) of the provider for one more task, given the tasks each
/// provider runs now (`counts`, in strategy order, same size as `strategy`).
std::size_t next_provider(const CapacityProviderStrategy& strategy,
                          std::span<const std::int64_t> counts);

/// The index of the provider to take a task from when the service scales in by one, given
/// `counts` (at least one > 0): the reverse of `next_provider`, so that scaling out then in by
/// one task returns to the same counts.
std::size_t provider_to_scale_in(const CapacityProviderStrategy& strategy,
                                 std::span<const std::int64_t> counts);

}  // namespace ecsim::ecs
