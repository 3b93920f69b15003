#pragma once

#include <string>
#include <vector>

#include "ecsim/engine/engine.hpp"
#include "ecsim/scenario/scenario.hpp"

namespace ecsim::engine {

/// What a whole run (all replications) produced, for the reports below.
struct RunReport {
  const scenario::Scenario* scenario = nullptr;  ///< not owned
  std::uint64_t seed = 0;                        ///< the root seed the run used
  std::vector<ReplicationResult> replications;   ///< in replication order
  double wall_seconds = 0;                       ///< elapsed for the whole run
  std::string version;                           ///< of ecsim
};

/// summary.json: the output contract of docs/design.md (with several replications every number is the
/// mean over them and a `*_ci95` twin holds the 95% confidence half-width). `wall_seconds` and
/// `events_per_second` are the only values that depend on the machine; `include_timing` false
/// sets both to 0, for byte-for-byte comparisons. Services, deployments and drains are laid out as
/// scenarios/README.md ("Outputs") describes.
std::string summary_json(const RunReport& report, bool include_timing = true);

/// timeseries.csv: one row per replication and sample instant (running and pending tasks, CPU
/// units and MiB reserved per zone, USD spent so far, container instances, RUNNING tasks per
/// service and zone in columns `running:<cluster>/<service>:<zone>`).
std::string timeseries_csv(const RunReport& report);

/// The human summary for a terminal: a few aligned tables (services and drains when the run has them).
std::string terminal_summary(const RunReport& report);

}  // namespace ecsim::engine
