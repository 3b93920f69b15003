#include "k8s_fields.hpp"

#include <charconv>

#include <fmt/format.h>

#include "ecsim/eks/quantity.hpp"

namespace ecsim::scenario::detail {

std::optional<eks::Labels> read_labels(const Reader& r) {
  if (!r.present()) return eks::Labels{};
  if (!r.is_map()) {
    r.error("expected a mapping of names to values");
    return std::nullopt;
  }
  eks::Labels out;
  bool ok = true;
  for (const auto& [key, value] : r.entries()) {
    // `key: ` (null) is an empty value, as Kubernetes reads it.
    if (!value.present()) {
      out[key] = "";
      continue;
    }
    const std::optional<std::string> text = value.string();
    ok = ok && text.has_value();
    if (text) out[key] = *text;
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<eks::TaintEffect> taint_effect_named(std::string_view name) {
  for (const auto e : {eks::TaintEffect::kNoSchedule, eks::TaintEffect::kPreferNoSchedule,
                       eks::TaintEffect::kNoExecute})
    if (name == taint_effect_name(e)) return e;
  return std::nullopt;
}

std::optional<eks::TaintEffect> read_taint_effect(const Reader& r) {
  const auto name = r.one_of({"NoSchedule", "PreferNoSchedule", "NoExecute"});
  if (!name) return std::nullopt;
  return taint_effect_named(*name);
}

const char* taint_effect_name(eks::TaintEffect effect) {
  switch (effect) {
    case eks::TaintEffect::kNoSchedule:
      return "NoSchedule";
    case eks::TaintEffect::kPreferNoSchedule:
      return "PreferNoSchedule";
    case eks::TaintEffect::kNoExecute:
      return "NoExecute";
  }
  return "?";
}

std::optional<eks::IntOrPercent> read_int_or_percent(const Reader& r, std::int64_t max_int,
                                                     std::int64_t max_percent) {
  if (!r.present()) return std::nullopt;
  const std::string expected =
      fmt::format("expected a whole number from 0 to {} or a percentage such as \"25%\"", max_int);
  if (!r.is_scalar()) {
    r.error(expected);
    return std::nullopt;
  }
  const std::string text = *r.string();
  if (!text.empty() && text.back() == '%') {
    std::int64_t value = 0;
    const char* end = text.data() + text.size() - 1;
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || text.front() == '-' || text.front() == '+') {
      r.error(
          fmt::format("'{}' is not a percentage (a valid percent string must be a numeric "
                      "string followed by an ending '%')",
                      text));
      return std::nullopt;
    }
    if (value > max_percent) {
      r.error(fmt::format("'{}' must not be greater than {}%", text, max_percent));
      return std::nullopt;
    }
    return eks::IntOrPercent{value, true};
  }
  // A quoted number is a string to Kubernetes, and a string must be a percentage.
  if (r.is_quoted()) {
    r.error(fmt::format("'{}' is a string but not a percentage ({})", text, expected));
    return std::nullopt;
  }
  const auto value = r.integer(0, max_int);
  if (!value) return std::nullopt;
  return eks::IntOrPercent{*value, false};
}

std::optional<std::int64_t> read_quantity(const Reader& r, bool millis) {
  if (!r.present()) return std::nullopt;
  if (!r.is_scalar()) {
    r.error("expected a quantity such as 100m, 0.5, 64Mi or 1Gi");
    return std::nullopt;
  }
  std::string why;
  const std::string text = *r.string();
  const auto value =
      millis ? eks::parse_quantity_millis(text, &why) : eks::parse_quantity_units(text, &why);
  if (!value) r.error(why);
  return value;
}

}  // namespace ecsim::scenario::detail
