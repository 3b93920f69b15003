#pragma once

// The Cluster Autoscaler's command-line flags, as a cluster-autoscaler Deployment's command
// gives them and as a scenario's `cluster_autoscaler` block names them (snake_case). Private to
// models/scenario.

#include <optional>
#include <string>
#include <string_view>

#include "ecsim/eks/cluster_spec.hpp"

namespace ecsim::scenario::detail {

/// What applying one flag did.
struct FlagOutcome {
  enum class Kind : std::uint8_t {
    kSet,           ///< simulated, and set
    kNotSimulated,  ///< a flag of the Cluster Autoscaler that ecsim reads and does not simulate
    kUnknown,       ///< no such flag
    kBadValue,      ///< its value does not parse
  } kind = Kind::kSet;
  std::string message;  ///< for kUnknown and kBadValue: what is wrong; else empty
  std::string closest;  ///< for kUnknown: the closest known flag, if one is close
};

/// Whether `name` (without dashes) is a boolean flag, which takes no separate value.
bool is_boolean_flag(std::string_view name);

/// Applies flag `name` (without its leading dashes) with `value` (none: a boolean flag given
/// alone, true) to `config`.
FlagOutcome apply_autoscaler_flag(eks::ClusterAutoscalerConfig& config, std::string_view name,
                                  std::optional<std::string_view> value);

}  // namespace ecsim::scenario::detail
