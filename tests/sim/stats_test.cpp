#include "ecsim/sim/stats.hpp"

#include "ecsim/sim/assert.hpp"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace ecsim {
namespace {

using namespace std::chrono_literals;

SimTime at(SimDuration d) {
  return kSimStart + d;
}

// A deterministic uniform source: Knuth's MMIX 64-bit LCG, top 53 bits mapped into (0, 1).
class Lcg {
 public:
  explicit Lcg(std::uint64_t seed) : state_(seed) {}
  double uniform() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return (static_cast<double>(state_ >> 11) + 0.5) * 0x1p-53;
  }

 private:
  std::uint64_t state_;
};

// Exponential with mean `mean` by inverse CDF: -mean * ln(u).
std::vector<double> exponential_values(std::size_t n, double mean, std::uint64_t seed) {
  Lcg lcg(seed);
  std::vector<double> values(n);
  for (double& v : values) v = -mean * std::log(lcg.uniform());
  return values;
}

// Lognormal exp(sigma * Z), Z standard normal by Box-Muller.
std::vector<double> lognormal_values(std::size_t n, double sigma, std::uint64_t seed) {
  Lcg lcg(seed);
  std::vector<double> values(n);
  for (double& v : values) {
    const double radius = std::sqrt(-2.0 * std::log(lcg.uniform()));
    const double z = radius * std::cos(6.283185307179586 * lcg.uniform());
    v = std::exp(sigma * z);
  }
  return values;
}

// Log-uniform over [10^lo, 10^hi]: 10^(lo + (hi - lo) u).
std::vector<double> log_uniform_values(std::size_t n, double lo, double hi, std::uint64_t seed) {
  Lcg lcg(seed);
  std::vector<double> values(n);
  for (double& v : values) v = std::pow(10.0, lo + (hi - lo) * lcg.uniform());
  return values;
}

// The item of 0-based rank floor(q * (n - 1)) of `sorted`, the sketch's definition.
double exact_quantile(const std::vector<double>& sorted, double q) {
  const auto rank =
      static_cast<std::size_t>(std::floor(q * static_cast<double>(sorted.size() - 1)));
  return sorted[rank];
}

constexpr std::array<double, 5> kProbes = {0.5, 0.9, 0.95, 0.99, 0.999};

// Checks |v - x_q| <= alpha * x_q at every probe, and the exact extremes at q = 0 and 1.
void check_guarantee(const QuantileSketch& sketch, std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const double alpha = sketch.relative_accuracy();
  for (const double q : kProbes) {
    const double exact = exact_quantile(values, q);
    const double v = sketch.quantile(q);
    INFO("q = " << q << ", exact = " << exact << ", sketch = " << v);
    REQUIRE(sketch.quantile_guaranteed(q));
    REQUIRE(std::fabs(v - exact) <= alpha * exact);
  }
  REQUIRE(sketch.quantile(0.0) == values.front());
  REQUIRE(sketch.quantile(1.0) == values.back());
}

QuantileSketch sketch_of(const std::vector<double>& values, double alpha = 0.01,
                         std::size_t max_buckets = 2048) {
  QuantileSketch sketch(alpha, max_buckets);
  for (const double v : values) sketch.add(v);
  return sketch;
}

// --- Counter -----------------------------------------------------------------------------------

TEST_CASE("A counter sums its increments and additions", "[sim]") {
  Counter c;
  REQUIRE(c.value() == 0);
  c.increment();
  c.increment();
  c.add(40);
  // 1 + 1 + 40 = 42
  REQUIRE(c.value() == 42);
  CHECK_THROWS_AS(c.add(UINT64_MAX), InternalError);
}

// --- TimeWeightedGauge -------------------------------------------------------------------------

TEST_CASE("A gauge's mean weights each level by how long it was held", "[sim]") {
  TimeWeightedGauge g(kSimStart, 2.0);
  g.set(at(10s), 5.0);
  // 2 for 10 s then 5 for 30 s: integral = 2*10 + 5*30 = 170, mean = 170 / 40 = 4.25.
  REQUIRE(g.integral(at(40s)) == Approx(170.0).epsilon(1e-15));
  REQUIRE(g.mean(at(40s)) == Approx(4.25).epsilon(1e-15));
  // Reading does not change the gauge: at 20 s, integral = 2*10 + 5*10 = 70, mean = 70/20 = 3.5.
  REQUIRE(g.mean(at(20s)) == Approx(3.5).epsilon(1e-15));
  REQUIRE(g.value() == 5.0);
}

