// Elastic Beanstalk environments: the create-environment request (its option settings), the
// source bundle's Dockerrun.aws.json and .ebextensions option settings, the environment's load
// and the versions deployed to it. Each environment becomes an ECS cluster named
// awseb-ENVIRONMENT on an Auto Scaling group, with one DAEMON service named after the
// environment that runs the Dockerrun's task on every instance.

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "api_schema.hpp"
#include "ecsim/platform/catalog.hpp"
#include "loader.hpp"
#include "task_definition_reader.hpp"
#include "yaml_reader.hpp"

namespace ecsim::scenario::detail {
namespace {

using std::chrono::seconds;

// EnvironmentName: 4 to 40 letters, digits and hyphens, not starting or ending with a hyphen
// (the API reference of CreateEnvironment).
bool plain_environment_name(const std::string& name) {
  return name.size() >= 4 && name.size() <= 40 && name.front() != '-' && name.back() != '-' &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
         });
}

// The text of a scalar option value (YAML's true reads as "true", 5 as "5").
std::optional<std::string> value_text(const Reader& v) {
  if (!v.is_scalar()) {
    v.error("expected an option value (text, a number or true/false)");
    return std::nullopt;
  }
  return v.string();
}

}  // namespace

// One `.ebextensions/*.config` file (YAML or JSON): its option_settings, in the mapping form
// (namespace: {option: value}) or the list form ({namespace, option_name, value}); its other
// sections (packages, files, commands, ...) configure the instances and are not simulated.
void Loader::read_ebextensions(const Reader& at, std::vector<beanstalk::OptionSetting>& settings,
                               std::vector<SourceLocation>& where) {
  const std::optional<std::string> relative = at.string();
  if (!relative) return;
  const std::optional<Document> doc =
      load_document(resolve(*relative), diagnostics_, at.where(), at.path());
  if (!doc) return;
  const Reader root(*doc, diagnostics_);
  if (!root.is_map()) {
    root.error("expected a configuration file: a mapping with option_settings, packages, ...");
    return;
  }
  if (!root.expect_map({"option_settings", "packages", "groups", "users", "sources", "files",
                        "commands", "services", "container_commands", "Resources", "Outputs",
                        "Parameters", "Mappings", "Conditions", "AWSTemplateFormatVersion",
                        "Description"}))
    return;
  const Reader options = root["option_settings"];
  if (options.is_map()) {
    for (const auto& [ns, values] : options.entries()) {
      if (!values.is_map()) {
        values.error("expected the namespace's options: a mapping of option names to values");
        continue;
      }
      for (const auto& [name, v] : values.entries())
        if (const auto text = value_text(v)) {
          settings.push_back({ns, name, *text, ""});
          where.push_back(v.where());
        }
    }
  } else {
    for (const Reader& item : options.items("option settings: a mapping of namespaces, or a list")) {
      if (!item.expect_map({"namespace", "option_name", "value", "resource_name"})) continue;
      const bool has = item["namespace"].require() && item["option_name"].require() &&
                       item["value"].require();
      if (!has) continue;
      const auto ns = item["namespace"].string();
      const auto name = item["option_name"].string();
      const auto text = value_text(item["value"]);
      if (ns && name && text) {
        settings.push_back({*ns, *name, *text, item["resource_name"].string().value_or("")});
        where.push_back(item["value"].where());
      }
    }
  }
  root.note_unread();
}

