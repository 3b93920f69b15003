// EKS on Fargate: which profile takes a pod, and the size its Fargate node gets (the EKS User
// Guide's "Fargate Pod configuration details").

#include <catch2/catch.hpp>

#include "ecsim/eks/fargate.hpp"

namespace ecsim::test {
namespace {

constexpr std::int64_t kMiB = 1024 * 1024;

std::vector<eks::FargateProfile> profiles() {
  eks::FargateProfile all_of_ns{"fp-ns", {{"serverless", {}}}};
  eks::FargateProfile labelled{"fp-labelled", {{"default", {{"compute", "fargate"}}}}};
  eks::FargateProfile also_ns{"fp-other", {{"serverless", {}}}};
  return {all_of_ns, labelled, also_ns};
}

}  // namespace

TEST_CASE("a Fargate profile takes the pods of its namespace that carry all of its labels",
          "[eks]") {
  const auto p = profiles();
  CHECK(eks::fargate_profile_of(p, "serverless", {}) == 0u);
  CHECK(eks::fargate_profile_of(p, "default", {{"compute", "fargate"}, {"app", "x"}}) == 1u);
  CHECK_FALSE(eks::fargate_profile_of(p, "default", {{"compute", "ec2"}}).has_value());
  CHECK_FALSE(eks::fargate_profile_of(p, "default", {}).has_value());
  CHECK_FALSE(eks::fargate_profile_of(p, "kube-system", {}).has_value());
  // Several match: the first, unless the pod's label names one; a named profile must match.
  CHECK(eks::fargate_profile_of(p, "serverless",
                                {{"eks.amazonaws.com/fargate-profile", "fp-other"}}) == 2u);
  CHECK_FALSE(eks::fargate_profile_of(p, "default",
                                      {{"eks.amazonaws.com/fargate-profile", "fp-ns"}})
                  .has_value());
}

TEST_CASE("no profile takes a DaemonSet's pods or a pod bound by nodeName", "[eks]") {
  const auto p = profiles();
  eks::PodTemplate pod;
  CHECK(eks::fargate_profile_for(p, "serverless", pod, false) == 0u);
  CHECK_FALSE(eks::fargate_profile_for(p, "serverless", pod, true).has_value());
  pod.spec.node_name = "n1";
  CHECK_FALSE(eks::fargate_profile_for(p, "serverless", pod, false).has_value());
}

TEST_CASE("a Fargate pod's size is its requests with 256 MiB added, rounded up to a Fargate size",
          "[eks]") {
  using platform::FargateSize;
  // No requests: the smallest, 0.25 vCPU and 0.5 GiB.
  CHECK(eks::fargate_pod_size({0, 0}) == FargateSize{256, 512});
  // 250m and 256 MiB: 256 units, 512 MiB.
  CHECK(eks::fargate_pod_size({250, 256 * kMiB}) == FargateSize{256, 512});
  // 257 MiB + 256 = 513 MiB: 0.25 vCPU's next size, 1 GiB.
  CHECK(eks::fargate_pod_size({250, 257 * kMiB}) == FargateSize{256, 1024});
  // 1 CPU and 2 GiB: 2304 MiB, so 1 vCPU and 3 GiB.
  CHECK(eks::fargate_pod_size({1000, 2048 * kMiB}) == FargateSize{1024, 3072});
  // The guide's example: 1 vCPU and 8 GiB needs 8.25 GiB, more than 1 vCPU offers: 2 vCPU, 9 GiB.
  CHECK(eks::fargate_pod_size({1000, 8192 * kMiB}) == FargateSize{2048, 9216});
  // 1001m is more than 1024 units' 1000m: 2 vCPU, whose least memory is 4 GiB.
  CHECK(eks::fargate_pod_size({1001, 0}) == FargateSize{2048, 4096});
  // 8 vCPU steps memory by 4 GiB: 20 GiB + 256 MiB becomes 24 GiB.
  CHECK(eks::fargate_pod_size({8000, 20480 * kMiB}) == FargateSize{8192, 24576});
  // The largest: 16 vCPU, 120 GiB; 120 GiB requested plus 256 MiB fits none.
  CHECK(eks::fargate_pod_size({16000, 100 * 1024 * kMiB}) == FargateSize{16384, 106496});
  CHECK_FALSE(eks::fargate_pod_size({16000, 120 * 1024 * kMiB}).has_value());
  CHECK_FALSE(eks::fargate_pod_size({17000, 0}).has_value());
}

}  // namespace ecsim::test
