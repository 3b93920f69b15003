#include "ecsim/sim/stats.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>

#include "ecsim/sim/assert.hpp"

namespace ecsim {

namespace {

// Error-free transformation: a + b == s + err exactly (Knuth's TwoSum, no ordering needed).
void two_sum(double a, double b, double& s, double& err) noexcept {
  s = a + b;
  const double b_virtual = s - a;
  err = (a - (s - b_virtual)) + (b - b_virtual);
}

// Adds value * micros to the double-double hi + lo without rounding the product: the FMA yields
// the product's exact rounding error.
void add_product(double& hi, double& lo, double value, std::int64_t micros) noexcept {
  if (value == 0.0 || micros == 0) return;
  const auto dt = static_cast<double>(micros);  // exact below 2^53 us (285 years)
  const double p = value * dt;
  const double p_err = std::fma(value, dt, -p);
  double s = 0.0;
  double s_err = 0.0;
  two_sum(hi, p, s, s_err);
  two_sum(s, s_err + (lo + p_err), hi, lo);
}

// Neumaier's compensated summation: the error of sum + c stays about one rounding whatever n is.
void neumaier_add(double& sum, double& c, double x) noexcept {
  const double t = sum + x;
  c += std::fabs(sum) >= std::fabs(x) ? (sum - t) + x : (x - t) + sum;
  sum = t;
}

}  // namespace

// --- Counter -----------------------------------------------------------------------------------

void Counter::add(std::uint64_t n) {
  ECSIM_ASSERT(value_ + n >= value_, "a counter wrapped around");
  value_ += n;
}

// --- TimeWeightedGauge -------------------------------------------------------------------------

TimeWeightedGauge::TimeWeightedGauge(SimTime start, double initial) noexcept
    : start_(start), last_(start), value_(initial), min_(initial), max_(initial) {
  ECSIM_ASSERT(std::isfinite(initial), "a gauge level must be finite");
}

void TimeWeightedGauge::set(SimTime now, double value) {
  ECSIM_ASSERT(now >= last_, "gauge time went backwards");
  ECSIM_ASSERT(std::isfinite(value), "a gauge level must be finite");
  add_product(area_hi_, area_lo_, value_, to_micros(now - last_));
  last_ = now;
  value_ = value;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void TimeWeightedGauge::add(SimTime now, double delta) {
  set(now, value_ + delta);
}

void TimeWeightedGauge::integral_micros(SimTime now, double& hi, double& lo) const {
  ECSIM_ASSERT(now >= last_, "gauge read before its last change");
  hi = area_hi_;
  lo = area_lo_;
  add_product(hi, lo, value_, to_micros(now - last_));
}

double TimeWeightedGauge::integral(SimTime now) const {
  double hi = 0.0;
  double lo = 0.0;
  integral_micros(now, hi, lo);
  return (hi + lo) / 1e6;
}

double TimeWeightedGauge::mean(SimTime now) const {
  double hi = 0.0;
  double lo = 0.0;
  integral_micros(now, hi, lo);
  const std::int64_t span = to_micros(now - start_);
  if (span == 0) return value_;
  return (hi + lo) / static_cast<double>(span);
}

// --- RunningMoments ----------------------------------------------------------------------------

void RunningMoments::add(double x) {
  ECSIM_ASSERT(std::isfinite(x), "an observation must be finite");
  ++count_;
  const double delta = x - mean_;
  mean_ += delta / static_cast<double>(count_);
  m2_ += delta * (x - mean_);
}

void RunningMoments::merge(const RunningMoments& other) noexcept {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  const auto na = static_cast<double>(count_);
  const auto nb = static_cast<double>(other.count_);
  const double n = na + nb;
  const double delta = other.mean_ - mean_;
  mean_ += delta * (nb / n);
  m2_ += other.m2_ + delta * delta * (na * nb / n);
  count_ += other.count_;
}

double RunningMoments::variance() const noexcept {
  return count_ < 2 ? 0.0 : m2_ / static_cast<double>(count_ - 1);
}

double RunningMoments::stddev() const noexcept {
  return std::sqrt(variance());
}

// --- QuantileSketch ----------------------------------------------------------------------------

QuantileSketch::QuantileSketch(double relative_accuracy, std::size_t max_buckets)
    : alpha_(relative_accuracy), log_gamma_(0.0), rep_factor_(0.0), max_buckets_(max_buckets) {
  ECSIM_ASSERT(relative_accuracy >= 1e-5 && relative_accuracy < 1.0,
               "relative accuracy must be in [1e-5, 1)");
  ECSIM_ASSERT(max_buckets >= 1 && max_buckets <= static_cast<std::size_t>(
                                                      std::numeric_limits<std::int32_t>::max()),
               "max_buckets must be in [1, 2^31)");
  // Buckets are built for an alpha tightened by a millionth of itself: the rounding of log() and
  // exp() (below 1e-12 relative) can then never push a representative's error past alpha.
  const double tight = relative_accuracy * (1.0 - 1e-6);
  log_gamma_ = std::log1p(2.0 * tight / (1.0 - tight));  // ln((1 + a) / (1 - a))
  rep_factor_ = 1.0 - tight;                             // 2 / (gamma + 1)
}

std::int64_t QuantileSketch::index_of(double x) const noexcept {
  return static_cast<std::int64_t>(std::ceil(std::log(x) / log_gamma_));
}

double QuantileSketch::representative(std::int64_t index) const noexcept {
  return std::exp(static_cast<double>(index) * log_gamma_) * rep_factor_;
}

std::uint64_t QuantileSketch::rank_of(double q) const noexcept {
  return static_cast<std::uint64_t>(std::floor(q * static_cast<double>(count_ - 1)));
}

std::int64_t QuantileSketch::bucket_of_rank(std::uint64_t rank) const {
  std::uint64_t cumulative = zero_count_;
  for (std::size_t k = 0; k < counts_.size(); ++k) {
    cumulative += counts_[k];
    if (cumulative > rank) return offset_ + static_cast<std::int64_t>(k);
  }
  ECSIM_ASSERT(false, "bucket counts do not add up to the sketch's count");
  return offset_;
}

void QuantileSketch::mark_collapsed(std::int64_t index) {
  collapsed_max_index_ = collapsed_ ? std::max(collapsed_max_index_, index) : index;
  collapsed_ = true;
}

void QuantileSketch::collapse_below(std::int64_t new_lowest) {
  const auto size = static_cast<std::int64_t>(counts_.size());
  if (new_lowest >= offset_ + size) {
    const std::uint64_t folded = std::accumulate(counts_.begin(), counts_.end(), std::uint64_t{0});
    counts_.assign(1, folded);
    offset_ = new_lowest;
    if (folded > 0) mark_collapsed(new_lowest);
    return;
  }
  const auto keep_from = counts_.begin() + (new_lowest - offset_);
  const std::uint64_t folded = std::accumulate(counts_.begin(), keep_from, std::uint64_t{0});
  *keep_from += folded;
  counts_.erase(counts_.begin(), keep_from);
  offset_ = new_lowest;
  if (folded > 0) mark_collapsed(new_lowest);
}

std::size_t QuantileSketch::slot_for(std::int64_t index) {
  if (counts_.empty()) {
    offset_ = index;
    counts_.assign(1, 0);
    return 0;
  }
  const auto cap = static_cast<std::int64_t>(max_buckets_);
  const std::int64_t highest = offset_ + static_cast<std::int64_t>(counts_.size()) - 1;
  if (index > highest) {
    // Growing upwards past the cap sacrifices the lowest buckets, never the high quantiles.
    if (index - cap + 1 > offset_) collapse_below(index - cap + 1);
    counts_.resize(static_cast<std::size_t>(index - offset_ + 1), 0);
  } else if (index < offset_) {
    const std::int64_t lowest = std::max(index, highest - cap + 1);
    if (lowest < offset_) {
      counts_.insert(counts_.begin(), static_cast<std::size_t>(offset_ - lowest), 0);
      offset_ = lowest;
    }
    if (index < offset_) return 0;
  }
  return static_cast<std::size_t>(index - offset_);
}

void QuantileSketch::add_to_bucket(std::int64_t index, std::uint64_t n) {
  const std::size_t slot = slot_for(index);
  if (index < offset_) mark_collapsed(offset_);
  counts_[slot] += n;
}

void QuantileSketch::add(double x) {
  ECSIM_ASSERT(x >= 0.0 && std::isfinite(x), "sketched values must be finite and non-negative");
  if (count_ == 0) {
    min_ = x;
    max_ = x;
  } else {
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
  }
  ++count_;
  neumaier_add(sum_, sum_compensation_, x);
  if (x < kMinIndexable) {
    ++zero_count_;
  } else {
    add_to_bucket(index_of(x), 1);
  }
}

void QuantileSketch::merge(const QuantileSketch& other) {
  ECSIM_ASSERT(other.alpha_ == alpha_, "merged sketches must have the same relative accuracy");
  ECSIM_ASSERT(&other != this, "a sketch cannot be merged into itself");
  if (other.count_ == 0) return;
  if (!other.counts_.empty()) {
    const std::int64_t other_lowest = other.offset_;
    const std::int64_t other_highest =
        other.offset_ + static_cast<std::int64_t>(other.counts_.size()) - 1;
    // Shape the range once (highest first, so a collapse happens at most once), then count.
    slot_for(other_highest);
    slot_for(other_lowest);
    for (std::size_t k = 0; k < other.counts_.size(); ++k) {
      if (other.counts_[k] == 0) continue;
      add_to_bucket(other_lowest + static_cast<std::int64_t>(k), other.counts_[k]);
    }
    if (other.collapsed_) mark_collapsed(std::max(other.collapsed_max_index_, offset_));
  }
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  count_ += other.count_;
  zero_count_ += other.zero_count_;
  neumaier_add(sum_, sum_compensation_, other.sum_);
  neumaier_add(sum_, sum_compensation_, other.sum_compensation_);
}

double QuantileSketch::mean() const noexcept {
  return count_ == 0 ? 0.0 : sum() / static_cast<double>(count_);
}

double QuantileSketch::quantile(double q) const {
  ECSIM_ASSERT(q >= 0.0 && q <= 1.0, "a quantile must be in [0, 1]");
  if (count_ == 0) return 0.0;
  if (q == 0.0) return min_;
  if (q == 1.0) return max_;
  const std::uint64_t rank = rank_of(q);
  // Every zero-bucket item lies in [min_, kMinIndexable), so the exact minimum is within bound.
  if (rank < zero_count_) return min_;
  // Clamping to the exact extremes can only move the answer towards the true item.
  return std::clamp(representative(bucket_of_rank(rank)), min_, max_);
}

bool QuantileSketch::quantile_guaranteed(double q) const {
  ECSIM_ASSERT(q >= 0.0 && q <= 1.0, "a quantile must be in [0, 1]");
  if (count_ == 0 || q == 0.0 || q == 1.0 || !collapsed_) return true;
  const std::uint64_t rank = rank_of(q);
  return rank < zero_count_ || bucket_of_rank(rank) > collapsed_max_index_;
}

// --- Replication summaries ---------------------------------------------------------------------

double student_t_quantile_975(std::size_t df) {
  ECSIM_ASSERT(df >= 1, "Student's t needs at least one degree of freedom");
  // t_{0.975, df} for df = 1..30, computed with mpmath (regularized incomplete beta, 30 digits).
  static constexpr std::array<double, 30> kTable = {
      12.7062047362, 4.30265272975, 3.18244630528, 2.77644510520, 2.57058183564, 2.44691185114,
      2.36462425159, 2.30600413520, 2.26215716280, 2.22813885199, 2.20098516009, 2.17881282967,
      2.16036865646, 2.14478668792, 2.13144954556, 2.11990529922, 2.10981557783, 2.10092204024,
      2.09302405441, 2.08596344727, 2.07961384473, 2.07387306790, 2.06865761042, 2.06389856163,
      2.05953855275, 2.05552943864, 2.05183051648, 2.04840714180, 2.04522964213, 2.04227245630};
  if (df <= kTable.size()) return kTable[df - 1];
  // Cornish-Fisher expansion (Abramowitz and Stegun 26.7.5); the 1/df^5 term it drops is below
  // 3e-8 at df = 31 and shrinks fast.
  constexpr double z = 1.959963984540054;
  constexpr double z2 = z * z;
  constexpr double g1 = z * (z2 + 1.0) / 4.0;
  constexpr double g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0;
  constexpr double g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0;
  constexpr double g4 =
      z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) / 92160.0;
  const double inv = 1.0 / static_cast<double>(df);
  return z + inv * (g1 + inv * (g2 + inv * (g3 + inv * g4)));
}

ConfidenceInterval ci95(const RunningMoments& moments) {
  const auto n = static_cast<std::size_t>(moments.count());
  ConfidenceInterval ci{moments.mean(), 0.0, n};
  if (n >= 2) {
    ci.half_width =
        student_t_quantile_975(n - 1) * moments.stddev() / std::sqrt(static_cast<double>(n));
  }
  return ci;
}

ConfidenceInterval ci95(std::span<const double> samples) {
  RunningMoments moments;
  for (const double x : samples) moments.add(x);
  return ci95(moments);
}

}  // namespace ecsim
