#include "outputs.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace ecsim::cli {
namespace {

// The temporary name `path` is written under before it is renamed into place.
std::filesystem::path partial(const std::filesystem::path& path) {
  return std::filesystem::path(path).concat(fmt::format(".ecsim-partial-{}", getpid()));
}

// Creates and removes a file in `folder`; returns what is wrong, or nothing.
std::string probe(const std::filesystem::path& folder) {
  std::string pattern = (folder / ".ecsim-probe-XXXXXX").string();
  const int fd = mkstemp(pattern.data());
  if (fd < 0) return fmt::format("cannot write in '{}': {}", folder.string(), std::strerror(errno));
  close(fd);
  std::remove(pattern.c_str());
  return {};
}

}  // namespace

OutputFolder::OutputFolder(std::filesystem::path folder) : path_(std::move(folder)) {
  std::error_code error;
  const bool existed = std::filesystem::exists(path_, error);
  created_ = std::filesystem::create_directories(path_, error) && !existed;
  if (error) {
    problem_ = fmt::format("cannot create '{}': {}", path_.string(), error.message());
  } else if (!std::filesystem::is_directory(path_)) {
    problem_ = fmt::format("'{}' is not a folder", path_.string());
  } else {
    problem_ = probe(path_);
  }
}

OutputFolder::~OutputFolder() {
  std::error_code error;
  if (created_ && std::filesystem::is_empty(path_, error)) std::filesystem::remove(path_, error);
}

std::string prepare_file(const std::filesystem::path& file) {
  if (std::filesystem::is_directory(file))
    return fmt::format("'{}' is a folder (expected a file to write)", file.string());
  const std::filesystem::path folder = file.parent_path().empty() ? "." : file.parent_path();
  if (!std::filesystem::is_directory(folder))
    return fmt::format("cannot write '{}': there is no folder '{}'", file.string(),
                       folder.string());
  return probe(folder);
}

void write_outputs(const std::vector<std::pair<std::filesystem::path, std::string>>& files,
                   const std::filesystem::path& folder) {
  const auto discard = [&] {
    for (const auto& [path, text] : files) std::filesystem::remove(partial(path));
  };
  for (const auto& [path, text] : files) {
    std::ofstream out(partial(path), std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      const std::string why = std::strerror(errno);
      discard();
      throw std::runtime_error(
          fmt::format("cannot write '{}': {}; no output was written", path.string(), why));
    }
  }
  for (const auto& [path, text] : files) {
    std::error_code error;
    std::filesystem::rename(partial(path), path, error);
    if (error) {
      discard();
      throw std::runtime_error(
          fmt::format("cannot write '{}': {}", path.string(), error.message()));
    }
  }
  for (const std::string_view name : kOutputNames) {
    const std::filesystem::path stale = folder / name;
    bool written = false;
    for (const auto& [path, text] : files) written = written || path == stale;
    if (!written) std::filesystem::remove(stale);
  }
}

}  // namespace ecsim::cli
