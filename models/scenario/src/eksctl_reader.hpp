#pragma once

// Reading an eksctl ClusterConfig file (apiVersion eksctl.io/v1alpha5) into eks::ClusterConfig
// with eksctl's defaults. Private to models/scenario.

#include <optional>
#include <string>
#include <vector>

#include "ecsim/eks/node_group.hpp"
#include "ecsim/scenario/diagnostics.hpp"
#include "yaml_reader.hpp"

namespace ecsim::scenario::detail {

/// What the scenario checks an eksctl file against: its platform's region and zones.
struct EksctlContext {
  std::string region;              ///< platform.region: metadata.region must name it
  std::vector<std::string> zones;  ///< platform.azs: every zone of the file must be one of them
};

/// eksctl's instance type for a node group that names none (DefaultNodeType).
inline constexpr const char* kEksctlDefaultInstanceType = "m5.large";
/// eksctl's node count for a node group that gives no size (DefaultNodeCount).
inline constexpr std::uint32_t kEksctlDefaultNodeCount = 2;

/// The ClusterConfig at `root`; reports every problem into the reader's diagnostics and returns
/// nothing when there was one.
std::optional<eks::ClusterConfig> read_eksctl(const Reader& root, const EksctlContext& context);

/// Reads the eksctl file at `path`; a missing or malformed file is reported at
/// `referenced_from` under `field`, the rest at its place in the file.
std::optional<eks::ClusterConfig> read_eksctl_file(const std::string& path,
                                                   const EksctlContext& context,
                                                   Diagnostics& diagnostics,
                                                   const SourceLocation& referenced_from,
                                                   const std::string& field);

}  // namespace ecsim::scenario::detail
