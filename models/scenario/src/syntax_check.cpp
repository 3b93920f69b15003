#include "syntax_check.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

namespace ecsim::scenario::detail {
namespace {

constexpr std::size_t kShortValue = 60;

std::string child_of(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

// --- strict JSON ----------------------------------------------------------------------------

// Where a syntax error was found, and what it is.
struct JsonError {
  std::size_t at;
  std::string message;
};

// One object or list being read.
struct JsonFrame {
  bool object;
  std::string path;
  std::size_t items = 0;                                 // values read so far
  std::map<std::string, std::size_t, std::less<>> keys;  // key -> offset of its first occurrence
  std::string key;                                       // of the value being read (objects)
};

class JsonChecker {
 public:
  JsonChecker(std::string_view text, const std::string& file, Diagnostics& diagnostics)
      : text_(text), file_(file), diagnostics_(diagnostics) {}

  bool check() {
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;  // a UTF-8 byte order mark
    const std::optional<JsonError> e = run();
    if (e) report(e->at, path_here(), e->message);
    return !e;
  }

 private:
  enum class Expect { kValue, kFirstItem, kFirstKey, kKey, kAfterValue, kEnd };

  std::optional<JsonError> run() {
    Expect expect = Expect::kValue;
    bool after_comma = false;
    for (;;) {
      if (std::optional<JsonError> e = skip_space()) return e;
      const bool end = pos_ >= text_.size();
      const char c = end ? '\0' : text_[pos_];
      switch (expect) {
        case Expect::kEnd:
          if (end) return std::nullopt;
          return JsonError{pos_,
                           "text after the end of the JSON value (a file holds one "
                           "object; a second document or anything after it is not JSON)"};
        case Expect::kFirstItem:
          if (c == ']') {
            expect = close();
            continue;
          }
          [[fallthrough]];
        case Expect::kValue: {
          if (after_comma && (c == ']' || c == '}'))
            return JsonError{pos_, fmt::format("expected a value after ',' (a comma before '{}' "
                                               "is not allowed in JSON)",
                                               c)};
          after_comma = false;
          if (end) {
            // At the root the only value expected is the first: the file holds nothing else.
            if (stack_.empty())
              return JsonError{pos_, "the file is empty (expected a JSON object)"};
            return JsonError{pos_, "the file ends where a value was expected"};
          }
          if (c == '{' || c == '[') {
            if (stack_.size() + 1 > kMaxNesting) {
              stack_.clear();  // the message names the place; a path 200 deep says nothing
              return JsonError{pos_, fmt::format("objects and lists nest more than {} deep here "
                                                 "(the most ecsim reads)",
                                                 kMaxNesting)};
            }
            stack_.push_back(JsonFrame{c == '{', path_here(), 0, {}, {}});
            ++pos_;
            expect = c == '{' ? Expect::kFirstKey : Expect::kFirstItem;
            continue;
          }
          if (std::optional<JsonError> e = scalar()) return e;
          expect = after_value();
          continue;
        }
        case Expect::kFirstKey:
          if (c == '}') {
            expect = close();
            continue;
          }
          [[fallthrough]];
        case Expect::kKey: {
          if (c == '}')
            return JsonError{pos_,
                             "expected a key after ',' (a comma before '}' is not allowed "
                             "in JSON)"};
          if (c != '"') return JsonError{pos_, quote_problem(c, "a key in double quotes")};
          const std::size_t key_at = pos_;
          std::string key;
          if (std::optional<JsonError> e = string(&key)) return e;
          JsonFrame& frame = stack_.back();
          const auto [it, first] = frame.keys.emplace(key, key_at);
          if (!first) {
            const auto [line, column] = line_column(it->second);
            report(key_at, child_of(frame.path, key),
                   fmt::format("duplicate key '{}' (first at {}:{}; each key may appear once)",
                               shorten(key), line, column));
          }
          frame.key = std::move(key);
          if (std::optional<JsonError> e = skip_space()) return e;
          if (pos_ >= text_.size() || text_[pos_] != ':')
            return JsonError{pos_,
                             fmt::format("expected ':' after the key '{}'", shorten(frame.key))};
          ++pos_;
          expect = Expect::kValue;
          continue;
        }
        case Expect::kAfterValue: {
          JsonFrame& frame = stack_.back();
          const char closing = frame.object ? '}' : ']';
          if (c == ',') {
            ++pos_;
            ++frame.items;
            after_comma = true;
            expect = frame.object ? Expect::kKey : Expect::kValue;
            continue;
          }
          if (c == closing) {
            expect = close();
            continue;
          }
          if (end)
            return JsonError{pos_, fmt::format("the file ends before the '{}' that closes this {}",
                                               closing, frame.object ? "object" : "list")};
          return JsonError{pos_, fmt::format("expected ',' or '{}' after the {}", closing,
                                             frame.object ? "value" : "item")};
        }
      }
    }
  }

  Expect after_value() const { return stack_.empty() ? Expect::kEnd : Expect::kAfterValue; }

  // Consumes the '}' or ']' at pos_, which closes the innermost object or list.
  Expect close() {
    ++pos_;
    stack_.pop_back();
    return after_value();
  }

  // The path of the value being read: the open containers' keys and indexes.
  std::string path_here() const {
    if (stack_.empty()) return {};
    const JsonFrame& frame = stack_.back();
    if (frame.object) return frame.key.empty() ? frame.path : child_of(frame.path, frame.key);
    return fmt::format("{}[{}]", frame.path, frame.items);
  }

  // Skips white space; a comment is an error, as JSON has none.
  std::optional<JsonError> skip_space() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
      } else if (c == '/' && pos_ + 1 < text_.size() &&
                 (text_[pos_ + 1] == '/' || text_[pos_ + 1] == '*')) {
        return JsonError{pos_, "comments are not allowed in JSON"};
      } else if (c == '#') {
        return JsonError{pos_, "comments are not allowed in JSON ('#' starts one in YAML only)"};
      } else {
        break;
      }
    }
    return std::nullopt;
  }

