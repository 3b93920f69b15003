#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ecsim/scenario/scenario.hpp"
#include "task_definition_reader.hpp"

using namespace ecsim;
using namespace ecsim::scenario;

namespace {

const std::string kScenarios = ECSIM_TEST_SCENARIOS;
const std::string kRealworld = ECSIM_REALWORLD_DIR;

// The diagnostics of loading `file`, one per line, with the test folder's path taken out.
std::string diagnostics_of(const std::string& file) {
  const LoadResult r = load_scenario(file);
  std::string out;
  for (const Diagnostic& d : r.diagnostics.sorted()) out += format_diagnostic(d) + "\n";
  const std::string prefix = kScenarios + "/";
  for (std::size_t at; (at = out.find(prefix)) != std::string::npos;) out.erase(at, prefix.size());
  return out;
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

// Each bad/NAME.expected belongs to bad/NAME.yaml and holds exactly the lines `ecsim validate`
// prints for it; every such pair in the folder is checked (at least the 21 kept today).
TEST_CASE("every bad scenario gets exactly its expected diagnostics", "[scenario]") {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kScenarios + "/bad"))
    if (entry.path().extension() == ".expected") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  CHECK(names.size() >= 21);
  for (const std::string& name : names) {
    SECTION(name) {
      const std::string scenario = kScenarios + "/bad/" + name + ".yaml";
      REQUIRE(std::filesystem::exists(scenario));
      const std::string got = diagnostics_of(scenario);
      CHECK_FALSE(got.empty());
      CHECK(got == read(kScenarios + "/bad/" + name + ".expected"));
    }
  }
}

TEST_CASE("a scenario that does not exist is reported, not crashed on", "[scenario]") {
  // (diagnostics_of takes the test folder's path out of the message too.)
  CHECK(diagnostics_of(kScenarios + "/bad/does-not-exist.yaml") ==
        "bad/does-not-exist.yaml: error: cannot open 'bad/does-not-exist.yaml': No such file or "
        "directory (expected a readable file)\n");
}

TEST_CASE("every shipped scenario loads without a problem", "[scenario]") {
  // Every YAML file under scenarios/ with a top-level duration is a scenario (the others are
  // the eksctl files and manifests they name).
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(ECSIM_SOURCE_DIR "/scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string text = read(entry.path().string());
    if (text.starts_with("duration:") || text.find("\nduration:") != std::string::npos)
      files.push_back(entry.path().string());
  }
  // quickstart, 9 ECS scenarios and 7 EKS ones.
  CHECK(files.size() >= 17);
  for (const std::string& file : files) {
    INFO(file);
    const LoadResult r = load_scenario(file);
    for (const Diagnostic& d : r.diagnostics.all()) INFO(format_diagnostic(d));
    CHECK(r.diagnostics.ok());
    CHECK(r.scenario);
  }
}

TEST_CASE("the quickstart scenario reads into the values it states", "[scenario]") {
  const LoadResult r = load_scenario(ECSIM_SOURCE_DIR "/scenarios/quickstart.yaml");
  REQUIRE(r.scenario);
  const Scenario& s = *r.scenario;
  CHECK(s.name == "quickstart");
  CHECK(s.seed == 7);
  CHECK(s.duration == std::chrono::hours(24));
  CHECK(s.platform.azs == std::vector<std::string>{"us-east-1a", "us-east-1b", "us-east-1c"});
  REQUIRE(s.platform.groups.size() == 1);
  CHECK(s.platform.groups[0].desired == 6);
  CHECK(s.platform.groups[0].azs.size() == 3);
  REQUIRE(s.ecs.size() == 1);
  REQUIRE(s.ecs[0].jobs.size() == 2);
  const JobConfig& etl = s.ecs[0].jobs[0];
  // extract: cpu 1024, memoryReservation 2048; log-router: cpu 128, memoryReservation 128.
  CHECK(etl.task_definition.reserved_cpu_units() == 1024 + 128);
  CHECK(etl.task_definition.reserved_memory_mib() == 2048 + 128);
  const JobConfig& report = s.ecs[0].jobs[1];
  CHECK(report.launch_type == LaunchType::kFargate);
  // "1 vCPU" is 1024 units and "2 GB" 2048 MiB.
  REQUIRE(report.task_definition.fargate_size());
  CHECK(report.task_definition.fargate_size()->cpu_units == 1024);
  CHECK(report.task_definition.fargate_size()->memory_mib == 2048);
  REQUIRE(s.platform.faults.size() == 1);
  CHECK(s.platform.faults[0].at == kSimStart + std::chrono::hours(10));
  CHECK(s.platform.faults[0].duration == std::chrono::minutes(45));
}

TEST_CASE("every real-world ECS task definition loads unchanged", "[scenario]") {
  struct Expect {
    const char* file;
    std::int64_t cpu_units;
    std::int64_t memory_mib;
  };
  // Reservations by AWS's rule: task-level values when set, else the containers' sum of cpu and
  // of memoryReservation (or memory when no reservation is set).
  const Expect cases[] = {
      {"ConsulServer.json", 128, 64},       // cpu 128; memoryReservation 64 (memory 256)
      {"gunicorn_fargate.json", 512, 1024},  // task cpu "512", memory "1024"
      {"nginx_ec2.json", 256, 256},          // one container: cpu 256, memory 256
      {"nginx_fargate.json", 256, 512},      // task cpu "256", memory "512"
  };
  for (const Expect& e : cases) {
    SECTION(e.file) {
      Diagnostics diagnostics;
      const auto td = scenario::detail::read_task_definition(kRealworld + "/ecs/" + e.file, diagnostics,
                                                   SourceLocation{}, "");
      for (const Diagnostic& d : diagnostics.all()) INFO(format_diagnostic(d));
      REQUIRE(td);
      CHECK(diagnostics.ok());
      CHECK(td->reserved_cpu_units() == e.cpu_units);
      CHECK(td->reserved_memory_mib() == e.memory_mib);
      // None reserves a static host port: ConsulServer.json is in host mode but maps no port,
      // nginx_ec2.json maps port 80 dynamically (bridge, no hostPort), and the Fargate ones are
      // awsvpc, whose ports are on the task's own interface (gunicorn's hostPort 5000 too).
      CHECK(td->host_ports().empty());
    }
  }
}
