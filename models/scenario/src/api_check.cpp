#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "api_schema.hpp"
#include "syntax_check.hpp"

// How each tool decides a value's type, and what it says when a value does not fit:
// [AWS]  botocore's ParamValidator (botocore/validate.py): "Unknown parameter in X: "k", must be
//        one of: ...", "Missing required parameter in X: "k"", "Invalid type for parameter X,
//        value: v, type: <class 'str'>, valid types: <class 'int'>"; JSON null is Python's None,
//        a wrong type for every parameter.
// [K8S]  kubectl apply with --validate=strict: the API server decodes the YAML (sigs.k8s.io/yaml,
//        YAML 1.1 scalars: yes/no/on/off are booleans) strictly: "strict decoding error: unknown
//        field "spec.replcas""; a value of another JSON type is "cannot unmarshal string into Go
//        struct field ... of type int32"; null leaves a field unset.
// [EKS]  eksctl reads ClusterConfig with sigs.k8s.io/yaml's UnmarshalStrict: unknown fields are
//        "json: unknown field "desiredCapacty""; a scalar becomes the text of a string field
//        (`version: 1.30` is "1.30"), other types must match.

namespace ecsim::scenario::detail {
namespace {

// The JSON type a scalar (or node) has once its tool has read it.
enum class Seen : std::uint8_t { kString, kInteger, kFloat, kBoolean, kNull, kList, kMap };

bool all_digits(std::string_view s, std::size_t from) {
  if (from >= s.size()) return false;
  return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(from), s.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '_'; });
}

bool is_yaml_integer(std::string_view s) {
  const std::size_t sign = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (s.substr(sign).starts_with("0x"))
    return s.size() > sign + 2 &&
           std::all_of(s.begin() + static_cast<std::ptrdiff_t>(sign + 2), s.end(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  return all_digits(s, sign) && std::isdigit(static_cast<unsigned char>(s[sign]));
}

bool is_yaml_float(std::string_view s) {
  static constexpr std::string_view kSpecial[] = {".inf", ".Inf", ".INF", "-.inf", "-.Inf",
                                                  "-.INF", "+.inf", ".nan", ".NaN", ".NAN"};
  if (std::find(std::begin(kSpecial), std::end(kSpecial), s) != std::end(kSpecial)) return true;
  std::size_t i = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  std::size_t digits = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '_')) {
    ++i;
    ++digits;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      ++i;
      ++digits;
    }
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (i >= s.size()) return false;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  }
  return i == s.size();
}

Seen seen_yaml_scalar(std::string_view s) {
  // go-yaml v2's resolve table (YAML 1.1), which sigs.k8s.io/yaml decodes with.
  static constexpr std::string_view kBooleans[] = {
      "y",  "Y",  "yes", "Yes", "YES", "true",  "True",  "TRUE",  "on",  "On",  "ON",
      "n",  "N",  "no",  "No",  "NO",  "false", "False", "FALSE", "off", "Off", "OFF"};
  static constexpr std::string_view kNulls[] = {"", "~", "null", "Null", "NULL"};
  if (std::find(std::begin(kNulls), std::end(kNulls), s) != std::end(kNulls)) return Seen::kNull;
  if (std::find(std::begin(kBooleans), std::end(kBooleans), s) != std::end(kBooleans))
    return Seen::kBoolean;
  if (is_yaml_integer(s)) return Seen::kInteger;
  if (is_yaml_float(s)) return Seen::kFloat;
  return Seen::kString;
}

// The type of the value at `r` as `reader` decodes it. JSON text has passed check_json.
Seen seen(const Reader& r, ApiReader reader) {
  if (r.is_null()) return Seen::kNull;
  if (r.is_map()) return Seen::kMap;
  if (r.is_sequence()) return Seen::kList;
  if (r.is_quoted()) return Seen::kString;
  const std::string text = r.string().value_or("");
  if (reader != ApiReader::kAwsCli) return seen_yaml_scalar(text);
  if (text == "true" || text == "false") return Seen::kBoolean;
  if (text == "null") return Seen::kNull;
  return text.find_first_of(".eE") == std::string::npos ? Seen::kInteger : Seen::kFloat;
}

