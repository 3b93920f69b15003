// The load profiles' integrals and the fluid meter, against values worked by hand.

#include "ecsim/workload/load.hpp"
#include "ecsim/workload/trace.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <numbers>

using namespace std::chrono_literals;
using Catch::Detail::Approx;
using ecsim::kSimStart;
using ecsim::workload::LoadBurst;
using ecsim::workload::LoadCost;
using ecsim::workload::LoadMeter;
using ecsim::workload::LoadPoint;
using ecsim::workload::LoadProfile;
using ecsim::workload::LoadSpec;

namespace {
constexpr ecsim::SimTime at(ecsim::SimDuration d) { return kSimStart + d; }
}  // namespace

TEST_CASE("a constant rate: its integral and the part above a level") {
  const LoadProfile p = LoadProfile::constant(100);
  CHECK(p.rate(at(5s)) == 100);
  CHECK(p.requests(at(0s), at(60s)) == Approx(6000));
  const auto over = p.excess(at(0s), at(60s), 50);  // 60 s above, 50 req/s x 60 s above
  CHECK(over.seconds == Approx(60));
  CHECK(over.requests == Approx(3000));
  CHECK(p.excess(at(0s), at(60s), 100).seconds == 0);  // at the level is not above it
}

TEST_CASE("steps hold each rate until the next, 0 before the first") {
  const LoadProfile p = LoadProfile::steps({{at(10s), 10}, {at(30s), 20}});
  CHECK(p.rate(at(5s)) == 0);
  CHECK(p.rate(at(30s)) == 20);
  // 20 s at 10, 30 s at 20.
  CHECK(p.requests(at(0s), at(60s)) == Approx(200 + 600));
  const auto over = p.excess(at(0s), at(60s), 15);  // the 30 s at 20: 5 above
  CHECK(over.seconds == Approx(30));
  CHECK(over.requests == Approx(150));
}

TEST_CASE("a trace is linear between its points and flat outside them") {
  const LoadProfile p = LoadProfile::trace({{at(0s), 0}, {at(100s), 100}});
  CHECK(p.rate(at(25s)) == Approx(25));
  CHECK(p.rate(at(500s)) == 100);
  CHECK(p.requests(at(0s), at(100s)) == Approx(5000));  // the triangle 100 x 100 / 2
  CHECK(p.requests(at(100s), at(110s)) == Approx(1000));
  // Above 50 from 50 s: the triangle 50 x 50 / 2.
  const auto over = p.excess(at(0s), at(100s), 50);
  CHECK(over.seconds == Approx(50));
  CHECK(over.requests == Approx(1250));
}

TEST_CASE("a diurnal rate: closed-form integrals and the cosine's crossings") {
  // 100 x (1 + 0.5 cos(w (t - 12h))), w = 2 pi / 86400 s.
  const LoadProfile p = LoadProfile::diurnal(100, 0.5, 12h);
  const double w = 2 * std::numbers::pi / 86400;
  CHECK(p.rate(at(12h)) == Approx(150));
  CHECK(p.rate(at(0h)) == Approx(50));
  CHECK(p.requests(at(0h), at(24h)) == Approx(100.0 * 86400));  // a whole day: the mean
  // Six hours either side of the peak: 100 (43200 + 0.5 / w x (sin(pi/2) - sin(-pi/2))).
  CHECK(p.requests(at(6h), at(18h)) == Approx(100 * (43200 + 1 / w)));
  // Above the mean for half the day, by 50 x 2 / w requests.
  const auto mean = p.excess(at(0h), at(24h), 100);
  CHECK(mean.seconds == Approx(43200));
  CHECK(mean.requests == Approx(100 / w));
  // Above 125 where cos > 0.5, |w (t - 12h)| < pi / 3: a third of the day, and
  // -25 x 28800 + 50 / w x 2 sin(pi / 3) requests above.
  const auto high = p.excess(at(0h), at(24h), 125);
  CHECK(high.seconds == Approx(28800));
  CHECK(high.requests == Approx(-25.0 * 28800 + 50 / w * 2 * std::sin(std::numbers::pi / 3)));
  // The same split across the day's pieces: [0, 13h) and [13h, 24h).
  const auto a = p.excess(at(0h), at(13h), 125), b = p.excess(at(13h), at(24h), 125);
  CHECK(a.seconds + b.seconds == Approx(28800));
}

