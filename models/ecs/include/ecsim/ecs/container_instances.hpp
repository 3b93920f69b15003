#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "ecsim/sim/ids.hpp"

namespace ecsim::ecs {

/// CPU units the ECS agent registers for an instance with `vcpu` virtual CPUs: 1024 per vCPU.
constexpr std::int64_t registered_cpu_units(std::uint32_t vcpu) noexcept {
  return std::int64_t{1024} * vcpu;
}

/// MiB the ECS agent registers for an instance with `nominal_mib` of installed memory, less
/// `reserved_mib` (the agent's ECS_RESERVED_MEMORY, default 0). The kernel and platform keep part
/// of the installed memory, so the agent sees less than the nominal size: AWS's example is an
/// m4.large, 8192 MiB installed, 7985 MiB registered. ecsim scales that ratio to every size
/// (rounding down); the real figure varies a little by AMI and kernel.
constexpr std::int64_t registered_memory_mib(std::uint32_t nominal_mib,
                                             std::int64_t reserved_mib = 0) noexcept {
  return std::int64_t{nominal_mib} * 7985 / 8192 - reserved_mib;
}

/// Why RunTask could not place a task on any container instance (AWS's failure reasons).
enum class PlacementFailure : std::uint8_t {
  kNone,
  kResourceCpu,       ///< "RESOURCE:CPU": no connected instance has enough unreserved CPU
  kResourceMemory,    ///< "RESOURCE:MEMORY": some have the CPU, none also the memory
  kNoInstances,       ///< no container instance is registered and connected
  kMemberOf,          ///< some have the resources, none of those is in the memberOf mask
  kDistinctInstance,  ///< some pass the rest, all of those hold a task of the group
};

/// AWS's text for `failure`: "RESOURCE:CPU", "RESOURCE:MEMORY", "NO_INSTANCES",
/// "MemberOf placement constraint unsatisfied.", "DistinctInstance placement constraint
/// unsatisfied.", or "".
std::string_view to_string(PlacementFailure failure) noexcept;

/// Dense index of a container instance within its cluster, in registration order.
using ContainerInstanceIndex = std::uint32_t;

/// Dense index of a task group (a service's tasks, or RunTask's `group`) within its cluster.
using TaskGroupIndex = std::uint32_t;

class Placer;

/// The container instances of one cluster as a structure of arrays: registered and free
/// resources, zone, and whether the agent is connected. Placement scans these arrays in
/// registration order. Owns its tables.
class ContainerInstances {
 public:
  /// Registers EC2 instance `ec2` in zone `az` with `cpu_units` and `memory_mib` (> 0, at most
  /// 2147483647 each, AWS's Integer) to give to tasks; it starts ACTIVE and connected. Returns
  /// its index.
  ContainerInstanceIndex register_instance(InstanceId ec2, AzId az, std::int64_t cpu_units,
                                           std::int64_t memory_mib);
  /// The index of EC2 instance `ec2`, if it registered here.
  [[nodiscard]] std::optional<ContainerInstanceIndex> find(InstanceId ec2) const;

  /// Marks the agent of `i` connected or disconnected; a disconnected instance takes no tasks.
  void set_connected(ContainerInstanceIndex i, bool connected);
  /// Sets `i` to DRAINING: it takes no new tasks from then on (its tasks are the caller's).
  void set_draining(ContainerInstanceIndex i);
  /// Removes `i` from placement for good (its EC2 instance is gone); its reservations stay with
  /// the tasks until they are released.
  void deregister(ContainerInstanceIndex i);

  /// The first ACTIVE, connected instance in registration order with at least `cpu_units` and
  /// `memory_mib` unreserved, or none.
  [[nodiscard]] std::optional<ContainerInstanceIndex> first_fit(std::int64_t cpu_units,
                                                                std::int64_t memory_mib) const;
  /// Why `first_fit` found nothing for a task of that size.
  [[nodiscard]] PlacementFailure why_not(std::int64_t cpu_units, std::int64_t memory_mib) const;

  /// Reserves a task's resources on `i` (which must have room).
  void reserve(ContainerInstanceIndex i, std::int64_t cpu_units, std::int64_t memory_mib);
  /// Returns a task's resources to `i`.
  void release(ContainerInstanceIndex i, std::int64_t cpu_units, std::int64_t memory_mib);

