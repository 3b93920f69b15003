// The Cluster Autoscaler's flags; see autoscaler_flags.hpp. Names and defaults are those of
// kubernetes/autoscaler's cluster-autoscaler FAQ ("What are the parameters to CA?") and its
// main.go flag definitions.

#include "autoscaler_flags.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

#include "yaml_reader.hpp"
#include "ecsim/sim/time.hpp"

namespace ecsim::scenario::detail {
namespace {

constexpr std::array<std::string_view, 6> kBooleans{
    "scale-down-enabled",          "balance-similar-node-groups", "skip-nodes-with-system-pods",
    "ignore-daemonsets-utilization", "skip-nodes-with-local-storage", "logtostderr"};

// Flags of the Cluster Autoscaler that ecsim accepts and does not simulate: logging, the
// cloud provider's discovery (ecsim scales every node group of the eksctl file), and behaviour
// ecsim has no model for (volumes, graceful termination, unready nodes).
constexpr std::array<std::string_view, 43> kNotSimulated{
    "v", "stderrthreshold", "logtostderr", "alsologtostderr", "log-file", "cloud-provider",
    "cloud-config", "node-group-auto-discovery", "nodes", "aws-use-static-instance-list",
    "skip-nodes-with-local-storage", "skip-nodes-with-custom-controller-pods",
    "max-graceful-termination-sec", "scale-down-unready-time", "scale-down-unready-enabled",
    "leader-elect", "leader-elect-resource-lock", "kubeconfig", "namespace",
    "write-status-configmap", "status-config-map-name", "balancing-ignore-label",
    "balancing-label", "max-node-group-binpacking-duration", "max-inactivity",
    "max-failing-time", "address", "expendable-pods-priority-cutoff", "estimator",
    "cordon-node-before-terminating", "daemonset-eviction-for-empty-nodes",
    "daemonset-eviction-for-occupied-nodes",
    // ecsim's fixed choices (models/cluster_autoscaler/README.md): non-empty candidates
    // max(30, 10% of the nodes), one drain at a time, backoff 5 minutes doubling to 30; and
    // limits it has no model for (cluster-wide cores and memory, GPUs, unready nodes).
    "scale-down-non-empty-candidates-count", "scale-down-candidates-pool-ratio",
    "scale-down-candidates-pool-min-count", "max-scale-down-parallelism", "max-drain-parallelism",
    "initial-node-group-backoff-duration", "max-node-group-backoff-duration", "cores-total",
    "memory-total", "scale-down-gpu-utilization-threshold", "node-deletion-delay-timeout"};

// The simulated flags, for "did you mean".
constexpr std::array<std::string_view, 16> kSimulated{
    "scan-interval", "expander", "scale-down-enabled", "scale-down-utilization-threshold",
    "scale-down-unneeded-time", "scale-down-delay-after-add", "scale-down-delay-after-delete",
    "scale-down-delay-after-failure", "max-node-provision-time", "max-empty-bulk-delete",
    "balance-similar-node-groups", "skip-nodes-with-system-pods", "ignore-daemonsets-utilization",
    "max-nodes-total", "new-pod-scale-up-delay", "unremovable-node-recheck-timeout"};

FlagOutcome bad(std::string message) { return {FlagOutcome::Kind::kBadValue, std::move(message), ""}; }

// A Go duration ("10m", "1m30s", "10m0s", "300ms", "1.5h"), as ecsim's durations read them.
std::optional<SimDuration> go_duration(std::string_view v) {
  if (v == "0") return SimDuration::zero();
  return parse_duration(v);
}

}  // namespace

bool is_boolean_flag(std::string_view name) {
  return std::find(kBooleans.begin(), kBooleans.end(), name) != kBooleans.end();
}

FlagOutcome apply_autoscaler_flag(eks::ClusterAutoscalerConfig& config, std::string_view name,
                                  std::optional<std::string_view> value) {
  const bool simulated = std::find(kSimulated.begin(), kSimulated.end(), name) != kSimulated.end();
  if (!simulated) {
    if (std::find(kNotSimulated.begin(), kNotSimulated.end(), name) != kNotSimulated.end()) {
      if (name == "cloud-provider" && value && *value != "aws")
        return bad(fmt::format("'{}' is not simulated (expected aws: the node groups are EKS's)",
                               *value));
      return {FlagOutcome::Kind::kNotSimulated, "", ""};
    }
    std::vector<std::string> known(kSimulated.begin(), kSimulated.end());
    known.insert(known.end(), kNotSimulated.begin(), kNotSimulated.end());
    const std::string hint = did_you_mean(std::string(name), known);
    std::string closest;
    for (const std::string& k : known)
      if (!hint.empty() && hint.find("'" + k + "'") != std::string::npos) closest = k;
    return {FlagOutcome::Kind::kUnknown,
            hint.empty() ? fmt::format("unknown flag: --{}", name)
                         : fmt::format("unknown flag: --{} ({})", name, hint),
            closest};
  }
  if (is_boolean_flag(name)) {
    bool on = true;
    if (value) {
      if (*value == "true") on = true;
      else if (*value == "false") on = false;
      else return bad(fmt::format("invalid argument \"{}\" for \"--{}\" flag: expected true or false", *value, name));
    }
    if (name == "scale-down-enabled") config.scale_down_enabled = on;
    else if (name == "balance-similar-node-groups") config.balance_similar_node_groups = on;
    else if (name == "skip-nodes-with-system-pods") config.skip_nodes_with_system_pods = on;
    else config.ignore_daemonsets_utilization = on;
    return {};
  }
  if (!value) return bad(fmt::format("flag needs an argument: --{}", name));
  const std::string_view v = *value;
  if (name == "expander") {
    std::vector<eks::Expander> chain;
    std::size_t start = 0;
    while (start <= v.size()) {
      const std::size_t comma = v.find(',', start);
      const std::string_view item = v.substr(start, comma == std::string_view::npos ? v.npos : comma - start);
      if (item == "random") chain.push_back(eks::Expander::kRandom);
      else if (item == "most-pods") chain.push_back(eks::Expander::kMostPods);
      else if (item == "least-waste") chain.push_back(eks::Expander::kLeastWaste);
      else if (item == "price") chain.push_back(eks::Expander::kPrice);
      else if (item == "priority") chain.push_back(eks::Expander::kPriority);
      else {
        const std::string hint = did_you_mean(
            std::string(item), {"random", "most-pods", "least-waste", "price", "priority", "grpc"});
        return bad(fmt::format("expander '{}' is not simulated ({})", item,
                               hint.empty() ? "expected random, most-pods, least-waste, price or priority" : hint));
      }
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    config.expanders = std::move(chain);
    return {};
  }
  if (name == "scale-down-utilization-threshold") {
    double x = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc{} || end != v.data() + v.size() || x < 0 || x > 1)
      return bad(fmt::format("'{}' is not a utilisation from 0 to 1", v));
    config.scale_down_utilization_threshold = x;
    return {};
  }
  if (name == "max-empty-bulk-delete" || name == "max-nodes-total") {
    std::int32_t n = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || end != v.data() + v.size() || n < 0 || n > 1'000'000)
      return bad(fmt::format("'{}' is not a whole number from 0 to 1000000", v));
    (name == "max-empty-bulk-delete" ? config.max_empty_bulk_delete : config.max_nodes_total) = n;
    return {};
  }
  const auto d = go_duration(v);
  if (!d || *d < SimDuration::zero())
    return bad(fmt::format("'{}' is not a duration (expected one such as 10s, 10m or 1h30m)", v));
  if (name == "scan-interval") {
    if (*d < std::chrono::seconds(1)) return bad(fmt::format("'{}' is shorter than a second", v));
    config.scan_interval = *d;
  } else if (name == "scale-down-unneeded-time") {
    config.scale_down_unneeded_time = *d;
  } else if (name == "scale-down-delay-after-add") {
    config.scale_down_delay_after_add = *d;
  } else if (name == "scale-down-delay-after-delete") {
    config.scale_down_delay_after_delete = *d;
  } else if (name == "scale-down-delay-after-failure") {
    config.scale_down_delay_after_failure = *d;
  } else if (name == "max-node-provision-time") {
    config.max_node_provision_time = *d;
  } else if (name == "unremovable-node-recheck-timeout") {
    config.unremovable_node_recheck_timeout = *d;
  } else {
    config.new_pod_scale_up_delay = *d;
  }
  return {};
}

}  // namespace ecsim::scenario::detail
