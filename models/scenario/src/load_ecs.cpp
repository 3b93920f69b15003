#include <algorithm>
#include <set>
#include <variant>

#include <fmt/format.h>

#include "api_schema.hpp"
#include "ecs_fields.hpp"
#include "ecsim/ecs/attributes.hpp"
#include "ecsim/ecs/query.hpp"
#include "ecsim/platform/catalog.hpp"
#include "ecsim/platform/fargate.hpp"
#include "ecsim/scenario/scenario.hpp"
#include "loader.hpp"
#include "service_request.hpp"
#include "task_definition_reader.hpp"
#include "yaml_reader.hpp"

// ECS clusters: their capacity (an Auto Scaling group, as a capacity provider or not, and
// instances registered by hand, with their custom attributes), jobs, services and drains.
//
// Where the service and capacity provider rules come from (see also models/ecs/README.md):
// [CS]   CreateService's InvalidParameterExceptions, as public issue threads quote them: "The
//        daemon scheduling strategy does not support a desired count for services. Remove the
//        desired count value and try again" (kayac/ecspresso#20), "... does not support
//        placement strategies. Remove the placement strategy and try again" (kayac/ecspresso#402),
//        "Specifying a capacity provider strategy is not supported when you create a service
//        using the DAEMON scheduling strategy." (aws/containers-roadmap#692), "Specifying both a
//        launch type and capacity provider strategy is not supported. Remove one and try
//        again." (pulumi/pulumi-awsx#599). ecsim ends each sentence with a full stop.
// [DG]   Developer Guide, "Amazon ECS service deployment controllers and strategies": "Fargate
//        tasks do not support the DAEMON scheduling strategy."
// [API]  API Reference: CreateCapacityProvider.name, "Up to 255 characters ... letters ...,
//        numbers, underscores (_), and hyphens (-). The name can't be prefixed with "aws",
//        "ecs", or "fargate"."; AutoScalingGroupProvider.managedTerminationProtection, "When
//        using managed termination protection, managed scaling must also be used otherwise
//        managed termination protection doesn't work.".
// [NAME] serviceName: "up to 255 letters, numbers, hyphens, and underscores", as Pulumi's AWS
//        provider documents it (the same as task definition families); ecsim's wording.

