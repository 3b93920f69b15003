#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "api_schema.hpp"
#include "ecsim/scenario/scenario.hpp"
#include "yaml_reader.hpp"

using namespace ecsim;
using namespace ecsim::scenario;
using namespace ecsim::scenario::detail;

namespace {

using Lines = std::vector<std::string>;

// The problems of checking `text` (file "f", as JSON for the AWS CLI, else YAML) against `root`.
Lines check(const std::string& text, std::string_view root, ApiReader reader) {
  Diagnostics diagnostics;
  const auto doc = parse_document(text, "f", diagnostics,
                                  reader == ApiReader::kAwsCli ? Syntax::kJson : Syntax::kYaml);
  REQUIRE(doc);
  const auto type = api_root(root);
  REQUIRE(type);
  const bool ok = check_api(Reader(*doc, diagnostics), *type, reader);
  Lines out;
  for (const Diagnostic& d : diagnostics.sorted()) out.push_back(format_diagnostic(d));
  CHECK(ok == out.empty());
  return out;
}

Lines aws(const std::string& text, std::string_view shape = "RegisterTaskDefinitionRequest") {
  return check(text, fmt::format("aws.ecs.{}", shape), ApiReader::kAwsCli);
}

Lines kubectl(const std::string& text, std::string_view kind = "apps/v1.Deployment") {
  return check(text, fmt::format("k8s.{}", kind), ApiReader::kKubectl);
}

Lines eksctl(const std::string& text) {
  return check("apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: c}\n" + text,
               "eksctl.ClusterConfig", ApiReader::kEksctl);
}

const std::string kScenarios = ECSIM_TEST_SCENARIOS "/";

const Scenario& loaded(const std::string& name) {
  static std::map<std::string, LoadResult> cache;
  auto it = cache.find(name);
  if (it == cache.end()) it = cache.emplace(name, load_scenario(kScenarios + name)).first;
  for (const Diagnostic& d : it->second.diagnostics.all()) INFO(format_diagnostic(d));
  REQUIRE(it->second.scenario);
  return *it->second.scenario;
}

}  // namespace

TEST_CASE("the derived tables are whole: every root, field and element names a type", "[scenario]") {
  const auto types = api_types();
  const auto fields = api_fields();
  REQUIRE(!types.empty());
  for (const ApiRoot& r : api_roots()) {
    INFO(r.name);
    CHECK(r.type < types.size());
    CHECK(types[r.type].kind == ApiKind::kObject);
  }
  for (const ApiType& t : types) {
    INFO(t.name);
    CHECK(t.first_field + t.field_count <= fields.size());
    if (t.kind == ApiKind::kList || t.kind == ApiKind::kMap || t.kind == ApiKind::kListOrMap)
      CHECK(t.element < types.size());
    if (t.kind == ApiKind::kObject) CHECK(!t.name.empty());
  }
  for (const ApiField& f : fields) {
    INFO(f.name);
    CHECK(!f.name.empty());
    CHECK(f.type < types.size());
  }
  // The roots the readers ask for.
  for (const char* name :
       {"aws.ecs.RegisterTaskDefinitionRequest", "aws.ecs.CreateServiceRequest",
        "aws.ecs.DescribeTaskDefinitionResponse", "aws.ecs.DescribeServicesResponse",
        "eksctl.ClusterConfig", "eksctl.NodeGroupSummary", "k8s.v1.List", "k8s.apps/v1.Deployment",
        "k8s.apps/v1.StatefulSet", "k8s.apps/v1.DaemonSet", "k8s.batch/v1.Job",
        "k8s.batch/v1.CronJob", "k8s.policy/v1.PodDisruptionBudget",
        "k8s.scheduling.k8s.io/v1.PriorityClass", "k8s.v1.ResourceQuota", "k8s.v1.Namespace",
        "k8s.v1.Pod", "k8s.v1.Service", "k8s.autoscaling/v2.HorizontalPodAutoscaler"}) {
    INFO(name);
    CHECK(api_root(name));
  }
  CHECK_FALSE(api_root("k8s.apps/v1beta1.Deployment"));
}

TEST_CASE("the AWS CLI's unknown, missing and mistyped parameters, in its words", "[scenario]") {
  // The issue's cases: `familly` at its place (not "Family can not be blank" at 1:1),
  // `portMapings`, `"memory": "256"`.
  const Lines got = aws(R"({
  "familly": "web",
  "containerDefinitions": [{"name": "web", "image": "nginx", "memory": "256",
                            "portMapings": [{"containerPort": 80}]}]
})");
  REQUIRE(got.size() == 4);
  CHECK(got[0] == "f:1:1: error: Missing required parameter in input: \"family\"");
  CHECK(got[1].starts_with("f:2:3: error: familly: Unknown parameter in input: \"familly\" (did "
                           "you mean 'family'?), must be one of: family, taskRoleArn, "));
  CHECK(got[2] ==
        "f:3:72: error: containerDefinitions[0].memory: Invalid type for parameter "
        "containerDefinitions[0].memory, value: 256, type: <class 'str'>, valid types: <class "
        "'int'>");
  CHECK(got[3].starts_with("f:4:29: error: containerDefinitions[0].portMapings: Unknown parameter "
                           "in containerDefinitions[0]: \"portMapings\" (did you mean "
                           "'portMappings'?), must be one of: name, image, "));
  // `memmory` is named, not reported as a missing memory.
  CHECK(aws(R"({"family": "a", "containerDefinitions": [{"name": "a", "image": "i", "memmory": 5}]})")
            .front()
            .find("\"memmory\" (did you mean 'memory'?)") != std::string::npos);
}

