#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "ecsim/ecs/task_definition.hpp"

using namespace ecsim;
using namespace ecsim::ecs;

namespace {

ContainerDefinitionInput container(std::string name, std::optional<std::int64_t> memory = 256) {
  ContainerDefinitionInput c;
  c.name = std::move(name);
  c.image = "busybox";
  c.memory = memory;
  return c;
}

// The smallest definition EC2 accepts: one container with a hard memory limit.
TaskDefinitionInput ec2_input() {
  TaskDefinitionInput input;
  input.family = "web";
  input.container_definitions.push_back(container("app"));
  return input;
}

// The smallest definition Fargate accepts, apart from its CPU/memory pair rule.
TaskDefinitionInput fargate_input() {
  TaskDefinitionInput input = ec2_input();
  input.requires_compatibilities = {"FARGATE"};
  input.network_mode = "awsvpc";
  input.cpu = TaskSizeInput::string("256");
  input.memory = TaskSizeInput::string("512");
  return input;
}

PortMappingInput port(std::optional<std::int64_t> container_port,
                      std::optional<std::int64_t> host_port = std::nullopt) {
  PortMappingInput mapping;
  mapping.container_port = container_port;
  mapping.host_port = host_port;
  return mapping;
}



}  // namespace

// Catch prints problems as field and message when a comparison fails.
namespace Catch {
template <>
struct StringMaker<Problem> {
  static std::string convert(const Problem& p) { return "{" + p.field + ": " + p.message + "}"; }
};
}  // namespace Catch

TEST_CASE("the smallest EC2 and Fargate definitions have no problems", "[ecs]") {
  CHECK(check(ec2_input()).empty());
  CHECK(check(fargate_input()).empty());
}

TEST_CASE("a task definition needs a family", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.family.reset();
  CHECK(check(input) == Problems{{"family", "Family can not be blank."}});
  input.family = "";
  CHECK(check(input) == Problems{{"family", "Family can not be blank."}});
}

TEST_CASE("a family is up to 255 letters, numbers, hyphens and underscores", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.family = "Web-api_2";
  CHECK(check(input).empty());
  input.family = std::string(255, 'f');
  CHECK(check(input).empty());

  input.family = "web.api";
  CHECK(check(input) ==
        Problems{{"family",
                  "Family contains invalid characters. (only letters, numbers, hyphens and "
                  "underscores are allowed: \"web.api\")"}});
  input.family = std::string(256, 'f');
  CHECK(check(input) == Problems{{"family", "Family is longer than 255 characters (it has 256)."}});
}

TEST_CASE("a task definition holds 1 to 10 containers", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.container_definitions.clear();
  CHECK(check(input) == Problems{{"containerDefinitions", "Container list cannot be empty."}});

  for (const char* name : {"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10"}) {
    input.container_definitions.push_back(container(name));
  }
  CHECK(check(input).empty());
  input.container_definitions.push_back(container("c11"));
  CHECK(check(input) ==
        Problems{{"containerDefinitions",
                  "Too many containers. (a task definition holds at most 10; this one has 11)"}});
}

TEST_CASE("every container needs a name of letters, numbers, hyphens and underscores", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.container_definitions[0].name.reset();
  CHECK(check(input) ==
        Problems{{"containerDefinitions[0].name", "Container.name should not be null or empty."}});
  input.container_definitions[0].name = "";
  CHECK(check(input) ==
        Problems{{"containerDefinitions[0].name", "Container.name should not be null or empty."}});
  input.container_definitions[0].name = "my app";
  CHECK(check(input) ==
        Problems{{"containerDefinitions[0].name",
                  "Container.name contains invalid characters. (only letters, numbers, hyphens "
                  "and underscores are allowed: \"my app\")"}});
  input.container_definitions[0].name = std::string(256, 'c');
  CHECK(check(input) == Problems{{"containerDefinitions[0].name",
                                  "Container.name is longer than 255 characters (it has 256)."}});
}

