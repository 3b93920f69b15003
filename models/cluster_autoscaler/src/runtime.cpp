// The Cluster Autoscaler of each EKS cluster that runs one: every --scan-interval it checks the
// node groups' scale-ups in flight, then either scales a node group up for the pods the
// scheduler could not place (simulating them on the group's template node, the binpacking
// estimator, an expander to choose) or scales unneeded nodes down (utilisation below the
// threshold, every pod movable elsewhere, unneeded for --scale-down-unneeded-time).
// models/cluster_autoscaler/README.md cites each rule.

#include "ecsim/cluster_autoscaler/runtime.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <regex>

#include "ecsim/platform/catalog.hpp"
#include "ecsim/sim/assert.hpp"

namespace ecsim::cluster_autoscaler {
namespace {

using eks::ClusterState;
using eks::Expander;
using eks::Resources;
using eks::NodeIndex;
using eks::NodeRecord;
using eks::NodeTable;
using eks::PodBrief;
using eks::PodClassId;
using eks::PodRecord;
using eks::WorkloadState;
using eks::kNoNode;
using eks::kUnset;

// A node group's backoff after a scale-up that timed out: 5 minutes, doubling, at most 30
// (--initial-node-group-backoff-duration, --max-node-group-backoff-duration).
constexpr SimDuration kInitialGroupBackoff = std::chrono::minutes(5);
constexpr SimDuration kMaxGroupBackoff = std::chrono::minutes(30);
// Non-empty scale-down candidates checked per loop: at least 30, or 10% of the nodes
// (--scale-down-non-empty-candidates-count, --scale-down-candidates-pool-ratio).
constexpr std::size_t kNonEmptyCandidates = 30;
constexpr double kCandidatesPoolRatio = 0.1;

// The labels that differ between otherwise similar node groups (balance-similar-node-groups
// ignores them: zones, host names, the node group's own name).
bool ignored_for_similarity(const std::string& key) {
  return key == "topology.kubernetes.io/zone" || key == "failure-domain.beta.kubernetes.io/zone" ||
         key == "kubernetes.io/hostname" || key == "eks.amazonaws.com/nodegroup" ||
         key == "alpha.eksctl.io/nodegroup-name" || key == "topology.ebs.csi.aws.com/zone";
}

// What a pod needs of a node.
struct Need {
  std::int64_t cpu = 0, memory = 0;
};

// Room left on a node (new or simulated).
struct Bin {
  std::int64_t cpu = 0, memory = 0, pods = 0;
  [[nodiscard]] bool fits(const Need& n) const {
    return n.cpu <= cpu && n.memory <= memory && pods >= 1;
  }
  void take(const Need& n) {
    cpu -= n.cpu;
    memory -= n.memory;
    --pods;
  }
};

// The binpacking estimator: pods in decreasing size, each onto the first open bin with room,
// else onto a new bin of `empty` while fewer than `limit` are open. Marks the pods placed.
std::int64_t binpack(std::span<const Need> needs, std::vector<std::uint32_t>& order, Bin empty,
                     std::int64_t limit, std::vector<Bin>& bins, std::vector<std::uint8_t>& placed) {
  const double cpu_scale = empty.cpu > 0 ? 1.0 / static_cast<double>(empty.cpu) : 0.0;
  const double mem_scale = empty.memory > 0 ? 1.0 / static_cast<double>(empty.memory) : 0.0;
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return static_cast<double>(needs[a].cpu) * cpu_scale + static_cast<double>(needs[a].memory) * mem_scale >
           static_cast<double>(needs[b].cpu) * cpu_scale + static_cast<double>(needs[b].memory) * mem_scale;
  });
  std::int64_t opened = 0;
  for (const std::uint32_t p : order) {
    const auto bin = std::find_if(bins.begin(), bins.end(), [&](const Bin& b) { return b.fits(needs[p]); });
    if (bin != bins.end()) {
      bin->take(needs[p]);
      placed[p] = 1;
      continue;
    }
    if (opened >= limit || !empty.fits(needs[p])) continue;
    bins.push_back(empty);
    bins.back().take(needs[p]);
    placed[p] = 1;
    ++opened;
  }
  return opened;
}

// A pod's requests as the estimator counts them.
Need need_of(const Resources& r) { return {r.cpu_millis, r.memory_bytes}; }
Need need_of(const WorkloadState& wl, const PodRecord& pod) { return need_of(wl.requests_of(pod.revision)); }

}  // namespace

