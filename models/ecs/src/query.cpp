// The ECS cluster query language, as the Developer Guide documents it: "Create expressions to
// define container instances for Amazon ECS tasks" (cluster-query-language) and the examples in
// "Amazon ECS task placement constraints"; the 2000-character limit is the API reference's
// (PlacementConstraint.expression). Choices made where they are silent are in README.md.

#include "ecsim/ecs/query.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <optional>
#include <utility>

#include "ecsim/ecs/attributes.hpp"
#include "ecsim/sim/assert.hpp"
#include "ecsim/sim/suggest.hpp"

namespace ecsim::ecs {

using detail::QueryNode;
using detail::QueryNodeKind;
using detail::QueryOperator;
using detail::QueryPattern;
using detail::QuerySubject;

namespace {

constexpr std::uint32_t kNoNode = std::numeric_limits<std::uint32_t>::max();
constexpr std::size_t kMaxAttributeName = kMaxAttributeLength;
constexpr std::string_view kAttributePrefix = "attribute:";

constexpr std::array<std::pair<std::string_view, QuerySubject>, 6> kSubjects{{
    {"agentConnected", QuerySubject::kAgentConnected},
    {"agentVersion", QuerySubject::kAgentVersion},
    {"ec2InstanceId", QuerySubject::kEc2InstanceId},
    {"registeredAt", QuerySubject::kRegisteredAt},
    {"runningTasksCount", QuerySubject::kRunningTasksCount},
    {"task:group", QuerySubject::kTaskGroup},
}};

struct OperatorSpelling {
  std::string_view text;
  QueryOperator op;
  bool negated;
};

// Symbols before words, and longer symbols before their prefixes, so the first hit is right.
constexpr std::array<OperatorSpelling, 10> kSymbols{{
    {"==", QueryOperator::kEquals, false},
    {"!=", QueryOperator::kEquals, true},
    {"=~", QueryOperator::kMatches, false},
    {"!~", QueryOperator::kMatches, true},
    {">=", QueryOperator::kGreaterEqual, false},
    {"<=", QueryOperator::kLessEqual, false},
    {">", QueryOperator::kGreater, false},
    {"<", QueryOperator::kLess, false},
    {"!exists", QueryOperator::kExists, true},
    {"!in", QueryOperator::kIn, true},
}};

constexpr std::array<OperatorSpelling, 12> kWords{{
    {"equals", QueryOperator::kEquals, false},
    {"not_equals", QueryOperator::kEquals, true},
    {"matches", QueryOperator::kMatches, false},
    {"not_matches", QueryOperator::kMatches, true},
    {"greater_than", QueryOperator::kGreater, false},
    {"greater_than_equal", QueryOperator::kGreaterEqual, false},
    {"less_than", QueryOperator::kLess, false},
    {"less_than_equal", QueryOperator::kLessEqual, false},
    {"exists", QueryOperator::kExists, false},
    {"not_exists", QueryOperator::kExists, true},
    {"in", QueryOperator::kIn, false},
    {"not_in", QueryOperator::kIn, true},
}};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
// Characters of subjects and attribute names (AWS: letters, numbers, '-', '_', '/', '\', '.'),
// plus ':' for the "attribute:" and "task:" prefixes.
bool is_name_char(char c) {
  return is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '/' || c == '\\' || c == ':';
}
// An unquoted value ends at white space and at the punctuation of the language itself.
bool ends_value(char c) {
  return is_space(c) || c == '(' || c == ')' || c == '[' || c == ']' || c == ',' || c == '\'' ||
         c == '"';
}

bool allows(QuerySubject subject, QueryOperator op) {
  switch (subject) {
    case QuerySubject::kAttribute:
      return true;
    case QuerySubject::kAgentConnected:
    case QuerySubject::kEc2InstanceId:
    case QuerySubject::kTaskGroup:
      return op == QueryOperator::kEquals || op == QueryOperator::kIn ||
             op == QueryOperator::kMatches;
    case QuerySubject::kAgentVersion:
    case QuerySubject::kRegisteredAt:
    case QuerySubject::kRunningTasksCount:
      return op != QueryOperator::kExists && op != QueryOperator::kIn &&
             op != QueryOperator::kMatches;
  }
  return false;
}

std::string_view operator_list(QuerySubject subject) {
  switch (subject) {
    case QuerySubject::kAttribute:
      return "==, !=, in, !in, exists, !exists, =~, !~, >, >=, <, <=";
    case QuerySubject::kAgentConnected:
    case QuerySubject::kEc2InstanceId:
    case QuerySubject::kTaskGroup:
      return "==, !=, in, !in, =~, !~";
    case QuerySubject::kAgentVersion:
    case QuerySubject::kRegisteredAt:
    case QuerySubject::kRunningTasksCount:
      return "==, !=, >, >=, <, <=";
  }
  return "";
}

// Days from 1970-01-01 to the proleptic Gregorian date y-m-d (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<unsigned> fixed_digits(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return std::nullopt;
  unsigned value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (!is_digit(text[i])) return std::nullopt;
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
  }
  return value;
}

