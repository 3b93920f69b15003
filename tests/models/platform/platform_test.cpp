#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ecsim/platform/catalog.hpp"
#include "ecsim/platform/config.hpp"
#include "ecsim/platform/platform.hpp"
#include "ecsim/sim/simulator.hpp"

using namespace ecsim;
using namespace ecsim::platform;
using namespace std::chrono_literals;

namespace {

// Unless a test says otherwise, launches take exactly 60 s (sigma 0), so times are exact.
constexpr SimDuration kLatency = 60s;

constexpr SimTime at(SimDuration d) { return kSimStart + d; }

const AzId kA{0};
const AzId kB{1};
const AzId kC{2};
const GroupId kGroup0{0};
const GroupId kGroup1{1};
// The default time unreachable before a group replaces an instance (HealthCheckConfig).
const SimDuration kUnhealthyAfterDefault = HealthCheckConfig{}.unhealthy_after;

InstanceTypeIndex m6i_large() {
  const InstanceTypeIndex index = InstanceCatalog::builtin().index_of("m6i.large");
  REQUIRE(index != kUnknownInstanceType);
  return index;
}

// Three zones, no faults, no failure processes, exact launch latency.
PlatformConfig three_zones() {
  PlatformConfig config;
  config.azs = {"us-east-1a", "us-east-1b", "us-east-1c"};
  config.ec2_launch_latency = LaunchLatency{kLatency, 0};
  return config;
}

AsgConfig group(std::string name, std::uint32_t desired, std::vector<AzId> azs,
                bool spot = false) {
  AsgConfig g;
  g.name = std::move(name);
  g.instance_type = m6i_large();
  g.min = 0;
  g.max = desired * 2 + 10;
  g.desired = desired;
  g.azs = std::move(azs);
  g.spot = spot;
  return g;
}

ScheduledFault outage(AzId az, SimDuration from, SimDuration length) {
  ScheduledFault f;
  f.at = at(from);
  f.kind = ScheduledFault::Kind::kAzOutage;
  f.az = az;
  f.duration = length;
  return f;
}

ScheduledFault impairment(AzId az, SimDuration from, SimDuration length, double rate) {
  ScheduledFault f;
  f.at = at(from);
  f.kind = ScheduledFault::Kind::kAzImpaired;
  f.az = az;
  f.duration = length;
  f.launch_failure_rate = rate;
  return f;
}

ScheduledFault instance_failure(GroupId g, SimDuration when, std::uint32_t count) {
  ScheduledFault f;
  f.at = at(when);
  f.kind = ScheduledFault::Kind::kInstanceFailure;
  f.groups = {g};
  f.count = count;
  return f;
}

// Drives one Platform with one Simulator and keeps every change in `log`. The config must be
// complete before `start`: the platform keeps a reference to it, so the harness is not movable.
struct Harness {
  PlatformConfig config;
  Simulator sim;
  std::optional<Platform> platform;
  std::vector<InstanceChange> log;
  // When set: from `check_from` on, after every event, group 0 must have at least this many
  // running instances; each breach is recorded in `violations`.
  std::optional<std::uint32_t> min_running_after_check;
  SimTime check_from = kNever;
  std::vector<std::string> violations;

  explicit Harness(PlatformConfig c) : config(std::move(c)) {}
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  void start(std::uint64_t seed = 1) {
    platform.emplace(config, InstanceCatalog::builtin(), seed);
    platform->start(sim);
    drain();
  }

  void run_until(SimDuration t) {
    sim.run_until(at(t), [&](const Event& e) {
      REQUIRE(e.kind >= kFirstEventKind);
      REQUIRE(e.kind < kEndEventKind);
      platform->handle(sim, e);
      drain();
    });
  }

  void drain() {
    std::vector<InstanceChange>& changes = platform->changes();
    log.insert(log.end(), changes.begin(), changes.end());
    changes.clear();
    if (min_running_after_check && sim.now() >= check_from) {
      const std::uint32_t running = count_in_state(kGroup0, InstanceState::kRunning);
      if (running < *min_running_after_check)
        violations.push_back(format_time(sim.now()) + ": " + std::to_string(running) + " running");
    }
  }

  [[nodiscard]] std::uint32_t count_in_state(GroupId g, InstanceState s) const {
    std::uint32_t n = 0;
    for (std::size_t i = 0; i < platform->instance_count(); ++i) {
      const InstanceId id{static_cast<InstanceId::rep_type>(i)};
      if (platform->group(id) == g && platform->state(id) == s) ++n;
    }
    return n;
  }

  // Live (pending or running) instances of group `g` in each zone.
  [[nodiscard]] std::vector<std::uint32_t> live_by_zone(GroupId g) const {
    std::vector<std::uint32_t> count(platform->az_count(), 0);
    for (std::size_t i = 0; i < platform->instance_count(); ++i) {
      const InstanceId id{static_cast<InstanceId::rep_type>(i)};
      if (platform->group(id) == g && platform->state(id) != InstanceState::kTerminated)
        ++count[platform->az(id).value()];
    }
    return count;
  }

  // The changes of `kind`, in order.
  [[nodiscard]] std::vector<InstanceChange> of_kind(ChangeKind kind) const {
    std::vector<InstanceChange> out;
    for (const InstanceChange& c : log)
      if (c.kind == kind) out.push_back(c);
    return out;
  }

  // The changes at instant `t`, in order.
  [[nodiscard]] std::vector<InstanceChange> at_time(SimDuration t) const {
    std::vector<InstanceChange> out;
    for (const InstanceChange& c : log)
      if (c.at == at(t)) out.push_back(c);
    return out;
  }
};

InstanceId iid(std::uint32_t i) { return InstanceId{i}; }

std::vector<std::uint32_t> zones(std::uint32_t a, std::uint32_t b, std::uint32_t c) {
  return {a, b, c};
}

bool same(const InstanceChange& x, const InstanceChange& y) {
  return x.instance == y.instance && x.kind == y.kind && x.at == y.at;
}

bool same_log(const std::vector<InstanceChange>& x, const std::vector<InstanceChange>& y) {
  return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin(), same);
}

}  // namespace

// --- (1) The initial instances ----------------------------------------------------------------

TEST_CASE("a group's first instances run at time 0, spread evenly over its zones", "[platform]") {
  PlatformConfig config = three_zones();
  config.groups.push_back(group("six", 6, {kA, kB, kC}));
  Harness h(std::move(config));
  h.start();

  // Each launch goes to the zone with the fewest instances, ties to the first listed:
  // 0 -> a, 1 -> b, 2 -> c, 3 -> a, 4 -> b, 5 -> c, so 2 per zone.
  CHECK(h.live_by_zone(kGroup0) == zones(2, 2, 2));
  REQUIRE(h.platform->instance_count() == 6);
  const AzId expected[] = {kA, kB, kC, kA, kB, kC};
  for (std::uint32_t i = 0; i < 6; ++i) {
    CHECK(h.platform->az(iid(i)) == expected[i]);
    CHECK(h.platform->state(iid(i)) == InstanceState::kRunning);
    CHECK(h.platform->reachable(iid(i)));
    CHECK_FALSE(h.platform->spot(iid(i)));
    CHECK(h.platform->group(iid(i)) == kGroup0);
    CHECK(h.platform->type(iid(i)) == m6i_large());
    CHECK(h.platform->cause(iid(i)) == TerminationCause::kNone);
  }
  // One kRunning change per instance, all at time 0, in launch order.
  REQUIRE(h.log.size() == 6);
  for (std::uint32_t i = 0; i < 6; ++i) {
    CHECK(h.log[i].instance == iid(i));
    CHECK(h.log[i].kind == ChangeKind::kRunning);
    CHECK(h.log[i].at == kSimStart);
  }
  CHECK(h.platform->counters().launches == 6);
  // Nothing is scheduled: no faults, no failure processes, no Spot.
  CHECK(h.sim.pending() == 0);
  for (std::size_t z = 0; z < 3; ++z)
    CHECK(h.platform->az_state(AzId{static_cast<AzId::rep_type>(z)}) == AzState::kUp);
}

