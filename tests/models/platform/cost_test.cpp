#include <catch2/catch.hpp>

#include "ecsim/platform/cost.hpp"

using namespace ecsim;
using namespace ecsim::platform;
using namespace std::chrono_literals;

namespace {

// Costs are products of a few doubles: equal to the hand-computed value up to rounding.
Approx usd(double value) {
  return Approx(value).epsilon(1e-12).margin(1e-15);
}

const Prices kDefault{};
constexpr double kM6iXlarge = 0.192;  // USD per hour, on demand, us-east-1

}  // namespace

TEST_CASE("EC2 instances are billed per second at their hourly price", "[platform]") {
  CHECK(ec2_cost_usd(kM6iXlarge, 1h, false, kDefault) == usd(0.192));
  // 90 s of 3600: 0.192 * 90 / 3600 = 0.0048.
  CHECK(ec2_cost_usd(kM6iXlarge, 90s, false, kDefault) == usd(0.0048));
  // Partial seconds round up: 90.5 s bills 91 s, 0.192 * 91 / 3600 = 0.004853333...
  CHECK(ec2_cost_usd(kM6iXlarge, 90500ms, false, kDefault) == usd(0.192 * 91 / 3600));
  CHECK(ec2_cost_usd(kM6iXlarge, 90001ms, false, kDefault) == usd(0.192 * 91 / 3600));
  // 30 days: 0.192 * 24 * 30 = 138.24.
  CHECK(ec2_cost_usd(kM6iXlarge, 24h * 30, false, kDefault) == usd(138.24));
}

TEST_CASE("an EC2 instance that starts pays at least 60 seconds", "[platform]") {
  // 0.192 * 60 / 3600 = 0.0032.
  CHECK(ec2_cost_usd(kM6iXlarge, 0s, false, kDefault) == usd(0.0032));
  CHECK(ec2_cost_usd(kM6iXlarge, 1s, false, kDefault) == usd(0.0032));
  CHECK(ec2_cost_usd(kM6iXlarge, 59999999us, false, kDefault) == usd(0.0032));
  CHECK(ec2_cost_usd(kM6iXlarge, 60s, false, kDefault) == usd(0.0032));
  // 61 s: 0.192 * 61 / 3600 = 0.0032533...
  CHECK(ec2_cost_usd(kM6iXlarge, 61s, false, kDefault) == usd(0.192 * 61 / 3600));
}

TEST_CASE("EC2 Spot takes the Spot discount off the on-demand price", "[platform]") {
  // 70% off by default: 0.192 * (1 - 0.70) = 0.0576 for an hour.
  CHECK(ec2_cost_usd(kM6iXlarge, 1h, true, kDefault) == usd(0.0576));
  // The 60 s minimum still applies: 0.0576 * 60 / 3600 = 0.00096.
  CHECK(ec2_cost_usd(kM6iXlarge, 10s, true, kDefault) == usd(0.00096));
  Prices deep{};
  deep.ec2_spot_discount = 0.90;
  // 0.192 * (1 - 0.90) = 0.0192.
  CHECK(ec2_cost_usd(kM6iXlarge, 1h, true, deep) == usd(0.0192));
  CHECK(ec2_cost_usd(kM6iXlarge, 1h, false, deep) == usd(0.192));  // on-demand unchanged
}

TEST_CASE("Fargate bills vCPU-hours and GB-hours of the task size", "[platform]") {
  // 1 vCPU, 2 GB on x86: 1 * 0.04048 + 2 * 0.004445 = 0.04048 + 0.00889 = 0.04937 per hour.
  CHECK(fargate_cost_usd(1024, 2048, Arch::kAmd64, 1h, false, kDefault) == usd(0.04937));
  // 0.25 vCPU, 0.5 GB: 0.25 * 0.04048 + 0.5 * 0.004445 = 0.01012 + 0.0022225 = 0.0123425.
  CHECK(fargate_cost_usd(256, 512, Arch::kAmd64, 1h, false, kDefault) == usd(0.0123425));
  // 16 vCPU, 120 GB for 10 h: (16 * 0.04048 + 120 * 0.004445) * 10 = (0.64768 + 0.5334) * 10
  // = 11.8108.
  CHECK(fargate_cost_usd(16384, 122880, Arch::kAmd64, 10h, false, kDefault) == usd(11.8108));
  // ARM, 1 vCPU, 2 GB: 0.03238 + 2 * 0.00356 = 0.03238 + 0.00712 = 0.0395 per hour.
  CHECK(fargate_cost_usd(1024, 2048, Arch::kArm64, 1h, false, kDefault) == usd(0.0395));
  // 30 min of x86 1 vCPU, 2 GB: 0.04937 / 2 = 0.024685.
  CHECK(fargate_cost_usd(1024, 2048, Arch::kAmd64, 30min, false, kDefault) == usd(0.024685));
}

TEST_CASE("a Fargate task pays at least one minute, per second rounded up", "[platform]") {
  // 0.04937 per hour * 60 / 3600 = 0.000822833...
  CHECK(fargate_cost_usd(1024, 2048, Arch::kAmd64, 0s, false, kDefault) ==
        usd(0.04937 * 60 / 3600));
  CHECK(fargate_cost_usd(1024, 2048, Arch::kAmd64, 10s, false, kDefault) ==
        usd(0.04937 * 60 / 3600));
  // 100.2 s bills 101 s.
  CHECK(fargate_cost_usd(1024, 2048, Arch::kAmd64, 100200ms, false, kDefault) ==
        usd(0.04937 * 101 / 3600));
}

