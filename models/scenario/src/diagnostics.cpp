#include "ecsim/scenario/diagnostics.hpp"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

namespace ecsim::scenario {

std::string format_diagnostic(const Diagnostic& d) {
  std::string out = d.where.file;
  if (d.where.line > 0) out += fmt::format(":{}:{}", d.where.line, d.where.column);
  out += ": error: ";
  if (!d.path.empty()) out += d.path + ": ";
  out += d.message;
  return out;
}

void Diagnostics::error(SourceLocation where, std::string path, std::string message) {
  all_.push_back(Diagnostic{std::move(where), std::move(path), std::move(message)});
}

void Diagnostics::append(const Diagnostics& other) {
  all_.insert(all_.end(), other.all_.begin(), other.all_.end());
}

std::vector<Diagnostic> Diagnostics::sorted() const {
  std::vector<Diagnostic> out = all_;
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.where.file, a.where.line, a.where.column) <
           std::tie(b.where.file, b.where.line, b.where.column);
  });
  return out;
}

}  // namespace ecsim::scenario