// The four documented formats: 2018-06-18T22:28:28+00:00, ...28Z, ...28 (UTC), 2018-06-18.
std::optional<std::int64_t> parse_date(std::string_view text) {
  const auto year = fixed_digits(text, 0, 4);
  const auto month = fixed_digits(text, 5, 2);
  const auto day = fixed_digits(text, 8, 2);
  if (!year || !month || !day || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1) return std::nullopt;
  constexpr std::array<unsigned, 12> kDays{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (*year % 4 == 0 && *year % 100 != 0) || *year % 400 == 0;
  if (*day > kDays[*month - 1] || (*month == 2 && *day == 29 && !leap)) return std::nullopt;
  std::int64_t seconds = days_from_civil(*year, *month, *day) * 86400;
  if (text.size() == 10) return seconds;
  const auto hour = fixed_digits(text, 11, 2);
  const auto minute = fixed_digits(text, 14, 2);
  const auto second = fixed_digits(text, 17, 2);
  if (text[10] != 'T' || !hour || !minute || !second || text[13] != ':' || text[16] != ':' ||
      *hour > 23 || *minute > 59 || *second > 59) {
    return std::nullopt;
  }
  seconds += *hour * 3600 + *minute * 60 + *second;
  const std::string_view zone = text.substr(19);
  if (zone.empty() || zone == "Z") return seconds;
  const auto zone_hour = fixed_digits(zone, 1, 2);
  const auto zone_minute = fixed_digits(zone, 4, 2);
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' || !zone_hour ||
      !zone_minute || *zone_hour > 23 || *zone_minute > 59) {
    return std::nullopt;
  }
  const std::int64_t offset = *zone_hour * 3600 + *zone_minute * 60;
  return zone[0] == '+' ? seconds - offset : seconds + offset;
}

// Dotted version numbers, e.g. "1.14.5", each part at most 4294967295.
bool parse_version(std::string_view text, std::vector<std::uint32_t>* parts) {
  if (text.empty()) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = std::min(text.find('.', start), text.size());
    std::uint32_t part = 0;
    const char* first = text.data() + start;
    const char* last = text.data() + dot;
    if (first == last || !is_digit(*first)) return false;
    const auto [ptr, ec] = std::from_chars(first, last, part);
    if (ec != std::errc{} || ptr != last) return false;
    if (parts != nullptr) parts->push_back(part);
    if (dot == text.size()) return true;
    start = dot + 1;
  }
}

// -1, 0 or 1 as `value` (dotted numbers, missing parts 0) is below, equal to or above `wanted`;
// nullopt when `value` is not a version.
std::optional<int> compare_versions(std::string_view value, std::span<const std::uint32_t> wanted) {
  if (!parse_version(value, nullptr)) return std::nullopt;
  std::size_t i = 0;
  std::size_t start = 0;
  int result = 0;
  while (start <= value.size() || i < wanted.size()) {
    std::uint32_t part = 0;
    if (start <= value.size()) {
      const std::size_t dot = std::min(value.find('.', start), value.size());
      std::from_chars(value.data() + start, value.data() + dot, part);
      start = dot + 1;
    }
    const std::uint32_t other = i < wanted.size() ? wanted[i] : 0;
    ++i;
    if (part != other) {
      result = part < other ? -1 : 1;
      break;
    }
  }
  return result;
}

std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  const auto [ptr, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::general);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// The repeat ('*', '+' or '?') at the start of a pattern or of an alternative, with nothing
// before it to repeat, as in the glob-like "*.large". libstdc++ reports it as mismatched
// parentheses, which misleads.
std::optional<char> nothing_to_repeat(std::string_view pattern) {
  bool start = true;
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      ++i;
      start = false;
      continue;
    }
    if (in_class) {
      in_class = c != ']';
      continue;
    }
    if (start && (c == '*' || c == '+' || c == '?')) return c;
    start = c == '(' || c == '|';
    // "(?:", "(?=" and "(?!" open a group like "(".
    if (c == '(' && i + 2 < pattern.size() && pattern[i + 1] == '?') i += 2;
    in_class = c == '[';
  }
  return std::nullopt;
}