TEST_CASE("Fargate Spot takes its discount off the Fargate price", "[platform]") {
  // 70% off: 0.04937 * 0.30 = 0.014811 per hour.
  CHECK(fargate_cost_usd(1024, 2048, Arch::kAmd64, 1h, true, kDefault) == usd(0.014811));
  Prices half{};
  half.fargate_spot_discount = 0.5;
  // 0.04937 * 0.5 = 0.024685.
  CHECK(fargate_cost_usd(1024, 2048, Arch::kAmd64, 1h, true, half) == usd(0.024685));
  // The EC2 Spot discount does not apply to Fargate.
  half.ec2_spot_discount = 0.0;
  CHECK(fargate_cost_usd(1024, 2048, Arch::kAmd64, 1h, true, half) == usd(0.024685));
}

TEST_CASE("an EKS control plane costs 0.10 USD per hour, prorated per second", "[platform]") {
  CHECK(eks_control_plane_cost_usd(1h, kDefault) == usd(0.10));
  CHECK(eks_control_plane_cost_usd(30min, kDefault) == usd(0.05));
  CHECK(eks_control_plane_cost_usd(24h * 30, kDefault) == usd(72.0));  // 0.10 * 720 h
  CHECK(eks_control_plane_cost_usd(0s, kDefault) == 0.0);              // no minimum
  // 1.5 s bills 2 s: 0.10 * 2 / 3600.
  CHECK(eks_control_plane_cost_usd(1500ms, kDefault) == usd(0.10 * 2 / 3600));
}

TEST_CASE("a cost meter adds stopped and running resources by category", "[platform]") {
  CostMeter meter;
  const CostItemId eks = meter.start_eks_control_plane(kSimStart);
  const CostItemId node = meter.start_ec2(kSimStart, kM6iXlarge, false);
  CHECK(meter.open_count() == 2);

  // At 0 s the instance already owes its 60 s minimum: 0.192 * 60 / 3600 = 0.0032.
  const CostBreakdown at_start = meter.cost_at(kSimStart);
  CHECK(at_start.ec2 == usd(0.0032));
  CHECK(at_start.fargate == 0.0);
  CHECK(at_start.eks_control_plane == 0.0);
  CHECK(at_start.total() == usd(0.0032));

  const CostItemId task = meter.start_fargate(kSimStart + 10min, 1024, 2048, Arch::kAmd64, false);
  meter.stop(node, kSimStart + 30min);
  CHECK(meter.open_count() == 2);

  // At 1 h: the instance ran 30 min, 0.192 / 2 = 0.096; the task 50 min,
  // 0.04937 * 50 / 60 = 0.041141666...; the control plane 1 h, 0.10.
  const CostBreakdown at_hour = meter.cost_at(kSimStart + 1h);
  CHECK(at_hour.ec2 == usd(0.096));
  CHECK(at_hour.fargate == usd(0.04937 * 50 / 60));
  CHECK(at_hour.eks_control_plane == usd(0.10));
  CHECK(at_hour.total() == usd(0.096 + 0.04937 * 50 / 60 + 0.10));

  // Stopping at the instant just read changes nothing.
  meter.stop(task, kSimStart + 1h);
  meter.stop(eks, kSimStart + 1h);
  CHECK(meter.open_count() == 0);
  const CostBreakdown closed = meter.cost_at(kSimStart + 1h);
  CHECK(closed.ec2 == usd(at_hour.ec2));
  CHECK(closed.fargate == usd(at_hour.fargate));
  CHECK(closed.eks_control_plane == usd(at_hour.eks_control_plane));
  // And with everything stopped, later reads are the same.
  CHECK(meter.cost_at(kSimStart + 5h).total() == usd(at_hour.total()));
}

TEST_CASE("a cost meter reuses the slots of stopped resources", "[platform]") {
  CostMeter meter;
  const CostItemId first = meter.start_ec2(kSimStart, kM6iXlarge, true);
  meter.stop(first, kSimStart + 1h);
  const CostItemId second = meter.start_ec2(kSimStart + 1h, kM6iXlarge, false);
  CHECK(second == first);
  // Spot hour 0.192 * 0.3 = 0.0576, then 2 h on demand 0.384: 0.4416.
  CHECK(meter.cost_at(kSimStart + 3h).ec2 == usd(0.4416));
  CHECK(meter.cost_at(kSimStart + 3h).total() == usd(0.4416));
}

TEST_CASE("a cost meter bills at the prices it was given", "[platform]") {
  Prices prices{};
  prices.eks_cluster_hour = 0.60;  // Kubernetes extended support
  prices.ec2_minimum_billed = 0s;
  CostMeter meter(prices);
  CHECK(meter.prices().eks_cluster_hour == 0.60);
  (void)meter.start_eks_control_plane(kSimStart);
  (void)meter.start_ec2(kSimStart, kM6iXlarge, false);
  // No minimum: 10 s of 0.192 per hour = 0.192 * 10 / 3600; 10 s of 0.60 = 0.60 * 10 / 3600.
  const CostBreakdown costs = meter.cost_at(kSimStart + 10s);
  CHECK(costs.ec2 == usd(0.192 * 10 / 3600));
  CHECK(costs.eks_control_plane == usd(0.60 * 10 / 3600));
}
