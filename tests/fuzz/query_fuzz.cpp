// The ECS cluster query language: the input is an expression. Contract: a query, evaluated
// against an instance without incident, or errors each at a column of the expression.

#include <string_view>
#include <variant>

#include "ecsim/ecs/query.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ecsim;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = ecs::parse_query(text);
  if (const auto* errors = std::get_if<std::vector<ecs::QueryError>>(&parsed)) {
    fuzz::require(!errors->empty(), "a query that does not parse has an error");
    for (const ecs::QueryError& e : *errors) {
      fuzz::require(e.column >= 1 && e.column <= text.size() + 1, "an error is at a column");
      fuzz::require(!e.message.empty(), "an error says what is wrong");
    }
    return 0;
  }
  const ecs::Query& query = std::get<ecs::Query>(parsed);
  static constexpr ecs::InstanceAttribute kAttributes[] = {{"ecs.availability-zone", "us-east-1a"},
                                                           {"ecs.instance-type", "m6i.large"},
                                                           {"ecs.os-type", "linux"},
                                                           {"ecs.cpu-architecture", "x86_64"},
                                                           {"team", "payments"},
                                                           {"flag", ""}};
  static constexpr std::string_view kGroups[] = {"service:web", "family:batch"};
  ecs::InstanceAttributes instance;
  instance.attributes = kAttributes;
  instance.agent_version = "1.70.2";
  instance.ec2_instance_id = "i-0123456789abcdef0";
  instance.registered_at_unix_seconds = 1'700'000'000;
  instance.running_tasks_count = 3;
  instance.task_groups = kGroups;
  (void)query.matches(instance);
  return 0;
}
