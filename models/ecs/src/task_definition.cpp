#include "ecsim/ecs/task_definition.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "ecsim/sim/assert.hpp"

// Where each rule comes from. AWS's own wording is used for a message wherever one of the sources
// below quotes it verbatim from a RegisterTaskDefinition ClientException; the rest is ours and
// says so in models/ecs/README.md.
//
// [API]  Amazon ECS API Reference, RegisterTaskDefinition and ContainerDefinition (the SDKs'
//        generated docs carry the same text): task `cpu` as units or "1 vCPU"/"1 vcpu", 128 to
//        196608 units on EC2; task `memory` as MiB or "1GB"/"1 GB"; container memory "non-zero";
//        memory >= memoryReservation; "the total amount of memory reserved for all containers
//        within a task must be lower than the task memory value"; the sum of container cpu must
//        stay within the task cpu; networkMode enum bridge | host | awsvpc | none;
//        requiresCompatibilities enum EC2 | FARGATE | EXTERNAL | MANAGED_INSTANCES.
// [DG]   Amazon ECS Developer Guide, task definition parameters: family and container names are
//        up to 255 letters, numbers, hyphens and underscores; essential defaults to true and every
//        task needs an essential container; Fargate requires awsvpc and task-level cpu and memory;
//        for awsvpc and host, hostPort is blank or equal to containerPort; networkMode none
//        allows no port mappings. Service quotas: at most 10 containers per task definition.
// [ERR]  Verbatim ClientException texts, as reported in public issue threads: "Family can not be
//        blank." (aws-actions/amazon-ecs-deploy-task-definition#630), "Family contains invalid
//        characters." (aws/amazon-ecs-cli#37), "Container.name should not be null or empty."
//        (awsdocs/aws-cloudformation-user-guide#612), "Container.name contains invalid
//        characters." (hashicorp/terraform-provider-aws#5950), "Container.image should not be null
//        or empty." (convox/praxis#121), "Container list cannot be empty."
//        (awsdocs/aws-cloudformation-user-guide#454), "Too many containers."
//        (aws/amazon-ecs-cli#184), "Container names must be unique within a Task Definition."
//        (Shippable/support#2946), "Task definition doesn't have any essential container"
//        (aws-cloudformation/cfn-lint#4536, checked against the service), "Invalid setting for
//        container '...'. At least one of 'memory' or 'memoryReservation' must be specified."
//        (sil-org/ecs-deploy#59, getmoto/moto#7280), "The 'memory' setting for container '...' is
//        greater than for the task." (pulumi/pulumi-awsx#188), "The sum of all container
//        'memoryReservation' values cannot be greater than the value of the task 'memory'."
//        (cloudnativedaysjp/dreamkast-infra#4766), "The sum of all container 'cpu' values cannot
//        be greater than the value of the task 'cpu'." (aws/aws-cdk#1553), "Fargate only supports
//        network mode ‘awsvpc’." (aws/amazon-ecs-cli#1145), "Fargate requires that 'cpu' be
//        defined at the task level." (mongodb/terraform-aws-ecs-task-definition#38), "When
//        networkMode=awsvpc, the host ports and container ports in port mappings must match."
//        (klothoplatform/klotho#892), "Invalid 'cpu' setting for task." (Developer Guide,
//        "Troubleshoot Amazon ECS task definition invalid CPU or memory errors").
// [HC]   API reference, HealthCheck: interval 5-300 seconds (default 30), timeout 2-120 (5),
//        retries 1-10 (3), startPeriod 0-300 (off); command required.
// [DC]   API reference, DeploymentConfiguration.minimumHealthyPercent: "If a task has no
//        essential containers with a health check defined, the service scheduler will wait for
//        40 seconds after a task reaches a RUNNING state before the task is counted towards the
//        minimum healthy percent total"; with one, it waits for the task to be healthy.

