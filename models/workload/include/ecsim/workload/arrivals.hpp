#pragma once

/// When jobs arrive: a closed family of arrival processes, validated as plain values, and a
/// generator that produces their arrival instants one at a time without allocating.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "ecsim/sim/random.hpp"
#include "ecsim/sim/time.hpp"
#include "ecsim/sim/problem.hpp"
#include "ecsim/workload/trace.hpp"

namespace ecsim::workload {

/// The highest arrival rate a spec may ask for, per second: one arrival per microsecond, the
/// resolution of the clock.
inline constexpr double kMaxRatePerSecond = 1e6;

/// The largest number of jobs in one burst (the generator keeps one offset per job of a burst).
inline constexpr std::uint32_t kMaxBurstSize = 1'000'000;

/// One arrival every `interval`, the first at `start`: start, start + interval, ...
struct ConstantArrivals {
  /// The time between consecutive arrivals, > 0.
  SimDuration interval{0};
  /// The instant of the first arrival, as an offset from the start of the run, >= 0.
  SimDuration start{0};
};

/// A homogeneous Poisson process: independent exponential gaps, the first from the start of the
/// run.
struct PoissonArrivals {
  /// The mean number of arrivals per second, finite, > 0 and at most kMaxRatePerSecond.
  double rate_per_second = 0.0;
};

/// A non-homogeneous Poisson process whose rate follows the time of day:
/// rate(t) = mean_rate_per_second * (1 + amplitude * cos(2 pi (t - peak_at) / period)), with t
/// measured from the start of the run, which is time of day 0 (midnight). Sampled exactly by
/// thinning (Lewis and Shedler 1979) a Poisson process at the peak rate.
struct DiurnalArrivals {
  /// The rate averaged over a period, per second, finite and > 0; the peak rate,
  /// mean * (1 + amplitude), must be at most kMaxRatePerSecond.
  double mean_rate_per_second = 0.0;
  /// The relative swing of the rate around its mean, from 0 (constant) to 1 (zero at the trough).
  double amplitude = 0.0;
  /// The time of day of the highest rate, in [0, period); the lowest is half a period later.
  SimDuration peak_at{0};
  /// The length of one cycle, > 0.
  SimDuration period = std::chrono::hours{24};
};

/// `size` jobs every `every`, the first burst at `first_at`. With `spread` 0 the jobs of a burst
/// share its instant and are returned one per call, in draw order; with `spread` > 0 each job of
/// the burst at T arrives at a uniform whole microsecond in [T, T + spread), returned in time
/// order.
struct BurstArrivals {
  /// The time between the starts of consecutive bursts, > 0.
  SimDuration every{0};
  /// The number of jobs in each burst, from 1 to kMaxBurstSize.
  std::uint32_t size = 0;
  /// The instant of the first burst, as an offset from the start of the run, >= 0.
  SimDuration first_at{0};
  /// The window over which the jobs of a burst are spread, from 0s (all together) to `every`.
  SimDuration spread{0};
};

/// Replays recorded jobs: one arrival per record at its submit time, carrying its duration and
/// size.
struct TraceArrivals {
  /// The records, sorted by submit time, non-empty; shared and immutable, so generators and
  /// replications replay one copy.
  std::shared_ptr<const std::vector<TraceRecord>> records;
};

/// An arrival process: one of a closed set of kinds, chosen by name from `kArrivalKinds`.
using ArrivalSpec =
    std::variant<ConstantArrivals, PoissonArrivals, DiurnalArrivals, BurstArrivals, TraceArrivals>;

/// The name of each kind of `ArrivalSpec`, in the order of its alternatives.
inline constexpr std::array<std::string_view, 5> kArrivalKinds{"constant", "poisson", "diurnal",
                                                               "bursts", "trace"};

/// The name of the kind of `spec`, from `kArrivalKinds`.
[[nodiscard]] std::string_view kind_name(const ArrivalSpec& spec) noexcept;

/// Every problem with `spec`, with fields named after its members ("rate_per_second",
/// "records[3].duration"); for a trace, only the first bad record is reported.
[[nodiscard]] Problems validate(const ArrivalSpec& spec);

/// The long-run mean number of arrivals per second of a valid `spec`, for reports: for a trace,
/// (records - 1) / (last - first submit time), 0 with one record and infinity when all records
/// share one instant.
[[nodiscard]] double mean_rate_per_second(const ArrivalSpec& spec);

/// The expected number of arrivals of a valid `spec` from the start of a run to `horizon`
/// (inclusive): exact for constant arrivals, bursts and traces, the integral of the rate for
/// Poisson and diurnal processes. For estimates made before a run.
[[nodiscard]] double expected_arrivals(const ArrivalSpec& spec, SimDuration horizon);

/// One job arriving, with what a trace says about it (nothing for the other processes).
struct Arrival {
  /// When the job arrives.
  SimTime at = kSimStart;
  /// How long the job runs, from a trace.
  std::optional<SimDuration> duration{};
  /// The CPU the job reserves in ECS CPU units, from a trace.
  std::optional<std::uint32_t> cpu_units{};
  /// The memory the job reserves in MiB, from a trace.
  std::optional<std::uint32_t> memory_mib{};

  friend bool operator==(const Arrival&, const Arrival&) = default;
};

namespace detail {

/// The position of constant arrivals: the next instant, until it would pass kNever.
struct ConstantState {
  SimTime next;
  SimDuration interval;
  bool done = false;
};

/// The position of a Poisson process, in exact (unrounded) microseconds.
struct PoissonState {
  double now_micros = 0.0;  // the exact arrival time, rounded only on output
  double mean_gap_micros;
};

/// The position of a diurnal process and its thinning parameters, in microseconds.
struct DiurnalState {
  double now_micros = 0.0;  // the exact candidate time, rounded only on output
  double mean_gap_micros;   // at the peak rate
  double amplitude;
  double peak_micros;
  double period_micros;
};

/// The position of a burst process: the current burst and how many of its jobs have come.
struct BurstState {
  SimTime burst_at;
  SimDuration every;
  SimDuration spread;
  std::uint32_t size;
  std::uint32_t emitted = 0;  // jobs of the current burst returned so far
  bool done = false;
  std::vector<SimDuration> offsets{};  // sized once to `size` when spread > 0, refilled per burst
};

/// The position of a trace replay: the shared records and the index of the next one.
struct TraceState {
  std::shared_ptr<const std::vector<TraceRecord>> records;
  std::size_t index = 0;
};

}  // namespace detail

/// The arrivals of one process, in non-decreasing time order, one per call; owns its position
/// (and, for a trace, shares the records). Copying a generator copies its position.
class ArrivalGenerator {
 public:
  /// A generator at the start of the run for a valid `spec` (asserted: call `validate` first).
  explicit ArrivalGenerator(const ArrivalSpec& spec);

  /// The next arrival, drawing from `stream` (nothing for constant arrivals, traces and bursts
  /// without spread); nothing once a trace is exhausted or the next arrival would fall at or
  /// beyond kNever. No heap allocation.
  std::optional<Arrival> next(RandomStream& stream);

 private:
  std::variant<detail::ConstantState, detail::PoissonState, detail::DiurnalState,
               detail::BurstState, detail::TraceState>
      state_;
};

}  // namespace ecsim::workload
