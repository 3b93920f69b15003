#include "ecsim/eks/labels.hpp"

#include <algorithm>
#include <charconv>

#include "ecsim/sim/assert.hpp"

namespace ecsim::eks {
namespace {

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t n = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return n;
}

Requirement compile_requirement(const SelectorRequirement& r, LabelInterner& interner) {
  Requirement out;
  out.key = interner.key(r.key);
  out.op = r.op;
  if (r.op == SelectorOperator::kGt || r.op == SelectorOperator::kLt) {
    const std::optional<std::int64_t> n =
        r.values.size() == 1 ? parse_integer(r.values[0]) : std::nullopt;
    out.number = n.value_or(0);
    out.number_valid = n.has_value();
    return out;
  }
  for (const std::string& v : r.values) out.values.push_back(interner.value(v));
  std::sort(out.values.begin(), out.values.end());
  out.values.erase(std::unique(out.values.begin(), out.values.end()), out.values.end());
  return out;
}

void sort_requirements(Selector& s) {
  std::stable_sort(s.requirements.begin(), s.requirements.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
}

}  // namespace

LabelInterner::LabelInterner() {
  key("kubernetes.io/hostname");
  key("topology.kubernetes.io/zone");
}

LabelKey LabelInterner::key(std::string_view name) {
  const auto it = key_ids_.find(std::string(name));
  if (it != key_ids_.end()) return it->second;
  const auto id = static_cast<LabelKey>(keys_.size());
  keys_.emplace_back(name);
  key_ids_.emplace(std::string(name), id);
  return id;
}

LabelValue LabelInterner::value(std::string_view text) {
  const auto it = value_ids_.find(std::string(text));
  if (it != value_ids_.end()) return it->second;
  const auto id = static_cast<LabelValue>(values_.size());
  ECSIM_ASSERT(id != kNoValue, "too many label values");
  values_.emplace_back(text);
  numbers_.push_back(parse_integer(text));
  value_ids_.emplace(std::string(text), id);
  return id;
}

std::optional<LabelKey> LabelInterner::find_key(std::string_view name) const {
  const auto it = key_ids_.find(std::string(name));
  if (it == key_ids_.end()) return std::nullopt;
  return it->second;
}

std::optional<LabelValue> LabelInterner::find_value(std::string_view text) const {
  const auto it = value_ids_.find(std::string(text));
  if (it == value_ids_.end()) return std::nullopt;
  return it->second;
}

const std::string& LabelInterner::value_name(LabelValue v) const {
  static const std::string kEmpty;
  return v == kNoValue ? kEmpty : values_[v];
}

InternedLabels intern_labels(const Labels& labels, LabelInterner& interner) {
  InternedLabels out;
  out.reserve(labels.size());
  for (const auto& [k, v] : labels) out.push_back({interner.key(k), interner.value(v)});
  std::sort(out.begin(), out.end(),
            [](const LabelPair& a, const LabelPair& b) { return a.key < b.key; });
  return out;
}

LabelValue label_value(std::span<const LabelPair> labels, LabelKey key) noexcept {
  for (const LabelPair& p : labels)
    if (p.key == key) return p.value;
  return kNoValue;
}

Selector compile_selector(const LabelSelector& selector, LabelInterner& interner) {
  Selector s;
  for (const auto& [k, v] : selector.match_labels)
    s.requirements.push_back({interner.key(k), SelectorOperator::kIn, {interner.value(v)}, 0, true});
  for (const SelectorRequirement& r : selector.match_expressions)
    s.requirements.push_back(compile_requirement(r, interner));
  sort_requirements(s);
  return s;
}

Selector compile_term(const NodeSelectorTerm& term, LabelInterner& interner) {
  Selector s;
  for (const SelectorRequirement& r : term.match_expressions)
    s.requirements.push_back(compile_requirement(r, interner));
  sort_requirements(s);
  return s;
}

Selector compile_node_selector(const Labels& node_selector, LabelInterner& interner) {
  return compile_selector(LabelSelector{node_selector, {}}, interner);
}

bool matches(const Selector& selector, std::span<const LabelPair> labels,
             const LabelInterner& interner) noexcept {
  for (const Requirement& r : selector.requirements) {
    const LabelValue v = label_value(labels, r.key);
    const bool has = v != kNoValue;
    const bool in = has && std::binary_search(r.values.begin(), r.values.end(), v);
    bool ok = false;
    switch (r.op) {
      case SelectorOperator::kIn: ok = in; break;
      case SelectorOperator::kNotIn: ok = !in; break;
      case SelectorOperator::kExists: ok = has; break;
      case SelectorOperator::kDoesNotExist: ok = !has; break;
      case SelectorOperator::kGt:
      case SelectorOperator::kLt: {
        const std::optional<std::int64_t> n = has ? interner.value_number(v) : std::nullopt;
        ok = r.number_valid && n &&
             (r.op == SelectorOperator::kGt ? *n > r.number : *n < r.number);
        break;
      }
    }
    if (!ok) return false;
  }
  return true;
}

std::string selector_key(const Selector& selector) {
  std::string key;
  for (const Requirement& r : selector.requirements) {
    key += std::to_string(r.key) + ':' + std::to_string(static_cast<int>(r.op)) + ':';
    for (const LabelValue v : r.values) key += std::to_string(v) + ',';
    key += std::to_string(r.number) + (r.number_valid ? ";" : "!;");
  }
  return key;
}

}  // namespace ecsim::eks
