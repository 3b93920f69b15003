#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "yaml_reader.hpp"

using namespace ecsim;
using namespace ecsim::scenario;
using namespace ecsim::scenario::detail;

namespace {

// The formatted diagnostics of reading `text` (as file "s.yaml") with `read`.
template <class Read>
std::vector<std::string> problems(const std::string& text, Read read) {
  Diagnostics diagnostics;
  const std::optional<Document> doc = parse_document(text, "s.yaml", diagnostics);
  if (doc) read(Reader(*doc, diagnostics));
  std::vector<std::string> out;
  for (const Diagnostic& d : diagnostics.sorted()) out.push_back(format_diagnostic(d));
  return out;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("malformed YAML is reported at its line and column", "[scenario]") {
  CHECK(problems("a: [1, 2\nb: 3\n", [](const Reader&) {}) ==
        Lines{"s.yaml:2:2: error: malformed YAML: end of sequence flow not found"});
}

TEST_CASE("a misspelt key gets a did-you-mean, an unrelated one the list of keys", "[scenario]") {
  const Lines got = problems("name: x\nduratoin: 1h\nzzz: 1\n", [](const Reader& r) {
    r.expect_map({"name", "duration", "seed"});
  });
  CHECK(got == Lines{"s.yaml:2:1: error: duratoin: unknown key 'duratoin' (did you mean "
                     "'duration'?)",
                     "s.yaml:3:1: error: zzz: unknown key 'zzz' (expected one of name, duration, "
                     "seed)"});
}

TEST_CASE("a duplicate key is an error at its second occurrence, naming the first", "[scenario]") {
  CHECK(problems("seed: 1\nseed: 2\n", [](const Reader& r) { r.expect_map({"seed"}); }) ==
        Lines{"s.yaml:2:1: error: seed: duplicate key 'seed' (first at 1:1; each key may appear "
              "once)"});
}

TEST_CASE("a missing required key is reported at its parent", "[scenario]") {
  CHECK(problems("platform:\n  region: us-east-1\n", [](const Reader& r) {
          (void)r["platform"]["azs"].require();
        }) == Lines{"s.yaml:2:3: error: platform.azs: missing required key 'azs'"});
}

TEST_CASE("numbers out of range or of the wrong kind say what was expected", "[scenario]") {
  const Lines got = problems("a: 5000001\nb: -1\nc: abc\nd: 2.5\ne: nan\nf: [1]\n",
                             [](const Reader& r) {
                               (void)r["a"].integer(0, 5'000'000);
                               (void)r["b"].integer(0, 10);
                               (void)r["c"].integer(0, 10);
                               (void)r["d"].integer(0, 10);
                               (void)r["e"].number(0, 1);
                               (void)r["f"].number(0, 1);
                             });
  CHECK(got == Lines{
                   "s.yaml:1:4: error: a: 5000001 is too large (expected a whole number from 0 "
                   "to 5000000)",
                   "s.yaml:2:4: error: b: -1 is too small (expected a whole number from 0 to 10)",
                   "s.yaml:3:4: error: c: 'abc' is not a whole number (expected a whole number "
                   "from 0 to 10)",
                   "s.yaml:4:4: error: d: '2.5' is not a whole number (expected a whole number "
                   "from 0 to 10)",
                   "s.yaml:5:4: error: e: 'nan' is not a number (expected a number from 0 to 1)",
                   "s.yaml:6:4: error: f: expected a number from 0 to 1",
               });
}

TEST_CASE("good values read back exactly", "[scenario]") {
  Diagnostics diagnostics;
  const auto doc = parse_document("n: 42\nx: 0.25\nt: 1h30m\nb: true\ns: hello\nk: wait\n",
                                  "s.yaml", diagnostics);
  REQUIRE(doc);
  const Reader r(*doc, diagnostics);
  CHECK(r["n"].integer(0, 100) == 42);
  CHECK(r["x"].number(0, 1) == 0.25);
  CHECK(r["t"].duration(SimDuration::zero(), SimDuration::max()) ==
        std::chrono::minutes(90));
  CHECK(r["b"].boolean() == true);
  CHECK(r["s"].string() == "hello");
  CHECK(r["k"].one_of({"wait", "fail"}) == "wait");
  CHECK_FALSE(r["missing"].present());
  CHECK(diagnostics.ok());
}

TEST_CASE("durations and choices explain what is wrong", "[scenario]") {
  const Lines got = problems("t: 5x\nu: 10d\nk: wiat\n", [](const Reader& r) {
    (void)r["t"].duration(SimDuration::zero(), std::chrono::hours(24));
    (void)r["u"].duration(SimDuration::zero(), std::chrono::hours(24));
    (void)r["k"].one_of({"wait", "fail"});
  });
  CHECK(got == Lines{
                   "s.yaml:1:4: error: t: unknown unit 'x' in '5x' (expected one of d, h, m, s, "
                   "ms, us)",
                   "s.yaml:2:4: error: u: 10d is too long (expected a duration from 0s to 1d)",
                   "s.yaml:3:4: error: k: 'wiat' is not one of wait, fail (did you mean 'wait'?)",
               });
}

TEST_CASE("list items carry their index in the path", "[scenario]") {
  const Lines got = problems("jobs:\n  - {name: a}\n  - {nmae: b}\n", [](const Reader& r) {
    for (const Reader& job : r["jobs"].items()) job.expect_map({"name"});
  });
  CHECK(got == Lines{"s.yaml:3:6: error: jobs[1].nmae: unknown key 'nmae' (did you mean "
                     "'name'?)"});
}

TEST_CASE("a missing file is reported where it was referenced", "[scenario]") {
  Diagnostics diagnostics;
  CHECK_FALSE(load_document("/nonexistent/x.json", diagnostics,
                            SourceLocation{"s.yaml", 4, 22}, "ecs[0].jobs[0].task_definition"));
  REQUIRE(diagnostics.all().size() == 1);
  CHECK(format_diagnostic(diagnostics.all()[0]) ==
        "s.yaml:4:22: error: ecs[0].jobs[0].task_definition: cannot open '/nonexistent/x.json': "
        "No such file or directory (expected a readable file)");
}

TEST_CASE("a huge value is quoted cut short, and no message grows past a few hundred bytes",
          "[scenario]") {
  const std::string huge(1'000'000, '7');
  const Lines got = problems("n: " + huge + "\nk: x" + huge + "\n", [](const Reader& r) {
    (void)r["n"].integer(0, 10);
    (void)r["k"].one_of({"wait", "fail"});
  });
  CHECK(got == Lines{"s.yaml:1:4: error: n: 7777777777777777777777777777777777777777... (1000000 "
                     "bytes) is too large (expected a whole number from 0 to 10)",
                     "s.yaml:2:4: error: k: 'x777777777777777777777777777777777777777... (1000001 "
                     "bytes)' is not one of wait, fail"});
  // Whatever a message quotes, it keeps its first 1,000 and last 150 bytes: of 1 + 1,000,000 +
  // 33, 998,884 go; the last 150 are 117 sevens and the 33 bytes of "' is wrong (...)".
  Diagnostics d;
  d.error(SourceLocation{"s.yaml", 1, 1}, "a", "'" + huge + "' is wrong (expected a short one)");
  const std::string& message = d.all().front().message;
  CHECK(message == "'" + std::string(999, '7') + " [... 998884 bytes cut ...] " +
                       std::string(117, '7') + "' is wrong (expected a short one)");
}
