// Karpenter (kubernetes-sigs/karpenter with the AWS provider) in the EKS clusters: pods the
// scheduler could not place are batched (1 s idle, 10 s at most), packed onto new NodeClaims of
// the NodePools' cheapest offerings and launched; every 10 s its disruption loop deletes empty
// nodes and consolidates underutilized ones (deleting a node whose pods fit elsewhere, or
// replacing it by a cheaper one) within the pools' disruption budgets; nodes past expireAfter
// and Spot nodes given an interruption notice are drained. models/karpenter/README.md cites each
// rule.

#include "ecsim/karpenter/runtime.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <numeric>

#include "ecsim/platform/catalog.hpp"
#include "ecsim/sim/assert.hpp"

namespace ecsim::karpenter {

using eks::ClusterState;
using eks::ConsolidationPolicy;
using eks::NodeIndex;
using eks::NodePool;
using eks::NodePoolBudget;
using eks::NodeRecord;
using eks::NodeSpec;
using eks::NodeTable;
using eks::PodClassId;
using eks::PodRecord;
using eks::kReasonEmpty;
using eks::kReasonUnderutilized;
using eks::Resources;
using eks::SelectorOperator;
using eks::SelectorRequirement;
using eks::WorkloadState;
using eks::kNoNode;
using eks::kUnset;

// One cluster's Karpenter.
struct Runtime::Cluster {
  Cluster(ClusterId c, const RandomStream& r) : id(c), templates(r) {}
  ClusterId id;
  /// One NodePool: what it may launch, and what it holds.
  struct Pool {
    std::uint32_t index = 0;  ///< into the manifests' node_pools
    Offerings offerings;
    std::vector<NodeIndex> template_node;  ///< per offering: its node in `templates`
    std::vector<SimTime> unavailable;      ///< per offering: refused (no capacity) until
    std::vector<std::uint32_t> zone_nodes;  ///< its nodes and claims per zone
    std::int64_t cpu = 0, memory = 0, nodes = 0;  ///< capacity of its nodes and claims
  };
  std::vector<Pool> pools;
  std::vector<std::uint32_t> order;  ///< pools by weight, highest first (ties: name)
  eks::Scheduler templates;          ///< one template node per offering of every pool
  eks::TemplateClasses template_class;  ///< per workload: its pod class in `templates`
  /// Per template class: for each pool (in `order`), its offerings whose nodes admit the
  /// class's pods.
  std::map<PodClassId, std::vector<OfferingSet>> compatible;
  std::vector<std::uint32_t> position;  ///< per pool: its place in `order`
  /// A NodeClaim launched and not registered yet: its pool, offering, room left, and the node
  /// a consolidation replaces with it.
  struct Claim {
    std::uint32_t pool = 0, offering = 0;
    SimTime launched = kSimStart;
    std::int64_t cpu = 0, memory = 0, pods = 0;  ///< room left for nominated pods
    NodeId replaces;
  };
  std::map<InstanceId, Claim> claims;
  std::map<TaskId, InstanceId> nominated;  ///< pods a claim in flight will take
  IdVector<NodeId, std::uint32_t> offering;  ///< per node record of a pool: its offering
  SimTime batch_start = kNever, last_pod = kNever;
  bool batch_scheduled = false;
  Provisioner provisioner;
  std::size_t cursor = 0;  ///< where the next first-fit search of a consolidation starts
  std::uint64_t nodeclaims = 0, launch_failures = 0;
  std::uint64_t empty = 0, underutilized = 0, replaced = 0, expired = 0, interrupted = 0;
};

namespace {

// BATCH_IDLE_DURATION and BATCH_MAX_DURATION, Karpenter's defaults.
constexpr SimDuration kBatchIdle = std::chrono::seconds(1);
constexpr SimDuration kBatchMax = std::chrono::seconds(10);
// The disruption controller's polling period.
constexpr SimDuration kDisruptionPeriod = std::chrono::seconds(10);
// How long the AWS provider keeps an offering that reported insufficient capacity unavailable.
constexpr SimDuration kUnavailableOffering = std::chrono::minutes(3);
// Underutilized nodes whose consolidation one pass of the loop simulates at most.
constexpr std::size_t kConsolidationCandidates = 20;

bool integer_of(const std::string& s, std::int64_t& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size();
}

// Whether a node labelled `labels` meets `r`, as a node selector requirement.
bool holds(const SelectorRequirement& r, const eks::Labels& labels) {
  const auto it = labels.find(r.key);
  const bool has = it != labels.end();
  const auto in = [&] {
    return has && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
  };
  std::int64_t have = 0, want = 0;
  switch (r.op) {
    case SelectorOperator::kIn: return in();
    case SelectorOperator::kNotIn: return !in();
    case SelectorOperator::kExists: return has;
    case SelectorOperator::kDoesNotExist: return !has;
    case SelectorOperator::kGt:
    case SelectorOperator::kLt:
      if (!has || r.values.size() != 1 || !integer_of(it->second, have) ||
          !integer_of(r.values.front(), want))
        return false;
      return r.op == SelectorOperator::kGt ? have > want : have < want;
  }
  return false;
}

bool mentions(const NodePool& pool, std::string_view key) {
  return std::any_of(pool.requirements.begin(), pool.requirements.end(),
                     [&](const SelectorRequirement& r) { return r.key == key; });
}

using Cluster = Runtime::Cluster;

// The pod class of workload `w` in Karpenter's template scheduler.
PodClassId template_class(Cluster& k, ServiceId w, const WorkloadState& wl) {
  return eks::template_class(k.templates, k.template_class, w, wl);
}

// For template class `cls`: per pool (in `order`), the offerings whose nodes admit its pods.
const std::vector<OfferingSet>& compatible(Cluster& k, PodClassId cls) {
  const auto it = k.compatible.find(cls);
  if (it != k.compatible.end()) return it->second;
  std::vector<OfferingSet> rows;
  for (const std::uint32_t q : k.order) {
    const Cluster::Pool& pool = k.pools[q];
    OfferingSet row((pool.offerings.size() + 63) / 64, 0);
    for (std::uint32_t j = 0; j < pool.offerings.size(); ++j)
      if (k.templates.node_admits(cls, pool.template_node[j])) row[j / 64] |= std::uint64_t{1} << (j % 64);
    rows.push_back(std::move(row));
  }
  return k.compatible.emplace(cls, std::move(rows)).first->second;
}

bool has_bit(const OfferingSet& s, std::uint32_t j) { return ((s[j / 64] >> (j % 64)) & 1u) != 0; }

}  // namespace

Runtime::Runtime(Context context) : ctx_(context) { ctx_.eks.set_provisioner(this); }
Runtime::~Runtime() = default;

void Runtime::start(const RandomStreams& streams) {
  for (const ClusterId c : ctx_.eks.cluster_ids()) {
    if (clusters_.size() <= c.value()) clusters_.resize(c.value() + 1);
    const ClusterState& rt = ctx_.eks.cluster(c);
    if (rt.config->manifests.node_pools.empty()) continue;
    clusters_[c.value()] = std::make_unique<Cluster>(
        c, streams.stream(fmt::format("eks/{}/karpenter", rt.config->name)));
    start_cluster(*clusters_[c.value()]);
  }
}

void Runtime::start_cluster(Cluster& k) {
  const ClusterId c = k.id;
  const ClusterState& rt = ctx_.eks.cluster(c);
  const std::vector<NodePool>& pools = rt.config->manifests.node_pools;
  const platform::InstanceCatalog& catalog = platform::InstanceCatalog::builtin();
  const double spot_factor = 1.0 - ctx_.platform_config.prices.ec2_spot_discount;
  for (std::uint32_t p = 0; p < pools.size(); ++p) {
    const NodePool& np = pools[p];
    Cluster::Pool& pool = k.pools.emplace_back();
    pool.index = p;
    // Unconstrained, a pool launches On-Demand amd64 nodes (ecsim's reading; see the README).
    const bool any_capacity = mentions(np, "karpenter.sh/capacity-type");
    const bool any_arch = mentions(np, "kubernetes.io/arch");
    struct Candidate {
      double price;
      platform::InstanceTypeIndex type;
      AzId zone;
      bool spot;
    };
    std::vector<Candidate> candidates;
    const platform::AsgConfig& group = ctx_.platform_config.groups[rt.config->pool_groups[p].value()];
    for (platform::InstanceTypeIndex t = 0; t < catalog.size(); ++t) {
      const platform::InstanceType& type = catalog.at(t);
      if (type.eks_allocatable_cpu_m == 0 || type.eks_allocatable_pods == 0) continue;
      if (!any_arch && type.arch != platform::Arch::kAmd64) continue;
      for (const bool spot : {false, true}) {
        if (!any_capacity && spot) continue;
        for (const AzId z : group.azs) {
          const NodeSpec spec = ctx_.eks.pool_node_spec(c, p, type, z, spot, "template");
          if (!std::all_of(np.requirements.begin(), np.requirements.end(),
                           [&](const SelectorRequirement& r) { return holds(r, spec.labels); }))
            continue;
          candidates.push_back({type.price_usd_per_hour * (spot ? spot_factor : 1.0), t, z, spot});
        }
      }
    }
    std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
      if (a.price != b.price) return a.price < b.price;
      if (a.type != b.type) return a.type < b.type;
      return a.zone < b.zone;
    });
    Offerings& o = pool.offerings;
    for (const Candidate& cand : candidates) {
      const platform::InstanceType& type = catalog.at(cand.type);
      NodeSpec spec = ctx_.eks.pool_node_spec(c, p, type, cand.zone, cand.spot,
                                     fmt::format("template-{}-{}", np.meta.name, o.size()));
      pool.template_node.push_back(k.templates.add_node(spec));
      o.type.push_back(cand.type);
      o.zone.push_back(cand.zone);
      o.spot.push_back(cand.spot ? 1 : 0);
      o.cpu.push_back(spec.cpu_millis);
      o.memory.push_back(spec.memory_bytes);
      o.pods.push_back(spec.pods);
      o.capacity_cpu.push_back(std::int64_t{type.vcpu} * 1000);
      o.capacity_memory.push_back(std::int64_t{type.memory_mib} * 1024 * 1024);
      o.price.push_back(cand.price);
    }
    pool.unavailable.assign(o.size(), kSimStart);
    pool.zone_nodes.assign(ctx_.platform_config.azs.size(), 0);
  }
  // DaemonSet overhead: what each offering's node runs before any pod of the batch.
  for (Cluster::Pool& pool : k.pools) {
    for (const ServiceId w : rt.workloads.ids()) {
      const WorkloadState& wl = rt.workloads[w];
      if (wl.kind != WorkloadState::Kind::kDaemonSet) continue;
      const PodClassId cls = template_class(k, w, wl);
      for (std::uint32_t j = 0; j < pool.offerings.size(); ++j) {
        if (!k.templates.node_admits(cls, pool.template_node[j])) continue;
        pool.offerings.cpu[j] -= wl.requests.cpu_millis;
        pool.offerings.memory[j] -= wl.requests.memory_bytes;
        --pool.offerings.pods[j];
      }
    }
  }
  k.order.resize(pools.size());
  std::iota(k.order.begin(), k.order.end(), 0u);
  std::stable_sort(k.order.begin(), k.order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (pools[a].weight != pools[b].weight) return pools[a].weight > pools[b].weight;
    return pools[a].meta.name < pools[b].meta.name;
  });
  k.position.assign(pools.size(), 0);
  for (std::uint32_t i = 0; i < k.order.size(); ++i) k.position[k.order[i]] = i;
  if (kSimStart + kDisruptionPeriod <= ctx_.horizon)
    ctx_.sim.schedule_at(kSimStart + kDisruptionPeriod, kDisruption, c.value());
}

