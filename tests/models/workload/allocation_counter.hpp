#pragma once

#include <cstddef>

namespace ecsim::workload::testing {

/// The number of calls to the global operator new in this test executable so far.
std::size_t allocation_count() noexcept;

}  // namespace ecsim::workload::testing
