#include "service_request.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace ecsim::scenario::detail {
namespace {

// A field of a request: its name in CreateService's JSON (and in the Problems ecs::check
// reports) and its key in a scenario.
struct Key {
  std::string_view json;
  std::string_view scenario;
};

constexpr Key kServiceName{"serviceName", "name"};
constexpr Key kCluster{"cluster", "cluster"};
constexpr Key kTaskDefinition{"taskDefinition", "task_definition"};
constexpr Key kSchedulingStrategy{"schedulingStrategy", "scheduling_strategy"};
constexpr Key kDesiredCount{"desiredCount", "desired_count"};
constexpr Key kLaunchType{"launchType", "launch_type"};
constexpr Key kCapacityProviderStrategy{"capacityProviderStrategy", "capacity_provider_strategy"};
constexpr Key kCapacityProvider{"capacityProvider", "capacity_provider"};
constexpr Key kBase{"base", "base"};
constexpr Key kWeight{"weight", "weight"};
constexpr Key kPlacementStrategy{"placementStrategy", "placement_strategy"};
constexpr Key kPlacementConstraints{"placementConstraints", "placement_constraints"};
constexpr Key kDeploymentConfiguration{"deploymentConfiguration", "deployment_configuration"};
constexpr Key kMinimumHealthyPercent{"minimumHealthyPercent", "minimum_healthy_percent"};
constexpr Key kMaximumPercent{"maximumPercent", "maximum_percent"};
constexpr Key kCircuitBreaker{"deploymentCircuitBreaker", "circuit_breaker"};
constexpr Key kEnable{"enable", "enable"};
constexpr Key kRollback{"rollback", "rollback"};
// Not a CreateService field: ecsim's way to set the breaker's threshold, named as ecs::check
// reports it.
constexpr Key kThreshold{"thresholdConfiguration", "threshold"};
constexpr Key kType{"type", "type"};
constexpr Key kValue{"value", "value"};
constexpr Key kAzRebalancing{"availabilityZoneRebalancing", "az_rebalancing"};

constexpr auto kText = [](const Reader& r) { return r.string(); };
constexpr auto kBoolean = [](const Reader& r) { return r.boolean(); };
constexpr auto kAwsInteger = [](const Reader& r) {
  return r.integer(kAwsIntegerMin, kAwsIntegerMax);
};

// The family a taskDefinition reference names: "family", "family:revision" or a task
// definition ARN ("arn:aws:ecs:REGION:ACCOUNT:task-definition/family:revision").
std::optional<std::string> family_of(const Reader& r) {
  const std::optional<std::string> text = r.string();
  if (!text) return std::nullopt;
  std::string_view ref = *text;
  if (ref.starts_with("arn:")) {
    constexpr std::string_view kResource = ":task-definition/";
    const std::size_t at = ref.find(kResource);
    ref = at == std::string_view::npos ? std::string_view{} : ref.substr(at + kResource.size());
  }
  if (const std::size_t colon = ref.find(':'); colon != std::string_view::npos) {
    const std::string_view revision = ref.substr(colon + 1);
    const bool number =
        !revision.empty() && std::all_of(revision.begin(), revision.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c)) != 0;
        });
    ref = number ? ref.substr(0, colon) : std::string_view{};
  }
  if (is_aws_name(ref)) return std::string(ref);
  r.error(
      fmt::format("'{}' does not name a task definition (expected a family, family:revision "
                  "or task definition ARN, e.g. web, web:3 or "
                  "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3)",
                  *text));
  return std::nullopt;
}

std::optional<ecs::SchedulingStrategy> scheduling_strategy(const Reader& r) {
  const auto s = r.one_of({"REPLICA", "DAEMON"});
  if (!s) return std::nullopt;
  return *s == "REPLICA" ? ecs::SchedulingStrategy::kReplica : ecs::SchedulingStrategy::kDaemon;
}

std::optional<ecs::CircuitBreakerThresholdType> threshold_type(const Reader& r) {
  const auto t = r.one_of({"BOUNDED_PERCENT", "UNBOUNDED_PERCENT", "COUNT"});
  if (!t) return std::nullopt;
  return *t == "BOUNDED_PERCENT"     ? ecs::CircuitBreakerThresholdType::kBoundedPercent
         : *t == "UNBOUNDED_PERCENT" ? ecs::CircuitBreakerThresholdType::kUnboundedPercent
                                     : ecs::CircuitBreakerThresholdType::kCount;
}

