// The Horizontal Pod Autoscaler's arithmetic against cases worked by hand from the
// kube-controller-manager's code (ecsim/hpa/hpa.hpp names the functions).

#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "ecsim/hpa/hpa.hpp"

namespace ecsim::test {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr SimTime kNow = kSimStart + std::chrono::hours(1);

// A pod running for 10 minutes, Ready since 1 minute after its start, with a sample.
hpa::Pod running(double usage, double request = 500) {
  hpa::Pod p;
  p.ready = true;
  p.has_metric = true;
  p.started = kNow - minutes(10);
  p.ready_changed = p.started + minutes(1);
  p.metric_time = kNow;
  p.metric_window = seconds(30);
  p.usage = usage;
  p.request = request;
  return p;
}

hpa::Pod pending() {
  hpa::Pod p;
  p.pending = true;
  p.request = 500;
  return p;
}

}  // namespace

TEST_CASE("the HPA proposes ceil(ready pods x utilisation / target) outside the tolerance", "[hpa]") {
  // 4 pods at 400m of 500m: 80% against 50%, ratio 1.6: ceil(6.4) = 7.
  std::vector<hpa::Pod> pods(4, running(400));
  CHECK(hpa::resource_replicas(4, pods, 50, kNow) == 7);
  // 270m of 500m: 54%, ratio 1.08, within 0.1: no change.
  pods.assign(4, running(270));
  CHECK(hpa::resource_replicas(4, pods, 50, kNow) == 4);
  // 299m: 59.8% truncates to 59%, ratio 1.18: ceil(4.72) = 5.
  pods.assign(4, running(299));
  CHECK(hpa::resource_replicas(4, pods, 50, kNow) == 5);
  // No ready pod has a sample.
  pods.assign(2, pending());
  CHECK_FALSE(hpa::resource_replicas(2, pods, 50, kNow).has_value());
}

TEST_CASE("the HPA counts missing pods at 100% on a scale-down and unready ones at 0% on a scale-up", "[hpa]") {
  // 3 pods at 100m of 500m (20%) and one without a sample, target 80%: ratio 0.25, a
  // scale-down, so the missing pod counts at 500m: 800m of 2000m = 40%, ratio 0.5: ceil(2) = 2.
  std::vector<hpa::Pod> pods(3, running(100));
  hpa::Pod missing = running(0);
  missing.has_metric = false;
  pods.push_back(missing);
  CHECK(hpa::resource_replicas(4, pods, 80, kNow) == 2);
  // 2 pods at 450m (90%) and 2 pending, target 30%: ratio 3, a scale-up, so the pending pods
  // count at 0: 900m of 2000m = 45%, ratio 1.5: ceil(6) = 6.
  pods = {running(450), running(450), pending(), pending()};
  CHECK(hpa::resource_replicas(4, pods, 30, kNow) == 6);
  // The same against 50%: ratio 1.8, then 0.9: the direction would turn round, so no change.
  CHECK(hpa::resource_replicas(4, pods, 50, kNow) == 4);
}

TEST_CASE("the HPA ignores a CPU sample taken too soon after a pod became ready", "[hpa]") {
  hpa::Pod p = running(100);
  p.started = kNow - minutes(1);  // within the 5-minute CPU initialisation period
  p.ready_changed = kNow - seconds(20);
  p.metric_window = seconds(30);  // the window began before the pod was ready
  CHECK(hpa::classify_cpu_pod(p, kNow) == hpa::PodClass::kIgnored);
  p.ready_changed = kNow - seconds(40);
  CHECK(hpa::classify_cpu_pod(p, kNow) == hpa::PodClass::kReady);
  // After the initialisation period: an unready pod that was once ready counts; one never
  // ready (its last change within 30 s of its start) does not.
  hpa::Pod q = running(100);
  q.ready = false;
  q.ready_changed = q.started + minutes(5);
  CHECK(hpa::classify_cpu_pod(q, kNow) == hpa::PodClass::kReady);
  q.ready_changed = q.started + seconds(10);
  CHECK(hpa::classify_cpu_pod(q, kNow) == hpa::PodClass::kIgnored);
  q.stopped = true;
  CHECK(hpa::classify_cpu_pod(q, kNow) == hpa::PodClass::kSkipped);
}

