#include "ecsim/engine/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "ecsim/sim/assert.hpp"
#include "ecsim/sim/stats.hpp"

namespace ecsim::engine {
namespace {

using Json = nlohmann::ordered_json;
using Get = std::function<double(const ReplicationResult&)>;

struct Aggregate {
  double mean = 0;
  double ci95 = 0;
};

Aggregate aggregate(const std::vector<ReplicationResult>& reps, const Get& get) {
  std::vector<double> values;
  values.reserve(reps.size());
  for (const ReplicationResult& r : reps) values.push_back(get(r));
  const ConfidenceInterval ci = ci95(values);
  return Aggregate{ci.mean, ci.half_width};
}

// `v` as JSON; whole counts print as integers.
Json plain(double v) {
  if (v == std::floor(v) && std::abs(v) < 9e15) return static_cast<std::int64_t>(v);
  return v;
}

/// Significant digits of the floating-point numbers of summary.json: enough for any figure a
/// run measures, few enough that an output does not depend on the last bits of a maths
/// library's rounding.
constexpr int kSummaryDigits = 9;

// Every floating-point number in `j` rounded to kSummaryDigits significant digits (written back
// as the shortest decimal that reads as the rounded value).
void round_floats(Json& j) {
  if (j.is_number_float()) {
    const double v = j.get<double>();
    if (std::isfinite(v))
      j = std::strtod(fmt::format("{:.{}g}", v, kSummaryDigits).c_str(), nullptr);
    return;
  }
  if (j.is_structured())
    for (Json& item : j) round_floats(item);
}

// `t` in seconds since the start, if any.
std::optional<double> seconds(const std::optional<SimTime>& t) {
  return t ? std::optional(to_seconds(*t)) : std::nullopt;
}

// Item `k` of `list(r)` in each replication that has one: a service's deployments and the drains
// (Spot drains among them) need not be as many in every replication.
template <class List>
auto kth(const std::vector<ReplicationResult>& reps, std::size_t k, List list) {
  using Item = typename std::remove_cvref_t<decltype(list(reps.front()))>::value_type;
  std::vector<const Item*> items;
  for (const ReplicationResult& r : reps)
    if (k < list(r).size()) items.push_back(&list(r)[k]);
  return items;
}

// The longest `list(r)` over the replications.
template <class List>
std::size_t longest(const std::vector<ReplicationResult>& reps, List list) {
  std::size_t n = 0;
  for (const ReplicationResult& r : reps) n = std::max(n, list(r).size());
  return n;
}

// `f(item)` of each item where it has a value (f returns a double or an optional one).
template <class Item, class F>
std::vector<double> values(const std::vector<const Item*>& items, F f) {
  std::vector<double> out;
  for (const Item* item : items)
    if (const std::optional<double> v = f(*item)) out.push_back(*v);
  return out;
}

// Writes `key` (the mean over replications) and, with several, `key_ci95`.
class Writer {
 public:
  explicit Writer(const std::vector<ReplicationResult>& reps) : reps_(reps) {}

  void number(Json& into, const std::string& key, const Get& get) const {
    std::vector<double> all;
    all.reserve(reps_.size());
    for (const ReplicationResult& r : reps_) all.push_back(get(r));
    put(into, key, all);
  }

  // The same over `samples`, one per replication that has the quantity; null when none has.
  void put(Json& into, const std::string& key, std::span<const double> samples) const {
    const bool several = reps_.size() > 1;
    const ConfidenceInterval ci = ci95(samples);
    into[key] = samples.empty() ? Json(nullptr) : several ? Json(ci.mean) : plain(ci.mean);
    if (several) into[key + "_ci95"] = samples.empty() ? Json(nullptr) : Json(ci.half_width);
  }

  void tasks(Json& into, const std::function<const TaskCounts&(const ReplicationResult&)>& of) const {
    auto field = [&](const char* key, auto member) {
      number(into, key, [&, member](const ReplicationResult& r) {
        return static_cast<double>(of(r).*member);
      });
    };
    field("submitted", &TaskCounts::submitted);
    field("started", &TaskCounts::started);
    field("completed", &TaskCounts::completed);
    field("failed", &TaskCounts::failed);
    field("evicted", &TaskCounts::evicted);
    field("running_at_end", &TaskCounts::running_at_end);
    field("pending_at_end", &TaskCounts::pending_at_end);
    number(into, "lost", [&](const ReplicationResult& r) { return static_cast<double>(of(r).lost()); });
  }

  void wait(Json& into, const std::function<const WaitSeconds&(const ReplicationResult&)>& of) const {
    number(into, "mean", [&](const ReplicationResult& r) { return of(r).mean; });
    number(into, "p50", [&](const ReplicationResult& r) { return of(r).p50; });
    number(into, "p95", [&](const ReplicationResult& r) { return of(r).p95; });
    number(into, "p99", [&](const ReplicationResult& r) { return of(r).p99; });
    number(into, "max", [&](const ReplicationResult& r) { return of(r).max; });
  }