namespace ecsim::scenario::detail {
namespace {

using std::chrono::seconds;

constexpr std::string_view kFargatePlacement =
    "placement strategies and constraints are not supported with the FARGATE launch type "
    "(expected launch_type EC2)";
constexpr std::string_view kDaemonDesiredCount =
    "The daemon scheduling strategy does not support a desired count for services. Remove the "
    "desired count value and try again. (a DAEMON service runs one task on each container "
    "instance)";

// The memberOf expression AWS requires of a task definition whose runtimePlatform names a CPU
// architecture (the `ecs.cpu-architecture` attribute of its requiresAttributes), for EC2.
void require_architecture(const ecs::TaskDefinition& td, std::vector<ecs::Query>& member_of) {
  if (!td.cpu_architecture()) return;
  const bool arm = *td.cpu_architecture() == ecs::CpuArchitecture::kArm64;
  auto parsed = ecs::parse_query(arm ? "attribute:ecs.cpu-architecture == arm64"
                                     : "attribute:ecs.cpu-architecture == x86_64");
  member_of.push_back(std::move(std::get<ecs::Query>(parsed)));
}

// Fargate Spot runs no ARM64 task ("Linux tasks with the ARM64 architecture don't support the
// Fargate Spot capacity provider", Fargate's architecture documentation).
void check_spot_architecture(const Reader& at, const ecs::TaskDefinition& td) {
  if (td.cpu_architecture() == ecs::CpuArchitecture::kArm64)
    at.error(
        "Fargate Spot does not run tasks whose runtimePlatform.cpuArchitecture is ARM64 "
        "(expected FARGATE, or X86_64)");
}

// RunTask's and CreateService's own checks of a task definition against the launch type and the
// cluster; `tasks` names what runs them ("jobs", "services").
void check_launch_type(const Reader& at, const ecs::TaskDefinition& td, LaunchType launch,
                       const EcsClusterConfig& cluster, std::string_view tasks) {
  const auto& compat = td.requires_compatibilities();
  if (launch == LaunchType::kEc2) {
    if (!compat.empty() && !td.requires_compatibility(ecs::Compatibility::kEc2))
      at.error(
          "Task definition does not support launch_type EC2. (expected requiresCompatibilities to "
          "include EC2, or a Fargate launch_type)");
    if (!cluster.has_instances())
      at.error(
          fmt::format("cluster '{}' has no container instances (expected capacity.asg or "
                      "capacity.instances for EC2 {})",
                      cluster.name, tasks));
    return;
  }
  if (!td.requires_compatibility(ecs::Compatibility::kFargate))
    at.error(
        "Task definition does not support launch_type FARGATE. (expected requiresCompatibilities "
        "to include FARGATE)");
  if (launch == LaunchType::kFargateSpot) check_spot_architecture(at, td);
  if (td.network_mode() != ecs::NetworkMode::kAwsvpc)
    at.error("Fargate only supports network mode 'awsvpc'. (expected networkMode awsvpc)");
  const auto size = td.fargate_size();
  if (!size) {
    at.error(
        "Fargate requires task definition to have cpu and memory specified (expected "
        "task-level cpu and memory)");
    return;
  }
  if (const auto why = platform::fargate_size_error(static_cast<std::uint32_t>(size->cpu_units),
                                                    static_cast<std::uint32_t>(size->memory_mib)))
    at.error(*why);
}

// The same checks for each place a service's tasks may run (none for a strategy that mixes
// both, which ecs::check refuses).
void check_runs(const Reader& at, const ecs::TaskDefinition& td, const ServiceRuns& runs,
                const EcsClusterConfig& cluster) {
  if (runs.fargate_spot && runs.fargate != LaunchType::kFargateSpot)
    check_spot_architecture(at, td);
  if (runs.ec2 && runs.fargate) return;
  if (runs.ec2) check_launch_type(at, td, LaunchType::kEc2, cluster, "services");
  if (runs.fargate) check_launch_type(at, td, *runs.fargate, cluster, "services");
}

// RunTask's placementStrategy and placementConstraints, none on Fargate.
bool read_job_placement(const Reader& j, JobConfig& job) {
  const Reader strategies = j["placement_strategy"];
  const Reader constraints = j["placement_constraints"];
  if (!strategies.present() && !constraints.present()) return true;
  if (job.launch_type != LaunchType::kEc2) {
    (strategies.present() ? strategies : constraints).error(std::string(kFargatePlacement));
    return false;
  }
  auto chosen = read_placement_strategies(strategies);
  auto required = read_placement_constraints(constraints);
  if (!chosen || !required) return false;
  set_placement(job, std::move(*chosen), std::move(*required));
  return true;
}

// Reports `at` (read at `r`) when it comes before `previous`, or at the same time when the
// items must be `strictly` in increasing order; `items` names them ("updates", "drains").
void check_order(const Reader& r, SimTime at, std::optional<SimTime> previous,
                 std::string_view items, bool strictly) {
  if (!previous || at > *previous || (!strictly && at == *previous)) return;
  r.error(fmt::format("{} is {} the previous one, at {} (expected {} in {}time order)",
                      format_duration(at - kSimStart), strictly ? "not after" : "before",
                      format_duration(*previous - kSimStart), items,
                      strictly ? "increasing " : ""));
}

// Reports `name` (read at `r`) unless it follows AWS's rule for names of `what`.
bool check_aws_name(const Reader& r, const std::string& name, std::string_view what) {
  if (is_aws_name(name)) return true;
  r.error(
      fmt::format("'{}' is not a valid {} name (expected 1 to 255 letters, numbers, hyphens "
                  "and underscores)",
                  name, what));
  return false;
}

// --- services ---------------------------------------------------------------------------------

ServiceRuns runs_of(const ServiceRequest& req, const EcsClusterConfig& cluster) {
  ServiceRuns runs;
  if (!req.places.contains("capacityProviderStrategy")) {
    const LaunchType launch = req.launch_type.value_or(LaunchType::kEc2);
    runs.ec2 = launch == LaunchType::kEc2;
    if (!runs.ec2) runs.fargate = launch;
    return runs;
  }
  runs.by_strategy = true;
  if (!req.capacity_provider_strategy) return runs;
  for (const ecs::CapacityProviderStrategyItem& item : *req.capacity_provider_strategy) {
    const std::string& name = item.capacity_provider;
    if (name == "FARGATE") runs.fargate = LaunchType::kFargate;
    if (name == "FARGATE_SPOT" && !runs.fargate) runs.fargate = LaunchType::kFargateSpot;
    if (name == "FARGATE_SPOT") runs.fargate_spot = true;
    if (cluster.capacity_provider && name == cluster.capacity_provider->name) runs.ec2 = true;
  }
  return runs;
}

// The service's name: the scenario's `name`, else the file's serviceName; unique in the cluster
// among services and jobs, which both appear in the outputs.
void check_service_name(const Reader& s, const ServiceRequest& req, const EcsClusterConfig& cluster,
                        ServiceConfig& out) {
  if (!req.places.contains("serviceName")) {
    (void)s["name"].require();
    return;
  }
  if (!req.name) return;
  out.name = *req.name;
  const Reader at = req.places.find("serviceName", s);
  if (!check_aws_name(at, out.name, "service")) return;
  const auto named = [&](const auto& item) { return item.name == out.name; };
  if (std::any_of(cluster.services.begin(), cluster.services.end(), named))
    at.error(fmt::format("service '{}' is defined twice in cluster '{}'", out.name, cluster.name));
  else if (std::any_of(cluster.jobs.begin(), cluster.jobs.end(), named))
    at.error(
        fmt::format("a job of cluster '{}' is also named '{}' (expected services and jobs "
                    "to have different names: both appear in the outputs)",
                    cluster.name, out.name));
}

// A create-service file's taskDefinition names the family of the scenario's task_definition.
void check_family(const Reader& s, const ServiceRequest& req, const ecs::TaskDefinition& td) {
  if (!req.task_definition_family || *req.task_definition_family == td.family()) return;
  req.places.find("taskDefinition", s)
      .error(fmt::format("names family '{}', but task_definition {} is family '{}' (expected "
                         "the same family)",
                         *req.task_definition_family, s["task_definition"].string().value_or(""),
                         td.family()));
}

// What AWS refuses for a DAEMON service, and a REPLICA service's desiredCount.
void check_scheduling(const Reader& s, const ServiceRequest& req, ServiceConfig& out) {
  const auto given = [&](const char* field) { return req.places.contains(field); };
  const auto at = [&](const char* field) { return req.places.find(field, s); };
  // A misspelt strategy has been reported; what else applies is unknown.
  if (given("schedulingStrategy") && !req.scheduling_strategy) return;
  if (out.scheduling_strategy == ecs::SchedulingStrategy::kReplica) {
    if (given("desiredCount"))
      out.desired_count = req.desired_count.value_or(0);
    else
      (void)s["desired_count"].require();
    return;
  }
  if (given("desiredCount")) at("desiredCount").error(std::string(kDaemonDesiredCount));
  if (given("placementStrategy"))
    at("placementStrategy")
        .error(
            "The daemon scheduling strategy does not support placement strategies. Remove "
            "the placement strategy and try again. (placement constraints are supported)");
  if (given("capacityProviderStrategy"))
    at("capacityProviderStrategy")
        .error(
            "Specifying a capacity provider strategy is not supported when you create a "
            "service using the DAEMON scheduling strategy. (expected the EC2 launch type)");
  if (req.launch_type && *req.launch_type != LaunchType::kEc2)
    at("launchType")
        .error(
            "Fargate tasks do not support the DAEMON scheduling strategy. "
            "(expected the EC2 launch type)");
}

// Each provider of the strategy is the cluster's Auto Scaling group provider or a Fargate one.
void check_provider_names(const Reader& s, const ServiceRequest& req,
                          const EcsClusterConfig& cluster) {
  std::vector<std::string> names{"FARGATE", "FARGATE_SPOT"};
  if (cluster.capacity_provider) names.push_back(cluster.capacity_provider->name);
  for (std::size_t i = 0; i < req.capacity_provider_strategy->size(); ++i) {
    const std::string& name = (*req.capacity_provider_strategy)[i].capacity_provider;
    if (name.empty() || std::find(names.begin(), names.end(), name) != names.end()) continue;
    const std::string hint = did_you_mean(name, names);
    const std::string expected =
        !hint.empty() ? hint
        : cluster.capacity_provider
            ? fmt::format("expected {}", either(names))
            : "expected FARGATE or FARGATE_SPOT, or capacity.capacity_provider to declare the "
              "Auto Scaling group's";
    req.places.find(fmt::format("capacityProviderStrategy[{}].capacityProvider", i), s)
        .error(fmt::format("cluster '{}' has no capacity provider '{}' ({})", cluster.name, name,
                           expected));
  }
}

// The launch type, or the capacity provider strategy (never both, as AWS says).
void check_launch(const Reader& s, const ServiceRequest& req, const EcsClusterConfig& cluster,
                  ServiceConfig& out) {
  out.launch_type = req.launch_type.value_or(LaunchType::kEc2);
  if (req.places.contains("launchType") && req.places.contains("capacityProviderStrategy"))
    req.places.find("capacityProviderStrategy", s)
        .error(
            "Specifying both a launch type and capacity provider strategy is not supported. "
            "Remove one and try again.");
  if (!req.capacity_provider_strategy) return;
  check_provider_names(s, req, cluster);
  req.places.report(ecs::check(*req.capacity_provider_strategy), s);
  out.capacity_provider_strategy = *req.capacity_provider_strategy;
}

// Placement strategies and constraints, none for tasks that only run on Fargate.
void check_placement(const Reader& s, const ServiceRequest& req, const ServiceRuns& runs,
                     ServiceConfig& out) {
  const char* given = req.places.contains("placementStrategy")      ? "placementStrategy"
                      : req.places.contains("placementConstraints") ? "placementConstraints"
                                                                    : nullptr;
  if (given && runs.fargate_only())
    req.places.find(given, s).error(
        runs.by_strategy
            ? "placement strategies and constraints are not supported with the FARGATE "
              "and FARGATE_SPOT capacity providers (expected a capacity provider strategy "
              "with the cluster's Auto Scaling group provider)"
            : std::string(kFargatePlacement));
  set_placement(out, req.placement_strategy.value_or(std::vector<StrategyConfig>{}),
                req.placement_constraints.value_or(PlacementConstraints{}));
}

// deploymentConfiguration with the defaults of the scheduling strategy, and the circuit breaker.
void check_deployment(const Reader& s, const ServiceRequest& req, ServiceConfig& out) {
  const Problems problems = ecs::check(req.deployment, out.scheduling_strategy);
  req.places.report(problems, s);
  out.deployment = problems.empty()
                       ? ecs::from_input(req.deployment, out.scheduling_strategy)
                       : ecs::default_deployment_configuration(out.scheduling_strategy);
  out.circuit_breaker = req.circuit_breaker.value_or(false);
  out.rollback = req.rollback.value_or(false);
  if (!req.threshold) return;
  req.places.report(ecs::check(*req.threshold), s);
  out.circuit_breaker_threshold = *req.threshold;
}

// --- capacity -----------------------------------------------------------------------------------

std::optional<ecs::ManagedScaling> read_managed_scaling(const Reader& r) {
  if (!r.expect_map({"target_capacity", "minimum_scaling_step_size", "maximum_scaling_step_size",
                     "instance_warmup_period"}))
    return std::nullopt;
  Places places;
  bool ok = true;
  const auto integer = [&](const char* key, const char* field) {
    places.remember(fmt::format("managedScaling.{}", field), r[key]);
    const auto v = r[key].integer(kAwsIntegerMin, kAwsIntegerMax);
    ok = ok && (v || !r[key].present());
    return v;
  };
  ecs::ManagedScalingInput in;
  in.target_capacity = integer("target_capacity", "targetCapacity");
  in.minimum_scaling_step_size = integer("minimum_scaling_step_size", "minimumScalingStepSize");
  in.maximum_scaling_step_size = integer("maximum_scaling_step_size", "maximumScalingStepSize");
  in.instance_warmup_period = integer("instance_warmup_period", "instanceWarmupPeriod");
  const Problems problems = ecs::check(in);
  places.report(problems, r);
  if (!ok || !problems.empty()) return std::nullopt;
  return ecs::from_input(in);
}

std::optional<AsgCapacityProviderConfig> read_capacity_provider(const Reader& r, bool has_asg) {
  if (!r.expect_map({"name", "managed_scaling", "managed_termination_protection"}))
    return std::nullopt;
  if (!has_asg)
    r.error(
        "a capacity provider needs capacity.asg (expected the Auto Scaling group it "
        "provides)");
  AsgCapacityProviderConfig out;
  const auto name = r["name"].require() ? r["name"].string() : std::nullopt;
  out.name = name.value_or("");
  if (name && check_aws_name(r["name"], out.name, "capacity provider")) {
    std::string lower = out.name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower.starts_with("aws") || lower.starts_with("ecs") || lower.starts_with("fargate"))
      r["name"].error(
          fmt::format("The name can't be prefixed with \"aws\", \"ecs\", or "
                      "\"fargate\". (found '{}')",
                      out.name));
  }
  if (r["managed_scaling"].present())
    out.managed_scaling = read_managed_scaling(r["managed_scaling"]);
  const Reader protection = r["managed_termination_protection"];
  out.managed_termination_protection = protection.boolean().value_or(false);
  if (out.managed_termination_protection && !r["managed_scaling"].present())
    protection.error(
        "When using managed termination protection, managed scaling must also be "
        "used otherwise managed termination protection doesn't work. (expected "
        "managed_scaling beside it)");
  return out;
}

// The custom attributes at `r` (PutAttributes, ECS_INSTANCE_ATTRIBUTES): a mapping of names to
// values, a null value (`~`) for an attribute set without one; nothing after reporting a
// problem.
std::optional<std::vector<CustomAttribute>> read_attributes(const Reader& r) {
  std::vector<CustomAttribute> out;
  if (!r.expect_object("a mapping of custom attribute names to values")) return std::nullopt;
  const auto entries = r.key_entries();
  bool ok = entries.size() <= ecs::kMaxCustomAttributes;
  if (!ok)
    r.error(fmt::format("You can apply up to {} custom attributes for each resource. (found {})",
                        ecs::kMaxCustomAttributes, entries.size()));
  // A name given twice was reported with both places when the file was parsed.
  for (const auto& [key, value] : entries) {
    const std::optional<std::string> name = key.string();
    if (!name) {
      ok = false;
      continue;
    }
    std::string problem = ecs::attribute_name_problem(*name);
    if (problem.empty() && name->starts_with(ecs::kAgentAttributePrefix))
      problem = fmt::format(
          "'{}' starts with '{}', the prefix of the attributes the ECS agent sets (expected a "
          "custom attribute's name)",
          *name, ecs::kAgentAttributePrefix);
    if (!problem.empty()) key.error(problem);
    ok = ok && problem.empty();
    CustomAttribute a{*name, {}};
    if (value.present()) {
      const std::optional<std::string> text = value.string();
      const std::string value_problem = text ? ecs::attribute_value_problem(*text) : "";
      if (!value_problem.empty()) value.error(value_problem);
      ok = ok && text && value_problem.empty();
      a.value = text.value_or("");
    }
    out.push_back(std::move(a));
  }
  if (!ok) return std::nullopt;
  return out;
}

// The EC2 instance type named at `r` (required), with a "did you mean" from the catalog.
std::optional<platform::InstanceTypeIndex> read_instance_type(const Reader& r) {
  if (!r.require()) return std::nullopt;
  const auto type = r.string();
  if (!type) return std::nullopt;
  const auto& catalog = platform::InstanceCatalog::builtin();
  const platform::InstanceTypeIndex index = catalog.index_of(*type);
  if (index != platform::kUnknownInstanceType) return index;
  const auto close = catalog.suggest(*type, 3);
  r.error(close.empty() ? fmt::format("unknown EC2 instance type '{}' (expected a type of the "
                                      "catalog, e.g. m6i.xlarge)",
                                      *type)
                        : fmt::format("unknown EC2 instance type '{}' (did you mean {}?)", *type,
                                      either(close)));
  return std::nullopt;
}

// Which instances a drain takes: the `instance`-th of at most `most` the cluster may have, a
// share of them, or a zone's.
bool read_drain_target(const Reader& d, std::int64_t most, AzId az, DrainConfig& out) {
  if (d["instance"].present()) {
    out.kind = DrainConfig::Kind::kInstance;
    const auto i = d["instance"].integer(0, kMaxInstances);
    if (i && *i >= most)
      d["instance"].error(
          fmt::format("instance {} is beyond the cluster's instances: it has at most {} "
                      "(expected 0 to {})",
                      *i, most, std::max<std::int64_t>(0, most - 1)));
    out.instance = static_cast<std::uint32_t>(i.value_or(0));
    return i && *i < most;
  }
  if (d["share"].present()) {
    out.kind = DrainConfig::Kind::kShare;
    const auto share = d["share"].number(0, 1);
    if (share && *share <= 0)
      d["share"].error(
          fmt::format("{} is not positive (expected a share of the instances above 0 "
                      "and at most 1)",
                      *share));
    out.share = share.value_or(0);
    return share && *share > 0;
  }
  out.kind = DrainConfig::Kind::kAz;
  out.az = az;
  return az.valid();
}

}  // namespace