// Java syntax that ECMAScript lacks: libstdc++ rejects some of it with a misleading reason and
// silently reads the rest as something else (\A as the letter A, a++ as a+), so both are
// reported here as what they are.
std::optional<std::string_view> java_only(std::string_view pattern) {
  constexpr std::string_view kEscapes = "AZzGQEpPhHRXK";
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    const char next = i + 1 < pattern.size() ? pattern[i + 1] : '\0';
    if (c == '\\') {
      if (kEscapes.find(next) != std::string_view::npos && next != '\0') {
        return pattern.substr(i, 2);
      }
      ++i;
      continue;
    }
    if (in_class) {
      in_class = c != ']';
      continue;
    }
    if (c == '[') in_class = true;
    if (c == '(' && next == '?' && i + 2 < pattern.size() && pattern[i + 2] != ':' &&
        pattern[i + 2] != '=' && pattern[i + 2] != '!') {
      return pattern.substr(i, 3);
    }
    if ((c == '*' || c == '+' || c == '?' || c == '}') && next == '+') {
      return pattern.substr(i, 2);
    }
  }
  return std::nullopt;
}

// The most digits of a number a pattern may write after a backslash (a back-reference, an
// octal escape) or in a repetition's braces: far beyond any real pattern. libstdc++ reads such
// numbers into an int without checking for overflow (undefined behaviour), so longer ones are
// refused before it sees them.
constexpr std::size_t kMaxPatternNumberDigits = 6;

// The first run of digits in `pattern`, after a backslash or inside braces, longer than
// kMaxPatternNumberDigits.
std::optional<std::string_view> overlong_number(std::string_view pattern) {
  bool counted = false;  // digits here are a number libstdc++ reads
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (is_digit(c) && counted) {
      std::size_t end = i;
      while (end < pattern.size() && is_digit(pattern[end])) ++end;
      if (end - i > kMaxPatternNumberDigits) return pattern.substr(i, end - i);
      i = end - 1;
      continue;
    }
    if (c == '\\' && i + 1 < pattern.size() && is_digit(pattern[i + 1])) {
      counted = true;
      continue;
    }
    if (c == '\\') {
      ++i;  // an escaped character, whatever it is
      counted = false;
      continue;
    }
    counted = c == '{' || (c == ',' && counted);
  }
  return std::nullopt;
}

// Whether `pattern` is plain text with an optional final ".*", where an escaped punctuation
// character stands for itself; if so, the text in `literal`. Such patterns skip std::regex,
// which allocates on every match.
bool simple_pattern(std::string_view pattern, std::string* literal, bool* prefix) {
  constexpr std::string_view kMeta = "\\^$.|?*+()[]{}";
  *prefix = pattern.size() >= 2 && pattern.substr(pattern.size() - 2) == ".*";
  if (*prefix) pattern.remove_suffix(2);
  literal->clear();
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 == pattern.size() || is_alnum(pattern[i + 1])) return false;
      literal->push_back(pattern[++i]);
    } else if (kMeta.find(c) != std::string_view::npos) {
      return false;
    } else {
      literal->push_back(c);
    }
  }
  return true;
}

}  // namespace

// Recursive descent over the text, one character class at a time: which token comes next
// depends on where the parser is ('!' is "not" before a subject and part of '!=' after one).
class QueryParser {
 public:
  explicit QueryParser(std::string_view text) : text_(text) { query_.text_ = std::string(text); }

  std::variant<Query, std::vector<QueryError>> run() {
    if (text_.size() > kMaxQueryLength) {
      return std::vector<QueryError>{
          {kMaxQueryLength + 1, fmt::format("the expression is {} characters long (AWS allows "
                                            "at most {})",
                                            text_.size(), kMaxQueryLength)}};
    }
    skip_space();
    if (at_end()) {
      error(pos_,
            "the expression is empty (expected a subject such as "
            "attribute:ecs.instance-type)");
    } else {
      const std::uint32_t root = parse_or();
      skip_space();
      if (!at_end()) {
        // parse_or stops only at the end, at a ')' or after an error it already reported.
        if (peek() == ')') error(pos_, "unmatched ')'");
      }
      query_.root_ = root;
    }
    if (!errors_.empty()) {
      std::stable_sort(
          errors_.begin(), errors_.end(),
          [](const QueryError& a, const QueryError& b) { return a.column < b.column; });
      return std::move(errors_);
    }
    return std::move(query_);
  }