TEST_CASE("A gauge integrates several changes, including one held for no time", "[sim]") {
  TimeWeightedGauge g;  // from kSimStart at level 0
  g.set(at(5s), 4.0);
  g.add(at(15s), -1.0);  // 4 - 1 = 3
  g.set(at(20s), 10.0);
  g.set(at(20s), 1.0);  // 10 is held for 0 s
  // 0*5 + 4*(15-5) + 3*(20-15) + 10*0 + 1*(30-20) = 0 + 40 + 15 + 0 + 10 = 65 level*s;
  // mean over 30 s = 65 / 30 = 2.1666...
  REQUIRE(g.integral(at(30s)) == Approx(65.0).epsilon(1e-15));
  REQUIRE(g.mean(at(30s)) == Approx(65.0 / 30.0).epsilon(1e-15));
  REQUIRE(g.value() == 1.0);
  REQUIRE(g.min() == 0.0);   // the initial level
  REQUIRE(g.max() == 10.0);  // held for zero time, still taken
}

TEST_CASE("A gauge that starts late averages only from its start", "[sim]") {
  TimeWeightedGauge g(at(100s), 3.0);
  g.set(at(110s), 7.0);
  // 3 for 10 s then 7 for 10 s: integral = 30 + 70 = 100, mean = 100 / 20 = 5.
  REQUIRE(g.integral(at(120s)) == Approx(100.0).epsilon(1e-15));
  REQUIRE(g.mean(at(120s)) == Approx(5.0).epsilon(1e-15));
  REQUIRE(g.start() == at(100s));
}

TEST_CASE("A gauge's mean over a zero-length interval is its current level", "[sim]") {
  TimeWeightedGauge g(at(50s), 3.0);
  REQUIRE(g.mean(at(50s)) == 3.0);
  g.set(at(50s), 8.0);
  REQUIRE(g.mean(at(50s)) == 8.0);
  REQUIRE(g.integral(at(50s)) == 0.0);
  REQUIRE(g.min() == 3.0);
  REQUIRE(g.max() == 8.0);
}

TEST_CASE("A gauge's integral does not drift over a million one-microsecond steps", "[sim]") {
  TimeWeightedGauge g;
  SimTime t = kSimStart;
  for (int i = 0; i < 1'000'000; ++i) {
    g.set(t, 0.1);
    t += 1us;
  }
  // 0.1 for 10^6 us = 0.1 level*s exactly: 10^6 * double(0.1) us = 100000.0000000000055 us,
  // which rounds to 100000 us. A plain double sum ends at 100000.00000133288 us instead.
  REQUIRE(g.integral(t) == 0.1);
  REQUIRE(g.mean(t) == 0.1);
}

TEST_CASE("A gauge refuses time that goes backwards", "[sim]") {
  TimeWeightedGauge g(at(10s), 1.0);
  g.set(at(20s), 2.0);
  CHECK_THROWS_AS(g.set(at(19s), 3.0), InternalError);
  CHECK_THROWS_AS((void)g.mean(at(15s)), InternalError);
  CHECK_THROWS_AS(g.set(at(30s), std::nan("")), InternalError);
}

// --- RunningMoments ----------------------------------------------------------------------------

TEST_CASE("Running moments match the hand-computed mean and sample variance", "[sim]") {
  RunningMoments m;
  for (const double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) m.add(x);
  // mean = 40 / 8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32; variance = 32 / 7 = 4.5714...
  REQUIRE(m.count() == 8);
  REQUIRE(m.mean() == Approx(5.0).epsilon(1e-15));
  REQUIRE(m.variance() == Approx(32.0 / 7.0).epsilon(1e-14));
  // stddev = sqrt(32 / 7) = 2.13808993...
  REQUIRE(m.stddev() == Approx(2.13808993).epsilon(1e-8));
}

TEST_CASE("Running moments stay exact far from zero", "[sim]") {
  RunningMoments m;
  for (const double x : {4.0, 7.0, 13.0, 16.0}) m.add(1e9 + x);
  // mean = 1e9 + 40/4 = 1e9 + 10; deviations -6, -3, 3, 6: variance = (36+9+9+36) / 3 = 30.
  // (Summing squares of ~1e9 values would lose every digit of this.)
  REQUIRE(m.mean() == 1e9 + 10.0);
  REQUIRE(m.variance() == Approx(30.0).epsilon(1e-12));
}

