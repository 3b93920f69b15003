// Realistic days at scale: 24 hours of an ECS or EKS cluster over 3 zones, with an AZ outage
// of an hour and random instance failures, at 500 to 5,000 hosts. Each day runs in a child
// process of its own (so that its peak resident set is its own) and prints events, wall
// seconds, events per second, peak RSS, the bytes of RSS per live task above a fixed part, and
// the event core's hold rate at the same number of pending events (the hold model of the
// event_queue benchmark), measured in the same run, with the ratio of the two: how close the
// models run to the limit the queue sets.
//
//   scale [--only ecs-500,eks-1500,...] [--hours H] [--json] [--replications N] [--keep DIR]
//
// With --keep DIR the generated days (DIR/NAME/day.yaml and its manifests) stay in DIR, to be
// run, profiled or changed by hand; without it they are written to a temporary folder that is
// removed at the end.
//
// With --replications N it also runs the first day of the list N times with the ecsim binary,
// `ecsim run DAY --replications N --jobs 1` and then `--jobs 2`, and prints the wall seconds of
// each and the speed-up of two jobs over one (2 on two idle cores when replications share
// nothing).
//
// The days (the table of the issue that asked for this benchmark):
//   ecs-500   500 m6i.2xlarge, 50 services x 40 tasks, jobs at 60/min (10 min mean)
//   ecs-5000  5,000 m6i.2xlarge, 500 services x 40, jobs at 600/min
//   eks-500   500 m5.2xlarge nodes, 50 Deployments x 300 pods, a Job of 20 pods arriving 10/min
//   eks-1500  1,500 nodes, 60 Deployments x 750, the Job arriving 20/min
//   eks-5000  5,000 nodes, 100 Deployments x 1,500 (150k pods), the Job arriving 50/min
//   eks-5000-sampling  the same with Kubernetes' adaptive sampling (kubernetes-sampling: 50%
//             of the nodes less 1% per 125, at least 5%, are scored); the others score all
//   eks-5000-autoscaled  eks-5000 with a diurnal load on every Deployment (9,000 req/s on
//             average, +-50%, 10 ms each), a HorizontalPodAutoscaler on each (CPU at 60%, 750
//             to 3,000 replicas) and the Cluster Autoscaler over the node group (2,500 to
//             7,500 nodes); its ratio to eks-5000 is the cost of autoscaling
//   eks-5000-karpenter  eks-5000-autoscaled with Karpenter (a NodePool of c, m and r instances
//             of generation 5 or later) over a fixed node group of half the nodes, instead of
//             the Cluster Autoscaler
// The fixed part is the peak RSS of the same scenario's hosts with no tasks, simulated for one
// second.

#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "ecsim/engine/engine.hpp"
#include "hold_model.hpp"
#include "ecsim/scenario/scenario.hpp"
#include "ecsim/sim/event_queue.hpp"

