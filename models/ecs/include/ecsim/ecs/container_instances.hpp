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
  kResourceCpu,     ///< "RESOURCE:CPU": no connected instance has enough unreserved CPU
  kResourceMemory,  ///< "RESOURCE:MEMORY": some have the CPU, none also the memory
  kNoInstances,     ///< no container instance is registered and connected
};

/// AWS's text for `failure`: "RESOURCE:CPU", "RESOURCE:MEMORY", "NO_INSTANCES", or "".
std::string_view to_string(PlacementFailure failure) noexcept;

/// Dense index of a container instance within its cluster, in registration order.
using ContainerInstanceIndex = std::uint32_t;

/// The container instances of one cluster as a structure of arrays: registered and free
/// resources, zone, and whether the agent is connected. Placement scans these arrays in
/// registration order. Owns its tables.
class ContainerInstances {
 public:
  /// Registers EC2 instance `ec2` in zone `az` with `cpu_units` and `memory_mib` (> 0) to give to
  /// tasks; it starts ACTIVE and connected. Returns its index.
  ContainerInstanceIndex register_instance(InstanceId ec2, AzId az, std::int64_t cpu_units,
                                           std::int64_t memory_mib);
  /// The index of EC2 instance `ec2`, if it registered here.
  [[nodiscard]] std::optional<ContainerInstanceIndex> find(InstanceId ec2) const;

  /// Marks the agent of `i` connected or disconnected; a disconnected instance takes no tasks.
  void set_connected(ContainerInstanceIndex i, bool connected);
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

  /// Number of instances ever registered.
  [[nodiscard]] std::size_t size() const noexcept { return ec2_.size(); }
  [[nodiscard]] InstanceId ec2(ContainerInstanceIndex i) const { return ec2_[i]; }
  [[nodiscard]] AzId az(ContainerInstanceIndex i) const { return az_[i]; }
  [[nodiscard]] bool active(ContainerInstanceIndex i) const { return active_[i] != 0; }
  [[nodiscard]] bool connected(ContainerInstanceIndex i) const { return connected_[i] != 0; }
  /// Registered and unreserved CPU units and MiB of `i`.
  [[nodiscard]] std::int64_t cpu_registered(ContainerInstanceIndex i) const { return cpu_total_[i]; }
  [[nodiscard]] std::int64_t memory_registered(ContainerInstanceIndex i) const { return mem_total_[i]; }
  [[nodiscard]] std::int64_t cpu_free(ContainerInstanceIndex i) const { return cpu_free_[i]; }
  [[nodiscard]] std::int64_t memory_free(ContainerInstanceIndex i) const { return mem_free_[i]; }

 private:
  [[nodiscard]] bool usable(ContainerInstanceIndex i) const {
    return active_[i] != 0 && connected_[i] != 0;
  }

  std::vector<InstanceId> ec2_;
  std::vector<AzId> az_;
  std::vector<std::int64_t> cpu_total_, mem_total_, cpu_free_, mem_free_;
  std::vector<std::uint8_t> active_, connected_;
  std::vector<ContainerInstanceIndex> by_ec2_;  // indexed by InstanceId; kNoIndex when absent
};

}  // namespace ecsim::ecs
