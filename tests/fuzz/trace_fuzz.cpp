// The CSV trace reader: the input is a trace. Contract: records, or errors each at a line and
// column.

#include <string_view>

#include "ecsim/workload/trace.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ecsim;
  const workload::TraceParseResult r =
      workload::parse_trace_csv({reinterpret_cast<const char*>(data), size}, "t.csv");
  for (const workload::TraceError& e : r.errors) {
    fuzz::require(e.line >= 1 && e.column >= 1, "an error is at a line and column", e.message);
    fuzz::require(!e.message.empty(), "an error says what is wrong");
  }
  for (std::size_t k = 1; k < r.records.size() && r.errors.empty(); ++k)
    fuzz::require(r.records[k - 1].submit_time <= r.records[k].submit_time,
                  "records come in time order");
  return 0;
}
