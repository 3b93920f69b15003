#include "ecsim/ecs/query.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

using namespace ecsim;
using namespace ecsim::ecs;

namespace Catch {
template <>
struct StringMaker<QueryError> {
  static std::string convert(const QueryError& e) {
    std::string text = "{";
    text += std::to_string(e.column);
    text += ", \"";
    text += e.message;
    text += "\"}";
    return text;
  }
};
}  // namespace Catch

namespace {

// A container instance with an instance type, a zone and up to two more attributes; the views
// point into the host, so it must outlive them.
struct Host {
  std::array<InstanceAttribute, 4> attributes{};
  std::size_t count = 0;
  std::vector<std::string_view> groups;
  InstanceAttributes extra;

  Host(std::string_view type, std::string_view az) {
    add("ecs.instance-type", type);
    add("ecs.availability-zone", az);
  }
  Host& add(std::string_view name, std::string_view value) {
    attributes[count++] = {name, value};
    return *this;
  }
  [[nodiscard]] InstanceAttributes view() const {
    InstanceAttributes v = extra;
    v.attributes = std::span<const InstanceAttribute>(attributes.data(), count);
    v.task_groups = groups;
    return v;
  }
};

Query parsed(std::string_view text) {
  auto result = parse_query(text);
  if (const auto* errors = std::get_if<std::vector<QueryError>>(&result)) {
    for (const auto& e : *errors) UNSCOPED_INFO("column " << e.column << ": " << e.message);
    FAIL("'" << text << "' does not parse");
  }
  return std::get<Query>(std::move(result));
}

bool selects(std::string_view text, const Host& host) {
  return parsed(text).matches(host.view());
}

std::vector<QueryError> errors(std::string_view text) {
  auto result = parse_query(text);
  if (std::holds_alternative<Query>(result)) return {};
  return std::get<std::vector<QueryError>>(std::move(result));
}

using Errors = std::vector<QueryError>;

}  // namespace

TEST_CASE("string equality selects the documented instance type", "[ecs]") {
  CHECK(selects("attribute:ecs.instance-type == t2.small", Host("t2.small", "us-east-1a")));
  CHECK_FALSE(selects("attribute:ecs.instance-type == t2.small", Host("t2.medium", "us-east-1a")));
  // The guide's "filter by attribute" examples.
  CHECK(selects("attribute:ecs.instance-type == g2.2xlarge", Host("g2.2xlarge", "us-east-1a")));
  Host prod("m5.large", "us-east-1a");
  prod.add("stack", "prod");
  CHECK(selects("attribute:stack == prod", prod));
}

TEST_CASE("an argument list in square brackets selects any of its values", "[ecs]") {
  const std::string_view zones = "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]";
  CHECK(selects(zones, Host("t2.small", "us-east-1a")));
  CHECK(selects(zones, Host("t2.small", "us-east-1b")));
  CHECK_FALSE(selects(zones, Host("t2.small", "us-east-1c")));
  const std::string_view types = "attribute:ecs.instance-type in [t2.small, t2.medium]";
  CHECK(selects(types, Host("t2.medium", "us-east-1c")));
  CHECK_FALSE(selects(types, Host("t2.large", "us-east-1c")));
  CHECK(
      selects("attribute:ecs.availability-zone !in [us-east-1a]", Host("t2.small", "us-east-1c")));
  CHECK_FALSE(selects("attribute:ecs.availability-zone not_in [us-east-1a]",
                      Host("t2.small", "us-east-1a")));
}

TEST_CASE("the documented compound expression selects G2 instances outside us-east-1d", "[ecs]") {
  const std::string_view text =
      "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d";
  CHECK(selects(text, Host("g2.2xlarge", "us-east-1a")));
  CHECK_FALSE(selects(text, Host("g2.2xlarge", "us-east-1d")));
  CHECK_FALSE(selects(text, Host("t2.small", "us-east-1a")));
  const std::string_view t2_in_1a =
      "attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone == us-east-1a";
  CHECK(selects(t2_in_1a, Host("t2.micro", "us-east-1a")));
  CHECK_FALSE(selects(t2_in_1a, Host("t2.micro", "us-east-1b")));
}

