// jettison-trace import activity|events: exact idle periods from hand-made inputs, the threshold
// and --end rules of traces/README.md, and every bad input exiting 2 with file and line and writing
// nothing.
#include <gtest/gtest.h>

#include <string>

#include "tests/traces/trace_tool_cli.hpp"

namespace jettison::testing {
namespace {

class Import : public ::testing::Test {
 protected:
  TraceCli cli;
};

// Two machines sampled each second from t = 10: "a" inactive 11-14 (4 s) and from 16 on; "b"
// inactive 10-12 (2 s, already at the first row) and 15-16 (1 s).
const char* kActivity =
    "time,a,b\n"
    "10,1,0\n"
    "11,0,0\n"
    "12,0,1\n"
    "13,0,1\n"
    "14,0,1\n"
    "15,1,0\n"
    "16,0,1\n"
    "17,0,1\n";

TEST_F(Import, ActivityColumnsToIdlePeriods) {
  cli.dir.write("act.csv", kActivity);
  const auto r = cli.run("import activity act.csv --threshold 2s --out idle.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // a: 11..15 (4 s); b: 10..12 (2 s, kept: >= threshold); a: 16..18 (the last row lasts a second);
  // b's 15..16 (1 s) is too short.
  EXPECT_EQ(cli.read("idle.csv"),
            "desktop,start,end\n"
            "b,10,12\n"
            "a,11,15\n"
            "a,16,18\n");
}

TEST_F(Import, ActivityThresholdAndEnd) {
  cli.dir.write("act.csv", kActivity);
  ASSERT_EQ(cli.run("import activity act.csv --threshold 3s --out t3.csv").exit_code, 0);
  EXPECT_EQ(cli.read("t3.csv"), "desktop,start,end\na,11,15\n");
  ASSERT_EQ(cli.run("import activity act.csv --threshold 3s --end 20.5 --out e.csv").exit_code, 0);
  EXPECT_EQ(cli.read("e.csv"), "desktop,start,end\na,11,15\na,16,20.5\n");
  ASSERT_EQ(cli.run("import activity act.csv --out default.csv").exit_code, 0);  // 5 min: nothing
  EXPECT_EQ(cli.read("default.csv"), "desktop,start,end\n");
}

TEST_F(Import, ActivityWithoutHeaderNamesMachinesByColumn) {
  cli.dir.write("act.csv",
                "\xEF\xBB\xBF"
                "0,0,1\r\n\r\n0.5,0,1\r\n1,1,0\r\n");
  ASSERT_EQ(cli.run("import activity act.csv --threshold 0.5s --out idle.csv").exit_code, 0);
  EXPECT_EQ(cli.read("idle.csv"), "desktop,start,end\nm1,0,1\nm2,1,2\n");
}

// Input events of two machines; the log runs from 100 (its first event) to 400 (its last).
const char* kEvents =
    "time,machine\n"
    "100,pc1\n"
    "130,pc2\n"
    "160,pc1\n"
    "160,pc1\n"
    "400,pc1\n"
    "260.25,pc2\n";

TEST_F(Import, EventGapsToIdlePeriods) {
  cli.dir.write("bad-order.csv", kEvents);
  EXPECT_EQ(cli.run("import events bad-order.csv --out x.csv").exit_code, 2);  // 260.25 after 400
  cli.dir.write("ev.csv",
                "time,machine\n"
                "100,pc1\n"
                "130,pc2\n"
                "160,pc1\n"
                "160,pc1\n"
                "260.25,pc2\n"
                "400,pc1\n");
  const auto r = cli.run("import events ev.csv --threshold 100s --out idle.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // pc1: 160..400 (240 s); pc2: 130..260.25 (130.25 s), 260.25..400 (139.75 s, to the log's end);
  // pc2's 30 s from the log start to its first event is too short.
  EXPECT_EQ(cli.read("idle.csv"),
            "desktop,start,end\n"
            "pc2,130,260.25\n"
            "pc1,160,400\n"
            "pc2,260.25,400\n");
  ASSERT_EQ(cli.run("import events ev.csv --threshold 20s --end 500 --out e.csv").exit_code, 0);
  EXPECT_EQ(cli.read("e.csv"),
            "desktop,start,end\n"
            "pc1,100,160\n"
            "pc2,100,130\n"
            "pc2,130,260.25\n"
            "pc1,160,400\n"
            "pc2,260.25,500\n"
            "pc1,400,500\n");
}

TEST_F(Import, EventsWithoutHeaderAndCompressedInput) {
  cli.dir.write("ev.csv", "0,x\n600,x\n");
  ASSERT_EQ(std::system(("gzip -k '" + (cli.dir.path() / "ev.csv").string() + "'").c_str()), 0);
  ASSERT_EQ(cli.run("import events ev.csv.gz --out idle.csv").exit_code, 0);
  EXPECT_EQ(cli.read("idle.csv"), "desktop,start,end\nx,0,600\n");
}

TEST_F(Import, BadInputExitsTwoNamesFileAndLineWritesNothing) {
  const struct {
    const char* command;
    const char* input;
    const char* extra;
    const char* message;
  } cases[] = {
      {"activity", "", "", "in.csv:1: empty file"},
      {"activity", "time,a,b\n", "", "in.csv:1: no activity rows"},
      {"activity", "time\n0\n", "", "in.csv:1: the header 'time' names no machine"},
      {"activity", "time,a,a\n0,1,1\n", "", "in.csv:1: machine 'a' is named twice"},
      {"activity", "time,a b\n0,1\n", "", "in.csv:1: machine 'a b'"},
      {"activity", "0\n", "", "in.csv:1: expected a time and at least one"},
      {"activity", "time,a\n0,1\n1,1,0\n", "", "in.csv:3: expected 2 fields"},
      {"activity", "time,a\n0,1\n-1,1\n", "", "in.csv:3: time '-1'"},
      {"activity", "time,a\n0,1\n1e3,1\n", "", "in.csv:3: time '1e3'"},
      {"activity", "time,a\n5,1\n5,0\n", "", "in.csv:3: time 5 s is not after"},
      {"activity", "time,a\n0,1\n1,2\n", "", "in.csv:3: value '2' in column 2"},
      {"activity", "time,a\n0,1\n1,\n", "", "in.csv:3: value ''"},
      {"activity", "time,a\n0,1\n10,0\n", "--end 10", "in.csv:3: time 10 s is not before --end"},
      {"activity", "time,a\n0,1\n", "--threshold 5", "--threshold"},
      {"activity", "time,a\n0,1\n", "--threshold 0s", "--threshold"},
      {"activity", "time,a\n0,1\n", "--end soon", "--end"},
      {"events", "", "", "in.csv:1: no events"},
      {"events", "time,machine\n", "", "in.csv:1: no events"},
      {"events", "time,desktop\n0,a\n", "", "in.csv:1: the header must be 'time,machine'"},
      {"events", "0,a\n1,a,b\n", "", "in.csv:2: expected 2 fields"},
      {"events", "0,a\nsoon,a\n", "", "in.csv:2: time 'soon'"},
      {"events", "5,a\n4,a\n", "", "in.csv:2: time 4 s is before the previous row's 5 s"},
      {"events", "0,a\n1,bad/id\n", "", "in.csv:2: machine 'bad/id'"},
      {"events", "0,a\n1,\n", "", "in.csv:2: machine ''"},
      {"events", "0,a\n11,a\n", "--end 10", "in.csv:2: time 11 s is after --end"},
      {"events", "0,a\ntime,machine\n", "", "in.csv:2: time 'time'"},
  };
  for (const auto& c : cases) {
    cli.dir.write("in.csv", c.input);
    const auto r = cli.run(std::string("import ") + c.command + " in.csv " + c.extra + " --out out/idle.csv");
    EXPECT_EQ(r.exit_code, 2) << c.command << " " << c.input;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.command << " " << c.input << ": " << r.err;
    EXPECT_FALSE(cli.exists("out")) << c.command << " " << c.input;
    EXPECT_EQ(cli.files(), 1u) << c.command << " " << c.input;  // in.csv only
  }
  EXPECT_EQ(cli.run("import activity missing.csv --out idle.csv").exit_code, 2);
  EXPECT_EQ(cli.run("import activity in.csv").exit_code, 2);  // no --out
  EXPECT_EQ(cli.run("import nothing in.csv --out idle.csv").exit_code, 2);
  EXPECT_FALSE(cli.exists("idle.csv"));
}

TEST_F(Import, OutputReadsBackAsAnIdleTrace) {
  cli.dir.write("act.csv", kActivity);
  ASSERT_EQ(cli.run("import activity act.csv --threshold 2s --out idle.csv").exit_code, 0);
  const auto r = cli.run("stats --json idle.csv");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"periods\": 3"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace jettison::testing
