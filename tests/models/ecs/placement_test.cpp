#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <vector>

#include "ecsim/ecs/container_instances.hpp"
#include "ecsim/ecs/placement.hpp"
#include "ecsim/ecs/task_definition.hpp"

using namespace ecsim;
using namespace ecsim::ecs;

namespace {

// Registers an instance in zone `az` with `cpu` units and `mem` MiB free; its index is its
// registration order, which is also its InstanceId here.
ContainerInstanceIndex add(ContainerInstances& ci, std::uint16_t az, std::int64_t cpu,
                           std::int64_t mem) {
  return ci.register_instance(InstanceId{static_cast<std::uint32_t>(ci.size())}, AzId{az}, cpu,
                              mem);
}

// Counts `n` tasks of `group` on `i` without using resources (zero-sized tasks), so a test can
// set the spread counts apart from the free amounts.
void put_tasks(ContainerInstances& ci, ContainerInstanceIndex i, TaskGroupIndex group, int n) {
  for (int k = 0; k < n; ++k) ci.reserve(i, 0, 0, group);
}

Placer make_placer(std::uint64_t seed = 1) { return Placer{RandomStream{seed}}; }

}  // namespace

TEST_CASE("binpack on memory picks the instance with the least remaining memory that fits",
          "[ecs]") {
  ContainerInstances ci;
  add(ci, 0, 4096, 4000);
  add(ci, 0, 4096, 1500);
  add(ci, 0, 4096, 2500);
  add(ci, 0, 4096, 1000);
  const TaskGroupIndex g = ci.add_task_group();
  const std::array strategies{PlacementStrategy::binpack(StrategyField::kMemory)};
  Placer placer = make_placer();
  // A 1200 MiB task fits 0, 1 and 2 (3 has 1000). Left after: 2800, 300, 1300: instance 1.
  const PlacementResult r = placer.place(ci, {256, 1200, g, strategies});
  CHECK(r.instance == 1U);
  CHECK(r.failure == PlacementFailure::kNone);
  // A 1600 MiB task no longer fits 1 (1500): 2400 left on 0, 900 on 2: instance 2.
  CHECK(placer.place(ci, {256, 1600, g, strategies}).instance == 2U);
}

TEST_CASE("binpack on cpu picks the least remaining cpu, ties to the lowest index", "[ecs]") {
  ContainerInstances ci;
  add(ci, 0, 4096, 8000);
  add(ci, 0, 2048, 8000);
  add(ci, 0, 2048, 8000);
  add(ci, 0, 1000, 8000);
  const TaskGroupIndex g = ci.add_task_group();
  const std::array strategies{PlacementStrategy::binpack(StrategyField::kCpu)};
  Placer placer = make_placer();
  // 1024 units fit 0, 1, 2 (3 has 1000); 1 and 2 both keep 1024: the lower index, 1.
  CHECK(placer.place(ci, {1024, 100, g, strategies}).instance == 1U);
}

TEST_CASE("spread over zones picks the zone with the fewest of the group's tasks, ties lowest",
          "[ecs]") {
  ContainerInstances ci;
  for (std::uint16_t az = 0; az < 3; ++az) {
    add(ci, az, 4096, 8000);  // 0, 2, 4
    add(ci, az, 4096, 8000);  // 1, 3, 5
  }
  const TaskGroupIndex web = ci.add_task_group();
  const TaskGroupIndex other = ci.add_task_group();
  put_tasks(ci, 0, web, 2);    // zone 0: 2
  put_tasks(ci, 3, web, 1);    // zone 1: 1
  put_tasks(ci, 4, web, 1);    // zone 2: 1
  put_tasks(ci, 2, other, 5);  // another group's tasks do not count
  CHECK(ci.group_tasks_in_az(web, AzId{0}) == 2);
  CHECK(ci.group_tasks_in_az(other, AzId{1}) == 5);
  const std::array strategies{PlacementStrategy::spread(StrategyField::kAvailabilityZone)};
  Placer placer = make_placer();
  // Zones 1 and 2 tie at 1 task; their instances are 2, 3, 4, 5; the lowest index is 2.
  CHECK(placer.place(ci, {256, 256, web, strategies}).instance == 2U);
  // With one more task in zone 1, zone 2 alone has the fewest: instance 4.
  put_tasks(ci, 2, web, 1);
  CHECK(placer.place(ci, {256, 256, web, strategies}).instance == 4U);
}

TEST_CASE("spread over zones counts the tasks on instances that cannot take this one", "[ecs]") {
  ContainerInstances ci;
  add(ci, 0, 4096, 100);   // 0: zone 0, full
  add(ci, 0, 4096, 8000);  // 1: zone 0, empty
  add(ci, 1, 4096, 8000);  // 2: zone 1
  const TaskGroupIndex g = ci.add_task_group();
  put_tasks(ci, 0, g, 3);  // zone 0: 3 tasks, all on the full instance
  put_tasks(ci, 2, g, 1);  // zone 1: 1 task
  const std::array strategies{PlacementStrategy::spread(StrategyField::kAvailabilityZone)};
  Placer placer = make_placer();
  // Zone 1 (1 task) beats zone 0 (3), though instance 1 itself holds none: instance 2.
  CHECK(placer.place(ci, {256, 512, g, strategies}).instance == 2U);
}

