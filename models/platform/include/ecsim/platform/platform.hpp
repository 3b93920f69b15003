#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ecsim/platform/catalog.hpp"
#include "ecsim/platform/config.hpp"
#include "ecsim/platform/cost.hpp"
#include "ecsim/sim/event.hpp"
#include "ecsim/sim/ids.hpp"
#include "ecsim/sim/random.hpp"
#include "ecsim/sim/simulator.hpp"
#include "ecsim/sim/time.hpp"

namespace ecsim::platform {

/// The state of an availability zone.
enum class AzState : std::uint8_t {
  kUp,        ///< launches succeed, instances are reachable
  kDown,      ///< nothing launches, every instance in it is unreachable
  kImpaired,  ///< launches fail with InsufficientInstanceCapacity at the zone's failure rate
};

/// The life of an EC2 instance.
enum class InstanceState : std::uint8_t {
  kPending,     ///< launched, booting: not yet registered with its cluster
  kRunning,     ///< up (reachable unless its zone is down)
  kTerminated,  ///< gone, for whatever reason
};

/// Why an instance was terminated.
enum class TerminationCause : std::uint8_t {
  kNone,              ///< not terminated
  kFailure,           ///< a scheduled or random instance failure
  kSpotInterruption,  ///< reclaimed two minutes after a Spot interruption notice
  kUnhealthy,         ///< replaced by its group after being unreachable too long
  kRebalance,         ///< terminated by its group to even out zones after a launch elsewhere
  kScaleIn,           ///< terminated on request (the group shrank)
};

/// What happened to an instance, reported to whoever runs on the platform (ECS, EKS).
enum class ChangeKind : std::uint8_t {
  kRunning,             ///< booted: can now register with its cluster
  kUnreachable,         ///< its zone went down: its work is cut off, not (yet) lost
  kReachable,           ///< its zone came back
  kInterruptionNotice,  ///< Spot: terminated two minutes from now
  kTerminated,          ///< gone; its work is lost
};

/// One instance change, in the order it happened.
struct InstanceChange {
  InstanceId instance;
  ChangeKind kind;
  SimTime at;
};

/// How long a group waits before retrying launches that found no capacity (an assumption).
inline constexpr SimDuration kLaunchRetry = std::chrono::seconds(30);
/// Time from a Spot interruption notice to the instance's reclaim.
inline constexpr SimDuration kSpotNotice = std::chrono::minutes(2);

/// Counters of what the platform did during a run.
struct PlatformCounters {
  std::uint64_t launches = 0;          ///< instances launched
  std::uint64_t launch_failures = 0;   ///< launches refused (impaired zone: insufficient capacity)
  std::uint64_t failures = 0;          ///< instances that failed
  std::uint64_t interruptions = 0;     ///< Spot interruption notices
  std::uint64_t replacements = 0;      ///< instances terminated as unhealthy and replaced
  std::uint64_t rebalances = 0;        ///< instances terminated to rebalance zones
};

/// First and one-past-last event kind the platform schedules; the caller routes these to
/// `Platform::handle`.
inline constexpr std::uint32_t kFirstEventKind = 100;
inline constexpr std::uint32_t kEndEventKind = 200;

/// The dynamic platform of one run: zones that go down and come back, EC2 instances that launch,
/// fail and are interrupted, Auto Scaling groups that keep their desired count spread over
/// their zones, and groups of instances launched by hand that nothing replaces. Instances live in a structure-of-arrays table indexed by InstanceId (ids are
/// never reused). Changes are appended to `changes()`, which the caller drains after each call
/// to `start` or `handle`. Owns its tables and its random streams.
class Platform {
 public:
  /// A platform for `config`, drawing from streams derived from `seed`; `config` and `catalog`
  /// (which the groups' types index) must outlive the platform.
  Platform(const PlatformConfig& config, const InstanceCatalog& catalog, std::uint64_t seed);