  std::string quote_problem(char c, std::string_view expected) const {
    if (c == '\'')
      return fmt::format("expected {}: JSON writes strings in double quotes, not single quotes",
                         expected);
    if (pos_ >= text_.size()) return fmt::format("the file ends where {} was expected", expected);
    return fmt::format("expected {} (found '{}')", expected, shorten(token()));
  }

  // The word or character at pos_, for messages.
  std::string_view token() const {
    std::size_t end = pos_;
    while (end < text_.size() && end - pos_ < kShortValue + 1 &&
           (std::isalnum(static_cast<unsigned char>(text_[end])) != 0 || text_[end] == '_' ||
            text_[end] == '.' || text_[end] == '-' || text_[end] == '+'))
      ++end;
    if (end == pos_) end = pos_ + 1;
    return text_.substr(pos_, end - pos_);
  }

  std::optional<JsonError> scalar() {
    const char c = text_[pos_];
    if (c == '"') return string(nullptr);
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    for (const std::string_view word : {"true", "false", "null"}) {
      if (text_.substr(pos_, word.size()) == word) {
        const std::size_t next = pos_ + word.size();
        if (next >= text_.size() || std::isalnum(static_cast<unsigned char>(text_[next])) == 0) {
          pos_ = next;
          return std::nullopt;
        }
      }
    }
    return JsonError{pos_, quote_problem(c,
                                         "a value (an object, a list, a string in double "
                                         "quotes, a number, true, false or null)")};
  }

