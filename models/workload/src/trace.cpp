#include "ecsim/workload/trace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include "ecsim/sim/assert.hpp"

namespace ecsim::workload {
namespace {

constexpr std::string_view kTimeExpected =
    "expected a duration such as 90s or 1h30m, or seconds such as 12.5";
constexpr std::string_view kCpuExpected = "expected CPU units as an integer, e.g. 256 for 1/4 vCPU";
constexpr std::string_view kMemoryExpected = "expected MiB as an integer, e.g. 512";
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// Indices into kTraceColumns.
enum Column : std::size_t { kSubmitTime, kDuration, kCpu, kMemory };

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// One field of a line: its text without surrounding blanks or quotes, and the 1-based column
// where that text starts.
struct Field {
  std::string_view text;
  std::size_t column = 0;
};

struct SplitError {
  std::size_t column = 0;
  std::string message;
};

// Splits `line` at commas outside double quotes into `fields` (reused across lines, so rows
// do not allocate once it has grown to the header's width).
std::optional<SplitError> split_fields(std::string_view line, std::vector<Field>& fields) {
  fields.clear();
  std::size_t i = 0;
  for (;;) {
    while (i < line.size() && is_blank(line[i])) ++i;
    if (i < line.size() && line[i] == '"') {
      const std::size_t open = i++;
      const std::size_t start = i;
      for (;; ++i) {
        if (i >= line.size()) {
          return SplitError{open + 1,
                            "unterminated quoted field (expected a closing '\"' on the "
                            "same line)"};
        }
        if (line[i] != '"') continue;
        if (i + 1 < line.size() && line[i + 1] == '"') {
          ++i;  // a doubled quote stands for one quote inside the field
          continue;
        }
        break;
      }
      fields.push_back({line.substr(start, i - start), start + 1});
      ++i;
      while (i < line.size() && is_blank(line[i])) ++i;
      if (i < line.size() && line[i] != ',') {
        return SplitError{i + 1, fmt::format("unexpected '{}' after a closing quote (expected a "
                                             "comma or the end of the line)",
                                             line[i])};
      }
    } else {
      const std::size_t start = i;
      while (i < line.size() && line[i] != ',') ++i;
      fields.push_back({trim(line.substr(start, i - start)), start + 1});
    }
    if (i >= line.size()) return std::nullopt;
    ++i;
  }
}

// Parses a time field: an ecsim duration, or plain decimal seconds exact to the microsecond.
// `buffer` is scratch space kept by the caller; on failure stores why in `error`.
std::optional<SimDuration> parse_time(std::string_view text, std::string& buffer,
                                      std::string& error) {
  if (text.empty()) {
    error = fmt::format("missing value ({})", kTimeExpected);
    return std::nullopt;
  }
  if (text.front() == '-') {
    error = fmt::format("'{}' is negative (expected a time >= 0s)", text);
    return std::nullopt;
  }
  const bool plain_seconds =
      std::all_of(text.begin(), text.end(), [](char c) { return is_digit(c) || c == '.'; }) &&
      std::count(text.begin(), text.end(), '.') <= 1 &&
      std::any_of(text.begin(), text.end(), is_digit);
  if (plain_seconds) {
    const std::size_t dot = text.find('.');
    if (dot != std::string_view::npos && text.size() - dot - 1 > 6 &&
        text.find_first_not_of('0', dot + 7) != std::string_view::npos) {
      error =
          fmt::format("'{}' is finer than a microsecond (expected at most 6 decimal places)", text);
      return std::nullopt;
    }
    buffer.assign(text);
    buffer.push_back('s');
    if (const auto seconds = parse_duration(buffer)) return seconds;
    error = fmt::format("'{}' is too large (expected at most {} seconds)", text,
                        SimDuration::max().count() / 1'000'000);
    return std::nullopt;
  }
  if (!is_digit(text.front()) && text.front() != '.') {
    error = fmt::format("'{}' is not a time ({})", text, kTimeExpected);
    return std::nullopt;
  }
  if (auto duration = parse_duration(text, &error)) return duration;
  return std::nullopt;
}

// Parses a non-negative integer field of at least `min`; on failure stores why in `error`.
std::optional<std::uint32_t> parse_count(std::string_view text, std::uint32_t min,
                                         std::string_view expected, std::string_view unit,
                                         std::string& error) {
  if (text.empty()) {
    error = fmt::format("missing value ({})", expected);
    return std::nullopt;
  }
  if (!std::all_of(text.begin(), text.end(), is_digit)) {
    error = fmt::format("'{}' is not a whole number ({})", text, expected);
    return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (status != std::errc{} || end != text.data() + text.size() ||
      value > std::numeric_limits<std::uint32_t>::max()) {
    error = fmt::format("'{}' is too large (expected at most {} {})", text,
                        std::numeric_limits<std::uint32_t>::max(), unit);
    return std::nullopt;
  }
  if (value < min) {
    error = fmt::format("'{}' is too small (expected at least {} {})", text, min, unit);
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(value);
}

// The next physical line of `rest` without its line end, `rest` moving past it; false at the end
// of the text.
bool take_line(std::string_view& rest, std::string_view& line) {
  if (rest.empty()) return false;
  const std::size_t end = rest.find('\n');
  line = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  return true;
}

// What is wrong with a row of `fields` fields under a header of `columns` columns.
std::string row_width_message(std::size_t fields, std::size_t columns) {
  return fmt::format("row has {} field{} but the header has {} columns (expected one field per "
                     "column)",
                     fields, fields == 1 ? "" : "s", columns);
}

class TraceParser {
 public:
  TraceParser(std::string_view text, const TraceLimits& limits, TraceParseResult& result)
      : rest_(text), limits_(limits), result_(result) {
    ECSIM_ASSERT(limits.max_errors >= 1, "a trace parse must be allowed to report an error");
    if (rest_.starts_with(kByteOrderMark)) rest_.remove_prefix(kByteOrderMark.size());
  }

  void run() {
    std::string_view line;
    bool have_header = false;
    while (next_line(line)) {
      const std::string_view content = trim(line);
      if (content.empty() || content.front() == '#') continue;
      if (!have_header) {
        if (!read_header(line)) return;
        have_header = true;
        continue;
      }
      if (++rows_ > limits_.max_rows) {
        // Reported even past the error cap: it is why the parse stopped.
        result_.errors.push_back(
            {line_number_, 1,
             fmt::format("the trace has more than {} rows (expected at most {}; split it into "
                         "several traces or sample it)",
                         limits_.max_rows, limits_.max_rows)});
        break;
      }
      read_row(line);
    }
    if (!have_header) {
      error(1, 1,
            fmt::format("no header line (expected a header with the columns {})",
                        required_columns()));
    }
    if (omitted_ > 0) {
      result_.errors.push_back(
          {first_omitted_line_, first_omitted_column_,
           fmt::format("... and {} more error{}", omitted_, omitted_ == 1 ? "" : "s")});
    }
  }

 private:
  static std::string required_columns() {
    return fmt::format("{}, {}, {} and {} in any order", kTraceColumns[0], kTraceColumns[1],
                       kTraceColumns[2], kTraceColumns[3]);
  }

  // The next physical line without its line end; false at the end of the text.
  bool next_line(std::string_view& line) {
    if (!take_line(rest_, line)) return false;
    ++line_number_;
    return true;
  }

  void error(std::size_t line, std::size_t column, std::string message) {
    if (result_.errors.size() < limits_.max_errors) {
      result_.errors.push_back({line, column, std::move(message)});
      return;
    }
    if (omitted_++ == 0) {
      first_omitted_line_ = line;
      first_omitted_column_ = column;
    }
  }

  // Maps the required columns to field indices; false (with errors) if the header is unusable.
  bool read_header(std::string_view line) {
    if (auto split_error = split_fields(line, fields_)) {
      error(line_number_, split_error->column, std::move(split_error->message));
      return false;
    }
    header_size_ = fields_.size();
    std::array<std::optional<std::size_t>, kTraceColumns.size()> found{};
    bool ok = true;
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      const auto known = std::find(kTraceColumns.begin(), kTraceColumns.end(), fields_[i].text);
      if (known == kTraceColumns.end()) continue;
      auto& index = found[static_cast<std::size_t>(known - kTraceColumns.begin())];
      if (index) {
        error(line_number_, fields_[i].column,
              fmt::format("duplicate column '{}' (first at column {}; expected each column once)",
                          fields_[i].text, fields_[*index].column));
        ok = false;
        continue;
      }
      index = i;
    }
    std::string missing;
    std::size_t missing_count = 0;
    for (std::size_t c = 0; c < kTraceColumns.size(); ++c) {
      if (found[c]) {
        column_index_[c] = *found[c];
        continue;
      }
      missing += fmt::format("{}'{}'", missing_count++ == 0 ? "" : ", ", kTraceColumns[c]);
    }
    if (missing_count > 0) {
      std::string names;
      for (const Field& field : fields_)
        names += fmt::format("{}{}", names.empty() ? "" : ", ", field.text);
      error(line_number_, 1,
            fmt::format("missing required column{} {} (expected {}; found {})",
                        missing_count == 1 ? "" : "s", missing, required_columns(), names));
      ok = false;
    }
    return ok;
  }

  void read_row(std::string_view line) {
    if (auto split_error = split_fields(line, fields_)) {
      error(line_number_, split_error->column, std::move(split_error->message));
      return;
    }
    if (fields_.size() != header_size_) {
      error(line_number_, 1, row_width_message(fields_.size(), header_size_));
      return;
    }
    const Field& submit = fields_[column_index_[kSubmitTime]];
    const Field& duration = fields_[column_index_[kDuration]];
    const Field& cpu = fields_[column_index_[kCpu]];
    const Field& memory = fields_[column_index_[kMemory]];

    bool ok = true;
    auto report = [&](Column column, const Field& field) {
      error(line_number_, field.column, fmt::format("{}: {}", kTraceColumns[column], why_));
      ok = false;
    };
    const auto submit_time = parse_time(submit.text, scratch_, why_);
    if (!submit_time) report(kSubmitTime, submit);
    const auto run_time = parse_time(duration.text, scratch_, why_);
    if (!run_time) report(kDuration, duration);
    const auto cpu_units = parse_count(cpu.text, 0, kCpuExpected, "CPU units", why_);
    if (!cpu_units) report(kCpu, cpu);
    const auto memory_mib = parse_count(memory.text, 1, kMemoryExpected, "MiB", why_);
    if (!memory_mib) report(kMemory, memory);
    if (!ok) return;

    const SimTime at = kSimStart + *submit_time;
    if (last_submit_line_ != 0 && at < last_submit_) {
      error(line_number_, submit.column,
            fmt::format("submit_time: {} is earlier than {} on line {} (expected rows sorted by "
                        "submit_time)",
                        format_time(at), format_time(last_submit_), last_submit_line_));
      return;
    }
    last_submit_ = at;
    last_submit_line_ = line_number_;
    result_.records.push_back({at, *run_time, *cpu_units, *memory_mib});
  }

  std::string_view rest_;
  TraceLimits limits_;
  TraceParseResult& result_;
  std::size_t line_number_ = 0;
  std::vector<Field> fields_;
  std::size_t header_size_ = 0;
  std::array<std::size_t, kTraceColumns.size()> column_index_{};
  std::size_t rows_ = 0;
  SimTime last_submit_ = kSimStart;
  std::size_t last_submit_line_ = 0;  // 0 until the first good row
  std::size_t omitted_ = 0;
  std::size_t first_omitted_line_ = 0;
  std::size_t first_omitted_column_ = 0;
  std::string scratch_;
  std::string why_;
};

}  // namespace

// Days from 1970-01-01 to the civil date (proleptic Gregorian), H. Hinnant's algorithm.
static std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? static_cast<unsigned>(-3) : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// An ISO 8601 UTC timestamp, YYYY-MM-DDTHH:MM:SS[.ffffff][Z|+00:00] (a space may stand for the
// T), in microseconds since 1970; none if `text` is not one.
std::optional<std::int64_t> parse_utc_timestamp(std::string_view text) {
  const auto digits = [&](std::size_t at, std::size_t n) -> std::optional<unsigned> {
    if (at + n > text.size()) return std::nullopt;
    unsigned v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (!is_digit(text[i])) return std::nullopt;
      v = v * 10 + static_cast<unsigned>(text[i] - '0');
    }
    return v;
  };
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') ||
      text[13] != ':' || text[16] != ':')
    return std::nullopt;
  const auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2),
             mi = digits(14, 2), sec = digits(17, 2);
  if (!y || !mo || !d || !h || !mi || !sec || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 ||
      *h > 23 || *mi > 59 || *sec > 60)
    return std::nullopt;
  std::size_t i = 19;
  std::int64_t micros = 0;
  if (i < text.size() && text[i] == '.') {
    std::int64_t scale = 100000;
    for (++i; i < text.size() && is_digit(text[i]); ++i, scale /= 10)
      micros += scale * (text[i] - '0');
  }
  const std::string_view zone = text.substr(i);
  if (!zone.empty() && zone != "Z" && zone != "+00:00" && zone != "+0000") return std::nullopt;
  const std::int64_t days = days_from_civil(*y, *mo, *d);
  return ((days * 24 + *h) * 60 + *mi) * 60'000'000 + std::int64_t{*sec} * 1'000'000 + micros;
}


