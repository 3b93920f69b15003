// ECS placement at steady state: a service placed with spread(attribute:ecs.availability-zone)
// then binpack(memory), plus a memberOf mask that excludes one instance in ten, on N container
// instances (m6i.xlarge: 4096 CPU units, 15970 MiB) over 3 zones. The cluster is first filled
// to about 70% of its memory; then each step stops a random running task (releasing its
// resources) and places a new one, so the number of candidates stays the same throughout.
// Prints placements per second, microseconds per placement and nanoseconds per placement per
// instance (flat when the cost grows linearly with the instances). With --host-ports P > 0,
// each task also maps one static host port drawn from P (8000 to 8000 + P - 1), so placement
// skips the instances where it is taken (P = 0, the default, maps none).
//
//   ecs_placement [--placements N] [--repeat K] [--sizes 100,1000,5000] [--host-ports P] [--json]

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "command_line.hpp"

#include "ecsim/ecs/container_instances.hpp"
#include "ecsim/ecs/placement.hpp"
#include "ecsim/sim/random.hpp"

namespace {

using ecsim::ecs::ContainerInstanceIndex;
using ecsim::ecs::ContainerInstances;
using ecsim::ecs::PlacementStrategy;
using ecsim::ecs::StrategyField;

constexpr std::uint64_t kSeed = 20261127;
constexpr std::int64_t kInstanceCpu = 4096;     // m6i.xlarge: 4 vCPU
constexpr std::int64_t kInstanceMemory = 15970;  // 16 GiB as the agent registers it
constexpr double kFill = 0.70;                   // share of memory reserved at steady state

struct TaskSize {
  std::int64_t cpu, mem;
};
// A few common task sizes; their mean is 320 CPU units and 1408 MiB, so memory binds first.
constexpr TaskSize kSizes[] = {{256, 512}, {256, 1024}, {512, 2048}, {256, 2048}};

struct Running {
  ContainerInstanceIndex instance;
  TaskSize size;
  ecsim::ecs::HostPort port;  // with kPorts only
};

// kPorts: each task maps one static host port out of `host_ports`; a template parameter, so the
// run without ports is the same code as before ports existed.
template <bool kPorts>
ecsim::bench::RunResult run(std::size_t instances, std::uint64_t placements,
                            std::uint64_t host_ports) {
  ContainerInstances ci;
  std::vector<std::uint8_t> member_of(instances);
  for (std::size_t i = 0; i < instances; ++i) {
    ci.register_instance(ecsim::InstanceId{static_cast<std::uint32_t>(i)},
                         ecsim::AzId{static_cast<std::uint16_t>(i % 3)}, kInstanceCpu,
                         kInstanceMemory);
    member_of[i] = ecsim::mix64(i) % 10 != 0 ? 1 : 0;
  }
  const ecsim::ecs::TaskGroupIndex service = ci.add_task_group();
  const PlacementStrategy strategies[] = {
      PlacementStrategy::spread(StrategyField::kAvailabilityZone),
      PlacementStrategy::binpack(StrategyField::kMemory)};
  ecsim::ecs::Placer placer{ecsim::RandomStream{kSeed}};
  ecsim::RandomStream workload(kSeed + 1);

  std::vector<Running> running;
  ecsim::bench::RunResult result;
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  auto place_one = [&] {
    const TaskSize size = kSizes[workload.uniform_int(std::size(kSizes))];
    ecsim::ecs::HostPort port{};
    std::span<const ecsim::ecs::HostPort> ports;
    if constexpr (kPorts) {
      port.port = static_cast<std::uint16_t>(8000 + workload.uniform_int(host_ports));
      ports = {&port, 1};
    }
    const ecsim::ecs::PlacementResult r =
        placer.place(ci, {size.cpu, size.mem, service, strategies, false, member_of, ports});
    if (!r.instance) {
      ++result.failures;
      return;
    }
    if constexpr (kPorts) ci.reserve(*r.instance, size.cpu, size.mem, service, ports);
    else ci.reserve(*r.instance, size.cpu, size.mem, service);
    running.push_back({*r.instance, size, port});
    hash = (hash ^ *r.instance) * 0x100000001b3ULL;
  };
  auto stop_one = [&] {
    const std::size_t k = workload.uniform_int(running.size());
    const Running& stop = running[k];
    if constexpr (kPorts) ci.release(stop.instance, stop.size.cpu, stop.size.mem, service, {&stop.port, 1});
    else ci.release(stop.instance, stop.size.cpu, stop.size.mem, service);
    running[k] = running.back();
    running.pop_back();
  };

  // Fill: 70% of the eligible instances' memory, at the mean task size.
  const auto target = static_cast<std::size_t>(kFill * 0.9 * static_cast<double>(instances) *
                                               static_cast<double>(kInstanceMemory) / 1408.0);
  running.reserve(target + 1);
  ecsim::bench::fill_then_time(result, target, [&] { return running.size(); }, place_one, stop_one,
                               placements);
  result.choice_hash = hash;
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  // --host-ports is this benchmark's own: taken out before the shared flags are parsed.
  std::uint64_t host_ports = 0;
  std::vector<char*> args{argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--host-ports" && i + 1 < argc) {
      const std::string_view value = argv[++i];
      if (std::from_chars(value.data(), value.data() + value.size(), host_ports).ptr !=
              value.data() + value.size() ||
          host_ports > 1000) {
        std::fputs("ecs_placement: --host-ports needs an integer from 0 to 1000\n", stderr);
        return 2;
      }
    } else {
      args.push_back(argv[i]);
    }
  }
  argc = static_cast<int>(args.size());
  argv = args.data();
  ecsim::bench::Settings settings;
  settings.count = 200'000;
  settings.sizes = {100, 1'000, 5'000};
  if (const auto done = ecsim::bench::parse_command_line(argc, argv, "ecs_placement", "--placements",
                                                        "steady-state benchmark of ECS task placement", settings))
    return *done;
  const std::uint64_t placements = settings.count;
  const std::uint64_t repeat = settings.repeat;
  const bool json = settings.json;
  const std::vector<ecsim::bench::Row> rows = ecsim::bench::measure(settings, [&](std::uint64_t n) {
    return host_ports > 0 ? run<true>(n, placements, host_ports) : run<false>(n, placements, 0);
  });

