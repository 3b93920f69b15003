#pragma once

// One replication of a scenario: the composition of its components. The World owns the
// simulator, the platform (zones, instances, groups), the cost meter, the ECS and EKS runtimes
// and the autoscalers' components; it routes each event to the component whose kind range holds it, hands the
// platform's changes to the runtimes, samples the time series, runs the self-checks and
// gathers the results.

#include <cstdint>
#include <vector>

#include "ecsim/appscaling/runtime.hpp"
#include "ecsim/beanstalk/runtime.hpp"
#include "ecsim/cluster_autoscaler/runtime.hpp"
#include "ecsim/karpenter/runtime.hpp"
#include "ecsim/ecs/runtime.hpp"
#include "ecsim/eks/runtime.hpp"
#include "ecsim/hpa/runtime.hpp"
#include "ecsim/engine/engine.hpp"
#include "ecsim/platform/cost.hpp"
#include "ecsim/platform/platform.hpp"
#include "ecsim/sim/random.hpp"
#include "ecsim/sim/simulator.hpp"
#include "ecsim/sim/stats.hpp"

namespace ecsim::engine::detail {

/// The engine's own event kinds; the platform's lie in [platform::kFirstEventKind,
/// platform::kEndEventKind), the ECS runtime's in [ecs::kFirstEventKind, ecs::kEndEventKind),
/// the EKS runtime's in [eks::kFirstEventKind, eks::kEndEventKind), and so on for each component.
enum EventKind : std::uint32_t {
  kSample = 1,     ///< a time-series row is due
  kFailCheck = 2,  ///< RunOptions::fail_check_at: a self-check fails (tests of exit 3)
};

class World {
 public:
  World(const scenario::Scenario& s, const RunOptions& options);
  ReplicationResult run();
  /// The run's clock, for the messages of failed checks.
  [[nodiscard]] const Simulator& simulator() const noexcept { return sim_; }

 private:
  void dispatch(const Event& e);
  /// Hands the platform's zone states and instance changes to the runtimes, until it reports
  /// no more.
  void drain_platform_changes();
  void sample();
  /// A scalable target's evaluation: its service's datapoints to Application Auto Scaling, and
  /// the desired count it decides to the service.
  void autoscale(const Event& e);
  // Application Auto Scaling's decision for target `t`: a scaling activity and the service's
  // new desired count.
  void apply_scaling(std::size_t t, std::int64_t desired, const appscaling::Decision& decision);
  /// A cluster's HorizontalPodAutoscalers sync: each target's metrics view to the controller,
  /// and the replicas it decides to the target's scale.
  void sync_autoscalers(const Event& e);
  [[nodiscard]] TaskCounts totals() const;
  void check_invariants() const;

  const scenario::Scenario& scenario_;
  RunOptions options_;
  SimTime horizon_;  ///< the end of the run
  RandomStreams streams_;
  Simulator sim_;
  platform::Platform platform_;
  platform::CostMeter cost_;  ///< Fargate and EKS control planes; EC2 is billed by the platform
  QuantileSketch all_wait_;   ///< every task's and pod's wait to RUNNING, seconds
  ecs::Runtime ecs_;
  eks::Runtime eks_;
  cluster_autoscaler::Runtime cluster_autoscaler_;
  karpenter::Runtime karpenter_;
  hpa::Runtime hpa_;
  appscaling::Runtime appscaling_;
  beanstalk::Runtime beanstalk_;
  std::vector<ScalingActivity> scaling_;  ///< Application Auto Scaling's, in time order
  /// Scratch of autoscale: each policy's datapoints, and views of them.
  std::vector<std::vector<std::optional<double>>> datapoints_;
  std::vector<appscaling::Datapoints> datapoint_views_;
  std::vector<workload::LoadPeriod> periods_;
  std::vector<TimeseriesRow> rows_;
  std::uint64_t audited_at_ = 0;  ///< events handled when the self-checks last ran
};

}  // namespace ecsim::engine::detail