TEST_CASE("an uneven group gives its extra instances to the first zones", "[platform]") {
  PlatformConfig config = three_zones();
  config.groups.push_back(group("four", 4, {kA, kB, kC}));
  // A second group over b and c only: b, c, b.
  config.groups.push_back(group("three", 3, {kB, kC}));
  Harness h(std::move(config));
  h.start();

  // 4 over 3: a, b, c, then a again (all at 1, the first listed wins): 2, 1, 1.
  CHECK(h.live_by_zone(kGroup0) == zones(2, 1, 1));
  // 3 over {b, c}: b, c, b: 0, 2, 1; never in a, which it does not list.
  CHECK(h.live_by_zone(kGroup1) == zones(0, 2, 1));
  // Ids follow the groups' order: 0-3 for the first group, 4-6 for the second.
  CHECK(h.platform->az(iid(3)) == kA);
  CHECK(h.platform->group(iid(4)) == kGroup1);
  CHECK(h.platform->az(iid(4)) == kB);
  CHECK(h.platform->az(iid(5)) == kC);
  CHECK(h.platform->az(iid(6)) == kB);
  CHECK(h.of_kind(ChangeKind::kRunning).size() == 7);
}

// --- (2) Scheduled instance failures ---------------------------------------------------------

TEST_CASE("a scheduled instance failure terminates running instances and the group replaces them",
          "[platform]") {
  PlatformConfig config = three_zones();
  config.groups.push_back(group("web", 6, {kA, kB, kC}));
  config.faults.push_back(instance_failure(kGroup0, 1h, 2));
  Harness h(std::move(config));
  h.start();

  h.run_until(1h - 1us);
  CHECK(h.log.size() == 6);  // only the initial kRunning changes

  h.run_until(1h);
  const std::vector<InstanceChange> terminated = h.of_kind(ChangeKind::kTerminated);
  REQUIRE(terminated.size() == 2);
  std::vector<AzId> victim_zones;
  for (const InstanceChange& c : terminated) {
    CHECK(c.at == at(1h));
    CHECK(c.instance.value() < 6);
    CHECK(h.platform->state(c.instance) == InstanceState::kTerminated);
    CHECK(h.platform->cause(c.instance) == TerminationCause::kFailure);
    victim_zones.push_back(h.platform->az(c.instance));
  }
  CHECK(terminated[0].instance != terminated[1].instance);
  CHECK(h.platform->counters().failures == 2);
  // Two replacements, ids 6 and 7, pending for the launch latency.
  REQUIRE(h.platform->instance_count() == 8);
  CHECK(h.platform->counters().launches == 8);
  CHECK(h.platform->state(iid(6)) == InstanceState::kPending);
  CHECK(h.platform->state(iid(7)) == InstanceState::kPending);
  // From 2, 2, 2 the victims' zones are the emptiest: each replacement goes where the victim was
  // (after the first victim its zone has 1 and the others 2; after the second, whichever zone
  // lost it has 1 again, or its zone has 1 + 1 pending when both were in the same zone).
  std::vector<AzId> replacement_zones = {h.platform->az(iid(6)), h.platform->az(iid(7))};
  std::sort(victim_zones.begin(), victim_zones.end());
  std::sort(replacement_zones.begin(), replacement_zones.end());
  CHECK(replacement_zones == victim_zones);
  CHECK(h.live_by_zone(kGroup0) == zones(2, 2, 2));

  // They run exactly one launch latency later: 1h + 60 s.
  h.run_until(1h + kLatency - 1us);
  CHECK(h.platform->state(iid(6)) == InstanceState::kPending);
  h.run_until(1h + kLatency);
  CHECK(h.platform->state(iid(6)) == InstanceState::kRunning);
  CHECK(h.platform->state(iid(7)) == InstanceState::kRunning);
  const std::vector<InstanceChange> now = h.at_time(1h + kLatency);
  REQUIRE(now.size() == 2);
  CHECK(now[0].instance == iid(6));
  CHECK(now[0].kind == ChangeKind::kRunning);
  CHECK(now[1].instance == iid(7));
  CHECK(now[1].kind == ChangeKind::kRunning);
  CHECK(h.count_in_state(kGroup0, InstanceState::kRunning) == 6);
}

TEST_CASE("each replacement goes to the group's emptiest zone at the time it is launched",
          "[platform]") {
  PlatformConfig config = three_zones();
  // 4 over 3: a {0, 3}, b {1}, c {2}; three of them fail at once.
  config.groups.push_back(group("web", 4, {kA, kB, kC}));
  config.faults.push_back(instance_failure(kGroup0, 10min, 3));
  Harness h(std::move(config));
  h.start();
  h.run_until(10min);

  // The victims are drawn at random; replay the rule on the order they were reported: each
  // termination is followed at once by the launch of the next id, in the zone with the fewest
  // live instances (ties to the first listed).
  const std::vector<InstanceChange> terminated = h.of_kind(ChangeKind::kTerminated);
  REQUIRE(terminated.size() == 3);
  std::vector<std::uint32_t> count = {2, 1, 1};
  for (std::uint32_t k = 0; k < 3; ++k) {
    --count[h.platform->az(terminated[k].instance).value()];
    const std::size_t zone = static_cast<std::size_t>(
        std::min_element(count.begin(), count.end()) - count.begin());
    const InstanceId replacement = iid(4 + k);
    CHECK(h.platform->az(replacement).value() == zone);
    ++count[zone];
  }
  // Whatever the victims, refilling the emptiest zone first rebuilds 2, 1, 1.
  CHECK(h.live_by_zone(kGroup0) == zones(2, 1, 1));
  h.run_until(10min + kLatency);
  CHECK(h.count_in_state(kGroup0, InstanceState::kRunning) == 4);
}

// --- (3) Zone outages --------------------------------------------------------------------------

