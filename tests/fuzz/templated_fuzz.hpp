#pragma once

// A harness that puts its input into one file of a fixed scenario: a create-service request,
// an eksctl file or a manifest, with valid files for everything else.

#include <string>
#include <string_view>

#include "ecsim/scenario/scenario.hpp"
#include "fuzz_support.hpp"

namespace ecsim::fuzz {

/// Writes the files of `fixed` (name, text) once, then for each input the input as
/// `input_name`, and loads `scenario_text`.
inline void load_with_input(std::string_view scenario_text,
                            std::initializer_list<std::pair<const char*, const char*>> fixed,
                            const char* input_name, const std::uint8_t* data, std::size_t size) {
  static bool written = false;
  static std::string scenario;
  Scratch& folder = scratch();
  if (!written) {
    scenario = folder.write("scenario.yaml", scenario_text);
    for (const auto& [name, text] : fixed) folder.write(name, text);
    written = true;
  }
  folder.write(input_name, {reinterpret_cast<const char*>(data), size});
  check_loaded(scenario::load_scenario(scenario));
}

}  // namespace ecsim::fuzz
