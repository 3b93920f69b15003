#pragma once

// Reading the files a scenario names: only regular files, and no more than a cap, enforced while
// reading (a special file can claim any size or none). Private to models/scenario.

#include <cstddef>
#include <optional>
#include <string>

namespace ecsim::scenario::detail {

/// The most bytes ecsim reads from one input file: far beyond any real scenario, task
/// definition, manifest or trace, small enough not to exhaust memory.
inline constexpr std::size_t kMaxInputBytes = std::size_t{256} << 20;

/// The text of a file, or why it cannot be had.
struct InputText {
  std::optional<std::string> text;  ///< the whole file, when it could be read
  std::string problem;              ///< otherwise what is wrong, e.g. "'x' is a directory (...)"
};

/// Reads the regular file at `path`, at most `max_bytes` of it. A missing or unreadable file, a
/// directory, a device, a FIFO or a socket, and a file longer than `max_bytes` are problems,
/// found without blocking and without reading more than `max_bytes` + 1 bytes.
InputText read_input_file(const std::string& path, std::size_t max_bytes = kMaxInputBytes);

}  // namespace ecsim::scenario::detail