// One cluster's autoscaler.
struct Runtime::Cluster {
  Cluster(ClusterId c, const RandomStream& r) : id(c), templates(r), rng(r) {}
  ClusterId id;
  eks::Scheduler templates;              ///< one template node per node group
  std::vector<NodeIndex> template_node;  ///< per node group: its slot in `templates`
  /// Per workload: its pod class in `templates`, made from its current description.
  eks::TemplateClasses template_class;
  /// Per node record: since when it is unneeded (kNever: not), and until when it is no
  /// candidate after a simulation found a pod of it that cannot move
  /// (--unremovable-node-recheck-timeout).
  struct Mark {
    SimTime unneeded_since = kNever;
    SimTime unremovable_until = kSimStart;
  };
  IdVector<NodeId, Mark> marks;
  SimTime last_scale_up = kNever, last_delete = kNever;
  std::vector<SimTime> requested_at;    ///< per node group: its last scale-up, while nodes are due
  std::vector<SimTime> backoff_until;   ///< per node group, after a scale-up that timed out
  std::vector<std::uint32_t> backoffs;  ///< per node group: scale-ups that timed out in a row
  RandomStream rng;                     ///< the random expander's draws
  std::uint64_t scale_ups = 0, nodes_added = 0, nodes_removed = 0;
  NodeIndex cursor = 0;  ///< where the next first-fit search for a place starts
  /// The priority expander's patterns, compiled once, highest priority first.
  std::vector<std::pair<std::int32_t, std::regex>> priorities;
  // The loop's working vectors, reused scan after scan.
  std::vector<std::int64_t> registered;  ///< per node group: its nodes, counted once a scan
  std::vector<Bin> room;
  std::vector<std::uint8_t> planned;
  std::vector<std::int64_t> size, allowed;
  std::vector<std::uint8_t> kind;
  std::vector<std::uint32_t> budget_taken;
  std::vector<TaskId> movers;
  std::vector<NodeIndex> open, open_at;
  std::vector<std::pair<TaskId, NodeIndex>> moves;
};

Runtime::Runtime(Context context) : ctx_(context) {}
Runtime::~Runtime() = default;

void Runtime::start(const RandomStreams& streams) {
  const platform::InstanceCatalog& catalog = platform::InstanceCatalog::builtin();
  for (const ClusterId c : ctx_.eks.cluster_ids()) {
    if (clusters_.size() <= c.value()) clusters_.resize(c.value() + 1);
    const ClusterState& rt = ctx_.eks.cluster(c);
    if (!rt.config->cluster_autoscaler) continue;
    clusters_[c.value()] = std::make_unique<Cluster>(
        c, streams.stream(fmt::format("eks/{}/cluster-autoscaler", rt.config->name)));
    Cluster& ca = *clusters_[c.value()];
    const std::vector<eks::NodeGroupConfig>& groups = rt.config->config.node_groups;
    for (std::uint32_t g = 0; g < groups.size(); ++g) {
      const platform::AsgConfig& asg = ctx_.platform_config.groups[rt.config->groups[g].value()];
      // The template: a node of the group's (first) instance type in its first zone.
      const eks::NodeSpec spec =
          ctx_.eks.group_node_spec(c, g, catalog.at(asg.instance_type), asg.azs.front(),
                                   fmt::format("template-node-for-{}", groups[g].name));
      ca.template_node.push_back(ca.templates.add_node(spec));
    }
    for (const auto& [priority, patterns] : rt.config->cluster_autoscaler->priorities)
      for (const std::string& pattern : patterns) ca.priorities.emplace_back(priority, std::regex(pattern));
    ca.requested_at.assign(groups.size(), kNever);
    ca.backoff_until.assign(groups.size(), kSimStart);
    ca.backoffs.assign(groups.size(), 0);
    const SimDuration every = rt.config->cluster_autoscaler->scan_interval;
    if (kSimStart + every <= ctx_.horizon) ctx_.sim.schedule_at(kSimStart + every, kScan, c.value());
  }
}

void Runtime::handle(const Event& e) {
  ECSIM_ASSERT(e.kind == kScan, "the Cluster Autoscaler's only event is its scan");
  scan(ClusterId{static_cast<ClusterId::rep_type>(e.target)});
}

