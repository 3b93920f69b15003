#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ecsim/sim/problem.hpp"

/// ECS task definitions as `aws ecs register-task-definition --cli-input-json` takes them: first
/// the raw fields as they were written (`TaskDefinitionInput`, filled by the scenario loader),
/// then `check`, which finds every problem with AWS's rules and wording, then `from_input`, which
/// turns an input without problems into a validated `TaskDefinition`.
///
/// Fields the simulator does not use (image, environment, logConfiguration, volumes, ...) have
/// no place here: the loader skips them, it never rejects them.

namespace ecsim::ecs {

// ---------------------------------------------------------------------------------------------
// Raw input, one field per JSON key the simulator reads, each as it appeared.
// ---------------------------------------------------------------------------------------------

/// A task-level `cpu` or `memory` as written: AWS's API types both as strings ("512", "1 vCPU",
/// "2 GB"), and CLI JSON input also carries them as plain numbers (512).
struct TaskSizeInput {
  /// The JSON type the value was written with.
  enum class Type { kString, kNumber };

  Type type = Type::kString;  ///< Whether it was a JSON string or a JSON number.
  std::string text;  ///< The value's text: without quotes for a string, as written for a number.

  /// A value written as the JSON string `text` (given without its quotes).
  static TaskSizeInput string(std::string text) { return {Type::kString, std::move(text)}; }
  /// A value written as the JSON number whose source text is `text`.
  static TaskSizeInput number(std::string text) { return {Type::kNumber, std::move(text)}; }

