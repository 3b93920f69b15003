#include "ecsim/sim/assert.hpp"

#include <fmt/format.h>

#include "ecsim/sim/simulator.hpp"

namespace ecsim {
namespace {

thread_local const CheckContext* current_context = nullptr;

}  // namespace

CheckContext::CheckContext(std::string run, const Simulator* clock)
    : run_(std::move(run)), clock_(clock), outer_(current_context) {
  current_context = this;
}

CheckContext::~CheckContext() {
  current_context = outer_;
}

const CheckContext* CheckContext::current() noexcept {
  return current_context;
}

std::string CheckContext::describe() const {
  if (clock_ == nullptr) return run_;
  return fmt::format("{}, simulated time {}", run_, format_time(clock_->now()));
}

void check_failed(const std::string& what) {
  const CheckContext* context = CheckContext::current();
  throw InternalError(
      fmt::format("internal error: {}{}{}; this is a bug in ecsim, please report "
                  "it with the scenario and this message",
                  what, context ? " in " : "", context ? context->describe() : std::string()));
}

namespace detail {

void assert_failed(const char* expression, const char* message, const char* file, int line) {
  check_failed(fmt::format("check '{}' failed ({}) at {}:{}", expression, message, file, line));
}

}  // namespace detail
}  // namespace ecsim