namespace {

namespace fs = std::filesystem;

/// One day of the table.
struct Day {
  std::string name;
  bool eks = false;
  std::uint32_t hosts = 0;
  std::uint32_t services = 0;       ///< ECS services or Deployments
  std::uint32_t replicas = 0;       ///< tasks or pods of each
  std::uint32_t jobs_per_minute = 0;
  std::string profile = "default-scheduler";  ///< EKS: the kube-scheduler profile
  bool autoscaled = false;  ///< EKS: load, an HPA per Deployment and the Cluster Autoscaler
  bool karpenter = false;   ///< with `autoscaled`: Karpenter instead of the Cluster Autoscaler
};

const std::vector<Day> kDays = {
    {"ecs-500", false, 500, 50, 40, 60},      {"ecs-5000", false, 5000, 500, 40, 600},
    {"eks-500", true, 500, 50, 300, 10},      {"eks-1500", true, 1500, 60, 750, 20},
    {"eks-5000", true, 5000, 100, 1500, 50},
    {"eks-5000-sampling", true, 5000, 100, 1500, 50, "kubernetes-sampling"},
    {"eks-5000-autoscaled", true, 5000, 100, 1500, 50, "default-scheduler", true},
    {"eks-5000-karpenter", true, 5000, 100, 1500, 50, "default-scheduler", true, true},
};

/// What a child reports of its run.
struct Measured {
  std::uint64_t events = 0;
  double wall_seconds = 0;
  std::uint64_t peak_live = 0;  ///< the most tasks or pods pending or running at a sample
  long peak_rss_kib = 0;        ///< filled in by the parent from the child's rusage
  bool ok = false;
};

/// The scenario files of `day` in `folder`; `idle`: the hosts only, for one second.
fs::path write_day(const fs::path& folder, const Day& day, bool idle, std::uint32_t hours) {
  fs::create_directories(folder);
  const std::string duration = idle ? "1s" : fmt::format("{}h", hours);
  std::string s = fmt::format(
      "name: {}\nseed: 1\nduration: {}\ntimeseries_interval: 5m\n"
      "platform: {{azs: [us-east-1a, us-east-1b, us-east-1c]}}\n",
      day.name, duration);
  if (!day.eks) {
    std::ofstream(folder / "web.json")
        << R"({"family":"web","containerDefinitions":[{"name":"web","image":"nginx",)"
           R"("cpu":256,"memoryReservation":512}]})";
    std::ofstream(folder / "job.json")
        << R"({"family":"job","containerDefinitions":[{"name":"job","image":"batch",)"
           R"("cpu":512,"memoryReservation":1024}]})";
    s += fmt::format(
        "ecs:\n  - cluster: day\n    capacity:\n      asg: {{instance_type: m6i.2xlarge, min: {0}, "
        "max: {0}, desired: {0}}}\n",
        day.hosts);
    if (!idle) {
      s += "    services:\n";
      for (std::uint32_t k = 0; k < day.services; ++k)
        s += fmt::format("      - {{name: svc-{}, task_definition: web.json, desired_count: {}}}\n",
                         k, day.replicas);
      s += fmt::format(
          "    jobs:\n      - {{name: batch, task_definition: job.json, arrivals: {{poisson: "
          "{{rate_per_minute: {}}}}}, duration: {{exponential: {{mean: 10m}}}}}}\n",
          day.jobs_per_minute);
    }
  } else {
    std::ofstream(folder / "cluster.yaml") << fmt::format(
        "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\n"
        "metadata: {{name: day, region: us-east-1}}\n"
        "availabilityZones: [us-east-1a, us-east-1b, us-east-1c]\n"
        "managedNodeGroups:\n  - {{name: workers, instanceType: m5.2xlarge, minSize: {1}, "
        "maxSize: {2}, desiredCapacity: {0}}}\n",
        day.karpenter ? day.hosts / 2 : day.hosts, day.autoscaled ? day.hosts / 2 : day.hosts,
        day.karpenter ? day.hosts / 2 : day.autoscaled ? day.hosts * 3 / 2 : day.hosts);
    std::string apps;
    if (!idle) {
      for (std::uint32_t k = 0; k < day.services; ++k)
        apps += fmt::format(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{0}}}\n"
            "spec:\n  replicas: {1}\n  selector: {{matchLabels: {{app: app-{0}}}}}\n"
            "  template:\n    metadata: {{labels: {{app: app-{0}}}}}\n    spec:\n"
            "      containers: [{{name: app, image: app, resources: {{requests: {{cpu: 100m, "
            "memory: 128Mi}}}}}}]\n",
            k, day.replicas);
      if (day.autoscaled)
        for (std::uint32_t k = 0; k < day.services; ++k)
          apps += fmt::format(
              "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
              "metadata: {{name: app-{0}}}\nspec:\n"
              "  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: app-{0}}}\n"
              "  minReplicas: {1}\n  maxReplicas: {2}\n  metrics:\n"
              "    - {{type: Resource, resource: {{name: cpu, target: {{type: Utilization, "
              "averageUtilization: 60}}}}}}\n",
              k, day.replicas / 2, day.replicas * 2);
      if (day.karpenter)
        apps +=
            "---\napiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: general}\n"
            "spec:\n  template:\n    spec:\n"
            "      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}\n"
            "      requirements:\n"
            "        - {key: karpenter.k8s.aws/instance-category, operator: In, values: [c, m, r]}\n"
            "        - {key: karpenter.k8s.aws/instance-generation, operator: Gt, values: ['4']}\n"
            "  disruption: {consolidationPolicy: WhenEmptyOrUnderutilized, consolidateAfter: 1m}\n"
            "---\napiVersion: karpenter.k8s.aws/v1\nkind: EC2NodeClass\nmetadata: {name: default}\n"
            "spec:\n  amiSelectorTerms: [{alias: al2023@latest}]\n"
            "  subnetSelectorTerms: [{tags: {karpenter.sh/discovery: day}}]\n"
            "  securityGroupSelectorTerms: [{tags: {karpenter.sh/discovery: day}}]\n";
      apps +=
          "---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: batch}\nspec:\n"
          "  completions: 20\n  parallelism: 20\n  template:\n    spec:\n"
          "      restartPolicy: Never\n"
          "      containers: [{name: work, image: work, resources: {requests: {cpu: 250m, "
          "memory: 256Mi}}}]\n";
    }
    std::ofstream(folder / "apps.yaml") << apps;
    s += fmt::format(
        "eks:\n  - cluster: day\n    config: cluster.yaml\n    manifests: [{}]\n"
        "    scheduler: {{profile: {}}}\n",
        idle ? "" : "apps.yaml", day.profile);
    if (!idle)
      s += fmt::format(
          "    jobs:\n      - {{name: batch, duration: {{exponential: {{mean: 5m}}}}, arrivals: "
          "{{poisson: {{rate_per_minute: {}}}}}}}\n",
          day.jobs_per_minute);
    if (!idle && day.autoscaled) {
      // 1,500 pods of 100m at 60%: 90 cores, 9,000 req/s of 10 ms, on average.
      s += day.karpenter ? "    load:\n" : "    cluster_autoscaler: {}\n    load:\n";
      for (std::uint32_t k = 0; k < day.services; ++k)
        s += fmt::format(
            "      - {{workload: app-{}, requests_per_second: {{diurnal: {{mean: {}, amplitude: "
            "0.5, peak_at: 14h}}}}, cpu_per_request: 10ms}}\n",
            k, day.replicas * 6);
    }
  }
  if (!idle)
    s += "faults:\n  - {at: 8h, az_outage: {az: us-east-1b, for: 1h}}\n"
         "  - {instance_failures: {mtbf: 30d}}\n";
  const fs::path file = folder / "day.yaml";
  std::ofstream(file) << s;
  return file;
}

