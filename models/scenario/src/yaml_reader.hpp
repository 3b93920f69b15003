#pragma once

// Reading YAML (and JSON, which yaml-cpp also reads) into validated values while remembering
// where every value came from. Private to models/scenario: the only place yaml-cpp is used.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "ecsim/scenario/diagnostics.hpp"
#include "ecsim/sim/problem.hpp"
#include "ecsim/sim/time.hpp"

namespace ecsim::scenario::detail {

/// The paths of a document's values that a reader looked at (`containerDefinitions[0].cpu`).
using ReadPaths = std::set<std::string, std::less<>>;

/// A parsed document: its root node, the file name used in diagnostics, and the paths of the
/// values read from it so far.
struct Document {
  YAML::Node root;
  std::shared_ptr<const std::string> file;
  std::shared_ptr<ReadPaths> read = std::make_shared<ReadPaths>();
};



/// How an input file is written.
enum class Syntax : std::uint8_t {
  kYaml,  ///< YAML (JSON too, as YAML reads it): scenarios, eksctl files, manifests
  kJson,  ///< strict JSON, as AWS reads it: task definitions, create-service requests
};

/// Parses one document of YAML or strict JSON text; reports a syntax error (and returns
/// nothing), every key given twice in one mapping (with both places), nesting deeper than
/// kMaxNesting, and for YAML a second document.
std::optional<Document> parse_document(const std::string& text, const std::string& file,
                                       Diagnostics& diagnostics, Syntax syntax = Syntax::kYaml);

/// Reads the file at `path` and parses it; reports a missing, unreadable, special or oversized
/// file, and what parse_document reports (located at `referenced_from` when the file was named
/// by another file).
std::optional<Document> load_document(const std::string& path, Diagnostics& diagnostics,
                                      const SourceLocation& referenced_from = {},
                                      const std::string& referenced_by_path = {},
                                      Syntax syntax = Syntax::kYaml);

/// Parses a stream of YAML documents separated by `---` (an empty document has a null root);
/// reports as parse_document does, and returns nothing on a syntax error.
std::optional<std::vector<Document>> parse_documents(const std::string& text,
                                                     const std::string& file,
                                                     Diagnostics& diagnostics);

/// Reads the file at `path` and parses each of its documents, reporting as load_document does.
std::optional<std::vector<Document>> load_documents(const std::string& path,
                                                    Diagnostics& diagnostics,
                                                    const SourceLocation& referenced_from = {},
                                                    const std::string& referenced_by_path = {});

/// A node of a document together with its dotted path and the diagnostics it reports into. An
/// absent node (a missing key) remembers its parent's location for "missing key" messages.
class Reader {
 public:
  /// The root of `doc`.
  Reader(const Document& doc, Diagnostics& diagnostics);

  /// True if the key or item exists and is not null.
  [[nodiscard]] bool present() const;
  /// True for a mapping, a sequence, a scalar.
  [[nodiscard]] bool is_map() const { return present() && node_.IsMap(); }
  [[nodiscard]] bool is_sequence() const { return present() && node_.IsSequence(); }
  [[nodiscard]] bool is_scalar() const { return present() && node_.IsScalar(); }
  /// True for a scalar that was written in quotes (JSON strings, quoted YAML) or tagged !!str.
  [[nodiscard]] bool is_quoted() const {
    return is_scalar() && (node_.Tag() == "!" || node_.Tag() == "tag:yaml.org,2002:str");
  }
  /// True for a key that is given with no value (`key:`, `key: null`).
  [[nodiscard]] bool is_null() const { return node_.IsDefined() && node_.IsNull(); }
  /// Notes each value inside this node that no reader looked at: the fields a real file may
  /// hold that ecsim accepts and does not simulate. Only the outermost unread value of each
  /// branch is named.
  void note_unread() const;
  /// This node, with what is read through it not counted as read (see note_unread).
  [[nodiscard]] Reader untracked() const {
    Reader out = *this;
    out.read_ = nullptr;
    return out;
  }

  /// The dotted path of this node, e.g. `ecs[0].jobs`.
  [[nodiscard]] const std::string& path() const { return path_; }
  /// Where this node (or, when absent, its parent) starts.
  [[nodiscard]] SourceLocation where() const;
  /// The file this node came from.
  [[nodiscard]] const std::string& file() const { return *file_; }

  /// The value under `key` of a mapping (absent when missing).
  [[nodiscard]] Reader operator[](std::string_view key) const;
  /// The items of a sequence; reports and returns none when this is not a sequence.
  [[nodiscard]] std::vector<Reader> items(std::string_view expected = "a list") const;
  /// The keys of a mapping in file order, with the reader of each value.
  [[nodiscard]] std::vector<std::pair<std::string, Reader>> entries() const;
  /// The entries of a mapping in file order as readers of the key itself (to report a problem
  /// with a name the user chose) and of its value, both under the value's path.
  [[nodiscard]] std::vector<std::pair<Reader, Reader>> key_entries() const;

