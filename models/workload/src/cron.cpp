#include "ecsim/workload/cron.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <vector>

#include <fmt/format.h>

// The grammar is robfig/cron v3's standard parser (ParseStandard: minute, hour, day of month,
// month, day of week, and descriptors), which the Kubernetes CronJob controller parses
// spec.schedule with; day matching follows its dayMatches: when either day field starts with
// `*`, both must match, else either does.

namespace ecsim::workload {
namespace {

struct Field {
  const char* name;
  int low, high;
  std::array<std::string_view, 12> names;  // names[i] is low + i (months, weekdays)
};

constexpr Field kMinute{"minute", 0, 59, {}};
constexpr Field kHour{"hour", 0, 23, {}};
constexpr Field kDay{"day of month", 1, 31, {}};
constexpr Field kMonth{"month", 1, 12,
                       {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                        "nov", "dec"}};
// 7 is Sunday too (folded into 0 after parsing).
constexpr Field kWeekday{"day of week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}};

std::optional<int> value_of(std::string_view text, const Field& f, std::string& problem) {
  std::string lower;
  for (const char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::size_t i = 0; i < f.names.size(); ++i)
    if (!f.names[i].empty() && f.names[i] == lower) return f.low + static_cast<int>(i);
  int v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) {
    problem = fmt::format("failed to parse int from {}", text);
    return std::nullopt;
  }
  return v;
}

// One comma-separated item of field `f` into `bits`; false (with `problem`) when malformed.
template <std::size_t N>
bool parse_item(std::string_view item, const Field& f, std::bitset<N>& bits, std::string& problem) {
  int step = 1;
  if (const auto slash = item.find('/'); slash != std::string_view::npos) {
    const auto s = value_of(item.substr(slash + 1), Field{f.name, 0, 0, {}}, problem);
    if (!s) return false;
    if (*s <= 0) {
      problem = fmt::format("step of range should be a positive number: {}", item);
      return false;
    }
    step = *s;
    item = item.substr(0, slash);
  }
  int low = f.low, high = &f == &kWeekday ? 6 : f.high;
  if (item != "*" && item != "?") {
    const auto dash = item.find('-');
    const auto a = value_of(item.substr(0, dash), f, problem);
    if (!a) return false;
    low = *a;
    high = *a;
    if (dash != std::string_view::npos) {
      const auto b = value_of(item.substr(dash + 1), f, problem);
      if (!b) return false;
      high = *b;
    } else if (step > 1) {
      high = &f == &kWeekday ? 6 : f.high;  // `a/n` is `a-high/n`
    }
  }
  if (low < f.low || high > f.high || low > high) {
    problem = fmt::format("{} out of range ({}-{}) or beginning beyond end: {}", f.name, f.low,
                          f.high, item);
    return false;
  }
  for (int v = low; v <= high; v += step) bits.set(static_cast<std::size_t>(v));
  return true;
}

template <std::size_t N>
bool parse_field(std::string_view text, const Field& f, std::bitset<N>& bits,
                 std::string& problem) {
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    if (!parse_item(text.substr(start, comma - start), f, bits, problem)) return false;
    if (comma == std::string_view::npos) return true;
    start = comma + 1;
  }
}

// Days since 1970-01-01 of a civil date, and back (Howard Hinnant's algorithms).
struct Civil {
  int year;
  unsigned month, day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2 ? 1 : 0)), m, d};
}

bool day_matches(const CronSchedule& s, std::int64_t days_since_1970) {
  const Civil c = civil_from_days(days_since_1970);
  if (!s.months.test(c.month)) return false;
  // 1970-01-01 was a Thursday (4).
  const auto weekday = static_cast<std::size_t>(((days_since_1970 % 7) + 7 + 4) % 7);
  const bool dom = s.days.test(c.day);
  const bool dow = s.weekdays.test(weekday);
  if (s.any_day || s.any_weekday) return dom && dow;
  return dom || dow;
}

}  // namespace

