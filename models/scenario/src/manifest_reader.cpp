#include "autoscaler_flags.hpp"
#include "manifest_reader.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "ecsim/eks/fargate.hpp"
#include "ecsim/eks/scoring.hpp"
#include "api_schema.hpp"
#include "k8s_fields.hpp"

// Kubernetes manifests as `kubectl apply -f` takes them: a stream of YAML documents, each one
// object (or a v1 List of them). The workload kinds and what constrains their pods are read;
// every other kind is skipped with a note. Each object is first checked against the Kubernetes
// API types as the API server decodes it (an unknown field is an error, as with kubectl apply's
// default --validate=strict); fields the simulator does not need are noted as not simulated.
//
// Where the rules come from (kubernetes/kubernetes, pkg/apis/*/validation and */v1 defaults;
// messages follow the API server's wording where it has one):
// [DEF]  core/v1 defaults: a container's missing request takes its limit; apps/v1: replicas 1,
//        RollingUpdate with maxSurge and maxUnavailable 25% (DaemonSet: maxUnavailable 1);
//        batch/v1: completions and parallelism 1 when both are missing, parallelism 1,
//        backoffLimit 6; policy/v1beta1: minAvailable 1 when neither bound is given.
// [RES]  the scheduler's pod requests (resourcehelper.PodRequests): per resource, the larger of
//        the containers' sum (plus every restartable init container, a sidecar) and each init
//        container's request (plus the sidecars started before it); for the resource scores,
//        the same with NonMissingContainerRequests: 100m and 200Mi for each container that
//        names no such request (an explicit 0 stays 0).
// [VAL]  apps validation: a selector is required, may not be empty, and must match the
//        template's labels; maxUnavailable and maxSurge are not both 0 and a percentage of
//        maxUnavailable is at most 100%; core validation of tolerations, selectors, topology
//        spread constraints, requests above limits; batch: restartPolicy OnFailure or Never;
//        policy: minAvailable and maxUnavailable not both set; scheduling: values above
//        1000000000 and names starting `system-` are reserved, one globalDefault at most.

namespace ecsim::scenario::detail {
namespace {

// Upper bounds that stop a typo from asking for the impossible.
constexpr std::int64_t kMaxReplicas = 1'000'000;
constexpr std::int64_t kInt32Max = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kMaxUserPriority = 1'000'000'000;

// The kinds read, with the apiVersions that serve them.
struct KnownKind {
  std::string_view kind;
  std::array<std::string_view, 2> versions;
};
constexpr std::array<KnownKind, 13> kKinds{{
    {"NodePool", {"karpenter.sh/v1", ""}},
    {"EC2NodeClass", {"karpenter.k8s.aws/v1", ""}},
    {"HorizontalPodAutoscaler", {"autoscaling/v2", "autoscaling/v1"}},
    {"Pod", {"v1", ""}},
    {"CronJob", {"batch/v1", ""}},
    {"Deployment", {"apps/v1", ""}},
    {"StatefulSet", {"apps/v1", ""}},
    {"DaemonSet", {"apps/v1", ""}},
    {"Job", {"batch/v1", ""}},
    {"PodDisruptionBudget", {"policy/v1", "policy/v1beta1"}},
    {"PriorityClass", {"scheduling.k8s.io/v1", "scheduling.k8s.io/v1beta1"}},
    {"ResourceQuota", {"v1", ""}},
    {"Namespace", {"v1", ""}},
}};

// The priority classes every cluster has.
constexpr std::array<std::string_view, 2> kBuiltinPriorityClasses{"system-cluster-critical",
                                                                  "system-node-critical"};

// An RFC 1123 subdomain (object names) or label (namespaces).
bool is_dns_name(std::string_view s, bool subdomain) {
  const std::size_t most = subdomain ? 253 : 63;
  if (s.empty() || s.size() > most) return false;
  const auto alnum = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c));
  };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return alnum(c) || c == '-' || (subdomain && c == '.'); });
}

// Whether `selector` selects an object labelled `labels`.
bool selects(const eks::LabelSelector& selector, const eks::Labels& labels) {
  for (const auto& [key, value] : selector.match_labels) {
    const auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  for (const eks::SelectorRequirement& r : selector.match_expressions) {
    const auto it = labels.find(r.key);
    const bool has = it != labels.end();
    const bool in =
        has && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
    using Op = eks::SelectorOperator;
    // Gt and Lt are not valid in label selectors (refused when read): they match nothing.
    const bool holds = r.op == Op::kIn       ? in
                       : r.op == Op::kNotIn  ? !in
                       : r.op == Op::kExists ? has
                                             : r.op == Op::kDoesNotExist && !has;
    if (!holds) return false;
  }
  return true;
}

// The version whose types check an object of `api_version`: the beta versions ecsim still reads
// (policy/v1beta1 PodDisruptionBudget, scheduling.k8s.io/v1beta1 PriorityClass) have the fields
// of their v1 successors.
std::string served_as(const std::string& api_version) {
  if (api_version == "policy/v1beta1") return "policy/v1";
  if (api_version == "scheduling.k8s.io/v1beta1") return "scheduling.k8s.io/v1";
  return api_version;
}

bool is_integer(std::string_view s) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return ec == std::errc{} && end == s.data() + s.size();
}

std::vector<std::string> read_strings(const Reader& list, std::string_view what) {
  std::vector<std::string> out;
  for (const Reader& item : list.items(what))
    if (auto s = item.string()) out.push_back(std::move(*s));
  return out;
}

