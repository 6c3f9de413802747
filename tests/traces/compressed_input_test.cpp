// traces/io/input_stream: gzip and zstd traces (made here with zlib and libzstd directly) read as the
// same rows as the plain CSV, whatever their file names; corrupt and truncated compressed data stops
// the reading call with an InputError naming the file.
#include <gtest/gtest.h>

#include <sstream>

#include "common/input_error.hpp"
#include "tests/sim/input/input_test_support.hpp"
#include "tests/traces/trace_test_support.hpp"
#include "traces/io/binary_writer.hpp"
#include "traces/io/input_stream.hpp"
#include "traces/io/output_stream.hpp"

namespace jettison::testing {
namespace {

using traces::Compression;
using traces::IdleTraceReader;
using traces::open_trace_file;
using traces::PageTraceReader;

std::string zstd_checked(const std::string& data) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const std::size_t n = ZSTD_compress2(c, out.data(), out.size(), data.data(), data.size());
  ZSTD_freeCCtx(c);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

std::vector<std::string> read_idle_file(const std::string& path) {
  IdleTraceReader r(open_trace_file(path, "idle_trace"), path);
  return idle_rows(r);
}

std::vector<std::string> read_page_file(const std::string& path) {
  PageTraceReader r(open_trace_file(path, "file"), path);
  return page_rows(r);
}

// Reads every row of `path` (idle trace) expecting an InputError.
CaughtInputError idle_error(const std::string& path) {
  return input_error([&] { read_idle_file(path); });
}

TEST(CompressedInput, GzipAndZstdIdleTracesGiveTheSameRowsAsPlainCsv) {
  TempDir dir;
  const std::string csv = slurp(sample("office-idle.csv"));
  const auto plain = read_idle_file(dir.write("idle.csv", csv));
  ASSERT_GT(plain.size(), 1000U);
  EXPECT_EQ(read_idle_file(dir.write("idle.csv.gz", gzip_bytes(csv))), plain);
  EXPECT_EQ(read_idle_file(dir.write("idle-best.csv.gz", gzip_bytes(csv, 9))), plain);
  EXPECT_EQ(read_idle_file(dir.write("idle.csv.zst", zstd_bytes(csv))), plain);
  EXPECT_EQ(read_idle_file(dir.write("idle-19.csv.zst", zstd_bytes(csv, 19))), plain);
}

TEST(CompressedInput, GzipAndZstdPageTracesGiveTheSameRowsAndProfileAsPlainCsv) {
  TempDir dir;
  for (const char* name : {"pages-windows.csv", "pages-linux.csv"}) {
    const std::string csv = slurp(sample(name));
    const std::string plain_path = dir.write(name, csv);
    const auto plain = read_page_file(plain_path);
    ASSERT_GT(plain.size(), 10'000U);
    const auto profile = traces::read_page_profile(open_trace_file(plain_path, "file"), plain_path);
    for (const std::string& path : {dir.write(std::string(name) + ".gz", gzip_bytes(csv)),
                                    dir.write(std::string(name) + ".zst", zstd_checked(csv))}) {
      EXPECT_EQ(read_page_file(path), plain) << path;
      const auto p = traces::read_page_profile(open_trace_file(path, "file"), path);
      EXPECT_EQ(p.gfns, profile.gfns);
      EXPECT_EQ(p.lines, profile.lines);
      ASSERT_EQ(p.accesses.size(), profile.accesses.size());
      EXPECT_EQ(p.accesses.back().offset_us, profile.accesses.back().offset_us);
      EXPECT_EQ(p.cycle, profile.cycle);
    }
  }
}

TEST(CompressedInput, DetectedByMagicBytesNotByName) {
  TempDir dir;
  const auto plain = read_idle_file(dir.write("a.csv", kTinyIdle));
  EXPECT_EQ(read_idle_file(dir.write("gzip-named.csv", gzip_bytes(kTinyIdle))), plain);
  EXPECT_EQ(read_idle_file(dir.write("zstd-named.txt", zstd_bytes(kTinyIdle))), plain);
  EXPECT_EQ(read_idle_file(dir.write("plain-named.csv.gz", kTinyIdle)), plain);
  EXPECT_EQ(read_idle_file(dir.write("plain-named.csv.zst", kTinyIdle)), plain);
}

TEST(CompressedInput, ReadersDecompressAnyStreamNotOnlyFiles) {
  IdleTraceReader gz(stream_of(gzip_bytes(kTinyIdle)), "idle.csv.gz");
  IdleTraceReader zs(stream_of(zstd_bytes(kTinyIdle)), "idle.csv.zst");
  IdleTraceReader plain(stream_of(kTinyIdle), "idle.csv");
  const auto rows = idle_rows(plain, true);
  EXPECT_EQ(idle_rows(gz, true), rows);
  EXPECT_EQ(idle_rows(zs, true), rows);
  const auto p = traces::read_page_profile(stream_of(gzip_bytes(kTinyWindows)), "w.csv.gz");
  EXPECT_EQ(p.gfns, (std::vector<std::uint64_t>{1000, 1001}));
}

TEST(CompressedInput, ConcatenatedGzipMembersAndZstdFramesReadAsOneFile) {
  TempDir dir;
  const std::string head = "desktop,start,end\nd00,3600,5400.25\n";
  const std::string tail = "d01,3700.5,3900\nd00,6000,7200\n";
  const auto plain = read_idle_file(dir.write("a.csv", head + tail));
  EXPECT_EQ(read_idle_file(dir.write("b.csv.gz", gzip_bytes(head) + gzip_bytes(tail))), plain);
  EXPECT_EQ(read_idle_file(dir.write("c.csv.zst", zstd_bytes(head) + zstd_bytes(tail))), plain);
}

TEST(CompressedInput, BinaryTracesInsideGzipAndZstd) {
  std::ostringstream bin;
  traces::IdleBinaryWriter w(bin);
  IdleTraceReader plain(stream_of(kTinyIdle), "idle.csv");
  traces::IdleRow row;
  while (plain.next(row)) w.write(row);
  w.finish();
  IdleTraceReader again(stream_of(kTinyIdle), "idle.csv");
  const auto rows = idle_rows(again);
  for (const std::string& bytes : {gzip_bytes(bin.str()), zstd_bytes(bin.str())}) {
    IdleTraceReader r(stream_of(bytes), "idle.jtrace.gz");
    EXPECT_TRUE(r.binary());
    EXPECT_EQ(idle_rows(r), rows);
  }
}

TEST(CompressedInput, DetectTraceFormatLooksThroughCompression) {
  TempDir dir;
  auto f = traces::detect_trace_format(dir.write("p.gz", gzip_bytes(kTinyWindows)), "file");
  EXPECT_EQ(f.kind, traces::TraceKind::pages);
  EXPECT_FALSE(f.binary);
  EXPECT_EQ(f.compression, Compression::gzip);
  f = traces::detect_trace_format(dir.write("i.zst", zstd_bytes(kTinyIdle)), "file");
  EXPECT_EQ(f.kind, traces::TraceKind::idle);
  EXPECT_EQ(f.compression, Compression::zstd);
  f = traces::detect_trace_format(dir.write("i.csv", kTinyIdle), "file");
  EXPECT_EQ(f.compression, Compression::none);
  const std::string bad = dir.write("bad.csv.gz", gzip_bytes("when,what\n1,2\n"));
  const auto e = input_error([&] { traces::detect_trace_format(bad, "file"); });
  EXPECT_EQ(e.origin, bad + ":1");
  EXPECT_TRUE(Contains(e.what, "not a trace"));
  EXPECT_TRUE(Contains(e.what, "'when,what'"));
}

TEST(CompressedInput, CorruptGzipIsAnInputErrorNamingTheFile) {
  TempDir dir;
  const std::string gz = gzip_bytes(slurp(sample("office-idle.csv")));
  std::string bad_block = gz;
  bad_block[10] = static_cast<char>(0xff);  // first deflate block header: reserved block type
  const std::string p1 = dir.write("block.csv.gz", bad_block);
  auto e = idle_error(p1);
  EXPECT_EQ(e.origin, p1);
  EXPECT_TRUE(Contains(e.what, p1 + ": corrupt gzip data near byte 1"));
  EXPECT_TRUE(Contains(e.what, "invalid block type"));

  std::string bad_crc = gz;
  bad_crc[gz.size() - 8] = static_cast<char>(bad_crc[gz.size() - 8] ^ 0x55);  // the trailer's CRC-32
  const std::string p2 = dir.write("crc.csv.gz", bad_crc);
  e = idle_error(p2);
  EXPECT_EQ(e.origin, p2);
  EXPECT_TRUE(Contains(e.what, "corrupt gzip data near byte"));
  EXPECT_TRUE(Contains(e.what, "incorrect data check"));

  const std::string p3 = dir.write("garbage-after.csv.gz", gz + "trailing");
  e = idle_error(p3);
  EXPECT_EQ(e.origin, p3);
  EXPECT_TRUE(Contains(e.what, "unexpected data after the end of the gzip stream"));
}

TEST(CompressedInput, CorruptZstdIsAnInputErrorNamingTheFile) {
  TempDir dir;
  std::string zs = zstd_checked(slurp(sample("office-idle.csv")));
  std::string bad_header = zs;
  bad_header[4] = static_cast<char>(0xff);  // frame header descriptor with its reserved bit set
  const std::string p1 = dir.write("header.csv.zst", bad_header);
  auto e = idle_error(p1);
  EXPECT_EQ(e.origin, p1);
  EXPECT_TRUE(Contains(e.what, p1 + ": corrupt zstd data near byte"));

  std::string bad_sum = zs;
  bad_sum[zs.size() - 1] = static_cast<char>(bad_sum[zs.size() - 1] ^ 0x55);  // the frame's checksum
  const std::string p2 = dir.write("sum.csv.zst", bad_sum);
  e = idle_error(p2);
  EXPECT_EQ(e.origin, p2);
  EXPECT_TRUE(Contains(e.what, "corrupt zstd data near byte"));
}

TEST(CompressedInput, EveryFlippedByteIsAnInputErrorNamingTheFile) {
  // Whatever the damage, reading stops with an InputError about this file: from the decompressor,
  // its checksum, or the CSV checks of whatever garbage came out.
  TempDir dir;
  const std::string csv = slurp(sample("office-idle.csv"));
  const std::string gz = gzip_bytes(csv);
  const std::string zs = zstd_checked(csv);
  int checked = 0;
  for (const std::string* data : {&gz, &zs}) {
    // gzip bytes 4-9 (time stamp, flags, OS) are not checked by anyone; start after the header.
    for (std::size_t at = 12; at < data->size(); at += data->size() / 97 + 1) {
      std::string bad = *data;
      bad[at] = static_cast<char>(bad[at] ^ 0x20);
      const std::string path = dir.write(fmt::format("flip-{}-{}", data == &gz ? "gz" : "zst", at), bad);
      const auto e = idle_error(path);
      EXPECT_EQ(e.origin.rfind(path, 0), 0U) << e.what;
      ++checked;
    }
  }
  EXPECT_GT(checked, 150);
}

TEST(CompressedInput, TruncatedGzipAndZstdAreInputErrorsNamingTheFile) {
  TempDir dir;
  const std::string csv = slurp(sample("office-idle.csv"));
  for (const std::string& data : {gzip_bytes(csv), zstd_bytes(csv)}) {
    const bool gz = static_cast<unsigned char>(data[0]) == 0x1f;
    for (std::size_t keep :
         {data.size() - 1, data.size() - 4, data.size() / 2, std::size_t{20}, std::size_t{5}}) {
      const std::string path =
          dir.write(fmt::format("cut-{}-{}", gz ? "gz" : "zst", keep), data.substr(0, keep));
      const auto e = idle_error(path);
      EXPECT_EQ(e.origin, path);
      EXPECT_TRUE(Contains(
          e.what, fmt::format("truncated {} data: the file ends at byte {}", gz ? "gzip" : "zstd", keep)));
    }
  }
}

TEST(CompressedInput, ErrorsReachPlainGetlineAndAreRecordedOnTheStream) {
  TempDir dir;
  const std::string csv = slurp(sample("office-idle.csv"));
  const std::string gz = gzip_bytes(csv);
  const std::string path = dir.write("cut.csv.gz", gz.substr(0, gz.size() / 2));
  auto in = open_trace_file(path, "file");
  EXPECT_EQ(traces::compression_of(*in), Compression::gzip);
  std::string line;
  std::size_t lines = 0;
  const auto e = input_error([&] {
    while (std::getline(*in, line)) ++lines;
  });
  EXPECT_GT(lines, 10U);
  EXPECT_EQ(e.origin, path);
  EXPECT_TRUE(in->bad());
  ASSERT_TRUE(traces::stream_error(*in).has_value());
  EXPECT_TRUE(Contains(*traces::stream_error(*in), "truncated gzip data"));
  // Reading again repeats the error instead of pretending the file ended.
  in->clear();
  EXPECT_TRUE(Contains(input_error([&] { std::getline(*in, line); }).what, "truncated gzip data"));
}

TEST(CompressedInput, MissingFileOrFolderIsAnInputErrorWithTheOrigin) {
  TempDir dir;
  auto e = input_error([&] { open_trace_file((dir.path() / "none.csv.gz").string(), "idle_trace"); });
  EXPECT_EQ(e.origin, "idle_trace");
  EXPECT_TRUE(Contains(e.what, "cannot open '"));
  EXPECT_TRUE(Contains(e.what, "none.csv.gz"));
  e = input_error([&] { open_trace_file(dir.path().string(), "idle_trace"); });
  EXPECT_TRUE(Contains(e.what, "is a folder, not a file"));
}

TEST(CompressedInput, PlainFilesStartingLikeAMagicKeepTheirBytes) {
  // '(' is zstd's first byte and 0x1f gzip's: without the rest of the magic the data is not
  // compressed, and the CSV reader sees it all.
  const auto e = input_error([] { IdleTraceReader r(stream_of("(desktop,start,end\n"), "odd.csv"); });
  EXPECT_EQ(e.origin, "odd.csv:1");
  EXPECT_TRUE(Contains(e.what, "found '(desktop,start,end'"));
  const auto e2 = input_error([] { IdleTraceReader r(stream_of("\x1f"), "one.csv"); });
  EXPECT_TRUE(Contains(e2.what, "missing header"));
}

TEST(CompressedInput, EmptyCompressedFileIsAnEmptyTrace) {
  const auto e = input_error([] { IdleTraceReader r(stream_of(gzip_bytes("")), "empty.csv.gz"); });
  EXPECT_EQ(e.origin, "empty.csv.gz:1");
  EXPECT_TRUE(Contains(e.what, "empty file"));
}

TEST(CompressedOutput, CompressingStreamWritesWhatZlibAndZstdRead) {
  const std::string csv = slurp(sample("pages-linux.csv"));
  for (Compression c : {Compression::gzip, Compression::zstd}) {
    std::ostringstream sink;
    traces::CompressingStream out(sink, c);
    out << csv;
    out.finish();
    ASSERT_TRUE(out.good());
    const std::string bytes = sink.str();
    EXPECT_LT(bytes.size(), csv.size() / 2);
    if (c == Compression::zstd) {
      std::string back(csv.size(), '\0');
      EXPECT_EQ(ZSTD_decompress(back.data(), back.size(), bytes.data(), bytes.size()), csv.size());
      EXPECT_EQ(back, csv);
    }
    PageTraceReader r(stream_of(bytes), "p");
    PageTraceReader plain(stream_of(csv), "p");
    EXPECT_EQ(page_rows(r), page_rows(plain));
  }
  EXPECT_EQ(traces::compression_for_name("a/b.csv.gz"), Compression::gzip);
  EXPECT_EQ(traces::compression_for_name("b.jtrace.zst"), Compression::zstd);
  EXPECT_EQ(traces::compression_for_name("b.zst.csv"), Compression::none);
}

}  // namespace
}  // namespace jettison::testing