TEST_CASE("task:group selects instances hosting a task of the group, and not() the others",
          "[ecs]") {
  Host production("m5.large", "us-east-1a");
  production.groups = {"service:production", "family:web"};
  Host database("m5.large", "us-east-1a");
  database.groups = {"database"};
  const Host empty("m5.large", "us-east-1a");
  CHECK(selects("task:group == service:production", production));
  CHECK_FALSE(selects("task:group == service:production", database));
  CHECK_FALSE(selects("task:group == service:production", empty));
  CHECK(selects("not(task:group == database)", production));
  CHECK(selects("not(task:group == database)", empty));
  CHECK_FALSE(selects("not(task:group == database)", database));
  // != is the negation of ==: no task of the group, so an empty instance qualifies too.
  CHECK(selects("task:group != database", empty));
  CHECK_FALSE(selects("task:group != database", database));
  CHECK(selects("task:group =~ service:.*", production));
  CHECK(selects("task:group in [databases, family:web]", production));
}

TEST_CASE("runningTasksCount, agentVersion and registeredAt compare as numbers and times",
          "[ecs]") {
  Host host("m5.large", "us-east-1a");
  host.extra.running_tasks_count = 1;
  CHECK(selects("runningTasksCount == 1", host));
  CHECK_FALSE(selects("runningTasksCount == 0", host));
  CHECK(selects("runningTasksCount<=1", host));
  CHECK(selects("runningTasksCount greater_than 0", host));
  CHECK_FALSE(selects("runningTasksCount > 1", host));

  // Versions compare part by part as numbers (9 < 14), missing parts count as 0.
  for (const auto& [version, below] :
       std::array<std::pair<std::string_view, bool>, 6>{{{"1.14.4", true},
                                                         {"1.9.0", true},
                                                         {"1.14", true},
                                                         {"1.14.5", false},
                                                         {"1.20.0", false},
                                                         {"2", false}}}) {
    host.extra.agent_version = version;
    INFO(version);
    CHECK(selects("agentVersion < 1.14.5", host) == below);
  }
  host.extra.agent_version = "1.14.5";
  CHECK(selects("agentVersion == 1.14.5.0", host));
  CHECK(selects("agentVersion >= 1.14", host));

  // 2018-01-01T00:00:00Z is 1514764800 s (17532 days); 2018-02-13 is 31 + 12 days later:
  // 17575 days = 1518480000 s.
  host.extra.registered_at_unix_seconds = 1518480000 - 1;
  CHECK(selects("registeredAt < 2018-02-13", host));
  host.extra.registered_at_unix_seconds = 1518480000;
  CHECK_FALSE(selects("registeredAt < 2018-02-13", host));
  CHECK(selects("registeredAt == 2018-02-13T00:00:00Z", host));
  CHECK(selects("registeredAt == 2018-02-13T00:00:00", host));
  // 02:30 at +02:30 is midnight UTC.
  CHECK(selects("registeredAt == 2018-02-13T02:30:00+02:30", host));
  CHECK(selects("registeredAt == 2018-02-12T21:00:00-03:00", host));
}

TEST_CASE("ec2InstanceId takes quoted values and agentConnected true or false", "[ecs]") {
  Host host("m5.large", "us-east-1a");
  host.extra.ec2_instance_id = "i-wxyx7890";
  CHECK(selects("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", host));
  CHECK_FALSE(selects("ec2InstanceId in ['i-abcd1234']", host));
  CHECK(selects("ec2InstanceId =~ i-w.*", host));
  CHECK(selects("agentConnected == true", host));
  host.extra.agent_connected = false;
  CHECK(selects("agentConnected == false", host));
  CHECK(selects("agentConnected != true", host));
}

