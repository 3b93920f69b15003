// Karpenter's provisioner: the packing of a batch onto NodeClaims and the choice of offering,
// checked by hand on small offering tables.

#include <catch2/catch.hpp>

#include "ecsim/eks/karpenter.hpp"
#include "ecsim/karpenter/provisioner.hpp"
#include "ecsim/platform/catalog.hpp"

namespace {

using ecsim::AzId;
using ecsim::karpenter::OfferingSet;
using ecsim::karpenter::Offerings;
using ecsim::karpenter::ProvisionClaim;
using ecsim::karpenter::ProvisionPod;
using ecsim::karpenter::ProvisionPool;
using ecsim::karpenter::Provisioner;

constexpr std::int64_t kGi = 1024LL * 1024 * 1024;

// One offering: allocatable as given, capacity the same, in zone `zone`, at `price` USD/h.
void add(Offerings& o, std::uint32_t type, std::int64_t cpu, std::int64_t memory, double price,
         std::uint16_t zone = 0) {
  o.type.push_back(type);
  o.zone.push_back(AzId{zone});
  o.spot.push_back(0);
  o.cpu.push_back(cpu);
  o.memory.push_back(memory);
  o.pods.push_back(110);
  o.capacity_cpu.push_back(cpu);
  o.capacity_memory.push_back(memory);
  o.price.push_back(price);
}

OfferingSet all(const Offerings& o) {
  OfferingSet s((o.size() + 63) / 64, 0);
  for (std::size_t j = 0; j < o.size(); ++j) s[j / 64] |= std::uint64_t{1} << (j % 64);
  return s;
}

// Three sizes in price order: A 2 vCPU / 4 GiB 0.10, B 4 / 8 0.18, C 8 / 16 0.30.
Offerings three_sizes() {
  Offerings o;
  add(o, 0, 2000, 4 * kGi, 0.10);
  add(o, 1, 4000, 8 * kGi, 0.18);
  add(o, 2, 8000, 16 * kGi, 0.30);
  return o;
}

}  // namespace

TEST_CASE("Karpenter: a batch goes onto one claim while an offering holds it all, then its cheapest") {
  // Five pods of 1000m / 1 GiB: after the first two, A (2000m) still holds them; the third
  // narrows to B and C, the fifth (5000m) to C alone. One claim of C: 0.30 USD/h for 5 pods.
  const Offerings o = three_sizes();
  const OfferingSet every = all(o);
  std::vector<ProvisionPod> pods;
  for (std::uint32_t i = 0; i < 5; ++i) pods.push_back({1000, kGi, &every, i});
  std::vector<ProvisionPool> pools{{&o, INT64_MAX, INT64_MAX, INT64_MAX, {0}, nullptr}};
  Provisioner p;
  std::vector<ProvisionClaim> claims;
  std::vector<std::uint32_t> unplaced;
  p.solve(pods, pools, claims, unplaced);
  REQUIRE(claims.size() == 1);
  CHECK(claims[0].offering == 2);
  CHECK(claims[0].pods.size() == 5);
  CHECK(unplaced.empty());
  // Two pods fit A: the cheapest that holds them.
  pods.resize(2);
  p.solve(pods, pools, claims, unplaced);
  REQUIRE(claims.size() == 1);
  CHECK(claims[0].offering == 0);
}

TEST_CASE("Karpenter: the largest pods go first and a pod that fits no claim opens another") {
  // 6000m, then 3000m: C holds the first (6000 <= 8000), not both (9000); the second opens a
  // new claim, launched on B (the cheapest holding 3000m). Sorting by CPU puts 6000m first
  // although it is given second.
  const Offerings o = three_sizes();
  const OfferingSet every = all(o);
  std::vector<ProvisionPod> pods{{3000, kGi, &every, 0}, {6000, kGi, &every, 1}};
  std::vector<ProvisionPool> pools{{&o, INT64_MAX, INT64_MAX, INT64_MAX, {0}, nullptr}};
  Provisioner p;
  std::vector<ProvisionClaim> claims;
  std::vector<std::uint32_t> unplaced;
  p.solve(pods, pools, claims, unplaced);
  REQUIRE(claims.size() == 2);
  CHECK(claims[0].offering == 2);
  CHECK(claims[0].pods == std::vector<std::uint32_t>{1});
  CHECK(claims[1].offering == 1);
  CHECK(claims[1].pods == std::vector<std::uint32_t>{0});
}

