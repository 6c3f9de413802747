// Bounded reading of the CSV trace formats: a line longer than kMaxLineBytes or holding a NUL byte is
// refused with "file:line", and a line of many thousands of commas is split no further than the
// expected fields. Row errors are RowErrors, after which the reader goes on with the next row.
#include <gtest/gtest.h>
#include <unistd.h>

#include "common/input_error.hpp"
#include "tests/sim/input/input_test_support.hpp"
#include "tests/traces/trace_test_support.hpp"
#include "traces/io/csv_fields.hpp"
#include "traces/io/csv_lines.hpp"
#include "traces/io/input_stream.hpp"
#include "traces/io/row_error.hpp"

namespace jettison::testing {
namespace {

using traces::IdleTraceReader;
using traces::kMaxLineBytes;
using traces::PageTraceReader;

TEST(BoundedInput, ALineLongerThanTheLimitIsRefusedNamingFileLineAndLimit) {
  const std::string header = "desktop,start,end\n";
  const auto e = input_error([&] {
    IdleTraceReader r(stream_of(header + "d0,1,2\n" + std::string(kMaxLineBytes + 1, 'x') + "\nd0,3,4\n"),
                      "idle.csv");
    idle_rows(r);
  });
  EXPECT_EQ(e.origin, "idle.csv:3");
  EXPECT_TRUE(Contains(e.what, fmt::format("line longer than {} bytes", kMaxLineBytes)));
  // Exactly the limit is a line like any other (here with a bad field count); so is the limit plus
  // a '\r' before the '\n'.
  const std::string at_limit = "d0,1," + std::string(kMaxLineBytes - 5, '9');
  ASSERT_EQ(at_limit.size(), kMaxLineBytes);
  for (const char* end : {"\n", "\r\n"}) {
    const auto ok = input_error([&] {
      IdleTraceReader r(stream_of(header + at_limit + end), "idle.csv");
      idle_rows(r);
    });
    EXPECT_TRUE(Contains(ok.what, "idle.csv:2: end ")) << ok.what;
  }
  // A header line too.
  const auto h =
      input_error([&] { PageTraceReader r(stream_of(std::string(kMaxLineBytes + 1, 't')), "p.csv"); });
  EXPECT_EQ(h.origin, "p.csv:1");
  EXPECT_TRUE(Contains(h.what, "line longer than"));
}

TEST(BoundedInput, ALineWithoutEndInACompressedStreamStopsAtTheLimit) {
  // 8 MiB of 'a' after the header, gzip compressed: refused after kMaxLineBytes.
  const auto e = input_error([&] {
    PageTraceReader r(stream_of(gzip_bytes("time,page,op\n" + std::string(8 << 20, 'a'))), "p.csv.gz");
    page_rows(r);
  });
  EXPECT_EQ(e.origin, "p.csv.gz:2");
  EXPECT_TRUE(Contains(e.what, "line longer than"));
}

TEST(BoundedInput, ANulByteIsAnErrorNamingTheLine) {
  const auto e = input_error([&] {
    PageTraceReader r(stream_of(std::string("time,page,op\n1,2,r\n3,4") + '\0' + ",r\n"), "p.csv");
    page_rows(r);
  });
  EXPECT_EQ(e.origin, "p.csv:3");
  EXPECT_TRUE(Contains(e.what, "NUL byte"));
  const auto h = input_error([&] { IdleTraceReader r(stream_of(std::string(100, '\0')), "i.csv"); });
  EXPECT_EQ(h.origin, "i.csv:1");
  EXPECT_TRUE(Contains(h.what, "NUL byte"));
}

TEST(BoundedInput, SplittingStopsAfterTheExpectedFieldsButCountsThemAll) {
  std::vector<std::string_view> f;
  const std::string commas(60'000, ',');
  EXPECT_EQ(traces::split_csv(commas, f, 3), 60'001U);
  EXPECT_LE(f.size(), 4U);
  EXPECT_EQ(traces::split_csv("a,b,c", f, 3), 3U);
  ASSERT_EQ(f.size(), 3U);
  EXPECT_EQ(f[2], "c");
  // The readers say how many there were.
  const auto e = input_error([&] {
    PageTraceReader r(stream_of("time,page,op\n" + commas + "\n"), "p.csv");
    page_rows(r);
  });
  EXPECT_TRUE(Contains(e.what, "p.csv:2: expected 3 fields (time,page,op), found 60001"));
}

TEST(BoundedInput, RowErrorsLeaveTheReaderReadyForTheNextRow) {
  PageTraceReader r(stream_of("time,page,op\n1,2,r\n1,x,r\n0.5,3,r\n2,4,w\n"), "p.csv");
  traces::PageRow row;
  ASSERT_TRUE(r.next(row));
  EXPECT_EQ(row.line, 2U);
  try {
    r.next(row);
    ADD_FAILURE() << "line 3 has a bad page";
  } catch (const traces::RowError& e) {
    EXPECT_EQ(e.origin(), "p.csv:3");
  }
  try {
    r.next(row);
    ADD_FAILURE() << "line 4 is out of order";
  } catch (const traces::RowError& e) {
    EXPECT_EQ(e.origin(), "p.csv:4");
  }
  ASSERT_TRUE(r.next(row));
  EXPECT_EQ(row.line, 5U);
  EXPECT_EQ(row.time_us, 2'000'000);
  EXPECT_FALSE(r.next(row));

  IdleTraceReader idle(stream_of("desktop,start,end\nd0,10,20\nd0,15,30\nd0,20,30\n"), "i.csv");
  traces::IdleRow irow;
  ASSERT_TRUE(idle.next(irow));
  EXPECT_THROW(idle.next(irow), traces::RowError);
  ASSERT_TRUE(idle.next(irow));
  EXPECT_EQ(irow.line, 4U);
}

}  // namespace
}  // namespace jettison::testing
