#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "eksctl_reader.hpp"

using namespace ecsim;
using namespace ecsim::scenario;
using namespace ecsim::scenario::detail;

namespace {

const std::string kRealworld = ECSIM_REALWORLD_DIR;

using Lines = std::vector<std::string>;

// The labels eksctl gives every node group, and those EKS adds to a managed group's nodes.
eks::Labels eksctl_labels(const std::string& cluster, const std::string& group) {
  return {{"alpha.eksctl.io/cluster-name", cluster}, {"alpha.eksctl.io/nodegroup-name", group}};
}
eks::Labels managed_labels(const std::string& cluster, const std::string& group, bool spot) {
  eks::Labels l = eksctl_labels(cluster, group);
  l["eks.amazonaws.com/nodegroup"] = group;
  l["eks.amazonaws.com/capacityType"] = spot ? "SPOT" : "ON_DEMAND";
  return l;
}

eks::NodeGroupConfig group(std::string name, bool managed, std::string type, std::uint32_t min,
                           std::uint32_t desired, std::uint32_t max) {
  eks::NodeGroupConfig g;
  g.name = std::move(name);
  g.managed = managed;
  g.instance_type = std::move(type);
  g.min = min;
  g.desired = desired;
  g.max = max;
  return g;
}

eks::Taint taint(std::string key, std::string value, eks::TaintEffect effect) {
  return eks::Taint{std::move(key), std::move(value), effect};
}

EksctlContext zones_of(const std::string& region) {
  return EksctlContext{region, {region + "a", region + "b", region + "c"}};
}

// Reads a real file; fails the test with every diagnostic when it does not load.
eks::ClusterConfig load_real(const std::string& file, const std::string& region,
                             std::vector<std::string> zones = {}) {
  Diagnostics d;
  const EksctlContext context =
      zones.empty() ? zones_of(region) : EksctlContext{region, std::move(zones)};
  const auto config = read_eksctl_file(kRealworld + "/eksctl/" + file, context, d,
                                       SourceLocation{"scenario.yaml", 1, 1}, "eks[0].config");
  for (const Diagnostic& x : d.all()) INFO(format_diagnostic(x));
  CHECK(d.ok());
  REQUIRE(config);
  return *config;
}

// The cluster read from `text` (as file "c.yaml") in us-east-1, or every diagnostic.
struct Read {
  std::optional<eks::ClusterConfig> config;
  Lines problems;
};
Read read_text(const std::string& text) {
  Diagnostics d;
  Read out;
  if (const auto doc = parse_document(text, "c.yaml", d))
    out.config = read_eksctl(Reader(*doc, d), zones_of("us-east-1"));
  for (const Diagnostic& x : d.sorted()) out.problems.push_back(format_diagnostic(x));
  return out;
}

const std::string kHeader =
    "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: c, region: "
    "us-east-1}\n";

}  // namespace

TEST_CASE("01-simple-cluster: one self-managed group of one m5.large", "[scenario][eks]") {
  const eks::ClusterConfig c = load_real("01-simple-cluster.yaml", "eu-north-1");
  CHECK(c.name == "cluster-1");
  CHECK(c.region == "eu-north-1");
  CHECK(c.azs.empty());
  // desiredCapacity 1 alone: minSize and maxSize default to it.
  eks::NodeGroupConfig ng1 = group("ng-1", false, "m5.large", 1, 1, 1);
  ng1.labels = eksctl_labels("cluster-1", "ng-1");
  REQUIRE(c.node_groups.size() == 1);
  CHECK(c.node_groups[0] == ng1);
}

