// The classic hold model: with N events pending, repeatedly pop the earliest and push one at
// now + Exp(1 s). Measures ecsim's EventQueue and std::priority_queue over the same Event type,
// in the same process, with the same delays, and checks that both pop the same (time, seq)
// sequence. Prints holds per second for each and their ratio.
//
//   event_queue [--holds N] [--repeat K] [--sizes 1000,100000,1000000] [--json]

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

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

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool parse_u64(std::string_view s, std::uint64_t& out) {
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && ptr == s.data() + s.size() && out > 0;
}

int usage(const char* message) {
  std::fprintf(stderr,
               "event_queue: %s\nusage: event_queue [--holds N] [--repeat K] "
               "[--sizes N,N,...] [--json]\n",
               message);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t holds = 20'000'000;
  std::uint64_t repeat = 3;
  std::vector<std::uint64_t> sizes{1'000, 100'000, 1'000'000};
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--json") {
      json = true;
    } else if (arg == "--holds" && has_value) {
      if (!parse_u64(argv[++i], holds)) return usage("--holds needs a positive integer");
    } else if (arg == "--repeat" && has_value) {
      if (!parse_u64(argv[++i], repeat)) return usage("--repeat needs a positive integer");
    } else if (arg == "--sizes" && has_value) {
      sizes.clear();
      std::string_view list = argv[++i];
      while (!list.empty()) {
        const std::size_t comma = std::min(list.find(','), list.size());
        std::uint64_t n = 0;
        if (!parse_u64(list.substr(0, comma), n)) return usage("--sizes needs positive integers");
        sizes.push_back(n);
        list.remove_prefix(std::min(comma + 1, list.size()));
      }
    } else if (arg == "--help" || arg == "-h") {
      usage("hold-model benchmark of the pending-event set");
      return 0;
    } else {
      return usage(fmt::format("unknown or incomplete argument '{}'", arg).c_str());
    }
  }

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
    rows.push_back({n, median(ours), median(theirs), same});
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
