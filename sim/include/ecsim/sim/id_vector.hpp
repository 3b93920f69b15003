#pragma once

// Per-entity columns indexed by a strong id, so that a column of tasks cannot be read with a
// service's id, and the ids of a column can be walked without a bare integer.

#include <cstddef>
#include <iterator>
#include <utility>
#include <vector>

#include "ecsim/sim/ids.hpp"

namespace ecsim {

/// The ids 0, 1, ..., n - 1 of one kind, in order (`for (TaskId t : IdRange<TaskId>{n})`).
template <class Id>
class IdRange {
 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Id;
    using difference_type = std::ptrdiff_t;
    using pointer = const Id*;
    using reference = Id;

    constexpr iterator() noexcept = default;
    constexpr explicit iterator(typename Id::rep_type v) noexcept : v_(v) {}
    constexpr Id operator*() const noexcept { return Id{v_}; }
    constexpr iterator& operator++() noexcept {
      ++v_;
      return *this;
    }
    constexpr iterator operator++(int) noexcept {
      iterator was = *this;
      ++v_;
      return was;
    }
    friend constexpr bool operator==(iterator, iterator) noexcept = default;

   private:
    typename Id::rep_type v_ = 0;
  };

  /// The first `n` ids.
  constexpr explicit IdRange(std::size_t n) noexcept
      : end_(static_cast<typename Id::rep_type>(n)) {}
  [[nodiscard]] constexpr iterator begin() const noexcept { return iterator{0}; }
  [[nodiscard]] constexpr iterator end() const noexcept { return iterator{end_}; }

 private:
  typename Id::rep_type end_;
};

/// A std::vector of `T` indexed by `Id` only. Holds what a vector holds; `raw()` hands the
/// vector itself to code that needs it (algorithms, spans).
template <class Id, class T>
class IdVector {
 public:
  using value_type = T;

  IdVector() = default;
  /// `n` copies of `value`.
  explicit IdVector(std::size_t n, const T& value = T{}) : v_(n, value) {}

  [[nodiscard]] T& operator[](Id id) { return v_[id.value()]; }
  [[nodiscard]] const T& operator[](Id id) const { return v_[id.value()]; }

  [[nodiscard]] std::size_t size() const noexcept { return v_.size(); }
  [[nodiscard]] bool empty() const noexcept { return v_.empty(); }
  /// Whether `id` is within the vector.
  [[nodiscard]] bool contains(Id id) const noexcept { return id.valid() && id.value() < v_.size(); }
  /// The id the next element pushed gets.
  [[nodiscard]] Id next_id() const noexcept {
    return Id{static_cast<typename Id::rep_type>(v_.size())};
  }
  /// Every id of the vector, in order.
  [[nodiscard]] IdRange<Id> ids() const noexcept { return IdRange<Id>{v_.size()}; }

  void resize(std::size_t n) { v_.resize(n); }
  void resize(std::size_t n, const T& value) { v_.resize(n, value); }
  void assign(std::size_t n, const T& value) { v_.assign(n, value); }
  void reserve(std::size_t n) { v_.reserve(n); }
  void clear() noexcept { v_.clear(); }
  /// Appends `value`; returns its id.
  Id push_back(T value) {
    const Id id = next_id();
    v_.push_back(std::move(value));
    return id;
  }
  /// Constructs an element at the end; returns it.
  template <class... Args>
  T& emplace_back(Args&&... args) {
    return v_.emplace_back(std::forward<Args>(args)...);
  }
  [[nodiscard]] T& back() { return v_.back(); }
  [[nodiscard]] const T& back() const { return v_.back(); }

  [[nodiscard]] auto begin() noexcept { return v_.begin(); }
  [[nodiscard]] auto end() noexcept { return v_.end(); }
  [[nodiscard]] auto begin() const noexcept { return v_.begin(); }
  [[nodiscard]] auto end() const noexcept { return v_.end(); }

  [[nodiscard]] std::vector<T>& raw() noexcept { return v_; }
  [[nodiscard]] const std::vector<T>& raw() const noexcept { return v_; }

 private:
  std::vector<T> v_;
};

}  // namespace ecsim
