#include "ecsim/engine/explain.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "ecsim/sim/time.hpp"

namespace ecsim::engine {
namespace {

/// The column headers of the score plugins, by their Kubernetes names.
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kShortNames{{
    {"TaintToleration", "Taint"},
    {"NodeAffinity", "NodeAff"},
    {"PodTopologySpread", "Spread"},
    {"InterPodAffinity", "PodAff"},
    {"NodeResourcesFit", "Fit"},
    {"NodeResourcesBalancedAllocation", "Balanced"},
}};

std::string short_name(const std::string& plugin) {
  for (const auto& [name, abbreviation] : kShortNames)
    if (name == plugin) return std::string(abbreviation);
  return plugin;
}

/// CPU in Kubernetes' quantity syntax: whole cores as `2`, else millicores as `250m`.
std::string cpu_text(std::int64_t millis) {
  return millis % 1000 == 0 ? fmt::format("{}", millis / 1000) : fmt::format("{}m", millis);
}

/// Memory in Kubernetes' quantity syntax, in the largest binary unit that divides it.
std::string memory_text(std::int64_t bytes) {
  constexpr std::array<std::string_view, 4> kUnits{"Ti", "Gi", "Mi", "Ki"};
  for (std::size_t u = 0; u < kUnits.size(); ++u) {
    const std::int64_t size = std::int64_t{1} << (10 * (kUnits.size() - u));
    if (bytes != 0 && bytes % size == 0) return fmt::format("{}{}", bytes / size, kUnits[u]);
  }
  return fmt::format("{}", bytes);
}

/// `n` node or nodes.
std::string nodes_text(std::size_t n) { return fmt::format("{} node{}", n, n == 1 ? "" : "s"); }

/// One table row: cells padded to `widths`, the last left unpadded.
void put_row(std::string& out, const std::vector<std::string>& cells,
             const std::vector<std::size_t>& widths) {
  std::string line;
  for (std::size_t k = 0; k < cells.size(); ++k) {
    if (k > 0) line += "  ";
    line += cells[k];
    if (k + 1 < cells.size() && cells[k].size() < widths[k])
      line.append(widths[k] - cells[k].size(), ' ');
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  out += line + '\n';
}

}  // namespace

std::string explain_table(const ExplainResult& x) {
  std::string out;
  out += fmt::format("cluster     {}\n", x.cluster);
  out += fmt::format("pod         {} ({} {})\n", x.pod, x.kind, x.workload);
  out += fmt::format("namespace   {}\n", x.name_space);
  out += fmt::format("decided at  {}\n", format_time(x.at));
  out += fmt::format("priority    {}\n", x.priority);
  out += fmt::format("requests    cpu {}, memory {}\n", cpu_text(x.cpu_millis),
                     memory_text(x.memory_bytes));
  out += fmt::format("profile     {}\n\n", x.profile);

  // Feasible nodes by total, best first, then the rejected ones; by name within each.
  std::vector<const NodeExplanation*> order;
  for (const NodeExplanation& n : x.nodes) order.push_back(&n);
  std::sort(order.begin(), order.end(), [](const NodeExplanation* a, const NodeExplanation* b) {
    if (a->scored != b->scored) return a->scored;
    if (a->filter.empty() != b->filter.empty()) return a->filter.empty();
    if (a->scored && a->total != b->total) return a->total > b->total;
    return a->name < b->name;
  });

  std::vector<std::string> header{"", "node", "zone"};
  for (std::size_t k = 0; k < x.plugins.size(); ++k)
    header.push_back(fmt::format("{} x{}", short_name(x.plugins[k]), x.weights[k]));
  header.emplace_back("total");
  std::vector<std::vector<std::string>> rows;
  for (const NodeExplanation* n : order) {
    std::vector<std::string> row{n->chosen ? "*" : "", n->name, n->zone};
    if (n->scored) {
      for (std::size_t k = 0; k < n->scores.size(); ++k) {
        const PluginScore& s = n->scores[k];
        row.push_back(s.skipped ? "-"
                                : fmt::format("{}x{}={}", s.normalized, x.weights[k], s.weighted));
      }
      row.push_back(fmt::format("{}", n->total));
    } else if (!n->filter.empty()) {
      row.push_back(fmt::format("rejected by {}: {}", n->filter, n->reason));
    } else {
      row.emplace_back("feasible, not scored (percentageOfNodesToScore)");
    }
    rows.push_back(std::move(row));
  }
  // Rejected rows' long text spans the score columns: it does not widen them.
  std::vector<std::size_t> widths(header.size(), 0);
  auto widen = [&](const std::vector<std::string>& row, std::size_t upto) {
    for (std::size_t k = 0; k < std::min(row.size(), upto); ++k)
      widths[k] = std::max(widths[k], row[k].size());
  };
  widen(header, header.size());
  for (const auto& row : rows) widen(row, row.size() == header.size() ? row.size() : 3);

  out += "Each score column: normalized score (0-100) x the plugin's weight = weighted score;\n";
  out += "\"-\": the plugin skips this pod. Taint TaintToleration, NodeAff NodeAffinity, Spread\n";
  out += "PodTopologySpread, PodAff InterPodAffinity, Fit NodeResourcesFit, Balanced\n";
  out += "NodeResourcesBalancedAllocation. total: the sum; * the chosen node.\n\n";
  put_row(out, header, widths);
  for (const auto& row : rows) put_row(out, row, widths);

  std::int64_t best = 0;
  bool any = false;
  for (const NodeExplanation& n : x.nodes)
    if (n.scored) {
      best = any ? std::max(best, n.total) : n.total;
      any = true;
    }
  out += fmt::format("\n{} feasible of {}", x.feasible, nodes_text(x.nodes.size()));
  if (any)
    out += x.ties > 1 ? fmt::format("; best total {} on {}, one drawn at random\n", best,
                                    nodes_text(x.ties))
                      : fmt::format("; best total {} on 1 node\n", best);
  else out += "\n";
  switch (x.outcome) {
    case ExplainOutcome::kBound: out += fmt::format("outcome: bound to {}\n", x.node); break;
    case ExplainOutcome::kPreempting: {
      std::string victims;
      for (const std::string& v : x.victims) victims += (victims.empty() ? "" : ", ") + v;
      out += fmt::format("outcome: no node fits; preemption nominates {}, evicting {}\n", x.node,
                         victims);
      break;
    }
    case ExplainOutcome::kUnschedulable:
      out += "outcome: no node fits and preemption cannot help: unschedulable, the pod waits\n";
      break;
  }
  return out;
}

}  // namespace ecsim::engine
