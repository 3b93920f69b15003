// The `ecsim` command line: validate a scenario, or run it and write its outputs.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "ecsim/engine/engine.hpp"
#include "ecsim/engine/report.hpp"
#include "ecsim/scenario/scenario.hpp"
#include "ecsim/sim/time.hpp"

namespace {

using namespace ecsim;

constexpr const char* kAbout =
    "ecsim: a discrete-event simulator of AWS ECS and EKS clusters. It replays workload "
    "scenarios against modelled EC2 instances, Fargate capacity, availability zones, ECS "
    "services and the Kubernetes scheduler in virtual time, deterministically.";

// Exit statuses of the output contract.
constexpr int kExitOk = 0;
constexpr int kExitOther = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitInvariant = 3;

std::optional<scenario::Scenario> load_or_report(const std::string& path) {
  scenario::LoadResult loaded = scenario::load_scenario(path);
  for (const scenario::Diagnostic& d : loaded.diagnostics.sorted())
    std::fprintf(stderr, "%s\n", scenario::format_diagnostic(d).c_str());
  if (!loaded.scenario) {
    const std::size_t n = loaded.diagnostics.all().size();
    std::fprintf(stderr, "%s: %zu problem%s found; nothing was run\n", path.c_str(), n,
                 n == 1 ? "" : "s");
  }
  return std::move(loaded.scenario);
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", path.string()));
}

// Progress on stderr, only on a terminal and only once a run has taken more than a second.
class Progress {
 public:
  Progress(bool enabled, std::size_t replications)
      : enabled_(enabled && isatty(STDERR_FILENO) == 1),
        done_(replications),
        start_(std::chrono::steady_clock::now()) {
    for (auto& d : done_) d = 0;
  }

  void update(std::size_t replication, double fraction) {
    if (!enabled_) return;
    done_[replication] = fraction;
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(200))
      return;
    last_ = now;
    double sum = 0;
    for (const auto& d : done_) sum += d;
    std::fprintf(stderr, "\r[%5.1f%%] simulating...", 100.0 * sum / static_cast<double>(done_.size()));
    std::fflush(stderr);
    shown_ = true;
  }

  void finish() {
    if (shown_) std::fprintf(stderr, "\r%30s\r", "");
  }

 private:
  bool enabled_;
  std::vector<std::atomic<double>> done_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_{};
  std::mutex mutex_;
  bool shown_ = false;
};

struct RunArgs {
  std::string scenario;
  std::optional<std::uint64_t> seed;
  std::optional<std::uint32_t> replications;
  std::uint32_t jobs = 0;
  std::string until;
  std::string out;
  std::string summary_json;
  bool quiet = false;
};

int run(const RunArgs& args) {
  std::optional<scenario::Scenario> s = load_or_report(args.scenario);
  if (!s) return kExitBadInput;
  if (args.seed) s->seed = *args.seed;
  if (args.replications) s->replications = *args.replications;
  if (!args.until.empty()) {
    std::string why;
    const auto until = parse_duration(args.until, &why);
    if (!until || *until <= SimDuration::zero()) {
      std::fprintf(stderr, "ecsim: error: --until: %s\n",
                   until ? "must be longer than 0s" : why.c_str());
      return kExitBadInput;
    }
    s->duration = *until;
  }
  // Say what the run leaves out rather than let a user believe it happened.
  for (const scenario::EksClusterConfig& c : s->eks) {
    if (!c.operations.empty())
      std::fprintf(stderr,
                   "ecsim: note: cluster '%s': %zu EKS operation(s) (node group updates, cordons, "
                   "drains) are read but not simulated yet\n",
                   c.name.c_str(), c.operations.size());
  }
  const std::uint32_t jobs = std::max<std::uint32_t>(
      1, std::min(s->replications, args.jobs > 0 ? args.jobs
                                                 : std::max(1u, std::thread::hardware_concurrency())));

  engine::RunReport report;
  report.scenario = &*s;
  report.seed = s->seed;
  report.version = ECSIM_VERSION;
  report.replications.resize(s->replications);
  Progress progress(!args.quiet, s->replications);
  std::atomic<std::uint32_t> next{0};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  const auto start = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (std::uint32_t r = next++; r < s->replications; r = next++) {
      try {
        engine::RunOptions options;
        options.seed = engine::replication_seed(s->seed, r);
        options.horizon = s->duration;
        options.progress = [&progress, r](double f) { progress.update(r, f); };
        report.replications[r] = engine::run_replication(*s, options);
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = s->replications;
      }
    }
  };
  std::vector<std::thread> threads;
  for (std::uint32_t t = 1; t < jobs; ++t) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  progress.finish();
  if (failure) std::rethrow_exception(failure);
  report.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const std::string summary = engine::summary_json(report);
  const std::filesystem::path out =
      args.out.empty() ? std::filesystem::path("out") / s->name : std::filesystem::path(args.out);
  std::filesystem::create_directories(out);
  write_file(out / "summary.json", summary);
  write_file(out / "timeseries.csv", engine::timeseries_csv(report));
  if (args.summary_json == "-") std::fputs(summary.c_str(), stdout);
  else if (!args.summary_json.empty()) write_file(args.summary_json, summary);
  if (!args.quiet) {
    std::FILE* to = args.summary_json == "-" ? stderr : stdout;
    std::fputs(engine::terminal_summary(report).c_str(), to);
    std::fprintf(to, "outputs: %s\n", (out / "summary.json").string().c_str());
  }
  return kExitOk;
}

