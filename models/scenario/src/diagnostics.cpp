#include "ecsim/scenario/diagnostics.hpp"

#include <algorithm>
#include <string_view>
#include <tuple>

#include <fmt/format.h>

namespace ecsim::scenario {

namespace {

std::string format_as(const Diagnostic& d, std::string_view kind) {
  std::string out = d.where.file;
  if (d.where.line > 0) out += fmt::format(":{}:{}", d.where.line, d.where.column);
  out += fmt::format(": {}: ", kind);
  if (!d.path.empty()) out += d.path + ": ";
  out += d.message;
  return out;
}

// The longest message kept whole, in bytes (AWS's "must be one of" lists every field of a
// container definition); a longer one (it quotes a huge value) keeps its start and its end,
// where "(expected ...)" is.
constexpr std::size_t kLongestMessage = 2000;
constexpr std::size_t kKeptHead = 1000;
constexpr std::size_t kKeptTail = 150;

// The start of `text` cut to at most `n` bytes, not inside a UTF-8 sequence (and the same for
// the end with `from_end`).
std::string_view cut(std::string_view text, std::size_t n, bool from_end) {
  const auto continuation = [&](std::size_t at) {
    return at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0u) == 0x80u;
  };
  if (!from_end) {
    while (n > 0 && continuation(n)) --n;
    return text.substr(0, n);
  }
  std::size_t start = text.size() - n;
  while (start < text.size() && continuation(start)) ++start;
  return text.substr(start);
}

}  // namespace

std::string format_diagnostic(const Diagnostic& d) { return format_as(d, "error"); }

std::string format_note(const Diagnostic& d) { return format_as(d, "note"); }

void Diagnostics::note(SourceLocation where, std::string path, std::string message) {
  notes_.push_back(Diagnostic{std::move(where), std::move(path), std::move(message)});
}

void Diagnostics::error(SourceLocation where, std::string path, std::string message) {
  if (message.size() > kLongestMessage) {
    const std::size_t size = message.size();
    message = fmt::format("{} [... {} bytes cut ...] {}", cut(message, kKeptHead, false),
                          size - kKeptHead - kKeptTail, cut(message, kKeptTail, true));
  }
  if (path.size() > kLongestMessage) path = std::string(cut(path, kKeptHead, false)) + "...";
  all_.push_back(Diagnostic{std::move(where), std::move(path), std::move(message)});
}

void Diagnostics::append(const Diagnostics& other) {
  all_.insert(all_.end(), other.all_.begin(), other.all_.end());
  notes_.insert(notes_.end(), other.notes_.begin(), other.notes_.end());
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