TEST_CASE("container names are unique within a task definition", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.container_definitions.push_back(container("sidecar"));
  input.container_definitions.push_back(container("app"));
  CHECK(check(input) ==
        Problems{{"containerDefinitions[2].name",
                  "Container names must be unique within a Task Definition. ('app' is also the "
                  "name of containerDefinitions[0])"}});
}

TEST_CASE("a task needs at least one essential container, and essential defaults to true",
          "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.container_definitions.push_back(container("sidecar"));
  input.container_definitions[0].essential = false;
  CHECK(check(input).empty());  // the sidecar does not say, so it is essential

  input.container_definitions[1].essential = false;
  CHECK(check(input) == Problems{{"containerDefinitions",
                                  "Task definition doesn't have any essential container."}});
}

TEST_CASE("without task memory every container needs memory or memoryReservation", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.container_definitions[0].memory.reset();
  CHECK(check(input) ==
        Problems{{"containerDefinitions[0]",
                  "Invalid setting for container 'app'. At least one of 'memory' or "
                  "'memoryReservation' must be specified. (or set memory at the task level)"}});

  input.container_definitions[0].memory_reservation = 128;
  CHECK(check(input).empty());

  input.container_definitions[0].memory_reservation.reset();
  input.memory = TaskSizeInput::string("512");
  CHECK(check(input).empty());
}

TEST_CASE("a container without a name is named by its path in messages", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.container_definitions[0].name.reset();
  input.container_definitions[0].memory.reset();
  CHECK(check(input) ==
        Problems{{"containerDefinitions[0].name", "Container.name should not be null or empty."},
                 {"containerDefinitions[0]",
                  "Invalid setting for container 'containerDefinitions[0]'. At least one of "
                  "'memory' or 'memoryReservation' must be specified. (or set memory at the task "
                  "level)"}});
}

TEST_CASE("memoryReservation may equal memory but not exceed it", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.container_definitions[0].memory = 256;
  input.container_definitions[0].memory_reservation = 256;
  CHECK(check(input).empty());

  input.container_definitions[0].memory_reservation = 300;
  CHECK(check(input) ==
        Problems{{"containerDefinitions[0].memoryReservation",
                  "memoryReservation (300 MiB) is greater than memory (256 MiB) in container "
                  "'app' (the soft limit must not exceed the hard limit)"}});
}

TEST_CASE("no container's hard memory limit may exceed the task memory", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.memory = TaskSizeInput::string("512");
  input.container_definitions[0].memory = 1024;
  input.container_definitions[0].memory_reservation = 128;
  CHECK(check(input) ==
        Problems{{"containerDefinitions[0].memory",
                  "The 'memory' setting for container 'app' is greater than for the task. "
                  "(1024 MiB against the task's 512 MiB)"}});
}

TEST_CASE("the memory the containers reserve must fit in the task memory", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.memory = TaskSizeInput::string("512");
  input.container_definitions[0].memory.reset();
  input.container_definitions[0].memory_reservation = 300;
  input.container_definitions.push_back(container("sidecar", 300));
  // 300 (memoryReservation of app) + 300 (memory of sidecar, which has no reservation) = 600.
  CHECK(check(input) ==
        Problems{{"memory",
                  "The sum of all container 'memoryReservation' values cannot be greater than the "
                  "value of the task 'memory'. (the containers reserve 600 MiB, counting memory "
                  "where memoryReservation is not set; the task has 512 MiB)"}});

  input.container_definitions[1].memory = 212;  // 300 + 212 = 512: fits exactly
  CHECK(check(input).empty());
}

TEST_CASE("hard memory limits may add up to more than the task memory", "[ecs]") {
  // Each container may burst to 400 MiB but reserves 100 MiB: 2 x 100 = 200 <= 512, and each
  // hard limit 400 <= 512, so AWS accepts it although 2 x 400 = 800 > 512.
  TaskDefinitionInput input = ec2_input();
  input.memory = TaskSizeInput::string("512");
  input.container_definitions[0].memory = 400;
  input.container_definitions[0].memory_reservation = 100;
  input.container_definitions.push_back(container("sidecar", 400));
  input.container_definitions[1].memory_reservation = 100;
  CHECK(check(input).empty());
}