TEST_CASE("Karpenter: a NodePool's CPU limit bounds the capacity its claims add") {
  // cpu limit leaves 4000m: C (8 vCPU) is out from the start; four pods of 1000m go onto B
  // (4000m); the fifth opens a claim that the limit, now spent, leaves without an offering.
  const Offerings o = three_sizes();
  const OfferingSet every = all(o);
  std::vector<ProvisionPod> pods;
  for (std::uint32_t i = 0; i < 5; ++i) pods.push_back({1000, kGi, &every, i});
  std::vector<ProvisionPool> pools{{&o, 4000, INT64_MAX, INT64_MAX, {0}, nullptr}};
  Provisioner p;
  std::vector<ProvisionClaim> claims;
  std::vector<std::uint32_t> unplaced;
  p.solve(pods, pools, claims, unplaced);
  REQUIRE(claims.size() == 1);
  CHECK(claims[0].offering == 1);
  CHECK(claims[0].pods.size() == 4);
  CHECK(unplaced == std::vector<std::uint32_t>{4});
  CHECK(pools[0].cpu_left == 0);
}

TEST_CASE("Karpenter: pods a pool's nodes do not admit go to the next pool, ties to the emptier zone") {
  // Pool 0 (the higher weight) admits only pod 0; pod 1 goes to pool 1, whose one type is in
  // two zones at one price: the zone with fewer of the pool's nodes (zone 1: 0 against 2).
  const Offerings o0 = three_sizes();
  Offerings o1;
  add(o1, 0, 2000, 4 * kGi, 0.10, 0);
  add(o1, 0, 2000, 4 * kGi, 0.10, 1);
  const OfferingSet every0 = all(o0), none0(every0.size(), 0), every1 = all(o1);
  const OfferingSet first[] = {every0, every1};
  const OfferingSet second[] = {none0, every1};
  std::vector<ProvisionPod> pods{{500, kGi, first, 0}, {400, kGi, second, 1}};
  std::vector<ProvisionPool> pools{{&o0, INT64_MAX, INT64_MAX, INT64_MAX, {0, 0}, nullptr},
                                   {&o1, INT64_MAX, INT64_MAX, INT64_MAX, {2, 0}, nullptr}};
  Provisioner p;
  std::vector<ProvisionClaim> claims;
  std::vector<std::uint32_t> unplaced;
  p.solve(pods, pools, claims, unplaced);
  REQUIRE(claims.size() == 2);
  CHECK(claims[0].pool == 0);
  CHECK(claims[0].offering == 0);
  CHECK(claims[1].pool == 1);
  CHECK(claims[1].offering == 1);  // zone 1
  CHECK(pools[1].zone_nodes == std::vector<std::uint32_t>{2, 1});
}

TEST_CASE("Karpenter: a replacement is the cheapest offering below the node's price that holds its pods") {
  const Offerings o = three_sizes();
  const OfferingSet every = all(o);
  const std::vector<std::uint32_t> zones{0};
  // 1500m of pods on a C node (0.30): A holds them at 0.10.
  CHECK(Provisioner::cheapest(o, every, 1500, kGi, 2, 0.30, zones) == 0u);
  // 5000m: only C holds them, which is not cheaper than itself.
  CHECK_FALSE(Provisioner::cheapest(o, every, 5000, kGi, 2, 0.30, zones).has_value());
}

TEST_CASE("Karpenter: an instance type's well-known labels come from its name") {
  const ecsim::platform::InstanceType* t = ecsim::platform::InstanceCatalog::builtin().find("m6i.2xlarge");
  REQUIRE(t != nullptr);
  const ecsim::eks::Labels l = ecsim::eks::instance_type_labels(*t);
  CHECK(l.at("karpenter.k8s.aws/instance-category") == "m");
  CHECK(l.at("karpenter.k8s.aws/instance-family") == "m6i");
  CHECK(l.at("karpenter.k8s.aws/instance-generation") == "6");
  CHECK(l.at("karpenter.k8s.aws/instance-size") == "2xlarge");
  CHECK(l.at("karpenter.k8s.aws/instance-cpu") == "8");
  CHECK(l.at("karpenter.k8s.aws/instance-memory") == "32768");
}
