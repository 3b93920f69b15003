#include <catch2/catch.hpp>
#include <string>

#include "ecsim/ecs/task_definition.hpp"

using namespace ecsim::ecs;

namespace {

using Parser = std::optional<std::int64_t> (*)(const TaskSizeInput&, std::string*);

std::int64_t parsed(Parser parse, const TaskSizeInput& value) {
  std::string error;
  const auto result = parse(value, &error);
  INFO("parsing '" << value.text << "': " << error);
  REQUIRE(result.has_value());
  return *result;
}

std::string parse_error(Parser parse, const TaskSizeInput& value) {
  std::string error;
  const auto result = parse(value, &error);
  INFO("parsing '" << value.text << "'");
  REQUIRE_FALSE(result.has_value());
  return error;
}

std::int64_t cpu_ok(const TaskSizeInput& cpu) {
  return parsed(parse_task_cpu_units, cpu);
}
std::string cpu_error(const TaskSizeInput& cpu) {
  return parse_error(parse_task_cpu_units, cpu);
}
std::int64_t memory_ok(const TaskSizeInput& m) {
  return parsed(parse_task_memory_mib, m);
}
std::string memory_error(const TaskSizeInput& m) {
  return parse_error(parse_task_memory_mib, m);
}

TaskSizeInput str(std::string text) {
  return TaskSizeInput::string(std::move(text));
}
TaskSizeInput num(std::string text) {
  return TaskSizeInput::number(std::move(text));
}

}  // namespace

