#pragma once

#include <cstdint>
#include <limits>
#include <utility>

#include "ecsim/sim/assert.hpp"
#include "ecsim/sim/event.hpp"
#include "ecsim/sim/event_queue.hpp"
#include "ecsim/sim/time.hpp"

namespace ecsim {

/// Why `Simulator::run` returned.
enum class StopReason {
  kEmpty,       ///< No event was left; with a time limit, the clock now reads the limit.
  kTimeLimit,   ///< The next event lies after the time limit; the clock now reads the limit.
  kEventLimit,  ///< The event budget of this call was spent.
  kStopped,     ///< A handler called `stop()`.
};

/// Where a call to `Simulator::run` ends, whichever comes first.
struct RunLimits {
  SimTime until = kNever;                                       ///< Last instant to process.
  std::uint64_t max_events = std::numeric_limits<std::uint64_t>::max();  ///< Events this call.
};

/// The virtual clock and the pending-event set, and the loop that pops events in (time, seq)
/// order and hands each to a handler. Handlers are plain callables passed to `run` (a switch on
/// `Event::kind` in the model), so dispatch costs no virtual call and no allocation.
class Simulator {
 public:
  /// The current virtual time: the time of the event being handled, or where the last run ended.
  [[nodiscard]] SimTime now() const noexcept { return now_; }

  /// Schedules an event at absolute time `at`, which must not be in the past.
  EventHandle schedule_at(SimTime at, std::uint32_t kind, std::uint32_t target = 0,
                          std::uint64_t payload = 0) {
    ECSIM_ASSERT(at >= now_, "an event may not be scheduled in the past");
    return queue_.push(at, kind, target, payload);
  }

  /// Schedules an event `delay` (non-negative) after now.
  EventHandle schedule_in(SimDuration delay, std::uint32_t kind, std::uint32_t target = 0,
                          std::uint64_t payload = 0) {
    ECSIM_ASSERT(delay >= SimDuration::zero(), "a delay may not be negative");
    ECSIM_ASSERT(now_ <= kNever - delay, "an event may not be scheduled past the end of time");
    return queue_.push(now_ + delay, kind, target, payload);
  }

  /// Cancels a pending event; false if it already ran, was cancelled, or `handle` names none.
  bool cancel(EventHandle handle) { return queue_.cancel(handle); }

  /// Asks the running loop to return after the current handler; the request ends with that run.
  void stop() noexcept { stop_requested_ = true; }

  /// Number of events pending.
  [[nodiscard]] std::size_t pending() const noexcept { return queue_.size(); }
  /// Number of events handled since construction, over all runs.
  [[nodiscard]] std::uint64_t events_handled() const noexcept { return events_handled_; }

  /// Pops events in (time, seq) order and calls `handler(const Event&)` on each until `limits`
  /// says stop, no event is left, or a handler calls `stop()`; returns which.
  template <class Handler>
  StopReason run(Handler&& handler, RunLimits limits = {});

  /// Runs until no event is left or a handler stops the run.
  template <class Handler>
  StopReason run_until_empty(Handler&& handler) {
    return run(std::forward<Handler>(handler));
  }
  /// Runs every event up to and including time `until`, then sets the clock to `until`.
  template <class Handler>
  StopReason run_until(SimTime until, Handler&& handler) {
    return run(std::forward<Handler>(handler), RunLimits{until});
  }
  /// Runs at most `count` more events.
  template <class Handler>
  StopReason run_events(std::uint64_t count, Handler&& handler) {
    return run(std::forward<Handler>(handler), RunLimits{kNever, count});
  }

 private:
  EventQueue queue_;
  SimTime now_ = kSimStart;
  std::uint64_t events_handled_ = 0;
  bool stop_requested_ = false;
};

template <class Handler>
StopReason Simulator::run(Handler&& handler, RunLimits limits) {
  stop_requested_ = false;
  for (std::uint64_t handled = 0;; ++handled) {
    if (stop_requested_) return StopReason::kStopped;
    const SimTime next = queue_.next_time();
    if (next > limits.until || next == kNever) {
      // Advancing to the limit lets a caller run a horizon in slices and integrate gauges up to
      // it; the clock never moves backwards.
      if (limits.until != kNever && limits.until > now_) now_ = limits.until;
      return next == kNever ? StopReason::kEmpty : StopReason::kTimeLimit;
    }
    if (handled == limits.max_events) return StopReason::kEventLimit;
    Event e{};
    const bool popped = queue_.pop(e);
    ECSIM_ASSERT(popped, "next_time() promised an event");
    now_ = e.time;
    ++events_handled_;
    handler(static_cast<const Event&>(e));
  }
}

}  // namespace ecsim