class RequestReader {
 public:
  RequestReader(const Reader& root, Dialect dialect) : root_(root), dialect_(dialect) {}

  ServiceRequest read() {
    if (json() && !root_.expect_object("a JSON object holding a create-service request")) {
      req_.ok = false;
      return std::move(req_);
    }
    req_.name = value(root_, kServiceName, "", kText);
    if (json()) {
      // The cluster is the scenario's; the file's is checked for its type only.
      (void)value(root_, kCluster, "", kText);
      req_.task_definition_family = value(root_, kTaskDefinition, "", family_of);
    }
    req_.scheduling_strategy = value(root_, kSchedulingStrategy, "", scheduling_strategy);
    req_.desired_count = value(root_, kDesiredCount, "",
                               [](const Reader& r) { return r.integer(0, kMaxDesiredCount); });
    req_.launch_type = value(root_, kLaunchType, "",
                             [this](const Reader& r) { return read_launch_type(r, !json()); });
    req_.capacity_provider_strategy =
        value(root_, kCapacityProviderStrategy, "",
              [this](const Reader& r) { return capacity_provider_strategy(r); });
    req_.placement_strategy = value(root_, kPlacementStrategy, "", read_placement_strategies);
    req_.placement_constraints =
        value(root_, kPlacementConstraints, "", read_placement_constraints);
    read_deployment(key(root_, kDeploymentConfiguration));
    req_.az_rebalancing = value(root_, kAzRebalancing, "", [this](const Reader& r) {
      return json() ? enabled(r) : r.boolean();
    });
    return std::move(req_);
  }

 private:
  [[nodiscard]] bool json() const { return dialect_ == Dialect::kCreateServiceJson; }

  [[nodiscard]] Reader key(const Reader& parent, Key k) const {
    return parent[json() ? k.json : k.scenario];
  }

  // The value under `parent`'s key `k`, read with `parse`; remembered as the field `k` inside
  // `within` (a field name, or "" at the top).
  template <class Parse>
  auto value(const Reader& parent, Key k, std::string_view within, Parse parse)
      -> decltype(parse(parent)) {
    const Reader r = key(parent, k);
    if (!r.present()) return std::nullopt;
    req_.places.remember(
        within.empty() ? std::string(k.json) : fmt::format("{}.{}", within, k.json), r);
    auto v = parse(r);
    if (!v) req_.ok = false;
    return v;
  }

  // Checks the keys of the mapping `r`. In a JSON file only an object AWS defines in full
  // (`closed`) has its keys checked; others may hold fields ecsim does not model.
  bool expect_keys(const Reader& r, std::initializer_list<Key> keys, bool closed) const {
    if (json() && !closed) return r.expect_object("a JSON object");
    std::vector<std::string_view> names;
    for (const Key& k : keys) names.push_back(json() ? k.json : k.scenario);
    return r.expect_map(names);
  }

  std::optional<bool> enabled(const Reader& r) const {
    const auto s = r.one_of({"ENABLED", "DISABLED"});
    if (!s) return std::nullopt;
    return *s == "ENABLED";
  }

  // Every item is read (and its problems reported) before the strategy is given up on, so that
  // the items keep their indices, which ecs::check's problems refer to.
  std::optional<ecs::CapacityProviderStrategy> capacity_provider_strategy(const Reader& list) {
    ecs::CapacityProviderStrategy strategy;
    bool ok = list.is_sequence();
    for (const Reader& item : list.items("a list of {capacity_provider, base, weight}")) {
      const std::string field = fmt::format("capacityProviderStrategy[{}]", strategy.size());
      req_.places.remember(field, item);
      const auto entry = strategy_item(item, field);
      ok = ok && entry.has_value();
      strategy.push_back(entry.value_or(ecs::CapacityProviderStrategyItem{}));
    }
    if (!ok) return std::nullopt;
    return strategy;
  }

  std::optional<ecs::CapacityProviderStrategyItem> strategy_item(const Reader& item,
                                                                 const std::string& field) {
    if (!expect_keys(item, {kCapacityProvider, kBase, kWeight}, true)) return std::nullopt;
    const bool named = key(item, kCapacityProvider).require();
    const auto provider = value(item, kCapacityProvider, field, kText);
    const auto base = value(item, kBase, field, kAwsInteger);
    const auto weight = value(item, kWeight, field, kAwsInteger);
    if (!named || !provider || (key(item, kBase).present() && !base) ||
        (key(item, kWeight).present() && !weight))
      return std::nullopt;
    return ecs::CapacityProviderStrategyItem{*provider, base.value_or(0), weight.value_or(0)};
  }