// One requirement of a label selector, or (`node`) of a node selector term, which also allows
// Gt and Lt.
eks::SelectorRequirement read_requirement(const Reader& e, bool node) {
  eks::SelectorRequirement out;
  if (!e.expect_object("a requirement {key, operator, values}")) return out;
  (void)require_all({e["key"], e["operator"]});
  out.key = e["key"].string().value_or("");
  const auto op = node ? e["operator"].one_of({"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"})
                       : e["operator"].one_of({"In", "NotIn", "Exists", "DoesNotExist"});
  out.values = read_strings(e["values"], "a list of values");
  if (!op) return out;
  const Reader values = e["values"];
  if (*op == "In" || *op == "NotIn") {
    out.op = *op == "In" ? eks::SelectorOperator::kIn : eks::SelectorOperator::kNotIn;
    if (out.values.empty())
      values.error("Required value: must be specified when `operator` is 'In' or 'NotIn'");
  } else if (*op == "Exists" || *op == "DoesNotExist") {
    out.op =
        *op == "Exists" ? eks::SelectorOperator::kExists : eks::SelectorOperator::kDoesNotExist;
    if (!out.values.empty())
      values.error("Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
  } else {
    out.op = *op == "Gt" ? eks::SelectorOperator::kGt : eks::SelectorOperator::kLt;
    if (out.values.size() != 1)
      (values.present() ? values : e)
          .error("Required value: must be specified single value when `operator` is 'Lt' or 'Gt'");
    else if (!is_integer(out.values.front()))
      values.items().front().error(
          fmt::format("Invalid value: \"{}\": must be an integer", out.values.front()));
  }
  return out;
}

eks::LabelSelector read_selector(const Reader& r) {
  eks::LabelSelector out;
  if (!r.expect_object("a label selector {matchLabels, matchExpressions}")) return out;
  out.match_labels = read_labels(r["matchLabels"]).value_or(eks::Labels{});
  for (const Reader& e : r["matchExpressions"].items("a list of requirements"))
    out.match_expressions.push_back(read_requirement(e, false));
  return out;
}

eks::NodeSelectorTerm read_node_term(const Reader& t) {
  eks::NodeSelectorTerm out;
  if (!t.expect_object("a node selector term {matchExpressions}")) return out;
  for (const Reader& e : t["matchExpressions"].items("a list of requirements"))
    out.match_expressions.push_back(read_requirement(e, true));
  return out;
}

std::int32_t read_weight(const Reader& w) {
  (void)w.require();
  return static_cast<std::int32_t>(w.integer(1, 100).value_or(1));
}

eks::NodeAffinity read_node_affinity(const Reader& a) {
  eks::NodeAffinity out;
  if (!a.expect_object("a node affinity")) return out;
  const Reader required = a["requiredDuringSchedulingIgnoredDuringExecution"];
  if (required.expect_object("a node selector {nodeSelectorTerms}") && required.present()) {
    const Reader terms = required["nodeSelectorTerms"];
    for (const Reader& t : terms.items("a list of node selector terms"))
      out.required.push_back(read_node_term(t));
    if (out.required.empty())
      terms.error("Required value: must have at least one node selector term");
  }
  for (const Reader& p : a["preferredDuringSchedulingIgnoredDuringExecution"].items(
           "a list of {weight, preference}")) {
    if (!p.expect_object("a preferred term {weight, preference}")) continue;
    (void)p["preference"].require();
    out.preferred.push_back(
        eks::PreferredSchedulingTerm{read_weight(p["weight"]), read_node_term(p["preference"])});
  }
  return out;
}

eks::PodAffinityTerm read_pod_term(const Reader& t) {
  eks::PodAffinityTerm out;
  if (!t.expect_object("a pod affinity term {labelSelector, namespaces, topologyKey}")) return out;
  out.selector = read_selector(t["labelSelector"]);
  out.namespaces = read_strings(t["namespaces"], "a list of namespaces");
  if (t["topologyKey"].require()) out.topology_key = t["topologyKey"].string().value_or("");
  if (t["topologyKey"].present() && out.topology_key.empty())
    t["topologyKey"].error("Required value: can not be empty");
  return out;
}

eks::PodAffinity read_pod_affinity(const Reader& a) {
  eks::PodAffinity out;
  if (!a.expect_object("a pod affinity")) return out;
  for (const Reader& t :
       a["requiredDuringSchedulingIgnoredDuringExecution"].items("a list of pod affinity terms"))
    out.required.push_back(read_pod_term(t));
  for (const Reader& p : a["preferredDuringSchedulingIgnoredDuringExecution"].items(
           "a list of {weight, podAffinityTerm}")) {
    if (!p.expect_object("a preferred term {weight, podAffinityTerm}")) continue;
    (void)p["podAffinityTerm"].require();
    out.preferred.push_back(eks::WeightedPodAffinityTerm{read_weight(p["weight"]),
                                                         read_pod_term(p["podAffinityTerm"])});
  }
  return out;
}

eks::Toleration read_toleration(const Reader& t) {
  eks::Toleration out;
  if (!t.expect_object("a toleration {key, operator, value, effect, tolerationSeconds}"))
    return out;
  out.key = t["key"].string().value_or("");
  if (t["operator"].present())
    out.op = t["operator"].one_of({"Equal", "Exists"}).value_or("Equal") == "Exists"
                 ? eks::TolerationOperator::kExists
                 : eks::TolerationOperator::kEqual;
  out.value = t["value"].string().value_or("");
  // An empty effect tolerates every effect.
  if (t["effect"].present() && !t["effect"].string().value_or("").empty())
    out.effect = read_taint_effect(t["effect"]);
  if (t["tolerationSeconds"].present()) {
    // Zero and negative values mean "evict at once", as Kubernetes reads them.
    const auto s = t["tolerationSeconds"].integer(std::numeric_limits<std::int64_t>::min() / 2,
                                                  std::int64_t{1} << 40);
    if (s) out.toleration_seconds = std::chrono::seconds(std::max<std::int64_t>(0, *s));
    if (out.effect != eks::TaintEffect::kNoExecute)
      t["effect"].error("effect must be 'NoExecute' when `tolerationSeconds` is set");
  }
  if (out.key.empty() && out.op != eks::TolerationOperator::kExists)
    t["operator"].error(
        "operator must be Exists when `key` is empty, which means \"match all values and all "
        "keys\"");
  if (out.op == eks::TolerationOperator::kExists && !out.value.empty())
    t["value"].error("value must be empty when `operator` is 'Exists'");
  return out;
}

eks::TopologySpreadConstraint read_spread(const Reader& c) {
  eks::TopologySpreadConstraint out;
  if (!c.expect_object("a topology spread constraint")) return out;
  (void)require_all({c["maxSkew"], c["topologyKey"], c["whenUnsatisfiable"]});
  out.max_skew = static_cast<std::int32_t>(c["maxSkew"].integer(1, kInt32Max).value_or(1));
  out.topology_key = c["topologyKey"].string().value_or("");
  if (const auto w = c["whenUnsatisfiable"].one_of({"DoNotSchedule", "ScheduleAnyway"}))
    out.when_unsatisfiable = *w == "DoNotSchedule" ? eks::WhenUnsatisfiable::kDoNotSchedule
                                                   : eks::WhenUnsatisfiable::kScheduleAnyway;
  out.selector = read_selector(c["labelSelector"]);
  if (c["minDomains"].present()) {
    out.min_domains = static_cast<std::int32_t>(c["minDomains"].integer(1, kInt32Max).value_or(1));
    if (out.when_unsatisfiable != eks::WhenUnsatisfiable::kDoNotSchedule)
      c["minDomains"].error("can only use minDomains if whenUnsatisfiable=DoNotSchedule");
  }
  return out;
}

// One container's requests (a missing request takes the limit) and host ports.
struct ContainerRead {
  eks::Resources requests;
  // The same with the scheduler's defaults where the container names no request (nor limit,
  // which the API server would have copied into the request).
  eks::Resources nonzero;
  bool sidecar = false;  // an init container with restartPolicy Always
};

ContainerRead read_container(const Reader& c, bool init, std::vector<eks::HostPort>& ports) {
  ContainerRead out;
  if (!c.expect_object("a container")) return out;
  const Reader resources = c["resources"];
  const Reader requests = resources["requests"];
  const Reader limits = resources["limits"];
  const bool maps = resources.expect_object("resources {requests, limits}") &&
                    requests.expect_object("a mapping of resource names to quantities") &&
                    limits.expect_object("a mapping of resource names to quantities");
  for (const bool cpu : {true, false}) {
    if (!maps) break;
    const char* name = cpu ? "cpu" : "memory";
    const auto request = read_quantity(requests[name], cpu);
    const auto limit = read_quantity(limits[name], cpu);
    (cpu ? out.requests.cpu_millis : out.requests.memory_bytes) =
        request.value_or(limit.value_or(0));
    (cpu ? out.nonzero.cpu_millis : out.nonzero.memory_bytes) = request.value_or(
        limit.value_or(cpu ? eks::kDefaultMilliCpuRequest : eks::kDefaultMemoryRequest));
    if (request && limit && *request > *limit)
      requests[name].error(fmt::format("'{}' must be less than or equal to {} limit of {}",
                                       requests[name].string().value_or(""), name,
                                       limits[name].string().value_or("")));
  }
  // Extended resources (a device plugin's, such as nvidia.com/gpu): no node of ecsim offers
  // any, and a pod that asks for one would be placed where Kubernetes leaves it Pending.
  std::set<std::string> extended;
  for (const Reader* m : {&requests, &limits}) {
    if (!maps || !m->is_map()) continue;
    for (const auto& [key, value] : m->key_entries()) {
      const std::string name = key.string().value_or("");
      if (name.find('/') == std::string::npos || name.starts_with("kubernetes.io/") ||
          !extended.insert(name).second)
        continue;
      key.error(fmt::format("the extended resource {} is not simulated: ecsim's nodes offer only "
                            "CPU, memory and pods, so no device plugin's resource (expected no "
                            "{} in the container's resources)",
                            name, name));
    }
  }
  for (const Reader& p : c["ports"].items("a list of container ports")) {
    if (!p.expect_object("a container port")) continue;
    const auto host = p["hostPort"].integer(0, 65535).value_or(0);
    if (host == 0) continue;
    const auto protocol = p["protocol"].present() ? p["protocol"].one_of({"TCP", "UDP", "SCTP"})
                                                  : std::optional<std::string>("TCP");
    ports.push_back(eks::HostPort{static_cast<std::int32_t>(host), protocol.value_or("TCP")});
  }
  if (init && c["restartPolicy"].present())
    out.sidecar = c["restartPolicy"].one_of({"Always"}).has_value();
  return out;
}

// [RES]: the requests the scheduler sees for these containers (each container's `of` it).
eks::Resources effective_requests(const std::vector<ContainerRead>& containers,
                                  const std::vector<ContainerRead>& init,
                                  eks::Resources ContainerRead::*of) {
  eks::Resources sum, sidecars, init_peak;
  for (const ContainerRead& c : containers) {
    sum.cpu_millis += (c.*of).cpu_millis;
    sum.memory_bytes += (c.*of).memory_bytes;
  }
  for (const ContainerRead& c : init) {
    const eks::Resources& r = c.*of;
    if (c.sidecar) {
      sidecars.cpu_millis += r.cpu_millis;
      sidecars.memory_bytes += r.memory_bytes;
    }
    // A sidecar runs beside the ones started before it; an init container beside them too.
    const eks::Resources before = c.sidecar ? eks::Resources{} : sidecars;
    init_peak.cpu_millis =
        std::max({init_peak.cpu_millis, sidecars.cpu_millis, before.cpu_millis + r.cpu_millis});
    init_peak.memory_bytes = std::max({init_peak.memory_bytes, sidecars.memory_bytes,
                                       before.memory_bytes + r.memory_bytes});
  }
  return eks::Resources{std::max(sum.cpu_millis + sidecars.cpu_millis, init_peak.cpu_millis),
                        std::max(sum.memory_bytes + sidecars.memory_bytes, init_peak.memory_bytes)};
}

eks::PodSpec read_pod_spec(const Reader& s) {
  eks::PodSpec out;
  if (!s.expect_object("a pod spec")) return out;
  std::vector<ContainerRead> containers, init;
  const Reader list = s["containers"];
  if (list.require())
    for (const Reader& c : list.items("a list of containers"))
      containers.push_back(read_container(c, false, out.host_ports));
  if (list.is_sequence() && containers.empty())
    list.error("Required value: at least one container");
  for (const Reader& c : s["initContainers"].items("a list of containers"))
    init.push_back(read_container(c, true, out.host_ports));
  out.requests = effective_requests(containers, init, &ContainerRead::requests);
  out.nonzero_requests = effective_requests(containers, init, &ContainerRead::nonzero);
  // Pod-level resources (KEP-2837, PodLevelResources: beta and on by default from Kubernetes
  // 1.34): the pod's cpu and memory requests, where given (a missing request takes the pod's
  // limit), are the pod's requests instead of its containers'.
  const Reader pod_resources = s["resources"];
  if (pod_resources.present() &&
      pod_resources.expect_object("resources {requests, limits}") &&
      pod_resources["requests"].expect_object("a mapping of resource names to quantities") &&
      pod_resources["limits"].expect_object("a mapping of resource names to quantities")) {
    out.pod_level_resources = true;
    for (const bool cpu : {true, false}) {
      const char* name = cpu ? "cpu" : "memory";
      const auto request = read_quantity(pod_resources["requests"][name], cpu);
      const auto limit = read_quantity(pod_resources["limits"][name], cpu);
      const auto value = request ? request : limit;
      if (!value) continue;
      (cpu ? out.requests.cpu_millis : out.requests.memory_bytes) = *value;
      if (out.nonzero_requests)
        (cpu ? out.nonzero_requests->cpu_millis : out.nonzero_requests->memory_bytes) = *value;
    }
  }
  out.node_selector = read_labels(s["nodeSelector"]).value_or(eks::Labels{});
  const Reader affinity = s["affinity"];
  if (affinity.expect_object("an affinity {nodeAffinity, podAffinity, podAntiAffinity}")) {
    out.node_affinity = read_node_affinity(affinity["nodeAffinity"]);
    out.pod_affinity = read_pod_affinity(affinity["podAffinity"]);
    out.pod_anti_affinity = read_pod_affinity(affinity["podAntiAffinity"]);
  }
  for (const Reader& t : s["tolerations"].items("a list of tolerations"))
    out.tolerations.push_back(read_toleration(t));
  std::set<std::pair<std::string, eks::WhenUnsatisfiable>> spread_keys;
  for (const Reader& c : s["topologySpreadConstraints"].items("a list of constraints")) {
    out.topology_spread.push_back(read_spread(c));
    const auto& added = out.topology_spread.back();
    if (c.is_map() && !spread_keys.emplace(added.topology_key, added.when_unsatisfiable).second)
      c.error(fmt::format("Duplicate value: topologyKey '{}' with the same whenUnsatisfiable",
                          added.topology_key));
  }
  out.priority_class_name = s["priorityClassName"].string().value_or("");
  out.node_name = s["nodeName"].string().value_or("");
  out.active_deadline = s["activeDeadlineSeconds"].present();
  // schedulingGates: the scheduler leaves the pod SchedulingGated until a controller removes
  // every gate; nothing in a run removes them, so it stays Pending.
  for (const Reader& g : s["schedulingGates"].items("a list of scheduling gates {name}"))
    if (g.expect_object("a scheduling gate {name}") && g["name"].require())
      out.scheduling_gated = true;
  if (out.scheduling_gated && !out.node_name.empty())
    s["nodeName"].error("Forbidden: cannot be set until all schedulingGates have been cleared");
  return out;
}

// The apps/v1 rules for a workload's selector: given, not empty, matching the template.
void check_selector(const Reader& spec, const eks::LabelSelector& selector,
                    const eks::Labels& template_labels, std::string_view kind) {
  if (!spec["selector"].require()) return;
  if (selector.match_labels.empty() && selector.match_expressions.empty()) {
    spec["selector"].error(fmt::format("empty selector is invalid for {}", kind));
    return;
  }
  if (!selects(selector, template_labels))
    spec["template"]["metadata"]["labels"].error("`selector` does not match template `labels`");
}

// A rolling update's maxSurge and maxUnavailable, as a Deployment's strategy gives them.
void read_rolling_update(const Reader& r, eks::Deployment& d) {
  if (!r.expect_object("a rolling update {maxSurge, maxUnavailable}")) return;
  if (r["maxSurge"].present())
    d.max_surge = read_int_or_percent(r["maxSurge"], kInt32Max, kInt32Max).value_or(d.max_surge);
  if (r["maxUnavailable"].present())
    d.max_unavailable =
        read_int_or_percent(r["maxUnavailable"], kInt32Max, 100).value_or(d.max_unavailable);
  if (d.max_surge.value == 0 && d.max_unavailable.value == 0)
    (r["maxUnavailable"].present() ? r["maxUnavailable"] : r)
        .error("may not be 0 when `maxSurge` is 0");
}

void read_strategy(const Reader& s, eks::Deployment& d) {
  if (!s.expect_object("a deployment strategy {type, rollingUpdate}")) return;
  const auto type = s["type"].present() ? s["type"].one_of({"RollingUpdate", "Recreate"})
                                        : std::optional<std::string>("RollingUpdate");
  if (type == "Recreate") {
    d.max_surge = eks::IntOrPercent{0, false};
    d.max_unavailable = eks::IntOrPercent{100, true};
    if (s["rollingUpdate"].present())
      s["rollingUpdate"].error("may not be specified when strategy `type` is 'Recreate'");
  } else if (s["rollingUpdate"].present()) {
    read_rolling_update(s["rollingUpdate"], d);
  }
}

std::int32_t read_count(const Reader& r, std::int32_t otherwise) {
  return static_cast<std::int32_t>(r.integer(0, kMaxReplicas).value_or(otherwise));
}

}  // namespace

