#pragma once

// What every benchmark shares: its command line ([--COUNT N] [--repeat K] [--sizes N,N,...]
// [--json] [--help]), the median of repeated runs, and for the placement benchmarks the timed
// steady-state loop and the rows of repeated runs per size.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <ctime>
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

/// What one run of a placement benchmark measured.
struct RunResult {
  double per_second = 0;           ///< placements (or pods) per second at steady state
  double cpu_per_second = 0;       ///< the same over this thread's CPU time (no waiting)
  std::uint64_t failures = 0;      ///< placements that found no host at steady state
  std::uint64_t choice_hash = 0;   ///< FNV-1a over the hosts chosen: same seed, same choices
};

/// The median of `settings.repeat` runs at one size, and whether every run chose alike.
struct Row {
  std::uint64_t size = 0;
  double per_second = 0;
  double cpu_per_second = 0;
  std::uint64_t failures = 0;
  bool same_choices = true;
  std::uint64_t choice_hash = 0;  ///< the last run's
};

/// This thread's CPU time in seconds.
inline double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

/// Calls `step` `count` times; sets how many per second of wall clock and of this thread's CPU
/// time (which a busy machine inflates less).
template <class Step>
void per_second(std::uint64_t count, Step&& step, RunResult& result) {
  const double cpu_start = thread_cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < count; ++i) step();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  result.per_second = static_cast<double>(count) / elapsed.count();
  result.cpu_per_second = static_cast<double>(count) / (thread_cpu_seconds() - cpu_start);
}

/// The steady state of a placement benchmark: calls `place_one` until `running()` reaches
/// `target` (the fill: untimed, its failures forgotten), then times `count` steps of
/// `stop_one` then `place_one` into `result.per_second`.
template <class Running, class Place, class Stop>
void fill_then_time(RunResult& result, std::size_t target, Running&& running, Place&& place_one,
                    Stop&& stop_one, std::uint64_t count) {
  while (running() < target) place_one();
  result.failures = 0;
  per_second(count, [&] {
    stop_one();
    place_one();
  }, result);
}

/// Runs `run(size)` (returning a RunResult) `settings.repeat` times for each size.
template <class Run>
std::vector<Row> measure(const Settings& settings, Run&& run) {
  std::vector<Row> rows;
  for (const std::uint64_t n : settings.sizes) {
    std::vector<double> rates, cpu_rates;
    Row row{n, 0, 0, 0, true, 0};
    std::uint64_t hash = 0;
    for (std::uint64_t r = 0; r < settings.repeat; ++r) {
      const RunResult res = run(n);
      rates.push_back(res.per_second);
      cpu_rates.push_back(res.cpu_per_second);
      row.failures = res.failures;
      row.same_choices = row.same_choices && (r == 0 || res.choice_hash == hash);
      hash = res.choice_hash;
    }
    row.choice_hash = hash;
    row.per_second = median(rates);
    row.cpu_per_second = median(cpu_rates);
    rows.push_back(row);
  }
  return rows;
}

/// Prints "NAME: repeated runs chose different ..." and returns 1 if a row's runs differed.
inline int check_same_choices(const std::vector<Row>& rows, const char* message) {
  for (const Row& r : rows) {
    if (!r.same_choices) {
      std::fputs(message, stderr);
      return 1;
    }
  }
  return 0;
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