TEST_CASE("and binds tighter than or, not tighter than both, parentheses override", "[ecs]") {
  Host only_a("m5.large", "us-east-1a");
  only_a.add("a", "1");
  Host only_b("m5.large", "us-east-1a");
  only_b.add("b", "1");
  Host a_and_b("m5.large", "us-east-1a");
  a_and_b.add("a", "1").add("b", "1");
  const Host none("m5.large", "us-east-1a");

  // a or (b and c): true with a alone; (a or b) and c would be false.
  CHECK(selects("attribute:a exists or attribute:b exists and attribute:c exists", only_a));
  CHECK_FALSE(selects("(attribute:a exists or attribute:b exists) and attribute:c exists", only_a));
  CHECK(selects("attribute:a exists || attribute:b exists && attribute:c exists", only_a));
  // (not a) and b: false for an instance with neither; not (a and b) would be true.
  CHECK_FALSE(selects("not attribute:a exists and attribute:b exists", none));
  CHECK(selects("not attribute:a exists and attribute:b exists", only_b));
  CHECK_FALSE(selects("not attribute:a exists and attribute:b exists", a_and_b));
  CHECK(selects("not (attribute:a exists and attribute:b exists)", none));
  CHECK(selects("!(attribute:a exists && attribute:b exists)", only_a));
  CHECK_FALSE(selects("!!attribute:a exists", only_b));
  // Nested groups and every spelling of the connectives.
  CHECK(selects("((attribute:a == 1) and (attribute:b == 2 or attribute:b == 1))", a_and_b));
  CHECK(selects("attribute:a==1&&attribute:b==1", a_and_b));
  CHECK_FALSE(selects("attribute:a==1&&attribute:b==1", only_a));
}

TEST_CASE("=~ matches the whole value, so t2.* is a wildcard for every t2 type", "[ecs]") {
  const std::string_view t2 = "attribute:ecs.instance-type =~ t2.*";
  CHECK(selects(t2, Host("t2.micro", "us-east-1a")));
  CHECK(selects(t2, Host("t2.2xlarge", "us-east-1a")));
  CHECK_FALSE(selects(t2, Host("t3.micro", "us-east-1a")));
  // Whole value, as Java's String.matches: "t2" inside the value is not enough.
  CHECK_FALSE(selects(t2, Host("xt2.micro", "us-east-1a")));
  // The '.' of "t2.*" is any character: the pattern is "starts with t2".
  CHECK(selects(t2, Host("t2x", "us-east-1a")));
  CHECK_FALSE(selects("attribute:ecs.instance-type =~ 't2\\..*'", Host("t2x", "us-east-1a")));
  CHECK(selects("attribute:ecs.instance-type matches t2.micro", Host("t2.micro", "us-east-1a")));
  CHECK(selects("attribute:ecs.instance-type !~ t2.*", Host("m5.large", "us-east-1a")));
  CHECK_FALSE(
      selects("attribute:ecs.instance-type not_matches t2.*", Host("t2.micro", "us-east-1a")));
  // A real regular expression, quoted because it holds parentheses and brackets.
  const std::string_view real = "attribute:ecs.instance-type =~ '(t2|t3)\\.(micro|small)'";
  CHECK(selects(real, Host("t3.small", "us-east-1a")));
  CHECK_FALSE(selects(real, Host("t3.large", "us-east-1a")));
  const std::string_view sized = "attribute:ecs.instance-type =~ \"m5\\.[0-9]*xlarge\"";
  CHECK(selects(sized, Host("m5.2xlarge", "us-east-1a")));
  CHECK(selects(sized, Host("m5.xlarge", "us-east-1a")));
  CHECK_FALSE(selects(sized, Host("m5.large", "us-east-1a")));
  // == compares strings: '*' is no wildcard there.
  CHECK_FALSE(selects("attribute:ecs.instance-type == t2.*", Host("t2.micro", "us-east-1a")));
}

TEST_CASE("a pattern whose repeats nest matches in time polynomial in the value", "[ecs]") {
  // A backtracking matcher takes 2^n steps on "(a*)*b" against n a's, and hung on the fuzzer's
  // "~**********%**********": with n = 40 these would not finish within the test's timeout.
  const std::string many_a(40, 'a');
  CHECK_FALSE(selects("attribute:rack =~ '(a*)*b'", Host("t3.small", "us-east-1a").add("rack", many_a)));
  CHECK(selects("attribute:rack =~ '(a*)*'", Host("t3.small", "us-east-1a").add("rack", many_a)));
  // libstdc++ reads "~**" as "~*" (ECMAScript proper refuses it): any '~'s, then any '%'s.
  CHECK(selects("attribute:team =~~**********%**********",
                Host("t3.small", "us-east-1a").add("team", std::string(40, '~'))));
  CHECK(selects("attribute:team =~~**********%**********",
                Host("t3.small", "us-east-1a").add("team", "~~~%%")));
  CHECK_FALSE(selects("attribute:team =~~**********%**********",
                      Host("t3.small", "us-east-1a").add("team", std::string(39, '~') + "%~")));
  // Back-references need the backtracking matcher: refused, rather than risk a hang.
  CHECK(errors("attribute:rack =~ '(a)\\1'") ==
        Errors{{19, "invalid regular expression '(a)\\1' (ecsim does not match back-references "
                    "such as \\1)"}});
}

