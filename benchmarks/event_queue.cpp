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
#include "hold_model.hpp"

#include "ecsim/sim/event_queue.hpp"
#include "ecsim/sim/random.hpp"

namespace {

using ecsim::Event;
using ecsim::SimDuration;
using ecsim::SimTime;
using ecsim::bench::hold;
using ecsim::bench::HoldResult;

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
