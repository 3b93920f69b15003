#include "ecsim/workload/arrivals.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "ecsim/sim/assert.hpp"
#include "support.hpp"

namespace ecsim::workload {
namespace {

Problems validate_records(const std::vector<TraceRecord>* records) {
  if (records == nullptr || records->empty())
    return {{"records", "is empty (expected at least one job)"}};
  for (std::size_t i = 0; i < records->size(); ++i) {
    const TraceRecord& r = (*records)[i];
    const auto field = [i](std::string_view member) {
      return fmt::format("records[{}].{}", i, member);
    };
    if (r.submit_time < kSimStart) {
      return {
          {field("submit_time"), fmt::format("is {} (expected a time >= 0s)",
                                             format_duration(r.submit_time.time_since_epoch()))}};
    }
    if (i > 0 && r.submit_time < (*records)[i - 1].submit_time) {
      return {
          {field("submit_time"),
           fmt::format("is {}, earlier than {} of the record before (expected records sorted "
                       "by submit_time)",
                       format_time(r.submit_time), format_time((*records)[i - 1].submit_time))}};
    }
    Problems problems;
    detail::check_not_negative(problems, field("duration"), r.duration);
    if (r.memory_mib == 0)
      problems.push_back({field("memory_mib"), "is 0 (expected at least 1 MiB)"});
    if (!problems.empty()) return problems;
  }
  return {};
}

detail::ConstantState start(const ConstantArrivals& spec) {
  return {.next = kSimStart + spec.start, .interval = spec.interval};
}

detail::PoissonState start(const PoissonArrivals& spec) {
  return {.mean_gap_micros = 1e6 / spec.rate_per_second};
}

detail::DiurnalState start(const DiurnalArrivals& spec) {
  const double peak_rate = spec.mean_rate_per_second * (1.0 + spec.amplitude);
  return {.mean_gap_micros = 1e6 / peak_rate,
          .amplitude = spec.amplitude,
          .peak_micros = static_cast<double>(spec.peak_at.count()),
          .period_micros = static_cast<double>(spec.period.count())};
}

detail::BurstState start(const BurstArrivals& spec) {
  detail::BurstState state{.burst_at = kSimStart + spec.first_at,
                           .every = spec.every,
                           .spread = spec.spread,
                           .size = spec.size};
  if (spec.spread > SimDuration::zero()) state.offsets.resize(spec.size);
  return state;
}

detail::TraceState start(const TraceArrivals& spec) {
  return {.records = spec.records};
}

const ArrivalSpec& checked(const ArrivalSpec& spec) {
  ECSIM_ASSERT(validate(spec).empty(), "ArrivalGenerator needs a spec that passed validate()");
  return spec;
}

// The arrival at `micros` (exact, >= 0) rounded to the clock, or nothing at or beyond kNever.
std::optional<Arrival> arrival_at(double micros) {
  const SimDuration offset = detail::round_to_micros(micros);
  if (offset == SimDuration::max()) return std::nullopt;
  return Arrival{.at = kSimStart + offset};
}

std::optional<Arrival> advance(detail::ConstantState& s, RandomStream&) {
  if (s.done || s.next == kNever) return std::nullopt;
  const SimTime at = s.next;
  // kNever - at > 0 here, so the comparison cannot overflow.
  if (kNever - at <= s.interval) {
    s.done = true;
  } else {
    s.next += s.interval;
  }
  return Arrival{.at = at};
}

std::optional<Arrival> advance(detail::PoissonState& s, RandomStream& stream) {
  // Beyond the clock's range the time becomes infinite and stays so: nothing more arrives.
  s.now_micros += stream.exponential(s.mean_gap_micros);
  return arrival_at(s.now_micros);
}

std::optional<Arrival> advance(detail::DiurnalState& s, RandomStream& stream) {
  constexpr double kTwoPi = 2.0 * std::numbers::pi;
  for (;;) {
    s.now_micros += stream.exponential(s.mean_gap_micros);
    if (!(s.now_micros < 0x1.0p63)) return std::nullopt;
    // With amplitude 0 every candidate is kept, so no acceptance draw is spent on it.
    if (s.amplitude == 0.0) break;
    // Reducing modulo the period first keeps the argument of cos small and accurate however
    // long the run.
    const double phase = std::fmod(s.now_micros - s.peak_micros, s.period_micros) / s.period_micros;
    const double keep = (1.0 + s.amplitude * std::cos(kTwoPi * phase)) / (1.0 + s.amplitude);
    if (stream.uniform01() < keep) break;
  }
  return arrival_at(s.now_micros);
}

std::optional<Arrival> advance(detail::BurstState& s, RandomStream& stream) {
  if (s.done) return std::nullopt;
  const bool spread = s.spread > SimDuration::zero();
  if (spread && s.emitted == 0) {
    // Sorting the burst's draws up front returns its jobs in time order; the buffer was sized
    // at construction, so this allocates nothing.
    for (SimDuration& offset : s.offsets) {
      offset = SimDuration{static_cast<SimDuration::rep>(
          stream.uniform_int(static_cast<std::uint64_t>(s.spread.count())))};
    }
    std::sort(s.offsets.begin(), s.offsets.end());
  }
  const SimDuration offset = spread ? s.offsets[s.emitted] : SimDuration::zero();
  // burst_at < kNever while not done, so kNever - burst_at cannot overflow.
  if (kNever - s.burst_at <= offset) {
    s.done = true;
    return std::nullopt;
  }
  const SimTime at = s.burst_at + offset;
  if (++s.emitted == s.size) {
    s.emitted = 0;
    if (kNever - s.burst_at <= s.every) {
      s.done = true;
    } else {
      s.burst_at += s.every;
    }
  }
  return Arrival{.at = at};
}

std::optional<Arrival> advance(detail::TraceState& s, RandomStream&) {
  // Records are sorted, so once one falls at kNever every later one does too.
  if (s.index == s.records->size() || (*s.records)[s.index].submit_time == kNever)
    return std::nullopt;
  const TraceRecord& r = (*s.records)[s.index++];
  return Arrival{.at = r.submit_time,
                 .duration = r.duration,
                 .cpu_units = r.cpu_units,
                 .memory_mib = r.memory_mib};
}

}  // namespace

std::string_view kind_name(const ArrivalSpec& spec) noexcept {
  return kArrivalKinds[spec.index()];
}

Problems validate(const ArrivalSpec& spec) {
  return std::visit(
      detail::Overloaded{
          [](const ConstantArrivals& a) {
            Problems problems;
            detail::check_positive(problems, "interval", a.interval, "30s");
            detail::check_not_negative(problems, "start", a.start);
            return problems;
          },
          [](const PoissonArrivals& a) {
            Problems problems;
            detail::check_rate(problems, "rate_per_second", a.rate_per_second, kMaxRatePerSecond);
            return problems;
          },
          [](const DiurnalArrivals& a) {
            Problems problems;
            const bool rate_ok = detail::check_rate(problems, "mean_rate_per_second",
                                                    a.mean_rate_per_second, kMaxRatePerSecond);
            const bool amplitude_ok = a.amplitude >= 0.0 && a.amplitude <= 1.0;
            if (!amplitude_ok) {
              problems.push_back(
                  {"amplitude", fmt::format("is {} (expected a number from 0 to 1)", a.amplitude)});
            }
            if (rate_ok && amplitude_ok &&
                a.mean_rate_per_second * (1.0 + a.amplitude) > kMaxRatePerSecond) {
              problems.push_back(
                  {"mean_rate_per_second",
                   fmt::format("is {}, which with amplitude {} peaks at {} per second (expected a "
                               "peak of at most {} per second)",
                               a.mean_rate_per_second, a.amplitude,
                               a.mean_rate_per_second * (1.0 + a.amplitude), kMaxRatePerSecond)});
            }
            detail::check_positive(problems, "period", a.period, "24h");
            if (a.peak_at < SimDuration::zero() ||
                (a.period > SimDuration::zero() && a.peak_at >= a.period)) {
              problems.push_back(
                  {"peak_at", fmt::format("is {} (expected a time of day from 0s up to the period, "
                                          "{})",
                                          format_duration(a.peak_at), format_duration(a.period))});
            }
            return problems;
          },
          [](const BurstArrivals& a) {
            Problems problems;
            detail::check_positive(problems, "every", a.every, "1h");
            if (a.size < 1 || a.size > kMaxBurstSize) {
              problems.push_back({"size", fmt::format("is {} (expected from 1 to {} jobs)", a.size,
                                                      kMaxBurstSize)});
            }
            detail::check_not_negative(problems, "first_at", a.first_at);
            if (a.spread < SimDuration::zero() ||
                (a.every > SimDuration::zero() && a.spread > a.every)) {
              problems.push_back(
                  {"spread", fmt::format("is {} (expected from 0s to every, {}, so that bursts do "
                                         "not overlap)",
                                         format_duration(a.spread), format_duration(a.every))});
            }
            return problems;
          },
          [](const TraceArrivals& a) { return validate_records(a.records.get()); },
      },
      spec);
}

double mean_rate_per_second(const ArrivalSpec& spec) {
  return std::visit(
      detail::Overloaded{
          [](const ConstantArrivals& a) { return 1.0 / to_seconds(a.interval); },
          [](const PoissonArrivals& a) { return a.rate_per_second; },
          [](const DiurnalArrivals& a) { return a.mean_rate_per_second; },
          [](const BurstArrivals& a) { return static_cast<double>(a.size) / to_seconds(a.every); },
          [](const TraceArrivals& a) {
            ECSIM_ASSERT(a.records != nullptr && !a.records->empty(),
                         "a trace without records has no rate");
            const std::vector<TraceRecord>& records = *a.records;
            if (records.size() == 1) return 0.0;
            const double span =
                to_seconds(records.back().submit_time - records.front().submit_time);
            if (span == 0.0) return std::numeric_limits<double>::infinity();
            return static_cast<double>(records.size() - 1) / span;
          },
      },
      spec);
}

double expected_arrivals(const ArrivalSpec& spec, SimDuration horizon) {
  const double h = to_seconds(horizon);
  // Arrivals at instants from `first` on, every `every`, up to and including the horizon.
  const auto periodic = [&](SimDuration first, SimDuration every) {
    return first > horizon ? 0.0 : static_cast<double>((horizon - first) / every) + 1.0;
  };
  return std::visit(
      detail::Overloaded{
          [&](const ConstantArrivals& a) { return periodic(a.start, a.interval); },
          [&](const PoissonArrivals& a) { return a.rate_per_second * h; },
          [&](const DiurnalArrivals& a) {
            // The integral of mean x (1 + amplitude x cos(2 pi (t - peak) / period)) over [0, h].
            const double period = to_seconds(a.period);
            const double omega = 2.0 * std::numbers::pi / period;
            const double peak = to_seconds(a.peak_at);
            return a.mean_rate_per_second *
                   (h + a.amplitude / omega *
                            (std::sin(omega * (h - peak)) + std::sin(omega * peak)));
          },
          [&](const BurstArrivals& a) {
            return periodic(a.first_at, a.every) * static_cast<double>(a.size);
          },
          [&](const TraceArrivals& a) {
            const auto end = std::upper_bound(
                a.records->begin(), a.records->end(), kSimStart + horizon,
                [](SimTime t, const TraceRecord& r) { return t < r.submit_time; });
            return static_cast<double>(end - a.records->begin());
          },
      },
      spec);
}

ArrivalGenerator::ArrivalGenerator(const ArrivalSpec& spec)
    : state_(
          std::visit([](const auto& s) -> decltype(state_) { return start(s); }, checked(spec))) {}

std::optional<Arrival> ArrivalGenerator::next(RandomStream& stream) {
  return std::visit([&stream](auto& s) { return advance(s, stream); }, state_);
}

}  // namespace ecsim::workload
