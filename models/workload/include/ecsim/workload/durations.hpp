#pragma once

/// How long jobs run: a closed family of duration distributions, validated as plain values and
/// sampled in whole microseconds.

#include <array>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "ecsim/sim/random.hpp"
#include "ecsim/sim/time.hpp"
#include "ecsim/sim/problem.hpp"

namespace ecsim::workload {

/// Every job runs for exactly `value` (>= 0).
struct FixedDuration {
  /// The duration of every job, >= 0.
  SimDuration value{0};
};

/// Exponentially distributed durations (memoryless, coefficient of variation 1).
struct ExponentialDuration {
  /// The mean duration, > 0.
  SimDuration mean{0};
};

/// Lognormal durations: log(X) is normal with mean log(median) and standard deviation `sigma`,
/// so the mean is median * exp(sigma^2 / 2) and the coefficient of variation
/// sqrt(exp(sigma^2) - 1).
struct LognormalDuration {
  /// The median duration, > 0.
  SimDuration median{0};
  /// The standard deviation of the natural logarithm of the duration, finite and >= 0.
  double sigma = 0.0;

  /// The lognormal with mean `mean` (> 0) and coefficient of variation `cv` (finite, >= 0):
  /// sigma = sqrt(log(1 + cv^2)) and median = mean / sqrt(1 + cv^2) rounded to the nearest
  /// microsecond (so the mean is off by at most 0.5 * sqrt(1 + cv^2) microseconds); the inputs
  /// must pass `validate_lognormal_mean_cv` (asserted).
  static LognormalDuration from_mean_cv(SimDuration mean, double cv);
};

/// The problems with inputs to `LognormalDuration::from_mean_cv`, with fields "mean" and "cv".
Problems validate_lognormal_mean_cv(SimDuration mean, double cv);

/// Durations drawn from observed values through `ecsim::EmpiricalDistribution` (values in
/// microseconds): either one of the values (discrete) or a point on the piecewise-linear CDF
/// through them (interpolate). Owns copies of the values, the weights and the distribution.
class EmpiricalDuration {
 public:
  /// Durations from `values` (>= 0) with `weights` (finite, >= 0, not all 0; empty for equal
  /// weights), interpolating between sorted values when `interpolate` is true. Invalid inputs
  /// are kept so that `validate` can report them; such a spec must not be sampled.
  explicit EmpiricalDuration(std::vector<SimDuration> values, std::vector<double> weights = {},
                             bool interpolate = false);

  /// The observed durations, in the order given.
  [[nodiscard]] const std::vector<SimDuration>& values() const noexcept { return values_; }
  /// The weight of each value, or empty for equal weights.
  [[nodiscard]] const std::vector<double>& weights() const noexcept { return weights_; }
  /// Whether samples interpolate between values rather than repeat them.
  [[nodiscard]] bool interpolate() const noexcept { return interpolate_; }
  /// The distribution over microseconds, or nullptr when the inputs are invalid; owned here.
  [[nodiscard]] const EmpiricalDistribution* distribution() const noexcept {
    return distribution_ ? &*distribution_ : nullptr;
  }

 private:
  std::vector<SimDuration> values_;
  std::vector<double> weights_;
  bool interpolate_;
  std::optional<EmpiricalDistribution> distribution_;
};

/// A duration distribution: one of a closed set of kinds, chosen by name from `kDurationKinds`.
using DurationSpec =
    std::variant<FixedDuration, ExponentialDuration, LognormalDuration, EmpiricalDuration>;

/// The name of each kind of `DurationSpec`, in the order of its alternatives.
inline constexpr std::array<std::string_view, 4> kDurationKinds{"fixed", "exponential", "lognormal",
                                                                "empirical"};

/// The name of the kind of `spec`, from `kDurationKinds`.
[[nodiscard]] std::string_view kind_name(const DurationSpec& spec) noexcept;

/// Every problem with `spec`, with fields named after its members ("median", "values[2]").
[[nodiscard]] Problems validate(const DurationSpec& spec);

/// One duration from a valid `spec` (asserted) using `stream`: never negative, rounded to the
/// nearest whole microsecond (ties away from zero), saturating at SimDuration::max(). No heap
/// allocation.
[[nodiscard]] SimDuration sample(const DurationSpec& spec, RandomStream& stream);

/// The exact mean of the distribution `spec` describes, in seconds, before sampling rounds to
/// whole microseconds (rounding moves it by at most 0.5 microseconds).
[[nodiscard]] double mean_seconds(const DurationSpec& spec);

}  // namespace ecsim::workload