// --- clusters -----------------------------------------------------------------------------------

EcsClusterConfig Loader::read_cluster(const Reader& c, platform::PlatformConfig& platform,
                                      std::size_t index) {
  EcsClusterConfig out;
  if (!c.expect_map({"cluster", "capacity", "jobs", "services", "drains", "spot_draining",
                     "lost_after", "task_start_latency", "service_launch_backoff"}))
    return out;
  if (c["cluster"].require()) out.name = c["cluster"].string().value_or("");
  if (!out.name.empty() && !cluster_names_.emplace(out.name, index).second)
    c["cluster"].error(fmt::format("cluster '{}' is defined twice", out.name));
  read_capacity(c["capacity"], platform, out);
  out.spot_draining = c["spot_draining"].boolean().value_or(false);
  out.lost_after = c["lost_after"].duration(seconds(1), kMaxHorizon).value_or(out.lost_after);
  if (c["task_start_latency"].present())
    out.task_start_latency = read_latency(c["task_start_latency"], SimDuration::zero());
  if (const Reader b = c["service_launch_backoff"]; b.present() && b.expect_map({"first", "max"})) {
    auto& throttle = out.launch_throttle;
    throttle.first_delay = b["first"].duration(seconds(1), std::chrono::hours(24)).value_or(throttle.first_delay);
    throttle.max_delay = b["max"].duration(seconds(1), std::chrono::hours(24)).value_or(throttle.max_delay);
    if (throttle.max_delay < throttle.first_delay)
      b["max"].error(fmt::format("{} is shorter than first ({}) (expected at least first)",
                                 format_duration(throttle.max_delay),
                                 format_duration(throttle.first_delay)));
  }
  std::set<std::string> job_names;
  for (const Reader& j : c["jobs"].items("a list of jobs")) {
    std::optional<JobConfig> job = read_job(j, out);
    if (!job) continue;
    if (!job_names.insert(job->name).second)
      j["name"].error(
          fmt::format("job '{}' is defined twice in cluster '{}'", job->name, out.name));
    out.jobs.push_back(std::move(*job));
  }
  for (const Reader& s : c["services"].items("a list of services")) {
    std::optional<ServiceConfig> service = read_service(s, out);
    if (!service) continue;
    out.services.push_back(std::move(*service));
    if (s["autoscaling"].present())
      read_service_autoscaling(s["autoscaling"], out, out.services.back(), index);
  }
  std::optional<SimTime> previous;
  for (const Reader& d : c["drains"].items("a list of drains")) {
    std::optional<DrainConfig> drain = read_drain(d, out, platform);
    if (!drain) continue;
    check_order(d["at"], drain->at, previous, "drains", false);
    previous = drain->at;
    out.drains.push_back(*drain);
  }
  return out;
}

