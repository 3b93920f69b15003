#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ecsim/ecs/fit_tree.hpp"
#include "ecsim/ecs/task_definition.hpp"
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

/// The host ports the ECS agent reserves on every Linux container instance by default
/// (ECS_RESERVED_PORTS: 22 for SSH, 2375 and 2376 for the Docker daemon, 51678 and 51679 for the
/// agent's introspection and credentials endpoints; all tcp, as ECS_RESERVED_PORTS_UDP is empty
/// by default), sorted.
inline constexpr std::array<HostPort, 5> kAgentReservedPorts{{{22, Protocol::kTcp},
                                                              {2375, Protocol::kTcp},
                                                              {2376, Protocol::kTcp},
                                                              {51678, Protocol::kTcp},
                                                              {51679, Protocol::kTcp}}};

/// The most host ports one container instance may have reserved at a time, the agent's own
/// included (AWS's PortMapping reference; dynamic ports do not count).
inline constexpr std::size_t kMaxReservedPorts = 100;

namespace detail {

/// The bit a host port sets in a 64-bit summary of a set of ports (a Bloom filter with one hash):
/// equal ports set equal bits; different ports may share one, so a summary can only say that
/// none of some ports is in the set, never that one is.
constexpr std::uint64_t port_bit(HostPort p) noexcept {
  const std::uint64_t key = std::uint64_t{p.port} << 1 | static_cast<std::uint64_t>(p.protocol);
  // Fibonacci hashing: the top 6 bits of the product, so that nearby ports spread out.
  return std::uint64_t{1} << ((key * 0x9E3779B97F4A7C15ULL) >> 58);
}

/// Requests with at most this many ports may trust a summary: an instance holding more than
/// kMaxReservedPorts less this many has its summary saturated (all ones), so one that says
/// "none taken" also says the limit is not reached.
inline constexpr std::size_t kPortSummaryMaxRequest = 16;

}  // namespace detail

/// Why RunTask could not place a task on any container instance (AWS's failure reasons). The
/// resource reasons follow the order the steps apply in: CPU, then memory, then ports.
enum class PlacementFailure : std::uint8_t {
  kNone,
  kResourceCpu,       ///< "RESOURCE:CPU": no connected instance has enough unreserved CPU
  kResourceMemory,    ///< "RESOURCE:MEMORY": some have the CPU, none also the memory
  kResourcePorts,     ///< "RESOURCE:PORTS": some have the CPU and memory, none the host ports
  kResourceEni,       ///< "RESOURCE:ENI": some have the rest, none a free network interface
  kNoInstances,       ///< no container instance is registered and connected
  kMemberOf,          ///< some have the resources, none of those is in the memberOf mask
  kDistinctInstance,  ///< some pass the rest, all of those hold a task of the group
};

/// AWS's text for `failure`: "RESOURCE:CPU", "RESOURCE:MEMORY", "RESOURCE:PORTS", "RESOURCE:ENI",
/// "NO_INSTANCES", "MemberOf placement constraint unsatisfied.", "DistinctInstance placement
/// constraint unsatisfied.", or "".
std::string_view to_string(PlacementFailure failure) noexcept;

/// The network interfaces free on an instance whose limit was never set.
inline constexpr std::uint32_t kUnlimitedEnis = std::numeric_limits<std::uint32_t>::max();

/// Dense index of a container instance within its cluster, in registration order.
using ContainerInstanceIndex = std::uint32_t;

/// Dense index of a task group (a service's tasks, or RunTask's `group`) within its cluster.
using TaskGroupIndex = std::uint32_t;

class Placer;

