#pragma once

/// ECS task placement on EC2 container instances, as the ECS Developer Guide documents it:
/// resources (CPU, memory, host ports) first, then constraints (binding), then strategies (best
/// effort), in that order; and the scale-in counterparts that choose where a group's task is
/// stopped.

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "ecsim/ecs/container_instances.hpp"
#include "ecsim/sim/random.hpp"

namespace ecsim::ecs {

/// The kind of a placement strategy (the `type` of AWS's PlacementStrategy).
enum class StrategyType : std::uint8_t {
  kBinpack,  ///< the instance with the least remaining of `field` (cpu or memory)
  kSpread,   ///< the value of `field` holding the fewest of the group's tasks
  kRandom,   ///< one candidate uniformly at random
};

/// What a strategy looks at (the `field` of AWS's PlacementStrategy).
enum class StrategyField : std::uint8_t {
  kNone,              ///< random takes no field
  kCpu,               ///< binpack: unreserved CPU units
  kMemory,            ///< binpack: unreserved MiB
  kInstanceId,        ///< spread: each instance is its own value ("instanceId" or "host")
  kAvailabilityZone,  ///< spread: "attribute:ecs.availability-zone", the instance's zone
  kAttribute,         ///< spread: any other attribute, its values given per instance
};

/// The value id meaning "this instance does not have the attribute" in an attribute column.
inline constexpr std::uint32_t kNoAttributeValue = std::numeric_limits<std::uint32_t>::max();

/// One placement strategy: a closed kind plus its parameters (a value type; views only).
struct PlacementStrategy {
  /// The kind of strategy.
  StrategyType type = StrategyType::kRandom;
  /// The field it applies to (see `StrategyField` for which fields go with which kind).
  StrategyField field = StrategyField::kNone;
  /// For spread on kAttribute: the attribute's value id per container instance (dense small
  /// integers, kNoAttributeValue where absent), one per instance; not owned.
  std::span<const std::uint32_t> attribute_values{};

  /// binpack on `field` (kCpu or kMemory).
  static constexpr PlacementStrategy binpack(StrategyField field) noexcept {
    return {StrategyType::kBinpack, field, {}};
  }
  /// spread on instanceId (kInstanceId) or the availability zone (kAvailabilityZone).
  static constexpr PlacementStrategy spread(StrategyField field) noexcept {
    return {StrategyType::kSpread, field, {}};
  }
  /// spread on a custom or platform attribute whose value ids per instance are `values`.
  static constexpr PlacementStrategy spread_attribute(
      std::span<const std::uint32_t> values) noexcept {
    return {StrategyType::kSpread, StrategyField::kAttribute, values};
  }
  /// random.
  static constexpr PlacementStrategy random() noexcept {
    return {StrategyType::kRandom, StrategyField::kNone, {}};
  }
};

/// One task to place: its size, its group, and its service's (or RunTask's) rules; views only.
struct PlacementRequest {
  /// CPU units the task reserves.
  std::int64_t cpu_units = 0;
  /// MiB the task reserves.
  std::int64_t memory_mib = 0;
  /// The task's group: spread counts and distinctInstance look at this group's tasks.
  TaskGroupIndex group = 0;
  /// The strategies in the order given (AWS's placementStrategy list); empty: lowest index.
  std::span<const PlacementStrategy> strategies{};
  /// The distinctInstance constraint: no instance already holding a task of `group`.
  bool distinct_instance = false;
  /// The memberOf constraint as a mask, one byte per instance (non-zero: eligible), computed by
  /// the cluster query language evaluator; empty: no memberOf constraint.
  std::span<const std::uint8_t> member_of{};
  /// The task's static host ports, sorted and without repeats (`TaskDefinition::host_ports`):
  /// an instance where any of them is reserved cannot take it; empty: the task maps none.
  std::span<const HostPort> host_ports{};
  /// The task runs in awsvpc mode: it takes one of the instance's free network interfaces.
  bool needs_eni = false;
};

/// The outcome of one placement: an instance, or why there is none.
struct PlacementResult {
  /// The chosen instance, if any.
  std::optional<ContainerInstanceIndex> instance;
  /// kNone on success, else the reason AWS would report.
  PlacementFailure failure = PlacementFailure::kNone;
};

/// One scale-in choice to make: which instance gives up a task of `group`; views only.
struct StopRequest {
  /// The group whose task is stopped.
  TaskGroupIndex group = 0;
  /// CPU units and MiB each task of the group reserves (binpack looks at what is left after).
  std::int64_t cpu_units = 0;
  /// See `cpu_units`.
  std::int64_t memory_mib = 0;
  /// The group's placement strategies, in order; each picks its scale-in counterpart.
  std::span<const PlacementStrategy> strategies{};
  /// Ties left after the strategies go to a random instance (AWS: "within an Availability
  /// Zone, tasks are selected at random") when true, to the lowest index when false.
  bool random_ties = true;
};

/// Places tasks on a `ContainerInstances` table. Owns its scratch buffers (reused, so a
/// placement allocates nothing once they have grown to the cluster's size) and the random
/// stream that the random strategy and scale-in ties draw from.
class Placer {
 public:
  /// A placer whose random choices come from `random` (copied: a named stream of the run).
  explicit Placer(const RandomStream& random) : random_(random) {}