void ManifestReader::read_file(const std::string& path, const SourceLocation& referenced_from,
                               const std::string& field) {
  const auto documents = load_documents(path, diagnostics_, referenced_from, field);
  if (!documents) return;
  read(*documents);
  for (const Document& d : *documents) Reader(d, diagnostics_).note_unread();
}

void ManifestReader::read(const std::vector<Document>& documents) {
  for (const Document& d : documents) read_object(Reader(d, diagnostics_));
}

void ManifestReader::read_object(const Reader& o) {
  if (!o.present()) return;  // an empty document, such as after a trailing `---`
  if (!o.is_map()) {
    o.error("expected a Kubernetes object: a mapping with apiVersion, kind and metadata");
    return;
  }
  if (!require_all({o["apiVersion"], o["kind"]})) return;
  const auto kind = o["kind"].string();
  const auto version = o["apiVersion"].string();
  if (!kind || !version) return;
  if (*kind == "List") {
    if (!check_api(o, *api_root("k8s.v1.List"), ApiReader::kKubectl)) return;
    for (const Reader& item : o["items"].items("a list of objects")) read_object(item);
    return;
  }
  // The API server decodes every object of a kind it serves strictly (kubectl apply's default
  // --validate=strict); an object of a group whose types ecsim does not have is skipped unread.
  const std::optional<std::uint16_t> schema = api_root(fmt::format("k8s.{}.{}", served_as(*version), *kind));
  if (schema && !check_api(o, *schema, ApiReader::kKubectl)) return;
  const auto known = std::find_if(kKinds.begin(), kKinds.end(),
                                  [&](const KnownKind& k) { return k.kind == *kind; });
  if (known == kKinds.end()) {
    const std::string name =
        o["metadata"].is_map() ? o["metadata"]["name"].string().value_or("") : std::string();
    out_.notes.push_back(fmt::format("{}:{}: skipped {} '{}'{}", o.file(), o.where().line, *kind,
                                     name, schema ? "" : " (its fields are not checked)"));
    return;
  }
  if (std::find(known->versions.begin(), known->versions.end(), *version) ==
      known->versions.end()) {
    const std::string expected =
        known->versions[1].empty()
            ? std::string(known->versions[0])
            : fmt::format("{} or {}", known->versions[0], known->versions[1]);
    o["apiVersion"].error(
        fmt::format("{} {} is not served (expected apiVersion {})", *version, *kind, expected));
    return;
  }
  read_kind(o, *kind, *version);
}

eks::ObjectMeta ManifestReader::read_meta(const Reader& o, const std::string& kind,
                                          bool namespaced) {
  eks::ObjectMeta meta;
  const Reader m = o["metadata"];
  if (!m.require() || !m.expect_object("object metadata {name, namespace, labels}")) return meta;
  if (m["name"].require()) meta.name = m["name"].string().value_or("");
  if (m["name"].present() && !meta.name.empty() && !is_dns_name(meta.name, true))
    m["name"].error(fmt::format(
        "'{}' is not a valid name: a lowercase RFC 1123 subdomain must consist of lower case "
        "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
        "character",
        meta.name));
  if (namespaced && m["namespace"].present()) {
    meta.name_space = m["namespace"].string().value_or(meta.name_space);
    if (!is_dns_name(meta.name_space, false))
      m["namespace"].error(fmt::format(
          "'{}' is not a valid namespace: a lowercase RFC 1123 label must consist of lower case "
          "alphanumeric characters or '-', and must start and end with an alphanumeric character",
          meta.name_space));
  }
  if (!namespaced) meta.name_space.clear();
  meta.labels = read_labels(m["labels"]).value_or(eks::Labels{});
  const auto key = std::make_tuple(kind, meta.name_space, meta.name);
  if (!meta.name.empty()) {
    const auto [it, added] = seen_.emplace(key, m["name"].where());
    if (!added)
      m["name"].error(fmt::format("{} '{}{}' is defined twice (first at {}:{}:{})", kind,
                                  namespaced ? meta.name_space + "/" : "", meta.name,
                                  it->second.file, it->second.line, it->second.column));
  }
  return meta;
}

