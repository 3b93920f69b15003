// Kubernetes quantities, after the API's resource.Quantity: the grammar of
// k8s.io/apimachinery/pkg/api/resource (a signed number, then a binary or decimal suffix or a
// decimal exponent), read into an exact integer count of the unit asked for, rounded up.

#include "ecsim/eks/quantity.hpp"

#include <array>

namespace ecsim::eks {
namespace {

__extension__ using Wide = __int128;

constexpr Wide kLimit = Wide{INT64_MAX};

struct Scale {
  int power10 = 0;  // the value is mantissa x 10^power10 x 2^power2
  int power2 = 0;
};

// The scale a suffix (or an exponent) adds; none when the suffix is not one of Kubernetes'.
std::optional<Scale> suffix_scale(std::string_view s) {
  static constexpr std::array<std::pair<std::string_view, int>, 6> kBinary{
      {{"Ki", 10}, {"Mi", 20}, {"Gi", 30}, {"Ti", 40}, {"Pi", 50}, {"Ei", 60}}};
  static constexpr std::array<std::pair<std::string_view, int>, 10> kDecimal{
      {{"n", -9}, {"u", -6}, {"m", -3}, {"", 0}, {"k", 3}, {"M", 6}, {"G", 9}, {"T", 12},
       {"P", 15}, {"E", 18}}};
  for (const auto& [name, p] : kBinary)
    if (s == name) return Scale{0, p};
  for (const auto& [name, p] : kDecimal)
    if (s == name) return Scale{p, 0};
  if (s.size() >= 2 && (s[0] == 'e' || s[0] == 'E')) {
    std::size_t i = 1;
    bool negative = false;
    if (s[i] == '+' || s[i] == '-') negative = s[i++] == '-';
    if (i == s.size() || s.size() - i > 3) return std::nullopt;
    int e = 0;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      e = e * 10 + (s[i] - '0');
    }
    return Scale{negative ? -e : e, 0};
  }
  return std::nullopt;
}

bool fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

// Reads `text` as value x 10^`unit_power10` units, rounded up, into `out`.
bool parse(std::string_view text, int unit_power10, std::int64_t& out, std::string* error) {
  const std::string shown(text);
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    if (text[i] == '-')
      return fail(error, "'" + shown + "' is negative (expected a quantity of 0 or more)");
    ++i;
  }
  Wide mantissa = 0;
  int fraction_digits = 0;
  bool digits = false, point = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    digits = true;
    // Digits past 30 significant ones cannot change a 63-bit result; refuse rather than wrap.
    if (mantissa > kLimit * 1000) return fail(error, "'" + shown + "' is too large");
    mantissa = mantissa * 10 + (c - '0');
    if (point) ++fraction_digits;
  }
  if (!digits)
    return fail(error, "'" + shown +
                           "' is not a quantity (expected a number with an optional suffix, such "
                           "as 100m, 0.5, 64Mi or 1e3)");
  const std::optional<Scale> scale = suffix_scale(text.substr(i));
  if (!scale)
    return fail(error, "'" + shown + "' has an unknown suffix '" + std::string(text.substr(i)) +
                           "' (expected one of Ki Mi Gi Ti Pi Ei n u m k M G T P E, or an "
                           "exponent such as e3)");
  // value = mantissa x 10^(p10) x 2^(p2) units, p10 = scale - fraction digits + unit power.
  int p10 = scale->power10 - fraction_digits + unit_power10;
  Wide numerator = mantissa, denominator = 1;
  for (int k = 0; k < scale->power2; ++k) {
    numerator *= 2;
    if (numerator > kLimit * 1000) return fail(error, "'" + shown + "' is too large");
  }
  for (; p10 > 0; --p10) {
    numerator *= 10;
    if (numerator > kLimit * 1000) return fail(error, "'" + shown + "' is too large");
  }
  for (; p10 < 0; ++p10) {
    denominator *= 10;
    // A denominator past 10^37 makes any 30-digit mantissa round up to at most 1.
    if (denominator > kLimit * kLimit) break;
  }
  const Wide value = numerator / denominator + (numerator % denominator != 0 ? 1 : 0);
  if (value > kLimit) return fail(error, "'" + shown + "' is too large");
  out = static_cast<std::int64_t>(value);
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_quantity_millis(std::string_view text, std::string* error) {
  std::int64_t out = 0;
  if (!parse(text, 3, out, error)) return std::nullopt;
  return out;
}

std::optional<std::int64_t> parse_quantity_units(std::string_view text, std::string* error) {
  std::int64_t out = 0;
  if (!parse(text, 0, out, error)) return std::nullopt;
  return out;
}

}  // namespace ecsim::eks
