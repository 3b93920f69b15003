// Durations (`90s`, `1h30m`) and Kubernetes quantities (`100m`, `64Mi`, `1e3`): the input is the
// text. Contract: a value, or a reason; a duration reads back from its own formatting.

#include <string>
#include <string_view>

#include "ecsim/eks/quantity.hpp"
#include "ecsim/sim/time.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ecsim;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string why;
  if (const std::optional<SimDuration> d = parse_duration(text, &why)) {
    const std::string formatted = format_duration(*d);
    fuzz::require(parse_duration(formatted) == d, "a duration reads back from its formatting",
                  formatted);
  } else {
    fuzz::require(!why.empty(), "a duration that does not parse says why");
  }
  for (const auto parse : {&eks::parse_quantity_millis, &eks::parse_quantity_units}) {
    why.clear();
    const std::optional<std::int64_t> q = parse(text, &why);
    fuzz::require(q.has_value() || !why.empty(), "a quantity that does not parse says why");
    fuzz::require(!q || *q >= 0, "quantities are not negative");
  }
  return 0;
}
