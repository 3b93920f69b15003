// The `ecsim` command line.

#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

namespace {

constexpr const char* kAbout =
    "ecsim: a discrete-event simulator of AWS ECS and EKS clusters. It replays workload "
    "scenarios against modelled EC2 instances, Fargate capacity, availability zones, ECS "
    "services and the Kubernetes scheduler in virtual time, deterministically.";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{kAbout, "ecsim"};
  app.set_version_flag("--version", std::string("ecsim ") + ECSIM_VERSION);
  app.footer(
      "Exit status: 0 done; 2 bad input; 3 an invariant was violated; 1 anything else.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 maps --help and --version to exit 0 and usage errors to a non-zero code; bad
    // command lines are bad input.
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ecsim: error: %s\n", e.what());
    return 1;
  }
  if (argc == 1) std::fputs(app.help().c_str(), stdout);
  return 0;
}