void Runtime::handle(const Event& e) {
  const ClusterId c{static_cast<ClusterId::rep_type>(e.target)};
  Cluster& k = *clusters_[c.value()];
  switch (e.kind) {
    case kBatch: batch(k); return;
    case kDisruption: disrupt(k); return;
    case kExpire: {
      const NodeId n{static_cast<NodeId::rep_type>(e.payload)};
      const NodeRecord& node = ctx_.eks.cluster(c).nodes[n];
      if (node.present && !node.autoscaler_deleting && node.drain == kUnset)
        terminate(k, n, "Expired: the node is older than its NodePool's expireAfter");
      return;
    }
    default: ECSIM_ASSERT(false, "an event of Karpenter's range");
  }
}

// A pod failed its first scheduling cycle: Karpenter's batch opens (or stays open).
void Runtime::pod_unschedulable(ClusterId c) { open_batch(*clusters_[c.value()]); }

// A pod to provision for came (or a launch failed): the batch opens, or stays open a little
// longer.
void Runtime::open_batch(Cluster& k) {
  if (k.batch_start == kNever) k.batch_start = ctx_.sim.now();
  k.last_pod = ctx_.sim.now();
  if (!k.batch_scheduled) {
    k.batch_scheduled = true;
    ctx_.sim.schedule_in(kBatchIdle, kBatch, k.id.value());
  }
}