 private:
  [[nodiscard]] bool at_end() const { return pos_ >= text_.size(); }
  [[nodiscard]] char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void skip_space() {
    while (!at_end() && is_space(peek())) ++pos_;
  }
  void error(std::size_t pos, std::string message) {
    errors_.push_back({pos + 1, std::move(message)});
  }

  // Whether `word` starts at pos_ and is not the start of a longer name.
  [[nodiscard]] bool word_at(std::string_view word) const {
    return text_.substr(pos_, word.size()) == word &&
           (pos_ + word.size() >= text_.size() || !is_name_char(text_[pos_ + word.size()]));
  }

  // The token at `pos` as a message shows it.
  [[nodiscard]] std::string found(std::size_t pos) const {
    if (pos >= text_.size()) return "the end of the expression";
    const char c = text_[pos];
    std::size_t end = pos + 1;
    if (c != '(' && c != ')' && c != '[' && c != ']' && c != ',') {
      while (end < text_.size() && !ends_value(text_[end])) ++end;
    }
    std::string token(text_.substr(pos, std::min<std::size_t>(end - pos, 40)));
    if (end - pos > 40) token += "...";
    return fmt::format("'{}'", token);
  }

  // Whether pos_ is at 'and', '&&', 'or' or '||'; `which` 0 for and, 1 for or.
  [[nodiscard]] std::size_t connective(int which) const {
    const std::string_view word = which == 0 ? "and" : "or";
    const std::string_view symbol = which == 0 ? "&&" : "||";
    if (word_at(word)) return word.size();
    if (text_.substr(pos_, 2) == symbol) return 2;
    return 0;
  }

  // '&&' and '||' end an unquoted value even without white space before them.
  [[nodiscard]] bool at_symbol_connective() const {
    const std::string_view two = text_.substr(pos_, 2);
    return two == "&&" || two == "||";
  }

  // After an error inside a comparison: skips to where the next one could start (a connective
  // or a ')' outside brackets and quotes, or the end) so that later problems are found too.
  void recover() {
    int brackets = 0;
    int parentheses = 0;
    bool after_space = true;
    while (!at_end()) {
      const char c = peek();
      if (brackets == 0 && c == ')' && parentheses-- == 0) return;
      if (brackets == 0 && c == '(') ++parentheses;
      if (brackets == 0 &&
          (at_symbol_connective() || (after_space && (connective(0) != 0 || connective(1) != 0)))) {
        return;
      }
      if (c == '\'' || c == '"') {
        const std::size_t close = text_.find(c, pos_ + 1);
        pos_ = close == std::string_view::npos ? text_.size() : close + 1;
        after_space = false;
        continue;
      }
      if (c == '[') ++brackets;
      if (c == ']' && brackets > 0) --brackets;
      after_space = is_space(c);
      ++pos_;
    }
  }

  std::uint32_t add(QueryNode node) {
    query_.nodes_.push_back(node);
    return static_cast<std::uint32_t>(query_.nodes_.size() - 1);
  }

  std::uint32_t combine(QueryNodeKind kind, std::uint32_t left, std::uint32_t right) {
    if (left == kNoNode || right == kNoNode) return kNoNode;
    QueryNode node;
    node.kind = kind;
    node.left = left;
    node.right = right;
    return add(node);
  }

  std::uint32_t parse_or() {
    std::uint32_t left = parse_and();
    while (true) {
      skip_space();
      const std::size_t length = connective(1);
      if (length == 0) return left;
      pos_ += length;
      left = combine(QueryNodeKind::kOr, left, parse_and());
    }
  }

  std::uint32_t parse_and() {
    std::uint32_t left = parse_unary();
    while (true) {
      skip_space();
      const std::size_t length = connective(0);
      if (length == 0) return left;
      pos_ += length;
      left = combine(QueryNodeKind::kAnd, left, parse_unary());
    }
  }