  /// Chooses the instance for `request` on `instances` without reserving anything: the caller
  /// reserves on success (so it can also count the task in its group).
  [[nodiscard]] PlacementResult place(const ContainerInstances& instances,
                                      const PlacementRequest& request);

  /// Chooses the instance one of `request.group`'s tasks is stopped on when the group scales
  /// in, by the strategies' documented counterparts; none when the group has no task.
  [[nodiscard]] std::optional<ContainerInstanceIndex> choose_stop(
      const ContainerInstances& instances, const StopRequest& request);

 private:
  // Narrows candidates_[0, n) by `strategies` in order; returns how many are left. With
  // `lowest_ties` the ties after the last strategy are settled by index (one is left).
  std::size_t apply_strategies(const ContainerInstances& instances, TaskGroupIndex group,
                               std::span<const PlacementStrategy> strategies, std::size_t n,
                               bool scale_in, bool lowest_ties);
  // Calls fn with the key functor of `strategy` (see placement.cpp); `slot` (0 or 1) says which
  // scratch buffers a spread on an attribute counts in.
  template <class Fn>
  void with_key(const ContainerInstances& instances, TaskGroupIndex group,
                const PlacementStrategy& strategy, bool scale_in, int slot, Fn&& fn);
  // Counts the group's tasks per value of `strategy`'s attribute into value_counts_[slot] and
  // each instance's value slot into value_keys_[slot]; returns the counts.
  std::span<const std::uint32_t> count_values(const ContainerInstances& instances,
                                              TaskGroupIndex group,
                                              const PlacementStrategy& strategy, int slot);

  // ECS's default spread (over zones, then instances, by the group's tasks) without a memberOf
  // constraint, from the zones' fit trees instead of a pass over every instance: the lowest
  // instance holding none of the group's tasks in the zones with the fewest. None when that
  // does not settle it (no such instance in those zones, or no instance fits): the passes do.
  std::optional<ContainerInstanceIndex> place_default_spread(const ContainerInstances& instances,
                                                             const PlacementRequest& request);

  // Spread over zones then binpack on memory (the console's "AZ balanced binpack"), with or
  // without memberOf, from the zones' memory buckets: in the zones with the fewest of the
  // group's tasks, the first instance at or past the task's memory that passes the rest. None
  // when no instance fits (the passes then say why) or the scan grows long (they decide).
  std::optional<ContainerInstanceIndex> place_zone_binpack(const ContainerInstances& instances,
                                                           const PlacementRequest& request);

  // Why `request` found no instance, once the filter left none (the slow path).
  PlacementFailure why_none(const ContainerInstances& instances, const PlacementRequest& request);
  // Keeps, in order, the first `n` candidates with a network interface free; returns how many.
  std::size_t drop_without_eni(const ContainerInstances& instances, std::size_t n);
  // Keeps, in order, the first `n` candidates on which `ports` are free; returns how many.
  std::size_t drop_port_conflicts(const ContainerInstances& instances,
                                  std::span<const HostPort> ports, std::size_t n);

  // Grows the per-instance scratch buffers to `size` (they never shrink).
  void grow_scratch(std::size_t size);

  std::vector<ContainerInstanceIndex> candidates_;  // the candidates, ascending
  std::vector<std::uint8_t> flags_;                 // per instance: passed the filter
  std::vector<std::uint64_t> pair_keys_;            // per candidate: the current strategies' key
  std::vector<std::uint32_t> value_counts_[2];      // per attribute value: the group's tasks
  std::vector<std::uint32_t> value_keys_[2];        // per instance: its attribute value's slot
  RandomStream random_;
};

}  // namespace ecsim::ecs
