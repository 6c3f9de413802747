// jettison-trace generate idle: same seed same bytes, desktops independent of each other, output a
// valid idle-period trace sorted by start, the office model's figures in their documented bands
// (traces/README.md), and bad arguments exit 2 without writing anything.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/traces/trace_tool_cli.hpp"
#include "traces/io/idle_trace_reader.hpp"

namespace jettison::testing {
namespace {

using traces::IdleRow;
using traces::IdleTraceReader;

std::vector<IdleRow> read_rows(const std::string& text, const std::string& name) {
  IdleTraceReader reader(std::make_unique<std::istringstream>(text), name);
  std::vector<IdleRow> rows;
  IdleRow row;
  while (reader.next(row)) rows.push_back(row);
  return rows;
}

// Rows of each desktop, as text lines.
std::map<std::string, std::vector<std::string>> lines_by_desktop(const std::string& text) {
  std::map<std::string, std::vector<std::string>> by;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) by[line.substr(0, line.find(','))].push_back(line);
  return by;
}

class GenerateIdle : public ::testing::Test {
 protected:
  TraceCli cli;
};

TEST_F(GenerateIdle, SameSeedSameBytesOtherSeedOtherBytes) {
  ASSERT_EQ(cli.run("generate idle --desktops 20 --days 7 --seed 3 --out a.csv").exit_code, 0);
  ASSERT_EQ(cli.run("generate idle --desktops 20 --days 7 --seed 3 --out b.csv").exit_code, 0);
  ASSERT_EQ(cli.run("generate idle --desktops 20 --days 7 --seed 4 --out c.csv").exit_code, 0);
  EXPECT_EQ(cli.read("a.csv"), cli.read("b.csv"));
  EXPECT_NE(cli.read("a.csv"), cli.read("c.csv"));
}

TEST_F(GenerateIdle, AddingDesktopsLeavesTheOthersUnchanged) {
  ASSERT_EQ(cli.run("generate idle --desktops 20 --days 14 --seed 5 --out small.csv").exit_code, 0);
  ASSERT_EQ(cli.run("generate idle --desktops 35 --days 14 --seed 5 --out large.csv").exit_code, 0);
  const auto small = lines_by_desktop(cli.read("small.csv"));
  const auto large = lines_by_desktop(cli.read("large.csv"));
  ASSERT_EQ(small.size(), 20u);
  ASSERT_EQ(large.size(), 35u);
  for (const auto& [desktop, rows] : small) EXPECT_EQ(rows, large.at(desktop)) << desktop;
}

TEST_F(GenerateIdle, OutputIsAValidTraceSortedByStartWithGapsOverAMinute) {
  ASSERT_EQ(cli.run("generate idle --desktops 30 --days 14 --seed 2 --out t.csv").exit_code, 0);
  const std::string text = cli.read("t.csv");
  ASSERT_EQ(text.rfind("desktop,start,end\n", 0), 0u);
  const auto rows = read_rows(text, "t.csv");  // throws on any format error
  ASSERT_FALSE(rows.empty());
  std::map<std::string, Time> last_end;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const IdleRow& r = rows[i];
    if (i > 0) {
      ASSERT_TRUE(rows[i - 1].start < r.start ||
                  (rows[i - 1].start == r.start && rows[i - 1].desktop < r.desktop))
          << "line " << r.line;
    }
    EXPECT_GE(r.start.us(), 0);
    EXPECT_LE(r.end.us(), 14LL * 86400 * 1'000'000);
    EXPECT_GE((r.end - r.start).us(), 60'000'000) << "line " << r.line;  // min_period
    auto it = last_end.find(r.desktop);
    if (it != last_end.end()) {
      EXPECT_GT((r.start - it->second).us(), 60'000'000) << "line " << r.line;
    }
    last_end[r.desktop] = r.end;
  }
  EXPECT_EQ(last_end.begin()->first, "d00");
  EXPECT_EQ(last_end.rbegin()->first, "d29");
}

