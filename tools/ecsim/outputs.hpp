#pragma once

// Writing a run's outputs: destinations checked before the run, files written whole or not at
// all, and a folder that never mixes the files of two runs.

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ecsim::cli {

/// The names of the files `ecsim run` writes into its output folder; the only ones it removes.
inline constexpr std::string_view kOutputNames[] = {"summary.json", "timeseries.csv"};

/// An output folder checked before a run: created if need be (a folder it created and left
/// empty, because the run failed, is removed again when it goes out of scope).
class OutputFolder {
 public:
  /// Creates `folder` if need be and checks that a file can be created in it; `problem()` says
  /// what is wrong ("cannot create '...': Permission denied").
  explicit OutputFolder(std::filesystem::path folder);
  ~OutputFolder();
  OutputFolder(const OutputFolder&) = delete;
  OutputFolder& operator=(const OutputFolder&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  /// What is wrong with it, or nothing.
  [[nodiscard]] const std::string& problem() const { return problem_; }

 private:
  std::filesystem::path path_;
  std::string problem_;
  bool created_ = false;
};

/// Checks that `file` can be written: its folder exists and takes a new file, and `file` itself
/// is not a folder; returns what is wrong, or nothing.
std::string prepare_file(const std::filesystem::path& file);

/// Writes every (path, text) of `files`, each first to a temporary name beside it, then all
/// renamed into place: a failure (thrown as std::runtime_error) leaves every destination as it
/// was. Then removes from `folder` the files of kOutputNames that `files` does not hold.
void write_outputs(const std::vector<std::pair<std::filesystem::path, std::string>>& files,
                   const std::filesystem::path& folder);

}  // namespace ecsim::cli
