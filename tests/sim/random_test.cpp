#include "ecsim/sim/random.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

using ecsim::EmpiricalDistribution;
using ecsim::RandomStream;
using ecsim::RandomStreams;
using ecsim::SimDuration;
using ecsim::Xoshiro256StarStar;

// Statistical checks use fixed seeds, so each is deterministic; the tolerances are 4 standard
// errors (or a 1e-4 chi-square quantile), so a correct implementation would pass for all but
// about 1 seed in 10^4, while a wrong mean, scale or bias is off by many standard errors.

namespace {

constexpr int kDraws = 200'000;

struct Moments {
  double mean = 0.0;
  double variance = 0.0;
};

template <class Draw>
Moments moments_of(int n, Draw draw) {
  double sum = 0.0;
  double sum_sq = 0.0;
  for (int i = 0; i < n; ++i) {
    const double x = draw();
    sum += x;
    sum_sq += x * x;
  }
  const double count = static_cast<double>(n);
  const double mean = sum / count;
  return {mean, (sum_sq - count * mean * mean) / (count - 1.0)};
}

// 4 standard errors of a sample fraction with true probability p over n draws.
double fraction_tolerance(double p, int n) {
  return 4.0 * std::sqrt(p * (1.0 - p) / static_cast<double>(n));
}

}  // namespace

TEST_CASE("xoshiro256** reproduces the reference outputs from state {1, 2, 3, 4}", "[sim]") {
  // By hand: the first output is rotl(s1 * 5, 7) * 9 = rotl(10, 7) * 9 = 1280 * 9 = 11520. The
  // update leaves s = {7, 0, 262146, 6 << 45}, so the second output is rotl(0, 7) * 9 = 0; the
  // next update gives s1 = 262146 ^ 7 = 262149 and the third output rotl(1310745, 7) * 9 =
  // 167775360 * 9 = 1509978240. The rest come from a separate Python transcription of Vigna's
  // xoshiro256starstar.c.
  auto g = Xoshiro256StarStar::from_state({1, 2, 3, 4});
  CHECK(g() == 11520u);
  CHECK(g() == 0u);
  CHECK(g() == 1509978240u);
  CHECK(g() == 1215971899390074240u);
  CHECK(g() == 1216172134540287360u);
  CHECK(g() == 607988272756665600u);

  static_assert(Xoshiro256StarStar::from_state({1, 2, 3, 4})() == 11520u,
                "the generator is usable in constant expressions");
}

TEST_CASE("seeding goes through SplitMix64 as Vigna recommends", "[sim]") {
  // The first four outputs of splitmix64.c from x = 0 (the published reference sequence).
  const Xoshiro256StarStar::State expected{0xe220a8397b1dcdafULL, 0x6e789e6aa1b965f4ULL,
                                           0x06c45d188009454fULL, 0xf88bb8a8724c81ecULL};
  CHECK(Xoshiro256StarStar{0}.state() == expected);

  std::uint64_t state = 0;
  CHECK(ecsim::splitmix64_next(state) == expected[0]);
  CHECK(state == 0x9e3779b97f4a7c15ULL);
  CHECK(ecsim::mix64(0) == 0u);
}