TEST_CASE("an instance without the attribute fails every test but !exists", "[ecs]") {
  const Host bare("m5.large", "us-east-1a");
  Host dev("m5.large", "us-east-1a");
  dev.add("stack", "dev");
  Host flagged("m5.large", "us-east-1a");
  flagged.add("gpu", "");
  // The guide: "attribute:stack != prod" lists the instances with the attribute "stack"
  // unless its value is "prod".
  CHECK(selects("attribute:stack != prod", dev));
  CHECK_FALSE(selects("attribute:stack != prod", bare));
  CHECK_FALSE(selects("attribute:stack !in [prod]", bare));
  CHECK_FALSE(selects("attribute:stack !~ prod", bare));
  CHECK(selects("attribute:stack !exists", bare));
  CHECK(selects("attribute:stack not_exists", bare));
  CHECK_FALSE(selects("attribute:stack exists", bare));
  CHECK(selects("not attribute:stack == prod", bare));
  // An attribute set without a value exists and equals nothing.
  CHECK(selects("attribute:gpu exists", flagged));
  CHECK_FALSE(selects("attribute:gpu == true", flagged));
}

TEST_CASE("attribute values compare as numbers with >, >=, < and <=", "[ecs]") {
  Host four("m5.large", "us-east-1a");
  four.add("rack", "4");
  Host named("m5.large", "us-east-1a");
  named.add("rack", "north");
  CHECK(selects("attribute:rack > 3", four));
  CHECK(selects("attribute:rack >= 4", four));
  CHECK(selects("attribute:rack < 4.5", four));
  CHECK_FALSE(selects("attribute:rack <= 3.9", four));
  CHECK_FALSE(selects("attribute:rack > 3", named));
  CHECK_FALSE(selects("attribute:rack > 3", Host("m5.large", "us-east-1a")));
}

TEST_CASE("quoted values may hold spaces and the word operators read like the symbols", "[ecs]") {
  Host team("m5.large", "us-east-1a");
  team.add("team", "data science");
  CHECK(selects("attribute:team == \"data science\"", team));
  CHECK(selects("attribute:team equals 'data science'", team));
  CHECK(selects("attribute:team not_equals 'data'", team));
  CHECK(selects("attribute:team in ['data science', ops]", team));
  CHECK(selects("  attribute:team\texists  ", team));
}

TEST_CASE("an expression of 2000 characters parses and one of 2001 does not", "[ecs]") {
  // "attribute:stack == " is 19 characters; the value makes up the rest.
  const std::string at_limit = "attribute:stack == " + std::string(2000 - 19, 'a');
  REQUIRE(at_limit.size() == 2000);
  CHECK(errors(at_limit).empty());
  CHECK(errors(at_limit + "a") ==
        Errors{{2001, "the expression is 2001 characters long (AWS allows at most 2000)"}});
}

TEST_CASE("a missing operator is reported after the subject with the operators it takes", "[ecs]") {
  // "attribute:ecs.instance-type" is 10 + 17 = 27 characters; "t2.small" starts at 29.
  CHECK(errors("attribute:ecs.instance-type t2.small") ==
        Errors{{29,
                "expected an operator after 'attribute:ecs.instance-type' (==, !=, in, !in, "
                "exists, !exists, =~, !~, >, >=, <, <=)"}});
  CHECK(errors("runningTasksCount") ==
        Errors{{18, "expected an operator after 'runningTasksCount' (==, !=, >, >=, <, <=)"}});
}

