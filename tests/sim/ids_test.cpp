#include <catch2/catch.hpp>

#include <type_traits>
#include <unordered_set>

#include "ecsim/sim/ids.hpp"

using namespace ecsim;

TEST_CASE("ids of different entities are different types that do not convert", "[sim]") {
  STATIC_REQUIRE_FALSE(std::is_convertible_v<TaskId, InstanceId>);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<InstanceId, TaskId>);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<TaskId, std::uint32_t>);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<std::uint32_t, TaskId>);
  STATIC_REQUIRE_FALSE(std::is_constructible_v<NodeId, TaskId>);
  STATIC_REQUIRE(std::is_trivially_copyable_v<TaskId>);
  STATIC_REQUIRE(sizeof(AzId) == 2);
}

TEST_CASE("ids compare and hash by their index, and default to invalid", "[sim]") {
  CHECK_FALSE(TaskId{}.valid());
  CHECK(TaskId{} == TaskId::invalid());
  CHECK(TaskId{3}.valid());
  CHECK(TaskId{3}.value() == 3u);
  CHECK(TaskId{3} < TaskId{4});
  CHECK(TaskId{3} != TaskId{4});
  std::unordered_set<TaskId> seen{TaskId{1}, TaskId{2}, TaskId{1}};
  CHECK(seen.size() == 2);
}
