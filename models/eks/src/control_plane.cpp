// The EKS control plane. Source: the EKS User Guide ("Amazon EKS architecture": the control
// plane runs at least two API server instances and three etcd instances across three
// Availability Zones in a Region) and etcd's documentation (a cluster of n members needs
// floor(n/2) + 1 for writes).

#include "ecsim/eks/control_plane.hpp"

#include <algorithm>

#include "ecsim/sim/assert.hpp"

namespace ecsim::eks {

ControlPlaneLayout default_layout(std::span<const AzId> zones) {
  ECSIM_ASSERT(!zones.empty(), "a region has a zone");
  ControlPlaneLayout layout;
  for (std::size_t k = 0; k < 3; ++k) layout.etcd.push_back(zones[k % zones.size()]);
  for (std::size_t k = 0; k < std::min<std::size_t>(2, zones.size()); ++k)
    layout.api_servers.push_back(zones[k]);
  return layout;
}

ControlPlane::ControlPlane(ControlPlaneLayout layout, SimTime start)
    : layout_(std::move(layout)), start_(start), available_(start, 1.0), no_quorum_(start, 0.0) {
  ECSIM_ASSERT(!layout_.etcd.empty() && !layout_.api_servers.empty(),
               "a control plane has etcd members and API servers");
  std::size_t zones = 0;
  for (const AzId az : layout_.etcd) zones = std::max<std::size_t>(zones, az.value() + 1u);
  for (const AzId az : layout_.api_servers) zones = std::max<std::size_t>(zones, az.value() + 1u);
  zone_down_.assign(zones, 0);
}

void ControlPlane::set_zone(AzId az, bool up, SimTime now) {
  if (az.value() >= zone_down_.size()) return;  // no member there
  zone_down_[az.value()] = up ? 0 : 1;
  record(now);
}

bool ControlPlane::quorum() const noexcept {
  std::size_t up = 0;
  for (const AzId az : layout_.etcd) up += zone_down_[az.value()] == 0;
  return up >= layout_.etcd.size() / 2 + 1;
}

bool ControlPlane::api_available() const noexcept {
  if (!quorum()) return false;
  return std::any_of(layout_.api_servers.begin(), layout_.api_servers.end(),
                     [&](AzId az) { return zone_down_[az.value()] == 0; });
}

void ControlPlane::record(SimTime now) {
  available_.set(now, api_available() ? 1.0 : 0.0);
  no_quorum_.set(now, quorum() ? 0.0 : 1.0);
}

double ControlPlane::api_available_fraction(SimTime now) const {
  const double span = to_seconds(now - start_);
  return span > 0 ? available_.integral(now) / span : 1.0;
}

double ControlPlane::quorum_lost_seconds(SimTime now) const { return no_quorum_.integral(now); }

}  // namespace ecsim::eks