TEST_CASE("spread over instanceId picks the instance with the fewest of the group's tasks",
          "[ecs]") {
  ContainerInstances ci;
  for (int i = 0; i < 4; ++i) add(ci, 0, 4096, 8000);
  const TaskGroupIndex g = ci.add_task_group();
  put_tasks(ci, 0, g, 2);
  put_tasks(ci, 1, g, 1);
  put_tasks(ci, 2, g, 3);
  put_tasks(ci, 3, g, 1);
  const std::array strategies{PlacementStrategy::spread(StrategyField::kInstanceId)};
  Placer placer = make_placer();
  // Counts 2, 1, 3, 1: instances 1 and 3 tie, the lower is 1.
  CHECK(placer.place(ci, {256, 256, g, strategies}).instance == 1U);
}

TEST_CASE("spread over a custom attribute counts per value, absent values as one more value",
          "[ecs]") {
  ContainerInstances ci;
  for (int i = 0; i < 5; ++i) add(ci, 0, 4096, 8000);
  const TaskGroupIndex g = ci.add_task_group();
  // Values (say "rack"): a, b, b, absent, a.
  const std::vector<std::uint32_t> rack{0, 1, 1, kNoAttributeValue, 0};
  put_tasks(ci, 0, g, 1);
  put_tasks(ci, 1, g, 1);
  put_tasks(ci, 2, g, 1);
  put_tasks(ci, 3, g, 1);
  put_tasks(ci, 4, g, 1);
  const std::array strategies{PlacementStrategy::spread_attribute(rack)};
  Placer placer = make_placer();
  // a: 2 tasks (0, 4), b: 2 (1, 2), absent: 1 (3): instance 3.
  CHECK(placer.place(ci, {256, 256, g, strategies}).instance == 3U);
  // One more on 3: every value has 2; a's instances 0 and 4 come first: instance 0.
  put_tasks(ci, 3, g, 1);
  CHECK(placer.place(ci, {256, 256, g, strategies}).instance == 0U);
}

TEST_CASE("spread over zones then binpack on memory binpacks within the least used zones",
          "[ecs]") {
  ContainerInstances ci;
  add(ci, 0, 4096, 3000);  // 0
  add(ci, 0, 4096, 1000);  // 1
  add(ci, 1, 4096, 2000);  // 2
  add(ci, 1, 4096, 600);   // 3
  add(ci, 2, 4096, 100);   // 4: zone 2 has no room for the task
  const TaskGroupIndex g = ci.add_task_group();
  put_tasks(ci, 0, g, 1);  // zone 0: 1
  put_tasks(ci, 2, g, 1);  // zone 1: 1
  const std::array strategies{PlacementStrategy::spread(StrategyField::kAvailabilityZone),
                              PlacementStrategy::binpack(StrategyField::kMemory)};
  Placer placer = make_placer();
  // Zone 2 has 0 tasks but no candidate (100 < 500), so zones 0 and 1 tie at 1 task. Among
  // 0, 1, 2, 3 the least left after 500 MiB: 2500, 500, 1500, 100: instance 3.
  CHECK(placer.place(ci, {256, 500, g, strategies}).instance == 3U);
  // Put a second task in zone 1: zone 0 alone is least used; 1 (500 left) beats 0 (2500).
  put_tasks(ci, 3, g, 1);
  CHECK(placer.place(ci, {256, 500, g, strategies}).instance == 1U);
  // The reverse chain packs first: instance 3 again, whatever the zones hold.
  const std::array reversed{PlacementStrategy::binpack(StrategyField::kMemory),
                            PlacementStrategy::spread(StrategyField::kAvailabilityZone)};
  CHECK(placer.place(ci, {256, 500, g, reversed}).instance == 3U);
}

TEST_CASE("a chain of three strategies applies each to the ties of the ones before", "[ecs]") {
  ContainerInstances ci;
  add(ci, 0, 4096, 2000);  // 0
  add(ci, 1, 4096, 2000);  // 1
  add(ci, 1, 2048, 2000);  // 2
  add(ci, 1, 2048, 4000);  // 3
  const TaskGroupIndex g = ci.add_task_group();
  put_tasks(ci, 0, g, 1);
  const std::array strategies{PlacementStrategy::spread(StrategyField::kAvailabilityZone),
                              PlacementStrategy::binpack(StrategyField::kMemory),
                              PlacementStrategy::binpack(StrategyField::kCpu)};
  Placer placer = make_placer();
  // Zone 1 (0 tasks): 1, 2, 3. Least memory: 1 and 2 (2000). Least cpu of those: 2.
  CHECK(placer.place(ci, {256, 256, g, strategies}).instance == 2U);
}

