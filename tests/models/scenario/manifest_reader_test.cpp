#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "manifest_reader.hpp"

using namespace ecsim;
using namespace ecsim::scenario;
using namespace ecsim::scenario::detail;

namespace {

const std::string kRealworld = ECSIM_REALWORLD_DIR;
constexpr std::int64_t kMi = 1024 * 1024;

using Lines = std::vector<std::string>;

struct Read {
  eks::Manifests manifests;
  Lines problems;
};

// The objects of `text` (as file "m.yaml"), after the checks across objects, and every problem.
Read read_text(const std::string& text) {
  Diagnostics d;
  ManifestReader reader(d);
  if (const auto docs = parse_documents(text, "m.yaml", d)) reader.read(*docs);
  reader.check();
  Read out{reader.take(), {}};
  for (const Diagnostic& x : d.sorted()) out.problems.push_back(format_diagnostic(x));
  return out;
}

// A Deployment document named `name` with `pod_spec` (indented as a template's spec) and the
// labels app=NAME.
std::string deployment(const std::string& name, const std::string& pod_spec) {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name +
         "}\nspec:\n  selector: {matchLabels: {app: " + name +
         "}}\n  template:\n    metadata: {labels: {app: " + name + "}}\n    spec:\n" + pod_spec;
}

eks::Resources requests(std::int64_t cpu_millis, std::int64_t memory_bytes) {
  return eks::Resources{cpu_millis, memory_bytes};
}

}  // namespace

TEST_CASE(
    "the microservices demo: 12 Deployments with their requests, Services and accounts "
    "skipped",
    "[scenario][eks]") {
  Diagnostics d;
  ManifestReader reader(d);
  reader.read_file(kRealworld + "/k8s/microservices-demo.yaml", SourceLocation{}, "");
  reader.check();
  for (const Diagnostic& x : d.all()) INFO(format_diagnostic(x));
  REQUIRE(d.ok());
  const eks::Manifests& m = reader.manifests();
  struct Expected {
    const char* name;
    std::int64_t cpu_millis;
    std::int64_t memory_mib;
  };
  // resources.requests of each Deployment's one container, in file order (the loadgenerator's
  // init container asks for nothing, so its main container's 300m and 256Mi stand).
  const std::vector<Expected> expected{{"frontend", 100, 64},
                                       {"adservice", 200, 180},
                                       {"currencyservice", 100, 64},
                                       {"cartservice", 200, 64},
                                       {"redis-cart", 70, 200},
                                       {"loadgenerator", 300, 256},
                                       {"recommendationservice", 100, 220},
                                       {"checkoutservice", 100, 64},
                                       {"emailservice", 100, 64},
                                       {"paymentservice", 100, 64},
                                       {"shippingservice", 100, 64},
                                       {"productcatalogservice", 100, 64}};
  REQUIRE(m.deployments.size() == expected.size());
  std::int64_t cpu = 0, memory = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const eks::Deployment& dep = m.deployments[i];
    INFO(dep.meta.name);
    CHECK(dep.meta.name == expected[i].name);
    CHECK(dep.meta.name_space == "default");
    CHECK(dep.replicas == 1);  // given once (loadgenerator), else the default
    CHECK(dep.selector.match_labels == eks::Labels{{"app", expected[i].name}});
    CHECK(dep.pod.labels == eks::Labels{{"app", expected[i].name}});
    CHECK(dep.pod.spec.requests == requests(expected[i].cpu_millis, expected[i].memory_mib * kMi));
    CHECK(dep.max_surge == eks::IntOrPercent{25, true});
    CHECK(dep.max_unavailable == eks::IntOrPercent{25, true});
    cpu += dep.pod.spec.requests.cpu_millis;
    memory += dep.pod.spec.requests.memory_bytes;
  }
  // 100+200+100+200+70+300+100x6 = 1570m; 64x7 + 180 + 200 + 256 + 220 = 1304 + 64 = 1368Mi.
  CHECK(cpu == 1570);
  CHECK(memory == 1368 * kMi);
  CHECK(m.stateful_sets.empty());
  CHECK(m.daemon_sets.empty());
  CHECK(m.jobs.empty());
  CHECK(m.pdbs.empty());
  // 12 Services and 11 ServiceAccounts (redis-cart has none), each noted where it starts.
  REQUIRE(m.notes.size() == 23);
  const std::string file = kRealworld + "/k8s/microservices-demo.yaml";
  CHECK(m.notes.front() == file + ":114: skipped Service 'frontend'");
  CHECK(m.notes[2] == file + ":144: skipped ServiceAccount 'frontend'");
  CHECK(m.notes.back() == file + ":976: skipped ServiceAccount 'productcatalogservice'");
}

