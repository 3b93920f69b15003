// An ECS service's Application Auto Scaling: the JSON files `aws application-autoscaling
// register-scalable-target --cli-input-json` and `put-scaling-policy --cli-input-json` take,
// checked against the Application Auto Scaling API model as the AWS CLI checks them, then
// against what the service itself validates, and read into appscaling::ScalableTarget.

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "api_schema.hpp"
#include "loader.hpp"
#include "yaml_reader.hpp"

namespace ecsim::scenario::detail {
namespace {

// The most a cooldown may be in ecsim: a year (the API types it as an integer of seconds).
constexpr std::int64_t kMaxCooldownSeconds = 365LL * 24 * 3600;
// ECS's quota of tasks per service.
constexpr std::int64_t kMaxTasksPerService = 5000;

// The JSON document at `file` (named at `at`), checked against the request `api` of the
// Application Auto Scaling model; none after reporting.
std::optional<Document> load_request(const Reader& at, const std::string& file,
                                     std::string_view api, Diagnostics& diagnostics) {
  auto doc = load_document(file, diagnostics, at.where(), at.path(), Syntax::kJson);
  if (!doc) return std::nullopt;
  const Reader root(*doc, diagnostics);
  if (!root.is_map()) {
    root.error(fmt::format("expected a JSON object holding a {} request", api));
    return std::nullopt;
  }
  if (!check_api(root, *api_root(fmt::format("aws.application-autoscaling.{}Request", api)),
                 ApiReader::kAwsCli))
    return std::nullopt;
  return doc;
}

// ServiceNamespace, ResourceId and ScalableDimension name this service's desired count.
bool names_service(const Reader& root, const std::string& resource_id) {
  bool ok = true;
  if (const auto ns = root["ServiceNamespace"].string(); ns && *ns != "ecs") {
    root["ServiceNamespace"].error(fmt::format(
        "'{}' is not simulated: ecsim scales ECS services (expected ecs)", *ns));
    ok = false;
  }
  if (const auto id = root["ResourceId"].string(); id && *id != resource_id) {
    root["ResourceId"].error(fmt::format(
        "'{}' is not this service (expected {}, service/CLUSTER/SERVICE)", *id, resource_id));
    ok = false;
  }
  if (const auto dim = root["ScalableDimension"].string(); dim && *dim != "ecs:service:DesiredCount") {
    root["ScalableDimension"].error(fmt::format(
        "'{}' is not an ECS service's scalable dimension (expected ecs:service:DesiredCount)",
        *dim));
    ok = false;
  }
  return ok;
}

}  // namespace

void Loader::read_service_autoscaling(const Reader& a, const EcsClusterConfig& cluster,
                                      const ServiceConfig& service, std::size_t cluster_index) {
  if (!a.expect_map({"scalable_target", "policies"}) || !a["scalable_target"].require()) return;
  if (service.scheduling_strategy != ecs::SchedulingStrategy::kReplica) {
    a.error(fmt::format("service '{}' is a DAEMON service: Service Auto Scaling scales a "
                        "REPLICA service's desired count",
                        service.name));
    return;
  }
  if (!service.load) {
    a.error(fmt::format("service '{}' has no load: its tasks would use nothing and report no "
                        "utilisation to scale on (expected a `load` on the service)",
                        service.name));
    return;
  }
  appscaling::ScalableTarget t;
  t.cluster = cluster_index;
  t.service = cluster.services.size() - 1;
  t.resource_id = fmt::format("service/{}/{}", cluster.name, service.name);
  bool ok = true;
  const Reader file = a["scalable_target"];
  if (const auto relative = file.string()) {
    t.target_path = resolve(*relative);
    if (const auto doc = load_request(file, t.target_path, "RegisterScalableTarget", diagnostics_)) {
      const Reader root(*doc, diagnostics_);
      ok = names_service(root, t.resource_id) && ok;
      // A new scalable target needs both capacities (Application Auto Scaling refuses one
      // registered without them); min <= max.
      const Reader min = root["MinCapacity"], max = root["MaxCapacity"];
      if (!min.present() || !max.present()) {
        root.error("MinCapacity and MaxCapacity are required to register a new scalable target");
        ok = false;
      }
      const auto lo = min.integer(0, kMaxTasksPerService);
      const auto hi = max.integer(0, kMaxTasksPerService);
      if (lo && hi && *lo > *hi) {
        max.error(fmt::format("Minimum capacity cannot be greater than maximum capacity ({} > {})",
                              *lo, *hi));
        ok = false;
      }
      t.min_capacity = lo.value_or(0);
      t.max_capacity = hi.value_or(0);
      const Reader suspended = root["SuspendedState"];
      t.scale_in_suspended = suspended["DynamicScalingInSuspended"].boolean().value_or(false);
      t.scale_out_suspended = suspended["DynamicScalingOutSuspended"].boolean().value_or(false);
      // ScheduledScalingSuspended is left unread: without scheduled actions it changes nothing,
      // and `validate --verbose` names it as not simulated.
      if (!lo || !hi) ok = false;
      root.note_unread();
    } else {
      ok = false;
    }
  }
  std::set<std::string> names;
  for (const Reader& p : a["policies"].items("a list of put-scaling-policy files")) {
    const auto relative = p.string();
    if (!relative) continue;
    const std::string path = resolve(*relative);
    t.policy_paths.push_back(path);
    const auto doc = load_request(p, path, "PutScalingPolicy", diagnostics_);
    if (!doc) {
      ok = false;
      continue;
    }
    const Reader root(*doc, diagnostics_);
    ok = names_service(root, t.resource_id) && ok;
    appscaling::TargetTrackingPolicy policy;
    policy.name = root["PolicyName"].string().value_or("");
    if (!policy.name.empty() && !names.insert(policy.name).second) {
      root["PolicyName"].error(fmt::format(
          "a second policy named '{}' for {} (PutScalingPolicy would replace the first)",
          policy.name, t.resource_id));
      ok = false;
    }
    const Reader type = root["PolicyType"];
    const auto kind = type.present() ? type.one_of({"TargetTrackingScaling", "StepScaling",
                                                    "PredictiveScaling"})
                                     : std::optional<std::string>();
    if (!type.present()) {
      root.error("PolicyType is required to create a scaling policy (expected "
                 "TargetTrackingScaling)");
      ok = false;
      continue;
    }
    if (!kind) {
      ok = false;
      continue;
    }
    if (*kind != "TargetTrackingScaling") {
      type.error(fmt::format("a {} policy is not simulated yet (expected TargetTrackingScaling)",
                             *kind));
      ok = false;
      continue;
    }
    const Reader config = root["TargetTrackingScalingPolicyConfiguration"];
    if (!config.present()) {
      root.error("TargetTrackingScalingPolicyConfiguration is required for a "
                 "TargetTrackingScaling policy");
      ok = false;
      continue;
    }
    if (const auto v = config["TargetValue"].number(-1e300, 1e300)) {
      if (*v <= 0) {
        config["TargetValue"].error(
            fmt::format("{} is not positive (expected a target above 0 in the metric's unit)", *v));
        ok = false;
      }
      policy.target = *v;
    } else {
      ok = false;
    }
    const Reader predefined = config["PredefinedMetricSpecification"];
    if (config["CustomizedMetricSpecification"].present()) {
      config["CustomizedMetricSpecification"].error(
          "a customized metric is not simulated: ecsim's load gives the predefined metrics "
          "(expected a PredefinedMetricSpecification)");
      ok = false;
    } else if (!predefined.present()) {
      config.error("expected a PredefinedMetricSpecification or a CustomizedMetricSpecification");
      ok = false;
    } else if (const auto m = predefined["PredefinedMetricType"].string()) {
      if (*m == "ECSServiceAverageCPUUtilization") {
        policy.metric = appscaling::Metric::kEcsCpu;
      } else if (*m == "ECSServiceAverageMemoryUtilization") {
        policy.metric = appscaling::Metric::kEcsMemory;
      } else if (*m == "ALBRequestCountPerTarget") {
        policy.metric = appscaling::Metric::kAlbRequestCountPerTarget;
        // The metric's dimension names the load balancer and its target group.
        if (!predefined["ResourceLabel"].present()) {
          predefined.error("ResourceLabel is required for the ALBRequestCountPerTarget metric "
                           "(app/LOAD-BALANCER/ID/targetgroup/TARGET-GROUP/ID)");
          ok = false;
        } else {
          (void)predefined["ResourceLabel"].string();
        }
      } else {
        predefined["PredefinedMetricType"].error(fmt::format(
            "'{}' is not simulated for an ECS service (expected ECSServiceAverageCPUUtilization, "
            "ECSServiceAverageMemoryUtilization or ALBRequestCountPerTarget)",
            *m));
        ok = false;
      }
    }
    const auto cooldown = [&](const char* key, SimDuration& out) {
      if (!config[key].present()) return;
      if (const auto v = config[key].integer(0, kMaxCooldownSeconds)) out = std::chrono::seconds(*v);
      else ok = false;
    };
    cooldown("ScaleOutCooldown", policy.scale_out_cooldown);
    cooldown("ScaleInCooldown", policy.scale_in_cooldown);
    policy.disable_scale_in = config["DisableScaleIn"].boolean().value_or(false);
    root.note_unread();
    t.policies.push_back(std::move(policy));
  }
  if (ok) scalable_targets_.push_back(std::move(t));
}

}  // namespace ecsim::scenario::detail
