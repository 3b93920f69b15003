#include "ecsim/sim/event_queue.hpp"

#include <algorithm>
#include <utility>

namespace ecsim {
namespace {

// Insertion sort by (time, seq): the slots sorted here hold at most kRunAtMost events, where it
// beats std::sort's set-up.
void sort_small(std::vector<Event>& events) {
  for (std::size_t i = 1; i < events.size(); ++i) {
    const Event e = events[i];
    std::size_t j = i;
    for (; j > 0 && pops_before(e, events[j - 1]); --j) events[j] = events[j - 1];
    events[j] = e;
  }
}

}  // namespace

bool EventQueue::refill() {
  forget_front();
  while (levels_ != 0) {
    const auto level = static_cast<unsigned>(std::countr_zero(levels_));
    const auto digit = static_cast<unsigned>(std::countr_zero(occupied_[level]));
    std::vector<Event>& slot = slots_[level * kSlots + digit];
    if (level == 0) {
      // One key, the smallest stored, in seq order already.
      front_.swap(slot);
      clear_slot(0, digit);
      min_key_ = (min_key_ & ~std::uint64_t{kSlots - 1}) | digit;
      front_max_key_ = min_key_;
      return true;
    }
    if (slot.size() <= kRunAtMost) {
      // The lowest slot holds the smallest keys of all. Sort it (its equal keys are in seq
      // order, so sorting by (time, seq) keeps them so), and append the next slots of this
      // level while they are small too: each holds only larger keys than the one before.
      front_.swap(slot);
      clear_slot(level, digit);
      sort_small(front_);
      while (occupied_[level] != 0) {
        const auto next = static_cast<unsigned>(std::countr_zero(occupied_[level]));
        std::vector<Event>& more = slots_[level * kSlots + next];
        if (front_.size() + more.size() > kRunAtMost) break;
        sort_small(more);
        front_.insert(front_.end(), more.begin(), more.end());
        more.clear();
        clear_slot(level, next);
      }
      front_max_key_ = key_of(front_.back().time);
      return true;
    }
    // Moving min_key_ to this slot's minimum changes only digits at and below `level`, so other
    // slots stay valid, and every event here moves to a lower level.
    clear_slot(level, digit);
    std::uint64_t min_key = key_of(slot.front().time);
    for (const Event& e : slot) min_key = std::min(min_key, key_of(e.time));
    min_key_ = min_key;
    for (const Event& e : slot) place(e);
    slot.clear();
  }
  return false;
}

void EventQueue::dissolve_front() {
  // Front keys are at least min_key_ and below every slot's keys, and they go back in order.
  for (std::size_t i = front_pos_; i < front_.size(); ++i) place(front_[i]);
  forget_front();
}

void EventQueue::rebase(std::uint64_t key) {
  // The front run goes first, in order: its events precede any stored event of the same key.
  scratch_.assign(front_.begin() + static_cast<std::ptrdiff_t>(front_pos_), front_.end());
  forget_front();
  for (std::vector<Event>& slot : slots_) {
    scratch_.insert(scratch_.end(), slot.begin(), slot.end());
    slot.clear();
  }
  occupied_.fill(0);
  levels_ = 0;
  min_key_ = key;
  for (const Event& e : scratch_) place(e);
}

namespace detail {

bool SeqSet::contains(std::uint64_t seq) const noexcept {
  if (size_ == 0) return false;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = home(seq);; i = (i + 1) & mask) {
    if (slots_[i] == seq) return true;
    if (slots_[i] == kEmpty) return false;
  }
}

bool SeqSet::insert(std::uint64_t seq) {
  ECSIM_ASSERT(seq != kEmpty, "the all-ones sequence number marks an empty slot");
  // Keep the load factor at most one half so probe sequences stay short.
  if (2 * (size_ + 1) > slots_.size()) grow();
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = home(seq);; i = (i + 1) & mask) {
    if (slots_[i] == seq) return false;
    if (slots_[i] == kEmpty) {
      slots_[i] = seq;
      ++size_;
      return true;
    }
  }
}

bool SeqSet::erase(std::uint64_t seq) noexcept {
  if (size_ == 0) return false;
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = home(seq);
  while (slots_[i] != seq) {
    if (slots_[i] == kEmpty) return false;
    i = (i + 1) & mask;
  }
  // Backward-shift deletion: move later members of the probe run into the hole when their home
  // does not lie cyclically in (hole, position], so no tombstones are needed.
  std::size_t hole = i;
  for (std::size_t j = (i + 1) & mask; slots_[j] != kEmpty; j = (j + 1) & mask) {
    const std::size_t h = home(slots_[j]);
    const bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
    if (!stays) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = kEmpty;
  --size_;
  return true;
}

void SeqSet::grow() {
  std::vector<std::uint64_t> old = std::exchange(slots_, {});
  const std::size_t capacity = old.empty() ? 16 : 2 * old.size();
  slots_.assign(capacity, kEmpty);
  shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
  size_ = 0;
  for (const std::uint64_t seq : old) {
    if (seq != kEmpty) insert(seq);
  }
}

}  // namespace detail
}  // namespace ecsim
