#include <catch2/catch.hpp>

#include <string>

#include "ecsim/sim/time.hpp"

using namespace ecsim;
using namespace std::chrono_literals;

namespace {

SimDuration parse_ok(std::string_view text) {
  std::string error;
  const auto d = parse_duration(text, &error);
  INFO("parsing '" << text << "': " << error);
  REQUIRE(d.has_value());
  return *d;
}

std::string parse_error(std::string_view text) {
  std::string error;
  const auto d = parse_duration(text, &error);
  INFO("parsing '" << text << "'");
  REQUIRE_FALSE(d.has_value());
  return error;
}

}  // namespace

TEST_CASE("durations parse from the scenario notation", "[sim]") {
  CHECK(parse_ok("90s") == 90s);
  CHECK(parse_ok("15m") == 15min);
  CHECK(parse_ok("1h30m") == 90min);
  CHECK(parse_ok("2d") == 48h);
  CHECK(parse_ok("250ms") == 250ms);
  CHECK(parse_ok("10us") == 10us);
  CHECK(parse_ok("0s") == 0s);
  CHECK(parse_ok("1d2h3m4s5ms6us") == 24h + 2h + 3min + 4s + 5ms + 6us);
  CHECK(parse_ok(" 45s ") == 45s);
}

TEST_CASE("decimal durations are exact to the microsecond", "[sim]") {
  CHECK(parse_ok("1.5h") == 90min);
  CHECK(parse_ok("0.25s") == 250ms);
  CHECK(parse_ok("2.000001s") == 2s + 1us);
  // 1.0000001 s would be 1,000,000.1 us: not representable.
  CHECK(parse_error("1.0000001s") == "duration '1.0000001s' is finer than a microsecond");
}

TEST_CASE("bad duration strings say what is wrong", "[sim]") {
  CHECK(parse_error("") == "empty duration (expected e.g. 90s, 15m, 1h30m, 2d, 250ms)");
  CHECK(parse_error("90") ==
        "missing unit after '90' in '90' (expected one of d, h, m, s, ms, us)");
  CHECK(parse_error("5x") == "unknown unit 'x' in '5x' (expected one of d, h, m, s, ms, us)");
  CHECK(parse_error("5min") ==
        "unknown unit 'min' in '5min' (expected one of d, h, m, s, ms, us)");
  CHECK(parse_error("30m1h") ==
        "unit 'h' out of order in '30m1h' (largest unit first, each once, e.g. 1h30m)");
  CHECK(parse_error("1m1m") ==
        "unit 'm' out of order in '1m1m' (largest unit first, each once, e.g. 1h30m)");
  CHECK(parse_error("-5s") == "negative duration '-5s'");
  CHECK(parse_error("s") == "expected a number at 's' in 's' (e.g. 90s, 1h30m)");
  CHECK(parse_error("1h 30m") == "expected a number at ' 30m' in '1h 30m' (e.g. 90s, 1h30m)");
  // 2^63 us is about 106.75 million days.
  CHECK(parse_error("200000000d") == "duration '200000000d' is too large");
  CHECK(parse_error("99999999999999999999s") == "duration '99999999999999999999s' is too large");
}

TEST_CASE("durations print in the shortest form that parses back exactly", "[sim]") {
  CHECK(format_duration(0s) == "0s");
  CHECK(format_duration(90s) == "1m30s");
  CHECK(format_duration(90min) == "1h30m");
  CHECK(format_duration(48h) == "2d");
  CHECK(format_duration(250ms) == "250ms");
  CHECK(format_duration(1500ms) == "1s500ms");
  CHECK(format_duration(-90s) == "-1m30s");
  for (const SimDuration d : {SimDuration{1}, SimDuration{86'400'000'001}, SimDuration{123456789},
                              SimDuration::max()}) {
    CHECK(parse_ok(format_duration(d)) == d);
  }
}

TEST_CASE("times print as offsets from the start, and never as never", "[sim]") {
  CHECK(format_time(kSimStart + 2h) == "2h");
  CHECK(format_time(kNever) == "never");
  CHECK(to_seconds(kSimStart + 1500ms) == 1.5);
  CHECK(from_seconds(2.5) == 2500ms);
}
