#include "task_definition_reader.hpp"

#include <set>

#include <fmt/format.h>

#include "api_schema.hpp"
#include "yaml_reader.hpp"

namespace ecsim::scenario::detail {
namespace {

// Reads the fields the simulator uses and remembers where each was, keyed by the JSON path
// ecs::check reports problems under. Every field has been checked against the API model before
// (check_api); the fields the simulator does not need are left, and noted as not simulated.
class TaskDefinitionJson {
 public:
  explicit TaskDefinitionJson(const Reader& root) : root_(root) {}

  ecs::TaskDefinitionInput read() {
    ecs::TaskDefinitionInput in;
    in.family = text(root_["family"], "family");
    in.cpu = size(root_["cpu"], "cpu");
    in.memory = size(root_["memory"], "memory");
    in.network_mode = text(root_["networkMode"], "networkMode");
    const Reader compat = root_["requiresCompatibilities"];
    remember("requiresCompatibilities", compat);
    std::size_t i = 0;
    for (const Reader& item : compat.items("a list of launch types")) {
      if (auto s = text(item, fmt::format("requiresCompatibilities[{}]", i++)))
        in.requires_compatibilities.push_back(*s);
    }
    const Reader platform = root_["runtimePlatform"];
    remember("runtimePlatform", platform);
    if (platform.present() && !platform.is_map()) {
      platform.error("expected an object {cpuArchitecture, operatingSystemFamily}");
    } else if (platform.present()) {
      in.cpu_architecture =
          text(platform["cpuArchitecture"], "runtimePlatform.cpuArchitecture");
      in.operating_system_family =
          text(platform["operatingSystemFamily"], "runtimePlatform.operatingSystemFamily");
    }
    const Reader containers = root_["containerDefinitions"];
    remember("containerDefinitions", containers);
    i = 0;
    for (const Reader& c : containers.items("a list of container definitions")) {
      in.container_definitions.push_back(container(c, fmt::format("containerDefinitions[{}]", i++)));
    }
    return in;
  }

  // Where `field` (a path ecs::check reports) is, or the nearest enclosing known place.
  [[nodiscard]] SourceLocation where(const std::string& field) const {
    return places_.find(field, root_).where();
  }

  // True when `field` held a value of the wrong type (already reported).
  [[nodiscard]] bool mistyped(const std::string& field) const { return mistyped_.contains(field); }

 private:
  void remember(const std::string& field, const Reader& r) { places_.remember(field, r); }

  std::optional<std::string> text(const Reader& r, const std::string& field) {
    remember(field, r);
    if (!r.present()) return std::nullopt;
    if (!r.is_scalar()) {
      r.error("expected a string");
      mistyped_.insert(field);
      return std::nullopt;
    }
    return r.string();
  }

  std::optional<std::int64_t> integer(const Reader& r, const std::string& field) {
    remember(field, r);
    std::optional<std::int64_t> v = r.integer(kAwsIntegerMin, kAwsIntegerMax);
    if (r.present() && !v) mistyped_.insert(field);
    return v;
  }

  std::optional<ecs::TaskSizeInput> size(const Reader& r, const std::string& field) {
    remember(field, r);
    if (!r.present()) return std::nullopt;
    if (!r.is_scalar()) {
      r.error("expected a string such as \"1024\"");
      mistyped_.insert(field);
      return std::nullopt;
    }
    const std::string value = *r.string();
    return r.is_quoted() ? ecs::TaskSizeInput::string(value) : ecs::TaskSizeInput::number(value);
  }

  ecs::ContainerDefinitionInput container(const Reader& c, const std::string& field) {
    remember(field, c);
    ecs::ContainerDefinitionInput out;
    if (!c.is_map()) {
      c.error("expected a JSON object holding a container definition");
      return out;
    }
    out.name = text(c["name"], field + ".name");
    out.image = text(c["image"], field + ".image");
    out.cpu = integer(c["cpu"], field + ".cpu");
    out.memory = integer(c["memory"], field + ".memory");
    out.memory_reservation = integer(c["memoryReservation"], field + ".memoryReservation");
    remember(field + ".essential", c["essential"]);
    out.essential = c["essential"].boolean();
    if (c["essential"].present() && !out.essential) mistyped_.insert(field + ".essential");
    const Reader hc = c["healthCheck"];
    remember(field + ".healthCheck", hc);
    if (hc.is_map()) {
      const std::string at = field + ".healthCheck";
      ecs::HealthCheckInput h;
      remember(at + ".command", hc["command"]);
      h.has_command = !hc["command"].items().empty();
      h.interval = integer(hc["interval"], at + ".interval");
      h.timeout = integer(hc["timeout"], at + ".timeout");
      h.retries = integer(hc["retries"], at + ".retries");
      h.start_period = integer(hc["startPeriod"], at + ".startPeriod");
      out.health_check = h;
    }
    const Reader ports = c["portMappings"];
    remember(field + ".portMappings", ports);
    std::size_t i = 0;
    for (const Reader& p : ports.items("a list of port mappings")) {
      const std::string at = fmt::format("{}.portMappings[{}]", field, i++);
      remember(at, p);
      ecs::PortMappingInput m;
      m.container_port = integer(p["containerPort"], at + ".containerPort");
      m.host_port = integer(p["hostPort"], at + ".hostPort");
      m.protocol = text(p["protocol"], at + ".protocol");
      out.port_mappings.push_back(m);
    }
    return out;
  }