// 50 desktops x 14 days: the weekday mean in the band traces/README.md documents (about 12 h, from
// the 60% of desktops on overnight), every class of period length present.
TEST_F(GenerateIdle, FiftyDesktopsTwoWeeksHaveTheDocumentedShape) {
  ASSERT_EQ(cli.run("generate idle --desktops 50 --days 14 --seed 1 --out t.csv").exit_code, 0);
  const auto r = cli.run("stats --json t.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["desktops"], 50);
  EXPECT_EQ(j["days"], 14);
  const double weekday = j["weekday_idle_h_per_desktop_day"];
  const double weekend = j["weekend_idle_h_per_desktop_day"];
  EXPECT_GE(weekday, 9.0);
  EXPECT_LE(weekday, 15.0);
  EXPECT_GT(weekend, weekday);  // on-overnight desktops idle all weekend
  for (const char* c : {"under_10min", "10_to_30min", "30_to_60min", "1h_and_more"}) {
    EXPECT_GE(j["period_classes"][c].get<int>(), 100) << c;
  }
  // Short gaps dominate the count, long periods the time.
  EXPECT_GT(j["period_classes"]["under_10min"].get<double>() / j["periods"].get<double>(), 0.6);
  // Night hours: idle on the share of desktops left on (0.6 by default).
  EXPECT_NEAR(j["hourly_idle_share"][3].get<double>(), 0.6, 0.15);
  EXPECT_LT(j["hourly_idle_share"][10].get<double>(), j["hourly_idle_share"][3].get<double>());
}

TEST_F(GenerateIdle, OvernightShareParameterMovesTheWeekdayMean) {
  ASSERT_EQ(
      cli.run("generate idle --desktops 50 --days 14 --param overnight_on_share=1 --out on.csv").exit_code,
      0);
  ASSERT_EQ(
      cli.run("generate idle --desktops 50 --days 14 --param overnight_on_share=0 --out off.csv").exit_code,
      0);
  const auto on = nlohmann::json::parse(cli.run("stats --json on.csv").out);
  const auto off = nlohmann::json::parse(cli.run("stats --json off.csv").out);
  EXPECT_NEAR(on["weekday_idle_h_per_desktop_day"].get<double>(), 18.0, 1.5);
  EXPECT_NEAR(off["weekday_idle_h_per_desktop_day"].get<double>(), 3.0, 1.5);
  EXPECT_NEAR(on["weekend_idle_h_per_desktop_day"].get<double>(), 23.5, 1.0);
}

TEST_F(GenerateIdle, ThousandDesktopsThirtyDaysWellUnderTenSeconds) {
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(cli.run("generate idle --desktops 1000 --days 30 --seed 1 --out big.csv").exit_code, 0);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(s, 10.0);
  EXPECT_GT(cli.read("big.csv").size(), 5'000'000u);
}

TEST_F(GenerateIdle, CompressedOutputByName) {
  ASSERT_EQ(cli.run("generate idle --desktops 3 --days 7 --out t.csv").exit_code, 0);
  ASSERT_EQ(cli.run("generate idle --desktops 3 --days 7 --out t.csv.gz").exit_code, 0);
  EXPECT_EQ(static_cast<unsigned char>(cli.read("t.csv.gz")[0]), 0x1fu);
  const auto a = cli.run("stats --json t.csv");
  const auto b = cli.run("stats --json t.csv.gz");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(nlohmann::json::parse(a.out)["periods"], nlohmann::json::parse(b.out)["periods"]);
}

TEST_F(GenerateIdle, BadArgumentsExitTwoAndWriteNothing) {
  const struct {
    const char* args;
    const char* message;
  } cases[] = {
      {"--param nope=1", "unknown parameter 'nope'"},
      {"--param lunch_prob=1.5", "lunch_prob=1.5"},
      {"--param arrival_mean=9:15..8:15", "lo <= hi"},
      {"--param lunch_length=30", "has no unit"},
      {"--param coffee_breaks=1:0.5,x:1", "coffee_breaks"},
      {"--param meeting_length=30min", "value:weight"},
      {"--param arrival_mean=25:00", "time of day"},
      {"--desktops 0", "--desktops"},
      {"--days 0", "--days"},
  };
  for (const auto& c : cases) {
    const auto r = cli.run(std::string("generate idle ") + c.args + " --out out/t.csv");
    EXPECT_EQ(r.exit_code, 2) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << ": " << r.err;
    EXPECT_FALSE(cli.exists("out")) << c.args;
  }
  EXPECT_EQ(cli.run("generate idle").exit_code, 2);  // no --out
  EXPECT_EQ(cli.files(), 0u);
}

TEST_F(GenerateIdle, FailureLeavesAnExistingFileUntouched) {
  cli.dir.write("t.csv", "old\n");
  EXPECT_EQ(cli.run("generate idle --param lunch_prob=2 --out t.csv").exit_code, 2);
  EXPECT_EQ(cli.read("t.csv"), "old\n");
  EXPECT_EQ(cli.files(), 1u);
}

TEST_F(GenerateIdle, ListParamsPrintsEveryParameter) {
  const auto r = cli.run("generate idle --list-params");
  ASSERT_EQ(r.exit_code, 0);
  for (const char* p : {"overnight_on_share", "arrival_mean", "meeting_length", "gap_rate", "absent_prob"}) {
    EXPECT_NE(r.out.find(p), std::string::npos) << p;
  }
}

}  // namespace
}  // namespace jettison::testing