TEST_CASE("a long zone outage: unreachable, replaced after 5 minutes, rebalanced on recovery",
          "[platform]") {
  PlatformConfig config = three_zones();
  // a {0, 3}, b {1, 4}, c {2, 5}.
  config.groups.push_back(group("web", 6, {kA, kB, kC}));
  config.faults.push_back(outage(kA, 1h, 30min));
  Harness h(std::move(config));
  h.start();

  // 1h: zone a goes down; its instances are cut off at once, not terminated.
  h.run_until(1h);
  CHECK(h.platform->az_state(kA) == AzState::kDown);
  {
    const std::vector<InstanceChange> now = h.at_time(1h);
    REQUIRE(now.size() == 2);
    CHECK(now[0].instance == iid(0));
    CHECK(now[0].kind == ChangeKind::kUnreachable);
    CHECK(now[1].instance == iid(3));
    CHECK(now[1].kind == ChangeKind::kUnreachable);
  }
  CHECK_FALSE(h.platform->reachable(iid(0)));
  CHECK_FALSE(h.platform->reachable(iid(3)));
  CHECK(h.platform->reachable(iid(1)));
  CHECK(h.platform->state(iid(0)) == InstanceState::kRunning);
  CHECK(h.platform->counters().launches == 6);  // nothing launched yet

  // Just before kUnhealthyAfterDefault (5 min) nothing more has happened.
  h.run_until(1h + kUnhealthyAfterDefault - 1us);
  CHECK(h.log.size() == 8);
  CHECK(h.platform->counters().launches == 6);

  // 1h05: both are terminated as unhealthy and replaced outside a. After 0 goes: a 1 (3 is still
  // live), b 2, c 2: b (first of the tie). After 3 goes: a 0 (down, skipped), b 3, c 2: c.
  h.run_until(1h + kUnhealthyAfterDefault);
  {
    const std::vector<InstanceChange> now = h.at_time(1h + kUnhealthyAfterDefault);
    REQUIRE(now.size() == 2);
    CHECK(now[0].instance == iid(0));
    CHECK(now[0].kind == ChangeKind::kTerminated);
    CHECK(now[1].instance == iid(3));
    CHECK(now[1].kind == ChangeKind::kTerminated);
  }
  CHECK(h.platform->cause(iid(0)) == TerminationCause::kUnhealthy);
  CHECK(h.platform->cause(iid(3)) == TerminationCause::kUnhealthy);
  CHECK(h.platform->counters().replacements == 2);
  REQUIRE(h.platform->instance_count() == 8);
  CHECK(h.platform->az(iid(6)) == kB);
  CHECK(h.platform->az(iid(7)) == kC);
  CHECK(h.live_by_zone(kGroup0) == zones(0, 3, 3));

  // 1h06: the replacements run.
  h.run_until(1h + kUnhealthyAfterDefault + kLatency);
  CHECK(h.platform->state(iid(6)) == InstanceState::kRunning);
  CHECK(h.platform->state(iid(7)) == InstanceState::kRunning);

  // 1h30: a is back. Launch before terminate: one new instance (8) in a, nothing terminated.
  h.run_until(1h + 30min);
  CHECK(h.platform->az_state(kA) == AzState::kUp);
  REQUIRE(h.platform->instance_count() == 9);
  CHECK(h.platform->az(iid(8)) == kA);
  CHECK(h.platform->state(iid(8)) == InstanceState::kPending);
  CHECK(h.at_time(1h + 30min).empty());
  CHECK(h.live_by_zone(kGroup0) == zones(1, 3, 3));

  // 1h31: 8 runs; only then does the fullest zone lose one. b and c tie at 3, b is listed first.
  // Still unbalanced (a 1, b 2, c 3: 3 >= 1 + 2), so 9 is launched in a.
  h.run_until(1h + 31min);
  {
    const std::vector<InstanceChange> now = h.at_time(1h + 31min);
    REQUIRE(now.size() == 2);
    CHECK(now[0].instance == iid(8));
    CHECK(now[0].kind == ChangeKind::kRunning);
    CHECK(now[1].kind == ChangeKind::kTerminated);
    CHECK(h.platform->az(now[1].instance) == kB);
    CHECK(h.platform->cause(now[1].instance) == TerminationCause::kRebalance);
  }
  REQUIRE(h.platform->instance_count() == 10);
  CHECK(h.platform->az(iid(9)) == kA);
  CHECK(h.live_by_zone(kGroup0) == zones(2, 2, 3));

  // 1h32: 9 runs, c (now the only fullest zone) loses one: balanced, 2, 2, 2.
  h.run_until(1h + 32min);
  {
    const std::vector<InstanceChange> now = h.at_time(1h + 32min);
    REQUIRE(now.size() == 2);
    CHECK(now[0].instance == iid(9));
    CHECK(now[0].kind == ChangeKind::kRunning);
    CHECK(now[1].kind == ChangeKind::kTerminated);
    CHECK(h.platform->az(now[1].instance) == kC);
    CHECK(h.platform->cause(now[1].instance) == TerminationCause::kRebalance);
  }
  CHECK(h.live_by_zone(kGroup0) == zones(2, 2, 2));
  CHECK(h.count_in_state(kGroup0, InstanceState::kRunning) == 6);
  CHECK(h.platform->counters().rebalances == 2);

  // Balanced: nothing else happens.
  const std::size_t changes = h.log.size();
  h.run_until(5h);
  CHECK(h.log.size() == changes);
  CHECK(h.platform->counters().launches == 10);
}

TEST_CASE("an outage shorter than unhealthy_after only cuts instances off for its duration",
          "[platform]") {
  PlatformConfig config = three_zones();
  config.groups.push_back(group("web", 6, {kA, kB, kC}));
  config.faults.push_back(outage(kA, 1h, 3min));
  Harness h(std::move(config));
  h.start();
  h.run_until(5h);

  // 0 and 3 (zone a) unreachable at 1h, reachable at 1h03; nothing terminated or launched.
  REQUIRE(h.log.size() == 6 + 4);
  CHECK(same(h.log[6], {iid(0), ChangeKind::kUnreachable, at(1h)}));
  CHECK(same(h.log[7], {iid(3), ChangeKind::kUnreachable, at(1h)}));
  CHECK(same(h.log[8], {iid(0), ChangeKind::kReachable, at(1h + 3min)}));
  CHECK(same(h.log[9], {iid(3), ChangeKind::kReachable, at(1h + 3min)}));
  CHECK(h.platform->reachable(iid(0)));
  CHECK(h.platform->counters().launches == 6);
  CHECK(h.platform->counters().replacements == 0);
  CHECK(h.live_by_zone(kGroup0) == zones(2, 2, 2));
}

TEST_CASE("two short outages in a row do not add up to unhealthy_after", "[platform]") {
  // Down 1h00-1h03 and 1h04-1h08: never unreachable 5 minutes in a row, so no replacement,
  // although the zone is down again when the first outage's 5 minutes are up (1h05).
  PlatformConfig config = three_zones();
  config.groups.push_back(group("web", 6, {kA, kB, kC}));
  config.faults.push_back(outage(kA, 1h, 3min));
  config.faults.push_back(outage(kA, 1h + 4min, 4min));
  Harness h(std::move(config));
  h.start();
  h.run_until(5h);

  CHECK(h.of_kind(ChangeKind::kTerminated).empty());
  CHECK(h.platform->counters().replacements == 0);
  CHECK(h.platform->counters().launches == 6);
  // Each instance of a: unreachable, reachable, unreachable, reachable.
  CHECK(h.of_kind(ChangeKind::kUnreachable).size() == 4);
  CHECK(h.of_kind(ChangeKind::kReachable).size() == 4);
}

TEST_CASE("an instance is replaced 5 minutes after it last became unreachable", "[platform]") {
  // Down 1h00-1h03, then from 1h04 for an hour: replaced at 1h04 + 5 min = 1h09, not at 1h05.
  PlatformConfig config = three_zones();
  config.groups.push_back(group("web", 6, {kA, kB, kC}));
  config.faults.push_back(outage(kA, 1h, 3min));
  config.faults.push_back(outage(kA, 1h + 4min, 1h));
  Harness h(std::move(config));
  h.start();

  h.run_until(1h + 9min - 1us);
  CHECK(h.of_kind(ChangeKind::kTerminated).empty());
  h.run_until(1h + 9min);
  const std::vector<InstanceChange> terminated = h.of_kind(ChangeKind::kTerminated);
  REQUIRE(terminated.size() == 2);
  CHECK(same(terminated[0], {iid(0), ChangeKind::kTerminated, at(1h + 9min)}));
  CHECK(same(terminated[1], {iid(3), ChangeKind::kTerminated, at(1h + 9min)}));
  CHECK(h.platform->cause(iid(0)) == TerminationCause::kUnhealthy);
  CHECK(h.platform->counters().replacements == 2);
}

TEST_CASE("a launch pending in a zone that goes down fails and is retried elsewhere",
          "[platform]") {
  PlatformConfig config = three_zones();
  // One instance over a and b: 0 in a.
  config.groups.push_back(group("one", 1, {kA, kB}));
  // 10 min: 0 fails; a and b both have 0, so its replacement 1 goes to a (first listed), due at
  // 11 min. 10 min 30 s: a goes down with 1 still booting.
  config.faults.push_back(instance_failure(kGroup0, 10min, 1));
  config.faults.push_back(outage(kA, 10min + 30s, 1h));
  Harness h(std::move(config));
  h.start();

  h.run_until(10min);
  REQUIRE(h.platform->instance_count() == 2);
  CHECK(h.platform->az(iid(1)) == kA);
  CHECK(h.platform->state(iid(1)) == InstanceState::kPending);

  // 10 min 30 s: 1 never boots (terminated, counted as a launch failure, and never reported
  // running); its replacement 2 goes to b, the only zone up, and runs at 11 min 30 s.
  h.run_until(10min + 30s);
  CHECK(h.platform->state(iid(1)) == InstanceState::kTerminated);
  CHECK(h.platform->counters().launch_failures == 1);
  REQUIRE(h.platform->instance_count() == 3);
  CHECK(h.platform->az(iid(2)) == kB);
  {
    const std::vector<InstanceChange> now = h.at_time(10min + 30s);
    REQUIRE(now.size() == 1);
    CHECK(same(now[0], {iid(1), ChangeKind::kTerminated, at(10min + 30s)}));
  }
  h.run_until(3h);
  CHECK(same(h.log.back(), {iid(2), ChangeKind::kRunning, at(10min + 30s + kLatency)}));
  for (const InstanceChange& c : h.of_kind(ChangeKind::kRunning)) CHECK(c.instance != iid(1));
  // When a is back (1h10m30s), 0 in a and 1 in b differ by one: balanced, nothing moves.
  CHECK(h.platform->counters().launches == 3);
  CHECK(h.live_by_zone(kGroup0) == zones(0, 1, 0));
}

