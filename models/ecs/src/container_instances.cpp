#include "ecsim/ecs/container_instances.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <limits>

#include "ecsim/sim/assert.hpp"

namespace ecsim::ecs {
namespace {

constexpr ContainerInstanceIndex kNoIndex = std::numeric_limits<ContainerInstanceIndex>::max();

// Sorted and without repeats, as every list of host ports here must be.
bool sorted_unique(std::span<const HostPort> ports) {
  return std::adjacent_find(ports.begin(), ports.end(), std::greater_equal<>{}) == ports.end();
}

}  // namespace

std::string_view to_string(PlacementFailure failure) noexcept {
  switch (failure) {
    case PlacementFailure::kResourceCpu: return "RESOURCE:CPU";
    case PlacementFailure::kResourceMemory: return "RESOURCE:MEMORY";
    case PlacementFailure::kResourcePorts: return "RESOURCE:PORTS";
    case PlacementFailure::kResourceEni: return "RESOURCE:ENI";
    case PlacementFailure::kNoInstances: return "NO_INSTANCES";
    case PlacementFailure::kMemberOf: return "MemberOf placement constraint unsatisfied.";
    case PlacementFailure::kDistinctInstance:
      return "DistinctInstance placement constraint unsatisfied.";
    case PlacementFailure::kNone: break;
  }
  return "";
}

void ContainerInstances::set_task_enis(ContainerInstanceIndex i, std::uint32_t enis) {
  eni_free_[i] = enis;
}

void ContainerInstances::reserve_eni(ContainerInstanceIndex i) {
  if (eni_free_[i] == kUnlimitedEnis) return;
  ECSIM_ASSERT(eni_free_[i] > 0, "an awsvpc task takes a free network interface");
  --eni_free_[i];
}

void ContainerInstances::release_eni(ContainerInstanceIndex i) {
  if (eni_free_[i] != kUnlimitedEnis) ++eni_free_[i];
}

ContainerInstanceIndex ContainerInstances::register_instance(
    InstanceId ec2, AzId az, std::int64_t cpu_units, std::int64_t memory_mib,
    std::span<const HostPort> agent_ports) {
  ECSIM_ASSERT(cpu_units >= 0 && memory_mib > 0, "registered resources must be positive");
  ECSIM_ASSERT(sorted_unique(agent_ports) && agent_ports.size() <= kMaxReservedPorts,
               "an agent reserves a sorted list of distinct ports, at most the limit");
  ECSIM_ASSERT(cpu_units <= std::numeric_limits<std::int32_t>::max() &&
                   memory_mib <= std::numeric_limits<std::int32_t>::max(),
               "registered resources fit AWS's Integer");
  ECSIM_ASSERT(!find(ec2), "an EC2 instance registers once");
  const auto i = static_cast<ContainerInstanceIndex>(ec2_.size());
  ec2_.push_back(ec2);
  az_.push_back(az);
  cpu_total_.push_back(cpu_units);
  mem_total_.push_back(memory_mib);
  cpu_free_.push_back(static_cast<std::int32_t>(cpu_units));
  mem_free_.push_back(static_cast<std::int32_t>(memory_mib));
  active_.push_back(1);
  connected_.push_back(1);
  draining_.push_back(0);
  registered_.push_back(1);
  eni_free_.push_back(kUnlimitedEnis);
  ports_.emplace_back(agent_ports.begin(), agent_ports.end());
  port_bits_.push_back(0);
  summarize_ports(i);
  if (by_ec2_.size() <= ec2.value()) by_ec2_.resize(ec2.value() + 1, kNoIndex);
  by_ec2_[ec2.value()] = i;
  for (auto& counts : group_tasks_) counts.push_back(0);
  if (az.value() >= azs_) {
    azs_ = std::size_t{az.value()} + 1;
    for (auto& counts : group_az_tasks_) counts.resize(azs_, 0);
    zone_members_.resize(azs_);
    if (fit_changes_.built) {
      zone_fit_.resize(azs_);
      fit_changes_.of_zone.resize(azs_);
    }
    if (memory_changes_.built) {
      zone_memory_.resize(azs_, empty_buckets());
      memory_changes_.of_zone.resize(azs_);
    }
  }
  // Its entries in the zone indexes' bookkeeping before anything may walk every instance.
  zone_slot_.push_back(static_cast<std::uint32_t>(zone_members_[az.value()].size()));
  zone_members_[az.value()].push_back(i);
  bucket_of_.push_back(kNoBucket);
  slot_in_bucket_.push_back(0);
  fit_changes_.pending.push_back(0);
  memory_changes_.pending.push_back(0);
  // Memory buckets: wide enough for the largest instance so far (rebuilt, rarely, when one
  // is larger); the new instance joins its bucket when a spread next reads its zone.
  if ((static_cast<std::uint64_t>(memory_mib) >> memory_shift_) >= kMemoryBuckets) {
    while ((static_cast<std::uint64_t>(memory_mib) >> memory_shift_) >= kMemoryBuckets)
      ++memory_shift_;
    if (memory_changes_.built) {
      zone_memory_.assign(azs_, empty_buckets());
      std::fill(bucket_of_.begin(), bucket_of_.end(), kNoBucket);
      note_all_changed(memory_changes_);
    }
  }
  refresh_fit(i);
  return i;
}

void ContainerInstances::refresh_fit(ContainerInstanceIndex i) {
  const bool ok = usable(i);
  fit_.set(i, ok ? cpu_free_[i] : detail::FitTree::kUnusable,
           ok ? mem_free_[i] : detail::FitTree::kUnusable);
  note_change(fit_changes_, i);
  note_change(memory_changes_, i);
}

void ContainerInstances::note_change(PendingChanges& changes, ContainerInstanceIndex i) const {
  if (!changes.built || changes.pending[i] != 0) return;
  changes.pending[i] = 1;
  changes.of_zone[az_[i].value()].push_back(i);
}

void ContainerInstances::note_all_changed(PendingChanges& changes) const {
  changes.built = true;
  changes.of_zone.resize(azs_);
  for (std::size_t k = 0; k < ec2_.size(); ++k)
    note_change(changes, static_cast<ContainerInstanceIndex>(k));
}

void ContainerInstances::rebucket(ContainerInstanceIndex i) const {
  MemoryBuckets& zone = zone_memory_[az_[i].value()];
  const std::uint32_t was = bucket_of_[i];
  const std::uint32_t now =
      usable(i) ? static_cast<std::uint32_t>(mem_free_[i]) >> memory_shift_ : kNoBucket;
  if (was == now) return;
  if (was != kNoBucket) {
    std::vector<ContainerInstanceIndex>& from = zone.bucket[was];
    const ContainerInstanceIndex moved = from.back();
    from[slot_in_bucket_[i]] = moved;
    slot_in_bucket_[moved] = slot_in_bucket_[i];
    from.pop_back();
    if (from.empty()) zone.used[was / 64] &= ~(std::uint64_t{1} << (was % 64));
  }
  bucket_of_[i] = now;
  if (now == kNoBucket) return;
  std::vector<ContainerInstanceIndex>& to = zone.bucket[now];
  slot_in_bucket_[i] = static_cast<std::uint32_t>(to.size());
  to.push_back(i);
  zone.used[now / 64] |= std::uint64_t{1} << (now % 64);
}

ContainerInstances::MemoryBuckets ContainerInstances::empty_buckets() {
  return MemoryBuckets{std::vector<std::vector<ContainerInstanceIndex>>(kMemoryBuckets),
                       std::vector<std::uint64_t>(kMemoryBuckets / 64, 0)};
}


void ContainerInstances::sync_zone_memory(std::size_t z) const {
  // Built on first use: clusters that never spread then binpack on memory keep no buckets.
  if (!memory_changes_.built) {
    zone_memory_.assign(azs_, empty_buckets());
    note_all_changed(memory_changes_);
  }
  for (const ContainerInstanceIndex i : memory_changes_.of_zone[z]) {
    memory_changes_.pending[i] = 0;
    rebucket(i);
  }
  memory_changes_.of_zone[z].clear();
}

void ContainerInstances::sync_zone_fit(std::size_t z) const {
  // Built on first use: clusters without a default spread keep no zone trees.
  if (!fit_changes_.built) {
    zone_fit_.assign(azs_, detail::FitTree{});
    note_all_changed(fit_changes_);
  }
  for (const ContainerInstanceIndex i : fit_changes_.of_zone[z]) {
    const bool ok = usable(i);
    zone_fit_[z].set(zone_slot_[i], ok ? cpu_free_[i] : detail::FitTree::kUnusable,
                     ok ? mem_free_[i] : detail::FitTree::kUnusable);
    fit_changes_.pending[i] = 0;
  }
  fit_changes_.of_zone[z].clear();
}

std::optional<ContainerInstanceIndex> ContainerInstances::find(InstanceId ec2) const {
  if (ec2.value() >= by_ec2_.size() || by_ec2_[ec2.value()] == kNoIndex) return std::nullopt;
  return by_ec2_[ec2.value()];
}

void ContainerInstances::set_connected(ContainerInstanceIndex i, bool connected) {
  connected_[i] = connected ? 1 : 0;
  refresh_fit(i);
}

void ContainerInstances::set_draining(ContainerInstanceIndex i) {
  ECSIM_ASSERT(registered_[i] != 0, "only a registered instance drains");
  draining_[i] = 1;
  active_[i] = 0;
  refresh_fit(i);
}

void ContainerInstances::deregister(ContainerInstanceIndex i) {
  active_[i] = 0;
  registered_[i] = 0;
  refresh_fit(i);
}

std::optional<ContainerInstanceIndex> ContainerInstances::first_fit(
    std::int64_t cpu_units, std::int64_t memory_mib, std::span<const HostPort> ports) const {
  const auto s = fit_.search(cpu_units, memory_mib, [&](std::size_t i) {
    return ports_free(static_cast<ContainerInstanceIndex>(i), ports);
  });
  if (!s) return std::nullopt;
  return static_cast<ContainerInstanceIndex>(*s);
}

PlacementFailure ContainerInstances::why_not(std::int64_t cpu_units, std::int64_t memory_mib,
                                             std::span<const HostPort> ports) const {
  // The tree's root holds the most free CPU and memory over the usable instances.
  if (fit_.max_cpu() == detail::FitTree::kUnusable) return PlacementFailure::kNoInstances;
  if (fit_.max_cpu() < cpu_units) return PlacementFailure::kResourceCpu;
  if (!fit_.search(cpu_units, memory_mib, [](std::size_t) { return true; }))
    return PlacementFailure::kResourceMemory;
  return first_fit(cpu_units, memory_mib, ports) ? PlacementFailure::kNone
                                                 : PlacementFailure::kResourcePorts;
}

bool ContainerInstances::ports_free(ContainerInstanceIndex i,
                                    std::span<const HostPort> ports) const {
  if (ports.empty()) return true;
  const std::vector<HostPort>& held = ports_[i];
  if (held.size() + ports.size() > kMaxReservedPorts) return false;
  // Both lists are sorted: one walk through each, front to back.
  auto h = held.begin();
  for (const HostPort& p : ports) {
    while (h != held.end() && *h < p) ++h;
    if (h == held.end()) return true;
    if (*h == p) return false;
  }
  return true;
}

void ContainerInstances::reserve(ContainerInstanceIndex i, std::int64_t cpu_units,
                                 std::int64_t memory_mib) {
  ECSIM_ASSERT(cpu_free_[i] >= cpu_units && mem_free_[i] >= memory_mib,
               "a task is placed only where it fits");
  ECSIM_ASSERT(cpu_units >= 0 && memory_mib >= 0, "a task reserves non-negative resources");
  // Both amounts are at most the free ones here, so they fit 32 bits.
  cpu_free_[i] = static_cast<std::int32_t>(cpu_free_[i] - cpu_units);
  mem_free_[i] = static_cast<std::int32_t>(mem_free_[i] - memory_mib);
  refresh_fit(i);
}

void ContainerInstances::reserve_ports(ContainerInstanceIndex i, std::span<const HostPort> ports) {
  if (ports.empty()) return;  // most tasks: nothing to keep, the summary is unchanged
  ECSIM_ASSERT(sorted_unique(ports), "a task's host ports are sorted and distinct");
  ECSIM_ASSERT(ports_free(i, ports), "a task is placed only where its host ports are free");
  std::vector<HostPort>& held = ports_[i];
  for (const HostPort& p : ports) held.insert(std::lower_bound(held.begin(), held.end(), p), p);
  summarize_ports(i);
}

void ContainerInstances::release(ContainerInstanceIndex i, std::int64_t cpu_units,
                                 std::int64_t memory_mib) {
  ECSIM_ASSERT(cpu_units >= 0 && memory_mib >= 0 && cpu_free_[i] + cpu_units <= cpu_total_[i] &&
                   mem_free_[i] + memory_mib <= mem_total_[i],
               "released more than was reserved");
  cpu_free_[i] = static_cast<std::int32_t>(cpu_free_[i] + cpu_units);
  mem_free_[i] = static_cast<std::int32_t>(mem_free_[i] + memory_mib);
  refresh_fit(i);
}

// The overloads with ports keep the ones without as they were: the placement benchmark and most
// tasks (no static host port) go through those.
void ContainerInstances::reserve(ContainerInstanceIndex i, std::int64_t cpu_units,
                                 std::int64_t memory_mib, std::span<const HostPort> ports) {
  reserve_ports(i, ports);
  reserve(i, cpu_units, memory_mib);
}

void ContainerInstances::release(ContainerInstanceIndex i, std::int64_t cpu_units,
                                 std::int64_t memory_mib, std::span<const HostPort> ports) {
  release_ports(i, ports);
  release(i, cpu_units, memory_mib);
}

void ContainerInstances::release_ports(ContainerInstanceIndex i, std::span<const HostPort> ports) {
  if (ports.empty()) return;
  std::vector<HostPort>& held = ports_[i];
  for (const HostPort& p : ports) {
    const auto at = std::lower_bound(held.begin(), held.end(), p);
    ECSIM_ASSERT(at != held.end() && *at == p, "a task releases only host ports it reserved");
    held.erase(at);
  }
  summarize_ports(i);
}

void ContainerInstances::summarize_ports(ContainerInstanceIndex i) {
  const std::vector<HostPort>& held = ports_[i];
  std::uint64_t bits = 0;
  for (const HostPort& p : held) bits |= detail::port_bit(p);
  if (held.size() > kMaxReservedPorts - detail::kPortSummaryMaxRequest) bits = ~std::uint64_t{0};
  port_bits_[i] = bits;
}

}  // namespace ecsim::ecs

