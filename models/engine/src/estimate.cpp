#include "ecsim/engine/estimate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "ecsim/engine/engine.hpp"
#include "ecsim/platform/catalog.hpp"
#include "ecsim/workload/durations.hpp"
#include "ecsim/workload/trace.hpp"
#include "ecsim/workload/arrivals.hpp"
#include "ecsim/workload/cron.hpp"

namespace ecsim::engine {
namespace {

// Memory per item, measured with the peak resident set of whole runs of this build (Release,
// GCC 12): the difference between two runs that differ only in the item's count, divided by
// the difference of the counts. A change to what the engine keeps per item is a change here;
// the engine's estimate test compares the estimate with measured runs. Records of stopped tasks
// and pods are reused, so memory follows the tasks and pods alive at once, not those created.
//   program: the 100-hour M/M/4 run (18,000 tasks) peaked at 8.4 MB;
//   replication: 3 instances and 10 to 200,000 one-second tasks, one at a time: 2.5 MB each;
//   live ECS task: the scale benchmark's ECS days, 1.3 to 1.5 KB per task alive at the peak
//   (its record, its events, its share of the lists that hold it);
//   live EKS pod: the scale benchmark's EKS days, 540 to 620 bytes per pod alive at the peak;
//   EC2 instance in an ECS cluster: 100,000 and 1,000,000 instances: 31.8 and 240.7 MB;
//   EKS node: 100,000 and 300,000 nodes: 73.0 and 236.6 MB.
constexpr double kProgramBytes = 8.0 * (1 << 20);
constexpr double kReplicationBytes = 2.4 * (1 << 20);
constexpr double kBytesPerLiveTask = 1500;
constexpr double kBytesPerLivePod = 600;
constexpr double kBytesPerInstance = 240;
constexpr double kBytesPerNode = 840;
// Events per item: a standalone task's arrival, start and completion (3); a pod's creation,
// scheduling cycles, start, completion and the controllers' reactions (8.5 measured on a Job);
// a host's launch and its registration.
constexpr double kEventsPerTask = 3;
constexpr double kEventsPerPod = 8.5;
constexpr double kEventsPerHost = 2;

// Bytes of a heap block holding `n` bytes (glibc: 16-byte steps, 32 at least, 8 of header).
double heap_block(double n) {
  return n <= 0 ? 0 : std::max(32.0, std::ceil((n + 8) / 16) * 16);
}

// The mean run time of a job's tasks, in seconds: its duration distribution's, or its trace's.
double mean_job_seconds(const scenario::JobConfig& j) {
  if (j.duration) return workload::mean_seconds(*j.duration);
  const auto* trace = std::get_if<workload::TraceArrivals>(&j.arrivals);
  if (!trace || !trace->records || trace->records->empty()) return 0;
  double sum = 0;
  for (const workload::TraceRecord& r : *trace->records) sum += to_seconds(r.duration);
  return sum / static_cast<double>(trace->records->size());
}

// The most of a job's tasks alive at once (running or queued): its offered load (arrivals per
// second x mean run time, Little's law) with room for its peaks, unless the load reaches the
// tasks its cluster's instances hold at once, when the queue may hold every arrival.
double live_job_tasks(const scenario::JobConfig& j, double arrivals, double seconds,
                      double slots) {
  const double offered = seconds > 0 ? arrivals / seconds * mean_job_seconds(j) : arrivals;
  if (j.launch_type == scenario::LaunchType::kEc2 && offered >= slots) return arrivals;
  return std::min(arrivals, 2 * offered + 10);
}

// The tasks a REPLICA service creates: its first desiredCount, each increase, and a whole new
// set for each new revision (replacements after failures aside).
double replica_tasks(const scenario::ServiceConfig& s) {
  double desired = static_cast<double>(s.desired_count);
  double tasks = desired;
  for (const scenario::ServiceUpdate& u : s.updates) {
    if (u.desired_count) {
      tasks += std::max(0.0, static_cast<double>(*u.desired_count) - desired);
      desired = static_cast<double>(*u.desired_count);
    }
    if (u.task_definition) tasks += desired;
  }
  return tasks;
}

}  // namespace

RunEstimate estimate_run(const scenario::Scenario& s, std::uint32_t concurrent, bool timeseries) {
  RunEstimate e;
  const SimDuration horizon = s.duration;
  const double hours = to_seconds(horizon) / 3600.0;

  // Hosts: each group's desired count, up to its maximum when managed scaling may grow it, and
  // the replacements of random failures (a host every mtbf).
  std::vector<double> hosts_of_group(s.platform.groups.size());
  for (std::size_t g = 0; g < s.platform.groups.size(); ++g)
    hosts_of_group[g] = s.platform.groups[g].desired;
  for (const scenario::EcsClusterConfig& c : s.ecs)
    if (c.asg && c.capacity_provider && c.capacity_provider->managed_scaling)
      hosts_of_group[c.asg->value()] = s.platform.groups[c.asg->value()].max;
  // An Elastic Beanstalk environment's triggers may take its group to MaxSize (or the largest
  // size a scheduled action sets), and a deployment adds its extra instances (an Immutable one
  // doubles the group for a while).
  for (const beanstalk::EnvironmentConfig& b : s.beanstalk) {
    const beanstalk::EnvironmentOptions& o = b.options;
    auto most = static_cast<double>(o.max_size);
    for (const beanstalk::ScheduledAction& a : o.scheduled)  // an action may raise the bounds
      for (const auto& v : {a.max_size, a.min_size, a.desired})
        if (v) most = std::max(most, static_cast<double>(*v));
    if (!b.deployments.empty() && o.deployment.policy == beanstalk::DeploymentPolicy::kImmutable)
      most *= 2;
    else if (!b.deployments.empty() &&
             o.deployment.policy == beanstalk::DeploymentPolicy::kRollingWithAdditionalBatch)
      most += static_cast<double>(beanstalk::batch_instances(o.deployment, o.max_size));
    hosts_of_group[b.group.value()] = most;
  }
  double replacements = 0;
  for (const platform::FailureProcess& p : s.platform.failure_processes) {
    for (std::size_t g = 0; g < hosts_of_group.size(); ++g) {
      const bool covered = p.groups.empty() ||
                           std::find(p.groups.begin(), p.groups.end(),
                                     GroupId{static_cast<GroupId::rep_type>(g)}) != p.groups.end();
      if (covered) replacements += hosts_of_group[g] * to_seconds(horizon) / to_seconds(p.mtbf);
    }
  }
  double instances = replacements, nodes = 0;
  std::vector<std::uint8_t> eks_group(hosts_of_group.size(), 0);
  for (const scenario::EksClusterConfig& c : s.eks)
    for (const GroupId g : c.groups) eks_group[g.value()] = 1;
  for (std::size_t g = 0; g < hosts_of_group.size(); ++g)
    (eks_group[g] != 0 ? nodes : instances) += hosts_of_group[g];
  e.hosts = instances + nodes;

  // Tasks and pods.
  double tasks = 0, pods = 0, ticks = 0;
  double live = 0, live_pods = 0;  // tasks and pods alive at once, at most
  std::size_t workload_columns = 0;
  for (const scenario::EcsClusterConfig& c : s.ecs) {
    double cluster_hosts = 0;
    for (const GroupId g : c.groups()) cluster_hosts += hosts_of_group[g.value()];
    for (const scenario::JobConfig& j : c.jobs) {
      const double arrivals = workload::expected_arrivals(j.arrivals, horizon);
      tasks += arrivals;
      // The tasks of this job the cluster's instances hold at once, by CPU and memory.
      const ecs::TaskSize size = j.task_definition.held_size(false);
      double slots = 0;
      for (const GroupId g : c.groups()) {
        const platform::InstanceType& type =
            platform::InstanceCatalog::builtin().at(s.platform.groups[g.value()].instance_type);
        const double by_cpu = size.cpu_units > 0
                                  ? static_cast<double>(ecs::registered_cpu_units(type.vcpu) / size.cpu_units)
                                  : 1e18;
        const double by_memory =
            static_cast<double>(ecs::registered_memory_mib(type.memory_mib) / size.memory_mib);
        slots += hosts_of_group[g.value()] * std::min(by_cpu, by_memory);
      }
      live += live_job_tasks(j, arrivals, to_seconds(horizon), slots);
    }
    for (const scenario::ServiceConfig& sv : c.services) {
      const double made = sv.scheduling_strategy == ecs::SchedulingStrategy::kDaemon
                              ? cluster_hosts
                              : replica_tasks(sv);
      tasks += made;
      // At most maximumPercent of the largest desiredCount at once (a deployment's surge).
      double desired = static_cast<double>(sv.desired_count);
      for (const scenario::ServiceUpdate& u : sv.updates)
        if (u.desired_count) desired = std::max(desired, static_cast<double>(*u.desired_count));
      live += sv.scheduling_strategy == ecs::SchedulingStrategy::kDaemon
                  ? cluster_hosts
                  : desired * std::max(1.0, sv.deployment.maximum_percent / 100.0);
    }
    workload_columns += c.services.size();
    if (c.capacity_provider && c.capacity_provider->managed_scaling) ticks += hours * 60;
  }
  // Beanstalk: a task per instance again for each version deployed; a trigger evaluation each
  // minute, and a deployment's looks at its health every 5 s up to its timeout.
  for (const beanstalk::EnvironmentConfig& b : s.beanstalk) {
    const auto versions = static_cast<double>(b.deployments.size());
    tasks += versions * hosts_of_group[b.group.value()];
    if (b.has_load) ticks += hours * 60;
    ticks += versions * to_seconds(b.options.deployment.timeout) / 5;
  }
  for (const scenario::EksClusterConfig& c : s.eks) {
    double cluster_nodes = 0;
    for (const GroupId g : c.groups) cluster_nodes += hosts_of_group[g.value()];
    const eks::Manifests& m = c.manifests;
    for (std::size_t d = 0; d < m.deployments.size(); ++d) {
      double replicas = m.deployments[d].replicas;
      double made = replicas;
      for (const scenario::EksOperation& op : c.operations) {
        if (op.kind != scenario::EksOperation::Kind::kRollout || op.deployment != d) continue;
        if (op.replicas) replicas = *op.replicas;
        made += replicas;
      }
      pods += made;
      live_pods += replicas * 1.25 + 1;  // maxSurge's default share during a rollout
    }
    for (const eks::StatefulSet& st : m.stateful_sets) {
      pods += st.replicas;
      live_pods += st.replicas;
    }
    pods += static_cast<double>(m.daemon_sets.size()) * cluster_nodes;
    live_pods += static_cast<double>(m.daemon_sets.size()) * cluster_nodes;
    pods += static_cast<double>(m.pods.size());
    live_pods += static_cast<double>(m.pods.size());
    for (const scenario::EksJobConfig& j : c.jobs) {
      const eks::Job& job = m.jobs[j.job];
      double copies = j.arrivals ? workload::expected_arrivals(*j.arrivals, horizon) : 1.0;
      if (job.cron) {
        // A CronJob's: its schedule's times within the horizon (counting stops at a million).
        copies = 0;
        if (!job.cron->suspend)
          for (SimTime t = workload::next_cron_time(job.cron->schedule, kSimStart);
               t <= kSimStart + horizon && copies < 1e6;
               t = workload::next_cron_time(job.cron->schedule, t))
            ++copies;
      }
      pods += copies * job.completions;
      // Little's law over the copies: each keeps up to `parallelism` pods for the waves its
      // completions take.
      const double seconds = to_seconds(horizon);
      const double pod_seconds = workload::mean_seconds(j.duration);
      const double per_copy = std::min(job.parallelism, job.completions);
      const double offered =
          j.arrivals && seconds > 0
              ? copies / seconds * job.completions * pod_seconds
              : per_copy;
      live_pods += std::min(copies * job.completions, 2 * std::max(offered, per_copy) + 10);
    }
    workload_columns +=
        m.deployments.size() + m.stateful_sets.size() + m.daemon_sets.size() + m.pods.size();
  }
  e.tasks = tasks + pods;

  // The time series: a row every interval from 0 to the horizon.
  const std::size_t zones = s.platform.azs.size();
  if (timeseries)
    e.timeseries_rows = std::floor(to_seconds(horizon) / to_seconds(s.timeseries_interval)) + 1;
  const double row_bytes =
      static_cast<double>(sizeof(TimeseriesRow)) +
      2 * heap_block(static_cast<double>(zones * sizeof(std::int64_t))) +
      heap_block(static_cast<double>(workload_columns * zones * sizeof(std::uint32_t)));
  // The CSV text of a row: about 6 characters per column and 20 for the time and counts, built
  // in one string that may hold twice its length while it grows.
  const double row_text = 20 + 6.0 * static_cast<double>(6 + 2 * zones + workload_columns * zones);

  e.events = tasks * kEventsPerTask + pods * kEventsPerPod + e.hosts * kEventsPerHost +
             e.timeseries_rows + ticks;
  e.live_tasks = live + live_pods;
  e.replication_bytes = kReplicationBytes + live * kBytesPerLiveTask + live_pods * kBytesPerLivePod +
                        instances * kBytesPerInstance + nodes * kBytesPerNode;
  e.replications = s.replications;
  const double replications = s.replications;
  e.timeseries_bytes = e.timeseries_rows * row_bytes * replications;
  e.output_bytes = 2 * e.timeseries_rows * row_text * replications;
  const double running = std::min<double>(std::max<std::uint32_t>(concurrent, 1), replications);
  e.peak_bytes =
      kProgramBytes + e.timeseries_bytes + e.output_bytes + running * e.replication_bytes;
  return e;
}

std::string format_bytes(double bytes) {
  constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  std::size_t unit = 0;
  while (bytes >= 1024 && unit + 1 < std::size(kUnits)) {
    bytes /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

std::string RunEstimate::describe() const {
  // Counts in the style of "1.2 M"; beyond 10^15 in powers of ten.
  const auto count = [](double n) {
    if (n < 1e4) return fmt::format("{:.0f}", n);
    if (n < 1e6) return fmt::format("{:.0f} k", n / 1e3);
    if (n < 1e9) return fmt::format("{:.1f} M", n / 1e6);
    if (n < 1e12) return fmt::format("{:.1f} G", n / 1e9);
    return fmt::format("{:.2g}", n);
  };
  return fmt::format(
      "about {} events per replication ({} tasks and pods, {} hosts, {} time-series rows) and "
      "{} of memory at most: {} for each replication while it runs, {} for the time series of "
      "{} replication{}, {} to write the outputs",
      count(events), count(tasks), count(hosts), count(timeseries_rows), format_bytes(peak_bytes),
      format_bytes(replication_bytes), format_bytes(timeseries_bytes), count(replications),
      replications == 1 ? "" : "s", format_bytes(output_bytes));
}

}  // namespace ecsim::engine
