// The `ecsim` command line: validate a scenario, or run it and write its outputs.

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "ecsim/engine/engine.hpp"
#include "ecsim/engine/estimate.hpp"
#include "ecsim/engine/explain.hpp"
#include "ecsim/engine/report.hpp"
#include "ecsim/eks/fargate.hpp"
#include "ecsim/scenario/scenario.hpp"
#include "ecsim/sim/suggest.hpp"
#include "ecsim/sim/time.hpp"
#include "options.hpp"
#include "outputs.hpp"
#include "system.hpp"

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

std::optional<scenario::Scenario> load_or_report(const std::string& path,
                                                std::vector<scenario::Diagnostic>* notes = nullptr) {
  scenario::LoadResult loaded = scenario::load_scenario(path);
  if (notes) *notes = loaded.diagnostics.notes();
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

// Progress on stderr, only on a terminal and only once a run has taken more than a second: the
// share of simulated time done over every replication, events per second and the time left.
class Progress {
 public:
  Progress(bool enabled, std::size_t replications)
      : enabled_(enabled && isatty(STDERR_FILENO) == 1),
        done_(replications),
        events_(replications),
        start_(std::chrono::steady_clock::now()) {
    for (auto& d : done_) d = 0;
    for (auto& e : events_) e = 0;
  }

  void update(std::size_t replication, double fraction, std::uint64_t events) {
    if (!enabled_) return;
    done_[replication] = fraction;
    events_[replication] = events;
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(200))
      return;
    last_ = now;
    double sum = 0;
    for (const auto& d : done_) sum += d;
    double handled = 0;
    for (const auto& e : events_) handled += static_cast<double>(e.load());
    const double share = sum / static_cast<double>(done_.size());
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double left = share > 0 ? elapsed * (1 - share) / share : 0;
    std::fprintf(stderr, "\r[%5.1f%%] %.2f M events/s, %s left   ", 100.0 * share,
                 handled / elapsed / 1e6,
                 format_duration(std::chrono::seconds(static_cast<std::int64_t>(left))).c_str());
    std::fflush(stderr);
    shown_ = true;
  }

  void finish() {
    if (shown_) std::fprintf(stderr, "\r%60s\r", "");
  }

 private:
  bool enabled_;
  std::vector<std::atomic<double>> done_;
  std::vector<std::atomic<std::uint64_t>> events_;
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

// Refused with exit status 2: a bad value on the command line.
struct BadArgument : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The parsed value of an option, or its problem thrown as a BadArgument.
template <class T>
T value_of(const cli::Parsed<T>& parsed) {
  if (!parsed.value) throw BadArgument(parsed.problem);
  return *parsed.value;
}

// What `run` and `explain` share: the seed, the memory allowed.
struct CommonArgs {
  std::string scenario;
  std::optional<std::string> seed;
  std::optional<std::string> max_memory;
  bool verbose = false;  ///< validate: also list the fields accepted and not simulated
};

// Each note once, by file, line and column: a file named by several services is read for each.
void print_notes(std::vector<scenario::Diagnostic> notes) {
  const auto key = [](const scenario::Diagnostic& d) {
    return std::tie(d.where.file, d.where.line, d.where.column, d.path, d.message);
  };
  std::sort(notes.begin(), notes.end(),
            [&](const scenario::Diagnostic& a, const scenario::Diagnostic& b) {
              return key(a) < key(b);
            });
  notes.erase(std::unique(notes.begin(), notes.end(),
                          [&](const scenario::Diagnostic& a, const scenario::Diagnostic& b) {
                            return key(a) == key(b);
                          }),
              notes.end());
  for (const scenario::Diagnostic& n : notes)
    std::printf("%s\n", scenario::format_note(n).c_str());
}

// Applies --seed.
void apply_seed(const CommonArgs& args, scenario::Scenario& s) {
  if (args.seed)
    s.seed = value_of(
        cli::parse_whole("--seed", *args.seed, 0, std::numeric_limits<std::int64_t>::max()));
}

// The memory a run may use: --max-memory, else three quarters of what the machine (or its
// control group) has; none when neither is known.
std::optional<double> memory_limit(const CommonArgs& args, std::string* source) {
  if (args.max_memory) {
    *source = "--max-memory";
    return value_of(cli::parse_bytes("--max-memory", *args.max_memory));
  }
  const std::optional<double> usable = cli::usable_memory_bytes();
  if (!usable) return std::nullopt;
  *source = fmt::format("the default --max-memory, 3/4 of this machine's {}",
                        engine::format_bytes(*usable));
  return *usable * 0.75;
}

// Refuses (exit status 2) a run whose estimate is more memory than it may use.
void check_memory(const CommonArgs& args, const engine::RunEstimate& estimate) {
  std::string source;
  const std::optional<double> limit = memory_limit(args, &source);
  if (!limit || estimate.peak_bytes <= *limit) return;
  throw BadArgument(fmt::format(
      "this run would need about {} of memory, more than {} ({}); {}. Run it shorter (--until), "
      "sample less often (timeseries_interval), with fewer replications or fewer at once "
      "(--jobs), or give it more with --max-memory",
      engine::format_bytes(estimate.peak_bytes), engine::format_bytes(*limit), source,
      estimate.describe()));
}

struct RunArgs : CommonArgs {
  std::optional<std::string> replications;
  std::optional<std::string> jobs;
  std::optional<std::string> until;
  std::optional<std::string> out;
  std::optional<std::string> summary_json;
  bool quiet = false;
};

int run(const RunArgs& args) {
  std::optional<scenario::Scenario> s = load_or_report(args.scenario);
  if (!s) return kExitBadInput;
  apply_seed(args, *s);
  if (args.replications)
    s->replications = static_cast<std::uint32_t>(
        value_of(cli::parse_whole("--replications", *args.replications, 1, 10'000)));
  if (args.until)
    s->duration =
        value_of(cli::parse_positive_duration("--until", *args.until, scenario::kMaxHorizon));
  const std::uint32_t cores = std::max(1u, std::thread::hardware_concurrency());
  const std::uint32_t wanted =
      args.jobs
          ? static_cast<std::uint32_t>(value_of(cli::parse_whole("--jobs", *args.jobs, 1, 1024)))
          : cores;
  const std::uint32_t jobs = std::max<std::uint32_t>(1, std::min(s->replications, wanted));

  const engine::RunEstimate estimate = engine::estimate_run(*s, jobs);
  check_memory(args, estimate);
  // Where the outputs go is checked before the run, not after it.
  const cli::OutputFolder folder(args.out ? std::filesystem::path(*args.out)
                                          : std::filesystem::path("out") / s->name);
  if (!folder.problem().empty()) throw BadArgument("--out: " + folder.problem());
  const std::filesystem::path& out = folder.path();
  if (args.summary_json && *args.summary_json != "-")
    if (const std::string problem = cli::prepare_file(*args.summary_json); !problem.empty())
      throw BadArgument("--summary-json: " + problem);
  if (!args.quiet) std::fprintf(stderr, "ecsim: %s\n", estimate.describe().c_str());

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
        options.progress = [&progress, r](double f, std::uint64_t events) {
          progress.update(r, f, events);
        };
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
  std::vector<std::pair<std::filesystem::path, std::string>> files;
  files.emplace_back(out / "summary.json", summary);
  files.emplace_back(out / "timeseries.csv", engine::timeseries_csv(report));
  if (args.summary_json && *args.summary_json != "-")
    files.emplace_back(*args.summary_json, summary);
  cli::write_outputs(files, out);
  const bool to_stdout = args.summary_json && *args.summary_json == "-";
  if (to_stdout) std::fputs(summary.c_str(), stdout);
  if (!args.quiet) {
    std::FILE* to = to_stdout ? stderr : stdout;
    std::fputs(engine::terminal_summary(report).c_str(), to);
    std::fprintf(to, "outputs: %s\n", (out / "summary.json").string().c_str());
  }
  return kExitOk;
}

struct ExplainArgs : CommonArgs {
  std::string pod;
  std::optional<std::string> at;
  std::optional<std::string> cluster;
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
    for (const auto& p : m.pods) names.push_back(p.meta.name);
    for (const auto& j : c.jobs) names.push_back(j.name);
  }
  // Clusters may share manifests: each name once, in first-seen order.
  std::vector<std::string> unique;
  for (std::string& n : names)
    if (std::find(unique.begin(), unique.end(), n) == unique.end()) unique.push_back(std::move(n));
  return unique;
}

int no_decision(const scenario::Scenario& s, const ExplainArgs& args, SimDuration at) {
  std::string message =
      fmt::format("ecsim: error: no pod '{}' had a scheduling cycle at or after {}", args.pod,
                  format_duration(at));
  const std::string cluster = args.cluster.value_or("");
  if (!cluster.empty()) message += fmt::format(" in cluster '{}'", cluster);
  const std::vector<std::string> workloads = workload_names(s, cluster);
  // A pod's name is its workload's and an ordinal: suggest a workload for the first part.
  std::string_view wanted = std::string_view(args.pod).substr(args.pod.find('/') + 1);
  std::string_view ordinal;
  if (const std::size_t dash = wanted.rfind('-');
      dash != std::string_view::npos && dash + 1 < wanted.size() &&
      wanted.find_first_not_of("0123456789", dash + 1) == std::string_view::npos) {
    ordinal = wanted.substr(dash);
    wanted = wanted.substr(0, dash);
  }
  if (const auto close = closest_names(wanted, workloads, 1); !close.empty())
    message += fmt::format(" (did you mean '{}{}'?)", close.front(), ordinal);
  // A workload of that name whose pods a Fargate profile takes: no kube-scheduler cycle.
  const auto fargate = [&](const scenario::EksClusterConfig& c, const eks::ObjectMeta& meta,
                           const eks::PodTemplate& pod) {
    if (meta.name != wanted || (!cluster.empty() && c.name != cluster)) return;
    if (const auto fp =
            eks::fargate_profile_for(c.config.fargate_profiles, meta.name_space, pod, false))
      message += fmt::format("; the pods of {} run on Fargate (profile '{}' of cluster '{}'), "
                             "each on a Fargate node of its own, without the kube-scheduler",
                             meta.name, c.config.fargate_profiles[*fp].name, c.name);
  };
  for (const scenario::EksClusterConfig& c : s.eks) {
    for (const auto& d : c.manifests.deployments) fargate(c, d.meta, d.pod);
    for (const auto& d : c.manifests.stateful_sets) fargate(c, d.meta, d.pod);
    for (const auto& p : c.manifests.pods) fargate(c, p.meta, p.pod);
    for (const auto& j : c.manifests.jobs) fargate(c, j.meta, j.pod);
  }
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
  apply_seed(args, *s);
  engine::ExplainRequest request{args.pod, {}, args.cluster.value_or(""), true};
  if (args.at) {
    std::string why;
    const auto at = parse_duration(*args.at, &why);
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
  if (args.cluster) {
    std::vector<std::string> clusters;
    for (const scenario::EksClusterConfig& c : s->eks) clusters.push_back(c.name);
    if (std::find(clusters.begin(), clusters.end(), *args.cluster) == clusters.end()) {
      const auto close = closest_names(*args.cluster, clusters, 1);
      std::fprintf(
          stderr, "ecsim: error: --cluster: no EKS cluster '%s'%s\n", args.cluster->c_str(),
          close.empty() ? "" : fmt::format(" (did you mean '{}'?)", close.front()).c_str());
      return kExitBadInput;
    }
  }
  s->replications = 1;
  check_memory(args, engine::estimate_run(*s, 1, false));
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

int validate(const CommonArgs& args) {
  const std::string& path = args.scenario;
  std::vector<scenario::Diagnostic> notes;
  const std::optional<scenario::Scenario> s = load_or_report(path, &notes);
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
        m.deployments.size() + m.stateful_sets.size() + m.daemon_sets.size() + m.jobs.size() +
        m.pods.size();
    operations += c.operations.size();
  }
  // Elastic Beanstalk environments are among the ECS clusters; named when there are some.
  const std::string environments =
      s->beanstalk.empty() ? std::string()
                           : ", " + std::to_string(s->beanstalk.size()) + " Beanstalk environments";
  std::printf(
      "%s: ok (%s, %zu zones, %zu ECS clusters, %zu jobs, %zu services, %zu EKS clusters, %zu "
      "node groups, %zu workloads, %zu faults%s)\n",
      path.c_str(), format_duration(s->duration).c_str(), s->platform.azs.size(), s->ecs.size(),
      jobs, services, s->eks.size(), node_groups, workloads,
      s->platform.faults.size() + s->platform.failure_processes.size() + operations,
      environments.c_str());
  // What the manifests held that ecsim does not simulate (Services, ConfigMaps, ...).
  for (const auto& c : s->eks)
    for (const std::string& note : c.manifests.notes) std::printf("%s\n", note.c_str());
  if (args.verbose) print_notes(std::move(notes));
  const std::uint32_t cores = std::max(1u, std::thread::hardware_concurrency());
  const engine::RunEstimate estimate = engine::estimate_run(*s, std::min(cores, s->replications));
  std::printf("estimate: %s\n", estimate.describe().c_str());
  std::fflush(stdout);
  check_memory(args, estimate);
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
  std::fputs(
      "ecsim: internal error: the process was terminated; this is a bug in ecsim, please "
      "report it with the scenario and this message\n",
      stderr);
  std::_Exit(kExitInvariant);
}

}  // namespace

int main(int argc, char** argv) {
  std::set_terminate(on_terminate);
  CLI::App app{kAbout, "ecsim"};
  app.set_version_flag("--version", std::string("ecsim ") + ECSIM_VERSION);
  app.footer(
      "Exit status: 0 done; 2 bad input (or a run that would need more than --max-memory); "
      "3 a self-check failed (a bug in ecsim); 1 anything else.");
  app.require_subcommand(0, 1);

  const char* max_memory_help =
      "Refuse a run estimated to need more memory, e.g. 16G (default: 3/4 of this machine's)";
  RunArgs args;
  CLI::App* run_cmd = app.add_subcommand("run", "Simulate a scenario and write its outputs");
  run_cmd->add_option("scenario", args.scenario, "Scenario YAML file")->required();
  run_cmd->add_option("--seed", args.seed,
                      "Root random seed, 0 to 2^63-1 (overrides the scenario's)");
  run_cmd->add_option("--replications", args.replications, "Independent replications, 1 to 10000");
  run_cmd->add_option("--jobs", args.jobs,
                      "Replications run in parallel, 1 to 1024 (default: cores)");
  run_cmd->add_option("--until", args.until,
                      "Simulated time to run, e.g. 6h, up to 3660d (overrides duration)");
  run_cmd->add_option("--out", args.out,
                      "Folder for summary.json and timeseries.csv (default out/NAME)");
  run_cmd->add_option("--summary-json", args.summary_json,
                      "Also write summary.json to FILE, or - for stdout");
  run_cmd->add_option("--max-memory", args.max_memory, max_memory_help);
  run_cmd->add_flag("--quiet", args.quiet, "No estimate, terminal summary or progress");

  CommonArgs validate_args;
  CLI::App* validate_cmd = app.add_subcommand(
      "validate", "Check a scenario, report every problem and estimate what a run takes");
  validate_cmd->add_option("scenario", validate_args.scenario, "Scenario YAML file")->required();
  validate_cmd->add_option("--max-memory", validate_args.max_memory, max_memory_help);
  validate_cmd->add_flag("--verbose", validate_args.verbose,
                         "Also list each field of the real files that is accepted and not "
                         "simulated");

  ExplainArgs explain_args;
  CLI::App* explain_cmd = app.add_subcommand(
      "explain", "Show why a pod landed where it did: every node's filters and scores");
  explain_cmd->add_option("scenario", explain_args.scenario, "Scenario YAML file")->required();
  explain_cmd
      ->add_option("--pod", explain_args.pod,
                   "Pod (<workload>-<ordinal>) or workload, as NAME or NAMESPACE/NAME")
      ->required();
  explain_cmd->add_option("--at", explain_args.at,
                          "The first scheduling cycle at or after this time, e.g. 2h (default 0s)");
  explain_cmd->add_option("--cluster", explain_args.cluster, "EKS cluster (default: any)");
  explain_cmd->add_option("--seed", explain_args.seed,
                          "Root random seed (overrides the scenario's)");
  explain_cmd->add_option("--max-memory", explain_args.max_memory, max_memory_help);

  // No command at all: the usage, on stderr, and exit status 2 (as git and kubectl do).
  if (argc <= 1) {
    std::fputs(app.help().c_str(), stderr);
    return kExitBadInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 takes an empty value for a missing one ("--seed: 1 required TEXT missing").
    const std::string what = e.what();
    if (const std::size_t colon = what.find(": 1 required");
        colon != std::string::npos && what.ends_with(" missing") && what.starts_with("--")) {
      std::fprintf(stderr, "ecsim: error: %s: the value is missing or empty\n",
                   what.substr(0, colon).c_str());
      return kExitBadInput;
    }
    if (what == "scenario is required") {
      std::fputs("ecsim: error: SCENARIO: the path of a scenario file is missing or empty\n",
                 stderr);
      return kExitBadInput;
    }
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  try {
    if (*run_cmd) return run(args);
    if (*validate_cmd) return validate(validate_args);
    if (*explain_cmd) return explain(explain_args);
    std::fputs(app.help().c_str(), stderr);
    return kExitBadInput;
  } catch (const BadArgument& e) {
    std::fprintf(stderr, "ecsim: error: %s\n", e.what());
    return kExitBadInput;
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
