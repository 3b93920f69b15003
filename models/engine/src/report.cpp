#include "ecsim/engine/report.hpp"

#include <functional>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ecsim/sim/stats.hpp"

namespace ecsim::engine {
namespace {

using Json = nlohmann::ordered_json;
using Get = std::function<double(const ReplicationResult&)>;

struct Aggregate {
  double mean = 0;
  double ci95 = 0;
};

Aggregate aggregate(const std::vector<ReplicationResult>& reps, const Get& get) {
  std::vector<double> values;
  values.reserve(reps.size());
  for (const ReplicationResult& r : reps) values.push_back(get(r));
  const ConfidenceInterval ci = ci95(values);
  return Aggregate{ci.mean, ci.half_width};
}

// Writes `key` (the mean over replications) and, with several, `key_ci95`.
class Writer {
 public:
  explicit Writer(const std::vector<ReplicationResult>& reps) : reps_(reps) {}

  void number(Json& into, const std::string& key, const Get& get) const {
    const Aggregate a = aggregate(reps_, get);
    if (reps_.size() == 1) {
      const double v = a.mean;
      // Whole counts print as integers.
      if (v == std::floor(v) && std::abs(v) < 9e15) into[key] = static_cast<std::int64_t>(v);
      else into[key] = v;
      return;
    }
    into[key] = a.mean;
    into[key + "_ci95"] = a.ci95;
  }

  void tasks(Json& into, const std::function<const TaskCounts&(const ReplicationResult&)>& of) const {
    auto field = [&](const char* key, auto member) {
      number(into, key, [&, member](const ReplicationResult& r) {
        return static_cast<double>(of(r).*member);
      });
    };
    field("submitted", &TaskCounts::submitted);
    field("started", &TaskCounts::started);
    field("completed", &TaskCounts::completed);
    field("failed", &TaskCounts::failed);
    field("evicted", &TaskCounts::evicted);
    field("running_at_end", &TaskCounts::running_at_end);
    field("pending_at_end", &TaskCounts::pending_at_end);
    number(into, "lost", [&](const ReplicationResult& r) { return static_cast<double>(of(r).lost()); });
  }

  void wait(Json& into, const std::function<const WaitSeconds&(const ReplicationResult&)>& of) const {
    number(into, "mean", [&](const ReplicationResult& r) { return of(r).mean; });
    number(into, "p50", [&](const ReplicationResult& r) { return of(r).p50; });
    number(into, "p95", [&](const ReplicationResult& r) { return of(r).p95; });
    number(into, "p99", [&](const ReplicationResult& r) { return of(r).p99; });
    number(into, "max", [&](const ReplicationResult& r) { return of(r).max; });
  }