TEST_CASE("random is deterministic per seed and chooses uniformly", "[ecs]") {
  ContainerInstances ci;
  for (int i = 0; i < 4; ++i) add(ci, 0, 4096, 8000);
  const TaskGroupIndex g = ci.add_task_group();
  const std::array strategies{PlacementStrategy::random()};
  Placer a = make_placer(7);
  Placer b = make_placer(7);
  Placer c = make_placer(8);
  std::array<int, 4> hits{};
  bool differs = false;
  constexpr int kDraws = 40'000;
  for (int k = 0; k < kDraws; ++k) {
    const ContainerInstanceIndex x = *a.place(ci, {256, 256, g, strategies}).instance;
    CHECK(b.place(ci, {256, 256, g, strategies}).instance == x);
    differs = differs || c.place(ci, {256, 256, g, strategies}).instance != x;
    ++hits[x];
  }
  CHECK(differs);
  // Each count is Binomial(40000, 1/4): mean 10000, sd sqrt(40000 * 3/16) = 86.6; 500 is 5.8 sd.
  for (const int h : hits) CHECK(std::abs(h - kDraws / 4) < 500);
}

TEST_CASE("random after spread chooses among the spread's ties only", "[ecs]") {
  ContainerInstances ci;
  add(ci, 0, 4096, 8000);
  add(ci, 1, 4096, 8000);
  add(ci, 1, 4096, 8000);
  const TaskGroupIndex g = ci.add_task_group();
  put_tasks(ci, 0, g, 1);
  const std::array strategies{PlacementStrategy::spread(StrategyField::kAvailabilityZone),
                              PlacementStrategy::random()};
  Placer placer = make_placer(3);
  std::array<int, 3> hits{};
  for (int k = 0; k < 1000; ++k) ++hits[*placer.place(ci, {256, 256, g, strategies}).instance];
  // Zone 1 has no task: only 1 and 2, each half the time: binomial(1000, 0.5), 500 +- 4 x
  // sqrt(250) = 500 +- 63.
  CHECK(hits[0] == 0);
  CHECK(hits[1] >= 437);
  CHECK(hits[1] <= 563);
  CHECK(hits[1] + hits[2] == 1000);
}

TEST_CASE("no strategy takes the lowest index that passes resources and constraints", "[ecs]") {
  ContainerInstances ci;
  add(ci, 0, 4096, 100);
  add(ci, 0, 4096, 8000);
  add(ci, 0, 4096, 8000);
  const TaskGroupIndex g = ci.add_task_group();
  Placer placer = make_placer();
  CHECK(placer.place(ci, {256, 512, g}).instance == 1U);
}

TEST_CASE("distinctInstance skips every instance holding a task of the group", "[ecs]") {
  ContainerInstances ci;
  add(ci, 0, 4096, 1000);
  add(ci, 0, 4096, 2000);
  add(ci, 0, 4096, 3000);
  const TaskGroupIndex g = ci.add_task_group();
  const TaskGroupIndex other = ci.add_task_group();
  const std::array strategies{PlacementStrategy::binpack(StrategyField::kMemory)};
  Placer placer = make_placer();
  put_tasks(ci, 0, g, 1);
  put_tasks(ci, 1, other, 1);  // another group's task does not stop this one
  // Binpack prefers 0 (least memory), which holds one of the group's tasks: instance 1.
  PlacementRequest request{256, 512, g, strategies, true};
  CHECK(placer.place(ci, request).instance == 1U);
  put_tasks(ci, 1, g, 1);
  put_tasks(ci, 2, g, 1);
  const PlacementResult r = placer.place(ci, request);
  CHECK_FALSE(r.instance);
  CHECK(r.failure == PlacementFailure::kDistinctInstance);
  CHECK(to_string(r.failure) == "DistinctInstance placement constraint unsatisfied.");
}

TEST_CASE("memberOf keeps only the instances its mask marks", "[ecs]") {
  ContainerInstances ci;
  add(ci, 0, 4096, 1000);
  add(ci, 0, 4096, 3000);
  add(ci, 0, 4096, 2000);
  const TaskGroupIndex g = ci.add_task_group();
  const std::array strategies{PlacementStrategy::binpack(StrategyField::kMemory)};
  Placer placer = make_placer();
  const std::vector<std::uint8_t> mask{0, 1, 1};
  // Binpack would take 0; the mask leaves 1 (3000) and 2 (2000): instance 2.
  CHECK(placer.place(ci, {256, 512, g, strategies, false, mask}).instance == 2U);
  const std::vector<std::uint8_t> none{0, 0, 0};
  const PlacementResult r = placer.place(ci, {256, 512, g, strategies, false, none});
  CHECK_FALSE(r.instance);
  CHECK(r.failure == PlacementFailure::kMemberOf);
  CHECK(to_string(r.failure) == "MemberOf placement constraint unsatisfied.");
}