TEST_CASE("every kind and field ecsim reads", "[scenario][eks]") {
  const Read r = read_text(R"(---
apiVersion: v1
kind: Namespace
metadata: {name: batch}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
globalDefault: true
preemptionPolicy: Never
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {tier: front}
spec:
  replicas: 6
  selector:
    matchLabels: {app: web}
    matchExpressions:
      - {key: track, operator: NotIn, values: [canary]}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 2, maxUnavailable: "10%"}
  template:
    metadata: {labels: {app: web, track: stable}}
    spec:
      priorityClassName: high
      nodeSelector: {kubernetes.io/arch: amd64}
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - key: node.kubernetes.io/instance-type
                    operator: In
                    values: [m5.large, m5.xlarge]
                  - {key: cores, operator: Gt, values: ["3"]}
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 40
              preference:
                matchExpressions: [{key: spot, operator: DoesNotExist}]
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector: {matchLabels: {app: web}}
              topologyKey: kubernetes.io/hostname
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                labelSelector: {matchLabels: {app: web}}
                namespaces: [shop, other]
                topologyKey: topology.kubernetes.io/zone
        podAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector: {matchExpressions: [{key: app, operator: Exists}]}
              topologyKey: topology.kubernetes.io/zone
      tolerations:
        - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}
        - key: node.kubernetes.io/unreachable
          operator: Exists
          effect: NoExecute
          tolerationSeconds: 60
        - {operator: Exists}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: DoNotSchedule
          labelSelector: {matchLabels: {app: web}}
          minDomains: 3
      containers:
        - name: app
          resources: {requests: {cpu: "0.5", memory: 1Gi}}
          ports:
            - {containerPort: 80, hostPort: 8080}
            - {containerPort: 53, hostPort: 53, protocol: UDP}
            - {containerPort: 9090}
        - name: proxy
          resources: {requests: {cpu: 100m, memory: 128e6}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  replicas: 3
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, resources: {requests: {cpu: 2, memory: 4Gi}}}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: "20%"}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, resources: {requests: {cpu: 50m, memory: 50Mi}}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: report, namespace: batch}
spec:
  completions: 10
  parallelism: 3
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: r, resources: {requests: {cpu: 1, memory: 1Gi}}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: queue, namespace: batch}
spec:
  parallelism: 4
  template:
    spec:
      restartPolicy: OnFailure
      containers: [{name: q}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec:
  minAvailable: 80%
  selector: {matchLabels: {app: web}}
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: quota, namespace: shop}
spec:
  hard: {pods: "50", requests.cpu: "20", cpu: "16", requests.memory: 64Gi, count/services: "4"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Secret
    metadata: {name: token}
---
)");
  REQUIRE(r.problems == Lines{});
  const eks::Manifests& m = r.manifests;
  CHECK(m.namespaces == std::vector<std::string>{"batch"});
  REQUIRE(m.priority_classes.size() == 1);
  CHECK(m.priority_classes[0] == eks::PriorityClass{"high", 1000, true, false});

  REQUIRE(m.deployments.size() == 1);
  const eks::Deployment& web = m.deployments[0];
  CHECK(web.meta.name == "web");
  CHECK(web.meta.name_space == "shop");
  CHECK(web.meta.labels == eks::Labels{{"tier", "front"}});
  CHECK(web.replicas == 6);
  CHECK(
      web.selector.match_expressions ==
      std::vector<eks::SelectorRequirement>{{"track", eks::SelectorOperator::kNotIn, {"canary"}}});
  CHECK(web.max_surge == eks::IntOrPercent{2, false});
  CHECK(web.max_unavailable == eks::IntOrPercent{10, true});
  const eks::PodSpec& s = web.pod.spec;
  // 0.5 CPU + 100m = 600m; 1Gi + 128e6 bytes.
  CHECK(s.requests == requests(600, 1024 * kMi + 128'000'000));
  CHECK(s.priority_class_name == "high");
  CHECK(s.node_selector == eks::Labels{{"kubernetes.io/arch", "amd64"}});
  REQUIRE(s.node_affinity.required.size() == 1);
  CHECK(s.node_affinity.required[0].match_expressions ==
        std::vector<eks::SelectorRequirement>{{"node.kubernetes.io/instance-type",
                                               eks::SelectorOperator::kIn,
                                               {"m5.large", "m5.xlarge"}},
                                              {"cores", eks::SelectorOperator::kGt, {"3"}}});
  REQUIRE(s.node_affinity.preferred.size() == 1);
  CHECK(s.node_affinity.preferred[0].weight == 40);
  CHECK(s.node_affinity.preferred[0].preference.match_expressions ==
        std::vector<eks::SelectorRequirement>{{"spot", eks::SelectorOperator::kDoesNotExist, {}}});
  REQUIRE(s.pod_anti_affinity.required.size() == 1);
  CHECK(s.pod_anti_affinity.required[0].topology_key == "kubernetes.io/hostname");
  CHECK(s.pod_anti_affinity.required[0].selector.match_labels == eks::Labels{{"app", "web"}});
  REQUIRE(s.pod_anti_affinity.preferred.size() == 1);
  CHECK(s.pod_anti_affinity.preferred[0].weight == 100);
  CHECK(s.pod_anti_affinity.preferred[0].term.namespaces ==
        std::vector<std::string>{"shop", "other"});
  CHECK(s.pod_anti_affinity.preferred[0].term.topology_key == "topology.kubernetes.io/zone");
  REQUIRE(s.pod_affinity.required.size() == 1);
  CHECK(s.pod_affinity.required[0].selector.match_expressions ==
        std::vector<eks::SelectorRequirement>{{"app", eks::SelectorOperator::kExists, {}}});
  REQUIRE(s.tolerations.size() == 3);
  CHECK(s.tolerations[0] == eks::Toleration{"dedicated", eks::TolerationOperator::kEqual, "web",
                                            eks::TaintEffect::kNoSchedule, std::nullopt});
  CHECK(s.tolerations[1] ==
        eks::Toleration{"node.kubernetes.io/unreachable", eks::TolerationOperator::kExists, "",
                        eks::TaintEffect::kNoExecute, std::chrono::seconds(60)});
  CHECK(s.tolerations[2] ==
        eks::Toleration{"", eks::TolerationOperator::kExists, "", std::nullopt, std::nullopt});
  REQUIRE(s.topology_spread.size() == 1);
  CHECK(s.topology_spread[0] ==
        eks::TopologySpreadConstraint{1, "topology.kubernetes.io/zone",
                                      eks::WhenUnsatisfiable::kDoNotSchedule,
                                      eks::LabelSelector{{{"app", "web"}}, {}}, 3});
  // Only ports bound on the host count; TCP by default.
  CHECK(s.host_ports == std::vector<eks::HostPort>{{8080, "TCP"}, {53, "UDP"}});

  REQUIRE(m.stateful_sets.size() == 1);
  CHECK(m.stateful_sets[0].replicas == 3);
  CHECK(m.stateful_sets[0].pod.spec.requests == requests(2000, 4096 * kMi));
  REQUIRE(m.daemon_sets.size() == 1);
  CHECK(m.daemon_sets[0].meta.name_space == "kube-system");
  CHECK(m.daemon_sets[0].max_unavailable == eks::IntOrPercent{20, true});

  REQUIRE(m.jobs.size() == 2);
  CHECK(m.jobs[0].completions == 10);
  CHECK(m.jobs[0].parallelism == 3);
  CHECK(m.jobs[0].backoff_limit == 2);
  CHECK(m.jobs[0].pod.spec.requests == requests(1000, 1024 * kMi));
  // A work-queue Job (parallelism, no completions): each of its 4 pods completes once; the
  // default backoffLimit is 6.
  CHECK(m.jobs[1].completions == 4);
  CHECK(m.jobs[1].parallelism == 4);
  CHECK(m.jobs[1].backoff_limit == 6);
  CHECK(m.jobs[1].pod.spec.requests == requests(0, 0));

  REQUIRE(m.pdbs.size() == 2);
  CHECK(m.pdbs[0].min_available == eks::IntOrPercent{80, true});
  CHECK_FALSE(m.pdbs[0].max_unavailable);
  // policy/v1beta1 without a bound: minAvailable 1, its API default.
  CHECK(m.pdbs[1].min_available == eks::IntOrPercent{1, false});
  REQUIRE(m.quotas.size() == 1);
  CHECK(m.quotas[0].pods == 50);
  CHECK(m.quotas[0].requests_cpu_millis == 16000);  // `cpu` 16 is tighter than requests.cpu 20
  CHECK(m.quotas[0].requests_memory_bytes == 64 * 1024 * kMi);
  CHECK(m.notes ==
        Lines{"m.yaml:147: skipped ConfigMap 'settings'", "m.yaml:154: skipped Secret 'token'"});
}

