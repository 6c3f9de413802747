// jettison-trace stats: exact figures of tiny hand-made traces (nearest-rank percentiles, classes,
// hourly shares, gaps, burstiness), text and JSON, and errors naming file and line with exit 2.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/traces/trace_tool_cli.hpp"

namespace jettison::testing {
namespace {

class Stats : public ::testing::Test {
 protected:
  TraceCli cli;
};

// Lengths 600, 60, 3600, 1800 s; two desktops; the last end on day 1, so 2 days.
const char* kIdle =
    "desktop,start,end\n"
    "a,0,600\n"
    "b,3600,3660\n"
    "a,7200,10800\n"
    "b,86400,88200\n";

TEST_F(Stats, IdleTraceExactFigures) {
  cli.dir.write("idle.csv", kIdle);
  const auto r = cli.run("stats --json idle.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kind"], "idle");
  EXPECT_EQ(j["desktops"], 2);
  EXPECT_EQ(j["periods"], 4);
  EXPECT_EQ(j["days"], 2);
  EXPECT_DOUBLE_EQ(j["first_start_s"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(j["last_end_s"].get<double>(), 88200.0);
  EXPECT_DOUBLE_EQ(j["total_idle_h"].get<double>(), 6060.0 / 3600);
  EXPECT_DOUBLE_EQ(j["idle_h_per_desktop_day"].get<double>(), 6060.0 / 3600 / 2 / 2);
  EXPECT_DOUBLE_EQ(j["weekday_idle_h_per_desktop_day"].get<double>(), 6060.0 / 3600 / 2 / 2);
  EXPECT_TRUE(j["weekend_idle_h_per_desktop_day"].is_null());
  const auto& l = j["period_length_s"];
  EXPECT_EQ(l["min"], 60.0);
  EXPECT_EQ(l["p5"], 60.0);
  EXPECT_EQ(l["p10"], 60.0);
  EXPECT_EQ(l["p25"], 60.0);
  EXPECT_EQ(l["p50"], 600.0);
  EXPECT_EQ(l["p75"], 1800.0);
  EXPECT_EQ(l["p90"], 3600.0);
  EXPECT_EQ(l["p95"], 3600.0);
  EXPECT_EQ(l["p99"], 3600.0);
  EXPECT_EQ(l["max"], 3600.0);
  EXPECT_EQ(l["mean"], 1515.0);
  const auto& c = j["period_classes"];
  EXPECT_EQ(c["under_10min"], 1);
  EXPECT_EQ(c["10_to_30min"], 1);
  EXPECT_EQ(c["30_to_60min"], 1);
  EXPECT_EQ(c["1h_and_more"], 1);
  const auto& h = j["hourly_idle_share"];
  ASSERT_EQ(h.size(), 24u);
  EXPECT_DOUBLE_EQ(h[0].get<double>(), (600.0 + 1800.0) / 3600 / 4);  // 2 desktops x 2 days
  EXPECT_DOUBLE_EQ(h[1].get<double>(), 60.0 / 3600 / 4);
  EXPECT_DOUBLE_EQ(h[2].get<double>(), 3600.0 / 3600 / 4);
  for (int i = 3; i < 24; ++i) EXPECT_EQ(h[i], 0.0) << i;
}

TEST_F(Stats, IdleDaysOptionSetsTheDivisorAndWeekendDays) {
  cli.dir.write("idle.csv", "desktop,start,end\nx,518400,604800\n");  // all of day 6, a Sunday
  const auto j = nlohmann::json::parse(cli.run("stats --json idle.csv").out);
  EXPECT_EQ(j["days"], 7);
  EXPECT_DOUBLE_EQ(j["weekday_idle_h_per_desktop_day"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(j["weekend_idle_h_per_desktop_day"].get<double>(), 12.0);
  for (int i = 0; i < 24; ++i) EXPECT_DOUBLE_EQ(j["hourly_idle_share"][i].get<double>(), 1.0 / 7) << i;
  const auto k = nlohmann::json::parse(cli.run("stats --json --days 14 idle.csv").out);
  EXPECT_DOUBLE_EQ(k["idle_h_per_desktop_day"].get<double>(), 24.0 / 14);
}

TEST_F(Stats, IdleTraceText) {
  cli.dir.write("idle.csv", kIdle);
  const auto r = cli.run("stats idle.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"idle.csv: idle-period trace", "periods                    4 (2.0 per desktop)",
                        "p50 600.0", "under 10 min 1 (25.0%)", "1 h and more 1 (25.0%)", "00h 0.167"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  }
}

// Per-second counts 2,1,0,2; pages 10 and 11 new at 0.5 s, 12 at 3 s.
const char* kPages =
    "time,page,op\n"
    "0.5,10,r\n"
    "0.5,11,w\n"
    "1.5,10,w\n"
    "3,12,r\n"
    "3,10,r\n";

TEST_F(Stats, PageTraceExactFigures) {
  cli.dir.write("pages.csv", kPages);
  const auto r = cli.run("stats --json --bucket 1s pages.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kind"], "pages");
  EXPECT_EQ(j["accesses"], 5);
  EXPECT_EQ(j["writes"], 2);
  EXPECT_DOUBLE_EQ(j["write_share"].get<double>(), 0.4);
  EXPECT_EQ(j["unique_pages"], 3);
  EXPECT_EQ(j["written_pages"], 2);
  EXPECT_EQ(j["max_page"], 12);
  EXPECT_EQ(j["first_access_s"], 0.5);
  EXPECT_EQ(j["last_access_s"], 3.0);
  EXPECT_EQ(j["instants"], 3);
  EXPECT_EQ(j["max_accesses_at_one_instant"], 2);
  EXPECT_EQ(j["new_pages_per_bucket"], nlohmann::json::parse("[2,0,0,1]"));
  EXPECT_EQ(j["unique_pages_by_bucket_end"], nlohmann::json::parse("[2,2,2,3]"));
  const auto& g = j["access_gap_s"];
  EXPECT_EQ(g["count"], 2);
  EXPECT_EQ(g["min"], 1.0);
  EXPECT_EQ(g["p50"], 1.0);
  EXPECT_EQ(g["p75"], 1.5);
  EXPECT_EQ(g["max"], 1.5);
  EXPECT_EQ(g["mean"], 1.25);
  const auto& f = j["fetch_gap_s"];
  EXPECT_EQ(f["count"], 1);
  EXPECT_EQ(f["p50"], 2.5);
  const auto& b = j["burstiness"];
  EXPECT_EQ(b["seconds"], 4);
  EXPECT_NEAR(b["per_second_cv"].get<double>(), std::sqrt(0.6875) / 1.25, 1e-12);
  EXPECT_DOUBLE_EQ(b["top10_second_share"].get<double>(), 0.4);  // the busiest second: 2 of 5
  EXPECT_DOUBLE_EQ(b["busy_second_share"].get<double>(), 0.75);
}

TEST_F(Stats, PageTraceTextAndDefaultBucket) {
  cli.dir.write("pages.csv", kPages);
  const auto r = cli.run("stats pages.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* s :
       {"pages.csv: page-access trace", "5 (2 writes)", "40.0%", "unique pages per 10 min    (cumulative) 3",
        "3 (0.0 MiB at 4096 B a page; 2 written; highest page 12)"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  }
}

TEST_F(Stats, BadInputNamesFileAndLineAndExitsTwo) {
  cli.dir.write("unknown.csv", "a,b,c\n1,2,3\n");
  cli.dir.write("bad-idle.csv", "desktop,start,end\nd0,10,20\nd0,15,30\n");
  cli.dir.write("bad-pages.csv", "time,page,op\n1,5,r\n2,6,x\n");
  cli.dir.write("empty-idle.csv", "desktop,start,end\n");
  const struct {
    const char* args;
    const char* message;
  } cases[] = {
      {"stats unknown.csv", "unknown.csv:1: not a trace"},
      {"stats bad-idle.csv", "bad-idle.csv:3:"},
      {"stats bad-pages.csv", "bad-pages.csv:3:"},
      {"stats empty-idle.csv", "no idle periods"},
      {"stats missing.csv", "missing.csv"},
      {"stats --bucket 10 bad-pages.csv", "--bucket"},
      {"stats", "file is required"},
  };
  for (const auto& c : cases) {
    const auto r = cli.run(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << c.args;
  }
}

}  // namespace
}  // namespace jettison::testing