/// Loads and runs `file` in this process.
Measured run_day(const fs::path& file) {
  Measured m;
  ecsim::scenario::LoadResult loaded = ecsim::scenario::load_scenario(file.string());
  for (const auto& d : loaded.diagnostics.sorted())
    std::fprintf(stderr, "%s\n", ecsim::scenario::format_diagnostic(d).c_str());
  if (!loaded.scenario) return m;
  ecsim::engine::RunOptions options;
  options.horizon = loaded.scenario->duration;
  const auto start = std::chrono::steady_clock::now();
  const ecsim::engine::ReplicationResult r =
      ecsim::engine::run_replication(*loaded.scenario, options);
  m.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  m.events = r.events;
  for (const ecsim::engine::TimeseriesRow& row : r.timeseries)
    m.peak_live = std::max<std::uint64_t>(m.peak_live, row.running + row.pending);
  m.ok = true;
  return m;
}

/// Runs `file` in a child process; its peak RSS from its rusage.
Measured in_child(const fs::path& file) {
  int fds[2];
  if (pipe(fds) != 0) std::exit(1);
  const pid_t pid = fork();
  if (pid < 0) std::exit(1);
  if (pid == 0) {
    close(fds[0]);
    const Measured m = run_day(file);
    const bool written = write(fds[1], &m, sizeof m) == static_cast<ssize_t>(sizeof m);
    _exit(written && m.ok ? 0 : 1);
  }
  close(fds[1]);
  Measured m;
  const bool got = read(fds[0], &m, sizeof m) == static_cast<ssize_t>(sizeof m);
  close(fds[0]);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0) m.ok = false;
  m.peak_rss_kib = usage.ru_maxrss;
  return m;
}

/// Wall seconds of `ecsim run file --replications n --jobs jobs`, the outputs in `out`; negative
/// when it failed.
double run_replications(const fs::path& file, std::uint32_t n, std::uint32_t jobs,
                        const fs::path& out) {
  const std::string command =
      fmt::format("'{}' run '{}' --replications {} --jobs {} --quiet --out '{}' > /dev/null",
                  ECSIM_BINARY, file.string(), n, jobs, out.string());
  const auto start = std::chrono::steady_clock::now();
  const int status = std::system(command.c_str());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return status == 0 ? seconds : -1;
}

}  // namespace

