#pragma once

// `ecsim explain`'s text: one scheduling decision as a table a student can read.

#include <string>

#include "ecsim/engine/engine.hpp"

namespace ecsim::engine {

/// The explained decision `x` as text: header lines (cluster, pod, namespace, time, priority,
/// requests, profile), a legend, one row per node (the chosen one marked `*`, feasible nodes by
/// total descending then name, rejected ones after with their filter and reason) and a footer
/// (feasible nodes, ties, outcome). Lines end in '\n'.
std::string explain_table(const ExplainResult& x);

}  // namespace ecsim::engine