eks::PodTemplate ManifestReader::read_template(const Reader& spec, bool job) {
  eks::PodTemplate out;
  const Reader t = spec["template"];
  if (!t.require() || !t.expect_object("a pod template {metadata, spec}")) return out;
  if (t["metadata"].expect_object("template metadata {labels}"))
    out.labels = read_labels(t["metadata"]["labels"]).value_or(eks::Labels{});
  if (t["spec"].require()) out.spec = read_pod_spec(t["spec"]);
  if (t["metadata"].is_map() && t["metadata"]["annotations"].is_map())
    out.not_safe_to_evict =
        t["metadata"]["annotations"]["cluster-autoscaler.kubernetes.io/safe-to-evict"]
            .string()
            .value_or("") == "false";
  if (const auto name = t["spec"]["schedulerName"].string())
    scheduler_uses_.emplace_back(*name, t["spec"]["schedulerName"]);
  // A controller's pods with spec.nodeName skip the scheduler; the kubelet's refusals (OutOfcpu,
  // ...) would make the controller replace them without end, which is not simulated.
  if (t["spec"].is_map() && t["spec"]["nodeName"].present())
    t["spec"]["nodeName"].error(
        "spec.nodeName in a pod template is not simulated: its pods skip the scheduler, and "
        "each one the node's kubelet refuses is replaced at once, without end (expected a "
        "nodeSelector on kubernetes.io/hostname, or a bare Pod with spec.nodeName)");
  if (!out.spec.priority_class_name.empty())
    priority_uses_.emplace_back(out.spec.priority_class_name, t["spec"]["priorityClassName"]);
  if (job && t["spec"].is_map()) {
    const Reader policy = t["spec"]["restartPolicy"];
    const std::string value = policy.string().value_or("Always");
    if (value != "OnFailure" && value != "Never")
      (policy.present() ? policy : t["spec"])
          .error(fmt::format("Unsupported value: \"{}\": supported values: \"OnFailure\", "
                             "\"Never\"",
                             value));
  }
  return out;
}

template <class Workload>
Workload ManifestReader::read_workload(const Reader& spec, eks::ObjectMeta meta,
                                       std::string_view kind) {
  Workload w;
  w.meta = std::move(meta);
  if constexpr (requires { w.replicas; }) w.replicas = read_count(spec["replicas"], 1);
  w.selector = read_selector(spec["selector"]);
  w.pod = read_template(spec, false);
  check_selector(spec, w.selector, w.pod.labels, kind);
  return w;
}

void ManifestReader::read_kind(const Reader& o, const std::string& kind,
                               const std::string& api_version) {
  const bool cluster_scoped = kind == "PriorityClass" || kind == "Namespace" ||
                              kind == "NodePool" || kind == "EC2NodeClass";
  eks::ObjectMeta meta = read_meta(o, kind, !cluster_scoped);
  if (kind == "Namespace") {
    out_.namespaces.push_back(meta.name);
    return;
  }
  if (kind == "PriorityClass") {
    read_priority_class(o, std::move(meta));
    return;
  }
  const Reader spec = o["spec"];
  if (!spec.require() || !spec.expect_object(fmt::format("a {} spec", kind))) return;
  if (kind == "NodePool") {
    read_node_pool(spec, std::move(meta));
  } else if (kind == "EC2NodeClass") {
    eks::NodeClass nc;
    nc.meta = std::move(meta);
    const Reader kubelet = spec["kubelet"];
    if (kubelet.expect_object("a kubelet configuration {maxPods, podsPerCore, ...}")) {
      const auto count = [&](const char* key, std::optional<std::int32_t>& out) {
        if (!kubelet[key].present()) return;
        if (const auto v = kubelet[key].integer(0, kInt32Max)) out = static_cast<std::int32_t>(*v);
      };
      count("maxPods", nc.max_pods);
      count("podsPerCore", nc.pods_per_core);
    }
    node_class_names_.push_back(nc.meta.name);
    out_.node_classes.push_back(std::move(nc));
  } else if (kind == "Pod") {
    eks::Pod pod;
    pod.meta = std::move(meta);
    pod.pod.labels = read_labels(o["metadata"]["labels"]).value_or(eks::Labels{});
    pod.pod.spec = read_pod_spec(spec);
    if (const auto name = spec["schedulerName"].string())
      scheduler_uses_.emplace_back(*name, spec["schedulerName"]);
    if (!pod.pod.spec.priority_class_name.empty())
      priority_uses_.emplace_back(pod.pod.spec.priority_class_name, spec["priorityClassName"]);
    pod_places_.push_back({"Pod " + pod.meta.name, pod.meta.name_space, pod.pod, o, false});
    out_.pods.push_back(std::move(pod));
  } else if (kind == "Deployment") {
    auto d = read_workload<eks::Deployment>(spec, std::move(meta), "deployment");
    if (spec["strategy"].present()) read_strategy(spec["strategy"], d);
    read_cluster_autoscaler(spec, d.meta);
    pod_places_.push_back({"Deployment " + d.meta.name, d.meta.name_space, d.pod, o, false});
    out_.deployments.push_back(std::move(d));
  } else if (kind == "StatefulSet") {
    auto d = read_workload<eks::StatefulSet>(spec, std::move(meta), "statefulset");
    pod_places_.push_back({"StatefulSet " + d.meta.name, d.meta.name_space, d.pod, o, false});
    out_.stateful_sets.push_back(std::move(d));
  } else if (kind == "DaemonSet") {
    auto d = read_workload<eks::DaemonSet>(spec, std::move(meta), "daemonset");
    const Reader update = spec["updateStrategy"];
    if (update.expect_object("an update strategy {type, rollingUpdate}") &&
        update["rollingUpdate"].expect_object("a rolling update {maxUnavailable, maxSurge}") &&
        update["rollingUpdate"]["maxUnavailable"].present())
      d.max_unavailable =
          read_int_or_percent(update["rollingUpdate"]["maxUnavailable"], kInt32Max, 100)
              .value_or(d.max_unavailable);
    pod_places_.push_back({"DaemonSet " + d.meta.name, d.meta.name_space, d.pod, o, true});
    out_.daemon_sets.push_back(std::move(d));
  } else if (kind == "Job") {
    eks::Job j = read_job(spec, std::move(meta));
    job_places_.push_back(o["metadata"]["name"]);
    pod_places_.push_back({kind + " " + j.meta.name, j.meta.name_space, j.pod, o, false});
    out_.jobs.push_back(std::move(j));
  } else if (kind == "CronJob") {
    const Reader job_spec = spec["jobTemplate"]["spec"];
    if (!spec["jobTemplate"].require() || !job_spec.require() ||
        !job_spec.expect_object("a Job spec"))
      return;
    eks::Job j = read_job(job_spec, std::move(meta));
    j.cron = read_cron(spec);
    job_places_.push_back(o["metadata"]["name"]);
    pod_places_.push_back({kind + " " + j.meta.name, j.meta.name_space, j.pod, o, false});
    out_.jobs.push_back(std::move(j));
  } else if (kind == "HorizontalPodAutoscaler") {
    read_autoscaler(o, std::move(meta), api_version);
  } else if (kind == "PodDisruptionBudget") {
    eks::PodDisruptionBudget p;
    p.meta = std::move(meta);
    const Reader min = spec["minAvailable"];
    const Reader max = spec["maxUnavailable"];
    if (min.present()) p.min_available = read_int_or_percent(min, kInt32Max, 100);
    if (max.present()) p.max_unavailable = read_int_or_percent(max, kInt32Max, 100);
    if (min.present() && max.present())
      max.error("minAvailable and maxUnavailable cannot be both set");
    else if (!min.present() && !max.present() && api_version == "policy/v1beta1")
      p.min_available = eks::IntOrPercent{1, false};
    else if (!min.present() && !max.present())
      spec.error("expected minAvailable or maxUnavailable (an integer or a percentage)");
    if (!spec["selector"].present()) {
      // policy/v1: a null selector selects no pod, so the budget protects nothing.
      out_.notes.push_back(
          fmt::format("{}:{}: skipped PodDisruptionBudget '{}' without a "
                      "selector (it selects no pod)",
                      o.file(), o.where().line, p.meta.name));
      return;
    }
    p.selector = read_selector(spec["selector"]);
    out_.pdbs.push_back(std::move(p));
  } else {  // ResourceQuota
    eks::ResourceQuota q;
    q.meta = std::move(meta);
    const Reader hard = spec["hard"];
    if (hard.expect_object("a mapping of resource names to quantities")) {
      // `cpu` and `memory` mean requests.cpu and requests.memory; given both, the smaller holds.
      const auto tighter = [&](std::optional<std::int64_t>& slot, const char* key, bool millis) {
        const auto v = read_quantity(hard[key], millis);
        if (v) slot = slot ? std::min(*slot, *v) : *v;
      };
      tighter(q.pods, "pods", false);
      tighter(q.requests_cpu_millis, "requests.cpu", true);
      tighter(q.requests_cpu_millis, "cpu", true);
      tighter(q.requests_memory_bytes, "requests.memory", false);
      tighter(q.requests_memory_bytes, "memory", false);
      tighter(q.pods, "count/pods", false);
      // Limits decide admission too (a pod must then set them), and ecsim does not keep them.
      for (const char* key : {"limits.cpu", "limits.memory"})
        if (hard[key].present())
          hard[key].error(fmt::format(
              "a quota on {} is not simulated: ecsim does not track pods' limits (expected "
              "requests.cpu, requests.memory or pods)",
              key));
    }
    read_quota_scopes(spec, q);
    out_.quotas.push_back(std::move(q));
  }
}

