// The scenario loader with the files a scenario names: the input is a bundle (see
// fuzz_support.hpp) of the scenario and its task definitions, create-service requests, eksctl
// files, manifests and traces, written to a scratch folder and loaded as `ecsim validate` does.

#include "ecsim/scenario/scenario.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ecsim;
  fuzz::Scratch& folder = fuzz::scratch();
  folder.clear();
  std::string scenario;
  for (const auto& [name, text] :
       fuzz::unbundle({reinterpret_cast<const char*>(data), size})) {
    const std::string path = folder.write(name, text);
    if (scenario.empty()) scenario = path;
  }
  fuzz::check_loaded(scenario::load_scenario(scenario));
  return 0;
}