  /// Schedules the first launches of every group and the configured faults.
  void start(Simulator& sim);
  /// Handles one event whose kind is in [kFirstEventKind, kEndEventKind).
  void handle(Simulator& sim, const Event& e);

  /// Changes since the caller last cleared this list; the caller clears it.
  [[nodiscard]] std::vector<InstanceChange>& changes() noexcept { return changes_; }

  /// Terminates a pending or running instance on request (scale-in). With `decrement_desired`
  /// the group's desired count drops by one unless it is at its minimum; the group replaces the
  /// instance whenever it is then short of its desired count.
  void terminate(Simulator& sim, InstanceId id, bool decrement_desired);

  /// Raises the desired count of `group` to `desired` (at most the group's max) and launches
  /// what it lacks; a lower value is ignored: scale-in goes through `terminate`, so that the
  /// caller chooses the instances (managed termination protection).
  void scale_out(Simulator& sim, GroupId group, std::uint32_t desired);
  /// Launches one instance of `type` in zone `az` (Spot when `spot`) into `group`, which must be
  /// a group of instances launched by hand (`replace` false), as an EC2 Fleet request of type
  /// instant does: none when the zone is down or, impaired, refuses it for want of capacity.
  std::optional<InstanceId> launch_instance(Simulator& sim, GroupId group, InstanceTypeIndex type,
                                            AzId az, bool spot);
  /// Lowers the desired count of `group` towards `desired` without terminating anything: never
  /// below its live (pending and running) instances nor its minimum (SetDesiredCapacity when the
  /// launches it was waiting for never came).
  void lower_desired(GroupId group, std::uint32_t desired);
  /// Changes the minimum size of `group` (UpdateAutoScalingGroup's MinSize); raising the
  /// desired count to it is the caller's `scale_out`.
  void set_min(GroupId group, std::uint32_t min);
  /// The minimum size of `group` (its configured min unless `set_min` changed it).
  [[nodiscard]] std::uint32_t min(GroupId group) const { return min_[group.value()]; }
  /// The desired count of `group`.
  [[nodiscard]] std::uint32_t desired(GroupId group) const { return desired_[group.value()]; }
  /// The maximum size of `group` (its configured max unless `set_max` changed it).
  [[nodiscard]] std::uint32_t max(GroupId group) const { return max_[group.value()]; }
  /// Changes the maximum size of `group` (as UpdateAutoScalingGroup does); a desired count above
  /// it is lowered to it, leaving the instances beyond it to the caller's `terminate`.
  void set_max(GroupId group, std::uint32_t max);
  /// Pending and running instances of `group`, oldest first.
  [[nodiscard]] const std::vector<InstanceId>& live_instances(GroupId group) const {
    return live_[group.value()];
  }
  /// Sets or clears scale-in protection of instance `id`: the group's AZ rebalancing never
  /// terminates a protected instance (failures, Spot reclaims and `terminate` still do).
  void set_scale_in_protected(InstanceId id, bool on) { protected_[id.value()] = on ? 1 : 0; }
  /// When instance `id` was launched.
  [[nodiscard]] SimTime launched_at(InstanceId id) const { return launched_[id.value()]; }

  /// Number of instances ever launched (the next id).
  [[nodiscard]] std::size_t instance_count() const noexcept { return state_.size(); }
  /// State, zone, group, type, reachability and Spot flag of instance `id`.
  [[nodiscard]] InstanceState state(InstanceId id) const { return state_[id.value()]; }
  [[nodiscard]] AzId az(InstanceId id) const { return az_[id.value()]; }
  [[nodiscard]] GroupId group(InstanceId id) const { return group_[id.value()]; }
  [[nodiscard]] InstanceTypeIndex type(InstanceId id) const { return type_[id.value()]; }
  [[nodiscard]] bool reachable(InstanceId id) const { return reachable_[id.value()] != 0; }
  [[nodiscard]] bool spot(InstanceId id) const { return spot_[id.value()] != 0; }
  [[nodiscard]] TerminationCause cause(InstanceId id) const { return cause_[id.value()]; }
  /// The state of zone `az`.
  [[nodiscard]] AzState az_state(AzId az) const { return az_state_[az.value()]; }
  /// Number of zones.
  [[nodiscard]] std::size_t az_count() const noexcept { return az_state_.size(); }