void Runtime::scan(ClusterId c) {
  Cluster& ca = *clusters_[c.value()];
  const ClusterState& rt = ctx_.eks.cluster(c);
  const eks::ClusterAutoscalerConfig& cfg = *rt.config->cluster_autoscaler;
  if (ctx_.sim.now() + cfg.scan_interval <= ctx_.horizon)
    ctx_.sim.schedule_in(cfg.scan_interval, kScan, c.value());
  if (!rt.control_plane.quorum()) return;  // it lists nodes and pods through the API server
  // The nodes each group has registered, for the scale-ups in flight and the nodes on their way.
  ca.registered.assign(rt.config->groups.size(), 0);
  for (const NodeRecord& n : rt.nodes)
    if (n.present) ++ca.registered[n.group];
  ca.marks.resize(rt.nodes.size());
  check_provisioning(ca);
  if (!scale_up(ca)) scale_down(ca);
}

// Scale-ups in flight: a node group whose nodes have not all registered within
// --max-node-provision-time gives up the ones still missing (their instances are terminated and
// the group's desired count lowered) and is backed off.
void Runtime::check_provisioning(Cluster& ca) {
  const ClusterState& rt = ctx_.eks.cluster(ca.id);
  const eks::ClusterAutoscalerConfig& cfg = *rt.config->cluster_autoscaler;
  const std::vector<std::int64_t>& registered = ca.registered;
  for (std::uint32_t g = 0; g < registered.size(); ++g) {
    const GroupId pg = rt.config->groups[g];
    const std::int64_t missing = static_cast<std::int64_t>(ctx_.platform.desired(pg)) - registered[g];
    if (missing <= 0) {
      // A scale-up whose nodes all registered ends the group's backoff streak.
      if (ca.requested_at[g] != kNever) ca.backoffs[g] = 0;
      ca.requested_at[g] = kNever;
      continue;
    }
    if (ca.requested_at[g] == kNever || ctx_.sim.now() - ca.requested_at[g] < cfg.max_node_provision_time)
      continue;
    const std::int64_t from = ctx_.platform.desired(pg);
    std::vector<InstanceId> unregistered;
    for (const InstanceId i : ctx_.platform.live_instances(pg))
      if (!rt.node_of_instance.contains(i)) unregistered.push_back(i);
    for (const InstanceId i : unregistered) ctx_.platform.terminate(ctx_.sim, i, true);
    // Launches that never began (no capacity in the zone) are given up too.
    ctx_.platform.lower_desired(pg, static_cast<std::uint32_t>(registered[g]));
    ca.requested_at[g] = kNever;
    const SimDuration backoff =
        std::min<SimDuration>(kMaxGroupBackoff, kInitialGroupBackoff * (std::int64_t{1} << std::min<std::uint32_t>(ca.backoffs[g], 8)));
    ++ca.backoffs[g];
    ca.backoff_until[g] = ctx_.sim.now() + backoff;
    ctx_.eks.record_scaling(
        {ctx_.sim.now(), rt.config->name, "ClusterAutoscaler",
         fmt::format("node group {}", rt.config->config.node_groups[g].name), from,
         static_cast<std::int64_t>(ctx_.platform.desired(pg)),
         fmt::format("FailedToScaleUp: {} node(s) did not register within "
                     "max-node-provision-time ({}); node group backed off for {}",
                     missing, format_duration(cfg.max_node_provision_time),
                     format_duration(backoff))});
  }
}

