#include <catch2/catch.hpp>

#include <string>

#include "ecsim/eks/quantity.hpp"

using namespace ecsim::eks;

TEST_CASE("CPU quantities read as millicores, rounded up", "[eks]") {
  CHECK(parse_quantity_millis("100m") == 100);
  CHECK(parse_quantity_millis("0.5") == 500);
  CHECK(parse_quantity_millis("2") == 2000);
  CHECK(parse_quantity_millis("1.25") == 1250);
  // 1e3 cores = 1,000,000 millicores; 0.1m rounds up to 1m, 1.0001 cores to 1001m.
  CHECK(parse_quantity_millis("1e3") == 1'000'000);
  CHECK(parse_quantity_millis("0.1m") == 1);
  CHECK(parse_quantity_millis("1.0001") == 1001);
  CHECK(parse_quantity_millis("+250m") == 250);
  CHECK(parse_quantity_millis("0") == 0);
  CHECK(parse_quantity_millis(".5") == 500);
}

TEST_CASE("memory quantities read as bytes, binary and decimal suffixes", "[eks]") {
  CHECK(parse_quantity_units("64Mi") == 64LL * 1024 * 1024);
  CHECK(parse_quantity_units("1Gi") == 1LL << 30);
  CHECK(parse_quantity_units("1G") == 1'000'000'000);
  CHECK(parse_quantity_units("128974848") == 128'974'848);
  CHECK(parse_quantity_units("129e6") == 129'000'000);
  CHECK(parse_quantity_units("129E6") == 129'000'000);
  CHECK(parse_quantity_units("123Mi") == 123LL * 1024 * 1024);
  CHECK(parse_quantity_units("1.5Gi") == 3LL << 29);
  CHECK(parse_quantity_units("1k") == 1000);
  CHECK(parse_quantity_units("2Ki") == 2048);
  // 1500m bytes is 1.5 bytes: rounded up to 2.
  CHECK(parse_quantity_units("1500m") == 2);
  CHECK(parse_quantity_units("5Ei") == 5LL << 60);
}

TEST_CASE("bad quantities say what is wrong", "[eks]") {
  std::string error;
  CHECK_FALSE(parse_quantity_units("64MB", &error));
  CHECK(error == "'64MB' has an unknown suffix 'MB' (expected one of Ki Mi Gi Ti Pi Ei n u m k M "
                 "G T P E, or an exponent such as e3)");
  CHECK_FALSE(parse_quantity_millis("-1", &error));
  CHECK(error == "'-1' is negative (expected a quantity of 0 or more)");
  CHECK_FALSE(parse_quantity_millis("abc", &error));
  CHECK(error == "'abc' is not a quantity (expected a number with an optional suffix, such as "
                 "100m, 0.5, 64Mi or 1e3)");
  CHECK_FALSE(parse_quantity_millis("", &error));
  CHECK_FALSE(parse_quantity_units("8Ei", &error));
  CHECK(error == "'8Ei' is too large");
  CHECK_FALSE(parse_quantity_units("1e", &error));
  CHECK_FALSE(parse_quantity_units("1.2.3", &error));
}