  std::uint32_t parse_unary() {
    skip_space();
    if (word_at("not") || (peek() == '!' && peek(1) != '=' && peek(1) != '~')) {
      pos_ += peek() == '!' ? std::size_t{1} : std::size_t{3};
      const std::uint32_t operand = parse_unary();
      return combine(QueryNodeKind::kNot, operand, 0);
    }
    if (peek() == '(') {
      const std::size_t open = pos_;
      ++pos_;
      const std::uint32_t inner = parse_or();
      skip_space();
      if (peek() == ')') {
        ++pos_;
        return expect_follow() ? inner : kNoNode;
      }
      // parse_or stops only at ')' or the end, errors included.
      error(open, "unclosed '(' (expected ')')");
      return kNoNode;
    }
    return parse_comparison();
  }

  // After a complete comparison or group: only a connective, ')' or the end may follow.
  bool expect_follow() {
    skip_space();
    if (at_end() || peek() == ')' || connective(0) != 0 || connective(1) != 0) return true;
    error(pos_, fmt::format("expected 'and', 'or', ')' or the end of the expression but found {}",
                            found(pos_)));
    recover();
    return false;
  }

  std::uint32_t fail(std::size_t pos, std::string message) {
    error(pos, std::move(message));
    recover();
    return kNoNode;
  }

  std::uint32_t parse_comparison() {
    const std::size_t start = pos_;
    while (!at_end() && is_name_char(peek())) ++pos_;
    const std::string_view subject_text = text_.substr(start, pos_ - start);
    if (subject_text.empty()) {
      return fail(start, fmt::format("expected a subject (attribute:NAME, agentConnected, "
                                     "agentVersion, ec2InstanceId, registeredAt, "
                                     "runningTasksCount or task:group), 'not' or '(' but found {}",
                                     found(start)));
    }
    QueryNode node;
    node.kind = QueryNodeKind::kCompare;
    if (subject_text.starts_with(kAttributePrefix)) {
      node.subject = QuerySubject::kAttribute;
      const std::string_view name = subject_text.substr(kAttributePrefix.size());
      const std::size_t name_pos = start + kAttributePrefix.size();
      if (name.empty()) {
        return fail(name_pos, "expected an attribute name after 'attribute:'");
      }
      if (const std::size_t colon = name.find(':'); colon != std::string_view::npos) {
        return fail(name_pos + colon,
                    "an attribute name has letters, digits, '-', '_', '.', '/' and '\\' only "
                    "(found ':')");
      }
      if (name.size() > kMaxAttributeName) {
        return fail(name_pos, fmt::format("the attribute name is {} characters long (at most {})",
                                          name.size(), kMaxAttributeName));
      }
      node.name = add_value(name);
    } else {
      const auto known = std::find_if(kSubjects.begin(), kSubjects.end(),
                                      [&](const auto& s) { return s.first == subject_text; });
      if (known == kSubjects.end()) return fail(start, unknown_subject(subject_text));
      node.subject = known->second;
    }

    skip_space();
    const std::size_t op_pos = pos_;
    std::string_view op_text;
    if (!read_operator(&node, &op_text)) {
      return fail(op_pos, fmt::format("expected an operator after '{}' ({})", subject_text,
                                      operator_list(node.subject)));
    }
    if (!allows(node.subject, node.op)) {
      return fail(op_pos, fmt::format("'{}' does not apply to {} ({})", op_text,
                                      node.subject == QuerySubject::kAttribute
                                          ? std::string_view("attributes")
                                          : subject_text,
                                      operator_list(node.subject)));
    }

    skip_space();
    const std::size_t arg_pos = pos_;
    if (node.op == QueryOperator::kExists) {
      if (!at_end() && peek() != ')' && connective(0) == 0 && connective(1) == 0) {
        return fail(arg_pos,
                    fmt::format("'{}' takes no value but found {}", op_text, found(arg_pos)));
      }
      return add(node);
    }

    std::vector<std::pair<std::size_t, std::string_view>> values;
    if (node.op == QueryOperator::kIn) {
      if (peek() != '[') {
        return fail(arg_pos, fmt::format("'{}' takes a list in square brackets, as in "
                                         "[us-east-1a, us-east-1b], but found {}",
                                         op_text, found(arg_pos)));
      }
      ++pos_;
      skip_space();
      if (peek() == ']') return fail(arg_pos, "the list is empty (expected at least one value)");
      while (true) {
        skip_space();
        const std::size_t value_pos = pos_;
        const auto value = read_value(op_text);
        if (!value) return kNoNode;
        values.emplace_back(value_pos, *value);
        skip_space();
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        if (peek() == ']') {
          ++pos_;
          break;
        }
        if (at_end()) return fail(arg_pos, "unclosed '[' (expected ']')");
        return fail(pos_, fmt::format("expected ',' or ']' in the list but found {}", found(pos_)));
      }
    } else {
      if (peek() == '[') {
        return fail(arg_pos, fmt::format("'{}' takes one value, not a list (in and !in take "
                                         "lists)",
                                         op_text));
      }
      const auto value = read_value(op_text);
      if (!value) return kNoNode;
      values.emplace_back(arg_pos, *value);
    }

    if (!convert(&node, values, op_text)) {
      recover();
      return kNoNode;
    }
    const std::uint32_t index = add(node);
    return expect_follow() ? index : kNoNode;
  }

