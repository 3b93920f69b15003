#pragma once

/// Internal consistency checks that stay on in release builds: a failed check is a bug in ecsim,
/// reported with its location before the process aborts.

namespace ecsim::detail {

/// Prints "file:line: internal error: expression (message)" to stderr and aborts.
[[noreturn]] void assert_failed(const char* expression, const char* message, const char* file,
                                int line) noexcept;

}  // namespace ecsim::detail

/// Checks `cond` in every build type; `msg` is a string literal explaining the invariant.
#define ECSIM_ASSERT(cond, msg)                                                       \
  do {                                                                                \
    if (!(cond)) [[unlikely]]                                                         \
      ::ecsim::detail::assert_failed(#cond, msg, __FILE__, __LINE__);                 \
  } while (false)
