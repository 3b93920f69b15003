#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ecsim::ecs {

/// The most characters in an attribute's name, and in its value (the API Reference's
/// `Attribute`: "between 1 and 128 characters").
inline constexpr std::size_t kMaxAttributeLength = 128;

/// The most custom attributes one container instance may have (PutAttributes'
/// AttributeLimitExceededException: "You can apply up to 10 custom attributes for each
/// resource.").
inline constexpr std::size_t kMaxCustomAttributes = 10;

/// The prefix of the attributes the ECS agent sets itself (`ecs.instance-type`, ...).
inline constexpr std::string_view kAgentAttributePrefix = "ecs.";

/// What is wrong with `name` as an attribute's name under AWS's rule (1 to 128 letters,
/// numbers, hyphens, underscores, forward slashes, back slashes or periods), or "" when it
/// follows it. The text says what was found and, in parentheses, what was expected.
[[nodiscard]] std::string attribute_name_problem(std::string_view name);

/// What is wrong with `value` as an attribute's value under AWS's rule (1 to 128 letters,
/// numbers, hyphens, underscores, periods, at signs, forward slashes, back slashes, colons or
/// spaces, not starting or ending with a space), or "" when it follows it.
[[nodiscard]] std::string attribute_value_problem(std::string_view value);

}  // namespace ecsim::ecs