  std::optional<JsonError> number() {
    const std::size_t start = pos_;
    const auto digits = [&] {
      const std::size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ > from;
    };
    const auto bad = [&] {
      pos_ = start;
      return JsonError{start, fmt::format("'{}' is not a JSON number", shorten(token()))};
    };
    if (text_[pos_] == '-') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '0') {
      ++pos_;
      if (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') return bad();
    } else if (!digits()) {
      return bad();
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (!digits()) return bad();
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digits()) return bad();
    }
    return std::nullopt;
  }

  // A string at pos_ (its opening quote); with `decoded`, its value.
  std::optional<JsonError> string(std::string* decoded) {
    const std::size_t start = pos_++;
    for (;;) {
      if (pos_ >= text_.size())
        return JsonError{start, "a string that is never closed (a '\"' is missing)"};
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return std::nullopt;
      }
      if (c < 0x20)
        return JsonError{pos_, c == '\n' ? "a string that is not closed on its line (a '\"' is "
                                           "missing, or a line break needs writing as \\n)"
                                         : "a control character in a string (write it as an "
                                           "escape such as \\t)"};
      if (c == '\\') {
        if (std::optional<JsonError> e = escape(decoded)) return e;
        continue;
      }
      const std::size_t length = utf8_length(pos_);
      if (length == 0) return JsonError{pos_, "text that is not valid UTF-8 in a string"};
      if (decoded) decoded->append(text_.substr(pos_, length));
      pos_ += length;
    }
  }

  // An escape at pos_ (its backslash).
  std::optional<JsonError> escape(std::string* decoded) {
    const std::size_t start = pos_++;
    const char e = pos_ < text_.size() ? text_[pos_] : '\0';
    ++pos_;
    const std::string_view simple = "\"\\/bfnrt";
    const std::string_view meaning = "\"\\/\b\f\n\r\t";
    if (const std::size_t k = simple.find(e); k != std::string_view::npos && e != '\0') {
      if (decoded) decoded->push_back(meaning[k]);
      return std::nullopt;
    }
    if (e != 'u')
      return JsonError{start, fmt::format("'\\{}' is not a JSON escape (expected \\\", \\\\, \\/, "
                                          "\\b, \\f, \\n, \\r, \\t or \\u and four hex digits)",
                                          e)};
    std::uint32_t code = 0;
    for (int k = 0; k < 4; ++k, ++pos_) {
      const char h = pos_ < text_.size() ? text_[pos_] : '\0';
      const int v = h >= '0' && h <= '9'   ? h - '0'
                    : h >= 'a' && h <= 'f' ? h - 'a' + 10
                    : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                           : -1;
      if (v < 0) return JsonError{start, "'\\u' must be followed by four hex digits"};
      code = code * 16 + static_cast<std::uint32_t>(v);
    }
    if (decoded) append_utf8(*decoded, code);
    return std::nullopt;
  }

  static void append_utf8(std::string& out, std::uint32_t code) {
    // A lone surrogate half stays as written: only equal keys need equal texts here.
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xE0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  // The length of the UTF-8 sequence at `at`, or 0 when it is not valid UTF-8.
  std::size_t utf8_length(std::size_t at) const {
    const auto byte = [&](std::size_t k) {
      return at + k < text_.size() ? static_cast<unsigned char>(text_[at + k]) : 0u;
    };
    const unsigned b0 = byte(0);
    if (b0 < 0x80) return 1;
    const auto tail = [&](std::size_t k) { return (byte(k) & 0xC0u) == 0x80u; };
    if (b0 >= 0xC2 && b0 <= 0xDF) return tail(1) ? 1 + 1 : 0;
    if (b0 >= 0xE0 && b0 <= 0xEF) {
      const unsigned b1 = byte(1);
      if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 > 0x9F)) return 0;
      return tail(1) && tail(2) ? 3 : 0;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
      const unsigned b1 = byte(1);
      if ((b0 == 0xF0 && b1 < 0x90) || (b0 == 0xF4 && b1 > 0x8F)) return 0;
      return tail(1) && tail(2) && tail(3) ? 4 : 0;
    }
    return 0;
  }

  std::pair<int, int> line_column(std::size_t at) const {
    int line = 1;
    std::size_t line_start = 0;
    for (std::size_t k = 0; k < at && k < text_.size(); ++k) {
      if (text_[k] == '\n') {
        ++line;
        line_start = k + 1;
      }
    }
    return {line, static_cast<int>(at - line_start) + 1};
  }

  void report(std::size_t at, std::string path, std::string message) {
    const auto [line, column] = line_column(at);
    diagnostics_.error(SourceLocation{file_, line, column}, std::move(path), std::move(message));
  }

  std::string_view text_;
  const std::string& file_;
  Diagnostics& diagnostics_;
  std::size_t pos_ = 0;
  std::vector<JsonFrame> stack_;
};

// --- YAML -------------------------------------------------------------------------------------

// Thrown by the handler to stop the parser at a finding that makes reading on pointless.
struct StopReading {};

// Follows the parser's events: one frame per open mapping or sequence.
class YamlChecker : public YAML::EventHandler {
 public:
  YamlChecker(const std::string& file, Diagnostics& diagnostics)
      : file_(file), diagnostics_(diagnostics) {}

