// Load profiles and the fluid meter; see ecsim/workload/load.hpp.

#include "ecsim/workload/load.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "ecsim/sim/assert.hpp"

namespace ecsim::workload {
namespace {

constexpr double kDay = 86400.0;
constexpr double kOmega = 2 * std::numbers::pi / kDay;  ///< the diurnal cosine's, per second

}  // namespace

// --- the profile ---------------------------------------------------------------------------------

LoadProfile LoadProfile::constant(double rate) {
  LoadProfile p;
  p.base_pieces_ = {{0, rate, 0, 1}};
  p.rebuild();
  return p;
}

LoadProfile LoadProfile::diurnal(double mean, double amplitude, SimDuration peak) {
  LoadProfile p;
  p.diurnal_ = true;
  p.mean_ = mean;
  p.amplitude_ = amplitude;
  p.peak_ = to_seconds(peak);
  p.base_pieces_ = {{0, 0, 0, 1}};
  p.rebuild();
  return p;
}

LoadProfile LoadProfile::steps(std::vector<LoadPoint> points) {
  LoadProfile p;
  p.base_pieces_.push_back({0, 0, 0, 1});
  for (const LoadPoint& pt : points) {
    const double at = to_seconds(pt.at);
    if (at <= 0) p.base_pieces_.front().level = pt.rate;
    else p.base_pieces_.push_back({at, pt.rate, 0, 1});
  }
  p.rebuild();
  return p;
}

LoadProfile LoadProfile::trace(std::vector<LoadPoint> points) {
  ECSIM_ASSERT(!points.empty(), "a trace has a point");
  LoadProfile p;
  if (to_seconds(points.front().at) > 0) p.base_pieces_.push_back({0, points.front().rate, 0, 1});
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double at = to_seconds(points[i].at);
    ECSIM_ASSERT(at >= 0, "a trace starts at or after the run");
    double slope = 0;
    if (i + 1 < points.size()) {
      const double next = to_seconds(points[i + 1].at);
      ECSIM_ASSERT(next > at, "a trace's times increase");
      slope = (points[i + 1].rate - points[i].rate) / (next - at);
    }
    p.base_pieces_.push_back({at, points[i].rate, slope, 1});
  }
  p.rebuild();
  return p;
}

void LoadProfile::add_burst(const LoadBurst& burst) {
  bursts_.push_back(burst);
  rebuild();
}