namespace ecsim::ecs {
namespace {

constexpr std::int64_t kMaxPort = 65'535;
// [HC] HealthCheck: interval 5..300 s (30 by default), timeout 2..120 s (5), retries 1..10 (3),
// startPeriod 0..300 s; [DC] a task without a health check counts 40 s after RUNNING.
constexpr std::int64_t kDefaultHealthCheckInterval = 30;
constexpr std::int64_t kSecondsToCountWithoutHealthCheck = 40;
// CPU units per vCPU, and MiB per GB in AWS's task size notation (which means GiB).
constexpr std::int64_t kKibi = 1024;

// Bounds that keep every intermediate product of `to_whole` far inside int64; any input beyond
// them is far beyond every limit that is checked afterwards.
constexpr std::int64_t kMaxWholePart = 1'000'000'000'000;
constexpr std::size_t kMaxFractionDigits = 10;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_name_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

bool is_valid_name(std::string_view name) {
  return std::all_of(name.begin(), name.end(), is_name_char);
}

// How converting a decimal text, times a unit, into a whole count went.
enum class Conversion { kOk, kNotNumber, kNegative, kNotWhole, kTooLarge };

// Reads `text` as digits with an optional fraction ("12", "0.25"; no sign, exponent or leading
// dot) and stores text x `scale` in `out` when that is a whole number.
Conversion to_whole(std::string_view text, std::int64_t scale, std::int64_t& out) {
  if (!text.empty() && text.front() == '-') {
    std::int64_t ignored = 0;
    return to_whole(text.substr(1), scale, ignored) == Conversion::kNotNumber
               ? Conversion::kNotNumber
               : Conversion::kNegative;
  }
  const std::size_t point = text.find('.');
  std::string_view whole = text.substr(0, point);
  std::string_view fraction =
      point == std::string_view::npos ? std::string_view{} : text.substr(point + 1);
  const auto all_digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), is_digit);
  };
  if (whole.empty() || !all_digits(whole)) return Conversion::kNotNumber;
  if (point != std::string_view::npos && (fraction.empty() || !all_digits(fraction))) {
    return Conversion::kNotNumber;
  }

  while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
  if (whole.size() > 13) return Conversion::kTooLarge;
  std::int64_t whole_value = 0;
  for (const char c : whole) whole_value = whole_value * 10 + (c - '0');
  if (whole_value > kMaxWholePart) return Conversion::kTooLarge;

  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  // With more than 10 significant decimals, text x 1024 cannot be whole: 10^k / gcd(10^k, 2^10)
  // would have to divide a fraction whose last digit is not 0.
  if (fraction.size() > kMaxFractionDigits) return Conversion::kNotWhole;
  std::int64_t fraction_value = 0;
  std::int64_t fraction_scale = 1;
  for (const char c : fraction) {
    fraction_value = fraction_value * 10 + (c - '0');
    fraction_scale *= 10;
  }
  if ((fraction_value * scale) % fraction_scale != 0) return Conversion::kNotWhole;
  out = whole_value * scale + fraction_value * scale / fraction_scale;
  return Conversion::kOk;
}

// `text` without `suffix` when it ends with it.
std::optional<std::string_view> strip_suffix(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size() || text.substr(text.size() - suffix.size()) != suffix) {
    return std::nullopt;
  }
  return text.substr(0, text.size() - suffix.size());
}

// How a task size appears in a message: a string in double quotes, a number as written.
std::string shown(const TaskSizeInput& value) {
  return value.type == TaskSizeInput::Type::kString ? fmt::format("\"{}\"", value.text)
                                                    : value.text;
}

std::optional<std::int64_t> fail(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
  return std::nullopt;
}

// How a task-level size is written: its unit, what it looks like, and the suffixes (tried in
// order) that count in kKibi units.
struct SizeNotation {
  std::string_view unit;
  std::string_view examples;
  std::array<std::string_view, 2> kibi_suffixes;
};

// AWS documents exactly these spellings: "1 vCPU" and "1 vcpu" with one space, "1 GB" and "1GB".
constexpr SizeNotation kCpuNotation{
    "CPU units", "CPU units such as \"1024\" or vCPUs such as \"1 vCPU\"", {" vCPU", " vcpu"}};