TEST_CASE("resources are checked before constraints, and a failure names the first empty step",
          "[ecs]") {
  ContainerInstances ci;
  add(ci, 0, 4096, 1000);  // 0: in the mask, too little memory
  add(ci, 0, 4096, 8000);  // 1: room, not in the mask
  const TaskGroupIndex g = ci.add_task_group();
  Placer placer = make_placer();
  const std::vector<std::uint8_t> mask{1, 0};
  // 2000 MiB: instance 1 passes resources, the mask removes it: MemberOf.
  CHECK(placer.place(ci, {256, 2000, g, {}, false, mask}).failure == PlacementFailure::kMemberOf);
  // 9000 MiB: no instance passes resources, whatever the mask says: RESOURCE:MEMORY.
  CHECK(placer.place(ci, {256, 9000, g, {}, false, mask}).failure ==
        PlacementFailure::kResourceMemory);
  // 8192 units: no instance has the CPU: RESOURCE:CPU.
  CHECK(placer.place(ci, {8192, 100, g, {}, false, mask}).failure ==
        PlacementFailure::kResourceCpu);
  // The mask and distinctInstance both fail: memberOf is named (it is checked first).
  put_tasks(ci, 1, g, 1);
  CHECK(placer.place(ci, {256, 2000, g, {}, true, mask}).failure == PlacementFailure::kMemberOf);
  // A disconnected instance is no candidate: with 1 disconnected, 0 is the only one left.
  ci.set_connected(1, false);
  CHECK(placer.place(ci, {256, 512, g}).instance == 0U);
  ci.deregister(0);
  CHECK(placer.place(ci, {256, 512, g}).failure == PlacementFailure::kNoInstances);
}

TEST_CASE("placement counts follow reserve and release by group and zone", "[ecs]") {
  ContainerInstances ci;
  const TaskGroupIndex g = ci.add_task_group();  // a group added before the instances
  add(ci, 0, 4096, 8000);
  add(ci, 2, 4096, 8000);
  ci.reserve(1, 1024, 1000, g);
  ci.reserve(1, 1024, 1000, g);
  CHECK(ci.group_tasks(g, 1) == 2);
  CHECK(ci.group_tasks_in_az(g, AzId{2}) == 2);
  CHECK(ci.group_tasks_in_az(g, AzId{1}) == 0);
  CHECK(ci.memory_free(1) == 6000);
  ci.release(1, 1024, 1000, g);
  CHECK(ci.group_tasks(g, 1) == 1);
  CHECK(ci.group_tasks_in_az(g, AzId{2}) == 1);
  CHECK(ci.cpu_free(1) == 3072);
}

TEST_CASE("scale-in with spread over zones stops a task in the zone with the most", "[ecs]") {
  ContainerInstances ci;
  add(ci, 0, 4096, 8000);  // 0
  add(ci, 1, 4096, 8000);  // 1
  add(ci, 1, 4096, 8000);  // 2
  add(ci, 1, 4096, 8000);  // 3: no task of the group, never a candidate
  const TaskGroupIndex g = ci.add_task_group();
  put_tasks(ci, 0, g, 2);  // zone 0: 2
  put_tasks(ci, 1, g, 2);  // zone 1: 3
  put_tasks(ci, 2, g, 1);
  const std::array strategies{PlacementStrategy::spread(StrategyField::kAvailabilityZone)};
  Placer placer = make_placer(5);
  // Zone 1 has the most (3): instances 1 and 2. By index: 1.
  StopRequest lowest{g, 256, 256, strategies, false};
  CHECK(placer.choose_stop(ci, lowest) == 1U);
  // AWS chooses at random within the zone: both 1 and 2 come up, 0 and 3 never.
  std::array<int, 4> hits{};
  for (int k = 0; k < 1000; ++k) ++hits[*placer.choose_stop(ci, {g, 256, 256, strategies})];
  // Each half the time: 500 +- 4 x sqrt(250) = 500 +- 63.
  CHECK(hits[0] == 0);
  CHECK(hits[1] >= 437);
  CHECK(hits[1] <= 563);
  CHECK(hits[1] + hits[2] == 1000);
  CHECK(hits[3] == 0);
}

TEST_CASE("scale-in with binpack stops on the instance left with the most free memory",
          "[ecs]") {
  ContainerInstances ci;
  add(ci, 0, 4096, 1000);  // 0
  add(ci, 0, 4096, 3000);  // 1
  add(ci, 0, 4096, 5000);  // 2: most free, but no task of the group
  const TaskGroupIndex g = ci.add_task_group();
  put_tasks(ci, 0, g, 1);
  put_tasks(ci, 1, g, 1);
  const std::array strategies{PlacementStrategy::binpack(StrategyField::kMemory)};
  Placer placer = make_placer();
  // After stopping a 500 MiB task: 1500 on 0, 3500 on 1: instance 1.
  CHECK(placer.choose_stop(ci, {g, 256, 500, strategies}) == 1U);
}

