// A cluster's container instances: an Auto Scaling group, a fixed list, or both, with custom
// attributes (tests/scenarios/capacity/fixed.yaml); the bad inputs are in bad/fixed-instances.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ecsim/scenario/scenario.hpp"

using namespace ecsim;
using namespace ecsim::scenario;

namespace {

const Scenario& fixed_scenario() {
  static const LoadResult r = load_scenario(ECSIM_TEST_SCENARIOS "/capacity/fixed.yaml");
  for (const Diagnostic& d : r.diagnostics.all()) INFO(format_diagnostic(d));
  REQUIRE(r.scenario);
  return *r.scenario;
}

}  // namespace

TEST_CASE("a fixed list of instances becomes platform groups that are never replaced",
          "[scenario]") {
  const Scenario& s = fixed_scenario();
  // Groups in the order the file gives them: shop's Auto Scaling group, its two list entries,
  // then by-hand's one.
  REQUIRE(s.platform.groups.size() == 4);
  const auto& groups = s.platform.groups;
  CHECK(groups[0].name == "shop");
  CHECK(groups[0].replace);
  CHECK(groups[1].name == "shop/instances[0]");
  CHECK(groups[2].name == "shop/instances[1]");
  CHECK(groups[3].name == "by-hand/instances[0]");
  for (std::size_t g = 1; g < 4; ++g) {
    INFO(groups[g].name);
    CHECK_FALSE(groups[g].replace);
    CHECK(groups[g].min == 0);
    CHECK(groups[g].desired == groups[g].max);
    CHECK(groups[g].azs.size() == 1);
  }
  // count 2 in us-east-1b, Spot; count defaults to 1 and spot to false.
  CHECK(groups[1].desired == 2);
  CHECK(groups[1].azs == std::vector<AzId>{AzId{1}});
  CHECK(groups[1].spot);
  CHECK(groups[2].desired == 1);
  CHECK(groups[2].azs == std::vector<AzId>{AzId{2}});
  CHECK_FALSE(groups[2].spot);

  REQUIRE(s.ecs.size() == 2);
  const EcsClusterConfig& shop = s.ecs[0];
  CHECK(shop.asg == GroupId{0});
  REQUIRE(shop.fixed_instances.size() == 2);
  CHECK(shop.fixed_instances[0].group == GroupId{1});
  CHECK(shop.fixed_instances[1].group == GroupId{2});
  CHECK(shop.groups() == std::vector<GroupId>{GroupId{0}, GroupId{1}, GroupId{2}});
  const EcsClusterConfig& by_hand = s.ecs[1];
  CHECK_FALSE(by_hand.asg);
  CHECK(by_hand.has_instances());
  CHECK(by_hand.groups() == std::vector<GroupId>{GroupId{3}});
}

TEST_CASE("custom attributes are read for the group and for each list entry", "[scenario]") {
  const EcsClusterConfig& shop = fixed_scenario().ecs[0];
  CHECK(shop.asg_attributes == std::vector<CustomAttribute>{{"team", "web"}});
  // In file order; `~` is an attribute set without a value.
  CHECK(shop.fixed_instances[0].attributes ==
        std::vector<CustomAttribute>{{"team", "payments"}, {"rack/1", "a@b:c d"}, {"gpu", ""}});
  CHECK(shop.fixed_instances[1].attributes.empty());
}

TEST_CASE("a spread on a custom attribute and a memberOf on one are accepted", "[scenario]") {
  const ServiceConfig& web = fixed_scenario().ecs[0].services.at(0);
  REQUIRE(web.placement_strategy.size() == 2);
  CHECK(web.placement_strategy[0].type == ecs::StrategyType::kSpread);
  CHECK(web.placement_strategy[0].field == ecs::StrategyField::kAttribute);
  CHECK(web.placement_strategy[0].attribute == ModelledAttribute::kCustom);
  CHECK(web.placement_strategy[0].custom == "team");
  CHECK(web.placement_strategy[1].field == ecs::StrategyField::kCpu);
  REQUIRE(web.member_of.size() == 1);
  CHECK(web.member_of[0].text() == "attribute:team exists");
}

TEST_CASE("drains and faults take a cluster's instances from its group and its list",
          "[scenario]") {
  const Scenario& s = fixed_scenario();
  // A zone of the list only; instance 4 is beyond the group's max of 2 but within the 2 + 2 +
  // 1 the cluster may have.
  const EcsClusterConfig& shop = s.ecs[0];
  REQUIRE(shop.drains.size() == 2);
  CHECK(shop.drains[0].kind == DrainConfig::Kind::kAz);
  CHECK(shop.drains[0].az == AzId{2});
  CHECK(shop.drains[1].instance == 4);
  CHECK(s.ecs[1].drains.size() == 1);
  REQUIRE(s.platform.faults.size() == 1);
  CHECK(s.platform.faults[0].groups == std::vector<GroupId>{GroupId{0}, GroupId{1}, GroupId{2}});
  CHECK(s.platform.faults[0].count == 2);
  REQUIRE(s.platform.failure_processes.size() == 2);
  CHECK(s.platform.failure_processes[0].groups == std::vector<GroupId>{GroupId{3}});
  CHECK(s.platform.failure_processes[1].groups.empty());  // every group
}

TEST_CASE("a cluster with only a fixed list takes EC2 jobs", "[scenario]") {
  const EcsClusterConfig& by_hand = fixed_scenario().ecs[1];
  REQUIRE(by_hand.jobs.size() == 1);
  CHECK(by_hand.jobs[0].launch_type == LaunchType::kEc2);
}
