// Option settings of an Elastic Beanstalk environment on the ECS platform. Sources: the
// Developer Guide's option reference, "General options for all environments"
// (command-options-general: every default and range below), "Deployment policies and settings"
// (using-features.rolling-version-deploy), "Auto Scaling triggers"
// (environments-cfg-autoscaling-triggers); models/beanstalk/README.md names each rule.

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <span>

#include <fmt/format.h>

#include "ecsim/beanstalk/environment.hpp"
#include "ecsim/sim/suggest.hpp"
#include "ecsim/workload/trace.hpp"

namespace ecsim::beanstalk {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// The namespaces of the option reference whose options ecsim lists in full: a name not in the
// list is refused as Beanstalk refuses it.
struct Namespace {
  std::string_view name;
  std::span<const std::string_view> options;
};

constexpr std::array<std::string_view, 6> kAsg{"Availability Zones", "Cooldown",
                                               "Custom Availability Zones",
                                               "EnableCapacityRebalancing", "MaxSize", "MinSize"};
constexpr std::array<std::string_view, 10> kTrigger{
    "BreachDuration", "EvaluationPeriods", "LowerBreachScaleIncrement", "LowerThreshold",
    "MeasureName", "Period", "Statistic", "Unit", "UpperBreachScaleIncrement", "UpperThreshold"};
constexpr std::array<std::string_view, 6> kCommand{"BatchSize", "BatchSizeType",
                                                   "DeploymentPolicy", "HealthCheckSuccessThreshold",
                                                   "IgnoreHealthCheck", "Timeout"};
constexpr std::array<std::string_view, 4> kHealth{"ConfigDocument", "EnhancedHealthAuthEnabled",
                                                  "HealthCheckSuccessThreshold", "SystemType"};
constexpr std::array<std::string_view, 4> kEnvironment{"EnvironmentType", "LoadBalancerIsShared",
                                                       "LoadBalancerType", "ServiceRole"};
constexpr std::array<std::string_view, 12> kProcess{
    "DeregistrationDelay", "HealthCheckInterval", "HealthCheckPath", "HealthCheckTimeout",
    "HealthyThresholdCount", "MatcherHTTPCode", "Port", "Protocol", "StickinessEnabled",
    "StickinessLBCookieDuration", "StickinessType", "UnhealthyThresholdCount"};
constexpr std::array<std::string_view, 13> kLaunch{
    "BlockDeviceMappings", "DisableIMDSv1", "EC2KeyName", "IamInstanceProfile", "ImageId",
    "InstanceType", "MonitoringInterval", "RootVolumeIOPS", "RootVolumeSize",
    "RootVolumeThroughput", "RootVolumeType", "SSHSourceRestriction", "SecurityGroups"};
constexpr std::array<std::string_view, 7> kInstances{
    "EnableSpot", "InstanceTypes", "SpotAllocationStrategy",
    "SpotFleetOnDemandAboveBasePercentage", "SpotFleetOnDemandBase", "SpotMaxPrice",
    "SupportedArchitectures"};

constexpr std::array<std::string_view, 7> kScheduled{"DesiredCapacity", "EndTime", "MaxSize",
                                                     "MinSize", "Recurrence", "StartTime",
                                                     "Suspend"};

constexpr std::array<Namespace, 9> kListed{{
    {"aws:autoscaling:scheduledaction", kScheduled},
    {"aws:autoscaling:asg", kAsg},
    {"aws:autoscaling:trigger", kTrigger},
    {"aws:elasticbeanstalk:command", kCommand},
    {"aws:elasticbeanstalk:healthreporting:system", kHealth},
    {"aws:elasticbeanstalk:environment", kEnvironment},
    {"aws:elasticbeanstalk:environment:process:default", kProcess},
    {"aws:autoscaling:launchconfiguration", kLaunch},
    {"aws:ec2:instances", kInstances},
}};

// Namespaces of the reference whose options ecsim accepts without simulating them (networking,
// logs, environment properties, managed updates, other platforms' options, ...).
constexpr std::array<std::string_view, 26> kOther{
    "aws:autoscaling:updatepolicy:rollingupdate",
    "aws:ec2:vpc", "aws:elasticbeanstalk:application", "aws:elasticbeanstalk:application:environment",
    "aws:elasticbeanstalk:application:environmentsecrets", "aws:elasticbeanstalk:cloudwatch:logs",
    "aws:elasticbeanstalk:cloudwatch:logs:health", "aws:elasticbeanstalk:customoption",
    "aws:elasticbeanstalk:environment:proxy", "aws:elasticbeanstalk:environment:proxy:staticfiles",
    "aws:elasticbeanstalk:hostmanager", "aws:elasticbeanstalk:managedactions",
    "aws:elasticbeanstalk:managedactions:platformupdate", "aws:elasticbeanstalk:monitoring",
    "aws:elasticbeanstalk:sns:topics", "aws:elasticbeanstalk:sqsd",
    "aws:elasticbeanstalk:trafficsplitting", "aws:elasticbeanstalk:xray", "aws:elb:healthcheck",
    "aws:elb:loadbalancer", "aws:elb:listener", "aws:elb:policies", "aws:elbv2:listener",
    "aws:elbv2:listenerrule", "aws:elbv2:loadbalancer", "aws:rds:dbinstance"};

// " (did you mean 'NAME'?)" with the nearest of `names`, as ecsim suggests names elsewhere.
std::string suggestion(std::string_view given, std::span<const std::string_view> names) {
  const std::vector<std::string> near = closest_names(given, names, 1);
  return near.empty() ? std::string{} : fmt::format(" (did you mean '{}'?)", near.front());
}

std::string unknown(const OptionSetting& s, std::span<const std::string_view> names) {
  return fmt::format(
      "Invalid option specification (Namespace: '{}', OptionName: '{}'): Unknown configuration "
      "setting.{}",
      s.name_space, s.option, suggestion(s.option, names));
}

std::string invalid(const OptionSetting& s, std::string_view why) {
  return fmt::format("Invalid option value: '{}' (Namespace: '{}', OptionName: '{}'): {}", s.value,
                     s.name_space, s.option, why);
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trimmed(std::string_view v) {
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
  return v;
}

// The items of a comma-separated value, trimmed, empty ones left out.
std::vector<std::string> comma_list(std::string_view value) {
  std::vector<std::string> out;
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    const std::string_view item = trimmed(value.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
  }
  return out;
}

class OptionReader {
 public:
  explicit OptionReader(OptionsRead& out) : out_(out) {}

  // What the checks across options need: where each setting was, and what was read.
  std::optional<std::size_t> breach_duration_at, evaluation_periods_at, batch_size_at,
      unit_at, policy_at, min_at;
  std::int64_t breach_minutes = 5;
  bool metric_refused = false;  // MeasureName named a metric ecsim does not derive
  std::optional<std::size_t> on_demand_base_at;
  std::vector<std::size_t> action_at;  // per scheduled action: its first setting
  std::vector<bool> action_when;       // per scheduled action: StartTime or Recurrence given
  std::string unit = "Bytes";

  void read(std::size_t index, const OptionSetting& s) {
    index_ = index;
    setting_ = &s;
    const auto listed = std::find_if(kListed.begin(), kListed.end(),
                                     [&](const Namespace& n) { return n.name == s.name_space; });
    if (listed == kListed.end()) {
      const bool other =
          std::find(kOther.begin(), kOther.end(), s.name_space) != kOther.end() ||
          s.name_space.starts_with("aws:elasticbeanstalk:environment:process:") ||
          s.name_space.starts_with("aws:elbv2:listener:") ||
          s.name_space.starts_with("aws:elb:listener:") ||
          s.name_space.starts_with("aws:elasticbeanstalk:container:");
      if (other) {
        not_simulated("this namespace is accepted and not simulated");
      } else {
        std::vector<std::string_view> names;
        for (const Namespace& n : kListed) names.push_back(n.name);
        names.insert(names.end(), kOther.begin(), kOther.end());
        problem(fmt::format(
            "Invalid option specification (Namespace: '{}', OptionName: '{}'): Unknown "
            "configuration setting.{}",
            s.name_space, s.option, suggestion(s.name_space, names)));
      }
      return;
    }
    if (std::find(listed->options.begin(), listed->options.end(), s.option) ==
        listed->options.end()) {
      problem(unknown(s, listed->options));
      return;
    }
    option(s.name_space, s.option);
  }

 private:
  void problem(std::string message) { out_.problems.push_back({index_, std::move(message)}); }
  void not_simulated(std::string why) { out_.not_simulated.push_back({index_, std::move(why)}); }

  std::optional<std::int64_t> integer(std::int64_t min, std::int64_t max) {
    const std::string_view v = trimmed(setting_->value);
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc{} || end != v.data() + v.size()) {
      problem(invalid(*setting_, "Value is not an integer"));
      return std::nullopt;
    }
    if (n < min) {
      problem(invalid(*setting_, fmt::format("Value is less than minimum allowed value: {}", min)));
      return std::nullopt;
    }
    if (n > max) {
      problem(
          invalid(*setting_, fmt::format("Value is greater than maximum allowed value: {}", max)));
      return std::nullopt;
    }
    return n;
  }

  std::optional<double> number(double min, double max) {
    const std::string_view v = trimmed(setting_->value);
    double x = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (v.empty() || ec != std::errc{} || end != v.data() + v.size() || !std::isfinite(x)) {
      problem(invalid(*setting_, "Value is not a number"));
      return std::nullopt;
    }
    if (x < min || x > max) {
      problem(invalid(*setting_, fmt::format("Value is not between {} and {}", min, max)));
      return std::nullopt;
    }
    return x;
  }

  std::optional<bool> boolean() {
    const std::string_view v = trimmed(setting_->value);
    if (equals_ignoring_case(v, "true")) return true;
    if (equals_ignoring_case(v, "false")) return false;
    problem(invalid(*setting_, "Value is not one of the allowed values: [true, false]"));
    return std::nullopt;
  }

  // The index of the value among `allowed` (matched exactly, as Beanstalk does).
  std::optional<std::size_t> one_of(std::span<const std::string_view> allowed) {
    const std::string_view v = trimmed(setting_->value);
    for (std::size_t i = 0; i < allowed.size(); ++i)
      if (v == allowed[i]) return i;
    problem(invalid(*setting_, fmt::format("Value is not one of the allowed values: [{}]",
                                           fmt::join(allowed, ", "))));
    return std::nullopt;
  }

  void option(std::string_view ns, std::string_view name);
  void asg(std::string_view name);
  void scheduled(std::string_view name);
  void trigger(std::string_view name);
  void command(std::string_view name);

  OptionsRead& out_;
  std::size_t index_ = 0;
  bool instance_types_given_ = false;  // aws:ec2:instances InstanceTypes was read
  const OptionSetting* setting_ = nullptr;
};

void OptionReader::option(std::string_view ns, std::string_view name) {
  EnvironmentOptions& o = out_.options;
  if (ns == "aws:autoscaling:asg") return asg(name);
  if (ns == "aws:autoscaling:scheduledaction") return scheduled(name);
  if (ns == "aws:autoscaling:trigger") return trigger(name);
  if (ns == "aws:elasticbeanstalk:command") return command(name);
  if (ns == "aws:elasticbeanstalk:healthreporting:system" && name == "SystemType") {
    constexpr std::array<std::string_view, 2> kTypes{"basic", "enhanced"};
    if (const auto i = one_of(kTypes)) o.enhanced_health = *i == 1;
    return;
  }
  if (ns == "aws:elasticbeanstalk:environment" && name == "EnvironmentType") {
    constexpr std::array<std::string_view, 2> kTypes{"LoadBalanced", "SingleInstance"};
    if (const auto i = one_of(kTypes)) o.single_instance = *i == 1;
    return;
  }
  if (ns == "aws:elasticbeanstalk:environment:process:default") {
    if (name == "DeregistrationDelay") {
      if (const auto v = integer(0, 3600)) o.deregistration_delay = seconds(*v);
      return;
    }
    if (name == "HealthCheckInterval") {
      if (const auto v = integer(5, 300)) o.health_check_interval = seconds(*v);
      return;
    }
    if (name == "HealthyThresholdCount") {
      if (const auto v = integer(2, 10)) o.healthy_threshold = *v;
      return;
    }
  }
  if ((ns == "aws:autoscaling:launchconfiguration" && name == "InstanceType") ||
      (ns == "aws:ec2:instances" && name == "InstanceTypes")) {
    // InstanceTypes' first type wins over the older InstanceType (On-Demand uses only it).
    const std::string_view v = trimmed(setting_->value);
    const std::string first{trimmed(v.substr(0, v.find(',')))};
    if (first.empty()) {
      problem(invalid(*setting_, "Value is empty (expected an instance type such as t3.micro)"));
    } else if (name == "InstanceTypes" || !instance_types_given_) {
      o.instance_type = first;
      instance_types_given_ = name == "InstanceTypes";
    }
    if (name == "InstanceTypes") {
      o.instance_types = comma_list(v);
      if (o.instance_types.size() > 10)
        problem(invalid(*setting_, fmt::format("{} instance types given (expected 1 to 10)",
                                               o.instance_types.size())));
    }
    return;
  }
  if (ns == "aws:ec2:instances" && name == "EnableSpot") {
    if (const auto v = boolean()) o.spot = *v;
    return;
  }
  if (ns == "aws:ec2:instances" && name == "SpotFleetOnDemandBase") {
    if (const auto v = integer(0, 10000)) o.on_demand_base = *v;
    on_demand_base_at = index_;
    return;
  }
  if (ns == "aws:ec2:instances" && name == "SpotFleetOnDemandAboveBasePercentage") {
    if (const auto v = integer(0, 100)) o.on_demand_above_base_percent = *v;
    return;
  }
  if (ns == "aws:ec2:instances" && name == "SpotAllocationStrategy") {
    constexpr std::array<std::string_view, 4> kStrategies{
        "capacity-optimized", "price-capacity-optimized", "capacity-optimized-prioritized",
        "lowest-price"};
    if (const auto i = one_of(kStrategies)) o.spot_allocation = std::string(kStrategies[*i]);
    return;
  }
  not_simulated("accepted and not simulated");
}

void OptionReader::asg(std::string_view name) {
  EnvironmentOptions& o = out_.options;
  if (name == "MinSize") {
    if (const auto v = integer(1, 10000)) o.min_size = *v;
    min_at = index_;
  } else if (name == "MaxSize") {
    if (const auto v = integer(1, 10000)) o.max_size = *v;
  } else if (name == "Cooldown") {
    if (const auto v = integer(0, 10000)) o.cooldown = seconds(*v);
  } else if (name == "Availability Zones") {
    constexpr std::array<std::string_view, 4> kAny{"Any", "Any 1", "Any 2", "Any 3"};
    if (const auto i = one_of(kAny))
      o.zone_count = *i == 0 ? std::nullopt : std::optional<std::int64_t>(*i);
  } else if (name == "Custom Availability Zones") {
    o.custom_zones = comma_list(setting_->value);
  } else {
    not_simulated("accepted and not simulated");
  }
}

// A time of a scheduled action (ISO 8601 UTC, e.g. 2024-01-01T09:00:00Z) in the run's clock,
// which starts at kCronEpochDays.
std::optional<SimTime> action_time(std::string_view text) {
  const std::optional<std::int64_t> micros = workload::parse_utc_timestamp(trimmed(text));
  if (!micros) return std::nullopt;
  return kSimStart +
         std::chrono::microseconds(*micros - workload::kCronEpochDays * 86'400'000'000LL);
}

void OptionReader::scheduled(std::string_view name) {
  const std::string& resource = setting_->resource;
  if (resource.empty()) {
    problem(fmt::format("a scheduled action's option {} needs a ResourceName naming the action",
                        name));
    return;
  }
  std::vector<ScheduledAction>& actions = out_.options.scheduled;
  auto it = std::find_if(actions.begin(), actions.end(),
                         [&](const ScheduledAction& a) { return a.name == resource; });
  if (it == actions.end()) {
    actions.push_back({});
    actions.back().name = resource;
    action_at.push_back(index_);
    action_when.push_back(false);
    it = actions.end() - 1;
  }
  ScheduledAction& a = *it;
  if (name == "StartTime" || name == "Recurrence")
    action_when[static_cast<std::size_t>(it - actions.begin())] = true;
  if (name == "MinSize") {
    if (const auto v = integer(0, 10000)) a.min_size = *v;
  } else if (name == "MaxSize") {
    if (const auto v = integer(0, 10000)) a.max_size = *v;
  } else if (name == "DesiredCapacity") {
    if (const auto v = integer(0, 10000)) a.desired = *v;
  } else if (name == "StartTime" || name == "EndTime") {
    const std::optional<SimTime> t = action_time(setting_->value);
    if (!t)
      problem(invalid(*setting_, "Value is not an ISO 8601 UTC time such as 2024-01-01T09:00:00Z"));
    else
      (name == "StartTime" ? a.start : a.end) = *t;
  } else if (name == "Recurrence") {
    const workload::CronParse cron = workload::parse_cron(trimmed(setting_->value));
    if (!cron.schedule)
      problem(invalid(*setting_, "Value is not a cron expression in UTC (" + cron.problem + ")"));
    else
      a.recurrence = *cron.schedule;
  } else if (name == "Suspend") {
    if (const auto v = boolean()) a.suspend = *v;
  }
}

void OptionReader::trigger(std::string_view name) {
  TriggerConfig& t = out_.options.trigger;
  if (name == "MeasureName") {
    constexpr std::array<std::string_view, 12> kMetrics{
        "CPUUtilization", "NetworkIn",   "NetworkOut",        "DiskWriteOps",
        "DiskReadBytes",  "DiskReadOps", "DiskWriteBytes",    "Latency",
        "RequestCount",   "HealthyHostCount", "UnhealthyHostCount", "TargetResponseTime"};
    const auto i = one_of(kMetrics);
    if (!i) return;
    if (*i == 0) t.metric = TriggerMetric::kCpuUtilization;
    else if (*i == 2) t.metric = TriggerMetric::kNetworkOut;
    else if (*i == 8) t.metric = TriggerMetric::kRequestCount;
    else {
      metric_refused = true;
      problem(invalid(*setting_,
                      "ecsim derives only NetworkOut, CPUUtilization and RequestCount from a "
                      "load; a trigger on this metric is not simulated"));
    }
  } else if (name == "Statistic") {
    constexpr std::array<std::string_view, 4> kStatistics{"Minimum", "Maximum", "Sum", "Average"};
    const auto i = one_of(kStatistics);
    if (!i) return;
    if (*i == 2) t.statistic = TriggerStatistic::kSum;
    else if (*i == 3) t.statistic = TriggerStatistic::kAverage;
    else
      problem(invalid(*setting_, "ecsim computes the Average and Sum statistics only"));
  } else if (name == "Unit") {
    constexpr std::array<std::string_view, 9> kUnits{
        "Seconds", "Percent", "Bytes", "Bits", "Count", "Bytes/Second", "Bits/Second",
        "Count/Second", "None"};
    if (one_of(kUnits)) {
      unit = std::string(trimmed(setting_->value));
      unit_at = index_;
    }
  } else if (name == "Period") {
    if (const auto v = integer(1, 600)) t.period = minutes(*v);
  } else if (name == "EvaluationPeriods") {
    if (const auto v = integer(1, 600)) t.evaluation_periods = *v;
    evaluation_periods_at = index_;
  } else if (name == "BreachDuration") {
    if (const auto v = integer(1, 600)) breach_minutes = *v;
    breach_duration_at = index_;
  } else if (name == "UpperThreshold") {
    if (const auto v = number(0, 20'000'000)) t.upper_threshold = *v;
  } else if (name == "LowerThreshold") {
    if (const auto v = number(0, 20'000'000)) t.lower_threshold = *v;
  } else if (name == "UpperBreachScaleIncrement") {
    if (const auto v = integer(-10000, 10000)) t.upper_increment = *v;
  } else if (name == "LowerBreachScaleIncrement") {
    if (const auto v = integer(-10000, 10000)) t.lower_increment = *v;
  }
}

void OptionReader::command(std::string_view name) {
  DeploymentSettings& d = out_.options.deployment;
  if (name == "DeploymentPolicy") {
    constexpr std::array<std::string_view, 5> kPolicies{
        "AllAtOnce", "Rolling", "RollingWithAdditionalBatch", "Immutable", "TrafficSplitting"};
    const auto i = one_of(kPolicies);
    if (!i) return;
    if (*i == 4) {
      problem(invalid(*setting_, "traffic-splitting deployments are not simulated"));
      return;
    }
    d.policy = static_cast<DeploymentPolicy>(*i);
    policy_at = index_;
  } else if (name == "BatchSizeType") {
    constexpr std::array<std::string_view, 2> kTypes{"Percentage", "Fixed"};
    if (const auto i = one_of(kTypes)) d.fixed_batch = *i == 1;
  } else if (name == "BatchSize") {
    if (const auto v = integer(1, 10000)) d.batch_size = *v;
    batch_size_at = index_;
  } else if (name == "Timeout") {
    if (const auto v = integer(1, 3600)) d.timeout = seconds(*v + 240);
  } else if (name == "IgnoreHealthCheck") {
    if (const auto v = boolean()) d.ignore_health_check = *v;
  } else {
    not_simulated("accepted and not simulated");
  }
}

const char* unit_of(TriggerMetric m) {
  switch (m) {
    case TriggerMetric::kNetworkOut: return "Bytes";
    case TriggerMetric::kCpuUtilization: return "Percent";
    case TriggerMetric::kRequestCount: return "Count";
  }
  return "";
}

}  // namespace

const char* metric_name(TriggerMetric metric) {
  switch (metric) {
    case TriggerMetric::kNetworkOut: return "NetworkOut";
    case TriggerMetric::kCpuUtilization: return "CPUUtilization";
    case TriggerMetric::kRequestCount: return "RequestCount";
  }
  return "";
}

const char* policy_name(DeploymentPolicy policy) {
  switch (policy) {
    case DeploymentPolicy::kAllAtOnce: return "AllAtOnce";
    case DeploymentPolicy::kRolling: return "Rolling";
    case DeploymentPolicy::kRollingWithAdditionalBatch: return "RollingWithAdditionalBatch";
    case DeploymentPolicy::kImmutable: return "Immutable";
  }
  return "";
}

OptionsRead read_options(const std::vector<OptionSetting>& settings) {
  OptionsRead out;
  OptionReader reader(out);
  for (std::size_t i = 0; i < settings.size(); ++i) reader.read(i, settings[i]);
  EnvironmentOptions& o = out.options;
  const std::size_t last = settings.empty() ? 0 : settings.size() - 1;
  if (o.min_size > o.max_size)
    out.problems.push_back(
        {reader.min_at.value_or(last),
         fmt::format("MinSize ({}) is greater than MaxSize ({}): the Auto Scaling group cannot "
                     "be created",
                     o.min_size, o.max_size)});
  if (o.single_instance) {
    // A single-instance environment runs one instance, without a load balancer or triggers.
    o.min_size = o.max_size = 1;
    if (o.deployment.policy == DeploymentPolicy::kRolling ||
        o.deployment.policy == DeploymentPolicy::kRollingWithAdditionalBatch)
      out.problems.push_back(
          {reader.policy_at.value_or(last),
           fmt::format("a single-instance environment supports the AllAtOnce and Immutable "
                       "deployment policies only, not {}",
                       policy_name(o.deployment.policy))});
  }
  if (o.on_demand_base > o.max_size)
    out.problems.push_back(
        {reader.on_demand_base_at.value_or(last),
         fmt::format("SpotFleetOnDemandBase ({}) is above MaxSize ({})", o.on_demand_base,
                     o.max_size)});
  DeploymentSettings& d = o.deployment;
  if (!d.fixed_batch && d.batch_size > 100)
    out.problems.push_back({reader.batch_size_at.value_or(last),
                            fmt::format("BatchSize {} is above 100 percent", d.batch_size)});
  if (d.fixed_batch && d.batch_size > o.max_size)
    out.problems.push_back(
        {reader.batch_size_at.value_or(last),
         fmt::format("a Fixed BatchSize of {} is above MaxSize ({})", d.batch_size, o.max_size)});
  for (std::size_t k = 0; k < o.scheduled.size(); ++k) {
    const ScheduledAction& a = o.scheduled[k];
    const std::size_t at = reader.action_at[k];
    if (!a.min_size && !a.max_size && !a.desired)
      out.problems.push_back(
          {at, fmt::format("scheduled action {} sets none of MinSize, MaxSize and "
                           "DesiredCapacity",
                           a.name)});
    if (!a.start && !a.recurrence && !reader.action_when[k])  // (a bad one is reported)
      out.problems.push_back(
          {at, fmt::format("scheduled action {} has neither a StartTime (once) nor a "
                           "Recurrence",
                           a.name)});
    if (a.min_size && a.max_size && *a.min_size > *a.max_size)
      out.problems.push_back(
          {at, fmt::format("scheduled action {}: MinSize ({}) is greater than MaxSize ({})",
                           a.name, *a.min_size, *a.max_size)});
    if (a.start && a.end && *a.end <= *a.start)
      out.problems.push_back(
          {at, fmt::format("scheduled action {}: EndTime is not after StartTime", a.name)});
  }
  TriggerConfig& t = o.trigger;
  const std::int64_t period_minutes =
      std::chrono::duration_cast<minutes>(t.period).count();
  if (reader.breach_duration_at && !reader.evaluation_periods_at) {
    t.evaluation_periods = std::max<std::int64_t>(
        1, (reader.breach_minutes + period_minutes - 1) / period_minutes);
  } else if (reader.breach_duration_at && reader.evaluation_periods_at &&
             reader.breach_minutes != period_minutes * t.evaluation_periods) {
    out.problems.push_back(
        {*reader.breach_duration_at,
         fmt::format("BreachDuration ({} minutes) is not Period ({} minutes) x EvaluationPeriods "
                     "({}); set one of BreachDuration and EvaluationPeriods",
                     reader.breach_minutes, period_minutes, t.evaluation_periods)});
  }
  if (reader.unit != unit_of(t.metric) && !reader.metric_refused)
    out.problems.push_back(
        {reader.unit_at.value_or(last),
         fmt::format("Unit {} is not the unit of {} ({}): CloudWatch would give the alarms no "
                     "datapoints and the environment would never scale",
                     reader.unit, metric_name(t.metric), unit_of(t.metric))});
  return out;
}

std::int64_t batch_instances(const DeploymentSettings& d, std::int64_t instances) {
  if (instances <= 0) return 0;
  const std::int64_t n = d.fixed_batch ? d.batch_size : (d.batch_size * instances + 99) / 100;
  return std::clamp<std::int64_t>(n, 1, instances);
}

}  // namespace ecsim::beanstalk