CronParse parse_cron(std::string_view text) {
  CronParse out;
  std::string_view t = text;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  CronSchedule s;
  if (t.starts_with("@")) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kDescriptors{{
        {"@yearly", "0 0 1 1 *"},
        {"@annually", "0 0 1 1 *"},
        {"@monthly", "0 0 1 * *"},
        {"@weekly", "0 0 * * 0"},
        {"@daily", "0 0 * * *"},
        {"@midnight", "0 0 * * *"},
        {"@hourly", "0 * * * *"},
    }};
    for (const auto& [name, fields] : kDescriptors)
      if (t == name) return parse_cron(fields);
    if (t.starts_with("@every ")) {
      std::string why;
      const auto d = parse_duration(t.substr(7), &why);
      if (!d || *d <= SimDuration::zero()) {
        out.problem = fmt::format("failed to parse duration {}: {}", t, why.empty() ? "not positive" : why);
        return out;
      }
      s.every = *d;
      out.schedule = s;
      return out;
    }
    out.problem = fmt::format("unrecognized descriptor: {}", t);
    return out;
  }
  std::vector<std::string_view> fields;
  for (std::size_t i = 0; i < t.size();) {
    while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i;
    const std::size_t start = i;
    while (i < t.size() && !std::isspace(static_cast<unsigned char>(t[i]))) ++i;
    if (i > start) fields.push_back(t.substr(start, i - start));
  }
  if (fields.size() != 5) {
    out.problem = fmt::format("expected exactly 5 fields, found {}: [{}]", fields.size(),
                              fmt::join(fields, " "));
    return out;
  }
  std::bitset<8> weekdays;
  if (!parse_field(fields[0], kMinute, s.minutes, out.problem) ||
      !parse_field(fields[1], kHour, s.hours, out.problem) ||
      !parse_field(fields[2], kDay, s.days, out.problem) ||
      !parse_field(fields[3], kMonth, s.months, out.problem) ||
      !parse_field(fields[4], kWeekday, weekdays, out.problem))
    return out;
  for (std::size_t d = 0; d < 7; ++d) s.weekdays.set(d, weekdays.test(d) || (d == 0 && weekdays.test(7)));
  s.any_day = fields[2].starts_with('*') || fields[2].starts_with('?');
  s.any_weekday = fields[4].starts_with('*') || fields[4].starts_with('?');
  out.schedule = s;
  return out;
}

SimTime next_cron_time(const CronSchedule& s, SimTime after) {
  if (s.every) {
    // robfig's ConstantDelaySchedule: the next whole second `every` after.
    const SimDuration next = after.time_since_epoch() + *s.every;
    return SimTime{std::chrono::ceil<std::chrono::seconds>(next)};
  }
  using std::chrono::minutes;
  const std::int64_t after_minutes =
      std::chrono::floor<minutes>(after.time_since_epoch()).count();  // the minute holding `after`
  const std::int64_t first = after_minutes + 1;
  constexpr std::int64_t kMinutesPerDay = 24 * 60;
  constexpr std::int64_t kHorizonDays = 8 * 366;
  const std::int64_t day0 =
      first >= 0 ? first / kMinutesPerDay : -((-first + kMinutesPerDay - 1) / kMinutesPerDay);
  for (std::int64_t d = day0; d < day0 + kHorizonDays; ++d) {
    if (!day_matches(s, kCronEpochDays + d)) continue;
    for (std::int64_t h = 0; h < 24; ++h) {
      if (!s.hours.test(static_cast<std::size_t>(h))) continue;
      for (std::int64_t m = 0; m < 60; ++m) {
        if (!s.minutes.test(static_cast<std::size_t>(m))) continue;
        const std::int64_t at = d * kMinutesPerDay + h * 60 + m;
        if (at >= first) return SimTime{minutes{at}};
      }
    }
  }
  return kNever;
}

}  // namespace ecsim::workload
