#include <catch2/catch.hpp>

#include <string>
#include <variant>
#include <vector>

#include "ecsim/platform/catalog.hpp"
#include "ecsim/scenario/scenario.hpp"

using namespace ecsim;
using namespace ecsim::scenario;

namespace {

const std::string kScenarios = ECSIM_TEST_SCENARIOS;

Scenario load_ok(const std::string& file) {
  const LoadResult r = load_scenario(kScenarios + "/eks/" + file);
  for (const Diagnostic& d : r.diagnostics.all()) INFO(format_diagnostic(d));
  CHECK(r.diagnostics.ok());
  REQUIRE(r.scenario);
  return *r.scenario;
}

platform::InstanceTypeIndex type(const char* name) {
  return platform::InstanceCatalog::builtin().index_of(name);
}

std::vector<AzId> zones(std::initializer_list<int> ids) {
  std::vector<AzId> out;
  for (const int i : ids) out.push_back(AzId{static_cast<AzId::rep_type>(i)});
  return out;
}

}  // namespace

TEST_CASE("an EKS cluster's every key, its node groups as Auto Scaling groups, its operations",
          "[scenario][eks]") {
  const Scenario s = load_ok("full.yaml");
  REQUIRE(s.eks.size() == 1);
  const EksClusterConfig& c = s.eks[0];
  CHECK(c.name == "analytics");
  CHECK(c.config_path == kScenarios + "/eks/cluster.yaml");
  CHECK(c.manifest_paths == std::vector<std::string>{kScenarios + "/eks/app.yaml"});
  CHECK(c.config.name == "analytics");
  REQUIRE(c.config.node_groups.size() == 3);

  // One platform group per node group, named CLUSTER/GROUP, in the eksctl file's order.
  REQUIRE(c.groups.size() == 3);
  REQUIRE(s.platform.groups.size() == 3);
  const auto& system = s.platform.groups[c.groups[0].value()];
  CHECK(system.name == "analytics/system");
  CHECK(system.instance_type == type("m6i.large"));
  CHECK((system.min == 2 && system.desired == 2 && system.max == 2));
  CHECK(system.azs == zones({0, 1}));  // the group's own zones
  CHECK_FALSE(system.spot);
  const auto& workers = s.platform.groups[c.groups[1].value()];
  CHECK(workers.name == "analytics/workers");
  CHECK((workers.min == 3 && workers.desired == 6 && workers.max == 12));
  CHECK(workers.azs == zones({0, 1, 2}));  // the cluster's zones
  const auto& spot = s.platform.groups[c.groups[2].value()];
  CHECK(spot.instance_type == type("c6i.xlarge"));
  // minSize 0, maxSize 10, no desiredCapacity: the group starts at its minimum.
  CHECK((spot.min == 0 && spot.desired == 0 && spot.max == 10));
  CHECK(spot.spot);

  CHECK(c.manifests.deployments.size() == 1);
  CHECK(c.manifests.pdbs.size() == 1);
  CHECK(c.manifests.namespaces == std::vector<std::string>{"batch"});
  CHECK(c.manifests.notes.size() == 1);

  CHECK(c.scheduler.profile == "requested-to-capacity-ratio");
  CHECK(c.scheduler.shape == std::vector<UtilizationShapePoint>{{0, 10}, {100, 0}});
  CHECK(c.scheduler.percentage_of_nodes_to_score == 50u);
  CHECK(c.api_mutating_rps == 50.0);
  CHECK(c.node_monitor_grace == std::chrono::minutes(1));
  CHECK(c.default_toleration == std::chrono::minutes(2));
  REQUIRE(c.quotas.size() == 1);  // `default: {}` sets no quota
  CHECK(c.quotas[0].meta.name_space == "batch");
  CHECK(c.quotas[0].pods == 30);
  CHECK(c.quotas[0].requests_cpu_millis == 40'000);
  CHECK(c.quotas[0].requests_memory_bytes == 80LL << 30);

  REQUIRE(c.jobs.size() == 1);
  CHECK(c.jobs[0].name == "nightly");
  CHECK(c.jobs[0].name_space == "batch");
  CHECK(c.jobs[0].job == 0);
  CHECK(std::holds_alternative<workload::LognormalDuration>(c.jobs[0].duration));
  REQUIRE(c.jobs[0].arrivals);
  CHECK(std::holds_alternative<workload::ConstantArrivals>(*c.jobs[0].arrivals));

  // In time order; the two at 2h in the order of the file.
  using Kind = EksOperation::Kind;
  REQUIRE(c.operations.size() == 4);
  CHECK(c.operations[0].kind == Kind::kNodeGroupUpdate);
  CHECK(c.operations[0].at == kSimStart + std::chrono::hours(2));
  CHECK(c.operations[0].node_group == 1);
  CHECK(c.operations[0].force);
  CHECK(c.operations[1].kind == Kind::kCordon);
  CHECK(c.operations[1].node_group == 0);
  CHECK_FALSE(c.operations[1].node);
  CHECK(c.operations[2].kind == Kind::kDrain);
  CHECK(c.operations[2].at == kSimStart + std::chrono::hours(3));
  CHECK(c.operations[2].node == 0u);
  CHECK(c.operations[3].kind == Kind::kRollout);
  CHECK(c.operations[3].at == kSimStart + std::chrono::hours(5));
  CHECK(c.operations[3].deployment == 0);
  CHECK(c.operations[3].replicas == 4);
  CHECK(c.operations[3].cpu_millis == 750);
  CHECK(c.operations[3].memory_bytes == std::int64_t{1} << 30);
  CHECK(c.operations[3].broken);

  // An instance failure names the cluster: any of its node groups.
  REQUIRE(s.platform.faults.size() == 1);
  CHECK(s.platform.faults[0].groups == c.groups);
  CHECK(s.platform.faults[0].count == 2);
}

TEST_CASE("the microservices demo on eksctl's managed node groups loads unchanged",
          "[scenario][eks]") {
  const Scenario s = load_ok("microservices.yaml");
  REQUIRE(s.eks.size() == 1);
  const EksClusterConfig& c = s.eks[0];
  CHECK(c.manifests.deployments.size() == 12);
  CHECK(c.manifests.notes.size() == 23);
  // Four managed groups: 3 (of 2..4) + 2 + 2 + 2 nodes, all m5.large.
  REQUIRE(c.groups.size() == 4);
  std::uint32_t nodes = 0;
  for (const GroupId g : c.groups) {
    CHECK(s.platform.groups[g.value()].instance_type == type("m5.large"));
    nodes += s.platform.groups[g.value()].desired;
  }
  CHECK(nodes == 9);
  // managed-ng-public runs in its two zones; the others in every zone of the platform (the file
  // names none for the cluster).
  CHECK(s.platform.groups[c.groups[0].value()].azs == zones({0, 1}));
  CHECK(s.platform.groups[c.groups[1].value()].azs == zones({0, 1, 2}));
  CHECK(c.scheduler.profile == "default-scheduler");
  CHECK(c.scheduler.shape.empty());
  CHECK_FALSE(c.scheduler.percentage_of_nodes_to_score);
  CHECK_FALSE(c.api_mutating_rps);
  // No Kubernetes version given: the current default, 50 s (40 s before 1.32).
  CHECK(c.config.version.empty());
  CHECK(c.node_monitor_grace == std::chrono::seconds(50));
  CHECK(c.default_toleration == std::chrono::seconds(300));
}

TEST_CASE("eksctl's advanced node groups: cluster zones, a one-zone group, a failure by cluster",
          "[scenario][eks]") {
  const Scenario s = load_ok("advanced-nodegroups.yaml");
  const EksClusterConfig& c = s.eks.at(0);
  REQUIRE(c.groups.size() == 3);
  CHECK(s.platform.groups[c.groups[0].value()].azs == zones({0, 1, 2}));
  CHECK(s.platform.groups[c.groups[2].value()].azs == zones({0}));
  CHECK(s.platform.groups[c.groups[2].value()].instance_type == type("c3.8xlarge"));
  CHECK(s.platform.faults.at(0).groups == c.groups);
}
