// The task-definition reader: the input is a task definition file, read as a job's
// task_definition is (strict JSON, then AWS's rules).

#include "ecsim/scenario/diagnostics.hpp"
#include "fuzz_support.hpp"
#include "task_definition_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ecsim;
  const std::string path =
      fuzz::scratch().write("taskdef.json", {reinterpret_cast<const char*>(data), size});
  scenario::Diagnostics diagnostics;
  const auto definition = scenario::detail::read_task_definition(
      path, diagnostics, scenario::SourceLocation{"s.yaml", 1, 1}, "task_definition");
  scenario::LoadResult r;
  r.diagnostics = diagnostics;
  fuzz::require(definition.has_value() == diagnostics.ok(),
                "a task definition is read exactly when no problem was found");
  if (definition) r.scenario.emplace();
  fuzz::check_loaded(r);
  return 0;
}
