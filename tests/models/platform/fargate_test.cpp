#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecsim/platform/fargate.hpp"

using namespace ecsim;
using namespace ecsim::platform;
using namespace std::chrono_literals;
using Sizes = std::vector<std::uint32_t>;

namespace {

// The memory sizes first, first + step, ..., last (MiB).
Sizes steps(std::uint32_t first, std::uint32_t last, std::uint32_t step) {
  Sizes sizes;
  for (std::uint32_t mib = first; mib <= last; mib += step) sizes.push_back(mib);
  return sizes;
}

constexpr const char* kPrefix = "No Fargate configuration exists for given values: ";

}  // namespace

TEST_CASE("Fargate accepts seven task CPU values", "[platform]") {
  // 0.25, 0.5, 1, 2, 4, 8 and 16 vCPU at 1024 units per vCPU.
  const auto cpus = fargate_cpu_choices();
  CHECK(Sizes(cpus.begin(), cpus.end()) == Sizes{256, 512, 1024, 2048, 4096, 8192, 16384});
  for (const std::uint32_t cpu : cpus) CHECK(fargate_cpu_valid(cpu));
  CHECK_FALSE(fargate_cpu_valid(0));
  CHECK_FALSE(fargate_cpu_valid(128));
  CHECK_FALSE(fargate_cpu_valid(1000));
  CHECK_FALSE(fargate_cpu_valid(32768));
  CHECK(fargate_memory_choices(1000).empty());
}

TEST_CASE("each Fargate CPU value has its own memory sizes", "[platform]") {
  // 0.25 vCPU: 512 MiB, 1 GB, 2 GB.
  CHECK(fargate_memory_choices(256) == Sizes{512, 1024, 2048});
  // 0.5 vCPU: 1 to 4 GB in 1 GB steps.
  CHECK(fargate_memory_choices(512) == Sizes{1024, 2048, 3072, 4096});
  // 1 vCPU: 2 to 8 GB in 1 GB steps.
  CHECK(fargate_memory_choices(1024) == Sizes{2048, 3072, 4096, 5120, 6144, 7168, 8192});
  // 2 vCPU: 4 to 16 GB in 1 GB steps, (16 - 4) / 1 + 1 = 13 sizes.
  CHECK(fargate_memory_choices(2048) == steps(4 * 1024, 16 * 1024, 1024));
  CHECK(fargate_memory_choices(2048).size() == 13);
  // 4 vCPU: 8 to 30 GB in 1 GB steps, (30 - 8) / 1 + 1 = 23 sizes.
  CHECK(fargate_memory_choices(4096) == steps(8 * 1024, 30 * 1024, 1024));
  CHECK(fargate_memory_choices(4096).size() == 23);
  // 8 vCPU: 16 to 60 GB in 4 GB steps, (60 - 16) / 4 + 1 = 12 sizes.
  CHECK(fargate_memory_choices(8192) == steps(16 * 1024, 60 * 1024, 4 * 1024));
  CHECK(fargate_memory_choices(8192).size() == 12);
  // 16 vCPU: 32 to 120 GB in 8 GB steps, (120 - 32) / 8 + 1 = 12 sizes.
  CHECK(fargate_memory_choices(16384) == steps(32 * 1024, 120 * 1024, 8 * 1024));
  CHECK(fargate_memory_choices(16384).size() == 12);
}

TEST_CASE("every valid Fargate size passes and its neighbours do not", "[platform]") {
  for (const std::uint32_t cpu : fargate_cpu_choices()) {
    for (const std::uint32_t memory : fargate_memory_choices(cpu)) {
      INFO(cpu << " CPU, " << memory << " MiB");
      CHECK(fargate_size_error(cpu, memory) == std::nullopt);
      CHECK(fargate_size_error(cpu, memory + 1).has_value());
      CHECK(fargate_size_error(cpu, memory - 1).has_value());
    }
  }
}