TEST_CASE("bursts multiply the rate over their window") {
  LoadProfile p = LoadProfile::constant(10);
  p.add_burst({at(10s), 10s, 3});
  p.add_burst({at(15s), 10s, 2});  // overlaps: x6 over [15, 20), x2 over [20, 25)
  CHECK(p.rate(at(12s)) == 30);
  CHECK(p.rate(at(17s)) == 60);
  CHECK(p.rate(at(22s)) == 20);
  // 60 s at 10, plus 5 s x 20 extra, 5 s x 50 extra, 5 s x 10 extra.
  CHECK(p.requests(at(0s), at(60s)) == Approx(600 + 100 + 250 + 50));
}

TEST_CASE("the meter: capacity, excess, utilisation and the response time") {
  // 100 req/s of 10 ms CPU each, on tasks of 0.25 vCPU and 512 MiB: each task serves 25 req/s.
  LoadSpec spec{LoadProfile::constant(100), LoadCost{0.010, 1, 100, 2000, 1}};
  LoadMeter m(&spec, 0.25, 512, 60s);
  m.set_serving(at(0s), 2);  // first minute: 50 req/s of capacity, 50 req/s in excess
  m.set_serving(at(60s), 5);  // second minute: capacity 125, rho = 0.8
  m.advance(at(120s));
  REQUIRE(m.periods_closed() == 2);
  const auto periods = m.recent_periods(2);
  // Minute 1: all 30 core-seconds reserved are used.
  CHECK(periods[0].cpu_percent == Approx(100));
  CHECK(periods[0].requests == Approx(6000));
  CHECK(periods[0].requests_per_target == Approx(3000));
  CHECK(periods[0].network_out_bytes == Approx(3000 * 2000));  // served requests only
  // Minute 2: 60 of 75 core-seconds; each task 20 req/s, S = 10 ms / 0.25 = 40 ms,
  // R = 40 / (1 - 0.8) = 200 ms, in flight 20 x 0.2 = 4, memory 100 + 4 = 104 MiB of 512.
  CHECK(periods[1].cpu_percent == Approx(80));
  CHECK(periods[1].memory_percent == Approx(100.0 * 104 / 512));
  CHECK(periods[1].serving_tasks == Approx(5));
  // Per task: 30 / 2 + 60 / 5 = 27 core-seconds used.
  CHECK(m.per_task_cpu_seconds() == Approx(27));
  const auto s = m.summary(at(120s));
  CHECK(s.requests == Approx(12000));
  CHECK(s.excess_requests == Approx(3000));
  CHECK(s.overload_seconds == Approx(60));
  CHECK(s.overloaded_periods == 1);
  CHECK(s.response_ms_mean == Approx(200));
  CHECK(s.cpu_percent_max == Approx(100));
  CHECK(s.cpu_percent_mean == Approx(100.0 * 90 / 105));
}

TEST_CASE("the meter: no task serving is all excess and overload") {
  LoadSpec spec{LoadProfile::steps({{at(30s), 10}}), LoadCost{0.001, 0, 0, 0, 1}};
  LoadMeter m(&spec, 1, 1024, 60s);
  const auto s = m.summary(at(90s));
  CHECK(s.requests == Approx(600));  // 60 s at 10
  CHECK(s.excess_requests == Approx(600));
  CHECK(s.overload_seconds == Approx(60));
  CHECK(s.overloaded_periods == 1);  // the second minute was cut at 90 s and not closed
  CHECK(m.periods_closed() == 1);
}