bool Runtime::scale_up(Cluster& ca) {
  const ClusterState& rt = ctx_.eks.cluster(ca.id);
  const eks::ClusterAutoscalerConfig& cfg = *rt.config->cluster_autoscaler;
  const SimTime now = ctx_.sim.now();
  // The pods the scheduler could not place and a new node could help: not bound, not stopped,
  // not pinned to a node, not a DaemonSet's, not on Fargate.
  std::vector<TaskId> pending;
  for (const TaskId p : ctx_.eks.failed_scheduling(ca.id))
    if (now - ctx_.eks.pod(p).created >= cfg.new_pod_scale_up_delay) pending.push_back(p);
  if (pending.empty()) return false;
  const std::size_t groups = rt.config->groups.size();
  const std::vector<std::int64_t>& registered = ca.registered;
  // Each pod's needs and its template class.
  const auto template_class_of = [&](ServiceId w) {
    return eks::template_class(ca.templates, ca.template_class, w, rt.workloads[w]);
  };
  std::vector<Need> needs;
  std::vector<PodClassId> classes;
  for (const TaskId p : pending) {
    const PodRecord& pod = ctx_.eks.pod(p);
    const WorkloadState& wl = rt.workloads[pod.workload];
    needs.push_back(need_of(wl, pod));
    classes.push_back(template_class_of(pod.workload));
  }
  // A new node of each group: its allocatable less what its DaemonSets' pods request.
  std::vector<Bin> empty(groups);
  const NodeTable& table = ca.templates.nodes();
  for (std::uint32_t g = 0; g < groups; ++g) {
    const NodeIndex t = ca.template_node[g];
    Bin b{table.allocatable_cpu(t), table.allocatable_memory(t), table.allocatable_pods(t)};
    for (const ServiceId w : rt.workloads.ids()) {
      const WorkloadState& wl = rt.workloads[w];
      if (wl.kind != WorkloadState::Kind::kDaemonSet || !ca.templates.node_admits(template_class_of(w), t))
        continue;
      b.take({wl.requests.cpu_millis, wl.requests.memory_bytes});
    }
    empty[g] = b;
  }
  std::vector<std::uint8_t> placed(pending.size(), 0);
  std::vector<std::uint32_t> order;
  std::vector<Bin> bins;
  const auto admitted = [&](std::uint32_t g) {
    order.clear();
    for (std::uint32_t p = 0; p < pending.size(); ++p)
      if (!placed[p] && ca.templates.node_admits(classes[p], ca.template_node[g])) order.push_back(p);
  };
  // Nodes already asked for and not registered yet take what they can first.
  for (std::uint32_t g = 0; g < groups; ++g) {
    const std::int64_t upcoming =
        static_cast<std::int64_t>(ctx_.platform.desired(rt.config->groups[g])) - registered[g];
    if (upcoming <= 0) continue;
    admitted(g);
    bins.clear();
    (void)binpack(needs, order, empty[g], upcoming, bins, placed);
  }
  // One option per node group that can grow: the nodes it needs and the pods they help.
  struct Option {
    std::uint32_t group = 0;
    std::int64_t nodes = 0, pods = 0;
    double waste = 0, price = 0;
  };
  std::vector<Option> options;
  std::int64_t total = 0;
  for (std::uint32_t g = 0; g < groups; ++g) total += ctx_.platform.desired(rt.config->groups[g]);
  const std::int64_t total_room =
      cfg.max_nodes_total > 0 ? std::max<std::int64_t>(0, cfg.max_nodes_total - total)
                              : std::numeric_limits<std::int64_t>::max();
  const platform::InstanceCatalog& catalog = platform::InstanceCatalog::builtin();
  for (std::uint32_t g = 0; g < groups; ++g) {
    const GroupId pg = rt.config->groups[g];
    const std::int64_t room = std::min<std::int64_t>(
        total_room, static_cast<std::int64_t>(ctx_.platform.max(pg)) - ctx_.platform.desired(pg));
    if (room <= 0 || now < ca.backoff_until[g]) continue;
    std::vector<std::uint8_t> trial = placed;
    admitted(g);
    if (order.empty()) continue;
    bins.clear();
    const std::int64_t nodes = binpack(needs, order, empty[g], room, bins, trial);
    if (nodes == 0) continue;
    Option o{g, nodes, 0, 0, 0};
    std::int64_t cpu = 0, memory = 0;
    for (std::uint32_t p = 0; p < pending.size(); ++p) {
      if (placed[p] || !trial[p]) continue;
      ++o.pods;
      cpu += needs[p].cpu;
      memory += needs[p].memory;
    }
    const double cpu_all = static_cast<double>(nodes * table.allocatable_cpu(ca.template_node[g]));
    const double mem_all = static_cast<double>(nodes * table.allocatable_memory(ca.template_node[g]));
    o.waste = (cpu_all - static_cast<double>(cpu)) / cpu_all + (mem_all - static_cast<double>(memory)) / mem_all;
    const platform::AsgConfig& asg = ctx_.platform_config.groups[pg.value()];
    const double hourly = catalog.at(asg.instance_type).price_usd_per_hour *
                          (asg.spot ? 1 - ctx_.platform_config.prices.ec2_spot_discount : 1.0);
    o.price = hourly * static_cast<double>(nodes) / static_cast<double>(o.pods);
    options.push_back(o);
  }
  if (options.empty()) return false;
  // The expander chain: each keeps its best options; random breaks what is left.
  for (const Expander e : cfg.expanders) {
    if (options.size() == 1) break;
    std::vector<double> key(options.size());
    for (std::size_t i = 0; i < options.size(); ++i) {
      const Option& o = options[i];
      switch (e) {
        case Expander::kRandom: key[i] = 0; break;
        case Expander::kMostPods: key[i] = -static_cast<double>(o.pods); break;
        case Expander::kLeastWaste: key[i] = o.waste; break;
        case Expander::kPrice: key[i] = o.price; break;
        case Expander::kPriority: {
          // The highest priority with a pattern matching the group's name; none: below all.
          double best = std::numeric_limits<double>::infinity();
          for (const auto& [priority, pattern] : ca.priorities)
            if (std::regex_match(rt.config->config.node_groups[o.group].name, pattern))
              best = std::min(best, -static_cast<double>(priority));
          key[i] = best;
          break;
        }
      }
    }
    if (e == Expander::kRandom) {
      const auto pick = static_cast<std::size_t>(ca.rng.uniform_int(options.size()));
      const Option one = options[pick];
      options.assign(1, one);
      break;
    }
    const double best = *std::min_element(key.begin(), key.end());
    std::vector<Option> kept_options;
    for (std::size_t i = 0; i < options.size(); ++i)
      if (key[i] == best) kept_options.push_back(options[i]);
    options = std::move(kept_options);
  }
  if (options.size() > 1) {
    const auto pick = static_cast<std::size_t>(ca.rng.uniform_int(options.size()));
    const Option one = options[pick];
    options.assign(1, one);
  }
  const Option chosen = options.front();
  // balance-similar-node-groups: the new nodes go one by one to the smallest of the chosen
  // group and the groups like it (same instance type, labels but zones and names, taints, Spot).
  std::vector<std::int64_t> add(groups, 0);
  std::vector<std::uint32_t> similar{chosen.group};
  if (cfg.balance_similar_node_groups) {
    const eks::NodeGroupConfig& a = rt.config->config.node_groups[chosen.group];
    const auto labels_of = [](const eks::NodeGroupConfig& ng) {
      eks::Labels l;
      for (const auto& [k, v] : ng.labels)
        if (!ignored_for_similarity(k)) l.emplace(k, v);
      return l;
    };
    for (std::uint32_t g = 0; g < groups; ++g) {
      const eks::NodeGroupConfig& b = rt.config->config.node_groups[g];
      if (g == chosen.group || now < ca.backoff_until[g]) continue;
      if (b.instance_type == a.instance_type && b.spot == a.spot && b.taints == a.taints &&
          labels_of(b) == labels_of(a))
        similar.push_back(g);
    }
  }
  for (std::int64_t k = 0; k < chosen.nodes; ++k) {
    std::optional<std::uint32_t> smallest;
    for (const std::uint32_t g : similar) {
      const GroupId pg = rt.config->groups[g];
      const std::int64_t size = ctx_.platform.desired(pg) + add[g];
      if (size >= ctx_.platform.max(pg)) continue;
      if (!smallest || size < ctx_.platform.desired(rt.config->groups[*smallest]) + add[*smallest])
        smallest = g;
    }
    if (!smallest) break;
    ++add[*smallest];
  }
  std::string groups_text;
  for (const std::uint32_t g : similar) {
    if (add[g] == 0) continue;
    const GroupId pg = rt.config->groups[g];
    const std::int64_t from = ctx_.platform.desired(pg);
    groups_text += fmt::format("{}{{{} {}->{} (max: {})}}", groups_text.empty() ? "" : " ",
                               rt.config->config.node_groups[g].name, from, from + add[g],
                               ctx_.platform.max(pg));
  }
  for (const std::uint32_t g : similar) {
    if (add[g] == 0) continue;
    const GroupId pg = rt.config->groups[g];
    const std::int64_t from = ctx_.platform.desired(pg);
    ctx_.platform.scale_out(ctx_.sim, pg, static_cast<std::uint32_t>(from + add[g]));
    ECSIM_ASSERT(ctx_.platform.desired(pg) == from + add[g],
                 "the Cluster Autoscaler asks a node group for no more than its max");
    if (ca.requested_at[g] == kNever) ca.requested_at[g] = now;
    ca.nodes_added += static_cast<std::uint64_t>(add[g]);
    ctx_.eks.record_scaling(
        {now, rt.config->name, "ClusterAutoscaler",
         fmt::format("node group {}", rt.config->config.node_groups[g].name), from, from + add[g],
         fmt::format("TriggeredScaleUp: pod triggered scale-up: [{}] ({} pod(s))", groups_text,
                     chosen.pods)});
  }
  ++ca.scale_ups;
  ca.last_scale_up = now;
  return true;
}