  std::string unknown_subject(std::string_view subject) const {
    std::vector<std::string_view> names;
    for (const auto& s : kSubjects) names.push_back(s.first);
    std::vector<std::string> close;
    if (const std::size_t colon = subject.find(':');
        colon != std::string_view::npos && colon + 1 < subject.size()) {
      // "atribute:stack" is an attribute with a misspelt prefix, not a misspelt task:group.
      const std::array<std::string_view, 1> prefixes{"attribute"};
      if (!closest_names(subject.substr(0, colon), prefixes, 1).empty()) {
        close.push_back(fmt::format("attribute:{}", subject.substr(colon + 1)));
      }
    }
    if (close.empty()) close = closest_names(subject, names, 1);
    if (!close.empty()) {
      return fmt::format("unknown subject '{}' (did you mean '{}'?)", subject, close.front());
    }
    return fmt::format(
        "unknown subject '{}' (expected attribute:NAME, agentConnected, "
        "agentVersion, ec2InstanceId, registeredAt, runningTasksCount or "
        "task:group)",
        subject);
  }

  bool read_operator(QueryNode* node, std::string_view* text) {
    for (const auto& s : kSymbols) {
      if (text_.substr(pos_, s.text.size()) != s.text) continue;
      // "!in" and "!exists" are words after the '!': "!inside" is neither.
      const bool word = s.text[0] == '!' && s.text.size() > 2;
      if (word && pos_ + s.text.size() < text_.size() &&
          is_name_char(text_[pos_ + s.text.size()])) {
        continue;
      }
      node->op = s.op;
      node->negated = s.negated;
      *text = s.text;
      pos_ += s.text.size();
      return true;
    }
    for (const auto& w : kWords) {
      if (!word_at(w.text)) continue;
      node->op = w.op;
      node->negated = w.negated;
      *text = w.text;
      pos_ += w.text.size();
      return true;
    }
    return false;
  }

  // One value, quoted ('...' or "...", no escapes) or not; reports and recovers when missing.
  std::optional<std::string_view> read_value(std::string_view op_text) {
    const std::size_t start = pos_;
    const char c = peek();
    if (c == '\'' || c == '"') {
      const std::size_t close = text_.find(c, pos_ + 1);
      if (close == std::string_view::npos) {
        fail(start, fmt::format("unclosed quote (a value that starts with {0} ends with {0})", c));
        return std::nullopt;
      }
      pos_ = close + 1;
      if (close == start + 1) {
        fail(start, "a value cannot be empty");
        return std::nullopt;
      }
      return text_.substr(start + 1, close - start - 1);
    }
    while (!at_end() && !ends_value(peek()) && !at_symbol_connective()) ++pos_;
    if (pos_ == start) {
      fail(start, fmt::format("expected a value after '{}' but found {}", op_text, found(start)));
      return std::nullopt;
    }
    return text_.substr(start, pos_ - start);
  }

  std::uint32_t add_value(std::string_view value) {
    query_.values_.emplace_back(value);
    return static_cast<std::uint32_t>(query_.values_.size() - 1);
  }

