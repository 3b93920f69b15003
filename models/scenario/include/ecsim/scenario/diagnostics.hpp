#pragma once

#include <string>
#include <vector>

namespace ecsim::scenario {

/// Where something is in an input file: 1-based line and column (0 when unknown).
struct SourceLocation {
  std::string file;  ///< the path as the user gave it, or as it was resolved
  int line = 0;
  int column = 0;
};

/// One problem found in the input, to be printed as
/// `file:line:col: error: path.to.field: what is wrong (what was expected)`.
struct Diagnostic {
  SourceLocation where;
  std::string path;     ///< dotted path of the field, e.g. `ecs[0].jobs[1].arrivals`; may be empty
  std::string message;  ///< what is wrong, and in parentheses what was expected
};

/// The one-line form of `d`.
std::string format_diagnostic(const Diagnostic& d);

/// The one-line form of a note: `file:line:col: note: path: message`.
std::string format_note(const Diagnostic& d);

/// Collects every problem found while loading, in the order they were found; owns them.
class Diagnostics {
 public:
  /// Records a problem at `where` concerning the field `path`.
  void error(SourceLocation where, std::string path, std::string message);
  /// Records something true of the input that is not a problem, such as a field that is
  /// accepted and not simulated.
  void note(SourceLocation where, std::string path, std::string message);
  /// Appends all of `other`'s problems and notes.
  void append(const Diagnostics& other);
  /// True when no problem was recorded.
  [[nodiscard]] bool ok() const noexcept { return all_.empty(); }
  /// The problems, sorted by file, line and column (stable for equal positions).
  [[nodiscard]] std::vector<Diagnostic> sorted() const;
  /// The problems in the order they were found.
  [[nodiscard]] const std::vector<Diagnostic>& all() const noexcept { return all_; }
  /// The notes, in the order they were made.
  [[nodiscard]] const std::vector<Diagnostic>& notes() const noexcept { return notes_; }

 private:
  std::vector<Diagnostic> all_;
  std::vector<Diagnostic> notes_;
};

}  // namespace ecsim::scenario
