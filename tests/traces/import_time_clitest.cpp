// jettison-trace import with real timestamps (issue 13): ISO 8601 date-times with a zone and Unix
// epoch seconds against an --origin, across a daylight-saving change; the origin file beside the
// trace and stats in that calendar; bad timestamps exiting 2 with file, line and the timestamp.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/traces/trace_tool_cli.hpp"

namespace jettison::testing {
namespace {

class ImportTime : public ::testing::Test {
 protected:
  TraceCli cli;
};

// Central Europe leaves +01:00 for +02:00 on Sunday 2026-03-29 at 01:00 UTC (02:00 local becomes
// 03:00). The origin, Monday 2026-03-23 00:00 +01:00, is 2026-03-22 23:00 UTC. By hand:
//   2026-03-29T00:00:00Z       = 6 d 1 h after the origin            -> t = 6 x 86400 + 3600 = 522000
//   2026-03-29T01:30:00+01:00  = 00:30 UTC                           -> t = 522000 + 1800    = 523800
//   2026-03-29T03:30:00+02:00  = 01:30 UTC: one hour later, not the two the local clocks say
//                                                                    -> t = 523800 + 3600    = 527400
//   1774769400 (epoch seconds) = 2026-03-29T07:30:00Z: 20582 days x 86400 + 7.5 h after 1970-01-01
//                                                                    -> t = 522000 + 6.5 h   = 549000
//   2026-03-29T09:30:00.5+02:00 = 07:30:00.5 UTC                     -> t = 549000.5
const char* kDstEvents =
    "time,machine\n"
    "2026-03-29T00:00:00Z,pc2\n"
    "2026-03-29T01:30:00+01:00,pc1\n"
    "2026-03-29T03:30:00+02:00,pc1\n"
    "1774769400,pc2\n"
    "2026-03-29T09:30:00.5+02:00,pc1\n";

TEST_F(ImportTime, IsoAndEpochTimesAcrossADaylightSavingChange) {
  cli.dir.write("ev.csv", kDstEvents);
  const auto r =
      cli.run("import events ev.csv --threshold 30min --origin 2026-03-23T00:00+01:00 --out idle.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The log runs from 522000 (first event) to 549000.5 (last). pc1: 522000..523800 (30 min, the log's
  // start to its first event: kept, >= threshold), 523800..527400 (1 h), 527400..549000.5; pc2:
  // 522000..549000 (7.5 h); its last 0.5 s is too short. Ties at 522000: pc2 appeared first.
  EXPECT_EQ(cli.read("idle.csv"),
            "desktop,start,end\n"
            "pc2,522000,549000\n"
            "pc1,522000,523800\n"
            "pc1,523800,527400\n"
            "pc1,527400,549000.5\n");
  EXPECT_EQ(cli.read("idle.csv.origin"), "2026-03-23T00:00:00+01:00\n");

  // stats finds the origin file: day 0 is Monday 2026-03-23, the span 7 days (549000.5 s rounded up),
  // so 5 weekdays and 2 weekend days; every period lies on day 6, a Sunday:
  // weekend idle = (27000 + 1800 + 3600 + 21600.5) s / 3600 / 2 desktops / 2 days = 3.75 h.
  const auto s = cli.run("stats idle.csv");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(
      s.out.find("(weekdays 0.00, weekend days 3.75; day 0 = 2026-03-23, a Monday; hours in UTC+01:00)"),
      std::string::npos)
      << s.out;
  const auto j = cli.run("stats idle.csv --json");
  EXPECT_EQ(nlohmann::json::parse(j.out)["origin"], "2026-03-23T00:00:00+01:00") << j.out;

  // Imported again without --origin (plain seconds), the stale origin file goes.
  cli.dir.write("plain.csv", "time,machine\n0,pc1\n4000,pc1\n");
  ASSERT_EQ(cli.run("import events plain.csv --threshold 30min --out idle.csv").exit_code, 0);
  EXPECT_FALSE(cli.exists("idle.csv.origin"));
}

// The same trace under two calendars. One desktop idle all of day 0 and 10:00-12:00 of day 1:
// 26 h over 2 days = 13.00 h per desktop-day. Day 0 a Monday (no origin): both days weekdays, 13.00;
// day 0 = Saturday 2026-03-07 (--origin): both weekend days, 13.00, and no weekday at all.
TEST_F(ImportTime, StatsWeekdaysFollowTheOrigin) {
  cli.dir.write("idle.csv", "desktop,start,end\nd1,0,86400\nd1,122400,129600\n");
  const auto monday = cli.run("stats idle.csv");
  ASSERT_EQ(monday.exit_code, 0) << monday.err;
  EXPECT_NE(monday.out.find("13.00 (weekdays 13.00, weekend days n/a; day 0 = Monday)"), std::string::npos)
      << monday.out;
  const auto saturday = cli.run("stats idle.csv --origin 2026-03-07T00:00Z");
  ASSERT_EQ(saturday.exit_code, 0) << saturday.err;
  EXPECT_NE(
      saturday.out.find("13.00 (weekdays n/a, weekend days 13.00; day 0 = 2026-03-07, a Saturday; hours "
                        "in UTC+00:00)"),
      std::string::npos)
      << saturday.out;
  // Hours of day are the origin's local hours: 10:00-12:00 is hours 10 and 11, 1/2 of a desktop-day each
  // (day 0 adds 1/2 to every hour): 0.500 + 0.500 = 1.000.
  EXPECT_NE(saturday.out.find("10h 1.000  11h 1.000"), std::string::npos) << saturday.out;
}

// Each bad timestamp: exit 2, "file:line:" and the timestamp in the one error line, nothing written.
TEST_F(ImportTime, BadTimestampsNameFileLineAndTheTimestamp) {
  struct Case {
    const char* time;
    const char* origin;
    const char* says;
  };
  const Case cases[] = {
      {"2026-02-30T10:00:00+01:00", "2026-02-02T00:00+01:00", "2026-02 has no day 30"},
      {"2026-13-01T10:00:00Z", "2026-02-02T00:00+01:00", "month 13 does not exist"},
      {"2026-03-02T10:00:00", "2026-02-02T00:00+01:00", "no time zone"},
      {"2026-03-02T25:00:00Z", "2026-02-02T00:00+01:00", "is not a time of day"},
      {"2026-01-05T10:00:00Z", "2026-02-02T00:00+01:00", "is before --origin 2026-02-02T00:00:00+01:00"},
      {"yesterday", "2026-02-02T00:00+01:00",
       "neither an ISO 8601 date-time with a zone nor Unix epoch seconds"},
      {"2026-03-02T10:00:00Z", "", "give --origin"},
  };
  for (const Case& c : cases) {
    cli.dir.write("bad.csv",
                  std::string("time,machine\n2026-03-02T09:00:00+01:00,pc1\n") + c.time + ",pc1\n");
    const std::string origin = *c.origin ? std::string(" --origin ") + c.origin : "";
    const auto r = cli.run("import events bad.csv --out out.csv" + origin);
    EXPECT_EQ(r.exit_code, 2) << c.time;
    // The first row is fine but for the no-origin case, where it is the one named.
    const std::string line = *c.origin ? "bad.csv:3: " : "bad.csv:2: ";
    EXPECT_NE(r.err.find(line), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(*c.origin ? c.time : "2026-03-02T09:00:00+01:00"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.time << ": " << r.err;
    EXPECT_FALSE(cli.exists("out.csv"));
    EXPECT_FALSE(cli.exists("out.csv.origin"));
  }
  // --origin itself: a midnight with its offset.
  cli.dir.write("ok.csv", "time,machine\n2026-03-02T09:00:00+01:00,pc1\n");
  for (const char* bad : {"2026-03-02T09:00+01:00", "2026-03-02", "2026-03-02T00:00", "March 2"}) {
    const auto r = cli.run(std::string("import events ok.csv --out out.csv --origin '") + bad + "'");
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.err.find("--origin"), std::string::npos) << r.err;
    EXPECT_FALSE(cli.exists("out.csv"));
  }
}

}  // namespace
}  // namespace jettison::testing
