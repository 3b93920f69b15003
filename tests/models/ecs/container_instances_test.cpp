#include <catch2/catch.hpp>

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
