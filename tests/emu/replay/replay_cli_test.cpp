// jettison-replay as a user runs it: a good run writes periods.csv; bad flags and bad traces exit 2,
// name the problem (file:line for a trace) and write nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "emu/replay/period_csv.hpp"
#include "tests/emu/fetch/fetch_test_support.hpp"

namespace jettison::emu {
namespace {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string output;
};

class ReplayCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("jettison-replay-cli-{}", ::getpid());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }
  Result run(const std::string& args) {
    const auto log = dir_ / "log.txt";
    const std::string cmd =
        fmt::format("{}/jettison-replay {} >{} 2>&1", JETTISON_BIN_DIR, args, log.string());
    const int status = std::system(cmd.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    r.output = ss.str();
    return r;
  }
  fs::path dir_;
};

TEST_F(ReplayCli, ReplaysATraceAndWritesTheSimulatorsColumns) {
  JETTISON_REQUIRE_UFFD();
  testing::TempImage image(64);
  const auto trace = write("pages.csv", "time,page,op\n0,1,r\n1,2,w\n2,1,r\n");
  const auto out = dir_ / "periods.csv";
  const Result r =
      run(fmt::format("--trace {} --image {} --source local --speed 1000 --period 10s --verify "
                      "--dirty-tracking --out {}",
                      trace.string(), image.path().string(), out.string()));
  ASSERT_EQ(r.code, 0) << r.output;
  std::ifstream in(out);
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  EXPECT_EQ(header + "\n", period_csv_header());
  // 10 s period, cycle 3 s (last access at 2 s): copies at 0, 3, 6, 9 s, still 2 unique pages, 1 written.
  // energy_j .. proxy_energy_j are empty (the replay measures no power), and migrated_bytes (nothing migrates).
  EXPECT_EQ(row.rfind("emulated,pages,0,0.000000,10.000000,10.000000,migrated,,,,,,,2,", 0), 0u) << row;
  EXPECT_NE(r.output.find("verified 2 pages"), std::string::npos) << r.output;
}

TEST_F(ReplayCli, MissingTraceExits2AndWritesNothing) {
  testing::TempImage image(8);
  const auto out = dir_ / "periods.csv";
  const Result r = run(fmt::format("--trace {} --image {} --out {}", (dir_ / "nope.csv").string(),
                                   image.path().string(), out.string()));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("nope.csv"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(ReplayCli, BadSpeedExits2AndWritesNothing) {
  testing::TempImage image(8);
  const auto trace = write("pages.csv", "time,page,op\n0,1,r\n");
  const auto out = dir_ / "periods.csv";
  for (const char* speed : {"0", "-5", "fast"}) {
    const Result r = run(fmt::format("--trace {} --image {} --speed {} --out {}", trace.string(),
                                     image.path().string(), speed, out.string()));
    EXPECT_EQ(r.code, 2) << speed << ": " << r.output;
    EXPECT_NE(r.output.find("--speed"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(out));
  }
}

TEST_F(ReplayCli, BadTraceRowIsNamedByFileAndLine) {
  testing::TempImage image(8);
  const auto trace = write("pages.csv", "time,page,op\n0,1,r\n1,2,x\n");
  const auto out = dir_ / "periods.csv";
  const Result r =
      run(fmt::format("--trace {} --image {} --out {}", trace.string(), image.path().string(), out.string()));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("pages.csv:3"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(ReplayCli, PageBeyondTheImageAndUnknownPrefetcherExit2) {
  testing::TempImage image(8);
  const auto trace = write("pages.csv", "time,page,op\n0,1,r\n1,8,r\n");
  const auto out = dir_ / "periods.csv";
  Result r =
      run(fmt::format("--trace {} --image {} --out {}", trace.string(), image.path().string(), out.string()));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("pages.csv:3"), std::string::npos) << r.output;
  r = run(fmt::format("--trace {} --image {} --prefetch psychic --out {}", trace.string(),
                      image.path().string(), out.string()));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace jettison::emu