TEST_CASE("an unknown subject is named with the nearest known one", "[ecs]") {
  CHECK(errors("runningTaskCount == 0") ==
        Errors{{1, "unknown subject 'runningTaskCount' (did you mean 'runningTasksCount'?)"}});
  CHECK(errors("agentconnected == true") ==
        Errors{{1, "unknown subject 'agentconnected' (did you mean 'agentConnected'?)"}});
  CHECK(errors("atribute:stack == prod") ==
        Errors{{1, "unknown subject 'atribute:stack' (did you mean 'attribute:stack'?)"}});
  CHECK(errors("colour == blue") ==
        Errors{{1,
                "unknown subject 'colour' (expected attribute:NAME, agentConnected, "
                "agentVersion, ec2InstanceId, registeredAt, runningTasksCount or task:group)"}});
}

TEST_CASE("attribute names must be present, short and free of colons", "[ecs]") {
  CHECK(errors("attribute: == x") == Errors{{11, "expected an attribute name after 'attribute:'"}});
  CHECK(errors("attribute:a:b == c") ==
        Errors{{12,
                "an attribute name has letters, digits, '-', '_', '.', '/' and '\\' only "
                "(found ':')"}});
  CHECK(errors("attribute:" + std::string(129, 'n') + " exists") ==
        Errors{{11, "the attribute name is 129 characters long (at most 128)"}});
  CHECK(errors("attribute:" + std::string(128, 'n') + " exists").empty());
}

TEST_CASE("an operator the subject does not take is reported with those it does", "[ecs]") {
  // "runningTasksCount" is 17 characters: the operator starts at 19.
  CHECK(errors("runningTasksCount exists") ==
        Errors{{19, "'exists' does not apply to runningTasksCount (==, !=, >, >=, <, <=)"}});
  CHECK(errors("ec2InstanceId > 5") ==
        Errors{{15, "'>' does not apply to ec2InstanceId (==, !=, in, !in, =~, !~)"}});
  CHECK(errors("task:group greater_than a") ==
        Errors{{12, "'greater_than' does not apply to task:group (==, !=, in, !in, =~, !~)"}});
  CHECK(errors("agentVersion =~ 1.*") ==
        Errors{{14, "'=~' does not apply to agentVersion (==, !=, >, >=, <, <=)"}});
}

TEST_CASE("parentheses must balance", "[ecs]") {
  CHECK(errors("(attribute:a exists") == Errors{{1, "unclosed '(' (expected ')')"}});
  CHECK(errors("not((attribute:a exists)") == Errors{{4, "unclosed '(' (expected ')')"}});
  // "attribute:a exists" is 18 characters.
  CHECK(errors("attribute:a exists)") == Errors{{19, "unmatched ')'"}});
  CHECK(errors("()") ==
        Errors{{2,
                "expected a subject (attribute:NAME, agentConnected, agentVersion, "
                "ec2InstanceId, registeredAt, runningTasksCount or task:group), 'not' or '(' "
                "but found ')'"}});
}

TEST_CASE("argument lists are checked: brackets, emptiness, separators, closing", "[ecs]") {
  // "attribute:ecs.availability-zone" is 10 + 21 = 31 characters; '[' is at 36.
  CHECK(errors("attribute:ecs.availability-zone in []") ==
        Errors{{36, "the list is empty (expected at least one value)"}});
  CHECK(errors("attribute:ecs.availability-zone in (us-east-1a, us-east-1b)") ==
        Errors{{36,
                "'in' takes a list in square brackets, as in [us-east-1a, us-east-1b], but "
                "found '('"}});
  CHECK(errors("attribute:ecs.availability-zone !in us-east-1a") ==
        Errors{{37,
                "'!in' takes a list in square brackets, as in [us-east-1a, us-east-1b], but "
                "found 'us-east-1a'"}});
  CHECK(errors("attribute:stack in [a, b") == Errors{{20, "unclosed '[' (expected ']')"}});
  CHECK(errors("attribute:stack in [a b]") ==
        Errors{{23, "expected ',' or ']' in the list but found 'b'"}});
  CHECK(errors("attribute:stack in [a, ]") ==
        Errors{{24, "expected a value after 'in' but found ']'"}});
  CHECK(errors("attribute:stack == [a, b]") ==
        Errors{{20, "'==' takes one value, not a list (in and !in take lists)"}});
}