TEST_CASE("rebalancing launches before it terminates and never leaves the group short",
          "[platform]") {
  // As the long-outage case: at 1h30 a is back with a 0, b 3, c 3 and instance 8 booting in a.
  // At 1h30m30s one running instance (in b or c) fails: 8 is already the group's 6th live
  // instance, so no replacement is launched. When 8 runs at 1h31 the group has exactly its
  // desired 6: terminating one now would leave it with 5 running, which launch-before-terminate
  // exists to avoid. It must keep 6 running from then on, and still end balanced.
  PlatformConfig config = three_zones();
  config.groups.push_back(group("web", 6, {kA, kB, kC}));
  config.faults.push_back(outage(kA, 1h, 30min));
  config.faults.push_back(instance_failure(kGroup0, 1h + 30min + 30s, 1));
  Harness h(std::move(config));
  h.min_running_after_check = 6;
  h.check_from = at(1h + 31min);
  h.start();

  h.run_until(1h + 30min + 30s);
  CHECK(h.platform->counters().failures == 1);
  CHECK(h.platform->instance_count() == 9);  // no replacement: 8 is booting

  h.run_until(1h + 31min);
  CHECK(h.platform->state(iid(8)) == InstanceState::kRunning);
  CHECK(h.count_in_state(kGroup0, InstanceState::kRunning) == 6);
  CHECK(h.platform->counters().rebalances == 0);
  // a 1; b and c are 2 and 3 in some order: 3 >= 1 + 2, so one more launch in a (id 9).
  REQUIRE(h.platform->instance_count() == 10);
  CHECK(h.platform->az(iid(9)) == kA);

  // 1h32: 9 runs and the zone with 3 loses one: 2, 2, 2 with a single rebalance.
  h.run_until(3h);
  CHECK(h.live_by_zone(kGroup0) == zones(2, 2, 2));
  CHECK(h.count_in_state(kGroup0, InstanceState::kRunning) == 6);
  CHECK(h.platform->counters().rebalances == 1);
  std::string violations;
  for (const std::string& v : h.violations) violations += v + "\n";
  INFO(violations);
  CHECK(h.violations.empty());
}

// --- (4) Impaired zones -----------------------------------------------------------------------

TEST_CASE("an impaired zone refuses launches and the group launches in another zone",
          "[platform]") {
  PlatformConfig config = three_zones();
  config.groups.push_back(group("one", 1, {kA, kB}));  // 0 in a
  config.faults.push_back(impairment(kA, 5min, 1h, 1.0));
  config.faults.push_back(instance_failure(kGroup0, 10min, 1));
  Harness h(std::move(config));
  h.start();

  h.run_until(5min);
  CHECK(h.platform->az_state(kA) == AzState::kImpaired);
  // Impairment only affects launches: instance 0 stays reachable, no change is reported.
  CHECK(h.log.size() == 1);
  CHECK(h.platform->reachable(iid(0)));

  // 10 min: 0 fails. a and b both have 0; a is tried first and refuses (rate 1.0), then b.
  h.run_until(10min);
  CHECK(h.platform->counters().launch_failures == 1);
  REQUIRE(h.platform->instance_count() == 2);
  CHECK(h.platform->az(iid(1)) == kB);
  h.run_until(10min + kLatency);
  CHECK(h.platform->state(iid(1)) == InstanceState::kRunning);
  // 1h05: a recovers; 0 in a and 1 in b is balanced enough, nothing more.
  h.run_until(3h);
  CHECK(h.platform->az_state(kA) == AzState::kUp);
  CHECK(h.platform->counters().launches == 2);
  CHECK(h.platform->counters().launch_failures == 1);
}

TEST_CASE("with every zone refusing, the group retries every kLaunchRetry", "[platform]") {
  PlatformConfig config = three_zones();
  config.groups.push_back(group("one", 1, {kA, kB}));  // 0 in a
  config.faults.push_back(impairment(kA, 5min, 15min, 1.0));  // until 20 min
  config.faults.push_back(impairment(kB, 5min, 15min, 1.0));  // until 20 min
  config.faults.push_back(instance_failure(kGroup0, 10min, 1));
  Harness h(std::move(config));
  h.start();

  // 10 min: a then b refuse: 2 failures, a retry at 10m30s, and so on every 30 s.
  h.run_until(10min);
  CHECK(h.platform->counters().launch_failures == 2);
  h.run_until(10min + kLaunchRetry - 1us);
  CHECK(h.platform->counters().launch_failures == 2);
  h.run_until(10min + kLaunchRetry);
  CHECK(h.platform->counters().launch_failures == 4);

  // Rounds at 10m00s, 10m30s, ..., 19m30s: (19.5 - 10) / 0.5 + 1 = 20 rounds of 2 refusals.
  h.run_until(20min - 1us);
  CHECK(h.platform->counters().launch_failures == 40);
  CHECK(h.platform->counters().launches == 1);
  CHECK(h.count_in_state(kGroup0, InstanceState::kPending) == 0);

  // 20 min: both zones recover (the ends were scheduled at start, before the retry due then);
  // the group launches 1 in a (both empty, a first), which runs at 21 min.
  h.run_until(20min);
  CHECK(h.platform->counters().launches == 2);
  REQUIRE(h.platform->instance_count() == 2);
  CHECK(h.platform->az(iid(1)) == kA);
  h.run_until(1h);
  CHECK(same(h.log.back(), {iid(1), ChangeKind::kRunning, at(21min)}));
  CHECK(h.platform->counters().launch_failures == 40);
  CHECK(h.platform->counters().launches == 2);
  CHECK(h.sim.pending() == 0);  // no retry left behind
}

TEST_CASE("when overlapping impairments of a zone end, the one still in force applies",
          "[platform]") {
  PlatformConfig config = three_zones();
  config.groups.push_back(group("one", 1, {kA, kB}));  // 0 in a
  // a refuses every launch from 10 min to 2h10; a second, harmless impairment (rate 0) of a
  // comes and goes within it (20-30 min).
  config.faults.push_back(impairment(kA, 10min, 2h, 1.0));
  config.faults.push_back(impairment(kA, 20min, 10min, 0.0));
  config.faults.push_back(instance_failure(kGroup0, 1h, 1));
  Harness h(std::move(config));
  h.start();

  // 1h: 0 fails; a (0 instances, first listed) is still under the rate-1.0 impairment and
  // refuses, so the replacement goes to b.
  h.run_until(1h);
  CHECK(h.platform->az_state(kA) == AzState::kImpaired);
  CHECK(h.platform->counters().launch_failures == 1);
  REQUIRE(h.platform->instance_count() == 2);
  CHECK(h.platform->az(iid(1)) == kB);
}

TEST_CASE("a zone that recovers from an impairment gets its share back", "[platform]") {
  // AWS rebalances "when an Availability Zone that previously had insufficient capacity recovers".
  PlatformConfig config = three_zones();
  config.groups.push_back(group("web", 3, {kA, kB, kC}));  // 0 a, 1 b, 2 c
  config.faults.push_back(impairment(kA, 5min, 30min, 1.0));  // until 35 min
  Harness h(std::move(config));
  h.start();

  // 10 min: 0 is terminated on request without shrinking the group; its replacement is refused
  // in a (0 instances) and goes to b (1, tied with c, listed first): 0, 2, 1.
  h.run_until(10min);
  h.platform->terminate(h.sim, iid(0), false);
  h.drain();
  CHECK(h.platform->cause(iid(0)) == TerminationCause::kScaleIn);
  CHECK(h.platform->counters().launch_failures == 1);
  REQUIRE(h.platform->instance_count() == 4);
  CHECK(h.platform->az(iid(3)) == kB);
  h.run_until(35min - 1us);
  CHECK(h.live_by_zone(kGroup0) == zones(0, 2, 1));

  // 35 min: a recovers; b (2) >= a (0) + 2: launch 4 in a; at 36 min 4 runs and b loses its
  // newest instance, 3.
  h.run_until(35min);
  REQUIRE(h.platform->instance_count() == 5);
  CHECK(h.platform->az(iid(4)) == kA);
  h.run_until(36min);
  CHECK(h.platform->state(iid(4)) == InstanceState::kRunning);
  CHECK(same(h.log.back(), {iid(3), ChangeKind::kTerminated, at(36min)}));
  CHECK(h.platform->cause(iid(3)) == TerminationCause::kRebalance);
  CHECK(h.live_by_zone(kGroup0) == zones(1, 1, 1));
  CHECK(h.platform->counters().rebalances == 1);
}

