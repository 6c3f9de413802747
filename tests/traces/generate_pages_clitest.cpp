// jettison-trace generate pages: same seed same bytes, both profiles valid page-access traces that
// fit a 4 GiB VM with their documented figures (traces/README.md), bad arguments exit 2 and write
// nothing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/traces/trace_tool_cli.hpp"
#include "traces/io/page_profile.hpp"

namespace jettison::testing {
namespace {

class GeneratePages : public ::testing::Test {
 protected:
  TraceCli cli;
};

TEST_F(GeneratePages, SameSeedSameBytes) {
  for (const char* p : {"windows", "linux"}) {
    const std::string base = std::string("generate pages --profile ") + p + " --hours 1 ";
    ASSERT_EQ(cli.run(base + "--seed 7 --out a.csv").exit_code, 0);
    ASSERT_EQ(cli.run(base + "--seed 7 --out b.csv").exit_code, 0);
    ASSERT_EQ(cli.run(base + "--seed 8 --out c.csv").exit_code, 0);
    EXPECT_EQ(cli.read("a.csv"), cli.read("b.csv")) << p;
    EXPECT_NE(cli.read("a.csv"), cli.read("c.csv")) << p;
  }
}

TEST_F(GeneratePages, ProfilesAreValidAndHaveTheirDocumentedShape) {
  struct Want {
    const char* profile;
    double write_share;
  };
  for (const Want w : {Want{"windows", 0.35}, Want{"linux", 0.20}}) {
    const std::string file = std::string(w.profile) + ".csv";
    ASSERT_EQ(
        cli.run(std::string("generate pages --profile ") + w.profile + " --hours 2 --seed 1 --out " + file)
            .exit_code,
        0);
    const auto p = traces::read_page_profile(std::make_unique<std::istringstream>(cli.read(file)), file);
    EXPECT_LT(p.max_gfn, 1u << 20) << w.profile;  // fits a 4 GiB VM of 4 KiB pages
    EXPECT_GE(p.accesses.size(), 10'000u) << w.profile;
    EXPECT_LE(p.accesses.size(), 40'000u) << w.profile;
    EXPECT_GE(p.unique_pages(), 3'000u) << w.profile;
    EXPECT_LE(p.unique_pages(), 15'000u) << w.profile;
    EXPECT_LT(p.accesses.back().offset_us, 7200LL * 1'000'000);

    const auto r = cli.run("stats --json " + file);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_NEAR(j["write_share"].get<double>(), w.write_share, 0.04) << w.profile;
    // The working set grows slowly: fewer new pages in the last 10 minutes than in the first.
    const auto& fresh = j["new_pages_per_bucket"];
    ASSERT_EQ(fresh.size(), 12u);
    EXPECT_LT(fresh[11].get<int>(), fresh[0].get<int>()) << w.profile;
    // Periodic bursts: the busiest tenth of the seconds holds far more than a tenth of the accesses.
    EXPECT_GT(j["burstiness"]["top10_second_share"].get<double>(), 0.3) << w.profile;
  }
}

TEST_F(GeneratePages, ParametersChangeTheModel) {
  ASSERT_EQ(cli.run("generate pages --profile linux --hours 1 --out a.csv").exit_code, 0);
  ASSERT_EQ(
      cli.run("generate pages --profile linux --hours 1 --param write_share=0.6 --param vm_pages=262144 "
              "--param pool_region_pages=4096..16384 "
              "--out b.csv")
          .exit_code,
      0);
  const auto a = nlohmann::json::parse(cli.run("stats --json a.csv").out);
  const auto b = nlohmann::json::parse(cli.run("stats --json b.csv").out);
  EXPECT_GT(b["write_share"].get<double>(), a["write_share"].get<double>() + 0.2);
  EXPECT_LT(b["max_page"].get<std::uint64_t>(), 262144u);
}

TEST_F(GeneratePages, BadArgumentsExitTwoAndWriteNothing) {
  const struct {
    const char* args;
    const char* message;
  } cases[] = {
      {"--profile macos", "unknown profile 'macos'"}, {"--hours 0", "--hours"},
      {"--param hot_pages=0", "hot_pages=0"},         {"--param tick_interval=2s..1s", "lo <= hi"},
      {"--param write_share=2", "write_share=2"},     {"--param vm_pages=2048", "does not fit"},
      {"--param poll_period", "name=value"},
  };
  for (const auto& c : cases) {
    const auto r = cli.run(std::string("generate pages ") + c.args + " --out p.csv");
    EXPECT_EQ(r.exit_code, 2) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << ": " << r.err;
  }
  EXPECT_EQ(cli.files(), 0u);
}

TEST_F(GeneratePages, ListParamsShowsBothProfiles) {
  const auto r = cli.run("generate pages --list-params");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("windows: 450  linux: 250"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace jettison::testing
