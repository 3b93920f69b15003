#pragma once

/// Internal consistency checks that stay on in release builds. A failed check is a bug in
/// ecsim: it throws InternalError, whose message names the check, where it is in the code and,
/// when a CheckContext is in force on the thread, the run it interrupted.

#include <stdexcept>
#include <string>

namespace ecsim {

class Simulator;

/// A failed internal check or self-check: a bug in ecsim (exit status 3). `what()` is one line.
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// The run a failed check on this thread belongs to, for its message: set by whoever runs a
/// simulation, for as long as it runs; a nested context hides the outer one until it ends.
class CheckContext {
 public:
  /// `run` describes the run ("scenario 'x', replication 2, seed 7"); `clock`, if not null,
  /// gives the simulated time and must outlive the context.
  CheckContext(std::string run, const Simulator* clock);
  ~CheckContext();
  CheckContext(const CheckContext&) = delete;
  CheckContext& operator=(const CheckContext&) = delete;

  /// Sets (or, with null, clears) the clock, which must outlive the context or be cleared.
  void set_clock(const Simulator* clock) noexcept { clock_ = clock; }
  /// The context in force on this thread, or null.
  [[nodiscard]] static const CheckContext* current() noexcept;
  /// "scenario 'x', replication 2, seed 7, simulated time 4h12m" (the time when known).
  [[nodiscard]] std::string describe() const;

 private:
  std::string run_;
  const Simulator* clock_;
  const CheckContext* outer_;
};

/// Throws InternalError for the failed check described by `what` (e.g. "tasks counted 3 but
/// tracked 4"), adding the run of the thread's CheckContext and that this is a bug in ecsim.
[[noreturn]] void check_failed(const std::string& what);

namespace detail {

/// Throws InternalError for a failed ECSIM_ASSERT: "internal check failed: expression
/// (message) at file:line", with the run's context.
[[noreturn]] void assert_failed(const char* expression, const char* message, const char* file,
                                int line);

}  // namespace detail
}  // namespace ecsim

/// Checks `cond` in every build type; `msg` is a string literal explaining the invariant. A
/// failure throws ecsim::InternalError, so a function that asserts must not be noexcept.
#define ECSIM_ASSERT(cond, msg)                                       \
  do {                                                                \
    if (!(cond)) [[unlikely]]                                         \
      ::ecsim::detail::assert_failed(#cond, msg, __FILE__, __LINE__); \
  } while (false)
