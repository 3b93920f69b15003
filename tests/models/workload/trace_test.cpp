#include "ecsim/workload/trace.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace ecsim::workload {
namespace {

using namespace std::chrono_literals;

constexpr SimTime at(SimDuration d) {
  return kSimStart + d;
}

// The errors of parsing `text` (named "jobs.csv") with `limits`.
std::vector<TraceError> errors_of(std::string_view text, const TraceLimits& limits = {}) {
  return parse_trace_csv(text, "jobs.csv", limits).errors;
}

}  // namespace

TEST_CASE("a trace parses in any column order with comments, blanks, quotes and CRLF",
          "[workload]") {
  const std::string text =
      "# exported from the batch scheduler\r\n"
      "\r\n"
      "job,cpu,submit_time,memory,duration,note\r\n"
      "a,256,0,512,90s,\"first, quoted\"\r\n"
      "  # a comment between rows\r\n"
      "b, 1024 ,1.5,2048,1h30m,\r\n"
      "c,0,1.5,1,0.000001,plain\r\n"
      "d,512,\"2m\",4096,250ms,\"say \"\"hi\"\"\"";  // no line end after the last row
  const TraceParseResult result = parse_trace_csv(text, "jobs.csv");
  CHECK(result.ok());
  CHECK(result.source == "jobs.csv");
  // 1.5 is plain seconds, 0.000001 one microsecond, 1h30m = 5400 s.
  CHECK(result.records == std::vector<TraceRecord>{{at(0s), 90s, 256, 512},
                                                   {at(1500ms), 5400s, 1024, 2048},
                                                   {at(1500ms), 1us, 0, 1},
                                                   {at(2min), 250ms, 512, 4096}});
}

TEST_CASE("a trace may start with a byte order mark and end without rows", "[workload]") {
  const TraceParseResult result =
      parse_trace_csv("\xEF\xBB\xBFsubmit_time,duration,cpu,memory\n", "jobs.csv");
  CHECK(result.ok());
  CHECK(result.records.empty());
  CHECK(parse_trace_csv("submit_time,duration,cpu,memory\n12.000000000,1.1234560,1,1\n", "t")
            .records == std::vector<TraceRecord>{{at(12s), 1'123'456us, 1, 1}});
}

TEST_CASE("a trace without the required columns names the missing ones and what it found",
          "[workload]") {
  CHECK(errors_of("submit_time,duration,cpu,mem,memo\n0,1s,1,1,1\n") ==
        std::vector<TraceError>{
            {1, 1,
             "missing required column 'memory' (expected submit_time, duration, cpu and memory "
             "in any order; found submit_time, duration, cpu, mem, memo)"}});
  CHECK(errors_of("# header below\ntime,duration,cpu\n") ==
        std::vector<TraceError>{
            {2, 1,
             "missing required columns 'submit_time', 'memory' (expected submit_time, duration, "
             "cpu and memory in any order; found time, duration, cpu)"}});
  // "submit_time" fills columns 1-11, so the first "cpu" starts at 13 and the second at 26.
  CHECK(errors_of("submit_time,cpu,duration,cpu,memory\n") ==
        std::vector<TraceError>{
            {1, 26, "duplicate column 'cpu' (first at column 13; expected each column once)"}});
  const std::vector<TraceError> no_header{
      {1, 1,
       "no header line (expected a header with the columns submit_time, duration, cpu and memory "
       "in any order)"}};
  CHECK(errors_of("") == no_header);
  CHECK(errors_of("# only a comment\n\n") == no_header);
}

