#include "yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "ecsim/sim/suggest.hpp"
#include "input_file.hpp"
#include "syntax_check.hpp"

namespace ecsim::scenario::detail {
namespace {

SourceLocation location_of(const YAML::Mark& mark, const std::string& file) {
  if (mark.is_null()) return SourceLocation{file, 0, 0};
  return SourceLocation{file, mark.line + 1, mark.column + 1};
}

std::string join_quoted(std::span<const std::string_view> names) {
  std::string out;
  for (const std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// The text of the file at `path`, or nothing after reporting why it cannot be read.
std::optional<std::string> read_text(const std::string& path, Diagnostics& diagnostics,
                                     const SourceLocation& referenced_from,
                                     const std::string& referenced_by_path) {
  InputText input = read_input_file(path);
  if (!input.text) {
    const SourceLocation here = referenced_from.file.empty() ? SourceLocation{path, 0, 0}
                                                             : referenced_from;
    diagnostics.error(here, referenced_by_path, std::move(input.problem));
  }
  return std::move(input.text);
}

void report_parse_error(const YAML::Exception& e, const std::string& file,
                        Diagnostics& diagnostics) {
  diagnostics.error(location_of(e.mark, file), "", fmt::format("malformed YAML: {}", e.msg));
}

}  // namespace

std::string did_you_mean(std::string_view wanted, const std::vector<std::string>& candidates) {
  const std::vector<std::string> close = closest_names(wanted, candidates, 1);
  if (close.empty()) return {};
  return fmt::format("did you mean '{}'?", close.front());
}

std::optional<Document> parse_document(const std::string& text, const std::string& file,
                                       Diagnostics& diagnostics, Syntax syntax) {
  const bool readable = syntax == Syntax::kJson ? check_json(text, file, diagnostics)
                                                : check_yaml(text, file, diagnostics, false);
  if (!readable) return std::nullopt;
  try {
    return Document{YAML::Load(text), std::make_shared<const std::string>(file)};
  } catch (const YAML::Exception& e) {
    report_parse_error(e, file, diagnostics);
    return std::nullopt;
  }
}

std::optional<Document> load_document(const std::string& path, Diagnostics& diagnostics,
                                      const SourceLocation& referenced_from,
                                      const std::string& referenced_by_path, Syntax syntax) {
  const auto text = read_text(path, diagnostics, referenced_from, referenced_by_path);
  if (!text) return std::nullopt;
  return parse_document(*text, path, diagnostics, syntax);
}

std::optional<std::vector<Document>> parse_documents(const std::string& text,
                                                     const std::string& file,
                                                     Diagnostics& diagnostics) {
  if (!check_yaml(text, file, diagnostics, true)) return std::nullopt;
  try {
    const auto name = std::make_shared<const std::string>(file);
    std::vector<Document> out;
    for (YAML::Node& root : YAML::LoadAll(text)) out.push_back(Document{std::move(root), name});
    return out;
  } catch (const YAML::Exception& e) {
    report_parse_error(e, file, diagnostics);
    return std::nullopt;
  }
}

std::optional<std::vector<Document>> load_documents(const std::string& path,
                                                    Diagnostics& diagnostics,
                                                    const SourceLocation& referenced_from,
                                                    const std::string& referenced_by_path) {
  const auto text = read_text(path, diagnostics, referenced_from, referenced_by_path);
  if (!text) return std::nullopt;
  return parse_documents(*text, path, diagnostics);
}

Reader::Reader(const Document& doc, Diagnostics& diagnostics)
    : Reader(doc.root, "", doc.file, &diagnostics, SourceLocation{*doc.file, 1, 1}, doc.read) {}

Reader::Reader(YAML::Node node, std::string path, std::shared_ptr<const std::string> file,
               Diagnostics* diagnostics, SourceLocation fallback, std::shared_ptr<ReadPaths> read)
    : node_(std::move(node)),
      path_(std::move(path)),
      file_(std::move(file)),
      diagnostics_(diagnostics),
      fallback_(std::move(fallback)),
      read_(std::move(read)) {}

void Reader::note_unread() const {
  if (!read_ || !present()) return;
  const auto note = [&](const YAML::Mark& mark, const std::string& child) {
    if (read_->contains(child)) return true;
    diagnostics_->note(location_of(mark, *file_), child, "accepted and not simulated");
    return false;
  };
  if (node_.IsMap()) {
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      if (!it->first.IsScalar()) continue;
      const std::string child =
          path_.empty() ? it->first.Scalar() : fmt::format("{}.{}", path_, it->first.Scalar());
      if (note(it->first.Mark(), child))
        Reader(it->second, child, file_, diagnostics_, fallback_, read_).note_unread();
    }
  } else if (node_.IsSequence()) {
    std::size_t i = 0;
    for (const YAML::Node& item : node_) {
      const std::string child = fmt::format("{}[{}]", path_, i++);
      if (note(item.Mark(), child))
        Reader(item, child, file_, diagnostics_, fallback_, read_).note_unread();
    }
  }
}

void Reader::mark(const Reader& child) const {
  if (read_ && child.node_.IsDefined()) read_->insert(child.path_);
}

bool Reader::present() const { return node_.IsDefined() && !node_.IsNull(); }

SourceLocation Reader::where() const {
  if (node_.IsDefined()) {
    const SourceLocation here = location_of(node_.Mark(), *file_);
    if (here.line > 0) return here;
  }
  return fallback_;
}

void Reader::error(std::string message) const {
  diagnostics_->error(where(), path_, std::move(message));
}

Reader Reader::operator[](std::string_view key) const {
  std::string child = path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
  YAML::Node value;
  if (node_.IsDefined() && node_.IsMap()) {
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == key) {
        value = it->second;
        // A present key with a null value (`key:`) is located at the key.
        if (value.IsNull()) {
          Reader out(value, std::move(child), file_, diagnostics_,
                     location_of(it->first.Mark(), *file_), read_);
          mark(out);
          return out;
        }
        break;
      }
    }
  }
  Reader out(value, std::move(child), file_, diagnostics_, where(), read_);
  mark(out);
  return out;
}