// The batch closes once no pod came for the idle duration, or at its maximum duration.
void Runtime::batch(Cluster& k) {
  k.batch_scheduled = false;
  if (k.batch_start == kNever) return;
  const SimTime due = std::min(k.last_pod + kBatchIdle, k.batch_start + kBatchMax);
  if (ctx_.sim.now() < due) {
    k.batch_scheduled = true;
    ctx_.sim.schedule_at(due, kBatch, k.id.value());
    return;
  }
  k.batch_start = kNever;
  provision(k);
}

void Runtime::provision(Cluster& k) {
  const ClusterId c = k.id;
  const ClusterState& rt = ctx_.eks.cluster(c);
  if (!rt.control_plane.quorum()) return;  // the disruption loop retries
  const SimTime now = ctx_.sim.now();
  // The pods still waiting that no claim in flight will take.
  std::vector<TaskId> waiting;
  dropped_.clear();
  for (const TaskId p : ctx_.eks.failed_scheduling(c, &dropped_))
    if (!k.nominated.contains(p)) waiting.push_back(p);
  for (const TaskId p : dropped_) k.nominated.erase(p);
  if (waiting.empty()) return;
  // Claims in flight take what fits in the room they have left.
  std::vector<ProvisionPod> batch;
  std::vector<PodClassId> classes;
  for (const TaskId p : waiting) {
    const PodRecord& pod = ctx_.eks.pod(p);
    const WorkloadState& wl = rt.workloads[pod.workload];
    const Resources& r = wl.requests_of(pod.revision);
    const PodClassId cls = template_class(k, pod.workload, wl);
    const std::vector<OfferingSet>& rows = compatible(k, cls);
    bool taken = false;
    for (auto& [instance, claim] : k.claims) {
      if (claim.cpu < r.cpu_millis || claim.memory < r.memory_bytes || claim.pods < 1 ||
          !has_bit(rows[k.position[claim.pool]], claim.offering))
        continue;
      claim.cpu -= r.cpu_millis;
      claim.memory -= r.memory_bytes;
      --claim.pods;
      k.nominated[p] = instance;
      taken = true;
      break;
    }
    if (taken) continue;
    batch.push_back({r.cpu_millis, r.memory_bytes, rows.data(), static_cast<std::uint32_t>(classes.size())});
    classes.push_back(cls);
  }
  std::vector<TaskId> batch_pods;
  for (const TaskId p : waiting)
    if (!k.nominated.contains(p)) batch_pods.push_back(p);
  if (batch.empty()) return;
  // The pools in weight order, with what their limits leave and the offerings they may use now.
  std::vector<ProvisionPool> pools;
  std::vector<OfferingSet> available;
  for (const std::uint32_t q : k.order) {
    const Cluster::Pool& pool = k.pools[q];
    const NodePool& np = rt.config->manifests.node_pools[q];
    ProvisionPool pp;
    pp.offerings = &pool.offerings;
    if (np.limit_cpu_millis) pp.cpu_left = *np.limit_cpu_millis - pool.cpu;
    if (np.limit_memory_bytes) pp.memory_left = *np.limit_memory_bytes - pool.memory;
    if (np.limit_nodes) pp.nodes_left = *np.limit_nodes - pool.nodes;
    pp.zone_nodes = pool.zone_nodes;
    OfferingSet a((pool.offerings.size() + 63) / 64, 0);
    for (std::uint32_t j = 0; j < pool.offerings.size(); ++j)
      if (pool.unavailable[j] <= now && ctx_.platform.az_state(pool.offerings.zone[j]) != platform::AzState::kDown)
        a[j / 64] |= std::uint64_t{1} << (j % 64);
    available.push_back(std::move(a));
    pools.push_back(std::move(pp));
  }
  for (std::size_t i = 0; i < pools.size(); ++i) pools[i].available = &available[i];
  std::vector<ProvisionClaim> claims;
  std::vector<std::uint32_t> unplaced;
  k.provisioner.solve(batch, pools, claims, unplaced);
  bool refused = false;
  for (const ProvisionClaim& claim : claims) {
    const std::uint32_t q = k.order[claim.pool];
    Cluster::Pool& pool = k.pools[q];
    const Offerings& o = pool.offerings;
    const std::uint32_t j = claim.offering;
    const std::optional<InstanceId> id = ctx_.platform.launch_instance(
        ctx_.sim, rt.config->pool_groups[q], o.type[j], o.zone[j], o.spot[j] != 0);
    if (!id) {
      // InsufficientInstanceCapacity: the offering is skipped for a while, the pods wait for
      // the next batch.
      ++k.launch_failures;
      pool.unavailable[j] = now + kUnavailableOffering;
      refused = true;
      continue;
    }
    Cluster::Claim record{q, j, now, o.cpu[j], o.memory[j], o.pods[j], NodeId::invalid()};
    for (const std::uint32_t member : claim.pods) {
      const TaskId p = batch_pods[member];
      const Resources& r = rt.workloads[ctx_.eks.pod(p).workload].requests_of(ctx_.eks.pod(p).revision);
      record.cpu -= r.cpu_millis;
      record.memory -= r.memory_bytes;
      --record.pods;
      k.nominated[p] = *id;
    }
    k.claims.emplace(*id, record);
    const std::int64_t from = pool.nodes;
    ++pool.zone_nodes[o.zone[j].value()];
    pool.cpu += o.capacity_cpu[j];
    pool.memory += o.capacity_memory[j];
    ++pool.nodes;
    ++k.nodeclaims;
    const platform::InstanceType& type = platform::InstanceCatalog::builtin().at(o.type[j]);
    ctx_.eks.record_scaling(
        {now, rt.config->name, "Karpenter",
         fmt::format("NodePool {}", rt.config->manifests.node_pools[q].meta.name), from, pool.nodes,
         fmt::format("Launched NodeClaim for {} pod(s): {} {} in {} (${:.4f}/h)", claim.pods.size(),
                     type.name, o.spot[j] ? "spot" : "on-demand",
                     ctx_.platform_config.azs[o.zone[j].value()], o.price[j])});
  }
  if (refused) open_batch(k);
}

