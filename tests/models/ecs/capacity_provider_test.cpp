#include "ecsim/ecs/capacity_provider.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace ecsim;
using namespace ecsim::ecs;

namespace {

using Counts = std::vector<std::int64_t>;

}  // namespace

TEST_CASE("the base is placed first and the rest is split by weight", "[ecs]") {
  // The Spot workshop's strategy: base 2 on-demand, then 1:3. 10 tasks: 2 base, the other 8
  // split 1:3 = 2:6, so 4 and 6.
  const CapacityProviderStrategy od_spot{{"cp-od", 2, 1}, {"cp-spot", 0, 3}};
  CHECK(distribute(od_spot, 10) == Counts{4, 6});
  // 1 task only fills the base.
  CHECK(distribute(od_spot, 1) == Counts{1, 0});
  // Weights 1 and 1 split evenly; 5 tasks go A, B, A, B, A (ties to the earlier provider).
  const CapacityProviderStrategy even{{"FARGATE", 0, 1}, {"FARGATE_SPOT", 0, 1}};
  CHECK(distribute(even, 5) == Counts{3, 2});
  // AWS's example, 1 and 4: for every task on A, four on B. 5 tasks: 1 and 4.
  const CapacityProviderStrategy one_four{{"FARGATE", 0, 1}, {"FARGATE_SPOT", 0, 4}};
  CHECK(distribute(one_four, 5) == Counts{1, 4});
  CHECK(distribute(one_four, 10) == Counts{2, 8});
  // With base 1 on A, 10 tasks: 1 base, 9 left split 1:4 = 1.8:7.2. In order: B, B, B, then a
  // tie at quotient 1 (A 1/1, B 4/4) goes to A, then B, B, B, B (B's quotients 5/4 .. 8/4 = 2),
  // then a tie at 2 goes to A: A = 1 + 2 = 3, B = 7.
  const CapacityProviderStrategy based{{"FARGATE", 1, 1}, {"FARGATE_SPOT", 0, 4}};
  CHECK(distribute(based, 10) == Counts{3, 7});
  CHECK(distribute(based, 0) == Counts{0, 0});
}

TEST_CASE("a zero-weight provider gets nothing beyond its base", "[ecs]") {
  // B weight 0, no base: never used.
  CHECK(distribute({{"FARGATE", 0, 1}, {"FARGATE_SPOT", 0, 0}}, 5) == Counts{5, 0});
  // B weight 0 with base 2: exactly 2, the rest on A.
  CHECK(distribute({{"FARGATE", 0, 1}, {"FARGATE_SPOT", 2, 0}}, 5) == Counts{3, 2});
  // A lone provider takes every task whatever its weight.
  CHECK(distribute({{"asg", 0, 0}}, 4) == Counts{4});
  // A base larger than the task count takes them all.
  CHECK(distribute({{"FARGATE", 5, 1}, {"FARGATE_SPOT", 0, 1}}, 3) == Counts{3, 0});
}

TEST_CASE("tasks added one by one end where a batch of the same size starts", "[ecs]") {
  const CapacityProviderStrategy strategy{{"a", 0, 2}, {"b", 3, 5}, {"c", 0, 0}, {"d", 0, 3}};
  Counts counts(strategy.size(), 0);
  for (std::int64_t n = 0; n < 60; ++n) {
    CHECK(distribute(strategy, n) == counts);
    const std::size_t next = next_provider(strategy, counts);
    ++counts[next];
    // Scaling in by one task undoes the last scale-out.
    CHECK(provider_to_scale_in(strategy, counts) == next);
  }
  // 60 tasks: 3 base on b, 57 by 2:5:3 (shares 11.4 : 28.5 : 17.1). D'Hondt hands out the 57
  // smallest quotients k / weight: below 5.8 there are floor(11.6) + 28 + floor(17.4) = 56, the
  // 57th is b's 29 / 5 = 5.8. So a 11, b 3 + 29 = 32, c 0, d 17.
  CHECK(counts == Counts{11, 32, 0, 17});
}