// spec.scopes and spec.scopeSelector, with the API server's checks (core validation of
// ResourceQuotaSpec): known scope names; In and NotIn need values and only PriorityClass takes
// them; a scope other than PriorityClass only with Exists; not BestEffort with NotBestEffort
// nor Terminating with NotTerminating; a BestEffort quota limits only pods.
void ManifestReader::read_quota_scopes(const Reader& spec, eks::ResourceQuota& q) {
  using Name = eks::QuotaScope::Name;
  static constexpr std::array<std::pair<std::string_view, Name>, 5> kNames{{
      {"BestEffort", Name::kBestEffort},
      {"NotBestEffort", Name::kNotBestEffort},
      {"Terminating", Name::kTerminating},
      {"NotTerminating", Name::kNotTerminating},
      {"PriorityClass", Name::kPriorityClass},
  }};
  const auto scope_named = [&](const Reader& r) -> std::optional<Name> {
    const auto text = r.string();
    if (!text) return std::nullopt;
    for (const auto& [name, value] : kNames)
      if (name == *text) return value;
    if (*text == "CrossNamespacePodAffinity") {
      r.error("the CrossNamespacePodAffinity scope is not simulated (ecsim does not read pod "
              "affinity's namespaceSelector, which it counts); expected BestEffort, "
              "NotBestEffort, Terminating, NotTerminating or PriorityClass");
      return std::nullopt;
    }
    std::vector<std::string> names;
    for (const auto& [name, value] : kNames) names.emplace_back(name);
    const std::string hint = did_you_mean(*text, names);
    r.error(fmt::format("Unsupported value: \"{}\": supported values: {}{}", *text,
                        either(names), hint.empty() ? "" : " (" + hint + ")"));
    return std::nullopt;
  };
  for (const Reader& item : spec["scopes"].items("a list of scope names"))
    if (const auto name = scope_named(item)) q.scopes.push_back(eks::QuotaScope{*name, {}, {}});
  const Reader selector = spec["scopeSelector"];
  if (selector.expect_object("a scope selector {matchExpressions}")) {
    for (const Reader& e : selector["matchExpressions"].items("a list of scope requirements")) {
      if (!e.expect_object("a scope requirement {scopeName, operator, values}") ||
          !require_all({e["scopeName"], e["operator"]}))
        continue;
      const auto name = scope_named(e["scopeName"]);
      const auto op = e["operator"].one_of({"In", "NotIn", "Exists", "DoesNotExist"});
      if (!name || !op) continue;
      eks::QuotaScope scope{*name, eks::SelectorOperator::kExists, read_strings(e["values"], "a list of values")};
      scope.op = *op == "In"       ? eks::SelectorOperator::kIn
                 : *op == "NotIn"  ? eks::SelectorOperator::kNotIn
                 : *op == "Exists" ? eks::SelectorOperator::kExists
                                   : eks::SelectorOperator::kDoesNotExist;
      const bool with_values = *op == "In" || *op == "NotIn";
      if (with_values && scope.values.empty())
        e["values"].error("Required value: must be at least one value when `operator` is 'In' or "
                          "'NotIn' for scope selector");
      else if (!with_values && !scope.values.empty())
        e["values"].error("Invalid value: must be no value when `operator` is 'Exist' and "
                          "'DoesNotExist' for scope selector");
      if (*name != Name::kPriorityClass && *op != "Exists")
        e["operator"].error(fmt::format(
            "Invalid value: \"{}\": must be 'Exist' when scope is any of "
            "ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, "
            "ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or "
            "ResourceQuotaScopeCrossNamespacePodAffinity",
            *op));
      q.scopes.push_back(std::move(scope));
    }
  }
  const auto has = [&](Name n) {
    return std::any_of(q.scopes.begin(), q.scopes.end(),
                       [&](const eks::QuotaScope& s) { return s.name == n; });
  };
  if ((has(Name::kBestEffort) && has(Name::kNotBestEffort)) ||
      (has(Name::kTerminating) && has(Name::kNotTerminating)))
    spec.error("Invalid value: conflicting scopes (BestEffort with NotBestEffort, or Terminating "
               "with NotTerminating)");
  if (has(Name::kBestEffort) && (q.requests_cpu_millis || q.requests_memory_bytes))
    spec["hard"].error("Invalid value: unsupported scope applied to resource (a BestEffort "
                       "quota limits only pods)");
}

eks::Job ManifestReader::read_job(const Reader& spec, eks::ObjectMeta meta) {
  eks::Job j;
  j.meta = std::move(meta);
  j.parallelism = read_count(spec["parallelism"], 1);
  // A work-queue Job (parallelism without completions) is read as each of its pods
  // completing once.
  j.completions =
      read_count(spec["completions"], spec["parallelism"].present() ? j.parallelism : 1);
  j.backoff_limit = read_count(spec["backoffLimit"], 6);
  j.pod = read_template(spec, true);
  if (spec["activeDeadlineSeconds"].present())
    j.active_deadline_s = spec["activeDeadlineSeconds"].integer(1, kInt32Max);
  const Reader policy = spec["podFailurePolicy"];
  if (policy.expect_object("a pod failure policy {rules}") && policy.present()) {
    // batch validation: the pods' restartPolicy must be Never; at most 20 rules.
    const Reader restart = spec["template"]["spec"]["restartPolicy"];
    if (restart.string().value_or("") != "Never")
      (restart.present() ? restart : policy)
          .error("Invalid value: only \"Never\" is supported as the pods' restartPolicy when "
                 "podFailurePolicy is specified");
    const std::vector<Reader> rules = policy["rules"].items("a list of rules");
    if (rules.size() > 20) policy["rules"].error("Too many: must have at most 20 items");
    for (const Reader& r : rules) {
      if (!r.expect_object("a rule {action, onExitCodes, onPodConditions}") || !r["action"].require())
        continue;
      eks::PodFailureRule rule;
      const auto action = r["action"].one_of({"FailJob", "Ignore", "Count", "FailIndex"});
      if (!action) continue;
      if (*action == "FailIndex") {
        r["action"].error("FailIndex is not simulated: it needs an Indexed Job, which ecsim does "
                          "not model (expected FailJob, Ignore or Count)");
        continue;
      }
      rule.action = *action == "FailJob" ? eks::PodFailureRule::Action::kFailJob
                    : *action == "Ignore" ? eks::PodFailureRule::Action::kIgnore
                                          : eks::PodFailureRule::Action::kCount;
      const Reader codes = r["onExitCodes"];
      const Reader conditions = r["onPodConditions"];
      if (codes.present() == conditions.present()) {
        r.error("Invalid value: specifying one of OnExitCodes and OnPodConditions is required");
        continue;
      }
      if (codes.present()) {
        if (!codes.expect_object("exit codes {containerName, operator, values}") ||
            !require_all({codes["operator"], codes["values"]}))
          continue;
        const auto op = codes["operator"].one_of({"In", "NotIn"});
        rule.exit_in = op.value_or("In") == "In";
        for (const Reader& v : codes["values"].items("a list of exit codes"))
          if (const auto code = v.integer(0, 255)) rule.exit_codes.push_back(static_cast<std::int32_t>(*code));
      } else {
        for (const Reader& c : conditions.items("a list of pod conditions")) {
          if (!c.expect_object("a pod condition {type, status}") || !c["type"].require()) continue;
          const std::string type = c["type"].string().value_or("");
          if (type != "DisruptionTarget")
            c["type"].error(fmt::format("the pod condition {} is not simulated (expected "
                                        "DisruptionTarget: a pod evicted or preempted)",
                                        type));
          if (c["status"].string().value_or("True") != "True")
            c["status"].error("only status True is simulated for DisruptionTarget");
          rule.on_disruption = true;
        }
      }
      j.failure_rules.push_back(std::move(rule));
    }
  }
  return j;
}

// A CronJob's own fields, with the API server's checks (batch validation): a schedule in cron
// syntax without TZ= or CRON_TZ=, a known concurrencyPolicy, startingDeadlineSeconds >= 0. A
// timeZone other than UTC is refused: ecsim's calendar is UTC.
eks::CronSpec ManifestReader::read_cron(const Reader& spec) {
  eks::CronSpec c;
  const Reader schedule = spec["schedule"];
  if (schedule.require()) {
    c.schedule_text = schedule.string().value_or("");
    if (c.schedule_text.find("TZ=") != std::string::npos) {
      schedule.error(fmt::format("Invalid value: \"{}\": cannot use TZ or CRON_TZ in schedule, "
                                 "use timeZone field instead",
                                 c.schedule_text));
    } else {
      workload::CronParse parsed = workload::parse_cron(c.schedule_text);
      if (parsed.schedule)
        c.schedule = *parsed.schedule;
      else
        schedule.error(fmt::format("Invalid value: \"{}\": {}", c.schedule_text, parsed.problem));
    }
  }
  if (const Reader tz = spec["timeZone"]; tz.present()) {
    const std::string zone = tz.string().value_or("");
    if (zone != "UTC" && zone != "Etc/UTC")
      tz.error(fmt::format("timeZone '{}' is not simulated: ecsim's calendar is UTC, simulated "
                           "time 0 being Monday 1 January 2024 00:00 UTC (expected UTC, Etc/UTC, "
                           "or a schedule written in UTC)",
                           zone));
  }
  if (const auto p = spec["concurrencyPolicy"].present()
                         ? spec["concurrencyPolicy"].one_of({"Allow", "Forbid", "Replace"})
                         : std::optional<std::string>("Allow"))
    c.concurrency = *p == "Allow"    ? eks::CronSpec::Concurrency::kAllow
                    : *p == "Forbid" ? eks::CronSpec::Concurrency::kForbid
                                     : eks::CronSpec::Concurrency::kReplace;
  if (spec["startingDeadlineSeconds"].present())
    c.starting_deadline_s = spec["startingDeadlineSeconds"].integer(0, kInt32Max);
  c.suspend = spec["suspend"].boolean().value_or(false);
  return c;
}