TEST_CASE("fnv1a64 matches the published FNV-1a test vectors at compile time", "[sim]") {
  static_assert(ecsim::fnv1a64("") == 0xcbf29ce484222325ULL);
  static_assert(ecsim::fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
  static_assert(ecsim::fnv1a64("foobar") == 0x85944171f73967e8ULL);
  CHECK(ecsim::fnv1a64("foobar") != ecsim::fnv1a64("foobaR"));
}

TEST_CASE("a named stream's numbers are pinned for every platform", "[sim]") {
  // Computed by a separate Python transcription of FNV-1a, SplitMix64 and xoshiro256**:
  // seed("arrivals") = mix64(mix64(7) ^ fnv1a64("arrivals")), then splitmix-seeded xoshiro.
  const RandomStreams streams{7};
  CHECK(streams.seed_of("arrivals") == 0x8a3a57996432c9dbULL);
  RandomStream arrivals = streams.stream("arrivals");
  CHECK(arrivals.next_u64() == 0xaf00ccf4708478e1ULL);
  CHECK(arrivals.next_u64() == 0x25abc737ee75b7bfULL);
  CHECK(arrivals.next_u64() == 0x53a5491f4479f532ULL);

  // seed("arrivals", 3) = mix64(seed("arrivals") ^ mix64(3 + 0x9e3779b97f4a7c15)).
  CHECK(streams.seed_of("arrivals", 3) == 0xe2eab6e1d6ee3250ULL);
  RandomStream third = streams.stream("arrivals", 3);
  CHECK(third.next_u64() == 0xd8b0c36a2addffddULL);
  CHECK(third.next_u64() == 0x04b069011c8b502aULL);
  CHECK(third.next_u64() == 0xadfc11ff3dd990f6ULL);
}

TEST_CASE("a stream depends only on the root seed, its name and its index", "[sim]") {
  auto first_draws = [](RandomStream stream) {
    std::array<std::uint64_t, 64> out{};
    for (auto& x : out) x = stream.next_u64();
    return out;
  };
  const RandomStreams streams{42};
  const auto reference = first_draws(streams.stream("web.arrivals"));

  SECTION("the same seed and name give the same sequence") {
    CHECK(first_draws(RandomStreams{42}.stream("web.arrivals")) == reference);
    CHECK(first_draws(RandomStream{streams.seed_of("web.arrivals")}) == reference);
  }
  SECTION("other names, indices and seeds give other sequences") {
    CHECK(first_draws(streams.stream("web.durations")) != reference);
    CHECK(first_draws(streams.stream("web.arrivals", 0)) != reference);
    CHECK(first_draws(streams.stream("web.arrivals", 0)) !=
          first_draws(streams.stream("web.arrivals", 1)));
    CHECK(first_draws(RandomStreams{43}.stream("web.arrivals")) != reference);
  }
  SECTION("creating and using other streams before or after does not perturb it") {
    const RandomStreams other{42};
    RandomStream faults = other.stream("faults");
    for (int i = 0; i < 1000; ++i) (void)faults.next_u64();
    RandomStream arrivals = other.stream("web.arrivals");
    RandomStream batch = other.stream("batch.arrivals");
    std::array<std::uint64_t, 64> interleaved{};
    for (auto& x : interleaved) {
      x = arrivals.next_u64();
      (void)batch.normal(0.0, 1.0);
      (void)other.stream("scheduler", 9).next_u64();
    }
    CHECK(interleaved == reference);
  }
}

TEST_CASE("uniform01 uses the top 53 bits and has mean 1/2 and variance 1/12", "[sim]") {
  // The first output from state {1, 2, 3, 4} is 11520, whose top 53 bits are 11520 >> 11 = 5.
  RandomStream pinned{Xoshiro256StarStar::from_state({1, 2, 3, 4})};
  CHECK(pinned.uniform01() == 5.0 * 0x1.0p-53);
  CHECK(pinned.uniform01() == 0.0);

  RandomStream stream{1};
  double lowest = 1.0;
  double highest = 0.0;
  const Moments m = moments_of(kDraws, [&] {
    const double u = stream.uniform01();
    lowest = std::min(lowest, u);
    highest = std::max(highest, u);
    return u;
  });
  CHECK(lowest >= 0.0);
  CHECK(highest < 1.0);
  // Mean: sd = sqrt(1/12) = 0.2887, standard error 0.2887 / sqrt(200000) = 6.5e-4.
  CHECK(m.mean == Approx(0.5).margin(4 * 6.5e-4));
  // Variance: Var((U - 1/2)^2) = 1/80 - 1/144 = 1/180, standard error sqrt(1/180 / 200000)
  // = 1.67e-4.
  CHECK(m.variance == Approx(1.0 / 12.0).margin(4 * 1.67e-4));
}

TEST_CASE("uniform(a, b) stays at or above a and below b with mean (a + b) / 2", "[sim]") {
  RandomStream stream{2};
  bool inside = true;
  const Moments m = moments_of(kDraws, [&] {
    const double x = stream.uniform(-3.0, 5.0);
    inside = inside && x >= -3.0 && x < 5.0;
    return x;
  });
  CHECK(inside);
  // sd = 8 / sqrt(12) = 2.309, standard error 2.309 / sqrt(200000) = 5.2e-3.
  CHECK(m.mean == Approx(1.0).margin(4 * 5.2e-3));
  CHECK(m.variance == Approx(64.0 / 12.0).margin(64.0 * 4 * 1.67e-4));
  CHECK(stream.uniform(2.5, 2.5) == 2.5);
}

TEST_CASE("uniform_int(n) covers 0 to n - 1 evenly", "[sim]") {
  RandomStream stream{3};
  constexpr int kBins = 10;
  constexpr int kSamples = 100'000;
  std::array<int, kBins> counts{};
  bool inside = true;
  for (int i = 0; i < kSamples; ++i) {
    const std::uint64_t k = stream.uniform_int(kBins);
    inside = inside && k < kBins;
    if (k < kBins) ++counts[k];
  }
  REQUIRE(inside);
  const double expected = kSamples / double{kBins};
  double chi_square = 0.0;
  for (const int c : counts) {
    // Each bin is binomial(100000, 0.1): 10000 +- 4 x sqrt(100000 x 0.1 x 0.9) = 10000 +- 380.
    CHECK(std::abs(c - expected) < 380);
    chi_square += (c - expected) * (c - expected) / expected;
  }
  // 9 degrees of freedom: P(chi-square > 33.72) = 1e-4.
  CHECK(chi_square < 33.72);

  for (int i = 0; i < 100; ++i) CHECK(stream.uniform_int(1) == 0u);
}

TEST_CASE("uniform_int has no bias when n is close to 2^64", "[sim]") {
  // n = 3 * 2^62. Unbiased, P(k < 2^62) = P(k mod 3 == 0) = 1/3. x mod n would give
  // P(k < 2^62) = 1/2 (those values have two preimages); multiply-shift without Lemire's
  // rejection, k = floor(3x / 4), would give P(k mod 3 == 0) = 1/2.
  constexpr std::uint64_t n = 3ULL << 62;
  constexpr int kSamples = 30'000;
  RandomStream stream{4};
  int low = 0;
  int multiple_of_three = 0;
  bool inside = true;
  for (int i = 0; i < kSamples; ++i) {
    const std::uint64_t k = stream.uniform_int(n);
    inside = inside && k < n;
    low += k < (1ULL << 62) ? 1 : 0;
    multiple_of_three += k % 3 == 0 ? 1 : 0;
  }
  CHECK(inside);
  const double tolerance = fraction_tolerance(1.0 / 3.0, kSamples);  // 0.011
  CHECK(low / double{kSamples} == Approx(1.0 / 3.0).margin(tolerance));
  CHECK(multiple_of_three / double{kSamples} == Approx(1.0 / 3.0).margin(tolerance));
}

TEST_CASE("bernoulli(p) is true with probability p", "[sim]") {
  RandomStream stream{5};
  int hits = 0;
  for (int i = 0; i < kDraws; ++i) hits += stream.bernoulli(0.3) ? 1 : 0;
  CHECK(hits / double{kDraws} == Approx(0.3).margin(fraction_tolerance(0.3, kDraws)));

  bool never = false;
  bool always = true;
  for (int i = 0; i < 1000; ++i) {
    never = never || stream.bernoulli(0.0);
    always = always && stream.bernoulli(1.0);
  }
  CHECK_FALSE(never);
  CHECK(always);
}

TEST_CASE("exponential(mean) has the requested mean and an exponential tail", "[sim]") {
  RandomStream stream{6};
  constexpr double mean = 2.5;
  int above_mean = 0;
  bool valid = true;
  const Moments m = moments_of(kDraws, [&] {
    const double x = stream.exponential(mean);
    valid = valid && std::isfinite(x) && x >= 0.0;
    above_mean += x > mean ? 1 : 0;
    return x;
  });
  CHECK(valid);
  // sd = mean, standard error 2.5 / sqrt(200000) = 5.59e-3.
  CHECK(m.mean == Approx(mean).margin(4 * 5.59e-3));
  // P(X > mean) = e^-1 = 0.3679 for every exponential, whatever its mean.
  CHECK(above_mean / double{kDraws} ==
        Approx(std::exp(-1.0)).margin(fraction_tolerance(std::exp(-1.0), kDraws)));
  CHECK(stream.exponential(0.0) == 0.0);

  // From state {1, 2, 3, 4} the uniforms are 5 * 2^-53 and then exactly 0: -log(1 - u) is
  // u + O(u^2) for the first, and 0 (not log(0)) for the second.
  RandomStream pinned{Xoshiro256StarStar::from_state({1, 2, 3, 4})};
  CHECK(pinned.exponential(1.0) == Approx(5.0 * 0x1.0p-53).epsilon(1e-9));
  CHECK(pinned.exponential(1.0) == 0.0);
}

TEST_CASE("exponential(SimDuration) returns whole microseconds with the requested mean", "[sim]") {
  using namespace std::chrono_literals;
  RandomStream stream{7};
  constexpr int kSamples = 50'000;
  bool non_negative = true;
  const Moments m = moments_of(kSamples, [&] {
    const SimDuration d = stream.exponential(SimDuration{90s});
    non_negative = non_negative && d >= SimDuration::zero();
    return static_cast<double>(d.count());
  });
  CHECK(non_negative);
  // In microseconds: mean 9e7, standard error 9e7 / sqrt(50000) = 4.02e5.
  CHECK(m.mean == Approx(9e7).margin(4 * 4.02e5));
  CHECK(stream.exponential(SimDuration::zero()) == SimDuration::zero());

  // With mean SimDuration::max(), P(draw >= max) = e^-1: those saturate instead of overflowing.
  int saturated = 0;
  for (int i = 0; i < 1000; ++i) {
    const SimDuration d = stream.exponential(SimDuration::max());
    CHECK(d >= SimDuration::zero());
    saturated += d == SimDuration::max() ? 1 : 0;
  }
  // Binomial(1000, e^-1): 367.9 +- 4 x sqrt(1000 x 0.368 x 0.632) = 367.9 +- 61.
  CHECK(saturated >= 307);
  CHECK(saturated <= 429);
}

TEST_CASE("normal(mean, stddev) has the requested mean and standard deviation", "[sim]") {
  RandomStream stream{8};
  int within_one_sd = 0;
  const Moments m = moments_of(kDraws, [&] {
    const double x = stream.normal(10.0, 3.0);
    within_one_sd += std::abs(x - 10.0) < 3.0 ? 1 : 0;
    return x;
  });
  // Mean: standard error 3 / sqrt(200000) = 6.7e-3. The sample sd has standard error
  // sigma / sqrt(2n) = 3 / sqrt(400000) = 4.74e-3.
  CHECK(m.mean == Approx(10.0).margin(4 * 6.7e-3));
  CHECK(std::sqrt(m.variance) == Approx(3.0).margin(4 * 4.74e-3));
  // P(|Z| < 1) = erf(1 / sqrt(2)) = 0.6827.
  const double p = std::erf(1.0 / std::sqrt(2.0));
  CHECK(within_one_sd / double{kDraws} == Approx(p).margin(fraction_tolerance(p, kDraws)));
}

TEST_CASE("the cached second normal is scaled by the parameters of the call that uses it",
          "[sim]") {
  // Alternating calls: every second call returns the cached half of a polar pair. If the cache
  // held a value already scaled by the previous call's parameters, both means would be wrong
  // by half the difference.
  RandomStream stream{9};
  constexpr int kPairs = 100'000;
  double sum_small = 0.0;
  double sum_large = 0.0;
  double sum_sq_large = 0.0;
  for (int i = 0; i < kPairs; ++i) {
    sum_small += stream.normal(0.0, 1.0);
    const double x = stream.normal(100.0, 10.0);
    sum_large += x;
    sum_sq_large += (x - 100.0) * (x - 100.0);
  }
  // Standard errors: 1 / sqrt(100000) = 3.16e-3 and 10 / sqrt(100000) = 3.16e-2; the sample sd
  // of the second has standard error 10 / sqrt(200000) = 2.24e-2.
  CHECK(sum_small / kPairs == Approx(0.0).margin(4 * 3.16e-3));
  CHECK(sum_large / kPairs == Approx(100.0).margin(4 * 3.16e-2));
  CHECK(std::sqrt(sum_sq_large / kPairs) == Approx(10.0).margin(4 * 2.24e-2));
}

TEST_CASE("lognormal(mu, sigma) has mean exp(mu + sigma^2 / 2)", "[sim]") {
  RandomStream stream{10};
  bool positive = true;
  const Moments m = moments_of(kDraws, [&] {
    const double x = stream.lognormal(1.0, 0.5);
    positive = positive && x > 0.0;
    return x;
  });
  CHECK(positive);
  // Mean exp(1.125) = 3.0802; variance (e^0.25 - 1) e^2.25 = 2.6948, sd 1.6416, standard error
  // 1.6416 / sqrt(200000) = 3.67e-3.
  CHECK(m.mean == Approx(std::exp(1.125)).margin(4 * 3.67e-3));
}

TEST_CASE("lognormal_from_mean_cv gives the parameters of that mean and cv", "[sim]") {
  const ecsim::LognormalParams params = ecsim::lognormal_from_mean_cv(100.0, 0.5);
  // sigma^2 = log(1.25) = 0.22314, mu = log(100) - 0.11157 = 4.49360.
  CHECK(params.sigma == Approx(std::sqrt(std::log(1.25))));
  CHECK(params.mu == Approx(4.49360).margin(1e-5));
  CHECK(std::exp(params.mu + params.sigma * params.sigma / 2) == Approx(100.0));
  CHECK(std::sqrt(std::expm1(params.sigma * params.sigma)) == Approx(0.5));

  RandomStream stream{11};
  const Moments m = moments_of(kDraws, [&] { return stream.lognormal(params); });
  // sd = 0.5 * 100 = 50, standard error 50 / sqrt(200000) = 0.112.
  CHECK(m.mean == Approx(100.0).margin(4 * 0.112));

  const auto degenerate = ecsim::lognormal_from_mean_cv(7.0, 0.0);
  CHECK(stream.lognormal(degenerate) == Approx(7.0));
}

TEST_CASE("a discrete empirical distribution draws values in proportion to their weights",
          "[sim]") {
  const EmpiricalDistribution dist{{10.0, 20.0, 30.0}, {1.0, 2.0, 7.0}};
  // (1 * 10 + 2 * 20 + 7 * 30) / 10 = 26.
  CHECK(dist.mean() == Approx(26.0));
  CHECK(dist.min() == 10.0);
  CHECK(dist.max() == 30.0);

  RandomStream stream{12};
  constexpr int kSamples = 100'000;
  std::array<int, 3> counts{};
  int others = 0;
  for (int i = 0; i < kSamples; ++i) {
    const double x = dist.sample(stream);
    if (x == 10.0)
      ++counts[0];
    else if (x == 20.0)
      ++counts[1];
    else if (x == 30.0)
      ++counts[2];
    else
      ++others;
  }
  CHECK(others == 0);
  const std::array<double, 3> p{0.1, 0.2, 0.7};
  for (std::size_t i = 0; i < p.size(); ++i) {
    CHECK(counts[i] / double{kSamples} == Approx(p[i]).margin(fraction_tolerance(p[i], kSamples)));
  }
}

TEST_CASE("the cumulative-weight search picks the right value at every size", "[sim]") {
  // Value k of n has weight k + 1, so P(k) = 2(k + 1) / (n(n + 1)). An off-by-one in the search
  // shifts whole probabilities between neighbours. 5 standard errors, since there are 561
  // checks (a 5.7e-7 tail each).
  RandomStream stream{17};
  for (int n = 1; n <= 33; ++n) {
    std::vector<double> values;
    std::vector<double> weights;
    for (int k = 0; k < n; ++k) {
      values.push_back(k);
      weights.push_back(k + 1);
    }
    const EmpiricalDistribution dist{values, weights};
    const int samples = 2000 * n;
    std::vector<int> counts(static_cast<std::size_t>(n), 0);
    int outside = 0;
    for (int i = 0; i < samples; ++i) {
      const double x = dist.sample(stream);
      if (x >= 0 && x < n)
        ++counts[static_cast<std::size_t>(x)];
      else
        ++outside;
    }
    INFO("n = " << n);
    CHECK(outside == 0);
    for (int k = 0; k < n; ++k) {
      const double p = 2.0 * (k + 1) / (n * (n + 1.0));
      const double tolerance = 1.25 * fraction_tolerance(p, samples);
      CHECK(counts[static_cast<std::size_t>(k)] / static_cast<double>(samples) ==
            Approx(p).margin(tolerance));
    }
  }
}

TEST_CASE("a value of weight zero is never drawn", "[sim]") {
  const EmpiricalDistribution dist{{1.0, 2.0, 3.0, 4.0}, {1.0, 0.0, 1.0, 0.0}};
  CHECK(dist.mean() == Approx(2.0));
  RandomStream stream{13};
  int ones = 0;
  bool only_positive_weights = true;
  for (int i = 0; i < 10'000; ++i) {
    const double x = dist.sample(stream);
    only_positive_weights = only_positive_weights && (x == 1.0 || x == 3.0);
    ones += x == 1.0 ? 1 : 0;
  }
  CHECK(only_positive_weights);
  CHECK(ones / 10'000.0 == Approx(0.5).margin(fraction_tolerance(0.5, 10'000)));

  RandomStream any{14};
  CHECK(EmpiricalDistribution{{42.0}}.sample(any) == 42.0);
}

