#pragma once

// Reading Kubernetes manifests (multi-document YAML) into eks::Manifests, with the checks the
// API server would make. Private to models/scenario.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "ecsim/eks/cluster_spec.hpp"
#include "ecsim/eks/node_group.hpp"
#include "ecsim/eks/objects.hpp"
#include "ecsim/scenario/diagnostics.hpp"
#include "yaml_reader.hpp"

namespace ecsim::scenario::detail {

/// The objects of one cluster's manifest files, read one file at a time; keeps where each came
/// from for the checks across files and against the scenario.
class ManifestReader {
 public:
  /// A reader reporting into `diagnostics`, which must outlive it.
  explicit ManifestReader(Diagnostics& diagnostics) : diagnostics_(diagnostics) {}

  /// Reads every document of the file at `path`; a missing or malformed file is reported at
  /// `referenced_from` under `field`, every other problem at its place in the file.
  void read_file(const std::string& path, const SourceLocation& referenced_from,
                 const std::string& field);
  /// Reads every document of a parsed stream (all of one file).
  void read(const std::vector<Document>& documents);
  /// The checks that span files: each priorityClassName names a PriorityClass (or a built-in
  /// one), at most one PriorityClass is the global default.
  void check();
  /// Reports each pod spec whose schedulerName is neither default-scheduler nor `profile` (the
  /// cluster's scheduler profile): no scheduler ecsim runs would place its pods.
  void check_scheduler_names(std::string_view profile);
  /// Reports each pod template a Fargate profile of `profiles` takes that Fargate cannot run:
  /// larger than its largest size, or binding a hostPort.
  void check_fargate(const std::vector<eks::FargateProfile>& profiles);
  /// NodePools naming EKS Auto Mode's NodeClass need the cluster to run Auto Mode with a
  /// built-in NodePool (its NodeClass 'default'), and none may take a built-in one's name.
  void check_auto_mode(const eks::ClusterConfig& config);
  /// Reports each pod template with pod-level resources, for a cluster of Kubernetes `version`
  /// (earlier than 1.34), where the feature is off.
  void check_pod_level_resources(std::string_view version);

  /// What was read so far; objects with problems are kept, as best read.
  [[nodiscard]] const eks::Manifests& manifests() const { return out_; }
  /// Moves the objects out.
  /// The flags of the manifests' cluster-autoscaler Deployment, if they hold one, and where.
  [[nodiscard]] const std::optional<eks::ClusterAutoscalerConfig>& cluster_autoscaler() const {
    return cluster_autoscaler_;
  }
  [[nodiscard]] const std::optional<Reader>& cluster_autoscaler_at() const {
    return cluster_autoscaler_at_;
  }
  eks::Manifests take() { return std::move(out_); }
  /// Where the i-th Job of manifests().jobs is (its metadata.name).
  [[nodiscard]] const Reader& job_place(std::size_t i) const { return job_places_.at(i); }

 private:
  void read_object(const Reader& o);
  void read_kind(const Reader& o, const std::string& kind, const std::string& api_version);
  eks::ObjectMeta read_meta(const Reader& o, const std::string& kind, bool namespaced);
  eks::PodTemplate read_template(const Reader& spec, bool job);
  /// A Deployment, StatefulSet or DaemonSet: metadata, replicas, selector and pod template.
  template <class Workload>
  Workload read_workload(const Reader& spec, eks::ObjectMeta meta, std::string_view kind);
  void read_priority_class(const Reader& o, eks::ObjectMeta meta);
  void read_quota_scopes(const Reader& spec, eks::ResourceQuota& q);
  eks::Job read_job(const Reader& spec, eks::ObjectMeta meta);
  eks::CronSpec read_cron(const Reader& spec);
  void read_autoscaler(const Reader& o, eks::ObjectMeta meta, const std::string& api_version);
  void read_node_pool(const Reader& spec, eks::ObjectMeta meta);
  void read_cluster_autoscaler(const Reader& spec, const eks::ObjectMeta& meta);

  Diagnostics& diagnostics_;
  eks::Manifests out_;
  std::vector<Reader> job_places_;
  // (kind, namespace, name) of every object read, with where it was: names are unique.
  std::map<std::tuple<std::string, std::string, std::string>, SourceLocation> seen_;
  // Each pod template's priorityClassName, where it was given.
  std::vector<std::pair<std::string, Reader>> priority_uses_;
  std::vector<std::pair<std::string, Reader>> scheduler_uses_;  ///< spec.schedulerName given
  std::vector<Reader> global_defaults_;
  /// The pod template of every object that has one: its kind and name, namespace, the
  /// template and the object, for the checks against the cluster (Fargate, the version).
  struct PodPlace {
    std::string what;  ///< its kind and name ("Deployment web")
    std::string name_space;
    eks::PodTemplate pod;
    Reader at;
    bool daemon_set = false;
  };
  std::vector<PodPlace> pod_places_;
  std::vector<Reader> node_class_refs_;      ///< each NodePool's nodeClassRef.name, in order
  std::vector<std::string> node_class_names_;  ///< the EC2NodeClasses read
  std::vector<Reader> autoscaler_targets_;  ///< each HPA's scaleTargetRef.name, in order
  /// A cluster-autoscaler Deployment's flags, and where its container was.
  std::optional<eks::ClusterAutoscalerConfig> cluster_autoscaler_;
  std::optional<Reader> cluster_autoscaler_at_;
};

}  // namespace ecsim::scenario::detail