TEST_CASE("terminating an instance and shrinking the group rebalances what it leaves",
          "[platform]") {
  // AWS rebalances after TerminateInstanceInAutoScalingGroup leaves the group unbalanced.
  PlatformConfig config = three_zones();
  config.groups.push_back(group("web", 4, {kA, kB, kC}));  // a {0, 3}, b {1}, c {2}
  Harness h(std::move(config));
  h.start();

  h.run_until(10min);
  // 1 goes and desired drops to 3: a 2, b 0, c 1. Not replaced, but 2 >= 0 + 2: launch 4 in b.
  h.platform->terminate(h.sim, iid(1), true);
  h.drain();
  CHECK(h.platform->cause(iid(1)) == TerminationCause::kScaleIn);
  REQUIRE(h.platform->instance_count() == 5);
  CHECK(h.platform->az(iid(4)) == kB);
  // 11 min: 4 runs; a, the fullest, loses its newest instance, 3: 1, 1, 1.
  h.run_until(2h);
  CHECK(h.platform->cause(iid(3)) == TerminationCause::kRebalance);
  CHECK(h.live_by_zone(kGroup0) == zones(1, 1, 1));
  CHECK(h.count_in_state(kGroup0, InstanceState::kRunning) == 3);
  CHECK(h.platform->counters().launches == 5);
}

TEST_CASE("rebalancing never terminates an instance protected from scale-in", "[platform]") {
  PlatformConfig config = three_zones();
  config.groups.push_back(group("web", 4, {kA, kB, kC}));  // a {0, 3}, b {1}, c {2}
  Harness h(std::move(config));
  h.start();
  h.run_until(10min);
  // As above, 1 goes and desired drops to 3: a 2, b 0, c 1. Both of a's are protected, so a
  // rebalancing launch could terminate nothing there: none is made.
  h.platform->set_scale_in_protected(iid(0), true);
  h.platform->set_scale_in_protected(iid(3), true);
  h.platform->terminate(h.sim, iid(1), true);
  h.drain();
  CHECK(h.platform->instance_count() == 4);
  h.run_until(2h);
  CHECK(h.live_by_zone(kGroup0) == zones(2, 0, 1));
  CHECK(h.platform->counters().rebalances == 0);
}

TEST_CASE("a rebalancing launch in a zone tied for fullest still brings the group back to its "
          "desired count",
          "[platform]") {
  // The group shrinks twice while its rebalancing launch boots, leaving that launch's zone tied
  // with the others. The group must still terminate one, as the default termination policy
  // does, rather than keep one instance over its desired count (which managed scaling, counting
  // warmed-up instances against the desired count, found impossible).
  PlatformConfig config = three_zones();
  config.groups.push_back(group("web", 4, {kA, kB, kC}));  // a {0, 3}, b {1}, c {2}
  Harness h(std::move(config));
  h.start();
  h.run_until(10min);
  // 1 goes, desired 3: a 2, b 0, c 1, so a rebalancing launch 4 in b. Then 3 goes, desired 2:
  // a {0}, b {4 booting}, c {2}.
  h.platform->terminate(h.sim, iid(1), true);
  h.platform->terminate(h.sim, iid(3), true);
  h.drain();
  REQUIRE(h.platform->instance_count() == 5);
  REQUIRE(h.platform->az(iid(4)) == kB);
  CHECK(h.platform->desired(kGroup0) == 2);
  // 11 min: 4 runs, 3 instances for 2. Every zone holds 1, the tie goes to 4's zone, b, where 4
  // is the only candidate: 4 itself goes, and the group holds 0 and 2, its desired count.
  h.run_until(2h);
  CHECK(h.platform->cause(iid(4)) == TerminationCause::kRebalance);
  CHECK(h.live_by_zone(kGroup0) == zones(1, 0, 1));
  CHECK(h.platform->live_instances(kGroup0).size() == h.platform->desired(kGroup0));
  CHECK(h.platform->counters().rebalances == 1);
  CHECK(h.platform->counters().launches == 5);
}

TEST_CASE("a rebalancing launch whose target zone was protected while it booted terminates an "
          "unprotected instance elsewhere, or itself",
          "[platform]") {
  PlatformConfig config = three_zones();
  config.groups.push_back(group("web", 4, {kA, kB, kC}));  // a {0, 3}, b {1}, c {2}
  Harness h(std::move(config));
  h.start();
  h.run_until(10min);
  // 1 goes, desired 3: a 2, b 0, c 1, so a rebalancing launch 4 in b, meant to let a lose one.
  h.platform->terminate(h.sim, iid(1), true);
  h.drain();
  REQUIRE(h.platform->az(iid(4)) == kB);
  SECTION("another zone has an unprotected instance as full as the launch's: the launch goes") {
    // While 4 boots, both of a's get tasks and are protected. At 11 min, 4 instances for 3: a
    // has none to give; b {4} and c {2} hold 1 each, the tie goes to 4's zone, so 4 goes.
    h.platform->set_scale_in_protected(iid(0), true);
    h.platform->set_scale_in_protected(iid(3), true);
    h.run_until(2h);
    CHECK(h.platform->cause(iid(4)) == TerminationCause::kRebalance);
    CHECK(h.live_by_zone(kGroup0) == zones(2, 0, 1));
  }
  SECTION("a fuller zone has an unprotected instance: its newest goes") {
    // Only 3 of a's is protected: a is the fullest zone with a candidate, 0.
    h.platform->set_scale_in_protected(iid(3), true);
    h.run_until(2h);
    CHECK(h.platform->cause(iid(0)) == TerminationCause::kRebalance);
    CHECK(h.live_by_zone(kGroup0) == zones(1, 1, 1));
  }
  CHECK(h.platform->live_instances(kGroup0).size() == 3);
  CHECK(h.platform->desired(kGroup0) == 3);
  CHECK(h.platform->counters().rebalances == 1);
}

TEST_CASE("terminating without shrinking the group replaces the instance", "[platform]") {
  PlatformConfig config = three_zones();
  config.groups.push_back(group("web", 3, {kA, kB, kC}));
  Harness h(std::move(config));
  h.start();
  h.run_until(10min);
  h.platform->terminate(h.sim, iid(1), false);
  h.drain();
  // Replaced where it was (b, the only zone with 0), running at 11 min.
  REQUIRE(h.platform->instance_count() == 4);
  CHECK(h.platform->az(iid(3)) == kB);
  h.run_until(1h);
  CHECK(same(h.log.back(), {iid(3), ChangeKind::kRunning, at(11min)}));
  CHECK(h.platform->counters().rebalances == 0);
  // Terminating an instance that is already gone does nothing.
  h.platform->terminate(h.sim, iid(1), true);
  CHECK(h.platform->changes().empty());
}