constexpr SizeNotation kMemoryNotation{
    "MiB", "MiB such as \"1024\" or GB such as \"1 GB\" or \"1GB\"", {" GB", "GB"}};

// The whole number of units `value` stands for, with no range check (a number too large for
// int64 comes back as its maximum), or nothing with `error` set.
std::optional<std::int64_t> parse_task_size(const TaskSizeInput& value,
                                            const SizeNotation& notation, std::string* error) {
  const bool is_string = value.type == TaskSizeInput::Type::kString;
  std::string_view number = value.text;
  std::int64_t scale = 1;
  if (is_string) {
    for (const std::string_view suffix : notation.kibi_suffixes) {
      if (const auto stripped = strip_suffix(number, suffix)) {
        number = *stripped;
        scale = kKibi;
        break;
      }
    }
  }
  std::int64_t count = 0;
  switch (to_whole(number, scale, count)) {
    case Conversion::kOk:
      return count;
    case Conversion::kNotNumber:
      return fail(error, is_string ? fmt::format("{} is not {}", shown(value), notation.examples)
                                   : fmt::format("{} is not a whole number of {}", shown(value),
                                                 notation.unit));
    case Conversion::kNegative:
      return fail(error, fmt::format("{} is negative", shown(value)));
    case Conversion::kNotWhole:
      return fail(error,
                  fmt::format("{} is not a whole number of {}", shown(value), notation.unit));
    case Conversion::kTooLarge:
      break;
  }
  return std::numeric_limits<std::int64_t>::max();
}

template <class Enum, std::size_t N>
std::optional<Enum> lookup(const std::array<std::pair<std::string_view, Enum>, N>& table,
                           std::string_view name) {
  for (const auto& [text, value] : table) {
    if (text == name) return value;
  }
  return std::nullopt;
}

template <class Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<std::string_view, Enum>, N>& table,
                         Enum value) {
  for (const auto& [text, entry] : table) {
    if (entry == value) return text;
  }
  ECSIM_ASSERT(false, "every enumerator has a name in its table");
}

// The AWS spellings, which are case-sensitive in the API.
constexpr std::array<std::pair<std::string_view, NetworkMode>, 4> kNetworkModes{{
    {"bridge", NetworkMode::kBridge},
    {"host", NetworkMode::kHost},
    {"awsvpc", NetworkMode::kAwsvpc},
    {"none", NetworkMode::kNone},
}};
constexpr std::array<std::pair<std::string_view, Compatibility>, 4> kCompatibilities{{
    {"EC2", Compatibility::kEc2},
    {"FARGATE", Compatibility::kFargate},
    {"EXTERNAL", Compatibility::kExternal},
    {"MANAGED_INSTANCES", Compatibility::kManagedInstances},
}};
constexpr std::array<std::pair<std::string_view, CpuArchitecture>, 2> kCpuArchitectures{{
    {"X86_64", CpuArchitecture::kX86_64},
    {"ARM64", CpuArchitecture::kArm64},
}};
constexpr std::array<std::pair<std::string_view, Protocol>, 2> kProtocols{{
    {"tcp", Protocol::kTcp},
    {"udp", Protocol::kUdp},
}};

// Collects the problems of one input, with the helpers every rule shares.
class Checker {
 public:
  explicit Checker(const TaskDefinitionInput& input) : input_(input) {}

  std::vector<Problem> run() && {
    check_family();
    check_task_size();
    check_network_mode();
    check_compatibilities();
    check_runtime_platform();
    if (fargate_) check_fargate();
    check_containers();
    return std::move(problems_);
  }

 private:
  void add(std::string field, std::string message) {
    problems_.push_back({std::move(field), std::move(message)});
  }