  void OnDocumentStart(const YAML::Mark& mark) override { start_ = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark, nullptr); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark, nullptr); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string& value) override {
    node(mark, &value);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    open(mark, false);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    open(mark, true);
  }
  void OnMapEnd() override { close(); }

  /// True when the document held a node other than an empty one.
  [[nodiscard]] bool saw_content() const { return content_; }
  /// Where its first node starts.
  [[nodiscard]] const YAML::Mark& first_mark() const { return first_; }
  /// Where the document starts.
  [[nodiscard]] const YAML::Mark& start() const { return start_; }

 private:
  struct Frame {
    bool map;
    std::string path;
    std::size_t items = 0;  // nodes seen: in a mapping, keys and values alternate
    std::map<std::string, YAML::Mark, std::less<>> keys;
    std::string key;  // the key of the value being read (mappings)
  };

  // The path of the node that comes next.
  std::string path_here() const {
    if (stack_.empty()) return {};
    const Frame& f = stack_.back();
    if (f.map) return f.items % 2 == 0 ? f.path : child_of(f.path, f.key);
    return fmt::format("{}[{}]", f.path, f.items);
  }

  // A scalar, null or alias node; `value` for a scalar.
  void node(const YAML::Mark& mark, const std::string* value) {
    if (!content_) first_ = mark;
    content_ = content_ || value != nullptr || !stack_.empty();
    if (stack_.empty()) return;
    Frame& f = stack_.back();
    if (f.map && f.items % 2 == 0) key(f, mark, value);
    ++f.items;
  }

  void key(Frame& f, const YAML::Mark& mark, const std::string* value) {
    f.key = value ? *value : std::string();
    if (!value) return;  // an alias or null key: nothing to compare
    const auto [it, first] = f.keys.emplace(*value, mark);
    if (!first)
      diagnostics_.error(SourceLocation{file_, mark.line + 1, mark.column + 1},
                         child_of(f.path, *value),
                         fmt::format("duplicate key '{}' (first at {}:{}; each key may appear "
                                     "once)",
                                     shorten(*value), it->second.line + 1, it->second.column + 1));
  }

  void open(const YAML::Mark& mark, bool map) {
    if (!content_) first_ = mark;
    content_ = true;
    if (stack_.size() + 1 > kMaxNesting) {
      diagnostics_.error(SourceLocation{file_, mark.line + 1, mark.column + 1}, "",
                         fmt::format("mappings and lists nest more than {} deep here (the most "
                                     "ecsim reads)",
                                     kMaxNesting));
      throw StopReading{};
    }
    std::string path = path_here();
    if (!stack_.empty()) {
      Frame& parent = stack_.back();
      // A mapping or sequence as a key: nothing to compare, but it takes the key's place.
      if (parent.map && parent.items % 2 == 0) parent.key.clear();
      ++parent.items;
    }
    stack_.push_back(Frame{map, std::move(path), 0, {}, {}});
  }

  void close() {
    if (!stack_.empty()) stack_.pop_back();
  }

  const std::string& file_;
  Diagnostics& diagnostics_;
  std::vector<Frame> stack_;
  bool content_ = false;
  YAML::Mark first_;
  YAML::Mark start_;
};

}  // namespace

std::string shorten(std::string_view text) {
  if (text.size() <= kShortValue) return std::string(text);
  // Cut at a character boundary, not inside a UTF-8 sequence.
  std::size_t cut = 40;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0u) == 0x80u) --cut;
  return fmt::format("{}... ({} bytes)", text.substr(0, cut), text.size());
}

bool check_json(std::string_view text, const std::string& file, Diagnostics& diagnostics) {
  return JsonChecker(text, file, diagnostics).check();
}

bool check_yaml(const std::string& text, const std::string& file, Diagnostics& diagnostics,
                bool several_documents) {
  std::istringstream in(text);
  try {
    YAML::Parser parser(in);
    std::optional<int> last_start;  // where the previous document started, as an offset
    for (std::size_t document = 0;; ++document) {
      YamlChecker checker(file, diagnostics);
      if (!parser.HandleNextDocument(checker)) break;
      // yaml-cpp 0.7 does not consume a ',' outside a flow collection: it returns an empty
      // document there, again and again. A document that starts where the last one did is that.
      if (last_start == checker.start().pos) {
        const YAML::Mark at = checker.start();
        const char c = static_cast<std::size_t>(at.pos) < text.size()
                           ? text[static_cast<std::size_t>(at.pos)]
                           : ' ';
        diagnostics.error(
            SourceLocation{file, at.line + 1, at.column + 1}, "",
            c == ',' ? "a ',' outside [...] or {...} (in YAML a comma separates only the "
                       "items of a flow list or mapping)"
                     : fmt::format("'{}' cannot stand here (the parser makes no progress)", c));
        return false;
      }
      last_start = checker.start().pos;
      if (document > 0 && !several_documents && checker.saw_content()) {
        const YAML::Mark start = checker.first_mark();
        diagnostics.error(SourceLocation{file, start.line + 1, start.column + 1}, "",
                          "a second YAML document (this file holds one; remove the '---' and "
                          "what follows, or move it to a file of its own)");
        break;
      }
    }
  } catch (const StopReading&) {
    return false;
  } catch (const YAML::Exception&) {
    // A syntax error: the parser that builds the document reports it.
  }
  return true;
}

}  // namespace ecsim::scenario::detail
