#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecsim/platform/catalog.hpp"
#include "ecsim/platform/cost.hpp"
#include "ecsim/sim/ids.hpp"
#include "ecsim/sim/random.hpp"
#include "ecsim/sim/time.hpp"

namespace ecsim::platform {

/// A lognormal launch latency: half of all launches take less than `median`; `sigma` is the
/// standard deviation of the underlying normal (0 makes every launch take exactly `median`).
struct LaunchLatency {
  SimDuration median;
  double sigma = 0;
};

/// One launch latency drawn from `latency` with `stream`, rounded to the microsecond: exactly
/// the median when sigma is 0, else median x e^(sigma Z) with Z standard normal.
SimDuration sample(const LaunchLatency& latency, RandomStream& stream);

/// Assumed time from an EC2 RunInstances call to the ECS agent registering the instance: about a
/// minute (boot, then agent start), spread so that 9 in 10 launches take 40-90 s.
inline constexpr LaunchLatency kDefaultEc2LaunchLatency{std::chrono::seconds(60), 0.25};
/// Assumed time for a Fargate task from PROVISIONING to RUNNING (capacity, ENI, image pull).
inline constexpr LaunchLatency kDefaultFargateLaunchLatency{std::chrono::seconds(40), 0.3};

/// How a mixed instances policy allocates Spot instances over its types (SpotAllocationStrategy).
enum class SpotAllocation : std::uint8_t {
  kLowestPrice,                  ///< over the `spot_pools` cheapest types
  kPriceCapacityOptimized,       ///< the cheapest among the deepest pools
  kCapacityOptimized,            ///< the deepest pool
  kCapacityOptimizedPrioritized, ///< the deepest pool, ties by the types' order
};

/// A mixed instances policy: the instance types (launch template overrides) in priority order
/// and the split of On-Demand and Spot instances.
struct MixedInstances {
  std::vector<InstanceTypeIndex> types;   ///< at least one; On-Demand launches take the first
  std::uint32_t on_demand_base = 0;       ///< OnDemandBaseCapacity, instances
  std::uint32_t on_demand_percent = 100;  ///< OnDemandPercentageAboveBaseCapacity, 0 to 100
  SpotAllocation spot_allocation = SpotAllocation::kLowestPrice;
  std::uint32_t spot_pools = 2;           ///< SpotInstancePools (lowest-price), 1 to 20
};

/// An Auto Scaling group of EC2 instances, spread over some of the region's zones; or, with
/// `replace` false, a fixed set of instances launched by hand.
struct AsgConfig {
  std::string name;                 ///< unique among groups
  InstanceTypeIndex instance_type;  ///< index into InstanceCatalog::builtin()
  std::uint32_t min = 0;
  std::uint32_t max = 0;
  std::uint32_t desired = 0;        ///< min <= desired <= max
  std::vector<AzId> azs;            ///< zones to spread over; ties go to the one listed first
  bool spot = false;                ///< Spot instances: discounted and interruptible
  /// A mixed instances policy (EC2 Auto Scaling's InstancesDistribution): when set, `spot` is
  /// not read and each launch is On-Demand or Spot by the policy's split.
  std::optional<MixedInstances> mixed;
  /// False for instances launched by hand, outside any Auto Scaling group: the first `desired`
  /// run from the start, and nothing launches more, replaces one that fails or is reclaimed,
  /// terminates one that stays unreachable, or rebalances zones.
  bool replace = true;
};

/// Fargate in the region: capacity, launch behaviour and Spot interruptions.
struct FargateConfig {
  std::optional<std::uint32_t> capacity_per_az;  ///< running tasks per zone; none = unlimited
  LaunchLatency launch_latency = kDefaultFargateLaunchLatency;
  double launch_burst = 100;                     ///< token bucket size, tasks
  double launch_rate_per_second = 20;            ///< token refill, tasks per second
  double spot_interruptions_per_hour = 0;        ///< per running FARGATE_SPOT task
};

/// EC2 Auto Scaling's health checks as ecsim models them. Documented: the default (EC2) health
/// check marks an instance unhealthy when it is not running or its EC2 status checks report it
/// impaired (the system status check includes network reachability), and the group replaces
/// it; nothing is marked unhealthy before HealthCheckGracePeriod has passed since it came into
/// service (default 0 s for the API and CloudFormation, which eksctl uses; 300 s in the
/// console). Not documented: how long an unreachable instance takes to be found impaired and
/// acted on; `unhealthy_after` is ecsim's assumption for it.
struct HealthCheckConfig {
  SimDuration unhealthy_after = std::chrono::minutes(5);  ///< unreachable this long: unhealthy
  SimDuration grace_period{};                             ///< HealthCheckGracePeriod
};

/// A fault at a fixed time.
struct ScheduledFault {
  enum class Kind : std::uint8_t {
    kAzOutage,         ///< the zone is down for `duration`
    kAzImpaired,       ///< launches in the zone fail at `launch_failure_rate` for `duration`
    kInstanceFailure,  ///< `count` running instances of the groups `groups` fail
  };
  SimTime at;
  Kind kind = Kind::kAzOutage;
  AzId az;                          ///< for zone faults
  SimDuration duration{};           ///< for zone faults
  double launch_failure_rate = 0;   ///< for kAzImpaired, in [0, 1]
  /// For kInstanceFailure: the groups whose running instances may fail (a cluster's groups).
  std::vector<GroupId> groups;
  std::uint32_t count = 0;          ///< for kInstanceFailure
};

/// Random failures of running instances: each fails after an exponential time with mean `mtbf`.
struct FailureProcess {
  std::vector<GroupId> groups;  ///< the groups whose instances fail; empty: every group
  SimDuration mtbf;
};

/// Everything the platform model needs: zones, groups, Fargate, prices and faults.
struct PlatformConfig {
  std::string region = "us-east-1";
  std::vector<std::string> azs;  ///< zone names, indexed by AzId
  LaunchLatency ec2_launch_latency = kDefaultEc2LaunchLatency;
  Prices prices;
  FargateConfig fargate;
  std::vector<AsgConfig> groups;  ///< indexed by GroupId
  std::vector<ScheduledFault> faults;
  std::vector<FailureProcess> failure_processes;
  double spot_interruptions_per_hour = 0;  ///< per running Spot instance
  HealthCheckConfig health_check;          ///< of every Auto Scaling group
};

}  // namespace ecsim::platform