  // [DG] family is required: up to 255 letters, numbers, hyphens and underscores. [ERR] wording.
  void check_family() {
    if (!input_.family || input_.family->empty()) {
      add("family", "Family can not be blank.");
      return;
    }
    const std::string& family = *input_.family;
    if (!is_valid_name(family)) {
      add("family", fmt::format("Family contains invalid characters. (only letters, numbers, "
                                "hyphens and underscores are allowed: \"{}\")",
                                family));
    }
    if (family.size() > kMaxNameLength) {
      add("family", fmt::format("Family is longer than {} characters (it has {}).", kMaxNameLength,
                                family.size()));
    }
  }

  // [API] task cpu and memory parse into units and MiB. [ERR] "Invalid 'cpu' setting for task."
  void check_task_size() {
    std::string why;
    if (input_.cpu) {
      task_cpu_ = parse_task_cpu_units(*input_.cpu, &why);
      if (!task_cpu_) add("cpu", fmt::format("Invalid 'cpu' setting for task. ({})", why));
    }
    if (input_.memory) {
      task_memory_ = parse_task_memory_mib(*input_.memory, &why);
      // AWS's message for memory is not quoted anywhere we found; this mirrors the cpu one.
      if (!task_memory_) add("memory", fmt::format("Invalid 'memory' setting for task. ({})", why));
    }
  }

  // [API] networkMode is one of four names; [DG] absent means bridge on EC2.
  void check_network_mode() {
    if (!input_.network_mode) return;
    network_mode_ = lookup(kNetworkModes, *input_.network_mode);
    if (!network_mode_) {
      add("networkMode",
          fmt::format("networkMode must be one of bridge, host, awsvpc, none (got \"{}\")",
                      *input_.network_mode));
    }
  }

  // [API] runtimePlatform: cpuArchitecture is X86_64 or ARM64; operatingSystemFamily is LINUX or
  // one of the Windows Server names, and ecsim simulates Linux only.
  void check_runtime_platform() {
    if (input_.cpu_architecture && !lookup(kCpuArchitectures, *input_.cpu_architecture)) {
      add("runtimePlatform.cpuArchitecture",
          fmt::format("cpuArchitecture must be X86_64 or ARM64 (got \"{}\")",
                      *input_.cpu_architecture));
    }
    if (!input_.operating_system_family || *input_.operating_system_family == "LINUX") return;
    if (input_.operating_system_family->starts_with("WINDOWS_SERVER_")) {
      add("runtimePlatform.operatingSystemFamily",
          fmt::format("operatingSystemFamily {} is a Windows task, which ecsim does not simulate "
                      "(Windows container instances, Fargate's Windows prices and licence fees "
                      "are not modelled); expected LINUX",
                      *input_.operating_system_family));
    } else {
      add("runtimePlatform.operatingSystemFamily",
          fmt::format("operatingSystemFamily must be LINUX or a WINDOWS_SERVER_... family (got "
                      "\"{}\")",
                      *input_.operating_system_family));
    }
  }

  // [API] requiresCompatibilities entries are launch type names.
  void check_compatibilities() {
    for (std::size_t i = 0; i < input_.requires_compatibilities.size(); ++i) {
      const std::string& name = input_.requires_compatibilities[i];
      const std::optional<Compatibility> compatibility = lookup(kCompatibilities, name);
      if (!compatibility) {
        add(fmt::format("requiresCompatibilities[{}]", i),
            fmt::format("requiresCompatibilities must list EC2, FARGATE, EXTERNAL or "
                        "MANAGED_INSTANCES (got \"{}\")",
                        name));
      } else if (*compatibility == Compatibility::kFargate) {
        fargate_ = true;
      }
    }
  }

  // [DG] FARGATE in requiresCompatibilities (even next to EC2) requires awsvpc and a task-level
  // cpu and memory. The CPU/memory pair rule is the platform model's, applied by the loader.
  void check_fargate() {
    if (network_mode_ && *network_mode_ != NetworkMode::kAwsvpc) {
      add("networkMode",
          fmt::format("Fargate only supports network mode ‘awsvpc’. ({})",
                      input_.network_mode
                          ? fmt::format("networkMode is {}", *input_.network_mode)
                          : std::string("networkMode is not set, which means bridge")));
    }
    if (!input_.cpu) add("cpu", "Fargate requires that 'cpu' be defined at the task level.");
    if (!input_.memory) {
      add("memory", "Fargate requires that 'memory' be defined at the task level.");
    }
  }