void Runtime::scale_down(Cluster& ca) {
  const ClusterId c = ca.id;
  eks::Runtime& eks = ctx_.eks;
  const ClusterState& rt = eks.cluster(c);
  const eks::ClusterAutoscalerConfig& cfg = *rt.config->cluster_autoscaler;
  if (!cfg.scale_down_enabled) return;
  const SimTime now = ctx_.sim.now();
  const NodeTable& table = rt.scheduler.nodes();
  // Room left on every node, and the nodes this pass plans to remove.
  std::vector<Bin>& room = ca.room;
  room.assign(table.size(), Bin{});
  std::vector<std::uint8_t>& planned = ca.planned;
  planned.assign(table.size(), 0);
  for (NodeIndex i = 0; i < table.size(); ++i)
    if (table.present(i))
      room[i] = {table.allocatable_cpu(i) - table.requested_cpu(i),
                 table.allocatable_memory(i) - table.requested_memory(i),
                 table.allocatable_pods(i) - table.pods(i)};
  std::vector<std::int64_t>& size = ca.size;
  size.assign(rt.config->groups.size(), 0);
  for (const NodeRecord& n : rt.nodes)
    if (n.present && !n.autoscaler_deleting && n.drain == kUnset) ++size[n.group];
  const std::size_t present_nodes = static_cast<std::size_t>(std::accumulate(size.begin(), size.end(), std::int64_t{0}));
  const std::size_t non_empty_cap = std::max(
      kNonEmptyCandidates, static_cast<std::size_t>(kCandidatesPoolRatio * static_cast<double>(present_nodes)));
  std::size_t non_empty_checked = 0;
  std::vector<std::pair<TaskId, NodeIndex>>& moves = ca.moves;
  // Per workload, once a loop: a DaemonSet's (not moved), one whose pods block a scale-down
  // (bare pods, safe-to-evict "false", kube-system pods without a budget), or movable.
  constexpr std::uint8_t kMovable = 0, kDaemon = 1, kBlocked = 2;
  std::vector<std::uint8_t>& kind_of = ca.kind;
  kind_of.clear();
  const auto kind = [&](ServiceId w) { return kind_of[w.value()]; };
  for (const ServiceId w : rt.workloads.ids()) {
    const WorkloadState& wl = rt.workloads[w];
    const bool system = rt.namespaces[wl.name_space].name == "kube-system";
    kind_of.push_back(wl.kind == WorkloadState::Kind::kDaemonSet ? kDaemon
                   : wl.kind == WorkloadState::Kind::kPod || wl.pod->not_safe_to_evict ||
                           (cfg.skip_nodes_with_system_pods && system &&
                            rt.budgets_of_workload[w].empty())
                       ? kBlocked
                       : kMovable);
  }
  // Each budget's disruptions left in this loop, computed when first needed.
  constexpr std::int64_t kUnknown = std::numeric_limits<std::int64_t>::min();
  std::vector<std::int64_t>& allowed = ca.allowed;
  allowed.assign(rt.config->manifests.pdbs.size(), kUnknown);
  std::vector<std::uint32_t>& budget_taken = ca.budget_taken;
  std::vector<TaskId>& movers = ca.movers;
  // The nodes a moved pod may go to (ready, schedulable, reachable, not being removed), and each
  // slot's place among them.
  std::vector<NodeIndex>& open = ca.open;
  open.clear();
  std::vector<NodeIndex>& open_at = ca.open_at;
  open_at.assign(table.size(), kNoNode);
  for (const NodeId n : rt.nodes.ids()) {
    const NodeRecord& node = rt.nodes[n];
    if (!node.present || !node.reachable || node.autoscaler_deleting || node.drain != kUnset ||
        !table.ready(node.node) || table.unschedulable(node.node))
      continue;
    open_at[node.node] = static_cast<NodeIndex>(open.size());
    open.push_back(node.node);
  }
  for (const NodeId n : rt.nodes.ids()) {
    const NodeRecord& node = rt.nodes[n];
    Cluster::Mark& mark = ca.marks[n];
    if (!node.present || !node.reachable || !node.ready || node.cordoned || node.drain != kUnset ||
        node.autoscaler_deleting) {
      mark.unneeded_since = kNever;
      continue;
    }
    // A node whose last simulation found a pod that cannot move waits out the recheck timeout.
    if (now < mark.unremovable_until) continue;
    const NodeIndex slot = node.node;
    // Utilisation: the larger of the CPU and memory its pods request over what it offers
    // (DaemonSet pods counted unless --ignore-daemonsets-utilization).
    // The node's pods are walked only when needed: for DaemonSet pods' requests, or (below)
    // to move them.
    std::int64_t cpu = table.requested_cpu(slot), memory = table.requested_memory(slot);
    if (cfg.ignore_daemonsets_utilization)
      for (const TaskId p : rt.scheduler.pods_on(slot)) {
        const ServiceId w = eks.pod_brief(p).workload;
        if (kind(w) != kDaemon) continue;
        cpu -= rt.workloads[w].requests.cpu_millis;
        memory -= rt.workloads[w].requests.memory_bytes;
      }
    const double utilization =
        std::max(static_cast<double>(cpu) / static_cast<double>(std::max<std::int64_t>(1, table.allocatable_cpu(slot))),
                 static_cast<double>(memory) / static_cast<double>(std::max<std::int64_t>(1, table.allocatable_memory(slot))));
    const std::uint32_t min = rt.config->config.node_groups[node.group].min;
    if (utilization >= cfg.scale_down_utilization_threshold || size[node.group] <= min) {
      mark.unneeded_since = kNever;
      continue;
    }
    if (node.busy_pods > 0) {
      // Previously unneeded nodes are checked again every loop; new candidates up to the cap.
      if (mark.unneeded_since == kNever && non_empty_checked++ >= non_empty_cap) continue;
      movers.clear();
      for (const TaskId p : rt.scheduler.pods_on(slot))
        if (kind(eks.pod_brief(p).workload) != kDaemon) movers.push_back(p);
      // Every pod must be movable: replicated, evictable, and placeable on another node.
      moves.clear();
      bool movable = true;
      budget_taken.clear();
      for (const TaskId p : movers) {
        const PodBrief pod = eks.pod_brief(p);
        const WorkloadState& wl = rt.workloads[pod.workload];
        if (kind(pod.workload) == kBlocked) {
          movable = false;
          break;
        }
        // Its budget must allow an eviction, counting the pass's other moves (several budgets
        // over one pod: the eviction API refuses it).
        const std::vector<std::uint32_t>& pod_budgets = rt.budgets_of_workload[pod.workload];
        if (pod_budgets.size() > 1) {
          movable = false;
          break;
        }
        if (pod_budgets.size() == 1) {
          std::int64_t& left = allowed[pod_budgets.front()];
          if (left == kUnknown) left = eks.allowed_disruptions(c, pod_budgets.front());
          if (left <= 0) {
            movable = false;
            break;
          }
          --left;
          budget_taken.push_back(pod_budgets.front());
        }
        const Resources& requests = wl.requests_of(pod.revision);
        const Need need{requests.cpu_millis, requests.memory_bytes};
        // The pod's hint first, then first fit over the open nodes from where the last search
        // stopped.
        const auto place = [&](NodeIndex m) {
          return m != slot && m < table.size() && open_at[m] != kNoNode && room[m].fits(need) &&
                 eks.node_admits(c, pod.cls, m);
        };
        NodeIndex to = kNoNode;
        if (pod.hint != kNoNode && place(pod.hint)) to = pod.hint;
        for (std::size_t k = 0; to == kNoNode && k < open.size(); ++k) {
          const std::size_t i = (ca.cursor + k) % open.size();
          if (!place(open[i])) continue;
          to = open[i];
          ca.cursor = static_cast<NodeIndex>(i);
        }
        if (to != kNoNode) eks.set_pod_hint(p, to);
        if (to == kNoNode) {
          movable = false;
          break;
        }
        room[to].take(need);
        moves.emplace_back(p, to);
      }
      if (!movable) {
        for (const std::uint32_t b : budget_taken) ++allowed[b];
        // Give back the room the pods already placed took.
        for (const auto& [p, to] : moves) {
          const PodBrief& moved = eks.pod_brief(p);
          const Need back = need_of(rt.workloads[moved.workload].requests_of(moved.revision));
          room[to].cpu += back.cpu;
          room[to].memory += back.memory;
          ++room[to].pods;
        }
        mark.unneeded_since = kNever;
        mark.unremovable_until = now + cfg.unremovable_node_recheck_timeout;
        continue;
      }
    }
    planned[slot] = 1;
    if (open_at[slot] != kNoNode) {  // a node being removed takes no pod
      const NodeIndex last = open.back();
      open[open_at[slot]] = last;
      open_at[last] = open_at[slot];
      open.pop_back();
      open_at[slot] = kNoNode;
    }
    --size[node.group];
    if (mark.unneeded_since == kNever) mark.unneeded_since = now;
  }
  // Deletions wait out the delays after a scale-up, a deletion and a failure.
  const auto after = [&](SimTime at, SimDuration d) { return at != kNever && now < at + d; };
  if (after(ca.last_scale_up, cfg.scale_down_delay_after_add) ||
      after(ca.last_delete, cfg.scale_down_delay_after_delete.value_or(cfg.scan_interval)) ||
      after(rt.autoscaler_drain_failed, cfg.scale_down_delay_after_failure))
    return;
  // Each removal is an activity of the node's group, one node down.
  const auto record_removal = [&](const NodeRecord& node, std::string reason) {
    const std::int64_t from = ctx_.platform.desired(rt.config->groups[node.group]);
    ++ca.nodes_removed;
    ctx_.eks.record_scaling(
        {now, rt.config->name, "ClusterAutoscaler",
         fmt::format("node group {}", rt.config->config.node_groups[node.group].name), from,
         from - 1, std::move(reason)});
  };
  // Empty nodes go together (up to --max-empty-bulk-delete); else one node is drained.
  std::int32_t empties = 0;
  std::optional<NodeId> drain;
  bool draining = false;
  for (const eks::NodeDrain& d : rt.drains) draining = draining || (d.active && d.autoscaler);
  for (const NodeId n : rt.nodes.ids()) {
    const NodeRecord& node = rt.nodes[n];
    const Cluster::Mark& mark = ca.marks[n];
    if (!node.present || mark.unneeded_since == kNever || !planned[node.node] ||
        now - mark.unneeded_since < cfg.scale_down_unneeded_time)
      continue;
    if (node.busy_pods > 0) {
      if (!drain) drain = n;
      continue;
    }
    if (empties >= cfg.max_empty_bulk_delete) continue;
    ++empties;
    record_removal(node, fmt::format("ScaleDownEmpty: Scale-down: removing empty node \"{}\"",
                                     table.name(node.node)));
    eks.delete_empty_node(c, n);
  }
  if (empties > 0) {
    ca.last_delete = now;
    return;
  }
  if (!drain || draining) return;
  const NodeRecord& node = rt.nodes[*drain];
  record_removal(node, fmt::format("ScaleDown: Scale-down: node \"{}\" removed with drain",
                                   table.name(node.node)));
  ca.last_delete = now;
  eks.drain_for_scale_down(c, *drain);
}