TEST_CASE("a pod's requests: the containers' sum or the largest init container, with sidecars",
          "[scenario][eks]") {
  SECTION("an init container larger than the containers' sum") {
    // cpu: max(100m + 200m, 500m) = 500m; memory: max(64Mi + 64Mi, 32Mi) = 128Mi.
    const Read r = read_text(deployment("a", R"(      initContainers:
        - {name: init, resources: {requests: {cpu: 500m, memory: 32Mi}}}
      containers:
        - {name: a, resources: {requests: {cpu: 100m, memory: 64Mi}}}
        - {name: b, resources: {requests: {cpu: 200m, memory: 64Mi}}}
)"));
    REQUIRE(r.problems == Lines{});
    CHECK(r.manifests.deployments[0].pod.spec.requests == requests(500, 128 * kMi));
  }
  SECTION("a missing request takes the limit, a missing both is 0") {
    const Read r = read_text(deployment("a", R"(      containers:
        - {name: a, resources: {limits: {cpu: 250m, memory: 1Gi}, requests: {memory: 512Mi}}}
        - {name: b}
)"));
    REQUIRE(r.problems == Lines{});
    CHECK(r.manifests.deployments[0].pod.spec.requests == requests(250, 512 * kMi));
  }
  SECTION("sidecars run beside the containers and the init containers after them") {
    // Init order: sidecar s1 (100m), init i (1000m), sidecar s2 (300m). i runs beside s1:
    // 1100m; at the end s1 + s2 = 400m run beside the containers' 200m: 600m. max = 1100m.
    const Read r = read_text(deployment("a", R"(      initContainers:
        - {name: s1, restartPolicy: Always, resources: {requests: {cpu: 100m}}}
        - {name: i, resources: {requests: {cpu: "1"}}}
        - {name: s2, restartPolicy: Always, resources: {requests: {cpu: 300m}}}
      containers:
        - {name: a, resources: {requests: {cpu: 200m}}}
)"));
    REQUIRE(r.problems == Lines{});
    CHECK(r.manifests.deployments[0].pod.spec.requests == requests(1100, 0));
  }
  SECTION("for scoring, each container that names no request counts 100m and 200Mi") {
    // a: cpu named (by its limit), memory an explicit 0 (stays 0); b: nothing (100m, 200Mi);
    // the init container: nothing (100m, 200Mi), below the containers' 350m and 200Mi.
    const Read r = read_text(deployment("a", R"(      initContainers:
        - {name: i}
      containers:
        - {name: a, resources: {limits: {cpu: 250m}, requests: {memory: "0"}}}
        - {name: b}
)"));
    REQUIRE(r.problems == Lines{});
    const eks::PodSpec& spec = r.manifests.deployments[0].pod.spec;
    CHECK(spec.requests == requests(250, 0));
    REQUIRE(spec.nonzero_requests);
    CHECK(*spec.nonzero_requests == requests(350, 200 * kMi));
  }
}

TEST_CASE("bare Pods are read and spec.nodeName in a template of a controller is refused",
          "[scenario][eks]") {
  const Read r = read_text(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns, labels: {app: p}}\n"
      "spec:\n  nodeName: ip-0.c\n"
      "  containers: [{name: c, image: i, resources: {requests: {cpu: 250m}}}]\n---\n" +
      deployment("d", "      nodeName: ip-0.c\n      containers: [{name: c, image: i}]\n"));
  REQUIRE(r.manifests.pods.size() == 1);
  const eks::Pod& p = r.manifests.pods[0];
  CHECK(p.meta.name == "p");
  CHECK(p.meta.name_space == "ns");
  CHECK(p.pod.labels == eks::Labels{{"app", "p"}});
  CHECK(p.pod.spec.node_name == "ip-0.c");
  CHECK(p.pod.spec.requests == requests(250, 0));
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].starts_with("m.yaml:16:17: error: spec.template.spec.nodeName: spec.nodeName "
                                  "in a pod template is not simulated"));
}

TEST_CASE("ResourceQuota scopes and scope selectors with the API server's checks",
          "[scenario][eks]") {
  const std::string head = "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec:\n";
  const Read ok = read_text(head +
                            "  hard: {pods: \"3\"}\n  scopes: [NotBestEffort, Terminating]\n"
                            "  scopeSelector:\n    matchExpressions:\n"
                            "      - {scopeName: PriorityClass, operator: NotIn, values: [a, b]}\n");
  CHECK(ok.problems == Lines{});
  REQUIRE(ok.manifests.quotas.size() == 1);
  const std::vector<eks::QuotaScope>& scopes = ok.manifests.quotas[0].scopes;
  REQUIRE(scopes.size() == 3);
  CHECK(scopes[0].name == eks::QuotaScope::Name::kNotBestEffort);
  CHECK(scopes[1].name == eks::QuotaScope::Name::kTerminating);
  CHECK(scopes[2].name == eks::QuotaScope::Name::kPriorityClass);
  CHECK(scopes[2].op == eks::SelectorOperator::kNotIn);
  CHECK(scopes[2].values == std::vector<std::string>{"a", "b"});
  // Which pods it counts: not best effort, with activeDeadlineSeconds, class neither a nor b.
  eks::PodSpec pod;
  pod.requests = requests(100, 0);
  pod.active_deadline = true;
  CHECK(eks::quota_selects(ok.manifests.quotas[0], pod));
  pod.priority_class_name = "a";
  CHECK_FALSE(eks::quota_selects(ok.manifests.quotas[0], pod));
  pod.priority_class_name = "c";
  pod.active_deadline = false;
  CHECK_FALSE(eks::quota_selects(ok.manifests.quotas[0], pod));
  const Read bad = read_text(head +
                             "  hard: {cpu: \"1\"}\n  scopes: [BestEffort, NotBestEffort, Bestefort]\n"
                             "  scopeSelector:\n    matchExpressions:\n"
                             "      - {scopeName: PriorityClass, operator: In}\n"
                             "      - {scopeName: Terminating, operator: DoesNotExist}\n");
  CHECK(bad.problems.size() == 5);
  const auto reported = [&](const std::string& text) {
    return std::any_of(bad.problems.begin(), bad.problems.end(),
                       [&](const std::string& p) { return p.find(text) != std::string::npos; });
  };
  CHECK(reported("spec.scopes[2]: Unsupported value: \"Bestefort\""));
  CHECK(reported("spec: Invalid value: conflicting scopes"));
  CHECK(reported("spec.hard: Invalid value: unsupported scope applied to resource"));
  CHECK(reported("matchExpressions[0].values: Required value: must be at least one value"));
  CHECK(reported("matchExpressions[1].operator: Invalid value: \"DoesNotExist\": must be 'Exist'"));
  // A quota on limits is refused: ecsim keeps no limits to check it against.
  const Read limits = read_text(head + "  hard: {limits.memory: 4Gi, count/pods: \"7\"}\n");
  REQUIRE(limits.problems.size() == 1);
  CHECK(limits.problems[0].find("a quota on limits.memory is not simulated") != std::string::npos);
  CHECK(limits.manifests.quotas[0].pods == 7);
}

TEST_CASE("a CronJob is its jobTemplate's Job with a schedule and the API server's checks",
          "[scenario][eks]") {
  const std::string head = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n";
  const std::string job = "  jobTemplate:\n    spec:\n      completions: 3\n      template:\n"
                          "        spec:\n          restartPolicy: Never\n"
                          "          containers: [{name: c, image: i}]\n";
  const Read ok = read_text(head + "  schedule: \"0 */6 * * 1-5\"\n  concurrencyPolicy: Replace\n"
                                   "  startingDeadlineSeconds: 200\n  suspend: false\n" + job);
  CHECK(ok.problems == Lines{});
  REQUIRE(ok.manifests.jobs.size() == 1);
  const eks::Job& j = ok.manifests.jobs[0];
  CHECK(j.completions == 3);
  REQUIRE(j.cron);
  CHECK(j.cron->schedule_text == "0 */6 * * 1-5");
  CHECK(j.cron->concurrency == eks::CronSpec::Concurrency::kReplace);
  CHECK(j.cron->starting_deadline_s == 200);
  CHECK(j.cron->schedule.hours.count() == 4);
  const Read bad = read_text(head + "  schedule: \"0 25 * * *\"\n  timeZone: Europe/Paris\n" + job +
                             "---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: d}\n"
                             "spec:\n  schedule: \"CRON_TZ=UTC 0 * * * *\"\n" + job);
  REQUIRE(bad.problems.size() == 3);
  CHECK(bad.problems[0].find("Invalid value: \"0 25 * * *\": hour out of range (0-23)") !=
        std::string::npos);
  CHECK(bad.problems[1].find("timeZone 'Europe/Paris' is not simulated") != std::string::npos);
  CHECK(bad.problems[2].find("cannot use TZ or CRON_TZ in schedule") != std::string::npos);
}

TEST_CASE("a Job's activeDeadlineSeconds and podFailurePolicy with the API server's checks",
          "[scenario][eks]") {
  const std::string head = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n";
  const std::string pod = "  template:\n    spec:\n      restartPolicy: Never\n"
                          "      containers: [{name: c, image: i}]\n";
  const Read ok = read_text(head + "  activeDeadlineSeconds: 600\n  podFailurePolicy:\n    rules:\n"
                            "      - {action: Ignore, onPodConditions: [{type: DisruptionTarget}]}\n"
                            "      - {action: FailJob, onExitCodes: {operator: NotIn, values: [0, 1]}}\n" +
                            pod);
  CHECK(ok.problems == Lines{});
  REQUIRE(ok.manifests.jobs.size() == 1);
  const eks::Job& j = ok.manifests.jobs[0];
  CHECK(j.active_deadline_s == 600);
  REQUIRE(j.failure_rules.size() == 2);
  CHECK(j.failure_rules[0].action == eks::PodFailureRule::Action::kIgnore);
  CHECK(j.failure_rules[0].on_disruption);
  CHECK(j.failure_rules[1].action == eks::PodFailureRule::Action::kFailJob);
  CHECK_FALSE(j.failure_rules[1].exit_in);
  CHECK(j.failure_rules[1].exit_codes == std::vector<std::int32_t>{0, 1});
  const Read bad = read_text(
      head + "  podFailurePolicy:\n    rules:\n"
             "      - {action: FailIndex, onExitCodes: {operator: In, values: [2]}}\n"
             "      - {action: Count}\n"
             "      - {action: Ignore, onPodConditions: [{type: ConfigIssue}]}\n"
             "  template:\n    spec:\n      restartPolicy: OnFailure\n"
             "      containers: [{name: c, image: i}]\n");
  const auto reported = [&](const std::string& text) {
    return std::any_of(bad.problems.begin(), bad.problems.end(),
                       [&](const std::string& p) { return p.find(text) != std::string::npos; });
  };
  CHECK(bad.problems.size() == 4);
  CHECK(reported("only \"Never\" is supported as the pods' restartPolicy"));
  CHECK(reported("FailIndex is not simulated"));
  CHECK(reported("specifying one of OnExitCodes and OnPodConditions is required"));
  CHECK(reported("the pod condition ConfigIssue is not simulated"));
}

TEST_CASE("Deployment strategies: Recreate, and the defaults of a rolling update",
          "[scenario][eks]") {
  const Read r = read_text(deployment("a", "      containers: [{name: a}]\n") +
                           "  strategy: {type: Recreate}\n---\n" +
                           deployment("b", "      containers: [{name: b}]\n") +
                           "  strategy: {rollingUpdate: {maxSurge: 0}}\n");
  REQUIRE(r.problems == Lines{});
  CHECK(r.manifests.deployments[0].max_surge == eks::IntOrPercent{0, false});
  CHECK(r.manifests.deployments[0].max_unavailable == eks::IntOrPercent{100, true});
  CHECK(r.manifests.deployments[1].max_surge == eks::IntOrPercent{0, false});
  CHECK(r.manifests.deployments[1].max_unavailable == eks::IntOrPercent{25, true});
}

TEST_CASE("wrong manifests get the API server's checks, each at its place", "[scenario][eks]") {
  const Read r = read_text(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: Web}
spec:
  replicas: -1
  selector: {matchLabels: {app: web}}
  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: "0"}}
  template:
    metadata: {labels: {app: webb}}
    spec:
      priorityClassName: hihg
      tolerations:
        - {operator: Equal, value: x}
        - {key: k, operator: Exists, value: v, tolerationSeconds: 5}
      topologySpreadConstraints:
        - {maxSkew: 0, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, minDomains: 2}
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions: [{key: a, operator: In}, {key: b, operator: Gt, values: [x]}]
      containers:
        - name: c
          resources:
            requests: {cpu: 64MB, memory: 2Gi}
            limits: {memory: 1Gi}
