#include "ecsim/workload/arrivals.hpp"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <numbers>
#include <vector>

#include "allocation_counter.hpp"
#include "ecsim/sim/stats.hpp"
#include "ecsim/workload/durations.hpp"
#include "test_support.hpp"

// Statistical checks use fixed seeds, so each is deterministic; the tolerances are 4 standard
// errors (or a 1e-4 chi-square quantile), so a correct implementation passes for all but about
// 1 seed in 10^4, while a wrong rate or phase is off by many standard errors.

namespace ecsim::workload {
namespace {

using namespace std::chrono_literals;

// The first `n` arrival instants of `spec` drawn from a stream seeded with `seed`.
std::vector<SimTime> first_arrivals(const ArrivalSpec& spec, std::uint64_t seed, int n) {
  ArrivalGenerator generator{spec};
  RandomStream stream{seed};
  std::vector<SimTime> out;
  for (int i = 0; i < n; ++i) {
    const auto arrival = generator.next(stream);
    if (!arrival) break;
    out.push_back(arrival->at);
  }
  return out;
}

std::vector<SimTime> instants(std::initializer_list<SimDuration> offsets) {
  std::vector<SimTime> out;
  for (const SimDuration d : offsets) out.push_back(kSimStart + d);
  return out;
}

std::shared_ptr<const std::vector<TraceRecord>> records(std::vector<TraceRecord> r) {
  return std::make_shared<const std::vector<TraceRecord>>(std::move(r));
}

// The expected number of arrivals of `d` in [a, b] (seconds): the integral of its rate,
// m (b - a) + m A P / (2 pi) [sin(2 pi (b - peak) / P) - sin(2 pi (a - peak) / P)].
double diurnal_integral(const DiurnalArrivals& d, double a, double b) {
  const double m = d.mean_rate_per_second;
  const double period = to_seconds(d.period);
  const double peak = to_seconds(d.peak_at);
  const double w = 2.0 * std::numbers::pi / period;
  return m * (b - a) + m * d.amplitude / w * (std::sin(w * (b - peak)) - std::sin(w * (a - peak)));
}

}  // namespace

TEST_CASE("constant arrivals come every interval from the start offset", "[workload]") {
  // 5 s, then every 15 s: 20 s, 35 s, 50 s.
  CHECK(first_arrivals(ConstantArrivals{15s, 5s}, 1, 4) == instants({5s, 20s, 35s, 50s}));
  CHECK(kind_name(ConstantArrivals{}) == "constant");
}

TEST_CASE("bursts bring size jobs together every period", "[workload]") {
  // Bursts of 3 at 30 s, 30 s + 1 m = 90 s and 90 s + 1 m = 150 s.
  const ArrivalSpec spec = BurstArrivals{.every = 1min, .size = 3, .first_at = 30s};
  CHECK(first_arrivals(spec, 1, 9) == instants({30s, 30s, 30s, 90s, 90s, 90s, 150s, 150s, 150s}));

  // Without spread a burst draws nothing.
  ArrivalGenerator generator{spec};
  RandomStream stream{1};
  RandomStream before = stream;
  for (int i = 0; i < 9; ++i) CHECK(generator.next(stream).has_value());
  CHECK(stream.engine() == before.engine());
}

TEST_CASE("spread bursts arrive in time order within their window", "[workload]") {
  // 20 bursts of 1000 jobs every 1 h from 0, each job at a uniform whole microsecond of
  // [T, T + 10 s): offset mean (10^7 - 1) / 2 us = 4.9999995 s, standard deviation
  // 10 / sqrt(12) = 2.887 s, so over 20000 jobs the tolerance is 4 * 2.887 / sqrt(20000)
  // = 0.0816 s.
  const ArrivalSpec spec = BurstArrivals{.every = 1h, .size = 1000, .spread = 10s};
  ArrivalGenerator generator{spec};
  RandomStream stream{2};
  RunningMoments offsets;
  SimTime previous = kSimStart;
  bool ordered = true;
  bool in_window = true;
  for (int burst = 0; burst < 20; ++burst) {
    const SimTime start = kSimStart + burst * 1h;
    for (int job = 0; job < 1000; ++job) {
      const SimTime at = generator.next(stream)->at;
      ordered = ordered && at >= previous;
      in_window = in_window && at >= start && at < start + 10s;
      previous = at;
      offsets.add(to_seconds(at - start));
    }
  }
  CHECK(ordered);
  CHECK(in_window);
  CHECK(offsets.mean() == Approx(4.9999995).margin(4.0 * 10.0 / std::sqrt(12.0 * 20000.0)));
}

TEST_CASE("Poisson counts over a horizon have mean and variance rate * T", "[workload]") {
  // Rate 2/s over T = 50 s: N(T) is Poisson with mean and variance 100. Over R = 2000
  // replications the mean count has standard error sqrt(100 / 2000) = 0.224 (tolerance 0.894).
  // The sample variance has variance mu4 / R - sigma^4 (R - 3) / (R (R - 1)) with the Poisson
  // mu4 = 100 (1 + 3 * 100) = 30100: 15.05 - 4.995 = 10.055, standard error 3.17 (tolerance 12.7).
  const ArrivalSpec spec = PoissonArrivals{2.0};
  const RandomStreams streams{21};
  constexpr int kReplications = 2000;
  RunningMoments counts;
  for (int r = 0; r < kReplications; ++r) {
    ArrivalGenerator generator{spec};
    RandomStream stream = streams.stream("poisson", static_cast<std::uint64_t>(r));
    int n = 0;
    while (generator.next(stream)->at < kSimStart + 50s) ++n;
    counts.add(n);
  }
  CHECK(counts.mean() == Approx(100.0).margin(4.0 * std::sqrt(100.0 / kReplications)));
  const double variance_of_variance =
      30100.0 / kReplications - 1e4 * (kReplications - 3) / (kReplications * (kReplications - 1.0));
  CHECK(counts.variance() == Approx(100.0).margin(4.0 * std::sqrt(variance_of_variance)));
  CHECK(mean_rate_per_second(spec) == 2.0);
}

TEST_CASE("diurnal arrivals follow the integral of the rate over the day", "[workload]") {
  // Mean 0.05/s (180 an hour), amplitude 0.8, peak at 14:00, over 30 days. With
  // m A P / (2 pi) = 0.05 * 0.8 * 86400 / (2 pi) = 550.04, the integral gives per day
  //   peak hours [13h, 15h]:   360 + 550.04 * 2 sin(pi / 12) = 360 + 284.72 = 644.72,
  //   trough hours [1h, 3h]:   360 - 284.72 = 75.28,
  //   the whole day:           0.05 * 86400 = 4320.
  // Counts in disjoint windows are independent Poisson variables, so each tolerance is
  // 4 sqrt(expected): 30 days give 19341.6 +- 556.3, 2258.4 +- 190.1 and 129600 +- 1440.
  const DiurnalArrivals diurnal{.mean_rate_per_second = 0.05, .amplitude = 0.8, .peak_at = 14h};
  constexpr int kDays = 30;
  CHECK(diurnal_integral(diurnal, 13 * 3600.0, 15 * 3600.0) == Approx(644.7213877));
  CHECK(diurnal_integral(diurnal, 1 * 3600.0, 3 * 3600.0) == Approx(75.2786123));

  std::array<int, 24> per_hour{};
  ArrivalGenerator generator{diurnal};
  RandomStream stream{22};
  for (;;) {
    const SimTime at = generator.next(stream)->at;
    if (at >= kSimStart + kDays * 24h) break;
    ++per_hour[static_cast<std::size_t>((at.time_since_epoch() % 24h) / 1h)];
  }
  const auto expected_over_run = [&](int from_hour, int to_hour) {
    return kDays * diurnal_integral(diurnal, from_hour * 3600.0, to_hour * 3600.0);
  };
  const auto within = [](int count, double expected) {
    return std::abs(count - expected) <= 4.0 * std::sqrt(expected);
  };
  CHECK(within(per_hour[13] + per_hour[14], expected_over_run(13, 15)));
  CHECK(within(per_hour[1] + per_hour[2], expected_over_run(1, 3)));
  int total = 0;
  for (const int n : per_hour) total += n;
  CHECK(within(total, kDays * 4320.0));

  // Every hour at once: sum (observed - expected)^2 / expected over the 24 independent Poisson
  // counts is chi-square with 24 degrees of freedom, whose 1 - 1e-4 quantile is 58.61 (for even
  // k, P(chi2_k > x) = P(Poisson(x / 2) < k / 2), solved numerically).
  double chi_square = 0.0;
  for (int h = 0; h < 24; ++h) {
    const double expected = expected_over_run(h, h + 1);
    const double d = per_hour[static_cast<std::size_t>(h)] - expected;
    chi_square += d * d / expected;
  }
  CHECK(chi_square < 58.61);
  CHECK(mean_rate_per_second(diurnal) == 0.05);
}

TEST_CASE("a flat diurnal process is the Poisson process of its mean rate, draw for draw",
          "[workload]") {
  const DiurnalArrivals flat{.mean_rate_per_second = 3.0, .amplitude = 0.0, .peak_at = 2h};
  CHECK(first_arrivals(flat, 23, 1000) == first_arrivals(PoissonArrivals{3.0}, 23, 1000));
}

TEST_CASE("trace arrivals replay each record with its overrides, then end", "[workload]") {
  const ArrivalSpec spec = TraceArrivals{records({{kSimStart + 0s, 90s, 256, 512},
                                                  {kSimStart + 10s, 5min, 1024, 2048},
                                                  {kSimStart + 10s, 1s, 0, 1}})};
  ArrivalGenerator generator{spec};
  RandomStream stream{3};
  CHECK(generator.next(stream) == Arrival{kSimStart + 0s, 90s, 256, 512});
  CHECK(generator.next(stream) == Arrival{kSimStart + 10s, 5min, 1024, 2048});
  CHECK(generator.next(stream) == Arrival{kSimStart + 10s, 1s, 0, 1});
  CHECK_FALSE(generator.next(stream).has_value());
  CHECK_FALSE(generator.next(stream).has_value());
  // Three records over 10 s: (3 - 1) / 10 s = 0.2 per second.
  CHECK(mean_rate_per_second(spec) == 0.2);
}

TEST_CASE("arrivals that would fall at or beyond never do not come", "[workload]") {
  // The third constant arrival would be at max + 30 min, the second burst at max + 30 min.
  const SimDuration near_end = SimDuration::max() - 90min;
  CHECK(first_arrivals(ConstantArrivals{1h, near_end}, 1, 5) ==
        instants({near_end, near_end + 1h}));
  const ArrivalSpec burst = BurstArrivals{.every = 1h, .size = 2, .first_at = near_end + 1h};
  CHECK(first_arrivals(burst, 1, 5) == instants({near_end + 1h, near_end + 1h}));
}

TEST_CASE("a generator's arrivals depend only on its spec and its stream's seed", "[workload]") {
  const std::array<ArrivalSpec, 3> specs{
      PoissonArrivals{0.5},
      DiurnalArrivals{.mean_rate_per_second = 0.5, .amplitude = 1.0, .peak_at = 9h},
      BurstArrivals{.every = 10min, .size = 7, .spread = 1min}};
  for (const ArrivalSpec& spec : specs) {
    INFO(kind_name(spec));
    const std::vector<SimTime> reference = first_arrivals(spec, 24, 5000);
    REQUIRE(reference.size() == 5000);
    CHECK(std::is_sorted(reference.begin(), reference.end()));
    CHECK(first_arrivals(spec, 24, 5000) == reference);
    CHECK(first_arrivals(spec, 25, 5000) != reference);

    // A copied generator and stream continue exactly where the originals were.
    ArrivalGenerator generator{spec};
    RandomStream stream{24};
    for (int i = 0; i < 2500; ++i) (void)generator.next(stream);
    ArrivalGenerator generator_copy = generator;
    RandomStream stream_copy = stream;
    bool same = true;
    for (int i = 2500; i < 5000; ++i) {
      const SimTime at = generator.next(stream)->at;
      same = same && at == reference[static_cast<std::size_t>(i)] &&
             generator_copy.next(stream_copy)->at == at;
    }
    CHECK(same);
  }
}

TEST_CASE("generating arrivals and durations allocates nothing after construction", "[workload]") {
  const std::array<ArrivalSpec, 5> specs{
      ConstantArrivals{1s, 0s}, PoissonArrivals{1.0},
      DiurnalArrivals{.mean_rate_per_second = 1.0, .amplitude = 0.5, .peak_at = 12h},
      BurstArrivals{.every = 1min, .size = 100, .spread = 30s},
      TraceArrivals{records(std::vector<TraceRecord>(1000, {kSimStart, 1s, 256, 512}))}};
  const std::array<DurationSpec, 4> durations{
      FixedDuration{1s}, ExponentialDuration{1s}, LognormalDuration{1s, 1.0},
      EmpiricalDuration{{1s, 2s, 3s}, {1.0, 2.0, 3.0}, true}};
  // The counter sees allocations at all.
  const std::size_t start = testing::allocation_count();
  const auto probe = std::make_unique<int>(1);
  REQUIRE(testing::allocation_count() == start + 1);

  for (const ArrivalSpec& spec : specs) {
    ArrivalGenerator generator{spec};
    RandomStream stream{4};
    std::int64_t checksum = 0;
    const std::size_t before = testing::allocation_count();
    for (int i = 0; i < 10'000; ++i) {
      if (const auto arrival = generator.next(stream))
        checksum += arrival->at.time_since_epoch().count();
      checksum += sample(durations[static_cast<std::size_t>(i) % durations.size()], stream).count();
    }
    const std::size_t after = testing::allocation_count();
    INFO(kind_name(spec));
    CHECK(after == before);
    CHECK(checksum > 0);  // the draws happened (and the loop was not optimised away)
  }
}

TEST_CASE("mean rates of the arrival processes are what their parameters say", "[workload]") {
  // One every 15 s is 1/15 per second; 3 jobs every minute are 0.05 per second.
  CHECK(mean_rate_per_second(ConstantArrivals{15s, 0s}) == Approx(1.0 / 15.0));
  CHECK(mean_rate_per_second(BurstArrivals{.every = 1min, .size = 3}) == Approx(0.05));
  CHECK(mean_rate_per_second(TraceArrivals{records({{kSimStart + 5s, 1s, 1, 1}})}) == 0.0);
  CHECK(mean_rate_per_second(
            TraceArrivals{records({{kSimStart + 5s, 1s, 1, 1}, {kSimStart + 5s, 1s, 1, 1}})}) ==
        std::numeric_limits<double>::infinity());
}

TEST_CASE("arrival specs report each bad member with what was expected", "[workload]") {
  CHECK(validate(ConstantArrivals{0s, -1s}) ==
        Problems{{"interval", "is 0s (expected a positive duration, e.g. 30s)"},
                 {"start", "is -1s (expected a duration >= 0s)"}});
  CHECK(validate(PoissonArrivals{0.0}) ==
        Problems{{"rate_per_second", "is 0 (expected a finite rate > 0 per second)"}});
  CHECK(validate(PoissonArrivals{2e6}) ==
        Problems{{"rate_per_second",
                  "is 2000000 (expected at most 1000000 per second, one "
                  "arrival per microsecond of the clock)"}});
  CHECK(validate(DiurnalArrivals{.mean_rate_per_second = 1.0, .amplitude = 1.5, .peak_at = 25h}) ==
        Problems{{"amplitude", "is 1.5 (expected a number from 0 to 1)"},
                 {"peak_at", "is 1d1h (expected a time of day from 0s up to the period, 1d)"}});
  CHECK(validate(DiurnalArrivals{.mean_rate_per_second = 6e5, .amplitude = 1.0, .period = 0s}) ==
        Problems{{"mean_rate_per_second",
                  "is 600000, which with amplitude 1 peaks at 1200000 per "
                  "second (expected a peak of at most 1000000 per second)"},
                 {"period", "is 0s (expected a positive duration, e.g. 24h)"}});
  CHECK(validate(BurstArrivals{.every = 0s, .size = 0, .first_at = -1s, .spread = -1s}) ==
        Problems{{"every", "is 0s (expected a positive duration, e.g. 1h)"},
                 {"size", "is 0 (expected from 1 to 1000000 jobs)"},
                 {"first_at", "is -1s (expected a duration >= 0s)"},
                 {"spread",
                  "is -1s (expected from 0s to every, 0s, so that bursts do not "
                  "overlap)"}});
  CHECK(validate(BurstArrivals{.every = 1min, .size = 2, .spread = 2min}) ==
        Problems{{"spread",
                  "is 2m (expected from 0s to every, 1m, so that bursts do not "
                  "overlap)"}});
}

TEST_CASE("trace arrival specs report the first bad record", "[workload]") {
  CHECK(validate(TraceArrivals{}) == Problems{{"records", "is empty (expected at least one job)"}});
  CHECK(validate(TraceArrivals{records({{kSimStart + 10s, 1s, 1, 1},
                                        {kSimStart + 5s, 1s, 1, 1},
                                        {kSimStart + 1s, 1s, 1, 1}})}) ==
        Problems{{"records[1].submit_time",
                  "is 5s, earlier than 10s of the record before "
                  "(expected records sorted by submit_time)"}});
  CHECK(validate(TraceArrivals{records({{kSimStart, -1s, 1, 0}})}) ==
        Problems{{"records[0].duration", "is -1s (expected a duration >= 0s)"},
                 {"records[0].memory_mib", "is 0 (expected at least 1 MiB)"}});
}

TEST_CASE("expected arrivals: exact counts where the process is fixed, the rate's integral "
          "otherwise",
          "[workload]") {
  // Every 10 min from 5 min: 5, 15, 25, 35, 45, 55 within an hour; the horizon is inclusive.
  const ConstantArrivals every10{.interval = 10min, .start = 5min};
  CHECK(expected_arrivals(every10, 1h) == 6);
  CHECK(expected_arrivals(every10, 55min) == 6);
  CHECK(expected_arrivals(every10, 54min) == 5);
  CHECK(expected_arrivals(every10, 4min) == 0);
  // Bursts of 3 at 0, 20, 40 and 60 min: 12.
  CHECK(expected_arrivals(BurstArrivals{.every = 20min, .size = 3}, 1h) == 12);
  CHECK(expected_arrivals(PoissonArrivals{.rate_per_second = 2}, 1h) == Approx(7200));
  // A whole day of the diurnal process is its mean rate times a day; part of one, the integral.
  const DiurnalArrivals diurnal{.mean_rate_per_second = 0.05, .amplitude = 0.8, .peak_at = 14h};
  CHECK(expected_arrivals(diurnal, 24h) == Approx(4320));
  CHECK(expected_arrivals(diurnal, 15h) == Approx(diurnal_integral(diurnal, 0, 15 * 3600.0)));
  // A trace: the records submitted up to the horizon.
  const TraceArrivals trace{records({{kSimStart, 1s, 256, 512},
                                     {kSimStart + 10s, 1s, 256, 512},
                                     {kSimStart + 10s, 1s, 256, 512},
                                     {kSimStart + 1h, 1s, 256, 512}})};
  CHECK(expected_arrivals(trace, 9s) == 1);
  CHECK(expected_arrivals(trace, 10s) == 3);
  CHECK(expected_arrivals(trace, 2h) == 4);
}

}  // namespace ecsim::workload
