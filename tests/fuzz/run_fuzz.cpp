// A scenario that loads is simulated: the input is a bundle (see fuzz_support.hpp); when it
// loads and its estimate is small (at most 200,000 events and 64 MiB), one replication runs over
// at most a day. Contract: the run ends, with every self-check passed; nothing else happens.

#include <algorithm>
#include <chrono>

#include "ecsim/engine/engine.hpp"
#include "ecsim/engine/estimate.hpp"
#include "ecsim/scenario/scenario.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ecsim;
  scenario::LoadResult loaded = scenario::load_scenario(fuzz::write_bundle(data, size));
  fuzz::check_loaded(loaded);
  if (!loaded.scenario) return 0;
  scenario::Scenario& s = *loaded.scenario;
  s.duration = std::min<SimDuration>(s.duration, std::chrono::hours(24));
  s.replications = 1;
  const engine::RunEstimate estimate = engine::estimate_run(s, 1);
  if (estimate.events > 200'000 || estimate.peak_bytes > 64.0 * (1 << 20)) return 0;
  engine::RunOptions options;
  options.horizon = s.duration;
  try {
    const engine::ReplicationResult r = engine::run_replication(s, options);
    fuzz::require(r.tasks.lost() == 0, "no task is lost");
  } catch (const InternalError& e) {
    fuzz::require(false, "the run passes its self-checks", e.what());
  }
  return 0;
}