  // Checks the values against the subject and operator and stores them in their evaluated form.
  bool convert(QueryNode* node, const std::vector<std::pair<std::size_t, std::string_view>>& values,
               std::string_view op_text) {
    const bool ordering = node->op == QueryOperator::kGreater ||
                          node->op == QueryOperator::kGreaterEqual ||
                          node->op == QueryOperator::kLess || node->op == QueryOperator::kLessEqual;
    const auto [value_pos, value] = values.front();
    switch (node->subject) {
      case QuerySubject::kRunningTasksCount: {
        std::int64_t count = 0;
        const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), count);
        if (!is_digit(value.front()) || ec != std::errc{} || ptr != value.data() + value.size()) {
          error(value_pos,
                fmt::format("runningTasksCount compares with a whole number, not '{}'", value));
          return false;
        }
        node->number = count;
        return true;
      }
      case QuerySubject::kAgentVersion: {
        const auto first = static_cast<std::uint32_t>(query_.versions_.size());
        if (!parse_version(value, &query_.versions_)) {
          query_.versions_.resize(first);
          error(value_pos, fmt::format("agentVersion compares with a version such as 1.14.5, "
                                       "not '{}'",
                                       value));
          return false;
        }
        node->left = first;
        node->right = static_cast<std::uint32_t>(query_.versions_.size()) - first;
        return true;
      }
      case QuerySubject::kRegisteredAt: {
        const auto seconds = parse_date(value);
        if (!seconds) {
          error(value_pos, fmt::format("registeredAt compares with a date "
                                       "(2018-06-18T22:28:28+00:00, 2018-06-18T22:28:28Z, "
                                       "2018-06-18T22:28:28 or 2018-06-18), not '{}'",
                                       value));
          return false;
        }
        node->number = *seconds;
        return true;
      }
      case QuerySubject::kAttribute:
        if (ordering) {
          const auto number = parse_number(value);
          if (!number) {
            error(value_pos,
                  fmt::format("'{}' compares numbers, and '{}' is not one", op_text, value));
            return false;
          }
          node->real = *number;
          return true;
        }
        break;
      case QuerySubject::kAgentConnected:
        if (node->op != QueryOperator::kMatches) {
          for (const auto& [pos, v] : values) {
            if (v != "true" && v != "false") {
              error(pos, fmt::format("agentConnected is true or false, not '{}'", v));
              return false;
            }
          }
        }
        break;
      case QuerySubject::kEc2InstanceId:
      case QuerySubject::kTaskGroup:
        break;
    }
    if (node->op == QueryOperator::kMatches) return compile(node, value_pos, value);
    node->left = static_cast<std::uint32_t>(query_.values_.size());
    for (const auto& entry : values) add_value(entry.second);
    node->right = static_cast<std::uint32_t>(values.size());
    return true;
  }

  bool compile(QueryNode* node, std::size_t value_pos, std::string_view value) {
    QueryPattern pattern;
    bool prefix = false;
    if (simple_pattern(value, &pattern.text, &prefix)) {
      pattern.kind = prefix ? QueryPattern::Kind::kPrefix : QueryPattern::Kind::kExact;
    } else {
      pattern.kind = QueryPattern::Kind::kRegex;
      pattern.text = std::string(value);
      if (const auto java = java_only(value)) {
        error(value_pos, fmt::format("invalid regular expression '{}' ('{}' is Java syntax that "
                                     "ecsim's ECMAScript regular expressions do not have)",
                                     value, *java));
        return false;
      }
      if (const auto number = overlong_number(value)) {
        error(value_pos, fmt::format("invalid regular expression '{}' (the number '{}' is too "
                                     "long: at most {} digits)",
                                     value, *number, kMaxPatternNumberDigits));
        return false;
      }
      if (const auto repeat = nothing_to_repeat(value)) {
        error(value_pos, fmt::format("invalid regular expression '{}' ('{}' repeats what comes "
                                     "before it, and nothing does; any text is .*)",
                                     value, *repeat));
        return false;
      }
      try {
        // Matched by libstdc++'s breadth-first executor: time polynomial in the value's length,
        // where its backtracking one takes exponential time on a pattern like "(a*)*b" or
        // "a**" (found by fuzzing). That executor has no back-references.
        pattern.regex = std::regex(pattern.text, std::regex::ECMAScript | std::regex::optimize |
                                                     std::regex_constants::__polynomial);
      } catch (const std::regex_error& e) {
        if (e.code() == std::regex_constants::error_complexity) {
          error(value_pos, fmt::format("invalid regular expression '{}' (ecsim does not match "
                                       "back-references such as \\1)",
                                       value));
        } else {
          error(value_pos, fmt::format("invalid regular expression '{}' ({})", value, e.what()));
        }
        return false;
      }
    }
    node->pattern = static_cast<std::uint32_t>(query_.patterns_.size());
    query_.patterns_.push_back(std::move(pattern));
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  Query query_;
  std::vector<QueryError> errors_;
};

std::variant<Query, std::vector<QueryError>> parse_query(std::string_view expression) {
  return QueryParser(expression).run();
}

bool Query::matches(const InstanceAttributes& instance) const {
  ECSIM_ASSERT(!nodes_.empty(), "a Query comes from parse_query and is not used after a move");
  return evaluate(root_, instance);
}

