#pragma once

// Helpers shared by the workload specs: validation checks (each appends at most one problem) and
// rounding to the clock.

#include <cmath>
#include <string_view>

#include "ecsim/sim/time.hpp"
#include "ecsim/sim/problem.hpp"

namespace ecsim::workload::detail {

/// The visitor that calls whichever of the lambdas `F...` accepts the alternative.
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
// Spelled out for clang 14, which does not deduce it for an aggregate yet.
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

/// `micros` (>= 0, or NaN) rounded to the nearest whole microsecond, ties away from zero;
/// SimDuration::max() when it is NaN or beyond the clock's range.
inline SimDuration round_to_micros(double micros) noexcept {
  // 2^63 is the first double above every int64; llround beyond it is undefined.
  if (!(micros < 0x1.0p63)) return SimDuration::max();
  return SimDuration{static_cast<SimDuration::rep>(std::llround(micros))};
}

/// Appends a problem for `field` unless `value` > 0; `example` is a sensible value (e.g. "30s").
void check_positive(Problems& problems, std::string_view field, SimDuration value,
                    std::string_view example);

/// Appends a problem for `field` unless `value` >= 0.
void check_not_negative(Problems& problems, std::string_view field, SimDuration value);

/// Appends a problem for `field` unless `rate` is finite, > 0 and at most `max_rate`, all per
/// second; returns whether it was.
bool check_rate(Problems& problems, std::string_view field, double rate, double max_rate);

}  // namespace ecsim::workload::detail