TEST_CASE("a rate trace reads offsets, ISO timestamps and reports bad rows at their place") {
  using ecsim::workload::parse_rate_csv;
  using ecsim::workload::RateTraceColumns;
  const auto offsets = parse_rate_csv("# exported\ntime,requests_per_second\n0s,10\n90,20.5\n",
                                      "a.csv", RateTraceColumns{});
  REQUIRE(offsets.ok());
  REQUIRE(offsets.points.size() == 2);
  CHECK(offsets.points[1].at == at(90s));
  CHECK(offsets.points[1].rate == 20.5);
  // A CloudWatch export: timestamps from the first row's, the value column named by the user.
  const auto stamps = parse_rate_csv(
      "Timestamp,Sum\n2024-03-01T23:59:00Z,600\n2024-03-02T00:01:00.5Z,1200\n", "cw.csv",
      RateTraceColumns{"Timestamp", "Sum"});
  REQUIRE(stamps.ok());
  CHECK(stamps.points[1].at == at(120500ms));  // across midnight and a month's end
  const auto bad = parse_rate_csv("time,requests_per_second\n10s,1\n5s,2\n20s,-1\n", "b.csv",
                                  RateTraceColumns{});
  REQUIRE(bad.errors.size() == 2);
  CHECK(bad.errors[0].line == 3);
  CHECK(bad.errors[0].message ==
        "time: 5s is not after 10s on line 2 (expected rows in increasing time)");
  CHECK(bad.errors[1].line == 4);
  CHECK(bad.errors[1].column == 5);
  const auto header = parse_rate_csv("t,rps\n1,2\n", "c.csv", RateTraceColumns{});
  REQUIRE(header.errors.size() == 2);
  CHECK(header.errors[0].message ==
        "missing column 'time' (expected a header naming the columns 'time' and "
        "'requests_per_second'; found t, rps)");
}

TEST_CASE("slow start: a new target's share rises over the duration, its peers take the rest") {
  // 150 req/s; a request takes 10 ms of one core, so a target (1 core) takes 100 req/s.
  // Slow start of 100 s: steps of 10 s at shares 0.05, 0.15, ..., 0.95.
  LoadSpec spec{LoadProfile::constant(150), LoadCost{0.010, 0, 0, 0, 1}, 100s};
  LoadMeter m(&spec, 1, 1024, 60s);
  m.start_serving(at(0s));  // the first target: no other serves, so no slow start
  CHECK(m.warming() == 0);
  m.start_serving(at(0s));  // the second: in slow start beside the first
  CHECK(m.warming() == 1);
  m.advance(at(200s));
  CHECK(m.warming() == 0);  // left slow start after 100 s
  // By hand: in step k the first target gets 150 / (1 + w) req/s, w = (k + 0.5) / 10, and what
  // passes its 100 is excess while w < 0.5 (steps 0 to 4); the second gets 150 w / (1 + w), under
  // 100 throughout. After 100 s each gets 75 req/s.
  double excess = 0;
  for (int k = 0; k < 5; ++k) excess += 10 * (150 / (1 + (k + 0.5) / 10) - 100);
  const auto s = m.summary(at(200s));
  CHECK(s.excess_requests == Approx(excess));
  CHECK(s.overload_seconds == Approx(50));
  // Without slow start the two take 75 req/s each from the start.
  LoadSpec even{LoadProfile::constant(150), LoadCost{0.010, 0, 0, 0, 1}};
  LoadMeter e(&even, 1, 1024, 60s);
  e.start_serving(at(0s));
  e.start_serving(at(0s));
  CHECK(e.warming() == 0);
  CHECK(e.summary(at(200s)).excess_requests == Approx(0));
}

TEST_CASE("slow start ends for a target that stops, and a target that stops later is a full one") {
  LoadSpec spec{LoadProfile::constant(150), LoadCost{0.010, 0, 0, 0, 1}, 100s};
  LoadMeter m(&spec, 1, 1024, 60s);
  m.start_serving(at(0s));
  m.start_serving(at(20s));
  m.start_serving(at(30s));
  CHECK(m.warming() == 2);
  m.stop_serving(at(40s), at(20s));  // the one from 20 s leaves slow start as it stops
  CHECK(m.warming() == 1);
  m.stop_serving(at(50s), at(0s));   // a full target stops: the one from 30 s still warms
  CHECK(m.warming() == 1);
  // From 50 s the target from 30 s is alone and keeps warming (there is none to take the
  // rest): its share over the sum is 1, so it takes the whole 150 req/s, 50 over its capacity.
  const auto s = m.summary(at(60s));
  CHECK(m.warming() == 1);
  CHECK(s.requests == Approx(150 * 60));
  // 0-20 s: one target, 50 over. 20-30 s: the new one at 0.05: the first gets 150/1.05 (42.86
  // over). 30-40 s: shares 1, 0.15, 0.05: the first gets 150/1.2, 25 over. 40-50 s: 1 and 0.15:
  // 150/1.15, 30.43 over. 50-60 s: alone, 50 over.
  const double by_hand =
      20 * 50.0 + 10 * (150 / 1.05 - 100) + 10 * (150 / 1.2 - 100) + 10 * (150 / 1.15 - 100) + 10 * 50.0;
  CHECK(s.excess_requests == Approx(by_hand));
}