TEST_CASE("values must be present, closed and non-empty", "[ecs]") {
  CHECK(errors("attribute:stack ==") ==
        Errors{{19, "expected a value after '==' but found the end of the expression"}});
  CHECK(errors("attribute:stack == 'prod") ==
        Errors{{20, "unclosed quote (a value that starts with ' ends with ')"}});
  CHECK(errors("attribute:stack == ''") == Errors{{20, "a value cannot be empty"}});
  // "attribute:stack exists" is 22 characters.
  CHECK(errors("attribute:stack exists prod") ==
        Errors{{24, "'exists' takes no value but found 'prod'"}});
}

TEST_CASE("values must suit their subject", "[ecs]") {
  CHECK(errors("runningTasksCount > many") ==
        Errors{{21, "runningTasksCount compares with a whole number, not 'many'"}});
  CHECK(errors("runningTasksCount > -1") ==
        Errors{{21, "runningTasksCount compares with a whole number, not '-1'"}});
  CHECK(errors("agentVersion < 1.x") ==
        Errors{{16, "agentVersion compares with a version such as 1.14.5, not '1.x'"}});
  CHECK(errors("registeredAt < 2018-02-30") ==
        Errors{{16,
                "registeredAt compares with a date (2018-06-18T22:28:28+00:00, "
                "2018-06-18T22:28:28Z, 2018-06-18T22:28:28 or 2018-06-18), not '2018-02-30'"}});
  CHECK(errors("registeredAt < 2018-02-13T10:00").size() == 1);
  CHECK(errors("agentConnected == yes") ==
        Errors{{19, "agentConnected is true or false, not 'yes'"}});
  CHECK(errors("agentConnected in [true, no]") ==
        Errors{{26, "agentConnected is true or false, not 'no'"}});
  CHECK(errors("attribute:rack > high") ==
        Errors{{18, "'>' compares numbers, and 'high' is not one"}});
}

TEST_CASE("an invalid regular expression is reported where it starts", "[ecs]") {
  // "attribute:ecs.instance-type =~ " is 31 characters: the quote is at 32.
  CHECK(errors("attribute:ecs.instance-type =~ 't2(.*'") ==
        Errors{{32,
                "invalid regular expression 't2(.*' (Mismatched '(' and ')' in regular "
                "expression)"}});
  // A glob is not a regular expression.
  CHECK(errors("attribute:ecs.instance-type =~ *.large") ==
        Errors{{32,
                "invalid regular expression '*.large' ('*' repeats what comes before it, "
                "and nothing does; any text is .*)"}});
  CHECK(errors("attribute:ecs.instance-type =~ 'm5|+'") ==
        Errors{{32,
                "invalid regular expression 'm5|+' ('+' repeats what comes before it, and "
                "nothing does; any text is .*)"}});
  CHECK(errors("attribute:ecs.instance-type =~ '[*]x'").empty());
  // A number of more than 6 digits after a backslash or in braces, which libstdc++ would read
  // into an int past its range (found by fuzzing).
  CHECK(errors("attribute:ecs.instance-type =~ 'm\\123456789'") ==
        Errors{{32, "invalid regular expression 'm\\123456789' (the number '123456789' is too "
                    "long: at most 6 digits)"}});
  CHECK(errors("attribute:ecs.instance-type =~ 'm{2,99999999999}'") ==
        Errors{{32, "invalid regular expression 'm{2,99999999999}' (the number '99999999999' "
                    "is too long: at most 6 digits)"}});
  CHECK(errors("attribute:ecs.instance-type =~ 'm{2,3}[0-9]{4}x1234567'").empty());
  // Java syntax that std::regex's ECMAScript grammar lacks or reads differently.
  const auto java = [](std::string_view pattern, std::string_view what) {
    return Errors{{32, "invalid regular expression '" + std::string(pattern) + "' ('" +
                           std::string(what) +
                           "' is Java syntax that ecsim's ECMAScript regular expressions do not "
                           "have)"}};
  };
  CHECK(errors("attribute:ecs.instance-type =~ '(?i)t2.*'") == java("(?i)t2.*", "(?i"));
  CHECK(errors("attribute:ecs.instance-type =~ '\\At2'") == java("\\At2", "\\A"));
  CHECK(errors("attribute:ecs.instance-type =~ t2.*+") == java("t2.*+", "*+"));
  CHECK(errors("attribute:ecs.instance-type =~ '(?<=t)2'") == java("(?<=t)2", "(?<"));
  CHECK(errors("attribute:ecs.instance-type =~ '\\p{Alpha}2'") == java("\\p{Alpha}2", "\\p"));
  CHECK(errors("attribute:ecs.instance-type =~ '(?:t2|t3)\\.(?!nano).*'").empty());
  // Unquoted, a parenthesis ends the value: quote regular expressions that hold one.
  CHECK(errors("attribute:ecs.instance-type =~ (t2|t3).*") ==
        Errors{{32, "expected a value after '=~' but found '('"}});
}

