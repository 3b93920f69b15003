#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

#include <fmt/format.h>

#include "ecsim/scenario/scenario.hpp"
#include "ecsim/workload/trace.hpp"
#include "input_file.hpp"
#include "k8s_fields.hpp"
#include "loader.hpp"
#include "yaml_reader.hpp"

// The scenario, the platform, workloads and faults; ECS clusters are in load_ecs.cpp.

namespace ecsim::scenario {
namespace detail {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Upper bounds that stop a typo from asking for the impossible.
constexpr std::int64_t kMaxReplications = 10'000;
constexpr std::size_t kMaxAzs = 26;

}  // namespace

Loader::Loader(std::string path, Diagnostics& diagnostics)
    : path_(std::move(path)),
      folder_(std::filesystem::path(path_).parent_path()),
      diagnostics_(diagnostics) {}

std::optional<Scenario> Loader::load() {
  const auto doc = load_document(path_, diagnostics_);
  if (!doc) return std::nullopt;
  const Reader root(*doc, diagnostics_);
  if (!root.is_map()) {
    root.error("expected a scenario: a mapping with keys name, duration, platform, ...");
    return std::nullopt;
  }
  root.expect_map({"name", "seed", "duration", "replications", "timeseries_interval", "platform",
                   "ecs", "eks", "beanstalk", "faults"});
  Scenario s;
  s.file = path_;
  if (root["name"].require()) {
    s.name = root["name"].string().value_or("");
    // The name becomes the default output folder, out/NAME.
    const bool plain = !s.name.empty() && s.name.size() <= 100 &&
                       std::all_of(s.name.begin(), s.name.end(),
                                   [](char ch) {
                                     return std::isalnum(static_cast<unsigned char>(ch)) != 0 ||
                                            ch == '-' || ch == '_' || ch == '.';
                                   }) &&
                       s.name.front() != '.';
    if (!plain)
      root["name"].error(
          fmt::format("'{}' is not a plain name (expected letters, digits, '-', "
                      "'_' and '.', up to 100, not starting with '.')",
                      s.name));
  }
  s.seed = static_cast<std::uint64_t>(
      root["seed"].integer(0, std::numeric_limits<std::int64_t>::max()).value_or(1));
  if (root["duration"].require())
    s.duration = root["duration"].duration(seconds(1), kMaxHorizon).value_or(seconds(1));
  s.replications =
      static_cast<std::uint32_t>(root["replications"].integer(1, kMaxReplications).value_or(1));
  s.timeseries_interval =
      root["timeseries_interval"].duration(seconds(1), kMaxHorizon).value_or(s.timeseries_interval);
  if (root["platform"].require()) read_platform(root["platform"], s.platform);
  std::size_t i = 0;
  for (const Reader& c : root["ecs"].items("a list of ECS clusters"))
    s.ecs.push_back(read_cluster(c, s.platform, i++));
  for (const Reader& c : root["eks"].items("a list of EKS clusters"))
    s.eks.push_back(read_eks_cluster(c, s.platform, i++));
  for (const Reader& b : root["beanstalk"].items("a list of Elastic Beanstalk environments"))
    read_beanstalk(b, s);
  for (const Reader& f : root["faults"].items("a list of faults")) read_fault(f, s);
  s.scalable_targets = std::move(scalable_targets_);
  if (!diagnostics_.ok()) return std::nullopt;
  return s;
}

// --- platform -------------------------------------------------------------------------------

void Loader::read_platform(const Reader& p, platform::PlatformConfig& out) {
  if (!p.expect_map({"region", "azs", "launch_latency", "prices", "fargate", "health_check"}))
    return;
  out.region = p["region"].string().value_or(out.region);
  if (p["azs"].require()) {
    const auto azs = p["azs"].items("a list of availability zone names");
    if (azs.empty() || azs.size() > kMaxAzs)
      p["azs"].error(fmt::format("{} zones given (expected 1 to {})", azs.size(), kMaxAzs));
    for (const Reader& az : azs) {
      const std::optional<std::string> name = az.string();
      if (!name) continue;
      const bool in_region = name->size() == out.region.size() + 1 &&
                             name->starts_with(out.region) && name->back() >= 'a' &&
                             name->back() <= 'z';
      if (!in_region) {
        az.error(fmt::format("'{}' is not a zone of {} (expected e.g. {}a)", *name, out.region,
                             out.region));
      } else if (az_ids_.contains(*name)) {
        az.error(fmt::format("zone '{}' is listed twice", *name));
      } else {
        az_ids_.emplace(*name, AzId{static_cast<AzId::rep_type>(out.azs.size())});
        out.azs.push_back(*name);
      }
    }
  }
  if (p["launch_latency"].present()) out.ec2_launch_latency = read_latency(p["launch_latency"]);
  read_prices(p["prices"], out.prices);
  read_fargate(p["fargate"], out.fargate);
  const Reader hc = p["health_check"];
  if (hc.expect_map({"unhealthy_after", "grace_period"})) {
    out.health_check.unhealthy_after = hc["unhealthy_after"]
                                           .duration(std::chrono::seconds(1), kMaxHorizon)
                                           .value_or(out.health_check.unhealthy_after);
    out.health_check.grace_period = hc["grace_period"]
                                        .duration(SimDuration::zero(), kMaxHorizon)
                                        .value_or(out.health_check.grace_period);
  }
}

platform::LaunchLatency Loader::read_latency(const Reader& r, SimDuration shortest) {
  platform::LaunchLatency l;
  if (!r.expect_map({"median", "sigma"})) return l;
  if (r["median"].require())
    l.median = r["median"].duration(shortest, hours(24)).value_or(seconds(1));
  l.sigma = r["sigma"].number(0, 3).value_or(0);
  return l;
}

void Loader::read_prices(const Reader& r, platform::Prices& prices) {
  if (!r.expect_map({"fargate_vcpu_hour", "fargate_gb_hour", "fargate_arm_vcpu_hour",
                     "fargate_arm_gb_hour", "fargate_spot_discount", "ec2_spot_discount",
                     "eks_cluster_hour"}))
    return;
  auto price = [&](std::string_view key, double& value) {
    value = r[key].number(0, 1e6).value_or(value);
  };
  price("fargate_vcpu_hour", prices.fargate_x86_vcpu_hour);
  price("fargate_gb_hour", prices.fargate_x86_gb_hour);
  price("fargate_arm_vcpu_hour", prices.fargate_arm_vcpu_hour);
  price("fargate_arm_gb_hour", prices.fargate_arm_gb_hour);
  price("eks_cluster_hour", prices.eks_cluster_hour);
  prices.fargate_spot_discount =
      r["fargate_spot_discount"].number(0, 1).value_or(prices.fargate_spot_discount);
  prices.ec2_spot_discount = r["ec2_spot_discount"].number(0, 1).value_or(prices.ec2_spot_discount);
}

void Loader::read_fargate(const Reader& r, platform::FargateConfig& f) {
  if (!r.expect_map({"capacity_per_az", "launch_latency", "launch_burst", "launch_rate_per_second",
                     "spot_interruptions_per_hour"}))
    return;
  if (const auto c = r["capacity_per_az"].integer(0, kMaxInstances))
    f.capacity_per_az = static_cast<std::uint32_t>(*c);
  if (r["launch_latency"].present()) f.launch_latency = read_latency(r["launch_latency"]);
  f.launch_burst = r["launch_burst"].number(1, 1e6).value_or(f.launch_burst);
  f.launch_rate_per_second =
      r["launch_rate_per_second"].number(1e-3, 1e6).value_or(f.launch_rate_per_second);
  f.spot_interruptions_per_hour =
      r["spot_interruptions_per_hour"].number(0, 3600).value_or(f.spot_interruptions_per_hour);
}

std::optional<AzId> Loader::az_named(const Reader& r) {
  const std::optional<std::string> name = r.string();
  if (!name) return std::nullopt;
  if (const auto it = az_ids_.find(*name); it != az_ids_.end()) return it->second;
  std::vector<std::string> names;
  for (const auto& [n, id] : az_ids_) names.push_back(n);
  const std::string hint = did_you_mean(*name, names);
  r.error(hint.empty() ? fmt::format("unknown zone '{}' (expected one of platform.azs: {})", *name,
                                     either(names))
                       : fmt::format("unknown zone '{}' ({})", *name, hint));
  return std::nullopt;
}

std::string Loader::resolve(const std::string& relative) const {
  const std::filesystem::path p(relative);
  return p.is_absolute() ? relative : (folder_ / p).lexically_normal().string();
}

// --- workload ---------------------------------------------------------------------------------

std::optional<workload::DurationSpec> Loader::read_duration(const Reader& r) {
  const auto kind = one_kind(r, workload::kDurationKinds, "duration distribution");
  if (!kind) return std::nullopt;
  const auto& [name, v] = *kind;
  const SimDuration cap = kMaxHorizon;
  std::optional<workload::DurationSpec> spec;
  if (name == "fixed") {
    if (auto d = v.duration(SimDuration::zero(), cap)) spec = workload::FixedDuration{*d};
  } else if (name == "exponential") {
    if (!v.expect_map({"mean"}) || !v["mean"].require()) return std::nullopt;
    if (auto d = v["mean"].duration(SimDuration{1}, cap)) spec = workload::ExponentialDuration{*d};
  } else if (name == "lognormal") {
    if (!v.expect_map({"median", "sigma", "mean", "cv"})) return std::nullopt;
    if (v["mean"].present() || v["cv"].present()) {
      if (v["median"].present() || v["sigma"].present()) {
        v.error("give either median and sigma or mean and cv, not both");
        return std::nullopt;
      }
      const bool have = require_all({v["mean"], v["cv"]});
      const auto mean = v["mean"].duration(SimDuration{1}, cap);
      const auto cv = v["cv"].number(0, 100);
      if (!have || !mean || !cv) return std::nullopt;
      spec = workload::LognormalDuration::from_mean_cv(*mean, *cv);
    } else {
      const bool have = require_all({v["median"], v["sigma"]});
      const auto median = v["median"].duration(SimDuration{1}, cap);
      const auto sigma = v["sigma"].number(0, 10);
      if (!have || !median || !sigma) return std::nullopt;
      spec = workload::LognormalDuration{*median, *sigma};
    }
  } else {  // empirical
    if (!v.expect_map({"values", "weights", "interpolate"}) || !v["values"].require())
      return std::nullopt;
    std::vector<SimDuration> values;
    std::vector<double> weights;
    bool ok = true;
    for (const Reader& x : v["values"].items("a list of durations")) {
      const auto d = x.duration(SimDuration::zero(), cap);
      ok = ok && d.has_value();
      if (d) values.push_back(*d);
    }
    for (const Reader& w : v["weights"].items("a list of weights")) {
      const auto n = w.number(0, 1e12);
      ok = ok && n.has_value();
      if (n) weights.push_back(*n);
    }
    if (!weights.empty() && weights.size() != values.size()) {
      v["weights"].error(fmt::format("{} weights for {} values (expected one weight per value)",
                                     weights.size(), values.size()));
      ok = false;
    }
    const bool interpolate = v["interpolate"].boolean().value_or(false);
    if (!ok) return std::nullopt;
    spec = workload::EmpiricalDuration(std::move(values), std::move(weights), interpolate);
  }
  if (!spec) return std::nullopt;
  const auto problems = workload::validate(*spec);
  report(v, problems);
  if (!problems.empty()) return std::nullopt;
  return spec;
}

// A rate given per hour, per minute or per second (exactly one), as arrivals per second.
std::optional<double> Loader::read_rate(const Reader& r, std::string_view prefix) {
  struct Unit {
    std::string key;
    double seconds;
  };
  const Unit units[] = {{fmt::format("{}_per_hour", prefix), 3600},
                        {fmt::format("{}_per_minute", prefix), 60},
                        {fmt::format("{}_per_second", prefix), 1}};
  std::optional<double> rate;
  int given = 0;
  for (const Unit& u : units) {
    if (!r[u.key].present()) continue;
    ++given;
    const double max = workload::kMaxRatePerSecond * u.seconds;
    if (const auto v = r[u.key].number(0, max)) {
      if (*v <= 0)
        r[u.key].error(fmt::format("{} is not positive (expected a rate above 0)", *v));
      else
        rate = *v / u.seconds;
    }
  }
  if (given != 1) {
    r.error(
        fmt::format("give exactly one of {}, {} or {}", units[0].key, units[1].key, units[2].key));
    return std::nullopt;
  }
  return rate;
}

std::optional<workload::ArrivalSpec> Loader::read_arrivals(const Reader& r) {
  const auto kind = one_kind(r, workload::kArrivalKinds, "arrival process");
  if (!kind) return std::nullopt;
  const auto& [name, v] = *kind;
  std::optional<workload::ArrivalSpec> spec;
  if (name == "constant") {
    if (!v.expect_map({"every", "start"}) || !v["every"].require()) return std::nullopt;
    const auto every = v["every"].duration(SimDuration{1}, kMaxHorizon);
    const auto start = v["start"].present() ? v["start"].duration(SimDuration::zero(), kMaxHorizon)
                                            : std::optional<SimDuration>(SimDuration::zero());
    if (!every || !start) return std::nullopt;
    spec = workload::ConstantArrivals{*every, *start};
  } else if (name == "poisson") {
    if (!v.expect_map({"rate_per_hour", "rate_per_minute", "rate_per_second"})) return std::nullopt;
    const auto rate = read_rate(v, "rate");
    if (!rate) return std::nullopt;
    spec = workload::PoissonArrivals{*rate};
  } else if (name == "diurnal") {
    if (!v.expect_map({"mean_rate_per_hour", "mean_rate_per_minute", "mean_rate_per_second",
                       "amplitude", "peak_at", "period"}))
      return std::nullopt;
    const auto rate = read_rate(v, "mean_rate");
    const bool have = require_all({v["amplitude"], v["peak_at"]});
    const auto amplitude = v["amplitude"].number(0, 1);
    const auto period = v["period"].present() ? v["period"].duration(seconds(1), kMaxHorizon)
                                              : std::optional<SimDuration>(hours(24));
    const auto peak =
        v["peak_at"].duration(SimDuration::zero(), period.value_or(hours(24)) - SimDuration{1});
    if (!rate || !have || !amplitude || !period || !peak) return std::nullopt;
    spec = workload::DiurnalArrivals{*rate, *amplitude, *peak, *period};
  } else if (name == "bursts") {
    if (!v.expect_map({"every", "size", "first_at", "spread"})) return std::nullopt;
    const bool have = require_all({v["every"], v["size"]});
    const auto every = v["every"].duration(SimDuration{1}, kMaxHorizon);
    const auto size = v["size"].integer(1, workload::kMaxBurstSize);
    const auto first = v["first_at"].present()
                           ? v["first_at"].duration(SimDuration::zero(), kMaxHorizon)
                           : std::optional<SimDuration>(SimDuration::zero());
    const auto spread = v["spread"].present()
                            ? v["spread"].duration(SimDuration::zero(), kMaxHorizon)
                            : std::optional<SimDuration>(SimDuration::zero());
    if (!have || !every || !size || !first || !spread) return std::nullopt;
    spec = workload::BurstArrivals{*every, static_cast<std::uint32_t>(*size), *first, *spread};
  } else {  // trace
    const auto rel = v.string();
    if (!rel) return std::nullopt;
    spec = read_trace(v, resolve(*rel));
    if (!spec) return std::nullopt;
  }
  const auto problems = workload::validate(*spec);
  report(v, problems);
  if (!problems.empty()) return std::nullopt;
  return spec;
}

std::optional<workload::ArrivalSpec> Loader::read_trace(const Reader& at, const std::string& file) {
  InputText input = read_input_file(file);
  if (!input.text) {
    at.error(std::move(input.problem));
    return std::nullopt;
  }
  workload::TraceParseResult parsed = workload::parse_trace_csv(*input.text, file);
  for (const workload::TraceError& e : parsed.errors)
    diagnostics_.error(SourceLocation{file, static_cast<int>(e.line), static_cast<int>(e.column)},
                       "", e.message);
  if (!parsed.errors.empty()) return std::nullopt;
  if (parsed.records.empty()) {
    at.error(fmt::format("'{}' holds no jobs (expected at least one row)", file));
    return std::nullopt;
  }
  return workload::TraceArrivals{
      std::make_shared<const std::vector<workload::TraceRecord>>(std::move(parsed.records))};
}

// --- load ---------------------------------------------------------------------------------------

std::optional<workload::LoadProfile> Loader::read_load_rate(const Reader& r) {
  constexpr double kMaxRate = 1e9;  // requests per second
  if (!r.is_map()) {
    const auto rate = r.number(0, kMaxRate);
    if (!rate) return std::nullopt;
    return workload::LoadProfile::constant(*rate);
  }
  static constexpr std::array<std::string_view, 3> kShapes{"diurnal", "steps", "trace"};
  const auto shape = one_kind(r, kShapes, "rate shape");
  if (!shape) return std::nullopt;
  const auto& [name, v] = *shape;
  if (name == "diurnal") {
    if (!v.expect_map({"mean", "amplitude", "peak_at"})) return std::nullopt;
    const bool have = require_all({v["mean"], v["amplitude"], v["peak_at"]});
    const auto mean = v["mean"].number(0, kMaxRate);
    const auto amplitude = v["amplitude"].number(0, 1);
    const auto peak = v["peak_at"].duration(SimDuration::zero(), hours(24) - SimDuration{1});
    if (!have || !mean || !amplitude || !peak) return std::nullopt;
    return workload::LoadProfile::diurnal(*mean, *amplitude, *peak);
  }
  if (name == "steps") {
    std::vector<workload::LoadPoint> points;
    bool ok = true;
    for (const Reader& step : v.items("a list of steps {at, rate}")) {
      if (!step.expect_map({"at", "rate"}) || !require_all({step["at"], step["rate"]})) {
        ok = false;
        continue;
      }
      const auto at = step["at"].duration(SimDuration::zero(), kMaxHorizon);
      const auto rate = step["rate"].number(0, kMaxRate);
      if (!at || !rate) {
        ok = false;
        continue;
      }
      if (!points.empty() && kSimStart + *at <= points.back().at) {
        step["at"].error(fmt::format("{} is not after the step before ({}; expected steps in "
                                     "increasing time)",
                                     format_duration(*at), format_time(points.back().at)));
        ok = false;
        continue;
      }
      points.push_back({kSimStart + *at, *rate});
    }
    if (points.empty() && ok) v.error("expected at least one step {at, rate}");
    if (!ok || points.empty()) return std::nullopt;
    return workload::LoadProfile::steps(std::move(points));
  }
  // trace: {file, time_column, value_column, per}
  if (!v.expect_map({"file", "time_column", "value_column", "per"}) || !v["file"].require())
    return std::nullopt;
  workload::RateTraceColumns columns;
  columns.time = v["time_column"].string().value_or(columns.time);
  columns.value = v["value_column"].string().value_or(columns.value);
  const auto per = v["per"].present() ? v["per"].duration(std::chrono::milliseconds(1), hours(24))
                                      : std::optional<SimDuration>(seconds(1));
  const auto relative = v["file"].string();
  if (!relative || !per) return std::nullopt;
  const std::string file = resolve(*relative);
  InputText input = read_input_file(file);
  if (!input.text) {
    v["file"].error(std::move(input.problem));
    return std::nullopt;
  }
  workload::RateTraceResult parsed = workload::parse_rate_csv(*input.text, file, columns);
  for (const workload::TraceError& e : parsed.errors)
    diagnostics_.error(SourceLocation{file, static_cast<int>(e.line), static_cast<int>(e.column)},
                       "", e.message);
  if (!parsed.ok()) return std::nullopt;
  // Values counted over `per` (a metric's Sum per minute, ...) become a rate per second.
  for (workload::LoadPoint& p : parsed.points) p.rate /= to_seconds(*per);
  return workload::LoadProfile::trace(std::move(parsed.points));
}

std::optional<workload::LoadSpec> Loader::read_load(const Reader& r) {
  const bool have = require_all({r["requests_per_second"], r["cpu_per_request"]});
  std::optional<workload::LoadProfile> rate;
  if (r["requests_per_second"].present()) rate = read_load_rate(r["requests_per_second"]);
  workload::LoadCost cost;
  SimDuration slow_start{};
  const auto cpu = r["cpu_per_request"].duration(SimDuration{1}, hours(1));
  bool ok = have && rate && cpu;
  if (cpu) cost.cpu_seconds_per_request = to_seconds(*cpu);
  const auto mib = [&](const char* key, double& out) {
    if (!r[key].present()) return;
    const auto bytes = read_quantity(r[key], false);
    if (!bytes) ok = false;
    else out = static_cast<double>(*bytes) / (1024.0 * 1024.0);
  };
  mib("memory_per_request", cost.memory_mib_per_request);
  mib("base_memory", cost.base_memory_mib);
  if (r["bytes_per_request"].present()) {
    const auto bytes = read_quantity(r["bytes_per_request"], false);
    if (!bytes) ok = false;
    else cost.bytes_out_per_request = static_cast<double>(*bytes);
  }
  if (r["cpu_ceiling"].present()) {
    const auto c = r["cpu_ceiling"].number(0.01, 1000);
    if (!c) ok = false;
    else cost.cpu_ceiling = *c;
  }
  if (const Reader slow = r["slow_start"]; slow.present()) {
    // A target group's slow_start.duration_seconds: 30 to 900 seconds, or 0 for none.
    const auto d = slow.duration(SimDuration::zero(), std::chrono::seconds(900));
    if (!d) {
      ok = false;
    } else if (*d != SimDuration::zero() && *d < std::chrono::seconds(30)) {
      slow.error(fmt::format("{} is shorter than a load balancer's slow start can be (expected "
                             "30s to 15m, or 0s for none)",
                             format_duration(*d)));
      ok = false;
    } else {
      slow_start = *d;
    }
  }
  for (const Reader& b : r["bursts"].items("a list of bursts {at, for, factor}")) {
    if (!b.expect_map({"at", "for", "factor"}) || !require_all({b["at"], b["for"], b["factor"]})) {
      ok = false;
      continue;
    }
    const auto at = b["at"].duration(SimDuration::zero(), kMaxHorizon);
    const auto length = b["for"].duration(SimDuration{1}, kMaxHorizon);
    const auto factor = b["factor"].number(0.001, 1e6);
    if (!at || !length || !factor) {
      ok = false;
      continue;
    }
    if (rate) rate->add_burst({kSimStart + *at, *length, *factor});
  }
  if (!ok) return std::nullopt;
  return workload::LoadSpec{std::move(*rate), cost, slow_start};
}

// --- faults -----------------------------------------------------------------------------------

void Loader::read_fault(const Reader& f, Scenario& s) {
  static constexpr std::array<std::string_view, 9> kKinds{
      "az_outage",          "az_impaired",      "instance_failure", "instance_failures",
      "spot_interruptions", "nodegroup_update", "cordon",           "drain",
      "rollout"};
  platform::PlatformConfig& platform = s.platform;
  if (!f.is_map()) {
    f.error(fmt::format("expected a fault: a mapping with 'at' and one of {}", either(kKinds)));
    return;
  }
  // Like one_kind, but `at` may stand beside the fault's own key.
  std::optional<SimDuration> at;
  bool has_at = false;
  std::optional<std::pair<std::string, Reader>> kind;
  int kinds = 0;
  for (const auto& [key, value] : f.entries()) {
    if (key == "at") {
      has_at = true;
      at = value.duration(SimDuration::zero(), kMaxHorizon);
      continue;
    }
    if (std::find(kKinds.begin(), kKinds.end(), key) == kKinds.end()) {
      const std::string hint =
          did_you_mean(key, std::vector<std::string>(kKinds.begin(), kKinds.end()));
      value.error(hint.empty() ? fmt::format("unknown fault '{}' (expected at or one of {})", key,
                                             either(kKinds))
                               : fmt::format("unknown fault '{}' ({})", key, hint));
      return;
    }
    ++kinds;
    kind.emplace(key, value);
  }
  if (kinds != 1) {
    f.error(fmt::format("expected exactly one fault, one of {}", either(kKinds)));
    return;
  }
  const auto& [name, v] = *kind;
  // EKS operations (load_eks.cpp) happen at a time, as one-off faults do.
  const bool operation =
      name == "nodegroup_update" || name == "cordon" || name == "drain" || name == "rollout";
  const bool one_off =
      name == "az_outage" || name == "az_impaired" || name == "instance_failure" || operation;
  if (one_off && !has_at) {
    f["at"].require();
    return;
  }
  if (!one_off && has_at) {
    f["at"].error(fmt::format("'{}' is a process over the whole run (expected no 'at')", name));
    return;
  }
  if (operation) {
    if (at) read_eks_operation(name, v, kSimStart + *at, s.eks);
    return;
  }
  platform::ScheduledFault fault;
  fault.at = kSimStart + at.value_or(SimDuration::zero());
  if (name == "az_outage" || name == "az_impaired") {
    const bool impaired = name == "az_impaired";
    if (!(impaired ? v.expect_map({"az", "for", "launch_failure_rate"})
                   : v.expect_map({"az", "for"})))
      return;
    const bool have =
        require_all({v["az"], v["for"]}) && (!impaired || v["launch_failure_rate"].require());
    const auto az = az_named(v["az"]);
    const auto length = v["for"].duration(seconds(1), kMaxHorizon);
    const auto rate = impaired ? v["launch_failure_rate"].number(0, 1) : std::optional<double>(0);
    if (!have || !az || !length || !rate || !at) return;
    fault.kind = impaired ? platform::ScheduledFault::Kind::kAzImpaired
                          : platform::ScheduledFault::Kind::kAzOutage;
    fault.az = *az;
    fault.duration = *length;
    fault.launch_failure_rate = *rate;
    platform.faults.push_back(fault);
  } else if (name == "instance_failure") {
    if (!v.expect_map({"cluster", "count"})) return;
    auto groups = v["cluster"].require() ? groups_of(v["cluster"], s) : std::nullopt;
    const auto count = v["count"].present() ? v["count"].integer(1, kMaxInstances)
                                            : std::optional<std::int64_t>(1);
    if (!groups || !count || !at) return;
    fault.kind = platform::ScheduledFault::Kind::kInstanceFailure;
    fault.groups = std::move(*groups);
    fault.count = static_cast<std::uint32_t>(*count);
    platform.faults.push_back(fault);
  } else if (name == "instance_failures") {
    if (!v.expect_map({"cluster", "mtbf"}) || !v["mtbf"].require()) return;
    const auto mtbf = v["mtbf"].duration(seconds(1), kMaxHorizon * 100);
    std::optional<std::vector<GroupId>> groups = std::vector<GroupId>{};
    if (v["cluster"].present()) groups = groups_of(v["cluster"], s);
    if (!groups || !mtbf) return;
    platform.failure_processes.push_back(platform::FailureProcess{std::move(*groups), *mtbf});
  } else {  // spot_interruptions
    if (!v.expect_map({"rate_per_hour"}) || !v["rate_per_hour"].require()) return;
    if (const auto rate = v["rate_per_hour"].number(0, 3600))
      platform.spot_interruptions_per_hour = *rate;
  }
}

// The groups of the container instances of the cluster named at `r`: its Auto Scaling group
// and its fixed list; or the node groups of an EKS cluster.
std::optional<std::vector<GroupId>> Loader::groups_of(const Reader& r, const Scenario& s) {
  const auto name = r.string();
  if (!name) return std::nullopt;
  std::vector<std::string> names;
  for (const EcsClusterConfig& c : s.ecs) {
    if (!c.has_instances()) continue;
    if (c.name == *name) return c.groups();
    names.push_back(c.name);
  }
  for (const EksClusterConfig& c : s.eks) {
    if (c.groups.empty()) continue;
    if (c.name == *name) return c.groups;
    names.push_back(c.name);
  }
  const std::string hint = did_you_mean(*name, names);
  if (names.empty())
    r.error(
        fmt::format("no cluster '{}' with container instances (no cluster of this scenario has "
                    "capacity.asg or capacity.instances)",
                    *name));
  else
    r.error(hint.empty() ? fmt::format("no cluster '{}' with container instances (expected one "
                                       "of {})",
                                       *name, either(names))
                         : fmt::format("no cluster '{}' with container instances ({})", *name,
                                       hint));
  return std::nullopt;
}

}  // namespace detail

LoadResult load_scenario(const std::string& path) {
  LoadResult result;
  detail::Loader loader(path, result.diagnostics);
  std::optional<Scenario> s = loader.load();
  if (result.diagnostics.ok()) result.scenario = std::move(s);
  return result;
}

}  // namespace ecsim::scenario