---
apiVersion: apps/v1beta2
kind: DaemonSet
metadata: {name: d}
---
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  template:
    spec:
      containers: []
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: p}
spec: {minAvailable: 1, maxUnavailable: 10%, selector: {}}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: system-mine}
value: 2000000000
globalDefault: true
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: other}
value: 1
globalDefault: true
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
kind: Service
)");
  CHECK(
      r.problems ==
      Lines{"m.yaml:3:18: error: metadata.name: 'Web' is not a valid name: a lowercase RFC 1123 "
            "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
            "start and end with an alphanumeric character",
            "m.yaml:5:13: error: spec.replicas: -1 is too small (expected a whole number from 0 "
            "to 1000000)",
            "m.yaml:7:59: error: spec.strategy.rollingUpdate.maxUnavailable: '0' is a string but "
            "not a percentage (expected a whole number from 0 to 2147483647 or a percentage such "
            "as \"25%\")",
            "m.yaml:9:24: error: spec.template.metadata.labels: `selector` does not match "
            "template `labels`",
            "m.yaml:11:26: error: spec.template.spec.priorityClassName: no PriorityClass with "
            "name hihg was found",
            "m.yaml:13:22: error: spec.template.spec.tolerations[0].operator: operator must be "
            "Exists when `key` is empty, which means \"match all values and all keys\"",
            "m.yaml:14:11: error: spec.template.spec.tolerations[1].effect: effect must be "
            "'NoExecute' when `tolerationSeconds` is set",
            "m.yaml:14:45: error: spec.template.spec.tolerations[1].value: value must be empty "
            "when `operator` is 'Exists'",
            "m.yaml:16:21: error: spec.template.spec.topologySpreadConstraints[0].maxSkew: 0 is "
            "too small (expected a whole number from 1 to 2147483647)",
            "m.yaml:16:90: error: spec.template.spec.topologySpreadConstraints[0].minDomains: can "
            "only use minDomains if whenUnsatisfiable=DoNotSchedule",
            "m.yaml:21:36: error: spec.template.spec.affinity.nodeAffinity."
            "requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]."
            "matchExpressions[0].values: Required value: must be specified when `operator` is "
            "'In' or 'NotIn'",
            "m.yaml:21:92: error: spec.template.spec.affinity.nodeAffinity."
            "requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]."
            "matchExpressions[1].values[0]: Invalid value: \"x\": must be an integer",
            "m.yaml:25:29: error: spec.template.spec.containers[0].resources.requests.cpu: '64MB' "
            "has an unknown suffix 'MB' (expected one of Ki Mi Gi Ti Pi Ei n u m k M G T P E, or "
            "an exponent such as e3)",
            "m.yaml:25:43: error: spec.template.spec.containers[0].resources.requests.memory: "
            "'2Gi' must be less than or equal to memory limit of 1Gi",
            "m.yaml:28:13: error: apiVersion: apps/v1beta2 DaemonSet is not served (expected "
            "apiVersion apps/v1)",
            "m.yaml:38:7: error: spec.template.spec: Unsupported value: \"Always\": supported "
            "values: \"OnFailure\", \"Never\"",
            "m.yaml:38:19: error: spec.template.spec.containers: Required value: at least one "
            "container",
            "m.yaml:43:41: error: spec.maxUnavailable: minAvailable and maxUnavailable cannot be "
            "both set",
            "m.yaml:47:18: error: metadata.name: priority class names with 'system-' prefix are "
            "reserved",
            "m.yaml:48:8: error: value: maximum allowed value of a user defined priority is "
            "1000000000",
            "m.yaml:55:16: error: globalDefault: only one PriorityClass can be marked as "
            "globalDefault (another one already is)",
            "m.yaml:61:1: error: apiVersion: missing required key 'apiVersion'"});
}

