// Pod names and explained scheduling decisions (RunOptions::explain), on the scenarios of
// tests/scenarios/eks/engine.

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "ecsim/engine/explain.hpp"
#include "ecsim/engine/report.hpp"
#include "engine_test_support.hpp"

namespace ecsim::test {
namespace {

/// One replication of `s` explaining the first cycle of `pod` at or after `when`.
engine::ReplicationResult run_explaining(const scenario::Scenario& s, std::string pod,
                                         SimDuration when = {}) {
  engine::RunOptions options;
  options.seed = 1;
  options.horizon = s.duration;
  options.explain = engine::ExplainRequest{std::move(pod), when, {}};
  return engine::run_replication(s, options);
}

/// summary.json of one replication, without the machine's timings.
std::string summary_of(const scenario::Scenario& s, const engine::ReplicationResult& r) {
  engine::RunReport report;
  report.scenario = &s;
  report.seed = 1;
  report.replications = {r};
  return engine::summary_json(report, false);
}

const engine::NodeExplanation* chosen_node(const engine::ExplainResult& x) {
  const auto it = std::find_if(x.nodes.begin(), x.nodes.end(),
                               [](const engine::NodeExplanation& n) { return n.chosen; });
  return it == x.nodes.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("EKS explain: the chosen node is where the pod was bound, and the run is unchanged") {
  const scenario::Scenario s = load("eks/engine/deployment.yaml");
  const engine::ReplicationResult plain = run_with_timeseries(s);
  const engine::ReplicationResult explained = run_explaining(s, "default/web-2");
  CHECK(summary_of(s, explained) == summary_of(s, plain));
  CHECK(engine::timeseries_csv({&s, 1, {explained}, 0, ""}) ==
        engine::timeseries_csv({&s, 1, {plain}, 0, ""}));
  REQUIRE(explained.explanation);
  const engine::ExplainResult& x = *explained.explanation;
  CHECK(x.cluster == "run");
  CHECK(x.pod == "web-2");
  CHECK(x.workload == "web");
  CHECK(x.kind == "Deployment");
  CHECK(x.name_space == "default");
  CHECK(x.at == at({}));
  CHECK(x.cpu_millis == 500);
  CHECK(x.memory_bytes == 1024 * 1024 * 1024);
  CHECK(x.profile == "default-scheduler");
  CHECK(x.plugins.size() == 6);
  CHECK(x.weights == std::vector<std::int64_t>{3, 2, 2, 2, 1, 1});
  REQUIRE(x.nodes.size() == 3);
  CHECK(x.feasible == 3);
  CHECK(x.outcome == engine::ExplainOutcome::kBound);
  const engine::NodeExplanation* chosen = chosen_node(x);
  REQUIRE(chosen);
  CHECK(chosen->name == x.node);
  for (const engine::NodeExplanation& n : x.nodes) {
    CHECK(n.filter.empty());
    CHECK(n.scored);
    CHECK(n.zone.starts_with("us-east-1"));
    CHECK(n.total <= chosen->total);
    std::int64_t sum = 0;
    for (std::size_t k = 0; k < n.scores.size(); ++k) {
      const engine::PluginScore& p = n.scores[k];
      CHECK(p.weighted == p.normalized * x.weights[k]);
      sum += p.weighted;
    }
    CHECK(sum == n.total);
  }
}

TEST_CASE("EKS explain: a run asked to stop once explained ends there, with the same explanation") {
  const scenario::Scenario s = load("eks/engine/replacement.yaml");
  const engine::ReplicationResult whole = run_explaining(s, "web", std::chrono::minutes(10));
  engine::RunOptions options;
  options.seed = 1;
  options.horizon = s.duration;
  options.explain = engine::ExplainRequest{"web", std::chrono::minutes(10), {}, true};
  const engine::ReplicationResult stopped = engine::run_replication(s, options);
  REQUIRE(whole.explanation);
  REQUIRE(stopped.explanation);
  CHECK(stopped.end == whole.explanation->at);
  CHECK(stopped.end < whole.end);
  CHECK(engine::explain_table(*stopped.explanation) == engine::explain_table(*whole.explanation));
}

TEST_CASE("EKS explain: a node without room is rejected by NodeResourcesFit, and preemption evicts") {
  // One m6i.large (1930m): low (1000m) and db-0 (800m) leave 130m, so db-1 (800m) fits
  // nowhere and preempts low.
  const scenario::Scenario s = load("eks/engine/preemption.yaml");
  const engine::ReplicationResult r = run_explaining(s, "db-1");
  REQUIRE(r.explanation);
  const engine::ExplainResult& x = *r.explanation;
  CHECK(x.kind == "StatefulSet");
  CHECK(x.priority == 1000);
  REQUIRE(x.nodes.size() == 1);
  CHECK(x.nodes[0].filter == "NodeResourcesFit");
  CHECK(x.nodes[0].reason == "Insufficient cpu");
  CHECK_FALSE(x.nodes[0].scored);
  CHECK_FALSE(x.nodes[0].chosen);
  CHECK(x.feasible == 0);
  CHECK(x.outcome == engine::ExplainOutcome::kPreempting);
  CHECK(x.node == x.nodes[0].name);
  CHECK(x.victims == std::vector<std::string>{"default/low-0"});
}

TEST_CASE("EKS explain: a workload's name picks its first pod scheduled at or after the time") {
  const scenario::Scenario s = load("eks/engine/preemption.yaml");
  const engine::ReplicationResult r = run_explaining(s, "db");
  REQUIRE(r.explanation);
  CHECK(r.explanation->pod == "db-0");
  CHECK(r.explanation->outcome == engine::ExplainOutcome::kBound);
  // Nothing is scheduled after 20m, nor is there a pod of that name or namespace.
  CHECK_FALSE(run_explaining(s, "db", std::chrono::minutes(20)).explanation);
  CHECK_FALSE(run_explaining(s, "db-7").explanation);
  CHECK_FALSE(run_explaining(s, "kube-system/db-0").explanation);
  CHECK_FALSE(run_explaining(s, "db-01").explanation);
}

TEST_CASE("EKS explain table: ties, unscored and rejected nodes and the outcome each read as such") {
  engine::ExplainResult x;
  x.cluster = "c";
  x.pod = "web-0";
  x.workload = "web";
  x.kind = "Deployment";
  x.name_space = "default";
  x.cpu_millis = 1500;
  x.memory_bytes = std::int64_t{3} << 29;  // 1.5Gi: shown in Mi
  x.profile = "default-scheduler";
  x.plugins = {"NodeResourcesFit"};
  x.weights = {1};
  const auto scored = [](std::string name, std::int64_t score) {
    engine::NodeExplanation n;
    n.name = std::move(name);
    n.zone = "z";
    n.scored = true;
    n.scores = {engine::PluginScore{score, score, score, false}};
    n.total = score;
    return n;
  };
  engine::NodeExplanation unscored;
  unscored.name = "a-unscored";
  engine::NodeExplanation rejected;
  rejected.name = "a-rejected";
  rejected.filter = "NodeName";
  rejected.reason = "node(s) didn't match the requested node name";
  x.nodes = {rejected, scored("n-low", 40), unscored, scored("n-2", 70), scored("n-1", 70)};
  x.nodes[3].chosen = true;
  x.feasible = 4;
  x.ties = 2;
  x.outcome = engine::ExplainOutcome::kBound;
  x.node = "n-2";
  const std::string text = engine::explain_table(x);
  CHECK_THAT(text, Catch::Contains("requests    cpu 1500m, memory 1536Mi\n"));
  // Best first, ties by name; then the feasible node not scored; then the rejected one.
  const std::size_t n1 = text.find("n-1"), n2 = text.find("n-2"), low = text.find("n-low"),
                    un = text.find("a-unscored"), rej = text.find("a-rejected");
  CHECK(n1 < n2);
  CHECK(n2 < low);
  CHECK(low < un);
  CHECK(un < rej);
  CHECK_THAT(text, Catch::Contains("*  n-2"));
  CHECK_THAT(text, Catch::Contains("70x1=70"));
  CHECK_THAT(text, Catch::Contains("feasible, not scored"));
  CHECK_THAT(text, Catch::Contains("rejected by NodeName: node(s) didn't match the requested node name"));
  CHECK_THAT(text, Catch::EndsWith("4 feasible of 5 nodes; best total 70 on 2 nodes, one drawn at "
                                   "random\noutcome: bound to n-2\n"));
  x.outcome = engine::ExplainOutcome::kUnschedulable;
  CHECK_THAT(engine::explain_table(x),
             Catch::EndsWith("outcome: no node fits and preemption cannot help: unschedulable, "
                             "the pod waits\n"));
}

TEST_CASE("EKS pod names: a StatefulSet's replacement keeps its ordinal, other pods count on") {
  // A node fails at 10m: its db pod is recreated under its own name, its two web pods as the
  // Deployment's 7th and 8th (web-6, web-7), and the new node's agent pod as agent-3.
  const scenario::Scenario s = load("eks/engine/replacement.yaml");
  const auto first_after = [&](const std::string& name) {
    const engine::ReplicationResult r = run_explaining(s, name, std::chrono::minutes(10));
    REQUIRE(r.explanation);
    return r.explanation->pod;
  };
  // Which db pod was on the node that failed: each db pod's node from its first decision, and
  // the node missing from the decisions after the failure.
  std::map<std::string, std::string> db_on;  // node -> db pod bound to it at the start
  for (const char* pod : {"db-0", "db-1", "db-2"}) {
    const engine::ReplicationResult r = run_explaining(s, pod);
    REQUIRE(r.explanation);
    REQUIRE(r.explanation->outcome == engine::ExplainOutcome::kBound);
    db_on[r.explanation->node] = pod;
  }
  REQUIRE(db_on.size() == 3);  // one per node, spread by zone
  const engine::ReplicationResult after = run_explaining(s, "db", std::chrono::minutes(10));
  REQUIRE(after.explanation);
  REQUIRE(after.explanation->nodes.size() == 2);
  for (const engine::NodeExplanation& n : after.explanation->nodes) db_on.erase(n.name);
  REQUIRE(db_on.size() == 1);
  CHECK(after.explanation->pod == db_on.begin()->second);
  CHECK(first_after("web") == "web-6");
  CHECK(first_after("agent") == "agent-3");
  const engine::ReplicationResult before = run_explaining(s, "db");
  REQUIRE(before.explanation);
  CHECK(before.explanation->pod == "db-0");
}

TEST_CASE("EKS eks_nodes: a node with only a DaemonSet pod is not busy") {
  // Three nodes, each with web, db and agent pods until one fails at 10m: its Node is deleted
  // with its pods 50 s later (NotReady after node-monitor-grace-period, its instance gone), the
  // web and db pods are recreated on the two others, and the replacement instance gets only an
  // agent pod. Busy: 3 nodes for 10m50s of 30 minutes, then 2.
  const engine::ReplicationResult r = run_with_timeseries(load("eks/engine/replacement.yaml"));
  REQUIRE(r.eks_nodes.size() == 1);
  const engine::EksNodesResult& n = r.eks_nodes[0];
  CHECK(n.cluster == "run");
  CHECK(n.nodes_at_end == 3);
  CHECK(n.busy_at_end == 2);
  CHECK(n.busy_max == 3);
  const double failed = 10.0 + 50.0 / 60;  // minutes
  CHECK(n.busy_mean == Approx((3.0 * failed + 2.0 * (30 - failed)) / 30));
}

TEST_CASE("EKS scheduling queue: the highest priority first, then the oldest, each after its "
          "back-off") {
  // queue.yaml: one node with room for one of early (priority 0), urgent (1000, never
  // preempting) and late (0), created in that order at 0s.
  const scenario::Scenario s = load("eks/engine/queue.yaml");
  const auto decision = [&](const std::string& pod, SimDuration when) {
    const engine::ReplicationResult r = run_explaining(s, pod, when);
    REQUIRE(r.explanation);
    return *r.explanation;
  };
  // 0s: urgent's cycle comes first though it is younger than early: it binds; early and late
  // find no room and cannot preempt (lower priority).
  const engine::ExplainResult urgent = decision("urgent-0", {});
  CHECK(urgent.at == at(std::chrono::seconds(0)));
  CHECK(urgent.outcome == engine::ExplainOutcome::kBound);
  for (const char* pod : {"early-0", "late-0"}) {
    INFO(pod);
    const engine::ExplainResult first = decision(pod, {});
    CHECK(first.at == at(std::chrono::seconds(0)));
    CHECK(first.outcome == engine::ExplainOutcome::kUnschedulable);
  }
  // urgent is scaled to 0 at 500ms, which frees the room; both wait out their first back-off
  // (1 s), then the older, early, goes first and binds; late fails again.
  const engine::ExplainResult early = decision("early-0", std::chrono::milliseconds(100));
  CHECK(early.at == at(std::chrono::seconds(1)));
  CHECK(early.outcome == engine::ExplainOutcome::kBound);
  const engine::ExplainResult late = decision("late-0", std::chrono::milliseconds(100));
  CHECK(late.at == at(std::chrono::seconds(1)));
  CHECK(late.outcome == engine::ExplainOutcome::kUnschedulable);
  // Nothing changes after that: late waits, with no other cycle to the end.
  CHECK_FALSE(run_explaining(s, "late-0", std::chrono::milliseconds(1001)).explanation);
}

}  // namespace ecsim::test