void ManifestReader::read_priority_class(const Reader& o, eks::ObjectMeta meta) {
  eks::PriorityClass c;
  c.name = std::move(meta.name);
  const Reader value = o["value"];
  if (value.require())
    c.value = static_cast<std::int32_t>(
        value.integer(std::numeric_limits<std::int32_t>::min(), kInt32Max).value_or(0));
  if (c.value > kMaxUserPriority)
    value.error(
        fmt::format("maximum allowed value of a user defined priority is {}", kMaxUserPriority));
  if (c.name.starts_with("system-"))
    o["metadata"]["name"].error("priority class names with 'system-' prefix are reserved");
  c.global_default = o["globalDefault"].boolean().value_or(false);
  if (c.global_default) global_defaults_.push_back(o["globalDefault"]);
  if (o["preemptionPolicy"].present())
    c.preempt_lower_priority =
        o["preemptionPolicy"].one_of({"PreemptLowerPriority", "Never"}).value_or("") != "Never";
  out_.priority_classes.push_back(std::move(c));
}

void ManifestReader::check_scheduler_names(std::string_view profile) {
  for (const auto& [name, at] : scheduler_uses_)
    if (name != "default-scheduler" && name != profile)
      at.error(fmt::format("schedulerName '{}' names no scheduler ecsim runs: the cluster's "
                           "kube-scheduler is default-scheduler (profile {}), and pods for another "
                           "scheduler are not simulated (expected default-scheduler, or no "
                           "schedulerName)",
                           name, profile));
}

void ManifestReader::check_fargate(const std::vector<eks::FargateProfile>& profiles) {
  for (const PodPlace& place : pod_places_) {
    const auto fp =
        eks::fargate_profile_for(profiles, place.name_space, place.pod, place.daemon_set);
    if (!fp) continue;
    const std::string& profile = profiles[*fp].name;
    const eks::PodSpec& spec = place.pod.spec;
    if (!eks::fargate_pod_size(spec.requests))
      place.at.error(fmt::format(
          "{}: its pods request {}m CPU and {} MiB of memory, with the {} MiB Fargate adds "
          "more than Fargate's largest size (16 vCPU, 120 GiB): Fargate profile '{}' takes them "
          "and they would stay Pending (expected smaller requests, or no profile selecting "
          "these pods)",
          place.what, spec.requests.cpu_millis, (spec.requests.memory_bytes + (1 << 20) - 1) >> 20,
          eks::kFargatePodOverheadMib, profile));
    if (!spec.host_ports.empty())
      place.at.error(fmt::format(
          "{}: its pods bind hostPort {}, which Fargate does not run: Fargate profile '{}' takes "
          "them and they would stay Pending (expected no hostPort, or no profile selecting "
          "these pods)",
          place.what, spec.host_ports.front().port, profile));
  }
}

void ManifestReader::check_pod_level_resources(std::string_view version) {
  for (const PodPlace& place : pod_places_)
    if (place.pod.spec.pod_level_resources)
      place.at.error(fmt::format(
          "{}: pod-level spec.resources need Kubernetes 1.34 or later (PodLevelResources is off "
          "by default before; the cluster runs {}), where the pod's requests replace its "
          "containers' (expected kubernetes_version 1.34 or later, or the requests on the "
          "containers)",
          place.what, version));
}

// A duration of a Karpenter CRD field: whole numbers each followed by one of `units` (or
// `Never` where `never` allows it), as the CRD's pattern `pattern` admits; none for Never.
std::optional<std::optional<SimDuration>> crd_duration(const Reader& r, std::string_view units,
                                                       bool never, std::string_view pattern) {
  std::string text = r.string().value_or("");
  // A budget's duration may end in "0s", as Go prints durations ("8h0m0s"): it adds nothing.
  const std::string written = text;
  if (units == "hm" && text.size() > 2 && text.ends_with("0s") &&
      units.find(text[text.size() - 3]) != std::string_view::npos)
    text.resize(text.size() - 2);
  if (never && text == "Never") return std::optional<SimDuration>{};
  SimDuration total{};
  std::size_t i = 0;
  bool ok = !text.empty();
  while (ok && i < text.size()) {
    std::int64_t n = 0;
    const std::size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
      n = n * 10 + (text[i++] - '0');
    if (i == start || i == text.size() || units.find(text[i]) == std::string_view::npos || n > 1'000'000'000) {
      ok = false;
      break;
    }
    total += text[i] == 'h' ? SimDuration{std::chrono::hours(n)}
             : text[i] == 'm' ? SimDuration{std::chrono::minutes(n)}
                              : SimDuration{std::chrono::seconds(n)};
    ++i;
  }
  if (!ok) {
    r.error(fmt::format("Invalid value: \"{}\": {} in body should match '{}'", written, r.path(), pattern));
    return std::nullopt;
  }
  return std::optional<SimDuration>{total};
}

// A Karpenter NodePool (karpenter.sh/v1), with its CRD's defaults and validation (patterns,
// enums, x-kubernetes-validations rules, in the API server's words where it has them).
void ManifestReader::read_node_pool(const Reader& spec, eks::ObjectMeta meta) {
  eks::NodePool pool;
  pool.meta = std::move(meta);
  if (spec["replicas"].present())
    spec["replicas"].error("a static NodePool (spec.replicas) is not simulated: ecsim's Karpenter "
                           "provisions for pending pods (expected no replicas)");
  const Reader tmpl = spec["template"];
  const Reader ts = tmpl["spec"];
  if (tmpl.require() && tmpl.expect_object("a NodeClaim template {metadata, spec}")) {
    pool.labels = read_labels(tmpl["metadata"]["labels"]).value_or(eks::Labels{});
    if (ts.require() && ts.expect_object("a NodeClaim spec {nodeClassRef, requirements, ...}")) {
      const Reader ref = ts["nodeClassRef"];
      if (ref.require() && ref.expect_object("a reference {group, kind, name}") &&
          require_all({ref["group"], ref["kind"], ref["name"]})) {
        const std::string group = ref["group"].string().value_or("");
        const std::string k = ref["kind"].string().value_or("");
        pool.auto_mode_class = group == "eks.amazonaws.com" && k == "NodeClass";
        if ((group != "karpenter.k8s.aws" || k != "EC2NodeClass") && !pool.auto_mode_class)
          ref["kind"].error(fmt::format(
              "a node class of kind {} ({}) is not simulated (expected group karpenter.k8s.aws, "
              "kind EC2NodeClass, or EKS Auto Mode's eks.amazonaws.com NodeClass)",
              k, group));
        pool.node_class = ref["name"].string().value_or("");
        node_class_refs_.push_back(ref["name"]);
      } else {
        node_class_refs_.push_back(ref);
      }
      if (ts["requirements"].require())
        for (const Reader& e : ts["requirements"].items("a list of requirements {key, operator, values}"))
          pool.requirements.push_back(read_requirement(e, true));
      const auto taints = [&](const Reader& list, std::vector<eks::Taint>& out) {
        for (const Reader& t : list.items("a list of taints {key, value, effect}")) {
          if (!t.expect_object("a taint {key, value, effect}")) continue;
          eks::Taint taint;
          taint.key = t["key"].string().value_or("");
          taint.value = t["value"].string().value_or("");
          if (const auto e = read_taint_effect(t["effect"])) taint.effect = *e;
          out.push_back(std::move(taint));
        }
      };
      taints(ts["taints"], pool.taints);
      taints(ts["startupTaints"], pool.startup_taints);
      if (ts["expireAfter"].present())
        if (const auto d = crd_duration(ts["expireAfter"], "smh", true, "^(([0-9]+(s|m|h))+|Never)$"))
          pool.expire_after = *d;
      if (ts["terminationGracePeriod"].present())
        if (const auto d = crd_duration(ts["terminationGracePeriod"], "smh", false, "^([0-9]+(s|m|h))+$"))
          pool.termination_grace_period = *d;
    }
  }
  const Reader d = spec["disruption"];
  if (d.expect_object("disruption settings {consolidationPolicy, consolidateAfter, budgets}")) {
    if (const Reader policy = d["consolidationPolicy"]; policy.present()) {
      if (const auto v = policy.one_of({"WhenEmpty", "WhenEmptyOrUnderutilized", "Balanced"})) {
        if (*v == "Balanced")
          policy.error("consolidationPolicy Balanced is not simulated (expected WhenEmpty or "
                       "WhenEmptyOrUnderutilized)");
        pool.policy = *v == "WhenEmpty" ? eks::ConsolidationPolicy::kWhenEmpty
                                        : eks::ConsolidationPolicy::kWhenEmptyOrUnderutilized;
      }
    }
    if (const Reader after = d["consolidateAfter"]; after.present())
      if (const auto v = crd_duration(after, "smh", true, "^(([0-9]+(s|m|h))+|Never)$"))
        pool.consolidate_after = *v;
    if (d["budgets"].present()) {
      pool.budgets.clear();
      for (const Reader& b : d["budgets"].items("a list of budgets {nodes, schedule, duration, reasons}")) {
        if (!b.expect_object("a budget {nodes, schedule, duration, reasons}")) continue;
        eks::NodePoolBudget budget;
        const Reader nodes = b["nodes"];
        if (nodes.require()) {
          const std::string text = nodes.string().value_or("");
          const bool percent = !text.empty() && text.back() == '%';
          const std::string digits = percent ? text.substr(0, text.size() - 1) : text;
          const bool ok = !digits.empty() && is_integer(digits) && digits.find('-') == std::string::npos &&
                          (!percent || std::stoll(digits) <= 100);
          if (!ok)
            nodes.error(fmt::format("Invalid value: \"{}\": {} in body should match "
                                    "'^((100|[0-9]{{1,2}})%|[0-9]+)$'",
                                    text, nodes.path()));
          else
            budget.nodes = eks::IntOrPercent{std::stoll(digits), percent};
        }
        const Reader schedule = b["schedule"], duration = b["duration"];
        if (schedule.present() != duration.present())
          (schedule.present() ? schedule : duration)
              .error("Invalid value: 'schedule' must be set with 'duration'");
        if (schedule.present() && duration.present()) {
          const workload::CronParse parsed = workload::parse_cron(schedule.string().value_or(""));
          if (!parsed.schedule) schedule.error(parsed.problem);
          else budget.schedule = parsed.schedule;
          if (const auto v = crd_duration(duration, "hm", false,
                                          "^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$");
              v && *v)
            budget.duration = **v;
        }
        if (b["reasons"].present()) {
          budget.reasons = 0;
          for (const Reader& r : b["reasons"].items("a list of reasons"))
            if (const auto v = r.one_of({"Underutilized", "Empty", "Drifted"}))
              budget.reasons |= *v == "Empty"           ? eks::kReasonEmpty
                                : *v == "Underutilized" ? eks::kReasonUnderutilized
                                                        : eks::kReasonDrifted;
        }
        pool.budgets.push_back(std::move(budget));
      }
    }
  }
  const Reader limits = spec["limits"];
  if (limits.expect_object("a mapping of resource names to quantities")) {
    for (const auto& [name, value] : limits.entries()) {
      if (name == "cpu") pool.limit_cpu_millis = read_quantity(value, true);
      else if (name == "memory") pool.limit_memory_bytes = read_quantity(value, false);
      else if (name == "nodes") pool.limit_nodes = read_quantity(value, false);
      else
        value.error(fmt::format("a limit on {} is not simulated: ecsim's nodes offer cpu and "
                                "memory (expected cpu, memory or nodes)",
                                name));
    }
  }
  if (const Reader w = spec["weight"]; w.present()) {
    if (const auto v = w.integer(std::numeric_limits<std::int32_t>::min(), kInt32Max)) {
      if (*v < 1 || *v > 100)
        w.error(fmt::format("Invalid value: {}: spec.weight in body should be {}", *v,
                            *v < 1 ? "greater than or equal to 1" : "less than or equal to 100"));
      else pool.weight = static_cast<std::int32_t>(*v);
    }
  }
  out_.node_pools.push_back(std::move(pool));
}

