#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ecsim/platform/arch.hpp"
#include "ecsim/sim/assert.hpp"

namespace ecsim::platform {

/// One EC2 instance type as the catalog lists it (see models/data/README.md for sources).
struct InstanceType {
  std::string name;                         ///< e.g. "m6i.xlarge"
  std::string family;                       ///< the part of the name before the dot, e.g. "m6i"
  std::uint32_t vcpu = 0;                   ///< virtual CPUs
  std::uint32_t memory_mib = 0;             ///< nominal memory, MiB
  Arch arch = Arch::kAmd64;                 ///< CPU architecture
  std::uint32_t gpus = 0;                   ///< GPUs (0 for most types)
  std::uint32_t max_enis = 0;               ///< network interfaces
  std::uint32_t ipv4_per_eni = 0;           ///< IPv4 addresses per interface
  std::uint32_t eks_max_pods_eni = 0;       ///< max_enis * (ipv4_per_eni - 1) + 2
  std::uint32_t eks_allocatable_cpu_m = 0;  ///< EKS AL2023 allocatable CPU, millicores
  std::uint32_t eks_allocatable_memory_mib = 0;  ///< EKS AL2023 allocatable memory, MiB
  std::uint32_t eks_allocatable_pods = 0;        ///< EKS AL2023 allocatable pods
  double price_usd_per_hour = 0;                 ///< on-demand Linux price in us-east-1, USD/hour
};

/// Dense index of an instance type within a catalog (position in `types()`).
using InstanceTypeIndex = std::uint32_t;

/// The marker index_of returns for an unknown name.
inline constexpr InstanceTypeIndex kUnknownInstanceType = ~InstanceTypeIndex{0};

/// The EC2 instance types ecsim knows, sorted by name; immutable once built.
class InstanceCatalog {
 public:
  /// The catalog shipped with ecsim (models/data/ec2-instance-types.csv, compiled in), parsed on
  /// first use; lives until the program exits.
  static const InstanceCatalog& builtin();

  /// The header line `from_csv` requires, without the line break.
  static constexpr std::string_view kCsvHeader =
      "instance_type,family,vcpu,memory_mib,arch,gpus,max_enis,ipv4_per_eni,eks_max_pods_eni,"
      "eks_allocatable_cpu_m,eks_allocatable_memory_mib,eks_allocatable_pods,"
      "price_usd_per_hour_us_east_1";

  /// Builds a catalog from CSV text (`kCsvHeader`, then one unquoted row per type, in any order);
  /// throws std::runtime_error listing every problem as "source:line:col: error: column: what".
  static InstanceCatalog from_csv(std::string_view csv, std::string_view source);

  /// The type named `name` (exact, case-sensitive), or nullptr; points into this catalog.
  [[nodiscard]] const InstanceType* find(std::string_view name) const;
  /// The index of the type named `name` (exact, case-sensitive), or kUnknownInstanceType.
  [[nodiscard]] InstanceTypeIndex index_of(std::string_view name) const;
  /// The type at `index` (must be < size()); points into this catalog.
  [[nodiscard]] const InstanceType& at(InstanceTypeIndex index) const {
    ECSIM_ASSERT(index < types_.size(), "instance type index out of range");
    return types_[index];
  }
  /// All types, sorted by name (byte order).
  [[nodiscard]] std::span<const InstanceType> types() const { return types_; }
  /// Number of types.
  [[nodiscard]] std::size_t size() const { return types_.size(); }

  /// Up to `max` known type names close to the unknown `name`, nearest first (for "did you mean").
  [[nodiscard]] std::vector<std::string> suggest(std::string_view name, std::size_t max = 3) const;

 private:
  std::vector<InstanceType> types_;
};

}  // namespace ecsim::platform
