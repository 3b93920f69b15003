#pragma once

#include <string>

namespace ecsim::platform::detail {

/// The text of models/data/ec2-instance-types.csv, compiled in (generated at build time).
std::string ec2_instance_types_csv();

}  // namespace ecsim::platform::detail
