#pragma once

// Catch2 printers for the workload types, so that failed comparisons show the values.

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <string>

#include "ecsim/workload/arrivals.hpp"
#include "ecsim/sim/problem.hpp"
#include "ecsim/workload/trace.hpp"

namespace Catch {

template <>
struct StringMaker<ecsim::Problem> {
  static std::string convert(const ecsim::Problem& p) {
    return fmt::format("{{\"{}\", \"{}\"}}", p.field, p.message);
  }
};

template <>
struct StringMaker<ecsim::workload::TraceError> {
  static std::string convert(const ecsim::workload::TraceError& e) {
    return fmt::format("{}:{}: {}", e.line, e.column, e.message);
  }
};

template <>
struct StringMaker<ecsim::workload::TraceRecord> {
  static std::string convert(const ecsim::workload::TraceRecord& r) {
    return fmt::format("{{{}, {}, {} units, {} MiB}}", ecsim::format_time(r.submit_time),
                       ecsim::format_duration(r.duration), r.cpu_units, r.memory_mib);
  }
};

template <>
struct StringMaker<ecsim::workload::Arrival> {
  static std::string convert(const ecsim::workload::Arrival& a) {
    std::string out = fmt::format("{{at {}", ecsim::format_time(a.at));
    if (a.duration) out += fmt::format(", {}", ecsim::format_duration(*a.duration));
    if (a.cpu_units) out += fmt::format(", {} units", *a.cpu_units);
    if (a.memory_mib) out += fmt::format(", {} MiB", *a.memory_mib);
    out += '}';
    return out;
  }
};

}  // namespace Catch
