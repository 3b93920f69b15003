#include "ecsim/ecs/task_definition.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace ecsim;
using namespace ecsim::ecs;

namespace {

ContainerDefinitionInput container(std::string name) {
  ContainerDefinitionInput c;
  c.name = std::move(name);
  c.image = "busybox";
  return c;
}

PortMappingInput port(std::int64_t container_port, std::optional<std::int64_t> host_port,
                      std::string protocol) {
  PortMappingInput mapping;
  mapping.container_port = container_port;
  mapping.host_port = host_port;
  mapping.protocol = std::move(protocol);
  return mapping;
}

// from_input after asserting, with a readable failure, that check() finds nothing.
TaskDefinition validated(const TaskDefinitionInput& input) {
  for (const Problem& problem : check(input)) INFO(problem.field << ": " << problem.message);
  REQUIRE(check(input).empty());
  return from_input(input);
}

// The fields of realworld/ecs/ConsulServer.json (aws-samples/aws-containers-task-definitions)
// that the simulator reads, as the loader will fill them.
TaskDefinitionInput consul_server() {
  TaskDefinitionInput input;
  input.family = "consulServer";
  input.network_mode = "host";
  ContainerDefinitionInput consul = container("consulServer");
  consul.cpu = 128;
  consul.memory = 256;
  consul.memory_reservation = 64;
  input.container_definitions.push_back(consul);
  return input;
}

// realworld/ecs/nginx_ec2.json.
TaskDefinitionInput nginx_ec2() {
  TaskDefinitionInput input;
  input.family = "nginx";
  input.requires_compatibilities = {"EC2"};
  input.network_mode = "bridge";
  ContainerDefinitionInput nginx = container("nginx");
  nginx.memory = 256;
  nginx.cpu = 256;
  nginx.essential = true;
  PortMappingInput http;
  http.container_port = 80;
  http.protocol = "tcp";
  nginx.port_mappings.push_back(http);
  input.container_definitions.push_back(nginx);
  return input;
}

// realworld/ecs/nginx_fargate.json: the same container, with a task size as strings.
TaskDefinitionInput nginx_fargate() {
  TaskDefinitionInput input = nginx_ec2();
  input.requires_compatibilities = {"FARGATE"};
  input.network_mode = "awsvpc";
  input.memory = TaskSizeInput::string("512");
  input.cpu = TaskSizeInput::string("256");
  return input;
}

// realworld/ecs/gunicorn_fargate.json.
TaskDefinitionInput gunicorn_fargate() {
  TaskDefinitionInput input;
  input.memory = TaskSizeInput::string("1024");
  input.network_mode = "awsvpc";
  input.cpu = TaskSizeInput::string("512");
  input.family = "gunicorn";
  input.requires_compatibilities = {"FARGATE"};
  ContainerDefinitionInput gunicorn = container("gunicorn");
  gunicorn.port_mappings.push_back(port(5000, 5000, "tcp"));
  gunicorn.essential = true;
  gunicorn.memory_reservation = 1024;
  input.container_definitions.push_back(gunicorn);
  return input;
}

}  // namespace

TEST_CASE("ConsulServer.json reserves its soft memory limit and its container cpu", "[ecs]") {
  const TaskDefinition td = validated(consul_server());
  CHECK(td.family() == "consulServer");
  CHECK(td.network_mode() == NetworkMode::kHost);
  CHECK(td.requires_compatibilities().empty());
  CHECK_FALSE(td.cpu_units().has_value());
  CHECK_FALSE(td.memory_mib().has_value());
  CHECK_FALSE(td.fargate_size().has_value());
  REQUIRE(td.containers().size() == 1);
  const ContainerDefinition& consul = td.containers()[0];
  CHECK(consul.name == "consulServer");
  CHECK(consul.essential);  // not written: essential by default
  CHECK(consul.memory_mib == 256);
  CHECK(consul.memory_reservation_mib == 64);
  CHECK(consul.port_mappings.empty());
  // No task size: memory = memoryReservation 64 (not the hard limit 256); cpu = 128.
  CHECK(td.reserved_memory_mib() == 64);
  CHECK(td.reserved_cpu_units() == 128);
}