  /// USD spent on EC2 up to `now`, counting instances still running as if billed until `now`.
  [[nodiscard]] double ec2_cost_usd(SimTime now) const;
  /// What the platform did so far.
  [[nodiscard]] const PlatformCounters& counters() const noexcept { return counters_; }

 private:
  void schedule_fault(Simulator& sim, std::size_t index);
  void on_fault(Simulator& sim, std::size_t index, bool begins);
  // Recomputes the state of `az` from the faults in force and acts on a change.
  void refresh_az(AzId az, Simulator& sim);
  // Launches instances until `group` has its desired count (plus a rebalancing launch).
  void reconcile(Simulator& sim, GroupId group);
  // The group's zone with the fewest live instances among those not down, skipping `skip`.
  [[nodiscard]] std::optional<AzId> emptiest_zone(GroupId group, std::uint64_t skip_mask) const;
  InstanceId launch(Simulator& sim, GroupId group, AzId az, bool running_now);
  InstanceId launch_as(Simulator& sim, GroupId group, AzId az, InstanceTypeIndex type, bool spot,
                       bool running_now);
  /// What group `group` launches next in zone `az`: the instance type, and whether Spot.
  [[nodiscard]] std::pair<InstanceTypeIndex, bool> launch_choice(GroupId group, AzId az) const;
  void on_running(Simulator& sim, InstanceId id);
  void end_instance(Simulator& sim, InstanceId id, TerminationCause cause, bool replace);
  void check_rebalance(Simulator& sim, GroupId group);
  // The instance `group` terminates once its rebalancing launch `launched` is up.
  [[nodiscard]] InstanceId excess_instance(GroupId group, InstanceId launched) const;
  // Live instances of `group` per zone, kept up to date on every launch and termination.
  [[nodiscard]] std::span<const std::uint32_t> live_by_zone(GroupId group) const;

  const PlatformConfig& config_;
  const InstanceCatalog& catalog_;
  RandomStream latency_rng_, launch_rng_, failure_rng_, spot_rng_, pick_rng_;
  CostMeter cost_;

  // The instance table, structure of arrays indexed by InstanceId.
  std::vector<InstanceState> state_;
  std::vector<AzId> az_;
  std::vector<GroupId> group_;
  std::vector<InstanceTypeIndex> type_;
  std::vector<std::uint8_t> reachable_;
  std::vector<std::uint8_t> spot_;
  std::vector<TerminationCause> cause_;
  std::vector<SimTime> unreachable_since_;  // when it last became unreachable
  std::vector<SimTime> launched_;
  std::vector<std::uint8_t> protected_;  // scale-in protection
  std::vector<CostItemId> cost_item_;

  // Zones: state, and how many outages and impairments are in force.
  std::vector<AzState> az_state_;
  std::vector<std::uint32_t> outages_, impairments_;
  std::vector<double> failure_rate_;
  std::vector<std::uint8_t> fault_active_;  // per scheduled fault: begun and not yet ended

  // Groups: desired count, live (pending or running) instances, a pending rebalancing launch.
  std::vector<std::uint32_t> desired_;
  std::vector<std::uint32_t> max_;  // per group: maximum size
  std::vector<std::uint32_t> min_;  // per group: minimum size
  std::vector<std::vector<InstanceId>> live_;
  std::vector<std::uint32_t> live_in_zone_;  // [group * zones + zone]: live instances
  std::vector<InstanceId> rebalancing_;
  std::vector<std::uint8_t> retry_scheduled_;

  std::vector<InstanceChange> changes_;
  PlatformCounters counters_;
};

}  // namespace ecsim::platform