bool fits(ApiKind kind, Seen s, ApiReader reader) {
  switch (kind) {
    case ApiKind::kString:
      // eksctl turns any scalar into the text of a string field.
      return s == Seen::kString ||
             (reader == ApiReader::kEksctl && s != Seen::kList && s != Seen::kMap);
    case ApiKind::kInteger:
      return s == Seen::kInteger;
    case ApiKind::kNumber:
      return s == Seen::kInteger || s == Seen::kFloat;
    case ApiKind::kBoolean:
      return s == Seen::kBoolean;
    case ApiKind::kTimestamp:
      return s == Seen::kString ||
             (reader == ApiReader::kAwsCli && (s == Seen::kInteger || s == Seen::kFloat));
    case ApiKind::kQuantity:
      return s == Seen::kString || s == Seen::kInteger || s == Seen::kFloat;
    case ApiKind::kIntOrString:
      return s == Seen::kString || s == Seen::kInteger;
    case ApiKind::kAny:
      return true;
    case ApiKind::kList:
      return s == Seen::kList;
    case ApiKind::kMap:
    case ApiKind::kObject:
      return s == Seen::kMap;
    case ApiKind::kListOrMap:
      return s == Seen::kList || s == Seen::kMap;
  }
  return false;
}

// Python's name for a value of JSON type `s`, as botocore prints it.
const char* python_type(Seen s) {
  switch (s) {
    case Seen::kString:
      return "<class 'str'>";
    case Seen::kInteger:
      return "<class 'int'>";
    case Seen::kFloat:
      return "<class 'float'>";
    case Seen::kBoolean:
      return "<class 'bool'>";
    case Seen::kNull:
      return "<class 'NoneType'>";
    case Seen::kList:
      return "<class 'list'>";
    case Seen::kMap:
      return "<class 'dict'>";
  }
  return "?";
}

// The types botocore accepts for a parameter of `kind`.
const char* python_valid(ApiKind kind) {
  switch (kind) {
    case ApiKind::kString:
      return "<class 'str'>";
    case ApiKind::kInteger:
      return "<class 'int'>";
    case ApiKind::kNumber:
      return "<class 'float'>, <class 'decimal.Decimal'>, <class 'int'>";
    case ApiKind::kBoolean:
      return "<class 'bool'>";
    case ApiKind::kTimestamp:
      return "<class 'datetime.datetime'>, timestamp-string";
    case ApiKind::kList:
      return "<class 'list'>, <class 'tuple'>";
    case ApiKind::kMap:
    case ApiKind::kObject:
      return "<class 'dict'>";
    default:
      return "?";
  }
}

// Go's name for a JSON value of type `s`, as encoding/json prints it.
const char* json_type(Seen s) {
  switch (s) {
    case Seen::kString:
      return "string";
    case Seen::kInteger:
    case Seen::kFloat:
      return "number";
    case Seen::kBoolean:
      return "bool";
    case Seen::kNull:
      return "null";
    case Seen::kList:
      return "array";
    case Seen::kMap:
      return "object";
  }
  return "?";
}

// What a field of `kind` holds, in words.
const char* expected_kind(ApiKind kind) {
  switch (kind) {
    case ApiKind::kString:
      return "a string";
    case ApiKind::kInteger:
      return "a whole number";
    case ApiKind::kNumber:
      return "a number";
    case ApiKind::kBoolean:
      return "true or false";
    case ApiKind::kTimestamp:
      return "a time";
    case ApiKind::kQuantity:
      return "a quantity such as 100m, 512Mi or 2";
    case ApiKind::kIntOrString:
      return "a whole number or a string";
    case ApiKind::kAny:
      return "any value";
    case ApiKind::kList:
      return "a list";
    case ApiKind::kMap:
      return "a mapping";
    case ApiKind::kObject:
      return "an object";
    case ApiKind::kListOrMap:
      return "a list or a mapping";
  }
  return "?";
}

class Checker {
 public:
  explicit Checker(ApiReader reader)
      : reader_(reader), fields_(api_fields()), types_(api_types()) {}

  // `path` is the field's name as the tool reports it ("" at the root).
  void check(const Reader& r, std::uint16_t type_index, const std::string& path) {
    const ApiType& type = types_[type_index];
    const Seen s = seen(r, reader_);
    if (s == Seen::kNull && reader_ != ApiReader::kAwsCli) return;  // [K8S] [EKS]
    if (!fits(type.kind, s, reader_)) {
      wrong_type(r, type.kind, s, path);
      return;
    }
    switch (type.kind) {
      case ApiKind::kList:
        list(r, type.element, path);
        return;
      case ApiKind::kMap:
        map(r, type.element, path);
        return;
      case ApiKind::kListOrMap:
        if (s == Seen::kList)
          list(r, types_[type.element].element, path);
        else
          map(r, types_[type.alternative].element, path);
        return;
      case ApiKind::kObject:
        object(r, type, path);
        return;
      default:
        return;
    }
  }

  [[nodiscard]] bool ok() const { return ok_; }

