// The `ecsim` command line: validate a scenario, or run it and write its outputs.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
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
#include "ecsim/engine/explain.hpp"
#include "ecsim/engine/report.hpp"
#include "ecsim/scenario/scenario.hpp"
#include "ecsim/sim/suggest.hpp"
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

// The most problems printed for one scenario: beyond them, a count (a file of a million
// misspelt keys needs its first few fixed, not a million lines).
constexpr std::size_t kMostProblemsShown = 200;

std::optional<scenario::Scenario> load_or_report(const std::string& path) {
  scenario::LoadResult loaded = scenario::load_scenario(path);
  const std::vector<scenario::Diagnostic> problems = loaded.diagnostics.sorted();
  for (std::size_t k = 0; k < problems.size() && k < kMostProblemsShown; ++k)
    std::fprintf(stderr, "%s\n", scenario::format_diagnostic(problems[k]).c_str());
  if (problems.size() > kMostProblemsShown)
    std::fprintf(stderr, "%s: ... and %zu more problems not shown\n", path.c_str(),
                 problems.size() - kMostProblemsShown);
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

// For the tests of exit status 3: ECSIM_TEST_FAIL_CHECK_AT=T makes a self-check fail at simulated
// time T in every replication, or only from replication ECSIM_TEST_FAIL_FROM_REPLICATION=R on.
std::optional<SimDuration> test_failure_at(std::uint32_t replication) {
  const char* at = std::getenv("ECSIM_TEST_FAIL_CHECK_AT");
  if (at == nullptr) return std::nullopt;
  if (const char* from = std::getenv("ECSIM_TEST_FAIL_FROM_REPLICATION");
      from != nullptr && replication < std::strtoul(from, nullptr, 10))
    return std::nullopt;
  return parse_duration(at);
}

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
  // The failure of the lowest replication that failed: replications are claimed in order and
  // those under way finish, so which one is reported does not depend on the threads.
  std::mutex failure_mutex;
  std::exception_ptr failure;
  std::uint32_t failed_replication = 0;
  const auto start = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (std::uint32_t r = next++; r < s->replications; r = next++) {
      try {
        engine::RunOptions options;
        options.seed = engine::replication_seed(s->seed, r);
        options.replication = r;
        options.fail_check_at = test_failure_at(r);
        options.horizon = s->duration;
        options.progress = [&progress, r](double f) { progress.update(r, f); };
        report.replications[r] = engine::run_replication(*s, options);
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure || r < failed_replication) {
          failure = std::current_exception();
          failed_replication = r;
        }
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

struct ExplainArgs {
  std::string scenario;
  std::string pod;
  std::string at;
  std::string cluster;
  std::optional<std::uint64_t> seed;
};

// The names of the workloads of the scenario's EKS clusters (only `cluster`'s when given), for
// the message when no pod matched.
std::vector<std::string> workload_names(const scenario::Scenario& s, const std::string& cluster) {
  std::vector<std::string> names;
  for (const scenario::EksClusterConfig& c : s.eks) {
    if (!cluster.empty() && c.name != cluster) continue;
    const auto& m = c.manifests;
    for (const auto& d : m.deployments) names.push_back(d.meta.name);
    for (const auto& d : m.stateful_sets) names.push_back(d.meta.name);
    for (const auto& d : m.daemon_sets) names.push_back(d.meta.name);
    for (const auto& j : c.jobs) names.push_back(j.name);
  }
  // Clusters may share manifests: each name once, in first-seen order.
  std::vector<std::string> unique;
  for (std::string& n : names)
    if (std::find(unique.begin(), unique.end(), n) == unique.end()) unique.push_back(std::move(n));
  return unique;
}

int no_decision(const scenario::Scenario& s, const ExplainArgs& args, SimDuration at) {
  std::string message = fmt::format("ecsim: error: no pod '{}' had a scheduling cycle at or after {}",
                                    args.pod, format_duration(at));
  if (!args.cluster.empty()) message += fmt::format(" in cluster '{}'", args.cluster);
  const std::vector<std::string> workloads = workload_names(s, args.cluster);
  // A pod's name is its workload's and an ordinal: suggest a workload for the first part.
  std::string_view wanted = std::string_view(args.pod).substr(args.pod.find('/') + 1);
  std::string_view ordinal;
  if (const std::size_t dash = wanted.rfind('-'); dash != std::string_view::npos &&
      dash + 1 < wanted.size() &&
      wanted.find_first_not_of("0123456789", dash + 1) == std::string_view::npos) {
    ordinal = wanted.substr(dash);
    wanted = wanted.substr(0, dash);
  }
  if (const auto close = closest_names(wanted, workloads, 1); !close.empty())
    message += fmt::format(" (did you mean '{}{}'?)", close.front(), ordinal);
  if (workloads.empty()) {
    message += "; the scenario has no workloads";
  } else {
    constexpr std::size_t kShown = 8;
    std::string list;
    for (std::size_t k = 0; k < std::min(kShown, workloads.size()); ++k)
      list += (k ? ", " : "") + workloads[k];
    if (workloads.size() > kShown) list += fmt::format(", and {} more", workloads.size() - kShown);
    message += fmt::format("\nworkloads: {}; their pods are named <workload>-<ordinal>, e.g. {}-0",
                           list, workloads.front());
  }
  std::fprintf(stderr, "%s\n", message.c_str());
  return kExitOther;
}

int explain(const ExplainArgs& args) {
  std::optional<scenario::Scenario> s = load_or_report(args.scenario);
  if (!s) return kExitBadInput;
  if (args.seed) s->seed = *args.seed;
  engine::ExplainRequest request{args.pod, {}, args.cluster, true};
  if (!args.at.empty()) {
    std::string why;
    const auto at = parse_duration(args.at, &why);
    if (!at || *at < SimDuration::zero()) {
      std::fprintf(stderr, "ecsim: error: --at: %s\n", at ? "must be 0s or later" : why.c_str());
      return kExitBadInput;
    }
    request.at = *at;
  }
  if (s->eks.empty()) {
    std::fprintf(stderr, "ecsim: error: %s has no EKS cluster: nothing to explain\n",
                 args.scenario.c_str());
    return kExitBadInput;
  }
  if (!args.cluster.empty()) {
    std::vector<std::string> clusters;
    for (const scenario::EksClusterConfig& c : s->eks) clusters.push_back(c.name);
    if (std::find(clusters.begin(), clusters.end(), args.cluster) == clusters.end()) {
      const auto close = closest_names(args.cluster, clusters, 1);
      std::fprintf(stderr, "ecsim: error: --cluster: no EKS cluster '%s'%s\n", args.cluster.c_str(),
                   close.empty() ? "" : fmt::format(" (did you mean '{}'?)", close.front()).c_str());
      return kExitBadInput;
    }
  }
  engine::RunOptions options;
  options.seed = engine::replication_seed(s->seed, 0);
  options.horizon = s->duration;
  options.timeseries = false;
  options.explain = request;
  const engine::ReplicationResult r = engine::run_replication(*s, options);
  if (!r.explanation) return no_decision(*s, args, request.at);
  std::fputs(engine::explain_table(*r.explanation).c_str(), stdout);
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

// A failed check inside a function that cannot throw ends the process here rather than in a
// core dump: the same message and exit status as one caught in main.
[[noreturn]] void on_terminate() {
  if (const std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const InternalError& error) {
      std::fprintf(stderr, "ecsim: %s\n", error.what());
      std::fflush(stderr);
      std::_Exit(kExitInvariant);
    } catch (const std::bad_alloc&) {
      std::fputs("ecsim: error: out of memory\n", stderr);
      std::_Exit(kExitOther);
    } catch (...) {
    }
  }
  std::fputs("ecsim: internal error: the process was terminated; this is a bug in ecsim, please "
             "report it with the scenario and this message\n",
             stderr);
  std::_Exit(kExitInvariant);
}

}  // namespace

int main(int argc, char** argv) {
  std::set_terminate(on_terminate);
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

  ExplainArgs explain_args;
  CLI::App* explain_cmd = app.add_subcommand(
      "explain", "Show why a pod landed where it did: every node's filters and scores");
  explain_cmd->add_option("scenario", explain_args.scenario, "Scenario YAML file")->required();
  explain_cmd->add_option("--pod", explain_args.pod,
                          "Pod (<workload>-<ordinal>) or workload, as NAME or NAMESPACE/NAME")
      ->required();
  explain_cmd->add_option("--at", explain_args.at,
                          "The first scheduling cycle at or after this time, e.g. 2h (default 0s)");
  explain_cmd->add_option("--cluster", explain_args.cluster, "EKS cluster (default: any)");
  explain_cmd->add_option("--seed", explain_args.seed, "Root random seed (overrides the scenario's)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  try {
    if (*run_cmd) return run(args);
    if (*validate_cmd) return validate(validate_path);
    if (*explain_cmd) return explain(explain_args);
    std::fputs(app.help().c_str(), stdout);
    return kExitOk;
  } catch (const InternalError& e) {
    std::fprintf(stderr, "ecsim: %s\n", e.what());
    return kExitInvariant;
  } catch (const std::bad_alloc&) {
    std::fputs("ecsim: error: out of memory\n", stderr);
    return kExitOther;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ecsim: error: %s\n", e.what());
    return kExitOther;
  }
}
