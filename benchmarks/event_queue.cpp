// The classic hold model: with N events pending, repeatedly pop the earliest and push one at
// now + Exp(1 s). Measures ecsim's EventQueue and std::priority_queue over the same Event type,
// in the same process, with the same delays, and checks that both pop the same (time, seq)
// sequence. Prints holds per second for each and their ratio.
//
//   event_queue [--holds N] [--repeat K] [--sizes 1000,100000,1000000] [--json]

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "command_line.hpp"

#include "ecsim/sim/event_queue.hpp"
#include "ecsim/sim/random.hpp"

namespace {

using ecsim::Event;
using ecsim::SimDuration;
using ecsim::SimTime;

constexpr double kMeanDelayMicros = 1e6;  // Exp(1) in seconds, on the microsecond clock
constexpr std::uint64_t kSeed = 20261127;

struct PopsLater {
  bool operator()(const Event& a, const Event& b) const { return ecsim::pops_before(b, a); }
};

/// std::priority_queue behind the same push/pop shape as ecsim::EventQueue.
class StdQueue {
 public:
  void push(SimTime t, std::uint32_t kind) { pq_.push(Event{t, seq_++, kind, 0, 0}); }
  bool pop(Event& out) {
    if (pq_.empty()) return false;
    out = pq_.top();
    pq_.pop();
    return true;
  }

 private:
  std::priority_queue<Event, std::vector<Event>, PopsLater> pq_;
  std::uint64_t seq_ = 0;
};

struct HoldResult {
  double holds_per_second = 0;
  std::uint64_t order_hash = 0;  // FNV-1a over the popped (time, seq) sequence
};

SimDuration draw_delay(ecsim::RandomStream& rng) {
  // Truncation to whole microseconds makes ties, as a real clock does.
  return SimDuration{static_cast<std::int64_t>(rng.exponential(kMeanDelayMicros))};
}

template <class Queue>
HoldResult hold(std::size_t pending, std::uint64_t holds) {
  ecsim::RandomStream rng(kSeed);
  Queue q;
  for (std::size_t i = 0; i < pending; ++i) q.push(ecsim::kSimStart + draw_delay(rng), 0);
  Event e{};
  // Warm up so the measured phase starts from the steady-state distribution of pending times.
  const std::uint64_t warmup = std::max<std::uint64_t>(pending, holds / 10);
  for (std::uint64_t i = 0; i < warmup; ++i) {
    q.pop(e);
    q.push(e.time + draw_delay(rng), 0);
  }
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < holds; ++i) {
    q.pop(e);
    hash = (hash ^ static_cast<std::uint64_t>(e.time.time_since_epoch().count()) ^ (e.seq << 40)) *
           0x100000001b3ULL;
    q.push(e.time + draw_delay(rng), 0);
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return {static_cast<double>(holds) / elapsed.count(), hash};
}

}  // namespace

int main(int argc, char** argv) {
  ecsim::bench::Settings settings;
  settings.count = 20'000'000;
  settings.sizes = {1'000, 100'000, 1'000'000};
  if (const auto done = ecsim::bench::parse_command_line(argc, argv, "event_queue", "--holds",
                                                        "hold-model benchmark of the pending-event set", settings))
    return *done;
  const std::uint64_t holds = settings.count;
  const std::uint64_t repeat = settings.repeat;
  const std::vector<std::uint64_t>& sizes = settings.sizes;
  const bool json = settings.json;

  struct Row {
    std::uint64_t pending;
    double ecsim, std_pq;
    bool same_order;
  };
  std::vector<Row> rows;
  bool all_same = true;
  for (const std::uint64_t n : sizes) {
    std::vector<double> ours, theirs;
    bool same = true;
    for (std::uint64_t r = 0; r < repeat; ++r) {
      // Alternate which side runs first so drift in machine load does not favour one.
      HoldResult a, b;
      if (r % 2 == 0) {
        a = hold<ecsim::EventQueue>(n, holds);
        b = hold<StdQueue>(n, holds);
      } else {
        b = hold<StdQueue>(n, holds);
        a = hold<ecsim::EventQueue>(n, holds);
      }
      ours.push_back(a.holds_per_second);
      theirs.push_back(b.holds_per_second);
      same = same && a.order_hash == b.order_hash;
    }
    rows.push_back({n, ecsim::bench::median(ours), ecsim::bench::median(theirs), same});
    all_same = all_same && same;
  }

  if (json) {
    std::string out = "[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      out += fmt::format(
          "{}\n  {{\"pending\": {}, \"ecsim_holds_per_second\": {:.0f}, "
          "\"std_pq_holds_per_second\": {:.0f}, \"ratio\": {:.3f}, \"same_order\": {}}}",
          i == 0 ? "" : ",", r.pending, r.ecsim, r.std_pq, r.ecsim / r.std_pq,
          r.same_order ? "true" : "false");
    }
    out += "\n]\n";
    std::fputs(out.c_str(), stdout);
  } else {
    fmt::print("hold model: pop the earliest event, push one at now + Exp(1 s); {} holds, median "
               "of {} runs\n\n",
               holds, repeat);
    fmt::print("{:>10}  {:>16}  {:>22}  {:>7}  {}\n", "pending", "ecsim holds/s",
               "std::priority_queue/s", "ratio", "pop order");
    for (const Row& r : rows) {
      fmt::print("{:>10}  {:>14.2f} M  {:>20.2f} M  {:>6.2f}x  {}\n", r.pending, r.ecsim / 1e6,
                 r.std_pq / 1e6, r.ecsim / r.std_pq, r.same_order ? "identical" : "DIFFERENT");
    }
  }
  if (!all_same) {
    std::fputs("event_queue: the two queues popped different (time, seq) sequences\n", stderr);
    return 1;
  }
  return 0;
}
