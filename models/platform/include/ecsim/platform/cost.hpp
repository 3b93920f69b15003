#pragma once

/// What a run would cost in USD, from prices a scenario may override.
///
/// Rules and their sources (AWS pricing pages, us-east-1, as summarised in models/data/README.md):
/// - EC2 (Linux): per-second billing with a 60-second minimum for every instance that starts; the
///   hourly price is the catalog's on-demand price. Partial seconds round up (ecsim's choice:
///   AWS bills whole seconds).
/// - EC2 Spot: AWS advertises "up to 90%" off on-demand and the real price moves with each
///   capacity pool; ecsim assumes a flat discount, 70% unless overridden (an assumption, not an
///   AWS figure). Billing otherwise as on-demand.
/// - Fargate: per vCPU-hour and per GB-hour of the task size (x86 and ARM priced apart), billed
///   per second rounded up, with a 1-minute minimum. Fargate Spot: AWS says "up to 70%" off;
///   ecsim takes the full 70% unless overridden. (AWS offers no Fargate Spot for ARM tasks;
///   rejecting that is the scenario's job, these functions price whatever they are given.)
/// - EKS: 0.10 USD per cluster-hour for the control plane (standard support), prorated per
///   second rounded up, no minimum (ecsim's choice).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ecsim/platform/arch.hpp"
#include "ecsim/sim/ids.hpp"
#include "ecsim/sim/time.hpp"

namespace ecsim::platform {

/// Prices and billing rules; the defaults are us-east-1 list prices (see the file comment).
struct Prices {
  double fargate_x86_vcpu_hour = 0.04048;  ///< USD per vCPU-hour, Linux/x86 Fargate
  double fargate_x86_gb_hour = 0.004445;   ///< USD per GB-hour, Linux/x86 Fargate
  double fargate_arm_vcpu_hour = 0.03238;  ///< USD per vCPU-hour, Linux/ARM Fargate
  double fargate_arm_gb_hour = 0.00356;    ///< USD per GB-hour, Linux/ARM Fargate
  double fargate_spot_discount = 0.70;     ///< fraction off the Fargate price for Fargate Spot
  double ec2_spot_discount = 0.70;         ///< fraction off the on-demand price for EC2 Spot
  double eks_cluster_hour = 0.10;          ///< USD per EKS cluster-hour (control plane)
  SimDuration ec2_minimum_billed = std::chrono::seconds{60};      ///< least billed per instance
  SimDuration fargate_minimum_billed = std::chrono::seconds{60};  ///< least billed per task
};

/// The USD cost of one EC2 instance at `price_per_hour` USD (on-demand) that ran for `billed`
/// (>= 0; rounded up to whole seconds, at least `prices.ec2_minimum_billed`), at the Spot
/// discount when `spot`.
[[nodiscard]] double ec2_cost_usd(double price_per_hour, SimDuration billed, bool spot,
                                  const Prices& prices);

/// The USD cost of one Fargate task of `cpu_units` CPU units (1024 = 1 vCPU) and `memory_mib`
/// MiB (1024 = 1 GB) on `arch` that ran for `billed` (>= 0; rounded up to whole seconds, at
/// least `prices.fargate_minimum_billed`), at the Fargate Spot discount when `spot`.
[[nodiscard]] double fargate_cost_usd(std::uint32_t cpu_units, std::uint32_t memory_mib, Arch arch,
                                      SimDuration billed, bool spot, const Prices& prices);

/// The USD cost of one EKS control plane that existed for `billed` (>= 0; rounded up to whole
/// seconds).
[[nodiscard]] double eks_control_plane_cost_usd(SimDuration billed, const Prices& prices);

/// Costs in USD by category.
struct CostBreakdown {
  double ec2 = 0;                ///< EC2 instances, on-demand and Spot, USD
  double fargate = 0;            ///< Fargate and Fargate Spot tasks, USD
  double eks_control_plane = 0;  ///< EKS control planes, USD

  /// The sum of the categories, USD.
  [[nodiscard]] double total() const noexcept { return ec2 + fargate + eks_control_plane; }
};

/// A billed resource open in a CostMeter; its slot is reused once the resource stops.
using CostItemId = StrongId<struct CostItemTag>;

/// The running bill of a simulation: resources start and stop at instants of virtual time and
/// the cost so far, including resources still running, can be read at any instant. A running
/// resource counts what it would cost if it stopped then (so its minimum is charged at once and
/// the cost so far never decreases).
class CostMeter {
 public:
  /// A meter with no resources, billing at `prices` (copied).
  explicit CostMeter(const Prices& prices = {});

  /// Starts billing an EC2 instance at `now` at `price_per_hour` USD on-demand, Spot when `spot`.
  [[nodiscard]] CostItemId start_ec2(SimTime now, double price_per_hour, bool spot);
  /// Starts billing a Fargate task at `now` (sizes as fargate_cost_usd), Spot when `spot`.
  [[nodiscard]] CostItemId start_fargate(SimTime now, std::uint32_t cpu_units,
                                         std::uint32_t memory_mib, Arch arch, bool spot);
  /// Starts billing an EKS control plane at `now`.
  [[nodiscard]] CostItemId start_eks_control_plane(SimTime now);
  /// Stops billing the open resource `item` at `now` (>= its start); `item` becomes invalid.
  void stop(CostItemId item, SimTime now);

  /// The cost of every resource up to `now` (>= the start of every open resource), by category.
  [[nodiscard]] CostBreakdown cost_at(SimTime now) const;
  /// The number of resources started and not yet stopped.
  [[nodiscard]] std::size_t open_count() const noexcept { return open_count_; }
  /// The prices this meter bills at.
  [[nodiscard]] const Prices& prices() const noexcept { return prices_; }

 private:
  enum class Category : std::uint8_t { kEc2, kFargate, kEksControlPlane };
  struct Item {
    SimTime start;
    double price_per_hour = 0;     // EC2 only
    std::uint32_t cpu_units = 0;   // Fargate only
    std::uint32_t memory_mib = 0;  // Fargate only
    Arch arch = Arch::kAmd64;      // Fargate only
    Category category = Category::kEc2;
    bool spot = false;
    bool open = false;
  };

  CostItemId open_item(const Item& item);
  [[nodiscard]] double item_cost(const Item& item, SimTime now) const;
  static void add(CostBreakdown& costs, Category category, double usd) noexcept;

  Prices prices_;
  CostBreakdown closed_;          // resources already stopped
  std::vector<Item> items_;       // slots, open or free
  std::vector<CostItemId> free_;  // free slots, reused last in first out
  std::size_t open_count_ = 0;
};

}  // namespace ecsim::platform