TEST_CASE("05-advanced-nodegroups: sizes, labels, a taint and a one-zone group",
          "[scenario][eks]") {
  const eks::ClusterConfig c = load_real("05-advanced-nodegroups.yaml", "eu-west-2");
  CHECK(c.name == "cluster-5");
  CHECK(c.azs == std::vector<std::string>{"eu-west-2a", "eu-west-2b", "eu-west-2c"});
  REQUIRE(c.node_groups.size() == 3);
  // minSize 2, maxSize 8, no desiredCapacity: the group starts at its minimum, 2.
  eks::NodeGroupConfig ng1 = group("ng1-public", false, "m5.xlarge", 2, 2, 8);
  ng1.labels = eksctl_labels("cluster-5", "ng1-public");
  ng1.labels["nodegroup-type"] = "frontend-workloads";
  CHECK(c.node_groups[0] == ng1);
  eks::NodeGroupConfig ng2 = group("ng2-private-a", false, "m5.large", 2, 2, 2);
  ng2.labels = eksctl_labels("cluster-5", "ng2-private-a");
  ng2.labels["nodegroup-type"] = "backend-cluster-addons";
  CHECK(c.node_groups[1] == ng2);
  eks::NodeGroupConfig ng3 = group("ng3-private-b", false, "c3.8xlarge", 4, 4, 4);
  ng3.labels = eksctl_labels("cluster-5", "ng3-private-b");
  ng3.labels["nodegroup-type"] = "very-special-science-workloads";
  ng3.taints = {taint("special", "true", eks::TaintEffect::kNoSchedule)};
  ng3.azs = {"eu-west-2a"};
  CHECK(c.node_groups[2] == ng3);
}

TEST_CASE("16-fargate-profile: a node group and two Fargate profiles", "[scenario][eks]") {
  const eks::ClusterConfig c = load_real("16-fargate-profile.yaml", "ap-northeast-1");
  CHECK(c.name == "cluster-16");
  REQUIRE(c.node_groups.size() == 1);
  REQUIRE(c.fargate_profiles.size() == 2);
  const eks::FargateProfile fp_default{"fp-default", {{"default", {}}, {"kube-system", {}}}};
  const eks::FargateProfile fp_dev{"fp-dev", {{"dev", {{"checks", "passed"}, {"env", "dev"}}}}};
  CHECK(c.fargate_profiles[0] == fp_default);
  CHECK(c.fargate_profiles[1] == fp_dev);
}

TEST_CASE("23-kubeflow-spot-instance: previous-generation GPU types in all-Spot groups", "[scenario][eks]") {
  // p2.xlarge, p3.2xlarge and p3.8xlarge are previous-generation types of the catalog.
  const eks::ClusterConfig c = load_real("23-kubeflow-spot-instance.yaml", "us-east-1",
                                         {"us-east-1a", "us-east-1b", "us-east-1d", "us-east-1f"});
  CHECK(c.version == "1.14");
  REQUIRE(c.node_groups.size() == 6);
  CHECK(c.node_groups[2].instance_type == "p2.xlarge");
  CHECK(c.node_groups[3].instance_type == "p3.2xlarge");
  CHECK(c.node_groups[4].instance_type == "p3.8xlarge");
  for (std::size_t i = 2; i < 6; ++i) {
    CHECK(c.node_groups[i].spot);
    REQUIRE(c.node_groups[i].distribution);
    CHECK(c.node_groups[i].distribution->spot_allocation ==
          platform::SpotAllocation::kCapacityOptimized);
    CHECK(c.node_groups[i].desired == 0u);
  }
}

TEST_CASE("26-managed-nodegroup-spot-instances: several types, Spot and On-Demand", "[scenario][eks]") {
  const eks::ClusterConfig c = load_real("26-managed-nodegroup-spot-instances.yaml", "us-west-2");
  REQUIRE(c.node_groups.size() == 3);
  CHECK(c.node_groups[0].spot);
  CHECK(c.node_groups[0].instance_types ==
        std::vector<std::string>{"c3.large", "c4.large", "c5.large", "c5d.large", "c5n.large",
                                 "c5a.large"});
  CHECK(c.node_groups[1].spot);
  CHECK(c.node_groups[1].instance_type == "m5.large");
  CHECK_FALSE(c.node_groups[2].spot);
  CHECK(c.node_groups[2].instance_type == "c3.large");
}

TEST_CASE("27-oidc-provider: an identity provider's fields are its variant's", "[scenario][eks]") {
  // eksctl decodes identityProviders[] by their `type` (oidc) into OIDCIdentityProvider: its
  // name, issuerURL, clientID and usernameClaim are fields of the entry (accepted, not
  // simulated).
  const eks::ClusterConfig c = load_real("27-oidc-provider.yaml", "us-west-2");
  CHECK(c.name == "cluster-26");
  CHECK(c.node_groups.size() == 1);
  // A field of no variant is still unknown.
  const Read r = read_text(kHeader + "identityProviders: [{type: oidc, issuerUrl: x}]\n");
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].find("issuerUrl") != std::string::npos);
}