  // An integer field that must lie in [min, max]; true when it does. `unit` follows the bounds
  // in the message ("MiB"), or nothing when empty.
  bool check_range(const std::string& field, std::string_view name, std::int64_t value,
                   std::int64_t min, std::int64_t max, std::string_view unit) {
    const std::string unit_text = unit.empty() ? std::string() : fmt::format(" {}", unit);
    if (value < min) {
      add(field,
          min == 0 ? fmt::format("{} must not be negative (got {})", name, value)
                   : fmt::format("{} must be at least {}{} (got {})", name, min, unit_text, value));
      return false;
    }
    if (value > max) {
      add(field, fmt::format("{} must be at most {}{} (got {})", name, max, unit_text, value));
      return false;
    }
    return true;
  }

  void check_containers() {
    const auto& containers = input_.container_definitions;
    // [DG] 1 to 10 containers. [ERR] wording.
    if (containers.empty()) add("containerDefinitions", "Container list cannot be empty.");
    if (containers.size() > kMaxContainersPerTaskDefinition) {
      add("containerDefinitions",
          fmt::format("Too many containers. (a task definition holds at most {}; this one has "
                      "{})",
                      kMaxContainersPerTaskDefinition, containers.size()));
    }

    bool any_essential = false;
    std::int64_t cpu_sum = 0;
    std::int64_t reserved_memory_sum = 0;
    for (std::size_t i = 0; i < containers.size(); ++i) {
      const ContainerDefinitionInput& container = containers[i];
      const std::string path = fmt::format("containerDefinitions[{}]", i);
      check_container_name(i, path);
      // [ERR] an image is required (not simulated: nothing is pulled).
      const std::optional<std::string>& image = input_.container_definitions[i].image;
      if (!image || image->empty())
        add(path + ".image", "Container.image should not be null or empty.");
      if (container.health_check) check_health_check(*container.health_check, path + ".healthCheck");
      const std::string label = container.name && !container.name->empty() ? *container.name : path;

      if (container.cpu &&
          check_range(path + ".cpu", "cpu", *container.cpu, 0, kMaxApiInteger, "CPU units")) {
        cpu_sum += *container.cpu;
      }
      // [API] container memory and memoryReservation are non-zero MiB.
      const bool memory_ok =
          container.memory &&
          check_range(path + ".memory", "memory", *container.memory, 1, kMaxApiInteger, "MiB");
      const bool reservation_ok =
          container.memory_reservation &&
          check_range(path + ".memoryReservation", "memoryReservation",
                      *container.memory_reservation, 1, kMaxApiInteger, "MiB");
      // [API] memory must be >= memoryReservation when both are set; AWS's wording unknown.
      if (memory_ok && reservation_ok && *container.memory_reservation > *container.memory) {
        add(path + ".memoryReservation",
            fmt::format("memoryReservation ({} MiB) is greater than memory ({} MiB) in container "
                        "'{}' (the soft limit must not exceed the hard limit)",
                        *container.memory_reservation, *container.memory, label));
      }
      // [API] without a task-level memory, each container needs memory or memoryReservation.
      if (!container.memory && !container.memory_reservation && !input_.memory) {
        add(path, fmt::format("Invalid setting for container '{}'. At least one of 'memory' or "
                              "'memoryReservation' must be specified. (or set memory at the "
                              "task level)",
                              label));
      }
      // [API] no container's hard limit may exceed the task's memory.
      if (memory_ok && task_memory_ && *container.memory > *task_memory_) {
        add(path + ".memory",
            fmt::format("The 'memory' setting for container '{}' is greater than for the task. "
                        "({} MiB against the task's {} MiB)",
                        label, *container.memory, *task_memory_));
      }
      if (reservation_ok) {
        reserved_memory_sum += *container.memory_reservation;
      } else if (memory_ok) {
        reserved_memory_sum += *container.memory;
      }
      // [DG] essential defaults to true.
      any_essential = any_essential || container.essential.value_or(true);
      check_port_mappings(container, path);
    }

    // [DG] every task needs an essential container. [ERR] wording.
    if (!containers.empty() && !any_essential) {
      add("containerDefinitions", "Task definition doesn't have any essential container.");
    }
    // [API] the containers' cpu must fit in the task's cpu. [ERR] wording.
    if (task_cpu_ && cpu_sum > *task_cpu_) {
      add("cpu", fmt::format("The sum of all container 'cpu' values cannot be greater than the "
                             "value of the task 'cpu'. (the containers' cpu adds up to {} units; "
                             "the task has {})",
                             cpu_sum, *task_cpu_));
    }
    // [API] the memory the containers reserve (memoryReservation where set, else memory) must fit
    // in the task's memory. [ERR] wording.
    if (task_memory_ && reserved_memory_sum > *task_memory_) {
      add("memory",
          fmt::format("The sum of all container 'memoryReservation' values cannot be greater than "
                      "the value of the task 'memory'. (the containers reserve {} MiB, counting "
                      "memory where memoryReservation is not set; the task has {} MiB)",
                      reserved_memory_sum, *task_memory_));
    }
  }

