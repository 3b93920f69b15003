#pragma once

// A CreateService request as written, before it is checked: read from a service's keys in a
// scenario or from a create-service JSON file (`aws ecs create-service --cli-input-json`), each
// value remembered with its place, so that the scenario's keys can override the file's and every
// problem is reported where its value was written. Private to models/scenario.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecs_fields.hpp"
#include "ecsim/ecs/capacity_provider.hpp"
#include "ecsim/ecs/deployment.hpp"
#include "ecsim/scenario/scenario.hpp"
#include "yaml_reader.hpp"

namespace ecsim::scenario::detail {

/// The most tasks a service may ask for (desiredCount): ecsim's bound against typos, the same
/// as a capacity provider's largest base.
inline constexpr std::int64_t kMaxDesiredCount = 100'000;

/// How a request is written: a scenario's snake_case keys or CreateService's own JSON names.
enum class Dialect : std::uint8_t { kScenario, kCreateServiceJson };

/// The fields of one written request. Each is absent when it was not written, or was written
/// wrong (reported, and `ok` is false).
struct ServiceRequest {
  std::optional<std::string> name;                    ///< serviceName
  std::optional<std::string> task_definition_family;  ///< the family taskDefinition names (JSON)
  std::optional<ecs::SchedulingStrategy> scheduling_strategy;
  std::optional<std::int64_t> desired_count;
  std::optional<LaunchType> launch_type;
  std::optional<ecs::CapacityProviderStrategy> capacity_provider_strategy;
  std::optional<std::vector<StrategyConfig>> placement_strategy;
  std::optional<PlacementConstraints> placement_constraints;
  ecs::DeploymentConfigurationInput deployment;  ///< minimumHealthyPercent, maximumPercent
  std::optional<bool> circuit_breaker;           ///< deploymentCircuitBreaker.enable
  std::optional<bool> rollback;                  ///< deploymentCircuitBreaker.rollback
  std::optional<ecs::CircuitBreakerThreshold>
      threshold;                       ///< a scenario's circuit_breaker.threshold
  std::optional<bool> az_rebalancing;  ///< availabilityZoneRebalancing ENABLED
  /// Where each field was written, under the names ecs::check reports (`desiredCount`,
  /// `capacityProviderStrategy[1].base`, `deploymentConfiguration.maximumPercent`, ...), also
  /// when its value was wrong: a field is "given" when it has a place.
  Places places;
  bool ok = true;  ///< false when a value was wrong (and reported)
  /// The service_definition file could not be read, or is not a request AWS would take
  /// (reported): nothing else about the service is checked.
  bool file_failed = false;
};

/// Reads the request at `r`, written in `dialect`. The caller checks a scenario service's keys
/// (it has keys of its own beside the request's); in a JSON file other keys are skipped, as the
/// many CreateService fields ecsim does not model.
ServiceRequest read_service_request(const Reader& r, Dialect dialect);

/// The request `file` with each field that `scenario` gives replaced by the scenario's. A launch
/// type and a capacity provider strategy are one choice: either in the scenario replaces both of
/// the file's. The deployment configuration is merged field by field.
ServiceRequest merge(ServiceRequest file, ServiceRequest scenario);

}  // namespace ecsim::scenario::detail
