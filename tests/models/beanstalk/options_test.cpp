#include <catch2/catch.hpp>

#include <array>

#include "ecsim/beanstalk/environment.hpp"

using namespace ecsim;
using namespace ecsim::beanstalk;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

// Settings of namespace, option and value (no ResourceName).
OptionsRead read(const std::vector<std::array<std::string, 3>>& in) {
  std::vector<OptionSetting> settings;
  for (const auto& [ns, option, value] : in) settings.push_back({ns, option, value, ""});
  return read_options(settings);
}

std::string only_problem(const OptionsRead& r) {
  REQUIRE(r.problems.size() == 1);
  return r.problems.front().message;
}

}  // namespace

TEST_CASE("Beanstalk's option defaults: a group of 1 to 4, NetworkOut triggers of 6 MB and 2 MB over 5 minutes") {
  const OptionsRead r = read({});
  REQUIRE(r.problems.empty());
  const EnvironmentOptions& o = r.options;
  CHECK(o.min_size == 1);
  CHECK(o.max_size == 4);
  CHECK(o.cooldown == seconds(360));
  CHECK_FALSE(o.zone_count);
  CHECK(o.trigger.metric == TriggerMetric::kNetworkOut);
  CHECK(o.trigger.statistic == TriggerStatistic::kAverage);
  CHECK(o.trigger.period == minutes(5));
  CHECK(o.trigger.evaluation_periods == 1);
  CHECK(o.trigger.upper_threshold == 6'000'000);
  CHECK(o.trigger.lower_threshold == 2'000'000);
  CHECK(o.trigger.upper_increment == 1);
  CHECK(o.trigger.lower_increment == -1);
  CHECK(o.deployment.policy == DeploymentPolicy::kAllAtOnce);
  CHECK_FALSE(o.deployment.fixed_batch);
  CHECK(o.deployment.batch_size == 100);
  // Timeout 600 s, and the 240 s Beanstalk adds to it.
  CHECK(o.deployment.timeout == seconds(840));
  CHECK(o.deregistration_delay == seconds(20));
  CHECK(o.health_check_interval == seconds(15));
  CHECK(o.healthy_threshold == 3);
}

TEST_CASE("option settings are read in order, a later value of an option winning") {
  const OptionsRead r = read({{"aws:autoscaling:asg", "MaxSize", "6"},
                              {"aws:autoscaling:asg", "MaxSize", "10"},
                              {"aws:autoscaling:asg", "MinSize", "3"},
                              {"aws:autoscaling:asg", "Availability Zones", "Any 2"},
                              {"aws:elasticbeanstalk:command", "DeploymentPolicy", "Immutable"},
                              {"aws:elasticbeanstalk:command", "Timeout", "900"},
                              {"aws:elasticbeanstalk:command", "IgnoreHealthCheck", "TRUE"},
                              {"aws:ec2:instances", "InstanceTypes", "m6i.large, m5.large"},
                              {"aws:autoscaling:launchconfiguration", "InstanceType", "t3.micro"}});
  REQUIRE(r.problems.empty());
  CHECK(r.options.max_size == 10);
  CHECK(r.options.min_size == 3);
  CHECK(r.options.zone_count == 2);
  CHECK(r.options.deployment.policy == DeploymentPolicy::kImmutable);
  CHECK(r.options.deployment.timeout == seconds(900 + 240));
  CHECK(r.options.deployment.ignore_health_check);
  // InstanceTypes' first type wins over the older InstanceType, given before or after it (the
  // others serve Spot).
  CHECK(r.options.instance_type == "m6i.large");
  CHECK(r.options.instance_types == std::vector<std::string>{"m6i.large", "m5.large"});
  CHECK(r.not_simulated.empty());
}

TEST_CASE("Spot: EnableSpot with the On-Demand base, the share above it and the allocation strategy") {
  const OptionsRead defaults = read({{"aws:ec2:instances", "EnableSpot", "true"}});
  REQUIRE(defaults.problems.empty());
  CHECK(defaults.options.spot);
  CHECK(defaults.options.on_demand_base == 0);
  CHECK_FALSE(defaults.options.on_demand_above_base_percent);  // 70 or 0 by environment type
  CHECK(defaults.options.spot_allocation == "capacity-optimized");
  const OptionsRead r = read({{"aws:ec2:instances", "EnableSpot", "true"},
                              {"aws:ec2:instances", "SpotFleetOnDemandBase", "1"},
                              {"aws:ec2:instances", "SpotFleetOnDemandAboveBasePercentage", "0"},
                              {"aws:ec2:instances", "SpotAllocationStrategy", "lowest-price"}});
  REQUIRE(r.problems.empty());
  CHECK(r.options.on_demand_base == 1);
  CHECK(r.options.on_demand_above_base_percent == 0);
  CHECK(r.options.spot_allocation == "lowest-price");
  CHECK(only_problem(read({{"aws:ec2:instances", "SpotFleetOnDemandBase", "5"}})) ==
        "SpotFleetOnDemandBase (5) is above MaxSize (4)");
  CHECK(only_problem(read({{"aws:ec2:instances", "SpotFleetOnDemandAboveBasePercentage", "101"}}))
            .ends_with("Value is greater than maximum allowed value: 100"));
}