TEST_CASE("interpolate follows the piecewise-linear CDF through the sorted values", "[sim]") {
  // Sorted 0, 1, 3, 6 with equal weights: F = 0, 1/3, 2/3, 1 at those points, each segment
  // uniform. Mean by the trapezoid rule: (0 / 2 + 1 + 3 + 6 / 2) / 3 = 7 / 3.
  // E[X^2] = (1/3) sum (a^2 + ab + b^2) / 3 = (1 + 13 + 63) / 9 = 77 / 9, so the variance is
  // 77/9 - 49/9 = 28/9 and the sd 1.764.
  const EmpiricalDistribution dist{{3.0, 0.0, 6.0, 1.0}, EmpiricalDistribution::Mode::interpolate};
  CHECK(dist.mode() == EmpiricalDistribution::Mode::interpolate);
  CHECK(dist.mean() == Approx(7.0 / 3.0));

  RandomStream stream{15};
  constexpr int kSamples = 100'000;
  int up_to_1 = 0;
  int up_to_2 = 0;
  int up_to_3 = 0;
  bool inside = true;
  const Moments m = moments_of(kSamples, [&] {
    const double x = dist.sample(stream);
    inside = inside && x >= 0.0 && x <= 6.0;
    up_to_1 += x <= 1.0 ? 1 : 0;
    up_to_2 += x <= 2.0 ? 1 : 0;
    up_to_3 += x <= 3.0 ? 1 : 0;
    return x;
  });
  CHECK(inside);
  // Standard error of the mean: 1.764 / sqrt(100000) = 5.58e-3.
  CHECK(m.mean == Approx(7.0 / 3.0).margin(4 * 5.58e-3));
  // F(1) = 1/3, F(2) = 1/3 + (1/3)(1/2) = 1/2 (halfway along [1, 3]), F(3) = 2/3.
  CHECK(up_to_1 / double{kSamples} ==
        Approx(1.0 / 3).margin(fraction_tolerance(1.0 / 3, kSamples)));
  CHECK(up_to_2 / double{kSamples} == Approx(0.5).margin(fraction_tolerance(0.5, kSamples)));
  CHECK(up_to_3 / double{kSamples} ==
        Approx(2.0 / 3).margin(fraction_tolerance(2.0 / 3, kSamples)));
}

