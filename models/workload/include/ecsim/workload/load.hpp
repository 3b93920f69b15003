#pragma once

/// Load on a service: a request rate over time (constant, diurnal, steps, a trace of a real
/// metric, with bursts on top), a cost per request, and the fluid meter that spreads it over
/// the service's serving tasks between events. Nothing happens per request: the meter
/// integrates the rate in closed form between changes of the serving count and closes one
/// metric period at a time, so a day costs what its metric periods and events cost.

#include <cstdint>
#include <optional>
#include <vector>

#include "ecsim/sim/time.hpp"

namespace ecsim::workload {

/// One point of a stepped or traced rate.
struct LoadPoint {
  SimTime at = kSimStart;  ///< from the start of the run
  double rate = 0;         ///< requests per second, >= 0
};

/// A burst: the rate is multiplied by `factor` over [start, start + length).
struct LoadBurst {
  SimTime start = kSimStart;
  SimDuration length{};
  double factor = 1;  ///< > 0
};

/// A request rate over time, in requests per second: a base shape times the bursts over it.
/// Integrals and the time above a level are exact (closed forms and the cosine's inverse),
/// so the meter owes nothing to a step size.
class LoadProfile {
 public:
  /// `rate` requests per second at all times.
  static LoadProfile constant(double rate);
  /// mean x (1 + amplitude x cos(2 pi (t - peak) / 1 day)): the daily peak at `peak` after
  /// midnight (time 0 is midnight), amplitude 0 to 1.
  static LoadProfile diurnal(double mean, double amplitude, SimDuration peak);
  /// Steps: each point's rate from its time until the next point's; 0 before the first.
  static LoadProfile steps(std::vector<LoadPoint> points);
  /// A trace: linear between points (sorted, times distinct), the first point's rate before
  /// it and the last's after it.
  static LoadProfile trace(std::vector<LoadPoint> points);

  /// Adds a burst (bursts may overlap: their factors multiply).
  void add_burst(const LoadBurst& burst);

  /// The rate at `t`, requests per second.
  [[nodiscard]] double rate(SimTime t) const;
  /// The requests over [from, to): the rate's integral.
  [[nodiscard]] double requests(SimTime from, SimTime to) const;

  /// Over [from, to): how long the rate is above `level` (seconds) and the requests above it
  /// (the integral of max(0, rate - level)).
  struct Excess {
    double seconds = 0;
    double requests = 0;
  };
  [[nodiscard]] Excess excess(SimTime from, SimTime to, double level) const;
  /// The same over [from_s, to_s), in seconds from the start of the run.
  [[nodiscard]] double requests_in(double from_s, double to_s) const;
  [[nodiscard]] Excess excess_in(double from_s, double to_s, double level) const;

 private:
  /// Where the rate is one formula: from `start` (seconds) to the next piece's start, the base
  /// (level + slope x (t - start), or the daily cosine) times `factor`.
  struct Piece {
    double start = 0;   ///< seconds from the start of the run
    double level = 0;   ///< requests per second at `start` (linear pieces)
    double slope = 0;   ///< requests per second per second (linear pieces)
    double factor = 1;  ///< the bursts' product
  };
  void rebuild();
  [[nodiscard]] std::size_t piece_at(double t) const;
  [[nodiscard]] double base(const Piece& p, double t) const;
  [[nodiscard]] double integral(const Piece& p, double a, double b) const;
  void add_excess(const Piece& p, double a, double b, double level, Excess& out) const;
  void add_monotone_excess(const Piece& p, double a, double b, double level, Excess& out) const;

