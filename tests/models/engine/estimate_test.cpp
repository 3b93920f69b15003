// The estimate of a run against what runs measure: counts derived from the scenario, memory
// against the peak resident set of the run in a child process.

#include "ecsim/engine/estimate.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "ecsim/engine/engine.hpp"
#include "engine_test_support.hpp"

using namespace ecsim;
using namespace std::chrono_literals;

// AddressSanitizer: GCC says so with __SANITIZE_ADDRESS__, clang with __has_feature.
#if defined(__SANITIZE_ADDRESS__)
#define ECSIM_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ECSIM_UNDER_ASAN 1
#endif
#endif

namespace {

// A cluster "batch" of `instances` m6i.large with one job arriving every `every`, each task
// running `runs` (512 units, 1 GiB: 4 to an instance by CPU).
scenario::Scenario batch(std::uint32_t instances, SimDuration every, SimDuration runs,
                         SimDuration duration) {
  scenario::Scenario s = test::three_zones("estimate", duration);
  s.platform.groups.push_back(
      test::m6i_large_group("batch", instances, instances, {AzId{0}, AzId{1}, AzId{2}}));
  scenario::EcsClusterConfig c;
  c.name = "batch";
  c.asg = GroupId{0};
  scenario::JobConfig job;
  job.name = "job";
  job.task_definition = test::task_definition(512, 1024);
  job.arrivals = workload::ConstantArrivals{every, 0s};
  job.duration = workload::FixedDuration{runs};
  c.jobs.push_back(job);
  s.ecs.push_back(c);
  return s;
}

// The peak resident set, in bytes, of a child process that runs `work` and exits.
template <class Work>
double peak_bytes_of_child(Work work) {
  const pid_t pid = fork();
  if (pid == 0) {
    work();
    _exit(0);
  }
  int status = 0;
  rusage usage{};
  REQUIRE(wait4(pid, &status, 0, &usage) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return static_cast<double>(usage.ru_maxrss) * 1024.0;  // ru_maxrss is in KiB on Linux
}

// The memory one replication of `s` takes: the child's peak less that of a child that does
// nothing.
double measured_bytes(const scenario::Scenario& s, bool timeseries) {
  const double idle = peak_bytes_of_child([] {});
  const double busy = peak_bytes_of_child([&] {
    engine::RunOptions options;
    options.horizon = s.duration;
    options.timeseries = timeseries;
    (void)engine::run_replication(s, options);
  });
  return busy - idle;
}

// Checks that one replication of `s` without a time series takes between half and twice the
// memory its estimate says.
void check_within_a_factor_of_two(const scenario::Scenario& s) {
  const engine::RunEstimate e = engine::estimate_run(s, 1, false);
  const double got = measured_bytes(s, false);
  INFO("estimated " << e.replication_bytes << " bytes, measured " << got);
  CHECK(got > 0.5 * e.replication_bytes);
  CHECK(got < 2.0 * e.replication_bytes);
}

}  // namespace

TEST_CASE("the estimate counts the tasks, hosts, rows and events a scenario makes", "[engine]") {
  // One arrival a minute over 10 hours, both ends included: 601 tasks; 3 instances; a row a
  // minute: 601 rows. Events: 3 per task, 2 per host, 1 per row: 1803 + 6 + 601 = 2410.
  const scenario::Scenario s = batch(3, 1min, 1min, 10h);
  const engine::RunEstimate e = engine::estimate_run(s, 1);
  CHECK(e.tasks == 601);
  CHECK(e.hosts == 3);
  CHECK(e.timeseries_rows == 601);
  CHECK(e.events == 2410);
  CHECK(e.replications == 1);
  // The run itself: as many tasks, and events within a few percent (start latency aside, a
  // task has exactly its arrival, start and completion).
  engine::RunOptions options;
  options.horizon = s.duration;
  const engine::ReplicationResult r = engine::run_replication(s, options);
  CHECK(r.tasks.submitted == 601);
  CHECK(r.timeseries.size() == 601);
  CHECK(static_cast<double>(r.events) == Approx(e.events).epsilon(0.05));
  // Without a time series, no rows; with 8 replications on 2 threads, 8 times the rows' bytes
  // and twice a replication's.
  CHECK(engine::estimate_run(s, 1, false).timeseries_rows == 0);
  scenario::Scenario eight = s;
  eight.replications = 8;
  const engine::RunEstimate e8 = engine::estimate_run(eight, 2);
  CHECK(e8.timeseries_bytes == Approx(8 * e.timeseries_bytes));
  CHECK(e8.peak_bytes - e8.timeseries_bytes - e8.output_bytes ==
        Approx(e.peak_bytes - e.timeseries_bytes - e.output_bytes + e.replication_bytes));
}

TEST_CASE("the memory estimate is within a factor of two of what runs take", "[engine][slow]") {
#if defined(ECSIM_UNDER_ASAN)
  WARN(
      "not measured under AddressSanitizer, whose shadow memory and quarantine change the "
      "resident set");
  return;
#endif
  SECTION("tasks: 200,000 short jobs") {
    // One every 3 s for about 7 days: 201,601 tasks of 1 s each on 3 instances.
    check_within_a_factor_of_two(batch(3, 3s, 1s, 7 * 24h));
  }
  SECTION("hosts: 200,000 instances") {
    check_within_a_factor_of_two(batch(200'000, 1h, 1s, 1min));
  }
  SECTION("time series: a row a second for 2 days") {
    scenario::Scenario s = batch(3, 1h, 1s, 48h);
    s.timeseries_interval = 1s;
    const engine::RunEstimate e = engine::estimate_run(s, 1);
    const double got = measured_bytes(s, true);
    INFO("estimated " << e.timeseries_bytes << " bytes, measured " << got);
    CHECK(got > 0.5 * e.timeseries_bytes);
    CHECK(got < 2.0 * (e.timeseries_bytes + e.replication_bytes));
  }
}