TEST_CASE("scale-in with spread then binpack stops the emptiest instance of the fullest zone",
          "[ecs]") {
  ContainerInstances ci;
  add(ci, 0, 4096, 9000);  // 0: zone 0, most free overall
  add(ci, 1, 4096, 2000);  // 1
  add(ci, 1, 4096, 4000);  // 2
  const TaskGroupIndex g = ci.add_task_group();
  put_tasks(ci, 0, g, 1);  // zone 0: 1
  put_tasks(ci, 1, g, 1);  // zone 1: 2
  put_tasks(ci, 2, g, 1);
  const std::array strategies{PlacementStrategy::spread(StrategyField::kAvailabilityZone),
                              PlacementStrategy::binpack(StrategyField::kMemory)};
  Placer placer = make_placer();
  // Zone 1 has the most; in it, 2 has the most free memory (4000 > 2000).
  CHECK(placer.choose_stop(ci, {g, 256, 500, strategies}) == 2U);
}

TEST_CASE("scale-in of a group without tasks chooses nothing", "[ecs]") {
  ContainerInstances ci;
  add(ci, 0, 4096, 8000);
  const TaskGroupIndex g = ci.add_task_group();
  Placer placer = make_placer();
  CHECK_FALSE(placer.choose_stop(ci, {g, 256, 256}));
}

TEST_CASE("a large cluster places with the same rules past the eight-wide compaction", "[ecs]") {
  // 37 instances (not a multiple of 8), every third one masked out, memory rising with the
  // index except instance 29, the tightest fit in the mask (29 % 3 != 0).
  ContainerInstances ci;
  std::vector<std::uint8_t> mask;
  for (int i = 0; i < 37; ++i) {
    add(ci, static_cast<std::uint16_t>(i % 3), 4096, i == 29 ? 600 : 1000 + 10 * i);
    mask.push_back(i % 3 == 0 ? 0 : 1);
  }
  const TaskGroupIndex g = ci.add_task_group();
  const std::array strategies{PlacementStrategy::binpack(StrategyField::kMemory)};
  Placer placer = make_placer();
  CHECK(placer.place(ci, {256, 512, g, strategies, false, mask}).instance == 29U);
  // 700 MiB no longer fits 29; the next least is 1 (1010), the first unmasked one.
  CHECK(placer.place(ci, {256, 700, g, strategies, false, mask}).instance == 1U);
  // Instance 36 is in the scalar tail: mask everything else out.
  std::vector<std::uint8_t> last(37, 0);
  last[36] = 1;
  CHECK(placer.place(ci, {256, 512, g, strategies, false, last}).instance == 36U);
}

namespace {

// A bridge task definition of one container (256 units, 512 MiB) mapping container port 80 to
// `host_port` (0: a dynamic port), or in `mode` when given.
TaskDefinition web_task(std::int64_t host_port, const char* mode = "bridge") {
  TaskDefinitionInput in;
  in.family = "web";
  in.network_mode = mode;
  ContainerDefinitionInput c;
  c.name = "web";
  c.image = "nginx";
  c.cpu = 256;
  c.memory = 512;
  PortMappingInput http;
  http.container_port = 80;
  http.host_port = host_port;
  c.port_mappings.push_back(http);
  in.container_definitions.push_back(c);
  REQUIRE(check(in).empty());
  return from_input(in);
}

// Two instances in one zone (4096 units and the given MiB each), one task group, a placer.
struct TwoInstances {
  ContainerInstances ci;
  TaskGroupIndex g = 0;
  Placer placer = make_placer();

  TwoInstances(std::int64_t mem0, std::int64_t mem1) {
    add(ci, 0, 4096, mem0);
    add(ci, 0, 4096, mem1);
    g = ci.add_task_group();
  }

  // Places a task of `td` by binpack on memory and reserves it where it goes, as the engine
  // does; returns the instance, if any.
  std::optional<ContainerInstanceIndex> place(const TaskDefinition& td) {
    static constexpr std::array strategies{PlacementStrategy::binpack(StrategyField::kMemory)};
    PlacementRequest request{td.reserved_cpu_units(), td.reserved_memory_mib(), g, strategies};
    request.host_ports = td.host_ports();
    const PlacementResult r = placer.place(ci, request);
    if (r.instance)
      ci.reserve(*r.instance, request.cpu_units, request.memory_mib, g, td.host_ports());
    return r.instance;
  }
};

}  // namespace

TEST_CASE("a second task with the same static host port goes to another instance", "[ecs]") {
  TwoInstances c(4000, 2000);
  const TaskDefinition web = web_task(80);
  // Binpack on memory: 1 (2000 MiB) first. The second task would binpack onto 1 again (1488
  // MiB left against 4000) but 1 holds port 80: it goes to 0.
  CHECK(c.place(web) == 1U);
  CHECK(c.place(web) == 0U);
  // A third finds port 80 taken on both, with room on both: RESOURCE:PORTS.
  PlacementRequest request{256, 512, c.g};
  request.host_ports = web.host_ports();
  const PlacementResult r = c.placer.place(c.ci, request);
  CHECK_FALSE(r.instance);
  CHECK(r.failure == PlacementFailure::kResourcePorts);
  CHECK(to_string(r.failure) == "RESOURCE:PORTS");
  // Once the task on 1 stops, its port is free there again, and binpack takes 1 once more.
  c.ci.release(1, 256, 512, c.g, web.host_ports());
  CHECK(c.place(web) == 1U);
}

