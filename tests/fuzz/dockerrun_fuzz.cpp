// The Dockerrun.aws.json reader: the input is an Elastic Beanstalk source bundle's
// Dockerrun.aws.json, read as an environment's `dockerrun` is (strict JSON, Beanstalk's keys,
// the ECS API's container and volume shapes, then AWS's task definition rules).

#include "ecsim/scenario/diagnostics.hpp"
#include "fuzz_support.hpp"
#include "task_definition_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ecsim;
  const std::string path =
      fuzz::scratch().write("Dockerrun.aws.json", {reinterpret_cast<const char*>(data), size});
  scenario::Diagnostics diagnostics;
  const auto definition = scenario::detail::read_dockerrun(
      path, "awseb-fuzz", diagnostics, scenario::SourceLocation{"s.yaml", 1, 1}, "dockerrun");
  scenario::LoadResult r;
  r.diagnostics = diagnostics;
  fuzz::require(definition.has_value() == diagnostics.ok(),
                "a Dockerrun is read exactly when no problem was found");
  if (definition) r.scenario.emplace();
  fuzz::check_loaded(r);
  return 0;
}
