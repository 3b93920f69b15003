// AWS's rules for container instance attributes, from the API Reference's `Attribute`:
// name: "The name must contain between 1 and 128 characters. The name may contain letters
// (uppercase and lowercase), numbers, hyphens (-), underscores (_), forward slashes (/), back
// slashes (\), or periods (.)."; value: "The value must contain between 1 and 128 characters. It
// can contain letters (uppercase and lowercase), numbers, hyphens (-), underscores (_), periods
// (.), at signs (@), forward slashes (/), back slashes (\), colons (:), or spaces. The value
// can't start or end with a space." The messages are ecsim's.

#include "ecsim/ecs/attributes.hpp"

#include <fmt/format.h>

namespace ecsim::ecs {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_name_char(char c) {
  return is_alnum(c) || c == '-' || c == '_' || c == '/' || c == '\\' || c == '.';
}

bool is_value_char(char c) { return is_name_char(c) || c == '@' || c == ':' || c == ' '; }

// "" when `text` has 1 to 128 characters of which `allowed` accepts every one; else what is
// wrong, `what` ("name", "value") naming it and `expected` the characters allowed.
template <class Allowed>
std::string check(std::string_view text, std::string_view what, Allowed allowed,
                  std::string_view expected) {
  if (text.empty() || text.size() > kMaxAttributeLength)
    return fmt::format("the {} has {} characters (expected 1 to {})", what, text.size(),
                       kMaxAttributeLength);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (allowed(text[i])) continue;
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const std::string shown = c >= 0x20 && c < 0x7f ? fmt::format("'{}'", text[i])
                                                    : fmt::format("byte 0x{:02x}", c);
    return fmt::format("'{}' has {} at character {} (expected {})", text, shown, i + 1,
                       expected);
  }
  return {};
}

}  // namespace

std::string attribute_name_problem(std::string_view name) {
  return check(name, "name", is_name_char,
               "letters, numbers, hyphens, underscores, forward slashes, back slashes and "
               "periods");
}

std::string attribute_value_problem(std::string_view value) {
  std::string problem =
      check(value, "value", is_value_char,
            "letters, numbers, hyphens, underscores, periods, at signs, forward slashes, back "
            "slashes, colons and spaces");
  if (problem.empty() && (value.front() == ' ' || value.back() == ' '))
    problem = fmt::format("'{}' {} with a space (expected none at either end)", value,
                          value.front() == ' ' ? "starts" : "ends");
  return problem;
}

}  // namespace ecsim::ecs