TEST_CASE("scaling a group out launches up to its max, spread over its zones", "[platform]") {
  PlatformConfig config = three_zones();
  config.groups.push_back(group("web", 0, {kA, kB, kC}));
  config.groups.back().max = 4;
  Harness h(std::move(config));
  h.start();
  h.run_until(10min);
  CHECK(h.platform->instance_count() == 0);
  // Asked for 5, the group stops at its max of 4: a 2, b 1, c 1, running 60 s later.
  h.platform->scale_out(h.sim, kGroup0, 5);
  h.drain();
  CHECK(h.platform->desired(kGroup0) == 4);
  CHECK(h.live_by_zone(kGroup0) == zones(2, 1, 1));
  CHECK(h.platform->live_instances(kGroup0).size() == 4);
  CHECK(h.platform->launched_at(iid(3)) == at(10min));
  // A lower desired count is not a scale-in: nothing changes.
  h.platform->scale_out(h.sim, kGroup0, 1);
  CHECK(h.platform->desired(kGroup0) == 4);
  h.run_until(1h);
  CHECK(h.count_in_state(kGroup0, InstanceState::kRunning) == 4);
  CHECK(h.of_kind(ChangeKind::kRunning).front().at == at(11min));
}

// --- (5) Spot ---------------------------------------------------------------------------------

TEST_CASE("a Spot instance gets a notice, is reclaimed 2 minutes later and replaced",
          "[platform]") {
  PlatformConfig config = three_zones();
  config.groups.push_back(group("spot", 1, {kA}, true));        // instance 0
  config.groups.push_back(group("on-demand", 1, {kA}, false));  // instance 1
  config.spot_interruptions_per_hour = 1.0;
  Harness h(std::move(config));
  h.start();
  CHECK(h.platform->spot(iid(0)));
  CHECK_FALSE(h.platform->spot(iid(1)));

  // At one interruption per hour, the chance of none in 10 h is e^-10 = 4.5e-5.
  h.run_until(10h);
  const std::vector<InstanceChange> notices = h.of_kind(ChangeKind::kInterruptionNotice);
  REQUIRE_FALSE(notices.empty());
  CHECK(h.platform->counters().interruptions == notices.size());
  const InstanceChange first = notices.front();
  CHECK(first.instance == iid(0));
  const SimTime reclaim = first.at + kSpotNotice;
  // The instance keeps running through its notice, and is terminated exactly 2 minutes later.
  bool found = false;
  for (const InstanceChange& c : h.log) {
    if (c.instance != iid(0) || c.kind != ChangeKind::kTerminated) continue;
    CHECK(c.at == reclaim);
    found = true;
  }
  CHECK(found);
  CHECK(h.platform->cause(iid(0)) == TerminationCause::kSpotInterruption);
  // Its replacement is the next instance launched, at the reclaim, in a; running 60 s later, Spot
  // too. (The on-demand instance, 1, never gets a notice.)
  REQUIRE(h.platform->instance_count() >= 3);
  CHECK(h.platform->group(iid(2)) == kGroup0);
  CHECK(h.platform->spot(iid(2)));
  CHECK(h.platform->az(iid(2)) == kA);
  bool replacement_ran = false;
  for (const InstanceChange& c : h.log)
    if (c.instance == iid(2) && c.kind == ChangeKind::kRunning) {
      CHECK(c.at == reclaim + kLatency);
      replacement_ran = true;
    }
  CHECK(replacement_ran);
  for (const InstanceChange& c : notices) CHECK(h.platform->spot(c.instance));
  CHECK(h.platform->state(iid(1)) == InstanceState::kRunning);
  // Every notice is followed by the reclaim (those in the last 2 minutes are still due).
  std::size_t reclaimed = 0;
  for (const InstanceChange& n : notices)
    for (const InstanceChange& c : h.log)
      if (c.instance == n.instance && c.kind == ChangeKind::kTerminated) {
        CHECK(c.at == n.at + kSpotNotice);
        ++reclaimed;
      }
  CHECK(reclaimed + (notices.back().at + kSpotNotice > at(10h) ? 1 : 0) == notices.size());
}

TEST_CASE("Spot interruption notices come at the configured rate", "[platform][statistics]") {
  // 1000 Spot instances at 2 notices per hour: each gets its first notice within 30 min with
  // probability 1 - e^(-2 * 0.5) = 0.6321, so the count is Binomial(1000, 0.6321): mean 632.1,
  // sd sqrt(1000 * 0.6321 * 0.3679) = 15.25. Accept mean +- 4 sd: [571, 693]. (Reading the rate
  // as a mean time of 2 h would give 1000 * (1 - e^-0.25) = 221.)
  PlatformConfig config = three_zones();
  config.groups.push_back(group("spot", 1000, {kA, kB, kC}, true));
  config.spot_interruptions_per_hour = 2.0;
  Harness h(std::move(config));
  h.start(7);
  h.run_until(30min);
  std::size_t first_notices = 0;
  for (const InstanceChange& c : h.of_kind(ChangeKind::kInterruptionNotice))
    if (c.instance.value() < 1000) ++first_notices;
  CHECK(first_notices >= 571);
  CHECK(first_notices <= 693);
}

// --- (6) MTBF failures ------------------------------------------------------------------------

TEST_CASE("an MTBF failure process fails each instance after an exponential time",
          "[platform][statistics]") {
  // 1000 instances, MTBF 10 h, 10 h: an initial instance has failed by then with probability
  // 1 - e^(-10/10) = 0.6321, so the number of initial instances failed is Binomial(1000, 0.6321):
  // mean 632.1, sd 15.25; accept +- 4 sd: [571, 693].
  PlatformConfig config = three_zones();
  config.groups.push_back(group("web", 1000, {kA, kB, kC}));
  config.groups.push_back(group("spared", 10, {kA, kB, kC}));  // no process covers it
  config.failure_processes.push_back(FailureProcess{{kGroup0}, 10h});
  Harness h(std::move(config));
  h.start(11);
  h.run_until(10h);
  std::size_t initial_failed = 0;
  for (std::uint32_t i = 0; i < 1000; ++i)
    if (h.platform->cause(iid(i)) == TerminationCause::kFailure) ++initial_failed;
  CHECK(initial_failed >= 571);
  CHECK(initial_failed <= 693);
  CHECK(h.platform->counters().failures >= initial_failed);  // replacements fail too
  // The other group is untouched.
  for (std::uint32_t i = 1000; i < 1010; ++i)
    CHECK(h.platform->state(iid(i)) == InstanceState::kRunning);
  CHECK(h.count_in_state(kGroup0, InstanceState::kRunning) +
            h.count_in_state(kGroup0, InstanceState::kPending) ==
        1000);
}

TEST_CASE("with instant replacements, MTBF failures of a group form a Poisson process",
          "[platform][statistics]") {
  // With a launch latency of 0 every slot of the group is always running, and by memorylessness
  // each slot fails as a Poisson process of rate 1/MTBF, replacements included: over 10 h with
  // MTBF 10 h, 1000 slots give Poisson(1000 * 10 / 10 = 1000) failures, sd sqrt(1000) = 31.6.
  // Accept +- 4 sd: [874, 1126]. (Counting only first failures would give about 632.)
  PlatformConfig config = three_zones();
  config.ec2_launch_latency = LaunchLatency{0s, 0};
  config.groups.push_back(group("web", 1000, {kA, kB, kC}));
  config.failure_processes.push_back(FailureProcess{{}, 10h});
  Harness h(std::move(config));
  h.start(13);
  h.run_until(10h);
  const std::uint64_t failures = h.platform->counters().failures;
  CHECK(failures >= 874);
  CHECK(failures <= 1126);
  CHECK(h.platform->counters().launches == 1000 + failures);
  CHECK(h.of_kind(ChangeKind::kTerminated).size() == failures);
  CHECK(h.count_in_state(kGroup0, InstanceState::kRunning) == 1000);
}

// --- (6b) Instances launched by hand -----------------------------------------------------------

namespace {

// `count` instances launched by hand (no Auto Scaling group) over `azs`.
AsgConfig by_hand(std::string name, std::uint32_t count, std::vector<AzId> azs, bool spot = false) {
  AsgConfig g = group(std::move(name), count, std::move(azs), spot);
  g.min = 0;
  g.max = count;
  g.replace = false;
  return g;
}

}  // namespace

