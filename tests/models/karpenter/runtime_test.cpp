// Karpenter composed with the EKS runtime on its own (tests/models/eks/harness.hpp).

#include <catch2/catch.hpp>
#include <optional>

#include "../eks/harness.hpp"
#include "ecsim/karpenter/runtime.hpp"

namespace ecsim::test {
namespace {

using std::chrono::minutes;

/// 1 m5.large of a fixed node group and a NodePool of On-Demand m5 instances in the zone, with
/// Karpenter composed with the EKS runtime; `pods` of 500m of a Deployment, run to `until`.
struct Provisioned {
  Provisioned(std::int32_t pods, SimTime until) : h(1) {
    platform::AsgConfig group;
    group.name = "lab/nodepool/default";
    group.instance_type = 0;  // each launch names its type
    group.replace = false;
    group.azs = {AzId{0}};
    h.specs[0].pool_groups.push_back(GroupId{static_cast<GroupId::rep_type>(h.config.groups.size())});
    h.config.groups.push_back(group);
    eks::NodePool& pool = h.specs[0].manifests.node_pools.emplace_back();
    pool.meta.name = "default";
    pool.requirements.push_back({"karpenter.k8s.aws/instance-family", eks::SelectorOperator::kIn, {"m5"}});
    pool.consolidate_after = std::nullopt;  // Never: the test looks at provisioning alone
    (void)h.deployment("web", pods);
    // Karpenter tells the EKS runtime of itself when it is made: before the runtime starts.
    h.on_made = [this, until] {
      karpenter.emplace(karpenter::Context{h.sim, *h.platform, h.config, *h.runtime, until});
    };
    h.on_start = [this] { karpenter->start(RandomStreams(11)); };
    h.on_event = [this](const Event& e) {
      REQUIRE(e.kind >= karpenter::kFirstEventKind);
      REQUIRE(e.kind < karpenter::kEndEventKind);
      karpenter->handle(e);
    };
    h.run(until);
    karpenter->check_invariants();
  }
  Harness h;
  std::optional<karpenter::Runtime> karpenter;
};

}  // namespace

TEST_CASE("Karpenter batches the pods the node group cannot hold onto one cheapest claim",
          "[karpenter]") {
  // The m5.large holds 3 pods of 500m (1,930m allocatable); the 7 others fail their first
  // cycle, the batch closes 1 s after the last of them and the provisioner packs all 7
  // (3,500m) onto one claim of the cheapest m5 offering that holds them: an m5.xlarge (3,920m
  // allocatable), which takes them once it registers.
  Provisioned p(10, kSimStart + minutes(10));
  eks::Results r = p.h.runtime->results(p.h.sim.now());
  CHECK_FALSE(r.nodes[0].karpenter);  // the EKS runtime leaves them to Karpenter
  p.karpenter->add_results(r, p.h.sim.now());
  REQUIRE(r.nodes[0].karpenter);
  CHECK(r.nodes[0].karpenter->nodeclaims == 1);
  CHECK(r.nodes[0].karpenter->launch_failures == 0);
  CHECK(r.nodes[0].karpenter->nodes_max == 1);
  REQUIRE(r.scaling.size() == 1);
  CHECK(r.scaling[0].autoscaler == "Karpenter");
  CHECK(r.scaling[0].reason.starts_with("Launched NodeClaim for 7 pod(s): m5.xlarge on-demand"));
  CHECK(p.h.runtime->running() == 10);
  CHECK(p.h.runtime->pending() == 0);
}

}  // namespace ecsim::test