// A HorizontalPodAutoscaler, with the API server's validation (ValidateHorizontalPodAutoscaler
// after v2's defaults): minReplicas at least 1 (scale to zero is an alpha feature), maxReplicas
// at least 1 and minReplicas, a target, Resource metrics of cpu or memory (ecsim's load gives
// no other metric), and behaviour rules within 3600 s windows and 1800 s periods.
void ManifestReader::read_autoscaler(const Reader& o, eks::ObjectMeta meta,
                                     const std::string& api_version) {
  eks::HorizontalPodAutoscaler h;
  h.meta = std::move(meta);
  const Reader spec = o["spec"];
  const Reader ref = spec["scaleTargetRef"];
  if (ref.require() && ref.expect_object("a reference {apiVersion, kind, name}")) {
    (void)ref["apiVersion"].string();
    const Reader kind = ref["kind"], name = ref["name"];
    if (!kind.present() || kind.string().value_or("").empty())
      (kind.present() ? kind : ref).error("Required value: spec.scaleTargetRef.kind");
    if (!name.present() || name.string().value_or("").empty())
      (name.present() ? name : ref).error("Required value: spec.scaleTargetRef.name");
    const std::string k = kind.string().value_or("");
    if (k == "StatefulSet") h.target_kind = eks::HorizontalPodAutoscaler::TargetKind::kStatefulSet;
    else if (!k.empty() && k != "Deployment")
      kind.error(fmt::format("a target of kind '{}' is not simulated (expected Deployment or "
                             "StatefulSet)",
                             k));
    // An unsimulated kind has no target to check further.
    if (k.empty() || k == "Deployment" || k == "StatefulSet") h.target_name = name.string().value_or("");
    autoscaler_targets_.push_back(name.present() ? name : ref);
  } else {
    autoscaler_targets_.push_back(ref);
  }
  const auto whole = [](const Reader& r) {
    return r.integer(std::numeric_limits<std::int32_t>::min(), kInt32Max);
  };
  const Reader min = spec["minReplicas"], max = spec["maxReplicas"];
  if (min.present()) {
    const auto v = whole(min);
    if (v && *v < 1)
      min.error(fmt::format("Invalid value: {}: must be greater than or equal to 1", *v));
    else if (v) h.min_replicas = static_cast<std::int32_t>(*v);
  }
  if (max.require()) {
    const auto v = whole(max);
    if (v && *v < 1) max.error(fmt::format("Invalid value: {}: must be greater than 0", *v));
    else if (v && *v < h.min_replicas)
      max.error(fmt::format("Invalid value: {}: must be greater than or equal to `minReplicas`", *v));
    else if (v) h.max_replicas = static_cast<std::int32_t>(*v);
  }
  if (api_version == "autoscaling/v1") {
    const Reader t = spec["targetCPUUtilizationPercentage"];
    const auto v = t.present() ? whole(t) : std::optional<std::int64_t>(80);
    if (v && *v < 1) t.error(fmt::format("Invalid value: {}: must be greater than 0", *v));
    else if (v) h.metrics.push_back({hpa::Resource::kCpu, true, static_cast<double>(*v)});
    out_.autoscalers.push_back(std::move(h));
    return;
  }
  for (const Reader& m : spec["metrics"].items("a list of metrics")) {
    if (!m.expect_object("a metric {type, resource}")) continue;
    const std::string type = m["type"].string().value_or("");
    if (!m["type"].require()) continue;
    if (type != "Resource") {
      static constexpr std::array<std::string_view, 4> kOthers{"Pods", "Object", "External",
                                                               "ContainerResource"};
      if (std::find(kOthers.begin(), kOthers.end(), type) != kOthers.end())
        m["type"].error(fmt::format(
            "a {} metric is not simulated: ecsim's load gives the pods' cpu and memory only "
            "(expected type Resource)",
            type));
      else
        m["type"].error(fmt::format("Unsupported value: \"{}\": supported values: "
                                    "\"ContainerResource\", \"External\", \"Object\", "
                                    "\"Pods\", \"Resource\"",
                                    type));
      continue;
    }
    const Reader r = m["resource"];
    if (!r.present()) {
      m.error("Required value: metrics.resource: must populate information for the given metric "
              "source");
      continue;
    }
    if (!r.expect_object("a resource metric {name, target}") || !require_all({r["name"], r["target"]}))
      continue;
    hpa::Target target;
    const auto name = r["name"].one_of({"cpu", "memory"});
    if (!name) continue;
    target.resource = *name == "cpu" ? hpa::Resource::kCpu : hpa::Resource::kMemory;
    const Reader t = r["target"];
    if (!t.expect_object("a metric target {type, averageUtilization, averageValue}") ||
        !t["type"].require())
      continue;
    const auto ttype = t["type"].one_of({"Utilization", "AverageValue", "Value"});
    const Reader util = t["averageUtilization"], avg = t["averageValue"];
    if (util.present() && avg.present()) {
      avg.error("Forbidden: may not set both a target raw value and a target utilization");
      continue;
    }
    if (!util.present() && !avg.present()) {
      t.error("Required value: averageUtilization: must set either a target raw value or a "
              "target utilization");
      continue;
    }
    if (util.present()) {
      const auto v = whole(util);
      if (v && *v < 1) util.error(fmt::format("Invalid value: {}: must be greater than 0", *v));
      if (!v || *v < 1) continue;
      target.utilization = true;
      target.value = static_cast<double>(*v);
    } else {
      const auto v = read_quantity(avg, target.resource == hpa::Resource::kCpu);
      if (v && *v <= 0) avg.error("Invalid value: must be positive");
      if (!v || *v <= 0) continue;
      target.utilization = false;
      target.value = static_cast<double>(*v);  // millicores or bytes
    }
    if (ttype && (*ttype == "Utilization") != target.utilization)
      t["type"].error(fmt::format("a target of type {} needs {}", *ttype,
                                  *ttype == "Utilization" ? "averageUtilization" : "averageValue"));
    h.metrics.push_back(target);
  }
  if (!spec["metrics"].present())
    h.metrics.push_back({hpa::Resource::kCpu, true, 80});  // v2's default
  const Reader behavior = spec["behavior"];
  if (behavior.expect_object("a behavior {scaleUp, scaleDown}")) {
    const auto rules = [&](const Reader& b, hpa::ScalingRules& out) {
      if (!b.present() || !b.expect_object("scaling rules {stabilizationWindowSeconds, "
                                           "selectPolicy, policies}"))
        return;
      if (b["stabilizationWindowSeconds"].present()) {
        const auto v = whole(b["stabilizationWindowSeconds"]);
        if (v && *v < 0)
          b["stabilizationWindowSeconds"].error(
              fmt::format("Invalid value: {}: must be greater than or equal to zero", *v));
        else if (v && *v > 3600)
          b["stabilizationWindowSeconds"].error(
              fmt::format("Invalid value: {}: must be less than or equal to 3600", *v));
        else if (v) out.stabilization_window = std::chrono::seconds(*v);
      }
      if (b["selectPolicy"].present())
        if (const auto v = b["selectPolicy"].one_of({"Max", "Min", "Disabled"}))
          out.select = *v == "Max"   ? hpa::ScalingRules::Select::kMax
                       : *v == "Min" ? hpa::ScalingRules::Select::kMin
                                     : hpa::ScalingRules::Select::kDisabled;
      if (!b["policies"].present()) return;
      std::vector<hpa::Policy> policies;
      const auto list = b["policies"].items("a list of policies {type, value, periodSeconds}");
      if (list.empty() && b["policies"].is_sequence())
        b["policies"].error("Required value: must specify at least one Policy");
      for (const Reader& p : list) {
        if (!p.expect_object("a policy {type, value, periodSeconds}") ||
            !require_all({p["type"], p["value"], p["periodSeconds"]}))
          continue;
        hpa::Policy policy;
        const auto type = p["type"].one_of({"Pods", "Percent"});
        const auto value = whole(p["value"]);
        const auto period = whole(p["periodSeconds"]);
        if (value && *value <= 0)
          p["value"].error(fmt::format("Invalid value: {}: must be greater than zero", *value));
        if (period && *period <= 0)
          p["periodSeconds"].error(
              fmt::format("Invalid value: {}: must be greater than zero", *period));
        else if (period && *period > 1800)
          p["periodSeconds"].error(
              fmt::format("Invalid value: {}: must be less than or equal to 1800", *period));
        if (!type || !value || !period || *value <= 0 || *period <= 0 || *period > 1800) continue;
        policy.type = *type == "Pods" ? hpa::Policy::Type::kPods : hpa::Policy::Type::kPercent;
        policy.value = static_cast<std::int32_t>(*value);
        policy.period = std::chrono::seconds(*period);
        policies.push_back(policy);
      }
      if (!policies.empty()) out.policies = std::move(policies);
    };
    rules(behavior["scaleUp"], h.scale_up);
    rules(behavior["scaleDown"], h.scale_down);
  }
  out_.autoscalers.push_back(std::move(h));
}

