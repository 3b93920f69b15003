#include "support.hpp"

#include <fmt/format.h>

#include <cmath>
#include <string>

namespace ecsim::workload::detail {

void check_positive(Problems& problems, std::string_view field, SimDuration value,
                    std::string_view example) {
  if (value > SimDuration::zero()) return;
  problems.push_back(
      {std::string(field), fmt::format("is {} (expected a positive duration, e.g. {})",
                                       format_duration(value), example)});
}

void check_not_negative(Problems& problems, std::string_view field, SimDuration value) {
  if (value >= SimDuration::zero()) return;
  problems.push_back({std::string(field),
                      fmt::format("is {} (expected a duration >= 0s)", format_duration(value))});
}

bool check_rate(Problems& problems, std::string_view field, double rate, double max_rate) {
  if (!std::isfinite(rate) || rate <= 0.0) {
    problems.push_back(
        {std::string(field), fmt::format("is {} (expected a finite rate > 0 per second)", rate)});
    return false;
  }
  if (rate > max_rate) {
    problems.push_back(
        {std::string(field), fmt::format("is {} (expected at most {} per second, one arrival per "
                                         "microsecond of the clock)",
                                         rate, max_rate)});
    return false;
  }
  return true;
}

}  // namespace ecsim::workload::detail