  // [HC] a health check needs its command; each setting within AWS's range.
  void check_health_check(const HealthCheckInput& hc, const std::string& path) {
    if (!hc.has_command) add(path + ".command", "HealthCheck.command should not be null or empty.");
    struct Range {
      const char* name;
      const std::optional<std::int64_t>& value;
      std::int64_t low, high;
    };
    for (const Range& r : {Range{"interval", hc.interval, 5, 300}, Range{"timeout", hc.timeout, 2, 120},
                           Range{"retries", hc.retries, 1, 10},
                           Range{"startPeriod", hc.start_period, 0, 300}}) {
      if (r.value && (*r.value < r.low || *r.value > r.high))
        add(fmt::format("{}.{}", path, r.name),
            fmt::format("{} must be between {} and {} (got {})", r.name, r.low, r.high, *r.value));
    }
  }

  // [DG] container names: required, up to 255 letters, numbers, hyphens and underscores, unique.
  void check_container_name(std::size_t index, const std::string& path) {
    const std::optional<std::string>& name = input_.container_definitions[index].name;
    if (!name || name->empty()) {
      add(path + ".name", "Container.name should not be null or empty.");
      return;
    }
    if (!is_valid_name(*name)) {
      add(path + ".name",
          fmt::format("Container.name contains invalid characters. (only letters, numbers, "
                      "hyphens and underscores are allowed: \"{}\")",
                      *name));
    }
    if (name->size() > kMaxNameLength) {
      add(path + ".name", fmt::format("Container.name is longer than {} characters (it has {}).",
                                      kMaxNameLength, name->size()));
    }
    for (std::size_t earlier = 0; earlier < index; ++earlier) {
      if (input_.container_definitions[earlier].name == name) {
        add(path + ".name",
            fmt::format("Container names must be unique within a Task Definition. ('{}' is also "
                        "the name of containerDefinitions[{}])",
                        *name, earlier));
        break;
      }
    }
  }

