// Karpenter's provisioning decision over the full instance catalog: a batch of N pending pods
// (ten Deployments' shapes, from 250m / 512 MiB to 4 vCPU / 16 GiB; a fifth of them arm64-only,
// a tenth memory-heavy) packed onto NodeClaims of one NodePool that allows every type of the
// catalog in 3 zones, On-Demand and Spot (the widest a NodePool can be). Times Provisioner::solve
// and, as the baseline measured in the same run, one pass over the offerings per pod for the
// cheapest that holds it alone (what provisioning pod by pod would cost at the least).
// Prints milliseconds per decision and the ratio to the baseline; exit status 1 if a pod is
// left unplaced.
//
//   karpenter [--pods N] [--repeat K] [--json]

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command_line.hpp"

#include "ecsim/eks/karpenter.hpp"
#include "ecsim/karpenter/provisioner.hpp"
#include "ecsim/platform/catalog.hpp"

namespace {

using ecsim::karpenter::OfferingSet;
using ecsim::karpenter::Offerings;

constexpr std::int64_t kMi = 1024LL * 1024;

struct Shape {
  std::int64_t cpu, memory;
  bool arm_only;
};
constexpr Shape kShapes[] = {{250, 512 * kMi, false},  {500, 1024 * kMi, false},
                             {1000, 2048 * kMi, true},  {2000, 4096 * kMi, false},
                             {4000, 16384 * kMi, false}, {250, 256 * kMi, false},
                             {500, 4096 * kMi, false},   {1500, 3072 * kMi, true},
                             {750, 1536 * kMi, false},   {300, 768 * kMi, false}};

struct Table {
  Offerings offerings;
  OfferingSet every, arm;
};

Table full_catalog() {
  const ecsim::platform::InstanceCatalog& catalog = ecsim::platform::InstanceCatalog::builtin();
  struct Candidate {
    double price;
    std::uint32_t type;
    std::uint16_t zone;
    bool spot;
  };
  std::vector<Candidate> candidates;
  for (std::uint32_t t = 0; t < catalog.size(); ++t) {
    if (catalog.at(t).eks_allocatable_cpu_m == 0 || catalog.at(t).eks_allocatable_pods == 0) continue;
    for (const bool spot : {false, true})
      for (std::uint16_t z = 0; z < 3; ++z)
        candidates.push_back({catalog.at(t).price_usd_per_hour * (spot ? 0.3 : 1.0), t, z, spot});
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.price < b.price; });
  Table out;
  Offerings& o = out.offerings;
  for (const Candidate& c : candidates) {
    const ecsim::platform::InstanceType& type = catalog.at(c.type);
    o.type.push_back(c.type);
    o.zone.push_back(ecsim::AzId{c.zone});
    o.spot.push_back(c.spot ? 1 : 0);
    o.cpu.push_back(type.eks_allocatable_cpu_m);
    o.memory.push_back(std::int64_t{type.eks_allocatable_memory_mib} * kMi);
    o.pods.push_back(type.eks_allocatable_pods);
    o.capacity_cpu.push_back(std::int64_t{type.vcpu} * 1000);
    o.capacity_memory.push_back(std::int64_t{type.memory_mib} * kMi);
    o.price.push_back(c.price);
  }
  out.every.assign((o.size() + 63) / 64, 0);
  out.arm.assign(out.every.size(), 0);
  for (std::uint32_t j = 0; j < o.size(); ++j) {
    out.every[j / 64] |= std::uint64_t{1} << (j % 64);
    if (catalog.at(o.type[j]).arch == ecsim::platform::Arch::kArm64)
      out.arm[j / 64] |= std::uint64_t{1} << (j % 64);
  }
  return out;
}

std::vector<ecsim::karpenter::ProvisionPod> batch(const Table& t, std::uint64_t pods) {
  std::vector<ecsim::karpenter::ProvisionPod> out;
  for (std::uint32_t i = 0; i < pods; ++i) {
    const Shape& s = kShapes[i % std::size(kShapes)];
    out.push_back({s.cpu, s.memory, s.arm_only ? &t.arm : &t.every, i});
  }
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  ecsim::bench::Settings settings;
  settings.count = 1'000;
  settings.repeat = 21;
  if (const auto done = ecsim::bench::parse_command_line(
          argc, argv, "karpenter", "--pods",
          "Karpenter's provisioning decision for a batch of pending pods over the full catalog",
          settings))
    return *done;
  const Table t = full_catalog();
  ecsim::karpenter::Provisioner provisioner;
  std::vector<ecsim::karpenter::ProvisionClaim> claims;
  std::vector<std::uint32_t> unplaced;
  std::vector<double> solve_ms, scan_ms;
  std::uint64_t checksum = 0;
  for (std::uint64_t r = 0; r < settings.repeat; ++r) {
    std::vector<ecsim::karpenter::ProvisionPod> pods = batch(t, settings.count);
    std::vector<ecsim::karpenter::ProvisionPool> pools{{&t.offerings, INT64_MAX, INT64_MAX, INT64_MAX, {0, 0, 0}, nullptr}};
    auto start = std::chrono::steady_clock::now();
    provisioner.solve(pods, pools, claims, unplaced);
    solve_ms.push_back(seconds_since(start) * 1e3);
    if (!unplaced.empty()) {
      std::fprintf(stderr, "karpenter: %zu pods left unplaced\n", unplaced.size());
      return 1;
    }
    const std::vector<ecsim::karpenter::ProvisionPod> again = batch(t, settings.count);
    start = std::chrono::steady_clock::now();
    for (const ecsim::karpenter::ProvisionPod& p : again) {
      const std::vector<std::uint32_t> zones{0, 0, 0};
      const auto pick = ecsim::karpenter::Provisioner::cheapest(t.offerings, *p.compatible, p.cpu, p.memory, 1,
                                                          1e300, zones);
      checksum += pick ? *pick : 0;
    }
    scan_ms.push_back(seconds_since(start) * 1e3);
  }
  double price = 0;
  for (const ecsim::karpenter::ProvisionClaim& c : claims) price += t.offerings.price[c.offering];
  const double solve = ecsim::bench::median(solve_ms), scan = ecsim::bench::median(scan_ms);
  if (settings.json) {
    fmt::print("{{\"pods\": {}, \"offerings\": {}, \"claims\": {}, \"usd_per_hour\": {:.4f}, "
               "\"ms_per_decision\": {:.3f}, \"scan_ms\": {:.3f}, \"ratio_to_scan\": {:.2f}, "
               "\"checksum\": {}}}\n",
               settings.count, t.offerings.size(), claims.size(), price, solve, scan, solve / scan,
               checksum);
  } else {
    fmt::print("{} pending pods, {} offerings (every catalog type x 3 zones x On-Demand/Spot), "
               "median of {} runs\n\n",
               settings.count, t.offerings.size(), settings.repeat);
    fmt::print("  decision       {:8.3f} ms  ({} NodeClaims, {:.4f} USD/h)\n", solve, claims.size(), price);
    fmt::print("  one pass/pod   {:8.3f} ms  (baseline)\n", scan);
    fmt::print("  ratio          {:8.2f}x\n", solve / scan);
  }
  return 0;
}
