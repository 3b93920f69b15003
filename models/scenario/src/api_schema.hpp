#pragma once

// The fields of the real APIs whose files ecsim reads (the ECS and Application Auto Scaling API
// models, eksctl's ClusterConfig, the Kubernetes API types), as derive.py takes them from those
// definitions into api_schema_data.cpp, and the check of a file against them as the real tools
// make it: unknown fields, wrong types and missing required fields. Private to models/scenario.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "yaml_reader.hpp"

namespace ecsim::scenario::detail {

/// What a value of an API type is written as.
enum class ApiKind : std::uint8_t {
  kString,       ///< text
  kInteger,      ///< a whole number
  kNumber,       ///< any number
  kBoolean,      ///< true or false
  kTimestamp,    ///< a time: text (or, for AWS, seconds since the epoch)
  kQuantity,     ///< a Kubernetes quantity: text such as 100m or 1Gi, or a number
  kIntOrString,  ///< a Kubernetes IntOrString: a whole number or text
  kAny,          ///< anything (free-form documents, types the definitions leave open)
  kList,         ///< a list of `element`
  kMap,          ///< a mapping of any keys to `element`
  kObject,       ///< a mapping of the type's own fields
  kListOrMap,    ///< a list of `element` or a mapping to what `alternative` maps to
};

/// One field of an object type: its name as written in the file, its type, and whether the API
/// requires it.
struct ApiField {
  std::string_view name;
  std::uint16_t type;  ///< index into api_types()
  bool required;
};

/// One type: objects have fields api_fields()[first_field, first_field + field_count).
struct ApiType {
  ApiKind kind;
  std::uint16_t element;      ///< list and map items (index into api_types())
  std::uint16_t alternative;  ///< kListOrMap: the map type
  std::uint32_t first_field;
  std::uint16_t field_count;
  std::string_view name;  ///< the definition's name (objects), e.g. "ecs.ContainerDefinition"
};

/// A type files are read as, by name: `aws.ecs.RegisterTaskDefinitionRequest`,
/// `eksctl.ClusterConfig`, `k8s.apps/v1.Deployment` (apiVersion, then kind), `k8s.v1.List`.
struct ApiRoot {
  std::string_view name;
  std::uint16_t type;
};

/// The generated tables (api_schema_data.cpp).
std::span<const ApiField> api_fields();
std::span<const ApiType> api_types();
std::span<const ApiRoot> api_roots();

/// The type of the root `name`, or none.
std::optional<std::uint16_t> api_root(std::string_view name);

/// The tool whose reading of a file a check follows.
enum class ApiReader : std::uint8_t {
  kAwsCli,   ///< botocore's parameter validation: JSON types exactly, null is a wrong type
  kKubectl,  ///< kubectl apply (strict): YAML 1.1 scalars, types exactly, null is no value
  kEksctl,   ///< eksctl's strict decoding: a text field takes any scalar as its text
};

/// Checks the value at `r` against the type `type` as `reader` checks it, reporting each
/// unknown field (with a "did you mean"), value of the wrong type and missing required field
/// at its own place, in that tool's words. True when nothing was wrong.
bool check_api(const Reader& r, std::uint16_t type, ApiReader reader);

}  // namespace ecsim::scenario::detail