TEST_CASE("AWS types: numbers, booleans, nulls, timestamps and nested lists", "[scenario]") {
  // A task-level cpu is a string; a container's cpu an integer; null is no value for botocore.
  CHECK(aws(R"({"family": "a", "cpu": 256, "containerDefinitions": []})") ==
        Lines{"f:1:24: error: cpu: Invalid type for parameter cpu, value: 256, type: <class "
              "'int'>, valid types: <class 'str'>"});
  CHECK(aws(R"({"family": "a", "containerDefinitions": [{"cpu": 1.5, "essential": "true"}]})") ==
        Lines{"f:1:50: error: containerDefinitions[0].cpu: Invalid type for parameter "
              "containerDefinitions[0].cpu, value: 1.5, type: <class 'float'>, valid types: "
              "<class 'int'>",
              "f:1:68: error: containerDefinitions[0].essential: Invalid type for parameter "
              "containerDefinitions[0].essential, value: true, type: <class 'str'>, valid "
              "types: <class 'bool'>"});
  CHECK(aws(R"({"family": null, "containerDefinitions": {}})") ==
        Lines{"f:1:12: error: family: Invalid type for parameter family, value: None, type: "
              "<class 'NoneType'>, valid types: <class 'str'>",
              "f:1:42: error: containerDefinitions: Invalid type for parameter "
              "containerDefinitions, value: object, type: <class 'dict'>, valid types: <class "
              "'list'>, <class 'tuple'>"});
  // Output shapes: a timestamp is text or seconds; a map takes any key.
  CHECK(aws(R"({"taskDefinition": {"family": "a", "registeredAt": 1732975401.4,
    "containerDefinitions": [{"dockerLabels": {"any.key": "v"}}]}})",
            "DescribeTaskDefinitionResponse")
            .empty());
  CHECK(aws(R"({"services": [{"createdAt": "2026-11-30T14:05:02+00:00", "desiredCount": 2}]})",
            "DescribeServicesResponse")
            .empty());
}

TEST_CASE("kubectl: unknown fields by path, JSON types after YAML 1.1", "[scenario]") {
  CHECK(kubectl("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\n"
                "spec: {replcas: 3}\n") ==
        Lines{"f:4:8: error: spec.replcas: strict decoding error: unknown field "
              "\"spec.replcas\" (did you mean 'replicas'?)"});
  // YAML 1.1: yes is a boolean, 1 a number; both are wrong where Kubernetes wants a string.
  CHECK(kubectl("metadata: {labels: {a: yes, b: 1, c: \"1\", d: x}}\n") ==
        Lines{"f:1:24: error: metadata.labels.a: cannot unmarshal bool into "
              "\"metadata.labels.a\" (expected a string, found 'yes')",
              "f:1:32: error: metadata.labels.b: cannot unmarshal number into "
              "\"metadata.labels.b\" (expected a string, found '1')"});
  // Quantities take numbers and text, IntOrString whole numbers and text, null is no value.
  CHECK(kubectl("spec:\n  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 25%}}\n"
                "  template:\n    metadata: {creationTimestamp: null}\n"
                "    spec:\n      containers:\n"
                "        - {name: a, resources: {requests: {cpu: 0.5, memory: 1Gi}}}\n")
            .empty());
  CHECK(kubectl("spec: {strategy: {rollingUpdate: {maxSurge: 1.5}}}\n") ==
        Lines{"f:1:45: error: spec.strategy.rollingUpdate.maxSurge: cannot unmarshal number into "
              "\"spec.strategy.rollingUpdate.maxSurge\" (expected a whole number or a string, "
              "found '1.5')"});
  // Embedded structs: a volume's source and a probe's handler sit in the object itself.
  CHECK(kubectl("spec:\n  template:\n    spec:\n"
                "      volumes: [{name: v, configMap: {name: c}}]\n"
                "      containers:\n        - name: a\n"
                "          readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 5}\n"
                "          env: [{name: E, valueFrom: {secretKeyRef: {name: s, key: k}}}]\n")
            .empty());
  CHECK(kubectl("spec: {schedule: '*/5 * * * *', jobTemplate: {spec: {backoffLimit: 2}}}\n",
                "batch/v1.CronJob")
            .empty());
}

