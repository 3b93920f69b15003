#include "ecs_fields.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ecsim/ecs/attributes.hpp"

namespace ecsim::scenario::detail {
namespace {

// AWS's limits on one RunTask or CreateService request.
constexpr std::size_t kMaxStrategies = 5;
constexpr std::size_t kMaxConstraints = 10;

constexpr std::string_view kAttributePrefix = "attribute:";

// The fields a spread strategy takes besides custom attributes: instanceId (or its synonym
// host), the zone, and the other attributes the agent sets that ecsim models.
struct SpreadField {
  std::string_view text;
  ecs::StrategyField field;
  ModelledAttribute attribute;
};
constexpr std::array<SpreadField, 6> kSpreadFields{{
    {"instanceId", ecs::StrategyField::kInstanceId, ModelledAttribute::kAvailabilityZone},
    {"host", ecs::StrategyField::kInstanceId, ModelledAttribute::kAvailabilityZone},
    {"attribute:ecs.availability-zone", ecs::StrategyField::kAvailabilityZone,
     ModelledAttribute::kAvailabilityZone},
    {"attribute:ecs.instance-type", ecs::StrategyField::kAttribute,
     ModelledAttribute::kInstanceType},
    {"attribute:ecs.os-type", ecs::StrategyField::kAttribute, ModelledAttribute::kOsType},
    {"attribute:ecs.cpu-architecture", ecs::StrategyField::kAttribute,
     ModelledAttribute::kCpuArchitecture},
}};

// The field of a spread strategy: one of kSpreadFields or `attribute:` and a custom attribute's
// name. A custom attribute no instance has is accepted: every instance then lacks it, and the
// strategy orders nothing.
std::optional<StrategyConfig> spread_strategy(const Reader& field) {
  const auto text = field.string();
  if (!text) return std::nullopt;
  for (const SpreadField& f : kSpreadFields)
    if (f.text == *text)
      return StrategyConfig{ecs::StrategyType::kSpread, f.field, f.attribute, {}};
  std::vector<std::string> names;
  for (const SpreadField& f : kSpreadFields) names.emplace_back(f.text);
  const std::string expected = fmt::format(
      "expected {} or attribute: and a custom attribute's name", fmt::join(names, ", "));
  if (!text->starts_with(kAttributePrefix)) {
    const std::string hint = did_you_mean(*text, names);
    field.error(fmt::format("'{}' is not a field to spread over ({})", *text,
                            hint.empty() ? expected : hint));
    return std::nullopt;
  }
  const std::string_view name = std::string_view(*text).substr(kAttributePrefix.size());
  if (name.starts_with(ecs::kAgentAttributePrefix)) {
    // An attribute the agent sets that ecsim does not model (ecs.ami-id, ...).
    const std::string hint = did_you_mean(*text, names);
    field.error(fmt::format("'{}' is not an attribute ecsim models ({})", *text,
                            hint.empty() ? expected : hint));
    return std::nullopt;
  }
  if (const std::string problem = ecs::attribute_name_problem(name); !problem.empty()) {
    field.error(fmt::format("'{}' does not name an attribute: {}", *text, problem));
    return std::nullopt;
  }
  return StrategyConfig{ecs::StrategyType::kSpread, ecs::StrategyField::kAttribute,
                        ModelledAttribute::kCustom, std::string(name)};
}

std::optional<StrategyConfig> placement_strategy(const Reader& item) {
  if (!item.expect_map({"type", "field"}) || !item["type"].require()) return std::nullopt;
  const auto type = item["type"].one_of({"binpack", "spread", "random"});
  if (!type) return std::nullopt;
  if (*type == "random") {
    if (!item["field"].present()) return StrategyConfig{};
    item["field"].error("random takes no field");
    return std::nullopt;
  }
  if (!item["field"].require()) return std::nullopt;
  if (*type == "spread") return spread_strategy(item["field"]);
  const auto field = item["field"].one_of({"cpu", "memory"});
  if (!field) return std::nullopt;
  return StrategyConfig{ecs::StrategyType::kBinpack,
                        *field == "cpu" ? ecs::StrategyField::kCpu : ecs::StrategyField::kMemory,
                        ModelledAttribute::kAvailabilityZone, {}};
}

std::optional<ecs::Query> member_of(const Reader& expression) {
  if (!expression.require()) return std::nullopt;
  const auto text = expression.string();
  if (!text) return std::nullopt;
  auto parsed = ecs::parse_query(*text);
  if (auto* errors = std::get_if<std::vector<ecs::QueryError>>(&parsed)) {
    for (const ecs::QueryError& e : *errors)
      expression.error(fmt::format("{} (at column {} of the expression)", e.message, e.column));
    return std::nullopt;
  }
  ecs::Query& query = std::get<ecs::Query>(parsed);
  if (query.depends_on_tasks()) {
    // The engine evaluates an expression once per instance, when it registers.
    expression.error(
        "expressions about tasks (runningTasksCount, task:group) are not simulated yet "
        "(expected attributes, agentConnected, agentVersion, ec2InstanceId or registeredAt)");
    return std::nullopt;
  }
  return std::move(query);
}

// Adds the constraint at `item` to `out`; false after reporting a problem.
bool placement_constraint(const Reader& item, PlacementConstraints& out) {
  if (!item.expect_map({"type", "expression"}) || !item["type"].require()) return false;
  const auto type = item["type"].one_of({"distinctInstance", "memberOf"});
  if (!type) return false;
  if (*type == "distinctInstance") {
    if (item["expression"].present()) {
      item["expression"].error("distinctInstance takes no expression");
      return false;
    }
    out.distinct_instance = true;
    return true;
  }
  auto query = member_of(item["expression"]);
  if (!query) return false;
  out.member_of.push_back(std::move(*query));
  return true;
}

// The items of `list` (`expected` when it is not a list), reporting more than `max` of them.
std::vector<Reader> at_most(const Reader& list, std::size_t max, std::string_view what,
                            std::string_view expected, bool& ok) {
  std::vector<Reader> items = list.items(expected);
  if (items.size() > max) {
    list.error(fmt::format("{} {} (expected at most {})", items.size(), what, max));
    ok = false;
  }
  return items;
}

}  // namespace

std::optional<std::vector<StrategyConfig>> read_placement_strategies(const Reader& list) {
  bool ok = true;
  std::vector<StrategyConfig> out;
  for (const Reader& item :
       at_most(list, kMaxStrategies, "strategies", "a list of {type, field} strategies", ok)) {
    const auto strategy = placement_strategy(item);
    ok = ok && strategy.has_value();
    if (strategy) out.push_back(*strategy);
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<PlacementConstraints> read_placement_constraints(const Reader& list) {
  bool ok = true;
  PlacementConstraints out;
  for (const Reader& item : at_most(list, kMaxConstraints, "constraints",
                                    "a list of {type, expression} constraints", ok))
    ok = placement_constraint(item, out) && ok;
  if (!ok) return std::nullopt;
  return out;
}

bool is_aws_name(std::string_view name) {
  return !name.empty() && name.size() <= 255 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
  });
}

std::optional<LaunchType> read_launch_type(const Reader& r, bool spot) {
  const auto t = spot ? r.one_of({"EC2", "FARGATE", "FARGATE_SPOT"}) : r.one_of({"EC2", "FARGATE"});
  if (!t) return std::nullopt;
  return *t == "EC2"       ? LaunchType::kEc2
         : *t == "FARGATE" ? LaunchType::kFargate
                           : LaunchType::kFargateSpot;
}

}  // namespace ecsim::scenario::detail