// A node of a NodePool registered: its claim is fulfilled (a consolidation's replacement lets
// the node it replaces go), and its lifetime starts.
void Runtime::node_registered(ClusterId c, NodeId n) {
  Cluster& k = *clusters_[c.value()];
  const ClusterState& rt = ctx_.eks.cluster(c);
  const NodeRecord& node = rt.nodes[n];
  const std::uint32_t q = node.group - static_cast<std::uint32_t>(rt.config->groups.size());
  const auto claim = k.claims.find(node.instance);
  ECSIM_ASSERT(claim != k.claims.end(), "a NodePool's instance comes from a NodeClaim");
  if (k.offering.size() <= n.value()) k.offering.resize(n.value() + 1, kUnset);
  k.offering[n] = claim->second.offering;
  const NodeId replaces = claim->second.replaces;
  k.claims.erase(claim);
  std::erase_if(k.nominated, [&](const auto& entry) { return entry.second == node.instance; });
  if (const std::optional<SimDuration>& expire = rt.config->manifests.node_pools[q].expire_after;
      expire && ctx_.platform.launched_at(node.instance) + *expire <= ctx_.horizon)
    ctx_.sim.schedule_at(ctx_.platform.launched_at(node.instance) + *expire, kExpire, c.value(), n.value());
  if (replaces.valid() && rt.nodes[replaces].present && rt.nodes[replaces].drain == kUnset)
    terminate(k, replaces, "Underutilized: replaced by a cheaper node");
}