TEST_CASE("interpolate gives segment i the mass (w_i + w_{i+1}) / 2", "[sim]") {
  using Mode = EmpiricalDistribution::Mode;
  // Weights 0, 1, 1 on 0, 1, 2: masses 0.5 on [0, 1] and 1 on [1, 2], so F(1) = 1/3 and the mean
  // is (1/3)(0.5) + (2/3)(1.5) = 7/6.
  const EmpiricalDistribution dist{{0.0, 1.0, 2.0}, {0.0, 1.0, 1.0}, Mode::interpolate};
  CHECK(dist.mean() == Approx(7.0 / 6.0));
  RandomStream stream{16};
  constexpr int kSamples = 50'000;
  int below_1 = 0;
  for (int i = 0; i < kSamples; ++i) below_1 += dist.sample(stream) < 1.0 ? 1 : 0;
  CHECK(below_1 / double{kSamples} ==
        Approx(1.0 / 3).margin(fraction_tolerance(1.0 / 3, kSamples)));

  // Two values form one segment whatever their weights: uniform on [0, 10], mean 5.
  CHECK(EmpiricalDistribution({0.0, 10.0}, {1.0, 3.0}, Mode::interpolate).mean() == Approx(5.0));

  // A repeated value is an atom: 1, 1, 2 gives F(1) = 1/2, then uniform on [1, 2], so the mean
  // is 0.5 * 1 + 0.5 * 1.5 = 1.25.
  const EmpiricalDistribution atom{{1.0, 2.0, 1.0}, Mode::interpolate};
  CHECK(atom.mean() == Approx(1.25));
  int ones = 0;
  for (int i = 0; i < kSamples; ++i) ones += atom.sample(stream) == 1.0 ? 1 : 0;
  CHECK(ones / double{kSamples} == Approx(0.5).margin(fraction_tolerance(0.5, kSamples)));

  CHECK(EmpiricalDistribution({4.0}, Mode::interpolate).sample(stream) == 4.0);
}