 private:
  const std::vector<ReplicationResult>& reps_;
};

// The deployments of service `k` in a replication.
auto deployments_of(std::size_t k) {
  return [k](const ReplicationResult& r) -> const auto& { return r.services[k].deployments; };
}

// How deployment `d` of service `k` ended across the replications that have it.
struct Outcomes {
  std::string trigger;
  std::size_t completed = 0, failed = 0, in_progress = 0, rolled_back = 0, stuck = 0;
  std::vector<const DeploymentResult*> runs;
};

// AWS's rolloutState (and, for a Deployment's rollout, the same words).
std::string_view rollout_state_name(RolloutState state) {
  switch (state) {
    case RolloutState::kInProgress: return "IN_PROGRESS";
    case RolloutState::kCompleted: return "COMPLETED";
    case RolloutState::kFailed: return "FAILED";
    case RolloutState::kStopped: return "STOPPED";
  }
  return "";
}

Outcomes outcomes(const std::vector<ReplicationResult>& reps, std::size_t k, std::size_t d) {
  Outcomes o;
  o.runs = kth(reps, d, deployments_of(k));
  o.trigger = o.runs.front()->trigger;
  for (const DeploymentResult* run : o.runs) {
    o.completed += run->state == RolloutState::kCompleted;
    o.failed += run->state == RolloutState::kFailed;
    o.in_progress += run->state == RolloutState::kInProgress;
    o.rolled_back += run->rolled_back;
    o.stuck += run->stuck_since.has_value();
  }
  return o;
}

// deployments[] of service `k`: each one as it went with one replication, else its outcomes.
Json deployments_json(const std::vector<ReplicationResult>& reps, std::size_t k, const Writer& w) {
  Json out = Json::array();
  const std::size_t count = longest(reps, deployments_of(k));
  for (std::size_t d = 0; d < count; ++d) {
    const Outcomes o = outcomes(reps, k, d);
    Json dj;
    dj["trigger"] = o.trigger;
    w.put(dj, "started_seconds",
          values(o.runs, [](const DeploymentResult& x) { return to_seconds(x.started); }));
    w.put(dj, "finished_seconds",
          values(o.runs, [](const DeploymentResult& x) { return seconds(x.finished); }));
    if (reps.size() == 1) {
      const DeploymentResult& run = *o.runs.front();
      dj["state"] = rollout_state_name(run.state);
      dj["rolled_back"] = run.rolled_back;
      w.put(dj, "stuck_since_seconds",
            values(o.runs, [](const DeploymentResult& x) { return seconds(x.stuck_since); }));
    } else {
      dj["completed"] = o.completed;
      dj["failed"] = o.failed;
      dj["in_progress"] = o.in_progress;
      dj["rolled_back"] = o.rolled_back;
      dj["stuck"] = o.stuck;
    }
    w.put(dj, "failed_tasks", values(o.runs, [](const DeploymentResult& x) {
      return static_cast<double>(x.failed_tasks);
    }));
    out.push_back(dj);
  }
  return out;
}

// The services of the first replication, after checking that every replication has the same
// ones (the scenario's), each with a count per zone.
std::span<const ServiceResult> checked_services(const RunReport& report) {
  const auto& reps = report.replications;
  if (reps.empty()) return {};
  for (const ReplicationResult& r : reps) {
    ECSIM_ASSERT(r.services.size() == reps.front().services.size(),
                 "every replication reports the same services");
    for (const ServiceResult& svc : r.services) {
      ECSIM_ASSERT(svc.running_by_az.size() == report.scenario->platform.azs.size(),
                   "a service counts tasks per zone");
    }
  }
  return reps.front().services;
}

// services[]: every service, in scenario order.
Json services_json(const RunReport& report, const Writer& w) {
  const auto& reps = report.replications;
  const std::vector<std::string>& azs = report.scenario->platform.azs;
  const std::span<const ServiceResult> services = checked_services(report);
  Json out = Json::array();
  for (std::size_t k = 0; k < services.size(); ++k) {
    const ServiceResult& first = services[k];
    auto field = [&](Json& into, const std::string& key, auto get) {
      w.number(into, key, [k, get](const ReplicationResult& r) {
        return static_cast<double>(get(r.services[k]));
      });
    };
    Json sj;
    sj["cluster"] = first.cluster;
    sj["name"] = first.name;
    sj["orchestrator"] = first.orchestrator;
    field(sj, "desired", [](const ServiceResult& x) { return x.desired; });
    field(sj, "min_running", [](const ServiceResult& x) { return x.min_running; });
    field(sj, "mean_running", [](const ServiceResult& x) { return x.mean_running; });
    field(sj, "availability", [](const ServiceResult& x) { return x.availability; });
    Json by_az = Json::object();
    for (std::size_t z = 0; z < azs.size(); ++z)
      field(by_az, azs[z], [z](const ServiceResult& x) { return x.running_by_az[z]; });
    sj["running_by_az"] = by_az;
    Json tasks = Json::object();
    w.tasks(tasks, [k](const ReplicationResult& r) -> const TaskCounts& {
      return r.services[k].tasks;
    });
    sj["tasks"] = tasks;
    sj["deployments"] = deployments_json(reps, k, w);
    if (first.load) {
      Json lj = Json::object();
      const auto load = [&](const std::string& key, auto get) {
        field(lj, key, [get](const ServiceResult& x) { return get(*x.load); });
      };
      using workload::LoadSummary;
      load("requests", [](const LoadSummary& l) { return l.requests; });
      load("excess_requests", [](const LoadSummary& l) { return l.excess_requests; });
      load("overload_seconds", [](const LoadSummary& l) { return l.overload_seconds; });
      load("overloaded_periods", [](const LoadSummary& l) { return l.overloaded_periods; });
      load("cpu_percent_mean", [](const LoadSummary& l) { return l.cpu_percent_mean; });
      load("cpu_percent_max", [](const LoadSummary& l) { return l.cpu_percent_max; });
      load("response_ms_mean", [](const LoadSummary& l) { return l.response_ms_mean; });
      load("response_ms_max", [](const LoadSummary& l) { return l.response_ms_max; });
      sj["load"] = lj;
    }
    out.push_back(sj);
  }
  return out;
}

// drains[]: matched by position across replications.
Json drains_json(const std::vector<ReplicationResult>& reps, const Writer& w) {
  auto drains = [](const ReplicationResult& r) -> const auto& { return r.drains; };
  Json out = Json::array();
  for (std::size_t k = 0; k < longest(reps, drains); ++k) {
    const std::vector<const DrainResult*> runs = kth(reps, k, drains);
    Json dj;
    dj["cluster"] = runs.front()->cluster;
    w.put(dj, "at_seconds", values(runs, [](const DrainResult& x) { return to_seconds(x.at); }));
    w.put(dj, "instances", values(runs, [](const DrainResult& x) {
      return static_cast<double>(x.instances);
    }));
    w.put(dj, "drained_seconds",
          values(runs, [](const DrainResult& x) { return seconds(x.drained); }));
    w.put(dj, "drained_fraction", values(runs, [](const DrainResult& x) {
      return x.drained ? 1.0 : 0.0;
    }));
    w.put(dj, "service_tasks_left", values(runs, [](const DrainResult& x) {
      return static_cast<double>(x.service_tasks_left);
    }));
    out.push_back(dj);
  }
  return out;
}

// node_group_updates[]: one per update operation, in the same order in every replication.
Json node_group_updates_json(const std::vector<ReplicationResult>& reps, const Writer& w) {
  auto updates = [](const ReplicationResult& r) -> const auto& { return r.node_group_updates; };
  Json out = Json::array();
  for (std::size_t k = 0; k < longest(reps, updates); ++k) {
    const std::vector<const NodeGroupUpdateResult*> runs = kth(reps, k, updates);
    const NodeGroupUpdateResult& first = *runs.front();
    Json uj;
    uj["cluster"] = first.cluster;
    uj["node_group"] = first.node_group;
    uj["force"] = first.force;
    w.put(uj, "at_seconds",
          values(runs, [](const NodeGroupUpdateResult& x) { return to_seconds(x.at); }));
    w.put(uj, "finished_seconds",
          values(runs, [](const NodeGroupUpdateResult& x) { return seconds(x.finished); }));
    auto fraction = [&](const char* key, std::string_view status) {
      w.put(uj, key, values(runs, [status](const NodeGroupUpdateResult& x) {
              return x.status == status ? 1.0 : 0.0;
            }));
    };
    fraction("successful_fraction", "Successful");
    fraction("failed_fraction", "Failed");
    // The errors met, each once, in the order of the replications.
    Json errors = Json::array();
    for (const NodeGroupUpdateResult* x : runs)
      if (!x->error.empty() && std::find(errors.begin(), errors.end(), x->error) == errors.end())
        errors.push_back(x->error);
    uj["errors"] = errors;
    w.put(uj, "nodes_replaced", values(runs, [](const NodeGroupUpdateResult& x) {
            return static_cast<double>(x.nodes_replaced);
          }));
    w.put(uj, "pods_evicted", values(runs, [](const NodeGroupUpdateResult& x) {
            return static_cast<double>(x.pods_evicted);
          }));
    w.put(uj, "pods_deleted", values(runs, [](const NodeGroupUpdateResult& x) {
            return static_cast<double>(x.pods_deleted);
          }));
    out.push_back(uj);
  }
  return out;
}

// One object per EKS cluster of `r.*list`, in scenario order (the same in every replication):
// its `cluster`, then each (key, member) of `fields` as Writer::number writes it.
template <class Item, class... Members>
Json per_eks_cluster_json(const std::vector<ReplicationResult>& reps, const Writer& w,
                          std::vector<Item> ReplicationResult::*list,
                          std::pair<const char*, Members>... fields) {
  Json out = Json::array();
  if (reps.empty()) return out;
  for (std::size_t k = 0; k < (reps.front().*list).size(); ++k) {
    Json j;
    j["cluster"] = (reps.front().*list)[k].cluster;
    (w.number(j, fields.first, [k, list, member = fields.second](const ReplicationResult& r) {
      return static_cast<double>((r.*list)[k].*member);
    }), ...);
    out.push_back(j);
  }
  return out;
}

/// One quota amount in the unit the outputs give it: pods, CPU cores, memory MiB.
struct QuotaUnit {
  const char* key;
  std::int64_t QuotaAmounts::*amount;
  std::optional<std::int64_t> NamespaceResult::*hard;
  double per_unit;  // model units per output unit (a division is exact where a product is not)
};
constexpr QuotaUnit kQuotaUnits[] = {
    {"pods", &QuotaAmounts::pods, &NamespaceResult::hard_pods, 1.0},
    {"requests_cpu", &QuotaAmounts::cpu_millis, &NamespaceResult::hard_cpu_millis, 1000.0},
    {"requests_memory_mib", &QuotaAmounts::memory_bytes, &NamespaceResult::hard_memory_bytes,
     1024.0 * 1024.0},
};

// beanstalk[]: each Elastic Beanstalk environment, its scaling over the replications and the
// first replication's deployments (a list whose timing differs between replications).
Json beanstalk_json(const std::vector<ReplicationResult>& reps, const Writer& w) {
  Json out = Json::array();
  for (std::size_t k = 0; !reps.empty() && k < reps.front().beanstalk.size(); ++k) {
    const beanstalk::EnvironmentResult& first = reps.front().beanstalk[k];
    Json ej;
    ej["name"] = first.name;
    ej["application"] = first.application;
    ej["cluster"] = first.cluster;
    const auto field = [&](const char* key, auto get) {
      w.number(ej, key, [k, get](const ReplicationResult& r) {
        return static_cast<double>(get(r.beanstalk[k]));
      });
    };
    using E = beanstalk::EnvironmentResult;
    field("scale_outs", [](const E& e) { return e.scale_outs; });
    field("scale_ins", [](const E& e) { return e.scale_ins; });
    field("instances_min", [](const E& e) { return e.instances_min; });
    field("instances_max", [](const E& e) { return e.instances_max; });
    Json list = Json::array();
    for (const beanstalk::DeploymentResult& d : first.deployments) {
      Json dj;
      dj["version"] = d.version;
      dj["policy"] = beanstalk::policy_name(d.policy);
      dj["state"] = !d.finished ? "InProgress" : d.failed ? "Failed" : "Completed";
      dj["started_seconds"] = to_seconds(d.started);
      dj["finished_seconds"] = d.finished ? Json(to_seconds(*d.finished)) : Json(nullptr);
      dj["instances"] = d.instances;
      dj["batch"] = d.batch;
      dj["batches"] = d.batches;
      dj["fewest_serving"] = d.fewest_serving;
      dj["most_instances"] = d.most_instances;
      list.push_back(dj);
    }
    ej["deployments"] = list;
    out.push_back(ej);
  }
  return out;
}

// namespaces[]: every EKS cluster's namespaces (the same in every replication), each amount at
// the end, at its peak and its hard limit (left out without one).
Json namespaces_json(const std::vector<ReplicationResult>& reps, const Writer& w) {
  Json out = Json::array();
  if (reps.empty()) return out;
  for (std::size_t k = 0; k < reps.front().namespaces.size(); ++k) {
    const NamespaceResult& first = reps.front().namespaces[k];
    Json nj;
    nj["cluster"] = first.cluster;
    nj["name"] = first.name;
    for (const QuotaUnit& u : kQuotaUnits) {
      Json aj = Json::object();
      w.number(aj, "at_end", [k, u](const ReplicationResult& r) {
        return static_cast<double>(r.namespaces[k].at_end.*u.amount) / u.per_unit;
      });
      w.number(aj, "peak", [k, u](const ReplicationResult& r) {
        return static_cast<double>(r.namespaces[k].peak.*u.amount) / u.per_unit;
      });
      if (const auto& hard = first.*u.hard) aj["hard"] = plain(static_cast<double>(*hard) / u.per_unit);
      nj[u.key] = aj;
    }
    w.number(nj, "quota_rejections", [k](const ReplicationResult& r) {
      return static_cast<double>(r.namespaces[k].quota_rejections);
    });
    out.push_back(nj);
  }
  return out;
}

// control_plane[]: each EKS cluster's API availability, etcd quorum, API queue and quota
// refusals.
Json control_plane_json(const std::vector<ReplicationResult>& reps, const Writer& w) {
  return per_eks_cluster_json(
      reps, w, &ReplicationResult::control_plane,
      std::pair{"api_available_fraction", &ControlPlaneResult::api_available_fraction},
      std::pair{"etcd_quorum_lost_seconds", &ControlPlaneResult::etcd_quorum_lost_seconds},
      std::pair{"api_mutating_requests", &ControlPlaneResult::api_mutating_requests},
      std::pair{"api_queue_mean_seconds", &ControlPlaneResult::api_queue_mean_seconds},
      std::pair{"api_queue_max_seconds", &ControlPlaneResult::api_queue_max_seconds},
      std::pair{"quota_rejections", &ControlPlaneResult::quota_rejections});
}

// eks_nodes[]: each EKS cluster's nodes, and those that run pods other than DaemonSets'
// ("busy").
Json eks_nodes_json(const std::vector<ReplicationResult>& reps, const Writer& w) {
  Json out = per_eks_cluster_json(reps, w, &ReplicationResult::eks_nodes,
                                  std::pair{"nodes_at_end", &EksNodesResult::nodes_at_end},
                                  std::pair{"busy_nodes_at_end", &EksNodesResult::busy_at_end},
                                  std::pair{"busy_nodes_mean", &EksNodesResult::busy_mean},
                                  std::pair{"busy_nodes_max", &EksNodesResult::busy_max});
  // A cluster with a Cluster Autoscaler: what it did.
  for (std::size_t k = 0; !reps.empty() && k < reps.front().eks_nodes.size(); ++k) {
    if (!reps.front().eks_nodes[k].autoscaled) continue;
    Json ca = Json::object();
    const auto field = [&](const char* key, auto get) {
      w.number(ca, key, [k, get](const ReplicationResult& r) {
        return static_cast<double>(get(*r.eks_nodes[k].autoscaled));
      });
    };
    using A = EksNodesResult::Autoscaled;
    field("scale_ups", [](const A& a) { return a.scale_ups; });
    field("nodes_added", [](const A& a) { return a.nodes_added; });
    field("nodes_removed", [](const A& a) { return a.nodes_removed; });
    field("pods_evicted", [](const A& a) { return a.pods_evicted; });
    field("nodes_mean", [](const A& a) { return a.nodes_mean; });
    field("nodes_max", [](const A& a) { return a.nodes_max; });
    field("node_usd_per_hour_mean", [](const A& a) { return a.usd_per_hour_mean; });
    field("node_usd_per_hour_max", [](const A& a) { return a.usd_per_hour_max; });
    out[k]["cluster_autoscaler"] = ca;
  }
  // A cluster with Karpenter: its NodeClaims and disruptions.
  for (std::size_t k = 0; !reps.empty() && k < reps.front().eks_nodes.size(); ++k) {
    if (!reps.front().eks_nodes[k].karpenter) continue;
    Json kp = Json::object();
    const auto field = [&](const char* key, auto get) {
      w.number(kp, key, [k, get](const ReplicationResult& r) {
        return static_cast<double>(get(*r.eks_nodes[k].karpenter));
      });
    };
    using P = EksNodesResult::Provisioned;
    field("nodeclaims", [](const P& a) { return a.nodeclaims; });
    field("launch_failures", [](const P& a) { return a.launch_failures; });
    field("empty", [](const P& a) { return a.empty; });
    field("underutilized", [](const P& a) { return a.underutilized; });
    field("replaced", [](const P& a) { return a.replaced; });
    field("expired", [](const P& a) { return a.expired; });
    field("interrupted", [](const P& a) { return a.interrupted; });
    field("pods_evicted", [](const P& a) { return a.pods_evicted; });
    field("nodes_mean", [](const P& a) { return a.nodes_mean; });
    field("nodes_max", [](const P& a) { return a.nodes_max; });
    field("node_usd_per_hour_mean", [](const P& a) { return a.usd_per_hour_mean; });
    field("node_usd_per_hour_max", [](const P& a) { return a.usd_per_hour_max; });
    out[k]["karpenter"] = kp;
  }
  return out;
}

// `text` as one CSV field: in double quotes, inner ones doubled, when it holds a comma, a quote
// or a line break (RFC 4180, as the trace reader reads it).
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted(1, '"');
  for (const char c : text) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

// A mean count: whole as an integer, else to one decimal.
std::string count_text(double v) {
  return v == std::round(v) ? fmt::format("{:.0f}", v) : fmt::format("{:.1f}", v);
}

// `seconds` since the start as a duration to the nearest second ("1h2m3s").
std::string time_text(double seconds) {
  return format_duration(from_seconds(std::round(seconds)));
}

// The mean of `samples`, 0 when there are none.
double mean_of(std::span<const double> samples) { return ci95(samples).mean; }

// The deployments of service `k` in a line: how each went, or its outcomes over replications.
std::string deployments_text(const std::vector<ReplicationResult>& reps, std::size_t k) {
  std::vector<std::string> parts;
  const std::size_t count = longest(reps, deployments_of(k));
  for (std::size_t d = 0; d < count; ++d) {
    const Outcomes o = outcomes(reps, k, d);
    std::string text = o.trigger;
    if (reps.size() == 1) {
      const DeploymentResult& run = *o.runs.front();
      text += " ";
      text += rollout_state_name(run.state);
      if (run.finished) text += " at " + time_text(to_seconds(*run.finished));
      if (run.rolled_back) text += " (rolled back)";
      if (run.stuck_since) text += " (stuck since " + time_text(to_seconds(*run.stuck_since)) + ")";
    } else {
      std::vector<std::string> counts;
      if (o.completed > 0) counts.push_back(fmt::format("{} COMPLETED", o.completed));
      auto note = [](std::size_t n, const char* what) {
        return n > 0 ? fmt::format(" ({} {})", n, what) : std::string();
      };
      if (o.failed > 0)
        counts.push_back(fmt::format("{} FAILED{}", o.failed, note(o.rolled_back, "rolled back")));
      if (o.in_progress > 0)
        counts.push_back(fmt::format("{} IN_PROGRESS{}", o.in_progress, note(o.stuck, "stuck")));
      text += fmt::format(" {}", fmt::join(counts, ", "));
    }
    parts.push_back(text);
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

// The "Services" table: one row per service, means over replications; empty without services.
std::string services_table(const RunReport& report) {
  const auto& reps = report.replications;
  const std::span<const ServiceResult> services = checked_services(report);
  if (services.empty()) return {};
  const std::vector<std::string>& azs = report.scenario->platform.azs;
  std::vector<std::size_t> az_width;
  for (const std::string& az : azs) az_width.push_back(std::max<std::size_t>(az.size() + 2, 6));
  std::size_t name_width = 24;
  for (const ServiceResult& svc : services)
    name_width = std::max(name_width, svc.cluster.size() + svc.name.size() + 3);
  std::string out = fmt::format("\n{:<{}}{:>9}{:>9}{:>10}{:>9}", "service (cluster/name)",
                                name_width, "desired", "min run", "mean run", "avail %");
  for (std::size_t z = 0; z < azs.size(); ++z) out += fmt::format("{:>{}}", azs[z], az_width[z]);
  out += "  deployments\n";
  for (std::size_t k = 0; k < services.size(); ++k) {
    const ServiceResult& first = services[k];
    auto sm = [&](auto get) {
      return aggregate(reps, [&](const ReplicationResult& r) {
        return static_cast<double>(get(r.services[k]));
      }).mean;
    };
    out += fmt::format("{:<{}}{:>9}{:>9}{:>10.2f}{:>9.2f}",
                       fmt::format("{}/{}", first.cluster, first.name), name_width,
                       count_text(sm([](const ServiceResult& x) { return x.desired; })),
                       count_text(sm([](const ServiceResult& x) { return x.min_running; })),
                       sm([](const ServiceResult& x) { return x.mean_running; }),
                       100 * sm([](const ServiceResult& x) { return x.availability; }));
    for (std::size_t z = 0; z < azs.size(); ++z) {
      out += fmt::format("{:>{}}",
                         count_text(sm([z](const ServiceResult& x) { return x.running_by_az[z]; })),
                         az_width[z]);
    }
    out += fmt::format("  {}\n", deployments_text(reps, k));
  }
  return out;
}

// The "Drains" table: one row per drain, means over the replications that have it; empty
// without drains.
std::string drains_table(const std::vector<ReplicationResult>& reps) {
  auto drains = [](const ReplicationResult& r) -> const auto& { return r.drains; };
  if (longest(reps, drains) == 0) return {};
  std::string out = fmt::format("\n{:<24}{:>12}{:>11}{:>20}{:>20}\n", "drain (cluster)", "at",
                                "instances", "drained at", "service tasks left");
  for (std::size_t k = 0; k < longest(reps, drains); ++k) {
    const std::vector<const DrainResult*> runs = kth(reps, k, drains);
    const std::vector<double> drained =
        values(runs, [](const DrainResult& x) { return seconds(x.drained); });
    std::string when = drained.empty() ? "not drained" : time_text(mean_of(drained));
    if (reps.size() > 1) when += fmt::format(" ({}/{})", drained.size(), runs.size());
    out += fmt::format(
        "{:<24}{:>12}{:>11}{:>20}{:>20}\n", runs.front()->cluster,
        time_text(mean_of(values(runs, [](const DrainResult& x) { return to_seconds(x.at); }))),
        count_text(mean_of(values(runs, [](const DrainResult& x) {
          return static_cast<double>(x.instances);
        }))),
        when,
        count_text(mean_of(values(runs, [](const DrainResult& x) {
          return static_cast<double>(x.service_tasks_left);
        }))));
  }
  return out;
}

// The "Node group updates" table: one row per update, the first replication's status and
// means over the replications; empty without updates.
std::string node_group_updates_table(const std::vector<ReplicationResult>& reps) {
  auto updates = [](const ReplicationResult& r) -> const auto& { return r.node_group_updates; };
  if (longest(reps, updates) == 0) return {};
  std::string out = fmt::format("\n{:<36}{:>8}{:>24}{:>12}{:>10}{:>10}\n",
                                "node group update (cluster/group)", "at", "status", "finished",
                                "replaced", "evicted");
  for (std::size_t k = 0; k < longest(reps, updates); ++k) {
    const std::vector<const NodeGroupUpdateResult*> runs = kth(reps, k, updates);
    const NodeGroupUpdateResult& first = *runs.front();
    std::string status = first.error.empty() ? first.status : first.error;
    if (reps.size() > 1) {
      const auto ok = std::count_if(runs.begin(), runs.end(), [](const NodeGroupUpdateResult* x) {
        return x->status == "Successful";
      });
      status = fmt::format("{}/{} successful", ok, runs.size());
    }
    const std::vector<double> finished =
        values(runs, [](const NodeGroupUpdateResult& x) { return seconds(x.finished); });
    out += fmt::format(
        "{:<36}{:>8}{:>24}{:>12}{:>10}{:>10}\n",
        fmt::format("{}/{}", first.cluster, first.node_group),
        time_text(mean_of(values(runs, [](const NodeGroupUpdateResult& x) { return to_seconds(x.at); }))),
        status, finished.empty() ? "-" : time_text(mean_of(finished)),
        count_text(mean_of(values(runs, [](const NodeGroupUpdateResult& x) {
          return static_cast<double>(x.nodes_replaced);
        }))),
        count_text(mean_of(values(runs, [](const NodeGroupUpdateResult& x) {
          return static_cast<double>(x.pods_evicted);
        }))));
  }
  return out;
}

// The "Namespaces" table: one row per namespace of an EKS cluster, peak over hard limit, means
// over replications; empty when no namespace has a quota.
std::string namespaces_table(const std::vector<ReplicationResult>& reps) {
  if (reps.empty()) return {};
  const std::vector<NamespaceResult>& all = reps.front().namespaces;
  const bool any_quota = std::any_of(all.begin(), all.end(), [](const NamespaceResult& n) {
    return n.hard_pods || n.hard_cpu_millis || n.hard_memory_bytes;
  });
  if (!any_quota) return {};
  std::size_t name_width = 24;
  for (const NamespaceResult& n : all)
    name_width = std::max(name_width, n.cluster.size() + n.name.size() + 3);
  std::string out = fmt::format("\n{:<{}}{:>12}{:>16}{:>20}{:>10}\n", "namespace (cluster/name)",
                                name_width, "pods", "cpu (cores)", "memory (MiB)", "refused");
  for (std::size_t k = 0; k < all.size(); ++k) {
    const NamespaceResult& first = all[k];
    out += fmt::format("{:<{}}", fmt::format("{}/{}", first.cluster, first.name), name_width);
    for (const auto& [unit, width] : {std::pair{kQuotaUnits[0], 12},
                                      std::pair{kQuotaUnits[1], 16},
                                      std::pair{kQuotaUnits[2], 20}}) {
      const auto& u = unit;  // clang 14 cannot capture a structured binding (P1091)
      const double peak = aggregate(reps, [k, &u](const ReplicationResult& r) {
        return static_cast<double>(r.namespaces[k].peak.*u.amount) / u.per_unit;
      }).mean;
      const auto& hard = first.*u.hard;
      const auto amount = [](double v) {
        return v == std::round(v) ? fmt::format("{:.0f}", v) : fmt::format("{:.2f}", v);
      };
      const std::string text =
          amount(peak) + " / " + (hard ? amount(static_cast<double>(*hard) / u.per_unit) : "-");
      out += fmt::format("{:>{}}", text, width);
    }
    out += fmt::format("{:>10}\n", count_text(aggregate(reps, [k](const ReplicationResult& r) {
                                      return static_cast<double>(r.namespaces[k].quota_rejections);
                                    }).mean));
  }
  return out + "  (peak / hard limit)\n";
}

}  // namespace

std::string summary_json(const RunReport& report, bool include_timing) {
  const auto& reps = report.replications;
  const scenario::Scenario& s = *report.scenario;
  const Writer w(reps);
  Json j;
  j["ecsim_version"] = report.version;
  j["scenario"] = s.name;
  j["seed"] = report.seed;
  j["replications"] = reps.size();
  w.number(j, "sim_seconds", [](const ReplicationResult& r) { return to_seconds(r.end); });
  double events = 0;
  for (const ReplicationResult& r : reps) events += static_cast<double>(r.events);
  j["wall_seconds"] = include_timing ? report.wall_seconds : 0.0;
  w.number(j, "events", [](const ReplicationResult& r) { return static_cast<double>(r.events); });
  j["events_per_second"] =
      include_timing && report.wall_seconds > 0 ? events / report.wall_seconds : 0.0;
  Json tasks = Json::object();
  w.tasks(tasks, [](const ReplicationResult& r) -> const TaskCounts& { return r.tasks; });
  j["tasks"] = tasks;
  Json wait = Json::object();
  w.wait(wait, [](const ReplicationResult& r) -> const WaitSeconds& { return r.wait; });
  j["wait_seconds"] = wait;
  j["services"] = services_json(report, w);
  j["drains"] = drains_json(reps, w);
  j["node_group_updates"] = node_group_updates_json(reps, w);
  j["control_plane"] = control_plane_json(reps, w);
  j["eks_nodes"] = eks_nodes_json(reps, w);
  j["namespaces"] = namespaces_json(reps, w);
  if (!reps.empty() && !reps.front().beanstalk.empty()) j["beanstalk"] = beanstalk_json(reps, w);
  // The autoscalers' changes of the first replication (a list whose length differs between
  // replications), and their count over the replications.
  if (std::any_of(reps.begin(), reps.end(), [](const ReplicationResult& r) { return !r.scaling.empty(); })) {
    Json list = Json::array();
    for (const ScalingActivity& a : reps.front().scaling) {
      Json aj;
      aj["at_seconds"] = to_seconds(a.at);
      aj["cluster"] = a.cluster;
      aj["autoscaler"] = a.autoscaler;
      aj["target"] = a.target;
      aj["from"] = a.from;
      aj["to"] = a.to;
      aj["reason"] = a.reason;
      list.push_back(aj);
    }
    j["scaling_activities"] = list;
    w.number(j, "scaling_activity_count",
             [](const ReplicationResult& r) { return static_cast<double>(r.scaling.size()); });
  }
  Json cost = Json::object();
  w.number(cost, "total", [](const ReplicationResult& r) { return r.cost.total(); });
  w.number(cost, "ec2", [](const ReplicationResult& r) { return r.cost.ec2; });
  w.number(cost, "fargate", [](const ReplicationResult& r) { return r.cost.fargate; });
  w.number(cost, "eks_control_plane", [](const ReplicationResult& r) { return r.cost.eks_control_plane; });
  j["cost_usd"] = cost;
  Json util = Json::object();
  w.number(util, "cpu_reserved_mean", [](const ReplicationResult& r) { return r.cpu_reserved_mean; });
  w.number(util, "memory_reserved_mean", [](const ReplicationResult& r) { return r.memory_reserved_mean; });
  j["utilization"] = util;
  Json platform = Json::object();
  auto counter = [&](const char* key, std::uint64_t platform::PlatformCounters::*member) {
    w.number(platform, key, [member](const ReplicationResult& r) {
      return static_cast<double>(r.platform.*member);
    });
  };
  counter("instance_launches", &platform::PlatformCounters::launches);
  counter("launch_failures", &platform::PlatformCounters::launch_failures);
  counter("instance_failures", &platform::PlatformCounters::failures);
  counter("spot_interruptions", &platform::PlatformCounters::interruptions);
  counter("unhealthy_replacements", &platform::PlatformCounters::replacements);
  counter("rebalance_terminations", &platform::PlatformCounters::rebalances);
  j["platform"] = platform;
  Json jobs = Json::array();
  const std::size_t job_count = reps.empty() ? 0 : reps.front().jobs.size();
  for (std::size_t k = 0; k < job_count; ++k) {
    Json job;
    job["cluster"] = reps.front().jobs[k].cluster;
    job["name"] = reps.front().jobs[k].name;
    Json jt = Json::object();
    w.tasks(jt, [k](const ReplicationResult& r) -> const TaskCounts& { return r.jobs[k].tasks; });
    job["tasks"] = jt;
    Json jw = Json::object();
    w.wait(jw, [k](const ReplicationResult& r) -> const WaitSeconds& { return r.jobs[k].wait; });
    job["wait_seconds"] = jw;
    std::set<std::string> reasons;
    for (const ReplicationResult& r : reps)
      for (const auto& [reason, n] : r.jobs[k].failure_reasons) reasons.insert(reason);
    Json fr = Json::object();
    for (const std::string& reason : reasons) {
      w.number(fr, reason, [k, reason](const ReplicationResult& r) {
        const auto it = r.jobs[k].failure_reasons.find(reason);
        return it == r.jobs[k].failure_reasons.end() ? 0.0 : static_cast<double>(it->second);
      });
    }
    job["failure_reasons"] = fr;
    jobs.push_back(job);
  }
  j["jobs"] = jobs;
  round_floats(j);
  return j.dump(2) + "\n";
}

std::string timeseries_csv(const RunReport& report) {
  const scenario::Scenario& s = *report.scenario;
  std::string out = "replication,time_s,running,pending";
  for (const std::string& az : s.platform.azs) out += fmt::format(",cpu_units_reserved_{}", az);
  for (const std::string& az : s.platform.azs) out += fmt::format(",memory_mib_reserved_{}", az);
  out += ",cost_usd,instances";
  const std::span<const ServiceResult> services = checked_services(report);
  for (const ServiceResult& svc : services)
    for (const std::string& az : s.platform.azs)
      out += fmt::format(",{}", csv_field(fmt::format("running:{}/{}:{}", svc.cluster, svc.name,
                                                      az)));
  const std::vector<std::string> no_columns;
  const std::vector<std::string>& autoscaled =
      report.replications.empty() ? no_columns : report.replications.front().autoscaled_columns;
  for (const std::string& name : autoscaled) out += fmt::format(",{}", csv_field(name));
  out += "\n";
  for (std::size_t r = 0; r < report.replications.size(); ++r) {
    for (const TimeseriesRow& row : report.replications[r].timeseries) {
      ECSIM_ASSERT(row.service_running_by_az.size() == services.size() * s.platform.azs.size(),
                   "a time series row counts every service in every zone");
      out += fmt::format("{},{},{},{}", r, to_seconds(row.at), row.running, row.pending);
      for (const std::int64_t v : row.cpu_reserved_by_az) out += fmt::format(",{}", v);
      for (const std::int64_t v : row.memory_reserved_by_az) out += fmt::format(",{}", v);
      out += fmt::format(",{:.6f},{}", row.cost_usd, row.instances);
      for (const std::uint32_t v : row.service_running_by_az) out += fmt::format(",{}", v);
      ECSIM_ASSERT(row.autoscaled.size() == autoscaled.size(),
                   "a time series row has every autoscaled column");
      for (const std::int64_t v : row.autoscaled) out += fmt::format(",{}", v);
      out += "\n";
    }
  }
  return out;
}

std::string terminal_summary(const RunReport& report) {
  const scenario::Scenario& s = *report.scenario;
  const auto& reps = report.replications;
  auto mean = [&](const Get& get) { return aggregate(reps, get); };
  auto pm = [&](const Get& get, const char* format) {
    const Aggregate a = mean(get);
    std::string text = fmt::format(fmt::runtime(format), a.mean);
    if (reps.size() > 1) text += fmt::format(fmt::runtime(std::string(" ± ") + format), a.ci95);
    return text;
  };
  std::string out;
  out += fmt::format("ecsim {} — {}  ({} of simulated time, seed {}, {} replication{})\n\n",
                     report.version, s.name, format_duration(s.duration), report.seed,
                     reps.size(), reps.size() == 1 ? "" : "s");
  out += "tasks\n";
  const char* rows[] = {"submitted", "started", "completed", "failed",
                        "evicted", "running at end", "pending at end"};
  const Get getters[] = {
      [](const ReplicationResult& r) { return static_cast<double>(r.tasks.submitted); },
      [](const ReplicationResult& r) { return static_cast<double>(r.tasks.started); },
      [](const ReplicationResult& r) { return static_cast<double>(r.tasks.completed); },
      [](const ReplicationResult& r) { return static_cast<double>(r.tasks.failed); },
      [](const ReplicationResult& r) { return static_cast<double>(r.tasks.evicted); },
      [](const ReplicationResult& r) { return static_cast<double>(r.tasks.running_at_end); },
      [](const ReplicationResult& r) { return static_cast<double>(r.tasks.pending_at_end); },
  };
  for (std::size_t i = 0; i < std::size(getters); ++i)
    out += fmt::format("  {:<16}{:>16}\n", rows[i], pm(getters[i], "{:.0f}"));
  out += "\nwait from submission to RUNNING (s)\n";
  out += fmt::format("  {:<16}{:>16}\n", "mean", pm([](const ReplicationResult& r) { return r.wait.mean; }, "{:.2f}"));
  out += fmt::format("  {:<16}{:>16}\n", "p50", pm([](const ReplicationResult& r) { return r.wait.p50; }, "{:.2f}"));
  out += fmt::format("  {:<16}{:>16}\n", "p95", pm([](const ReplicationResult& r) { return r.wait.p95; }, "{:.2f}"));
  out += fmt::format("  {:<16}{:>16}\n", "p99", pm([](const ReplicationResult& r) { return r.wait.p99; }, "{:.2f}"));
  out += fmt::format("  {:<16}{:>16}\n", "max", pm([](const ReplicationResult& r) { return r.wait.max; }, "{:.2f}"));
  if (!reps.empty() && !reps.front().jobs.empty()) {
    out += fmt::format("\n{:<24}{:>10}{:>10}{:>10}{:>10}{:>12}\n", "job (cluster/name)",
                       "submitted", "completed", "failed", "evicted", "wait p95 s");
    for (std::size_t k = 0; k < reps.front().jobs.size(); ++k) {
      const JobResult& first = reps.front().jobs[k];
      auto jm = [&](auto get) { return mean([&](const ReplicationResult& r) { return get(r.jobs[k]); }).mean; };
      out += fmt::format(
          "{:<24}{:>10.0f}{:>10.0f}{:>10.0f}{:>10.0f}{:>12.2f}\n",
          fmt::format("{}/{}", first.cluster, first.name),
          jm([](const JobResult& x) { return static_cast<double>(x.tasks.submitted); }),
          jm([](const JobResult& x) { return static_cast<double>(x.tasks.completed); }),
          jm([](const JobResult& x) { return static_cast<double>(x.tasks.failed); }),
          jm([](const JobResult& x) { return static_cast<double>(x.tasks.evicted); }),
          jm([](const JobResult& x) { return x.wait.p95; }));
    }
  }
  out += services_table(report);
  out += drains_table(reps);
  out += node_group_updates_table(reps);
  out += namespaces_table(reps);
  out += "\ncost (USD)\n";
  out += fmt::format("  {:<16}{:>16}\n", "EC2", pm([](const ReplicationResult& r) { return r.cost.ec2; }, "{:.2f}"));
  out += fmt::format("  {:<16}{:>16}\n", "Fargate", pm([](const ReplicationResult& r) { return r.cost.fargate; }, "{:.2f}"));
  out += fmt::format("  {:<16}{:>16}\n", "total", pm([](const ReplicationResult& r) { return r.cost.total(); }, "{:.2f}"));
  out += "\nEC2 capacity\n";
  out += fmt::format("  {:<16}{:>15}%\n", "CPU reserved", pm([](const ReplicationResult& r) { return 100 * r.cpu_reserved_mean; }, "{:.1f}"));
  out += fmt::format("  {:<16}{:>15}%\n", "memory reserved", pm([](const ReplicationResult& r) { return 100 * r.memory_reserved_mean; }, "{:.1f}"));
  out += fmt::format("  {:<16}{:>16}\n", "launches", pm([](const ReplicationResult& r) { return static_cast<double>(r.platform.launches); }, "{:.0f}"));
  out += fmt::format("  {:<16}{:>16}\n", "failures", pm([](const ReplicationResult& r) { return static_cast<double>(r.platform.failures + r.platform.interruptions); }, "{:.0f}"));
  double events = 0;
  for (const ReplicationResult& r : reps) events += static_cast<double>(r.events);
  out += fmt::format("\n{:.0f} events in {:.2f} s ({:.2f} M events/s)\n", events,
                     report.wall_seconds,
                     report.wall_seconds > 0 ? events / report.wall_seconds / 1e6 : 0.0);
  return out;
}

}  // namespace ecsim::engine
