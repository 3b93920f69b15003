// Karpenter's provisioner; see provisioner.hpp.

#include "ecsim/karpenter/provisioner.hpp"

#include <algorithm>
#include <bit>
#include <limits>

namespace ecsim::karpenter {

namespace {

template <typename F>
void for_each_bit(const OfferingSet& a, const OfferingSet& b, F&& f) {
  for (std::size_t w = 0; w < a.size(); ++w) {
    std::uint64_t bits = a[w] & b[w];
    while (bits != 0) {
      const auto j = static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
      bits &= bits - 1;
      f(j);
    }
  }
}

}  // namespace

std::optional<std::uint32_t> Provisioner::cheapest(const Offerings& o, const OfferingSet& allowed,
                                                   std::int64_t cpu, std::int64_t memory,
                                                   std::int64_t pods, double below,
                                                   std::span<const std::uint32_t> zone_nodes) {
  std::optional<std::uint32_t> best;
  for (std::size_t w = 0; w < allowed.size(); ++w) {
    std::uint64_t bits = allowed[w];
    while (bits != 0) {
      const auto j = static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
      bits &= bits - 1;
      if (o.cpu[j] < cpu || o.memory[j] < memory || o.pods[j] < pods || o.price[j] >= below)
        continue;
      // Offerings are in price order: past the first fit's price nothing is cheaper.
      if (best && o.price[j] > o.price[*best]) return best;
      const auto load = [&](std::uint32_t k) {
        const std::size_t z = o.zone[k].value();
        return z < zone_nodes.size() ? zone_nodes[z] : 0u;
      };
      if (!best || (o.type[j] == o.type[*best] && load(j) < load(*best))) best = j;
    }
  }
  return best;
}

bool Provisioner::narrow(const Offerings& o, OfferingSet& options, const OfferingSet& compatible,
                         std::int64_t cpu, std::int64_t memory, std::int64_t pods, Open& into) {
  scratch_.assign(options.size(), 0);
  std::int64_t max_cpu = 0, max_memory = 0, max_pods = 0;
  bool any = false;
  for_each_bit(options, compatible, [&](std::uint32_t j) {
    if (o.cpu[j] < cpu || o.memory[j] < memory || o.pods[j] < pods) return;
    scratch_[j / 64] |= std::uint64_t{1} << (j % 64);
    max_cpu = std::max(max_cpu, o.cpu[j]);
    max_memory = std::max(max_memory, o.memory[j]);
    max_pods = std::max(max_pods, o.pods[j]);
    any = true;
  });
  if (!any) return false;
  options.swap(scratch_);
  into.max_cpu = max_cpu;
  into.max_memory = max_memory;
  into.max_pods = max_pods;
  return true;
}

void Provisioner::solve(std::span<ProvisionPod> pods, std::span<ProvisionPool> pools,
                        std::vector<ProvisionClaim>& claims, std::vector<std::uint32_t>& unplaced) {
  claims.clear();
  unplaced.clear();
  open_.clear();
  std::stable_sort(pods.begin(), pods.end(), [](const ProvisionPod& a, const ProvisionPod& b) {
    return a.cpu != b.cpu ? a.cpu > b.cpu : a.memory > b.memory;
  });
  for (const ProvisionPod& pod : pods) {
    bool placed = false;
    for (Open& claim : open_) {
      if (claim.cpu + pod.cpu > claim.max_cpu || claim.memory + pod.memory > claim.max_memory ||
          claim.pods + 1 > claim.max_pods)
        continue;
      const Offerings& o = *pools[claim.pool].offerings;
      if (!narrow(o, claim.options, pod.compatible[claim.pool], claim.cpu + pod.cpu,
                  claim.memory + pod.memory, claim.pods + 1, claim))
        continue;
      claim.cpu += pod.cpu;
      claim.memory += pod.memory;
      ++claim.pods;
      claim.members.push_back(pod.index);
      placed = true;
      break;
    }
    for (std::uint32_t q = 0; !placed && q < pools.size(); ++q) {
      const ProvisionPool& pool = pools[q];
      if (pool.nodes_left <= 0) continue;
      const Offerings& o = *pool.offerings;
      Open claim;
      claim.pool = q;
      claim.options.assign((o.size() + 63) / 64, 0);
      for (std::uint32_t j = 0; j < o.size(); ++j)
        if (o.capacity_cpu[j] <= pool.cpu_left && o.capacity_memory[j] <= pool.memory_left &&
            (pool.available == nullptr || ((*pool.available)[j / 64] >> (j % 64) & 1u) != 0))
          claim.options[j / 64] |= std::uint64_t{1} << (j % 64);
      if (!narrow(o, claim.options, pod.compatible[q], pod.cpu, pod.memory, 1, claim)) continue;
      claim.cpu = pod.cpu;
      claim.memory = pod.memory;
      claim.pods = 1;
      claim.members.push_back(pod.index);
      open_.push_back(std::move(claim));
      placed = true;
    }
    if (!placed) unplaced.push_back(pod.index);
  }
  for (Open& claim : open_) {
    ProvisionPool& pool = pools[claim.pool];
    const Offerings& o = *pool.offerings;
    // Limits hold over the claims of this batch too: the options past what is left go.
    for (std::uint32_t j = 0; j < o.size(); ++j)
      if (o.capacity_cpu[j] > pool.cpu_left || o.capacity_memory[j] > pool.memory_left)
        claim.options[j / 64] &= ~(std::uint64_t{1} << (j % 64));
    const std::optional<std::uint32_t> pick =
        pool.nodes_left > 0 ? cheapest(o, claim.options, claim.cpu, claim.memory, claim.pods,
                                       std::numeric_limits<double>::infinity(), pool.zone_nodes)
                            : std::nullopt;
    if (!pick) {
      unplaced.insert(unplaced.end(), claim.members.begin(), claim.members.end());
      continue;
    }
    pool.cpu_left -= o.capacity_cpu[*pick];
    pool.memory_left -= o.capacity_memory[*pick];
    --pool.nodes_left;
    if (o.zone[*pick].value() < pool.zone_nodes.size()) ++pool.zone_nodes[o.zone[*pick].value()];
    claims.push_back({claim.pool, *pick, std::move(claim.members)});
  }
}

}  // namespace ecsim::karpenter