TEST_CASE("every bad row of a trace is reported at its line and column", "[workload]") {
  const std::string text =
      "submit_time,duration,cpu,memory\n"  // 1
      "10,10s,256,512\n"                   // 2 good
      "5x,10s,256,512\n"                   // 3
      "20,abc,2.5,0\n"                     // 4
      "20,-1s,256\n"                       // 5
      "5,10s,256,512\n"                    // 6
      "30, 1.0000001 ,99999999999,512\n"   // 7
      "40,1m,,512\n"                       // 8
      "50,1m,256,\"512\n"                  // 9
      "60,1m,256,\"512\" x\n"              // 10
      "60,-5,256,\"512\"\n"                // 11
      "70,1m,256,512\n";                   // 12 good
  const TraceParseResult result = parse_trace_csv(text, "jobs.csv");
  // Columns count bytes from 1: in "20,abc,2.5,0" duration starts at 4, cpu at 8, memory at 12;
  // in "30, 1.0000001 ,99999999999,512" the duration's text at 5 and cpu at 16; the quote of
  // line 9 is at 11 and the stray x of line 10 at 17.
  CHECK(result.errors ==
        std::vector<TraceError>{
            {3, 1, "submit_time: unknown unit 'x' in '5x' (expected one of d, h, m, s, ms, us)"},
            {4, 4,
             "duration: 'abc' is not a time (expected a duration such as 90s or 1h30m, or "
             "seconds such as 12.5)"},
            {4, 8,
             "cpu: '2.5' is not a whole number (expected CPU units as an integer, e.g. 256 for "
             "1/4 vCPU)"},
            {4, 12, "memory: '0' is too small (expected at least 1 MiB)"},
            {5, 1, "row has 3 fields but the header has 4 columns (expected one field per column)"},
            {6, 1,
             "submit_time: 5s is earlier than 10s on line 2 (expected rows sorted by "
             "submit_time)"},
            {7, 5,
             "duration: '1.0000001' is finer than a microsecond (expected at most 6 decimal "
             "places)"},
            {7, 16, "cpu: '99999999999' is too large (expected at most 4294967295 CPU units)"},
            {8, 7, "cpu: missing value (expected CPU units as an integer, e.g. 256 for 1/4 vCPU)"},
            {9, 11, "unterminated quoted field (expected a closing '\"' on the same line)"},
            {10, 17,
             "unexpected 'x' after a closing quote (expected a comma or the end of the line)"},
            {11, 4, "duration: '-5' is negative (expected a time >= 0s)"}});
  CHECK(result.records ==
        std::vector<TraceRecord>{{at(10s), 10s, 256, 512}, {at(70s), 1min, 256, 512}});
  CHECK(format_trace_errors(result).starts_with(
      "jobs.csv:3:1: error: submit_time: unknown unit 'x' in '5x' (expected one of d, h, m, s, "
      "ms, us)\njobs.csv:4:4: error: duration: 'abc' is not a time"));
}

TEST_CASE("a trace reports its first errors one by one and counts the rest", "[workload]") {
  // 150 rows with a bad submit time on lines 2 to 151: lines 2 to 101 are the 100 reported
  // errors, and the note sits at the first one left out, line 102.
  std::string text = "submit_time,duration,cpu,memory\n";
  for (int i = 0; i < 150; ++i) text += "x,1s,1,1\n";
  const std::vector<TraceError> errors = errors_of(text);
  REQUIRE(errors.size() == 101);
  CHECK(errors[99] ==
        TraceError{101, 1,
                   "submit_time: 'x' is not a time (expected a duration such as 90s or 1h30m, or "
                   "seconds such as 12.5)"});
  CHECK(errors[100] == TraceError{102, 1, "... and 50 more errors"});

  // With at most 2 errors, the third (memory 0 at column 8 of line 4) becomes the note.
  const std::vector<TraceError> capped =
      errors_of("submit_time,duration,cpu,memory\n0,1s,1,0\n0,1s,1,0\n0,1s,1,0\n",
                TraceLimits{.max_errors = 2});
  REQUIRE(capped.size() == 3);
  CHECK(capped[2] == TraceError{4, 8, "... and 1 more error"});
}

TEST_CASE("a trace longer than the row limit is an error that stops the parse", "[workload]") {
  CHECK(TraceLimits{}.max_rows == 10'000'000);
  // Rows on lines 2, 3, 5, 6 and 7 (line 4 is a comment): the fourth row, on line 6, is one
  // too many for a limit of 3.
  const TraceParseResult result = parse_trace_csv(
      "submit_time,duration,cpu,memory\n0,1s,1,1\n1,1s,1,1\n# note\n2,1s,1,1\n"
      "3,1s,1,1\n4,1s,1,1\n",
      "big.csv", TraceLimits{.max_rows = 3});
  CHECK(result.errors ==
        std::vector<TraceError>{{6, 1,
                                 "the trace has more than 3 rows (expected at most 3; split it "
                                 "into several traces or sample it)"}});
  CHECK(result.records.size() == 3);
}

}  // namespace ecsim::workload