// A node of a pool is gone: its pool holds it no more.
void Runtime::node_removed(ClusterId c, NodeId n) {
  Cluster& k = *clusters_[c.value()];
  const ClusterState& rt = ctx_.eks.cluster(c);
  const NodeRecord& node = rt.nodes[n];
  Cluster::Pool& pool = k.pools[node.group - rt.config->groups.size()];
  --pool.zone_nodes[node.az.value()];
  pool.cpu -= pool.offerings.capacity_cpu[k.offering[n]];
  pool.memory -= pool.offerings.capacity_memory[k.offering[n]];
  --pool.nodes;
}

void Runtime::interruption_notice(ClusterId c, NodeId n) {
  // Karpenter's interruption handling: the node is cordoned and drained at once, its pods
  // provisioned for elsewhere (Spot's two-minute notice).
  terminate(*clusters_[c.value()], n, "Interrupted: Spot interruption notice");
}

// A claim's instance went before it registered (its zone failed while it booted).
void Runtime::instance_gone(ClusterId c, InstanceId instance) {
  Cluster& k = *clusters_[c.value()];
  const auto claim = k.claims.find(instance);
  if (claim == k.claims.end()) return;
  Cluster::Pool& pool = k.pools[claim->second.pool];
  const std::uint32_t j = claim->second.offering;
  --pool.zone_nodes[pool.offerings.zone[j].value()];
  pool.cpu -= pool.offerings.capacity_cpu[j];
  pool.memory -= pool.offerings.capacity_memory[j];
  --pool.nodes;
  pool.unavailable[j] = ctx_.sim.now() + kUnavailableOffering;
  k.claims.erase(claim);
  std::erase_if(k.nominated, [&](const auto& entry) { return entry.second == instance; });
  open_batch(k);
}

// Karpenter deletes node `n`: cordoned, its pods evicted through the eviction API (as its
// termination controller drains), then its instance terminated.
void Runtime::terminate(Cluster& k, NodeId n, std::string_view reason) {
  const ClusterId c = k.id;
  const ClusterState& rt = ctx_.eks.cluster(c);
  const NodeRecord& node = rt.nodes[n];
  const std::uint32_t q = node.group - static_cast<std::uint32_t>(rt.config->groups.size());
  const std::int64_t nodes = k.pools[q].nodes;
  if (reason.starts_with("Empty")) ++k.empty;
  else if (reason.starts_with("Underutilized: replaced")) ++k.replaced;
  else if (reason.starts_with("Underutilized")) ++k.underutilized;
  else if (reason.starts_with("Expired")) ++k.expired;
  else if (reason.starts_with("Interrupted")) ++k.interrupted;
  ctx_.eks.record_scaling(
      {ctx_.sim.now(), rt.config->name, "Karpenter",
       fmt::format("NodePool {}", rt.config->manifests.node_pools[q].meta.name), nodes, nodes - 1,
       fmt::format("{} (node \"{}\")", reason, rt.scheduler.nodes().name(node.node))});
  ctx_.eks.drain_for_termination(c, n);
}

