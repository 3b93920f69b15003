// EKS operations on nodes: cordons, drains through the eviction API (each eviction waits while
// a PodDisruptionBudget forbids it) and managed node group updates with EKS's phases: scale up by
// max(2 x the group's zones, maxUnavailable), wait for a Ready new node in every zone, cordon the
// old nodes, drain them maxUnavailable at a time (PodEvictionFailure after 15 minutes unless
// forced), terminate each 60 s after it drained, then scale back down. Every step is an API write:
// without etcd quorum nothing is cordoned or evicted until it returns.

#include <algorithm>
#include <fmt/format.h>

#include "ecsim/eks/disruption.hpp"
#include "ecsim/eks/runtime.hpp"
#include "ecsim/sim/assert.hpp"

namespace ecsim::eks {

namespace {

/// kubectl drain and EKS retry an eviction a budget refused every 5 s.
constexpr SimDuration kEvictionRetry = std::chrono::seconds(5);
/// A node that does not drain within 15 minutes fails the update (PodEvictionFailure).
constexpr SimDuration kPodEvictionTimeout = std::chrono::minutes(15);
/// After a node drained, the update waits 60 s before it asks the group to terminate it.
constexpr SimDuration kTerminateDelay = std::chrono::seconds(60);
// How long the Cluster Autoscaler retries the evictions of a node it scales down (its
// MaxPodEvictionTime, 2 minutes) before it gives the node up.
constexpr SimDuration kAutoscalerEvictionTimeout = std::chrono::minutes(2);
/// EKS updates at most 100 nodes in parallel (the maxUnavailable quota).
constexpr std::int64_t kMaxParallelUpdates = 100;

/// One more of a drain operation's nodes has no pod left to evict (drained, or gone): the
/// operation is drained when it was the last.
void node_done(DrainOperation& op, SimTime now) {
  if (--op.left == 0) op.result.drained = now;
}

}  // namespace

// --- setup ------------------------------------------------------------------------------------

// Each PodDisruptionBudget covers the workloads of its namespace whose pod template labels its
// selector matches (all pods of a workload share their labels).
void Runtime::link_budgets(ClusterId c) {
  ClusterState& rt = clusters_[c];
  const std::vector<PodDisruptionBudget>& pdbs = rt.config->manifests.pdbs;
  rt.budgets_of_workload.assign(rt.workloads.size(), {});
  rt.workloads_of_budget.assign(pdbs.size(), {});
  LabelInterner& interner = rt.scheduler.interner();
  for (std::uint32_t b = 0; b < pdbs.size(); ++b) {
    const Selector selector = compile_selector(pdbs[b].selector, interner);
    for (const ServiceId w : rt.workloads.ids()) {
      const WorkloadState& wl = rt.workloads[w];
      if (wl.description.name_space != pdbs[b].meta.name_space) continue;
      if (!matches(selector, intern_labels(wl.description.labels, interner), interner))
        continue;
      rt.budgets_of_workload[w].push_back(b);
      rt.workloads_of_budget[b].push_back(w);
    }
  }
}

void Runtime::schedule_operations(ClusterId c, const RandomStreams& streams) {
  ClusterState& rt = clusters_[c];
  // Node groups, then Karpenter's NodePools (which no update touches).
  const std::size_t groups =
      rt.config->config.node_groups.size() + rt.config->manifests.node_pools.size();
  rt.version_starts.assign(groups, {});
  rt.updating.assign(groups, kUnset);
  rt.update_rng = streams.stream(fmt::format("eks/{}/node_group_updates", rt.config->name));
  for (std::size_t k = 0; k < rt.config->operations.size(); ++k)
    sim_.schedule_at(rt.config->operations[k].at, kOperation, c.value(), k);
}

// --- operations ---------------------------------------------------------------------------------

void Runtime::operation(ClusterId c, std::size_t op) {
  ClusterState& rt = clusters_[c];
  // Every operation writes to the API: without quorum it waits for it (kubectl retries).
  if (!rt.control_plane.quorum()) {
    rt.deferred_operations.push_back(op);
    return;
  }
  const Operation& o = rt.config->operations[op];
  switch (o.kind) {
    case Operation::Kind::kCordon:
      for (const NodeId n : nodes_of(c, o)) cordon(c, n);
      break;
    case Operation::Kind::kDrain: {
      const auto record = static_cast<std::uint32_t>(rt.drain_operations.size());
      DrainOperation& d = rt.drain_operations.emplace_back();
      d.nodes = nodes_of(c, o);
      d.result.cluster = rt.config->name;
      d.result.at = sim_.now();
      d.result.nodes = static_cast<std::uint32_t>(d.nodes.size());
      d.left = d.result.nodes;
      const std::vector<NodeId> nodes = d.nodes;
      for (const NodeId n : nodes) {
        if (rt.nodes[n].drain != kUnset) {
          // Already drained by an update: that drain empties it.
          node_done(rt.drain_operations[record], sim_.now());
          continue;
        }
        start_drain(c, n, kUnset, record, false);
      }
      if (nodes.empty()) rt.drain_operations[record].result.drained = sim_.now();
      break;
    }
    case Operation::Kind::kNodeGroupUpdate: start_update(c, op); break;
    case Operation::Kind::kRollout: rollout(c, o); break;
  }
  reconcile(c);
  kick(c);
}

// The nodes an operation names: the group's present nodes, oldest first, or only the N-th.
std::vector<NodeId> Runtime::nodes_of(ClusterId c, const Operation& op) const {
  const ClusterState& rt = clusters_[c];
  std::vector<NodeId> nodes;
  for (const NodeId n : rt.nodes.ids())
    if (rt.nodes[n].present && rt.nodes[n].group == op.node_group) nodes.push_back(n);
  std::sort(nodes.begin(), nodes.end(), [&](NodeId a, NodeId b) {
    return rt.nodes[a].instance < rt.nodes[b].instance;  // launch order
  });
  if (!op.node) return nodes;
  if (*op.node >= nodes.size()) return {};
  return {nodes[*op.node]};
}

void Runtime::delete_empty_node(ClusterId c, NodeId n) {
  cordon(c, n);
  NodeRecord& node = clusters_[c].nodes[n];
  node.autoscaler_deleting = true;
  platform_.terminate(sim_, node.instance, true);
}

void Runtime::cordon(ClusterId c, NodeId n) {
  ClusterState& rt = clusters_[c];
  NodeRecord& node = rt.nodes[n];
  if (node.cordoned) return;
  node.cordoned = true;
  rt.scheduler.set_unschedulable(node.node, true);
}

// --- draining -------------------------------------------------------------------------------------

void Runtime::start_drain(ClusterId c, NodeId n, std::uint32_t update, std::uint32_t operation,
                          bool scale_down, bool autoscaler, bool karpenter) {
  ClusterState& rt = clusters_[c];
  cordon(c, n);
  const auto d = static_cast<std::uint32_t>(rt.drains.size());
  rt.drains.push_back(
      NodeDrain{n, sim_.now(), update, operation, scale_down, true, autoscaler, karpenter});
  rt.nodes[n].drain = d;
  if (drain_node(c, d) && !rt.drain_tick_scheduled) {
    rt.drain_tick_scheduled = true;
    sim_.schedule_in(kEvictionRetry, kDrainTick, c.value());
  }
}

// Every draining node retries the evictions its budgets refused.
void Runtime::drain_tick(ClusterId c) {
  ClusterState& rt = clusters_[c];
  rt.drain_tick_scheduled = false;
  bool blocked = false;
  // Draining may end an update phase and start more drains: index, don't iterate.
  for (std::uint32_t d = 0; d < rt.drains.size(); ++d)
    if (rt.drains[d].active && drain_node(c, d)) blocked = true;
  reconcile(c);
  kick(c);
  if (blocked && !rt.drain_tick_scheduled) {
    rt.drain_tick_scheduled = true;
    sim_.schedule_in(kEvictionRetry, kDrainTick, c.value());
  }
}

// Evicts what the budgets allow of drain `d`'s node (DaemonSet pods stay, as with
// --ignore-daemonsets); true while pods remain that a budget protects.
bool Runtime::drain_node(ClusterId c, std::uint32_t d) {
  ClusterState& rt = clusters_[c];
  if (!rt.drains[d].active) return false;
  if (!rt.control_plane.quorum()) return true;  // no eviction is written without quorum
  const NodeRecord& node = rt.nodes[rt.drains[d].node];
  const std::vector<TaskId> on(rt.scheduler.pods_on(node.node).begin(),
                               rt.scheduler.pods_on(node.node).end());
  std::vector<TaskId> refused;
  for (const TaskId p : on) {
    if (rt.workloads[pods_[p].workload].kind == WorkloadState::Kind::kDaemonSet) continue;
    if (!eviction_allowed(c, p)) {
      refused.push_back(p);
      continue;
    }
    finish(p, Outcome::kEvicted);
    if (rt.drains[d].update != kUnset) ++rt.updates[rt.drains[d].update].result.pods_evicted;
    if (rt.drains[d].autoscaler) ++rt.autoscaler_evictions;
    if (rt.drains[d].karpenter) ++rt.provisioner_evictions;
  }
  // Karpenter's termination: past the NodePool's terminationGracePeriod the pods that would not
  // go are deleted.
  if (!refused.empty() && rt.drains[d].karpenter) {
    const NodePool& pool = rt.config->manifests.node_pools[node.group - rt.config->config.node_groups.size()];
    if (pool.termination_grace_period &&
        sim_.now() - rt.drains[d].since >= *pool.termination_grace_period) {
      for (const TaskId p : refused) finish(p, Outcome::kEvicted);
      rt.provisioner_evictions += refused.size();
      refused.clear();
    }
  }
  // The Cluster Autoscaler gives up a drain its evictions cannot finish (its pods' budgets
  // changed since it chose the node): the node is uncordoned and scale-down waits
  // --scale-down-delay-after-failure.
  if (!refused.empty() && rt.drains[d].autoscaler &&
      sim_.now() - rt.drains[d].since >= kAutoscalerEvictionTimeout) {
    NodeDrain& dr = rt.drains[d];
    dr.active = false;
    NodeRecord& n = rt.nodes[dr.node];
    n.drain = kUnset;
    n.cordoned = false;
    rt.scheduler.set_unschedulable(n.node, false);
    rt.autoscaler_drain_failed = sim_.now();
    retry_unschedulable(c);
    return false;
  }
  const std::uint32_t update = rt.drains[d].update;
  if (!refused.empty() && update != kUnset &&
      sim_.now() - rt.drains[d].since >= kPodEvictionTimeout) {
    if (!rt.updates[update].result.force) {
      update_failed(c, update);
      return false;
    }
    // Forced: the pods that would not drain are deleted.
    for (const TaskId p : refused) finish(p, Outcome::kEvicted);
    rt.updates[update].result.pods_deleted += refused.size();
    refused.clear();
  }
  if (!refused.empty()) return true;
  node_drained(c, d);
  return false;
}

// The eviction API's check: a pod under no budget may go; under one, only while the budget
// allows a disruption (healthy pods above its floor); under several, never (Kubernetes refuses).
// The budget's expected count is the matching pods for an integer minAvailable, else its
// workloads' scale, as the disruption controller computes it.
bool Runtime::eviction_allowed(ClusterId c, TaskId p) const {
  const std::vector<std::uint32_t>& budgets = clusters_[c].budgets_of_workload[pods_[p].workload];
  if (budgets.empty()) return true;
  return budgets.size() == 1 && allowed_disruptions(c, budgets.front()) > 0;
}

// status.disruptionsAllowed of budget `b` of cluster `c` now.
std::int64_t Runtime::allowed_disruptions(ClusterId c, std::uint32_t b) const {
  const ClusterState& rt = clusters_[c];
  const PodDisruptionBudget& pdb = rt.config->manifests.pdbs[b];
  std::int64_t pods = 0, healthy = 0, scale = 0;
  for (const ServiceId w : rt.workloads_of_budget[b]) {
    const WorkloadState& wl = rt.workloads[w];
    for (const TaskId q : pods_of(wl)) {
      ++pods;
      healthy += pods_[q].serving ? 1 : 0;
    }
    scale += wl.kind == WorkloadState::Kind::kDaemonSet ? wl.measure.desired : wl.replicas;
  }
  const bool by_pods = pdb.min_available && !pdb.min_available->percent;
  return disruptions_allowed(pdb, by_pods ? pods : scale, healthy);
}

void Runtime::node_drained(ClusterId c, std::uint32_t d) {
  ClusterState& rt = clusters_[c];
  NodeDrain& dr = rt.drains[d];
  dr.active = false;
  if (dr.operation != kUnset) {
    rt.nodes[dr.node].drain = kUnset;  // it stays cordoned
    node_done(rt.drain_operations[dr.operation], sim_.now());
    return;
  }
  // An update's node: the upgrade waits 60 s, then asks the group to terminate it; the
  // scale-down terminates it at once.
  if (dr.scale_down) node_terminate(c, d);
  else sim_.schedule_in(kTerminateDelay, kNodeTerminate, c.value(), d);
}

void Runtime::node_terminate(ClusterId c, std::uint32_t d) {
  ClusterState& rt = clusters_[c];
  const NodeDrain& dr = rt.drains[d];
  NodeRecord& node = rt.nodes[dr.node];
  if (!node.present || node.drain != d) return;  // gone already, or its update failed
  if (dr.update != kUnset && !dr.scale_down) ++rt.updates[dr.update].result.nodes_replaced;
  // The upgrade keeps the group's size (the group launches a new node in its place); the
  // scale-down lowers it.
  // The group reports the termination among the platform's changes; the engine hands it back
  // to on_instance_change, which ends the drain.
  platform_.terminate(sim_, node.instance, dr.scale_down);
}

// Drain `d`'s node is gone (terminated by its update, or failed on its own).
void Runtime::drain_ended(ClusterId c, std::uint32_t d) {
  ClusterState& rt = clusters_[c];
  NodeDrain& dr = rt.drains[d];
  const bool was_active = dr.active;
  dr.active = false;
  if (dr.operation != kUnset) {
    if (was_active) node_done(rt.drain_operations[dr.operation], sim_.now());
    return;
  }
  if (dr.update == kUnset) return;  // the Cluster Autoscaler's
  NodeGroupUpdate& update = rt.updates[dr.update];
  if (update.phase == NodeGroupUpdate::Phase::kEnded) return;
  --update.draining;
  update_progress(c, dr.update);
}

// --- managed node group updates --------------------------------------------------------------------

void Runtime::start_update(ClusterId c, std::size_t op) {
  ClusterState& rt = clusters_[c];
  const Operation& o = rt.config->operations[op];
  const auto g = static_cast<std::uint32_t>(o.node_group);
  const NodeGroupConfig& ng = rt.config->config.node_groups[g];
  const auto u = static_cast<std::uint32_t>(rt.updates.size());
  NodeGroupUpdate& update = rt.updates.emplace_back();
  update.group = g;
  update.result.cluster = rt.config->name;
  update.result.node_group = ng.name;
  update.result.at = sim_.now();
  update.result.force = o.force;
  if (rt.updating[g] != kUnset) {
    // EKS refuses an update while one is in progress (ResourceInUseException).
    update.phase = NodeGroupUpdate::Phase::kEnded;
    update.result.status = "Failed";
    update.result.error = "ResourceInUseException";
    update.result.finished = sim_.now();
    return;
  }
  rt.updating[g] = u;
  rt.version_starts[g].push_back(sim_.now());
  update.version = static_cast<std::uint32_t>(rt.version_starts[g].size());
  const GroupId pg = rt.config->groups[g];
  const std::int64_t nodes = platform_.desired(pg);
  update.max_unavailable = static_cast<std::uint32_t>(std::clamp<std::int64_t>(
      scaled_value(ng.max_unavailable, nodes, false), 1, kMaxParallelUpdates));
  const auto zones =
      static_cast<std::uint32_t>(platform_config_.groups[pg.value()].azs.size());
  update.increment = std::max(2 * zones, update.max_unavailable);
  update.original_max = platform_.max(pg);
  // Scale up: the group's max and desired sizes rise by the increment.
  platform_.set_max(pg, update.original_max + update.increment);
  platform_.scale_out(sim_, pg, platform_.desired(pg) + update.increment);
  update_progress(c, u);
}

// Moves update `u` on as far as it can now: after the scale-up, once every zone with an old
// node has a Ready new one and every new instance is a Ready node, the old nodes are cordoned;
// the upgrade drains them maxUnavailable at a time, chosen at random; the scale-down then
// drains and removes as many nodes as the scale-up added, from the zone with the most nodes.
void Runtime::update_progress(ClusterId c, std::uint32_t u) {
  ClusterState& rt = clusters_[c];
  NodeGroupUpdate& update = rt.updates[u];
  const GroupId pg = rt.config->groups[update.group];
  auto group_nodes = [&](auto keep) {
    std::vector<NodeId> out;
    for (const NodeId n : rt.nodes.ids())
      if (rt.nodes[n].present && rt.nodes[n].group == update.group && keep(rt.nodes[n]))
        out.push_back(n);
    return out;
  };
  const auto old_node = [&](const NodeRecord& n) { return n.version < update.version; };
  if (update.phase == NodeGroupUpdate::Phase::kScaleUp) {
    const SimTime started = update.result.at;
    std::size_t new_instances = 0;
    for (const InstanceId i : platform_.live_instances(pg))
      new_instances += platform_.launched_at(i) >= started ? 1U : 0U;
    std::uint64_t old_zones = 0, new_zones = 0;
    std::size_t new_ready = 0;
    for (const NodeId n : group_nodes([](const NodeRecord&) { return true; })) {
      const NodeRecord& node = rt.nodes[n];
      const std::uint64_t zone = std::uint64_t{1} << node.az.value();
      if (old_node(node)) {
        old_zones |= zone;
      } else if (node.ready) {
        new_zones |= zone;
        ++new_ready;
      }
    }
    if (new_instances == 0 || new_ready < new_instances || (old_zones & ~new_zones) != 0) return;
    for (const NodeId n : group_nodes(old_node)) cordon(c, n);
    update.phase = NodeGroupUpdate::Phase::kUpgrade;
  }
  if (update.phase == NodeGroupUpdate::Phase::kUpgrade) {
    std::vector<NodeId> todo =
        group_nodes([&](const NodeRecord& n) { return old_node(n) && n.drain == kUnset; });
    while (update.draining < update.max_unavailable && !todo.empty()) {
      const std::size_t k = static_cast<std::size_t>(rt.update_rng.uniform_int(todo.size()));
      const NodeId n = todo[k];
      todo.erase(todo.begin() + static_cast<std::ptrdiff_t>(k));
      ++update.draining;
      start_drain(c, n, u, kUnset, false);
      if (update.phase == NodeGroupUpdate::Phase::kEnded) return;  // failed at once
    }
    if (!todo.empty() || update.draining > 0) return;
    if (!group_nodes(old_node).empty()) return;  // drained, waiting to be terminated
    update.phase = NodeGroupUpdate::Phase::kScaleDown;
    update.scale_down_left = update.increment;
  }
  if (update.phase == NodeGroupUpdate::Phase::kScaleDown) {
    while (update.draining == 0 && update.scale_down_left > 0) {
      const std::vector<NodeId> candidates =
          group_nodes([](const NodeRecord& n) { return n.drain == kUnset; });
      if (candidates.empty()) {
        update.scale_down_left = 0;
        break;
      }
      std::vector<std::uint32_t> per_zone(platform_.az_count(), 0);
      for (const NodeId n : candidates) ++per_zone[rt.nodes[n].az.value()];
      const auto fullest = static_cast<std::uint32_t>(
          std::max_element(per_zone.begin(), per_zone.end()) - per_zone.begin());
      std::vector<NodeId> in_zone;
      for (const NodeId n : candidates)
        if (rt.nodes[n].az.value() == fullest) in_zone.push_back(n);
      --update.scale_down_left;
      ++update.draining;
      start_drain(c, in_zone[rt.update_rng.uniform_int(in_zone.size())], u, kUnset, true);
      if (update.phase == NodeGroupUpdate::Phase::kEnded) return;
    }
    if (update.draining > 0 || update.scale_down_left > 0) return;
    platform_.set_max(pg, update.original_max);
    update.phase = NodeGroupUpdate::Phase::kEnded;
    update.result.status = "Successful";
    update.result.finished = sim_.now();
    rt.updating[update.group] = kUnset;
  }
}

// PodEvictionFailure: the update stops where it is; its nodes stay cordoned and the group keeps
// its raised size (EKS leaves a failed update for the user to retry, with force or a looser
// budget).
void Runtime::update_failed(ClusterId c, std::uint32_t u) {
  ClusterState& rt = clusters_[c];
  NodeGroupUpdate& update = rt.updates[u];
  update.phase = NodeGroupUpdate::Phase::kEnded;
  update.result.status = "Failed";
  update.result.error = "PodEvictionFailure";
  update.result.finished = sim_.now();
  update.draining = 0;
  rt.updating[update.group] = kUnset;
  for (NodeDrain& dr : rt.drains) {
    if (dr.update != u || rt.nodes[dr.node].drain == kUnset) continue;
    dr.active = false;
    rt.nodes[dr.node].drain = kUnset;
  }
}

// --- results -----------------------------------------------------------------------------------------

void Runtime::operation_results(Results& r) {
  for (ClusterState& rt : clusters_) {
    for (DrainOperation& op : rt.drain_operations) {
      op.result.pods_left = 0;
      for (const NodeId n : op.nodes) {
        if (!rt.nodes[n].present) continue;
        for (const TaskId t : rt.scheduler.pods_on(rt.nodes[n].node))
          op.result.pods_left +=
              rt.workloads[pods_[t].workload].kind != WorkloadState::Kind::kDaemonSet ? 1U : 0U;
      }
      r.drains.push_back(op.result);
    }
    for (const NodeGroupUpdate& update : rt.updates) r.node_group_updates.push_back(update.result);
  }
}

}  // namespace ecsim::eks
