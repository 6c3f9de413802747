// `idle_trace: {generate: office, ...}` in a scenario: the trace drawn is the one
// `jettison-trace generate idle` writes with the same parameters and the scenario's seed, byte for
// byte; another seed draws another office (and another run), the same seed the same; bad
// descriptions stop the load naming file, line and key.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>

#include "sim/output/strategy_figures.hpp"
#include "sim/run/strategy_run.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/trace/generated_idle_trace.hpp"
#include "sim/trace/idle_period_stream.hpp"
#include "tests/sim/input/input_test_support.hpp"
#include "traces/tool/generate_idle.hpp"

namespace jettison::testing {
namespace {

constexpr const char* kGenerated =
    "idle_trace:\n"
    "  generate: office\n"
    "  desktops: 12\n"
    "  days: 9\n"
    "  params: {lunch_prob: 0.5, coffee_length: 10min..30min}\n";

std::string tool_trace(std::uint64_t seed) {
  traces::GenerateIdleArgs args;
  args.desktops = 12;
  args.days = 9;
  args.seed = seed;
  args.params = {"lunch_prob=0.5", "coffee_length=10min..30min"};
  std::ostringstream out;
  traces::generate_idle(args, out);
  return out.str();
}

// kTinyScenario with the generated trace, 12 desktops and `seed`.
std::string generated_scenario(std::uint64_t seed) {
  std::string y = replaced(kTinyScenario, "idle_trace: traces/idle.csv\n", kGenerated);
  y = replaced(y, "seed: 7\n", "seed: " + std::to_string(seed) + "\n");
  return replaced(y, "desktops:\n  count: 2\n", "desktops:\n  count: 12\n");
}

double partial_energy(const sim::Scenario& s) {
  sim::StrategyRun run(s, "partial", nullptr);
  return sim::strategy_figures(run.run(), s).energy_kwh;
}

TEST(GeneratedIdleTrace, SameBytesAsJettisonTraceGenerateIdle) {
  sim::GeneratedIdleTraceSpec spec;
  spec.desktops = 12;
  spec.days = 9;
  spec.seed = 7;
  spec.params = {"lunch_prob=0.5", "coffee_length=10min..30min"};
  const std::string text = sim::generate_idle_csv(spec);
  EXPECT_EQ(text, tool_trace(7));
  EXPECT_EQ(text.rfind("desktop,start,end\n", 0), 0U);
  spec.seed = 8;
  EXPECT_NE(sim::generate_idle_csv(spec), text);
}

TEST(GeneratedIdleTrace, TheScenarioStreamsTheToolsTraceWithItsSeed) {
  TempDir dir;
  const sim::Scenario s = sim::load_scenario(write_scenario(dir, generated_scenario(7)));
  EXPECT_TRUE(s.seed_draws);
  EXPECT_EQ(s.idle_trace.path, "office model: 12 desktops x 9 days, seed 7");
  ASSERT_EQ(s.desktops.size(), 12U);
  // In order of first appearance, as from a file: all of d00 ... d11.
  std::vector<std::string> ids;
  for (const auto& d : s.desktops) ids.push_back(d.id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids.front(), "d00");
  EXPECT_EQ(ids.back(), "d11");
  EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end());

  // The same periods as the tool's file, read back as any trace file is.
  const std::string file = dir.write("tool.csv", tool_trace(7));
  const sim::IdleTraceIndex from_file = sim::index_idle_trace(file, "tool.csv");
  EXPECT_EQ(s.idle_trace.periods, from_file.periods);
  EXPECT_EQ(s.idle_trace.desktops(), from_file.desktops());
  EXPECT_EQ(s.idle_trace.end, from_file.end);
  std::unordered_map<std::string, std::uint32_t> all;
  for (std::uint32_t i = 0; i < 12; ++i) all[s.desktops[i].id] = i;
  sim::IdlePeriodStream generated(s.idle_trace, all), read(from_file, all);
  sim::IdlePeriod a, b;
  std::uint64_t n = 0;
  while (generated.next(a)) {
    ASSERT_TRUE(read.next(b));
    ASSERT_EQ(a.desktop, b.desktop);
    ASSERT_EQ(a.start, b.start);
    ASSERT_EQ(a.end, b.end);
    ++n;
  }
  EXPECT_FALSE(read.next(b));
  EXPECT_EQ(n, from_file.periods);
  EXPECT_GT(n, 12U * 5);  // weekdays have several breaks each
}

TEST(GeneratedIdleTrace, AnotherSeedAnotherRunTheSameSeedTheSame) {
  TempDir dir;
  const sim::Scenario s7 = sim::load_scenario(write_scenario(dir, generated_scenario(7)));
  const sim::Scenario again = sim::load_scenario(write_scenario(dir, generated_scenario(7)));
  const sim::Scenario s8 = sim::load_scenario(write_scenario(dir, generated_scenario(8)));
  EXPECT_NE(s7.idle_trace.periods, s8.idle_trace.periods);
  EXPECT_EQ(partial_energy(s7), partial_energy(again));
  EXPECT_NE(partial_energy(s7), partial_energy(s8));
}

TEST(GeneratedIdleTrace, AFileTraceWithRoundRobinDrawsNothingFromTheSeed) {
  TempDir dir;
  EXPECT_FALSE(sim::load_scenario(write_scenario(dir, kTinyScenario)).seed_draws);
  const std::string random = replaced(kTinyScenario, "assign: round-robin", "assign: random");
  EXPECT_TRUE(sim::load_scenario(write_scenario(dir, random)).seed_draws);
}

TEST(GeneratedIdleTrace, BadDescriptionsNameFileLineAndKey) {
  struct Case {
    std::string from, to, origin_line_of, message;
  };
  const std::vector<Case> cases = {
      {"generate: office", "generate: campus", "generate: campus",
       "idle_trace.generate: unknown trace model 'campus'; choose from: office"},
      // a missing key: the mapping's first line
      {"  desktops: 12\n", "", "generate: office", "idle_trace: missing required key 'desktops'"},
      {"  days: 9\n", "", "generate: office", "idle_trace: missing required key 'days'"},
      {"desktops: 12", "desktops: 0", "desktops: 0",
       "idle_trace.desktops: 0 desktops is not within 1..1000000"},
      {"days: 9", "days: 2weeks", "days: 2weeks", "idle_trace.days:"},
      {"lunch_prob: 0.5", "lunch_prob: 1.5", "lunch_prob", "idle_trace.params.lunch_prob:"},
      {"coffee_length: 10min..30min", "coffee_length: 10apples..30min", "coffee_length",
       "idle_trace.params.coffee_length:"},
      {"lunch_prob: 0.5", "lunch_probability: 0.5", "lunch_prob", "idle_trace.params.lunch_probability:"},
      {"  days: 9\n", "  days: 9\n  weeks: 2\n", "weeks: 2", "idle_trace.weeks"},
  };
  for (const Case& c : cases) {
    TempDir dir;
    const std::string yaml = replaced(generated_scenario(7), c.from, c.to);
    const std::string path = write_scenario(dir, yaml);
    const CaughtInputError e = input_error([&] { sim::load_scenario(path); });
    const std::string where = path + ":" + std::to_string(line_of(yaml, c.origin_line_of));
    EXPECT_TRUE(Contains(e.what, where)) << c.to;
    EXPECT_TRUE(Contains(e.what, c.message)) << c.to;
  }
}

}  // namespace
}  // namespace jettison::testing