void Loader::read_capacity(const Reader& capacity, platform::PlatformConfig& platform,
                           EcsClusterConfig& out) {
  if (!capacity.expect_map({"asg", "instances", "capacity_provider"})) return;
  if (capacity["asg"].present()) {
    auto group = read_asg(capacity["asg"], out.name, platform);
    // Bad attributes (reported) leave the group in place, so that drains and faults that name
    // its zones or its cluster are not reported as well.
    out.asg_attributes =
        read_attributes(capacity["asg"]["attributes"]).value_or(std::vector<CustomAttribute>{});
    if (group) {
      out.asg = GroupId{static_cast<GroupId::rep_type>(platform.groups.size())};
      platform.groups.push_back(std::move(*group));
    }
  }
  const std::vector<Reader> fixed = capacity["instances"].items(
      "a list of instances, each {instance_type, az, count, spot, attributes}");
  for (std::size_t i = 0; i < fixed.size(); ++i) read_fixed_instances(fixed[i], i, platform, out);
  if (capacity["capacity_provider"].present())
    out.capacity_provider =
        read_capacity_provider(capacity["capacity_provider"], capacity["asg"].present());
}

// Counts `n` more instances towards the scenario's total, reporting at `at` when they go past it.
bool Loader::count_instances(const Reader& at, std::uint32_t n) {
  total_instances_ += n;
  if (total_instances_ <= kMaxInstances) return true;
  at.error(fmt::format("the scenario asks for {} instances in all (expected at most {})",
                       total_instances_, kMaxInstances));
  return false;
}