TEST_CASE("task cpu reads as CPU units, as a string or as a number", "[ecs]") {
  CHECK(cpu_ok(str("512")) == 512);
  CHECK(cpu_ok(num("512")) == 512);
  CHECK(cpu_ok(str("128")) == 128);
  CHECK(cpu_ok(str("196608")) == 196'608);
}

TEST_CASE("task cpu reads vCPUs in AWS's two spellings, 1024 units each", "[ecs]") {
  CHECK(cpu_ok(str("1 vCPU")) == 1024);
  CHECK(cpu_ok(str("1 vcpu")) == 1024);
  CHECK(cpu_ok(str("2 vCPU")) == 2048);
  // 0.5 x 1024 = 512; 0.25 x 1024 = 256; 0.125 x 1024 = 128; 192 x 1024 = 196608.
  CHECK(cpu_ok(str("0.5 vCPU")) == 512);
  CHECK(cpu_ok(str("0.25 vcpu")) == 256);
  CHECK(cpu_ok(str("0.125 vCPU")) == 128);
  CHECK(cpu_ok(str("192 vCPU")) == 196'608);
  CHECK(cpu_ok(str("4.000 vCPU")) == 4096);
}

TEST_CASE("task cpu in another notation says what AWS accepts", "[ecs]") {
  const std::string expected = " is not CPU units such as \"1024\" or vCPUs such as \"1 vCPU\"";
  CHECK(cpu_error(str("2 cores")) == "\"2 cores\"" + expected);
  CHECK(cpu_error(str("1vCPU")) == "\"1vCPU\"" + expected);
  CHECK(cpu_error(str("1 VCPU")) == "\"1 VCPU\"" + expected);
  CHECK(cpu_error(str("1  vCPU")) == "\"1  vCPU\"" + expected);
  CHECK(cpu_error(str(" 512")) == "\" 512\"" + expected);
  CHECK(cpu_error(str(".5 vCPU")) == "\".5 vCPU\"" + expected);
  CHECK(cpu_error(str("")) == "\"\"" + expected);
  CHECK(cpu_error(num("1e3")) == "1e3 is not a whole number of CPU units");
}

TEST_CASE("task cpu that is not a whole number of units is rejected", "[ecs]") {
  // 0.3 x 1024 = 307.2 units.
  CHECK(cpu_error(str("0.3 vCPU")) == "\"0.3 vCPU\" is not a whole number of CPU units");
  CHECK(cpu_error(num("256.5")) == "256.5 is not a whole number of CPU units");
  // Eleven significant decimals can never make whole units: 10^11 / gcd(10^11, 1024) = 5^11 x 2.
  CHECK(cpu_error(str("1.00000000001 vCPU")) ==
        "\"1.00000000001 vCPU\" is not a whole number of CPU units");
}

TEST_CASE("task cpu outside 128 to 196608 units is rejected", "[ecs]") {
  const std::string too_small =
      " is less than the 128 CPU units (0.125 vCPU) a task needs at least";
  const std::string too_large = " is more than the 196608 CPU units (192 vCPUs) a task may have";
  CHECK(cpu_error(str("64")) == "\"64\"" + too_small);
  CHECK(cpu_error(num("0")) == "0" + too_small);
  // 1 / 1024 vCPU = 0.0009765625 vCPU is exactly 1 unit.
  CHECK(cpu_error(str("0.0009765625 vCPU")) == "\"0.0009765625 vCPU\"" + too_small);
  // 193 x 1024 = 197632 units.
  CHECK(cpu_error(str("193 vCPU")) == "\"193 vCPU\"" + too_large);
  CHECK(cpu_error(num("99999999999999999999999")) == "99999999999999999999999" + too_large);
  CHECK(cpu_error(str("-512")) == "\"-512\" is negative");
  CHECK(cpu_error(num("-1")) == "-1 is negative");
}

TEST_CASE("task memory reads as MiB, as a string or as a number", "[ecs]") {
  CHECK(memory_ok(str("1024")) == 1024);
  CHECK(memory_ok(num("512")) == 512);
  CHECK(memory_ok(str("1")) == 1);
  CHECK(memory_ok(str("2147483647")) == 2'147'483'647);
}

TEST_CASE("task memory reads GB in AWS's two spellings, 1024 MiB each", "[ecs]") {
  CHECK(memory_ok(str("1GB")) == 1024);
  CHECK(memory_ok(str("1 GB")) == 1024);
  CHECK(memory_ok(str("2GB")) == 2048);
  // 0.5 x 1024 = 512; 30 x 1024 = 30720; 1.5 x 1024 = 1536.
  CHECK(memory_ok(str("0.5 GB")) == 512);
  CHECK(memory_ok(str("30 GB")) == 30'720);
  CHECK(memory_ok(str("1.5GB")) == 1536);
}

TEST_CASE("task memory in another notation says what AWS accepts", "[ecs]") {
  const std::string expected = " is not MiB such as \"1024\" or GB such as \"1 GB\" or \"1GB\"";
  CHECK(memory_error(str("1 TB")) == "\"1 TB\"" + expected);
  CHECK(memory_error(str("1 gb")) == "\"1 gb\"" + expected);
  CHECK(memory_error(str("1 GiB")) == "\"1 GiB\"" + expected);
  CHECK(memory_error(str("512 MiB")) == "\"512 MiB\"" + expected);
  CHECK(memory_error(str("1  GB")) == "\"1  GB\"" + expected);
  CHECK(memory_error(str("GB")) == "\"GB\"" + expected);
  CHECK(memory_error(num("1e3")) == "1e3 is not a whole number of MiB");
}

TEST_CASE("task memory must be a positive whole number of MiB the API can carry", "[ecs]") {
  // 0.3 x 1024 = 307.2 MiB.
  CHECK(memory_error(str("0.3 GB")) == "\"0.3 GB\" is not a whole number of MiB");
  CHECK(memory_error(num("512.5")) == "512.5 is not a whole number of MiB");
  CHECK(memory_error(str("0")) == "\"0\" is no memory at all");
  CHECK(memory_error(str("0 GB")) == "\"0 GB\" is no memory at all");
  CHECK(memory_error(str("-1 GB")) == "\"-1 GB\" is negative");
  // 2097152 GB = 2^21 x 2^10 MiB = 2^31 MiB, one more than the API's Integer holds.
  CHECK(memory_error(str("2097152 GB")) ==
        "\"2097152 GB\" is more than the 2147483647 MiB the API can carry");
  CHECK(memory_error(num("2147483648")) ==
        "2147483648 is more than the 2147483647 MiB the API can carry");
}
