#include "input_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ecsim::scenario::detail {
namespace {

// What kind of file `mode` describes, for "is not a regular file (a FIFO)".
const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// Closes a file descriptor when it goes out of scope.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

InputText read_input_file(const std::string& path, std::size_t max_bytes) {
  if (path.empty()) return {std::nullopt, "the file name is empty (expected a path to a file)"};
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    return {std::nullopt, fmt::format("cannot open '{}': {} (expected a readable file)", path,
                                      std::strerror(errno))};
  if (S_ISDIR(info.st_mode))
    return {std::nullopt, fmt::format("'{}' is a directory (expected a file)", path)};
  if (!S_ISREG(info.st_mode))
    return {std::nullopt, fmt::format("'{}' is not a regular file: it is {} (expected a file)",
                                      path, kind_of(info.st_mode))};
  // O_NONBLOCK: should the path have been swapped for a FIFO since stat, open does not wait for
  // a writer; fstat below then refuses it.
  const Descriptor file{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  if (file.fd < 0)
    return {std::nullopt, fmt::format("cannot open '{}': {} (expected a readable file)", path,
                                      std::strerror(errno))};
  if (::fstat(file.fd, &info) != 0 || !S_ISREG(info.st_mode))
    return {std::nullopt, fmt::format("'{}' is not a regular file (expected a file)", path)};
  const auto too_large = [&] {
    return fmt::format("'{}' is larger than {} MiB, the most ecsim reads from one file", path,
                       max_bytes >> 20);
  };
  if (static_cast<std::uintmax_t>(info.st_size) > max_bytes) return {std::nullopt, too_large()};
  // The size stat gives is only a hint (files under /proc say 0): read until the end, or until
  // one byte past the cap.
  std::string text;
  text.reserve(static_cast<std::size_t>(info.st_size));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(file.fd, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return {std::nullopt, fmt::format("cannot read '{}': {}", path, std::strerror(errno))};
    }
    if (text.size() + static_cast<std::size_t>(n) > max_bytes) return {std::nullopt, too_large()};
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return {std::move(text), {}};
}

}  // namespace ecsim::scenario::detail
