#pragma once

// The EKS runtime on its own: a platform, a simulator and the runtime, composed here as the
// engine composes them (platform events to the platform, its changes to the runtime), with the
// objects a test adds.

#include <catch2/catch.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ecsim/eks/runtime.hpp"
#include "ecsim/platform/catalog.hpp"
#include "ecsim/platform/cost.hpp"

namespace ecsim::test {

inline constexpr std::int64_t kMiB = 1024 * 1024;

/// One zone, one managed node group of `nodes` m5.large, and the objects a test adds.
struct Harness {
  explicit Harness(std::uint32_t nodes) {
    config.azs = {"us-east-1a"};
    platform::AsgConfig group;
    group.name = "workers";
    group.instance_type = platform::InstanceCatalog::builtin().index_of("m5.large");
    group.min = group.max = group.desired = nodes;
    group.azs = {AzId{0}};
    config.groups.push_back(group);
    eks::ClusterSpec& c = specs.emplace_back();
    c.name = "lab";
    eks::NodeGroupConfig ng;
    ng.name = "workers";
    ng.instance_type = "m5.large";
    ng.min = ng.max = ng.desired = nodes;
    c.config.node_groups.push_back(ng);
    c.groups.push_back(GroupId{0});
  }

  eks::Deployment& deployment(std::string name, std::int32_t replicas) {
    eks::Deployment& d = specs[0].manifests.deployments.emplace_back();
    d.meta.name = name;
    d.replicas = replicas;
    d.selector.match_labels = {{"app", name}};
    d.pod.labels = {{"app", name}};
    d.pod.spec.requests = {500, 512 * kMiB};
    return d;
  }

  void job(std::string name, std::int32_t completions, std::int32_t parallelism, SimDuration run) {
    eks::Job& j = specs[0].manifests.jobs.emplace_back();
    j.meta.name = name;
    j.completions = completions;
    j.parallelism = parallelism;
    j.pod.spec.requests = {250, 256 * kMiB};
    eks::JobSpec& spec = specs[0].jobs.emplace_back();
    spec.name = name;
    spec.job = specs[0].manifests.jobs.size() - 1;
    spec.duration = workload::FixedDuration{run};
  }

  /// Starts the platform and the runtime and runs to `until`.
  void run(SimTime until) {
    platform.emplace(config, platform::InstanceCatalog::builtin(), 7);
    cost.emplace(config.prices);
    runtime.emplace(specs, eks::Context{sim, *platform, config, *cost, wait, until, nullptr});
    if (on_made) on_made();
    runtime->start(RandomStreams(11));
    platform->start(sim);
    changes();
    if (on_start) on_start();
    sim.run_until(until, [&](const Event& e) {
      if (e.kind >= platform::kFirstEventKind && e.kind < platform::kEndEventKind) {
        platform->handle(sim, e);
        changes();
      } else if (e.kind >= eks::kFirstEventKind && e.kind < eks::kEndEventKind) {
        if (runtime->handle(e)) changes();
      } else {
        REQUIRE(on_event);
        on_event(e);
        changes();
      }
    });
    runtime->check_invariants();
  }

  void changes() {
    runtime->zones_changed();
    std::vector<platform::InstanceChange>& list = platform->changes();
    do {
      for (std::size_t k = 0; k < list.size(); ++k) (void)runtime->on_instance_change(list[k]);
      list.clear();
      runtime->catch_up();
    } while (!list.empty());
  }

  platform::PlatformConfig config;
  std::vector<eks::ClusterSpec> specs;
  Simulator sim;
  QuantileSketch wait;
  std::optional<platform::Platform> platform;
  std::optional<platform::CostMeter> cost;
  std::optional<eks::Runtime> runtime;
  /// A component of a test's own, composed with the runtime: made once the runtime is (before
  /// it starts), started after it, handed the events of other kinds (the platform's changes
  /// follow each).
  std::function<void()> on_made;
  std::function<void()> on_start;
  std::function<void(const Event&)> on_event;
};

}  // namespace ecsim::test