// A Deployment running the Cluster Autoscaler's image: its container's command and args are
// the autoscaler's flags (pflag's forms --name=value, --name value, and --name for a boolean),
// each checked as the autoscaler checks it.
void ManifestReader::read_cluster_autoscaler(const Reader& spec, const eks::ObjectMeta& meta) {
  for (const Reader& c : spec["template"]["spec"]["containers"].items()) {
    const std::string image = c["image"].string().value_or("");
    const std::size_t slash = image.rfind('/');
    const std::string_view repository =
        std::string_view(image).substr(slash == std::string::npos ? 0 : slash + 1);
    if (!repository.starts_with("cluster-autoscaler:") && repository != "cluster-autoscaler")
      continue;
    if (cluster_autoscaler_at_) {
      c["image"].error(fmt::format(
          "a second cluster-autoscaler (first at {}:{}; one runs per cluster)",
          cluster_autoscaler_at_->file(), cluster_autoscaler_at_->where().line));
      return;
    }
    cluster_autoscaler_at_ = c["image"];
    eks::ClusterAutoscalerConfig config;
    config.source = fmt::format("Deployment {}/{}", meta.name_space, meta.name);
    std::vector<Reader> tokens;
    for (const char* key : {"command", "args"})
      for (const Reader& t : c[key].items("a list of strings")) tokens.push_back(t);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const std::string token = tokens[i].string().value_or("");
      if (!token.starts_with("-")) continue;  // the binary, or a stray argument
      std::string name = token.substr(token.starts_with("--") ? 2 : 1);
      std::optional<std::string> value;
      if (const std::size_t eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name.resize(eq);
      } else if (!is_boolean_flag(name) && i + 1 < tokens.size() &&
                 !tokens[i + 1].string().value_or("-").starts_with("-")) {
        value = tokens[++i].string();
      }
      const FlagOutcome outcome = apply_autoscaler_flag(config, name, value);
      switch (outcome.kind) {
        case FlagOutcome::Kind::kSet: break;
        case FlagOutcome::Kind::kNotSimulated:
          out_.notes.push_back(fmt::format("{}:{}: --{} of the cluster-autoscaler is accepted and "
                                           "not simulated",
                                           tokens[i].file(), tokens[i].where().line, name));
          break;
        case FlagOutcome::Kind::kUnknown:
        case FlagOutcome::Kind::kBadValue: tokens[i].error(outcome.message); break;
      }
    }
    cluster_autoscaler_ = std::move(config);
  }
}

void ManifestReader::check_auto_mode(const eks::ClusterConfig& config) {
  for (std::size_t i = 0; i < out_.node_pools.size() && i < node_class_refs_.size(); ++i) {
    const eks::NodePool& pool = out_.node_pools[i];
    if (!pool.auto_mode_class) continue;
    if (!config.auto_mode)
      node_class_refs_[i].error(fmt::format(
          "NodePool '{}' names EKS Auto Mode's NodeClass, and the cluster does not run Auto Mode "
          "(expected autoModeConfig.enabled true in the eksctl file, or an EC2NodeClass)",
          pool.meta.name));
    else if (pool.node_class != "default" || config.auto_mode_pools.empty())
      node_class_refs_[i].error(fmt::format(
          "NodeClass '{}' is not found: Auto Mode provides NodeClass 'default' while a built-in "
          "NodePool is enabled (custom NodeClasses are not simulated)",
          pool.node_class));
  }
  for (std::size_t i = 0; i < out_.node_pools.size() && i < node_class_refs_.size(); ++i)
    if (config.auto_mode && std::find(config.auto_mode_pools.begin(), config.auto_mode_pools.end(),
                                      out_.node_pools[i].meta.name) != config.auto_mode_pools.end())
      node_class_refs_[i].error(fmt::format(
          "NodePool '{}' is one of EKS Auto Mode's built-in NodePools, which cannot be modified "
          "(expected another name)",
          out_.node_pools[i].meta.name));
}

void ManifestReader::check() {
  // A NodePool's nodeClassRef names an EC2NodeClass (else it stays NotReady and launches
  // nothing: NodeClassReady is False).
  for (std::size_t i = 0; i < out_.node_pools.size() && i < node_class_refs_.size(); ++i) {
    const std::string& name = out_.node_pools[i].node_class;
    if (out_.node_pools[i].auto_mode_class) continue;  // check_auto_mode's
    if (name.empty() ||
        std::find(node_class_names_.begin(), node_class_names_.end(), name) != node_class_names_.end())
      continue;
    const std::string hint = did_you_mean(name, node_class_names_);
    node_class_refs_[i].error(fmt::format(
        "EC2NodeClass '{}' is not found: NodePool '{}' would stay NotReady and launch nothing{}",
        name, out_.node_pools[i].meta.name, hint.empty() ? "" : fmt::format(" ({})", hint)));
  }
  std::vector<std::string> names(kBuiltinPriorityClasses.begin(), kBuiltinPriorityClasses.end());
  for (const eks::PriorityClass& c : out_.priority_classes) names.push_back(c.name);
  for (const auto& [name, at] : priority_uses_) {
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    const std::string hint = did_you_mean(name, names);
    at.error(hint.empty()
                 ? fmt::format("no PriorityClass with name {} was found", name)
                 : fmt::format("no PriorityClass with name {} was found ({})", name, hint));
  }
  for (std::size_t i = 1; i < global_defaults_.size(); ++i)
    global_defaults_[i].error(
        "only one PriorityClass can be marked as globalDefault (another one already is)");
  // Each autoscaler's target is a workload of the manifests, scaled by no other autoscaler
  // (the controller refuses to scale a target two HPAs select).
  std::map<std::tuple<bool, std::string, std::string>, std::size_t> scaled;
  for (std::size_t i = 0; i < out_.autoscalers.size(); ++i) {
    const eks::HorizontalPodAutoscaler& h = out_.autoscalers[i];
    if (h.target_name.empty()) continue;
    const bool stateful = h.target_kind == eks::HorizontalPodAutoscaler::TargetKind::kStatefulSet;
    std::vector<std::string> workloads;
    const auto collect = [&](const auto& list) {
      for (const auto& w : list)
        if (w.meta.name_space == h.meta.name_space) workloads.push_back(w.meta.name);
    };
    if (stateful) collect(out_.stateful_sets);
    else collect(out_.deployments);
    const char* kind = stateful ? "StatefulSet" : "Deployment";
    if (std::find(workloads.begin(), workloads.end(), h.target_name) == workloads.end()) {
      const std::string hint = did_you_mean(h.target_name, workloads);
      autoscaler_targets_[i].error(fmt::format(
          "the target {} '{}' is not in namespace '{}' of the manifests{}", kind, h.target_name,
          h.meta.name_space, hint.empty() ? "" : fmt::format(" ({})", hint)));
      continue;
    }
    const auto [it, added] = scaled.emplace(std::make_tuple(stateful, h.meta.name_space, h.target_name), i);
    if (!added)
      autoscaler_targets_[i].error(fmt::format(
          "{} '{}' is already scaled by HorizontalPodAutoscaler '{}' (the controller scales a "
          "target of two autoscalers by neither)",
          kind, h.target_name, out_.autoscalers[it->second].meta.name));
  }
}

}  // namespace ecsim::scenario::detail
