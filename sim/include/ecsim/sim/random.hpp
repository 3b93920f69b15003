#pragma once

/// Reproducible randomness: the xoshiro256** generator, our own distributions (std:: ones are
/// implementation-defined, so they differ between standard libraries), empirical distributions,
/// and named streams split from one root seed.
///
/// Reproducibility: integer and uniform draws (`next_u64`, `uniform01`, `uniform`, `uniform_int`,
/// `bernoulli`, discrete `EmpiricalDistribution`) are bit-identical on every platform. Draws
/// that go through `std::log` or `std::exp` (`exponential`, `normal`, `lognormal`) are
/// bit-identical wherever the C library computes those functions identically (e.g. the same
/// glibc version); across C libraries they may differ in the last bits.

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string_view>
#include <vector>

#include "ecsim/sim/assert.hpp"
#include "ecsim/sim/time.hpp"

namespace ecsim {

/// The SplitMix64 output function: a bijective mix of the 64 bits of `x` (Stafford's variant 13).
[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// Advances the SplitMix64 `state` (owned by the caller) and returns its next 64-bit output.
constexpr std::uint64_t splitmix64_next(std::uint64_t& state) noexcept {
  state += 0x9e3779b97f4a7c15ULL;
  return mix64(state);
}

/// The 64-bit FNV-1a hash of the bytes of `text`: stable across platforms and releases.
[[nodiscard]] constexpr std::uint64_t fnv1a64(std::string_view text) noexcept {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

/// The xoshiro256** 1.0 generator of Blackman and Vigna: 256 bits of state, period 2^256 - 1,
/// 64-bit outputs; a std::uniform_random_bit_generator.
class Xoshiro256StarStar {
 public:
  using result_type = std::uint64_t;
  /// The four 64-bit words of state, in the order of the reference implementation's `s[0..3]`.
  using State = std::array<std::uint64_t, 4>;

  /// A generator whose state is the first four SplitMix64 outputs from `seed` (never all zero).
  constexpr explicit Xoshiro256StarStar(std::uint64_t seed) noexcept {
    for (auto& word : s_) word = splitmix64_next(seed);
  }

  /// A generator with exactly `state` (for reference tests); the state must not be all zero.
  static constexpr Xoshiro256StarStar from_state(const State& state) {
    ECSIM_ASSERT((state[0] | state[1] | state[2] | state[3]) != 0,
                 "xoshiro256** cannot leave the all-zero state");
    return Xoshiro256StarStar{state};
  }

  /// The smallest value `operator()` returns.
  static constexpr result_type min() noexcept { return 0; }
  /// The largest value `operator()` returns.
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  /// The next 64 uniformly distributed bits.
  constexpr result_type operator()() noexcept {
    const std::uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = std::rotl(s_[3], 45);
    return result;
  }

  /// The current state (a copy, so it can be saved and restored with `from_state`).
  [[nodiscard]] constexpr State state() const noexcept { return s_; }

  friend constexpr bool operator==(const Xoshiro256StarStar&,
                                   const Xoshiro256StarStar&) noexcept = default;

 private:
  constexpr explicit Xoshiro256StarStar(const State& state) noexcept : s_(state) {}

  State s_{};
};

static_assert(std::uniform_random_bit_generator<Xoshiro256StarStar>);

namespace detail {

// GCC and Clang (the compilers ecsim supports) provide a 128-bit integer on 64-bit targets;
// __extension__ keeps -Wpedantic quiet about it.
__extension__ using U128 = unsigned __int128;

/// The high 64 bits of the 128-bit product `a * b`; the low 64 bits go to `low`.
constexpr std::uint64_t mul_64x64(std::uint64_t a, std::uint64_t b, std::uint64_t& low) noexcept {
  const U128 product = static_cast<U128>(a) * b;
  low = static_cast<std::uint64_t>(product);
  return static_cast<std::uint64_t>(product >> 64);
}

}  // namespace detail

/// The parameters `mu`, `sigma` of the normal distribution underlying a lognormal.
struct LognormalParams {
  /// The mean of log(X).
  double mu = 0.0;
  /// The standard deviation of log(X), >= 0.
  double sigma = 0.0;
};

/// The lognormal parameters with mean `mean` (> 0) and coefficient of variation `cv` (>= 0, the
/// standard deviation over the mean): sigma^2 = log(1 + cv^2), mu = log(mean) - sigma^2 / 2.
[[nodiscard]] LognormalParams lognormal_from_mean_cv(double mean, double cv);

/// One independent sequence of random numbers with reproducible distributions; owns its
/// generator, so copying a stream copies its future draws.
class RandomStream {
 public:
  /// A stream whose generator is seeded from `seed` through SplitMix64.
  explicit RandomStream(std::uint64_t seed) noexcept : engine_(seed) {}
  /// A stream that continues from `engine` (copied).
  explicit RandomStream(const Xoshiro256StarStar& engine) noexcept : engine_(engine) {}

  /// The next 64 uniformly distributed bits.
  std::uint64_t next_u64() noexcept { return engine_(); }

  /// A double uniform on [0, 1): the top 53 bits of one draw, so every multiple of 2^-53.
  double uniform01() noexcept { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  /// A double uniform on [a, b), for finite a <= b (returns a when a == b).
  double uniform(double a, double b) {
    ECSIM_ASSERT(a <= b, "uniform(a, b) needs a <= b");
    const double x = a + (b - a) * uniform01();
    // a + (b - a) * u can round up to b when u is just below 1; keep the interval half-open.
    return x < b ? x : std::nextafter(b, a);
  }

  /// An integer uniform on [0, n), n > 0, without modulo bias (Lemire 2019: multiply-shift with
  /// rejection of the at most n - 1 biased low products; one draw in all but rare cases).
  std::uint64_t uniform_int(std::uint64_t n) {
    ECSIM_ASSERT(n > 0, "uniform_int(n) needs n > 0");
    std::uint64_t low = 0;
    std::uint64_t high = detail::mul_64x64(engine_(), n, low);
    if (low < n) [[unlikely]] {
      const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
      while (low < threshold) high = detail::mul_64x64(engine_(), n, low);
    }
    return high;
  }

  /// True with probability `p` in [0, 1] (p = 0 never, p = 1 always).
  bool bernoulli(double p) {
    ECSIM_ASSERT(p >= 0.0 && p <= 1.0, "bernoulli(p) needs p in [0, 1]");
    return uniform01() < p;
  }

  /// An exponential variate with mean `mean` (>= 0, any unit) by inverse CDF,
  /// -mean * log(1 - u) with u = uniform01(), so never log(0); at most 36.74 * mean.
  double exponential(double mean) {
    ECSIM_ASSERT(mean >= 0.0, "exponential(mean) needs mean >= 0");
    // u is a multiple of 2^-53 in [0, 1), so 1 - u is exact and in [2^-53, 1]: log is as
    // accurate here as log1p(-u), and twice as fast.
    return -mean * std::log(1.0 - uniform01());
  }

  /// An exponential duration with mean `mean` (>= 0), rounded to the nearest microsecond and
  /// saturating at SimDuration::max().
  SimDuration exponential(SimDuration mean) {
    const double micros = exponential(static_cast<double>(mean.count()));
    // 2^63 is the first double above every int64; llround beyond it is undefined.
    if (!(micros < 0x1.0p63)) return SimDuration::max();
    return SimDuration{static_cast<SimDuration::rep>(std::llround(micros))};
  }

  /// A normal variate with mean `mean` and standard deviation `stddev` (>= 0), by Marsaglia's
  /// polar method. Each polar step yields two standard normals: the second is cached in the
  /// stream and returned (scaled by that call's own parameters) by the next call, so normals
  /// consume 2 uniforms per pair plus rejections (about 27% of pairs).
  double normal(double mean, double stddev) {
    ECSIM_ASSERT(stddev >= 0.0, "normal(mean, stddev) needs stddev >= 0");
    double z;
    if (has_cached_normal_) {
      has_cached_normal_ = false;
      z = cached_normal_;
    } else {
      z = standard_normal_pair();
    }
    return mean + stddev * z;
  }

  /// A lognormal variate exp(N(mu, sigma)): `mu` and `sigma` (>= 0) are the mean and standard
  /// deviation of its logarithm, so its mean is exp(mu + sigma^2 / 2); uses `normal`.
  double lognormal(double mu, double sigma) { return std::exp(normal(mu, sigma)); }

  /// A lognormal variate with the parameters `params` (see `lognormal_from_mean_cv`).
  double lognormal(const LognormalParams& params) {
    return lognormal(params.mu, params.sigma);
  }

  /// The generator, for algorithms that take a uniform random bit generator (not std::
  /// distributions: those are not reproducible across standard libraries).
  Xoshiro256StarStar& engine() noexcept { return engine_; }

 private:
  // Draws one polar pair, caches the second standard normal and returns the first.
  double standard_normal_pair() noexcept;

  Xoshiro256StarStar engine_;
  double cached_normal_ = 0.0;
  bool has_cached_normal_ = false;
};

/// A distribution given by sample values and optional non-negative weights; owns copies of them.
class EmpiricalDistribution {
 public:
  /// How `sample` uses the values.
  enum class Mode {
    /// Returns one of the values, value i with probability w_i / sum(w).
    discrete,
    /// Samples the piecewise-linear CDF through the sorted values x_0 <= ... <= x_{n-1}:
    /// the segment [x_i, x_{i+1}] is chosen with probability proportional to
    /// (w_i + w_{i+1}) / 2, then a point uniform within it. With equal weights this is the
    /// continuous empirical distribution of Law & Kelton, F(x_i) = i / (n - 1), whose mean is
    /// the trapezoid rule (x_0 / 2 + x_1 + ... + x_{n-2} + x_{n-1} / 2) / (n - 1). Results stay
    /// in [x_0, x_{n-1}]; repeated values make atoms; weights are not counts (weight 2 is not
    /// the same as listing a value twice); one value always returns that value.
    interpolate,
  };

  /// Equally weighted `values` (finite); throws std::invalid_argument if there are none.
  explicit EmpiricalDistribution(std::vector<double> values, Mode mode = Mode::discrete);

  /// `values` (finite) with `weights` (one each, finite, >= 0, not all 0); throws
  /// std::invalid_argument saying which input is wrong.
  EmpiricalDistribution(std::vector<double> values, std::vector<double> weights,
                        Mode mode = Mode::discrete);

  /// One draw using `stream` (one uniform per draw; a binary search on the cumulative weights).
  double sample(RandomStream& stream) const noexcept;

  /// The exact mean of the distribution `sample` draws from (see `Mode`).
  [[nodiscard]] double mean() const noexcept { return mean_; }
  /// The smallest value.
  [[nodiscard]] double min() const noexcept { return min_; }
  /// The largest value.
  [[nodiscard]] double max() const noexcept { return max_; }
  /// The sampling mode.
  [[nodiscard]] Mode mode() const noexcept { return mode_; }

 private:
  // discrete: the values in input order, cumulative_[i] = w_0 + ... + w_i.
  // interpolate: the values sorted, cumulative_[i] = mass of segments 0..i (n - 1 segments).
  std::vector<double> values_;
  std::vector<double> cumulative_;
  Mode mode_;
  double mean_ = 0.0;
  double min_ = 0.0;
  double max_ = 0.0;
};

/// The named random streams of one run, all derived from one root seed and nothing else.
///
/// stream(name) is seeded with mix64(mix64(root) ^ fnv1a64(name)), and stream(name, index) with
/// mix64(seed(name) ^ mix64(index + 0x9e3779b97f4a7c15)); the generator is then seeded from that
/// through SplitMix64. A stream's numbers therefore depend only on (root seed, name[, index]):
/// creating, using or adding other streams, in any order, never changes them, and the same
/// inputs give the same numbers on every platform. For a given root, distinct names (with
/// distinct FNV-1a hashes) get distinct seeds, and so do distinct indices of one name, since
/// every step is a bijection.
class RandomStreams {
 public:
  /// The streams of a run with seed `root_seed`.
  explicit RandomStreams(std::uint64_t root_seed) noexcept : root_seed_(root_seed) {}

  /// The run's root seed.
  [[nodiscard]] std::uint64_t root_seed() const noexcept { return root_seed_; }

  /// The seed of the stream `name` (for logs: RandomStream(seed_of(name)) equals stream(name)).
  [[nodiscard]] std::uint64_t seed_of(std::string_view name) const noexcept;
  /// The seed of substream `index` of `name` (per replication, per entity).
  [[nodiscard]] std::uint64_t seed_of(std::string_view name, std::uint64_t index) const noexcept;

  /// A fresh stream `name`, owned by the caller; each call starts the same sequence again.
  [[nodiscard]] RandomStream stream(std::string_view name) const noexcept {
    return RandomStream{seed_of(name)};
  }
  /// A fresh substream `index` of `name`, owned by the caller, independent of stream(name).
  [[nodiscard]] RandomStream stream(std::string_view name, std::uint64_t index) const noexcept {
    return RandomStream{seed_of(name, index)};
  }

 private:
  std::uint64_t root_seed_;
};

}  // namespace ecsim
