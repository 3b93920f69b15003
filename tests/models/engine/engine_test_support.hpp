#pragma once

// What the engine tests share: instants of a run, task definitions built in code, one
// replication with its time series, and the scenario files of tests/scenarios.

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "ecsim/ecs/task_definition.hpp"
#include "ecsim/engine/engine.hpp"
#include "ecsim/platform/catalog.hpp"
#include "ecsim/scenario/scenario.hpp"

namespace ecsim::test {

/// The instant `d` after the start of a run.
constexpr SimTime at(SimDuration d) { return kSimStart + d; }

/// Per-zone counts for zones a, b and c, as ServiceResult::running_by_az gives them.
inline std::vector<std::int64_t> per_zone(std::int64_t a, std::int64_t b, std::int64_t c) {
  return {a, b, c};
}

/// A task definition of one container reserving `cpu` units and `memory` MiB; with `fargate`
/// the same as a task-level size for Fargate (awsvpc).
inline ecs::TaskDefinition task_definition(std::int64_t cpu, std::int64_t memory,
                                           bool fargate = false, std::string family = "web") {
  ecs::TaskDefinitionInput in;
  in.family = std::move(family);
  ecs::ContainerDefinitionInput c;
  c.name = "app";
  c.image = "busybox";
  c.cpu = cpu;
  c.memory = memory;
  in.container_definitions.push_back(c);
  if (fargate) {
    in.cpu = ecs::TaskSizeInput::string(std::to_string(cpu));
    in.memory = ecs::TaskSizeInput::string(std::to_string(memory));
    in.network_mode = "awsvpc";
    in.requires_compatibilities = {"FARGATE"};
  }
  const auto problems = ecs::check(in);
  REQUIRE(problems.empty());
  return ecs::from_input(in);
}

/// A scenario `name` of `duration` over us-east-1a, b and c, where EC2 launches take exactly
/// 60 s; no cluster yet.
inline scenario::Scenario three_zones(std::string name, SimDuration duration) {
  scenario::Scenario s;
  s.name = std::move(name);
  s.duration = duration;
  s.platform.azs = {"us-east-1a", "us-east-1b", "us-east-1c"};
  s.platform.ec2_launch_latency = {std::chrono::seconds(60), 0};
  return s;
}

/// A group `name` of `desired` m6i.large (2048 CPU units and 7,800 MiB registered each), at most
/// `max`, over `azs`.
inline platform::AsgConfig m6i_large_group(std::string name, std::uint32_t desired,
                                           std::uint32_t max, std::vector<AzId> azs) {
  platform::AsgConfig g;
  g.name = std::move(name);
  g.instance_type = platform::InstanceCatalog::builtin().index_of("m6i.large");
  g.min = 0;
  g.max = max;
  g.desired = desired;
  g.azs = std::move(azs);
  return g;
}

/// One replication of `s` over its whole duration, with its time series.
inline engine::ReplicationResult run_with_timeseries(const scenario::Scenario& s,
                                                     std::uint64_t seed = 1) {
  engine::RunOptions options;
  options.seed = seed;
  options.horizon = s.duration;
  options.timeseries = true;
  return engine::run_replication(s, options);
}

/// The scenario at `relative` under tests/scenarios, which must load without a problem.
inline scenario::Scenario load(const std::string& relative) {
  scenario::LoadResult r =
      scenario::load_scenario(std::string(ECSIM_TEST_SCENARIOS) + "/" + relative);
  for (const auto& d : r.diagnostics.sorted()) INFO(scenario::format_diagnostic(d));
  REQUIRE(r.scenario);
  return std::move(*r.scenario);
}

}  // namespace ecsim::test
