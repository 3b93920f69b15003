#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ecsim/sim/time.hpp"

namespace ecsim {

/// A monotone count of occurrences (events, tasks started, retries), as a plain uint64.
class Counter {
 public:
  /// Adds `n` occurrences; the count must not wrap around.
  void add(std::uint64_t n);
  /// Adds one occurrence.
  void increment() { add(1); }
  /// The number of occurrences so far.
  [[nodiscard]] std::uint64_t value() const noexcept { return value_; }

 private:
  std::uint64_t value_ = 0;
};

/// A level that changes at instants of virtual time (running tasks, reserved vCPU), with its
/// time-weighted integral and mean. The integral is kept in level x integer microseconds as an
/// unevaluated sum of two doubles (double-double): each product level*dt is split exactly with an
/// FMA and added with an error-free two-sum, so each change adds a rounding error of only about
/// 2^-106 of the running total; the result is the exact integral for all practical purposes, does
/// not drift however long the run, and is the same on every IEEE-754 platform.
/// Time must never go backwards across calls (asserted).
class TimeWeightedGauge {
 public:
  /// A gauge at level `initial` (any finite unit) from instant `start` on.
  explicit TimeWeightedGauge(SimTime start = kSimStart, double initial = 0.0) noexcept;

  /// Changes the level to `value` at `now` (`now` >= every instant passed before).
  void set(SimTime now, double value);
  /// Changes the level by `delta` at `now` (`now` >= every instant passed before).
  void add(SimTime now, double delta);

  /// The current level.
  [[nodiscard]] double value() const noexcept { return value_; }
  /// The smallest level ever taken since `start`, including levels held for zero time.
  [[nodiscard]] double min() const noexcept { return min_; }
  /// The largest level ever taken since `start`, including levels held for zero time.
  [[nodiscard]] double max() const noexcept { return max_; }
  /// The instant the gauge started measuring.
  [[nodiscard]] SimTime start() const noexcept { return start_; }

  /// The integral of the level over [start, now], in level x seconds.
  [[nodiscard]] double integral(SimTime now) const;
  /// The time-weighted mean level over [start, now]; the current level when `now` == start.
  [[nodiscard]] double mean(SimTime now) const;

 private:
  // The integral up to `now` in level x microseconds, as the double-double hi + lo.
  void integral_micros(SimTime now, double& hi, double& lo) const;

  SimTime start_;
  SimTime last_;
  double value_;
  double min_;
  double max_;
  double area_hi_ = 0.0;  // level x microseconds over [start_, last_], high part
  double area_lo_ = 0.0;  // and the rounding error of the high part
};

/// Streaming mean and variance of a sample by Welford's algorithm, mergeable with the parallel
/// formula of Chan, Golub and LeVeque; constant memory, numerically stable.
class RunningMoments {
 public:
  /// Adds one finite observation (any unit; the moments are in the same unit).
  void add(double x);
  /// Adds every observation of `other`, as if they had been added here.
  void merge(const RunningMoments& other) noexcept;

  /// The number of observations.
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  /// The arithmetic mean, or 0 when empty.
  [[nodiscard]] double mean() const noexcept { return mean_; }
  /// The unbiased sample variance (divisor n - 1), in unit squared, or 0 when n < 2.
  [[nodiscard]] double variance() const noexcept;
  /// The square root of `variance()`.
  [[nodiscard]] double stddev() const noexcept;

 private:
  std::uint64_t count_ = 0;
  double mean_ = 0.0;
  double m2_ = 0.0;  // sum of squared deviations from the running mean
};

/// Streaming quantiles of non-negative values with a relative error bound and bounded memory:
/// the DDSketch of Masson, Rim and Lee (VLDB 2019).
///
/// Values x >= kMinIndexable go to bucket ceil(log_gamma(x)), gamma = (1 + alpha) / (1 - alpha),
/// which is answered by 2 gamma^i / (gamma + 1); smaller values go to a separate zero bucket.
/// Buckets are built for alpha tightened by a millionth of itself, so that the rounding of log()
/// and exp() (below 1e-12 relative) cannot push an answer past the bound.
/// The quantile q is the item of 0-based rank floor(q * (n - 1)) in sorted order.
///
/// Guarantee: let x_q be that exact item and v = quantile(q). If x_q >= kMinIndexable and
/// `quantile_guaranteed(q)`, then |v - x_q| <= alpha * x_q; if x_q < kMinIndexable, then
/// |v - x_q| < kMinIndexable. q = 0 and q = 1 return the exact minimum and maximum.
///
/// Memory: at most `max_buckets` counters plus the zero bucket, whatever n is. When the values
/// span more buckets, the lowest buckets are merged into one (as in DDSketch's collapsing-lowest
/// store): this voids the guarantee only for quantiles whose rank falls in a merged bucket, which
/// `collapsed()` and `quantile_guaranteed()` report. High quantiles, the ones of interest for
/// waiting times, stay guaranteed.
class QuantileSketch {
 public:
  /// Values below this (in the values' unit) are counted in the zero bucket and answered by the
  /// exact minimum.
  static constexpr double kMinIndexable = 1e-9;

