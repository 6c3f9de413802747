// jettison-trace fit pages and generate pages --model: a model fitted to the bundled capture of a
// real guest (time 0 = its resume) is written whole and generates the same bytes for the same
// seed; bad traces and bad model files exit 2 naming the file and line, and write nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>

#include "tests/traces/trace_tool_cli.hpp"

namespace jettison::testing {
namespace {

const std::string kCapture = std::string(JETTISON_SOURCE_DIR) + "/scenarios/emu/vm-vs-sim-pages.csv";

class FitPages : public ::testing::Test {
 protected:
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(cli.dir.path() / name) << text;
  }
  TraceCli cli;
};

TEST_F(FitPages, FitsTheCaptureAndGeneratesDeterministically) {
  const auto fit = cli.run("fit pages '" + kCapture + "' --out m.yaml");
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  const std::string model = cli.read("m.yaml");
  EXPECT_NE(model.find("vm_memory: 512MiB"), std::string::npos) << model;  // highest page 130,718
  EXPECT_NE(model.find("shift: 0s"), std::string::npos);                   // the capture starts at the resume
  EXPECT_NE(model.find("unique_pages: 933"), std::string::npos);
  ASSERT_EQ(cli.run("generate pages --model m.yaml --hours 1 --seed 3 --out a.csv").exit_code, 0);
  ASSERT_EQ(cli.run("generate pages --model m.yaml --hours 1 --seed 3 --out b.csv").exit_code, 0);
  ASSERT_EQ(cli.run("generate pages --model m.yaml --hours 1 --seed 4 --out c.csv").exit_code, 0);
  EXPECT_EQ(cli.read("a.csv"), cli.read("b.csv"));
  EXPECT_NE(cli.read("a.csv"), cli.read("c.csv"));
  // The model file is fitted the same way each time.
  ASSERT_EQ(cli.run("fit pages '" + kCapture + "' --out m2.yaml").exit_code, 0);
  EXPECT_EQ(cli.read("m2.yaml"), model);
}

// Each model in traces/models/ is what `fit pages` makes of the source it names (traces/README.md,
// "Bundled models"), byte for byte: the shipped models are reproducible and follow the fitter.
TEST_F(FitPages, EveryBundledModelIsWhatItsSourceFits) {
  const std::string root = JETTISON_SOURCE_DIR;
  const std::pair<const char*, const char*> models[] = {
      {"real-tiny-guest", "scenarios/emu/vm-vs-sim-pages.csv"},
      {"real-debian-guest", "scenarios/emu/debian-guest-pages.csv"},
      {"pages-linux", "traces/samples/pages-linux.csv"},
      {"pages-windows", "traces/samples/pages-windows.csv"}};
  for (const auto& [name, source] : models) {
    SCOPED_TRACE(name);
    const std::string out = std::string(name) + ".yaml";
    // Run from the repository's root, as the README's commands are, so the model names its source
    // by the same relative path.
    const auto fit = cli.run(
        "fit pages '" + std::string(source) + "' --out '" + (cli.dir.path() / out).string() + "'", root);
    ASSERT_EQ(fit.exit_code, 0) << fit.err;
    std::ifstream shipped(root + "/traces/models/" + out);
    ASSERT_TRUE(shipped.good());
    const std::string expected((std::istreambuf_iterator<char>(shipped)), std::istreambuf_iterator<char>());
    EXPECT_EQ(cli.read(out), expected);
  }
}

TEST_F(FitPages, AccessBeforeTheShiftIsAnError) {
  // The capture's first access is at 0.020728 s after the resume: a shift past it is an error on
  // line 2.
  const auto r = cli.run("fit pages '" + kCapture + "' --shift 1s --out m.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("vm-vs-sim-pages.csv:2: access at 0.020728 s, before the shift --shift 1s"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(cli.exists("m.yaml"));
}

TEST_F(FitPages, BadTracesNameFileAndLine) {
  write("bad.csv", "time,page,op\n1,5,r\n0.5,6,w\n");
  auto r = cli.run("fit pages bad.csv --out m.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.csv:3:"), std::string::npos) << r.err;
  write("big.csv", "time,page,op\n1,5,r\n2,300,w\n");
  r = cli.run("fit pages big.csv --vm-memory 1MiB --out m.yaml");  // 256 pages
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("big.csv:3: page 300 is beyond --vm-memory 1MiB (256 pages)"), std::string::npos)
      << r.err;
  write("empty.csv", "time,page,op\n");
  r = cli.run("fit pages empty.csv --out m.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("empty.csv: no page accesses"), std::string::npos) << r.err;
  EXPECT_FALSE(cli.exists("m.yaml"));
}

TEST_F(FitPages, BadModelFilesExit2AndWriteNothing) {
  ASSERT_EQ(cli.run("fit pages '" + kCapture + "' --out m.yaml").exit_code, 0);
  std::string model = cli.read("m.yaml");
  const auto at = model.find("  burst_tau:");
  ASSERT_NE(at, std::string::npos);
  const auto line = 1 + std::count(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(at), '\n');
  write("bad.yaml", model.insert(at, "  burst_tua: 3s\n"));
  auto r = cli.run("generate pages --model bad.yaml --hours 1 --out g.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.yaml:" + std::to_string(line) + ": growth.burst_tua: unknown key 'burst_tua'"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(cli.exists("g.csv"));
  r = cli.run("generate pages --model missing.yaml --hours 1 --out g.csv");
  EXPECT_EQ(r.exit_code, 2);
  r = cli.run("generate pages --model m.yaml --profile linux --hours 1 --out g.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("give --profile or --model, not both"), std::string::npos) << r.err;
  r = cli.run("generate pages --model m.yaml --vm-memory 5000B --hours 1 --out g.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(cli.exists("g.csv"));
}

TEST_F(FitPages, SaysWhenTheVmRunsOutOfPages) {
  // The capture's model keeps adding ~1.3 pages a second: a 1 MiB VM (256 pages) is full within
  // minutes of a 1-hour trace.
  ASSERT_EQ(cli.run("fit pages '" + kCapture + "' --out m.yaml").exit_code, 0);
  const auto r = cli.run("generate pages --model m.yaml --vm-memory 1MiB --hours 1 --seed 1 --out g.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("the VM's 256 pages ran out at"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("256 unique pages"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace jettison::testing