TEST_CASE("the next task goes to the provider furthest below its weighted share", "[ecs]") {
  const CapacityProviderStrategy even{{"FARGATE", 0, 1}, {"FARGATE_SPOT", 0, 1}};
  // Counts the strategy did not produce (after failures, say) are evened out.
  CHECK(next_provider(even, Counts{0, 10}) == 0);
  CHECK(next_provider(even, Counts{10, 0}) == 1);
  // A base not yet met comes first, whatever the other counts.
  const CapacityProviderStrategy based{{"FARGATE", 0, 1}, {"FARGATE_SPOT", 2, 1}};
  CHECK(next_provider(based, Counts{0, 1}) == 1);
  // Scale-in takes from the provider above its share first, and base tasks last.
  CHECK(provider_to_scale_in(even, Counts{1, 10}) == 1);
  CHECK(provider_to_scale_in(based, Counts{0, 2}) == 1);
  CHECK(provider_to_scale_in(based, Counts{1, 2}) == 0);
  // A zero-weight provider running tasks beyond its base gives them up first.
  CHECK(provider_to_scale_in({{"FARGATE", 0, 1}, {"FARGATE_SPOT", 0, 0}}, Counts{4, 1}) == 1);
}

TEST_CASE("a strategy is checked against AWS's rules, every problem reported", "[ecs]") {
  CHECK(check(CapacityProviderStrategy{{"FARGATE", 1, 1}, {"FARGATE_SPOT", 0, 4}}).empty());
  CHECK(check(CapacityProviderStrategy{{"asg", 0, 0}}).empty());

  CHECK(check(CapacityProviderStrategy{}) ==
        Problems{{"capacityProviderStrategy",
                  "a capacity provider strategy needs at least one capacity provider"}});

  const Problems bases = check(CapacityProviderStrategy{{"FARGATE", 1, 1}, {"FARGATE_SPOT", 2, 1}});
  CHECK(bases == Problems{{"capacityProviderStrategy[1].base",
                           "Only one capacity provider in a capacity provider strategy can have "
                           "a base defined. (capacityProviderStrategy[0] already has base 1)"}});

  CHECK(check(CapacityProviderStrategy{{"FARGATE", 0, 0}, {"FARGATE_SPOT", 3, 0}}) ==
        Problems{{"capacityProviderStrategy",
                  "When multiple capacity providers are specified within a capacity provider "
                  "strategy, at least one of the capacity providers must have a weight value "
                  "greater than zero. (every weight is 0)"}});

  CHECK(check(CapacityProviderStrategy{{"FARGATE", 0, 1}, {"my-asg", 0, 1}}) ==
        Problems{{"capacityProviderStrategy",
                  "A capacity provider strategy can only contain Auto Scaling group capacity "
                  "providers or Fargate capacity providers. (found both)"}});

  const Problems ranges =
      check(CapacityProviderStrategy{{"a", -1, 1001}, {"a", 100'001, 1}, {"", 0, 1}});
  REQUIRE(ranges.size() == 5);
  CHECK(ranges[0] == Problem{"capacityProviderStrategy[0].base",
                             "base must be between 0 and 100000 (found -1)"});
  CHECK(ranges[1] == Problem{"capacityProviderStrategy[0].weight",
                             "weight must be between 0 and 1000 (found 1001)"});
  CHECK(ranges[2] == Problem{"capacityProviderStrategy[1].capacityProvider",
                             "capacity provider 'a' appears more than once in the strategy"});
  CHECK(ranges[3] == Problem{"capacityProviderStrategy[1].base",
                             "base must be between 0 and 100000 (found 100001)"});
  CHECK(ranges[4] == Problem{"capacityProviderStrategy[2].capacityProvider",
                             "capacityProvider must be 1 to 255 characters (found 0)"});

  CapacityProviderStrategy many;
  for (int i = 0; i < 21; ++i) many.push_back({"asg-" + std::to_string(i), 0, 1});
  CHECK(check(many) == Problems{{"capacityProviderStrategy",
                                 "A capacity provider strategy can contain a maximum of 20 "
                                 "capacity providers. (found 21)"}});
}