std::optional<platform::AsgConfig> Loader::read_asg(const Reader& r, const std::string& cluster,
                                                    const platform::PlatformConfig& platform) {
  if (!r.expect_map({"instance_type", "min", "max", "desired", "azs", "spot", "attributes"}))
    return std::nullopt;
  platform::AsgConfig g;
  g.name = cluster;
  const auto type = read_instance_type(r["instance_type"]);
  bool ok = type.has_value();
  g.instance_type = type.value_or(platform::kUnknownInstanceType);
  const auto desired =
      r["desired"].require() ? r["desired"].integer(0, kMaxInstances) : std::nullopt;
  const auto min = r["min"].integer(0, kMaxInstances);
  const auto max = r["max"].integer(0, kMaxInstances);
  if (!desired) return std::nullopt;
  g.desired = static_cast<std::uint32_t>(*desired);
  g.min = static_cast<std::uint32_t>(min.value_or(0));
  g.max = static_cast<std::uint32_t>(max.value_or(std::max<std::int64_t>(*desired, g.min)));
  if (g.min > g.desired || g.desired > g.max) {
    r.error(fmt::format("min {} <= desired {} <= max {} does not hold", g.min, g.desired, g.max));
    ok = false;
  }
  ok = count_instances(r["max"], g.max) && ok;
  if (r["azs"].present()) {
    if (r["azs"].is_sequence() && r["azs"].items().empty()) {
      r["azs"].error("no zones given (expected at least one of platform.azs)");
      ok = false;
    }
    for (const Reader& az : r["azs"].items("a list of zone names")) {
      const auto id = az_named(az);
      if (!id) {
        ok = false;
      } else if (std::find(g.azs.begin(), g.azs.end(), *id) != g.azs.end()) {
        az.error("zone listed twice");
        ok = false;
      } else {
        g.azs.push_back(*id);
      }
    }
  } else {
    for (std::size_t i = 0; i < platform.azs.size(); ++i)
      g.azs.push_back(AzId{static_cast<AzId::rep_type>(i)});
  }
  g.spot = r["spot"].boolean().value_or(false);
  if (!ok) return std::nullopt;
  return g;
}

