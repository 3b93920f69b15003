#pragma once

// The classic hold model of a pending-event set, shared by the benchmarks that measure the
// event core: with N events pending, repeatedly pop the earliest and push one at now + Exp(1 s).

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "ecsim/sim/event.hpp"
#include "ecsim/sim/random.hpp"
#include "ecsim/sim/time.hpp"

namespace ecsim::bench {

/// Mean delay of a pushed event: Exp(1) in seconds, on the microsecond clock.
inline constexpr double kMeanDelayMicros = 1e6;
/// Seed of the delays, the same for every queue measured.
inline constexpr std::uint64_t kHoldSeed = 20261127;

/// What one hold run measured.
struct HoldResult {
  double holds_per_second = 0;
  std::uint64_t order_hash = 0;  ///< FNV-1a over the popped (time, seq) sequence
};

/// A delay of the hold model, truncated to whole microseconds (which makes ties, as a real
/// clock does).
inline SimDuration draw_delay(RandomStream& rng) {
  return SimDuration{static_cast<std::int64_t>(rng.exponential(kMeanDelayMicros))};
}

/// `holds` holds timed on a `Queue` (push(SimTime, kind), pop(Event&)) with `pending` events,
/// after a warm-up that brings the pending times to their steady-state distribution.
template <class Queue>
HoldResult hold(std::size_t pending, std::uint64_t holds) {
  RandomStream rng(kHoldSeed);
  Queue q;
  for (std::size_t i = 0; i < pending; ++i) q.push(kSimStart + draw_delay(rng), 0);
  Event e{};
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

}  // namespace ecsim::bench