 private:
  void list(const Reader& r, std::uint16_t element, const std::string& path) {
    std::size_t i = 0;
    for (const Reader& item : r.items()) check(item, element, fmt::format("{}[{}]", path, i++));
  }

  void map(const Reader& r, std::uint16_t element, const std::string& path) {
    for (const auto& [key, value] : r.entries())
      check(value, element, path.empty() ? key : fmt::format("{}.{}", path, key));
  }

  void object(const Reader& r, const ApiType& type, const std::string& path) {
    const std::span<const ApiField> fields = fields_.subspan(type.first_field, type.field_count);
    std::vector<bool> given(fields.size(), false);
    for (const auto& [key_reader, value] : r.key_entries()) {
      const std::string key = key_reader.string().value_or("");
      const std::string at = path.empty() ? key : fmt::format("{}.{}", path, key);
      const auto field = std::find_if(fields.begin(), fields.end(),
                                      [&](const ApiField& f) { return f.name == key; });
      if (field == fields.end()) {
        unknown(key_reader, key, fields, path);
        continue;
      }
      given[static_cast<std::size_t>(field - fields.begin())] = true;
      check(value, field->type, at);
    }
    // Only botocore enforces required members while decoding; eksctl's schema marks fields
    // required that eksctl fills in itself (metadata.region from the AWS profile, a node group's
    // name), and Kubernetes checks them in validation, after decoding. A custom resource's
    // schema (its type named after its apiVersion, with a '/') is the API server's validation
    // itself: its required fields are checked.
    const bool custom = reader_ == ApiReader::kKubectl && type.name.find('/') != std::string_view::npos;
    if (reader_ != ApiReader::kAwsCli && !custom) return;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (!fields[i].required || given[i]) continue;
      if (custom) {
        ok_ = false;
        r.error(fmt::format("Required value: {}", path.empty() ? std::string(fields[i].name)
                                                                : fmt::format("{}.{}", path, fields[i].name)));
      } else {
        missing(r, fields[i].name, path);
      }
    }
  }

  void unknown(const Reader& key, const std::string& name, std::span<const ApiField> fields,
               const std::string& path) {
    ok_ = false;
    std::vector<std::string> names;
    for (const ApiField& f : fields) names.emplace_back(f.name);
    const std::string hint = did_you_mean(name, names);
    const std::string suggestion = hint.empty() ? std::string() : fmt::format(" ({})", hint);
    const std::string at = path.empty() ? name : fmt::format("{}.{}", path, name);
    switch (reader_) {
      case ApiReader::kAwsCli:
        key.error(fmt::format("Unknown parameter in {}: \"{}\"{}, must be one of: {}",
                              path.empty() ? "input" : path, shorten(name), suggestion,
                              fmt::join(names, ", ")));
        return;
      case ApiReader::kKubectl:
        key.error(fmt::format("strict decoding error: unknown field \"{}\"{}", shorten(at),
                              suggestion));
        return;
      case ApiReader::kEksctl:
        key.error(fmt::format("unknown field \"{}\"{}", shorten(at), suggestion));
        return;
    }
  }

  void missing(const Reader& r, std::string_view name, const std::string& path) {
    ok_ = false;
    r.error(fmt::format("Missing required parameter in {}: \"{}\"", path.empty() ? "input" : path,
                        name));
  }

  void wrong_type(const Reader& r, ApiKind kind, Seen s, const std::string& path) {
    ok_ = false;
    const std::string value = r.is_scalar() ? shorten(r.string().value_or("")) : json_type(s);
    if (reader_ == ApiReader::kAwsCli) {
      r.error(fmt::format("Invalid type for parameter {}, value: {}, type: {}, valid types: {}",
                          path.empty() ? "input" : path,
                          s == Seen::kNull ? std::string("None") : value, python_type(s),
                          python_valid(kind)));
      return;
    }
    r.error(fmt::format("cannot unmarshal {} into \"{}\" (expected {}, found {})", json_type(s),
                        path, expected_kind(kind),
                        r.is_scalar() ? fmt::format("'{}'", value) : value));
  }

  ApiReader reader_;
  std::span<const ApiField> fields_;
  std::span<const ApiType> types_;
  bool ok_ = true;
};

}  // namespace

std::optional<std::uint16_t> api_root(std::string_view name) {
  for (const ApiRoot& root : api_roots())
    if (root.name == name) return root.type;
  return std::nullopt;
}

bool check_api(const Reader& r, std::uint16_t type, ApiReader reader) {
  Checker checker(reader);
  checker.check(r.untracked(), type, "");
  return checker.ok();
}

}  // namespace ecsim::scenario::detail
