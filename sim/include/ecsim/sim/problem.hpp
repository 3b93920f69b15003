#pragma once

#include <string>
#include <vector>

namespace ecsim {

/// One thing wrong with a value a model validated, for the input reader to report at the source
/// position of `field`. Validations collect every problem, not only the first.
struct Problem {
  /// Where, as a path into the validated value or input, e.g. "rate_per_second",
  /// "weights[2]" or "containerDefinitions[1].memory"; it may name a field that was left out
  /// when the problem is that it is missing.
  std::string field;
  /// What is wrong and, in parentheses, what was expected; AWS's own sentence first where AWS
  /// has one.
  std::string message;

  friend bool operator==(const Problem&, const Problem&) = default;
};

/// The problems found in one value, in the order of its fields; empty when it is valid.
using Problems = std::vector<Problem>;

}  // namespace ecsim