TEST_CASE("an invalid Fargate size names the valid memory values for its CPU", "[platform]") {
  const auto error = [](std::uint32_t cpu, std::uint32_t memory) {
    return fargate_size_error(cpu, memory).value_or("(valid)");
  };
  CHECK(error(256, 4096) == std::string(kPrefix) +
                                "256 CPU, 4096 memory. Valid memory values for 256 CPU: 512, "
                                "1024, 2048 MiB");
  CHECK(error(512, 512) == std::string(kPrefix) +
                               "512 CPU, 512 memory. Valid memory values for 512 CPU: 1024, "
                               "2048, 3072, 4096 MiB");
  CHECK(error(1024, 1024) == std::string(kPrefix) +
                                 "1024 CPU, 1024 memory. Valid memory values for 1024 CPU: 2048, "
                                 "3072, 4096, 5120, 6144, 7168, 8192 MiB");
  CHECK(error(2048, 2048) == std::string(kPrefix) +
                                 "2048 CPU, 2048 memory. Valid memory values for 2048 CPU: 4096, "
                                 "5120, 6144, 7168, 8192, 9216, 10240, 11264, 12288, 13312, "
                                 "14336, 15360, 16384 MiB");
  CHECK(error(4096, 32768) ==
        std::string(kPrefix) +
            "4096 CPU, 32768 memory. Valid memory values for 4096 CPU: 8192, 9216, 10240, 11264, "
            "12288, 13312, 14336, 15360, 16384, 17408, 18432, 19456, 20480, 21504, 22528, 23552, "
            "24576, 25600, 26624, 27648, 28672, 29696, 30720 MiB");
  // 8 vCPU takes 4 GB steps from 16 GB: 20 GB (16 + 4) = 20480 MiB is valid, 17 GB is not.
  CHECK(error(8192, 20480) == "(valid)");
  CHECK(error(8192, 17408) ==
        std::string(kPrefix) +
            "8192 CPU, 17408 memory. Valid memory values for 8192 CPU: 16384, 20480, 24576, "
            "28672, 32768, 36864, 40960, 45056, 49152, 53248, 57344, 61440 MiB");
  CHECK(error(16384, 16384) ==
        std::string(kPrefix) +
            "16384 CPU, 16384 memory. Valid memory values for 16384 CPU: 32768, 40960, 49152, "
            "57344, 65536, 73728, 81920, 90112, 98304, 106496, 114688, 122880 MiB");
}

TEST_CASE("an invalid Fargate CPU value names the valid CPU values", "[platform]") {
  CHECK(fargate_size_error(1000, 2048) ==
        std::string(kPrefix) +
            "1000 CPU, 2048 memory. Valid CPU values: 256, 512, 1024, 2048, 4096, 8192, 16384");
  CHECK(fargate_size_error(0, 0) ==
        std::string(kPrefix) +
            "0 CPU, 0 memory. Valid CPU values: 256, 512, 1024, 2048, 4096, 8192, 16384");
}

TEST_CASE("the launch bucket allows a burst of 100 then one launch per 50 ms", "[platform]") {
  LaunchTokenBucket bucket;  // 100 launches, 20 per second
  for (int i = 0; i < 100; ++i) {
    REQUIRE(bucket.next_available(kSimStart) == kSimStart);
    bucket.take(kSimStart);
  }
  CHECK(bucket.available(kSimStart) == 0);
  // 1 s / 20 = 50 ms to earn the 101st launch.
  CHECK(bucket.next_available(kSimStart) == kSimStart + 50ms);
  CHECK(bucket.next_available(kSimStart + 20ms) == kSimStart + 50ms);
  bucket.take(kSimStart + 50ms);
  CHECK(bucket.next_available(kSimStart + 50ms) == kSimStart + 100ms);
  // Saturated, launch k after the burst comes at k * 50 ms exactly, however long it goes on.
  SimTime now = kSimStart + 50ms;
  for (int k = 2; k <= 10'000; ++k) {
    now = bucket.next_available(now);
    bucket.take(now);
  }
  CHECK(now == kSimStart + 10'000 * 50ms);  // 500 s
}

TEST_CASE("an idle launch bucket refills at its rate up to its burst", "[platform]") {
  LaunchTokenBucket bucket;
  for (int i = 0; i < 100; ++i) bucket.take(kSimStart);
  // 20 per second: 2.5 s earn 50 launches, 2.549999 s still 50 (the 51st lands at 2.55 s).
  CHECK(bucket.available(kSimStart + 2500ms) == 50);
  CHECK(bucket.available(kSimStart + 2549999us) == 50);
  CHECK(bucket.available(kSimStart + 2550ms) == 51);
  // 10 s would earn 200, but the bucket holds 100.
  CHECK(bucket.available(kSimStart + 10s) == 100);
  // An idle year neither overflows nor over-fills.
  CHECK(bucket.available(kSimStart + 365 * 24h) == 100);
  bucket.take(kSimStart + 10s);
  CHECK(bucket.available(kSimStart + 10s) == 99);
}

TEST_CASE("a launch bucket with an inexact period does not drift", "[platform]") {
  LaunchTokenBucket bucket(2, 3);  // 2 launches, 3 per second: one per 333333.3 us
  bucket.take(kSimStart);
  bucket.take(kSimStart);
  // Launch k after the burst at ceil(k * 10^6 / 3) us: 333334, 666667, 1000000.
  SimTime now = kSimStart;
  std::vector<SimTime> launches;
  for (int k = 1; k <= 3; ++k) {
    now = bucket.next_available(now);
    bucket.take(now);
    launches.push_back(now);
  }
  CHECK(launches ==
        std::vector<SimTime>{kSimStart + 333334us, kSimStart + 666667us, kSimStart + 1000000us});
  // Three seconds later in the same rhythm: ceil(12 * 10^6 / 3) = 4 s for k = 12.
  for (int k = 4; k <= 12; ++k) {
    now = bucket.next_available(now);
    bucket.take(now);
  }
  CHECK(now == kSimStart + 4s);
}