std::vector<Reader> Reader::items(std::string_view expected) const {
  std::vector<Reader> out;
  if (!present()) return out;
  if (!node_.IsSequence()) {
    error(fmt::format("expected {}", expected));
    return out;
  }
  out.reserve(node_.size());
  std::size_t i = 0;
  for (const YAML::Node& item : node_) {
    out.push_back(
        Reader(item, fmt::format("{}[{}]", path_, i), file_, diagnostics_, where(), read_));
    mark(out.back());
    ++i;
  }
  return out;
}

std::vector<std::pair<std::string, Reader>> Reader::entries() const {
  std::vector<std::pair<std::string, Reader>> out;
  for (auto& [key, value] : key_entries())
    out.emplace_back(key.node_.IsScalar() ? key.node_.Scalar() : std::string(), std::move(value));
  return out;
}

std::vector<std::pair<Reader, Reader>> Reader::key_entries() const {
  std::vector<std::pair<Reader, Reader>> out;
  if (!is_map()) return out;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
    const std::string child = path_.empty() ? key : fmt::format("{}.{}", path_, key);
    const SourceLocation at = location_of(it->first.Mark(), *file_);
    out.emplace_back(Reader(it->first, child, file_, diagnostics_, at, nullptr),
                     Reader(it->second, child, file_, diagnostics_, at, read_));
    mark(out.back().second);
  }
  return out;
}

bool Reader::expect_object(std::string_view what) const {
  if (!present() || node_.IsMap()) return true;
  error(fmt::format("expected {}", what));
  return false;
}

bool Reader::expect_map(std::span<const std::string_view> allowed) const {
  if (!present()) return true;
  if (!node_.IsMap()) {
    error(fmt::format("expected a mapping with keys {}", join_quoted(allowed)));
    return false;
  }
  const std::vector<std::string> names(allowed.begin(), allowed.end());
  std::set<std::string, std::less<>> seen;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const SourceLocation at = location_of(it->first.Mark(), *file_);
    if (!it->first.IsScalar()) {
      diagnostics_->error(at, path_, "a key must be a plain name");
      continue;
    }
    const std::string& key = it->first.Scalar();
    const std::string child = path_.empty() ? key : fmt::format("{}.{}", path_, key);
    if (!seen.insert(key).second) continue;  // reported with both places when parsed
    bool known = false;
    for (const std::string_view a : allowed) known = known || a == key;
    if (known) continue;
    const std::string hint = did_you_mean(key, names);
    diagnostics_->error(at, child,
                        hint.empty()
                            ? fmt::format("unknown key '{}' (expected one of {})", shorten(key),
                                          join_quoted(allowed))
                            : fmt::format("unknown key '{}' ({})", shorten(key), hint));
  }
  return true;
}

bool Reader::require() const {
  if (present()) return true;
  const std::size_t dot = path_.find_last_of('.');
  const std::string key = dot == std::string::npos ? path_ : path_.substr(dot + 1);
  diagnostics_->error(fallback_, path_, fmt::format("missing required key '{}'", key));
  return false;
}

std::optional<std::string> Reader::string() const {
  if (!present()) return std::nullopt;
  if (!node_.IsScalar()) {
    error("expected a text value");
    return std::nullopt;
  }
  return node_.Scalar();
}

std::optional<std::int64_t> Reader::integer(std::int64_t min, std::int64_t max) const {
  if (!present()) return std::nullopt;
  const std::string expected = fmt::format("expected a whole number from {} to {}", min, max);
  if (!node_.IsScalar()) {
    error(expected);
    return std::nullopt;
  }
  const std::string& s = node_.Scalar();
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc::result_out_of_range) {
    error(fmt::format("{} is too large ({})", shorten(s), expected));
    return std::nullopt;
  }
  if (ec != std::errc{} || ptr != s.data() + s.size()) {
    error(fmt::format("'{}' is not a whole number ({})", shorten(s), expected));
    return std::nullopt;
  }
  if (value < min || value > max) {
    error(fmt::format("{} is {} ({})", value, value < min ? "too small" : "too large", expected));
    return std::nullopt;
  }
  return value;
}