TEST_CASE("28-instance-selector: the catalog's types of exactly those vCPUs and memory", "[scenario][eks]") {
  const eks::ClusterConfig c = load_real("28-instance-selector.yaml", "us-west-2");
  REQUIRE(c.node_groups.size() == 2);
  // vCPUs 2, memory "4" (GiB without a unit), x86_64: every such type of the catalog, by name.
  const eks::NodeGroupConfig& ng = c.node_groups[0];
  CHECK(ng.instance_type == "c5.large");
  REQUIRE(ng.instance_types.size() == 21);
  CHECK(ng.instance_types.back() == "t3a.medium");
  REQUIRE(ng.distribution);  // a self-managed group gets them as its instancesDistribution's
  CHECK(ng.distribution->on_demand_percent == 100u);
  // vCPUs 2, memory 2GiB.
  CHECK(c.node_groups[1].instance_types == std::vector<std::string>{"t3.small", "t3a.small"});
  CHECK(c.node_groups[1].instance_type == "t3.small");
}

TEST_CASE("instanceSelector's problems get eksctl's messages", "[scenario][eks]") {
  const Read r = read_text(kHeader +
                           "managedNodeGroups:\n"
                           "  - name: a\n"
                           "    instanceSelector: {vCPUs: 2, memory: 4 apples}\n"
                           "  - name: b\n"
                           "    instanceSelector: {vCPUs: 2}\n"
                           "  - name: c\n"
                           "    instanceTypes: [m5.large]\n"
                           "    instanceSelector: {vCPUs: 2, memory: 2048 MiB}\n"
                           "  - name: d\n"
                           "    instanceSelector: {vCPUs: 3, memory: 16, cpuArchitecture: arm64}\n");
  CHECK_FALSE(r.config);
  CHECK(r.problems ==
        Lines{"c.yaml:6:42: error: managedNodeGroups[0].instanceSelector.memory: error expanding "
              "instance selector options for nodegroup \"a\": invalid value \"4 apples\" for "
              "instanceSelector.memory: 4 apples is not a valid byte quantity",
              "c.yaml:8:23: error: managedNodeGroups[1].instanceSelector: instance selector "
              "filters resulted in 96 instance types, which is greater than the maximum of 40, "
              "please set more selector options",
              "c.yaml:11:23: error: managedNodeGroups[2].instanceSelector: instance types matched "
              "by instance selector criteria do not match managedNodeGroup.instanceTypes for "
              "nodegroup \"c\"; either remove instanceSelector or instanceTypes and retry the "
              "operation (it matches t3.small, t3a.small)",
              "c.yaml:13:23: error: managedNodeGroups[3].instanceSelector: error expanding "
              "instance selector options for nodegroup \"d\": instance selector criteria matched "
              "no instances; consider broadening your criteria so that more instance types are "
              "returned"});
}

TEST_CASE("15-managed-nodes: managed groups with eksctl's default sizes and type",
          "[scenario][eks]") {
  const eks::ClusterConfig c = load_real("15-managed-nodes.yaml", "us-west-2");
  CHECK(c.name == "cluster-15");
  REQUIRE(c.node_groups.size() == 4);
  eks::NodeGroupConfig pub = group("managed-ng-public", true, "m5.large", 2, 3, 4);
  pub.azs = {"us-west-2a", "us-west-2b"};
  pub.labels = managed_labels("cluster-15", "managed-ng-public", false);
  pub.labels["role"] = "worker";
  pub.taints = {taint("key1", "value1", eks::TaintEffect::kNoSchedule),
                taint("key2", "", eks::TaintEffect::kNoExecute)};
  pub.max_unavailable = eks::IntOrPercent{3, false};
  CHECK(c.node_groups[0] == pub);
  // No size at all: DefaultNodeCount 2 for min, desired and max. No instanceType: m5.large,
  // also for the launch-template group (whose type ecsim cannot see).
  for (std::size_t i = 1; i < 4; ++i) {
    const std::string name = c.node_groups[i].name;
    eks::NodeGroupConfig g = group(name, true, "m5.large", 2, 2, 2);
    g.labels = managed_labels("cluster-15", name, false);
    CHECK(c.node_groups[i] == g);
  }
  CHECK(c.node_groups[1].name == "managed-ng-private");
  CHECK(c.node_groups[2].name == "custom-ami");
  CHECK(c.node_groups[3].name == "custom-launch-template");
}

