#pragma once

/// A cron schedule as a Kubernetes CronJob writes it (the standard five fields of robfig/cron's
/// standard parser, which the CronJob controller uses, and its @-descriptors), and the instants it
/// fires at in simulated time. Simulated time 0 is a calendar instant (kCronEpoch), in UTC.

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ecsim/sim/time.hpp"

namespace ecsim::workload {

/// Days from 1970-01-01 to the day simulated time 0 falls on: Monday, 1 January 2024, 00:00 UTC
/// (a Monday and the first of a month and of a year, so that the first simulated day is all of
/// them at once).
inline constexpr std::int64_t kCronEpochDays = 19'723;

/// A parsed schedule: the minutes, hours, days of the month, months and days of the week it
/// names. As cron reads it, when both the day of the month and the day of the week are
/// restricted (neither starts with `*`), a day matches if either does.
struct CronSchedule {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;      ///< 1..31
  std::bitset<13> months;    ///< 1..12
  std::bitset<7> weekdays;   ///< 0 = Sunday
  bool any_day = true;       ///< the day-of-month field starts with `*`
  bool any_weekday = true;   ///< the day-of-week field starts with `*`
  std::optional<SimDuration> every;  ///< `@every 1h30m`: a fixed interval instead

  friend bool operator==(const CronSchedule&, const CronSchedule&) = default;
};

/// The result of parsing: a schedule, or why the text is not one.
struct CronParse {
  std::optional<CronSchedule> schedule;
  std::string problem;  ///< robfig/cron's kind of message, e.g. "expected exactly 5 fields, found 4"
};

/// Parses `text`: five fields (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC,
/// day of week 0-6 or SUN-SAT, 7 also Sunday), each `*`, `?` (as `*`), a value, a range `a-b`,
/// with an optional step `/n`, or a comma list of those; or one of @yearly, @annually, @monthly,
/// @weekly, @daily, @midnight, @hourly and `@every DURATION`.
CronParse parse_cron(std::string_view text);

/// The first instant strictly after `after` at which `schedule` fires (whole minutes, UTC, from
/// kCronEpochDays), or kNever when it fires on no day within eight years.
SimTime next_cron_time(const CronSchedule& schedule, SimTime after);

}  // namespace ecsim::workload
