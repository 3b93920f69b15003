#include "input_file.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

using namespace ecsim::scenario::detail;
using Catch::Matchers::Equals;

namespace {

// A fresh folder for one test, removed when it ends.
struct TempFolder {
  std::filesystem::path path;
  TempFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ecsim-input-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempFolder() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("a regular file is read whole", "[scenario]") {
  TempFolder dir;
  const std::string file = (dir.path / "a.yaml").string();
  std::ofstream(file) << "name: a\n";
  const InputText got = read_input_file(file);
  REQUIRE(got.text);
  CHECK(*got.text == "name: a\n");
}

TEST_CASE("only regular files are read, and each says what it is", "[scenario]") {
  TempFolder dir;
  CHECK_THAT(read_input_file(dir.path.string()).problem,
             Equals(fmt::format("'{}' is a directory (expected a file)", dir.path.string())));
  CHECK_THAT(read_input_file("/dev/zero").problem,
             Equals("'/dev/zero' is not a regular file: it is a character device (expected a "
                    "file)"));
  CHECK_FALSE(read_input_file("/dev/urandom").text);
  // A FIFO with no writer: refused at once, not waited on.
  const std::string fifo = (dir.path / "pipe").string();
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THAT(
      read_input_file(fifo).problem,
      Equals(fmt::format("'{}' is not a regular file: it is a FIFO (expected a file)", fifo)));
  CHECK_THAT(read_input_file("").problem,
             Equals("the file name is empty (expected a path to a file)"));
  CHECK_THAT(read_input_file((dir.path / "none.json").string()).problem,
             Equals(fmt::format("cannot open '{}': No such file or directory (expected a readable "
                                "file)",
                                (dir.path / "none.json").string())));
}

TEST_CASE("the size cap holds while reading, whatever size the file claims", "[scenario]") {
  TempFolder dir;
  const std::string file = (dir.path / "big.json").string();
  std::ofstream(file) << std::string(2000, 'x');
  CHECK(read_input_file(file, 2000).text);
  CHECK_THAT(
      read_input_file(file, 1999).problem,
      Equals(fmt::format("'{}' is larger than 0 MiB, the most ecsim reads from one file", file)));
  // Files under /proc claim a size of 0 and still have their text.
  const InputText status = read_input_file("/proc/self/status");
  REQUIRE(status.text);
  CHECK(status.text->find("Name:") != std::string::npos);
  CHECK_FALSE(read_input_file("/proc/self/status", 10).text);
}
