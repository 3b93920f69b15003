#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "ecsim/workload/cron.hpp"

using namespace ecsim;
using namespace ecsim::workload;
using namespace std::chrono_literals;

namespace {

CronSchedule parsed(const std::string& text) {
  const CronParse p = parse_cron(text);
  INFO(text << ": " << p.problem);
  REQUIRE(p.schedule);
  return *p.schedule;
}

// The first `n` firing times after simulated time 0, in minutes.
std::vector<std::int64_t> firings(const std::string& text, std::size_t n) {
  const CronSchedule s = parsed(text);
  std::vector<std::int64_t> out;
  SimTime t = kSimStart;
  for (std::size_t i = 0; i < n; ++i) {
    t = next_cron_time(s, t);
    if (t == kNever) break;
    out.push_back(std::chrono::duration_cast<std::chrono::minutes>(t.time_since_epoch()).count());
  }
  return out;
}

using Minutes = std::vector<std::int64_t>;
constexpr std::int64_t kDay = 24 * 60;

}  // namespace

TEST_CASE("cron: steps, ranges, lists and names, strictly after the given time", "[workload]") {
  // Time 0 is Monday 1 January 2024, 00:00 UTC: "*/15" fires at 15, 30, 45 and 60 minutes.
  CHECK(firings("*/15 * * * *", 4) == Minutes{15, 30, 45, 60});
  CHECK(firings("0 9 * * *", 2) == Minutes{9 * 60, kDay + 9 * 60});
  CHECK(firings("5,10 1-2 * * *", 4) == Minutes{65, 70, 125, 130});
  // Weekdays at 9: Monday the 1st to Friday the 5th, then Monday the 8th.
  CHECK(firings("0 9 * * MON-FRI", 6) ==
        Minutes{540, kDay + 540, 2 * kDay + 540, 3 * kDay + 540, 4 * kDay + 540, 7 * kDay + 540});
  // Sunday written 0 or 7: the 7th.
  CHECK(firings("0 0 * * 7", 1) == Minutes{6 * kDay});
  CHECK(firings("0 0 * * sun", 1) == Minutes{6 * kDay});
  // The 1st of each month: February 1st is day 31, March 1st day 60 (2024 is a leap year).
  CHECK(firings("@monthly", 2) == Minutes{31 * kDay, 60 * kDay});
  // Both day fields restricted: either matches (the 15th, or any Friday).
  CHECK(firings("0 0 15 * FRI", 3) == Minutes{4 * kDay, 11 * kDay, 14 * kDay});
  CHECK(firings("@hourly", 2) == Minutes{60, 120});
  CHECK(firings("0 0 29 2 *", 1) == Minutes{59 * kDay});  // 29 February 2024
  // A day that never comes.
  CHECK(firings("0 0 31 2 *", 1).empty());
}

TEST_CASE("cron: @every, and malformed schedules in the parser's words", "[workload]") {
  const CronSchedule every = parsed("@every 90m");
  CHECK(next_cron_time(every, SimTime{10min}) == SimTime{100min});
  CHECK(parse_cron("* * * *").problem == "expected exactly 5 fields, found 4: [* * * *]");
  CHECK(parse_cron("61 * * * *").problem ==
        "minute out of range (0-59) or beginning beyond end: 61");
  CHECK(parse_cron("*/0 * * * *").problem == "step of range should be a positive number: */0");
  CHECK(parse_cron("0 0 * FOO *").problem == "failed to parse int from FOO");
  CHECK(parse_cron("@fortnightly").problem == "unrecognized descriptor: @fortnightly");
}
