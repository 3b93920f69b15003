// The create-service reader: the input is the service_definition file of a fixed scenario.

#include "templated_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ecsim::fuzz::load_with_input(
      "name: s\nduration: 1h\nplatform: {azs: [us-east-1a, us-east-1b]}\necs:\n"
      "  - cluster: prod\n    capacity: {asg: {instance_type: m6i.large, desired: 2}}\n"
      "    services:\n      - {name: web, task_definition: web.json, service_definition: "
      "service.json}\n",
      {{"web.json", R"({"family": "web", "containerDefinitions": [{"name": "web", "image": )"
                    R"("nginx", "cpu": 256, "memory": 512}]})"}},
      "service.json", data, size);
  return 0;
}
