#pragma once

#include <cstdint>
#include <string>

#include "ecsim/scenario/scenario.hpp"

namespace ecsim::engine {

/// What a run is expected to take, worked out from the scenario before it runs. Counts are
/// expected values (arrival processes are random); memory is those counts times costs per item
/// measured on this build (see estimate.cpp), so it is an estimate, not a bound.
struct RunEstimate {
  double tasks = 0;                ///< ECS tasks and EKS pods created, per replication
  double live_tasks = 0;           ///< the most tasks and pods alive at once (memory follows these)
  double hosts = 0;                ///< EC2 instances and EKS nodes launched, per replication
  double timeseries_rows = 0;      ///< time-series rows, per replication
  double events = 0;               ///< events handled, per replication
  double replication_bytes = 0;    ///< memory one replication holds while it runs, its rows aside
  double timeseries_bytes = 0;     ///< memory the rows of every replication hold until written
  double output_bytes = 0;         ///< memory the text of the outputs takes while they are written
  double peak_bytes = 0;           ///< the most in use at once, the program itself included
  std::uint32_t replications = 0;  ///< how many the estimate is for

  /// "about 1.2 M events per replication (...) and 310 MiB of memory at most: ...": the figures
  /// and what they are made of.
  [[nodiscard]] std::string describe() const;
};

/// The estimate for `scenario` as configured (its replications and duration), with `concurrent`
/// replications running at once and a time series when `timeseries`.
RunEstimate estimate_run(const scenario::Scenario& scenario, std::uint32_t concurrent,
                         bool timeseries = true);

/// `bytes` in the largest binary unit that keeps it at 1 or more: "512 B", "3.4 MiB", "2.0 GiB".
std::string format_bytes(double bytes);

}  // namespace ecsim::engine
