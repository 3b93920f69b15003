#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "ecsim/engine/engine.hpp"
#include "ecsim/engine/report.hpp"
#include "ecsim/scenario/scenario.hpp"

using namespace ecsim;

namespace {

scenario::Scenario load(const std::string& relative) {
  scenario::LoadResult r = scenario::load_scenario(std::string(ECSIM_TEST_SCENARIOS) + "/" + relative);
  for (const auto& d : r.diagnostics.sorted()) INFO(scenario::format_diagnostic(d));
  REQUIRE(r.scenario);
  return std::move(*r.scenario);
}

engine::ReplicationResult run(const scenario::Scenario& s, std::uint64_t seed) {
  engine::RunOptions options;
  options.seed = seed;
  options.horizon = s.duration;
  return engine::run_replication(s, options);
}

// Erlang C: the probability that an arrival waits in an M/M/c queue with offered load a = λ/μ.
//   C(c, a) = (a^c / c! · c / (c - a)) / (Σ_{k=0}^{c-1} a^k / k! + a^c / c! · c / (c - a))
double erlang_c(int c, double a) {
  double term = 1, sum = 0;
  for (int k = 0; k < c; ++k) {
    sum += term;
    term *= a / (k + 1);
  }
  const double top = term * c / (c - a);
  return top / (sum + top);
}

}  // namespace

TEST_CASE("Poisson jobs on identical one-task slots wait as the Erlang C formula says",
          "[engine][slow]") {
  // M/M/4 with λ = 3/min and μ = 1/min: a = 3, C(4, 3) = 13.5 / (13 + 13.5) = 0.50943, and the
  // mean wait in queue is Wq = C / (cμ - λ) = 0.50943 min = 30.57 s.
  const double wq_seconds = erlang_c(4, 3.0) / (4 * 1.0 - 3.0) * 60;
  CHECK(wq_seconds == Approx(30.566).epsilon(1e-4));
  // Waits beyond zero are exponential with rate cμ - λ = 1/min: P(W > w) = C · e^(-w/min). So
  // the 95th percentile solves C · e^(-w) = 0.05: w = ln(0.50943 / 0.05) min = 139.3 s.
  const double p95_seconds = std::log(erlang_c(4, 3.0) / 0.05) * 60;
  CHECK(p95_seconds == Approx(139.28).epsilon(1e-3));

  // 16 replications of 1000 simulated hours, about 180,000 jobs each. One replication's mean
  // wait has a standard deviation of about 4% (waits are strongly correlated in time), so the
  // mean of 16 is within about 1% (4% / sqrt(16)); the tolerance of 4% is four of those.
  const scenario::Scenario s = load("mmc/mmc.yaml");
  double wait_sum = 0, p95_sum = 0, cpu_sum = 0;
  const int replications = 16;
  for (std::uint32_t i = 0; i < replications; ++i) {
    const engine::ReplicationResult r = run(s, engine::replication_seed(s.seed, i));
    REQUIRE(r.tasks.lost() == 0);
    REQUIRE(r.tasks.failed == 0);
    REQUIRE(r.tasks.submitted > 170'000);
    wait_sum += r.wait.mean;
    p95_sum += r.wait.p95;
    cpu_sum += r.cpu_reserved_mean;
  }
  CHECK(wait_sum / replications == Approx(wq_seconds).epsilon(0.04));
  CHECK(p95_sum / replications == Approx(p95_seconds).epsilon(0.04));
  // Each slot is busy ρ = λ / (cμ) = 0.75 of the time, and a task reserves 1024 of the 2048
  // CPU units an m6i.large registers, so reserved / registered CPU = 0.75 / 2 = 0.375.
  CHECK(cpu_sum / replications == Approx(0.375).epsilon(0.01));
}

TEST_CASE("the same seed gives the same run, another seed another", "[engine]") {
  scenario::Scenario s = load("mmc/mmc.yaml");
  s.duration = std::chrono::hours(10);
  const engine::ReplicationResult a = run(s, 1);
  const engine::ReplicationResult b = run(s, 1);
  const engine::ReplicationResult c = run(s, 2);
  CHECK(a.events == b.events);
  CHECK(a.wait.mean == b.wait.mean);
  CHECK(a.tasks.submitted == b.tasks.submitted);
  CHECK((a.tasks.submitted != c.tasks.submitted || a.wait.mean != c.wait.mean));
}