TEST_CASE("nginx_ec2.json reserves its container's memory and cpu and maps port 80 dynamically",
          "[ecs]") {
  const TaskDefinition td = validated(nginx_ec2());
  CHECK(td.family() == "nginx");
  CHECK(td.network_mode() == NetworkMode::kBridge);
  CHECK(td.requires_compatibilities() == std::vector<Compatibility>{Compatibility::kEc2});
  CHECK(td.requires_compatibility(Compatibility::kEc2));
  CHECK_FALSE(td.requires_compatibility(Compatibility::kFargate));
  CHECK_FALSE(td.fargate_size().has_value());
  // No task size and no memoryReservation: memory = the hard limit 256; cpu = 256.
  CHECK(td.reserved_memory_mib() == 256);
  CHECK(td.reserved_cpu_units() == 256);
  REQUIRE(td.containers().size() == 1);
  // Bridge mode without hostPort: host port 0, a dynamic port chosen at placement.
  CHECK(
      td.containers()[0].port_mappings ==
      std::vector<PortMapping>{{.container_port = 80, .host_port = 0, .protocol = Protocol::kTcp}});
}

TEST_CASE("nginx_fargate.json reserves its task size, not its container's", "[ecs]") {
  const TaskDefinition td = validated(nginx_fargate());
  CHECK(td.network_mode() == NetworkMode::kAwsvpc);
  CHECK(td.requires_compatibilities() == std::vector<Compatibility>{Compatibility::kFargate});
  CHECK(td.cpu_units() == 256);
  CHECK(td.memory_mib() == 512);
  // Task-level values win: 256 units and 512 MiB, although the container asks for 256 MiB.
  CHECK(td.reserved_cpu_units() == 256);
  CHECK(td.reserved_memory_mib() == 512);
  CHECK(td.fargate_size() == TaskSize{.cpu_units = 256, .memory_mib = 512});
  REQUIRE(td.containers().size() == 1);
  CHECK(td.containers()[0].memory_mib == 256);
  // awsvpc without hostPort: the container port is the host port.
  CHECK(td.containers()[0].port_mappings ==
        std::vector<PortMapping>{
            {.container_port = 80, .host_port = 80, .protocol = Protocol::kTcp}});
}

TEST_CASE("gunicorn_fargate.json fits its 1024 MiB reservation exactly in its task memory",
          "[ecs]") {
  const TaskDefinition td = validated(gunicorn_fargate());
  CHECK(td.family() == "gunicorn");
  CHECK(td.fargate_size() == TaskSize{.cpu_units = 512, .memory_mib = 1024});
  CHECK(td.reserved_cpu_units() == 512);
  CHECK(td.reserved_memory_mib() == 1024);
  REQUIRE(td.containers().size() == 1);
  const ContainerDefinition& gunicorn = td.containers()[0];
  CHECK(gunicorn.cpu_units == 0);  // no container cpu: the task's 512 units are all shared
  CHECK_FALSE(gunicorn.memory_mib.has_value());
  CHECK(gunicorn.memory_reservation_mib == 1024);
  CHECK(gunicorn.reserved_memory_mib() == 1024);
  CHECK(gunicorn.port_mappings ==
        std::vector<PortMapping>{
            {.container_port = 5000, .host_port = 5000, .protocol = Protocol::kTcp}});
}

TEST_CASE("without a task size, a task reserves what its containers reserve", "[ecs]") {
  TaskDefinitionInput input;
  input.family = "mixed";
  ContainerDefinitionInput a = container("a");
  a.cpu = 256;
  a.memory = 512;
  a.memory_reservation = 128;
  ContainerDefinitionInput b = container("b");
  b.memory = 300;
  ContainerDefinitionInput c = container("c");
  c.cpu = 100;
  c.memory_reservation = 200;
  input.container_definitions = {a, b, c};
  const TaskDefinition td = validated(input);
  // cpu: 256 + 0 (b sets none) + 100 = 356 units.
  CHECK(td.reserved_cpu_units() == 356);
  // memory: 128 (a's reservation, not its 512 limit) + 300 (b's limit) + 200 (c's reservation).
  CHECK(td.reserved_memory_mib() == 628);
  CHECK(td.containers()[1].cpu_units == 0);
}