TEST_CASE("34-taints: taints of self-managed and managed groups", "[scenario][eks]") {
  const eks::ClusterConfig c = load_real("34-taints.yaml", "us-west-1");
  REQUIRE(c.node_groups.size() == 4);
  using eks::TaintEffect;
  const std::vector<std::vector<eks::Taint>> taints{
      {taint("your.domain.com/db", "true", TaintEffect::kNoSchedule),
       taint("your.domain.com/production", "true", TaintEffect::kNoExecute)},
      {taint("your.domain.com/sensitive-information", "true", TaintEffect::kNoSchedule)},
      {}};
  const char* names[] = {"ng1-public", "ng2-private", "ng3-public"};
  for (std::size_t i = 0; i < 3; ++i) {
    eks::NodeGroupConfig g = group(names[i], false, "m5.xlarge", 2, 2, 8);
    g.labels = eksctl_labels("taints-1", names[i]);
    g.taints = taints[i];
    CHECK(c.node_groups[i] == g);
  }
  eks::NodeGroupConfig m = group("mng1-public", true, "m5.large", 2, 2, 2);
  m.labels = managed_labels("taints-1", "mng1-public", false);
  m.taints = {taint("your.domain.com/memory-pressure", "true", TaintEffect::kPreferNoSchedule),
              taint("your.domain.com/needs-auth", "true", TaintEffect::kNoExecute)};
  CHECK(c.node_groups[3] == m);
}

TEST_CASE(
    "eksctl's size defaults: min from desired or 2, max from desired or min, desired from "
    "min",
    "[scenario][eks]") {
  struct Case {
    std::string sizes;
    std::uint32_t min, desired, max;
  };
  const std::vector<Case> cases{{"{}", 2, 2, 2},                    // DefaultNodeCount everywhere
                                {"{desiredCapacity: 5}", 5, 5, 5},  // min = max = desired
                                {"{minSize: 3}", 3, 3, 3},          // desired = min, max = min
                                {"{maxSize: 6}", 2, 2, 6},          // min 2, desired = min
                                {"{minSize: 1, maxSize: 4}", 1, 1, 4},          // desired = min
                                {"{desiredCapacity: 3, maxSize: 9}", 3, 3, 9},  // min = desired
                                {"{minSize: 0, desiredCapacity: 0}", 0, 0, 0},  // max = desired
                                {"{minSize: 1, desiredCapacity: 2, maxSize: 3}", 1, 2, 3}};
  for (const Case& c : cases) {
    SECTION(c.sizes) {
      // The sizes as keys of the node group, one a line.
      std::string keys = c.sizes.substr(1, c.sizes.size() - 2);
      for (std::size_t at; (at = keys.find(", ")) != std::string::npos;)
        keys.replace(at, 2, "\n    ");
      const std::string text =
          kHeader + "nodeGroups:\n  - name: g\n    instanceType: m5.large\n    " + keys + "\n";
      const Read r = read_text(text);
      INFO(text);
      REQUIRE(r.problems.empty());
      const eks::NodeGroupConfig& g = r.config->node_groups.at(0);
      CHECK(g.min == c.min);
      CHECK(g.desired == c.desired);
      CHECK(g.max == c.max);
    }
  }
}

TEST_CASE("both forms of self-managed taints read alike", "[scenario][eks]") {
  const Read list = read_text(kHeader +
                              "nodeGroups:\n  - name: g\n    taints:\n"
                              "      - {key: a, value: \"1\", effect: NoSchedule}\n"
                              "      - {key: b, effect: NoExecute}\n");
  const Read map = read_text(kHeader +
                             "nodeGroups:\n  - name: g\n    taints:\n"
                             "      a: \"1:NoSchedule\"\n      b: \":NoExecute\"\n");
  REQUIRE(list.problems.empty());
  REQUIRE(map.problems.empty());
  const std::vector<eks::Taint> expected{taint("a", "1", eks::TaintEffect::kNoSchedule),
                                         taint("b", "", eks::TaintEffect::kNoExecute)};
  CHECK(list.config->node_groups[0].taints == expected);
  CHECK(map.config->node_groups[0].taints == expected);
}