TEST_CASE("an empirical distribution rejects bad input with a clear message", "[sim]") {
  using V = std::vector<double>;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  CHECK_THROWS_MATCHES(EmpiricalDistribution(V{}), std::invalid_argument,
                       Catch::Message("EmpiricalDistribution: no values (expected at least one)"));
  CHECK_THROWS_MATCHES(EmpiricalDistribution(V{1, 2}, V{1}), std::invalid_argument,
                       Catch::Message("EmpiricalDistribution: 1 weights for 2 values (expected "
                                      "one weight per value)"));
  CHECK_THROWS_MATCHES(EmpiricalDistribution(V{1, 2}, V{1, -0.5}), std::invalid_argument,
                       Catch::Message("EmpiricalDistribution: weights[1] is -0.5 (expected a "
                                      "finite number >= 0)"));
  CHECK_THROWS_MATCHES(EmpiricalDistribution(V{1, 2}, V{nan, 1}), std::invalid_argument,
                       Catch::Message("EmpiricalDistribution: weights[0] is nan (expected a "
                                      "finite number >= 0)"));
  CHECK_THROWS_MATCHES(EmpiricalDistribution(V{1, 2}, V{0, 0}), std::invalid_argument,
                       Catch::Message("EmpiricalDistribution: all weights are 0 (expected at "
                                      "least one positive weight)"));
  CHECK_THROWS_MATCHES(EmpiricalDistribution(V{1, inf}), std::invalid_argument,
                       Catch::Message("EmpiricalDistribution: values[1] is inf (expected a "
                                      "finite number)"));
  CHECK_THROWS_MATCHES(
      EmpiricalDistribution(V{1, 2}, V{1e308, 1e308}), std::invalid_argument,
      Catch::Message("EmpiricalDistribution: the weights add up to more than the largest double"));
}
