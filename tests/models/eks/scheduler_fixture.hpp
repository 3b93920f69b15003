#pragma once

// Small clusters for the scheduler tests: nodes by name and zone, pods by their requests.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "ecsim/eks/scheduler.hpp"

namespace ecsim::eks::test {

inline constexpr std::int64_t kGi = 1024LL * 1024 * 1024;

/// "n" followed by `i` (built by appending: GCC 12 misreports "n" + std::to_string(i)).
inline std::string numbered(std::size_t i) {
  std::string s = "n";
  s += std::to_string(i);
  return s;
}

/// A node `name` in zone `zone` with `cpu` millicores, `memory` bytes and room for 110 pods.
inline NodeSpec node(const std::string& name, const std::string& zone, std::int64_t cpu,
                     std::int64_t memory) {
  NodeSpec n;
  n.name = name;
  n.labels = {{"topology.kubernetes.io/zone", zone}};
  n.cpu_millis = cpu;
  n.memory_bytes = memory;
  return n;
}

/// A pod in namespace default requesting `cpu` millicores and `memory` bytes, labelled.
inline PodDescription pod(std::int64_t cpu, std::int64_t memory, Labels labels = {}) {
  PodDescription p;
  p.spec.requests = {cpu, memory};
  p.labels = std::move(labels);
  return p;
}

/// A scheduler with the default profile and seed 1.
inline Scheduler scheduler(std::vector<Profile> profiles = {Profile{}}) {
  return Scheduler{RandomStream{1}, std::move(profiles)};
}

/// A scheduler with nodes n0, n1, n2 in zones `z0`, `z1`, `z2`, each with `cpu` millicores and
/// `memory` bytes.
inline Scheduler three_nodes(const char* z0, const char* z1, const char* z2, std::int64_t cpu,
                             std::int64_t memory) {
  Scheduler s = scheduler();
  s.add_node(node("n0", z0, cpu, memory));
  s.add_node(node("n1", z1, cpu, memory));
  s.add_node(node("n2", z2, cpu, memory));
  return s;
}

/// A pod (anti-)affinity term on pods labelled app=`app` over topology key `key`.
inline PodAffinityTerm app_term(const std::string& app, const std::string& key) {
  PodAffinityTerm term;
  term.selector.match_labels = {{"app", app}};
  term.topology_key = key;
  return term;
}

/// The verdict of node `n` in `ex`.
inline const NodeVerdict& verdict(const Explanation& ex, NodeIndex n) {
  for (const NodeVerdict& v : ex.nodes)
    if (v.node == n) return v;
  throw std::runtime_error("no verdict for that node");
}

/// The details of score plugin `p` for node `n`.
inline const ScoreDetail& score_of(const Explanation& ex, NodeIndex n, Plugin p) {
  for (std::size_t i = 0; i < kScorePlugins.size(); ++i)
    if (kScorePlugins[i] == p) return verdict(ex, n).scores[i];
  throw std::runtime_error("not a score plugin");
}

}  // namespace ecsim::eks::test
