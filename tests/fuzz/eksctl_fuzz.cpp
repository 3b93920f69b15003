// The eksctl reader: the input is the ClusterConfig file of a fixed scenario.

#include "templated_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ecsim::fuzz::load_with_input(
      "name: e\nduration: 1h\nplatform: {region: us-east-1, azs: [us-east-1a, us-east-1b, "
      "us-east-1c]}\neks:\n  - {cluster: c, config: cluster.yaml, manifests: []}\n",
      {}, "cluster.yaml", data, size);
  return 0;
}
