#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <limits>

namespace ecsim {

/// A dense index into per-entity vectors that does not convert to other ids or to integers.
/// `Tag` makes each id its own type; `Rep` is the unsigned index type.
template <class Tag, class Rep = std::uint32_t>
class StrongId {
 public:
  using rep_type = Rep;

  /// The invalid id (all bits set); a default-constructed id is invalid.
  constexpr StrongId() noexcept = default;
  /// The id with index `value`.
  constexpr explicit StrongId(Rep value) noexcept : value_(value) {}

  /// The id that refers to nothing.
  static constexpr StrongId invalid() noexcept { return StrongId{}; }

  /// The dense index, for indexing per-entity vectors.
  [[nodiscard]] constexpr Rep value() const noexcept { return value_; }
  /// True unless this is `invalid()`.
  [[nodiscard]] constexpr bool valid() const noexcept {
    return value_ != std::numeric_limits<Rep>::max();
  }

  friend constexpr auto operator<=>(StrongId, StrongId) noexcept = default;

 private:
  Rep value_ = std::numeric_limits<Rep>::max();
};

/// An ECS task or a Kubernetes pod.
using TaskId = StrongId<struct TaskTag>;
/// An EC2 instance (whether or not it is registered with a cluster).
using InstanceId = StrongId<struct InstanceTag>;
/// A Kubernetes node.
using NodeId = StrongId<struct NodeTag>;
/// An availability zone of the simulated region.
using AzId = StrongId<struct AzTag, std::uint16_t>;
/// An ECS service or a Kubernetes workload controller.
using ServiceId = StrongId<struct ServiceTag>;
/// An ECS or EKS cluster.
using ClusterId = StrongId<struct ClusterTag, std::uint16_t>;
/// An Auto Scaling group or node group.
using GroupId = StrongId<struct GroupTag>;

}  // namespace ecsim

/// Ids hash as their index, so they can key unordered containers.
template <class Tag, class Rep>
struct std::hash<ecsim::StrongId<Tag, Rep>> {
  std::size_t operator()(ecsim::StrongId<Tag, Rep> id) const noexcept {
    return std::hash<Rep>{}(id.value());
  }
};
