// traces/io binary format: the documented bytes (FORMAT.md, "Binary format"), CSV -> binary -> CSV
// byte for byte in canonical spelling (the samples included), the size against CSV, and the binary
// readers' checks: every bad record, truncation and corruption is an InputError naming the file and
// the record.
#include "traces/io/binary_format.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <limits>
#include <random>
#include <sstream>

#include "common/input_error.hpp"
#include "tests/sim/input/input_test_support.hpp"
#include "tests/traces/trace_test_support.hpp"
#include "traces/io/binary_writer.hpp"
#include "traces/io/csv_fields.hpp"
#include "traces/io/csv_writer.hpp"
#include "traces/io/row_error.hpp"

namespace jettison::testing {
namespace {

using traces::IdleTraceReader;
using traces::PageTraceReader;
namespace binary = traces::binary;

std::string idle_to_binary(const std::string& csv) {
  IdleTraceReader r(stream_of(csv), "in.csv");
  std::ostringstream out;
  traces::IdleBinaryWriter w(out);
  traces::IdleRow row;
  while (r.next(row)) w.write(row);
  w.finish();
  return out.str();
}

std::string idle_to_csv(const std::string& bytes) {
  IdleTraceReader r(stream_of(bytes), "in.jtrace");
  std::ostringstream out;
  traces::IdleCsvWriter w(out);
  traces::IdleRow row;
  while (r.next(row)) w.write(row);
  w.finish();
  return out.str();
}

std::string pages_to_binary(const std::string& csv) {
  PageTraceReader r(stream_of(csv), "in.csv");
  std::ostringstream out;
  traces::PageBinaryWriter w(out);
  traces::PageRow row;
  while (r.next(row)) w.write(row);
  w.finish();
  return out.str();
}

std::string pages_to_csv(const std::string& bytes) {
  PageTraceReader r(stream_of(bytes), "in.jtrace");
  std::ostringstream out;
  traces::PageCsvWriter w(out);
  traces::PageRow row;
  while (r.next(row)) w.write(row);
  w.finish();
  return out.str();
}

std::string hex(const std::string& bytes) {
  std::string s;
  for (unsigned char c : bytes) s += fmt::format("{:02x} ", c);
  return s;
}

std::string le32(std::uint32_t v) {
  std::string s;
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return s;
}

std::uint32_t crc_of(const std::string& bytes) {
  return static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

// A whole binary file around hand-made records: header, records, end marker, count, CRC-32.
std::string file_of(char kind, const std::string& records, const std::string& end, std::uint64_t count) {
  std::string f = std::string("\x89JTR\x01", 5) + kind + records + end;
  binary::put_varint(f, count);
  return f + le32(crc_of(f));
}

std::string idle_file(const std::string& records, std::uint64_t count) {
  return file_of('I', records, std::string(1, '\0'), count);
}
std::string page_file(const std::string& records, std::uint64_t count) {
  return file_of('P', records, "\x03", count);
}

// Idle record bytes: tag, [name], zigzag(start delta), length.
std::string idle_record(std::uint64_t ref, unsigned scale, const std::string& name, std::int64_t delta,
                        std::uint64_t length) {
  std::string r;
  binary::put_varint_low(r, ref, scale, 3);
  if (ref == 1) {
    binary::put_varint(r, name.size());
    r += name;
  }
  binary::put_varint(r, binary::zigzag(delta));
  binary::put_varint(r, length);
  return r;
}

std::string page_record(std::int64_t page_delta, unsigned flags, std::uint64_t step = 0) {
  std::string r;
  binary::put_varint_low(r, binary::zigzag(page_delta), flags, 3);
  if ((flags & 4) != 0) binary::put_varint(r, step);
  return r;
}

CaughtInputError idle_error(const std::string& bytes, const std::string& name = "idle.jtrace") {
  return input_error([&] {
    IdleTraceReader r(stream_of(bytes), name);
    idle_rows(r);
  });
}

CaughtInputError page_error(const std::string& bytes, const std::string& name = "pages.jtrace") {
  return input_error([&] {
    PageTraceReader r(stream_of(bytes), name);
    page_rows(r);
  });
}

// --- the documented bytes ---------------------------------------------------------------------------

TEST(BinaryFormat, IdleTraceBytesAreAsDocumented) {
  const std::string bytes = idle_to_binary("desktop,start,end\nd00,3600,5400.25\nd01,3700.5,3900\n");
  // Record 1: new desktop (ref 1), scale 4 (units of 10 ms): start delta 360000 -> zigzag 720000,
  // length 180025. Record 2: new desktop, scale 5: delta 1005 -> zigzag 2010, length 1995.
  std::string expect = std::string("\x89JTR\x01I", 6) +
                       "\x0c\x03"
                       "d00"
                       "\x80\xf9\x2b"
                       "\xb9\xfe\x0a" +
                       "\x0d\x03"
                       "d01"
                       "\xda\x0f"
                       "\xcb\x0f" +
                       std::string(1, '\0') + "\x02";
  expect += le32(crc_of(expect));
  EXPECT_EQ(hex(bytes), hex(expect));
}

TEST(BinaryFormat, PageTraceBytesAreAsDocumented) {
  const std::string bytes = pages_to_binary("time,page,op\n0.239,1000,r\n0.239,1001,w\n5.1,1000,r\n");
  // Record 1: zigzag(+1000) = 2000, read, time advances: 2000*8+4 = 16004, step 239000.
  // Record 2: zigzag(+1) = 2, write, same time: 17. Record 3: zigzag(-1) = 1, read, advances: 12,
  // step 4861000. End marker 3, count 3.
  std::string expect = std::string("\x89JTR\x01P", 6) +
                       "\x84\x7d"
                       "\x98\xcb\x0e" +
                       "\x11" +
                       "\x0c"
                       "\xc8\xd8\xa8\x02" +
                       "\x03" + "\x03";
  expect += le32(crc_of(expect));
  EXPECT_EQ(hex(bytes), hex(expect));
}

// --- round trips --------------------------------------------------------------------------------------

TEST(BinaryRoundTrip, SamplesComeBackByteForByte) {
  const std::string idle = slurp(sample("office-idle.csv"));
  EXPECT_EQ(idle_to_csv(idle_to_binary(idle)), idle);
  for (const char* name : {"pages-windows.csv", "pages-linux.csv"}) {
    const std::string pages = slurp(sample(name));
    EXPECT_EQ(pages_to_csv(pages_to_binary(pages)), pages) << name;
  }
}

TEST(BinaryRoundTrip, BinaryIsAtLeastThreeTimesSmallerThanCsvOnTheSamples) {
  const std::string idle = slurp(sample("office-idle.csv"));
  const std::string windows = slurp(sample("pages-windows.csv"));
  const std::string linux_pages = slurp(sample("pages-linux.csv"));
  const double idle_ratio =
      static_cast<double>(idle.size()) / static_cast<double>(idle_to_binary(idle).size());
  const double windows_ratio =
      static_cast<double>(windows.size()) / static_cast<double>(pages_to_binary(windows).size());
  const double linux_ratio =
      static_cast<double>(linux_pages.size()) / static_cast<double>(pages_to_binary(linux_pages).size());
  std::printf("CSV/binary size: office-idle %.2fx, pages-windows %.2fx, pages-linux %.2fx\n", idle_ratio,
              windows_ratio, linux_ratio);
  EXPECT_GE(idle_ratio, 3.0);
  EXPECT_GE(windows_ratio, 3.0);
  EXPECT_GE(linux_ratio, 3.0);
}

TEST(BinaryRoundTrip, CanonicalCsvComesBackByteForByte) {
  for (const std::string& csv :
       {std::string("desktop,start,end\n"), kTinyIdle,
        std::string("desktop,start,end\nz,0,0.000001\nA.b-c_9,1,2\nz,0.000001,9000000000000\n"),
        std::string("desktop,start,end\n") + std::string(64, 'x') + ",10,20\nb,5,6\nb,6,7.5\n" +
            std::string(64, 'x') + ",20,21\n"}) {
    EXPECT_EQ(idle_to_csv(idle_to_binary(csv)), csv);
  }
  for (const std::string& csv :
       {std::string("time,page,op\n"),
        std::string("time,page,op\n0.239000,1000,r\n0.239000,1001,w\n5.100000,1000,r\n"),
        std::string("time,page,op\n0.000000,18446744073709551615,w\n0.000000,0,r\n0.000001,"
                    "9223372036854775808,r\n9000000000000.000000,1,w\n")}) {
    EXPECT_EQ(pages_to_csv(pages_to_binary(csv)), csv);
  }
}

TEST(BinaryRoundTrip, OtherSpellingsComeBackCanonical) {
  EXPECT_EQ(idle_to_csv(idle_to_binary("\xEF\xBB\xBF"
                                       "desktop,start,end\r\n\r\nd0,01.500,3.0000004\r\nd0,4.0000005,5")),
            "desktop,start,end\nd0,1.5,3\nd0,4.000001,5\n");
  EXPECT_EQ(pages_to_csv(pages_to_binary("time,page,op\n1,007,r\n\n2.5,8,w")),
            "time,page,op\n1.000000,7,r\n2.500000,8,w\n");
}

TEST(BinaryRoundTrip, RandomTracesReadBackTheSameRows) {
  std::mt19937_64 rng(12345);
  for (int trial = 0; trial < 40; ++trial) {
    // Idle: up to 30 desktops, times at microsecond, millisecond or second resolution, rows sorted by
    // start or shuffled across desktops (each desktop's own periods stay in order).
    const std::int64_t unit = std::vector<std::int64_t>{1, 1000, 1'000'000, 7}[trial % 4];
    const int desktops = 1 + static_cast<int>(rng() % 30);
    std::vector<std::int64_t> next(static_cast<std::size_t>(desktops), 0);
    std::vector<std::tuple<int, std::int64_t, std::int64_t>> periods;
    for (int i = 0; i < 500; ++i) {
      const int d = static_cast<int>(rng() % static_cast<std::uint64_t>(desktops));
      const std::int64_t start =
          next[static_cast<std::size_t>(d)] + static_cast<std::int64_t>(rng() % 5000) * unit;
      const std::int64_t end = start + (1 + static_cast<std::int64_t>(rng() % 100000)) * unit;
      next[static_cast<std::size_t>(d)] = end;
      periods.emplace_back(d, start, end);
    }
    std::ostringstream csv;
    traces::IdleCsvWriter w(csv);
    for (const auto& [d, s, e] : periods) w.write(fmt::format("desk{}", d), Time::micros(s), Time::micros(e));
    w.finish();
    const std::string bytes = idle_to_binary(csv.str());
    IdleTraceReader a(stream_of(csv.str()), "a");
    IdleTraceReader b(stream_of(bytes), "b");
    EXPECT_EQ(idle_rows(a), idle_rows(b));
    EXPECT_EQ(idle_to_csv(bytes), csv.str());

    // Pages: bursts at one time, big jumps in page numbers both ways, full 64-bit range.
    std::ostringstream pcsv;
    traces::PageCsvWriter pw(pcsv);
    std::int64_t t = 0;
    for (int i = 0; i < 2000; ++i) {
      if (rng() % 3 == 0) t += static_cast<std::int64_t>(rng() % 10'000'000);
      const std::uint64_t page = rng() % 4 == 0 ? rng() : rng() % 1'000'000;
      pw.write(t, page, rng() % 5 == 0);
    }
    pw.finish();
    const std::string pbytes = pages_to_binary(pcsv.str());
    EXPECT_EQ(pages_to_csv(pbytes), pcsv.str());
  }
}

TEST(BinaryRoundTrip, ProfileFromBinaryEqualsProfileFromCsvAndNamesRecords) {
  const std::string csv = slurp(sample("pages-linux.csv"));
  const auto a = traces::read_page_profile(stream_of(csv), "pages.csv");
  const auto b = traces::read_page_profile(stream_of(pages_to_binary(csv)), "pages.jtrace");
  EXPECT_FALSE(a.binary);
  EXPECT_TRUE(b.binary);
  EXPECT_EQ(a.gfns, b.gfns);
  EXPECT_EQ(a.max_gfn, b.max_gfn);
  EXPECT_EQ(a.cycle, b.cycle);
  ASSERT_EQ(a.accesses.size(), b.accesses.size());
  for (std::size_t i = 0; i < a.accesses.size(); ++i) {
    ASSERT_EQ(a.accesses[i].offset_us, b.accesses[i].offset_us);
    ASSERT_EQ(a.accesses[i].slot, b.accesses[i].slot);
    ASSERT_EQ(a.accesses[i].write, b.accesses[i].write);
  }
  // CSV line n is record n - 1 (the header is line 1).
  for (std::size_t i = 0; i < a.lines.size(); ++i) ASSERT_EQ(a.lines[i], b.lines[i] + 1);
  EXPECT_EQ(a.origin(1), fmt::format("pages.csv:{}", a.lines[1]));
  EXPECT_EQ(b.origin(1), fmt::format("pages.jtrace:record {}", b.lines[1]));
}

TEST(BinaryRoundTrip, ReadersSayWhereRowsCameFrom) {
  IdleTraceReader csv(stream_of(kTinyIdle), "idle.csv");
  IdleTraceReader bin(stream_of(idle_to_binary(kTinyIdle)), "idle.jtrace");
  traces::IdleRow row;
  ASSERT_TRUE(bin.next(row));
  EXPECT_EQ(row.line, 1U);
  EXPECT_EQ(bin.origin(row.line), "idle.jtrace:record 1");
  ASSERT_TRUE(csv.next(row));
  EXPECT_EQ(csv.origin(row.line), "idle.csv:2");
}

// --- the binary readers' checks ---------------------------------------------------------------------

TEST(BinaryIdleReader, AcceptsHandMadeRecordsAndEmptyTraces) {
  // d0 at 10 s for 5 s (scale 6: whole seconds), then d0 again 5 s later for 1 us (scale 0).
  const std::string f = idle_file(idle_record(1, 6, "d0", 10, 5) + idle_record(2, 0, "", 5'000'000, 1), 2);
  IdleTraceReader r(stream_of(f), "x");
  EXPECT_TRUE(r.binary());
  EXPECT_EQ(idle_rows(r, true),
            (std::vector<std::string>{"d0,10000000,15000000@1", "d0,15000000,15000001@2"}));
  IdleTraceReader empty(stream_of(idle_file("", 0)), "x");
  EXPECT_TRUE(idle_rows(empty).empty());
  PageTraceReader no_pages(stream_of(page_file("", 0)), "x");
  EXPECT_TRUE(page_rows(no_pages).empty());
}

TEST(BinaryIdleReader, RejectsPeriodsOfOneDesktopOutOfOrder) {
  // d0 10..15 s, then d0 again starting at 12 s.
  const auto e = idle_error(idle_file(idle_record(1, 6, "d0", 10, 5) + idle_record(2, 6, "", 2, 1), 2));
  EXPECT_EQ(e.origin, "idle.jtrace:record 2");
  EXPECT_TRUE(Contains(e.what,
                       "period of desktop 'd0' starting at 12 s begins before its previous period ends "
                       "(15 s)"));
  // Going back before an earlier start is fine for another desktop.
  IdleTraceReader ok(stream_of(idle_file(idle_record(1, 6, "d0", 10, 5) + idle_record(1, 6, "d1", -9, 1), 2)),
                     "x");
  EXPECT_EQ(idle_rows(ok), (std::vector<std::string>{"d0,10000000,15000000", "d1,1000000,2000000"}));
}

TEST(BinaryIdleReader, ReadsOnAfterARejectedPeriod) {
  // d0 10..15 s; d0 at 12 s (rejected: overlaps); d0 5 s after the rejected record's start, at 17 s
  // (start deltas count from the previous record as written, rejected or not).
  const std::string f = idle_file(
      idle_record(1, 6, "d0", 10, 5) + idle_record(2, 6, "", 2, 1) + idle_record(2, 6, "", 5, 1), 3);
  IdleTraceReader r(stream_of(f), "idle.jtrace");
  traces::IdleRow row;
  ASSERT_TRUE(r.next(row));
  try {
    r.next(row);
    ADD_FAILURE() << "record 2 overlaps record 1";
  } catch (const traces::RowError& e) {
    EXPECT_EQ(e.origin(), "idle.jtrace:record 2");
  }
  ASSERT_TRUE(r.next(row));
  EXPECT_EQ(row.start.us(), 17'000'000);
  EXPECT_EQ(row.line, 3U);
  EXPECT_FALSE(r.next(row));
}

TEST(BinaryIdleReader, RejectsEndNotAfterStart) {
  const auto e = idle_error(idle_file(idle_record(1, 3, "d0", 1500, 1) + idle_record(2, 3, "", 10, 0), 2));
  EXPECT_EQ(e.origin, "idle.jtrace:record 2");
  EXPECT_TRUE(
      Contains(e.what, "end 1.51 is not after start 1.51: an idle period must have a positive length"));
}

TEST(BinaryIdleReader, RejectsBadTagsReferencesAndNames) {
  struct Case {
    std::string records;
    std::string message;
  };
  std::string bad_scale;
  binary::put_varint_low(bad_scale, 1, 7, 3);
  const std::vector<Case> cases = {
      {bad_scale + "\x02"
                   "d0\x02\x02",
       "time scale 7 is unknown"},
      {std::string("\x01\x02\x02", 3), "desktop reference 0 is unknown"},
      {idle_record(1, 0, "d0", 1, 1) + idle_record(3, 0, "", 1, 1),
       "desktop reference 3 names no desktop: 1 are"},
      {idle_record(1, 0, "d0", 1, 1) + idle_record(1, 0, "d0", 5, 1), "desktop 'd0' is defined twice"},
      {idle_record(1, 0, "d 0", 1, 1), "desktop id 'd 0' must be 1-64 characters"},
      {idle_record(1, 0, "", 1, 1), "desktop id of 0 bytes"},
      {idle_record(1, 0, std::string(65, 'a'), 1, 1), "desktop id of 65 bytes"},
      {idle_record(1, 0, "d0", -1, 1), "start is negative"},
      {idle_record(1, 6, "d0", 9'000'000'000'001, 1), "start is beyond the largest trace time"},
      {idle_record(1, 6, "d0", 9'000'000'000'000, 1), "end is beyond the largest trace time"},
      {std::string("\x0e\x02"
                   "d0") +
           "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f"
           "\x01",
       "longer than 64 bits"},
  };
  for (const Case& c : cases) {
    const auto e = idle_error(idle_file(c.records, 2));
    EXPECT_EQ(e.origin.rfind("idle.jtrace:record ", 0), 0U) << e.origin << " " << e.what;
    EXPECT_TRUE(Contains(e.what, c.message));
  }
}

TEST(BinaryPageReader, RejectsUnknownOpBitPatterns) {
  auto e = page_error(page_file(page_record(5, 4, 10) + page_record(1, 2), 2));
  EXPECT_EQ(e.origin, "pages.jtrace:record 2");
  EXPECT_TRUE(Contains(e.what, "op bits 2 are unknown: 0 is a read (r), 1 a write (w)"));
  e = page_error(page_file(page_record(5, 4, 10) + page_record(1, 3), 2));
  EXPECT_EQ(e.origin, "pages.jtrace:record 2");
  EXPECT_TRUE(Contains(e.what, "op bits 3 are unknown"));
  e = page_error(page_file(page_record(0, 7, 10), 1));
  EXPECT_EQ(e.origin, "pages.jtrace:record 1");
  EXPECT_TRUE(Contains(e.what, "op bits 3 are unknown"));
}

TEST(BinaryPageReader, RejectsZeroTimeStepsAndTimesPastTheLimit) {
  auto e = page_error(page_file(page_record(5, 0) + page_record(1, 4, 0), 2));
  EXPECT_EQ(e.origin, "pages.jtrace:record 2");
  EXPECT_TRUE(Contains(e.what, "time step of 0 microseconds"));
  e = page_error(page_file(page_record(5, 4, traces::kMaxTraceTimeUs) + page_record(1, 4, 1), 2));
  EXPECT_EQ(e.origin, "pages.jtrace:record 2");
  EXPECT_TRUE(Contains(e.what, "beyond the largest trace time"));
}

TEST(BinaryReaders, EveryTruncationIsAnInputErrorNamingFileAndRecord) {
  const std::string idle = idle_to_binary(kTinyIdle);
  const std::string pages = pages_to_binary(kTinyWindows);
  for (const std::string* f : {&idle, &pages}) {
    for (std::size_t keep = 1; keep < f->size(); ++keep) {
      const std::string cut = f->substr(0, keep);
      const auto e = f == &idle ? idle_error(cut, "t.jtrace") : page_error(cut, "t.jtrace");
      EXPECT_EQ(e.origin.rfind("t.jtrace", 0), 0U) << keep << ": " << e.what;
      EXPECT_TRUE(Contains(e.what, "truncated")) << keep;
      if (keep >= binary::kHeaderSize) {
        EXPECT_TRUE(e.origin.find(":record ") != std::string::npos || Contains(e.what, "trailer")) << e.what;
      }
    }
  }
  auto e = idle_error(idle.substr(0, 10), "t.jtrace");
  EXPECT_EQ(e.origin, "t.jtrace:record 1");
  EXPECT_TRUE(Contains(e.what, "the file ends inside record 1"));
  // The whole of record 1 and nothing more: the end marker is missing.
  const std::string one = idle_file(idle_record(1, 0, "d0", 1, 1), 1);
  e = idle_error(one.substr(0, 6 + idle_record(1, 0, "d0", 1, 1).size()), "t.jtrace");
  EXPECT_EQ(e.origin, "t.jtrace:record 2");
  EXPECT_TRUE(Contains(e.what, "the file ends after record 1, before the end-of-trace marker"));
  e = idle_error(one.substr(0, one.size() - 2), "t.jtrace");
  EXPECT_EQ(e.origin, "t.jtrace");
  EXPECT_TRUE(Contains(e.what,
                       "truncated: the file ends inside the trailer (record count and checksum) after "
                       "record 1"));
}

TEST(BinaryReaders, CorruptionIsCaughtByTheChecksumWhenRecordsStillLookValid) {
  std::string f = pages_to_binary(kTinyWindows);
  f[7] = static_cast<char>(f[7] ^ 0x01);  // page 1000 -> another page, still a valid record
  const auto e = page_error(f);
  EXPECT_EQ(e.origin, "pages.jtrace");
  EXPECT_TRUE(Contains(e.what, "checksum mismatch"));
}

TEST(BinaryReaders, RejectsWrongCountTrailingDataBadHeaderAndTheOtherKind) {
  auto e = idle_error(idle_file(idle_record(1, 0, "d0", 1, 1), 2));
  EXPECT_EQ(e.origin, "idle.jtrace");
  EXPECT_TRUE(Contains(e.what, "the trailer counts 2 records, the file holds 1"));
  e = idle_error(idle_to_binary(kTinyIdle) + "x");
  EXPECT_TRUE(Contains(e.what, "unexpected data after the end of the trace"));
  e = idle_error(std::string("\x89JTX\x01I", 6));
  EXPECT_TRUE(Contains(e.what, "not a jettison binary trace: bad magic bytes"));
  e = idle_error(std::string("\x89JTR\x02I", 6));
  EXPECT_TRUE(Contains(e.what, "binary trace version 2 is not supported (this build reads version 1)"));
  e = idle_error(std::string("\x89JTR\x01Q", 6));
  EXPECT_TRUE(Contains(e.what, "unknown binary trace kind 0x51"));
  e = idle_error(pages_to_binary(kTinyWindows));
  EXPECT_EQ(e.origin, "idle.jtrace");
  EXPECT_TRUE(
      Contains(e.what, "this is a binary page-access (time,page,op) trace, not an idle-period trace"));
  e = page_error(idle_to_binary(kTinyIdle));
  EXPECT_TRUE(
      Contains(e.what, "this is a binary idle-period (desktop,start,end) trace, not a page-access trace"));
}

TEST(BinaryWriters, RejectRowsTheReadersWouldReject) {
  std::ostringstream out;
  traces::IdleBinaryWriter w(out);
  w.write("d0", Time::micros(10), Time::micros(20));
  EXPECT_THROW(w.write("d0", Time::micros(15), Time::micros(30)), std::invalid_argument);
  EXPECT_THROW(w.write("d1", Time::micros(15), Time::micros(15)), std::invalid_argument);
  EXPECT_THROW(w.write("d 1", Time::micros(15), Time::micros(16)), std::invalid_argument);
  EXPECT_THROW(w.write("d1", Time::micros(-1), Time::micros(16)), std::invalid_argument);
  traces::PageBinaryWriter p(out);
  p.write(10, 1, false);
  EXPECT_THROW(p.write(9, 1, false), std::invalid_argument);
  EXPECT_THROW(p.write(traces::kMaxTraceTimeUs + 1, 1, false), std::invalid_argument);
}

}  // namespace
}  // namespace jettison::testing
