#include "ecsim/platform/fargate.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "ecsim/sim/assert.hpp"

namespace ecsim::platform {
namespace {

// One row of the Linux table: memory from first_mib to last_mib in steps of step_mib, plus
// extra_mib below first_mib where the table is not one arithmetic run (0.25 vCPU: 512 MiB).
struct SizeRow {
  std::uint32_t cpu_units;
  std::uint32_t extra_mib;  // 0 when none
  std::uint32_t first_mib;
  std::uint32_t last_mib;
  std::uint32_t step_mib;
};

constexpr std::array<SizeRow, 7> kSizes{{
    {256, 512, 1024, 2048, 1024},
    {512, 0, 1024, 4096, 1024},
    {1024, 0, 2048, 8192, 1024},
    {2048, 0, 4096, 16384, 1024},
    {4096, 0, 8192, 30720, 1024},
    {8192, 0, 16384, 61440, 4096},
    {16384, 0, 32768, 122880, 8192},
}};

constexpr std::array<std::uint32_t, kSizes.size()> kCpuChoices = [] {
  std::array<std::uint32_t, kSizes.size()> cpus{};
  for (std::size_t i = 0; i < kSizes.size(); ++i) cpus[i] = kSizes[i].cpu_units;
  return cpus;
}();

const SizeRow* row_of(std::uint32_t cpu_units) noexcept {
  const auto it = std::find_if(kSizes.begin(), kSizes.end(),
                               [&](const SizeRow& row) { return row.cpu_units == cpu_units; });
  return it == kSizes.end() ? nullptr : &*it;
}

constexpr std::int64_t kCreditPerLaunch = 1'000'000'000;  // 10^6 us per second x 1000 rate steps

}  // namespace

std::span<const std::uint32_t> fargate_cpu_choices() noexcept {
  return kCpuChoices;
}

bool fargate_cpu_valid(std::uint32_t cpu_units) noexcept {
  return row_of(cpu_units) != nullptr;
}

std::vector<std::uint32_t> fargate_memory_choices(std::uint32_t cpu_units) {
  std::vector<std::uint32_t> choices;
  const SizeRow* row = row_of(cpu_units);
  if (row == nullptr) return choices;
  if (row->extra_mib != 0) choices.push_back(row->extra_mib);
  for (std::uint32_t mib = row->first_mib; mib <= row->last_mib; mib += row->step_mib)
    choices.push_back(mib);
  return choices;
}

std::optional<FargateSize> fargate_size_at_least(std::uint64_t cpu_units,
                                                std::uint64_t memory_mib) {
  for (const SizeRow& row : kSizes) {
    if (row.cpu_units < cpu_units || row.last_mib < memory_mib) continue;
    if (row.extra_mib != 0 && memory_mib <= row.extra_mib)
      return FargateSize{row.cpu_units, row.extra_mib};
    const std::uint64_t above = memory_mib <= row.first_mib ? 0 : memory_mib - row.first_mib;
    const std::uint64_t steps = (above + row.step_mib - 1) / row.step_mib;
    return FargateSize{row.cpu_units,
                       static_cast<std::uint32_t>(row.first_mib + steps * row.step_mib)};
  }
  return std::nullopt;
}

std::optional<std::string> fargate_size_error(std::uint32_t cpu_units, std::uint32_t memory_mib) {
  const std::string prefix =
      fmt::format("No Fargate configuration exists for given values: {} CPU, {} memory.", cpu_units,
                  memory_mib);
  if (!fargate_cpu_valid(cpu_units)) {
    return fmt::format("{} Valid CPU values: {}", prefix, fmt::join(kCpuChoices, ", "));
  }
  const std::vector<std::uint32_t> memory = fargate_memory_choices(cpu_units);
  if (std::find(memory.begin(), memory.end(), memory_mib) != memory.end()) return std::nullopt;
  return fmt::format("{} Valid memory values for {} CPU: {} MiB", prefix, cpu_units,
                     fmt::join(memory, ", "));
}

LaunchTokenBucket::LaunchTokenBucket(double burst, double per_second) {
  ECSIM_ASSERT(burst >= 1 && burst <= 1e9, "a launch bucket holds between 1 and 10^9 launches");
  ECSIM_ASSERT(per_second >= 0.001 && per_second <= 1e9,
               "a launch rate is between 0.001 and 10^9 per second");
  capacity_ = std::llround(burst * static_cast<double>(kCreditPerLaunch));
  per_micro_ = std::llround(per_second * 1000.0);
  credit_ = capacity_;
}

std::int64_t LaunchTokenBucket::credit_at(SimTime now) const {
  ECSIM_ASSERT(now >= last_, "the launch bucket saw time go backwards");
  const std::int64_t elapsed = (now - last_).count();
  const std::int64_t missing = capacity_ - credit_;
  // Compare before multiplying: elapsed * per_micro_ overflows for long idle periods.
  if (elapsed >= (missing + per_micro_ - 1) / per_micro_) return capacity_;
  return credit_ + elapsed * per_micro_;
}

SimTime LaunchTokenBucket::next_available(SimTime now) const {
  const std::int64_t credit = credit_at(now);
  if (credit >= kCreditPerLaunch) return now;
  const std::int64_t missing = kCreditPerLaunch - credit;
  return now + SimDuration{(missing + per_micro_ - 1) / per_micro_};
}

void LaunchTokenBucket::take(SimTime now) {
  const std::int64_t credit = credit_at(now);
  ECSIM_ASSERT(credit >= kCreditPerLaunch, "a Fargate launch taken before the bucket allowed it");
  credit_ = credit - kCreditPerLaunch;
  last_ = now;
}

std::int64_t LaunchTokenBucket::available(SimTime now) const {
  return credit_at(now) / kCreditPerLaunch;
}

}  // namespace ecsim::platform