TEST_CASE("a value out of its documented range is refused in Beanstalk's words") {
  CHECK(only_problem(read({{"aws:autoscaling:asg", "MinSize", "0"}})) ==
        "Invalid option value: '0' (Namespace: 'aws:autoscaling:asg', OptionName: 'MinSize'): "
        "Value is less than minimum allowed value: 1");
  CHECK(only_problem(read({{"aws:autoscaling:trigger", "Period", "601"}})) ==
        "Invalid option value: '601' (Namespace: 'aws:autoscaling:trigger', OptionName: "
        "'Period'): Value is greater than maximum allowed value: 600");
  CHECK(only_problem(read({{"aws:autoscaling:asg", "Cooldown", "6m"}})) ==
        "Invalid option value: '6m' (Namespace: 'aws:autoscaling:asg', OptionName: "
        "'Cooldown'): Value is not an integer");
  CHECK(only_problem(read({{"aws:elasticbeanstalk:command", "DeploymentPolicy", "rolling"}})) ==
        "Invalid option value: 'rolling' (Namespace: 'aws:elasticbeanstalk:command', "
        "OptionName: 'DeploymentPolicy'): Value is not one of the allowed values: [AllAtOnce, "
        "Rolling, RollingWithAdditionalBatch, Immutable, TrafficSplitting]");
}

TEST_CASE("an unknown option or namespace is refused, with the nearest name") {
  CHECK(only_problem(read({{"aws:autoscaling:asg", "MinSiz", "2"}})) ==
        "Invalid option specification (Namespace: 'aws:autoscaling:asg', OptionName: "
        "'MinSiz'): Unknown configuration setting. (did you mean 'MinSize'?)");
  CHECK(only_problem(read({{"aws:autoscaling:trigers", "Period", "1"}})) ==
        "Invalid option specification (Namespace: 'aws:autoscaling:trigers', OptionName: "
        "'Period'): Unknown configuration setting. (did you mean 'aws:autoscaling:trigger'?)");
  // Namespaces ecsim does not simulate are accepted and named.
  const OptionsRead r = read({{"aws:elasticbeanstalk:application:environment", "DB_HOST", "db"},
                              {"aws:elb:listener:8080", "ListenerProtocol", "HTTP"}});
  CHECK(r.problems.empty());
  CHECK(r.not_simulated.size() == 2);
}

TEST_CASE("what ecsim cannot run is refused rather than dropped") {
  CHECK(only_problem(read({{"aws:elasticbeanstalk:command", "DeploymentPolicy",
                            "TrafficSplitting"}}))
            .ends_with("traffic-splitting deployments are not simulated"));
  CHECK(only_problem(read({{"aws:autoscaling:trigger", "MeasureName", "Latency"},
                           {"aws:autoscaling:trigger", "Unit", "Seconds"}}))
            .find("a trigger on this metric is not simulated") != std::string::npos);
  CHECK(only_problem(read({{"aws:autoscaling:trigger", "Statistic", "Maximum"}}))
            .ends_with("ecsim computes the Average and Sum statistics only"));
}

TEST_CASE("the checks across options: sizes, batches, the trigger's unit and breach duration") {
  CHECK(only_problem(read({{"aws:autoscaling:asg", "MinSize", "5"}})) ==
        "MinSize (5) is greater than MaxSize (4): the Auto Scaling group cannot be created");
  CHECK(only_problem(read({{"aws:elasticbeanstalk:command", "BatchSizeType", "Fixed"},
                           {"aws:elasticbeanstalk:command", "BatchSize", "5"}})) ==
        "a Fixed BatchSize of 5 is above MaxSize (4)");
  CHECK(only_problem(read({{"aws:elasticbeanstalk:command", "BatchSize", "150"}})) ==
        "BatchSize 150 is above 100 percent");
  // Switching the metric without its unit leaves the alarms without datapoints on AWS.
  CHECK(only_problem(read({{"aws:autoscaling:trigger", "MeasureName", "CPUUtilization"}})) ==
        "Unit Bytes is not the unit of CPUUtilization (Percent): CloudWatch would give the "
        "alarms no datapoints and the environment would never scale");
  const OptionsRead cpu = read({{"aws:autoscaling:trigger", "MeasureName", "CPUUtilization"},
                                {"aws:autoscaling:trigger", "Unit", "Percent"},
                                {"aws:autoscaling:trigger", "Period", "1"},
                                {"aws:autoscaling:trigger", "BreachDuration", "3"}});
  REQUIRE(cpu.problems.empty());
  // BreachDuration = Period x EvaluationPeriods: 3 one-minute periods.
  CHECK(cpu.options.trigger.evaluation_periods == 3);
  CHECK(only_problem(read({{"aws:autoscaling:trigger", "Period", "1"},
                           {"aws:autoscaling:trigger", "EvaluationPeriods", "2"},
                           {"aws:autoscaling:trigger", "BreachDuration", "5"}}))
            .starts_with("BreachDuration (5 minutes) is not Period (1 minutes) x "
                         "EvaluationPeriods (2)"));
  // A single-instance environment has one instance and no load balancer to roll behind.
  CHECK(only_problem(read({{"aws:elasticbeanstalk:environment", "EnvironmentType",
                            "SingleInstance"},
                           {"aws:elasticbeanstalk:command", "DeploymentPolicy", "Rolling"}}))
            .starts_with("a single-instance environment supports the AllAtOnce and Immutable"));
}