bool Query::depends_on_tasks() const noexcept {
  return std::any_of(nodes_.begin(), nodes_.end(), [](const QueryNode& node) {
    return node.kind == QueryNodeKind::kCompare &&
           (node.subject == QuerySubject::kRunningTasksCount ||
            node.subject == QuerySubject::kTaskGroup);
  });
}

bool Query::evaluate(std::uint32_t index, const InstanceAttributes& instance) const {
  const QueryNode& node = nodes_[index];
  switch (node.kind) {
    case QueryNodeKind::kAnd:
      return evaluate(node.left, instance) && evaluate(node.right, instance);
    case QueryNodeKind::kOr:
      return evaluate(node.left, instance) || evaluate(node.right, instance);
    case QueryNodeKind::kNot:
      return !evaluate(node.left, instance);
    case QueryNodeKind::kCompare:
      return compare(node, instance);
  }
  return false;
}

bool Query::compare_text(const QueryNode& node, std::string_view value) const {
  switch (node.op) {
    case QueryOperator::kEquals:
    case QueryOperator::kIn:
      for (std::uint32_t i = node.left; i < node.left + node.right; ++i) {
        if (values_[i] == value) return true;
      }
      return false;
    case QueryOperator::kMatches: {
      const QueryPattern& pattern = patterns_[node.pattern];
      switch (pattern.kind) {
        case QueryPattern::Kind::kExact:
          return value == pattern.text;
        case QueryPattern::Kind::kPrefix:
          return value.starts_with(pattern.text);
        case QueryPattern::Kind::kRegex:
          return std::regex_match(value.begin(), value.end(), pattern.regex);
      }
      return false;
    }
    default:
      return false;
  }
}

namespace {

template <typename T>
bool ordered(QueryOperator op, T value, T wanted) {
  switch (op) {
    case QueryOperator::kEquals:
      return value == wanted;
    case QueryOperator::kGreater:
      return value > wanted;
    case QueryOperator::kGreaterEqual:
      return value >= wanted;
    case QueryOperator::kLess:
      return value < wanted;
    case QueryOperator::kLessEqual:
      return value <= wanted;
    default:
      return false;
  }
}

}  // namespace

bool Query::compare(const QueryNode& node, const InstanceAttributes& instance) const {
  switch (node.subject) {
    case QuerySubject::kAttribute: {
      const std::string_view name = values_[node.name];
      const auto it = std::find_if(instance.attributes.begin(), instance.attributes.end(),
                                   [&](const InstanceAttribute& a) { return a.name == name; });
      if (it == instance.attributes.end()) {
        // As the guide's "attribute:stack != prod" example: only instances that have the
        // attribute are compared at all, so a missing one fails every test but !exists.
        return node.op == QueryOperator::kExists && node.negated;
      }
      if (node.op == QueryOperator::kExists) return !node.negated;
      if (node.op == QueryOperator::kEquals || node.op == QueryOperator::kIn ||
          node.op == QueryOperator::kMatches) {
        return compare_text(node, it->value) != node.negated;
      }
      const auto number = parse_number(it->value);
      return number && ordered(node.op, *number, node.real);
    }
    case QuerySubject::kAgentConnected:
      return compare_text(node, instance.agent_connected ? "true" : "false") != node.negated;
    case QuerySubject::kEc2InstanceId:
      return compare_text(node, instance.ec2_instance_id) != node.negated;
    case QuerySubject::kTaskGroup: {
      // Any task's group satisfying the test is enough; the negative forms hold when none does,
      // so "task:group != database" is the guide's anti-affinity "not(task:group == database)".
      const bool any =
          std::any_of(instance.task_groups.begin(), instance.task_groups.end(),
                      [&](std::string_view group) { return compare_text(node, group); });
      return any != node.negated;
    }
    case QuerySubject::kAgentVersion: {
      const auto order = compare_versions(
          instance.agent_version,
          std::span<const std::uint32_t>(versions_).subspan(node.left, node.right));
      if (!order) return false;
      return ordered(node.op, *order, 0) != node.negated;
    }
    case QuerySubject::kRegisteredAt:
      return ordered(node.op, instance.registered_at_unix_seconds, node.number) != node.negated;
    case QuerySubject::kRunningTasksCount:
      return ordered(node.op, instance.running_tasks_count, node.number) != node.negated;
  }
  return false;
}

}  // namespace ecsim::ecs
