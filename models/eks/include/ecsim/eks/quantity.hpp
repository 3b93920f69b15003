#pragma once

/// Kubernetes resource quantities (`100m`, `0.5`, `64Mi`, `1Gi`, `1e3`, `129e6`): a signed
/// decimal number, then either a binary suffix (Ki Mi Gi Ti Pi Ei), a decimal suffix (n u m k M
/// G T P E, or none) or a decimal exponent (e/E and an integer). Values are rounded up to the
/// unit asked for, as the API server does when it canonicalises them (0.1m CPU is 1m).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ecsim::eks {

/// `text` in units of 10^-3 (CPU millicores: "100m" is 100, "0.5" is 500, "2" is 2000), rounded
/// up; none, with the reason in `error` if given, when it is not a quantity, is negative or
/// does not fit in 63 bits.
std::optional<std::int64_t> parse_quantity_millis(std::string_view text,
                                                  std::string* error = nullptr);

/// `text` in whole units (memory bytes: "64Mi" is 67108864, "1G" is 10^9, "129e6" is
/// 129000000), rounded up; none as for parse_quantity_millis.
std::optional<std::int64_t> parse_quantity_units(std::string_view text,
                                                 std::string* error = nullptr);

}  // namespace ecsim::eks
