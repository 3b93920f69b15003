#pragma once

// What the fuzz harnesses share: the contract every input must keep (valid input loads, invalid
// input is a Problem with a position, nothing else ever happens), a scratch folder for the
// files an input becomes, and the bundle format that packs a scenario with the files it names.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ecsim/scenario/scenario.hpp"

namespace ecsim::fuzz {

/// Ends the process (a crash libFuzzer reports, with the input) when the contract is broken.
inline void require(bool ok, const char* what, const std::string& detail = {}) {
  if (ok) return;
  std::fprintf(stderr, "fuzz contract broken: %s%s%s\n", what, detail.empty() ? "" : ": ",
               detail.c_str());
  std::abort();
}

/// The contract of loading a scenario: it loaded with no problem, or it did not and every
/// problem names a file and a line and column in it.
inline void check_loaded(const scenario::LoadResult& r) {
  require(r.scenario.has_value() == r.diagnostics.ok(),
          "a scenario loads exactly when no problem was found");
  for (const scenario::Diagnostic& d : r.diagnostics.all()) {
    const std::string text = scenario::format_diagnostic(d);
    require(!d.where.file.empty(), "a problem names its file", text);
    require(d.where.line >= 1 && d.where.column >= 1, "a problem has a line and a column", text);
    require(!d.message.empty(), "a problem says what is wrong", text);
    require(text.size() <= 2000, "a problem is a readable line", text.substr(0, 200));
  }
}

/// A folder of this process for the files of one input at a time; `write` replaces them.
class Scratch {
 public:
  Scratch() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ecsim-fuzz-XXXXXX").string();
    require(mkdtemp(pattern.data()) != nullptr, "a scratch folder");
    path_ = pattern;
  }
  ~Scratch() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  /// Empties the folder.
  void clear() {
    for (const auto& entry : std::filesystem::directory_iterator(path_))
      std::filesystem::remove_all(entry.path());
  }
  /// Writes `text` to the file `name` of the folder; returns its path.
  std::string write(const std::string& name, std::string_view text) {
    const std::filesystem::path file = path_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// One process-wide scratch folder (removed at exit).
inline Scratch& scratch() {
  static Scratch folder;
  return folder;
}

/// A bundle: the scenario's text, then for each file it names a line `#%ecsim-file NAME` and
/// the file's text. NAME is cut to a plain file name (letters, digits, '.', '-', '_'), so that
/// nothing is written outside the scratch folder.
inline std::vector<std::pair<std::string, std::string>> unbundle(std::string_view data) {
  constexpr std::string_view kMarker = "\n#%ecsim-file ";
  std::vector<std::pair<std::string, std::string>> files;
  std::size_t at = data.find(kMarker);
  files.emplace_back("scenario.yaml", std::string(data.substr(0, at)));
  while (at != std::string_view::npos && files.size() < 32) {
    const std::size_t name_start = at + kMarker.size();
    const std::size_t line_end = data.find('\n', name_start);
    std::string name(data.substr(name_start, line_end == std::string_view::npos
                                                 ? std::string_view::npos
                                                 : line_end - name_start));
    std::string plain;
    for (const char c : name)
      if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_')
        plain += c;
    if (plain.empty() || plain.front() == '.' || plain.size() > 64) plain = "file";
    const std::size_t body = line_end == std::string_view::npos ? data.size() : line_end + 1;
    at = data.find(kMarker, body);
    files.emplace_back(
        plain, std::string(data.substr(
                   body, at == std::string_view::npos ? std::string_view::npos : at - body)));
  }
  return files;
}

/// Writes the bundle `data` into the emptied scratch folder; returns the scenario's path.
inline std::string write_bundle(const std::uint8_t* data, std::size_t size) {
  Scratch& folder = scratch();
  folder.clear();
  std::string scenario;
  for (const auto& [name, text] : unbundle({reinterpret_cast<const char*>(data), size})) {
    const std::string path = folder.write(name, text);
    if (scenario.empty()) scenario = path;
  }
  return scenario;
}

}  // namespace ecsim::fuzz
