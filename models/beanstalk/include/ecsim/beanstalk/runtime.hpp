#pragma once

/// Elastic Beanstalk in a run: a component with its own event kinds that runs each
/// environment's scaling triggers (two CloudWatch alarms and simple scaling policies on its
/// Auto Scaling group) and deploys its application versions by the environment's deployment
/// policy. An environment is an ECS cluster on the group, one task of its Dockerrun's task
/// definition per instance (a DAEMON service); this component drives that service's
/// deployments and the group, through the ECS runtime and the platform.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ecsim/beanstalk/environment.hpp"
#include "ecsim/beanstalk/results.hpp"
#include "ecsim/ecs/cluster_spec.hpp"
#include "ecsim/ecs/runtime.hpp"
#include "ecsim/platform/platform.hpp"
#include "ecsim/sim/event.hpp"
#include "ecsim/sim/measure.hpp"
#include "ecsim/sim/simulator.hpp"

namespace ecsim::beanstalk {

inline constexpr std::uint32_t kFirstEventKind = 500;
inline constexpr std::uint32_t kEndEventKind = 600;

enum EventKind : std::uint32_t {
  kTrigger = kFirstEventKind,  ///< target: environment; its alarms' evaluation, each minute
  kDeploy,                     ///< target: environment; payload: version deployment
  kDeployCheck,                ///< target: environment; its deployment's next look at health
  kScheduledAction,            ///< target: environment; payload: scheduled action
};

/// How often a deployment in progress looks at its batch's health.
inline constexpr SimDuration kDeployCheckPeriod = std::chrono::seconds(5);

/// The environments' results and their scaling activities, in time order.
struct Results {
  std::vector<EnvironmentResult> environments;
  std::vector<ScalingActivity> scaling;
};

/// What the component works with.
struct Context {
  Simulator& sim;
  platform::Platform& platform;
  ecs::Runtime& ecs;
  SimTime horizon;  ///< the end of the run
};

/// The Beanstalk environments of one run.
class Runtime {
 public:
  /// `environments` and the scenario's ECS clusters they name must outlive the runtime.
  Runtime(std::span<const EnvironmentConfig> environments,
          std::span<const ecs::EcsClusterConfig> clusters, Context context);

  /// Schedules each environment's first alarm evaluation and its deployments.
  void start();
  [[nodiscard]] bool empty() const noexcept { return environments_.empty(); }
  /// Handles one event whose kind is in [kFirstEventKind, kEndEventKind); true when it may
  /// have changed the platform.
  bool handle(const Event& e);
  /// Appends each environment's desired capacity, for the time series.
  void append_instances(std::vector<std::int64_t>& row) const;
  /// Appends the time series' column names (instances:ENVIRONMENT).
  void append_columns(std::vector<std::string>& names) const;
  /// The self-checks: each group's desired capacity within its MinSize and MaxSize (raised by
  /// a deployment's extra instances only while one runs). Throws InternalError otherwise.
  void check_invariants() const;
  [[nodiscard]] Results results(SimTime end) const;

 private:
  enum class Phase : std::uint8_t {
    kNone,
    kExtraBatch,     // RollingWithAdditionalBatch: the extra instances launch
    kBatches,        // Rolling batches (and AllAtOnce: one batch of all)
    kFirstInstance,  // Immutable: one new instance
    kRest,           // Immutable: the rest of the new instances
  };
  struct Active {
    std::size_t index = 0;  // into the environment's deployments (and its results)
    Phase phase = Phase::kNone;
    std::vector<InstanceId> old_instances;  // live when it started (Immutable, extra batch)
    std::int64_t extra = 0;                 // instances added for the deployment
    SimTime batch_since = kSimStart;        // when the current wait for health began
    std::int64_t healthy_seen = 0;          // new tasks healthy at the last look
    std::int64_t old_seen = 0;              // old tasks running at the last look
    std::int64_t batch = 0;                 // instances per batch
    const ecs::TaskDefinition* previous = nullptr;  // the last version deployed well
  };
  struct EnvironmentRuntime {
    const EnvironmentConfig* config = nullptr;
    ServiceId service;
    std::uint32_t minutes = 0;            // minutes evaluated so far
    std::vector<double> datapoints;       // closed datapoints, oldest first (at most N kept)
    SimTime cooldown_until = kSimStart;
    std::optional<std::uint32_t> activity;  // desired capacity an activity is reaching
    std::int64_t min_size = 0, max_size = 0;  // the group's, as scheduled actions leave them
    std::optional<Active> deployment;
    const ecs::TaskDefinition* current = nullptr;  // the version the environment runs
    EnvironmentResult result;
  };

  void on_trigger(std::size_t env);
  std::optional<double> datapoint(const EnvironmentRuntime& e);
  void scale(EnvironmentRuntime& e, std::int64_t increment, std::string_view alarm,
             double value, double threshold);
  void terminate_by_policy(EnvironmentRuntime& e, std::int64_t count);
  void schedule_action(std::size_t env, std::size_t action, SimTime after);
  void on_scheduled_action(std::size_t env, std::size_t action);
  void on_deploy(std::size_t env, std::size_t deployment);
  void on_deploy_check(std::size_t env);
  void finish_deployment(EnvironmentRuntime& e, bool failed);
  [[nodiscard]] std::int64_t serving(const EnvironmentRuntime& e) const;
  [[nodiscard]] std::int64_t live(const EnvironmentRuntime& e) const;

  std::span<const EnvironmentConfig> configs_;
  std::span<const ecs::EcsClusterConfig> clusters_;
  Context context_;
  std::vector<EnvironmentRuntime> environments_;
  std::vector<ScalingActivity> scaling_;
  std::vector<workload::LoadPeriod> periods_;  // scratch
};

}  // namespace ecsim::beanstalk
