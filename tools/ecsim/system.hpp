#pragma once

// What this machine offers a run: its memory, for the default of --max-memory.

#include <optional>

namespace ecsim::cli {

/// The memory this process may use, in bytes: the machine's physical memory, or the limit of
/// its control group (cgroup v2 memory.max, or v1 memory.limit_in_bytes) when lower; none when
/// neither can be read.
std::optional<double> usable_memory_bytes();

}  // namespace ecsim::cli