void Loader::read_beanstalk(const Reader& b, Scenario& s) {
  if (!b.expect_map({"environment", "dockerrun", "ebextensions", "load", "deployments",
                     "task_start_latency"}))
    return;
  beanstalk::EnvironmentConfig env;
  std::vector<beanstalk::OptionSetting> settings;
  std::vector<SourceLocation> where;
  // Precedence, lowest first: defaults, .ebextensions files (in the order given), then the
  // options set directly on the environment (the request's OptionSettings).
  for (const Reader& e : b["ebextensions"].items("a list of .ebextensions configuration files"))
    read_ebextensions(e, settings, where);
  bool ok = true;
  if (b["environment"].require()) {
    const std::optional<std::string> relative = b["environment"].string();
    const std::optional<Document> doc =
        relative ? load_document(resolve(*relative), diagnostics_, b["environment"].where(),
                                 b["environment"].path(), Syntax::kJson)
                 : std::nullopt;
    if (!doc) {
      ok = false;
    } else {
      const Reader root(*doc, diagnostics_);
      if (!root.is_map()) {
        root.error("expected a JSON object holding a create-environment request");
        ok = false;
      } else if (!check_api(root, *api_root("aws.elasticbeanstalk.CreateEnvironmentMessage"),
                            ApiReader::kAwsCli)) {
        ok = false;
      } else {
        env.application = root["ApplicationName"].string().value_or("");
        const Reader name = root["EnvironmentName"];
        if (!name.present()) {
          root.error(
              "EnvironmentName is missing (ecsim names the environment's ECS cluster after it)");
          ok = false;
        } else if (const auto n = name.string(); n && !plain_environment_name(*n)) {
          name.error(fmt::format(
              "'{}' is not a valid environment name (expected 4 to 40 letters, digits and "
              "hyphens, not starting or ending with a hyphen)",
              *n));
          ok = false;
        } else if (n) {
          env.name = *n;
        }
        if (const Reader tier = root["Tier"]; tier.present() &&
                                              tier["Name"].string().value_or("WebServer") != "WebServer") {
          tier["Name"].error("a worker environment is not simulated (expected WebServer)");
          ok = false;
        }
        if (const Reader stack = root["SolutionStackName"]; stack.present()) {
          const std::string text = stack.string().value_or("");
          if (text.find("ECS") == std::string::npos &&
              text.find("Multi-container Docker") == std::string::npos) {
            stack.error(fmt::format(
                "'{}' is not the ECS-based Docker platform (expected e.g. \"64bit Amazon Linux "
                "2023 v4.3.0 running ECS\"): ecsim runs an environment's Dockerrun.aws.json v2 "
                "on ECS",
                text));
            ok = false;
          }
        }
        env.version = root["VersionLabel"].string().value_or(env.version);
        for (const Reader& o : root["OptionSettings"].items()) {
          if (!o["Namespace"].require() || !o["OptionName"].require()) continue;
          settings.push_back({o["Namespace"].string().value_or(""),
                              o["OptionName"].string().value_or(""),
                              o["Value"].string().value_or(""),
                              o["ResourceName"].string().value_or("")});
          where.push_back(o["Value"].present() ? o["Value"].where() : o.where());
        }
        root.note_unread();
      }
    }
  }
  const beanstalk::OptionsRead read = beanstalk::read_options(settings);
  const SourceLocation fallback = b["environment"].where();
  for (const beanstalk::OptionProblem& p : read.problems)
    diagnostics_.error(p.setting < where.size() ? where[p.setting] : fallback, "", p.message);
  for (const beanstalk::OptionProblem& p : read.not_simulated)
    diagnostics_.note(where[p.setting], "",
                      fmt::format("{}:{}: {}", settings[p.setting].name_space,
                                  settings[p.setting].option, p.message));
  ok = ok && read.problems.empty();
  env.options = read.options;
  const beanstalk::EnvironmentOptions& o = env.options;

  // The Auto Scaling group: its instance type, MinSize instances at first, its zones.
  platform::AsgConfig group;
  group.name = "awseb-" + env.name;
  const std::string type_name = o.instance_type.value_or("t3.micro");
  const platform::InstanceCatalog& catalog = platform::InstanceCatalog::builtin();
  group.instance_type = catalog.index_of(type_name);
  if (catalog.find(type_name) == nullptr) {
    diagnostics_.error(fallback, b["environment"].path(),
                       fmt::format("instance type '{}' is not in ecsim's EC2 catalog", type_name));
    ok = false;
  }
  if (o.spot) {
    // Spot: the group's mixed instances policy, over every type of InstanceTypes (the first is
    // On-Demand's), with the On-Demand base and share above it (70% for a load-balanced
    // environment, 0% for a single instance, by default) and the allocation strategy.
    platform::MixedInstances mixed;
    const std::vector<std::string> types =
        o.instance_types.empty() ? std::vector<std::string>{type_name} : o.instance_types;
    for (const std::string& t : types) {
      if (catalog.find(t) == nullptr) {
        diagnostics_.error(fallback, b["environment"].path(),
                           fmt::format("instance type '{}' is not in ecsim's EC2 catalog", t));
        ok = false;
      } else {
        mixed.types.push_back(catalog.index_of(t));
      }
    }
    mixed.on_demand_base = static_cast<std::uint32_t>(o.on_demand_base);
    mixed.on_demand_percent = static_cast<std::uint32_t>(
        o.on_demand_above_base_percent.value_or(o.single_instance ? 0 : 70));
    mixed.spot_allocation =
        o.spot_allocation == "price-capacity-optimized" ? platform::SpotAllocation::kPriceCapacityOptimized
        : o.spot_allocation == "capacity-optimized-prioritized"
            ? platform::SpotAllocation::kCapacityOptimizedPrioritized
        : o.spot_allocation == "lowest-price" ? platform::SpotAllocation::kLowestPrice
                                              : platform::SpotAllocation::kCapacityOptimized;
    group.mixed = std::move(mixed);
  }
  group.min = static_cast<std::uint32_t>(o.min_size);
  group.max = static_cast<std::uint32_t>(o.max_size);
  group.desired = group.min;
  for (const std::string& zone : o.custom_zones) {
    if (const auto it = az_ids_.find(zone); it != az_ids_.end()) {
      group.azs.push_back(it->second);
    } else {
      diagnostics_.error(fallback, b["environment"].path(),
                         fmt::format("Custom Availability Zones names '{}', which is not one of "
                                     "platform.azs",
                                     zone));
      ok = false;
    }
  }
  if (group.azs.empty()) {
    // Any N: N of the region's zones (ecsim takes the first N of platform.azs).
    const std::size_t n = std::min<std::size_t>(
        s.platform.azs.size(), o.zone_count ? static_cast<std::size_t>(*o.zone_count) : 99);
    for (std::size_t i = 0; i < n; ++i) group.azs.push_back(AzId{static_cast<AzId::rep_type>(i)});
  }
  ok = count_instances(b["environment"], group.max) && ok;

  // The cluster and its one service: the Dockerrun's task on every instance.
  EcsClusterConfig cluster;
  cluster.name = "awseb-" + env.name;
  if (!env.name.empty() && !cluster_names_.emplace(cluster.name, cluster_names_.size()).second) {
    b["environment"].error(fmt::format("cluster '{}' is defined twice", cluster.name));
    ok = false;
  }
  if (b["task_start_latency"].present())
    cluster.task_start_latency = read_latency(b["task_start_latency"], SimDuration::zero());
  ServiceConfig service;
  service.name = env.name;
  service.scheduling_strategy = ecs::SchedulingStrategy::kDaemon;
  service.deployment = ecs::default_deployment_configuration(ecs::SchedulingStrategy::kDaemon);
  // A batch is healthy once its targets are: deregistered first, then healthy for the
  // threshold's checks (enhanced health: 12 checks over two minutes).
  const SimDuration checks = o.health_check_interval * o.healthy_threshold;
  service.target_healthy_delay =
      o.deregistration_delay +
      (o.enhanced_health ? std::max<SimDuration>(checks, std::chrono::minutes(2)) : checks);
  std::optional<ecs::TaskDefinition> td;
  if (b["dockerrun"].require()) {
    if (const auto relative = b["dockerrun"].string()) {
      service.task_definition_path = resolve(*relative);
      td = read_dockerrun(service.task_definition_path, cluster.name, diagnostics_,
                          b["dockerrun"].where(), b["dockerrun"].path());
    }
  }
  const Reader load = b["load"];
  if (load.present() &&
      load.expect_map({"requests_per_second", "bursts", "cpu_per_request", "memory_per_request",
                       "base_memory", "bytes_per_request", "cpu_ceiling", "slow_start"})) {
    service.load = read_load(load);
    env.has_load = service.load.has_value();
    if (td && td->reserved_cpu_units() <= 0)
      load.error(
          "the Dockerrun's containers reserve no CPU: a load needs the task's CPU, its capacity "
          "(expected a cpu on its containers)");
  }
  // The versions deployed later, each with its own Dockerrun (by default the first one's).
  std::optional<SimTime> previous;
  std::size_t n = 0;
  for (const Reader& d : b["deployments"].items("a list of deployments")) {
    ++n;
    if (!d.expect_map({"at", "version", "dockerrun", "fails_to_start"})) continue;
    beanstalk::VersionDeployment v;
    const auto at =
        d["at"].require() ? d["at"].duration(SimDuration::zero(), kMaxHorizon) : std::nullopt;
    v.label = d["version"].string().value_or(fmt::format("v{}", n + 1));
    v.fails_to_start = d["fails_to_start"].boolean().value_or(false);
    std::optional<ecs::TaskDefinition> vtd;
    if (d["dockerrun"].present()) {
      if (const auto relative = d["dockerrun"].string()) {
        v.dockerrun_path = resolve(*relative);
        vtd = read_dockerrun(v.dockerrun_path, cluster.name, diagnostics_, d["dockerrun"].where(),
                             d["dockerrun"].path());
      }
    } else {
      v.dockerrun_path = service.task_definition_path;
      vtd = td;
    }
    if (!at || !vtd) continue;
    v.at = kSimStart + *at;
    if (previous && v.at <= *previous)
      d["at"].error(fmt::format("{} is not after the previous deployment's time, {} (expected "
                                "deployments in increasing time order)",
                                format_duration(*at), format_duration(*previous - kSimStart)));
    previous = v.at;
    v.task_definition = std::move(*vtd);
    env.deployments.push_back(std::move(v));
  }
  if (!ok || !td || !diagnostics_.ok()) return;
  service.task_definition = std::move(*td);
  cluster.asg = GroupId{static_cast<GroupId::rep_type>(s.platform.groups.size())};
  s.platform.groups.push_back(std::move(group));
  env.group = *cluster.asg;
  cluster.services.push_back(std::move(service));
  env.cluster = s.ecs.size();
  env.service = 0;
  s.ecs.push_back(std::move(cluster));
  s.beanstalk.push_back(std::move(env));
}

}  // namespace ecsim::scenario::detail