TEST_CASE("Spot capacity: spot on managed groups, an all-Spot instances distribution",
          "[scenario][eks]") {
  const Read r = read_text(
      kHeader +
      "nodeGroups:\n"
      "  - name: all-spot\n"
      "    instancesDistribution:\n"
      "      instanceTypes: [m5.xlarge, m5.2xlarge]\n"
      "      onDemandBaseCapacity: 0\n"
      "      onDemandPercentageAboveBaseCapacity: 0\n"
      "  - name: on-demand\n"
      "    instanceType: mixed\n"
      "    instancesDistribution: {instanceTypes: [c5.large], onDemandBaseCapacity: 2}\n"
      "managedNodeGroups:\n"
      "  - name: spot\n"
      "    instanceTypes: [c5.xlarge, c5a.xlarge]\n"
      "    spot: true\n"
      "    maxPodsPerNode: 30\n"
      "    updateConfig: {maxUnavailablePercentage: 33}\n");
  REQUIRE(r.problems.empty());
  const auto& g = r.config->node_groups;
  REQUIRE(g.size() == 3);
  CHECK(g[0].instance_type == "m5.xlarge");  // the first type is simulated
  CHECK(g[0].spot);
  CHECK(g[1].instance_type == "c5.large");
  CHECK_FALSE(g[1].spot);  // onDemandPercentageAboveBaseCapacity defaults to 100
  CHECK(g[2].instance_type == "c5.xlarge");
  CHECK(g[2].spot);
  CHECK(g[2].labels.at("eks.amazonaws.com/capacityType") == "SPOT");
  CHECK(g[2].max_pods_per_node == 30u);
  CHECK(g[2].max_unavailable == eks::IntOrPercent{33, true});
}

TEST_CASE("a mix of On-Demand and Spot is read with eksctl's checks",
          "[scenario][eks]") {
  const Read r = read_text(kHeader +
                           "nodeGroups:\n"
                           "  - name: half\n"
                           "    instancesDistribution: {instanceTypes: [c5.large, m5.large], "
                           "onDemandBaseCapacity: 1, onDemandPercentageAboveBaseCapacity: 50, "
                           "spotAllocationStrategy: price-capacity-optimized}\n");
  REQUIRE(r.problems == Lines{});
  const eks::NodeGroupConfig& g = r.config->node_groups.at(0);
  CHECK(g.instance_type == "c5.large");
  CHECK(g.instance_types == std::vector<std::string>{"c5.large", "m5.large"});
  REQUIRE(g.distribution);
  CHECK(g.distribution->on_demand_base == 1u);
  CHECK(g.distribution->on_demand_percent == 50u);
  CHECK(g.distribution->spot_allocation == platform::SpotAllocation::kPriceCapacityOptimized);
  CHECK(g.distribution->spot_pools == 2u);
  CHECK_FALSE(g.spot);

  const Read bad = read_text(kHeader +
                             "nodeGroups:\n"
                             "  - name: a\n"
                             "    instancesDistribution: {instanceTypes: [c5.large], "
                             "spotAllocationStrategy: cheapest}\n"
                             "  - name: b\n"
                             "    instancesDistribution: {instanceTypes: [c5.large], "
                             "spotAllocationStrategy: capacity-optimized, spotInstancePools: 3}\n"
                             "managedNodeGroups:\n"
                             "  - name: picked\n"
                             "    instanceSelector: {vCPUs: 3, memory: 4}\n");
  CHECK_FALSE(bad.config);
  REQUIRE(bad.problems.size() == 3);
  CHECK(bad.problems[0].find("spotAllocationStrategy should be one of: lowest-price, "
                             "capacity-optimized, capacity-optimized-prioritized, "
                             "price-capacity-optimized") != std::string::npos);
  CHECK(bad.problems[1].find("spotInstancePools cannot be specified when also specifying "
                             "spotAllocationStrategy: capacity-optimized") != std::string::npos);
  CHECK(bad.problems[2].find("error expanding instance selector options for nodegroup "
                             "\"picked\": instance selector criteria matched no instances") !=
        std::string::npos);
}

