#pragma once

// Checks of an input's syntax made before it is parsed into nodes, with every finding at its
// line and column: strict JSON for the files AWS reads as JSON, and for YAML what yaml-cpp lets
// through (a key given twice, a second document, nesting beyond reason). Private to
// models/scenario.

#include <cstddef>
#include <string>
#include <string_view>

#include "ecsim/scenario/diagnostics.hpp"

namespace ecsim::scenario::detail {

/// The deepest nesting of mappings and lists an input may have: far beyond any real file, and
/// shallow enough that nothing that walks the nodes recursively can run out of stack.
inline constexpr std::size_t kMaxNesting = 200;

/// A value quoted in a message, cut to a readable length: `text` itself up to 60 bytes, else
/// its start, "...", and its length.
std::string shorten(std::string_view text);

/// Checks that `text` is exactly one JSON value as RFC 8259 defines it (a UTF-8 byte order mark
/// aside): no comments, trailing commas, single quotes or text after the value. Reports the
/// first syntax error in plain words ("expected ',' or '}' after the value"), every key that
/// appears twice in one object with both places, and nesting deeper than kMaxNesting. False
/// when the text is not JSON (the duplicates of JSON text are reported, and it reads on).
bool check_json(std::string_view text, const std::string& file, Diagnostics& diagnostics);

/// Checks the YAML documents of `text` without building them (aliases are not expanded): every
/// key that appears twice in one mapping with both places, nesting deeper than kMaxNesting and,
/// unless `several_documents`, a second document that is not empty. A syntax error is left to
/// the parser that follows. False when the text must not be parsed further (nesting too deep).
bool check_yaml(const std::string& text, const std::string& file, Diagnostics& diagnostics,
                bool several_documents);

}  // namespace ecsim::scenario::detail