/// The container instances of one cluster as a structure of arrays: registered and free
/// resources, reserved host ports, zone, and whether the agent is connected. Placement scans
/// these arrays in registration order. Owns its tables.
///
/// Every `ports` argument below is a task's static host ports, sorted and without repeats (as
/// `TaskDefinition::host_ports` gives them); empty for a task that maps none.
class ContainerInstances {
 public:
  /// Registers EC2 instance `ec2` in zone `az` with `cpu_units` and `memory_mib` (> 0, at most
  /// 2147483647 each, AWS's Integer) to give to tasks, and `agent_ports` (sorted, without
  /// repeats) reserved by its agent for good; it starts ACTIVE and connected. Returns its index.
  ContainerInstanceIndex register_instance(
      InstanceId ec2, AzId az, std::int64_t cpu_units, std::int64_t memory_mib,
      std::span<const HostPort> agent_ports = kAgentReservedPorts);
  /// Sets how many network interfaces tasks in awsvpc mode may attach to `i` (each takes one):
  /// its type's maximum less the primary one. Unlimited (kUnlimitedEnis) until set.
  void set_task_enis(ContainerInstanceIndex i, std::uint32_t enis);
  /// The network interfaces still free for awsvpc tasks on `i`.
  [[nodiscard]] std::uint32_t enis_free(ContainerInstanceIndex i) const { return eni_free_[i]; }
  /// Takes one of `i`'s free network interfaces for an awsvpc task; gives one back.
  void reserve_eni(ContainerInstanceIndex i);
  void release_eni(ContainerInstanceIndex i);
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
  /// `memory_mib` unreserved and `ports` free, or none.
  [[nodiscard]] std::optional<ContainerInstanceIndex> first_fit(
      std::int64_t cpu_units, std::int64_t memory_mib, std::span<const HostPort> ports = {}) const;
  /// Why `first_fit` found nothing for that task: NO_INSTANCES, else the first of CPU, memory
  /// and ports that no usable instance has along with the ones before it.
  [[nodiscard]] PlacementFailure why_not(std::int64_t cpu_units, std::int64_t memory_mib,
                                         std::span<const HostPort> ports = {}) const;
  /// True when none of `ports` is reserved on `i` (by its agent or a task) and reserving them
  /// keeps `i` within kMaxReservedPorts; always true for no ports.
  [[nodiscard]] bool ports_free(ContainerInstanceIndex i, std::span<const HostPort> ports) const;
  /// The host ports reserved on `i`, its agent's and its tasks', sorted (what
  /// DescribeContainerInstances lists as its PORTS and PORTS_UDP resources); a view valid until
  /// the next reserve or release on `i`.
  [[nodiscard]] std::span<const HostPort> reserved_ports(ContainerInstanceIndex i) const {
    return ports_[i];
  }

  /// Reserves a task's resources on `i` (which must have room).
  void reserve(ContainerInstanceIndex i, std::int64_t cpu_units, std::int64_t memory_mib);
  /// Returns a task's resources to `i`.
  void release(ContainerInstanceIndex i, std::int64_t cpu_units, std::int64_t memory_mib);
  /// Reserves a task's resources and host ports on `i` (which must have room and the ports).
  void reserve(ContainerInstanceIndex i, std::int64_t cpu_units, std::int64_t memory_mib,
               std::span<const HostPort> ports);
  /// Returns a task's resources and host ports to `i`.
  void release(ContainerInstanceIndex i, std::int64_t cpu_units, std::int64_t memory_mib,
               std::span<const HostPort> ports);

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
  /// Reserves a task's resources and host ports on `i` and counts the task in group `group`
  /// there.
  void reserve(ContainerInstanceIndex i, std::int64_t cpu_units, std::int64_t memory_mib,
               TaskGroupIndex group, std::span<const HostPort> ports);
  /// Returns a task's resources and host ports to `i` and uncounts it from group `group` there.
  void release(ContainerInstanceIndex i, std::int64_t cpu_units, std::int64_t memory_mib,
               TaskGroupIndex group, std::span<const HostPort> ports);
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
  // Adds `ports` to those reserved on `i`, which must have them free; takes them back.
  void reserve_ports(ContainerInstanceIndex i, std::span<const HostPort> ports);
  void release_ports(ContainerInstanceIndex i, std::span<const HostPort> ports);
  // Recomputes port_bits_[i] from ports_[i].
  void summarize_ports(ContainerInstanceIndex i);
  // Brings instance `i`'s leaf of the cluster's fit tree up to date, and notes the change for
  // the zones' indexes that exist.
  void refresh_fit(ContainerInstanceIndex i);