TEST_CASE("the containers' cpu must fit in the task cpu", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.cpu = TaskSizeInput::string("1 vCPU");
  input.container_definitions[0].cpu = 512;
  input.container_definitions.push_back(container("sidecar"));
  input.container_definitions[1].cpu = 768;
  // 512 + 768 = 1280 > 1024.
  CHECK(check(input) ==
        Problems{{"cpu",
                  "The sum of all container 'cpu' values cannot be greater than the value of the "
                  "task 'cpu'. (the containers' cpu adds up to 1280 units; the task has 1024)"}});

  input.container_definitions[1].cpu = 512;  // 512 + 512 = 1024: fits exactly
  CHECK(check(input).empty());
}

TEST_CASE("task cpu and memory must parse into units and MiB", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.cpu = TaskSizeInput::string("2 cores");
  input.memory = TaskSizeInput::string("1 TB");
  CHECK(check(input) ==
        Problems{{"cpu",
                  "Invalid 'cpu' setting for task. (\"2 cores\" is not CPU units such as \"1024\" "
                  "or vCPUs such as \"1 vCPU\")"},
                 {"memory",
                  "Invalid 'memory' setting for task. (\"1 TB\" is not MiB such as \"1024\" or GB "
                  "such as \"1 GB\" or \"1GB\")"}});
}

TEST_CASE("a task memory that does not parse still counts as set for the container rule", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.memory = TaskSizeInput::number("-512");
  input.container_definitions[0].memory.reset();
  CHECK(check(input) ==
        Problems{{"memory", "Invalid 'memory' setting for task. (-512 is negative)"}});
}

TEST_CASE("networkMode is bridge, host, awsvpc or none", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  for (const char* mode : {"bridge", "host", "awsvpc", "none"}) {
    input.network_mode = mode;
    CHECK(check(input).empty());
  }
  input.network_mode = "nat";
  CHECK(check(input) == Problems{{"networkMode",
                                  "networkMode must be one of bridge, host, awsvpc, none (got "
                                  "\"nat\")"}});
  input.network_mode = "Bridge";
  CHECK(check(input) == Problems{{"networkMode",
                                  "networkMode must be one of bridge, host, awsvpc, none (got "
                                  "\"Bridge\")"}});
}

TEST_CASE("requiresCompatibilities lists launch types by AWS's names", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.requires_compatibilities = {"EC2", "EXTERNAL", "MANAGED_INSTANCES"};
  CHECK(check(input).empty());
  input.requires_compatibilities = {"EC2", "LAMBDA"};
  CHECK(check(input) ==
        Problems{{"requiresCompatibilities[1]",
                  "requiresCompatibilities must list EC2, FARGATE, EXTERNAL or MANAGED_INSTANCES "
                  "(got \"LAMBDA\")"}});
}

TEST_CASE("Fargate requires the awsvpc network mode", "[ecs]") {
  TaskDefinitionInput input = fargate_input();
  input.network_mode = "bridge";
  CHECK(check(input) == Problems{{"networkMode",
                                  "Fargate only supports network mode ‘awsvpc’. (networkMode is "
                                  "bridge)"}});
  input.network_mode.reset();
  CHECK(check(input) == Problems{{"networkMode",
                                  "Fargate only supports network mode ‘awsvpc’. (networkMode is "
                                  "not set, which means bridge)"}});
}

TEST_CASE("Fargate requires task-level cpu and memory", "[ecs]") {
  TaskDefinitionInput input = fargate_input();
  input.cpu.reset();
  input.memory.reset();
  CHECK(check(input) ==
        Problems{{"cpu", "Fargate requires that 'cpu' be defined at the task level."},
                 {"memory", "Fargate requires that 'memory' be defined at the task level."}});
}

