// An ECS service's Application Auto Scaling: the JSON files `aws application-autoscaling
// register-scalable-target --cli-input-json` and `put-scaling-policy --cli-input-json` take,
// checked against the Application Auto Scaling API model as the AWS CLI checks them, then
// against what the service itself validates, and read into appscaling::ScalableTarget.

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "api_schema.hpp"
#include "ecsim/workload/cron.hpp"
#include "ecsim/workload/trace.hpp"
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


// The members of CloudWatch's PutMetricAlarm request (the CloudWatch API reference), which
// `aws cloudwatch put-metric-alarm --cli-input-json` takes.
constexpr std::string_view kAlarmFields[] = {
    "AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions",
    "InsufficientDataActions", "MetricName", "Namespace", "Statistic", "ExtendedStatistic",
    "Dimensions", "Period", "Unit", "EvaluationPeriods", "DatapointsToAlarm", "Threshold",
    "ComparisonOperator", "TreatMissingData", "EvaluateLowSampleCountPercentile", "Metrics",
    "Tags", "ThresholdMetricId"};
// The most datapoints an alarm may evaluate in ecsim: a load keeps its last 64 minutes.
constexpr std::int64_t kMaxEvaluationPeriods = 64;

// A time of the Application Auto Scaling API (an ISO 8601 UTC text, or seconds since 1970 as
// the AWS CLI also takes), in the run's clock (which starts 2024-01-01 00:00 UTC).
std::optional<SimTime> api_time(const Reader& r) {
  std::optional<std::int64_t> micros;
  if (r.is_quoted()) {
    micros = workload::parse_utc_timestamp(r.string().value_or(""));
  } else if (const auto v = r.number(0, 1e11)) {
    micros = static_cast<std::int64_t>(*v * 1e6);
  }
  if (!micros) {
    r.error(fmt::format("'{}' is not a time (expected an ISO 8601 UTC time such as "
                        "2024-01-01T09:00:00Z)",
                        r.string().value_or("")));
    return std::nullopt;
  }
  return kSimStart + std::chrono::microseconds(*micros - workload::kCronEpochDays * 86'400'000'000LL);
}

// A scheduled action's Schedule: at(yyyy-mm-ddThh:mm:ss), rate(N unit) or cron(6 fields, AWS's:
// minutes hours day-of-month month day-of-week year, days of the week 1-7 from Sunday).
bool read_schedule(const Reader& r, appscaling::ScheduledAction& a) {
  const std::string text = r.string().value_or("");
  const auto inner = [&](std::string_view head) -> std::optional<std::string> {
    if (!text.starts_with(head) || !text.ends_with(")")) return std::nullopt;
    return text.substr(head.size(), text.size() - head.size() - 1);
  };
  if (const auto at = inner("at(")) {
    const auto micros = workload::parse_utc_timestamp(*at);
    if (!micros) {
      r.error(fmt::format("'{}' is not a valid at() schedule (expected at(yyyy-mm-ddThh:mm:ss))", text));
      return false;
    }
    a.kind = appscaling::ScheduledAction::Kind::kAt;
    a.at = kSimStart + std::chrono::microseconds(*micros - workload::kCronEpochDays * 86'400'000'000LL);
    return true;
  }
  if (const auto rate = inner("rate(")) {
    std::int64_t n = 0;
    std::size_t i = 0;
    while (i < rate->size() && std::isdigit(static_cast<unsigned char>((*rate)[i]))) n = n * 10 + ((*rate)[i++] - '0');
    const std::string unit = i < rate->size() && (*rate)[i] == ' ' ? rate->substr(i + 1) : "";
    const SimDuration each = unit == "minute" || unit == "minutes" ? SimDuration{std::chrono::minutes(n)}
                             : unit == "hour" || unit == "hours"   ? SimDuration{std::chrono::hours(n)}
                             : unit == "day" || unit == "days"     ? SimDuration{std::chrono::hours(24 * n)}
                                                                   : SimDuration{};
    if (i == 0 || n <= 0 || n > 1'000'000 || each <= SimDuration{}) {
      r.error(fmt::format("'{}' is not a valid rate() schedule (expected rate(VALUE UNIT), UNIT "
                          "minute(s), hour(s) or day(s))",
                          text));
      return false;
    }
    a.kind = appscaling::ScheduledAction::Kind::kRate;
    a.rate = each;
    return true;
  }
  if (const auto cron = inner("cron(")) {
    std::vector<std::string> fields;
    std::string field;
    for (const char c : *cron + " ") {
      if (c != ' ') {
        field += c;
      } else if (!field.empty()) {
        fields.push_back(std::move(field));
        field.clear();
      }
    }
    if (fields.size() != 6) {
      r.error(fmt::format("'{}' is not a valid cron() schedule (expected 6 fields: minutes hours "
                          "day-of-month month day-of-week year)",
                          text));
      return false;
    }
    if (fields[5] != "*") {
      r.error(fmt::format("a cron() schedule limited to some years is not simulated (expected * "
                          "for the year in '{}')",
                          text));
      return false;
    }
    // AWS numbers the days of the week 1-7 from Sunday; the five-field parser 0-6.
    // A step (after '/') is a count, not a day: it stays.
    std::string weekday;
    bool step = false;
    for (std::size_t i = 0; i < fields[4].size(); ++i) {
      const char c = fields[4][i];
      if (c == '/') step = true;
      else if (c == ',' || c == '-') step = false;
      const bool day = c >= '1' && c <= '7' && !step &&
                       (i == 0 || !std::isdigit(static_cast<unsigned char>(fields[4][i - 1])));
      weekday += day ? static_cast<char>(c - 1) : c;
    }
    const workload::CronParse parsed = workload::parse_cron(
        fmt::format("{} {} {} {} {}", fields[0], fields[1], fields[2], fields[3], weekday));
    if (!parsed.schedule) {
      r.error(fmt::format("'{}' is not a valid cron() schedule: {}", text, parsed.problem));
      return false;
    }
    a.kind = appscaling::ScheduledAction::Kind::kCron;
    a.cron = *parsed.schedule;
    return true;
  }
  r.error(fmt::format("'{}' is not a schedule (expected at(...), rate(...) or cron(...))", text));
  return false;
}

}  // namespace

void Loader::read_service_autoscaling(const Reader& a, const EcsClusterConfig& cluster,
                                      const ServiceConfig& service, std::size_t cluster_index) {
  if (!a.expect_map({"scalable_target", "policies", "alarms", "scheduled_actions"}) ||
      !a["scalable_target"].require())
    return;
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
      t.scheduled_suspended = suspended["ScheduledScalingSuspended"].boolean().value_or(false);
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
                 "TargetTrackingScaling or StepScaling)");
      ok = false;
      continue;
    }
    if (!kind) {
      ok = false;
      continue;
    }
    if (*kind == "StepScaling") {
      ok = read_step_policy(root, t) && ok;
      root.note_unread();
      continue;
    }
    if (*kind != "TargetTrackingScaling") {
      type.error(fmt::format("a {} policy is not simulated (expected TargetTrackingScaling or "
                             "StepScaling)",
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
  ok = read_alarms(a["alarms"], t) && ok;
  for (const Reader& p : a["scheduled_actions"].items("a list of put-scheduled-action files")) {
    const auto relative = p.string();
    if (!relative) continue;
    const auto doc = load_request(p, resolve(*relative), "PutScheduledAction", diagnostics_);
    if (!doc) {
      ok = false;
      continue;
    }
    const Reader root(*doc, diagnostics_);
    ok = names_service(root, t.resource_id) && ok;
    appscaling::ScheduledAction action;
    action.name = root["ScheduledActionName"].string().value_or("");
    for (const appscaling::ScheduledAction& other : t.scheduled)
      if (other.name == action.name) {
        root["ScheduledActionName"].error(fmt::format(
            "a second scheduled action named '{}' for {} (PutScheduledAction would replace the "
            "first)",
            action.name, t.resource_id));
        ok = false;
      }
    if (root["Schedule"].present()) ok = read_schedule(root["Schedule"], action) && ok;
    else {
      root.error("Schedule is required to create a scheduled action");
      ok = false;
    }
    if (const auto zone = root["Timezone"].string(); zone && *zone != "UTC" && *zone != "Etc/UTC") {
      root["Timezone"].error(fmt::format("the time zone '{}' is not simulated: ecsim's clock is "
                                         "UTC (expected UTC)",
                                         *zone));
      ok = false;
    }
    if (root["StartTime"].present())
      if (const auto v = api_time(root["StartTime"])) action.start = *v;
    if (root["EndTime"].present())
      if (const auto v = api_time(root["EndTime"])) action.end = *v;
    const Reader range = root["ScalableTargetAction"];
    const auto capacity = [&](const char* key) -> std::optional<std::int64_t> {
      return range[key].present() ? range[key].integer(0, kMaxTasksPerService) : std::nullopt;
    };
    action.min_capacity = capacity("MinCapacity");
    action.max_capacity = capacity("MaxCapacity");
    if (!action.min_capacity && !action.max_capacity) {
      (range.present() ? range : root)
          .error("ScalableTargetAction needs MinCapacity or MaxCapacity (a scheduled action that "
                 "changes neither does nothing)");
      ok = false;
    } else if (action.min_capacity && action.max_capacity && *action.min_capacity > *action.max_capacity) {
      range["MaxCapacity"].error(fmt::format(
          "Minimum capacity cannot be greater than maximum capacity ({} > {})",
          *action.min_capacity, *action.max_capacity));
      ok = false;
    }
    root.note_unread();
    t.scheduled.push_back(std::move(action));
  }
  if (ok) scalable_targets_.push_back(std::move(t));
}

// A StepScaling policy's configuration, with Application Auto Scaling's rules for its steps:
// an upper bound above its lower bound, no overlap nor gap between steps, at most one step
// without a lower bound and one without an upper bound.
bool Loader::read_step_policy(const Reader& root, appscaling::ScalableTarget& t) {
  appscaling::StepScalingPolicy policy;
  policy.name = root["PolicyName"].string().value_or("");
  const Reader config = root["StepScalingPolicyConfiguration"];
  if (!config.present()) {
    root.error("StepScalingPolicyConfiguration is required for a StepScaling policy");
    return false;
  }
  bool ok = true;
  if (const Reader type = config["AdjustmentType"]; type.require()) {
    if (const auto v = type.one_of({"ChangeInCapacity", "PercentChangeInCapacity", "ExactCapacity"}))
      policy.type = *v == "ChangeInCapacity"          ? appscaling::AdjustmentType::kChangeInCapacity
                    : *v == "PercentChangeInCapacity" ? appscaling::AdjustmentType::kPercentChangeInCapacity
                                                      : appscaling::AdjustmentType::kExactCapacity;
    else ok = false;
  } else {
    ok = false;
  }
  const Reader steps = config["StepAdjustments"];
  if (!steps.present() || steps.items().empty()) {
    (steps.present() ? steps : config).error("StepAdjustments requires at least one step adjustment");
    ok = false;
  }
  for (const Reader& s : steps.items("a list of step adjustments")) {
    appscaling::StepAdjustment step;
    if (s["MetricIntervalLowerBound"].present())
      step.lower = s["MetricIntervalLowerBound"].number(-1e300, 1e300);
    if (s["MetricIntervalUpperBound"].present())
      step.upper = s["MetricIntervalUpperBound"].number(-1e300, 1e300);
    const auto adjustment = s["ScalingAdjustment"].require()
                                ? s["ScalingAdjustment"].integer(-kMaxTasksPerService, kMaxTasksPerService)
                                : std::nullopt;
    if (!adjustment) {
      ok = false;
      continue;
    }
    step.adjustment = *adjustment;
    if (step.lower && step.upper && *step.upper <= *step.lower) {
      s["MetricIntervalUpperBound"].error(fmt::format(
          "MetricIntervalUpperBound {} must be greater than MetricIntervalLowerBound {}",
          *step.upper, *step.lower));
      ok = false;
    }
    policy.steps.push_back(step);
  }
  // In order of their lower bounds, each step starts where the one before ends.
  std::vector<appscaling::StepAdjustment> sorted = policy.steps;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.lower.value_or(-1e308) < b.lower.value_or(-1e308);
  });
  const auto unbounded_lower = std::count_if(sorted.begin(), sorted.end(), [](const auto& s) { return !s.lower; });
  const auto unbounded_upper = std::count_if(sorted.begin(), sorted.end(), [](const auto& s) { return !s.upper; });
  if (unbounded_lower > 1 || unbounded_upper > 1) {
    steps.error("only one step adjustment may have a null MetricIntervalLowerBound and one a null "
                "MetricIntervalUpperBound");
    ok = false;
  }
  for (std::size_t i = 1; i < sorted.size(); ++i)
    if (!sorted[i - 1].upper || !sorted[i].lower || *sorted[i - 1].upper != *sorted[i].lower) {
      steps.error("the step adjustments' intervals overlap or leave a gap (each step's "
                  "MetricIntervalLowerBound must be the upper bound of the one below it)");
      ok = false;
      break;
    }
  if (config["MinAdjustmentMagnitude"].present()) {
    if (const auto v = config["MinAdjustmentMagnitude"].integer(0, kMaxTasksPerService)) {
      policy.min_adjustment_magnitude = *v;
      if (policy.type != appscaling::AdjustmentType::kPercentChangeInCapacity && *v > 0) {
        config["MinAdjustmentMagnitude"].error(
            "MinAdjustmentMagnitude is only for the PercentChangeInCapacity adjustment type");
        ok = false;
      }
    }
  }
  if (config["Cooldown"].present()) {
    if (const auto v = config["Cooldown"].integer(0, kMaxCooldownSeconds)) policy.cooldown = std::chrono::seconds(*v);
    else ok = false;
  }
  if (const Reader agg = config["MetricAggregationType"]; agg.present())
    ok = agg.one_of({"Average", "Minimum", "Maximum"}).has_value() && ok;
  policy.alarm.name.clear();  // set by the alarm that invokes it
  t.step_policies.push_back(std::move(policy));
  return ok;
}