  friend bool operator==(const TaskSizeInput&, const TaskSizeInput&) = default;
};

/// One entry of a container's `portMappings`, its JSON integers as int64 (a value that is not a
/// JSON integer is the loader's type error).
struct PortMappingInput {
  std::optional<std::int64_t> container_port;  ///< `containerPort`, a port number.
  std::optional<std::int64_t> host_port;       ///< `hostPort`, a port number; 0 means unset.
  std::optional<std::string> protocol;         ///< `protocol`: `tcp` (the default) or `udp`.
};

/// One entry of `containerDefinitions`: the fields that size and place a container.
/// A container's `healthCheck` as written (every field optional, so `check` can tell "missing").
struct HealthCheckInput {
  bool has_command = false;                   ///< `command` was given (a non-empty list)
  std::optional<std::int64_t> interval;       ///< `interval`, seconds between checks
  std::optional<std::int64_t> timeout;        ///< `timeout`, seconds a check may take
  std::optional<std::int64_t> retries;        ///< `retries` before the container is unhealthy
  std::optional<std::int64_t> start_period;   ///< `startPeriod`, seconds failures do not count
};

struct ContainerDefinitionInput {
  std::optional<std::string> name;                 ///< `name`.
  std::optional<std::string> image;                ///< `image`: required, not simulated.
  std::optional<std::int64_t> cpu;                 ///< `cpu`, in CPU units (1024 per vCPU).
  std::optional<std::int64_t> memory;              ///< `memory`, the hard limit in MiB.
  std::optional<std::int64_t> memory_reservation;  ///< `memoryReservation`, the soft limit in MiB.
  std::optional<bool> essential;                   ///< `essential`; absent means true.
  std::vector<PortMappingInput> port_mappings;     ///< `portMappings`, in file order.
  std::optional<HealthCheckInput> health_check;    ///< `healthCheck`, if given.
};

/// A task definition as written in a `register-task-definition` JSON file, absent fields left
/// empty so that `check` can tell "missing" from "wrong".
struct TaskDefinitionInput {
  std::optional<std::string> family;                  ///< `family`.
  std::optional<TaskSizeInput> cpu;                   ///< Task-level `cpu`.
  std::optional<TaskSizeInput> memory;                ///< Task-level `memory`.
  std::optional<std::string> network_mode;            ///< `networkMode`.
  std::vector<std::string> requires_compatibilities;  ///< `requiresCompatibilities`; absent: empty.
  std::vector<ContainerDefinitionInput> container_definitions;  ///< `containerDefinitions`.
  std::optional<std::string> cpu_architecture;         ///< `runtimePlatform.cpuArchitecture`.
  std::optional<std::string> operating_system_family;  ///< `runtimePlatform.operatingSystemFamily`.
};

// ---------------------------------------------------------------------------------------------
// Task size strings.
// ---------------------------------------------------------------------------------------------

/// The fewest CPU units a task-level `cpu` may have (0.125 vCPU), from AWS's RegisterTaskDefinition
/// reference for EC2 and external instances.
inline constexpr std::int64_t kMinTaskCpuUnits = 128;
/// The most CPU units a task-level `cpu` may have (192 vCPUs), from the same reference.
inline constexpr std::int64_t kMaxTaskCpuUnits = 196'608;
/// The largest value of AWS's `Integer` type, the bound on every integer field of the API.
inline constexpr std::int64_t kMaxApiInteger = 2'147'483'647;

/// Parses a task-level `cpu` into CPU units, whole and in [kMinTaskCpuUnits, kMaxTaskCpuUnits],
/// from units ("1024" or 1024) or vCPUs as AWS documents them ("1 vCPU", "1 vcpu", also
/// "0.5 vCPU"; 1024 units each); on failure returns nothing and, when `error` is given, stores
/// why (e.g. "\"2 cores\" is not CPU units such as \"1024\" or vCPUs such as \"1 vCPU\"").
std::optional<std::int64_t> parse_task_cpu_units(const TaskSizeInput& cpu,
                                                 std::string* error = nullptr);

/// Parses a task-level `memory` into MiB, whole and in [1, kMaxApiInteger], from MiB ("1024" or
/// 1024) or GB as AWS documents them ("1GB", "1 GB", also "0.5 GB"; 1024 MiB each); on failure
/// returns nothing and, when `error` is given, stores why.
std::optional<std::int64_t> parse_task_memory_mib(const TaskSizeInput& memory,
                                                  std::string* error = nullptr);

// ---------------------------------------------------------------------------------------------
// Validation.
// ---------------------------------------------------------------------------------------------

/// The most containers one task definition may hold (an ECS service quota that cannot be raised).
inline constexpr std::size_t kMaxContainersPerTaskDefinition = 10;
/// The longest family or container name AWS accepts, in characters.
inline constexpr std::size_t kMaxNameLength = 255;

/// Every problem RegisterTaskDefinition would reject `input` for among the rules the simulator
/// depends on (task-level fields first, then each container, then rules across containers), empty
/// when `from_input` may be called; Fargate's CPU/memory pair rule is the platform model's, which
/// the scenario loader applies to `TaskDefinition::fargate_size()`.
std::vector<Problem> check(const TaskDefinitionInput& input);

// ---------------------------------------------------------------------------------------------
// The validated task definition.
// ---------------------------------------------------------------------------------------------

/// The Docker networking mode of a task's containers.
enum class NetworkMode {
  kBridge,  ///< `bridge`: Docker's virtual network, host ports static or dynamic (the default).
  kHost,    ///< `host`: the instance's network stack; host port = container port.
  kAwsvpc,  ///< `awsvpc`: an elastic network interface per task; host port = container port.
  kNone,    ///< `none`: no external connectivity and no port mappings.
};

/// A launch type a task definition asks to be validated against (`requiresCompatibilities`).
/// `runtimePlatform.cpuArchitecture`: the CPU architecture the task's images are built for.
enum class CpuArchitecture {
  kX86_64,  ///< `X86_64`
  kArm64,   ///< `ARM64`
};

enum class Compatibility {
  kEc2,               ///< `EC2`: container instances the cluster's Auto Scaling groups run.
  kFargate,           ///< `FARGATE`: AWS Fargate.
  kExternal,          ///< `EXTERNAL`: ECS Anywhere instances (accepted, not simulated yet).
  kManagedInstances,  ///< `MANAGED_INSTANCES`: ECS Managed Instances (accepted, not simulated yet).
};

/// The transport protocol of a port mapping (one byte, so that a `HostPort` is four).
enum class Protocol : std::uint8_t { kTcp, kUdp };

/// The name AWS uses for `mode` (`bridge`, `host`, `awsvpc`, `none`).
std::string_view to_string(NetworkMode mode);
/// The name AWS uses for `compatibility` (`EC2`, `FARGATE`, `EXTERNAL`, `MANAGED_INSTANCES`).
std::string_view to_string(Compatibility compatibility);
/// The name AWS uses for `protocol` (`tcp`, `udp`).
std::string_view to_string(Protocol protocol);

/// A container port published on the host (or on the task's network interface for awsvpc).
struct PortMapping {
  std::uint16_t container_port = 0;  ///< The port inside the container, 1..65535.
  /// The port reserved on the host: for host and awsvpc always the container port; for bridge 0
  /// means a dynamic port from the ephemeral range, chosen at placement.
  std::uint16_t host_port = 0;
  Protocol protocol = Protocol::kTcp;  ///< tcp or udp.

  friend bool operator==(const PortMapping&, const PortMapping&) = default;
};

/// A port a task holds on its container instance while it is PENDING or RUNNING: no other task
/// may map the same number with the same protocol there (tcp 80 and udp 80 do not clash).
/// Ordered by number, then protocol (tcp first).
struct HostPort {
  std::uint16_t port = 0;              ///< The host port number, 1..65535.
  Protocol protocol = Protocol::kTcp;  ///< tcp or udp.

  friend auto operator<=>(const HostPort&, const HostPort&) = default;
};

/// One validated container.
struct ContainerDefinition {
  std::string name;  ///< Unique within its task definition.
  /// CPU units reserved for the container (1024 per vCPU), 0 when `cpu` was absent or 0, which
  /// ECS places as reserving no CPU (models/ecs/README.md says what it gets at run time).
  std::int64_t cpu_units = 0;
  std::optional<std::int64_t> memory_mib;              ///< The hard limit, MiB; killed above it.
  std::optional<std::int64_t> memory_reservation_mib;  ///< The soft limit, MiB.
  bool essential = true;                   ///< Whether the task stops when this container stops.
  std::vector<PortMapping> port_mappings;  ///< In file order.
  /// Seconds between health checks (`healthCheck.interval`, 30 by default); none: no check.
  std::optional<std::int64_t> health_check_interval_s;

