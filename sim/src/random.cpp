#include "ecsim/sim/random.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

namespace ecsim {

LognormalParams lognormal_from_mean_cv(double mean, double cv) {
  ECSIM_ASSERT(mean > 0.0 && cv >= 0.0, "lognormal_from_mean_cv needs mean > 0 and cv >= 0");
  const double variance_of_log = std::log1p(cv * cv);
  return LognormalParams{std::log(mean) - variance_of_log / 2.0, std::sqrt(variance_of_log)};
}

double RandomStream::standard_normal_pair() noexcept {
  double u = 0.0;
  double v = 0.0;
  double s = 0.0;
  do {
    u = 2.0 * uniform01() - 1.0;
    v = 2.0 * uniform01() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);  // s == 0 would divide by zero; s >= 1 falls off the disc
  const double factor = std::sqrt(-2.0 * std::log(s) / s);
  cached_normal_ = v * factor;
  has_cached_normal_ = true;
  return u * factor;
}

namespace {

[[noreturn]] void reject(const std::string& what) {
  throw std::invalid_argument("EmpiricalDistribution: " + what);
}

void validate(const std::vector<double>& values, const std::vector<double>& weights) {
  if (values.empty()) reject("no values (expected at least one)");
  if (weights.size() != values.size())
    reject(fmt::format("{} weights for {} values (expected one weight per value)", weights.size(),
                       values.size()));
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i]))
      reject(fmt::format("values[{}] is {} (expected a finite number)", i, values[i]));
    if (!std::isfinite(weights[i]) || weights[i] < 0.0)
      reject(fmt::format("weights[{}] is {} (expected a finite number >= 0)", i, weights[i]));
  }
  if (std::all_of(weights.begin(), weights.end(), [](double w) { return w == 0.0; }))
    reject("all weights are 0 (expected at least one positive weight)");
}

}  // namespace

EmpiricalDistribution::EmpiricalDistribution(std::vector<double> values, Mode mode)
    // Copies `values`: moving it here could empty it before the weights read its size.
    : EmpiricalDistribution(values, std::vector<double>(values.size(), 1.0), mode) {}

EmpiricalDistribution::EmpiricalDistribution(std::vector<double> values,
                                             std::vector<double> weights, Mode mode)
    : mode_(mode) {
  validate(values, weights);
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  min_ = *lo;
  max_ = *hi;

  if (mode == Mode::discrete) {
    cumulative_.resize(weights.size());
    std::partial_sum(weights.begin(), weights.end(), cumulative_.begin());
    const double total = cumulative_.back();
    if (!std::isfinite(total)) reject("the weights add up to more than the largest double");
    mean_ = std::inner_product(values.begin(), values.end(), weights.begin(), 0.0) / total;
    values_ = std::move(values);
    return;
  }

  // Sort by (value, weight) so the result does not depend on the input order of equal values.
  std::vector<std::pair<double, double>> points(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) points[i] = {values[i], weights[i]};
  std::sort(points.begin(), points.end());
  values_.resize(points.size());
  for (std::size_t i = 0; i < points.size(); ++i) values_[i] = points[i].first;
  if (points.size() == 1) {
    mean_ = values_.front();
    return;
  }

  // Segment i spans [x_i, x_{i+1}] and carries mass (w_i + w_{i+1}) / 2; a uniform point in it
  // has mean (x_i + x_{i+1}) / 2.
  cumulative_.resize(points.size() - 1);
  double total = 0.0;
  double weighted_midpoints = 0.0;
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    const double mass = (points[i].second + points[i + 1].second) / 2.0;
    total += mass;
    cumulative_[i] = total;
    weighted_midpoints += mass * (points[i].first + points[i + 1].first) / 2.0;
  }
  if (!std::isfinite(total)) reject("the weights add up to more than the largest double");
  mean_ = weighted_midpoints / total;
}

double EmpiricalDistribution::sample(RandomStream& stream) const noexcept {
  if (cumulative_.empty()) return values_.front();  // interpolate mode with one value
  const double total = cumulative_.back();
  double u = stream.uniform01() * total;
  // uniform01() < 1, but the product can round up to the total; stay strictly below it so the
  // search lands on an entry with positive weight.
  if (u >= total) u = std::nextafter(total, 0.0);
  // i = the first entry whose cumulative weight exceeds u (it exists because u < total). An
  // entry of weight 0 never qualifies: the entry before it has the same cumulative weight.
  // Invariant: that entry lies in [first, first + length). The search is branchless because u
  // is random, so the branches of std::upper_bound would mispredict half the time.
  const double* first = cumulative_.data();
  std::size_t length = cumulative_.size();
  while (length > 1) {
    const std::size_t half = length / 2;
    // A multiplication rather than ?: because GCC turns the latter back into a branch.
    first += static_cast<std::size_t>(first[half - 1] <= u) * half;
    length -= half;
  }
  const auto i = static_cast<std::size_t>(first - cumulative_.data());
  if (mode_ == Mode::discrete) return values_[i];

  const double start = i == 0 ? 0.0 : cumulative_[i - 1];
  const double fraction = (u - start) / (cumulative_[i] - start);
  // lerp is exact at the ends and monotone, so the result stays within [x_i, x_{i+1}].
  return std::lerp(values_[i], values_[i + 1], std::min(fraction, 1.0));
}

std::uint64_t RandomStreams::seed_of(std::string_view name) const noexcept {
  return mix64(mix64(root_seed_) ^ fnv1a64(name));
}

std::uint64_t RandomStreams::seed_of(std::string_view name, std::uint64_t index) const noexcept {
  return mix64(seed_of(name) ^ mix64(index + 0x9e3779b97f4a7c15ULL));
}

}  // namespace ecsim