// Container instances registered by hand: entry `index` of capacity.instances becomes a platform
// group of its own that nothing replaces, named `<cluster>/instances[index]`.
void Loader::read_fixed_instances(const Reader& r, std::size_t index,
                                  platform::PlatformConfig& platform, EcsClusterConfig& out) {
  if (!r.expect_map({"instance_type", "az", "count", "spot", "attributes"})) return;
  platform::AsgConfig g;
  g.name = fmt::format("{}/instances[{}]", out.name, index);
  g.replace = false;
  const auto type = read_instance_type(r["instance_type"]);
  const auto az = r["az"].require() ? az_named(r["az"]) : std::nullopt;
  const auto count = r["count"].present() ? r["count"].integer(1, kMaxInstances)
                                          : std::optional<std::int64_t>(1);
  g.spot = r["spot"].boolean().value_or(false);
  // Bad attributes (reported) leave the entry in place, as for the group.
  const auto attributes = read_attributes(r["attributes"]);
  if (!type || !az || !count) return;
  g.instance_type = *type;
  g.azs = {*az};
  g.min = 0;
  g.desired = g.max = static_cast<std::uint32_t>(*count);
  if (!count_instances(r["count"].present() ? r["count"] : r, g.max)) return;
  out.fixed_instances.push_back(FixedInstancesConfig{
      GroupId{static_cast<GroupId::rep_type>(platform.groups.size())},
      attributes.value_or(std::vector<CustomAttribute>{})});
  platform.groups.push_back(std::move(g));
}

// --- jobs ---------------------------------------------------------------------------------------

std::optional<ecs::TaskDefinition> Loader::load_task_definition(const Reader& at,
                                                                std::string& path) {
  const auto relative = at.string();
  if (!relative) return std::nullopt;
  path = resolve(*relative);
  return read_task_definition(path, diagnostics_, at.where(), at.path());
}

std::optional<JobConfig> Loader::read_job(const Reader& j, const EcsClusterConfig& cluster) {
  if (!j.expect_map({"name", "task_definition", "launch_type", "arrivals", "duration",
                     "when_no_capacity", "placement_strategy", "placement_constraints"}))
    return std::nullopt;
  JobConfig job;
  bool ok = true;
  if (j["name"].require()) job.name = j["name"].string().value_or("");
  if (const auto t = read_launch_type(j["launch_type"], true)) job.launch_type = *t;
  if (const auto w = j["when_no_capacity"].one_of({"wait", "fail"}))
    job.when_no_capacity = *w == "wait" ? WhenNoCapacity::kWait : WhenNoCapacity::kFail;
  std::optional<ecs::TaskDefinition> td;
  const Reader tdr = j["task_definition"];
  if (tdr.require()) {
    td = load_task_definition(tdr, job.task_definition_path);
    if (td) check_launch_type(tdr, *td, job.launch_type, cluster, "jobs");
  }
  if (!td) ok = false;
  std::optional<workload::ArrivalSpec> arrivals;
  if (j["arrivals"].require()) arrivals = read_arrivals(j["arrivals"]);
  if (!arrivals) ok = false;
  // A trace gives each job its duration (even one that failed to load needs no other).
  const bool trace_durations = j["arrivals"]["trace"].present();
  if (j["duration"].present()) {
    job.duration = read_duration(j["duration"]);
    if (!job.duration) ok = false;
  } else if (!trace_durations) {
    (void)j["duration"].require();
    ok = false;
  }
  if (!read_job_placement(j, job)) ok = false;
  if (!ok) return std::nullopt;
  if (job.launch_type == LaunchType::kEc2) require_architecture(*td, job.member_of);
  job.task_definition = std::move(*td);
  job.arrivals = std::move(*arrivals);
  return job;
}

