#pragma once

/// The EKS control plane: API servers and three etcd members spread over three availability
/// zones. etcd needs a majority (2 of 3) for any write; the API serves only with quorum and at
/// least one API server up. Writes are what scheduling, scaling, evictions and pod creation
/// need, so without quorum the cluster freezes while running pods keep running. Optionally,
/// mutating requests are limited to a rate (a token bucket), so that a storm of pod creations
/// queues behind the API.

#include <cstdint>
#include <span>
#include <vector>

#include "ecsim/sim/ids.hpp"
#include "ecsim/sim/stats.hpp"
#include "ecsim/sim/time.hpp"

namespace ecsim::eks {

/// Where the control plane runs: the zone of each etcd member and each API server.
struct ControlPlaneLayout {
  std::vector<AzId> etcd;         ///< three members, one per zone (fewer zones: repeated)
  std::vector<AzId> api_servers;  ///< at least two

  friend bool operator==(const ControlPlaneLayout&, const ControlPlaneLayout&) = default;
};

/// EKS's layout over `zones` (the region's zones, in order): etcd members in the first three
/// zones (cycling when fewer), API servers in the first two (one when there is one zone).
ControlPlaneLayout default_layout(std::span<const AzId> zones);

/// The control plane's state over a run, fed with zone changes.
class ControlPlane {
 public:
  /// A control plane laid out as `layout`, all up at `start`.
  ControlPlane(ControlPlaneLayout layout, SimTime start);

  /// Records that zone `az` is now up (`up`) or down, at `now` (non-decreasing).
  void set_zone(AzId az, bool up, SimTime now);

  /// True when a majority of etcd members is up: writes succeed.
  [[nodiscard]] bool quorum() const noexcept;
  /// True when the API serves requests: quorum and at least one API server up.
  [[nodiscard]] bool api_available() const noexcept;

  /// Fraction of [start, now] with the API available.
  [[nodiscard]] double api_available_fraction(SimTime now) const;
  /// Seconds of [start, now] without etcd quorum.
  [[nodiscard]] double quorum_lost_seconds(SimTime now) const;

 private:
  void record(SimTime now);

  ControlPlaneLayout layout_;
  std::vector<std::uint8_t> zone_down_;  // indexed by AzId
  SimTime start_;
  TimeWeightedGauge available_;  // 1 while the API is available
  TimeWeightedGauge no_quorum_;  // 1 while etcd has no quorum
};

}  // namespace ecsim::eks