// The CloudWatch alarms (put-metric-alarm files) that invoke the target's step scaling
// policies: each on the service's CPUUtilization or MemoryUtilization (AWS/ECS, Average, 60 s
// periods), its AlarmActions naming a step policy of this target by its ARN's policyName.
bool Loader::read_alarms(const Reader& list, appscaling::ScalableTarget& t) {
  bool ok = true;
  std::vector<bool> invoked(t.step_policies.size(), false);
  for (const Reader& p : list.items("a list of put-metric-alarm files")) {
    const auto relative = p.string();
    if (!relative) continue;
    auto doc = load_document(resolve(*relative), diagnostics_, p.where(), p.path(), Syntax::kJson);
    if (!doc) {
      ok = false;
      continue;
    }
    const Reader root(*doc, diagnostics_);
    if (!root.is_map() || !root.expect_map(kAlarmFields)) {
      if (!root.is_map()) root.error("expected a JSON object holding a PutMetricAlarm request");
      ok = false;
      continue;
    }
    if (!require_all({root["AlarmName"], root["EvaluationPeriods"], root["ComparisonOperator"]})) {
      ok = false;
      continue;
    }
    appscaling::MetricAlarm alarm;
    alarm.name = root["AlarmName"].string().value_or("");
    if (root["Metrics"].present()) {
      root["Metrics"].error("a metric math alarm is not simulated (expected MetricName, Namespace "
                            "and Statistic)");
      ok = false;
      continue;
    }
    if (const auto ns = root["Namespace"].string(); ns != "AWS/ECS") {
      (root["Namespace"].present() ? root["Namespace"] : root)
          .error(fmt::format("an alarm on a metric of '{}' is not simulated (expected Namespace "
                             "AWS/ECS)",
                             ns.value_or("")));
      ok = false;
    }
    const auto metric = root["MetricName"].string().value_or("");
    if (metric == "CPUUtilization") alarm.metric = appscaling::Metric::kEcsCpu;
    else if (metric == "MemoryUtilization") alarm.metric = appscaling::Metric::kEcsMemory;
    else {
      (root["MetricName"].present() ? root["MetricName"] : root)
          .error(fmt::format("the metric '{}' is not simulated (expected CPUUtilization or "
                             "MemoryUtilization of the service)",
                             metric));
      ok = false;
    }
    if (const auto st = root["Statistic"].string(); st != "Average") {
      (root["Statistic"].present() ? root["Statistic"] : root)
          .error(fmt::format("the statistic '{}' is not simulated (expected Average: the service's "
                             "utilisation over each minute)",
                             st.value_or("")));
      ok = false;
    }
    if (const auto period = root["Period"].integer(1, 86400); period != 60) {
      (root["Period"].present() ? root["Period"] : root)
          .error("alarms are simulated on one-minute datapoints (expected Period 60)");
      ok = false;
    }
    // The dimensions name this service.
    const std::string cluster_name = t.resource_id.substr(8, t.resource_id.rfind('/') - 8);
    const std::string service_name = t.resource_id.substr(t.resource_id.rfind('/') + 1);
    std::string have_cluster, have_service;
    for (const Reader& d : root["Dimensions"].items("a list of dimensions {Name, Value}")) {
      const std::string name = d["Name"].string().value_or("");
      if (name == "ClusterName") have_cluster = d["Value"].string().value_or("");
      else if (name == "ServiceName") have_service = d["Value"].string().value_or("");
    }
    if (have_cluster != cluster_name || have_service != service_name) {
      (root["Dimensions"].present() ? root["Dimensions"] : root)
          .error(fmt::format("the alarm's Dimensions name ClusterName '{}' and ServiceName '{}', "
                             "not this service (expected {} and {})",
                             have_cluster, have_service, cluster_name, service_name));
      ok = false;
    }
    const auto periods = root["EvaluationPeriods"].integer(1, kMaxEvaluationPeriods);
    const auto to_alarm = root["DatapointsToAlarm"].present()
                              ? root["DatapointsToAlarm"].integer(1, kMaxEvaluationPeriods)
                              : periods;
    if (!periods || !to_alarm) ok = false;
    else if (*to_alarm > *periods) {
      root["DatapointsToAlarm"].error(fmt::format(
          "DatapointsToAlarm {} must be less than or equal to EvaluationPeriods {}", *to_alarm, *periods));
      ok = false;
    } else {
      alarm.evaluation_periods = static_cast<std::size_t>(*periods);
      alarm.datapoints_to_alarm = static_cast<std::size_t>(*to_alarm);
    }
    if (const auto th = root["Threshold"].present() ? root["Threshold"].number(-1e300, 1e300)
                                                    : (root.error("Threshold is required for an alarm on a metric"), std::nullopt))
      alarm.threshold = *th;
    else ok = false;
    if (const auto c = root["ComparisonOperator"].one_of(
            {"GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold",
             "LessThanOrEqualToThreshold"}))
      alarm.comparison = *c == "GreaterThanOrEqualToThreshold" ? appscaling::Comparison::kGreaterOrEqual
                         : *c == "GreaterThanThreshold"        ? appscaling::Comparison::kGreater
                         : *c == "LessThanThreshold"           ? appscaling::Comparison::kLess
                                                               : appscaling::Comparison::kLessOrEqual;
    else ok = false;
    if (const auto m = root["TreatMissingData"].string(); m && *m != "missing" && *m != "notBreaching") {
      root["TreatMissingData"].error(fmt::format(
          "TreatMissingData '{}' is not simulated (expected missing or notBreaching: a minute "
          "without a running task is not breaching)",
          *m));
      ok = false;
    }
    // AlarmActions: the step policy's ARN, ...:scalingPolicy:ID:resource/ecs/service/C/S:policyName/NAME.
    bool linked = false;
    for (const Reader& action : root["AlarmActions"].items("a list of action ARNs")) {
      const std::string arn = action.string().value_or("");
      const std::size_t at = arn.rfind(":policyName/");
      const std::string policy = at == std::string::npos ? "" : arn.substr(at + 12);
      for (std::size_t i = 0; i < t.step_policies.size(); ++i) {
        if (t.step_policies[i].name != policy) continue;
        if (invoked[i]) {
          action.error(fmt::format("step scaling policy '{}' is already invoked by another alarm "
                                   "(ecsim takes one alarm per policy)",
                                   policy));
          ok = false;
        }
        invoked[i] = true;
        linked = true;
        t.step_policies[i].alarm = alarm;
      }
    }
    if (!linked) {
      (root["AlarmActions"].present() ? root["AlarmActions"] : root)
          .error(fmt::format("the alarm '{}' invokes no step scaling policy of {} (expected an "
                             "AlarmActions ARN ending :policyName/POLICY)",
                             alarm.name, t.resource_id));
      ok = false;
    }
    root.note_unread();
  }
  for (std::size_t i = 0; i < t.step_policies.size(); ++i)
    if (!invoked[i]) {
      list.error(fmt::format("step scaling policy '{}' has no alarm to invoke it (expected a "
                             "put-metric-alarm file whose AlarmActions name it)",
                             t.step_policies[i].name));
      ok = false;
    }
  return ok;
}

}  // namespace ecsim::scenario::detail