// --- services -----------------------------------------------------------------------------------

// Every problem is reported; the service is given up on only when its task definition is
// missing, as the scenario as a whole is refused after any problem.
std::optional<ServiceConfig> Loader::read_service(const Reader& s,
                                                  const EcsClusterConfig& cluster) {
  if (!s.expect_map({"name", "service_definition", "task_definition", "scheduling_strategy",
                     "desired_count", "launch_type", "capacity_provider_strategy",
                     "placement_strategy", "placement_constraints", "deployment_configuration",
                     "az_rebalancing", "fails_to_start", "updates", "load", "autoscaling"}))
    return std::nullopt;
  ServiceConfig out;
  const ServiceRequest req = read_service_keys(s, out.service_definition_path);
  if (req.file_failed) return std::nullopt;
  check_service_name(s, req, cluster, out);
  std::optional<ecs::TaskDefinition> td;
  if (s["task_definition"].require())
    td = load_task_definition(s["task_definition"], out.task_definition_path);
  if (td) check_family(s, req, *td);
  out.scheduling_strategy = req.scheduling_strategy.value_or(ecs::SchedulingStrategy::kReplica);
  check_scheduling(s, req, out);
  check_launch(s, req, cluster, out);
  const ServiceRuns runs = runs_of(req, cluster);
  if (td) check_runs(s["task_definition"], *td, runs, cluster);
  check_placement(s, req, runs, out);
  if (td && runs.ec2) require_architecture(*td, out.member_of);
  check_deployment(s, req, out);
  out.az_rebalancing = req.az_rebalancing.value_or(false);
  out.fails_to_start = s["fails_to_start"].boolean().value_or(false);
  read_updates(s["updates"], runs, cluster, td ? &*td : nullptr, out);
  const Reader load = s["load"];
  if (load.present() &&
      load.expect_map({"requests_per_second", "bursts", "cpu_per_request", "memory_per_request",
                       "base_memory", "bytes_per_request", "cpu_ceiling", "slow_start"})) {
    out.load = read_load(load);
    if (td && td->reserved_cpu_units() <= 0)
      load.error(fmt::format(
          "service '{}' reserves no CPU: a load needs the task's CPU, its capacity (expected a "
          "task-level cpu or a cpu on its containers)",
          out.name));
  }
  if (!td) return std::nullopt;
  out.task_definition = std::move(*td);
  return out;
}

// The request the scenario's keys make, over the create-service file's when one is named.
ServiceRequest Loader::read_service_keys(const Reader& s, std::string& definition_path) {
  ServiceRequest scenario = read_service_request(s, Dialect::kScenario);
  const Reader file = s["service_definition"];
  const auto relative = file.string();
  if (!relative) return scenario;
  definition_path = resolve(*relative);
  const auto doc =
      load_document(definition_path, diagnostics_, file.where(), file.path(), Syntax::kJson);
  if (!doc) {
    scenario.ok = false;
    scenario.file_failed = true;
    return scenario;
  }
  const std::optional<Reader> request = service_in_file(Reader(*doc, diagnostics_), scenario);
  if (!request) {
    scenario.ok = false;
    scenario.file_failed = true;
    return scenario;
  }
  ServiceRequest from_file = read_service_request(*request, Dialect::kCreateServiceJson);
  // describe-services output: only the service read is this service's.
  request->note_unread();
  return merge(std::move(from_file), std::move(scenario));
}

// The request a service_definition file holds, checked against the ECS API model: the file
// itself (create-service --cli-input-json), or the one service of `aws ecs describe-services`
// output ({"services": [...]}) that has the scenario's name (or is the only one).
std::optional<Reader> Loader::service_in_file(const Reader& root, const ServiceRequest& scenario) {
  if (!root.is_map()) {
    root.error("expected a JSON object holding a create-service request");
    return std::nullopt;
  }
  if (!root["services"].present()) {
    if (!check_api(root, *api_root("aws.ecs.CreateServiceRequest"), ApiReader::kAwsCli))
      return std::nullopt;
    return root;
  }
  if (!check_api(root, *api_root("aws.ecs.DescribeServicesResponse"), ApiReader::kAwsCli))
    return std::nullopt;
  const std::vector<Reader> services = root["services"].items();
  std::vector<std::string> names;
  for (const Reader& s : services) names.push_back(s["serviceName"].string().value_or(""));
  if (services.size() == 1 && (!scenario.name || *scenario.name == names.front()))
    return services.front();
  if (services.empty()) {
    root["services"].error("describe-services output with no service (expected one service)");
    return std::nullopt;
  }
  if (!scenario.name) {
    root["services"].error(fmt::format(
        "describe-services output with {} services (expected the scenario's service to have a "
        "name: one of {})",
        services.size(), either(names)));
    return std::nullopt;
  }
  const auto it = std::find(names.begin(), names.end(), *scenario.name);
  if (it == names.end()) {
    const std::string hint = did_you_mean(*scenario.name, names);
    root["services"].error(fmt::format("no service '{}' in the describe-services output ({})",
                                       *scenario.name,
                                       hint.empty() ? "expected one of " + either(names) : hint));
    return std::nullopt;
  }
  return services[static_cast<std::size_t>(it - names.begin())];
}