TEST_CASE("eksctl: strict fields, any scalar for a string, taints as a list or a map",
          "[scenario]") {
  // The issue's `desiredCapacty`.
  CHECK(eksctl("managedNodeGroups: [{name: a, desiredCapacty: 10}]\n") ==
        Lines{"f:4:31: error: managedNodeGroups[0].desiredCapacty: unknown field "
              "\"managedNodeGroups[0].desiredCapacty\" (did you mean 'desiredCapacity'?)"});
  // `version: 1.30` is the text "1.30" for eksctl, which converts scalars for string fields;
  // metadata.region, which its schema requires, eksctl takes from the AWS profile.
  CHECK(check("apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\n"
              "metadata: {name: c, version: 1.30, tags: {n: 1}}\n"
              "nodeGroups:\n  - {name: a, taints: {k: 'v:NoSchedule'}}\n"
              "  - {name: b, taints: [{key: k, effect: NoSchedule}]}\n",
              "eksctl.ClusterConfig", ApiReader::kEksctl)
            .empty());
  CHECK(eksctl("nodeGroups: [{name: a, desiredCapacity: '3', privateNetworking: yes}]\n") ==
        Lines{"f:4:41: error: nodeGroups[0].desiredCapacity: cannot unmarshal string into "
              "\"nodeGroups[0].desiredCapacity\" (expected a whole number, found '3')"});
}

TEST_CASE("describe-task-definition output reads as its task definition", "[scenario]") {
  const Scenario& s = loaded("exported/ecs.yaml");
  REQUIRE(s.ecs.size() == 1);
  const auto& services = s.ecs[0].services;
  REQUIRE(services.size() == 2);
  const ecs::TaskDefinition& td = services[0].task_definition;
  CHECK(td.family() == "web");
  CHECK(td.network_mode() == ecs::NetworkMode::kBridge);
  // The container's soft limit and cpu are what it reserves.
  CHECK(td.reserved_memory_mib() == 384);
  CHECK(td.reserved_cpu_units() == 256);
}

TEST_CASE("describe-services output reads each service by its name", "[scenario]") {
  const auto& services = loaded("exported/ecs.yaml").ecs[0].services;
  const ServiceConfig& web = services[0];
  CHECK(web.name == "web");
  CHECK(web.desired_count == 6);
  CHECK(web.capacity_provider_strategy == ecs::CapacityProviderStrategy{{"prod-asg", 0, 1}});
  REQUIRE(web.placement_strategy.size() == 2);
  CHECK(web.placement_strategy[0].field == ecs::StrategyField::kAvailabilityZone);
  CHECK(web.deployment.minimum_healthy_percent == 50);
  CHECK(web.deployment.maximum_percent == 150);
  CHECK(web.circuit_breaker);
  CHECK(web.az_rebalancing);
  const ServiceConfig& worker = services[1];
  CHECK(worker.name == "worker");
  CHECK(worker.desired_count == 2);
  CHECK(worker.launch_type == ecs::LaunchType::kEc2);
  CHECK(worker.deployment.minimum_healthy_percent == 100);
  CHECK_FALSE(worker.az_rebalancing);
}

TEST_CASE("eksctl get nodegroup and kubectl get -o yaml output read unchanged", "[scenario]") {
  const Scenario& s = loaded("exported/eks.yaml");
  REQUIRE(s.eks.size() == 1);
  const eks::ClusterConfig& config = s.eks[0].config;
  CHECK(config.name == "shop");
  REQUIRE(config.node_groups.size() == 2);
  CHECK(config.node_groups[0].name == "general");
  CHECK(config.node_groups[0].managed);
  CHECK(config.node_groups[0].instance_type == "m6i.large");
  CHECK(config.node_groups[0].desired == 3);
  CHECK(config.node_groups[0].max == 6);
  CHECK(config.node_groups[1].name == "batch");
  CHECK_FALSE(config.node_groups[1].managed);
  CHECK(config.node_groups[1].min == 1);
  const eks::Manifests& m = s.eks[0].manifests;
  REQUIRE(m.deployments.size() == 1);
  CHECK(m.deployments[0].meta.name == "web");
  CHECK(m.deployments[0].replicas == 4);
  CHECK(m.deployments[0].pod.spec.requests.cpu_millis == 500);
  REQUIRE(m.pdbs.size() == 1);
}

TEST_CASE("validate --verbose's notes name the fields accepted and not simulated", "[scenario]") {
  const LoadResult r = load_scenario(kScenarios + "exported/ecs.yaml");
  REQUIRE(r.scenario);
  Lines notes;
  for (const Diagnostic& d : r.diagnostics.notes()) notes.push_back(d.path);
  const auto has = [&](const std::string& path) {
    return std::find(notes.begin(), notes.end(), path) != notes.end();
  };
  CHECK(has("taskDefinition.containerDefinitions[0].logConfiguration"));
  CHECK(has("taskDefinition.revision"));
  CHECK(has("services[0].deployments"));
  // What is read is not listed; nor is the other service's file content for this service.
  CHECK_FALSE(has("taskDefinition.containerDefinitions[0].memoryReservation"));
  CHECK_FALSE(has("taskDefinition.family"));
  CHECK_FALSE(has("services[0].desiredCount"));
}