TEST_CASE("Fargate rules apply when FARGATE is listed next to EC2", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.requires_compatibilities = {"EC2", "FARGATE"};
  CHECK(check(input) ==
        Problems{{"networkMode",
                  "Fargate only supports network mode ‘awsvpc’. (networkMode is not set, which "
                  "means bridge)"},
                 {"cpu", "Fargate requires that 'cpu' be defined at the task level."},
                 {"memory", "Fargate requires that 'memory' be defined at the task level."}});
}

TEST_CASE("negative and oversized container numbers are rejected", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  ContainerDefinitionInput& app = input.container_definitions[0];
  app.cpu = -1;
  app.memory = 0;
  app.memory_reservation = 3'000'000'000;
  CHECK(check(input) ==
        Problems{{"containerDefinitions[0].cpu", "cpu must not be negative (got -1)"},
                 {"containerDefinitions[0].memory", "memory must be at least 1 MiB (got 0)"},
                 {"containerDefinitions[0].memoryReservation",
                  "memoryReservation must be at most 2147483647 MiB (got 3000000000)"}});

  app.cpu = 2'147'483'648;
  app.memory = -256;
  app.memory_reservation.reset();
  CHECK(check(input) ==
        Problems{{"containerDefinitions[0].cpu",
                  "cpu must be at most 2147483647 CPU units (got 2147483648)"},
                 {"containerDefinitions[0].memory", "memory must be at least 1 MiB (got -256)"}});
}

TEST_CASE("a container cpu of 0 is allowed", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.container_definitions[0].cpu = 0;
  CHECK(check(input).empty());
}

TEST_CASE("port mappings need a container port and valid port numbers", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  auto& mappings = input.container_definitions[0].port_mappings;
  mappings = {port(80), port(std::nullopt), port(70'000, -1), port(8080, 8080)};
  mappings[3].protocol = "sctp";
  CHECK(check(input) == Problems{{"containerDefinitions[0].portMappings[1].containerPort",
                                  "containerPort is required in a port mapping"},
                                 {"containerDefinitions[0].portMappings[2].containerPort",
                                  "containerPort must be at most 65535 (got 70000)"},
                                 {"containerDefinitions[0].portMappings[2].hostPort",
                                  "hostPort must not be negative (got -1)"},
                                 {"containerDefinitions[0].portMappings[3].protocol",
                                  "protocol must be tcp or udp (got \"sctp\")"}});
}

TEST_CASE("bridge mode allows any host port, dynamic or static", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.container_definitions[0].port_mappings = {port(80), port(81, 0), port(82, 8082)};
  CHECK(check(input).empty());
}

TEST_CASE("awsvpc and host modes need host ports equal to container ports", "[ecs]") {
  for (const std::string mode : {"awsvpc", "host"}) {
    TaskDefinitionInput input = ec2_input();
    input.network_mode = mode;
    input.container_definitions[0].port_mappings = {port(80), port(81, 0), port(82, 82),
                                                    port(83, 8083)};
    CHECK(check(input) ==
          Problems{{"containerDefinitions[0].portMappings[3].hostPort",
                    "When networkMode=" + mode +
                        ", the host ports and container ports in port mappings must match. "
                        "(hostPort 8083 against containerPort 83)"}});
  }
}

TEST_CASE("network mode none allows no port mappings", "[ecs]") {
  TaskDefinitionInput input = ec2_input();
  input.network_mode = "none";
  input.container_definitions[0].port_mappings = {port(80)};
  CHECK(check(input) == Problems{{"containerDefinitions[0].portMappings",
                                  "portMappings must be empty when networkMode is none"}});
}

TEST_CASE("every problem is reported, not only the first", "[ecs]") {
  TaskDefinitionInput input;
  input.requires_compatibilities = {"FARGATE"};
  input.container_definitions.push_back(container("app", std::nullopt));
  input.container_definitions[0].essential = false;
  CHECK(
      check(input) ==
      Problems{{"family", "Family can not be blank."},
               {"networkMode",
                "Fargate only supports network mode ‘awsvpc’. (networkMode is not set, which "
                "means bridge)"},
               {"cpu", "Fargate requires that 'cpu' be defined at the task level."},
               {"memory", "Fargate requires that 'memory' be defined at the task level."},
               {"containerDefinitions[0]",
                "Invalid setting for container 'app'. At least one of 'memory' or "
                "'memoryReservation' must be specified. (or set memory at the task level)"},
               {"containerDefinitions", "Task definition doesn't have any essential container."}});
}

TEST_CASE("runtimePlatform: X86_64 or ARM64 on Linux", "[ecs]") {
  TaskDefinitionInput arm = fargate_input();
  arm.cpu_architecture = "ARM64";
  arm.operating_system_family = "LINUX";
  CHECK(check(arm).empty());
  CHECK(from_input(arm).cpu_architecture() == CpuArchitecture::kArm64);
  CHECK_FALSE(from_input(fargate_input()).cpu_architecture());

  TaskDefinitionInput odd = ec2_input();
  odd.cpu_architecture = "arm64";  // the API's enum is case-sensitive
  CHECK(check(odd) == std::vector<Problem>{{"runtimePlatform.cpuArchitecture",
                                            "cpuArchitecture must be X86_64 or ARM64 (got "
                                            "\"arm64\")"}});
  TaskDefinitionInput windows = ec2_input();
  windows.operating_system_family = "WINDOWS_SERVER_2022_CORE";
  const std::vector<Problem> problems = check(windows);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].field == "runtimePlatform.operatingSystemFamily");
  CHECK(problems[0].message.find("a Windows task, which ecsim does not simulate") !=
        std::string::npos);
  TaskDefinitionInput unknown = ec2_input();
  unknown.operating_system_family = "MACOS";
  REQUIRE(check(unknown).size() == 1);
  CHECK(check(unknown)[0].message.find("must be LINUX or a WINDOWS_SERVER_") != std::string::npos);
}

