#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <vector>

#include "ecsim/ecs/container_instances.hpp"
#include "ecsim/ecs/placement.hpp"

using namespace ecsim;
using namespace ecsim::ecs;

TEST_CASE("the agent registers 1024 CPU units per vCPU and less memory than installed", "[ecs]") {
  CHECK(registered_cpu_units(4) == 4096);
  // AWS's example: an m4.large has 8192 MiB installed and registers 7985.
  CHECK(registered_memory_mib(8192) == 7985);
  // Scaled: 16384 * 7985 / 8192 = 15970 exactly; 1024 * 7985 / 8192 = 998.125 -> 998.
  CHECK(registered_memory_mib(16384) == 15970);
  CHECK(registered_memory_mib(1024) == 998);
  // ECS_RESERVED_MEMORY comes off the top.
  CHECK(registered_memory_mib(8192, 256) == 7729);
}

TEST_CASE("placement takes the first instance with room, in registration order", "[ecs]") {
  ContainerInstances ci;
  const auto a = ci.register_instance(InstanceId{7}, AzId{0}, 2048, 4000);
  const auto b = ci.register_instance(InstanceId{3}, AzId{1}, 4096, 8000);
  CHECK(ci.find(InstanceId{3}) == b);
  CHECK_FALSE(ci.find(InstanceId{4}));
  CHECK(ci.first_fit(1024, 1000) == a);
  ci.reserve(a, 1024, 1000);
  ci.reserve(a, 1024, 1000);
  // a has 0 CPU left: the next task goes to b.
  CHECK(ci.cpu_free(a) == 0);
  CHECK(ci.memory_free(a) == 2000);
  CHECK(ci.first_fit(1024, 1000) == b);
  // Released resources are placeable again.
  ci.release(a, 1024, 1000);
  CHECK(ci.first_fit(1024, 1000) == a);
}

TEST_CASE("a disconnected or deregistered instance takes no tasks", "[ecs]") {
  ContainerInstances ci;
  const auto a = ci.register_instance(InstanceId{0}, AzId{0}, 2048, 4000);
  const auto b = ci.register_instance(InstanceId{1}, AzId{0}, 2048, 4000);
  ci.set_connected(a, false);
  CHECK(ci.first_fit(512, 512) == b);
  ci.deregister(b);
  CHECK_FALSE(ci.first_fit(512, 512));
  CHECK(ci.why_not(512, 512) == PlacementFailure::kNoInstances);
  ci.set_connected(a, true);
  CHECK(ci.first_fit(512, 512) == a);
}

TEST_CASE("a DRAINING instance takes no tasks but stays registered until deregistered",
          "[ecs]") {
  ContainerInstances ci;
  const auto a = ci.register_instance(InstanceId{0}, AzId{0}, 2048, 4000);
  const auto b = ci.register_instance(InstanceId{1}, AzId{1}, 2048, 4000);
  ci.set_draining(a);
  CHECK(ci.draining(a));
  CHECK_FALSE(ci.active(a));
  CHECK(ci.registered(a));
  CHECK(ci.first_fit(512, 512) == b);
  // The placer honours the status too: with b full, a (empty, DRAINING) is not used.
  ci.reserve(b, 2048, 4000);
  Placer placer(RandomStream(1));
  CHECK(placer.place(ci, PlacementRequest{512, 512}).failure == PlacementFailure::kResourceCpu);
  ci.deregister(a);
  CHECK_FALSE(ci.registered(a));
  CHECK(ci.draining(a));
}

TEST_CASE("a failed placement names the resource AWS would name", "[ecs]") {
  ContainerInstances ci;
  CHECK(ci.why_not(256, 256) == PlacementFailure::kNoInstances);
  ci.register_instance(InstanceId{0}, AzId{0}, 1024, 2000);
  ci.register_instance(InstanceId{1}, AzId{0}, 4096, 1000);
  // No instance has 8192 units: RESOURCE:CPU.
  CHECK(ci.why_not(8192, 100) == PlacementFailure::kResourceCpu);
  // The second has the CPU but not 1500 MiB, the first the memory but not 2048 units.
  CHECK(ci.why_not(2048, 1500) == PlacementFailure::kResourceMemory);
  CHECK(ci.why_not(512, 512) == PlacementFailure::kNone);
  CHECK(to_string(PlacementFailure::kResourceCpu) == "RESOURCE:CPU");
  CHECK(to_string(PlacementFailure::kResourceMemory) == "RESOURCE:MEMORY");
}

namespace {

constexpr HostPort tcp(std::uint16_t port) { return {port, Protocol::kTcp}; }
constexpr HostPort udp(std::uint16_t port) { return {port, Protocol::kUdp}; }

}  // namespace

TEST_CASE("the agent reserves ECS_RESERVED_PORTS on every instance it registers", "[ecs]") {
  ContainerInstances ci;
  const auto a = ci.register_instance(InstanceId{0}, AzId{0}, 2048, 4000);
  // The Linux default: [22, 2375, 2376, 51678, 51679], tcp; no udp port.
  const std::array<HostPort, 5> defaults{tcp(22), tcp(2375), tcp(2376), tcp(51678), tcp(51679)};
  CHECK(std::ranges::equal(ci.reserved_ports(a), defaults));
  CHECK_FALSE(ci.ports_free(a, std::array{tcp(22)}));
  CHECK_FALSE(ci.ports_free(a, std::array{tcp(80), tcp(51679)}));
  CHECK(ci.ports_free(a, std::array{udp(22)}));
  CHECK(ci.ports_free(a, std::array{tcp(80), tcp(51680)}));
  // A task asking for host port 22 fits nowhere, however much room there is.
  CHECK_FALSE(ci.first_fit(256, 256, std::array{tcp(22)}));
  CHECK(ci.why_not(256, 256, std::array{tcp(22)}) == PlacementFailure::kResourcePorts);
  // An agent configured otherwise (here: nothing reserved) leaves 22 free.
  const auto b = ci.register_instance(InstanceId{1}, AzId{0}, 2048, 4000, {});
  CHECK(ci.reserved_ports(b).empty());
  CHECK(ci.first_fit(256, 256, std::array{tcp(22)}) == b);
}