  void read_deployment(const Reader& d) {
    const std::string within(kDeploymentConfiguration.json);
    if (!d.present()) return;
    req_.places.remember(within, d);
    if (!expect_keys(d, {kMinimumHealthyPercent, kMaximumPercent, kCircuitBreaker}, false)) {
      req_.ok = false;
      return;
    }
    req_.deployment.minimum_healthy_percent = value(d, kMinimumHealthyPercent, within, kAwsInteger);
    req_.deployment.maximum_percent = value(d, kMaximumPercent, within, kAwsInteger);
    read_circuit_breaker(key(d, kCircuitBreaker),
                         fmt::format("{}.{}", within, kCircuitBreaker.json));
  }

  void read_circuit_breaker(const Reader& cb, const std::string& within) {
    if (!cb.present()) return;
    req_.places.remember(within, cb);
    const bool shape = json() ? expect_keys(cb, {kEnable, kRollback}, true)
                              : expect_keys(cb, {kEnable, kRollback, kThreshold}, true);
    if (!shape) {
      req_.ok = false;
      return;
    }
    req_.circuit_breaker = value(cb, kEnable, within, kBoolean);
    req_.rollback = value(cb, kRollback, within, kBoolean);
    if (!json())
      req_.threshold = value(cb, kThreshold, "", [this](const Reader& t) { return threshold(t); });
  }

  std::optional<ecs::CircuitBreakerThreshold> threshold(const Reader& t) {
    if (!expect_keys(t, {kType, kValue}, true)) return std::nullopt;
    ecs::CircuitBreakerThreshold out;
    const std::string within(kThreshold.json);
    if (const auto type = value(t, kType, within, threshold_type)) out.type = *type;
    if (const auto v = value(t, kValue, within, kAwsInteger)) out.value = *v;
    return out;
  }

  Reader root_;
  Dialect dialect_;
  ServiceRequest req_;
};

}  // namespace

ServiceRequest read_service_request(const Reader& r, Dialect dialect) {
  return RequestReader(r, dialect).read();
}

ServiceRequest merge(ServiceRequest file, ServiceRequest scenario) {
  const auto over = [&](auto& into, auto& from, const std::string& field) {
    if (!scenario.places.contains(field)) return;
    into = std::move(from);
    file.places.forget(field);
  };
  if (scenario.places.contains("launchType") ||
      scenario.places.contains("capacityProviderStrategy")) {
    file.launch_type.reset();
    file.capacity_provider_strategy.reset();
    file.places.forget("launchType");
    file.places.forget("capacityProviderStrategy");
  }
  over(file.name, scenario.name, "serviceName");
  over(file.scheduling_strategy, scenario.scheduling_strategy, "schedulingStrategy");
  over(file.desired_count, scenario.desired_count, "desiredCount");
  over(file.launch_type, scenario.launch_type, "launchType");
  over(file.capacity_provider_strategy, scenario.capacity_provider_strategy,
       "capacityProviderStrategy");
  over(file.placement_strategy, scenario.placement_strategy, "placementStrategy");
  over(file.placement_constraints, scenario.placement_constraints, "placementConstraints");
  over(file.deployment.minimum_healthy_percent, scenario.deployment.minimum_healthy_percent,
       "deploymentConfiguration.minimumHealthyPercent");
  over(file.deployment.maximum_percent, scenario.deployment.maximum_percent,
       "deploymentConfiguration.maximumPercent");
  over(file.circuit_breaker, scenario.circuit_breaker,
       "deploymentConfiguration.deploymentCircuitBreaker.enable");
  over(file.rollback, scenario.rollback,
       "deploymentConfiguration.deploymentCircuitBreaker.rollback");
  over(file.threshold, scenario.threshold, "thresholdConfiguration");
  over(file.az_rebalancing, scenario.az_rebalancing, "availabilityZoneRebalancing");
  file.places.take(scenario.places);
  file.ok = file.ok && scenario.ok;
  return file;
}

}  // namespace ecsim::scenario::detail
