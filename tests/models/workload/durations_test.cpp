#include "ecsim/workload/durations.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <vector>

#include "ecsim/sim/stats.hpp"
#include "test_support.hpp"

// Statistical checks use fixed seeds, so each is deterministic; the tolerances are 4 standard
// errors, so a correct implementation passes for all but about 1 seed in 10^4, while a wrong
// mean, scale or shape is off by many standard errors.

namespace ecsim::workload {
namespace {

using namespace std::chrono_literals;

constexpr int kDraws = 200'000;

// The moments, in seconds, of kDraws samples of `spec`.
RunningMoments sample_seconds(const DurationSpec& spec, std::uint64_t seed) {
  RandomStream stream{seed};
  RunningMoments moments;
  for (int i = 0; i < kDraws; ++i) moments.add(to_seconds(sample(spec, stream)));
  return moments;
}

// 4 standard errors of the mean of kDraws samples with standard deviation `stddev`.
double mean_tolerance(double stddev) {
  return 4.0 * stddev / std::sqrt(double{kDraws});
}

// 4 standard errors of a sample fraction with true probability p over n draws.
double fraction_tolerance(double p, int n) {
  return 4.0 * std::sqrt(p * (1.0 - p) / static_cast<double>(n));
}

}  // namespace

TEST_CASE("a fixed duration is always its value and draws nothing", "[workload]") {
  const DurationSpec spec = FixedDuration{90s};
  RandomStream stream{1};
  RandomStream before = stream;
  for (int i = 0; i < 10; ++i) CHECK(sample(spec, stream) == 90s);
  CHECK(stream.engine() == before.engine());
  CHECK(mean_seconds(spec) == 90.0);
  CHECK(kind_name(spec) == "fixed");
}

TEST_CASE("exponential durations have the stated mean and variance", "[workload]") {
  // Mean 30 s, so the standard deviation is also 30 s and the variance 900 s^2.
  const DurationSpec spec = ExponentialDuration{30s};
  const RunningMoments m = sample_seconds(spec, 11);
  // Standard error of the mean: 30 / sqrt(200000) = 0.0671 s, so the tolerance is 0.268 s.
  CHECK(m.mean() == Approx(30.0).margin(mean_tolerance(30.0)));
  // The sample variance of an exponential has variance (mu4 - sigma^4) / n = (9 - 1) 30^4 / n
  // = 32.4 s^4, standard error 5.69 s^2, so the tolerance is 22.8 s^2.
  CHECK(m.variance() == Approx(900.0).margin(4.0 * std::sqrt(8.0 * std::pow(30.0, 4) / kDraws)));
  CHECK(mean_seconds(spec) == 30.0);
}

TEST_CASE("lognormal durations have the stated median and mean", "[workload]") {
  // Median 60 s and sigma 0.5: mean 60 exp(0.5^2 / 2) = 67.989 s, standard deviation
  // mean * sqrt(exp(0.25) - 1) = 36.23 s, so the mean's tolerance is 4 * 36.23 / sqrt(200000)
  // = 0.324 s.
  const DurationSpec spec = LognormalDuration{60s, 0.5};
  const double mean = 60.0 * std::exp(0.125);
  CHECK(mean_seconds(spec) == Approx(mean).epsilon(1e-15));
  CHECK(mean_seconds(spec) == Approx(67.98890718));

  RandomStream stream{12};
  RunningMoments m;
  int below_median = 0;
  for (int i = 0; i < kDraws; ++i) {
    const SimDuration d = sample(spec, stream);
    below_median += d < 60s ? 1 : 0;
    m.add(to_seconds(d));
  }
  CHECK(m.mean() == Approx(mean).margin(mean_tolerance(mean * std::sqrt(std::exp(0.25) - 1.0))));
  // Half the draws fall below the median: tolerance 4 sqrt(0.25 / 200000) = 0.0045.
  CHECK(below_median / double{kDraws} == Approx(0.5).margin(fraction_tolerance(0.5, kDraws)));
}

TEST_CASE("a lognormal built from mean and cv keeps that mean", "[workload]") {
  // Mean 120 s and cv 1: sigma = sqrt(log(1 + 1)) = 0.832555, median = 120 / sqrt(2) s
  // = 84.85281374 s, rounded to 84852814 us.
  CHECK(validate_lognormal_mean_cv(120s, 1.0).empty());
  const LognormalDuration lognormal = LognormalDuration::from_mean_cv(120s, 1.0);
  CHECK(lognormal.median == 84'852'814us);
  CHECK(lognormal.sigma == Approx(std::sqrt(std::log(2.0))).epsilon(1e-12));
  // The rounded median moves the mean by at most 0.5 us * sqrt(1 + cv^2) = 0.71 us.
  CHECK(mean_seconds(lognormal) == Approx(120.0).margin(0.71e-6));

  // The standard deviation is cv * mean = 120 s, so the tolerance is 4 * 120 / sqrt(200000)
  // = 1.07 s.
  const RunningMoments m = sample_seconds(lognormal, 13);
  CHECK(m.mean() == Approx(120.0).margin(mean_tolerance(120.0)));
}

TEST_CASE("discrete empirical durations repeat the values with their weights", "[workload]") {
  // Values 10 s, 20 s, 60 s with weights 1, 1, 2: mean (10 + 20 + 2 * 60) / 4 = 37.5 s,
  // E[X^2] = (100 + 400 + 2 * 3600) / 4 = 1925 s^2, variance 1925 - 37.5^2 = 518.75 s^2.
  const DurationSpec spec = EmpiricalDuration{{10s, 20s, 60s}, {1.0, 1.0, 2.0}};
  REQUIRE(validate(spec).empty());
  CHECK(mean_seconds(spec) == 37.5);

  RandomStream stream{14};
  RunningMoments m;
  int tens = 0;
  int sixties = 0;
  int others = 0;
  for (int i = 0; i < kDraws; ++i) {
    const SimDuration d = sample(spec, stream);
    tens += d == 10s ? 1 : 0;
    sixties += d == 60s ? 1 : 0;
    others += d != 10s && d != 20s && d != 60s ? 1 : 0;
    m.add(to_seconds(d));
  }
  CHECK(others == 0);
  // Tolerance 4 sqrt(518.75 / 200000) = 0.204 s.
  CHECK(m.mean() == Approx(37.5).margin(mean_tolerance(std::sqrt(518.75))));
  // P(10 s) = 1/4 and P(60 s) = 2/4.
  CHECK(tens / double{kDraws} == Approx(0.25).margin(fraction_tolerance(0.25, kDraws)));
  CHECK(sixties / double{kDraws} == Approx(0.5).margin(fraction_tolerance(0.5, kDraws)));
}

TEST_CASE("interpolated empirical durations follow the piecewise-linear CDF", "[workload]") {
  // Sorted values 0, 10 s, 30 s with equal weights: each segment has mass 1/2, so the mean is
  // (5 + 20) / 2 = 12.5 s and E[X^2] = (10^2 / 3 + (30^3 - 10^3) / (3 * 20)) / 2 = 233.33 s^2,
  // variance 233.33 - 12.5^2 = 77.08 s^2. The values are given unsorted on purpose.
  const DurationSpec spec = EmpiricalDuration{{30s, 0s, 10s}, {}, true};
  REQUIRE(validate(spec).empty());
  CHECK(mean_seconds(spec) == 12.5);

  RandomStream stream{15};
  RunningMoments m;
  SimDuration lowest = SimDuration::max();
  SimDuration highest = SimDuration::min();
  for (int i = 0; i < kDraws; ++i) {
    const SimDuration d = sample(spec, stream);
    lowest = std::min(lowest, d);
    highest = std::max(highest, d);
    m.add(to_seconds(d));
  }
  CHECK(lowest >= 0s);
  CHECK(highest <= 30s);
  // Tolerance 4 sqrt(77.08 / 200000) = 0.0785 s.
  CHECK(m.mean() == Approx(12.5).margin(mean_tolerance(std::sqrt(77.083333))));
}

TEST_CASE("samples are rounded to the nearest whole microsecond", "[workload]") {
  // Interpolating between 0 and 1 us draws x uniform on [0, 1) us, which rounds to 0 below
  // 0.5 us and to 1 us from there: each with probability 1/2.
  const DurationSpec spec = EmpiricalDuration{{0us, 1us}, {}, true};
  RandomStream stream{16};
  constexpr int kN = 10'000;
  int ones = 0;
  int others = 0;
  for (int i = 0; i < kN; ++i) {
    const SimDuration d = sample(spec, stream);
    ones += d == 1us ? 1 : 0;
    others += d != 0us && d != 1us ? 1 : 0;
  }
  CHECK(others == 0);
  // Tolerance 4 sqrt(0.25 / 10000) = 0.02.
  CHECK(ones / double{kN} == Approx(0.5).margin(fraction_tolerance(0.5, kN)));
}

TEST_CASE("duration specs report each bad member with what was expected", "[workload]") {
  CHECK(validate(FixedDuration{0s}).empty());
  CHECK(validate(FixedDuration{-1s}) == Problems{{"value", "is -1s (expected a duration >= 0s)"}});
  CHECK(validate(ExponentialDuration{0s}) ==
        Problems{{"mean", "is 0s (expected a positive duration, e.g. 5m)"}});
  CHECK(validate(LognormalDuration{-5s, std::numeric_limits<double>::quiet_NaN()}) ==
        Problems{{"median", "is -5s (expected a positive duration, e.g. 5m)"},
                 {"sigma",
                  "is nan (expected a finite number >= 0, the standard deviation of the "
                  "log of the duration)"}});
  CHECK(validate_lognormal_mean_cv(0s, -1.0) ==
        Problems{{"mean", "is 0s (expected a positive duration, e.g. 5m)"},
                 {"cv",
                  "is -1 (expected a finite number >= 0, the standard deviation over the "
                  "mean)"}});
  // Mean 1 us and cv 10 put the median at 1 / sqrt(101) = 0.0995 us, which rounds to 0.
  CHECK(validate_lognormal_mean_cv(1us, 10.0) ==
        Problems{{"cv",
                  "is 10, which puts the median of a lognormal with mean 1us below half a "
                  "microsecond (expected a smaller cv)"}});
}

TEST_CASE("empirical duration specs report bad values and weights", "[workload]") {
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(validate(EmpiricalDuration{{}}) ==
        Problems{{"values", "is empty (expected at least one duration)"}});
  CHECK(validate(EmpiricalDuration{{1s, -2s, 3s}, {1.0, -1.0, inf}}) ==
        Problems{{"values[1]", "is -2s (expected a duration >= 0s)"},
                 {"weights[1]", "is -1 (expected a finite number >= 0)"},
                 {"weights[2]", "is inf (expected a finite number >= 0)"}});
  CHECK(validate(EmpiricalDuration{{1s, 2s}, {1.0}}) ==
        Problems{{"weights",
                  "is 1 long but values is 2 long (expected one weight per value, "
                  "or none for equal weights)"}});
  CHECK(validate(EmpiricalDuration{{1s, 2s}, {0.0, 0.0}}) ==
        Problems{{"weights", "are all 0 (expected at least one positive weight)"}});
  CHECK(validate(EmpiricalDuration{{1s, 2s}, {1e308, 1e308}}) ==
        Problems{{"weights",
                  "add up to more than the largest double (expected smaller weights, "
                  "e.g. relative frequencies)"}});
  // An invalid spec keeps its inputs for reporting but has no distribution to sample.
  const EmpiricalDuration bad{{-1s}};
  CHECK(bad.values() == std::vector<SimDuration>{-1s});
  CHECK(bad.distribution() == nullptr);
  CHECK(EmpiricalDuration{{1s}}.distribution() != nullptr);
}

}  // namespace ecsim::workload
