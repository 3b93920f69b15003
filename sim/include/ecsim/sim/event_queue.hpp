#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ecsim/sim/assert.hpp"
#include "ecsim/sim/event.hpp"

namespace ecsim {

namespace detail {

/// An open-addressing set of sequence numbers (linear probing, backward-shift deletion); owns its
/// storage and allocates only when it grows, never per insert.
class SeqSet {
 public:
  /// Number of sequence numbers held.
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// True when nothing is held.
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  /// True if `seq` is held.
  [[nodiscard]] bool contains(std::uint64_t seq) const noexcept;
  /// Adds `seq`; returns false if it was already held. `seq` must not be the all-ones value.
  bool insert(std::uint64_t seq);
  /// Removes `seq`; returns false if it was not held.
  bool erase(std::uint64_t seq) noexcept;

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  [[nodiscard]] std::size_t home(std::uint64_t seq) const noexcept {
    return static_cast<std::size_t>((seq * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  void grow();

  std::vector<std::uint64_t> slots_;
  std::size_t size_ = 0;
  unsigned shift_ = 64;
};

}  // namespace detail

/// The pending-event set: a radix heap with 64-way digits (a hierarchical timing wheel whose
/// levels are relative to the current minimum) in front of which a short sorted run is served.
/// It relies on simulation time never going backwards. Pops in exact (time, seq) order;
/// cancellation is lazy (a cancelled event stays queued and is skipped when it reaches the
/// front). An event moves at most once per 6-bit digit of its distance from the minimum, and
/// where events are sparse a small slot is sorted instead of split further; all memory access is
/// sequential, so the queue stays fast with a million events pending. Owns its storage;
/// steady-state operation allocates nothing.
class EventQueue {
 public:
  /// Schedules an event at `time`, which must not be earlier than the last event `pop` returned.
  EventHandle push(SimTime time, std::uint32_t kind, std::uint32_t target = 0,
                   std::uint64_t payload = 0);

  /// Cancels the event `handle` names if it is still pending and returns true; returns false for
  /// an event that already popped, was already cancelled, or a handle that names no event.
  bool cancel(EventHandle handle);

  /// Removes the earliest pending event into `out`; returns false (leaving `out` alone) if none.
  bool pop(Event& out);

  /// The time of the earliest pending event, or `kNever` when none is pending.
  [[nodiscard]] SimTime next_time();

  /// Number of pending events (scheduled, not yet popped, not cancelled).
  [[nodiscard]] std::size_t size() const noexcept { return stored_ - cancelled_.size(); }
  /// True when no event is pending.
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }
  /// Number of events ever pushed; the next push gets this sequence number.
  [[nodiscard]] std::uint64_t pushed() const noexcept { return next_seq_; }

 private:
  static constexpr unsigned kDigitBits = 6;
  static constexpr std::size_t kSlots = std::size_t{1} << kDigitBits;
  // Keys are non-negative int64 microseconds (< 2^63): 63 bits make 11 digits of 6 bits.
  static constexpr std::size_t kLevels = 11;
  // A lowest slot of at most this many events is sorted into the front run instead of being
  // split further, and the next slots of its level join the run while it stays this short:
  // where events are sparse, sorting a few costs less than moving each down every remaining
  // digit, and one refill then serves many pops. Longer runs make more pushes land inside them.
  static constexpr std::size_t kRunAtMost = 32;
  // A push into the front run that would shift more events than this puts the run back into the
  // slots instead, so pushes stay O(1) amortised whatever order they come in.
  static constexpr std::size_t kMaxShift = 32;
  // The level of a key that differs from min_key_ first in bit b-1 is (b-1)/6 (0 for b == 0).
  static constexpr std::array<std::uint8_t, 65> kLevelOfWidth = [] {
    std::array<std::uint8_t, 65> levels{};
    for (unsigned b = 1; b <= 64; ++b) levels[b] = static_cast<std::uint8_t>((b - 1) / kDigitBits);
    return levels;
  }();

  static std::uint64_t key_of(SimTime t) noexcept {
    return static_cast<std::uint64_t>(t.time_since_epoch().count());
  }
  // Files `e` under the highest digit in which its key differs from min_key_, at that digit.
  void place(const Event& e) {
    const std::uint64_t key = key_of(e.time);
    const unsigned level = kLevelOfWidth[static_cast<std::size_t>(std::bit_width(key ^ min_key_))];
    const auto digit = static_cast<unsigned>(key >> (level * kDigitBits)) & (kSlots - 1);
    slots_[level * kSlots + digit].push_back(e);
    occupied_[level] |= std::uint64_t{1} << digit;
    levels_ |= 1u << level;
  }
  // Puts `e` into the front run, or returns false if that would shift more than kMaxShift.
  bool insert_in_front(const Event& e) {
    auto pos = front_.end();
    const auto first = front_.begin() + static_cast<std::ptrdiff_t>(front_pos_);
    for (std::size_t shifted = 0; pos != first && (pos - 1)->time > e.time; ++shifted) {
      if (shifted == kMaxShift) return false;
      --pos;
    }
    front_.insert(pos, e);
    return true;
  }
  // Marks slot (level, digit) empty.
  void clear_slot(unsigned level, unsigned digit) noexcept {
    occupied_[level] &= ~(std::uint64_t{1} << digit);
    if (occupied_[level] == 0) levels_ &= ~(1u << level);
  }
  // Refills the front run with the smallest events; false if the queue is empty.
  bool refill();
  // Moves the rest of the front run back into the slots.
  void dissolve_front();
  // Re-files everything relative to `key`, below min_key_. Needed only when a peek (next_time)
  // moved min_key_ past the caller's clock and an event is then pushed in between.
  void rebase(std::uint64_t key);
  // Removes the front event, cancelled or not.
  Event take_front() noexcept {
    --stored_;
    return front_[front_pos_++];
  }
  // Keeps the last removed event before the front run is emptied, for `cancel`.
  void forget_front() noexcept {
    if (front_pos_ > 0) {
      last_removed_ = front_[front_pos_ - 1];
      removed_any_ = true;
    }
    front_.clear();
    front_pos_ = 0;
  }
  // True if (time, seq) is after the last removed event, i.e. it cannot have been removed yet.
  [[nodiscard]] bool not_yet_removed(const EventHandle& h) const noexcept {
    if (front_pos_ == 0 && !removed_any_) return true;
    const Event& last = front_pos_ > 0 ? front_[front_pos_ - 1] : last_removed_;
    return h.time > last.time || (h.time == last.time && h.seq > last.seq);
  }

  // Every stored key is at least min_key_. The front run front_[front_pos_..] is sorted by
  // (time, seq); its keys are at most front_max_key_, which is below every key in the slots.
  // Slot (level L, digit d) holds the events whose key first differs from min_key_ in digit L
  // and has value d there (level 0: the key equals min_key_ with digit 0 set to d), so lower
  // levels and, within a level, lower digits hold smaller keys. An event's slot depends only on
  // its key and min_key_, and refill changes min_key_ only in digits that keep every other
  // event's slot. Within a slot, events with equal keys are in seq order: a push appends the
  // largest seq so far, and refill, dissolve_front and rebase move events stably.
  std::vector<Event> front_;
  std::size_t front_pos_ = 0;
  std::uint64_t front_max_key_ = 0;
  std::array<std::vector<Event>, kLevels * kSlots> slots_;
  std::array<std::uint64_t, kLevels> occupied_{};  // bit d of [L]: slot (L, d) holds events
  std::uint32_t levels_ = 0;                        // bit L: some slot of level L holds events
  std::uint64_t min_key_ = 0;
  std::size_t stored_ = 0;  // events held, including cancelled ones not yet skipped
  std::uint64_t next_seq_ = 0;
  SimTime last_returned_time_ = kSimStart;  // of the last event pop handed out
  // The last event removed (popped or skipped as cancelled) before the front run was last
  // emptied; afterwards it is front_[front_pos_ - 1].
  Event last_removed_{};
  bool removed_any_ = false;
  detail::SeqSet cancelled_;
  std::vector<Event> scratch_;  // reused by rebase
};

inline EventHandle EventQueue::push(SimTime time, std::uint32_t kind, std::uint32_t target,
                                    std::uint64_t payload) {
  ECSIM_ASSERT(time >= last_returned_time_,
               "an event may not be scheduled before the last popped event");
  const Event e{time, next_seq_++, kind, target, payload};
  const std::uint64_t key = key_of(time);
  ++stored_;
  if (front_pos_ < front_.size() && key <= front_max_key_) {
    if (insert_in_front(e)) return EventHandle{time, e.seq};
    dissolve_front();
  }
  if (key < min_key_) [[unlikely]]
    rebase(key);
  place(e);
  return EventHandle{time, e.seq};
}

inline bool EventQueue::pop(Event& out) {
  for (;;) {
    if (front_pos_ == front_.size() && !refill()) return false;
    const Event e = take_front();
    if (!cancelled_.empty() && cancelled_.erase(e.seq)) [[unlikely]]
      continue;
    last_returned_time_ = e.time;
    out = e;
    return true;
  }
}

inline SimTime EventQueue::next_time() {
  for (;;) {
    if (front_pos_ == front_.size() && !refill()) return kNever;
    const Event& e = front_[front_pos_];
    if (cancelled_.empty() || !cancelled_.contains(e.seq)) return e.time;
    // Discard the cancelled front event now so the answer is a live event's time.
    cancelled_.erase(take_front().seq);
  }
}

inline bool EventQueue::cancel(EventHandle handle) {
  if (!handle.valid() || handle.seq >= next_seq_ || !not_yet_removed(handle)) return false;
  return cancelled_.insert(handle.seq);
}

}  // namespace ecsim