TEST_CASE("tasks with dynamic host ports share an instance", "[ecs]") {
  TwoInstances c(4000, 2000);
  // hostPort 0 in bridge mode is a dynamic port: nothing reserved, so binpack keeps packing 1
  // (2000, 1488, 976 MiB left before each) until it is full.
  const TaskDefinition dynamic = web_task(0);
  REQUIRE(dynamic.host_ports().empty());
  CHECK(c.place(dynamic) == 1U);
  CHECK(c.place(dynamic) == 1U);
  CHECK(c.place(dynamic) == 1U);
  CHECK(c.ci.reserved_ports(1).size() == kAgentReservedPorts.size());
  // 1 has 2000 - 3 x 512 = 464 MiB left. awsvpc maps port 80 on each task's own interface, so
  // two such tasks share the next instance, 0, as well.
  const TaskDefinition awsvpc = web_task(0, "awsvpc");
  REQUIRE(awsvpc.host_ports().empty());
  CHECK(c.place(awsvpc) == 0U);
  CHECK(c.place(awsvpc) == 0U);
}

TEST_CASE("host mode reserves the container port on the instance", "[ecs]") {
  TwoInstances c(2000, 4000);
  // Host mode: no hostPort written, the container port 80 is the host port.
  const TaskDefinition host = web_task(0, "host");
  REQUIRE(host.host_ports() == std::vector<HostPort>{{80, Protocol::kTcp}});
  CHECK(c.place(host) == 0U);
  // A bridge task asking for host port 80 clashes with it: it goes to 1.
  CHECK(c.place(web_task(80)) == 1U);
  // A task asking for a port the agent reserves (2375, Docker's) never fits.
  const std::array docker{HostPort{2375, Protocol::kTcp}};
  const PlacementResult r = c.placer.place(c.ci, {256, 512, c.g, {}, false, {}, docker});
  CHECK(r.failure == PlacementFailure::kResourcePorts);
}

TEST_CASE("ports are a resource: checked with CPU and memory, before the constraints", "[ecs]") {
  ContainerInstances ci;
  add(ci, 0, 4096, 1000);  // 0: in the mask, port 80 free, too little memory for 2000 MiB
  add(ci, 0, 4096, 8000);  // 1: in the mask, port 80 taken
  add(ci, 0, 4096, 8000);  // 2: not in the mask, port 80 free
  const TaskGroupIndex g = ci.add_task_group();
  const std::array web{HostPort{80, Protocol::kTcp}};
  ci.reserve(1, 0, 0, web);
  Placer placer = make_placer();
  const std::vector<std::uint8_t> mask{1, 1, 0};
  // 512 MiB: 0 passes resources, ports and the mask.
  CHECK(placer.place(ci, {256, 512, g, {}, false, mask, web}).instance == 0U);
  // 2000 MiB: resources and ports leave 2, which the mask removes: MemberOf, not ports.
  CHECK(placer.place(ci, {256, 2000, g, {}, false, mask, web}).failure ==
        PlacementFailure::kMemberOf);
  // Without 2, nobody has memory and the port: RESOURCE:PORTS, whatever the mask says.
  ci.set_connected(2, false);
  CHECK(placer.place(ci, {256, 2000, g, {}, false, mask, web}).failure ==
        PlacementFailure::kResourcePorts);
  // 9000 MiB fits nowhere: memory is named before ports.
  CHECK(placer.place(ci, {256, 9000, g, {}, false, mask, web}).failure ==
        PlacementFailure::kResourceMemory);
  // distinctInstance after ports: 0 holds a task of the group and 1 has port 80 taken.
  put_tasks(ci, 0, g, 1);
  CHECK(placer.place(ci, {256, 512, g, {}, true, mask, web}).failure ==
        PlacementFailure::kDistinctInstance);
}

