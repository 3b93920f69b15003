#include "ecsim/platform/cost.hpp"

#include <algorithm>

#include "ecsim/sim/assert.hpp"

namespace ecsim::platform {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr double kSecondsPerHour = 3600.0;

// Whole seconds billed for `used`: rounded up, and at least `minimum`.
double billed_seconds(SimDuration used, SimDuration minimum) {
  ECSIM_ASSERT(used.count() >= 0, "a billed duration is negative");
  const std::int64_t micros = std::max(used, minimum).count();
  return static_cast<double>((micros + kMicrosPerSecond - 1) / kMicrosPerSecond);
}

}  // namespace

double ec2_cost_usd(double price_per_hour, SimDuration billed, bool spot, const Prices& prices) {
  const double rate = spot ? price_per_hour * (1.0 - prices.ec2_spot_discount) : price_per_hour;
  return rate * billed_seconds(billed, prices.ec2_minimum_billed) / kSecondsPerHour;
}

double fargate_cost_usd(std::uint32_t cpu_units, std::uint32_t memory_mib, Arch arch,
                        SimDuration billed, bool spot, const Prices& prices) {
  const bool arm = arch == Arch::kArm64;
  const double vcpu = static_cast<double>(cpu_units) / 1024.0;
  const double gb = static_cast<double>(memory_mib) / 1024.0;
  const double per_hour =
      vcpu * (arm ? prices.fargate_arm_vcpu_hour : prices.fargate_x86_vcpu_hour) +
      gb * (arm ? prices.fargate_arm_gb_hour : prices.fargate_x86_gb_hour);
  const double rate = spot ? per_hour * (1.0 - prices.fargate_spot_discount) : per_hour;
  return rate * billed_seconds(billed, prices.fargate_minimum_billed) / kSecondsPerHour;
}

double eks_control_plane_cost_usd(SimDuration billed, const Prices& prices) {
  return prices.eks_cluster_hour * billed_seconds(billed, SimDuration::zero()) / kSecondsPerHour;
}

CostMeter::CostMeter(const Prices& prices) : prices_(prices) {}

CostItemId CostMeter::start_ec2(SimTime now, double price_per_hour, bool spot) {
  return open_item(
      {.start = now, .price_per_hour = price_per_hour, .category = Category::kEc2, .spot = spot});
}

CostItemId CostMeter::start_fargate(SimTime now, std::uint32_t cpu_units, std::uint32_t memory_mib,
                                    Arch arch, bool spot) {
  return open_item({.start = now,
                    .cpu_units = cpu_units,
                    .memory_mib = memory_mib,
                    .arch = arch,
                    .category = Category::kFargate,
                    .spot = spot});
}

CostItemId CostMeter::start_eks_control_plane(SimTime now) {
  return open_item({.start = now, .category = Category::kEksControlPlane});
}

void CostMeter::stop(CostItemId item, SimTime now) {
  ECSIM_ASSERT(item.valid() && item.value() < items_.size() && items_[item.value()].open,
               "stopping a cost item that is not open");
  Item& slot = items_[item.value()];
  add(closed_, slot.category, item_cost(slot, now));
  slot.open = false;
  free_.push_back(item);
  --open_count_;
}

CostBreakdown CostMeter::cost_at(SimTime now) const {
  CostBreakdown costs = closed_;
  for (const Item& item : items_)
    if (item.open) add(costs, item.category, item_cost(item, now));
  return costs;
}

CostItemId CostMeter::open_item(const Item& item) {
  CostItemId id;
  if (free_.empty()) {
    id = CostItemId{static_cast<CostItemId::rep_type>(items_.size())};
    ECSIM_ASSERT(id.valid(), "too many open cost items");
    items_.push_back(item);
  } else {
    id = free_.back();
    free_.pop_back();
    items_[id.value()] = item;
  }
  items_[id.value()].open = true;
  ++open_count_;
  return id;
}

double CostMeter::item_cost(const Item& item, SimTime now) const {
  ECSIM_ASSERT(now >= item.start, "a cost is read before the resource started");
  const SimDuration used = now - item.start;
  switch (item.category) {
    case Category::kEc2:
      return ec2_cost_usd(item.price_per_hour, used, item.spot, prices_);
    case Category::kFargate:
      return fargate_cost_usd(item.cpu_units, item.memory_mib, item.arch, used, item.spot, prices_);
    case Category::kEksControlPlane:
      return eks_control_plane_cost_usd(used, prices_);
  }
  ECSIM_ASSERT(false, "unknown cost category");
  return 0;
}

void CostMeter::add(CostBreakdown& costs, Category category, double usd) noexcept {
  switch (category) {
    case Category::kEc2:
      costs.ec2 += usd;
      return;
    case Category::kFargate:
      costs.fargate += usd;
      return;
    case Category::kEksControlPlane:
      costs.eks_control_plane += usd;
      return;
  }
}

}  // namespace ecsim::platform
