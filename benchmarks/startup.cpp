// Start-up of a run: an ECS cluster of N instances (m6i.large over 3 zones, one Auto Scaling
// group) and an EKS cluster of N nodes (one managed node group), each simulated for one second,
// so that nearly all the time is creating, launching and registering the hosts. Prints the
// wall time per host and its ratio to the smallest size's, measured in the same run: about 1
// at every size when start-up is linear in the hosts (it was quadratic: 30,000 instances took
// 0.33 s, 100,000 3.5 s).
//
//   startup [--repeat K] [--sizes 10000,100000,1000000] [--json]

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "ecsim/engine/engine.hpp"
#include "ecsim/scenario/scenario.hpp"

namespace {

using namespace std::chrono_literals;

// The scenario of `hosts` ECS instances or EKS nodes, written to files in `folder` and loaded
// as a user's would be.
ecsim::scenario::Scenario scenario(const std::filesystem::path& folder, std::uint64_t hosts,
                                   bool eks) {
  const std::string head =
      "name: startup\nduration: 1s\nplatform: {azs: [us-east-1a, us-east-1b, us-east-1c]}\n";
  if (eks) {
    std::ofstream(folder / "cluster.yaml")
        << "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\n"
           "metadata: {name: startup, region: us-east-1}\n"
           "managedNodeGroups:\n  - {name: workers, instanceType: m5.2xlarge, minSize: 1, "
        << "maxSize: " << hosts << ", desiredCapacity: " << hosts << "}\n";
    std::ofstream(folder / "startup.yaml")
        << head << "eks:\n  - {cluster: startup, config: cluster.yaml, manifests: []}\n";
  } else {
    std::ofstream(folder / "startup.yaml")
        << head << "ecs:\n  - cluster: startup\n    capacity:\n      asg: {instance_type: "
        << "m6i.large, max: " << hosts << ", desired: " << hosts << "}\n";
  }
  ecsim::scenario::LoadResult loaded =
      ecsim::scenario::load_scenario((folder / "startup.yaml").string());
  for (const auto& d : loaded.diagnostics.sorted())
    std::fprintf(stderr, "%s\n", ecsim::scenario::format_diagnostic(d).c_str());
  if (!loaded.scenario) std::exit(1);
  return std::move(*loaded.scenario);
}

// Seconds of wall time for one replication of `s`.
double seconds_to_run(const ecsim::scenario::Scenario& s) {
  ecsim::engine::RunOptions options;
  options.horizon = s.duration;
  options.timeseries = false;
  const auto start = std::chrono::steady_clock::now();
  const ecsim::engine::ReplicationResult r = ecsim::engine::run_replication(s, options);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  if (r.platform.launches != s.platform.groups[0].desired) {
    std::fputs("startup: not every host was launched\n", stderr);
    std::exit(1);
  }
  return elapsed.count();
}

}  // namespace

int main(int argc, char** argv) {
  ecsim::bench::Settings settings;
  settings.count = 1;
  settings.sizes = {10'000, 100'000, 1'000'000};
  if (const auto done = ecsim::bench::parse_command_line(
          argc, argv, "startup", "--unused", "start-up time of a run by the number of hosts",
          settings))
    return *done;
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / fmt::format("ecsim-startup-{}", getpid());
  std::filesystem::create_directories(folder);
  std::string json = "[";
  if (!settings.json)
    fmt::print(
        "one second simulated, median of {} runs; ratio: ns per host against the "
        "smallest size\n\n{:>5}  {:>9}  {:>10}  {:>12}  {:>6}\n",
        settings.repeat, "model", "hosts", "seconds", "ns/host", "ratio");
  for (const bool eks : {false, true}) {
    double baseline = 0;
    for (const std::uint64_t n : settings.sizes) {
      const ecsim::scenario::Scenario s = scenario(folder, n, eks);
      std::vector<double> times;
      for (std::uint64_t r = 0; r < settings.repeat; ++r) times.push_back(seconds_to_run(s));
      const double seconds = ecsim::bench::median(times);
      const double per_host = seconds * 1e9 / static_cast<double>(n);
      if (baseline == 0) baseline = per_host;
      if (settings.json)
        json += fmt::format(
            "{}\n  {{\"model\": \"{}\", \"hosts\": {}, \"seconds\": {:.4f}, "
            "\"ns_per_host\": {:.1f}, \"ratio\": {:.2f}}}",
            json.size() > 1 ? "," : "", eks ? "eks" : "ecs", n, seconds, per_host,
            per_host / baseline);
      else
        fmt::print("{:>5}  {:>9}  {:>10.4f}  {:>12.1f}  {:>6.2f}\n", eks ? "eks" : "ecs", n,
                   seconds, per_host, per_host / baseline);
    }
  }
  std::filesystem::remove_all(folder);
  if (settings.json) std::fputs((json + "\n]\n").c_str(), stdout);
  return 0;
}