TEST_CASE("placement with host ports agrees with the exact check, collisions and full lists too",
          "[ecs]") {
  // 12 instances and tasks mapping 1 to 3 of 300 ports (300 > 64 summary bits, so ports share
  // bits), reserved and released at random, some instances filled past the summary's limit:
  // the placer (no strategy: lowest index) must choose exactly what first_fit's walk chooses.
  ContainerInstances ci;
  for (int i = 0; i < 12; ++i) add(ci, 0, 1'000'000, 1'000'000);
  const TaskGroupIndex g = ci.add_task_group();
  // Instances 10 and 11 hold 90 ports of their own (95 with the agent's): past 100 - 16.
  for (const ContainerInstanceIndex full : {10U, 11U}) {
    std::vector<HostPort> many;
    for (std::uint16_t p = 20000; p < 20090; ++p) many.push_back({p, Protocol::kUdp});
    ci.reserve(full, 0, 0, g, many);
  }
  struct Held {
    ContainerInstanceIndex at;
    std::vector<HostPort> ports;
  };
  std::vector<Held> held;
  RandomStream random{42};
  Placer placer = make_placer();
  int placed = 0, refused = 0;
  for (int step = 0; step < 4000; ++step) {
    if (!held.empty() && random.uniform_int(3) == 0) {
      const std::size_t k = random.uniform_int(held.size());
      ci.release(held[k].at, 1, 1, g, held[k].ports);
      held[k] = held.back();
      held.pop_back();
      continue;
    }
    std::vector<HostPort> ports;
    const std::size_t count = 1 + random.uniform_int(3);
    while (ports.size() < count) {
      const HostPort p{static_cast<std::uint16_t>(1000 + random.uniform_int(300)),
                       random.uniform_int(2) == 0 ? Protocol::kTcp : Protocol::kUdp};
      if (std::find(ports.begin(), ports.end(), p) == ports.end()) ports.push_back(p);
    }
    std::sort(ports.begin(), ports.end());
    const std::optional<ContainerInstanceIndex> exact = ci.first_fit(1, 1, ports);
    PlacementRequest request{1, 1, g};
    request.host_ports = ports;
    const PlacementResult r = placer.place(ci, request);
    REQUIRE(r.instance == exact);
    if (!exact) {
      REQUIRE(r.failure == PlacementFailure::kResourcePorts);
      ++refused;
      continue;
    }
    ci.reserve(*exact, 1, 1, g, ports);
    held.push_back({*exact, ports});
    ++placed;
  }
  // Both outcomes happened many times.
  CHECK(placed > 1000);
  CHECK(refused > 10);
}

TEST_CASE("the default spread from the zones' fit trees chooses what a pass over every instance "
          "chooses", "[ecs]") {
  // Random clusters in random states: the placer (which takes the trees' shortcut for ECS's
  // default spread) against the rule itself, the smallest (zone's tasks of the group, the
  // instance's) among the instances that fit, the lowest index among ties.
  RandomStream rng{42};
  const std::array strategies{PlacementStrategy::spread(StrategyField::kAvailabilityZone),
                              PlacementStrategy::spread(StrategyField::kInstanceId)};
  int shortcut_cases = 0;
  for (int trial = 0; trial < 300; ++trial) {
    ContainerInstances ci;
    const auto n = static_cast<std::size_t>(1 + rng.uniform_int(200));
    const auto zones = static_cast<std::uint16_t>(1 + rng.uniform_int(3));
    for (std::size_t k = 0; k < n; ++k)
      add(ci, static_cast<std::uint16_t>(rng.uniform_int(zones)), 2048, 4096);
    const TaskGroupIndex g = ci.add_task_group();
    const TaskGroupIndex other = ci.add_task_group();
    for (std::size_t k = 0; k < n; ++k) {
      const auto i = static_cast<ContainerInstanceIndex>(k);
      const auto state = rng.uniform_int(10);
      if (state == 0) ci.set_connected(i, false);
      if (state == 1) ci.set_draining(i);
      put_tasks(ci, i, g, static_cast<int>(rng.uniform_int(3) == 0 ? rng.uniform_int(3) : 0));
      const auto used = static_cast<std::int64_t>(rng.uniform_int(5)) * 512;
      ci.reserve(i, used, used, other);
    }
    const bool distinct = rng.uniform_int(4) == 0;
    PlacementRequest request{512, 512, g, strategies};
    request.distinct_instance = distinct;
    Placer placer = make_placer();
    const PlacementResult got = placer.place(ci, request);
    // The rule, by brute force.
    std::optional<ContainerInstanceIndex> want;
    std::pair<std::uint32_t, std::uint32_t> best{};
    for (std::size_t k = 0; k < n; ++k) {
      const auto i = static_cast<ContainerInstanceIndex>(k);
      if (!ci.active(i) || !ci.connected(i) || ci.cpu_free(i) < 512 || ci.memory_free(i) < 512)
        continue;
      if (distinct && ci.group_tasks(g, i) != 0) continue;
      const std::pair key{ci.group_tasks_in_az(g, ci.az(i)), ci.group_tasks(g, i)};
      if (!want || key < best) {
        want = i;
        best = key;
      }
    }
    INFO("trial " << trial);
    CHECK(got.instance == want);
    shortcut_cases += want && best.second == 0 ? 1 : 0;
  }
  // Most trials are ones the shortcut settles (an instance without the group's tasks wins).
  CHECK(shortcut_cases > 150);
}

