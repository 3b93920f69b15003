#include "syntax_check.hpp"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "yaml_reader.hpp"

using namespace ecsim::scenario;
using namespace ecsim::scenario::detail;

namespace {

using Lines = std::vector<std::string>;

Lines formatted(const Diagnostics& diagnostics) {
  Lines out;
  for (const Diagnostic& d : diagnostics.sorted()) out.push_back(format_diagnostic(d));
  return out;
}

// What check_json reports for `text` as file t.json, and whether it read the text as JSON.
struct Json {
  bool readable;
  Lines problems;
};
Json json(const std::string& text) {
  Diagnostics d;
  const bool readable = check_json(text, "t.json", d);
  return {readable, formatted(d)};
}

Lines yaml(const std::string& text, bool several = false) {
  Diagnostics d;
  (void)check_yaml(text, "t.yaml", d, several);
  return formatted(d);
}

}  // namespace

TEST_CASE("strict JSON accepts what RFC 8259 allows", "[scenario]") {
  const Json ok = json(
      "\xEF\xBB\xBF{\"a\": [1, -2.5e+3, 0, true, false, null, \"\\u00e9\\n\\\"\"],\n"
      "\t\"b\": {}, \"c\": [], \"d\": \"caf\xC3\xA9\"}\n");
  CHECK(ok.readable);
  CHECK(ok.problems.empty());
}

TEST_CASE("strict JSON explains each syntax error in plain words at its place", "[scenario]") {
  // The example of the issue: a missing comma after a value, found where the next key starts.
  CHECK(json("{\n  \"family\": \"web\",\n  \"containerDefinitions\": [\n    {\"name\": \"a\"\n"
             "    \"image\": \"x\"}]}")
            .problems == Lines{"t.json:5:5: error: containerDefinitions[0].name: expected ',' "
                               "or '}' after the value"});
  CHECK(json("[1 2]").problems == Lines{"t.json:1:4: error: [0]: expected ',' or ']' after the "
                                        "item"});
  CHECK(json("{\"a\": 1,}").problems ==
        Lines{"t.json:1:9: error: a: expected a key after ',' (a comma before '}' is not allowed "
              "in JSON)"});
  CHECK(json("[1,]").problems == Lines{"t.json:1:4: error: [1]: expected a value after ',' (a "
                                       "comma before ']' is not allowed in JSON)"});
  CHECK(json("{\"a\": 1 // note\n}").problems ==
        Lines{"t.json:1:9: error: a: comments are not allowed in JSON"});
  CHECK(json("{\"a\": 1, # note\n}").problems ==
        Lines{"t.json:1:10: error: a: comments are not allowed in JSON ('#' starts one in YAML "
              "only)"});
  CHECK(json("{'a': 1}").problems ==
        Lines{"t.json:1:2: error: expected a key in double quotes: JSON writes strings in "
              "double quotes, not single quotes"});
  CHECK(json("{\"a\": 'x'}").problems.size() == 1);
  CHECK(json("{\"a\" 1}").problems ==
        Lines{"t.json:1:6: error: a: expected ':' after the key 'a'"});
  CHECK(json("{\"a\": nope}").problems ==
        Lines{"t.json:1:7: error: a: expected a value (an object, a list, a string in double "
              "quotes, a number, true, false or null) (found 'nope')"});
  CHECK(json("{\"a\": 01}").problems == Lines{"t.json:1:7: error: a: '01' is not a JSON number"});
  CHECK(json("{\"a\": +1}").problems.size() == 1);
  CHECK(json("{\"a\": \"x\\q\"}").problems ==
        Lines{"t.json:1:9: error: a: '\\q' is not a JSON escape (expected \\\", \\\\, \\/, \\b, "
              "\\f, \\n, \\r, \\t or \\u and four hex digits)"});
  CHECK(json("{\"a\": \"x\ty\"}").problems ==
        Lines{"t.json:1:9: error: a: a control character in a string (write it as an escape "
              "such as \\t)"});
  CHECK(json("{\"a\": \"\xC3\x28\"}").problems ==
        Lines{"t.json:1:8: error: a: text that is not valid UTF-8 in a string"});
  CHECK(json("{\"a\": \"open").problems ==
        Lines{"t.json:1:7: error: a: a string that is never closed (a '\"' is missing)"});
  CHECK(json("{\"a\": [1, 2").problems ==
        Lines{"t.json:1:12: error: a[1]: the file ends before the ']' that closes this list"});
  CHECK(json("  \n").problems == Lines{"t.json:2:1: error: the file is empty (expected a JSON "
                                       "object)"});
  CHECK(json("\n\n\n\n  ").problems == Lines{"t.json:5:3: error: the file is empty (expected a "
                                              "JSON object)"});
  CHECK_FALSE(json("{").readable);
}

TEST_CASE("strict JSON refuses a second document or text after the value", "[scenario]") {
  const std::string after =
      "error: text after the end of the JSON value (a file holds one object; a second document "
      "or anything after it is not JSON)";
  CHECK(json("{\"a\": 1}\n{\"a\": 2}\n").problems == Lines{"t.json:2:1: " + after});
  CHECK(json("{\"a\": 1}\n---\n{\"a\": 2}\n").problems == Lines{"t.json:2:1: " + after});
  CHECK(json("{\"a\": 1} trailing").problems == Lines{"t.json:1:10: " + after});
  CHECK_FALSE(json("{} x").readable);
}