  /// MiB this container reserves on its instance: the soft limit when set, else the hard limit,
  /// else 0 (possible only when the task sets memory).
  [[nodiscard]] std::int64_t reserved_memory_mib() const noexcept {
    return memory_reservation_mib.value_or(memory_mib.value_or(0));
  }

  friend bool operator==(const ContainerDefinition&, const ContainerDefinition&) = default;
};

/// A task-level size pair, the unit Fargate sells.
struct TaskSize {
  std::int64_t cpu_units = 0;   ///< CPU units (1024 per vCPU).
  std::int64_t memory_mib = 0;  ///< MiB.

  friend bool operator==(const TaskSize&, const TaskSize&) = default;
};

/// A task definition that passed `check`: a plain value, copied freely, holding its containers.
class TaskDefinition {
 public:
  /// The family name (letters, numbers, hyphens, underscores).
  [[nodiscard]] const std::string& family() const noexcept { return family_; }
  /// The task-level `cpu` in CPU units, if the definition sets one.
  [[nodiscard]] std::optional<std::int64_t> cpu_units() const noexcept { return cpu_units_; }
  /// The task-level `memory` in MiB, if the definition sets one.
  [[nodiscard]] std::optional<std::int64_t> memory_mib() const noexcept { return memory_mib_; }
  /// The network mode, `bridge` when the definition does not say.
  [[nodiscard]] NetworkMode network_mode() const noexcept { return network_mode_; }
  /// The launch types asked for in `requiresCompatibilities`, in file order without repeats;
  /// empty when the definition asks for none.
  [[nodiscard]] const std::vector<Compatibility>& requires_compatibilities() const noexcept {
    return requires_compatibilities_;
  }
  /// True when `requiresCompatibilities` lists `compatibility`.
  [[nodiscard]] bool requires_compatibility(Compatibility compatibility) const noexcept;
  /// `runtimePlatform.cpuArchitecture`, if the definition sets one: on EC2 its tasks go only to
  /// instances of that architecture (AWS adds the `ecs.cpu-architecture` attribute to the
  /// definition's required attributes); on Fargate ARM64 is billed at Fargate's ARM price.
  /// Seconds from RUNNING until a service counts the task towards minimumHealthyPercent: 40
  /// when no essential container has a health check (the DeploymentConfiguration reference),
  /// else the longest check interval of those containers, their first check being taken to
  /// pass (the application's own start-up time is not modelled).
  [[nodiscard]] std::int64_t seconds_to_healthy() const noexcept;
  [[nodiscard]] std::optional<CpuArchitecture> cpu_architecture() const noexcept {
    return cpu_architecture_;
  }
  /// The containers, 1 to 10, in file order.
  [[nodiscard]] const std::vector<ContainerDefinition>& containers() const noexcept {
    return containers_;
  }

  /// CPU units one task reserves on an EC2 container instance: the task-level cpu when set, else
  /// the sum of the containers' cpu (0 when none sets one, so that CPU never blocks placing it).
  [[nodiscard]] std::int64_t reserved_cpu_units() const noexcept;
  /// MiB one task reserves on an EC2 container instance: the task-level memory when set, else
  /// the sum over containers of `ContainerDefinition::reserved_memory_mib` (always > 0 then).
  [[nodiscard]] std::int64_t reserved_memory_mib() const noexcept;
  /// The task-level (cpu, memory) pair when both are set, which Fargate bills and must accept.
  [[nodiscard]] std::optional<TaskSize> fargate_size() const noexcept;
  /// What one task holds and is counted with where it runs: on Fargate the task size Fargate
  /// bills (which a Fargate task definition must set), on EC2 what it reserves on its container
  /// instance (`reserved_cpu_units`, `reserved_memory_mib`).
  [[nodiscard]] TaskSize held_size(bool on_fargate) const;
  /// The static host ports one task reserves on its EC2 container instance, sorted and without
  /// repeats: in bridge mode each mapping with a non-zero hostPort, in host mode every mapping
  /// (host port = container port); none for awsvpc (the task's own network interface), none,
  /// or bridge mappings without a hostPort (dynamic ports from the ephemeral range).
  [[nodiscard]] const std::vector<HostPort>& host_ports() const noexcept { return host_ports_; }

  friend bool operator==(const TaskDefinition&, const TaskDefinition&) = default;

 private:
  friend TaskDefinition from_input(const TaskDefinitionInput& input);

  std::string family_;
  std::optional<std::int64_t> cpu_units_;
  std::optional<std::int64_t> memory_mib_;
  NetworkMode network_mode_ = NetworkMode::kBridge;
  std::vector<Compatibility> requires_compatibilities_;
  std::optional<CpuArchitecture> cpu_architecture_;
  std::vector<ContainerDefinition> containers_;
  std::vector<HostPort> host_ports_;  // derived from containers_ once, in from_input
};

/// The validated form of `input`, which `check` must have accepted (asserted: calling it on an
/// input with problems is a bug in the caller).
TaskDefinition from_input(const TaskDefinitionInput& input);

}  // namespace ecsim::ecs