TEST_CASE("Merged running moments equal the moments of the combined sample", "[sim]") {
  RunningMoments a;
  RunningMoments b;
  for (const double x : {2.0, 4.0, 4.0, 4.0}) a.add(x);
  for (const double x : {5.0, 5.0, 7.0, 9.0}) b.add(x);
  // a: mean 3.5, M2 = 2.25 + 3*0.25 = 3, variance 3/3 = 1.
  // b: mean 6.5, M2 = 2.25 + 2.25 + 0.25 + 6.25 = 11, variance 11/3.
  REQUIRE(a.variance() == Approx(1.0).epsilon(1e-15));
  REQUIRE(b.variance() == Approx(11.0 / 3.0).epsilon(1e-15));
  a.merge(b);
  // Chan: delta = 3, M2 = 3 + 11 + 3^2 * 4*4/8 = 32; mean 5, variance 32/7, as for all 8 at once.
  REQUIRE(a.count() == 8);
  REQUIRE(a.mean() == Approx(5.0).epsilon(1e-15));
  REQUIRE(a.variance() == Approx(32.0 / 7.0).epsilon(1e-14));

  RunningMoments empty;
  RunningMoments copy = empty;
  copy.merge(a);  // empty <- a is a copy of a
  REQUIRE(copy.count() == 8);
  REQUIRE(copy.variance() == Approx(32.0 / 7.0).epsilon(1e-14));
  a.merge(empty);  // a <- empty changes nothing
  REQUIRE(a.count() == 8);
  REQUIRE(a.mean() == Approx(5.0).epsilon(1e-15));
}

TEST_CASE("Running moments of fewer than two values have zero variance", "[sim]") {
  RunningMoments m;
  REQUIRE(m.count() == 0);
  REQUIRE(m.mean() == 0.0);
  REQUIRE(m.variance() == 0.0);
  m.add(7.5);
  REQUIRE(m.mean() == 7.5);
  REQUIRE(m.variance() == 0.0);
  REQUIRE(m.stddev() == 0.0);
}

// --- Student t and confidence intervals --------------------------------------------------------

TEST_CASE("Student t 97.5% quantiles match published tables", "[sim]") {
  // Two-sided 95% critical values from standard t tables (NIST/SEMATECH e-Handbook 1.3.6.7.2).
  REQUIRE(student_t_quantile_975(1) == Approx(12.706).margin(1e-3));
  REQUIRE(student_t_quantile_975(10) == Approx(2.228).margin(1e-3));
  REQUIRE(student_t_quantile_975(30) == Approx(2.042).margin(1e-3));
  REQUIRE(student_t_quantile_975(100) == Approx(1.984).margin(1e-3));
  REQUIRE(student_t_quantile_975(1000) == Approx(1.962).margin(1e-3));
}

TEST_CASE("Student t quantiles beyond the table follow the Cornish-Fisher expansion", "[sim]") {
  // z = 1.959964, z^2 = 3.841459, z^4 = 14.756810:
  // g1 = z (z^2 + 1) / 4 = 1.959964 * 4.841459 / 4 = 2.372298
  // g2 = z (5 z^4 + 16 z^2 + 3) / 96 = 1.959964 * 138.247389 / 96 = 2.822497
  // df = 100: z + g1/100 + g2/100^2 = 1.959964 + 0.023723 + 0.000282 = 1.983969,
  // and g3/100^3 adds 2.6e-6: 1.983972 (exact 1.9839715).
  REQUIRE(student_t_quantile_975(100) == Approx(1.983972).margin(2e-6));
  // df = 10^6: z + g1/10^6 = 1.959964 + 0.0000024 = 1.9599664.
  REQUIRE(student_t_quantile_975(1'000'000) == Approx(1.9599664).margin(1e-7));
  // The table and the expansion join smoothly: each df has a smaller t than the one before.
  for (std::size_t df = 2; df <= 200; ++df) {
    INFO("df = " << df);
    REQUIRE(student_t_quantile_975(df) < student_t_quantile_975(df - 1));
  }
}

