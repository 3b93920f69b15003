#pragma once

// Readers for the fields that RunTask (jobs) and CreateService (services) share, written the
// same way in a scenario and in a create-service JSON file. Private to models/scenario.

#include <optional>
#include <string_view>
#include <vector>

#include "ecsim/ecs/query.hpp"
#include "ecsim/scenario/scenario.hpp"
#include "yaml_reader.hpp"

namespace ecsim::scenario::detail {

/// placementConstraints as read: a distinctInstance constraint and memberOf expressions.
struct PlacementConstraints {
  bool distinct_instance = false;     ///< a distinctInstance constraint was given
  std::vector<ecs::Query> member_of;  ///< every memberOf expression, parsed
};

/// The `{type, field}` items of the placementStrategy list at `list`, at most 5; nothing (after
/// reporting every problem) when one is wrong.
std::optional<std::vector<StrategyConfig>> read_placement_strategies(const Reader& list);

/// The `{type, expression}` items of the placementConstraints list at `list`, at most 10;
/// nothing (after reporting every problem) when one is wrong.
std::optional<PlacementConstraints> read_placement_constraints(const Reader& list);

/// A launch type: EC2, FARGATE, or (when `spot` is true, as ecsim's own shorthand for the
/// FARGATE_SPOT capacity provider) FARGATE_SPOT.
std::optional<LaunchType> read_launch_type(const Reader& r, bool spot);

/// Whether `name` is 1 to 255 letters, numbers, hyphens and underscores: AWS's rule for the
/// names of services, capacity providers and task definition families.
bool is_aws_name(std::string_view name);

/// Copies `strategies` and `constraints` into a JobConfig or ServiceConfig.
template <class Config>
void set_placement(Config& out, std::vector<StrategyConfig> strategies,
                   PlacementConstraints constraints) {
  out.placement_strategy = std::move(strategies);
  out.distinct_instance = constraints.distinct_instance;
  out.member_of = std::move(constraints.member_of);
}

}  // namespace ecsim::scenario::detail