TEST_CASE("strict JSON reports every duplicate key with both places and reads on", "[scenario]") {
  const Json got = json(
      "{\"containerDefinitions\": [{\"name\": \"a\", \"memory\": 1024,\n"
      "   \"memory\": 999999}],\n \"family\": \"x\", \"fam\\u0069ly\": \"y\"}");
  CHECK(got.readable);
  CHECK(got.problems ==
        Lines{"t.json:2:4: error: containerDefinitions[0].memory: duplicate key 'memory' (first "
              "at 1:41; each key may appear once)",
              "t.json:3:17: error: family: duplicate key 'family' (first at 3:2; each key may "
              "appear once)"});
  // Equal keys in different objects are not duplicates.
  CHECK(json("[{\"a\": 1}, {\"a\": 2}]").problems.empty());
}

TEST_CASE("strict JSON says when nesting is too deep, even 100,000 levels", "[scenario]") {
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  const Json got = json(deep);
  CHECK_FALSE(got.readable);
  CHECK(got.problems == Lines{"t.json:1:201: error: objects and lists nest more than 200 deep "
                              "here (the most ecsim reads)"});
}

TEST_CASE("YAML: a key given twice is reported with both places, in any document", "[scenario]") {
  CHECK(yaml("managedNodeGroups:\n  - name: ng\n    desiredCapacity: 3\n"
             "    desiredCapacity: 300\n") ==
        Lines{"t.yaml:4:5: error: managedNodeGroups[0].desiredCapacity: duplicate key "
              "'desiredCapacity' (first at 3:5; each key may appear once)"});
  CHECK(yaml("a: 1\n---\nb: 2\nb: 3\n", true) ==
        Lines{"t.yaml:4:1: error: b: duplicate key 'b' (first at 3:1; each key may appear once)"});
  // Flow mappings, keys of complex values, and the same key in sibling mappings.
  CHECK(yaml("x: {a: [1, 2], b: {c: 1}, a: 3}\ny: [{c: 1}, {c: 2}]\n") ==
        Lines{"t.yaml:1:27: error: x.a: duplicate key 'a' (first at 1:5; each key may appear "
              "once)"});
}

TEST_CASE("YAML: a second document in a one-document file is an error, an empty one is not",
          "[scenario]") {
  CHECK(yaml("name: a\n---\nname: b\n") ==
        Lines{"t.yaml:3:1: error: a second YAML document (this file holds one; remove the '---' "
              "and what follows, or move it to a file of its own)"});
  CHECK(yaml("name: a\n---\n").empty());
  CHECK(yaml("name: a\n---\nname: b\n", true).empty());
}

TEST_CASE("YAML: nesting beyond 200 levels is refused, block or flow, even 100,000", "[scenario]") {
  const Lines flow = yaml("a: " + std::string(100'000, '[') + std::string(100'000, ']') + "\n");
  REQUIRE(flow.size() == 1);
  CHECK(flow[0] ==
        "t.yaml:1:203: error: mappings and lists nest more than 200 deep here (the "
        "most ecsim reads)");
  std::string block;
  for (int i = 0; i < 300; ++i) block += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
  const Lines got = yaml(block);
  REQUIRE(got.size() == 1);
  CHECK_THAT(got[0], Catch::Matchers::StartsWith("t.yaml:201:201: error: mappings and lists"));
  // parse_document stops there rather than building the nodes.
  Diagnostics d;
  CHECK_FALSE(parse_document(block, "t.yaml", d));
  CHECK(d.all().size() == 1);
}

TEST_CASE("YAML: aliases are not expanded by the check", "[scenario]") {
  // A billion laughs: 10 levels of 10 aliases each would be 10^10 nodes expanded.
  // Expanded, this would not finish (ctest's timeout would fail the test).
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    bomb += fmt::format("a{}: &a{} [", i, i);
    for (int k = 0; k < 10; ++k) bomb += fmt::format("{}*a{}", k == 0 ? "" : ", ", i - 1);
    bomb += "]\n";
  }
  CHECK(yaml(bomb).empty());
  Diagnostics d;
  CHECK(parse_document(bomb, "t.yaml", d));
  CHECK(d.ok());
}

TEST_CASE("a long value in a message is cut to a readable length", "[scenario]") {
  CHECK(shorten("short") == "short");
  CHECK(shorten(std::string(60, 'x')) == std::string(60, 'x'));
  CHECK(shorten(std::string(1'000'000, 'x')) == std::string(40, 'x') + "... (1000000 bytes)");
  // Not inside a UTF-8 sequence: 39 ASCII bytes, then a 2-byte character across the cut.
  CHECK(shorten(std::string(39, 'x') + "\xC3\xA9" + std::string(30, 'y')) ==
        std::string(39, 'x') + "... (71 bytes)");
}

TEST_CASE("YAML: a stray comma is refused at its place, not read as documents forever",
          "[scenario]") {
  // yaml-cpp 0.7 returns an empty document at a ',' outside a flow collection without moving
  // on: LoadAll never returned (a manifest ending with a stray comma hung ecsim).
  const std::string message =
      "a ',' outside [...] or {...} (in YAML a comma separates only the items of a flow list "
      "or mapping)";
  CHECK(yaml(",") == Lines{"t.yaml:1:1: error: " + message});
  CHECK(yaml("kind: Deployment\n---\n- a\n,\n", true) == Lines{"t.yaml:4:1: error: " + message});
  Diagnostics d;
  CHECK_FALSE(parse_documents("\"x\" ,", "t.yaml", d));
  CHECK(formatted(d) == Lines{"t.yaml:1:5: error: " + message});
}
