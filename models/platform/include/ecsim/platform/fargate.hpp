#pragma once

/// AWS Fargate rules for ECS tasks: the valid task sizes and the launch-rate throttle.
/// Sources (see models/data/README.md): the Amazon ECS Developer Guide, "Task CPU and memory"
/// (the Linux table; Windows allows fewer sizes), and the Fargate service quotas for the launch
/// rate (a token bucket of 100 tasks refilled at 20 per second).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ecsim/sim/time.hpp"

namespace ecsim::platform {

/// The task CPU values Fargate accepts, in CPU units (1024 units = 1 vCPU), ascending.
[[nodiscard]] std::span<const std::uint32_t> fargate_cpu_choices() noexcept;

/// True when Fargate accepts a task of `cpu_units` CPU units (1024 units = 1 vCPU).
[[nodiscard]] bool fargate_cpu_valid(std::uint32_t cpu_units) noexcept;

/// The task memory sizes, in MiB and ascending, that Fargate accepts with `cpu_units` CPU units;
/// empty when the CPU value itself is invalid.
[[nodiscard]] std::vector<std::uint32_t> fargate_memory_choices(std::uint32_t cpu_units);

/// Nothing when Fargate accepts a task of `cpu_units` CPU units and `memory_mib` MiB, else the
/// error in AWS's wording ("No Fargate configuration exists for given values: 512 CPU, 512
/// memory."), followed, where AWS only points at its documentation, by the valid values: the
/// memory sizes for that CPU, or the CPU values when the CPU is not one of them.
[[nodiscard]] std::optional<std::string> fargate_size_error(std::uint32_t cpu_units,
                                                            std::uint32_t memory_mib);

/// A Fargate size: CPU units (1024 = 1 vCPU) and memory in MiB.
struct FargateSize {
  std::uint32_t cpu_units = 0;
  std::uint32_t memory_mib = 0;

  friend bool operator==(const FargateSize&, const FargateSize&) = default;
};

/// The smallest Fargate size with at least `cpu_units` CPU units and `memory_mib` MiB: the
/// least CPU that offers enough memory, then the least memory of it (how Fargate rounds an EKS
/// pod up: 1 vCPU and 8.25 GiB become 2 vCPU and 9 GiB). None above 16 vCPU and 120 GiB.
[[nodiscard]] std::optional<FargateSize> fargate_size_at_least(std::uint64_t cpu_units,
                                                               std::uint64_t memory_mib);

/// The Fargate task launch throttle of one account and region: a token bucket that holds up to
/// `burst` launches and refills continuously at `per_second` launches per second; it starts full.
///
/// The arithmetic is exact integers: a launch is worth 10^9 credits, the bucket holds
/// round(burst * 10^9) credits and gains round(per_second * 1000) credits per microsecond of
/// virtual time (so rates resolve to 0.001 launches per second). Credit left over after a
/// launch is kept, so the waits never drift: once a whole burst of 2 or more is spent at one
/// instant, the k-th further launch of a saturated bucket comes exactly ceil(k * 10^6 /
/// per_second) microseconds later. (A burst of 1 cannot bank the sub-microsecond remainder.)
class LaunchTokenBucket {
 public:
  /// A full bucket of `burst` launches (>= 1) refilled at `per_second` launches per second
  /// (>= 0.001); the defaults are Fargate's documented 100 and 20.
  explicit LaunchTokenBucket(double burst = 100, double per_second = 20);

  /// The earliest instant at or after `now` when a launch is allowed (`now` >= every instant
  /// given to `take` before).
  [[nodiscard]] SimTime next_available(SimTime now) const;

  /// Spends one launch at `now`, which must be >= `next_available(now)` and >= every instant
  /// given to `take` before.
  void take(SimTime now);

  /// The whole launches available at `now` (`now` >= every instant given to `take` before).
  [[nodiscard]] std::int64_t available(SimTime now) const;

 private:
  // The credit at `now`: the credit at last_ plus what accrued since, capped at capacity_.
  [[nodiscard]] std::int64_t credit_at(SimTime now) const;

  std::int64_t capacity_;     // credits when full
  std::int64_t per_micro_;    // credits gained per microsecond
  std::int64_t credit_;       // credits at last_
  SimTime last_ = kSimStart;  // when credit_ was last brought up to date
};

}  // namespace ecsim::platform
