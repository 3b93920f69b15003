#pragma once

// Fields that eksctl ClusterConfig files and Kubernetes manifests share: label maps, taint
// effects, integer-or-percent values and quantities. Private to models/scenario.

#include <cstdint>
#include <optional>
#include <string_view>

#include "ecsim/eks/objects.hpp"
#include "yaml_reader.hpp"

namespace ecsim::scenario::detail {

/// A mapping of names to text values (labels, nodeSelector); any scalar value is read as its
/// text, as YAML writes it. Reports a value that is not a scalar, or a non-mapping.
std::optional<eks::Labels> read_labels(const Reader& r);

/// NoSchedule, PreferNoSchedule or NoExecute (with a "did you mean" otherwise).
std::optional<eks::TaintEffect> read_taint_effect(const Reader& r);

/// The effect Kubernetes writes `name`, or none.
std::optional<eks::TaintEffect> taint_effect_named(std::string_view name);

/// The name Kubernetes writes for `effect`.
const char* taint_effect_name(eks::TaintEffect effect);

/// An IntOrString of the Kubernetes API: a whole number from 0 to `max_int`, or a string such as
/// "25%" (a percentage from 0 to `max_percent`).
std::optional<eks::IntOrPercent> read_int_or_percent(const Reader& r, std::int64_t max_int,
                                                     std::int64_t max_percent);

/// A quantity (`100m`, `0.5`, `64Mi`, `1e3`) in thousandths (CPU millicores), or in whole units
/// (memory bytes, pods) when `millis` is false.
std::optional<std::int64_t> read_quantity(const Reader& r, bool millis);

}  // namespace ecsim::scenario::detail