void Runtime::disrupt(Cluster& k) {
  const ClusterId c = k.id;
  eks::Runtime& eks = ctx_.eks;
  const ClusterState& rt = eks.cluster(c);
  const SimTime now = ctx_.sim.now();
  if (now + kDisruptionPeriod <= ctx_.horizon) ctx_.sim.schedule_in(kDisruptionPeriod, kDisruption, c.value());
  if (!rt.control_plane.quorum()) return;
  // Pods still waiting with no claim for them (a batch lost to a refused launch or to the
  // control plane): provision again.
  if (!k.batch_scheduled && k.batch_start == kNever &&
      std::any_of(rt.failed_scheduling.begin(), rt.failed_scheduling.end(),
                  [&](TaskId p) { return !k.nominated.contains(p); }))
    provision(k);
  const std::vector<NodePool>& specs = rt.config->manifests.node_pools;
  const auto groups = static_cast<std::uint32_t>(rt.config->groups.size());
  // Per pool: its nodes and those being disrupted (deleting, or replaced by a claim in flight).
  std::vector<std::int64_t> total(k.pools.size(), 0), disrupting(k.pools.size(), 0);
  std::vector<std::uint8_t> replacing(rt.nodes.size(), 0);
  for (const auto& [instance, claim] : k.claims)
    if (claim.replaces.valid()) {
      replacing[claim.replaces.value()] = 1;
      ++disrupting[claim.pool];
    }
  for (const NodeRecord& node : rt.nodes) {
    if (!node.present || !eks.pooled(rt, node)) continue;
    ++total[node.group - groups];
    if (node.drain != kUnset || node.autoscaler_deleting) ++disrupting[node.group - groups];
  }
  // The disruptions a pool's budgets allow now for `reason`: the smallest of its active budgets
  // that name the reason (percentages of its nodes rounded up), less those in progress.
  const auto allowed = [&](std::uint32_t q, std::uint8_t reason) {
    std::int64_t most = std::numeric_limits<std::int64_t>::max();
    for (const NodePoolBudget& b : specs[q].budgets) {
      if ((b.reasons & reason) == 0) continue;
      if (b.schedule) {
        const SimTime from = now - b.duration < kSimStart ? kSimStart : now - b.duration;
        const SimTime hit = workload::next_cron_time(*b.schedule, from - SimDuration{1});
        if (hit > now) continue;
      }
      const std::int64_t n = b.nodes.percent ? (b.nodes.value * total[q] + 99) / 100 : b.nodes.value;
      most = std::min(most, n);
    }
    return std::max<std::int64_t>(0, most - disrupting[q]);
  };
  // Candidates: its nodes that are initialised, schedulable, not being disrupted, and that
  // have seen no pod arrive or leave for consolidateAfter.
  std::vector<NodeId> empty, underutilized;
  for (const NodeId n : rt.nodes.ids()) {
    const NodeRecord& node = rt.nodes[n];
    if (!node.present || !eks.pooled(rt, node) || !node.reachable || !node.ready ||
        node.cordoned || node.drain != kUnset || node.autoscaler_deleting || replacing[n.value()])
      continue;
    const NodePool& np = specs[node.group - groups];
    if (!np.consolidate_after || now - node.pod_changed < *np.consolidate_after) continue;
    if (node.busy_pods == 0) empty.push_back(n);
    else if (np.policy == ConsolidationPolicy::kWhenEmptyOrUnderutilized) underutilized.push_back(n);
  }
  // Empty nodes go first, as many as the budgets allow; a pass that deletes some does nothing
  // else.
  std::vector<std::int64_t> left(k.pools.size(), -1);
  bool acted = false;
  for (const NodeId n : empty) {
    const std::uint32_t q = rt.nodes[n].group - groups;
    if (left[q] < 0) left[q] = allowed(q, kReasonEmpty);
    if (left[q] == 0) continue;
    --left[q];
    ++disrupting[q];
    terminate(k, n, "Empty: the node has no pods but DaemonSets'");
    acted = true;
  }
  if (acted || underutilized.empty()) return;
  // Single-node consolidation: the node cheapest to disrupt first (fewest pods, then oldest),
  // deleted when its pods fit on the other nodes, else replaced by a cheaper node that holds
  // them; one node per pass.
  std::stable_sort(underutilized.begin(), underutilized.end(), [&](NodeId a, NodeId b) {
    const NodeRecord& x = rt.nodes[a];
    const NodeRecord& y = rt.nodes[b];
    if (x.busy_pods != y.busy_pods) return x.busy_pods < y.busy_pods;
    return x.instance < y.instance;
  });
  const NodeTable& table = rt.scheduler.nodes();
  std::vector<std::int64_t> room_cpu(table.size(), 0), room_memory(table.size(), 0), room_pods(table.size(), 0);
  std::vector<NodeIndex> open;
  for (const NodeId n : rt.nodes.ids()) {
    const NodeRecord& node = rt.nodes[n];
    if (!node.present || !node.reachable || node.autoscaler_deleting || node.drain != kUnset ||
        !table.ready(node.node) || table.unschedulable(node.node) || replacing[n.value()])
      continue;
    open.push_back(node.node);
    room_cpu[node.node] = table.allocatable_cpu(node.node) - table.requested_cpu(node.node);
    room_memory[node.node] = table.allocatable_memory(node.node) - table.requested_memory(node.node);
    room_pods[node.node] = table.allocatable_pods(node.node) - table.pods(node.node);
  }
  std::size_t tried = 0;
  for (const NodeId n : underutilized) {
    if (tried++ >= kConsolidationCandidates) break;
    const NodeRecord& node = rt.nodes[n];
    const std::uint32_t q = node.group - groups;
    if (allowed(q, kReasonUnderutilized) == 0) continue;
    std::vector<TaskId> movers;
    bool movable = true;
    for (const TaskId p : rt.scheduler.pods_on(node.node)) {
      const WorkloadState& wl = rt.workloads[ctx_.eks.pod(p).workload];
      if (wl.kind == WorkloadState::Kind::kDaemonSet) continue;
      // A pod no controller replaces, or one that may not be disrupted, keeps its node.
      if (wl.kind == WorkloadState::Kind::kPod || wl.pod->not_safe_to_evict || !eks.eviction_allowed(c, p))
        movable = false;
      movers.push_back(p);
    }
    if (!movable) continue;
    // Deletion: every pod onto another node with room that admits it (first fit).
    std::vector<std::pair<NodeIndex, const Resources*>> taken;
    bool fits = true;
    for (const TaskId p : movers) {
      const Resources& r = rt.workloads[eks.pod_brief(p).workload].requests_of(eks.pod_brief(p).revision);
      // First fit over the open nodes, from where the last search stopped.
      NodeIndex to = kNoNode;
      for (std::size_t probe = 0; probe < open.size(); ++probe) {
        const std::size_t i = (k.cursor + probe) % open.size();
        const NodeIndex m = open[i];
        if (m != node.node && room_cpu[m] >= r.cpu_millis && room_memory[m] >= r.memory_bytes &&
            room_pods[m] >= 1 && eks.node_admits(c, eks.pod_brief(p).cls, m)) {
          to = m;
          k.cursor = i;
          break;
        }
      }
      if (to == kNoNode) {
        fits = false;
        break;
      }
      room_cpu[to] -= r.cpu_millis;
      room_memory[to] -= r.memory_bytes;
      --room_pods[to];
      taken.emplace_back(to, &r);
    }
    if (fits) {
      terminate(k, n, "Underutilized: its pods fit on other nodes");
      return;
    }
    for (const auto& [to, r] : taken) {
      room_cpu[to] += r->cpu_millis;
      room_memory[to] += r->memory_bytes;
      ++room_pods[to];
    }
    // Replacement: a cheaper offering of its pool that holds all its pods. A Spot node is not
    // replaced by another Spot node (SpotToSpotConsolidation is off by default).
    Cluster::Pool& pool = k.pools[q];
    const Offerings& o = pool.offerings;
    if (k.offering[n] == kUnset) continue;
    OfferingSet options((o.size() + 63) / 64, 0);
    for (std::uint32_t j = 0; j < o.size(); ++j)
      if (pool.unavailable[j] <= now && ctx_.platform.az_state(o.zone[j]) != platform::AzState::kDown &&
          !(o.spot[k.offering[n]] != 0 && o.spot[j] != 0))
        options[j / 64] |= std::uint64_t{1} << (j % 64);
    std::int64_t cpu = 0, memory = 0;
    for (const TaskId p : movers) {
      const WorkloadState& wl = rt.workloads[ctx_.eks.pod(p).workload];
      const Resources& r = wl.requests_of(ctx_.eks.pod(p).revision);
      cpu += r.cpu_millis;
      memory += r.memory_bytes;
      const OfferingSet& row = compatible(k, template_class(k, ctx_.eks.pod(p).workload, wl))[k.position[q]];
      for (std::size_t w = 0; w < options.size(); ++w) options[w] &= row[w];
    }
    const std::optional<std::uint32_t> pick =
        Provisioner::cheapest(o, options, cpu, memory, static_cast<std::int64_t>(movers.size()),
                              o.price[k.offering[n]], pool.zone_nodes);
    if (!pick) continue;
    const std::optional<InstanceId> id =
        ctx_.platform.launch_instance(ctx_.sim, rt.config->pool_groups[q], o.type[*pick], o.zone[*pick], o.spot[*pick] != 0);
    if (!id) {
      ++k.launch_failures;
      pool.unavailable[*pick] = now + kUnavailableOffering;
      continue;
    }
    k.claims.emplace(*id, Cluster::Claim{q, *pick, now, 0, 0, 0, n});
    ++pool.zone_nodes[o.zone[*pick].value()];
    pool.cpu += o.capacity_cpu[*pick];
    pool.memory += o.capacity_memory[*pick];
    ++pool.nodes;
    ++k.nodeclaims;
    const platform::InstanceType& from = platform::InstanceCatalog::builtin().at(o.type[k.offering[n]]);
    const platform::InstanceType& to = platform::InstanceCatalog::builtin().at(o.type[*pick]);
    ctx_.eks.record_scaling(
        {now, rt.config->name, "Karpenter", fmt::format("NodePool {}", specs[q].meta.name),
         pool.nodes - 1, pool.nodes,
         fmt::format("Launched NodeClaim to replace underutilized node \"{}\": {} "
                     "(${:.4f}/h) for {} (${:.4f}/h)",
                     table.name(node.node), to.name, o.price[*pick], from.name,
                     o.price[k.offering[n]])});
    return;
  }
}

