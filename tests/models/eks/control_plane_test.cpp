#include <catch2/catch.hpp>

#include <vector>

#include "ecsim/eks/control_plane.hpp"

using namespace ecsim;
using namespace ecsim::eks;
using namespace std::chrono_literals;

namespace {

const std::vector<AzId> kThree{AzId{0}, AzId{1}, AzId{2}};

}  // namespace

TEST_CASE("EKS lays etcd over three zones and API servers over two", "[eks]") {
  const ControlPlaneLayout layout = default_layout(kThree);
  CHECK(layout.etcd == kThree);
  CHECK(layout.api_servers == std::vector<AzId>{AzId{0}, AzId{1}});
  // Two zones: the third etcd member shares the first zone.
  const ControlPlaneLayout two = default_layout(std::span(kThree).first(2));
  CHECK(two.etcd == std::vector<AzId>{AzId{0}, AzId{1}, AzId{0}});
}

TEST_CASE("one zone down keeps quorum, two down freeze writes until one returns", "[eks]") {
  ControlPlane cp(default_layout(kThree), kSimStart);
  cp.set_zone(AzId{0}, false, kSimStart + 1h);
  CHECK(cp.quorum());
  CHECK(cp.api_available());  // the API server in zone 1 serves
  cp.set_zone(AzId{1}, false, kSimStart + 2h);
  CHECK_FALSE(cp.quorum());
  CHECK_FALSE(cp.api_available());
  cp.set_zone(AzId{1}, true, kSimStart + 2h + 30min);
  CHECK(cp.quorum());
  // Over 4 h: 30 min without quorum, so the API was available 3.5 h of 4.
  CHECK(cp.quorum_lost_seconds(kSimStart + 4h) == 1800.0);
  CHECK(cp.api_available_fraction(kSimStart + 4h) == Approx(3.5 / 4));
}

TEST_CASE("quorum without an API server up is no API", "[eks]") {
  // A layout whose API servers are both in one zone loses the API with that zone alone, though
  // etcd keeps 2 of 3.
  ControlPlaneLayout layout{kThree, {AzId{2}, AzId{2}}};
  ControlPlane single(layout, kSimStart);
  single.set_zone(AzId{2}, false, kSimStart + 1h);
  CHECK(single.quorum());
  CHECK_FALSE(single.api_available());
  CHECK(single.api_available_fraction(kSimStart + 2h) == Approx(0.5));
}