TEST_CASE("spread over zones then binpack on memory from the zones' memory buckets chooses what a "
          "pass over every instance chooses", "[ecs]") {
  // Random clusters, random free memory, a random memberOf mask: the placer (which takes the
  // memory buckets' shortcut for this pair) against the rule by brute force, the smallest (the
  // zone's tasks of the group, the instance's free memory) among the instances that pass, the
  // lowest index among ties. Placements are reserved as they go, so the buckets must follow.
  RandomStream rng{7};
  const std::array strategies{PlacementStrategy::spread(StrategyField::kAvailabilityZone),
                              PlacementStrategy::binpack(StrategyField::kMemory)};
  for (int trial = 0; trial < 100; ++trial) {
    ContainerInstances ci;
    const auto n = static_cast<std::size_t>(1 + rng.uniform_int(150));
    const auto zones = static_cast<std::uint16_t>(1 + rng.uniform_int(3));
    for (std::size_t k = 0; k < n; ++k)
      add(ci, static_cast<std::uint16_t>(rng.uniform_int(zones)), 4096,
          1024 * static_cast<std::int64_t>(1 + rng.uniform_int(8)));
    const TaskGroupIndex g = ci.add_task_group();
    std::vector<std::uint8_t> mask(n);
    for (std::size_t k = 0; k < n; ++k) {
      const auto i = static_cast<ContainerInstanceIndex>(k);
      mask[k] = rng.uniform_int(10) != 0 ? 1 : 0;
      if (rng.uniform_int(12) == 0) ci.set_connected(i, false);
      if (rng.uniform_int(12) == 0) ci.set_draining(i);
    }
    const bool with_mask = rng.uniform_int(2) == 0;
    const bool distinct = rng.uniform_int(5) == 0;
    Placer placer = make_placer();
    std::size_t n_now = n;
    for (int step = 0; step < 20; ++step) {
      if (step == 10) {
        // A much larger instance registers after the memory buckets were first read: they are
        // rebuilt with wider buckets.
        add(ci, static_cast<std::uint16_t>(rng.uniform_int(zones)), 4096, 65536);
        mask.push_back(1);
        ++n_now;
      }
      PlacementRequest request{256, 512 * static_cast<std::int64_t>(1 + rng.uniform_int(3)), g,
                               strategies};
      request.distinct_instance = distinct;
      if (with_mask) request.member_of = mask;
      const PlacementResult got = placer.place(ci, request);
      std::optional<ContainerInstanceIndex> want;
      std::pair<std::uint32_t, std::int64_t> best{};
      for (std::size_t k = 0; k < n_now; ++k) {
        const auto i = static_cast<ContainerInstanceIndex>(k);
        if (!ci.active(i) || !ci.connected(i) || ci.cpu_free(i) < request.cpu_units ||
            ci.memory_free(i) < request.memory_mib)
          continue;
        if (with_mask && mask[k] == 0) continue;
        if (distinct && ci.group_tasks(g, i) != 0) continue;
        const std::pair key{ci.group_tasks_in_az(g, ci.az(i)), ci.memory_free(i)};
        if (!want || key < best) {
          want = i;
          best = key;
        }
      }
      INFO("trial " << trial << " step " << step);
      REQUIRE(got.instance == want);
      if (!want) continue;
      ci.reserve(*want, request.cpu_units, request.memory_mib, g);
      // Now and then a task of the group stops somewhere, as in a service's life.
      if (rng.uniform_int(3) == 0) {
        const auto i = static_cast<ContainerInstanceIndex>(rng.uniform_int(n));
        if (ci.group_tasks(g, i) > 0 && ci.cpu_free(i) + 256 <= ci.cpu_registered(i) &&
            ci.memory_free(i) + 512 <= ci.memory_registered(i))
          ci.release(i, 256, 512, g);
      }
    }
  }
}

TEST_CASE("an awsvpc task needs a free network interface, counted per instance", "[ecs]") {
  ContainerInstances ci;
  ci.register_instance(InstanceId{0}, AzId{0}, 4096, 8192);
  ci.register_instance(InstanceId{1}, AzId{0}, 4096, 8192);
  ci.set_task_enis(0, 1);
  ci.set_task_enis(1, 2);
  const TaskGroupIndex g = ci.add_task_group();
  Placer placer = make_placer();
  static constexpr std::array strategies{PlacementStrategy::binpack(StrategyField::kMemory)};
  PlacementRequest request{256, 512, g, strategies};
  request.needs_eni = true;
  const auto place = [&] {
    const PlacementResult r = placer.place(ci, request);
    if (r.instance) {
      ci.reserve(*r.instance, 256, 512, g);
      ci.reserve_eni(*r.instance);
    }
    return r;
  };
  // Binpack ties on memory go to the lowest index: 0 takes its one interface, then 1 its two.
  CHECK(place().instance == 0U);
  CHECK(place().instance == 1U);
  CHECK(place().instance == 1U);
  CHECK(ci.enis_free(0) == 0);
  CHECK(ci.enis_free(1) == 0);
  const PlacementResult none = place();
  CHECK_FALSE(none.instance);
  CHECK(none.failure == PlacementFailure::kResourceEni);
  CHECK(to_string(none.failure) == "RESOURCE:ENI");
  // A task in another mode takes no interface; a stopped awsvpc task gives its back.
  request.needs_eni = false;
  CHECK(placer.place(ci, request).instance);
  ci.release(0, 256, 512, g);
  ci.release_eni(0);
  request.needs_eni = true;
  CHECK(place().instance == 0U);
}