TEST_CASE("A 95% confidence interval of replications is derived from Student t", "[sim]") {
  const std::vector<double> samples = {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0};
  const ConfidenceInterval ci = ci95(samples);
  // mean 5, s^2 = 32/7, s / sqrt(8) = sqrt(32/56) = sqrt(4/7) = 0.7559289;
  // half width = t_{0.975,7} * 0.7559289 = 2.3646243 * 0.7559289 = 1.7874879.
  REQUIRE(ci.n == 8);
  REQUIRE(ci.mean == Approx(5.0).epsilon(1e-15));
  REQUIRE(ci.half_width == Approx(1.7874879).margin(1e-6));

  // {1, 3}: mean 2, s^2 = (1 + 1) / 1 = 2, s / sqrt(2) = 1, half width = t_{0.975,1} = 12.7062.
  const std::vector<double> pair = {1.0, 3.0};
  REQUIRE(ci95(pair).half_width == Approx(12.7062047).margin(1e-6));

  RunningMoments m;
  for (const double x : samples) m.add(x);
  REQUIRE(ci95(m).half_width == ci.half_width);
}

TEST_CASE("A confidence interval of fewer than two samples has zero half width", "[sim]") {
  const std::vector<double> one = {4.5};
  const ConfidenceInterval ci = ci95(one);
  REQUIRE(ci.n == 1);
  REQUIRE(ci.mean == 4.5);
  REQUIRE(ci.half_width == 0.0);
  const ConfidenceInterval none = ci95(std::span<const double>{});
  REQUIRE(none.n == 0);
  REQUIRE(none.half_width == 0.0);
}

// --- QuantileSketch ----------------------------------------------------------------------------

TEST_CASE("A sketch answers the item of rank floor(q (n - 1))", "[sim]") {
  QuantileSketch sketch;  // alpha = 0.01
  for (int i = 1; i <= 10; ++i) sketch.add(static_cast<double>(i));
  // q = 0.95: rank floor(0.95 * 9) = floor(8.55) = 8, the 9th item = 9, so v in [8.91, 9.09]
  // (nearest rank would give 10, interpolation 9.55).
  REQUIRE(sketch.quantile(0.95) == Approx(9.0).margin(0.09));
  // q = 0.5: rank floor(4.5) = 4, item 5, v in [4.95, 5.05].
  REQUIRE(sketch.quantile(0.5) == Approx(5.0).margin(0.05));
  // Exact aggregates: count 10, sum 1 + ... + 10 = 55, mean 5.5, min 1, max 10.
  REQUIRE(sketch.count() == 10);
  REQUIRE(sketch.sum() == 55.0);
  REQUIRE(sketch.mean() == 5.5);
  REQUIRE(sketch.min() == 1.0);
  REQUIRE(sketch.max() == 10.0);
  REQUIRE(sketch.quantile(0.0) == 1.0);
  REQUIRE(sketch.quantile(1.0) == 10.0);
}

TEST_CASE("A sketch counts values below its indexable minimum as zero", "[sim]") {
  QuantileSketch sketch;
  for (const double x : {0.0, 0.0, 1e-12, 5.0}) sketch.add(x);
  // Sorted 0, 0, 1e-12, 5. q = 0.5: rank floor(1.5) = 1, item 0; q = 0.9: rank floor(2.7) = 2,
  // item 1e-12, answered by the exact minimum 0 (within kMinIndexable = 1e-9).
  REQUIRE(sketch.quantile(0.5) == 0.0);
  REQUIRE(sketch.quantile(0.9) == 0.0);
  REQUIRE(sketch.quantile(1.0) == 5.0);
  REQUIRE(sketch.bucket_count() == 1);  // only 5 has a bucket
}

TEST_CASE("An empty sketch answers zero", "[sim]") {
  const QuantileSketch sketch;
  REQUIRE(sketch.count() == 0);
  REQUIRE(sketch.quantile(0.5) == 0.0);
  REQUIRE(sketch.mean() == 0.0);
  REQUIRE(sketch.min() == 0.0);
  REQUIRE(sketch.max() == 0.0);
  REQUIRE(sketch.quantile_guaranteed(0.5));
}

TEST_CASE("A sketch refuses negative, NaN and infinite values", "[sim]") {
  QuantileSketch sketch;
  CHECK_THROWS_AS(sketch.add(-1e-3), InternalError);
  CHECK_THROWS_AS(sketch.add(std::nan("")), InternalError);
  CHECK_THROWS_AS(sketch.add(HUGE_VAL), InternalError);
  CHECK_THROWS_AS((void)sketch.quantile(1.5), InternalError);
}

