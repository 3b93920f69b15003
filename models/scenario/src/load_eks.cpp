#include <algorithm>
#include <regex>
#include <charconv>

#include <fmt/format.h>

#include "autoscaler_flags.hpp"
#include "ecsim/eks/karpenter.hpp"
#include "ecsim/platform/catalog.hpp"
#include "ecsim/scenario/scenario.hpp"
#include "eksctl_reader.hpp"
#include "k8s_fields.hpp"
#include "loader.hpp"
#include "manifest_reader.hpp"
#include "yaml_reader.hpp"

// EKS clusters: the eksctl file and the manifests they name, the scheduler and control-plane
// options, namespaces' quotas, the Jobs' pod durations; and the EKS operations among the faults
// (node group updates, cordons, drains). Node groups become Auto Scaling groups of the platform.

namespace ecsim::scenario::detail {
namespace {

using std::chrono::seconds;

// The scheduler's options: a built-in profile, its shape, and percentageOfNodesToScore.
SchedulerConfig read_scheduler(const Reader& r) {
  SchedulerConfig out;
  if (!r.expect_map({"profile", "shape", "percentage_of_nodes_to_score"})) return out;
  const std::optional<std::string> profile = r["profile"].string();
  bool known = true;
  if (profile) {
    const std::vector<std::string> names(kSchedulerProfiles.begin(), kSchedulerProfiles.end());
    if (std::find(names.begin(), names.end(), *profile) != names.end()) {
      out.profile = *profile;
    } else {
      known = false;
      const std::string hint = did_you_mean(*profile, names);
      r["profile"].error(fmt::format("unknown scheduler profile '{}' ({})", *profile,
                                     hint.empty() ? "expected one of " + either(names) : hint));
    }
  }
  // A misspelt profile has been reported; whether a shape belongs is then unknown.
  if (known && r["shape"].present() && out.profile != "requested-to-capacity-ratio")
    r["shape"].error(
        "a shape is for the requested-to-capacity-ratio profile (expected that profile beside "
        "it)");
  for (const Reader& p : r["shape"].items("a list of {utilization, score}")) {
    if (!p.expect_map({"utilization", "score"}) || !require_all({p["utilization"], p["score"]}))
      continue;
    UtilizationShapePoint point;
    point.utilization = static_cast<std::int32_t>(p["utilization"].integer(0, 100).value_or(0));
    point.score = static_cast<std::int32_t>(p["score"].integer(0, 10).value_or(0));
    if (!out.shape.empty() && point.utilization <= out.shape.back().utilization)
      p["utilization"].error(
          fmt::format("{} is not above the previous point's {} (expected "
                      "increasing utilization)",
                      point.utilization, out.shape.back().utilization));
    out.shape.push_back(point);
  }
  if (r["shape"].is_sequence() && out.shape.empty())
    r["shape"].error("no points given (expected at least one {utilization, score})");
  if (const auto share = r["percentage_of_nodes_to_score"].integer(0, 100))
    out.percentage_of_nodes_to_score = static_cast<std::uint32_t>(*share);
  return out;
}

// `namespaces: {NAME: {quota: {pods, cpu, memory}}}`, each quota named after its namespace.
std::vector<eks::ResourceQuota> read_namespaces(const Reader& r) {
  std::vector<eks::ResourceQuota> out;
  if (!r.present()) return out;
  if (!r.is_map()) {
    r.error("expected a mapping of namespace names to {quota}");
    return out;
  }
  for (const auto& [name, n] : r.entries()) {
    if (!n.expect_map({"quota"})) continue;
    const Reader q = n["quota"];
    if (!q.present() || !q.expect_map({"pods", "cpu", "memory"})) continue;
    eks::ResourceQuota quota;
    quota.meta.name = name;
    quota.meta.name_space = name;
    if (q["pods"].present()) quota.pods = q["pods"].integer(0, 1'000'000);
    quota.requests_cpu_millis = read_quantity(q["cpu"], true);
    quota.requests_memory_bytes = read_quantity(q["memory"], false);
    out.push_back(std::move(quota));
  }
  return out;
}

// Adds `op` to `ops` in time order; equal times keep the order of the file.
void insert_operation(std::vector<EksOperation>& ops, const EksOperation& op) {
  ops.insert(
      std::upper_bound(ops.begin(), ops.end(), op,
                       [](const EksOperation& a, const EksOperation& b) { return a.at < b.at; }),
      op);
}

// The position of the name `wanted` among `names`, or nothing after reporting it at `at` with a
// "did you mean"; `what` names the things ("EKS cluster", "node group").
std::optional<std::size_t> find_named(const Reader& at, const std::string& wanted,
                                      const std::vector<std::string>& names, std::string_view what,
                                      std::string_view where) {
  const auto it = std::find(names.begin(), names.end(), wanted);
  if (it != names.end()) return static_cast<std::size_t>(it - names.begin());
  const std::string hint = did_you_mean(wanted, names);
  at.error(!hint.empty()   ? fmt::format("no {} '{}'{} ({})", what, wanted, where, hint)
           : names.empty() ? fmt::format("no {} '{}'{} (there is none)", what, wanted, where)
                           : fmt::format("no {} '{}'{} (expected one of {})", what, wanted, where,
                                         either(names)));
  return std::nullopt;
}

}  // namespace

EksClusterConfig Loader::read_eks_cluster(const Reader& c, platform::PlatformConfig& platform,
                                          std::size_t index) {
  EksClusterConfig out;
  if (!c.expect_map({"cluster", "config", "manifests", "scheduler", "control_plane",
                     "kubernetes_version", "node_monitor_grace", "default_toleration",
                     "namespaces", "jobs", "load", "cluster_autoscaler"}))
    return out;
  if (c["cluster"].require()) out.name = c["cluster"].string().value_or("");
  // ECS and EKS clusters share one namespace: faults and outputs name them.
  if (!out.name.empty() && !cluster_names_.emplace(out.name, index).second)
    c["cluster"].error(fmt::format("cluster '{}' is defined twice", out.name));
  if (c["config"].require()) {
    if (const auto relative = c["config"].string()) {
      out.config_path = resolve(*relative);
      const EksctlContext context{platform.region, platform.azs};
      if (auto config = read_eksctl_file(out.config_path, context, diagnostics_,
                                         c["config"].where(), c["config"].path()))
        out.config = std::move(*config);
    }
  }
  add_node_groups(c["config"], out, platform);
  ManifestReader manifests(diagnostics_);
  for (const Reader& m : c["manifests"].items("a list of manifest files")) {
    const auto relative = m.string();
    if (!relative) continue;
    out.manifest_paths.push_back(resolve(*relative));
    manifests.read_file(out.manifest_paths.back(), m.where(), m.path());
  }
  manifests.check();
  out.scheduler = read_scheduler(c["scheduler"]);
  manifests.check_scheduler_names(out.scheduler.profile);
  manifests.check_fargate(out.config.fargate_profiles);
  manifests.check_auto_mode(out.config);
  out.manifests = manifests.manifests();
  // EKS Auto Mode: its built-in NodePools run as Karpenter's, before the manifests' own.
  if (out.config.auto_mode) {
    std::vector<eks::NodePool> pools = eks::auto_mode_node_pools(out.config.auto_mode_pools);
    pools.insert(pools.end(), std::make_move_iterator(out.manifests.node_pools.begin()),
                 std::make_move_iterator(out.manifests.node_pools.end()));
    out.manifests.node_pools = std::move(pools);
  }
  const Reader control = c["control_plane"];
  if (control.expect_map({"api_mutating_rps"}) && control["api_mutating_rps"].present()) {
    out.api_mutating_rps = control["api_mutating_rps"].number(0, 1e6);
    if (out.api_mutating_rps && *out.api_mutating_rps <= 0) {
      control["api_mutating_rps"].error("0 is not positive (expected a rate above 0)");
      out.api_mutating_rps.reset();
    }
  }
  // The Kubernetes version: the scenario's, else the eksctl file's metadata.version. It sets
  // node-monitor-grace-period's default (40 s before 1.32, 50 s since).
  if (c["kubernetes_version"].present()) {
    if (const auto v = c["kubernetes_version"].string()) out.config.version = *v;
  }
  if (!out.config.version.empty()) {
    const std::string& v = out.config.version;
    int major = 0, minor = 0;
    const auto dot = v.find('.');
    const bool parsed = dot != std::string::npos &&
                        std::from_chars(v.data(), v.data() + dot, major).ec == std::errc{} &&
                        std::from_chars(v.data() + dot + 1, v.data() + v.size(), minor).ec ==
                            std::errc{};
    const Reader at = c["kubernetes_version"].present() ? c["kubernetes_version"] : c["config"];
    if (!parsed || major != 1)
      at.error(fmt::format("'{}' is not a Kubernetes version (expected one such as 1.33)", v));
    else if (minor < 32)
      out.node_monitor_grace = eks::kNodeMonitorGraceBefore132;
    if (parsed && major == 1 && minor < 34) manifests.check_pod_level_resources(v);
  }
  out.node_monitor_grace =
      c["node_monitor_grace"].duration(seconds(1), kMaxHorizon).value_or(out.node_monitor_grace);
  out.default_toleration = c["default_toleration"]
                               .duration(SimDuration::zero(), kMaxHorizon)
                               .value_or(out.default_toleration);
  out.quotas = read_namespaces(c["namespaces"]);
  read_eks_jobs(c["jobs"], manifests, out);
  read_eks_loads(c["load"], out);
  add_node_pools(out, platform);
  out.cluster_autoscaler = manifests.cluster_autoscaler();
  const Reader ca = c["cluster_autoscaler"];
  if (ca.present()) {
    if (manifests.cluster_autoscaler_at()) {
      ca.error(fmt::format("the manifests run a cluster-autoscaler already (at {}:{}; one runs "
                           "per cluster)",
                           manifests.cluster_autoscaler_at()->file(),
                           manifests.cluster_autoscaler_at()->where().line));
    } else {
      out.cluster_autoscaler = read_cluster_autoscaler(ca);
    }
  }
  if (out.cluster_autoscaler && !out.manifests.node_pools.empty())
    (ca.present() ? ca : c["manifests"])
        .error("a cluster runs the Cluster Autoscaler or Karpenter, not both in ecsim (it has "
               "NodePools, its manifests' or EKS Auto Mode's, and a Cluster Autoscaler runs)");
  if (out.cluster_autoscaler) {
    const bool priority = std::find(out.cluster_autoscaler->expanders.begin(),
                                    out.cluster_autoscaler->expanders.end(),
                                    eks::Expander::kPriority) != out.cluster_autoscaler->expanders.end();
    if (priority && out.cluster_autoscaler->priorities.empty())
      (ca.present() ? ca : c["manifests"])
          .error("the priority expander needs its priorities (expected cluster_autoscaler."
                 "priorities: {PRIORITY: [NODE-GROUP-PATTERN, ...]}, the "
                 "cluster-autoscaler-priority-expander ConfigMap's)");
  }
  return out;
}

// eks[].cluster_autoscaler: the autoscaler's flags as snake_case keys, and the priority
// expander's priorities.
std::optional<eks::ClusterAutoscalerConfig> Loader::read_cluster_autoscaler(const Reader& ca) {
  if (!ca.is_map()) {
    ca.error("expected a mapping of the cluster autoscaler's flags (scan_interval, expander, ...)");
    return std::nullopt;
  }
  eks::ClusterAutoscalerConfig config;
  config.source = ca.path();
  for (const auto& [key, value] : ca.entries()) {
    if (key == "priorities") {
      for (const auto& [level, patterns] : value.key_entries()) {
        const auto n = level.integer(std::numeric_limits<std::int32_t>::min(),
                                     std::numeric_limits<std::int32_t>::max());
        std::vector<std::string> list;
        for (const Reader& p : patterns.items("a list of node group name patterns")) {
          const auto text = p.string();
          if (!text) continue;
          try {
            (void)std::regex(*text, std::regex::ECMAScript);
          } catch (const std::regex_error&) {
            p.error(fmt::format("'{}' is not a regular expression", *text));
            continue;
          }
          list.push_back(*text);
        }
        if (n) config.priorities.emplace_back(static_cast<std::int32_t>(*n), std::move(list));
      }
      std::sort(config.priorities.begin(), config.priorities.end(),
                [](const auto& a, const auto& b) { return a.first > b.first; });
      continue;
    }
    std::string flag = key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    std::optional<std::string> text;
    if (const auto b = value.is_map() || value.is_sequence() ? std::nullopt : value.string()) text = b;
    const FlagOutcome outcome = apply_autoscaler_flag(config, flag, text);
    switch (outcome.kind) {
      case FlagOutcome::Kind::kSet: break;
      case FlagOutcome::Kind::kNotSimulated:
        value.error(fmt::format("{} is a flag of the cluster autoscaler that ecsim does not "
                                "simulate (leave it out)",
                                key));
        break;
      case FlagOutcome::Kind::kUnknown: {
        std::string closest = outcome.closest;
        std::replace(closest.begin(), closest.end(), '-', '_');
        value.error(closest.empty()
                        ? fmt::format("unknown key '{}' (expected a flag of the cluster "
                                      "autoscaler in snake_case, such as scan_interval or "
                                      "expander, or priorities)",
                                      key)
                        : fmt::format("unknown key '{}' (did you mean '{}'?)", key, closest));
        break;
      }
      case FlagOutcome::Kind::kBadValue: value.error(outcome.message); break;
    }
  }
  return config;
}

// eks[].load[]: a Deployment's or StatefulSet's load; its pods' CPU request is their capacity.
void Loader::read_eks_loads(const Reader& list, EksClusterConfig& out) {
  for (const Reader& l : list.items("a list of loads {workload, requests_per_second, ...}")) {
    if (!l.expect_map({"workload", "namespace", "kind", "requests_per_second", "bursts",
                       "cpu_per_request", "memory_per_request", "base_memory",
                       "bytes_per_request", "cpu_ceiling", "slow_start"}))
      continue;
    eks::WorkloadLoad load;
    const bool named = l["workload"].require();
    load.name = l["workload"].string().value_or("");
    load.name_space = l["namespace"].string().value_or(load.name_space);
    if (l["kind"].present())
      load.stateful_set = l["kind"].one_of({"Deployment", "StatefulSet"}) == "StatefulSet";
    auto spec = read_load(l);
    if (!named || load.name.empty()) continue;
    const char* kind = load.stateful_set ? "StatefulSet" : "Deployment";
    std::vector<std::string> names;
    const eks::PodTemplate* pod = nullptr;
    const auto look = [&](const auto& workloads) {
      for (const auto& w : workloads) {
        if (w.meta.name_space != load.name_space) continue;
        names.push_back(w.meta.name);
        if (w.meta.name == load.name) pod = &w.pod;
      }
    };
    if (load.stateful_set) look(out.manifests.stateful_sets);
    else look(out.manifests.deployments);
    if (!find_named(l["workload"], load.name, names, kind,
                    fmt::format(" in namespace '{}' of the manifests", load.name_space)))
      continue;
    const bool twice = std::any_of(out.loads.begin(), out.loads.end(), [&](const eks::WorkloadLoad& o) {
      return o.name == load.name && o.name_space == load.name_space && o.stateful_set == load.stateful_set;
    });
    if (twice) {
      l["workload"].error(fmt::format("{} '{}' is given a load twice", kind, load.name));
      continue;
    }
    if (pod->spec.requests.cpu_millis <= 0) {
      l["workload"].error(fmt::format(
          "{} '{}' requests no CPU: a load needs each pod's CPU request, its capacity (expected "
          "resources.requests.cpu in its pod template)",
          kind, load.name));
      continue;
    }
    if (!spec) continue;
    load.load = std::move(*spec);
    out.loads.push_back(std::move(load));
  }
}

void Loader::add_node_groups(const Reader& at, EksClusterConfig& cluster,
                             platform::PlatformConfig& platform) {
  const auto& catalog = platform::InstanceCatalog::builtin();
  const auto zone_ids = [&](const std::vector<std::string>& names) {
    std::vector<AzId> ids;
    for (const std::string& n : names) ids.push_back(az_ids_.at(n));
    return ids;
  };
  for (const eks::NodeGroupConfig& g : cluster.config.node_groups) {
    platform::AsgConfig asg;
    asg.name = fmt::format("{}/{}", cluster.name, g.name);
    asg.instance_type = catalog.index_of(g.instance_type);
    asg.min = g.min;
    asg.max = g.max;
    asg.desired = g.desired;
    // The group's zones, else the cluster's, else every zone of the platform.
    asg.azs = !g.azs.empty()                ? zone_ids(g.azs)
              : !cluster.config.azs.empty() ? zone_ids(cluster.config.azs)
                                            : zone_ids(platform.azs);
    asg.spot = g.spot;
    // Several types, or an On-Demand and Spot split: a mixed instances policy. A managed Spot
    // group with several types uses the capacity-optimized Spot strategy (EKS's managed node
    // group capacity types); an On-Demand one takes its types by priority, the first.
    if (g.distribution || (g.managed && g.spot && g.instance_types.size() > 1)) {
      platform::MixedInstances m;
      for (const std::string& t : g.instance_types) m.types.push_back(catalog.index_of(t));
      if (m.types.empty()) m.types.push_back(asg.instance_type);
      if (g.distribution) {
        m.on_demand_base = g.distribution->on_demand_base;
        m.on_demand_percent = g.distribution->on_demand_percent;
        m.spot_pools = g.distribution->spot_pools;
        m.spot_allocation = g.distribution->spot_allocation;
      } else {
        m.on_demand_percent = 0;
        m.spot_allocation = platform::SpotAllocation::kCapacityOptimized;
      }
      asg.mixed = std::move(m);
    }
    if (!count_instances(at, asg.max)) return;
    cluster.groups.push_back(GroupId{static_cast<GroupId::rep_type>(platform.groups.size())});
    platform.groups.push_back(std::move(asg));
  }
}

// Each Karpenter NodePool launches its instances into a platform group of its own, one by one
// (EC2 Fleet), in the cluster's zones (or every zone of the platform).
void Loader::add_node_pools(EksClusterConfig& cluster, platform::PlatformConfig& platform) {
  for (const eks::NodePool& pool : cluster.manifests.node_pools) {
    platform::AsgConfig group;
    group.name = fmt::format("{}/nodepool/{}", cluster.name, pool.meta.name);
    group.instance_type = 0;  // each launch names its type
    group.replace = false;
    for (const std::string& z : cluster.config.azs.empty() ? platform.azs : cluster.config.azs)
      group.azs.push_back(az_ids_.at(z));
    cluster.pool_groups.push_back(GroupId{static_cast<GroupId::rep_type>(platform.groups.size())});
    platform.groups.push_back(std::move(group));
  }
}

void Loader::read_eks_jobs(const Reader& list, const ManifestReader& manifests,
                           EksClusterConfig& out) {
  const std::vector<eks::Job>& jobs = manifests.manifests().jobs;
  std::vector<bool> given(jobs.size(), false);
  for (const Reader& j : list.items("a list of jobs")) {
    if (!j.expect_map({"name", "namespace", "duration", "arrivals", "failures"})) continue;
    const bool have = require_all({j["name"], j["duration"]});
    EksJobConfig job;
    job.name = j["name"].string().value_or("");
    job.name_space = j["namespace"].string().value_or(job.name_space);
    std::vector<std::string> names;
    for (const eks::Job& k : jobs)
      if (k.meta.name_space == job.name_space) names.push_back(k.meta.name);
    const auto found =
        have && !job.name.empty()
            ? find_named(j["name"], job.name, names, "Job",
                         fmt::format(" in namespace '{}' of the manifests", job.name_space))
            : std::nullopt;
    const auto duration = have ? read_duration(j["duration"]) : std::nullopt;
    if (j["arrivals"].present()) job.arrivals = read_arrivals(j["arrivals"]);
    // failures: {probability, after, exit_code}: pods that exit non-zero.
    const Reader f = j["failures"];
    if (f.expect_map({"probability", "after", "exit_code"}) && f.present()) {
      if (f["probability"].require())
        job.failure_probability = f["probability"].number(0, 1).value_or(0);
      if (f["after"].present()) job.fails_after = read_duration(f["after"]);
      job.exit_code = static_cast<std::int32_t>(f["exit_code"].integer(1, 255).value_or(1));
    }
    if (!found) continue;
    for (std::size_t k = 0; k < jobs.size(); ++k)
      if (jobs[k].meta.name == job.name && jobs[k].meta.name_space == job.name_space) job.job = k;
    if (given[job.job]) {
      j["name"].error(fmt::format("Job '{}' is given twice", job.name));
      continue;
    }
    given[job.job] = true;
    if (jobs[job.job].cron && j["arrivals"].present()) {
      j["arrivals"].error(fmt::format(
          "'{}' is a CronJob: its Jobs come at its schedule '{}' (expected no arrivals)",
          job.name, jobs[job.job].cron->schedule_text));
      continue;
    }
    if (!duration) continue;
    job.duration = *duration;
    out.jobs.push_back(std::move(job));
  }
  for (std::size_t k = 0; k < jobs.size(); ++k)
    if (!given[k])
      manifests.job_place(k).error(
          fmt::format("{} '{}' has no pod duration (expected an entry of {} naming it)",
                      jobs[k].cron ? "CronJob" : "Job", jobs[k].meta.name, list.path()));
}

void Loader::read_eks_operation(const std::string& kind, const Reader& v, SimTime at,
                                std::vector<EksClusterConfig>& clusters) {
  const bool update = kind == "nodegroup_update";
  const bool rollout = kind == "rollout";
  const char* target = rollout ? "deployment" : "node_group";
  if (!(update    ? v.expect_map({"cluster", "node_group", "force"})
        : rollout ? v.expect_map({"cluster", "deployment", "namespace", "replicas", "cpu",
                                  "memory", "broken"})
                  : v.expect_map({"cluster", "node_group", "node"})))
    return;
  if (!require_all({v["cluster"], v[target]})) return;
  const auto cluster_name = v["cluster"].string();
  const auto target_name = v[target].string();
  if (!cluster_name || !target_name) return;
  std::vector<std::string> names;
  for (const EksClusterConfig& c : clusters) names.push_back(c.name);
  const auto c = find_named(v["cluster"], *cluster_name, names, "EKS cluster", "");
  if (!c) return;
  EksClusterConfig& cluster = clusters[*c];
  EksOperation op;
  op.at = at;
  if (rollout) {
    op.kind = EksOperation::Kind::kRollout;
    // The new revision's changes first: every problem is reported, found Deployment or not.
    if (v["replicas"].present())
      op.replicas = static_cast<std::int32_t>(v["replicas"].integer(0, 100'000).value_or(0));
    op.cpu_millis = read_quantity(v["cpu"], true);
    op.memory_bytes = read_quantity(v["memory"], false);
    op.broken = v["broken"].boolean().value_or(false);
    const std::string name_space = v["namespace"].string().value_or("default");
    names.clear();
    for (const eks::Deployment& d : cluster.manifests.deployments)
      if (d.meta.name_space == name_space) names.push_back(d.meta.name);
    const auto d = find_named(v["deployment"], *target_name, names, "Deployment",
                              fmt::format(" in namespace '{}' of cluster '{}'", name_space,
                                          cluster.name));
    if (!d) return;
    for (std::size_t k = 0; k < cluster.manifests.deployments.size(); ++k) {
      const eks::ObjectMeta& meta = cluster.manifests.deployments[k].meta;
      if (meta.name == *target_name && meta.name_space == name_space) op.deployment = k;
    }
    insert_operation(cluster.operations, op);
    return;
  }
  const std::optional<std::string> group_name = target_name;
  // A cluster whose eksctl file did not load has no node groups to name: reported already.
  if (cluster.config.name.empty()) return;
  names.clear();
  for (const eks::NodeGroupConfig& g : cluster.config.node_groups) names.push_back(g.name);
  const auto g = find_named(v["node_group"], *group_name, names, "node group",
                            fmt::format(" in cluster '{}'", cluster.name));
  if (!g) return;
  const eks::NodeGroupConfig& group = cluster.config.node_groups[*g];
  op.node_group = *g;
  if (update) {
    op.kind = EksOperation::Kind::kNodeGroupUpdate;
    op.force = v["force"].boolean().value_or(false);
    if (!group.managed) {
      v["node_group"].error(
          fmt::format("node group '{}' is self-managed (expected a managed "
                      "node group: EKS updates only those)",
                      group.name));
      return;
    }
  } else {
    op.kind = kind == "cordon" ? EksOperation::Kind::kCordon : EksOperation::Kind::kDrain;
    if (v["node"].present()) {
      const auto n = v["node"].integer(0, kMaxInstances);
      if (n && *n >= group.max) {
        v["node"].error(
            fmt::format("node {} is beyond the group's maxSize of {} (expected 0 to "
                        "{})",
                        *n, group.max, std::max<std::int64_t>(0, std::int64_t{group.max} - 1)));
        return;
      }
      if (!n) return;
      op.node = static_cast<std::uint32_t>(*n);
    }
  }
  insert_operation(cluster.operations, op);
}

}  // namespace ecsim::scenario::detail
