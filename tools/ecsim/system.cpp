#include "system.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

namespace ecsim::cli {
namespace {

// The number in the file at `path`, if it holds one ("max", and the huge value cgroup v1 uses
// for no limit, do not count).
std::optional<double> limit_in(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text)) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  if (value >= (std::uint64_t{1} << 60)) return std::nullopt;
  return static_cast<double>(value);
}

// The lowest limit in `file` of the control group `path` under `root` and of its ancestors
// (each one's limit holds for everything under it).
std::optional<double> lowest_limit(const std::string& root, std::string path,
                                   const std::string& file) {
  std::optional<double> lowest;
  for (;;) {
    if (const std::optional<double> limit = limit_in(root + path + "/" + file))
      lowest = lowest ? std::min(*lowest, *limit) : *limit;
    if (path.empty() || path == "/") break;
    path.resize(path.rfind('/'));
  }
  return lowest;
}

}  // namespace

std::optional<double> usable_memory_bytes() {
  std::optional<double> bytes;
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page > 0) bytes = static_cast<double>(pages) * static_cast<double>(page);
  const auto take = [&](std::optional<double> limit) {
    if (limit) bytes = bytes ? std::min(*bytes, *limit) : *limit;
  };
  // Lines of /proc/self/cgroup: "0::PATH" for cgroup v2, "N:CONTROLLERS:PATH" for v1.
  std::ifstream cgroups("/proc/self/cgroup");
  for (std::string line; std::getline(cgroups, line);) {
    const std::size_t first = line.find(':');
    const std::size_t second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string_view controllers =
        std::string_view(line).substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    if (controllers.empty()) {
      take(lowest_limit("/sys/fs/cgroup", path, "memory.max"));
    } else if (controllers == "memory" || controllers.starts_with("memory,") ||
               controllers.ends_with(",memory") ||
               controllers.find(",memory,") != std::string_view::npos) {
      take(lowest_limit("/sys/fs/cgroup/memory", path, "memory.limit_in_bytes"));
    }
  }
  return bytes;
}

}  // namespace ecsim::cli
