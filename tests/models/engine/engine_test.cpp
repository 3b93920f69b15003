#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "ecsim/engine/engine.hpp"
#include "ecsim/engine/report.hpp"
#include "ecsim/scenario/scenario.hpp"
#include "engine_test_support.hpp"

using namespace ecsim;

namespace {

using test::load;

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

TEST_CASE("RunTask without a capacity provider fails at once with AWS's reason", "[engine]") {
  // One arrival per second at 0s..10s: 11 per cluster. The first fits; the next find 1024 CPU
  // units free but only 7985 - 5000 = 2985 MiB (RESOURCE:MEMORY), or no CPU at all (2048 of 2048
  // reserved: RESOURCE:CPU).
  const scenario::Scenario s = load("engine/fail-fast.yaml");
  const engine::ReplicationResult r = run(s, 1);
  REQUIRE(r.jobs.size() == 2);
  CHECK(r.jobs[0].tasks.submitted == 11);
  CHECK(r.jobs[0].tasks.running_at_end == 1);
  CHECK(r.jobs[0].tasks.failed == 10);
  CHECK(r.jobs[0].failure_reasons == std::map<std::string, std::uint64_t>{{"RESOURCE:MEMORY", 10}});
  CHECK(r.jobs[1].tasks.failed == 10);
  CHECK(r.jobs[1].failure_reasons == std::map<std::string, std::uint64_t>{{"RESOURCE:CPU", 10}});
  CHECK(r.tasks.lost() == 0);
}

TEST_CASE("a burst of Fargate tasks waits for the launch-rate bucket", "[engine]") {
  // 150 tasks at 0s: 100 launch at once, the rest one per 50 ms (20 per second), the last at
  // 50 x 50 ms = 2.5 s; each runs 40 s after its launch. Waits: 100 of 40 s and 40 + 0.05 k s for
  // k = 1..50, so the mean is (100 x 40 + 50 x 40 + 0.05 x 1275) / 150 = 6063.75 / 150 = 40.425 s
  // and the longest 42.5 s.
  const scenario::Scenario s = load("engine/fargate-burst.yaml");
  const engine::ReplicationResult r = run(s, 1);
  CHECK(r.tasks.submitted == 150);
  CHECK(r.tasks.started == 150);
  CHECK(r.wait.max == Approx(42.5).epsilon(1e-12));
  CHECK(r.wait.mean == Approx(40.425).epsilon(1e-12));
  // Fargate bills 0.25 vCPU and 0.5 GB per second, partial seconds rounded up, from launch to
  // the end of the run (5 min). The first 100 tasks: 300 s each. Task 100 + k launched at
  // 0.05 k s runs 300 - 0.05 k s, billed ceil(300 - 0.05 k): 300 for k = 1..19, 299 for
  // k = 20..39, 298 for k = 40..50, so 19 x 300 + 20 x 299 + 11 x 298 = 14958 s. In all
  // 30000 + 14958 = 44958 task-seconds at 0.25 x 0.04048 + 0.5 x 0.004445 USD per task-hour.
  CHECK(r.cost.fargate == Approx(44958.0 / 3600 * (0.25 * 0.04048 + 0.5 * 0.004445)).epsilon(1e-9));
  CHECK(r.cost.ec2 == 0);
}

TEST_CASE("a task definition's cpuArchitecture picks its instances and its Fargate price",
          "[engine]") {
  // Each instance has room for two of the 1024-unit tasks. Three ARM64 tasks: two on the
  // m6g.large, the third refused although the m6i.large has room (first fit would have put
  // it there); the same for X86_64 in the other cluster.
  const scenario::Scenario s = load("engine/architectures.yaml");
  const engine::ReplicationResult r = run(s, 1);
  REQUIRE(r.jobs.size() == 3);
  for (const std::size_t j : {0U, 2U}) {
    INFO(r.jobs[j].name);
    CHECK(r.jobs[j].tasks.started == 2);
    CHECK(r.jobs[j].failure_reasons ==
          std::map<std::string, std::uint64_t>{{"MemberOf placement constraint unsatisfied.", 1}});
  }
  // Ten ARM64 Fargate tasks launched at 0 s, billed to the end of the run (300 s) at 0.25 vCPU
  // and 0.5 GB of Fargate's ARM prices.
  CHECK(r.cost.fargate ==
        Approx(10 * 300.0 / 3600 * (0.25 * 0.03238 + 0.5 * 0.00356)).epsilon(1e-9));
}

TEST_CASE("awsvpc tasks on EC2 each take one of the instance's network interfaces", "[engine]") {
  // Three m6i.xlarge (4 interfaces, 3 for tasks): 9 of 20 awsvpc tasks run, the others find no
  // interface free (RESOURCE:ENI), though CPU and memory would take all 20; bridge mode runs 20.
  const scenario::Scenario s = load("engine/enis.yaml");
  const engine::ReplicationResult r = run(s, 1);
  REQUIRE(r.jobs.size() == 2);
  CHECK(r.jobs[0].name == "awsvpc");
  CHECK(r.jobs[0].tasks.started == 9);
  CHECK(r.jobs[0].failure_reasons == std::map<std::string, std::uint64_t>{{"RESOURCE:ENI", 11}});
  CHECK(r.jobs[1].tasks.started == 20);
  CHECK(r.jobs[1].failure_reasons.empty());
  // A service of 20 runs 9, by the default spread, and waits for the rest.
  REQUIRE(r.services.size() == 1);
  CHECK(r.services[0].running_by_az == std::vector<std::int64_t>{9});
}

TEST_CASE("a zone outage stops its Fargate tasks and the queue waits for capacity", "[engine]") {
  // 40 tasks, 12 per zone over three zones: 36 run, 4 wait. At 1h us-east-1a goes down and its
  // 12 tasks are evicted; the 4 waiting ones find b and c full and a down until 1h10m, when they
  // launch in a. At 2h: 24 + 4 = 28 running, 12 evicted, none pending or completed (3h tasks).
  const scenario::Scenario s = load("engine/fargate-outage.yaml");
  const engine::ReplicationResult r = run(s, 1);
  CHECK(r.tasks.submitted == 40);
  CHECK(r.tasks.evicted == 12);
  CHECK(r.tasks.running_at_end == 28);
  CHECK(r.tasks.pending_at_end == 0);
  CHECK(r.tasks.completed == 0);
  // The 4 late tasks waited from 0s until 1h10m + 40 s.
  CHECK(r.wait.max == Approx(70 * 60 + 40).epsilon(1e-12));
  REQUIRE_FALSE(r.timeseries.empty());
  CHECK(r.tasks.lost() == 0);
}

TEST_CASE("tasks on a failed instance are evicted and the queue waits for its replacement",
          "[engine]") {
  // Arrivals at 0s, 1s, ..., 120s: 121 tasks. Task 0 runs from 0s; the instance fails at 10s and
  // task 0 is evicted. Nothing may start on the failed instance: task 1 (created at 1s) starts
  // on the replacement, which runs from 10s + 60s = 70s, after a wait of 69s. At 2m: 1 running,
  // 1 evicted, 119 waiting; the two started tasks waited 0s and 69s, a mean of 34.5s.
  const scenario::Scenario s = load("engine/instance-failure.yaml");
  const engine::ReplicationResult r = run(s, 1);
  CHECK(r.tasks.submitted == 121);
  CHECK(r.tasks.evicted == 1);
  CHECK(r.tasks.started == 2);
  CHECK(r.tasks.running_at_end == 1);
  CHECK(r.tasks.pending_at_end == 119);
  CHECK(r.wait.max == Approx(69.0).epsilon(1e-12));
  CHECK(r.wait.mean == Approx(34.5).epsilon(1e-12));
  CHECK(r.platform.failures == 1);
  CHECK(r.platform.launches == 2);
}

TEST_CASE("RunTask placement strategies and constraints decide where tasks land", "[engine]") {
  // Four 512-unit tasks at 0s on three m6i.large (2048 units each), one instance per zone. The
  // time-series row at 5m gives the CPU reserved per zone (the tasks run for an hour).
  struct Case {
    const char* file;
    std::vector<std::int64_t> cpu_by_az;
    std::uint64_t failed;
  };
  const Case cases[] = {
      // No strategy: the first instance with room takes all four (4 x 512 = 2048).
      {"placement/first-fit.yaml", {2048, 0, 0}, 0},
      // Spread over zones: a, b, c, then the tie of one each goes to the first zone.
      {"placement/spread.yaml", {1024, 512, 512}, 0},
      // Binpack on memory: the instance with least memory left that fits, the first at a tie:
      // a, then a again (it now has the least left), and so on.
      {"placement/binpack.yaml", {2048, 0, 0}, 0},
      // distinctInstance: one per instance; the fourth has nowhere to go and fails.
      {"placement/distinct.yaml", {512, 512, 512}, 1},
      // memberOf zone b: all four on b's instance.
      {"placement/member-of.yaml", {0, 2048, 0}, 0},
  };
  for (const Case& c : cases) {
    SECTION(c.file) {
      const scenario::Scenario s = load(c.file);
      const engine::ReplicationResult r = run(s, 1);
      REQUIRE(r.timeseries.size() == 3);  // 0s, 5m, 10m
      CHECK(r.timeseries[1].cpu_reserved_by_az == c.cpu_by_az);
      CHECK(r.tasks.failed == c.failed);
      if (c.failed > 0) {
        CHECK(r.jobs[0].failure_reasons ==
              std::map<std::string, std::uint64_t>{
                  {"DistinctInstance placement constraint unsatisfied.", 1}});
      }
    }
  }
}

TEST_CASE("RunTask fails with RESOURCE:PORTS where the resources fit but the host port does not",
          "[engine]") {
  // Four 512-unit tasks mapping host port 8080 at 0s on three m6i.large (2048 units each). First
  // fit puts the first on a; a still has 1536 units but its port 8080 is taken, so the second
  // goes to b and the third to c. The fourth finds room everywhere and the port nowhere.
  const scenario::Scenario s = load("placement/ports.yaml");
  const engine::ReplicationResult r = run(s, 1);
  REQUIRE(r.timeseries.size() == 3);
  CHECK(r.timeseries[1].cpu_reserved_by_az == std::vector<std::int64_t>{512, 512, 512});
  CHECK(r.tasks.failed == 1);
  CHECK(r.jobs[0].failure_reasons == std::map<std::string, std::uint64_t>{{"RESOURCE:PORTS", 1}});
  CHECK(r.tasks.lost() == 0);
}

TEST_CASE("Spot instances cost the discounted price and their tasks are evicted on reclaim",
          "[engine]") {
  scenario::Scenario s = load("engine/spot.yaml");
  // Without interruptions: two m6i.large (0.096 USD/h on demand) for exactly 1h at the default
  // 70% Spot discount: 2 x 0.096 x 0.3 = 0.0576 USD.
  s.platform.spot_interruptions_per_hour = 0;
  const engine::ReplicationResult calm = run(s, 1);
  CHECK(calm.cost.ec2 == Approx(2 * 0.096 * 0.3).epsilon(1e-9));
  CHECK(calm.platform.interruptions == 0);
  CHECK(calm.tasks.evicted == 0);
  // At 2 interruptions per instance-hour, two instances see about 4 notices in the hour (the
  // chance of none at all is e^-4, under 2%; the seed is fixed). Each reclaim evicts the tasks
  // on the instance, and every task is still accounted for.
  const scenario::Scenario stormy = load("engine/spot.yaml");
  const engine::ReplicationResult r = run(stormy, 1);
  // Notices are a Poisson count of mean 4: at most 4 + 4 x 2 = 12; this seed has some.
  CHECK(r.platform.interruptions >= 1);
  CHECK(r.platform.interruptions <= 12);
  CHECK(r.tasks.lost() == 0);
  // Each reclaimed instance is replaced (a notice in the last two minutes is not reclaimed
  // yet), and takes its tasks with it: at least one (a task arrives every minute and waits, so
  // an instance is never idle for long) and at most the 4 of 512 units an m6i.large holds.
  const std::uint64_t reclaims = r.platform.launches - 2;
  CHECK(reclaims >= 1);
  CHECK(reclaims <= r.platform.interruptions);
  CHECK(r.tasks.evicted >= reclaims);
  CHECK(r.tasks.evicted <= 4 * reclaims);
  CHECK(r.platform.launches <= 2 + r.platform.interruptions);
}

TEST_CASE("random instance failures keep their rate over the longest horizon", "[engine]") {
  // 10 instances, each failing after an exponential time of mean 10 days and replaced within a
  // minute: failures are (almost exactly) a Poisson process of rate 10 / 10 days, so 3660 of
  // them over 3660 days, +- 4 standard deviations (4 sqrt(3660) = 242), whether the run goes
  // in one stretch or in the 100 slices that report progress. (Longer horizons are refused: at
  // a million days the slices' bounds overflowed and failures stopped well before the end.)
  const scenario::Scenario s = test::load("engine/failures-ten-years.yaml");
  for (const bool progress : {false, true}) {
    engine::RunOptions options;
    options.horizon = s.duration;
    options.timeseries = false;
    if (progress) options.progress = [](double, std::uint64_t) {};
    const engine::ReplicationResult r = engine::run_replication(s, options);
    CHECK(r.end == test::at(std::chrono::hours(3660 * 24)));
    CHECK(std::abs(static_cast<double>(r.platform.failures) - 3660) <= 242);
    CHECK(r.platform.launches == 10 + r.platform.failures);
  }
}