TEST_CASE("A sketch of 100k exponential values is within alpha of the exact quantiles", "[sim]") {
  // Exponential, mean 2: spans about ln(1e5) = 11.5 e-folds below the mean and a few above, i.e.
  // ~16 / ln(gamma) = 16 / 0.0200 = 800 buckets at alpha 0.01, far under 2048: no collapse.
  const std::vector<double> values = exponential_values(100'000, 2.0, 42);
  const QuantileSketch sketch = sketch_of(values);
  REQUIRE_FALSE(sketch.collapsed());
  REQUIRE(sketch.count() == 100'000);
  check_guarantee(sketch, values);

  double naive_sum = 0.0;
  for (const double v : values) naive_sum += v;
  REQUIRE(sketch.sum() == Approx(naive_sum).epsilon(1e-12));
  REQUIRE(sketch.mean() == Approx(naive_sum / 100'000.0).epsilon(1e-12));
}

TEST_CASE("A sketch of 100k lognormal values is within alpha of the exact quantiles", "[sim]") {
  // Lognormal, sigma 2: about +-4.4 sigma = +-8.8 e-folds, 17.6 / 0.0200 = 880 buckets.
  const std::vector<double> values = lognormal_values(100'000, 2.0, 7);
  SECTION("at alpha 0.01") {
    const QuantileSketch sketch = sketch_of(values, 0.01);
    REQUIRE_FALSE(sketch.collapsed());
    check_guarantee(sketch, values);
  }
  SECTION("at alpha 0.001, with enough buckets") {
    // 17.6 / ln(1.001 / 0.999) = 17.6 / 0.0020 = 8800 buckets: allow 16384.
    const QuantileSketch sketch = sketch_of(values, 0.001, 16384);
    REQUIRE_FALSE(sketch.collapsed());
    check_guarantee(sketch, values);
  }
}

TEST_CASE("A sketch of values spanning 1e-6..1e12 keeps at most max_buckets buckets", "[sim]") {
  // 18 decades need ln(1e18) / ln(1.01 / 0.99) = 41.45 / 0.0200 = 2072 buckets > 2048, so the
  // lowest collapse: the kept range reaches down to 1e12 / e^(2047 * 0.0200) = 1.7e-6.
  const std::vector<double> values = log_uniform_values(100'000, -6.0, 12.0, 3);
  const QuantileSketch sketch = sketch_of(values);
  REQUIRE(sketch.bucket_count() == 2048);
  REQUIRE(sketch.collapsed());
  // q = 0.001 lies near 10^(-6 + 0.018) = 1.04e-6, inside the collapsed bucket.
  REQUIRE_FALSE(sketch.quantile_guaranteed(0.001));
  // The others (1e3 and up) keep the guarantee.
  check_guarantee(sketch, values);

  SECTION("whatever order the values come in") {
    // Geometric sweeps 1e-6 -> 1e12 (growing upwards, collapsing the bottom) and 1e12 -> 1e-6
    // (growing downwards until full, then counting lower values in the lowest bucket).
    for (const bool upwards : {true, false}) {
      QuantileSketch sweep;
      std::size_t most_buckets = 0;
      for (int i = 0; i <= 18'000; ++i) {
        const double exponent = upwards ? -6.0 + i / 1000.0 : 12.0 - i / 1000.0;
        sweep.add(std::pow(10.0, exponent));
        most_buckets = std::max(most_buckets, sweep.bucket_count());
      }
      INFO("upwards = " << upwards);
      REQUIRE(most_buckets == 2048);
      REQUIRE(sweep.collapsed());
      REQUIRE(sweep.count() == 18'001);
      // The top stays guaranteed: q = 0.99 is rank floor(0.99 * 18000) = 17820, the item
      // 10^(-6 + 17820/1000) = 10^11.82 whichever the order.
      REQUIRE(sweep.quantile_guaranteed(0.99));
      REQUIRE(sweep.quantile(0.99) == Approx(std::pow(10.0, 11.82)).epsilon(0.01));
      REQUIRE_FALSE(sweep.quantile_guaranteed(0.001));
    }
  }
}

TEST_CASE("A sketch folds its whole range when a value lands far above it", "[sim]") {
  QuantileSketch narrow(0.01, 4);
  narrow.add(1.0);
  narrow.add(100.0);
  // ln(gamma) = ln(1.01 / 0.99) = 0.0200007: 1.0 is bucket ceil(0) = 0 and 100 is bucket
  // ceil(4.60517 / 0.0200007) = ceil(230.25) = 231. Four buckets keep 228..231, so 1.0 is counted
  // in bucket 228, answered by 0.99 * gamma^228 = 0.99 * e^(228 * 0.0200007) = 94.64.
  REQUIRE(narrow.bucket_count() == 4);
  REQUIRE(narrow.collapsed());
  // q = 0.5: rank floor(0.5 * 1) = 0, the item 1.0, now in the collapsed bucket.
  REQUIRE(narrow.quantile(0.5) == Approx(94.64).margin(0.01));
  REQUIRE_FALSE(narrow.quantile_guaranteed(0.5));
  REQUIRE(narrow.quantile(0.0) == 1.0);
  REQUIRE(narrow.quantile(1.0) == 100.0);
  REQUIRE(narrow.quantile_guaranteed(1.0));

  SECTION("and a merge carries the collapse into a wide sketch") {
    QuantileSketch wide;
    wide.add(1e-3);  // bucket ceil(ln(1e-3) / 0.0200007) = ceil(-345.38) = -345
    REQUIRE_FALSE(wide.collapsed());
    wide.merge(narrow);
    // Buckets -345..231 = 231 + 345 + 1 = 577; sorted items 1e-3, 1, 100: q = 0.5 is rank
    // floor(0.5 * 2) = 1, the item 1.0, still answered by collapsed bucket 228.
    REQUIRE(wide.bucket_count() == 577);
    REQUIRE(wide.collapsed());
    REQUIRE(wide.quantile(0.5) == Approx(94.64).margin(0.01));
    REQUIRE_FALSE(wide.quantile_guaranteed(0.5));
    REQUIRE(wide.quantile(0.0) == 1e-3);
  }
}

TEST_CASE("Merging two sketches equals one sketch fed both streams", "[sim]") {
  SECTION("without collapse") {
    const std::vector<double> first = exponential_values(20'000, 2.0, 11);
    const std::vector<double> second = lognormal_values(20'000, 1.5, 12);
    QuantileSketch merged = sketch_of(first);
    merged.merge(sketch_of(second));
    QuantileSketch both = sketch_of(first);
    for (const double v : second) both.add(v);

    REQUIRE(merged.count() == both.count());
    REQUIRE(merged.sum() == Approx(both.sum()).epsilon(1e-14));
    REQUIRE(merged.min() == both.min());
    REQUIRE(merged.max() == both.max());
    REQUIRE(merged.bucket_count() == both.bucket_count());
    for (int i = 0; i <= 1000; ++i) {
      const double q = i / 1000.0;
      INFO("q = " << q);
      REQUIRE(merged.quantile(q) == both.quantile(q));
    }
    std::vector<double> all = first;
    all.insert(all.end(), second.begin(), second.end());
    check_guarantee(merged, all);
  }
  SECTION("when the combined range collapses") {
    // 1e-6..1e3 alone fits (20.7 / 0.0200 = 1036 buckets); adding 1e3..1e12 needs 2072.
    const std::vector<double> low = log_uniform_values(10'000, -6.0, 3.0, 21);
    const std::vector<double> high = log_uniform_values(10'000, 3.0, 12.0, 22);
    QuantileSketch merged = sketch_of(low);
    REQUIRE_FALSE(merged.collapsed());
    merged.merge(sketch_of(high));
    QuantileSketch both = sketch_of(low);
    for (const double v : high) both.add(v);

    REQUIRE(merged.collapsed());
    REQUIRE(merged.bucket_count() == 2048);
    REQUIRE(merged.bucket_count() == both.bucket_count());
    for (int i = 0; i <= 1000; ++i) {
      const double q = i / 1000.0;
      INFO("q = " << q);
      REQUIRE(merged.quantile(q) == both.quantile(q));
      REQUIRE(merged.quantile_guaranteed(q) == both.quantile_guaranteed(q));
    }
  }
  SECTION("into and from an empty sketch") {
    const std::vector<double> values = exponential_values(1'000, 1.0, 5);
    const QuantileSketch full = sketch_of(values);
    QuantileSketch empty;
    empty.merge(full);
    QuantileSketch copy = full;
    copy.merge(QuantileSketch{});
    for (const double q : kProbes) {
      REQUIRE(empty.quantile(q) == full.quantile(q));
      REQUIRE(copy.quantile(q) == full.quantile(q));
    }
    REQUIRE(empty.min() == full.min());
    REQUIRE(empty.count() == 1'000);
  }
}

}  // namespace
}  // namespace ecsim