  /// An empty sketch with relative accuracy `relative_accuracy` (alpha, in [1e-5, 1)) that keeps
  /// at most `max_buckets` (>= 1) bucket counters.
  explicit QuantileSketch(double relative_accuracy = 0.01, std::size_t max_buckets = 2048);

  /// Adds one observation `x`, which must be finite and >= 0 (a negative duration is a bug).
  void add(double x);
  /// Adds every observation of `other`, which must have the same relative accuracy; the result
  /// keeps this sketch's `max_buckets`.
  void merge(const QuantileSketch& other);

  /// The value of the item of rank floor(q * (n - 1)) within the bound above, q in [0, 1];
  /// 0 when empty.
  [[nodiscard]] double quantile(double q) const;
  /// True when the bound above holds for `quantile(q)`: the rank of q lies above every bucket
  /// holding collapsed observations (or in the zero bucket), or q is 0 or 1, or the sketch is
  /// empty. Conservative: the collapsed bucket also holds its own observations, and after merging
  /// a collapsed sketch every bucket below the merged one counts as collapsed.
  [[nodiscard]] bool quantile_guaranteed(double q) const;

  /// The number of observations.
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  /// The sum of the observations by compensated (Neumaier) summation, whose error stays about one
  /// rounding of the result whatever n is; 0 when empty.
  [[nodiscard]] double sum() const noexcept { return sum_ + sum_compensation_; }
  /// `sum() / count()`, from the observations themselves rather than the buckets; 0 when empty.
  [[nodiscard]] double mean() const noexcept;
  /// The exact smallest observation, 0 when empty.
  [[nodiscard]] double min() const noexcept { return count_ == 0 ? 0.0 : min_; }
  /// The exact largest observation, 0 when empty.
  [[nodiscard]] double max() const noexcept { return count_ == 0 ? 0.0 : max_; }

  /// The relative accuracy alpha given at construction.
  [[nodiscard]] double relative_accuracy() const noexcept { return alpha_; }
  /// The most bucket counters this sketch keeps (excluding the zero bucket).
  [[nodiscard]] std::size_t max_buckets() const noexcept { return max_buckets_; }
  /// The bucket counters currently allocated (excluding the zero bucket), <= `max_buckets()`.
  [[nodiscard]] std::size_t bucket_count() const noexcept { return counts_.size(); }
  /// True once some observation has been counted in a lower bucket than its own.
  [[nodiscard]] bool collapsed() const noexcept { return collapsed_; }

 private:
  // The bucket index of x >= kMinIndexable.
  [[nodiscard]] std::int64_t index_of(double x) const noexcept;
  // The value that answers for bucket `index`.
  [[nodiscard]] double representative(std::int64_t index) const noexcept;
  // The 0-based rank that quantile q answers.
  [[nodiscard]] std::uint64_t rank_of(double q) const noexcept;
  // The bucket index holding rank `rank` (>= zero_count_).
  [[nodiscard]] std::int64_t bucket_of_rank(std::uint64_t rank) const;
  // Makes counts_ cover bucket `index` or, when that would exceed max_buckets_, collapses; returns
  // the slot to count `index` in (0 when it falls below the kept range).
  std::size_t slot_for(std::int64_t index);
  // Adds `n` observations of bucket `index`.
  void add_to_bucket(std::int64_t index, std::uint64_t n);
  // Folds every bucket below `new_lowest` into bucket `new_lowest`.
  void collapse_below(std::int64_t new_lowest);
  // Records that collapsed observations now sit in bucket `index`.
  void mark_collapsed(std::int64_t index);

  double alpha_;
  double log_gamma_;   // ln(gamma) of the (slightly tightened) internal gamma
  double rep_factor_;  // 2 / (gamma + 1)
  std::size_t max_buckets_;
  std::vector<std::uint64_t> counts_;  // counts_[k] counts bucket offset_ + k
  std::int64_t offset_ = 0;
  std::uint64_t zero_count_ = 0;
  std::uint64_t count_ = 0;
  double sum_ = 0.0;
  double sum_compensation_ = 0.0;
  double min_ = 0.0;
  double max_ = 0.0;
  bool collapsed_ = false;
  std::int64_t collapsed_max_index_ = 0;  // highest bucket holding collapsed observations
};

/// The two-sided 95% critical value t_{0.975, df} of Student's t distribution, df >= 1: a table
/// to 12 significant digits for df <= 30, then the Cornish-Fisher (Hill 1970) expansion in
/// z_{0.975} to the 1/df^4 term, whose absolute error there is below 3e-8.
[[nodiscard]] double student_t_quantile_975(std::size_t df);

/// A 95% confidence interval mean +- half_width from n independent replications.
struct ConfidenceInterval {
  /// The sample mean, in the samples' unit (0 when n = 0).
  double mean = 0.0;
  /// t_{0.975, n-1} * s / sqrt(n) with s the sample standard deviation; 0 when n < 2.
  double half_width = 0.0;
  /// The number of samples.
  std::size_t n = 0;
};

/// The Student-t 95% confidence interval of the mean of `samples` (one per replication).
[[nodiscard]] ConfidenceInterval ci95(std::span<const double> samples);
/// The Student-t 95% confidence interval of the mean of the observations in `moments`.
[[nodiscard]] ConfidenceInterval ci95(const RunningMoments& moments);

}  // namespace ecsim
