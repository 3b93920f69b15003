#pragma once

// The scenario loader: its state and its readers, defined in load.cpp (the scenario, the
// platform, workloads and faults), load_ecs.cpp (ECS clusters, their capacity, jobs, services
// and drains) and load_eks.cpp (EKS clusters and operations). Private to models/scenario.

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ecsim/scenario/scenario.hpp"
#include "service_request.hpp"
#include "yaml_reader.hpp"

namespace ecsim::scenario::detail {

class ManifestReader;

using scenario::kMaxHorizon;

/// Where a service's tasks run, from its launch type or its capacity provider strategy.
struct ServiceRuns {
  bool ec2 = false;                   ///< on the cluster's container instances
  std::optional<LaunchType> fargate;  ///< on Fargate: kFargate, or kFargateSpot only
  bool by_strategy = false;           ///< chosen by a capacity provider strategy
  bool fargate_spot = false;          ///< the strategy has a FARGATE_SPOT item
  /// True when the tasks run on Fargate and nowhere else.
  [[nodiscard]] bool fargate_only() const { return fargate && !ec2; }
};

/// Reads one scenario file and the files it names, reporting every problem into `diagnostics`.
class Loader {
 public:
  /// A loader for the scenario at `path`; `diagnostics` must outlive it.
  Loader(std::string path, Diagnostics& diagnostics);

  /// The scenario, or nothing when any problem was reported.
  std::optional<Scenario> load();

 private:
  // load.cpp
  void read_platform(const Reader& p, platform::PlatformConfig& out);
  /// A lognormal latency whose median is at least `shortest` (instances and Fargate need time;
  /// a task may start the moment it is placed).
  platform::LaunchLatency read_latency(const Reader& r,
                                       SimDuration shortest = std::chrono::milliseconds(1));
  void read_prices(const Reader& r, platform::Prices& prices);
  void read_fargate(const Reader& r, platform::FargateConfig& f);
  std::optional<AzId> az_named(const Reader& r);
  [[nodiscard]] std::string resolve(const std::string& relative) const;
  std::optional<workload::DurationSpec> read_duration(const Reader& r);
  std::optional<double> read_rate(const Reader& r, std::string_view prefix);
  std::optional<workload::ArrivalSpec> read_arrivals(const Reader& r);
  std::optional<workload::ArrivalSpec> read_trace(const Reader& at, const std::string& file);
  /// The load keys of `r` (requests_per_second, bursts, cpu_per_request, ...); the caller has
  /// checked the mapping's keys.
  std::optional<workload::LoadSpec> read_load(const Reader& r);
  std::optional<workload::LoadProfile> read_load_rate(const Reader& r);
  void read_fault(const Reader& f, Scenario& s);
  std::optional<std::vector<GroupId>> groups_of(const Reader& r, const Scenario& s);

  // load_eks.cpp
  EksClusterConfig read_eks_cluster(const Reader& c, platform::PlatformConfig& platform,
                                    std::size_t index);
  void add_node_groups(const Reader& at, EksClusterConfig& cluster,
                       platform::PlatformConfig& platform);
  void add_node_pools(EksClusterConfig& cluster, platform::PlatformConfig& platform);
  void read_eks_jobs(const Reader& list, const ManifestReader& manifests, EksClusterConfig& out);
  void read_eks_loads(const Reader& list, EksClusterConfig& out);
  std::optional<eks::ClusterAutoscalerConfig> read_cluster_autoscaler(const Reader& ca);
  void read_eks_operation(const std::string& kind, const Reader& v, SimTime at,
                          std::vector<EksClusterConfig>& clusters);

  // load_appscaling.cpp: an ECS service's `autoscaling` (its register-scalable-target and
  // put-scaling-policy files)
  void read_service_autoscaling(const Reader& a, const EcsClusterConfig& cluster,
                                const ServiceConfig& service, std::size_t cluster_index);
  bool read_step_policy(const Reader& root, appscaling::ScalableTarget& t);
  bool read_alarms(const Reader& list, appscaling::ScalableTarget& t);

  // load_beanstalk.cpp: an Elastic Beanstalk environment, as an ECS cluster of `s`
  void read_beanstalk(const Reader& b, Scenario& s);
  void read_ebextensions(const Reader& at, std::vector<beanstalk::OptionSetting>& settings,
                         std::vector<SourceLocation>& where);

  // load_ecs.cpp
  EcsClusterConfig read_cluster(const Reader& c, platform::PlatformConfig& platform,
                                std::size_t index);
  void read_capacity(const Reader& capacity, platform::PlatformConfig& platform,
                     EcsClusterConfig& out);
  std::optional<platform::AsgConfig> read_asg(const Reader& r, const std::string& cluster,
                                              const platform::PlatformConfig& platform);
  void read_fixed_instances(const Reader& r, std::size_t index, platform::PlatformConfig& platform,
                            EcsClusterConfig& out);
  bool count_instances(const Reader& at, std::uint32_t n);
  std::optional<JobConfig> read_job(const Reader& j, const EcsClusterConfig& cluster);
  std::optional<ecs::TaskDefinition> load_task_definition(const Reader& at, std::string& path);
  std::optional<ServiceConfig> read_service(const Reader& s, const EcsClusterConfig& cluster);
  ServiceRequest read_service_keys(const Reader& s, std::string& definition_path);
  std::optional<Reader> service_in_file(const Reader& root, const ServiceRequest& scenario);
  void read_updates(const Reader& list, const ServiceRuns& runs, const EcsClusterConfig& cluster,
                    const ecs::TaskDefinition* first, ServiceConfig& out);
  std::optional<ServiceUpdate> read_update(const Reader& u, const ServiceRuns& runs,
                                           const EcsClusterConfig& cluster,
                                           ecs::SchedulingStrategy strategy);
  std::optional<DrainConfig> read_drain(const Reader& d, const EcsClusterConfig& cluster,
                                        const platform::PlatformConfig& platform);

  std::string path_;
  std::filesystem::path folder_;
  Diagnostics& diagnostics_;
  std::map<std::string, AzId> az_ids_;
  std::map<std::string, std::size_t> cluster_names_;
  std::uint64_t total_instances_ = 0;
  std::vector<appscaling::ScalableTarget> scalable_targets_;
};

}  // namespace ecsim::scenario::detail