TEST_CASE("pod-level resources are the pod's requests instead of its containers'", "[scenario][eks]") {
  // The Kubernetes website's pod-level-resources example: the pod asks for 1 CPU and 100Mi;
  // its containers for 0.5 CPU and 50Mi (and nothing).
  Diagnostics d;
  ManifestReader reader(d);
  reader.read_file(kRealworld + "/k8s/pods-resource-pod-level-resources.yaml", SourceLocation{},
                   "");
  reader.check();
  REQUIRE(d.ok());
  const eks::Manifests& m = reader.manifests();
  REQUIRE(m.pods.size() == 1);
  const eks::PodSpec& spec = m.pods[0].pod.spec;
  CHECK(spec.pod_level_resources);
  CHECK(spec.requests == eks::Resources{1000, 100 * 1024 * 1024});
  REQUIRE(spec.nonzero_requests);
  CHECK(*spec.nonzero_requests == eks::Resources{1000, 100 * 1024 * 1024});
  // Before Kubernetes 1.34 the feature is off: refused rather than read otherwise.
  reader.check_pod_level_resources("1.33");
  REQUIRE(d.all().size() == 1);
  CHECK(format_diagnostic(d.all()[0]).find("Pod pod-resources-demo: pod-level spec.resources "
                                           "need Kubernetes 1.34 or later") != std::string::npos);
}