TEST_CASE("a rolling batch: a percentage of the instances rounded up, at least one") {
  DeploymentSettings d;
  d.batch_size = 40;
  CHECK(batch_instances(d, 5) == 2);   // 40% of 5 = 2
  CHECK(batch_instances(d, 6) == 3);   // 2.4, rounded up
  CHECK(batch_instances(d, 1) == 1);
  d.batch_size = 1;
  CHECK(batch_instances(d, 10) == 1);  // 0.1, at least one
  d.batch_size = 100;
  CHECK(batch_instances(d, 7) == 7);   // AllAtOnce's default: every instance
  d.fixed_batch = true;
  d.batch_size = 3;
  CHECK(batch_instances(d, 7) == 3);
  CHECK(batch_instances(d, 2) == 2);   // never more than there are
  CHECK(batch_instances(d, 0) == 0);
}

TEST_CASE("scheduled actions: the settings of each ResourceName, checked as one action") {
  const std::vector<OptionSetting> settings{
      {"aws:autoscaling:scheduledaction", "MinSize", "4", "ScaleUpMornings"},
      {"aws:autoscaling:scheduledaction", "MaxSize", "8", "ScaleUpMornings"},
      {"aws:autoscaling:scheduledaction", "Recurrence", "0 9 * * 1-5", "ScaleUpMornings"},
      {"aws:autoscaling:scheduledaction", "DesiredCapacity", "1", "Night"},
      {"aws:autoscaling:scheduledaction", "StartTime", "2024-01-01T22:00:00Z", "Night"}};
  const OptionsRead r = read_options(settings);
  REQUIRE(r.problems.empty());
  REQUIRE(r.options.scheduled.size() == 2);
  const ScheduledAction& up = r.options.scheduled[0];
  CHECK(up.name == "ScaleUpMornings");
  CHECK(up.min_size == 4);
  CHECK(up.max_size == 8);
  CHECK_FALSE(up.desired);
  REQUIRE(up.recurrence);
  // The run's clock starts 2024-01-01 00:00 UTC (a Monday): the first 09:00 on a weekday.
  CHECK(workload::next_cron_time(*up.recurrence, kSimStart) == kSimStart + std::chrono::hours(9));
  const ScheduledAction& night = r.options.scheduled[1];
  CHECK(night.desired == 1);
  CHECK(night.start == kSimStart + std::chrono::hours(22));
  // Each action must size something and say when; a setting needs its ResourceName.
  const OptionsRead bad = read_options(
      {{"aws:autoscaling:scheduledaction", "Recurrence", "0 9 * * *", "Empty"},
       {"aws:autoscaling:scheduledaction", "MinSize", "2", "Never"},
       {"aws:autoscaling:scheduledaction", "MinSize", "2", ""},
       {"aws:autoscaling:scheduledaction", "StartTime", "tomorrow", "Never"},
       {"aws:autoscaling:scheduledaction", "Recurrence", "0 9 * *", "Broken"}});
  // (A StartTime or Recurrence that is wrong is reported once, not as missing too.)
  REQUIRE(bad.problems.size() == 5);
  CHECK(bad.problems[0].message ==
        "a scheduled action's option MinSize needs a ResourceName naming the action");
  CHECK(bad.problems[1].message.ends_with(
      "Value is not an ISO 8601 UTC time such as 2024-01-01T09:00:00Z"));
  CHECK(bad.problems[2].message.starts_with(
      "Invalid option value: '0 9 * *' (Namespace: 'aws:autoscaling:scheduledaction', "
      "OptionName: 'Recurrence'): Value is not a cron expression in UTC"));
  CHECK(bad.problems[3].message ==
        "scheduled action Empty sets none of MinSize, MaxSize and DesiredCapacity");
  CHECK(bad.problems[4].message ==
        "scheduled action Broken sets none of MinSize, MaxSize and DesiredCapacity");
  const OptionsRead unscheduled =
      read_options({{"aws:autoscaling:scheduledaction", "MinSize", "2", "Never"}});
  REQUIRE(unscheduled.problems.size() == 1);
  CHECK(unscheduled.problems[0].message ==
        "scheduled action Never has neither a StartTime (once) nor a Recurrence");
}
