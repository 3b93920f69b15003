#pragma once

#include <string>

namespace ecsim::ecs {

/// One thing wrong with an input, found by a validation that reports every problem, not only the
/// first; the loader turns `field` into `file:line:col` and prints `message` after it.
struct Problem {
  /// Where, as a path into the input in its own (JSON) spelling, e.g.
  /// `containerDefinitions[1].memory`; it may name a field the input left out, when the problem
  /// is that it is missing (the loader then points at the enclosing object).
  std::string field;
  /// What is wrong: AWS's own sentence where AWS has one, then what was expected.
  std::string message;

  friend bool operator==(const Problem&, const Problem&) = default;
};

}  // namespace ecsim::ecs