int validate(const std::string& path) {
  const std::optional<scenario::Scenario> s = load_or_report(path);
  if (!s) return kExitBadInput;
  std::size_t jobs = 0;
  std::size_t services = 0;
  for (const auto& c : s->ecs) {
    jobs += c.jobs.size();
    services += c.services.size();
  }
  std::size_t node_groups = 0;
  std::size_t workloads = 0;
  std::size_t operations = 0;
  for (const auto& c : s->eks) {
    const auto& m = c.manifests;
    node_groups += c.config.node_groups.size();
    workloads +=
        m.deployments.size() + m.stateful_sets.size() + m.daemon_sets.size() + m.jobs.size();
    operations += c.operations.size();
  }
  std::printf(
      "%s: ok (%s, %zu zones, %zu ECS clusters, %zu jobs, %zu services, %zu EKS clusters, %zu "
      "node groups, %zu workloads, %zu faults)\n",
      path.c_str(), format_duration(s->duration).c_str(), s->platform.azs.size(), s->ecs.size(),
      jobs, services, s->eks.size(), node_groups, workloads,
      s->platform.faults.size() + s->platform.failure_processes.size() + operations);
  // What the manifests held that ecsim does not simulate (Services, ConfigMaps, ...).
  for (const auto& c : s->eks)
    for (const std::string& note : c.manifests.notes) std::printf("%s\n", note.c_str());
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{kAbout, "ecsim"};
  app.set_version_flag("--version", std::string("ecsim ") + ECSIM_VERSION);
  app.footer("Exit status: 0 done; 2 bad input; 3 an invariant was violated; 1 anything else.");
  app.require_subcommand(0, 1);

  RunArgs args;
  CLI::App* run_cmd = app.add_subcommand("run", "Simulate a scenario and write its outputs");
  run_cmd->add_option("scenario", args.scenario, "Scenario YAML file")->required();
  run_cmd->add_option("--seed", args.seed, "Root random seed (overrides the scenario's)");
  run_cmd->add_option("--replications", args.replications, "Independent replications")
      ->check(CLI::Range(1, 10000));
  run_cmd->add_option("--jobs", args.jobs, "Replications run in parallel (default: cores)")
      ->check(CLI::Range(1, 1024));
  run_cmd->add_option("--until", args.until, "Simulated time to run, e.g. 6h (overrides duration)");
  run_cmd->add_option("--out", args.out, "Folder for summary.json and timeseries.csv (default out/NAME)");
  run_cmd->add_option("--summary-json", args.summary_json, "Also write summary.json to FILE, or - for stdout");
  run_cmd->add_flag("--quiet", args.quiet, "No terminal summary and no progress");

  std::string validate_path;
  CLI::App* validate_cmd = app.add_subcommand("validate", "Check a scenario and report every problem");
  validate_cmd->add_option("scenario", validate_path, "Scenario YAML file")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  try {
    if (*run_cmd) return run(args);
    if (*validate_cmd) return validate(validate_path);
    std::fputs(app.help().c_str(), stdout);
    return kExitOk;
  } catch (const engine::InvariantViolation& e) {
    std::fprintf(stderr, "ecsim: invariant violated: %s\n", e.what());
    return kExitInvariant;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ecsim: error: %s\n", e.what());
    return kExitOther;
  }
}
