// The kube-scheduler at steady state: pods of five Deployments (each with its app label, its
// ReplicaSet's selector as owner, so the default topology spreading applies) scheduled with the
// default profile on N nodes (8 vCPU, 32 GiB, 110 pods) over 3 zones. The cluster is first
// filled to about 70% of its memory; then each step unbinds a random pod and schedules and
// binds a new one, so the load stays the same. Every node is filtered and scored exactly.
// Each size runs twice: with the scheduler's per-class node indexes (what ecsim runs) and, as
// the baseline measured in the same run, with a pass over every node per cycle. Both must choose
// the same nodes (exit status 1 if not). Prints pods per second, microseconds per pod,
// nanoseconds per pod per node and the speed-up over the pass.
//
//   kube_scheduler [--pods N] [--repeat K] [--sizes 100,1000,5000] [--json]

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command_line.hpp"

#include "ecsim/eks/scheduler.hpp"
#include "ecsim/sim/random.hpp"

namespace {

using ecsim::eks::NodeIndex;
using ecsim::eks::PodClassId;

constexpr std::uint64_t kSeed = 20261127;
constexpr std::int64_t kGi = 1024LL * 1024 * 1024;
constexpr std::int64_t kNodeCpu = 8000;        // millicores
constexpr std::int64_t kNodeMemory = 32 * kGi;  // bytes (allocatable, rounded)
constexpr double kFill = 0.70;                  // share of memory requested at steady state

struct Workload {
  const char* app;
  std::int64_t cpu;     // millicores
  std::int64_t memory;  // bytes
};
// Mean request 370m and 1.5 GiB: memory binds first.
constexpr Workload kWorkloads[] = {{"web", 250, kGi / 2},
                                   {"api", 500, kGi},
                                   {"worker", 500, 2 * kGi},
                                   {"cache", 250, 3 * kGi},
                                   {"batch", 350, kGi + kGi / 2}};

ecsim::bench::RunResult run(std::size_t nodes, std::uint64_t pods, bool indexed) {
  ecsim::eks::Scheduler scheduler{ecsim::RandomStream{kSeed}};
  scheduler.set_cycle_index(indexed ? ecsim::eks::CycleIndex::kAuto
                                    : ecsim::eks::CycleIndex::kNever);
  const char* zones[] = {"us-east-1a", "us-east-1b", "us-east-1c"};
  for (std::size_t i = 0; i < nodes; ++i) {
    ecsim::eks::NodeSpec n;
    n.name = fmt::format("ip-10-0-{}-{}.ec2.internal", i / 256, i % 256);
    n.labels = {{"topology.kubernetes.io/zone", zones[i % 3]},
                {"node.kubernetes.io/instance-type", "m6i.2xlarge"}};
    n.cpu_millis = kNodeCpu;
    n.memory_bytes = kNodeMemory;
    n.pods = 110;
    scheduler.add_node(n);
  }
  std::vector<PodClassId> classes;
  for (const Workload& w : kWorkloads) {
    ecsim::eks::PodDescription p;
    p.labels = {{"app", w.app}, {"pod-template-hash", "5d8f7c9b6"}};
    p.spec.requests = {w.cpu, w.memory};
    p.owner_selector = ecsim::eks::LabelSelector{p.labels, {}};
    classes.push_back(scheduler.add_pod_class(p));
  }

  ecsim::RandomStream workload(kSeed + 1);
  std::vector<ecsim::TaskId> running;
  std::uint32_t next_id = 0;
  ecsim::bench::RunResult result;
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  auto place_one = [&] {
    const PodClassId c = classes[workload.uniform_int(classes.size())];
    const ecsim::eks::ScheduleResult r = scheduler.schedule(c);
    if (r.node == ecsim::eks::kNoNode) {
      ++result.failures;
      return;
    }
    const ecsim::TaskId id{next_id++};
    scheduler.bind(id, c, r.node);
    running.push_back(id);
    hash = (hash ^ r.node) * 0x100000001b3ULL;
  };
  auto stop_one = [&] {
    const std::size_t k = workload.uniform_int(running.size());
    scheduler.unbind(running[k]);
    running[k] = running.back();
    running.pop_back();
  };

  const auto target = static_cast<std::size_t>(kFill * static_cast<double>(nodes) *
                                               static_cast<double>(kNodeMemory) / (1.6 * kGi));
  running.reserve(target + 1);
  ecsim::bench::fill_then_time(result, target, [&] { return running.size(); }, place_one, stop_one,
                               pods);
  result.choice_hash = hash;
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  ecsim::bench::Settings settings;
  settings.count = 20'000;
  settings.sizes = {100, 1'000, 5'000};
  if (const auto done = ecsim::bench::parse_command_line(
          argc, argv, "kube_scheduler", "--pods",
          "steady-state benchmark of the kube-scheduler's default plugins", settings))
    return *done;

  const std::vector<ecsim::bench::Row> rows = ecsim::bench::measure(
      settings, [&](std::uint64_t n) { return run(n, settings.count, true); });
  const std::vector<ecsim::bench::Row> scans = ecsim::bench::measure(
      settings, [&](std::uint64_t n) { return run(n, settings.count, false); });

  if (settings.json) {
    std::string out = "[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const ecsim::bench::Row& r = rows[i];
      out += fmt::format("{}\n  {{\"nodes\": {}, \"pods_per_second\": {:.0f}, "
                         "\"us_per_pod\": {:.3f}, \"scan_us_per_pod\": {:.3f}, "
                         "\"speedup_over_scan\": {:.2f}}}",
                         i == 0 ? "" : ",", r.size, r.per_second, 1e6 / r.per_second,
                         1e6 / scans[i].per_second, r.per_second / scans[i].per_second);
    }
    out += "\n]\n";
    std::fputs(out.c_str(), stdout);
  } else {
    fmt::print("default profile (5 Deployments, default topology spreading), 3 zones, ~70% memory "
               "requested; {} pods, median of {} runs\n\n",
               settings.count, settings.repeat);
    fmt::print("{:>8}  {:>12}  {:>10}  {:>18}  {:>14}  {:>14}  {:>10}  {}\n", "nodes", "pods/s",
               "us/pod", "ns/pod/node", "cpu us/pod", "scan us/pod", "vs scan", "choices");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const ecsim::bench::Row& r = rows[i];
      const double us = 1e6 / r.per_second;
      fmt::print("{:>8}  {:>12.0f}  {:>10.3f}  {:>18.3f}  {:>14.3f}  {:>14.3f}  {:>9.2f}x  {}\n",
                 r.size, r.per_second, us, us * 1e3 / static_cast<double>(r.size),
                 1e6 / r.cpu_per_second, 1e6 / scans[i].per_second,
                 r.per_second / scans[i].per_second,
                 !r.same_choices ? "DIFFERENT"
                 : r.choice_hash != scans[i].choice_hash ? "DIFFERENT FROM SCAN"
                                                         : "identical");
    }
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].choice_hash != scans[i].choice_hash || rows[i].failures != scans[i].failures) {
      std::fputs("kube_scheduler: the indexed and the scanning cycle chose different nodes\n",
                 stderr);
      return 1;
    }
  }
  if (const int status = ecsim::bench::check_same_choices(
          scans, "kube_scheduler: repeated runs chose different nodes\n"))
    return status;
  return ecsim::bench::check_same_choices(rows,
                                          "kube_scheduler: repeated runs chose different nodes\n");
}
