#include <catch2/catch.hpp>

#include <type_traits>
#include <vector>
#include <unordered_set>

#include "ecsim/sim/id_vector.hpp"
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

template <class V, class I>
concept IndexableBy = requires(V v, I i) { v[i]; };

TEST_CASE("an id vector is indexed by its id only and walks its ids in order", "[sim]") {
  STATIC_REQUIRE(IndexableBy<IdVector<TaskId, int>, TaskId>);
  STATIC_REQUIRE_FALSE(IndexableBy<IdVector<TaskId, int>, NodeId>);
  STATIC_REQUIRE_FALSE(IndexableBy<IdVector<TaskId, int>, std::uint32_t>);
  IdVector<TaskId, int> v;
  CHECK(v.next_id() == TaskId{0});
  CHECK(v.push_back(10) == TaskId{0});
  CHECK(v.push_back(20) == TaskId{1});
  v[TaskId{1}] += 1;
  CHECK(v[TaskId{1}] == 21);
  CHECK(v.contains(TaskId{1}));
  CHECK_FALSE(v.contains(TaskId{2}));
  CHECK_FALSE(v.contains(TaskId::invalid()));
  std::vector<TaskId> seen;
  for (const TaskId t : v.ids()) seen.push_back(t);
  CHECK(seen == std::vector<TaskId>{TaskId{0}, TaskId{1}});
  v.resize(4, 7);
  CHECK(v[TaskId{3}] == 7);
  CHECK(v.raw().size() == 4);
  std::vector<ClusterId> clusters;
  for (const ClusterId c : IdRange<ClusterId>{3}) clusters.push_back(c);
  CHECK(clusters.back() == ClusterId{2});
}