void Loader::read_updates(const Reader& list, const ServiceRuns& runs,
                          const EcsClusterConfig& cluster, const ecs::TaskDefinition* first,
                          ServiceConfig& out) {
  std::optional<SimTime> previous;
  for (const Reader& u : list.items("a list of updates")) {
    std::optional<ServiceUpdate> update = read_update(u, runs, cluster, out.scheduling_strategy);
    if (!update) continue;
    // The service's memberOf carries its first revision's architecture.
    if (runs.ec2 && first && update->task_definition &&
        update->task_definition->cpu_architecture() != first->cpu_architecture())
      u["task_definition"].error(
          "a new revision with another runtimePlatform.cpuArchitecture is not simulated yet "
          "(expected the cpuArchitecture of the service's task definition)");
    check_order(u["at"], update->at, previous, "updates", true);
    previous = update->at;
    out.updates.push_back(std::move(*update));
  }
}

std::optional<ServiceUpdate> Loader::read_update(const Reader& u, const ServiceRuns& runs,
                                                 const EcsClusterConfig& cluster,
                                                 ecs::SchedulingStrategy strategy) {
  if (!u.expect_map({"at", "task_definition", "desired_count", "fails_to_start"}))
    return std::nullopt;
  ServiceUpdate out;
  const auto at =
      u["at"].require() ? u["at"].duration(SimDuration::zero(), kMaxHorizon) : std::nullopt;
  const Reader tdr = u["task_definition"];
  const Reader count = u["desired_count"];
  if (!tdr.present() && !count.present())
    u.error(
        "an update changes task_definition, desired_count or both (expected at least one "
        "of them)");
  if (tdr.present()) out.task_definition = load_task_definition(tdr, out.task_definition_path);
  if (out.task_definition) check_runs(tdr, *out.task_definition, runs, cluster);
  if (count.present() && strategy == ecs::SchedulingStrategy::kDaemon)
    count.error(std::string(kDaemonDesiredCount));
  else
    out.desired_count = count.integer(0, kMaxDesiredCount);
  out.fails_to_start = u["fails_to_start"].boolean().value_or(false);
  if (out.fails_to_start && !tdr.present())
    u["fails_to_start"].error(
        "fails_to_start describes a new revision (expected task_definition "
        "beside it)");
  if (!at) return std::nullopt;
  out.at = kSimStart + *at;
  return out;
}

// --- drains -------------------------------------------------------------------------------------

std::optional<DrainConfig> Loader::read_drain(const Reader& d, const EcsClusterConfig& cluster,
                                              const platform::PlatformConfig& platform) {
  if (!d.expect_map({"at", "instance", "share", "az"})) return std::nullopt;
  const auto at =
      d["at"].require() ? d["at"].duration(SimDuration::zero(), kMaxHorizon) : std::nullopt;
  const int targets =
      int{d["instance"].present()} + int{d["share"].present()} + int{d["az"].present()};
  if (targets != 1) {
    d.error("expected exactly one of instance, share or az (which instances to drain)");
    return std::nullopt;
  }
  if (!cluster.has_instances()) {
    d.error(
        fmt::format("cluster '{}' has no container instances to drain (expected "
                    "capacity.asg or capacity.instances)",
                    cluster.name));
    return std::nullopt;
  }
  // The zones the cluster's instances may be in (of its group and its fixed list), and the most
  // instances it may have at once.
  std::set<AzId> cluster_zones;
  std::int64_t most = 0;
  for (const GroupId g : cluster.groups()) {
    const platform::AsgConfig& group = platform.groups[g.value()];
    cluster_zones.insert(group.azs.begin(), group.azs.end());
    most += group.max;
  }
  AzId az;
  if (const auto id = d["az"].present() ? az_named(d["az"]) : std::nullopt) {
    std::vector<std::string> zones;
    for (const AzId z : cluster_zones) zones.push_back(platform.azs[z.value()]);
    if (cluster_zones.contains(*id))
      az = *id;
    else
      d["az"].error(
          fmt::format("cluster '{}' has no instances in zone '{}' (expected one of its "
                      "instances' zones: {})",
                      cluster.name, platform.azs[id->value()], either(zones)));
  }
  DrainConfig out;
  const bool ok = read_drain_target(d, most, az, out);
  if (!at || !ok) return std::nullopt;
  out.at = kSimStart + *at;
  return out;
}

}  // namespace ecsim::scenario::detail
