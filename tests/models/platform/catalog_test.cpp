#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ecsim/platform/catalog.hpp"

using namespace ecsim::platform;
using Names = std::vector<std::string>;

namespace {

const std::string kHeader = std::string(InstanceCatalog::kCsvHeader) + "\n";
// Field columns in this row: name 1, family 12, vcpu 16, memory_mib 18, arch 24, gpus 30,
// max_enis 32, ipv4_per_eni 34, eks_max_pods_eni 37, eks_allocatable_cpu_m 40,
// eks_allocatable_memory_mib 45, eks_allocatable_pods 51, price 54; 61 bytes long.
const std::string kM6iXlarge = "m6i.xlarge,m6i,4,16384,amd64,0,4,15,58,3920,14162,58,0.192000";
const std::string kA1Medium = "a1.medium,a1,1,2048,arm64,0,2,4,8,940,1392,8,0.025500";

// The message from_csv throws for `csv`, which must be malformed.
std::string load_error(std::string_view csv) {
  try {
    (void)InstanceCatalog::from_csv(csv, "test.csv");
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  FAIL("from_csv accepted malformed input:\n" << csv);
  return {};
}

// kM6iXlarge with field `index` (0-based) replaced by `value`.
std::string m6i_with(std::size_t index, std::string_view value) {
  std::vector<std::string> fields;
  std::string field;
  for (const char c : kM6iXlarge) {
    if (c == ',') {
      fields.push_back(field);
      field.clear();
    } else {
      field += c;
    }
  }
  fields.push_back(field);
  fields.at(index) = value;
  std::string row;
  for (const std::string& f : fields) row += (row.empty() ? "" : ",") + f;
  return row;
}

}  // namespace

TEST_CASE("the builtin catalog holds all 1360 instance types sorted by name", "[platform]") {
  const InstanceCatalog& catalog = InstanceCatalog::builtin();
  // models/data/ec2-instance-types.csv: 1361 lines, the header and one row per type.
  REQUIRE(catalog.size() == 1360);
  CHECK(&catalog == &InstanceCatalog::builtin());  // parsed once
  // Byte order: '2' (0x32) < '4' < 'l' (0x6c) < 'm'.
  CHECK(catalog.at(0).name == "a1.2xlarge");
  CHECK(catalog.at(1).name == "a1.4xlarge");
  CHECK(catalog.at(2).name == "a1.large");
  CHECK(catalog.at(1359).name == "z1d.xlarge");
  for (std::size_t i = 1; i < catalog.size(); ++i)
    CHECK(catalog.types()[i - 1].name < catalog.types()[i].name);
}

TEST_CASE("the builtin catalog has the rows of the data file", "[platform]") {
  const InstanceCatalog& catalog = InstanceCatalog::builtin();

  const InstanceType* m6i = catalog.find("m6i.xlarge");
  REQUIRE(m6i != nullptr);
  // Line 629: m6i.xlarge,m6i,4,16384,amd64,0,4,15,58,3920,14162,58,0.192000
  CHECK(m6i->family == "m6i");
  CHECK(m6i->vcpu == 4);
  CHECK(m6i->memory_mib == 16384);  // 16 GiB * 1024
  CHECK(m6i->arch == Arch::kAmd64);
  CHECK(m6i->gpus == 0);
  CHECK(m6i->max_enis == 4);
  CHECK(m6i->ipv4_per_eni == 15);
  CHECK(m6i->eks_max_pods_eni == 58);  // 4 * (15 - 1) + 2
  CHECK(m6i->eks_allocatable_cpu_m == 3920);
  CHECK(m6i->eks_allocatable_memory_mib == 14162);
  CHECK(m6i->eks_allocatable_pods == 58);
  CHECK(m6i->price_usd_per_hour == 0.192);

  const InstanceType* a1 = catalog.find("a1.medium");
  REQUIRE(a1 != nullptr);
  // Line 5: a1.medium,a1,1,2048,arm64,0,2,4,8,940,1392,8,0.025500
  CHECK(a1->arch == Arch::kArm64);
  CHECK(a1->vcpu == 1);
  CHECK(a1->memory_mib == 2048);
  CHECK(a1->eks_max_pods_eni == 8);  // 2 * (4 - 1) + 2
  CHECK(a1->price_usd_per_hour == 0.0255);

  const InstanceType* g5 = catalog.find("g5.xlarge");
  REQUIRE(g5 != nullptr);
  // Line 368: g5.xlarge,g5,4,16384,amd64,1,4,15,58,3920,14162,58,1.006000
  CHECK(g5->gpus == 1);
  CHECK(g5->price_usd_per_hour == 1.006);
}

TEST_CASE("instance types are found by exact name and index", "[platform]") {
  const InstanceCatalog& catalog = InstanceCatalog::builtin();
  const InstanceTypeIndex index = catalog.index_of("m6i.xlarge");
  REQUIRE(index != kUnknownInstanceType);
  CHECK(&catalog.at(index) == catalog.find("m6i.xlarge"));
  CHECK(catalog.index_of("a1.2xlarge") == 0);

  CHECK(catalog.find("m6i.xlarg") == nullptr);
  CHECK(catalog.find("M6I.XLARGE") == nullptr);  // names are case-sensitive
  CHECK(catalog.find("") == nullptr);
  CHECK(catalog.index_of("zzz.large") == kUnknownInstanceType);
}

TEST_CASE("an unknown instance type gets the nearest known names", "[platform]") {
  const InstanceCatalog& catalog = InstanceCatalog::builtin();
  // 9 bytes: up to max(2, 9/3) = 3 edits. m6i.xlarge is 1 insertion away; the next nearest,
  // at 2, in byte order: c6i.xlarge (m->c, +e), m6a.xlarge (i->a, +e).
  CHECK(catalog.suggest("m6i.xlarg") == Names{"m6i.xlarge", "c6i.xlarge", "m6a.xlarge"});
  CHECK(catalog.suggest("m6i.xlarg", 1) == Names{"m6i.xlarge"});
  // "xx" is one substitution from 2x, 4x and 8x, one deletion from m6i.xlarge; '2' < '4' < '8'
  // < 'x', so the doubled sizes come first.
  CHECK(catalog.suggest("m6i.xxlarge", 4) ==
        Names{"m6i.2xlarge", "m6i.4xlarge", "m6i.8xlarge", "m6i.xlarge"});
  // Case folds: distance 0, then m6i.xlarge's neighbours at 1.
  CHECK(catalog.suggest("M6I.XLARGE", 1) == Names{"m6i.xlarge"});
  // 7 bytes, up to 2 edits: t3.micro by 1 insertion, then t1.micro, t2.micro (3 -> 1 or 2, +o)
  // and t3a.micro (+a, +o) at 2.
  CHECK(catalog.suggest("t3.micr", 10) == Names{"t3.micro", "t1.micro", "t2.micro", "t3a.micro"});
  CHECK(catalog.suggest("kubernetes").empty());
}

TEST_CASE("a CSV catalog is sorted by name and accepts CRLF line breaks", "[platform]") {
  const InstanceCatalog catalog = InstanceCatalog::from_csv(
      std::string(InstanceCatalog::kCsvHeader) + "\r\n" + kM6iXlarge + "\r\n" + kA1Medium,
      "test.csv");
  REQUIRE(catalog.size() == 2);
  CHECK(catalog.at(0).name == "a1.medium");
  CHECK(catalog.at(1).name == "m6i.xlarge");
  CHECK(catalog.at(1).price_usd_per_hour == 0.192);
  CHECK(catalog.index_of("a1.medium") == 0);

  CHECK(InstanceCatalog::from_csv(kHeader, "test.csv").size() == 0);  // a header and no rows
}

TEST_CASE("a CSV header must name the expected columns in order", "[platform]") {
  // "instance_type," is 14 bytes and "family," 7: vcpu starts at column 22.
  CHECK(load_error("instance_type,family,vcpus,memory_mib\n") ==
        "test.csv:1:22: error: header: expected column 'vcpu', found 'vcpus'");
  // The header is 184 bytes; without ",price_usd_per_hour_us_east_1" (1 + 28) it is 155, and
  // the error points just past it.
  const std::string_view header = InstanceCatalog::kCsvHeader;
  const std::string_view short_header = header.substr(0, header.rfind(','));
  CHECK(load_error(std::string(short_header) + "\n" + kM6iXlarge) ==
        "test.csv:1:156: error: header: missing column 'price_usd_per_hour_us_east_1' (expected "
        "the header " +
            std::string(header) + ")");
  // The 184-byte header and a comma: the extra column starts at 186.
  CHECK(load_error(std::string(header) + ",zone\n") ==
        "test.csv:1:186: error: header: unexpected column 'zone' (the header has 13 columns)");
  CHECK(load_error("") == "test.csv:1:1: error: header: empty file (expected the header " +
                              std::string(header) + ")");
}

TEST_CASE("a CSV row must have every field typed", "[platform]") {
  CHECK(load_error(kHeader + m6i_with(2, "four")) ==
        "test.csv:2:16: error: vcpu: expected an unsigned integer, found 'four'");
  CHECK(load_error(kHeader + m6i_with(2, "-4")) ==
        "test.csv:2:16: error: vcpu: expected an unsigned integer, found '-4'");
  CHECK(load_error(kHeader + m6i_with(2, " 4")) ==
        "test.csv:2:16: error: vcpu: expected an unsigned integer, found ' 4'");
  // 2^32 = 4294967296 does not fit in 32 bits.
  CHECK(load_error(kHeader + m6i_with(3, "4294967296")) ==
        "test.csv:2:18: error: memory_mib: 4294967296 is too large (at most 4294967295)");
  CHECK(load_error(kHeader + m6i_with(4, "x86_64")) ==
        "test.csv:2:24: error: arch: expected amd64 or arm64, found 'x86_64'");
  CHECK(load_error(kHeader + m6i_with(12, "1e3")) ==
        "test.csv:2:54: error: price_usd_per_hour_us_east_1: expected a decimal number such as "
        "0.192, found '1e3'");
  CHECK(load_error(kHeader + m6i_with(12, "")) ==
        "test.csv:2:54: error: price_usd_per_hour_us_east_1: expected a decimal number such as "
        "0.192, found ''");
  CHECK(load_error(kHeader + m6i_with(12, "0.000")) ==
        "test.csv:2:54: error: price_usd_per_hour_us_east_1: must be positive, found 0.000");
  CHECK(load_error(kHeader + m6i_with(0, "m6ixlarge")) ==
        "test.csv:2:1: error: instance_type: expected FAMILY.SIZE such as m6i.xlarge, found "
        "'m6ixlarge'");
  CHECK(load_error(kHeader + m6i_with(1, "m6a")) ==
        "test.csv:2:12: error: family: 'm6a' does not match the instance type 'm6i.xlarge' "
        "(expected 'm6i')");
  CHECK(load_error(kHeader + m6i_with(2, "0")) ==
        "test.csv:2:16: error: vcpu: must be at least 1, found 0");
}

TEST_CASE("a CSV row must agree with itself", "[platform]") {
  // 4 * (15 - 1) + 2 = 58, not 59.
  CHECK(load_error(kHeader + m6i_with(8, "59")) ==
        "test.csv:2:37: error: eks_max_pods_eni: 59 does not match max_enis * (ipv4_per_eni - 1) "
        "+ 2 = 4 * (15 - 1) + 2 = 58");
  // 4 vCPU are 4 * 1000 = 4000 millicores.
  CHECK(load_error(kHeader + m6i_with(9, "4001")) ==
        "test.csv:2:40: error: eks_allocatable_cpu_m: 4001 exceeds the 4 vCPU of the type (4000 "
        "millicores)");
  CHECK(load_error(kHeader + m6i_with(10, "16385")) ==
        "test.csv:2:45: error: eks_allocatable_memory_mib: 16385 exceeds the memory of the type "
        "(16384 MiB)");
}

TEST_CASE("a CSV row must have exactly 13 unquoted fields", "[platform]") {
  // Without ",0.192000" the row is 61 - 9 = 52 bytes: the error points at column 53.
  CHECK(load_error(kHeader + kM6iXlarge.substr(0, 52)) ==
        "test.csv:2:53: error: expected 13 fields, found 12");
  // The 61-byte row and a comma: the 14th field starts at column 63.
  CHECK(load_error(kHeader + kM6iXlarge + ",extra") ==
        "test.csv:2:63: error: expected 13 fields, found 14");
  CHECK(load_error(kHeader + "\"m6i.xlarge\"" + kM6iXlarge.substr(10)) ==
        "test.csv:2:1: error: quoted fields are not supported");
  CHECK(load_error(kHeader + kM6iXlarge + "\n\n" + kA1Medium) ==
        "test.csv:3:1: error: empty line (expected a row of 13 fields)");
}

TEST_CASE("a CSV catalog reports every problem, duplicates included, in file order", "[platform]") {
  const std::string csv = kHeader + kM6iXlarge + "\n" +  // line 2
                          m6i_with(4, "arm") + "\n" +    // line 3: bad arch
                          kA1Medium + "\n" +             // line 4
                          kM6iXlarge + "\n" +            // line 5: duplicate of line 2
                          m6i_with(2, "x") + "\n";       // line 6: bad vcpu
  CHECK(load_error(csv) ==
        "test.csv:3:24: error: arch: expected amd64 or arm64, found 'arm'\n"
        "test.csv:5:1: error: instance_type: duplicate 'm6i.xlarge' (first on line 2)\n"
        "test.csv:6:16: error: vcpu: expected an unsigned integer, found 'x'");
}