TEST_CASE("the HPA's default scale-up adds the larger of 4 pods and 100% per 15 s", "[hpa]") {
  hpa::Behavior b(1, 100);
  // 2 replicas, 20 proposed: max(2 + 4, 2 x 2) = 6.
  CHECK(b.decide(kNow, 2, 20) == 6);
  // 5 s later the 4 added count: the period began at 2, so the limit is still 6.
  CHECK(b.decide(kNow + seconds(5), 6, 20) == 6);
  // 15 s later that event has left the period: max(6 + 4, 12) = 12.
  CHECK(b.decide(kNow + seconds(15), 6, 20) == 12);
}

TEST_CASE("the HPA scales down only to the highest proposal of the last 300 s", "[hpa]") {
  hpa::Behavior b(1, 10);
  CHECK(b.decide(kNow, 5, 5) == 5);
  CHECK(b.decide(kNow + seconds(15), 5, 2) == 5);   // 5 was proposed within the window
  CHECK(b.decide(kNow + seconds(299), 5, 2) == 5);
  // At 300 s the proposal of 5 has left the window (only later ones count): 2.
  CHECK(b.decide(kNow + seconds(300), 5, 2) == 2);
}

TEST_CASE("the HPA brings a target outside min and max replicas back within them", "[hpa]") {
  hpa::Behavior b(2, 10);
  CHECK(b.decide(kNow, 12, 12) == 10);
  CHECK(b.decide(kNow, 1, 1) == 2);
  CHECK(b.decide(kNow, 0, 5) == 0);  // scaling is disabled at 0 replicas
  // A proposal above max is held at max; a policy of selectPolicy Disabled holds scale-up.
  hpa::ScalingRules off = hpa::default_scale_up();
  off.select = hpa::ScalingRules::Select::kDisabled;
  hpa::Behavior held(1, 10, off);
  CHECK(held.decide(kNow, 3, 8) == 3);
  CHECK(b.decide(kNow + seconds(30), 8, 50) == 10);
}

TEST_CASE("the HPA's scale-down policies limit the pods removed per period", "[hpa]") {
  // No window, at most 1 pod per 60 s or 50% per 60 s: Max takes the larger change, Min the
  // smaller.
  hpa::ScalingRules down;
  down.policies = {{hpa::Policy::Type::kPods, 1, seconds(60)},
                   {hpa::Policy::Type::kPercent, 50, seconds(60)}};
  hpa::Behavior most(1, 10, hpa::default_scale_up(), down);
  // 8 replicas, 1 proposed: max(8 - 1, 8 x 0.5) as a change: down to 4.
  CHECK(most.decide(kNow, 8, 1) == 4);
  // 30 s later the period began at 8: the limit is still 4.
  CHECK(most.decide(kNow + seconds(30), 4, 1) == 4);
  // 60 s later: from 4, down to 2.
  CHECK(most.decide(kNow + seconds(60), 4, 1) == 2);
  down.select = hpa::ScalingRules::Select::kMin;
  hpa::Behavior least(1, 10, hpa::default_scale_up(), down);
  CHECK(least.decide(kNow, 8, 1) == 7);  // the smaller change: 1 pod
}

}  // namespace ecsim::test

