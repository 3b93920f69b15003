#pragma once

/// Job traces: CSV files of recorded submissions, replayed as arrivals with their own durations
/// and sizes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ecsim/sim/time.hpp"
#include "ecsim/workload/load.hpp"

namespace ecsim::workload {

/// One job of a trace.
struct TraceRecord {
  /// When the job is submitted, as an offset from the start of the run.
  SimTime submit_time = kSimStart;
  /// How long the job runs once started, >= 0.
  SimDuration duration{0};
  /// The CPU the job reserves, in ECS CPU units (1024 per vCPU).
  std::uint32_t cpu_units = 0;
  /// The memory the job reserves, in MiB, >= 1.
  std::uint32_t memory_mib = 0;

  friend bool operator==(const TraceRecord&, const TraceRecord&) = default;
};

/// One problem in a trace's text, at a 1-based line and byte column.
struct TraceError {
  /// The 1-based line number.
  std::size_t line = 0;
  /// The 1-based byte column of the offending field (1 for the line as a whole).
  std::size_t column = 0;
  /// What is wrong and, in parentheses, what was expected.
  std::string message;

  friend bool operator==(const TraceError&, const TraceError&) = default;
};

/// Bounds on what one parse may consume or report.
struct TraceLimits {
  /// The most data rows (not counting the header, blank lines and comments) a trace may have.
  std::size_t max_rows = 10'000'000;
  /// The most errors reported one by one (>= 1); the rest are counted in one final note.
  std::size_t max_errors = 100;
};

/// What `parse_trace_csv` found: the good rows and every error.
struct TraceParseResult {
  /// The name of the parsed text (usually its file path), as given.
  std::string source;
  /// The well-formed rows in file order; use them only when `errors` is empty.
  std::vector<TraceRecord> records;
  /// Every problem found, in line order, capped at `TraceLimits::max_errors` plus a final
  /// "... and N more errors" note.
  std::vector<TraceError> errors;

  /// Whether the trace parsed without any error.
  [[nodiscard]] bool ok() const noexcept { return errors.empty(); }
};

/// The names of the columns a trace header must have, in any order.
inline constexpr std::array<std::string_view, 4> kTraceColumns{"submit_time", "duration", "cpu",
                                                               "memory"};

/// Parses the CSV `text` named `source` (not read from disk). The first line that is neither blank
/// nor a comment (first non-blank character `#`) is the header: comma-separated column names,
/// which must include submit_time, duration, cpu and memory in any order; other columns are
/// ignored. Each later row has one field per column. submit_time and duration are an ecsim
/// duration (`90s`, `1h30m`, `250ms`) or plain decimal seconds (`12.5`), exact to the
/// microsecond; cpu is an integer number of ECS CPU units (>= 0) and memory an integer number of
/// MiB (>= 1). Rows must be sorted by submit_time (ties allowed). Fields may be surrounded by
/// spaces or tabs and may be double-quoted (`""` is a quote inside quotes) but not span lines;
/// CRLF line ends and a UTF-8 byte order mark are accepted. Every bad row and field is reported,
/// up to `limits`; more than `limits.max_rows` rows is an error that stops the parse.
[[nodiscard]] TraceParseResult parse_trace_csv(std::string_view text, std::string_view source,
                                               const TraceLimits& limits = {});

/// The columns of a rate trace: a time and a value.
struct RateTraceColumns {
  std::string time = "time";
  std::string value = "requests_per_second";
};

/// What `parse_rate_csv` found.
struct RateTraceResult {
  std::string source;
  std::vector<LoadPoint> points;  ///< the rows' times and values, in time order
  std::vector<TraceError> errors;
  [[nodiscard]] bool ok() const noexcept { return errors.empty(); }
};

/// Parses a trace of a rate (a metric exported from CloudWatch, a load balancer's log, a load
/// test): a header naming `columns.time` and `columns.value` among any others, then one row per
/// time, strictly increasing. A time is a duration or seconds from the start of the run, or an
/// ISO 8601 UTC timestamp (then counted from the first row's); a value a decimal number >= 0.
/// Blank lines, `#` comments, quotes, CRLF and a byte order mark are read as by
/// `parse_trace_csv`. Values are returned as given (the caller divides by their period).
[[nodiscard]] RateTraceResult parse_rate_csv(std::string_view text, std::string_view source,
                                             const RateTraceColumns& columns,
                                             const TraceLimits& limits = {});

/// The errors of `result`, one line each as `source:line:column: error: message`.
[[nodiscard]] std::string format_trace_errors(const TraceParseResult& result);

/// An ISO 8601 UTC timestamp, YYYY-MM-DDTHH:MM:SS[.ffffff][Z|+00:00] (a space may stand for
/// the T), in microseconds since 1970-01-01; none if `text` is not one.
std::optional<std::int64_t> parse_utc_timestamp(std::string_view text);

}  // namespace ecsim::workload
