#include <catch2/catch.hpp>

#include <cstdint>
#include <queue>
#include <random>
#include <unordered_set>
#include <vector>

#include "ecsim/sim/event_queue.hpp"

using namespace ecsim;
using namespace std::chrono_literals;

namespace {

SimTime at(std::int64_t micros) { return kSimStart + SimDuration{micros}; }

struct PopsLater {
  bool operator()(const Event& a, const Event& b) const { return pops_before(b, a); }
};

}  // namespace

TEST_CASE("events pop in time order", "[sim]") {
  EventQueue q;
  q.push(at(30), 3);
  q.push(at(10), 1);
  q.push(at(20), 2);
  q.push(at(1'000'000'000), 4);
  std::vector<std::uint32_t> kinds;
  for (Event e; q.pop(e);) kinds.push_back(e.kind);
  CHECK(kinds == std::vector<std::uint32_t>{1, 2, 3, 4});
  CHECK(q.empty());
}

TEST_CASE("events at the same time pop in the order they were scheduled", "[sim]") {
  EventQueue q;
  for (std::uint32_t k = 0; k < 5; ++k) q.push(at(7), k);
  q.push(at(3), 100);
  Event e;
  REQUIRE(q.pop(e));
  CHECK(e.kind == 100);
  // Pushed while bucket 0 is being drained: same time, so after the earlier ones.
  q.push(at(7), 5);
  std::vector<std::uint32_t> kinds;
  while (q.pop(e)) {
    CHECK(e.time == at(7));
    kinds.push_back(e.kind);
  }
  CHECK(kinds == std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5});
}

TEST_CASE("an event keeps its fields and gets consecutive sequence numbers", "[sim]") {
  EventQueue q;
  const EventHandle h0 = q.push(at(5), 9, 42, 0xdeadbeefcafeULL);
  const EventHandle h1 = q.push(at(5), 9);
  CHECK(h0.seq == 0);
  CHECK(h1.seq == 1);
  CHECK(q.pushed() == 2);
  Event e;
  REQUIRE(q.pop(e));
  CHECK(e.time == at(5));
  CHECK(e.seq == 0);
  CHECK(e.kind == 9);
  CHECK(e.target == 42);
  CHECK(e.payload == 0xdeadbeefcafeULL);
}

TEST_CASE("a cancelled event never pops and no longer counts as pending", "[sim]") {
  EventQueue q;
  const EventHandle a = q.push(at(10), 1);
  const EventHandle b = q.push(at(20), 2);
  const EventHandle c = q.push(at(10), 3);
  CHECK(q.size() == 3);
  CHECK(q.cancel(a));
  CHECK(q.size() == 2);
  CHECK_FALSE(q.cancel(a));  // already cancelled
  CHECK(q.next_time() == at(10));
  CHECK(q.cancel(c));
  CHECK(q.next_time() == at(20));  // both events at 10 are gone
  Event e;
  REQUIRE(q.pop(e));
  CHECK(e.kind == 2);
  CHECK_FALSE(q.pop(e));
  CHECK(q.empty());
  CHECK_FALSE(q.cancel(b));  // already popped
}

TEST_CASE("cancelling an event that already popped or was never scheduled does nothing",
          "[sim]") {
  EventQueue q;
  CHECK_FALSE(q.cancel(EventHandle{}));                 // names no event
  CHECK_FALSE(q.cancel(EventHandle{at(5), 0}));         // nothing was ever pushed
  const EventHandle first = q.push(at(5), 1);
  q.push(at(6), 2);
  Event e;
  REQUIRE(q.pop(e));
  CHECK_FALSE(q.cancel(first));                         // popped already
  CHECK_FALSE(q.cancel(EventHandle{at(9), 17}));        // sequence number not issued yet
  CHECK(q.size() == 1);
  REQUIRE(q.pop(e));
  CHECK(e.kind == 2);
}

TEST_CASE("cancelling the last pending event leaves an empty queue", "[sim]") {
  EventQueue q;
  const EventHandle h = q.push(at(1), 1);
  CHECK(q.cancel(h));
  CHECK(q.empty());
  CHECK(q.next_time() == kNever);
  Event e;
  CHECK_FALSE(q.pop(e));
  // The queue is usable afterwards, including at an earlier time than the cancelled event.
  q.push(at(0), 2);
  REQUIRE(q.pop(e));
  CHECK(e.kind == 2);
}

TEST_CASE("times across the whole int64 range keep their order", "[sim]") {
  EventQueue q;
  const std::int64_t big = std::int64_t{1} << 62;
  q.push(at(big + 1), 3);
  q.push(at(big), 2);
  q.push(at(0), 1);
  q.push(kNever, 4);
  Event e;
  std::vector<std::uint32_t> kinds;
  while (q.pop(e)) kinds.push_back(e.kind);
  CHECK(kinds == std::vector<std::uint32_t>{1, 2, 3, 4});
}

TEST_CASE("pushes that land among the next events, in any order, keep exact order", "[sim]") {
  // Sparse events form a short sorted run at the front; pushes in decreasing time inside it
  // shift ever more of it, until the run goes back into the radix levels.
  EventQueue q;
  std::vector<Event> want;
  for (std::int64_t i = 0; i < 40; ++i) q.push(at(1'000 * i), 0, static_cast<std::uint32_t>(i));
  Event e;
  REQUIRE(q.pop(e));  // at 0: the run now holds the next events
  for (std::int64_t i = 0; i < 500; ++i) {
    q.push(at(30'000 - 50 * i), 1, static_cast<std::uint32_t>(i));
    q.push(at(30'000 - 50 * i), 2, static_cast<std::uint32_t>(i));  // a tie, scheduled later
  }
  SimTime last = kSimStart;
  std::uint64_t last_seq = 0;
  std::size_t popped = 0;
  while (q.pop(e)) {
    const bool in_order = e.time > last || (e.time == last && e.seq > last_seq);
    REQUIRE(in_order);
    last = e.time;
    last_seq = e.seq;
    ++popped;
  }
  CHECK(popped == 39 + 1000);
}

// Millions of mixed pushes, pops and cancellations, checked step by step against a
// std::priority_queue with lazy deletion. Delays mix many exact ties, small gaps and rare
// enormous jumps, and the size swings between empty and about 50,000 pending.
TEST_CASE("the queue matches a std::priority_queue reference over millions of random operations",
          "[sim]") {
  std::mt19937_64 rng(20261127);
  EventQueue q;
  std::priority_queue<Event, std::vector<Event>, PopsLater> ref;
  std::unordered_set<std::uint64_t> ref_pending;
  std::vector<EventHandle> handles;
  SimTime now = kSimStart;
  std::uint64_t ref_seq = 0;
  std::uint64_t pops = 0;
  std::uint64_t cancels_accepted = 0;
  std::uint64_t peeks = 0;
  const int kOperations = 3'000'000;
  for (int op = 0; op < kOperations; ++op) {
    // Phases of 200k operations alternate between growing and shrinking the set.
    const bool growing = (op / 200'000) % 2 == 0;
    const std::uint64_t r = rng() % 100;
    const std::uint64_t push_share = growing ? 60 : 35;
    if (r < push_share) {
      const std::uint64_t shape = rng() % 100;
      std::int64_t delay = 0;
      if (shape < 20) delay = 0;
      else if (shape < 90) delay = static_cast<std::int64_t>(rng() % 1000);
      else if (shape < 99) delay = static_cast<std::int64_t>(rng() % 10'000'000);
      else delay = static_cast<std::int64_t>(rng() % (std::uint64_t{1} << 40));
      const SimTime t = now + SimDuration{delay};
      const auto kind = static_cast<std::uint32_t>(rng());
      const EventHandle h = q.push(t, kind, kind ^ 1u, ref_seq * 3);
      REQUIRE(h.seq == ref_seq);
      ref.push(Event{t, ref_seq, kind, kind ^ 1u, ref_seq * 3});
      ref_pending.insert(ref_seq);
      ++ref_seq;
      handles.push_back(h);
    } else if (r < 85) {
      while (!ref.empty() && !ref_pending.count(ref.top().seq)) ref.pop();
      Event got{};
      const bool popped = q.pop(got);
      REQUIRE(popped == !ref.empty());
      if (popped) {
        const Event want = ref.top();
        ref.pop();
        ref_pending.erase(want.seq);
        REQUIRE(got.time == want.time);
        REQUIRE(got.seq == want.seq);
        REQUIRE(got.kind == want.kind);
        REQUIRE(got.target == want.target);
        REQUIRE(got.payload == want.payload);
        now = got.time;
        ++pops;
      }
    } else if (r < 95) {
      // A peek may look past the caller's clock; later pushes still land before it.
      while (!ref.empty() && !ref_pending.count(ref.top().seq)) ref.pop();
      REQUIRE(q.next_time() == (ref.empty() ? kNever : ref.top().time));
      ++peeks;
    } else if (!handles.empty()) {
      // Any handle ever issued: pending, popped or already cancelled.
      const EventHandle h = handles[rng() % handles.size()];
      const bool want = ref_pending.erase(h.seq) == 1;
      REQUIRE(q.cancel(h) == want);
      cancels_accepted += want ? 1 : 0;
    }
    REQUIRE(q.size() == ref_pending.size());
    if (handles.size() > 1'000'000) handles.erase(handles.begin(), handles.begin() + 500'000);
  }
  // The mix really exercised every path.
  CHECK(pops > 500'000);
  CHECK(cancels_accepted > 10'000);
  CHECK(peeks > 100'000);
  // Drain both and compare the tail.
  for (Event got{}; q.pop(got);) {
    while (!ref_pending.count(ref.top().seq)) ref.pop();
    REQUIRE(got.seq == ref.top().seq);
    ref_pending.erase(ref.top().seq);
    ref.pop();
  }
  CHECK(ref_pending.empty());
}