TEST_CASE("a static host port is held by one task per instance until it is released", "[ecs]") {
  ContainerInstances ci;
  const auto a = ci.register_instance(InstanceId{0}, AzId{0}, 2048, 4000);
  const auto b = ci.register_instance(InstanceId{1}, AzId{0}, 2048, 4000);
  const std::array web{tcp(80)};
  // Two tasks of 256 units and 256 MiB mapping host port 80: the first takes a, the second
  // finds a's port 80 taken (a still has the room) and goes to b.
  REQUIRE(ci.first_fit(256, 256, web) == a);
  ci.reserve(a, 256, 256, web);
  CHECK(ci.reserved_ports(a).size() == 6);  // the agent's 5 and 80
  REQUIRE(ci.first_fit(256, 256, web) == b);
  ci.reserve(b, 256, 256, web);
  // A third finds both taken: the resources fit, the ports do not.
  CHECK_FALSE(ci.first_fit(256, 256, web));
  CHECK(ci.why_not(256, 256, web) == PlacementFailure::kResourcePorts);
  // Tasks with dynamic ports (no static host port) still go to a.
  CHECK(ci.first_fit(256, 256) == a);
  // Stopping the task on a frees its port there.
  ci.release(a, 256, 256, web);
  CHECK(ci.first_fit(256, 256, web) == a);
  CHECK(ci.reserved_ports(a).size() == 5);
  CHECK(to_string(PlacementFailure::kResourcePorts) == "RESOURCE:PORTS");
}

TEST_CASE("tcp and udp on the same port number do not clash", "[ecs]") {
  ContainerInstances ci;
  const auto a = ci.register_instance(InstanceId{0}, AzId{0}, 2048, 4000);
  const TaskGroupIndex dns = ci.add_task_group();
  ci.reserve(a, 256, 256, dns, std::array{udp(53)});
  CHECK(ci.first_fit(256, 256, std::array{tcp(53)}) == a);
  ci.reserve(a, 256, 256, dns, std::array{tcp(53)});
  CHECK_FALSE(ci.first_fit(256, 256, std::array{udp(53)}));
  CHECK(ci.group_tasks(dns, a) == 2);
  ci.release(a, 256, 256, dns, std::array{udp(53)});
  CHECK(ci.first_fit(256, 256, std::array{udp(53)}) == a);
  CHECK_FALSE(ci.first_fit(256, 256, std::array{tcp(53)}));
}

TEST_CASE("a failed placement names CPU, then memory, then ports", "[ecs]") {
  ContainerInstances ci;
  const auto a = ci.register_instance(InstanceId{0}, AzId{0}, 1024, 1000);
  ci.register_instance(InstanceId{1}, AzId{0}, 4096, 8000);
  ci.reserve(a, 0, 0, std::array{tcp(80)});
  const std::array web{tcp(80)};
  // Instance 1 has port 80 free: only its resources matter.
  CHECK(ci.why_not(8192, 100, web) == PlacementFailure::kResourceCpu);
  CHECK(ci.why_not(2048, 9000, web) == PlacementFailure::kResourceMemory);
  // Only a has room for 512 MiB when 1 is nearly full; a's port 80 is taken: ports.
  ci.reserve(1, 4096, 7800);
  CHECK(ci.why_not(0, 512, web) == PlacementFailure::kResourcePorts);
  // Memory comes before ports: a 2000 MiB task fits neither, so it is memory.
  CHECK(ci.why_not(0, 2000, web) == PlacementFailure::kResourceMemory);
}

TEST_CASE("an instance holds at most 100 reserved host ports, the agent's included", "[ecs]") {
  ContainerInstances ci;
  const auto a = ci.register_instance(InstanceId{0}, AzId{0}, 4096, 8000);
  // 95 ports from 1000 up fit beside the agent's 5 (exactly 100); one more port does not.
  std::vector<HostPort> many;
  for (std::uint16_t p = 1000; p < 1095; ++p) many.push_back(tcp(p));
  REQUIRE(ci.ports_free(a, many));
  ci.reserve(a, 0, 0, many);
  CHECK(ci.reserved_ports(a).size() == kMaxReservedPorts);
  CHECK_FALSE(ci.ports_free(a, std::array{tcp(8080)}));
  CHECK(ci.why_not(0, 0, std::array{tcp(8080)}) == PlacementFailure::kResourcePorts);
  // Dynamic ports do not count: a task without static ones still fits.
  CHECK(ci.first_fit(256, 256) == a);
  // 96 ports never fit a fresh instance: 5 + 96 = 101.
  const auto b = ci.register_instance(InstanceId{1}, AzId{0}, 4096, 8000);
  many.push_back(tcp(1095));
  CHECK_FALSE(ci.ports_free(b, many));
}