// The pieces with bursts: cut the base pieces at every burst edge, each piece's factor the
// product of the bursts over it.
void LoadProfile::rebuild() {
  std::vector<double> edges;
  for (const Piece& p : base_pieces_) edges.push_back(p.start);
  for (const LoadBurst& b : bursts_) {
    edges.push_back(std::max(0.0, to_seconds(b.start)));
    edges.push_back(std::max(0.0, to_seconds(b.start + b.length)));
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  pieces_.clear();
  std::size_t k = 0;  // the base piece holding the edge
  for (const double e : edges) {
    while (k + 1 < base_pieces_.size() && base_pieces_[k + 1].start <= e) ++k;
    const Piece& b = base_pieces_[k];
    Piece p{e, b.level + b.slope * (e - b.start), b.slope, 1};
    for (const LoadBurst& burst : bursts_) {
      const double s = to_seconds(burst.start), end = to_seconds(burst.start + burst.length);
      if (s <= e && e < end) p.factor *= burst.factor;
    }
    pieces_.push_back(p);
  }
}

std::size_t LoadProfile::piece_at(double t) const {
  const auto it = std::upper_bound(pieces_.begin(), pieces_.end(), t,
                                   [](double v, const Piece& p) { return v < p.start; });
  return it == pieces_.begin() ? 0 : static_cast<std::size_t>(it - pieces_.begin()) - 1;
}

double LoadProfile::base(const Piece& p, double t) const {
  if (diurnal_) return mean_ * (1 + amplitude_ * std::cos(kOmega * (t - peak_)));
  return p.level + p.slope * (t - p.start);
}

double LoadProfile::integral(const Piece& p, double a, double b) const {
  if (diurnal_)
    return p.factor * mean_ *
           ((b - a) + amplitude_ / kOmega *
                          (std::sin(kOmega * (b - peak_)) - std::sin(kOmega * (a - peak_))));
  const double da = a - p.start, db = b - p.start;
  return p.factor * (p.level * (b - a) + p.slope * (db * db - da * da) / 2);
}

double LoadProfile::rate(SimTime t) const {
  const double s = to_seconds(t);
  const Piece& p = pieces_[piece_at(s)];
  return std::max(0.0, p.factor * base(p, s));
}

double LoadProfile::requests(SimTime from, SimTime to) const {
  return requests_in(to_seconds(from), to_seconds(to));
}

double LoadProfile::requests_in(double a, double b) const {
  double sum = 0;
  for (std::size_t k = piece_at(a); a < b; ++k) {
    const double end = k + 1 < pieces_.size() ? std::min(b, pieces_[k + 1].start) : b;
    sum += integral(pieces_[k], a, end);
    a = end;
  }
  return sum;
}

LoadProfile::Excess LoadProfile::excess(SimTime from, SimTime to, double level) const {
  return excess_in(to_seconds(from), to_seconds(to), level);
}

LoadProfile::Excess LoadProfile::excess_in(double a, double b, double level) const {
  Excess out;
  for (std::size_t k = piece_at(a); a < b; ++k) {
    const double end = k + 1 < pieces_.size() ? std::min(b, pieces_[k + 1].start) : b;
    add_excess(pieces_[k], a, end, level, out);
    a = end;
  }
  return out;
}

// Cuts a diurnal piece where the cosine turns (every half day from the peak), so each part is
// monotone; a linear piece is monotone already.
void LoadProfile::add_excess(const Piece& p, double a, double b, double level,
                             Excess& out) const {
  if (!diurnal_) {
    add_monotone_excess(p, a, b, level, out);
    return;
  }
  const double half = kDay / 2;
  double x = a;
  while (x < b) {
    const double turn = peak_ + (std::floor((x - peak_) / half) + 1) * half;
    const double end = std::min(b, turn);
    add_monotone_excess(p, x, end, level, out);
    x = end;
  }
}

// On a monotone stretch the rate crosses `level` at most once: found exactly (linear) or by
// the cosine's inverse on its branch.
void LoadProfile::add_monotone_excess(const Piece& p, double a, double b, double level,
                                      Excess& out) const {
  if (b <= a) return;
  const double ra = p.factor * base(p, a), rb = p.factor * base(p, b);
  if (ra <= level && rb <= level) return;
  if (ra >= level && rb >= level) {
    out.seconds += b - a;
    out.requests += integral(p, a, b) - level * (b - a);
    return;
  }
  double cross;
  if (!diurnal_) {
    cross = a + (level - ra) / (rb - ra) * (b - a);
  } else {
    // mean (1 + A cos(w (t - peak))) factor = level on this branch of the cosine.
    const double c = std::clamp((level / (p.factor * mean_) - 1) / amplitude_, -1.0, 1.0);
    const double theta_a = kOmega * (a - peak_);
    const double k = std::floor(theta_a / std::numbers::pi + 1e-12);
    const double theta = static_cast<std::int64_t>(k) % 2 == 0
                             ? k * std::numbers::pi + std::acos(c)
                             : (k + 1) * std::numbers::pi - std::acos(c);
    cross = std::clamp(peak_ + theta / kOmega, a, b);
  }
  const double lo = ra > level ? a : cross, hi = ra > level ? cross : b;
  out.seconds += hi - lo;
  out.requests += std::max(0.0, integral(p, lo, hi) - level * (hi - lo));
}

// --- the meter -----------------------------------------------------------------------------------

LoadMeter::LoadMeter(const LoadSpec* spec, double task_cpu_cores, double task_memory_mib,
                     SimDuration period)
    : spec_(spec),
      cores_(task_cpu_cores),
      memory_mib_(task_memory_mib),
      period_(to_seconds(period)),
      period_end_(to_seconds(period)),
      ring_(kKeptPeriods),
      slow_start_(to_seconds(spec->slow_start)) {
  ECSIM_ASSERT(spec_->cost.cpu_seconds_per_request > 0, "a request costs CPU");
  const double usable = cores_ * spec_->cost.cpu_ceiling;
  capacity_per_task_ = usable / spec_->cost.cpu_seconds_per_request;
  service_time_ = spec_->cost.cpu_seconds_per_request / std::min(1.0, usable);
}

void LoadMeter::set_serving(SimTime now, std::int64_t serving) {
  advance(now);
  serving_ = serving;
}

// Slow start, as an Application Load Balancer's target group applies it ("Edit target group
// attributes", Slow start mode): a new target enters it only while another healthy target is
// not in it; it leaves it when the duration has passed or it stops serving.
void LoadMeter::start_serving(SimTime now) {
  advance(now);
  if (slow_start_ > 0 && serving_ > static_cast<std::int64_t>(warming_.size()))
    warming_.push_back(to_seconds(now));
  ++serving_;
}

void LoadMeter::stop_serving(SimTime now, SimTime since) {
  advance(now);
  ECSIM_ASSERT(serving_ > 0, "a target that stops was serving");
  --serving_;
  const double s = to_seconds(since);
  const auto it = std::find(warming_.rbegin(), warming_.rend(), s);
  if (it != warming_.rend()) warming_.erase(std::next(it).base());
}

void LoadMeter::advance(SimTime now) {
  const double t = to_seconds(now);
  while (period_end_ <= t) {
    integrate(now_, period_end_);
    close_period();
    period_end_ += period_;
  }
  integrate(now_, t);
}

// The slow start step a target that began at `since` is in at `t` (a step ends where the next
// begins, whatever the rounding of the times).
double LoadMeter::step_of(double since, double t) const {
  return std::max(0.0, std::floor((t - since) * kSlowStartSteps / slow_start_ + 1e-9));
}

// Without targets in slow start one stretch; with them, stretches cut at each one's next step
// (and the end of its slow start, where it leaves).
void LoadMeter::integrate(double a, double b) {
  if (b <= a) return;
  while (!warming_.empty()) {
    std::erase_if(warming_, [&](double since) { return step_of(since, a) >= kSlowStartSteps; });
    if (warming_.empty()) break;
    double cut = b;
    for (const double since : warming_)
      cut = std::min(cut, since + (step_of(since, a) + 1) * slow_start_ / kSlowStartSteps);
    if (cut >= b) break;
    integrate_stretch(a, cut);
    a = cut;
  }
  integrate_stretch(a, b);
}

void LoadMeter::integrate_stretch(double a, double b) {
  if (b <= a) return;
  const double demand = spec_->rate.requests_in(a, b);
  const double capacity = static_cast<double>(serving_) * capacity_per_task_;
  LoadProfile::Excess over;
  if (warming_.empty()) {
    over = spec_->rate.excess_in(a, b, capacity);
  } else {
    // Each target gets the rate times its share over the sum of the shares, and what goes past
    // its own capacity is excess: full targets first, then each one in slow start.
    const auto full = static_cast<double>(serving_) - static_cast<double>(warming_.size());
    const auto share = [&](double since) { return (step_of(since, a) + 0.5) / kSlowStartSteps; };
    double total = full;
    for (const double since : warming_) total += share(since);
    if (full > 0) {
      over = spec_->rate.excess_in(a, b, capacity_per_task_ * total);
      over.requests *= full / total;
    }
    for (const double since : warming_) {
      const double w = share(since);
      const LoadProfile::Excess mine = spec_->rate.excess_in(a, b, capacity_per_task_ * total / w);
      over.requests += mine.requests * w / total;
      if (full <= 0) over.seconds = std::max(over.seconds, mine.seconds);
    }
  }
  const double served = std::max(0.0, demand - over.requests);
  const double dt = b - a;
  requests_ += demand;
  excess_ += over.requests;
  over_seconds_ += over.seconds;
  p_requests_ += demand;
  p_excess_ += over.requests;
  if (serving_ > 0) {
    const auto n = static_cast<double>(serving_);
    const double used = served * spec_->cost.cpu_seconds_per_request;
    used_core_seconds_ += used;
    reserved_core_seconds_ += n * cores_ * dt;
    p_used_ += used;
    p_reserved_ += n * cores_ * dt;
    p_task_seconds_ += n * dt;
    per_task_cpu_ += used / n;
    // Memory: idle use plus the requests in flight (Little's law at this stretch's mean
    // utilisation).
    const double per_task_rate = served / n / dt;
    const double rho = std::min(0.99, per_task_rate / capacity_per_task_);
    const double in_flight = per_task_rate * service_time_ / (1 - rho);
    const double memory = spec_->cost.base_memory_mib + spec_->cost.memory_mib_per_request * in_flight;
    per_task_memory_ += memory * dt;
    p_memory_ += memory * n * dt;
  }
  now_ = b;
}

void LoadMeter::close_period() {
  LoadPeriod& p = ring_[closed_ % kKeptPeriods];
  p = LoadPeriod{};
  p.end = kSimStart + from_seconds(period_end_);
  p.requests = p_requests_;
  p.serving_tasks = p_task_seconds_ / period_;
  p.cpu_percent = p_reserved_ > 0 ? 100 * p_used_ / p_reserved_ : 0;
  p.memory_percent = p_task_seconds_ > 0 ? 100 * p_memory_ / (p_task_seconds_ * memory_mib_) : 0;
  p.requests_per_target = p.serving_tasks > 0 ? p_requests_ / p.serving_tasks : 0;
  p.network_out_bytes = (p_requests_ - p_excess_) * spec_->cost.bytes_out_per_request;
  cpu_max_ = std::max(cpu_max_, p.cpu_percent);
  // The period's demand against its capacity, for the response time.
  const double capacity = p_task_seconds_ * capacity_per_task_;
  if (p_requests_ > 0 && p_requests_ >= capacity) {
    ++overloaded_periods_;
  } else if (p_requests_ > 0) {
    const double response = service_time_ / (1 - std::min(0.99, p_requests_ / capacity));
    response_weighted_ += response * p_requests_;
    response_requests_ += p_requests_;
    response_max_ = std::max(response_max_, response);
  }
  ++closed_;
  p_requests_ = p_excess_ = p_task_seconds_ = p_used_ = p_reserved_ = p_memory_ = 0;
}

void LoadMeter::recent_periods(std::size_t count, std::vector<LoadPeriod>& out) const {
  count = std::min({count, kKeptPeriods, static_cast<std::size_t>(closed_)});
  out.clear();
  for (std::uint64_t i = closed_ - count; i < closed_; ++i) out.push_back(ring_[i % kKeptPeriods]);
}

LoadSummary LoadMeter::summary(SimTime end) {
  advance(end);
  LoadSummary s;
  s.requests = requests_;
  s.excess_requests = excess_;
  s.overload_seconds = over_seconds_;
  s.cpu_percent_mean =
      reserved_core_seconds_ > 0 ? 100 * used_core_seconds_ / reserved_core_seconds_ : 0;
  s.cpu_percent_max = cpu_max_;
  s.response_ms_mean = response_requests_ > 0 ? 1000 * response_weighted_ / response_requests_ : 0;
  s.response_ms_max = 1000 * response_max_;
  s.overloaded_periods = overloaded_periods_;
  return s;
}

}  // namespace ecsim::workload
