// Every public file of tests/realworld/corpus (eksctl examples, Kubernetes website examples,
// aws-samples task definitions; sources in its SOURCES.tsv) reads without a problem, as the
// real tools read them. Files that the real tools refuse, or that ecsim refuses as not
// simulated, are not kept there (tests/realworld/corpus/README.md).

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "eksctl_reader.hpp"
#include "manifest_reader.hpp"
#include "task_definition_reader.hpp"

using namespace ecsim;
using namespace ecsim::scenario;
using namespace ecsim::scenario::detail;

namespace {

const std::string kCorpus = std::string(ECSIM_REALWORLD_DIR) + "/corpus";

std::vector<std::string> files_of(const std::string& kind) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(kCorpus + "/" + kind))
    out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string text_of(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void require_clean(const Diagnostics& d, const std::string& path) {
  std::string all;
  for (const Diagnostic& x : d.all()) all += format_diagnostic(x) + "\n";
  INFO(path << "\n" << all);
  CHECK(d.ok());
}

}  // namespace

TEST_CASE("every eksctl example of the corpus loads", "[scenario][eks][corpus]") {
  const std::vector<std::string> files = files_of("eksctl");
  CHECK(files.size() >= 48);
  for (const std::string& path : files) {
    // The region the file names (us-west-2 when none), with zones a to f of it.
    std::smatch m;
    const std::string text = text_of(path);
    const std::string region =
        std::regex_search(text, m, std::regex(R"(\n\s+region:\s*['"]?([a-z0-9-]+))")) ? m[1].str()
                                                                                      : "us-west-2";
    EksctlContext context{region, {}};
    for (const char z : std::string("abcdef")) context.zones.push_back(region + z);
    Diagnostics d;
    const auto config = read_eksctl_file(path, context, d, SourceLocation{"s.yaml", 1, 1}, "");
    require_clean(d, path);
    CHECK(config.has_value());
  }
}

TEST_CASE("every Kubernetes example of the corpus loads", "[scenario][eks][corpus]") {
  const std::vector<std::string> files = files_of("k8s");
  CHECK(files.size() >= 41);
  for (const std::string& path : files) {
    Diagnostics d;
    ManifestReader reader(d);
    reader.read_file(path, SourceLocation{"s.yaml", 1, 1}, "");
    reader.check();
    require_clean(d, path);
  }
}

TEST_CASE("every task definition of the corpus loads", "[scenario][ecs][corpus]") {
  const std::vector<std::string> files = files_of("ecs");
  CHECK(files.size() >= 10);
  for (const std::string& path : files) {
    Diagnostics d;
    const auto td = read_task_definition(path, d, SourceLocation{"s.yaml", 1, 1}, "");
    require_clean(d, path);
    CHECK(td.has_value());
  }
}
