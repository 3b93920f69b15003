#pragma once

// What every benchmark shares: its command line ([--COUNT N] [--repeat K] [--sizes N,N,...]
// [--json] [--help]) and the median of repeated runs.

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ecsim::bench {

/// A benchmark's settings; the caller fills in the defaults before parsing.
struct Settings {
  std::uint64_t count = 0;               ///< operations timed per run (holds, placements, ...)
  std::uint64_t repeat = 3;              ///< runs per size; the median is reported
  std::vector<std::uint64_t> sizes;      ///< the problem sizes to measure
  bool json = false;                     ///< print machine-readable rows
};

/// The median of `v` (not empty).
inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

namespace detail {

inline bool parse_positive(std::string_view s, std::uint64_t& out) {
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && ptr == s.data() + s.size() && out > 0;
}

}  // namespace detail

/// Parses the command line of benchmark `name`, whose per-run count flag is `count_flag`
/// (e.g. "--holds") and whose one-line description is `about`, into `settings`. Returns the
/// exit status to end with (0 after --help, 2 after a usage error, with the usage on stderr), or
/// nothing to go on and measure.
inline std::optional<int> parse_command_line(int argc, char** argv, const char* name,
                                             std::string_view count_flag, const char* about,
                                             Settings& settings) {
  const std::string flag(count_flag);
  auto usage = [&](const std::string& message) {
    std::fprintf(stderr, "%s: %s\nusage: %s [%s N] [--repeat K] [--sizes N,N,...] [--json]\n",
                 name, message.c_str(), name, flag.c_str());
    return 2;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--json") {
      settings.json = true;
    } else if (arg == count_flag && has_value) {
      if (!detail::parse_positive(argv[++i], settings.count))
        return usage(flag + " needs a positive integer");
    } else if (arg == "--repeat" && has_value) {
      if (!detail::parse_positive(argv[++i], settings.repeat))
        return usage("--repeat needs a positive integer");
    } else if (arg == "--sizes" && has_value) {
      settings.sizes.clear();
      std::string_view list = argv[++i];
      while (!list.empty()) {
        const std::size_t comma = std::min(list.find(','), list.size());
        std::uint64_t n = 0;
        if (!detail::parse_positive(list.substr(0, comma), n))
          return usage("--sizes needs positive integers");
        settings.sizes.push_back(n);
        list.remove_prefix(std::min(comma + 1, list.size()));
      }
    } else if (arg == "--help" || arg == "-h") {
      usage(about);
      return 0;
    } else {
      return usage("unknown or incomplete argument '" + std::string(arg) + "'");
    }
  }
  return std::nullopt;
}

}  // namespace ecsim::bench
