#include "ecsim/workload/durations.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>

#include "ecsim/sim/assert.hpp"
#include "support.hpp"

namespace ecsim::workload {
namespace {

Problems validate_empirical(const std::vector<SimDuration>& values,
                            const std::vector<double>& weights) {
  Problems problems;
  if (values.empty()) problems.push_back({"values", "is empty (expected at least one duration)"});
  for (std::size_t i = 0; i < values.size(); ++i)
    detail::check_not_negative(problems, fmt::format("values[{}]", i), values[i]);
  if (weights.empty()) return problems;

  if (weights.size() != values.size()) {
    problems.push_back({"weights", fmt::format("is {} long but values is {} long (expected one "
                                               "weight per value, or none for equal weights)",
                                               weights.size(), values.size())});
    return problems;
  }
  bool weights_valid = true;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (std::isfinite(weights[i]) && weights[i] >= 0.0) continue;
    weights_valid = false;
    problems.push_back({fmt::format("weights[{}]", i),
                        fmt::format("is {} (expected a finite number >= 0)", weights[i])});
  }
  if (!weights_valid) return problems;
  if (std::all_of(weights.begin(), weights.end(), [](double w) { return w == 0.0; })) {
    problems.push_back({"weights", "are all 0 (expected at least one positive weight)"});
  } else {
    double total = 0.0;
    for (const double w : weights) total += w;
    if (!std::isfinite(total))
      problems.push_back({"weights",
                          "add up to more than the largest double (expected smaller "
                          "weights, e.g. relative frequencies)"});
  }
  return problems;
}

}  // namespace

LognormalDuration LognormalDuration::from_mean_cv(SimDuration mean, double cv) {
  ECSIM_ASSERT(validate_lognormal_mean_cv(mean, cv).empty(),
               "from_mean_cv needs inputs that pass validate_lognormal_mean_cv");
  const LognormalParams params = lognormal_from_mean_cv(static_cast<double>(mean.count()), cv);
  return {detail::round_to_micros(std::exp(params.mu)), params.sigma};
}

Problems validate_lognormal_mean_cv(SimDuration mean, double cv) {
  Problems problems;
  detail::check_positive(problems, "mean", mean, "5m");
  if (!std::isfinite(cv) || cv < 0.0) {
    problems.push_back({"cv", fmt::format("is {} (expected a finite number >= 0, the standard "
                                          "deviation over the mean)",
                                          cv)});
  } else if (problems.empty() &&
             static_cast<double>(mean.count()) / std::sqrt(1.0 + cv * cv) < 0.5) {
    // The median would round to 0 microseconds, which no lognormal has.
    problems.push_back({"cv", fmt::format("is {}, which puts the median of a lognormal with mean "
                                          "{} below half a microsecond (expected a smaller cv)",
                                          cv, format_duration(mean))});
  }
  return problems;
}

EmpiricalDuration::EmpiricalDuration(std::vector<SimDuration> values, std::vector<double> weights,
                                     bool interpolate)
    : values_(std::move(values)), weights_(std::move(weights)), interpolate_(interpolate) {
  if (!validate_empirical(values_, weights_).empty()) return;
  std::vector<double> micros(values_.size());
  std::transform(values_.begin(), values_.end(), micros.begin(),
                 [](SimDuration d) { return static_cast<double>(d.count()); });
  std::vector<double> weights_or_ones =
      weights_.empty() ? std::vector<double>(values_.size(), 1.0) : weights_;
  const auto mode = interpolate_ ? EmpiricalDistribution::Mode::interpolate
                                 : EmpiricalDistribution::Mode::discrete;
  distribution_.emplace(std::move(micros), std::move(weights_or_ones), mode);
}

std::string_view kind_name(const DurationSpec& spec) noexcept {
  return kDurationKinds[spec.index()];
}

Problems validate(const DurationSpec& spec) {
  return std::visit(
      detail::Overloaded{
          [](const FixedDuration& d) {
            Problems problems;
            detail::check_not_negative(problems, "value", d.value);
            return problems;
          },
          [](const ExponentialDuration& d) {
            Problems problems;
            detail::check_positive(problems, "mean", d.mean, "5m");
            return problems;
          },
          [](const LognormalDuration& d) {
            Problems problems;
            detail::check_positive(problems, "median", d.median, "5m");
            if (!std::isfinite(d.sigma) || d.sigma < 0.0) {
              problems.push_back(
                  {"sigma", fmt::format("is {} (expected a finite number >= 0, the standard "
                                        "deviation of the log of the duration)",
                                        d.sigma)});
            }
            return problems;
          },
          [](const EmpiricalDuration& d) { return validate_empirical(d.values(), d.weights()); },
      },
      spec);
}

SimDuration sample(const DurationSpec& spec, RandomStream& stream) {
  return std::visit(
      detail::Overloaded{
          [](const FixedDuration& d) {
            ECSIM_ASSERT(d.value >= SimDuration::zero(), "a fixed duration must not be negative");
            return d.value;
          },
          [&stream](const ExponentialDuration& d) {
            ECSIM_ASSERT(d.mean > SimDuration::zero(), "an exponential mean must be positive");
            return stream.exponential(d.mean);
          },
          [&stream](const LognormalDuration& d) {
            ECSIM_ASSERT(d.median > SimDuration::zero() && d.sigma >= 0.0,
                         "a lognormal needs a positive median and sigma >= 0");
            return detail::round_to_micros(
                stream.lognormal(std::log(static_cast<double>(d.median.count())), d.sigma));
          },
          [&stream](const EmpiricalDuration& d) {
            const EmpiricalDistribution* distribution = d.distribution();
            ECSIM_ASSERT(distribution != nullptr,
                         "an empirical duration that failed validation cannot be sampled");
            // Every value is >= 0, and both modes stay within [min, max] of the values.
            return detail::round_to_micros(distribution->sample(stream));
          },
      },
      spec);
}

double mean_seconds(const DurationSpec& spec) {
  return std::visit(detail::Overloaded{
                        [](const FixedDuration& d) { return to_seconds(d.value); },
                        [](const ExponentialDuration& d) { return to_seconds(d.mean); },
                        [](const LognormalDuration& d) {
                          return to_seconds(d.median) * std::exp(d.sigma * d.sigma / 2.0);
                        },
                        [](const EmpiricalDuration& d) {
                          ECSIM_ASSERT(d.distribution() != nullptr,
                                       "an empirical duration that failed validation has no mean");
                          return d.distribution()->mean() / 1e6;
                        },
                    },
                    spec);
}

}  // namespace ecsim::workload
