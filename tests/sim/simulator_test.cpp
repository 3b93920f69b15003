#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "ecsim/sim/random.hpp"
#include "ecsim/sim/simulator.hpp"

using namespace ecsim;
using namespace std::chrono_literals;

namespace {

enum Kind : std::uint32_t { kTick = 1, kStop = 2, kSpawn = 3 };

// FNV-1a over the (time, seq, kind, target) of every handled event.
struct SequenceHash {
  std::uint64_t value = 0xcbf29ce484222325ULL;
  void add(std::uint64_t x) {
    for (int i = 0; i < 8; ++i) {
      value ^= (x >> (8 * i)) & 0xff;
      value *= 0x100000001b3ULL;
    }
  }
  void add(const Event& e) {
    add(static_cast<std::uint64_t>(e.time.time_since_epoch().count()));
    add(e.seq);
    add(e.kind);
    add(e.target);
  }
};

// A small closed system: `jobs` jobs, each alternating between thinking (exponential, mean 3 s)
// and being served (exponential, mean 1 s); returns the hash of the handled event sequence.
std::uint64_t run_closed_system(std::uint64_t seed, int jobs, bool extra_stream) {
  RandomStreams streams(seed);
  RandomStream think = streams.stream("think");
  if (extra_stream) {
    // Another process drawing from its own stream must not change this one's numbers.
    RandomStream other = streams.stream("other");
    for (int i = 0; i < 1000; ++i) (void)other.uniform01();
  }
  RandomStream serve = streams.stream("serve");
  Simulator sim;
  for (int j = 0; j < jobs; ++j)
    sim.schedule_in(think.exponential(3s), kTick, static_cast<std::uint32_t>(j), 0);
  SequenceHash hash;
  sim.run_until(kSimStart + 1h, [&](const Event& e) {
    hash.add(e);
    const SimDuration next = e.payload == 0 ? serve.exponential(1s) : think.exponential(3s);
    sim.schedule_in(next, kTick, e.target, e.payload ^ 1u);
  });
  return hash.value;
}

}  // namespace

TEST_CASE("the clock follows the events and handlers can schedule more", "[sim]") {
  Simulator sim;
  std::vector<std::int64_t> seen;
  sim.schedule_at(kSimStart + 10s, kTick);
  sim.run_until_empty([&](const Event& e) {
    CHECK(sim.now() == e.time);
    seen.push_back(std::chrono::duration_cast<std::chrono::seconds>(e.time.time_since_epoch())
                       .count());
    if (seen.size() < 3) sim.schedule_in(5s, kTick);
  });
  CHECK(seen == std::vector<std::int64_t>{10, 15, 20});
  CHECK(sim.events_handled() == 3);
  CHECK(sim.pending() == 0);
}

TEST_CASE("a run stops at a time limit and the clock reads the limit", "[sim]") {
  Simulator sim;
  for (int s = 1; s <= 10; ++s) sim.schedule_at(kSimStart + SimDuration{s * 1'000'000}, kTick);
  int handled = 0;
  auto count = [&](const Event&) { ++handled; };
  // Events at exactly the limit are handled.
  CHECK(sim.run_until(kSimStart + 4s, count) == StopReason::kTimeLimit);
  CHECK(handled == 4);
  CHECK(sim.now() == kSimStart + 4s);
  CHECK(sim.run_until(kSimStart + 4500ms, count) == StopReason::kTimeLimit);
  CHECK(handled == 4);
  CHECK(sim.now() == kSimStart + 4500ms);
  // After the limit, an event may still be scheduled between the clock and the next event.
  sim.schedule_at(kSimStart + 4600ms, kSpawn);
  CHECK(sim.run_until(kSimStart + 5s, count) == StopReason::kTimeLimit);
  CHECK(handled == 6);
  CHECK(sim.run_until(kSimStart + 1h, count) == StopReason::kEmpty);
  CHECK(handled == 11);
  CHECK(sim.now() == kSimStart + 1h);
}

TEST_CASE("a run stops after a number of events", "[sim]") {
  Simulator sim;
  for (int s = 1; s <= 10; ++s) sim.schedule_at(kSimStart + SimDuration{s}, kTick);
  int handled = 0;
  auto count = [&](const Event&) { ++handled; };
  CHECK(sim.run_events(3, count) == StopReason::kEventLimit);
  CHECK(handled == 3);
  CHECK(sim.now() == kSimStart + SimDuration{3});
  CHECK(sim.run_events(0, count) == StopReason::kEventLimit);
  CHECK(handled == 3);
  CHECK(sim.run_events(100, count) == StopReason::kEmpty);
  CHECK(handled == 10);
}

TEST_CASE("a handler can stop the run, and the next run carries on", "[sim]") {
  Simulator sim;
  for (int s = 1; s <= 5; ++s) sim.schedule_at(kSimStart + SimDuration{s}, s == 2 ? kStop : kTick);
  std::vector<std::uint32_t> kinds;
  auto handler = [&](const Event& e) {
    kinds.push_back(e.kind);
    if (e.kind == kStop) sim.stop();
  };
  CHECK(sim.run_until_empty(handler) == StopReason::kStopped);
  CHECK(kinds == std::vector<std::uint32_t>{kTick, kStop});
  CHECK(sim.run_until_empty(handler) == StopReason::kEmpty);
  CHECK(kinds.size() == 5);
}

TEST_CASE("a cancelled event is not handled, and cancelling twice or late fails", "[sim]") {
  Simulator sim;
  const EventHandle doomed = sim.schedule_at(kSimStart + 5s, kTick, 1);
  const EventHandle kept = sim.schedule_at(kSimStart + 6s, kTick, 2);
  std::vector<std::uint32_t> targets;
  sim.schedule_at(kSimStart + 1s, kSpawn);
  sim.run_until_empty([&](const Event& e) {
    targets.push_back(e.target);
    if (e.kind == kSpawn) {
      CHECK(sim.cancel(doomed));
      CHECK_FALSE(sim.cancel(doomed));
    }
  });
  CHECK(targets == std::vector<std::uint32_t>{0, 2});
  CHECK_FALSE(sim.cancel(kept));
  // A cancelled event's time does not hold the clock back: the run ended at 6 s.
  CHECK(sim.now() == kSimStart + 6s);
}

TEST_CASE("the same seed gives the same event sequence, another seed another", "[sim]") {
  const std::uint64_t a = run_closed_system(42, 50, false);
  CHECK(run_closed_system(42, 50, false) == a);
  CHECK(run_closed_system(43, 50, false) != a);
}

TEST_CASE("a new random stream does not perturb the events of another", "[sim]") {
  CHECK(run_closed_system(7, 50, true) == run_closed_system(7, 50, false));
}
