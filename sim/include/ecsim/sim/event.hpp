#pragma once

#include <cstdint>
#include <limits>
#include <type_traits>

#include "ecsim/sim/time.hpp"

namespace ecsim {

/// A scheduled occurrence: 32 bytes, trivially copyable, ordered by (time, seq). What `kind`,
/// `target` and `payload` mean is up to the model that scheduled it; the core never looks at them.
struct Event {
  SimTime time;              ///< When it happens.
  std::uint64_t seq;         ///< Scheduling order, unique per queue; breaks ties in time.
  std::uint32_t kind;        ///< Model-defined event kind, for a switch or a table in dispatch.
  std::uint32_t target;      ///< Model-defined, usually the dense index of the entity concerned.
  std::uint64_t payload;     ///< Model-defined, e.g. a generation or a second index.
};
static_assert(std::is_trivially_copyable_v<Event>);
static_assert(sizeof(Event) == 32, "keep events small: they are copied on every queue operation");

/// True when `a` pops before `b`: earlier time first, then earlier scheduling.
constexpr bool pops_before(const Event& a, const Event& b) noexcept {
  return a.time < b.time || (a.time == b.time && a.seq < b.seq);
}

/// Names one scheduled event so it can be cancelled; a default-constructed handle names none.
struct EventHandle {
  SimTime time = kNever;                                         ///< When the event was due.
  std::uint64_t seq = std::numeric_limits<std::uint64_t>::max();  ///< Its scheduling number.

  /// True if this handle was returned by a push (it may since have fired or been cancelled).
  [[nodiscard]] constexpr bool valid() const noexcept {
    return seq != std::numeric_limits<std::uint64_t>::max();
  }
};

}  // namespace ecsim