  // Ports are kept for placement's port conflicts, so they must be usable numbers.
  void check_port_mappings(const ContainerDefinitionInput& container, const std::string& path) {
    if (container.port_mappings.empty()) return;
    // [DG] networkMode none allows no port mappings.
    if (network_mode_ == NetworkMode::kNone) {
      add(path + ".portMappings", "portMappings must be empty when networkMode is none");
      return;
    }
    for (std::size_t j = 0; j < container.port_mappings.size(); ++j) {
      const PortMappingInput& mapping = container.port_mappings[j];
      const std::string prefix = fmt::format("{}.portMappings[{}]", path, j);
      bool container_port_ok = false;
      if (!mapping.container_port) {
        // containerPortRange, the other way to publish ports, is not modelled.
        add(prefix + ".containerPort", "containerPort is required in a port mapping");
      } else {
        container_port_ok = check_range(prefix + ".containerPort", "containerPort",
                                        *mapping.container_port, 1, kMaxPort, "");
      }
      const bool host_port_ok =
          mapping.host_port &&
          check_range(prefix + ".hostPort", "hostPort", *mapping.host_port, 0, kMaxPort, "");
      if (mapping.protocol && !lookup(kProtocols, *mapping.protocol)) {
        add(prefix + ".protocol",
            fmt::format("protocol must be tcp or udp (got \"{}\")", *mapping.protocol));
      }
      // [DG] with host and awsvpc, hostPort is left out (or 0) or equals containerPort.
      const bool same_port_mode =
          network_mode_ == NetworkMode::kHost || network_mode_ == NetworkMode::kAwsvpc;
      if (same_port_mode && container_port_ok && host_port_ok && *mapping.host_port != 0 &&
          *mapping.host_port != *mapping.container_port) {
        add(prefix + ".hostPort",
            fmt::format("When networkMode={}, the host ports and container ports in port "
                        "mappings must match. (hostPort {} against containerPort {})",
                        to_string(*network_mode_), *mapping.host_port, *mapping.container_port));
      }
    }
  }

  const TaskDefinitionInput& input_;
  std::vector<Problem> problems_;
  std::optional<std::int64_t> task_cpu_;     // parsed task cpu, when set and valid
  std::optional<std::int64_t> task_memory_;  // parsed task memory, when set and valid
  // Nothing when networkMode is set but invalid, which turns off the checks that depend on it.
  std::optional<NetworkMode> network_mode_ = NetworkMode::kBridge;
  bool fargate_ = false;
};

}  // namespace

std::optional<std::int64_t> parse_task_cpu_units(const TaskSizeInput& cpu, std::string* error) {
  const std::optional<std::int64_t> units = parse_task_size(cpu, kCpuNotation, error);
  if (!units) return units;
  if (*units < kMinTaskCpuUnits) {
    return fail(error, fmt::format("{} is less than the {} CPU units (0.125 vCPU) a task needs "
                                   "at least",
                                   shown(cpu), kMinTaskCpuUnits));
  }
  if (*units > kMaxTaskCpuUnits) {
    return fail(error, fmt::format("{} is more than the {} CPU units (192 vCPUs) a task may have",
                                   shown(cpu), kMaxTaskCpuUnits));
  }
  return units;
}

std::optional<std::int64_t> parse_task_memory_mib(const TaskSizeInput& memory, std::string* error) {
  const std::optional<std::int64_t> mib = parse_task_size(memory, kMemoryNotation, error);
  if (!mib) return mib;
  if (*mib == 0) return fail(error, fmt::format("{} is no memory at all", shown(memory)));
  if (*mib > kMaxApiInteger) {
    return fail(error, fmt::format("{} is more than the {} MiB the API can carry", shown(memory),
                                   kMaxApiInteger));
  }
  return mib;
}

std::vector<Problem> check(const TaskDefinitionInput& input) {
  return Checker(input).run();
}

std::string_view to_string(NetworkMode mode) {
  return name_of(kNetworkModes, mode);
}
std::string_view to_string(Compatibility compatibility) {
  return name_of(kCompatibilities, compatibility);
}
std::string_view to_string(Protocol protocol) {
  return name_of(kProtocols, protocol);
}

bool TaskDefinition::requires_compatibility(Compatibility compatibility) const noexcept {
  return std::find(requires_compatibilities_.begin(), requires_compatibilities_.end(),
                   compatibility) != requires_compatibilities_.end();
}

std::int64_t TaskDefinition::reserved_cpu_units() const noexcept {
  if (cpu_units_) return *cpu_units_;
  std::int64_t sum = 0;
  for (const ContainerDefinition& container : containers_) sum += container.cpu_units;
  return sum;
}