  // The instances whose free amounts or status changed since a zone index (the zones' fit
  // trees, or their memory buckets) last read them. An index is built on first use, when every
  // instance is pending, and brought up to date when a spread reads a zone: most changes are
  // jobs' first-fit reservations, which read neither, so they cost the zone indexes nothing.
  struct PendingChanges {
    bool built = false;
    std::vector<std::vector<ContainerInstanceIndex>> of_zone;  // per zone
    std::vector<std::uint8_t> pending;                         // per instance
  };
  // Notes that instance `i` changed, for an index that exists.
  void note_change(PendingChanges& changes, ContainerInstanceIndex i) const;
  // The index is (re)built: every instance is pending.
  void note_all_changed(PendingChanges& changes) const;
  // Brings zone `z`'s fit tree, or its memory buckets, up to date.
  void sync_zone_fit(std::size_t z) const;
  void sync_zone_memory(std::size_t z) const;
  // Puts instance `i` in the bucket of its free memory (none when unusable) and takes it out
  // of the one it was in.
  void rebucket(ContainerInstanceIndex i) const;

  std::vector<InstanceId> ec2_;
  std::vector<AzId> az_;
  std::vector<std::int64_t> cpu_total_, mem_total_;
  // Free resources are 32-bit (AWS's own Integer, so no registered amount is larger): the
  // placement passes read half the bytes, and baseline x86-64 (SSE2) compares 32-bit lanes.
  std::vector<std::int32_t> cpu_free_, mem_free_;
  // active_ is the one status column placement reads: registered and not DRAINING.
  std::vector<std::uint8_t> active_, connected_, draining_, registered_;
  // Network interfaces free for awsvpc tasks, per instance (kUnlimitedEnis: not counted).
  std::vector<std::uint32_t> eni_free_;
  // Reserved host ports per instance, each list sorted. A list per instance, not a flat set
  // for the cluster: an instance holds a handful (the agent's five, plus a few per task with
  // static ports; at most kMaxReservedPorts), so an exact conflict check is a merge of two
  // short sorted lists read front to back. Placement only looks at ports for a task that maps
  // static ones (most map none, or dynamic ones), and then first at port_bits_, a column of
  // 64-bit summaries (detail::port_bit of each held port, all ones past the summary's limit):
  // a candidate whose summary shares no bit with the task's ports is free without the walk.
  std::vector<std::vector<HostPort>> ports_;
  std::vector<std::uint64_t> port_bits_;
  std::vector<ContainerInstanceIndex> by_ec2_;  // indexed by InstanceId; kNoIndex when absent
  // [group][instance] tasks of the group on the instance, and [group][az] their sum per zone
  // (kept so that spread over zones needs no pass to count).
  std::vector<std::vector<std::uint32_t>> group_tasks_;
  std::vector<std::vector<std::uint32_t>> group_az_tasks_;
  std::size_t azs_ = 0;  // 1 + the largest AzId registered
  // Free CPU and memory of the usable instances as fit trees: one over every instance in index
  // order (first fit), and one per zone over its instances in index order (the default spread
  // over zones and instances; built on first use): zone_members_[z][s] is the instance of
  // slot s of zone z's tree, zone_slot_[i] instance i's slot in its zone's.
  detail::FitTree fit_;
  mutable std::vector<detail::FitTree> zone_fit_;
  std::vector<std::vector<ContainerInstanceIndex>> zone_members_;
  std::vector<std::uint32_t> zone_slot_;
  mutable PendingChanges fit_changes_;
  // Each zone's usable instances by free memory, in buckets of 2^memory_shift_ MiB (at most
  // kMemoryBuckets of them, the shift rising when a larger instance registers), with a bitset
  // of the buckets in use: a spread over zones then binpack on memory reads, in the zones with
  // the fewest of the group's tasks, the first bucket at or past the task's memory holding an
  // instance that passes the rest, and takes its least (free memory, index). Built on first
  // use and brought up to date when read, as the zones' trees are.
  static constexpr std::size_t kMemoryBuckets = 4096;
  static constexpr std::uint32_t kNoBucket = std::numeric_limits<std::uint32_t>::max();
  struct MemoryBuckets {
    std::vector<std::vector<ContainerInstanceIndex>> bucket;
    std::vector<std::uint64_t> used;  // bit b: bucket b holds an instance
  };
  static MemoryBuckets empty_buckets();
  mutable std::vector<MemoryBuckets> zone_memory_;
  mutable std::vector<std::uint32_t> bucket_of_, slot_in_bucket_;  // per instance
  mutable std::uint32_t memory_shift_ = 0;
  mutable PendingChanges memory_changes_;
};

}  // namespace ecsim::ecs