  /// Adds a task group (counts start at 0 on every instance) and returns its index.
  TaskGroupIndex add_task_group();
  /// Number of task groups added.
  [[nodiscard]] std::size_t task_groups() const noexcept { return group_tasks_.size(); }
  /// Reserves a task's resources on `i` and counts the task in group `group` there.
  void reserve(ContainerInstanceIndex i, std::int64_t cpu_units, std::int64_t memory_mib,
               TaskGroupIndex group);
  /// Returns a task's resources to `i` and uncounts it from group `group` there.
  void release(ContainerInstanceIndex i, std::int64_t cpu_units, std::int64_t memory_mib,
               TaskGroupIndex group);
  /// Number of tasks of `group` counted on instance `i`.
  [[nodiscard]] std::uint32_t group_tasks(TaskGroupIndex group, ContainerInstanceIndex i) const {
    return group_tasks_[group][i];
  }
  /// Number of tasks of `group` counted on the instances of zone `az` (deregistered ones too,
  /// until their tasks are released).
  [[nodiscard]] std::uint32_t group_tasks_in_az(TaskGroupIndex group, AzId az) const {
    return az.value() < group_az_tasks_[group].size() ? group_az_tasks_[group][az.value()] : 0;
  }

  /// Number of instances ever registered.
  [[nodiscard]] std::size_t size() const noexcept { return ec2_.size(); }
  [[nodiscard]] InstanceId ec2(ContainerInstanceIndex i) const { return ec2_[i]; }
  [[nodiscard]] AzId az(ContainerInstanceIndex i) const { return az_[i]; }
  /// ACTIVE: registered and not DRAINING, so placement may use it (when connected).
  [[nodiscard]] bool active(ContainerInstanceIndex i) const { return active_[i] != 0; }
  /// DRAINING (and still registered).
  [[nodiscard]] bool draining(ContainerInstanceIndex i) const { return draining_[i] != 0; }
  /// Registered: ACTIVE or DRAINING, not yet deregistered.
  [[nodiscard]] bool registered(ContainerInstanceIndex i) const { return registered_[i] != 0; }
  [[nodiscard]] bool connected(ContainerInstanceIndex i) const { return connected_[i] != 0; }
  /// Registered and unreserved CPU units and MiB of `i`.
  [[nodiscard]] std::int64_t cpu_registered(ContainerInstanceIndex i) const { return cpu_total_[i]; }
  [[nodiscard]] std::int64_t memory_registered(ContainerInstanceIndex i) const { return mem_total_[i]; }
  [[nodiscard]] std::int64_t cpu_free(ContainerInstanceIndex i) const { return cpu_free_[i]; }
  [[nodiscard]] std::int64_t memory_free(ContainerInstanceIndex i) const { return mem_free_[i]; }

 private:
  // The placer reads the columns directly: its passes are the reason they are columns.
  friend class Placer;

  [[nodiscard]] bool usable(ContainerInstanceIndex i) const {
    return active_[i] != 0 && connected_[i] != 0;
  }

  std::vector<InstanceId> ec2_;
  std::vector<AzId> az_;
  std::vector<std::int64_t> cpu_total_, mem_total_;
  // Free resources are 32-bit (AWS's own Integer, so no registered amount is larger): the
  // placement passes read half the bytes, and baseline x86-64 (SSE2) compares 32-bit lanes.
  std::vector<std::int32_t> cpu_free_, mem_free_;
  // active_ is the one status column placement reads: registered and not DRAINING.
  std::vector<std::uint8_t> active_, connected_, draining_, registered_;
  std::vector<ContainerInstanceIndex> by_ec2_;  // indexed by InstanceId; kNoIndex when absent
  // [group][instance] tasks of the group on the instance, and [group][az] their sum per zone
  // (kept so that spread over zones needs no pass to count).
  std::vector<std::vector<std::uint32_t>> group_tasks_;
  std::vector<std::vector<std::uint32_t>> group_az_tasks_;
  std::size_t azs_ = 0;  // 1 + the largest AzId registered
};

}  // namespace ecsim::ecs
