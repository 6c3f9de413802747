// Page profiles drawn from a fitted page model (`page_traces.profiles[].model`, sim/trace/
// model_profile.hpp): loaded, drawn for as long as the idle trace, deterministic in the scenario's
// seed and the profile's name, unique pages over time following the model's U(t), runnable, and every
// bad input an InputError naming file, line and key.
#include "sim/trace/model_profile.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "sim/run/run_scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/input/input_test_support.hpp"

namespace jettison::sim {
namespace {

using jettison::testing::Contains;
using jettison::testing::input_error;
using jettison::testing::kTinyScenario;
using jettison::testing::line_of;
using jettison::testing::replaced;
using jettison::testing::TempDir;
using jettison::testing::write_scenario;

// A model with batches of exactly one page (mean_pages 1), so the count of new pages by t is a
// Poisson variable of mean U(t) (the batches are a Poisson process time-changed by U(t) / mean_pages).
// U(t) = 100 + 2 t + 1000 (1 - exp(-t / 60 s)) pages.
const std::string kModel = R"(model: jettison-page-model
version: 1
tool: test
sources:
  - {file: none.csv, shift: 0s, accesses: 1, unique_pages: 1, span: 1s}
vm_memory: 512MiB
page_size: 4KiB
growth:
  initial: 100
  late_rate: 2/s
  burst: 1000
  burst_tau: 60s
fit: {points: 10, rmse: 1, r2: 0.99}
batches: {mean_pages: 1, gap: 0s, split: 0.01s}
retouches: {rate: 0.5/s, share: 0.2}
writes: {first_touch: 0.5, retouch: 0.25, share: 0.4}
locality: {next_page: 0.5, within_1: 0.6, within_16: 0.7, within_256: 0.8}
)";

double model_u(double t) { return 100 + 2 * t + 1000 * (1 - std::exp(-t / 60)); }

// kTinyScenario with its second profile ("linux") drawn from traces/model.yaml.
std::string with_model_profile(const std::string& entry = "model: traces/model.yaml") {
  return replaced(kTinyScenario, "      file: traces/linux.csv\n", "      " + entry + "\n");
}

class ModelProfile : public ::testing::Test {
 protected:
  Scenario load(const std::string& yaml, const std::string& model = kModel,
                const std::vector<std::string>& sets = {}) {
    yaml_ = yaml;
    dir_.write("traces/model.yaml", model);
    path_ = write_scenario(dir_, yaml);
    return load_scenario(path_, sets);
  }
  jettison::testing::CaughtInputError load_error(const std::string& yaml, const std::string& model = kModel) {
    return input_error([&] { load(yaml, model); });
  }
  std::string at(const std::string& needle) const {
    return path_ + ":" + std::to_string(line_of(yaml_, needle));
  }
  TempDir dir_;
  std::string yaml_, path_;
};

// `length: 10s` of kTinyScenario applies: the draw covers [0, 10 s) and repeats (when_shorter stop).
TEST_F(ModelProfile, LengthGivenDrawsThatLong) {
  const Scenario s = load(with_model_profile());
  const PageProfile& p = s.profiles.at(1);
  EXPECT_EQ(p.name, "linux");
  EXPECT_EQ(p.cycle.us(), 10'000'000);
  EXPECT_FALSE(p.repeat);
  ASSERT_FALSE(p.accesses.empty());
  EXPECT_LT(p.accesses.back().offset_us, 10'000'000);
  // U(10 s) = 100 + 20 + 1000 (1 - e^(-1/6)) = 273.5 pages; Poisson sd 16.5: within 5 sd.
  EXPECT_NEAR(static_cast<double>(p.unique_pages()), model_u(10), 5 * std::sqrt(model_u(10)));
  EXPECT_LT(p.max_gfn, 131072U);  // 512 MiB of 4 KiB pages
  EXPECT_EQ(p.origin(0), at("model: traces/model.yaml"));
}

// Without `length`, the draw lasts as long as the idle trace (its last period ends at 9000 s), and
// the unique pages by t follow U(t): a Poisson count of mean U(t), so within 4 standard deviations
// (sqrt(U)) at every checked time: at 60 s U = 872.1 (+-118), 600 s 2300 (+-192), 9000 s 19100 (+-553).
TEST_F(ModelProfile, UniquePagesFollowTheModelsGrowth) {
  const Scenario s = load(replaced(with_model_profile(), "      length: 10s\n", ""));
  const PageProfile& p = s.profiles.at(1);
  EXPECT_EQ(p.cycle.us(), 9'000'000'000);
  for (const double t : {60.0, 600.0, 3600.0, 8999.0}) {
    std::vector<bool> seen(p.unique_pages(), false);
    std::uint64_t unique = 0;
    for (const PageAccess& a : p.accesses) {
      if (a.offset_us > static_cast<std::int64_t>(t * 1e6)) break;
      if (!seen[a.slot]) seen[a.slot] = true, ++unique;
    }
    EXPECT_NEAR(static_cast<double>(unique), model_u(t), 4 * std::sqrt(model_u(t))) << "t = " << t;
  }
  // Re-touches at 0.5/s over 9000 s: 4500 +- 4 x 67 besides the first touches.
  const double retouches = static_cast<double>(p.accesses.size() - p.unique_pages());
  EXPECT_NEAR(retouches, 4500, 4 * std::sqrt(4500.0));
}

TEST_F(ModelProfile, SameSeedSameDrawOtherSeedOrNameAnother) {
  const std::string yaml = with_model_profile();
  const PageProfile a = load(yaml).profiles.at(1);
  const PageProfile b = load(yaml).profiles.at(1);
  const PageProfile c = load(yaml, kModel, {"seed=8"}).profiles.at(1);
  const PageProfile d = load(replaced(yaml, "name: linux", "name: other")).profiles.at(1);
  auto same = [](const PageProfile& x, const PageProfile& y) {
    if (x.accesses.size() != y.accesses.size() || x.gfns != y.gfns) return false;
    for (std::size_t i = 0; i < x.accesses.size(); ++i) {
      const PageAccess &p = x.accesses[i], &q = y.accesses[i];
      if (p.offset_us != q.offset_us || p.slot != q.slot || p.write != q.write) return false;
    }
    return true;
  };
  EXPECT_TRUE(same(a, b));
  EXPECT_FALSE(same(a, c));
  EXPECT_FALSE(same(a, d));
  EXPECT_NE(model_profile_seed(7, "linux"), model_profile_seed(8, "linux"));
}

// The scenario runs with the drawn profile: partial migration fetches pages of it.
TEST_F(ModelProfile, ScenarioWithAModelProfileRuns) {
  const Scenario s = load(replaced(with_model_profile(), "      length: 10s\n", ""));
  RunOptions o;
  o.threads = 1;
  const RunReport r = run_scenario(s, o);
  ASSERT_EQ(r.results.size(), 4U);
  EXPECT_EQ(r.results[3].strategy, "partial");
  // d01 (round-robin: linux, the model, anchored at the idle start) has one period over migrate_after:
  // 7000..9000 s. The VM lands on the server at offset ~304 s; the pages first touched from then to
  // offset 2000 s are U(2000) - U(304) = 5100 - 1701.7 = 3398 (sd 58), each a fetch, besides
  // re-touches of pages touched before the landing (fetched too).
  EXPECT_GT(r.results[3].totals.all.fetched_pages, 3000U);
}

TEST_F(ModelProfile, FileAndModelTogetherIsAnError) {
  const auto e = load_error(with_model_profile("model: traces/model.yaml\n      file: traces/linux.csv"));
  EXPECT_TRUE(Contains(e.origin, path_ + ":" + std::to_string(line_of(yaml_, "name: linux"))));
  EXPECT_TRUE(Contains(e.what, "either 'file'"));
}

TEST_F(ModelProfile, NeitherFileNorModelIsAnError) {
  const auto e = load_error(replaced(kTinyScenario, "      file: traces/linux.csv\n", ""));
  EXPECT_TRUE(Contains(e.origin, path_ + ":"));
  EXPECT_TRUE(Contains(e.what, "missing required key 'file'"));
  EXPECT_TRUE(Contains(e.what, "'model'"));
}

TEST_F(ModelProfile, MissingModelFileNamesTheKey) {
  const auto e = load_error(with_model_profile("model: traces/absent.yaml"));
  EXPECT_TRUE(Contains(e.origin, at("model: traces/absent.yaml")));
  EXPECT_TRUE(Contains(e.origin, "model"));
}

TEST_F(ModelProfile, BadModelNamesTheModelsLineAndKey) {
  const auto e = load_error(with_model_profile(), replaced(kModel, "  late_rate: 2/s", "  late_rat: 2/s"));
  EXPECT_TRUE(Contains(e.origin, (dir_.path() / "traces" / "model.yaml").string() + ":" +
                                     std::to_string(line_of(kModel, "late_rate: 2/s"))));
  EXPECT_TRUE(Contains(e.what, "late_rat"));
}

TEST_F(ModelProfile, PageSizeMustMatchTheScenarios) {
  const auto e = load_error(with_model_profile(), replaced(kModel, "page_size: 4KiB", "page_size: 8KiB"));
  EXPECT_TRUE(Contains(e.origin, at("model: traces/model.yaml")));
  EXPECT_TRUE(Contains(e.what, "page_size"));
}

}  // namespace
}  // namespace jettison::sim
