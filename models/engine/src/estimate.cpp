#include "ecsim/engine/estimate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "ecsim/engine/engine.hpp"
#include "ecsim/workload/arrivals.hpp"

namespace ecsim::engine {
namespace {

// Memory per item, measured with the peak resident set of whole runs of this build (Release,
// GCC 12): the difference between two runs that differ only in the item's count, divided by
// the difference of the counts. A change to what the engine keeps per item is a change here;
// the engine's estimate test compares the estimate with measured runs.
//   program: the 100-hour M/M/4 run (18,000 tasks) peaked at 8.4 MB;
//   ECS task: M/M/4 over 1000 h and 4000 h (179,122 and 718,020 tasks): 44.3 and 146.3 MB, 194
//   B a task; 201,601 one-second tasks on 3 instances without a queue: 25 MB, 124 B (the
//   estimate takes 160);
//   EKS pod: a Job of 50,000 and 200,000 completions: 15.3 and 42.0 MB;
//   EC2 instance in an ECS cluster: 100,000 and 1,000,000 instances: 31.8 and 240.7 MB;
//   EKS node: 100,000 and 300,000 nodes: 73.0 and 236.6 MB.
constexpr double kProgramBytes = 8.0 * (1 << 20);
constexpr double kBytesPerTask = 160;
constexpr double kBytesPerPod = 190;
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
  std::size_t workload_columns = 0;
  for (const scenario::EcsClusterConfig& c : s.ecs) {
    double cluster_hosts = 0;
    for (const GroupId g : c.groups()) cluster_hosts += hosts_of_group[g.value()];
    for (const scenario::JobConfig& j : c.jobs)
      tasks += workload::expected_arrivals(j.arrivals, horizon);
    for (const scenario::ServiceConfig& sv : c.services)
      tasks += sv.scheduling_strategy == ecs::SchedulingStrategy::kDaemon ? cluster_hosts
                                                                          : replica_tasks(sv);
    workload_columns += c.services.size();
    if (c.capacity_provider && c.capacity_provider->managed_scaling) ticks += hours * 60;
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
    }
    for (const eks::StatefulSet& st : m.stateful_sets) pods += st.replicas;
    pods += static_cast<double>(m.daemon_sets.size()) * cluster_nodes;
    for (const scenario::EksJobConfig& j : c.jobs) {
      const double copies = j.arrivals ? workload::expected_arrivals(*j.arrivals, horizon) : 1.0;
      pods += copies * m.jobs[j.job].completions;
    }
    workload_columns += m.deployments.size() + m.stateful_sets.size() + m.daemon_sets.size();
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
  e.replication_bytes = tasks * kBytesPerTask + pods * kBytesPerPod +
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
