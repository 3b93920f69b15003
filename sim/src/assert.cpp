#include "ecsim/sim/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace ecsim::detail {

void assert_failed(const char* expression, const char* message, const char* file,
                   int line) noexcept {
  std::fprintf(stderr, "%s:%d: internal error: %s (%s)\n", file, line, expression, message);
  std::fflush(stderr);
  std::abort();
}

}  // namespace ecsim::detail