std::optional<double> Reader::number(double min, double max) const {
  if (!present()) return std::nullopt;
  const std::string expected = fmt::format("expected a number from {} to {}", min, max);
  if (!node_.IsScalar()) {
    error(expected);
    return std::nullopt;
  }
  const std::string& s = node_.Scalar();
  double value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || ptr != s.data() + s.size() || !std::isfinite(value)) {
    error(fmt::format("'{}' is not a number ({})", shorten(s), expected));
    return std::nullopt;
  }
  if (value < min || value > max) {
    error(fmt::format("{} is {} ({})", shorten(s), value < min ? "too small" : "too large",
                      expected));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> Reader::boolean() const {
  if (!present()) return std::nullopt;
  if (node_.IsScalar()) {
    const std::string& s = node_.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  error(fmt::format("'{}' is not true or false", node_.IsScalar() ? shorten(node_.Scalar()) : "?"));
  return std::nullopt;
}

std::optional<SimDuration> Reader::duration(SimDuration min, SimDuration max) const {
  if (!present()) return std::nullopt;
  if (!node_.IsScalar()) {
    error("expected a duration such as 90s, 15m, 1h30m or 2d");
    return std::nullopt;
  }
  std::string why;
  const std::optional<SimDuration> d = parse_duration(node_.Scalar(), &why);
  if (!d) {
    error(why);
    return std::nullopt;
  }
  if (*d < min || *d > max) {
    error(fmt::format("{} is {} (expected a duration from {} to {})", shorten(node_.Scalar()),
                      *d < min ? "too short" : "too long", format_duration(min),
                      format_duration(max)));
    return std::nullopt;
  }
  return d;
}

std::optional<std::string> Reader::one_of(std::initializer_list<std::string_view> choices) const {
  const std::optional<std::string> s = string();
  if (!s) return std::nullopt;
  for (const std::string_view c : choices)
    if (c == *s) return s;
  const std::string hint = did_you_mean(*s, std::vector<std::string>(choices.begin(), choices.end()));
  const std::span<const std::string_view> all(choices.begin(), choices.size());
  error(hint.empty() ? fmt::format("'{}' is not one of {}", shorten(*s), join_quoted(all))
                     : fmt::format("'{}' is not one of {} ({})", shorten(*s), join_quoted(all),
                                   hint));
  return std::nullopt;
}

std::optional<std::pair<std::string, Reader>> one_kind(const Reader& r,
                                                       std::span<const std::string_view> kinds,
                                                       std::string_view what) {
  if (!r.present()) return std::nullopt;
  if (!r.is_map()) {
    r.error(fmt::format("expected {} written as one of {}", what, either(kinds)));
    return std::nullopt;
  }
  std::optional<std::pair<std::string, Reader>> found;
  const std::vector<std::string> names(kinds.begin(), kinds.end());
  for (const auto& [key, value] : r.entries()) {
    if (std::find(kinds.begin(), kinds.end(), key) == kinds.end()) {
      const std::string hint = did_you_mean(key, names);
      value.error(hint.empty() ? fmt::format("unknown {} '{}' (expected one of {})", what,
                                             shorten(key),
                                             either(kinds))
                               : fmt::format("unknown {} '{}' ({})", what, shorten(key),
                                             hint));
      return std::nullopt;
    }
    if (found) {
      value.error(fmt::format("only one {} may be given (found '{}' and '{}')", what,
                              found->first, key));
      return std::nullopt;
    }
    found.emplace(key, value);
  }
  if (!found) r.error(fmt::format("expected {} written as one of {}", what, either(kinds)));
  return found;
}

bool require_all(std::initializer_list<Reader> required) {
  bool ok = true;
  for (const Reader& r : required) ok = r.require() && ok;
  return ok;
}

void report(const Reader& at, const Problems& problems) {
  for (const Problem& p : problems) at[p.field].error(p.message);
}

void Places::remember(const std::string& field, const Reader& r) {
  if (r.present()) places_.insert_or_assign(field, r);
}

Reader Places::find(std::string field, const Reader& fallback) const {
  for (;;) {
    if (const auto it = places_.find(field); it != places_.end()) return it->second;
    const std::size_t cut = field.find_last_of(".[");
    if (cut == std::string::npos) return fallback;
    field.resize(cut);
  }
}

void Places::forget(const std::string& field) {
  for (auto it = places_.lower_bound(field); it != places_.end() && it->first.starts_with(field);) {
    const char next = it->first.size() > field.size() ? it->first[field.size()] : '\0';
    it = next == '\0' || next == '.' || next == '[' ? places_.erase(it) : std::next(it);
  }
}

void Places::take(const Places& other) {
  for (const auto& [field, r] : other.places_) places_.insert_or_assign(field, r);
}

void Places::report(const Problems& problems, const Reader& fallback) const {
  for (const Problem& p : problems) find(p.field, fallback).error(p.message);
}

}  // namespace ecsim::scenario::detail