  if (json) {
    std::string out = "[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const ecsim::bench::Row& r = rows[i];
      out += fmt::format(
          "{}\n  {{\"instances\": {}, \"placements_per_second\": {:.0f}, "
          "\"us_per_placement\": {:.3f}}}",
          i == 0 ? "" : ",", r.size, r.per_second, 1e6 / r.per_second);
    }
    out += "\n]\n";
    std::fputs(out.c_str(), stdout);
  } else {
    fmt::print("spread(availability zone) then binpack(memory), memberOf on 90% of instances, "
               "3 zones, ~70% memory reserved{}; {} placements, median of {} runs\n\n",
               host_ports > 0 ? fmt::format(", one static host port of {} per task", host_ports)
                              : std::string(),
               placements, repeat);
    fmt::print("{:>10}  {:>14}  {:>14}  {:>22}  {:>8}  {}\n", "instances", "placements/s",
               "us/placement", "ns/placement/instance", "failed", "choices");
    for (const ecsim::bench::Row& r : rows) {
      const double us = 1e6 / r.per_second;
      fmt::print("{:>10}  {:>12.3f} M  {:>14.3f}  {:>22.3f}  {:>8}  {}\n", r.size,
                 r.per_second / 1e6, us, us * 1e3 / static_cast<double>(r.size),
                 r.failures, r.same_choices ? "identical" : "DIFFERENT");
    }
  }
  return ecsim::bench::check_same_choices(rows,
                                          "ecs_placement: repeated runs chose different instances\n");
}