  Reader root_;
  Places places_;
  std::set<std::string> mistyped_;
};

// AWS's rules on what was read: each problem at its field (a field that had the wrong type
// reads as absent, and "missing" problems about it are not repeated); the definition when
// nothing at all was wrong.
std::optional<ecs::TaskDefinition> checked(const ecs::TaskDefinitionInput& input,
                                           const TaskDefinitionJson& json, bool clean,
                                           Diagnostics& diagnostics) {
  const std::vector<Problem> problems = ecs::check(input);
  for (const Problem& p : problems)
    if (!json.mistyped(p.field)) diagnostics.error(json.where(p.field), p.field, p.message);
  if (!clean || !problems.empty()) return std::nullopt;
  return ecs::from_input(input);
}

// An AWS JSON file's document and whether it parsed without a problem: a key given twice
// leaves a document to read on (for its other problems), not a definition.
struct JsonFile {
  Document doc;
  bool clean = false;
};

std::optional<JsonFile> load_json(const std::string& path, Diagnostics& diagnostics,
                                  const SourceLocation& referenced_from, const std::string& field) {
  const std::size_t before = diagnostics.all().size();
  std::optional<Document> doc =
      load_document(path, diagnostics, referenced_from, field, Syntax::kJson);
  if (!doc) return std::nullopt;
  return JsonFile{std::move(*doc), diagnostics.all().size() == before};
}

}  // namespace

std::optional<ecs::TaskDefinition> read_task_definition(const std::string& path,
                                                        Diagnostics& diagnostics,
                                                        const SourceLocation& referenced_from,
                                                        const std::string& field) {
  const std::optional<JsonFile> file = load_json(path, diagnostics, referenced_from, field);
  if (!file) return std::nullopt;
  const bool parsed_clean = file->clean;
  Diagnostics found;
  const Reader root(file->doc, found);
  // `aws ecs describe-task-definition` prints {"taskDefinition": {...}, "tags": [...]}; a file
  // for register-task-definition is the request itself.
  if (!root.is_map()) {
    root.error("expected a JSON object holding a task definition");
    diagnostics.append(found);
    return std::nullopt;
  }
  const bool described = root["taskDefinition"].present();
  const std::uint16_t shape = *api_root(described ? "aws.ecs.DescribeTaskDefinitionResponse"
                                                  : "aws.ecs.RegisterTaskDefinitionRequest");
  if (!check_api(root, shape, ApiReader::kAwsCli)) {
    diagnostics.append(found);
    return std::nullopt;
  }
  TaskDefinitionJson json(described ? root["taskDefinition"] : root);
  const ecs::TaskDefinitionInput input = json.read();
  root.note_unread();
  diagnostics.append(found);
  // AWS's rules run even after a type error, so that every problem shows at once.
  return checked(input, json, parsed_clean && found.ok(), diagnostics);
}

// Beanstalk reads the file itself (its keys are its own) and registers a task definition from
// its containers and volumes, which follow the ECS API's shapes.
std::optional<ecs::TaskDefinition> read_dockerrun(const std::string& path,
                                                  const std::string& family,
                                                  Diagnostics& diagnostics,
                                                  const SourceLocation& referenced_from,
                                                  const std::string& field) {
  const std::optional<JsonFile> file = load_json(path, diagnostics, referenced_from, field);
  if (!file) return std::nullopt;
  const bool parsed_clean = file->clean;
  Diagnostics found;
  const Reader root(file->doc, found);
  if (!root.is_map()) {
    root.error("expected a JSON object holding a Dockerrun.aws.json (AWSEBDockerrunVersion 2)");
    diagnostics.append(found);
    return std::nullopt;
  }
  bool ok = root.expect_map(
      {"AWSEBDockerrunVersion", "containerDefinitions", "volumes", "authentication",
       "executionRoleArn"});
  const Reader version = root["AWSEBDockerrunVersion"];
  if (version.require()) {
    const std::optional<std::string> v = version.string();
    if (v && *v != "2") {
      version.error(fmt::format(
          "AWSEBDockerrunVersion {} is not the ECS platform's file (expected 2; version 1 "
          "describes one container of the single-container Docker platform, and version 3 is "
          "a docker-compose.yml)",
          *v));
      ok = false;
    }
  }
  const std::uint16_t container = *api_root("aws.ecs.ContainerDefinition");
  const std::uint16_t volume = *api_root("aws.ecs.Volume");
  if (root["containerDefinitions"].require())
    for (const Reader& c : root["containerDefinitions"].items("a list of container definitions"))
      ok = check_api(c, container, ApiReader::kAwsCli) && ok;
  for (const Reader& v : root["volumes"].items("a list of volumes"))
    ok = check_api(v, volume, ApiReader::kAwsCli) && ok;
  if (const Reader a = root["authentication"]; a.present() && a.expect_map({"bucket", "key"})) {
    (void)a["bucket"].require();
    (void)a["key"].require();
  }
  if (!ok || !found.ok()) {
    diagnostics.append(found);
    return std::nullopt;
  }
  TaskDefinitionJson json(root);
  ecs::TaskDefinitionInput input = json.read();
  input.family = family;
  input.requires_compatibilities = {"EC2"};
  root.note_unread();
  diagnostics.append(found);
  return checked(input, json, parsed_clean && found.ok(), diagnostics);
}

}  // namespace ecsim::scenario::detail