TEST_CASE("instances launched by hand run from time 0 and are not replaced when they fail",
          "[platform]") {
  PlatformConfig config = three_zones();
  config.groups.push_back(by_hand("fixed", 2, {kA}));        // instances 0, 1
  config.groups.push_back(group("web", 2, {kA, kB}));        // instances 2, 3
  config.faults.push_back(instance_failure(kGroup0, 10min, 1));
  config.faults.push_back(instance_failure(kGroup1, 20min, 1));
  Harness h(std::move(config));
  h.start();
  CHECK(h.count_in_state(kGroup0, InstanceState::kRunning) == 2);
  CHECK(h.live_by_zone(kGroup0) == zones(2, 0, 0));

  h.run_until(2h);
  // The hand-launched group lost one for good: nothing launched in its place. The Auto Scaling
  // group replaced its own: 4 initial launches + 1 replacement.
  CHECK(h.count_in_state(kGroup0, InstanceState::kRunning) == 1);
  CHECK(h.count_in_state(kGroup0, InstanceState::kTerminated) == 1);
  CHECK(h.platform->live_instances(kGroup0).size() == 1);
  CHECK(h.count_in_state(kGroup1, InstanceState::kRunning) == 2);
  CHECK(h.platform->counters().failures == 2);
  CHECK(h.platform->counters().launches == 5);
  CHECK(h.platform->instance_count() == 5);
  CHECK(h.platform->group(iid(4)) == kGroup1);
}

TEST_CASE("a failure fault over several groups picks among all their running instances",
          "[platform]") {
  // A cluster's Auto Scaling group and its hand-launched instances fail as one: 4 failures over
  // 2 + 2 instances take every one of them, whichever group it is in.
  PlatformConfig config = three_zones();
  config.groups.push_back(by_hand("fixed", 2, {kA}));
  config.groups.push_back(group("web", 2, {kB}));
  ScheduledFault f = instance_failure(kGroup0, 10min, 4);
  f.groups = {kGroup0, kGroup1};
  config.faults.push_back(f);
  Harness h(std::move(config));
  h.start();
  h.run_until(10min);
  for (std::uint32_t i = 0; i < 4; ++i)
    CHECK(h.platform->cause(iid(i)) == TerminationCause::kFailure);
  // Only the Auto Scaling group's two are replaced.
  CHECK(h.platform->instance_count() == 6);
  CHECK(h.platform->group(iid(4)) == kGroup1);
  CHECK(h.platform->group(iid(5)) == kGroup1);
}

TEST_CASE("an MTBF process over a hand-launched group fails it down to nothing", "[platform]") {
  // MTBF 1 h over 100 h: each of the 3 survives with probability e^-100, so all fail, and
  // nothing replaces them.
  PlatformConfig config = three_zones();
  config.groups.push_back(by_hand("fixed", 3, {kA, kB, kC}));
  config.failure_processes.push_back(FailureProcess{{kGroup0}, 1h});
  Harness h(std::move(config));
  h.start(3);
  h.run_until(100h);
  CHECK(h.count_in_state(kGroup0, InstanceState::kTerminated) == 3);
  CHECK(h.platform->counters().failures == 3);
  CHECK(h.platform->instance_count() == 3);
}

TEST_CASE("a hand-launched Spot instance is reclaimed after its notice and not replaced",
          "[platform]") {
  PlatformConfig config = three_zones();
  config.groups.push_back(by_hand("fixed-spot", 1, {kA}, true));
  config.spot_interruptions_per_hour = 1.0;
  Harness h(std::move(config));
  h.start();
  // At one interruption per hour, the chance of none in 10 h is e^-10 = 4.5e-5.
  h.run_until(10h);
  const std::vector<InstanceChange> notices = h.of_kind(ChangeKind::kInterruptionNotice);
  REQUIRE(notices.size() == 1);
  CHECK(h.platform->cause(iid(0)) == TerminationCause::kSpotInterruption);
  CHECK(h.of_kind(ChangeKind::kTerminated).front().at == notices.front().at + kSpotNotice);
  CHECK(h.platform->instance_count() == 1);
}

TEST_CASE("a zone outage cuts hand-launched instances off but never terminates them",
          "[platform]") {
  // An Auto Scaling group terminates an instance unreachable for 5 minutes and launches one
  // elsewhere; nobody does that for an instance launched by hand: it waits for its zone.
  PlatformConfig config = three_zones();
  config.groups.push_back(by_hand("fixed", 2, {kA, kB}));  // 0 in a, 1 in b
  config.faults.push_back(outage(kA, 1h, 2h));
  Harness h(std::move(config));
  h.start();
  CHECK(h.live_by_zone(kGroup0) == zones(1, 1, 0));
  h.run_until(2h);
  CHECK(h.platform->state(iid(0)) == InstanceState::kRunning);
  CHECK_FALSE(h.platform->reachable(iid(0)));
  CHECK(h.platform->counters().replacements == 0);
  h.run_until(5h);
  CHECK(h.platform->reachable(iid(0)));
  CHECK(h.platform->instance_count() == 2);
  const std::vector<InstanceChange> expected = {{iid(0), ChangeKind::kRunning, at(0s)},
                                                {iid(1), ChangeKind::kRunning, at(0s)},
                                                {iid(0), ChangeKind::kUnreachable, at(1h)},
                                                {iid(0), ChangeKind::kReachable, at(3h)}};
  CHECK(same_log(h.log, expected));
}

TEST_CASE("hand-launched instances are never rebalanced over their zones", "[platform]") {
  // 4 over a and b: 2, 2. Terminating both of a's leaves 0, 2: a group would launch in a and
  // terminate one of b's; hand-launched instances stay as they are.
  PlatformConfig config = three_zones();
  config.groups.push_back(by_hand("fixed", 4, {kA, kB}));  // a {0, 2}, b {1, 3}
  Harness h(std::move(config));
  h.start();
  h.run_until(10min);
  h.platform->terminate(h.sim, iid(0), false);
  h.platform->terminate(h.sim, iid(2), false);
  h.drain();
  h.run_until(2h);
  CHECK(h.live_by_zone(kGroup0) == zones(0, 2, 0));
  CHECK(h.platform->instance_count() == 4);
  CHECK(h.platform->counters().rebalances == 0);
  // Asking for more launches nothing either.
  h.platform->scale_out(h.sim, kGroup0, 4);
  h.drain();
  CHECK(h.platform->instance_count() == 4);
}

// --- (7) Cost ---------------------------------------------------------------------------------

namespace {
Approx usd(double value) { return Approx(value).epsilon(1e-12).margin(1e-15); }
}  // namespace

TEST_CASE("EC2 cost is hours times the catalog price", "[platform][cost]") {
  // models/data/ec2-instance-types.csv: m6i.large,...,0.096000 USD per hour on demand.
  REQUIRE(InstanceCatalog::builtin().at(m6i_large()).price_usd_per_hour == 0.096);
  PlatformConfig config = three_zones();
  config.groups.push_back(group("web", 2, {kA, kB}));
  Harness h(std::move(config));
  h.start();
  // At time 0 each instance already owes its 60 s minimum: 2 * 0.096 * 60 / 3600 = 0.0032.
  CHECK(h.platform->ec2_cost_usd(kSimStart) == usd(0.0032));
  h.run_until(1h);
  // 2 instances * 1 h * 0.096 USD/h = 0.192 USD.
  CHECK(h.platform->ec2_cost_usd(at(1h)) == usd(0.192));
  // 90 min: 2 * 1.5 * 0.096 = 0.288.
  CHECK(h.platform->ec2_cost_usd(at(90min)) == usd(0.288));
}

TEST_CASE("EC2 Spot instances cost the on-demand price less the Spot discount",
          "[platform][cost]") {
  PlatformConfig config = three_zones();
  config.groups.push_back(group("spot", 2, {kA, kB}, true));
  SECTION("the default 70% discount") {
    Harness h(config);
    h.start();
    h.run_until(1h);
    // 2 * 0.096 * (1 - 0.70) = 0.0576.
    CHECK(h.platform->ec2_cost_usd(at(1h)) == usd(0.0576));
  }
  SECTION("a configured discount") {
    config.prices.ec2_spot_discount = 0.90;
    Harness h(config);
    h.start();
    h.run_until(1h);
    // 2 * 0.096 * (1 - 0.90) = 0.0192.
    CHECK(h.platform->ec2_cost_usd(at(1h)) == usd(0.0192));
  }
}