TEST_CASE("expressions must be complete and joined by and or or", "[ecs]") {
  CHECK(errors("") == Errors{{1,
                              "the expression is empty (expected a subject such as "
                              "attribute:ecs.instance-type)"}});
  CHECK(errors("   ") == Errors{{4,
                                 "the expression is empty (expected a subject such as "
                                 "attribute:ecs.instance-type)"}});
  // "attribute:stack exists and" is 26 characters.
  CHECK(errors("attribute:stack exists and") ==
        Errors{{27,
                "expected a subject (attribute:NAME, agentConnected, agentVersion, "
                "ec2InstanceId, registeredAt, runningTasksCount or task:group), 'not' or '(' "
                "but found the end of the expression"}});
  // "prod" ends at 23; the next subject starts at 25.
  CHECK(errors("attribute:stack == prod runningTasksCount == 0") ==
        Errors{{25,
                "expected 'and', 'or', ')' or the end of the expression but found "
                "'runningTasksCount'"}});
  // Keywords are lower case, as documented.
  // "attribute:a == 1" is 16 characters.
  CHECK(errors("attribute:a == 1 AND attribute:b exists") ==
        Errors{{18, "expected 'and', 'or', ')' or the end of the expression but found 'AND'"}});
  CHECK(errors("attribute:a exists AND attribute:b exists") ==
        Errors{{20, "'exists' takes no value but found 'AND'"}});
}

TEST_CASE("every problem in a query is reported, not only the first", "[ecs]") {
  // runningTaskCount: 1-16; "attribute:stack" 27-41, "t2" at 43; agentVersion 49-60, "x" at 64.
  CHECK(errors("runningTaskCount == 0 and attribute:stack t2 or agentVersion < x") ==
        Errors{{1, "unknown subject 'runningTaskCount' (did you mean 'runningTasksCount'?)"},
               {43,
                "expected an operator after 'attribute:stack' (==, !=, in, !in, exists, "
                "!exists, =~, !~, >, >=, <, <=)"},
               {64, "agentVersion compares with a version such as 1.14.5, not 'x'"}});
}

TEST_CASE("a parsed query keeps its text and can be copied", "[ecs]") {
  const Query query = parsed("attribute:ecs.instance-type =~ '(t2|t3)\\..*'");
  const Query copy = query;  // NOLINT(performance-unnecessary-copy-initialization)
  CHECK(copy.text() == "attribute:ecs.instance-type =~ '(t2|t3)\\..*'");
  CHECK(matches(copy, Host("t3.micro", "us-east-1a").view()));
}

TEST_CASE("nesting as deep as the length limit allows parses and evaluates", "[ecs]") {
  Host host("m5.large", "us-east-1a");
  host.add("a", "1");
  // 990 pairs of parentheses around an 18-character comparison: 1998 characters.
  const std::string nested = std::string(990, '(') + "attribute:a exists" + std::string(990, ')');
  CHECK(selects(nested, host));
  // An even number of negations cancels out; an odd one does not.
  CHECK(selects(std::string(1000, '!') + "attribute:a exists", host));
  CHECK_FALSE(selects(std::string(999, '!') + "attribute:a exists", host));
}

TEST_CASE("a query that tests no task state can be evaluated once per instance", "[ecs]") {
  CHECK_FALSE(
      parsed("attribute:ecs.instance-type =~ t2.* and agentVersion > 1.0").depends_on_tasks());
  CHECK(parsed("attribute:a exists or runningTasksCount == 0").depends_on_tasks());
  CHECK(parsed("not(task:group == database)").depends_on_tasks());
}
