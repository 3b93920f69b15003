#include "ecsim/sim/assert.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "ecsim/sim/simulator.hpp"

namespace ecsim {
namespace {

using namespace std::chrono_literals;

constexpr int kAssertLine = __LINE__ + 3;  // the line of the ECSIM_ASSERT below

int must_be_positive(int x) {
  ECSIM_ASSERT(x > 0, "x is a count of something");
  return x;
}

std::string message_of(int x) {
  try {
    must_be_positive(x);
  } catch (const InternalError& e) {
    return e.what();
  }
  return "no exception";
}

TEST_CASE("A failed check throws one message naming the check, its place and that it is a bug",
          "[sim]") {
  CHECK(must_be_positive(3) == 3);
  // The file is named from the repository's top folder, whatever the build machine's path.
  CHECK(message_of(-1) ==
        "internal error: check 'x > 0' failed (x is a count of something) at "
        "tests/sim/assert_test.cpp:" +
            std::to_string(kAssertLine) +
            "; this is a bug in ecsim, please report it with the scenario and this message");
}

TEST_CASE("A failed check names the run of the thread's context and its simulated time", "[sim]") {
  Simulator sim;
  sim.schedule_at(kSimStart + 90min, 1);
  const CheckContext context("scenario 'web' (web.yaml), replication 3, seed 42", &sim);
  std::string message;
  sim.run_until_empty([&](const Event&) { message = message_of(0); });
  CHECK_THAT(message, Catch::Matchers::Contains(
                          "(x is a count of something) at tests/sim/assert_test.cpp:"));
  CHECK_THAT(message, Catch::Matchers::EndsWith(
                          " in scenario 'web' (web.yaml), replication 3, seed 42, simulated time "
                          "1h30m; this is a bug in ecsim, please report it with the scenario and "
                          "this message"));
  {
    // A nested context hides the outer one until it ends.
    const CheckContext inner("scenario 'other'", nullptr);
    CHECK_THAT(message_of(0), Catch::Matchers::Contains(" in scenario 'other'; this is a bug"));
  }
  CHECK(CheckContext::current() == &context);
}

TEST_CASE("check_failed reports a self-check in the same words", "[sim]") {
  CHECK_THROWS_WITH(check_failed("self-check failed: 2 + 2 = 5"),
                    "internal error: self-check failed: 2 + 2 = 5; this is a bug in ecsim, please "
                    "report it with the scenario and this message");
  CHECK(CheckContext::current() == nullptr);
}

}  // namespace
}  // namespace ecsim