RateTraceResult parse_rate_csv(std::string_view text, std::string_view source,
                               const RateTraceColumns& columns, const TraceLimits& limits) {
  RateTraceResult result;
  result.source = std::string(source);
  if (text.starts_with(kByteOrderMark)) text.remove_prefix(kByteOrderMark.size());
  std::vector<Field> fields;
  std::size_t line_number = 0, header_size = 0, time_at = 0, value_at = 0, rows = 0;
  bool have_header = false;
  std::optional<std::int64_t> first_stamp;  // timestamps count from the first row's
  std::size_t last_line = 0;
  SimTime last = kSimStart;
  std::string scratch, why;
  const auto error = [&](std::size_t line, std::size_t column, std::string message) {
    if (result.errors.size() < limits.max_errors) result.errors.push_back({line, column, std::move(message)});
  };
  std::string_view line;
  while (take_line(text, line)) {
    ++line_number;
    const std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') continue;
    if (auto split = split_fields(line, fields)) {
      error(line_number, split->column, std::move(split->message));
      continue;
    }
    if (!have_header) {
      have_header = true;
      header_size = fields.size();
      std::optional<std::size_t> t, v;
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].text == columns.time && !t) t = i;
        if (fields[i].text == columns.value && !v) v = i;
      }
      std::string names;
      for (const Field& f : fields) names += fmt::format("{}{}", names.empty() ? "" : ", ", f.text);
      for (const auto& [found, name] : {std::pair{t, columns.time}, std::pair{v, columns.value}})
        if (!found)
          error(line_number, 1,
                fmt::format("missing column '{}' (expected a header naming the columns '{}' and "
                            "'{}'; found {})",
                            name, columns.time, columns.value, names));
      if (!t || !v) return result;
      time_at = *t;
      value_at = *v;
      continue;
    }
    if (++rows > limits.max_rows) {
      error(line_number, 1, fmt::format("the trace has more than {} rows", limits.max_rows));
      break;
    }
    if (fields.size() != header_size) {
      error(line_number, 1, row_width_message(fields.size(), header_size));
      continue;
    }
    const Field& tf = fields[time_at];
    const Field& vf = fields[value_at];
    std::optional<SimTime> at;
    if (const auto stamp = parse_utc_timestamp(tf.text)) {
      if (!first_stamp) first_stamp = *stamp;
      if (*stamp < *first_stamp)
        error(line_number, tf.column,
              fmt::format("{}: '{}' is before the first row's time (expected rows in time "
                          "order)",
                          columns.time, tf.text));
      else
        at = kSimStart + SimDuration{*stamp - *first_stamp};
    } else if (const auto offset = parse_time(tf.text, scratch, why)) {
      at = kSimStart + *offset;
    } else {
      error(line_number, tf.column,
            fmt::format("{}: {} (or an ISO 8601 UTC time such as 2024-03-01T12:00:00Z)",
                        columns.time, why));
    }
    double value = 0;
    const auto [ptr, status] = std::from_chars(vf.text.data(), vf.text.data() + vf.text.size(), value);
    const bool number = !vf.text.empty() && status == std::errc{} &&
                        ptr == vf.text.data() + vf.text.size() && std::isfinite(value);
    if (!number || value < 0) {
      error(line_number, vf.column,
            fmt::format("{}: '{}' is not {} (expected a number of requests, 0 or more)",
                        columns.value, vf.text, number ? "0 or more" : "a number"));
      continue;
    }
    if (!at) continue;
    if (last_line != 0 && *at <= last) {
      error(line_number, tf.column,
            fmt::format("{}: {} is not after {} on line {} (expected rows in increasing time)",
                        columns.time, format_time(*at), format_time(last), last_line));
      continue;
    }
    last = *at;
    last_line = line_number;
    result.points.push_back({*at, value});
  }
  if (!have_header)
    error(1, 1, fmt::format("no header line (expected a header naming the columns '{}' and '{}')",
                            columns.time, columns.value));
  else if (result.errors.empty() && result.points.empty())
    error(line_number, 1, "no rows (expected at least one row of a time and a rate)");
  return result;
}

TraceParseResult parse_trace_csv(std::string_view text, std::string_view source,
                                 const TraceLimits& limits) {
  TraceParseResult result;
  result.source = std::string(source);
  // One record per line at most: reserving up front avoids the copies (and the 1.5x peak) of
  // growing a vector of up to max_rows records.
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  result.records.reserve(std::min(lines, limits.max_rows));
  TraceParser(text, limits, result).run();
  return result;
}

std::string format_trace_errors(const TraceParseResult& result) {
  std::string out;
  for (const TraceError& e : result.errors)
    out += fmt::format("{}:{}:{}: error: {}\n", result.source, e.line, e.column, e.message);
  return out;
}

}  // namespace ecsim::workload
