#pragma once

#include <cstdint>
#include <string_view>

namespace ecsim::platform {

/// CPU architecture of an instance type or a Fargate task.
enum class Arch : std::uint8_t { kAmd64, kArm64 };

/// The catalog's spelling of `arch`: "amd64" or "arm64".
[[nodiscard]] constexpr std::string_view arch_name(Arch arch) noexcept {
  return arch == Arch::kArm64 ? "arm64" : "amd64";
}

}  // namespace ecsim::platform