void Runtime::check_invariants() const {
  // Karpenter: each pool's counts of nodes and claims (per zone, and their capacity) against its
  // nodes and claims themselves, and its limits held by what provisioning launched (a
  // consolidation's replacement may stand beside the node it replaces for a while).
  for (const auto& kp : clusters_) {
    if (!kp) continue;
    const Cluster& k = *kp;
    const ClusterState& rt = ctx_.eks.cluster(k.id);
    const auto groups = static_cast<std::uint32_t>(rt.config->groups.size());
    std::vector<std::int64_t> nodes(k.pools.size(), 0), cpu(k.pools.size(), 0), replacing(k.pools.size(), 0);
    std::vector<std::vector<std::uint32_t>> zones(k.pools.size(), std::vector<std::uint32_t>(ctx_.platform_config.azs.size(), 0));
    const auto count = [&](std::uint32_t q, std::uint32_t offering) {
      ++nodes[q];
      cpu[q] += k.pools[q].offerings.capacity_cpu[offering];
      ++zones[q][k.pools[q].offerings.zone[offering].value()];
    };
    for (const NodeId n : rt.nodes.ids())
      if (rt.nodes[n].present && ctx_.eks.pooled(rt, rt.nodes[n]))
        count(rt.nodes[n].group - groups, k.offering[n]);
    for (const auto& [instance, claim] : k.claims) {
      count(claim.pool, claim.offering);
      if (claim.replaces.valid()) ++replacing[claim.pool];
    }
    for (std::uint32_t q = 0; q < k.pools.size(); ++q) {
      const Cluster::Pool& pool = k.pools[q];
      const NodePool& spec = rt.config->manifests.node_pools[q];
      if (nodes[q] != pool.nodes || cpu[q] != pool.cpu || zones[q] != pool.zone_nodes)
        check_failed(fmt::format("self-check failed: NodePool {} of cluster {} counts {} nodes and "
                                 "claims ({}m CPU) but holds {} ({}m)",
                                 spec.meta.name, rt.config->name, pool.nodes, pool.cpu, nodes[q], cpu[q]));
      if (spec.limit_nodes && nodes[q] - replacing[q] > *spec.limit_nodes)
        check_failed(fmt::format("self-check failed: NodePool {} of cluster {} holds {} nodes past "
                                 "its limit of {}",
                                 spec.meta.name, rt.config->name, nodes[q] - replacing[q], *spec.limit_nodes));
    }
  }
}

void Runtime::add_results(eks::Results& r, SimTime end) const {
  for (const auto& kp : clusters_) {
    if (!kp) continue;
    const Cluster& k = *kp;
    const ClusterState& rt = ctx_.eks.cluster(k.id);
    r.nodes[k.id.value()].karpenter = eks::NodesResult::Provisioned{
        k.nodeclaims, k.launch_failures, k.empty, k.underutilized, k.replaced, k.expired,
        k.interrupted, rt.provisioner_evictions, rt.pooled_nodes.mean(end),
        static_cast<std::int64_t>(rt.pooled_nodes.max()), rt.node_price.mean(end),
        rt.node_price.max()};
  }
}

}  // namespace ecsim::karpenter
