#include "options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace ecsim::cli {
namespace {

// `text` as the user wrote it, in quotes, cut short if long.
std::string quoted(std::string_view text) {
  if (text.size() > 40) return fmt::format("'{}...'", text.substr(0, 32));
  return fmt::format("'{}'", text);
}

}  // namespace

Parsed<std::uint64_t> parse_whole(std::string_view option, std::string_view text, std::uint64_t min,
                                  std::uint64_t max) {
  const std::string expected = fmt::format("expected a whole number from {} to {}", min, max);
  if (text.empty())
    return {std::nullopt, fmt::format("{}: the value is empty ({})", option, expected)};
  std::uint64_t value = 0;
  const bool digits =
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!digits || end != text.data() + text.size())
    return {std::nullopt,
            fmt::format("{}: {} is not a whole number ({})", option, quoted(text), expected)};
  if (error == std::errc::result_out_of_range || value > max)
    return {std::nullopt, fmt::format("{}: {} is too large ({})", option, quoted(text), expected)};
  if (value < min)
    return {std::nullopt, fmt::format("{}: {} is too small ({})", option, quoted(text), expected)};
  return {value, {}};
}

Parsed<SimDuration> parse_positive_duration(std::string_view option, std::string_view text,
                                            SimDuration max) {
  const std::string expected =
      fmt::format("expected a duration such as 90s or 6h, up to {}", format_duration(max));
  if (text.empty())
    return {std::nullopt, fmt::format("{}: the value is empty ({})", option, expected)};
  std::string why;
  const std::optional<SimDuration> d = parse_duration(text, &why);
  if (!d) return {std::nullopt, fmt::format("{}: {}", option, why)};
  if (*d <= SimDuration::zero())
    return {std::nullopt, fmt::format("{}: must be longer than 0s ({})", option, expected)};
  if (*d > max)
    return {std::nullopt, fmt::format("{}: {} is too long ({})", option, quoted(text), expected)};
  return {d, {}};
}

Parsed<double> parse_bytes(std::string_view option, std::string_view text) {
  const std::string expected =
      "expected a size such as 16G, 512MiB or 1.5GB, in powers of 1024, or a number of bytes";
  if (text.empty())
    return {std::nullopt, fmt::format("{}: the value is empty ({})", option, expected)};
  double number = 0;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), number, std::chars_format::fixed);
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  double scale = 1;
  if (!unit.empty()) {
    const char u = static_cast<char>(std::toupper(static_cast<unsigned char>(unit.front())));
    const std::string_view units = "KMGT";
    const std::size_t k = units.find(u);
    if (k != std::string_view::npos) {
      scale = std::pow(1024.0, static_cast<double>(k + 1));
      unit.remove_prefix(1);
      if (!unit.empty() && (unit.front() == 'i' || unit.front() == 'I')) unit.remove_prefix(1);
    }
    if (!unit.empty() && (unit.front() == 'B' || unit.front() == 'b')) unit.remove_prefix(1);
  }
  if (error != std::errc{} || end == text.data() || !unit.empty() || !std::isfinite(number))
    return {std::nullopt, fmt::format("{}: {} is not a size ({})", option, quoted(text), expected)};
  if (number <= 0)
    return {std::nullopt,
            fmt::format("{}: {} is not more than 0 ({})", option, quoted(text), expected)};
  return {number * scale, {}};
}

}  // namespace ecsim::cli