TEST_CASE("Auto Mode enables its built-in NodePools, with eksctl's checks", "[scenario][eks]") {
  // Enabled without nodePools: both built-in pools (eksctl's default).
  const Read on = read_text(kHeader + "autoModeConfig: {enabled: true}\n");
  CHECK(on.problems == Lines{});
  REQUIRE(on.config);
  CHECK(on.config->auto_mode);
  CHECK(on.config->auto_mode_pools == std::vector<std::string>{"general-purpose", "system"});
  // An empty list enables none; one pool, that one.
  const Read none = read_text(kHeader + "autoModeConfig: {enabled: true, nodePools: []}\n");
  REQUIRE(none.config);
  CHECK(none.config->auto_mode_pools.empty());
  const Read one = read_text(kHeader + "autoModeConfig: {enabled: true, nodePools: [system]}\n");
  REQUIRE(one.config);
  CHECK(one.config->auto_mode_pools == std::vector<std::string>{"system"});
  // ValidateAutoModeConfig's errors.
  const Read bad = read_text(kHeader + "autoModeConfig: {enabled: true, nodePools: [system, system, gpu]}\n");
  CHECK_FALSE(bad.config);
  REQUIRE(bad.problems.size() == 2);
  CHECK(bad.problems[0].ends_with("found duplicate node pool: \"system\""));
  CHECK(bad.problems[1].ends_with("invalid NodePool \"gpu\" (expected general-purpose or system)"));
  const Read disabled = read_text(kHeader + "autoModeConfig: {enabled: false, nodePools: [system]}\n");
  REQUIRE(disabled.problems.size() == 1);
  CHECK(disabled.problems[0].ends_with("cannot set autoModeConfig.nodeRoleARN, "
                                       "autoModeConfig.permissionBoundaryARN, or "
                                       "autoModeConfig.nodePools when Auto Mode is disabled"));
  const Read role = read_text(kHeader + "autoModeConfig: {enabled: true, nodePools: [], nodeRoleARN: "
                                        "\"arn:aws:iam::1234:role/Node\"}\n");
  REQUIRE(role.problems.size() == 1);
  CHECK(role.problems[0].ends_with("cannot specify autoModeConfig.nodeRoleARN when "
                                   "autoModeConfig.nodePools is empty"));
  // Auto Mode switched off is what eksctl does without it.
  const Read off = read_text(kHeader + "autoModeConfig: {enabled: false}\n" +
                             "nodeGroups: [{name: a, instanceType: m5.large}]\n");
  CHECK(off.problems == Lines{});
  REQUIRE(off.config);
  CHECK_FALSE(off.config->auto_mode);
}

TEST_CASE("Fargate profiles are read with eksctl's checks", "[scenario][eks]") {
  const Read r = read_text(kHeader +
                           "fargateProfiles:\n"
                           "  - name: fp-default\n"
                           "    selectors:\n"
                           "      - namespace: default\n"
                           "        labels: {compute: fargate}\n"
                           "      - namespace: kube-system\n"
                           "    subnets: [subnet-0123]\n");
  CHECK(r.problems == Lines{});
  REQUIRE(r.config);
  REQUIRE(r.config->fargate_profiles.size() == 1);
  const eks::FargateProfile& fp = r.config->fargate_profiles[0];
  CHECK(fp.name == "fp-default");
  REQUIRE(fp.selectors.size() == 2);
  CHECK(fp.selectors[0].name_space == "default");
  CHECK(fp.selectors[0].labels == eks::Labels{{"compute", "fargate"}});
  CHECK(fp.selectors[1].name_space == "kube-system");
  CHECK(fp.selectors[1].labels.empty());
  // A cluster of Fargate profiles alone has no node group, as eksctl allows.
  CHECK(r.config->node_groups.empty());

  const Read bad = read_text(kHeader +
                             "fargateProfiles:\n"
                             "  - name: eks-mine\n"
                             "    selectors: [{namespace: default}]\n"
                             "  - name: none\n"
                             "  - name: empty\n"
                             "    selectors: [{labels: {a: b}}]\n"
                             "  - selectors: [{namespace: default}]\n");
  CHECK_FALSE(bad.config);
  CHECK(bad.problems ==
        Lines{"c.yaml:5:11: error: fargateProfiles[0].name: invalid Fargate profile "
              "\"eks-mine\": name should NOT start with \"eks-\"",
              "c.yaml:7:5: error: fargateProfiles[1]: invalid Fargate profile \"none\": no "
              "profile selector",
              "c.yaml:9:17: error: fargateProfiles[2].selectors[0]: invalid Fargate profile "
              "\"empty\": invalid profile selector at index #0: empty namespace",
              "c.yaml:10:5: error: fargateProfiles[3]: invalid Fargate profile: empty name"});
}