  bool diurnal_ = false;
  double mean_ = 0, amplitude_ = 0, peak_ = 0;  ///< the diurnal shape (peak in seconds)
  std::vector<Piece> base_pieces_;              ///< before bursts
  std::vector<LoadBurst> bursts_;
  std::vector<Piece> pieces_;                   ///< with bursts, sorted by start, first at 0
};

/// What one request costs a task, and what a task can give.
struct LoadCost {
  double cpu_seconds_per_request = 0;   ///< CPU time one request takes, core-seconds, > 0
  double memory_mib_per_request = 0;    ///< memory held per request in flight, MiB, >= 0
  double base_memory_mib = 0;           ///< memory a serving task uses idle, MiB, >= 0
  double bytes_out_per_request = 0;     ///< response bytes sent, for NetworkOut, >= 0
  double cpu_ceiling = 1;               ///< the CPU a task can use, as a multiple of its reservation
};

/// A service's load as the scenario gives it.
struct LoadSpec {
  LoadProfile rate = LoadProfile::constant(0);
  LoadCost cost;
  /// The load balancer's slow start (its target group's slow_start.duration_seconds): a new
  /// target's share of requests rises linearly to a full share over this time; 0: off.
  SimDuration slow_start{};
};

/// The steps in which a target's slow start share is evaluated: at each tenth of the
/// duration, the share at its middle (0.05, 0.15, ... of a full share).
inline constexpr int kSlowStartSteps = 10;

/// One closed metric period of a service (a CloudWatch datapoint of each metric).
struct LoadPeriod {
  SimTime end = kSimStart;      ///< the period is [end - period, end)
  double cpu_percent = 0;       ///< CPU used over CPU reserved by the serving tasks, percent
  double memory_percent = 0;    ///< memory used over memory reserved, percent
  double requests = 0;          ///< requests that arrived
  double requests_per_target = 0;  ///< requests over the mean serving tasks (ALB's count per target)
  double network_out_bytes = 0;    ///< bytes sent by the tasks
  double serving_tasks = 0;        ///< mean serving tasks over the period
};

/// What a service's load did over the run.
struct LoadSummary {
  double requests = 0;               ///< arrived
  double excess_requests = 0;        ///< arrived above what the serving tasks could take
  double overload_seconds = 0;       ///< time with demand above capacity (or none serving)
  double cpu_percent_mean = 0;       ///< CPU used over reserved, time-weighted while serving
  double cpu_percent_max = 0;        ///< the highest metric period's
  double response_ms_mean = 0;       ///< estimated, per request, over the periods not overloaded
  double response_ms_max = 0;        ///< the worst period's estimate (not overloaded)
  std::int64_t overloaded_periods = 0;  ///< metric periods with demand at or above capacity
};

/// The fluid meter of one service: the serving tasks share the rate evenly (a load balancer's
/// round robin over identical targets), but for targets in slow start, whose share rises to a
/// full one over LoadSpec::slow_start. Demand above what a target can take is counted as
/// excess and not served. Call `start_serving` and `stop_serving` at every change of the
/// serving tasks (or `set_serving` without slow start) and `advance` before reading.
///
/// Response time: each serving task is an M/G/1 processor-sharing queue whose service time is
/// a request's CPU time on one core (or on its whole reservation when that is smaller), at the
/// period's mean utilisation: R = S / (1 - rho), with rho capped at 0.99 (overloaded periods are
/// counted, not averaged in).
class LoadMeter {
 public:
  /// `task_cpu_cores`: each task's CPU reservation in cores; `task_memory_mib` its memory.
  LoadMeter(const LoadSpec* spec, double task_cpu_cores, double task_memory_mib,
            SimDuration period);

  /// The serving count changes to `serving` at `now` (targets that come this way get no slow
  /// start).
  void set_serving(SimTime now, std::int64_t serving);
  /// A target starts serving at `now`: in slow start when the load has one and another target
  /// serves outside slow start (an Application Load Balancer's rule).
  void start_serving(SimTime now);
  /// A target that started serving at `since` stops at `now` (leaving slow start if in it).
  void stop_serving(SimTime now, SimTime since);
  /// Targets in slow start now.
  [[nodiscard]] std::size_t warming() const noexcept { return warming_.size(); }
  /// Integrates up to `now` and closes the periods that ended.
  void advance(SimTime now);

  /// CPU core-seconds each serving task has used so far, summed over time while any served
  /// (the metrics-server's view: a window's average per pod is its difference over the window).
  [[nodiscard]] double per_task_cpu_seconds() const { return per_task_cpu_; }
  /// MiB-seconds of memory each serving task has held, likewise.
  [[nodiscard]] double per_task_memory_mib_seconds() const { return per_task_memory_; }
  /// The metric periods closed so far.
  [[nodiscard]] std::uint64_t periods_closed() const { return closed_; }
  /// The last `count` closed periods (at most kKeptPeriods), oldest first, into `out`.
  void recent_periods(std::size_t count, std::vector<LoadPeriod>& out) const;
  [[nodiscard]] std::vector<LoadPeriod> recent_periods(std::size_t count) const {
    std::vector<LoadPeriod> out;
    recent_periods(count, out);
    return out;
  }
  static constexpr std::size_t kKeptPeriods = 64;

  [[nodiscard]] LoadSummary summary(SimTime end);
  [[nodiscard]] const LoadSpec& spec() const { return *spec_; }

 private:
  void integrate(double a, double b);
  // One stretch with the serving targets' shares constant: `full` targets with a full share
  // and those in slow start at their step's share.
  void integrate_stretch(double a, double b);
  [[nodiscard]] double step_of(double since, double t) const;
  void close_period();

  const LoadSpec* spec_;
  double cores_, memory_mib_, period_;  ///< per task; the period in seconds
  double capacity_per_task_;            ///< requests per second one task can serve
  double service_time_;                 ///< one request alone, seconds
  std::int64_t serving_ = 0;
  double now_ = 0;                      ///< integrated up to, seconds
  double period_end_;
  // The open period's sums.
  double p_requests_ = 0, p_excess_ = 0, p_task_seconds_ = 0;
  double p_used_ = 0, p_reserved_ = 0, p_memory_ = 0;  ///< core-seconds, core-seconds, MiB-seconds
  // The run's sums.
  double requests_ = 0, excess_ = 0, over_seconds_ = 0;
  double used_core_seconds_ = 0, reserved_core_seconds_ = 0;
  double per_task_cpu_ = 0, per_task_memory_ = 0;
  double response_weighted_ = 0, response_requests_ = 0, response_max_ = 0, cpu_max_ = 0;
  std::int64_t overloaded_periods_ = 0;
  std::uint64_t closed_ = 0;
  std::vector<LoadPeriod> ring_;  ///< the last kKeptPeriods periods, by closed_ % kKeptPeriods
  std::vector<double> warming_;   ///< when each target in slow start began, seconds
  double slow_start_ = 0;         ///< the slow start, seconds
};

}  // namespace ecsim::workload
