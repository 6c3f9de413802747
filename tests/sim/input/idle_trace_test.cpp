// sim/trace/idle_trace: every malformed row is an InputError naming "file:line" and the problem;
// the index reports desktops, periods, end and whether the file is sorted by start.
#include "sim/trace/idle_trace.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "tests/sim/input/input_test_support.hpp"

namespace jettison::sim {
namespace {

using jettison::testing::Contains;
using jettison::testing::input_error;
using jettison::testing::TempDir;

std::vector<IdleRow> read_all(const std::string& text) {
  IdleTraceReader reader(std::make_unique<std::istringstream>(text), "idle.csv");
  std::vector<IdleRow> rows;
  IdleRow row;
  while (reader.next(row)) rows.push_back(row);
  return rows;
}

jettison::testing::CaughtInputError read_error(const std::string& text) {
  return input_error([&] { read_all(text); });
}

TEST(IdleTraceReader, ReadsRows) {
  const auto rows = read_all("desktop,start,end\nd00,3600,5400.25\nd01,3700.5,3900\n");
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].desktop, "d00");
  EXPECT_EQ(rows[0].start.us(), 3'600'000'000);
  EXPECT_EQ(rows[0].end.us(), 5'400'250'000);
  EXPECT_EQ(rows[0].line, 2U);
  EXPECT_EQ(rows[1].desktop, "d01");
  EXPECT_EQ(rows[1].start.us(), 3'700'500'000);
  EXPECT_EQ(rows[1].line, 3U);
}

TEST(IdleTraceReader, AcceptsCrlfBlankLinesAndByteOrderMark) {
  const auto rows = read_all(
      "\xEF\xBB\xBF"
      "desktop,start,end\r\nd00,1,2\r\n\r\n\nd00,3,4\r\n");
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].desktop, "d00");
  EXPECT_EQ(rows[0].end.us(), 2'000'000);
  EXPECT_EQ(rows[1].line, 5U);
}

TEST(IdleTraceReader, AcceptsFileWithoutFinalNewline) {
  EXPECT_EQ(read_all("desktop,start,end\nd00,1,2").size(), 1U);
}

TEST(IdleTraceReader, AcceptsInterleavedDesktopsAndTouchingPeriods) {
  const auto rows = read_all("desktop,start,end\nd00,10,20\nd01,5,30\nd00,20,25\nd01,30,40\n");
  EXPECT_EQ(rows.size(), 4U);
}

TEST(IdleTraceReader, AcceptsEveryAllowedIdCharacter) {
  const std::string id64(64, 'a');
  EXPECT_EQ(read_all("desktop,start,end\nAz09_-.x,1,2\n" + id64 + ",1,2\n").size(), 2U);
}

TEST(IdleTraceReader, RejectsEmptyFile) {
  const auto e = read_error("");
  EXPECT_TRUE(Contains(e.origin, "idle.csv"));
  EXPECT_TRUE(Contains(e.what, "empty file"));
}

TEST(IdleTraceReader, RejectsMissingHeader) {
  const auto e = read_error("d00,1,2\n");
  EXPECT_EQ(e.origin, "idle.csv:1");
  EXPECT_TRUE(Contains(e.what, "missing header"));
  EXPECT_TRUE(Contains(e.what, "found 'd00,1,2'"));
}

TEST(IdleTraceReader, RejectsWrongHeader) {
  const auto e = read_error("desktop,begin,end\nd00,1,2\n");
  EXPECT_EQ(e.origin, "idle.csv:1");
  EXPECT_TRUE(Contains(e.what, "'desktop,start,end'"));
  EXPECT_TRUE(Contains(e.what, "'desktop,begin,end'"));
}

TEST(IdleTraceReader, RejectsTooFewFields) {
  const auto e = read_error("desktop,start,end\nd00,1,2\nd01,5\n");
  EXPECT_EQ(e.origin, "idle.csv:3");
  EXPECT_TRUE(Contains(e.what, "expected 3 fields"));
  EXPECT_TRUE(Contains(e.what, "found 2"));
}

TEST(IdleTraceReader, RejectsTooManyFields) {
  const auto e = read_error("desktop,start,end\nd01,5,6,7\n");
  EXPECT_EQ(e.origin, "idle.csv:2");
  EXPECT_TRUE(Contains(e.what, "found 4"));
}

TEST(IdleTraceReader, RejectsNonNumericStart) {
  const auto e = read_error("desktop,start,end\nd00,1,2\n\nd00,soon,9\n");
  EXPECT_EQ(e.origin, "idle.csv:4");  // the blank line counts
  EXPECT_TRUE(Contains(e.what, "start 'soon'"));
  EXPECT_TRUE(Contains(e.what, "not a non-negative number"));
}

TEST(IdleTraceReader, RejectsNegativeStart) {
  const auto e = read_error("desktop,start,end\nd00,-1,2\n");
  EXPECT_EQ(e.origin, "idle.csv:2");
  EXPECT_TRUE(Contains(e.what, "start '-1'"));
}

TEST(IdleTraceReader, RejectsBadEnd) {
  const auto e = read_error("desktop,start,end\nd00,1,1e3\n");
  EXPECT_EQ(e.origin, "idle.csv:2");
  EXPECT_TRUE(Contains(e.what, "end '1e3'"));
}

TEST(IdleTraceReader, RejectsEndBeforeStart) {
  const auto e = read_error("desktop,start,end\nd00,1,2\nd01,10,9.5\n");
  EXPECT_EQ(e.origin, "idle.csv:3");
  EXPECT_TRUE(Contains(e.what, "end 9.5 is not after start 10"));
}

TEST(IdleTraceReader, RejectsEmptyPeriod) {
  const auto e = read_error("desktop,start,end\nd00,10,10.0000001\n");  // rounds to 10 s
  EXPECT_EQ(e.origin, "idle.csv:2");
  EXPECT_TRUE(Contains(e.what, "positive length"));
}

TEST(IdleTraceReader, RejectsBadIdCharacters) {
  const auto e = read_error("desktop,start,end\nd00,1,2\nd 01,1,2\n");
  EXPECT_EQ(e.origin, "idle.csv:3");
  EXPECT_TRUE(Contains(e.what, "desktop id 'd 01'"));
  EXPECT_TRUE(Contains(e.what, "A-Z a-z 0-9 _ - ."));
}

TEST(IdleTraceReader, RejectsEmptyAndOverlongIds) {
  EXPECT_EQ(read_error("desktop,start,end\n,1,2\n").origin, "idle.csv:2");
  EXPECT_EQ(read_error("desktop,start,end\n" + std::string(65, 'a') + ",1,2\n").origin, "idle.csv:2");
}

TEST(IdleTraceReader, RejectsUnsortedPeriodsOfOneDesktop) {
  const auto e = read_error("desktop,start,end\nd00,100,200\nd01,50,60\nd00,10,20\n");
  EXPECT_EQ(e.origin, "idle.csv:4");
  EXPECT_TRUE(Contains(e.what, "desktop 'd00'"));
  EXPECT_TRUE(Contains(e.what, "must be sorted and must not overlap"));
}

TEST(IdleTraceReader, RejectsOverlappingPeriodsOfOneDesktop) {
  const auto e = read_error("desktop,start,end\nd00,100,200\nd01,150,160\nd00,199.5,300\n");
  EXPECT_EQ(e.origin, "idle.csv:4");
  EXPECT_TRUE(Contains(e.what, "starting at 199.5 s"));
  EXPECT_TRUE(Contains(e.what, "previous period ends (200 s)"));
}

TEST(IndexIdleTrace, ReportsDesktopsPeriodsEndAndOrder) {
  TempDir dir;
  const std::string path = dir.write("idle.csv",
                                     "desktop,start,end\n"
                                     "d02,50,60\n"
                                     "d00,100,200\n"
                                     "d02,70,500\n"  // per desktop sorted, globally not
                                     "d01,80,90\n");
  const IdleTraceIndex index = index_idle_trace(path, "idle_trace");
  EXPECT_EQ(index.path, path);
  EXPECT_EQ(index.desktops(), (std::vector<std::string>{"d02", "d00", "d01"}));
  EXPECT_EQ(index.periods, 4U);
  EXPECT_EQ(index.end.us(), 500'000'000);
  EXPECT_FALSE(index.sorted_by_start);
}

TEST(IndexIdleTrace, SortedFileIsMarkedSorted) {
  TempDir dir;
  const std::string path = dir.write("idle.csv", jettison::testing::kTinyIdle);
  const IdleTraceIndex index = index_idle_trace(path, "idle_trace");
  EXPECT_EQ(index.desktops(), (std::vector<std::string>{"d00", "d01", "d02"}));
  EXPECT_EQ(index.periods, 5U);
  EXPECT_EQ(index.end.us(), 9'000'000'000);
  EXPECT_TRUE(index.sorted_by_start);
}

TEST(IndexIdleTrace, EqualStartsStaySorted) {
  TempDir dir;
  const std::string path = dir.write("idle.csv", "desktop,start,end\nd00,5,6\nd01,5,7\n");
  EXPECT_TRUE(index_idle_trace(path, "idle_trace").sorted_by_start);
}

TEST(IndexIdleTrace, HeaderOnlyHasNoDesktops) {
  TempDir dir;
  const std::string path = dir.write("idle.csv", "desktop,start,end\n");
  const IdleTraceIndex index = index_idle_trace(path, "idle_trace");
  EXPECT_TRUE(index.desktops().empty());
  EXPECT_EQ(index.periods, 0U);
}

TEST(IndexIdleTrace, ErrorNamesFileAndLine) {
  TempDir dir;
  const std::string path = dir.write("idle.csv", "desktop,start,end\nd00,1,2\nd00,3,x\n");
  const auto e = input_error([&] { index_idle_trace(path, "idle_trace"); });
  EXPECT_EQ(e.origin, path + ":3");
  EXPECT_TRUE(Contains(e.what, "end 'x'"));
}

TEST(IndexIdleTrace, MissingFileNamesTheOrigin) {
  TempDir dir;
  const std::string path = (dir.path() / "absent.csv").string();
  const auto e = input_error([&] { index_idle_trace(path, "scenario.yaml:4: idle_trace"); });
  EXPECT_EQ(e.origin, "scenario.yaml:4: idle_trace");
  EXPECT_TRUE(Contains(e.what, "cannot open"));
  EXPECT_TRUE(Contains(e.what, "absent.csv"));
}

TEST(IndexIdleTrace, FolderIsNotAFile) {
  TempDir dir;
  const auto e = input_error([&] { index_idle_trace(dir.path().string(), "idle_trace"); });
  EXPECT_EQ(e.origin, "idle_trace");
  EXPECT_TRUE(Contains(e.what, "is a folder"));
}

}  // namespace
}  // namespace jettison::sim