TEST_CASE("pod-level resources of a DaemonSet or a bound pod are refused before 1.34 too",
          "[scenario][eks]") {
  Diagnostics d;
  ManifestReader reader(d);
  const std::string text =
      "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n"
      "  selector: {matchLabels: {app: agent}}\n  template:\n"
      "    metadata: {labels: {app: agent}}\n    spec:\n"
      "      resources: {requests: {cpu: 200m}}\n      containers: [{name: c, image: i}]\n"
      "---\napiVersion: v1\nkind: Pod\nmetadata: {name: pinned}\nspec:\n  nodeName: n1\n"
      "  resources: {requests: {cpu: 200m}}\n  containers: [{name: c, image: i}]\n";
  if (const auto docs = parse_documents(text, "m.yaml", d)) reader.read(*docs);
  reader.check();
  REQUIRE(d.ok());
  CHECK(reader.manifests().daemon_sets.at(0).pod.spec.requests.cpu_millis == 200);
  reader.check_pod_level_resources("1.33");
  REQUIRE(d.all().size() == 2);
  CHECK(format_diagnostic(d.all()[0]).find("DaemonSet agent: pod-level") != std::string::npos);
  CHECK(format_diagnostic(d.all()[1]).find("Pod pinned: pod-level") != std::string::npos);
}
