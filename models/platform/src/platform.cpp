#include "ecsim/platform/platform.hpp"

#include <algorithm>
#include <cmath>

#include "ecsim/sim/assert.hpp"

namespace ecsim::platform {
namespace {

// Event kinds, within [kFirstEventKind, kEndEventKind).
enum EventKind : std::uint32_t {
  kLaunched = kFirstEventKind,  // target: instance; booted
  kFaultBegins,                 // payload: fault index
  kFaultEnds,                   // payload: fault index
  kRandomFailure,               // target: instance
  kSpotInterruption,            // target: instance; the notice
  kSpotReclaim,                 // target: instance
  kUnhealthyCheck,              // target: instance
  kRetryLaunches,               // target: group
};
static_assert(kRetryLaunches < kEndEventKind);

bool live(InstanceState s) { return s != InstanceState::kTerminated; }

}  // namespace

SimDuration sample(const LaunchLatency& latency, RandomStream& stream) {
  if (latency.sigma <= 0) return latency.median;
  return from_seconds(to_seconds(latency.median) * std::exp(latency.sigma * stream.normal(0, 1)));
}

Platform::Platform(const PlatformConfig& config, const InstanceCatalog& catalog,
                   std::uint64_t seed)
    : config_(config),
      catalog_(catalog),
      latency_rng_(RandomStreams(seed).stream("launch_latency")),
      launch_rng_(RandomStreams(seed).stream("launch_failures")),
      failure_rng_(RandomStreams(seed).stream("instance_failures")),
      spot_rng_(RandomStreams(seed).stream("spot_interruptions")),
      pick_rng_(RandomStreams(seed).stream("fault_targets")),
      cost_(config.prices),
      az_state_(config.azs.size(), AzState::kUp),
      outages_(config.azs.size(), 0),
      impairments_(config.azs.size(), 0),
      failure_rate_(config.azs.size(), 0.0),
      desired_(config.groups.size(), 0),
      max_(config.groups.size(), 0),
      min_(config.groups.size(), 0),
      live_(config.groups.size()),
      live_in_zone_(config.groups.size() * config.azs.size(), 0),
      rebalancing_(config.groups.size(), InstanceId{}),
      retry_scheduled_(config.groups.size(), 0) {
  // Zone sets are 64-bit masks in reconcile.
  ECSIM_ASSERT(config.azs.size() <= 64, "at most 64 zones");
  fault_active_.assign(config.faults.size(), 0);
  for (std::size_t g = 0; g < config.groups.size(); ++g) {
    desired_[g] = config.groups[g].desired;
    max_[g] = config.groups[g].max;
    min_[g] = config.groups[g].min;
  }
}

void Platform::start(Simulator& sim) {
  // The groups' first instances exist when the run starts: a scenario describes a running
  // cluster. Later launches take the launch latency.
  for (std::size_t g = 0; g < config_.groups.size(); ++g) {
    const GroupId group{static_cast<GroupId::rep_type>(g)};
    while (live_[g].size() < desired_[g]) {
      const std::optional<AzId> az = emptiest_zone(group, 0);
      if (!az) break;
      launch(sim, group, *az, true);
    }
  }
  for (std::size_t f = 0; f < config_.faults.size(); ++f) schedule_fault(sim, f);
}

void Platform::schedule_fault(Simulator& sim, std::size_t index) {
  const ScheduledFault& f = config_.faults[index];
  sim.schedule_at(std::max(f.at, sim.now()), kFaultBegins, 0, index);
  if (f.kind != ScheduledFault::Kind::kInstanceFailure)
    sim.schedule_at(std::max(f.at, sim.now()) + f.duration, kFaultEnds, 0, index);
}

void Platform::handle(Simulator& sim, const Event& e) {
  const InstanceId id{e.target};
  switch (e.kind) {
    case kLaunched:
      if (state_[e.target] == InstanceState::kPending) on_running(sim, id);
      break;
    case kFaultBegins: on_fault(sim, static_cast<std::size_t>(e.payload), true); break;
    case kFaultEnds: on_fault(sim, static_cast<std::size_t>(e.payload), false); break;
    case kRandomFailure:
      if (live(state_[e.target])) {
        ++counters_.failures;
        end_instance(sim, id, TerminationCause::kFailure, true);
      }
      break;
    case kSpotInterruption:
      if (live(state_[e.target])) {
        ++counters_.interruptions;
        changes_.push_back(InstanceChange{id, ChangeKind::kInterruptionNotice, sim.now()});
        sim.schedule_in(kSpotNotice, kSpotReclaim, e.target);
      }
      break;
    case kSpotReclaim:
      if (live(state_[e.target])) end_instance(sim, id, TerminationCause::kSpotInterruption, true);
      break;
    case kUnhealthyCheck: {
      // A check left over from an earlier outage must not count the time the instance was
      // reachable in between: only an unbroken `unhealthy_after` makes it unhealthy. An
      // instance outside any Auto Scaling group has no one to replace it: it waits for its
      // zone. Within the health check grace period since its launch it is not acted on yet.
      const HealthCheckConfig& hc = config_.health_check;
      if (!live(state_[e.target]) || reachable_[e.target] != 0 ||
          !config_.groups[group_[e.target].value()].replace ||
          sim.now() - unreachable_since_[e.target] < hc.unhealthy_after)
        break;
      if (const SimTime graced = launched_[e.target] + hc.grace_period; sim.now() < graced) {
        sim.schedule_at(graced, kUnhealthyCheck, e.target);
        break;
      }
      ++counters_.replacements;
      end_instance(sim, id, TerminationCause::kUnhealthy, true);
      break;
    }
    case kRetryLaunches:
      retry_scheduled_[e.target] = 0;
      reconcile(sim, GroupId{e.target});
      break;
    default: ECSIM_ASSERT(false, "unknown platform event kind");
  }
}

void Platform::on_fault(Simulator& sim, std::size_t index, bool begins) {
  const ScheduledFault& f = config_.faults[index];
  fault_active_[index] = begins ? 1 : 0;
  switch (f.kind) {
    case ScheduledFault::Kind::kAzOutage: {
      if (begins) ++outages_[f.az.value()];
      else --outages_[f.az.value()];
      refresh_az(f.az, sim);
      break;
    }
    case ScheduledFault::Kind::kAzImpaired: {
      if (begins) ++impairments_[f.az.value()];
      else --impairments_[f.az.value()];
      // Overlapping impairments: the worst one still in force applies, so the end of one does
      // not leave its rate behind.
      double rate = 0;
      for (std::size_t k = 0; k < config_.faults.size(); ++k) {
        const ScheduledFault& other = config_.faults[k];
        if (fault_active_[k] != 0 && other.kind == ScheduledFault::Kind::kAzImpaired &&
            other.az == f.az)
          rate = std::max(rate, other.launch_failure_rate);
      }
      failure_rate_[f.az.value()] = rate;
      refresh_az(f.az, sim);
      break;
    }
    case ScheduledFault::Kind::kInstanceFailure: {
      // Fails `count` running instances of the groups, chosen at random.
      std::vector<InstanceId> candidates;
      for (const GroupId g : f.groups)
        for (const InstanceId i : live_[g.value()])
          if (state_[i.value()] == InstanceState::kRunning) candidates.push_back(i);
      std::sort(candidates.begin(), candidates.end());
      for (std::uint32_t k = 0; k < f.count && !candidates.empty(); ++k) {
        const auto pick = static_cast<std::size_t>(pick_rng_.uniform_int(candidates.size()));
        const InstanceId victim = candidates[pick];
        candidates.erase(candidates.begin() + static_cast<std::ptrdiff_t>(pick));
        ++counters_.failures;
        end_instance(sim, victim, TerminationCause::kFailure, true);
      }
      break;
    }
  }
}

void Platform::refresh_az(AzId az, Simulator& sim) {
  const std::size_t z = az.value();
  const AzState before = az_state_[z];
  az_state_[z] = outages_[z] > 0        ? AzState::kDown
                 : impairments_[z] > 0  ? AzState::kImpaired
                                        : AzState::kUp;
  if (az_state_[z] == before) return;
  const bool down = az_state_[z] == AzState::kDown;
  const bool was_down = before == AzState::kDown;
  // Up to impaired changes nothing for what already runs there, nor for the groups.
  if (!down && !was_down && az_state_[z] == AzState::kImpaired) return;
  if (down != was_down) {
    for (std::size_t i = 0; i < state_.size(); ++i) {
      if (az_[i] != az || !live(state_[i])) continue;
      const InstanceId id{static_cast<InstanceId::rep_type>(i)};
      if (down) {
        if (state_[i] == InstanceState::kPending) {
          // A launch in flight in a zone that fails does not complete.
          ++counters_.launch_failures;
          end_instance(sim, id, TerminationCause::kFailure, true);
          continue;
        }
        reachable_[i] = 0;
        unreachable_since_[i] = sim.now();
        changes_.push_back(InstanceChange{id, ChangeKind::kUnreachable, sim.now()});
        sim.schedule_in(config_.health_check.unhealthy_after, kUnhealthyCheck,
                        static_cast<std::uint32_t>(i));
      } else {
        reachable_[i] = 1;
        changes_.push_back(InstanceChange{id, ChangeKind::kReachable, sim.now()});
      }
    }
  }
  // A zone that comes back, from an outage or from an impairment (AWS rebalances when a zone
  // "that previously had insufficient capacity recovers"), leaves its groups unbalanced: launch
  // there first, terminate later.
  for (std::size_t g = 0; g < config_.groups.size(); ++g) {
    if (std::find(config_.groups[g].azs.begin(), config_.groups[g].azs.end(), az) ==
        config_.groups[g].azs.end())
      continue;
    if (down) reconcile(sim, GroupId{static_cast<GroupId::rep_type>(g)});
    else check_rebalance(sim, GroupId{static_cast<GroupId::rep_type>(g)});
  }
}

std::span<const std::uint32_t> Platform::live_by_zone(GroupId group) const {
  return std::span(live_in_zone_).subspan(group.value() * az_state_.size(), az_state_.size());
}

std::optional<AzId> Platform::emptiest_zone(GroupId group, std::uint64_t skip_mask) const {
  const std::span<const std::uint32_t> count = live_by_zone(group);
  std::optional<AzId> best;
  for (const AzId az : config_.groups[group.value()].azs) {
    if (az_state_[az.value()] == AzState::kDown || ((skip_mask >> az.value()) & 1u) != 0) continue;
    if (!best || count[az.value()] < count[best->value()]) best = az;
  }
  return best;
}

void Platform::reconcile(Simulator& sim, GroupId group) {
  const std::size_t g = group.value();
  // Instances launched by hand are not replaced: nothing launches into their group.
  if (!config_.groups[g].replace) return;
  std::uint64_t refused = 0;  // zones that refused a launch in this round
  while (live_[g].size() < desired_[g]) {
    const std::optional<AzId> az = emptiest_zone(group, refused);
    if (!az) {
      if (retry_scheduled_[g] == 0) {
        retry_scheduled_[g] = 1;
        sim.schedule_in(kLaunchRetry, kRetryLaunches, static_cast<std::uint32_t>(g));
      }
      return;
    }
    if (az_state_[az->value()] == AzState::kImpaired &&
        launch_rng_.bernoulli(failure_rate_[az->value()])) {
      // InsufficientInstanceCapacity: the group tries its other zones.
      ++counters_.launch_failures;
      refused |= std::uint64_t{1} << az->value();
      continue;
    }
    launch(sim, group, *az, false);
  }
}

// Without a mixed instances policy: the group's type, Spot when the group is. With one, as EC2
// Auto Scaling's InstancesDistribution documents it: On-Demand while fewer than
// OnDemandBaseCapacity run; above the base, On-Demand while those above it are fewer than
// OnDemandPercentageAboveBaseCapacity of all above it counting this one, rounded up in favour of
// On-Demand (ecsim's reading of a fraction); else Spot. On-Demand takes the first type
// (prioritized, the default for listed types). Spot pools are all equally deep in ecsim (no
// Spot capacity is simulated), so capacity-optimized and capacity-optimized-prioritized take the
// first type, price-capacity-optimized the cheapest, and lowest-price the one of the
// SpotInstancePools cheapest with the fewest of the group's Spot instances in the zone (ties:
// the cheaper). Prices are the catalog's On-Demand prices, which Spot discounts alike.
std::pair<InstanceTypeIndex, bool> Platform::launch_choice(GroupId group, AzId az) const {
  const AsgConfig& g = config_.groups[group.value()];
  if (!g.mixed) return {g.instance_type, g.spot};
  const MixedInstances& m = *g.mixed;
  std::uint64_t on_demand = 0, spot = 0;
  for (const InstanceId i : live_[group.value()]) ++(spot_[i.value()] != 0 ? spot : on_demand);
  bool use_spot = false;
  if (on_demand >= m.on_demand_base) {
    const std::uint64_t above = on_demand - m.on_demand_base + spot + 1;
    const std::uint64_t wanted = (above * m.on_demand_percent + 99) / 100;
    use_spot = on_demand - m.on_demand_base >= wanted;
  }
  if (!use_spot) return {m.types.front(), false};
  if (m.spot_allocation == SpotAllocation::kCapacityOptimized ||
      m.spot_allocation == SpotAllocation::kCapacityOptimizedPrioritized)
    return {m.types.front(), true};
  std::vector<InstanceTypeIndex> by_price = m.types;
  std::stable_sort(by_price.begin(), by_price.end(), [&](InstanceTypeIndex a, InstanceTypeIndex b) {
    return catalog_.at(a).price_usd_per_hour < catalog_.at(b).price_usd_per_hour;
  });
  if (m.spot_allocation == SpotAllocation::kPriceCapacityOptimized) return {by_price.front(), true};
  by_price.resize(std::min<std::size_t>(by_price.size(), std::max<std::uint32_t>(m.spot_pools, 1)));
  std::vector<std::uint32_t> in_pool(by_price.size(), 0);
  for (const InstanceId i : live_[group.value()]) {
    if (spot_[i.value()] == 0 || az_[i.value()] != az) continue;
    const auto k = std::find(by_price.begin(), by_price.end(), type_[i.value()]);
    if (k != by_price.end()) ++in_pool[static_cast<std::size_t>(k - by_price.begin())];
  }
  const auto fewest = std::min_element(in_pool.begin(), in_pool.end());
  return {by_price[static_cast<std::size_t>(fewest - in_pool.begin())], true};
}

InstanceId Platform::launch(Simulator& sim, GroupId group, AzId az, bool running_now) {
  const auto [type, spot] = launch_choice(group, az);
  return launch_as(sim, group, az, type, spot, running_now);
}

std::optional<InstanceId> Platform::launch_instance(Simulator& sim, GroupId group,
                                                    InstanceTypeIndex type, AzId az, bool spot) {
  ECSIM_ASSERT(!config_.groups[group.value()].replace,
               "single launches go into a group of instances launched by hand");
  const AzState state = az_state_[az.value()];
  if (state == AzState::kDown ||
      (state == AzState::kImpaired && launch_rng_.bernoulli(failure_rate_[az.value()]))) {
    ++counters_.launch_failures;
    return std::nullopt;
  }
  return launch_as(sim, group, az, type, spot, false);
}

InstanceId Platform::launch_as(Simulator& sim, GroupId group, AzId az, InstanceTypeIndex type,
                               bool spot, bool running_now) {
  const InstanceId id{static_cast<InstanceId::rep_type>(state_.size())};
  state_.push_back(InstanceState::kPending);
  az_.push_back(az);
  group_.push_back(group);
  type_.push_back(type);
  reachable_.push_back(1);
  spot_.push_back(spot ? 1 : 0);
  cause_.push_back(TerminationCause::kNone);
  unreachable_since_.push_back(kNever);
  launched_.push_back(sim.now());
  protected_.push_back(0);
  // Billing starts at launch: the boot and agent start are billed instance time.
  cost_item_.push_back(cost_.start_ec2(sim.now(), catalog_.at(type).price_usd_per_hour, spot));
  live_[group.value()].push_back(id);
  ++live_in_zone_[group.value() * az_state_.size() + az.value()];
  ++counters_.launches;
  if (running_now) on_running(sim, id);
  else sim.schedule_in(sample(config_.ec2_launch_latency, latency_rng_), kLaunched, id.value());
  return id;
}

void Platform::on_running(Simulator& sim, InstanceId id) {
  const std::size_t i = id.value();
  state_[i] = InstanceState::kRunning;
  changes_.push_back(InstanceChange{id, ChangeKind::kRunning, sim.now()});
  const GroupId group = group_[i];
  for (const FailureProcess& p : config_.failure_processes) {
    if (!p.groups.empty() && std::find(p.groups.begin(), p.groups.end(), group) == p.groups.end())
      continue;
    sim.schedule_in(from_seconds(failure_rng_.exponential(to_seconds(p.mtbf))), kRandomFailure,
                    id.value());
  }
  if (spot_[i] != 0 && config_.spot_interruptions_per_hour > 0) {
    sim.schedule_in(from_seconds(spot_rng_.exponential(3600.0 / config_.spot_interruptions_per_hour)),
                    kSpotInterruption, id.value());
  }
  if (rebalancing_[group.value()] == id) {
    // The rebalancing launch is up: now the group terminates one in its fullest zone.
    rebalancing_[group.value()] = InstanceId{};
    // Launch before terminate: only an instance in excess goes. If the group lost one while this
    // one booted, this one stands in for it and nothing is terminated.
    if (live_[group.value()].size() > desired_[group.value()]) {
      ++counters_.rebalances;
      end_instance(sim, excess_instance(group, id), TerminationCause::kRebalance, false);
    }
    ECSIM_ASSERT(live_[group.value()].size() <= desired_[group.value()],
                 "a group holds no more instances than its desired count once rebalanced");
    check_rebalance(sim, group);
  }
}

// The instance the group terminates to come back to its desired count after the rebalancing
// launch `launched` came up, by the rule of the default termination policy: the zone with the
// most instances among those with one not protected from scale-in (a tie goes to the launched
// instance's zone, then to the first zone listed); in it, the newest unprotected instance other
// than `launched`. When every other instance was protected while `launched` booted, `launched`
// itself is the only candidate: the rebalancing comes to nothing.
InstanceId Platform::excess_instance(GroupId group, InstanceId launched) const {
  const std::span<const std::uint32_t> count = live_by_zone(group);
  std::uint64_t with_candidate = 0;  // zones holding an unprotected instance
  for (const InstanceId other : live_[group.value()])
    if (protected_[other.value()] == 0)
      with_candidate |= std::uint64_t{1} << az_[other.value()].value();
  const auto eligible = [&](AzId az) { return ((with_candidate >> az.value()) & 1u) != 0; };
  AzId fullest = az_[launched.value()];  // never protected: nothing has registered on it yet
  for (const AzId az : config_.groups[group.value()].azs)
    if (eligible(az) && count[az.value()] > count[fullest.value()]) fullest = az;
  InstanceId victim = launched;
  for (const InstanceId other : live_[group.value()])
    if (other != launched && az_[other.value()] == fullest && protected_[other.value()] == 0)
      victim = other;
  return victim;
}

void Platform::check_rebalance(Simulator& sim, GroupId group) {
  const std::size_t g = group.value();
  if (!config_.groups[g].replace) return;
  if (rebalancing_[g].valid() || live_[g].size() < desired_[g]) {
    reconcile(sim, group);
    return;
  }
  const std::span<const std::uint32_t> count = live_by_zone(group);
  std::optional<AzId> emptiest, fullest;
  for (const AzId az : config_.groups[g].azs) {
    if (az_state_[az.value()] != AzState::kUp) continue;
    if (!emptiest || count[az.value()] < count[emptiest->value()]) emptiest = az;
    if (!fullest || count[az.value()] > count[fullest->value()]) fullest = az;
  }
  if (!emptiest || count[fullest->value()] < count[emptiest->value()] + 2) return;
  // Only worth a launch if the fullest zone has an instance rebalancing may terminate.
  bool can_terminate = false;
  for (const InstanceId other : live_[g])
    can_terminate = can_terminate || (az_[other.value()] == *fullest && protected_[other.value()] == 0);
  if (!can_terminate) return;
  // Launch before terminate: one more in the emptiest zone, the fullest loses one once it runs.
  rebalancing_[g] = launch(sim, group, *emptiest, false);
}

void Platform::end_instance(Simulator& sim, InstanceId id, TerminationCause cause, bool replace) {
  const std::size_t i = id.value();
  ECSIM_ASSERT(live(state_[i]), "an instance terminates once");
  state_[i] = InstanceState::kTerminated;
  cause_[i] = cause;
  cost_.stop(cost_item_[i], sim.now());
  std::vector<InstanceId>& group = live_[group_[i].value()];
  group.erase(std::find(group.begin(), group.end(), id));
  --live_in_zone_[group_[i].value() * az_state_.size() + az_[i].value()];
  if (rebalancing_[group_[i].value()] == id) rebalancing_[group_[i].value()] = InstanceId{};
  changes_.push_back(InstanceChange{id, ChangeKind::kTerminated, sim.now()});
  if (replace) reconcile(sim, group_[i]);
}

void Platform::scale_out(Simulator& sim, GroupId group, std::uint32_t desired) {
  const std::size_t g = group.value();
  desired = std::min(desired, max_[g]);
  if (desired <= desired_[g]) return;
  desired_[g] = desired;
  reconcile(sim, group);
}

void Platform::terminate(Simulator& sim, InstanceId id, bool decrement_desired) {
  if (!live(state_[id.value()])) return;
  const GroupId group = group_[id.value()];
  const std::size_t g = group.value();
  if (decrement_desired && desired_[g] > min_[g]) --desired_[g];
  end_instance(sim, id, TerminationCause::kScaleIn, false);
  // Replaces the instance if the group is now short; otherwise rebalances, as AWS does when
  // TerminateInstanceInAutoScalingGroup leaves the group unbalanced.
  check_rebalance(sim, group);
}

void Platform::lower_desired(GroupId group, std::uint32_t desired) {
  const std::size_t g = group.value();
  const auto live_count = static_cast<std::uint32_t>(live_[g].size());
  desired_[g] = std::min(desired_[g], std::max({desired, live_count, min_[g]}));
}

void Platform::set_max(GroupId group, std::uint32_t max) {
  const std::size_t g = group.value();
  max_[g] = max;
  desired_[g] = std::min(desired_[g], max);
}

void Platform::set_min(GroupId group, std::uint32_t min) { min_[group.value()] = min; }

double Platform::ec2_cost_usd(SimTime now) const { return cost_.cost_at(now).ec2; }

}  // namespace ecsim::platform
