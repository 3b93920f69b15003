#include "ecsim/sim/event_queue.hpp"

#include <algorithm>
#include <utility>

namespace ecsim {

bool EventQueue::refill() {
  front_.clear();
  front_pos_ = 0;
  while (levels_ != 0) {
    const auto level = static_cast<unsigned>(std::countr_zero(levels_));
    const auto digit = static_cast<unsigned>(std::countr_zero(occupied_[level]));
    std::vector<Event>& slot = slots_[level * kSlots + digit];
    if (level == 0 || slot.size() <= kSortAtMost) {
      // The lowest slot holds the smallest keys of all. A level-0 slot is one key in seq order
      // already; a small one is sorted (its equal keys are in seq order, so sorting by
      // (time, seq) keeps them so).
      front_.swap(slot);
      occupied_[level] &= ~(std::uint64_t{1} << digit);
      if (occupied_[level] == 0) levels_ &= ~(1u << level);
      if (level == 0) {
        min_key_ = (min_key_ & ~std::uint64_t{kSlots - 1}) | digit;
      } else {
        std::sort(front_.begin(), front_.end(), pops_before);
      }
      front_max_key_ = key_of(front_.back().time);
      return true;
    }
    // Moving min_key_ to this slot's minimum changes only digits at and below `level`, so other
    // slots stay valid, and every event here moves to a lower level.
    occupied_[level] &= ~(std::uint64_t{1} << digit);
    if (occupied_[level] == 0) levels_ &= ~(1u << level);
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
  front_.clear();
  front_pos_ = 0;
}

void EventQueue::rebase(std::uint64_t key) {
  // The front run goes first, in order: its events precede any stored event of the same key.
  scratch_.assign(front_.begin() + static_cast<std::ptrdiff_t>(front_pos_), front_.end());
  front_.clear();
  front_pos_ = 0;
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