TEST_CASE("an instance that fails after 10 s is billed its 60 s minimum", "[platform][cost]") {
  PlatformConfig config = three_zones();
  config.groups.push_back(group("one", 1, {kA}));
  config.faults.push_back(instance_failure(kGroup0, 10s, 1));
  Harness h(std::move(config));
  h.start();
  h.run_until(10s);
  REQUIRE(h.platform->state(iid(0)) == InstanceState::kTerminated);
  // 0 owes 60 s (not 10 s); its replacement 1, started at 10 s, already owes 60 s too:
  // 2 * 0.096 * 60 / 3600 = 0.0032.
  CHECK(h.platform->ec2_cost_usd(at(10s)) == usd(0.0032));
  h.run_until(1h);
  // 0: 60 s; 1: billed from its launch at 10 s (boot time is billed) to 1 h, 3590 s.
  // 0.096 * (60 + 3590) / 3600 = 0.0973333...
  CHECK(h.platform->ec2_cost_usd(at(1h)) == usd(0.096 * 3650 / 3600));
}

// --- (8) Determinism --------------------------------------------------------------------------

namespace {

PlatformConfig busy_config() {
  PlatformConfig config = three_zones();
  config.ec2_launch_latency = LaunchLatency{60s, 0.25};
  config.groups.push_back(group("web", 9, {kA, kB, kC}));
  config.groups.push_back(group("batch", 6, {kA, kB, kC}, true));
  config.spot_interruptions_per_hour = 0.5;
  config.failure_processes.push_back(FailureProcess{{}, 4h});
  config.faults.push_back(outage(kA, 1h, 20min));
  config.faults.push_back(impairment(kB, 2h, 1h, 0.5));
  config.faults.push_back(instance_failure(kGroup0, 4h, 3));
  return config;
}

std::vector<InstanceChange> run_busy(std::uint64_t seed, PlatformCounters* counters = nullptr) {
  Harness h(busy_config());
  h.start(seed);
  h.run_until(8h);
  if (counters) *counters = h.platform->counters();
  return h.log;
}

}  // namespace

TEST_CASE("the same seed gives the same changes, another seed others", "[platform]") {
  PlatformCounters c1, c2;
  const std::vector<InstanceChange> first = run_busy(42, &c1);
  const std::vector<InstanceChange> second = run_busy(42, &c2);
  // The run exercises what it should. Failures: the 3 of the fault at 4h, and the failure
  // process over 15 instances for 8 h at a 4 h mean, a Poisson count of about 30: 3 + 30 +-
  // 4 sqrt(30). Spot notices: 6 instances x 0.5 an hour x 8 h, about 24 +- 4 sqrt(24). The
  // 20-minute outage of zone a leaves its 5 instances (3 web, 2 batch) unreachable for more
  // than 5 minutes: each is replaced.
  CHECK(c1.failures >= 11);
  CHECK(c1.failures <= 55);
  CHECK(c1.interruptions >= 5);
  CHECK(c1.interruptions <= 43);
  CHECK(c1.replacements == 5);
  CHECK(first.size() > 50);
  CHECK(same_log(first, second));
  CHECK(c1.launches == c2.launches);
  CHECK(c1.launch_failures == c2.launch_failures);
  CHECK(c1.failures == c2.failures);
  CHECK(c1.interruptions == c2.interruptions);
  CHECK(c1.rebalances == c2.rebalances);
  CHECK_FALSE(same_log(first, run_busy(43)));
}

TEST_CASE("running in slices gives the same changes as running at once", "[platform]") {
  const std::vector<InstanceChange> whole = run_busy(5);
  Harness h(busy_config());
  h.start(5);
  for (SimDuration t = 7min; t < 8h; t += 7min) h.run_until(t);
  h.run_until(8h);
  CHECK(same_log(whole, h.log));
}

namespace {

InstanceTypeIndex type_named(const char* name) {
  const InstanceTypeIndex index = InstanceCatalog::builtin().index_of(name);
  REQUIRE(index != kUnknownInstanceType);
  return index;
}

// The instances of group 0 in launch order: (type name, Spot).
std::vector<std::pair<std::string, bool>> launched(const Harness& h) {
  std::vector<std::pair<std::string, bool>> out;
  for (const InstanceId id : h.platform->live_instances(kGroup0))
    out.emplace_back(InstanceCatalog::builtin().at(h.platform->type(id)).name, h.platform->spot(id));
  return out;
}

}  // namespace

TEST_CASE("a mixed instances policy launches its On-Demand base, then its share above it, rounded up") {
  // c5.large 0.085, m5.large 0.096, c5a.large 0.077 USD/h. Base 1, 50% above: the 1st is the
  // base; of those above it, the 1st, 3rd, ... are On-Demand (half, rounded up), the others
  // Spot. On-Demand takes the first type (prioritized); Spot with lowest-price over the 2
  // cheapest pools (c5a.large, c5.large) takes the one with fewer of the group's Spot instances.
  PlatformConfig config = three_zones();
  AsgConfig g = group("mixed", 5, {kA});
  MixedInstances m;
  m.types = {type_named("c5.large"), type_named("m5.large"), type_named("c5a.large")};
  m.on_demand_base = 1;
  m.on_demand_percent = 50;
  g.mixed = m;
  config.groups.push_back(g);
  Harness h(config);
  h.start();
  using L = std::vector<std::pair<std::string, bool>>;
  CHECK(launched(h) == L{{"c5.large", false},
                         {"c5.large", false},
                         {"c5a.large", true},
                         {"c5.large", false},
                         {"c5.large", true}});
}

TEST_CASE("a mixed instances policy's Spot allocation strategies pick among equally deep pools") {
  const auto first_spot_type = [](SpotAllocation strategy) {
    PlatformConfig config = three_zones();
    AsgConfig g = group("spot", 2, {kA});
    MixedInstances m;
    m.types = {type_named("m5.large"), type_named("c5a.large"), type_named("c5.large")};
    m.on_demand_percent = 0;
    m.spot_allocation = strategy;
    g.mixed = m;
    config.groups.push_back(g);
    Harness h(config);
    h.start();
    const auto l = launched(h);
    REQUIRE(l.size() == 2);
    CHECK(l[0].second);
    CHECK(l[1].second);
    return l[0].first + "," + l[1].first;
  };
  // Every pool as deep as the others: the cheapest, or the first listed.
  CHECK(first_spot_type(SpotAllocation::kPriceCapacityOptimized) == "c5a.large,c5a.large");
  CHECK(first_spot_type(SpotAllocation::kCapacityOptimized) == "m5.large,m5.large");
  CHECK(first_spot_type(SpotAllocation::kCapacityOptimizedPrioritized) == "m5.large,m5.large");
  // lowest-price over the 2 cheapest pools spreads over c5a.large and c5.large.
  CHECK(first_spot_type(SpotAllocation::kLowestPrice) == "c5a.large,c5.large");
}

TEST_CASE("the health check's unhealthy_after and grace period decide when a cut-off instance is replaced") {
  // Zone a goes down at 1 min. With unhealthy_after 2 min, its instance (launched at 0) is
  // terminated at 3 min; with a 10-minute grace period as well, not before 10 min.
  const auto terminated_at = [](SimDuration grace) {
    PlatformConfig config = three_zones();
    config.groups.push_back(group("g", 3, {kA, kB, kC}));
    config.faults.push_back(outage(kA, 1min, 1h));
    config.health_check.unhealthy_after = 2min;
    config.health_check.grace_period = grace;
    Harness h(config);
    h.start();
    h.run_until(30min);
    REQUIRE(h.platform->state(iid(0)) == InstanceState::kTerminated);
    CHECK(h.platform->cause(iid(0)) == TerminationCause::kUnhealthy);
    for (const InstanceChange& c : h.log)
      if (c.instance == iid(0) && c.kind == ChangeKind::kTerminated) return c.at;
    FAIL("no termination logged");
    return kNever;
  };
  CHECK(terminated_at(0s) == at(3min));
  CHECK(terminated_at(10min) == at(10min));
}
