#pragma once

#include <cstddef>
#include <cstdint>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ecsim::ecs {

/// The longest expression AWS accepts in a placement constraint, in characters (bytes here).
inline constexpr std::size_t kMaxQueryLength = 2000;

/// One thing wrong with a cluster query expression: the 1-based byte column in the expression
/// where it was found, and what is wrong and, in parentheses, what was expected.
struct QueryError {
  /// 1-based byte offset into the expression; one past its end when something is missing there.
  std::size_t column = 0;
  /// What is wrong, without the column (the reader adds its own file position).
  std::string message;

  friend bool operator==(const QueryError&, const QueryError&) = default;
};

/// One attribute of a container instance; `value` is empty for an attribute set without one.
struct InstanceAttribute {
  /// The name, e.g. "ecs.instance-type" or a custom "stack"; case-sensitive.
  std::string_view name;
  /// The value, e.g. "t2.small"; empty when the attribute has none.
  std::string_view value;
};

/// What a query can ask of one container instance: non-owning views the caller keeps alive for
/// the duration of `matches`.
struct InstanceAttributes {
  /// Built-in (ecs.*) and custom attributes, each name at most once, in any order.
  std::span<const InstanceAttribute> attributes;
  /// Whether the container agent is connected (the `agentConnected` subject).
  bool agent_connected = true;
  /// The agent's version as dotted numbers, e.g. "1.14.5" (the `agentVersion` subject).
  std::string_view agent_version;
  /// The EC2 instance id, e.g. "i-0abcd1234" (the `ec2InstanceId` subject).
  std::string_view ec2_instance_id;
  /// When the instance registered, in seconds since 1970-01-01T00:00:00Z (`registeredAt`).
  std::int64_t registered_at_unix_seconds = 0;
  /// Tasks running on the instance (`runningTasksCount`).
  std::int64_t running_tasks_count = 0;
  /// The task groups of the tasks on the instance, e.g. "service:web", each at least once
  /// (`task:group`).
  std::span<const std::string_view> task_groups;
};

namespace detail {

/// What a comparison looks at.
enum class QuerySubject : std::uint8_t {
  kAttribute,
  kAgentConnected,
  kAgentVersion,
  kEc2InstanceId,
  kRegisteredAt,
  kRunningTasksCount,
  kTaskGroup,
};

/// A comparison operator, the negative ones folded into their positive twin plus a flag.
enum class QueryOperator : std::uint8_t {
  kEquals,
  kExists,
  kIn,
  kMatches,
  kGreater,
  kGreaterEqual,
  kLess,
  kLessEqual,
};

/// The kind of one node of a parsed query.
enum class QueryNodeKind : std::uint8_t { kAnd, kOr, kNot, kCompare };

/// One node of a parsed query; children and arguments are indices into the query's tables.
struct QueryNode {
  QueryNodeKind kind = QueryNodeKind::kCompare;
  QuerySubject subject = QuerySubject::kAttribute;
  QueryOperator op = QueryOperator::kEquals;
  /// For a comparison: whether the operator is the negative form (!=, !in, !exists, !~).
  bool negated = false;
  /// Children (and, or: both; not: `left`), or for a comparison the first value and how many.
  std::uint32_t left = 0, right = 0;
  /// For a comparison on an attribute: the index of its name among the values.
  std::uint32_t name = 0;
  /// For =~: the index of the pattern.
  std::uint32_t pattern = 0;
  /// A numeric argument: a task count or Unix seconds (a version's parts are in `left`, `right`).
  std::int64_t number = 0;
  /// A numeric argument of an attribute comparison (>, >=, <, <=).
  double real = 0;
};

/// A compiled =~ argument: a plain prefix or exact text when the pattern is that simple,
/// else a std::regex matched against the whole value.
struct QueryPattern {
  /// How the pattern is tested: equality with `text`, `text` as a prefix, or `regex`.
  enum class Kind : std::uint8_t { kExact, kPrefix, kRegex } kind = Kind::kRegex;
  /// The literal text (exact, prefix) or the pattern as written (regex).
  std::string text;
  /// The compiled ECMAScript expression; empty unless `kind` is kRegex.
  std::regex regex;
};

}  // namespace detail

/// A parsed cluster query expression, ready to evaluate against many instances. Owns its text,
/// its values and its compiled patterns; evaluation allocates nothing outside std::regex.
class Query {
 public:
  /// The expression as written.
  [[nodiscard]] const std::string& text() const noexcept { return text_; }
  /// Whether the instance described by `instance` is a member of the group the query defines.
  [[nodiscard]] bool matches(const InstanceAttributes& instance) const;
  /// Whether the answer can change when tasks start or stop (it tests runningTasksCount or
  /// task:group); if not, placement may evaluate it once per instance and cache the result.
  [[nodiscard]] bool depends_on_tasks() const noexcept;

 private:
  friend class QueryParser;
  Query() = default;
  [[nodiscard]] bool evaluate(std::uint32_t node, const InstanceAttributes& instance) const;
  [[nodiscard]] bool compare(const detail::QueryNode& node,
                             const InstanceAttributes& instance) const;
  [[nodiscard]] bool compare_text(const detail::QueryNode& node, std::string_view value) const;

  std::string text_;
  std::vector<detail::QueryNode> nodes_;
  std::uint32_t root_ = 0;
  std::vector<std::string> values_;
  std::vector<std::uint32_t> versions_;
  std::vector<detail::QueryPattern> patterns_;
};

/// Parses `expression` in the ECS cluster query language: the query, or every problem found
/// (at least one), in the order of their columns.
[[nodiscard]] std::variant<Query, std::vector<QueryError>> parse_query(std::string_view expression);

/// Whether `instance` satisfies `query` (the same as `query.matches(instance)`).
[[nodiscard]] inline bool matches(const Query& query, const InstanceAttributes& instance) {
  return query.matches(instance);
}

}  // namespace ecsim::ecs