TEST_CASE("a task-level cpu or memory on EC2 replaces the containers' sums", "[ecs]") {
  TaskDefinitionInput input = consul_server();
  input.cpu = TaskSizeInput::string("0.5 vCPU");
  CHECK(validated(input).reserved_cpu_units() == 512);  // 0.5 x 1024, not the container's 128
  CHECK(validated(input).reserved_memory_mib() == 64);  // memory still from the container
  input.memory = TaskSizeInput::string("1 GB");
  CHECK(validated(input).reserved_memory_mib() == 1024);  // 1 x 1024, not the container's 64
  CHECK(validated(input).fargate_size() == TaskSize{.cpu_units = 512, .memory_mib = 1024});
}

TEST_CASE("a task whose containers set no cpu reserves no cpu", "[ecs]") {
  TaskDefinitionInput input;
  input.family = "idle";
  ContainerDefinitionInput c = container("c");
  c.memory = 64;
  input.container_definitions = {c, container("d")};
  input.container_definitions[1].memory_reservation = 32;
  const TaskDefinition td = validated(input);
  CHECK(td.reserved_cpu_units() == 0);
  CHECK(td.reserved_memory_mib() == 96);  // 64 + 32
}

TEST_CASE("task sizes written as numbers or as strings give the same definition", "[ecs]") {
  TaskDefinitionInput as_strings = nginx_fargate();
  TaskDefinitionInput as_numbers = nginx_fargate();
  as_numbers.cpu = TaskSizeInput::number("256");
  as_numbers.memory = TaskSizeInput::number("512");
  TaskDefinitionInput in_units = nginx_fargate();
  in_units.cpu = TaskSizeInput::string("0.25 vCPU");
  in_units.memory = TaskSizeInput::string("0.5GB");
  CHECK(validated(as_numbers) == validated(as_strings));
  CHECK(validated(in_units) == validated(as_strings));
}

TEST_CASE("repeated compatibilities are kept once, in file order", "[ecs]") {
  TaskDefinitionInput input = nginx_fargate();
  input.requires_compatibilities = {"FARGATE", "EC2", "FARGATE"};
  CHECK(validated(input).requires_compatibilities() ==
        std::vector<Compatibility>{Compatibility::kFargate, Compatibility::kEc2});
}

TEST_CASE("host mode maps each container port to the same host port, udp included", "[ecs]") {
  TaskDefinitionInput input = consul_server();
  input.container_definitions[0].port_mappings = {port(8500, std::nullopt, "tcp"),
                                                  port(8600, 0, "udp"), port(8300, 8300, "tcp")};
  input.container_definitions[0].port_mappings[0].protocol.reset();  // tcp by default
  CHECK(validated(input).containers()[0].port_mappings ==
        std::vector<PortMapping>{
            {.container_port = 8500, .host_port = 8500, .protocol = Protocol::kTcp},
            {.container_port = 8600, .host_port = 8600, .protocol = Protocol::kUdp},
            {.container_port = 8300, .host_port = 8300, .protocol = Protocol::kTcp}});
}

TEST_CASE("network mode defaults to bridge and names print as AWS spells them", "[ecs]") {
  TaskDefinitionInput input = consul_server();
  input.network_mode.reset();
  CHECK(validated(input).network_mode() == NetworkMode::kBridge);
  CHECK(to_string(NetworkMode::kBridge) == "bridge");
  CHECK(to_string(NetworkMode::kHost) == "host");
  CHECK(to_string(NetworkMode::kAwsvpc) == "awsvpc");
  CHECK(to_string(NetworkMode::kNone) == "none");
  CHECK(to_string(Compatibility::kEc2) == "EC2");
  CHECK(to_string(Compatibility::kFargate) == "FARGATE");
  CHECK(to_string(Compatibility::kExternal) == "EXTERNAL");
  CHECK(to_string(Compatibility::kManagedInstances) == "MANAGED_INSTANCES");
  CHECK(to_string(Protocol::kTcp) == "tcp");
  CHECK(to_string(Protocol::kUdp) == "udp");
}