int main(int argc, char** argv) {
  bool json = false;
  std::uint32_t hours = 24;
  std::uint32_t replications = 0;
  std::vector<Day> days = kDays;
  std::string keep;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--hours" && i + 1 < argc) {
      hours = static_cast<std::uint32_t>(std::strtoul(argv[++i], nullptr, 10));
      if (hours == 0 || hours > 24 * 30) {
        std::fputs("scale: --hours takes 1 to 720\n", stderr);
        return 2;
      }
    } else if (a == "--replications" && i + 1 < argc) {
      replications = static_cast<std::uint32_t>(std::strtoul(argv[++i], nullptr, 10));
      if (replications < 2 || replications > 1000) {
        std::fputs("scale: --replications takes 2 to 1000\n", stderr);
        return 2;
      }
    } else if (a == "--keep" && i + 1 < argc) {
      keep = argv[++i];
    } else if (a == "--only" && i + 1 < argc) {
      days.clear();
      std::string_view list = argv[++i];
      while (!list.empty()) {
        const std::string_view name = list.substr(0, list.find(','));
        list.remove_prefix(std::min(list.size(), name.size() + 1));
        const auto it = std::find_if(kDays.begin(), kDays.end(),
                                     [&](const Day& d) { return d.name == name; });
        if (it == kDays.end()) {
          std::fprintf(stderr, "scale: unknown day '%.*s' (ecs-500, ecs-5000, eks-500, "
                       "eks-1500, eks-5000, eks-5000-sampling, eks-5000-autoscaled, eks-5000-karpenter)\n", static_cast<int>(name.size()), name.data());
          return 2;
        }
        days.push_back(*it);
      }
    } else {
      std::fputs("usage: scale [--only ecs-500,ecs-5000,eks-500,eks-1500,eks-5000,"
                 "eks-5000-sampling,eks-5000-autoscaled,eks-5000-karpenter] "
                 "[--hours H] [--json] [--replications N] [--keep DIR]\n",
                 a == "--help" ? stdout : stderr);
      return a == "--help" ? 0 : 2;
    }
  }
  const fs::path root = !keep.empty() ? fs::path(keep)
                                      : fs::temp_directory_path() /
                                            fmt::format("ecsim-scale-{}", getpid());
  std::string out = json ? "[" : "";
  if (!json)
    out += fmt::format("{:<17} {:>6} {:>10} {:>8} {:>11} {:>9} {:>11} {:>12} {:>7}\n", "day",
                       "hosts", "events", "wall s", "events/s", "peak MB", "B/live task",
                       "core holds/s", "ratio");
  bool ok = true;
  for (std::size_t k = 0; k < days.size(); ++k) {
    const Day& day = days[k];
    const Measured fixed = in_child(write_day(root / (day.name + "-idle"), day, true, hours));
    const Measured m = in_child(write_day(root / day.name, day, false, hours));
    if (!fixed.ok || !m.ok) {
      std::fprintf(stderr, "scale: the day %s failed\n", day.name.c_str());
      ok = false;
      continue;
    }
    const double eps = static_cast<double>(m.events) / m.wall_seconds;
    const double rss = static_cast<double>(m.peak_rss_kib) * 1024;
    const double per_task =
        m.peak_live == 0 ? 0
                         : std::max(0.0, rss - static_cast<double>(fixed.peak_rss_kib) * 1024) /
                               static_cast<double>(m.peak_live);
    const std::uint64_t pending = std::max<std::uint64_t>(m.peak_live, 1000);
    const std::uint64_t holds = std::max<std::uint64_t>(4'000'000, 4 * pending);
    const double core = ecsim::bench::hold<ecsim::EventQueue>(pending, holds).holds_per_second;
    if (json) {
      out += fmt::format(
          "{}\n  {{\"scenario\": \"{}\", \"hosts\": {}, \"events\": {}, \"wall_seconds\": {:.3f}, "
          "\"events_per_second\": {:.0f}, \"peak_rss_bytes\": {:.0f}, \"bytes_per_live_task\": "
          "{:.0f}, \"core_holds_per_second\": {:.0f}, \"ratio_to_core\": {:.4f}}}",
          k == 0 ? "" : ",", day.name, day.hosts, m.events, m.wall_seconds, eps, rss, per_task,
          core, eps / core);
    } else {
      out += fmt::format("{:<17} {:>6} {:>10} {:>8.2f} {:>11.0f} {:>9.1f} {:>11.0f} {:>12.0f} "
                         "{:>7.3f}\n",
                         day.name, day.hosts, m.events, m.wall_seconds, eps, rss / 1e6, per_task,
                         core, eps / core);
    }
  }
  if (replications > 0 && !days.empty()) {
    // The replications of one day over one and two jobs, with the ecsim binary itself.
    const Day& day = days.front();
    const fs::path file = write_day(root / (day.name + "-replications"), day, false, hours);
    const double one = run_replications(file, replications, 1, root / "jobs-1");
    const double two = run_replications(file, replications, 2, root / "jobs-2");
    if (one < 0 || two < 0) {
      std::fprintf(stderr, "scale: the replications of %s failed\n", day.name.c_str());
      ok = false;
    } else if (json) {
      out += fmt::format(
          ",\n  {{\"replications\": {}, \"scenario\": \"{}\", \"jobs_1_seconds\": {:.3f}, "
          "\"jobs_2_seconds\": {:.3f}, \"speedup\": {:.3f}}}",
          replications, day.name, one, two, one / two);
    } else {
      out += fmt::format("\n{} replications of {}: --jobs 1 {:.2f} s, --jobs 2 {:.2f} s, "
                         "speed-up {:.2f}\n",
                         replications, day.name, one, two, one / two);
    }
  }
  if (json) out += "\n]\n";
  std::fputs(out.c_str(), stdout);
  std::error_code ignored;
  if (keep.empty()) fs::remove_all(root, ignored);
  return ok ? 0 : 1;
}
