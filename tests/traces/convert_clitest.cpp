// jettison-trace convert: CSV <-> binary both ways (plain, gzip, zstd), the output format from --to or
// the name, every input row checked (exit 2 with "file:line: ..."), and on any failure no OUT and no
// temporary file left behind (an older OUT untouched).
#include <gtest/gtest.h>

#include <string>

#include "tests/sim/input/input_test_support.hpp"
#include "tests/traces/trace_test_support.hpp"
#include "tests/traces/trace_tool_cli.hpp"

namespace jettison::testing {
namespace {

class Convert : public ::testing::Test {
 protected:
  void SetUp() override {
    cli.dir.write("idle.csv", slurp(sample("office-idle.csv")));
    cli.dir.write("pages.csv", slurp(sample("pages-windows.csv")));
  }
  TraceCli cli;
};

TEST_F(Convert, CsvToBinaryAndBackIsByteIdenticalForBothKinds) {
  for (const std::string name : {"idle", "pages"}) {
    auto r = cli.run("convert " + name + ".csv " + name + ".jtrace");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(Contains(r.out, name == "idle" ? "(idle-period trace, CSV)" : "(page-access trace, CSV)"));
    EXPECT_TRUE(Contains(r.out, "(binary)"));
    const std::string bin = cli.read(name + ".jtrace");
    EXPECT_EQ(bin.substr(0, 4), "\x89JTR");
    EXPECT_LT(bin.size() * 3, cli.read(name + ".csv").size());
    r = cli.run("convert --quiet " + name + ".jtrace back.csv");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(cli.read("back.csv"), cli.read(name + ".csv")) << name;
  }
}

TEST_F(Convert, ReadsAndWritesGzipAndZstd) {
  cli.dir.write("idle.gz", gzip_bytes(cli.read("idle.csv")));
  auto r = cli.run("convert idle.gz idle.jtrace.zst");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "(idle-period trace, CSV, gzip)"));
  EXPECT_TRUE(Contains(r.out, "(binary, zstd)"));
  EXPECT_EQ(cli.read("idle.jtrace.zst").substr(0, 4), "\x28\xb5\x2f\xfd");
  r = cli.run("convert idle.jtrace.zst idle.csv.gz");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cli.read("idle.csv.gz").substr(0, 2), "\x1f\x8b");
  r = cli.run("convert idle.csv.gz plain.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cli.read("plain.csv"), cli.read("idle.csv"));
}

TEST_F(Convert, ToOverridesTheNameAndUnknownNamesNeedIt) {
  auto r = cli.run("convert pages.csv pages.bin --to binary");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cli.read("pages.bin").substr(0, 6), std::string("\x89JTR\x01P", 6));
  r = cli.run("convert pages.bin pages.out --to csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cli.read("pages.out"), cli.read("pages.csv"));
  const std::size_t before = cli.files();
  r = cli.run("convert pages.csv pages.txt");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "jettison-trace: error: OUT: cannot tell the output format from 'pages.txt'"));
  r = cli.run("convert pages.csv p.csv --to xml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(cli.files(), before);
}

TEST_F(Convert, CanonicalisesAndConvertsInPlace) {
  cli.dir.write("odd.csv", "desktop,start,end\r\nd0,1.500,3.0\r\n\r\nd1,2,4\r\n");
  auto r = cli.run("convert odd.csv odd.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cli.read("odd.csv"), "desktop,start,end\nd0,1.5,3\nd1,2,4\n");
}

TEST_F(Convert, BadCsvRowExitsTwoWithFileAndLineAndWritesNothing) {
  // Line 800 of the sample, its start spoilt.
  std::string csv = cli.read("idle.csv");
  std::size_t at = 0;
  for (int line = 1; line < 800; ++line) at = csv.find('\n', at) + 1;
  const std::size_t comma = csv.find(',', csv.find(',', at) + 1);
  const std::string start = csv.substr(csv.find(',', at) + 1, comma - csv.find(',', at) - 1);
  cli.dir.write("bad.csv", csv.substr(0, comma) + "x" + csv.substr(comma));
  const std::size_t before = cli.files();
  const auto r = cli.run("convert bad.csv out.jtrace");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, fmt::format("jettison-trace: error: bad.csv:800: start '{}x' is not a "
                                          "non-negative number of seconds",
                                          start)));
  EXPECT_FALSE(cli.exists("out.jtrace"));
  EXPECT_EQ(cli.files(), before);
}

TEST_F(Convert, BadInputLeavesAnOlderOutputUntouched) {
  cli.dir.write("out.csv", "old");
  cli.dir.write("unsorted.csv", "time,page,op\n2,1,r\n1,1,r\n");
  const std::size_t before = cli.files();
  auto r = cli.run("convert unsorted.csv out.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "unsorted.csv:3: time 1 s is before the previous row's 2 s"));
  EXPECT_EQ(cli.read("out.csv"), "old");
  EXPECT_EQ(cli.files(), before);
}

TEST_F(Convert, DamagedBinaryOrCompressedInputExitsTwoNamingFileAndRecord) {
  ASSERT_EQ(cli.run("convert pages.csv pages.jtrace").exit_code, 0);
  const std::string bin = cli.read("pages.jtrace");
  cli.dir.write("cut.jtrace", bin.substr(0, bin.size() / 2));
  const std::string gz = gzip_bytes(cli.read("idle.csv"));
  cli.dir.write("cut.csv.gz", gz.substr(0, gz.size() - 100));
  const std::size_t before = cli.files();
  auto r = cli.run("convert cut.jtrace out.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "jettison-trace: error: cut.jtrace:record "));
  EXPECT_TRUE(Contains(r.err, "truncated: the file ends inside record"));
  r = cli.run("convert cut.csv.gz out.jtrace");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "jettison-trace: error: cut.csv.gz: truncated gzip data"));
  EXPECT_EQ(cli.files(), before);
}

TEST_F(Convert, NotATraceOrMissingExitsTwo) {
  cli.dir.write("notes.txt", "hello,world\n");
  auto r = cli.run("convert notes.txt out.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "notes.txt:1: not a trace: the first line must be 'desktop,start,end'"));
  r = cli.run("convert none.csv out.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "cannot open 'none.csv'"));
  EXPECT_FALSE(cli.exists("out.csv"));
}

}  // namespace
}  // namespace jettison::testing
