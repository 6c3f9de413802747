// jettison-trace stats on hostile and awkward input: a gzip bomb (64 MiB of commas on one line, made
// here and never held whole) exits 2 naming file:line and the line limit with a bounded peak RSS; an
// out-of-order row far in the future is named (not --bucket); a valid trace with one very late
// access is summarised in widened buckets; every row error is reported, in file order, up to a cap.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/sim/input/input_test_support.hpp"
#include "tests/traces/measured_child.hpp"
#include "tests/traces/trace_tool_cli.hpp"

namespace jettison::testing {
namespace {

// Writes gzip data to `path` for `head`, then `repeat` times `chunk`, then `tail`, compressing as it
// goes (the test process never holds the decompressed text).
void write_gzip_stream(const std::string& path, const std::string& head, const std::string& chunk, int repeat,
                       const std::string& tail) {
  z_stream z;
  std::memset(&z, 0, sizeof z);
  ASSERT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::ofstream out(path, std::ios::binary);
  std::string buf(64 * 1024, '\0');
  auto feed = [&](const std::string& data, int flush) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    do {
      z.next_out = reinterpret_cast<Bytef*>(buf.data());
      z.avail_out = static_cast<uInt>(buf.size());
      deflate(&z, flush);
      out.write(buf.data(), static_cast<std::streamsize>(buf.size() - z.avail_out));
    } while (z.avail_out == 0 || (flush == Z_FINISH && z.avail_in > 0));
  };
  feed(head, Z_NO_FLUSH);
  for (int i = 0; i < repeat; ++i) feed(chunk, Z_NO_FLUSH);
  feed(tail, Z_FINISH);
  deflateEnd(&z);
}

class StatsErrors : public ::testing::Test {
 protected:
  TraceCli cli;
};

TEST_F(StatsErrors, GzipBombOfCommasExitsTwoNamingTheLineWithBoundedMemory) {
  // The header, then one line of 64 MiB of commas: before lines were bounded, the reader held the
  // line (64 MiB) and its 64 Mi fields (16 bytes each: 1 GiB), well over 1 GB of RSS.
  const std::string path = (cli.dir.path() / "bomb.csv.gz").string();
  write_gzip_stream(path, "time,page,op\n", std::string(1 << 20, ','), 64, "\n0,1,r\n");
  ASSERT_LT(std::filesystem::file_size(path), 1U << 20);  // a bomb: small on disk
  const auto r = exec_measured(cli.dir.path().string(), {JETTISON_TRACE_BINARY, "stats", "bomb.csv.gz"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, "bomb.csv.gz:2: line longer than 65536 bytes"));
  EXPECT_TRUE(r.out.empty());
  EXPECT_LT(r.peak_rss_kb, 200U * 1024) << "peak RSS " << r.peak_rss_kb << " KiB";
}

TEST_F(StatsErrors, OutOfOrderRowFarInTheFutureIsNamedNotTheBucket) {
  cli.dir.write("pages.csv", "time,page,op\n0.5,1,r\n10000000000,2,r\n1,3,r\n");
  const auto r = cli.run("stats pages.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "pages.csv:4: time 1 s is before the previous row's 10000000000 s"));
  EXPECT_EQ(r.err.find("--bucket"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST_F(StatsErrors, OneVeryLateAccessIsSummarisedInWidenedBuckets) {
  // Accesses at 0.5 s and 10^12 s with 600 s buckets: 10^12 / 600 = 1,666,666,666.7, so the span
  // needs 1,666,666,667 buckets. Widened by k = ceil(1,666,666,667 / 10,000) = 166,667 to
  // 166,667 x 600 s = 100,000,200 s: floor(10^12 / 100,000,200) = 9,999, so 10,000 buckets, the
  // second page new in the last one.
  cli.dir.write("late.csv", "time,page,op\n0.5,1,r\n1000000000000,2,w\n");
  const auto r = cli.run("stats --json late.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["unique_pages"], 2);
  EXPECT_EQ(j["bucket_requested_s"], 600.0);
  EXPECT_EQ(j["bucket_s"], 100'000'200.0);
  const auto& fresh = j["new_pages_per_bucket"];
  ASSERT_EQ(fresh.size(), 10'000U);
  EXPECT_EQ(fresh[0], 1);
  EXPECT_EQ(fresh[9'999], 1);
  EXPECT_EQ(j["unique_pages_by_bucket_end"][9'998], 1);
  EXPECT_EQ(j["unique_pages_by_bucket_end"][9'999], 2);
  EXPECT_EQ(j["burstiness"]["seconds"], 1'000'000'000'001U);
  // The text says the buckets were widened.
  const auto t = cli.run("stats --bucket 1s late.csv");
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_TRUE(Contains(t.out, "widened from 1 s")) << t.out;
}

TEST_F(StatsErrors, EveryRowErrorIsReportedInFileOrder) {
  cli.dir.write("pages.csv",
                "time,page,op\n"
                "1,1,r\n"
                "2,x,r\n"    // 3: bad page
                "0.5,2,r\n"  // 4: out of order
                "3,3,r,9\n"  // 5: four fields
                "4,4,q\n"    // 6: bad op
                "5,5,w\n");
  const auto r = cli.run("stats pages.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_TRUE(Contains(r.err, "pages.csv: 4 errors"));
  std::size_t at = 0;
  for (const char* s : {"pages.csv:3: page 'x'", "pages.csv:4: time 0.5 s is before the previous row's 1 s",
                        "pages.csv:5: expected 3 fields", "pages.csv:6: op 'q'"}) {
    const std::size_t found = r.err.find(s, at);
    ASSERT_NE(found, std::string::npos) << s << " (in order) in\n" << r.err;
    at = found;
  }
  // Idle traces too.
  cli.dir.write("idle.csv", "desktop,start,end\nd0,10,20\nd0,15,30\nd1,5,5\nd0,40,50\n");
  const auto i = cli.run("stats idle.csv");
  EXPECT_EQ(i.exit_code, 2);
  EXPECT_TRUE(Contains(i.err, "idle.csv: 2 errors"));
  EXPECT_TRUE(Contains(i.err, "idle.csv:3: period of desktop 'd0'"));
  EXPECT_TRUE(Contains(i.err, "idle.csv:4: end 5 is not after start 5"));
}

TEST_F(StatsErrors, RowErrorsStopAtACapAndCountTheRest) {
  std::string csv = "time,page,op\n";
  for (int i = 0; i < 25; ++i) csv += "1,1,bad\n";
  cli.dir.write("pages.csv", csv);
  const auto r = cli.run("stats pages.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "pages.csv: 25 errors"));
  EXPECT_TRUE(Contains(r.err, "pages.csv:21: op 'bad'"));
  EXPECT_EQ(r.err.find("pages.csv:22:"), std::string::npos) << r.err;
  EXPECT_TRUE(Contains(r.err, "... and 5 more"));
}

TEST_F(StatsErrors, AnErrorThatStopsTheReadingComesAfterTheRowErrorsBeforeIt) {
  cli.dir.write("pages.csv", "time,page,op\n1,x,r\n2,2,r\n" + std::string(70'000, '7') + "\n3,3,r\n");
  const auto r = cli.run("stats pages.csv");
  EXPECT_EQ(r.exit_code, 2);
  const std::size_t first = r.err.find("pages.csv:2: page 'x'");
  const std::size_t last = r.err.find("pages.csv:4: line longer than 65536 bytes");
  ASSERT_NE(first, std::string::npos) << r.err;
  ASSERT_NE(last, std::string::npos) << r.err;
  EXPECT_LT(first, last);
}

}  // namespace
}  // namespace jettison::testing