TEST_CASE("the real task definitions reserve no static host ports", "[ecs]") {
  // nginx_ec2.json: bridge, containerPort 80 without hostPort: a dynamic port.
  CHECK(validated(nginx_ec2()).host_ports().empty());
  // ConsulServer.json: host mode, but no portMappings: ECS reserves nothing it is not told of.
  CHECK(validated(consul_server()).host_ports().empty());
  // nginx_fargate.json and gunicorn_fargate.json (hostPort 5000): awsvpc ports are on the
  // task's own network interface, not on an instance.
  CHECK(validated(nginx_fargate()).host_ports().empty());
  CHECK(validated(gunicorn_fargate()).host_ports().empty());
}

TEST_CASE("bridge mode reserves each non-zero hostPort once, sorted by number then protocol",
          "[ecs]") {
  TaskDefinitionInput input = nginx_ec2();
  // nginx: 8080 -> 80 static, 443 dynamic (hostPort 0), 53 -> 53 over udp and tcp.
  input.container_definitions[0].port_mappings = {port(80, 8080, "tcp"), port(443, 0, "tcp"),
                                                  port(53, 53, "udp"), port(5353, 53, "tcp")};
  // A sidecar mapping the same host port 8080/tcp again and a dynamic one.
  ContainerDefinitionInput sidecar = container("sidecar");
  sidecar.memory = 64;
  sidecar.port_mappings = {port(9000, 8080, "tcp"), port(9001, std::nullopt, "tcp")};
  input.container_definitions.push_back(sidecar);
  CHECK(validated(input).host_ports() ==
        std::vector<HostPort>{{53, Protocol::kTcp}, {53, Protocol::kUdp}, {8080, Protocol::kTcp}});
}

TEST_CASE("host mode reserves every container port, awsvpc and none reserve nothing", "[ecs]") {
  TaskDefinitionInput host = consul_server();
  host.container_definitions[0].port_mappings = {port(8500, std::nullopt, "tcp"),
                                                 port(8600, 0, "udp"), port(8300, 8300, "tcp")};
  CHECK(validated(host).host_ports() == std::vector<HostPort>{{8300, Protocol::kTcp},
                                                              {8500, Protocol::kTcp},
                                                              {8600, Protocol::kUdp}});
  TaskDefinitionInput awsvpc = host;
  awsvpc.network_mode = "awsvpc";
  CHECK(validated(awsvpc).host_ports().empty());
  TaskDefinitionInput none = consul_server();
  none.network_mode = "none";
  CHECK(validated(none).host_ports().empty());
}

TEST_CASE("a task holds what it reserves on EC2 and its task size on Fargate", "[ecs]") {
  // Containers only: on EC2 the sum of the containers' cpu and memory (128 + 256, 300 + 200).
  TaskDefinitionInput containers_only;
  containers_only.family = "sidecars";
  ContainerDefinitionInput app = container("app");
  app.cpu = 128;
  app.memory = 300;
  ContainerDefinitionInput proxy = container("proxy");
  proxy.cpu = 256;
  proxy.memory = 200;
  containers_only.container_definitions = {app, proxy};
  CHECK(validated(containers_only).held_size(false) == TaskSize{384, 500});
  // A task size: what both launch types count, whatever the containers say.
  TaskDefinitionInput sized = containers_only;
  sized.cpu = TaskSizeInput::string("512");
  sized.memory = TaskSizeInput::string("1024");
  const TaskDefinition td = validated(sized);
  CHECK(td.held_size(false) == TaskSize{512, 1024});
  CHECK(td.held_size(true) == TaskSize{512, 1024});
}
