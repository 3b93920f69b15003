#pragma once

/// Interned labels: every label key and every label value (and namespace and node name) becomes
/// a small integer once, so that selectors, taints and topology domains compare integers. One
/// interner is shared by the nodes and the pods of a cluster.

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ecsim/eks/objects.hpp"

namespace ecsim::eks {

/// The id of an interned label key.
using LabelKey = std::uint32_t;
/// The id of an interned label value (also used for namespaces and node names).
using LabelValue = std::uint32_t;

/// "No such label": the value of a key a node or pod does not have.
inline constexpr LabelValue kNoValue = std::numeric_limits<LabelValue>::max();

/// Well-known label keys, interned first so that their ids are constants.
inline constexpr LabelKey kHostnameKey = 0;  ///< kubernetes.io/hostname
inline constexpr LabelKey kZoneKey = 1;      ///< topology.kubernetes.io/zone

/// Interns label keys and values (two separate id spaces); owns the strings.
class LabelInterner {
 public:
  /// An interner holding the well-known keys (kHostnameKey, kZoneKey).
  LabelInterner();

  /// The id of key `name`, interning it if new.
  LabelKey key(std::string_view name);
  /// The id of value `text`, interning it if new.
  LabelValue value(std::string_view text);
  /// The id of key `name` if interned.
  [[nodiscard]] std::optional<LabelKey> find_key(std::string_view name) const;
  /// The id of value `text` if interned.
  [[nodiscard]] std::optional<LabelValue> find_value(std::string_view text) const;
  /// The text of key `k`.
  [[nodiscard]] const std::string& key_name(LabelKey k) const { return keys_[k]; }
  /// The text of value `v` ("" for kNoValue).
  [[nodiscard]] const std::string& value_name(LabelValue v) const;
  /// Value `v` parsed as a base-10 integer (for Gt and Lt), if it is one.
  [[nodiscard]] std::optional<std::int64_t> value_number(LabelValue v) const {
    return numbers_[v];
  }

 private:
  std::vector<std::string> keys_, values_;
  std::vector<std::optional<std::int64_t>> numbers_;
  std::unordered_map<std::string, LabelKey> key_ids_;
  std::unordered_map<std::string, LabelValue> value_ids_;
};

/// One interned label.
struct LabelPair {
  LabelKey key = 0;      ///< the key's id
  LabelValue value = 0;  ///< the value's id

  friend bool operator==(const LabelPair&, const LabelPair&) = default;
};

/// A label set, interned and sorted by key id.
using InternedLabels = std::vector<LabelPair>;

/// `labels` interned with `interner`, sorted by key id.
InternedLabels intern_labels(const Labels& labels, LabelInterner& interner);

/// The value of `key` in `labels`, or kNoValue.
LabelValue label_value(std::span<const LabelPair> labels, LabelKey key) noexcept;

/// One compiled requirement: key, operator, and sorted value ids (Gt/Lt: the bound in `number`).
struct Requirement {
  LabelKey key = 0;                             ///< the key's id
  SelectorOperator op = SelectorOperator::kIn;  ///< In, NotIn, Exists, DoesNotExist, Gt, Lt
  std::vector<LabelValue> values;  ///< sorted; for In and NotIn
  std::int64_t number = 0;         ///< for Gt and Lt
  bool number_valid = true;        ///< false when the Gt/Lt value is not an integer: no match

  friend bool operator==(const Requirement&, const Requirement&) = default;
};

/// A conjunction of requirements: a compiled LabelSelector or NodeSelectorTerm.
struct Selector {
  std::vector<Requirement> requirements;  ///< all must hold; sorted by key

  friend bool operator==(const Selector&, const Selector&) = default;
};

/// `selector` (matchLabels as In requirements, then matchExpressions) compiled.
Selector compile_selector(const LabelSelector& selector, LabelInterner& interner);
/// A node selector term compiled.
Selector compile_term(const NodeSelectorTerm& term, LabelInterner& interner);
/// A nodeSelector map compiled as In requirements.
Selector compile_node_selector(const Labels& node_selector, LabelInterner& interner);

/// True when `labels` meet every requirement of `selector` (an empty selector matches all):
/// In: has the key with one of the values; NotIn: lacks the key or has another value; Exists;
/// DoesNotExist; Gt/Lt: has the key and its value, as an integer, is greater / less.
bool matches(const Selector& selector, std::span<const LabelPair> labels,
             const LabelInterner& interner) noexcept;

/// A canonical text of `selector`, to deduplicate selectors.
std::string selector_key(const Selector& selector);

}  // namespace ecsim::eks
