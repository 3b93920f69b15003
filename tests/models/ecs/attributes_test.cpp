#include <catch2/catch.hpp>

#include <string>

#include "ecsim/ecs/attributes.hpp"

using namespace ecsim::ecs;

TEST_CASE("attribute names follow AWS's rule", "[ecs]") {
  // Letters, numbers, hyphens, underscores, forward slashes, back slashes and periods.
  CHECK(attribute_name_problem("team").empty());
  CHECK(attribute_name_problem("Team-2_a/b\\c.d").empty());
  CHECK(attribute_name_problem(std::string(128, 'n')).empty());
  CHECK(attribute_name_problem(std::string(129, 'n')) ==
        "the name has 129 characters (expected 1 to 128)");
  CHECK(attribute_name_problem("") == "the name has 0 characters (expected 1 to 128)");
  CHECK(attribute_name_problem("a b") ==
        "'a b' has ' ' at character 2 (expected letters, numbers, hyphens, underscores, forward "
        "slashes, back slashes and periods)");
  // ':' and '@' are for values only; a byte outside ASCII is shown by its code.
  CHECK_FALSE(attribute_name_problem("a:b").empty());
  CHECK_FALSE(attribute_name_problem("a@b").empty());
  CHECK(attribute_name_problem("caf\xc3\xa9")
            .starts_with("'caf\xc3\xa9' has byte 0xc3 at character 4"));
}

TEST_CASE("attribute values follow AWS's rule", "[ecs]") {
  // Names' characters, plus at signs, colons and spaces, not at either end.
  CHECK(attribute_value_problem("payments").empty());
  CHECK(attribute_value_problem("a-b_c.d@e/f\\g:h i").empty());
  CHECK(attribute_value_problem(std::string(128, 'v')).empty());
  CHECK(attribute_value_problem(std::string(129, 'v')) ==
        "the value has 129 characters (expected 1 to 128)");
  CHECK(attribute_value_problem(" a") == "' a' starts with a space (expected none at either end)");
  CHECK(attribute_value_problem("a ") == "'a ' ends with a space (expected none at either end)");
  CHECK(attribute_value_problem("a$b") ==
        "'a$b' has '$' at character 2 (expected letters, numbers, hyphens, underscores, "
        "periods, at signs, forward slashes, back slashes, colons and spaces)");
  CHECK_FALSE(attribute_value_problem("tab\there").empty());
}
