// The scenario loader with the files a scenario names: the input is a bundle (see
// fuzz_support.hpp) of the scenario and its task definitions, create-service requests, eksctl
// files, manifests and traces, written to a scratch folder and loaded as `ecsim validate` does.

#include "ecsim/scenario/scenario.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ecsim;
  fuzz::check_loaded(scenario::load_scenario(fuzz::write_bundle(data, size)));
  return 0;
}