namespace ecsim::test {

TEST_CASE("the HPA's average-value target and its memory metric", "[hpa]") {
  // AverageValue 200m: 4 pods using 300m each, ratio 300 / 200 = 1.5 (no truncation to a
  // percent): ceil(1.5 x 4) = 6.
  std::vector<hpa::Pod> pods(4, running(300));
  const hpa::Target raw{hpa::Resource::kCpu, false, 200};
  CHECK(hpa::resource_replicas(4, pods, raw, kNow) == 6);
  // A missing pod on a scale-down counts at the target value: 3 pods at 50m and one missing,
  // target 200m: ratio 0.25, then (150 + 200) / (4 x 200) = 0.4375: ceil(1.75) = 2.
  pods.assign(3, running(50));
  hpa::Pod missing = running(0);
  missing.has_metric = false;
  pods.push_back(missing);
  CHECK(hpa::resource_replicas(4, pods, raw, kNow) == 2);
  // Memory has no initialisation period: a pod Ready 10 s ago, within a 30 s window of its
  // readiness change, is ignored for CPU but counted for memory. Two pods at 200Mi of 256Mi:
  // floor(400 / 512 x 100) = 78% against 50%: ceil(1.56 x 2) = 4.
  const double mib = 1024.0 * 1024.0;
  hpa::Pod old_pod = running(200 * mib, 256 * mib);
  hpa::Pod new_pod = old_pod;
  new_pod.started = kNow - minutes(1);
  new_pod.ready_changed = kNow - seconds(10);
  pods = {old_pod, new_pod};
  CHECK(hpa::classify_pod(new_pod, hpa::Resource::kCpu, kNow) == hpa::PodClass::kIgnored);
  CHECK(hpa::classify_pod(new_pod, hpa::Resource::kMemory, kNow) == hpa::PodClass::kReady);
  CHECK(hpa::resource_replicas(2, pods, hpa::Target{hpa::Resource::kMemory, true, 50},
                                   kNow) == 4);
}

TEST_CASE("the HPA's first reconcile counts the current replicas as a recommendation", "[hpa]") {
  // recordInitialRecommendation: 4 replicas at the first sync; every later proposal is 1. The
  // default 300 s scale-down window keeps the 4 while it is within the window (recommendations
  // after now - 300 s): until 285 s later; at 300 s it has left it.
  hpa::Behavior b(1, 10);
  b.record_initial(kNow, 4);
  b.record_initial(kNow + seconds(15), 9);  // only the first counts
  CHECK(b.decide(kNow + seconds(15), 4, 1) == 4);
  CHECK(b.decide(kNow + seconds(285), 4, 1) == 4);
  CHECK(b.decide(kNow + seconds(300), 4, 1) == 1);
}

}  // namespace ecsim::test

namespace ecsim::test {

TEST_CASE("the HPA's arithmetic over counted pods is the per-pod arithmetic", "[hpa]") {
  // Worked: 6 sampled pods of 500m at 100m (20%) and 2 missing, target 50%: ratio 0.4, a
  // scale-down, so the missing pods count at 500m each: 1600m of 4000m = 40%, ratio 0.8:
  // ceil(0.8 x 8) = 7 (within min and direction).
  const std::vector<hpa::PodGroup> worked{{500, 6, 0, 2}};
  CHECK(hpa::grouped_replicas(8, worked, hpa::Target{hpa::Resource::kCpu, true, 50}, 100) == 7);
  // The same pods one by one, and random mixes of two requests, pending, missing and sampled
  // pods under both kinds of target: integral samples and requests, so both sums are exact and
  // the two must agree exactly.
  std::mt19937 rng(7);
  const auto draw = [&](int n) { return static_cast<std::int64_t>(rng() % static_cast<unsigned>(n + 1)); };
  for (int round = 0; round < 2000; ++round) {
    std::vector<hpa::PodGroup> groups{{static_cast<double>(100 + 50 * draw(8)), draw(20), draw(3), draw(3)},
                                         {static_cast<double>(100 + 50 * draw(8)), draw(5), draw(2), draw(2)}};
    const double usage = static_cast<double>(draw(900));
    const hpa::Target target{hpa::Resource::kCpu, round % 3 != 0, round % 3 != 0 ? 60.0 : 300.0};
    std::vector<hpa::Pod> pods;
    for (const hpa::PodGroup& g : groups) {
      for (std::int64_t k = 0; k < g.ready; ++k) pods.push_back(running(usage, g.request));
      for (std::int64_t k = 0; k < g.ignored; ++k) {
        hpa::Pod p = pending();
        p.request = g.request;
        pods.push_back(p);
      }
      for (std::int64_t k = 0; k < g.missing; ++k) {
        hpa::Pod p = running(0, g.request);
        p.has_metric = false;
        pods.push_back(p);
      }
    }
    const auto current = static_cast<std::int32_t>(pods.size() + static_cast<std::size_t>(draw(3)));
    INFO("round " << round);
    CHECK(hpa::grouped_replicas(current, groups, target, usage) ==
          hpa::resource_replicas(current, pods, target, kNow));
  }
}

}  // namespace ecsim::test
