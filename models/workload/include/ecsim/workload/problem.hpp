#pragma once

#include <string>
#include <vector>

namespace ecsim::workload {

/// One thing wrong with a spec, for the scenario loader to report at the source position of
/// `field`.
struct Problem {
  /// The path of the offending member relative to the validated value, e.g. "rate_per_second"
  /// or "weights[2]"; member names are those of the spec structs.
  std::string field;
  /// What is wrong and, in parentheses, what was expected, e.g. "is 0s (expected a positive
  /// duration, e.g. 30s)".
  std::string message;

  friend bool operator==(const Problem&, const Problem&) = default;
};

/// The problems found in one spec, in the order of its members; empty when the spec is valid.
using Problems = std::vector<Problem>;

}  // namespace ecsim::workload