void Runtime::check_invariants() const {
  for (const auto& ca : clusters_) {
    if (!ca) continue;
    const ClusterState& rt = ctx_.eks.cluster(ca->id);
    for (std::size_t g = 0; g < rt.config->groups.size(); ++g) {
      const GroupId pg = rt.config->groups[g];
      const eks::NodeGroupConfig& group = rt.config->config.node_groups[g];
      const std::uint32_t desired = ctx_.platform.desired(pg);
      if (desired < group.min || desired > ctx_.platform.max(pg))
        check_failed(fmt::format("self-check failed: node group {} of cluster {} wants {} nodes, "
                                 "outside its minSize {} and maxSize {}",
                                 group.name, rt.config->name, desired, group.min,
                                 ctx_.platform.max(pg)));
    }
  }
}

void Runtime::add_results(eks::Results& r, SimTime end) const {
  for (const auto& ca : clusters_) {
    if (!ca) continue;
    const ClusterState& rt = ctx_.eks.cluster(ca->id);
    r.nodes[ca->id.value()].autoscaled = eks::NodesResult::Autoscaled{
        ca->scale_ups,
        ca->nodes_added,
        ca->nodes_removed,
        rt.autoscaler_evictions,
        rt.registered_nodes.mean(end),
        static_cast<std::int64_t>(rt.registered_nodes.max()),
        rt.node_price.mean(end),
        rt.node_price.max()};
  }
}

}  // namespace ecsim::cluster_autoscaler