// A container needs an image, AWS's own rule; ecsim pulls nothing.
TEST_CASE("every container needs an image", "[ecs]") {
  TaskDefinitionInput input;
  input.family = "web";
  input.container_definitions.push_back(container("app"));
  input.container_definitions.push_back(container("sidecar"));
  input.container_definitions[0].image.reset();
  input.container_definitions[1].image = "";
  const std::vector<Problem> problems = check(input);
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].field == "containerDefinitions[0].image");
  CHECK(problems[0].message == "Container.image should not be null or empty.");
  CHECK(problems[1].field == "containerDefinitions[1].image");
}

TEST_CASE("a health check needs a command and settings within AWS's ranges", "[ecs]") {
  TaskDefinitionInput input;
  input.family = "web";
  input.container_definitions.push_back(container("app"));
  HealthCheckInput hc;
  hc.interval = 4;
  hc.timeout = 121;
  hc.retries = 3;
  hc.start_period = 300;
  input.container_definitions[0].health_check = hc;
  const std::vector<Problem> problems = check(input);
  REQUIRE(problems.size() == 3);
  CHECK(problems[0].field == "containerDefinitions[0].healthCheck.command");
  CHECK(problems[1].field == "containerDefinitions[0].healthCheck.interval");
  CHECK(problems[1].message == "interval must be between 5 and 300 (got 4)");
  CHECK(problems[2].field == "containerDefinitions[0].healthCheck.timeout");
  // Without a check a task counts 40 s after RUNNING; with one, after its interval (30 s).
  input.container_definitions[0].health_check.reset();
  CHECK(from_input(input).seconds_to_healthy() == 40);
  input.container_definitions[0].health_check = HealthCheckInput{true, {}, {}, {}, {}};
  CHECK(from_input(input).seconds_to_healthy() == 30);
}
