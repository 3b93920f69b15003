#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ecsim {

/// The virtual clock of a simulation: integer microseconds since the start of the run.
struct SimClock {
  using rep = std::int64_t;
  using period = std::micro;
  using duration = std::chrono::duration<rep, period>;
  using time_point = std::chrono::time_point<SimClock, duration>;
  static constexpr bool is_steady = true;
};

/// A span of virtual time in integer microseconds.
using SimDuration = SimClock::duration;
/// A point in virtual time, in integer microseconds since the run began; `SimTime::max()` is never.
using SimTime = SimClock::time_point;

/// The instant a run starts.
inline constexpr SimTime kSimStart{SimDuration{0}};
/// The instant that never comes.
inline constexpr SimTime kNever = SimTime::max();

/// Whole microseconds of `d`.
constexpr std::int64_t to_micros(SimDuration d) { return d.count(); }
/// `d` in seconds as a double (for reports and statistics only, never for the clock).
constexpr double to_seconds(SimDuration d) { return static_cast<double>(d.count()) / 1e6; }
/// `t` in seconds since the start of the run, as a double (for reports only).
constexpr double to_seconds(SimTime t) { return to_seconds(t.time_since_epoch()); }
/// `seconds` rounded to the nearest microsecond.
SimDuration from_seconds(double seconds);

/// Parses a duration such as `90s`, `15m`, `1h30m`, `2d`, `250ms`, `10us` or `1.5h`: one or more
/// `<number><unit>` parts, largest unit first, units d, h, m, s, ms, us. On failure returns
/// nothing and, when `error` is given, stores why (e.g. "unknown unit 'x' in '5x' (expected one
/// of d, h, m, s, ms, us)").
std::optional<SimDuration> parse_duration(std::string_view text, std::string* error = nullptr);

/// Formats `d` in the shortest form `parse_duration` reads back exactly: `1h30m`, `250ms`, `0s`.
std::string format_duration(SimDuration d);

/// Formats `t` as its offset from the start of the run (`format_duration`), or `never`.
std::string format_time(SimTime t);

}  // namespace ecsim