TEST_CASE("eksctl files with problems get every one, at its place", "[scenario][eks]") {
  const Read r = read_text(
      "apiVersion: eksctl.io/v1alpha4\n"
      "kind: ClusterConfig\n"
      "metadata: {name: c, region: eu-west-1}\n"
      "availabilityZones: [us-east-1a]\n"
      "nodeGroups:\n"
      "  - name: a\n"
      "    instanceType: m5.larg\n"
      "    minSize: 3\n"
      "    desiredCapacity: 2\n"
      "    availabilityZones: [us-east-1d, us-east-1b]\n"
      "    taints: {k: \"v:NoSchedul\"}\n"
      "  - name: a\n"
      "managedNodeGroups:\n"
      "  - name: m\n"
      "    instanceType: m5.large\n"
      "    instanceTypes: [m5.large]\n"
      "    taints: [{key: k, effect: NoExecut}]\n"
      "    updateConfig: {maxUnavailable: 3}\n"
      "  - name: n\n"
      "    updateConfig: {maxUnavailable: 1, maxUnavailablePercentage: 10}\n");
  CHECK_FALSE(r.config);
  CHECK(r.problems ==
        Lines{"c.yaml:1:13: error: apiVersion: 'eksctl.io/v1alpha4' is not eksctl's (expected "
              "apiVersion eksctl.io/v1alpha5)",
              "c.yaml:3:29: error: metadata.region: 'eu-west-1' is not the scenario's "
              "platform.region (expected us-east-1)",
              "c.yaml:4:20: error: availabilityZones: only 1 zone(s) specified, 2 are required "
              "(eksctl's rule)",
              "c.yaml:7:19: error: nodeGroups[0].instanceType: unknown EC2 instance type 'm5.larg' "
              "(did you mean m5.large, c5.large or m1.large?)",
              "c.yaml:9:22: error: nodeGroups[0].desiredCapacity: desiredCapacity 2 is below "
              "minSize 3 (expected minSize <= desiredCapacity <= maxSize)",
              "c.yaml:10:25: error: nodeGroups[0].availabilityZones[0]: zone 'us-east-1d' is not "
              "among the scenario's platform.azs (did you mean 'us-east-1a'?)",
              "c.yaml:10:37: error: nodeGroups[0].availabilityZones[1]: zone 'us-east-1b' is not "
              "one of the cluster's availabilityZones (expected one of us-east-1a)",
              "c.yaml:11:17: error: nodeGroups[0].taints.k: 'NoSchedul' is not one of NoSchedule, "
              "PreferNoSchedule, NoExecute",
              "c.yaml:12:11: error: nodeGroups[1].name: node group 'a' is defined twice",
              "c.yaml:16:20: error: managedNodeGroups[0].instanceTypes: only one of instanceType "
              "or instanceTypes can be specified (eksctl's rule)",
              "c.yaml:17:31: error: managedNodeGroups[0].taints[0].effect: 'NoExecut' is not one "
              "of NoSchedule, PreferNoSchedule, NoExecute (did you mean 'NoExecute'?)",
              "c.yaml:18:36: error: managedNodeGroups[0].updateConfig.maxUnavailable: "
              "maxUnavailable=3 cannot be greater than maxSize=2",
              "c.yaml:20:19: error: managedNodeGroups[1].updateConfig: cannot use maxUnavailable "
              "and maxUnavailablePercentage at the same time"});
}

TEST_CASE("a Windows AMI family makes Windows nodes", "[scenario][eks]") {
  const Read r = read_text(kHeader +
                           "nodeGroups:\n"
                           "  - {name: win, amiFamily: WindowsServer2022FullContainer}\n"
                           "  - {name: lin, amiFamily: AmazonLinux2023}\n");
  REQUIRE(r.problems == Lines{});
  CHECK(r.config->node_groups[0].windows);
  CHECK_FALSE(r.config->node_groups[1].windows);
}

TEST_CASE("a file of another eksctl version says so beside its unknown fields", "[scenario][eks]") {
  const Read r = read_text(
      "apiVersion: eksctl.io/v1alpha4\nkind: ClusterConfig\nmetadata: {name: c, region: "
      "us-east-1}\nnodeGroups: [{name: a, preBootsrapCommands: [x]}]\n");
  CHECK_FALSE(r.config);
  REQUIRE(r.problems.size() == 2);
  CHECK(r.problems[0].find("'eksctl.io/v1alpha4' is not eksctl's") != std::string::npos);
  CHECK(r.problems[1].find("preBootsrapCommands") != std::string::npos);
}
