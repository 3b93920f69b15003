#pragma once

// Strict parsing of the command line's values: whole numbers, durations and sizes of memory,
// each refused with a message that says what was expected rather than clamped or ignored.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ecsim/sim/time.hpp"

namespace ecsim::cli {

/// A parsed value, or why `text` is not one ("--seed: '-1' is not a whole number from 0 to ...").
template <class T>
struct Parsed {
  std::optional<T> value;
  std::string problem;
};

/// A whole number in [min, max] written in decimal digits only (no sign, exponent or spaces).
Parsed<std::uint64_t> parse_whole(std::string_view option, std::string_view text, std::uint64_t min,
                                  std::uint64_t max);

/// A duration such as 90s or 6h in (0, max].
Parsed<SimDuration> parse_positive_duration(std::string_view option, std::string_view text,
                                            SimDuration max);

/// A size of memory: a number of bytes, or a number (fractions allowed) with K, M, G or T, with or
/// without i and B, in powers of 1024 ("16G", "512MiB", "1.5GB"); more than 0.
Parsed<double> parse_bytes(std::string_view option, std::string_view text);

}  // namespace ecsim::cli