namespace ecsim::ecs {

TaskGroupIndex ContainerInstances::add_task_group() {
  const auto g = static_cast<TaskGroupIndex>(group_tasks_.size());
  group_tasks_.emplace_back(ec2_.size(), 0);
  group_az_tasks_.emplace_back(azs_, 0);
  return g;
}

void ContainerInstances::reserve(ContainerInstanceIndex i, std::int64_t cpu_units,
                                 std::int64_t memory_mib, TaskGroupIndex group) {
  reserve(i, cpu_units, memory_mib);
  ++group_tasks_[group][i];
  ++group_az_tasks_[group][az_[i].value()];
}

void ContainerInstances::release(ContainerInstanceIndex i, std::int64_t cpu_units,
                                 std::int64_t memory_mib, TaskGroupIndex group) {
  ECSIM_ASSERT(group_tasks_[group][i] > 0, "a group task is released where it was counted");
  release(i, cpu_units, memory_mib);
  --group_tasks_[group][i];
  --group_az_tasks_[group][az_[i].value()];
}

void ContainerInstances::reserve(ContainerInstanceIndex i, std::int64_t cpu_units,
                                 std::int64_t memory_mib, TaskGroupIndex group,
                                 std::span<const HostPort> ports) {
  reserve_ports(i, ports);
  reserve(i, cpu_units, memory_mib, group);
}

void ContainerInstances::release(ContainerInstanceIndex i, std::int64_t cpu_units,
                                 std::int64_t memory_mib, TaskGroupIndex group,
                                 std::span<const HostPort> ports) {
  release_ports(i, ports);
  release(i, cpu_units, memory_mib, group);
}

}  // namespace ecsim::ecs
