#include "ecsim/sim/time.hpp"

#include <array>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace ecsim {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t micros;
};

// Largest first: parts of a duration must appear in this order, each at most once.
constexpr std::array<Unit, 6> kUnits{{{"d", 86'400'000'000},
                                      {"h", 3'600'000'000},
                                      {"m", 60'000'000},
                                      {"s", 1'000'000},
                                      {"ms", 1'000},
                                      {"us", 1}}};

// Wide enough that no sum or product of int64-sized parts below can overflow before it is checked.
__extension__ typedef __int128 Wide;

constexpr std::string_view kExpectedUnits = "expected one of d, h, m, s, ms, us";

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<SimDuration> fail(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
  return std::nullopt;
}

}  // namespace

SimDuration from_seconds(double seconds) { return SimDuration{std::llround(seconds * 1e6)}; }

std::optional<SimDuration> parse_duration(std::string_view text, std::string* error) {
  const std::string_view s = trim(text);
  if (s.empty()) return fail(error, "empty duration (expected e.g. 90s, 15m, 1h30m, 2d, 250ms)");
  if (s.front() == '-') return fail(error, fmt::format("negative duration '{}'", s));

  Wide total = 0;
  std::size_t next_unit = 0;  // index into kUnits of the smallest unit still allowed
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t number_start = i;
    Wide whole = 0;
    Wide fraction = 0;
    Wide fraction_scale = 1;
    bool digits = false;
    while (i < s.size() && is_digit(s[i])) {
      whole = whole * 10 + (s[i] - '0');
      if (whole > std::numeric_limits<std::int64_t>::max())
        return fail(error, fmt::format("duration '{}' is too large", s));
      digits = true;
      ++i;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && is_digit(s[i])) {
        if (fraction_scale < 1'000'000'000'000'000LL) {
          fraction = fraction * 10 + (s[i] - '0');
          fraction_scale *= 10;
        } else if (s[i] != '0') {
          return fail(error, fmt::format("duration '{}' is finer than a microsecond", s));
        }
        digits = true;
        ++i;
      }
    }
    if (!digits) {
      return fail(error, fmt::format("expected a number at '{}' in '{}' (e.g. 90s, 1h30m)",
                                     s.substr(number_start), s));
    }
    const std::size_t unit_start = i;
    while (i < s.size() && is_alpha(s[i])) ++i;
    const std::string_view unit = s.substr(unit_start, i - unit_start);
    if (unit.empty()) {
      return fail(error, fmt::format("missing unit after '{}' in '{}' ({})",
                                     s.substr(number_start, i - number_start), s, kExpectedUnits));
    }
    std::size_t u = 0;
    while (u < kUnits.size() && kUnits[u].name != unit) ++u;
    if (u == kUnits.size())
      return fail(error, fmt::format("unknown unit '{}' in '{}' ({})", unit, s, kExpectedUnits));
    if (u < next_unit) {
      return fail(error, fmt::format("unit '{}' out of order in '{}' (largest unit first, each "
                                     "once, e.g. 1h30m)",
                                     unit, s));
    }
    next_unit = u + 1;
    const Wide scaled_fraction = fraction * kUnits[u].micros;
    if (scaled_fraction % fraction_scale != 0)
      return fail(error, fmt::format("duration '{}' is finer than a microsecond", s));
    total += whole * kUnits[u].micros + scaled_fraction / fraction_scale;
    if (total > std::numeric_limits<std::int64_t>::max())
      return fail(error, fmt::format("duration '{}' is too large", s));
  }
  return SimDuration{static_cast<std::int64_t>(total)};
}

std::string format_duration(SimDuration d) {
  const std::int64_t signed_us = d.count();
  if (signed_us == 0) return "0s";
  std::string out;
  // Unsigned magnitude: the most negative value has no positive int64 twin.
  std::uint64_t us = static_cast<std::uint64_t>(signed_us);
  if (signed_us < 0) {
    out.push_back('-');
    us = 0 - us;
  }
  for (const Unit& unit : kUnits) {
    const auto unit_us = static_cast<std::uint64_t>(unit.micros);
    if (us >= unit_us) {
      out += fmt::format("{}{}", us / unit_us, unit.name);
      us %= unit_us;
    }
  }
  return out;
}

std::string format_time(SimTime t) {
  if (t == kNever) return "never";
  return format_duration(t.time_since_epoch());
}

}  // namespace ecsim