  /// Reports keys not in `allowed` (with a "did you mean"; duplicate keys were reported when the
  /// document was parsed). Returns false (after reporting) when this is present but not a
  /// mapping.
  bool expect_map(std::span<const std::string_view> allowed) const;
  bool expect_map(std::initializer_list<std::string_view> allowed) const {
    return expect_map(std::span<const std::string_view>(allowed.begin(), allowed.size()));
  }
  /// Like expect_map, but any key is accepted: for objects of real files whose other fields the
  /// simulator does not need. Reports (with `what`) and returns false when present but not a
  /// mapping.
  bool expect_object(std::string_view what) const;
  /// Reports that this required value is missing; returns present().
  bool require() const;

  /// Reports `message` at this node.
  void error(std::string message) const;

  /// A string scalar.
  [[nodiscard]] std::optional<std::string> string() const;
  /// An integer in [min, max].
  [[nodiscard]] std::optional<std::int64_t> integer(std::int64_t min, std::int64_t max) const;
  /// A finite number in [min, max].
  [[nodiscard]] std::optional<double> number(double min, double max) const;
  /// true or false.
  [[nodiscard]] std::optional<bool> boolean() const;
  /// A duration such as 90s or 1h30m, in [min, max].
  [[nodiscard]] std::optional<SimDuration> duration(SimDuration min, SimDuration max) const;
  /// One of `choices` (exact spelling), with a "did you mean" otherwise.
  [[nodiscard]] std::optional<std::string> one_of(
      std::initializer_list<std::string_view> choices) const;

 private:
  Reader(YAML::Node node, std::string path, std::shared_ptr<const std::string> file,
         Diagnostics* diagnostics, SourceLocation fallback, std::shared_ptr<ReadPaths> read);
  // Counts `child` as read when it is present and this reader tracks what is read.
  void mark(const Reader& child) const;

  YAML::Node node_;
  std::string path_;
  std::shared_ptr<const std::string> file_;
  Diagnostics* diagnostics_;
  SourceLocation fallback_;  // the parent's location, for absent nodes
  std::shared_ptr<ReadPaths> read_;  // the document's read paths; null when untracked
};

/// "did you mean 'x'?" for the closest of `candidates` to `wanted`, or "" when none is close.
std::string did_you_mean(std::string_view wanted, const std::vector<std::string>& candidates);

/// The range of an AWS API `Integer` (32 bits): what a real JSON file may hold before AWS's own
/// narrower rules apply.
inline constexpr std::int64_t kAwsIntegerMin = -2'147'483'648;
inline constexpr std::int64_t kAwsIntegerMax = 2'147'483'647;

/// "a, b or c" for a list of names.
template <class Names>
std::string either(const Names& names) {
  std::string out;
  std::size_t i = 0;
  for (const auto& n : names) {
    if (i > 0) out += i + 1 == std::size(names) ? " or " : ", ";
    out += n;
    ++i;
  }
  return out;
}

/// Reads a mapping that must hold exactly one key out of `kinds`: returns that key and its value
/// (after reporting a missing, unknown or second key, returns nothing).
std::optional<std::pair<std::string, Reader>> one_kind(const Reader& r,
                                                       std::span<const std::string_view> kinds,
                                                       std::string_view what);

/// Reports every missing one of `required`, not only the first; true when all are present.
bool require_all(std::initializer_list<Reader> required);

/// Reports each problem a model's validate() found at the node `at[field]` it concerns.
void report(const Reader& at, const Problems& problems);

/// Where each field of an input was, by the name a model's check() reports it under (e.g.
/// `containerDefinitions[1].memory`, `deploymentConfiguration.maximumPercent`), so that each
/// Problem is reported at its own value, whichever file and key it came from.
class Places {
 public:
  /// Remembers `r` as the place of `field`, when it is present.
  void remember(const std::string& field, const Reader& r);
  /// True when `field` was remembered.
  [[nodiscard]] bool contains(const std::string& field) const { return places_.contains(field); }
  /// The place of `field`, else of the nearest enclosing field remembered, else `fallback`.
  [[nodiscard]] Reader find(std::string field, const Reader& fallback) const;
  /// Forgets `field` and every field inside it (`field.x`, `field[i]`).
  void forget(const std::string& field);
  /// Remembers every place of `other`, replacing those of the same fields.
  void take(const Places& other);
  /// Reports each of `problems` at the place of its field (see find).
  void report(const Problems& problems, const Reader& fallback) const;

 private:
  std::map<std::string, Reader, std::less<>> places_;
};

}  // namespace ecsim::scenario::detail
