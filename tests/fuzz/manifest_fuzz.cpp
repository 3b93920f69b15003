// The Kubernetes manifest reader: the input is the manifest file of a fixed scenario and
// eksctl file.

#include "templated_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ecsim::fuzz::load_with_input(
      "name: m\nduration: 1h\nplatform: {region: us-east-1, azs: [us-east-1a, us-east-1b, "
      "us-east-1c]}\neks:\n  - cluster: c\n    config: cluster.yaml\n    manifests: [app.yaml]\n",
      {{"cluster.yaml",
        "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: c, region: "
        "us-east-1}\nmanagedNodeGroups:\n  - {name: ng, instanceType: m6i.xlarge, "
        "desiredCapacity: 3}\n"}},
      "app.yaml", data, size);
  return 0;
}