std::int64_t TaskDefinition::reserved_memory_mib() const noexcept {
  if (memory_mib_) return *memory_mib_;
  std::int64_t sum = 0;
  for (const ContainerDefinition& container : containers_) sum += container.reserved_memory_mib();
  return sum;
}

std::optional<TaskSize> TaskDefinition::fargate_size() const noexcept {
  if (!cpu_units_ || !memory_mib_) return std::nullopt;
  return TaskSize{*cpu_units_, *memory_mib_};
}

TaskSize TaskDefinition::held_size(bool on_fargate) const {
  if (!on_fargate) return TaskSize{reserved_cpu_units(), reserved_memory_mib()};
  const std::optional<TaskSize> size = fargate_size();
  ECSIM_ASSERT(size.has_value(), "a task on Fargate has a task size");
  return *size;
}

std::int64_t TaskDefinition::seconds_to_healthy() const noexcept {
  std::optional<std::int64_t> longest;
  for (const ContainerDefinition& c : containers_)
    if (c.essential && c.health_check_interval_s)
      longest = std::max(longest.value_or(0), *c.health_check_interval_s);
  return longest.value_or(kSecondsToCountWithoutHealthCheck);
}

TaskDefinition from_input(const TaskDefinitionInput& input) {
  ECSIM_ASSERT(check(input).empty(), "from_input needs an input that check() accepts");
  TaskDefinition definition;
  definition.family_ = *input.family;
  if (input.cpu) definition.cpu_units_ = parse_task_cpu_units(*input.cpu);
  if (input.memory) definition.memory_mib_ = parse_task_memory_mib(*input.memory);
  if (input.network_mode) definition.network_mode_ = *lookup(kNetworkModes, *input.network_mode);
  for (const std::string& name : input.requires_compatibilities) {
    const Compatibility compatibility = *lookup(kCompatibilities, name);
    if (!definition.requires_compatibility(compatibility)) {
      definition.requires_compatibilities_.push_back(compatibility);
    }
  }
  if (input.cpu_architecture)
    definition.cpu_architecture_ = *lookup(kCpuArchitectures, *input.cpu_architecture);
  const bool same_port_mode = definition.network_mode_ == NetworkMode::kHost ||
                              definition.network_mode_ == NetworkMode::kAwsvpc;
  for (const ContainerDefinitionInput& in : input.container_definitions) {
    ContainerDefinition container;
    container.name = *in.name;
    container.cpu_units = in.cpu.value_or(0);
    container.memory_mib = in.memory;
    container.memory_reservation_mib = in.memory_reservation;
    container.essential = in.essential.value_or(true);
    if (in.health_check)
      container.health_check_interval_s = in.health_check->interval.value_or(kDefaultHealthCheckInterval);
    for (const PortMappingInput& mapping : in.port_mappings) {
      PortMapping port;
      port.container_port = static_cast<std::uint16_t>(*mapping.container_port);
      port.host_port = static_cast<std::uint16_t>(mapping.host_port.value_or(0));
      // With host and awsvpc the container port is the host port, whether written or not.
      if (same_port_mode) port.host_port = port.container_port;
      port.protocol = mapping.protocol ? *lookup(kProtocols, *mapping.protocol) : Protocol::kTcp;
      container.port_mappings.push_back(port);
    }
    definition.containers_.push_back(std::move(container));
  }
  // Static host ports: a bridge mapping's non-zero hostPort, and every host-mode mapping (its
  // host port was set to the container port above). awsvpc ports live on the task's own network
  // interface, and bridge mappings without a hostPort get a dynamic port: neither reserves any.
  if (definition.network_mode_ == NetworkMode::kBridge ||
      definition.network_mode_ == NetworkMode::kHost) {
    std::vector<HostPort>& ports = definition.host_ports_;
    for (const ContainerDefinition& container : definition.containers_)
      for (const PortMapping& mapping : container.port_mappings)
        if (mapping.host_port != 0) ports.push_back({mapping.host_port, mapping.protocol});
    std::sort(ports.begin(), ports.end());
    ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
  }
  return definition;
}

}  // namespace ecsim::ecs