 private:
  const std::vector<ReplicationResult>& reps_;
};

}  // namespace

std::string summary_json(const RunReport& report, bool include_timing) {
  const auto& reps = report.replications;
  const scenario::Scenario& s = *report.scenario;
  const Writer w(reps);
  Json j;
  j["ecsim_version"] = report.version;
  j["scenario"] = s.name;
  j["seed"] = report.seed;
  j["replications"] = reps.size();
  w.number(j, "sim_seconds", [](const ReplicationResult& r) { return to_seconds(r.end); });
  double events = 0;
  for (const ReplicationResult& r : reps) events += static_cast<double>(r.events);
  j["wall_seconds"] = include_timing ? report.wall_seconds : 0.0;
  w.number(j, "events", [](const ReplicationResult& r) { return static_cast<double>(r.events); });
  j["events_per_second"] =
      include_timing && report.wall_seconds > 0 ? events / report.wall_seconds : 0.0;
  Json tasks = Json::object();
  w.tasks(tasks, [](const ReplicationResult& r) -> const TaskCounts& { return r.tasks; });
  j["tasks"] = tasks;
  Json wait = Json::object();
  w.wait(wait, [](const ReplicationResult& r) -> const WaitSeconds& { return r.wait; });
  j["wait_seconds"] = wait;
  j["services"] = Json::array();
  j["control_plane"] = Json::array();
  Json cost = Json::object();
  w.number(cost, "total", [](const ReplicationResult& r) { return r.cost.total(); });
  w.number(cost, "ec2", [](const ReplicationResult& r) { return r.cost.ec2; });
  w.number(cost, "fargate", [](const ReplicationResult& r) { return r.cost.fargate; });
  w.number(cost, "eks_control_plane", [](const ReplicationResult& r) { return r.cost.eks_control_plane; });
  j["cost_usd"] = cost;
  Json util = Json::object();
  w.number(util, "cpu_reserved_mean", [](const ReplicationResult& r) { return r.cpu_reserved_mean; });
  w.number(util, "memory_reserved_mean", [](const ReplicationResult& r) { return r.memory_reserved_mean; });
  j["utilization"] = util;
  Json platform = Json::object();
  auto counter = [&](const char* key, std::uint64_t platform::PlatformCounters::*member) {
    w.number(platform, key, [member](const ReplicationResult& r) {
      return static_cast<double>(r.platform.*member);
    });
  };
  counter("instance_launches", &platform::PlatformCounters::launches);
  counter("launch_failures", &platform::PlatformCounters::launch_failures);
  counter("instance_failures", &platform::PlatformCounters::failures);
  counter("spot_interruptions", &platform::PlatformCounters::interruptions);
  counter("unhealthy_replacements", &platform::PlatformCounters::replacements);
  counter("rebalance_terminations", &platform::PlatformCounters::rebalances);
  j["platform"] = platform;
  Json jobs = Json::array();
  const std::size_t job_count = reps.empty() ? 0 : reps.front().jobs.size();
  for (std::size_t k = 0; k < job_count; ++k) {
    Json job;
    job["cluster"] = reps.front().jobs[k].cluster;
    job["name"] = reps.front().jobs[k].name;
    Json jt = Json::object();
    w.tasks(jt, [k](const ReplicationResult& r) -> const TaskCounts& { return r.jobs[k].tasks; });
    job["tasks"] = jt;
    Json jw = Json::object();
    w.wait(jw, [k](const ReplicationResult& r) -> const WaitSeconds& { return r.jobs[k].wait; });
    job["wait_seconds"] = jw;
    std::set<std::string> reasons;
    for (const ReplicationResult& r : reps)
      for (const auto& [reason, n] : r.jobs[k].failure_reasons) reasons.insert(reason);
    Json fr = Json::object();
    for (const std::string& reason : reasons) {
      w.number(fr, reason, [k, reason](const ReplicationResult& r) {
        const auto it = r.jobs[k].failure_reasons.find(reason);
        return it == r.jobs[k].failure_reasons.end() ? 0.0 : static_cast<double>(it->second);
      });
    }
    job["failure_reasons"] = fr;
    jobs.push_back(job);
  }
  j["jobs"] = jobs;
  return j.dump(2) + "\n";
}

std::string timeseries_csv(const RunReport& report) {
  const scenario::Scenario& s = *report.scenario;
  std::string out = "replication,time_s,running,pending";
  for (const std::string& az : s.platform.azs) out += fmt::format(",cpu_units_reserved_{}", az);
  for (const std::string& az : s.platform.azs) out += fmt::format(",memory_mib_reserved_{}", az);
  out += ",cost_usd\n";
  for (std::size_t r = 0; r < report.replications.size(); ++r) {
    for (const TimeseriesRow& row : report.replications[r].timeseries) {
      out += fmt::format("{},{},{},{}", r, to_seconds(row.at), row.running, row.pending);
      for (const std::int64_t v : row.cpu_reserved_by_az) out += fmt::format(",{}", v);
      for (const std::int64_t v : row.memory_reserved_by_az) out += fmt::format(",{}", v);
      out += fmt::format(",{:.6f}\n", row.cost_usd);
    }
  }
  return out;
}

std::string terminal_summary(const RunReport& report) {
  const scenario::Scenario& s = *report.scenario;
  const auto& reps = report.replications;
  auto mean = [&](const Get& get) { return aggregate(reps, get); };
  auto pm = [&](const Get& get, const char* format) {
    const Aggregate a = mean(get);
    std::string text = fmt::format(fmt::runtime(format), a.mean);
    if (reps.size() > 1) text += fmt::format(fmt::runtime(std::string(" ± ") + format), a.ci95);
    return text;
  };
  std::string out;
  out += fmt::format("ecsim {} — {}  ({} of simulated time, seed {}, {} replication{})\n\n",
                     report.version, s.name, format_duration(s.duration), report.seed,
                     reps.size(), reps.size() == 1 ? "" : "s");
  out += "tasks\n";
  const char* rows[] = {"submitted", "started", "completed", "failed",
                        "evicted", "running at end", "pending at end"};
  const Get getters[] = {
      [](const ReplicationResult& r) { return static_cast<double>(r.tasks.submitted); },
      [](const ReplicationResult& r) { return static_cast<double>(r.tasks.started); },
      [](const ReplicationResult& r) { return static_cast<double>(r.tasks.completed); },
      [](const ReplicationResult& r) { return static_cast<double>(r.tasks.failed); },
      [](const ReplicationResult& r) { return static_cast<double>(r.tasks.evicted); },
      [](const ReplicationResult& r) { return static_cast<double>(r.tasks.running_at_end); },
      [](const ReplicationResult& r) { return static_cast<double>(r.tasks.pending_at_end); },
  };
  for (std::size_t i = 0; i < std::size(getters); ++i)
    out += fmt::format("  {:<16}{:>16}\n", rows[i], pm(getters[i], "{:.0f}"));
  out += "\nwait from submission to RUNNING (s)\n";
  out += fmt::format("  {:<16}{:>16}\n", "mean", pm([](const ReplicationResult& r) { return r.wait.mean; }, "{:.2f}"));
  out += fmt::format("  {:<16}{:>16}\n", "p50", pm([](const ReplicationResult& r) { return r.wait.p50; }, "{:.2f}"));
  out += fmt::format("  {:<16}{:>16}\n", "p95", pm([](const ReplicationResult& r) { return r.wait.p95; }, "{:.2f}"));
  out += fmt::format("  {:<16}{:>16}\n", "p99", pm([](const ReplicationResult& r) { return r.wait.p99; }, "{:.2f}"));
  out += fmt::format("  {:<16}{:>16}\n", "max", pm([](const ReplicationResult& r) { return r.wait.max; }, "{:.2f}"));
  if (!reps.empty() && !reps.front().jobs.empty()) {
    out += fmt::format("\n{:<24}{:>10}{:>10}{:>10}{:>10}{:>12}\n", "job (cluster/name)",
                       "submitted", "completed", "failed", "evicted", "wait p95 s");
    for (std::size_t k = 0; k < reps.front().jobs.size(); ++k) {
      const JobResult& first = reps.front().jobs[k];
      auto jm = [&](auto get) { return mean([&](const ReplicationResult& r) { return get(r.jobs[k]); }).mean; };
      out += fmt::format(
          "{:<24}{:>10.0f}{:>10.0f}{:>10.0f}{:>10.0f}{:>12.2f}\n",
          fmt::format("{}/{}", first.cluster, first.name),
          jm([](const JobResult& x) { return static_cast<double>(x.tasks.submitted); }),
          jm([](const JobResult& x) { return static_cast<double>(x.tasks.completed); }),
          jm([](const JobResult& x) { return static_cast<double>(x.tasks.failed); }),
          jm([](const JobResult& x) { return static_cast<double>(x.tasks.evicted); }),
          jm([](const JobResult& x) { return x.wait.p95; }));
    }
  }
  out += "\ncost (USD)\n";
  out += fmt::format("  {:<16}{:>16}\n", "EC2", pm([](const ReplicationResult& r) { return r.cost.ec2; }, "{:.2f}"));
  out += fmt::format("  {:<16}{:>16}\n", "Fargate", pm([](const ReplicationResult& r) { return r.cost.fargate; }, "{:.2f}"));
  out += fmt::format("  {:<16}{:>16}\n", "total", pm([](const ReplicationResult& r) { return r.cost.total(); }, "{:.2f}"));
  out += "\nEC2 capacity\n";
  out += fmt::format("  {:<16}{:>15}%\n", "CPU reserved", pm([](const ReplicationResult& r) { return 100 * r.cpu_reserved_mean; }, "{:.1f}"));
  out += fmt::format("  {:<16}{:>15}%\n", "memory reserved", pm([](const ReplicationResult& r) { return 100 * r.memory_reserved_mean; }, "{:.1f}"));
  out += fmt::format("  {:<16}{:>16}\n", "launches", pm([](const ReplicationResult& r) { return static_cast<double>(r.platform.launches); }, "{:.0f}"));
  out += fmt::format("  {:<16}{:>16}\n", "failures", pm([](const ReplicationResult& r) { return static_cast<double>(r.platform.failures + r.platform.interruptions); }, "{:.0f}"));
  double events = 0;
  for (const ReplicationResult& r : reps) events += static_cast<double>(r.events);
  out += fmt::format("\n{:.0f} events in {:.2f} s ({:.2f} M events/s)\n", events,
                     report.wall_seconds,
                     report.wall_seconds > 0 ? events / report.wall_seconds / 1e6 : 0.0);
  return out;
}

}  // namespace ecsim::engine
