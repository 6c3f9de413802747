// The fitted page model (traces/gen/page_model*.hpp, traces/tool/fit_*.hpp): a fit on a trace drawn from known
// parameters recovers them; a trace generated from a model fitted to a real-like source follows the
// source's unique-pages curve; the model file reads back what was written.
#include "traces/gen/page_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/input_error.hpp"
#include "tests/support/temp_dir.hpp"
#include "traces/io/csv_writer.hpp"
#include "traces/tool/fit_growth.hpp"
#include "traces/tool/fit_pages.hpp"
#include "traces/gen/page_model_generator.hpp"

namespace jettison::traces {
namespace {

// A model with round numbers: 100 pages at once, a 600-page burst decaying in 300 s, then 0.5 new
// pages a second; batches of 2 pages on average; 0.2 re-touches a second.
PageModel known_model() {
  PageModel m;
  m.tool = "test";
  m.vm_bytes = std::uint64_t{4} << 30;
  m.growth = {100, 0.5, 600, 300};
  m.batch_mean_pages = 2;
  m.batch_gap_s = 0.001;
  m.retouch_rate = 0.2;
  m.write_first = 0.3;
  m.write_retouch = 0.6;
  m.next_page = 0.5;
  m.within_1 = 0.55;
  m.within_16 = 0.7;
  m.within_256 = 0.8;
  return m;
}

void write_csv(const ModelTrace& t, const std::filesystem::path& p) {
  std::ofstream out(p);
  PageCsvWriter w(out);
  for (const PageEvent& e : t.events) w.write(e.time_us, e.page, e.write);
  w.finish();
}

// Tolerances, from the sampling noise of a 4-hour trace (14,400 s) of the known model. New pages
// arrive in batches of geometric size (mean m = 2), a compound Poisson process: a stretch expected to
// hold mu pages holds mu (2m - 1) = 3 mu in variance.
// - late_rate: the late half holds 0.5 x 7,200 = 3,600 pages, sd sqrt(3 x 3,600) = 104 (2.9%);
//   4 sd: 12%.
// - burst: 600 pages, sd sqrt(3 x 600) = 42, plus the late rate's error over the burst's ~5 tau
//   (0.015/s x 1,500 s = 22): sd 48 (8%); 4 sd: 32%, and tau, fitted from the same pages, 40%.
// - initial: 100 pages, sd sqrt(3 x 100) = 17; 4 sd: 70 pages.
// - shares of n events: sd sqrt(p (1 - p) / n); 4 sd.
TEST(PageModelFit, RecoversTheParametersOfASyntheticTrace) {
  const PageModel truth = known_model();
  jettison::testing::TempDir dir;
  const auto file = dir.path() / "known.csv";
  const ModelTrace t = generate_from_model(truth, truth.vm_pages(), 7, std::int64_t{4} * 3600 * 1'000'000);
  write_csv(t, file);
  FitPagesArgs args;
  args.traces = {file.string()};
  args.vm_memory = "4GiB";
  const PageModel fit = fit_pages(args);

  EXPECT_NEAR(fit.growth.late_rate, 0.5, 0.12 * 0.5);
  EXPECT_NEAR(fit.growth.burst, 600, 0.32 * 600);
  EXPECT_NEAR(fit.growth.burst_tau_s, 300, 0.40 * 300);
  EXPECT_NEAR(fit.growth.initial, 100, 70);
  EXPECT_GT(fit.fit.r2, 0.99);
  ASSERT_TRUE(fit.fit.se_late_rate.has_value());
  EXPECT_GT(*fit.fit.se_late_rate, 0.0);

  const double firsts = static_cast<double>(fit.sources[0].unique_pages);          // ~7,900
  const double retouches = static_cast<double>(fit.sources[0].accesses) - firsts;  // ~0.2 x 14,400 = 2,880
  auto tol = [](double p, double n) { return 4 * std::sqrt(p * (1 - p) / n); };
  EXPECT_NEAR(fit.write_first, 0.3, tol(0.3, firsts));
  EXPECT_NEAR(fit.write_retouch, 0.6, tol(0.6, retouches));
  // Retouches: Poisson count, sd sqrt(2,880) = 54 (1.9%); 4 sd: 7.5%.
  EXPECT_NEAR(fit.retouch_rate, 0.2, 0.075 * 0.2);
  // Mean batch size 2; the fit's 10 ms split joins batches whose times fall within 10 ms of each
  // other: with ~3,950 batches over 14,400 s at most ~3,950 x 0.01 s x 0.27/s = 11 merges (0.3%).
  // Batch sizes have sd sqrt(2) about their mean; over 3,950 batches, sd 0.022; 4 sd: 0.09 (+0.01).
  EXPECT_NEAR(fit.batch_mean_pages, 2.0, 0.1);
  // Locality: a draw whose target is already touched moves to the next free page (so d = -1 often
  // becomes d = +1, and some near draws land further away); within_1 keeps its share as long as the
  // next free page is near. The space is sparse (7,900 of 1 M pages), so shares are checked to
  // 4 sd of binomial noise plus 0.03 for those moves.
  EXPECT_NEAR(fit.within_1, 0.55, tol(0.55, firsts) + 0.03);
  EXPECT_NEAR(fit.within_16, 0.70, tol(0.7, firsts) + 0.03);
  EXPECT_NEAR(fit.within_256, 0.80, tol(0.8, firsts) + 0.03);
}

TEST(PageModelFit, ExactCurveGivesAnExactFit) {
  // First touches placed exactly on U(t) = 20 + 2 t + 300 (1 - exp(-t / 40)), t in 0..1000 s: the
  // k-th page at the t where U(t) = k. The fit on a 2,000-point grid recovers the curve up to the
  // step function's own rounding (U is an integer count): RMSE <= 0.5 pages.
  GrowthCurve u{20, 2, 300, 40};
  GrowthSamples s;
  s.span_s = 1000;
  for (int k = 1; k <= 20; ++k) s.first_touch_s.push_back(0);
  for (double k = 21; u.pages_by(1000) >= k; ++k) {
    double lo = 0, hi = 1000;
    for (int i = 0; i < 80; ++i) ((u.pages_by((lo + hi) / 2) < k) ? lo : hi) = (lo + hi) / 2;
    s.first_touch_s.push_back(hi);
  }
  const GrowthFit f = fit_growth({s});
  EXPECT_NEAR(f.curve.late_rate, 2.0, 0.01);
  EXPECT_NEAR(f.curve.burst, 300, 3);
  EXPECT_NEAR(f.curve.burst_tau_s, 40, 1);
  EXPECT_NEAR(f.curve.initial, 20, 1.5);
  EXPECT_LE(f.error.rmse, 0.5);
  EXPECT_GT(f.error.r2, 0.9999);
}

// Traces generated from the model fitted to the bundled Linux profile keep to the profile's
// unique-pages-over-time curve. At every 10 minutes of its 2 hours, the mean of 10 generated traces
// (seeds 1-10) is within 3 x the fit's RMSE (the curve's own misfit) plus 4 sd of the mean's
// sampling noise: one trace's count is compound Poisson, variance U (2m - 1) with m the mean batch
// size, and the mean of 10 has a tenth of it.
TEST(PageModelFit, GeneratedTracesFollowTheSourceCurve) {
  FitPagesArgs args;
  const std::string source = std::string(JETTISON_SOURCE_DIR) + "/traces/samples/pages-linux.csv";
  args.traces = {source};
  const PageModel m = fit_pages(args);
  EXPECT_EQ(m.vm_bytes, std::uint64_t{4} << 30);  // highest page 1,017,183: 2^20 pages

  std::ifstream in(source);
  std::string line;
  std::getline(in, line);
  std::set<std::uint64_t> seen;
  std::vector<double> firsts;
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string time, page;
    std::getline(row, time, ',');
    std::getline(row, page, ',');
    if (seen.insert(std::stoull(page)).second) firsts.push_back(std::stod(time));
  }
  constexpr int kSeeds = 10;
  std::vector<std::vector<double>> generated;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    const ModelTrace t = generate_from_model(m, m.vm_pages(), static_cast<std::uint64_t>(seed),
                                             std::int64_t{7200} * 1'000'000);
    std::set<std::uint64_t> gen_seen;
    std::vector<double> gen_firsts;
    for (const PageEvent& e : t.events)
      if (gen_seen.insert(e.page).second) gen_firsts.push_back(static_cast<double>(e.time_us) / 1e6);
    generated.push_back(std::move(gen_firsts));
  }
  for (int k = 1; k <= 12; ++k) {
    const double at = 600.0 * k;
    const auto count = [at](const std::vector<double>& v) {
      return static_cast<double>(std::upper_bound(v.begin(), v.end(), at) - v.begin());
    };
    const double want = count(firsts);
    double got = 0;
    for (const auto& g : generated) got += count(g) / kSeeds;
    const double band = 3 * m.fit.rmse + 4 * std::sqrt(want * (2 * m.batch_mean_pages - 1) / kSeeds);
    EXPECT_NEAR(got, want, band) << "at " << at << " s";
  }
}

TEST(PageModelFile, ReadsBackWhatItWrites) {
  PageModel m = known_model();
  m.sources.push_back({"a.csv", 300.233, 974, 933, 599.8});
  m.fit = {4000, 9.5, 0.998, 1.5, 0.01, std::nullopt, 2.5};
  const PageModel r = parse_page_model(page_model_yaml(m), "m.yaml");
  EXPECT_EQ(r.tool, "test");
  ASSERT_EQ(r.sources.size(), 1u);
  EXPECT_EQ(r.sources[0].file, "a.csv");
  EXPECT_DOUBLE_EQ(r.sources[0].shift_s, 300.233);
  EXPECT_EQ(r.vm_bytes, m.vm_bytes);
  EXPECT_DOUBLE_EQ(r.growth.late_rate, 0.5);
  EXPECT_DOUBLE_EQ(r.growth.burst_tau_s, 300);
  EXPECT_FALSE(r.fit.se_burst.has_value());
  EXPECT_DOUBLE_EQ(*r.fit.se_burst_tau_s, 2.5);
  EXPECT_DOUBLE_EQ(r.within_256, 0.8);
  EXPECT_EQ(page_model_yaml(r), page_model_yaml(m));
}

std::string error_of(const std::string& text) {
  try {
    parse_page_model(text, "m.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(PageModelFile, BadValuesNameFileLineAndKey) {
  PageModel m = known_model();
  m.sources.push_back({"a.csv", 0, 10, 5, 60});
  const std::string good = page_model_yaml(m);
  auto line_of = [&good](const std::string& key) {
    const auto at = good.find(key);
    return std::to_string(1 + std::count(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  };
  EXPECT_EQ(
      error_of(replace(good, "  late_rate: 0.5/s", "  late_rat: 0.5/s")),
      "m.yaml:" + line_of("  late_rate") +
          ": growth.late_rat: unknown key 'late_rat' (did you mean 'late_rate'?); allowed here: initial, "
          "late_rate, burst, burst_tau");
  EXPECT_EQ(error_of(replace(good, "  late_rate: 0.5/s", "  late_rate: 0.5")),
            "m.yaml:" + line_of("  late_rate") +
                ": growth.late_rate: '0.5' is not a rate with its unit (e.g. 1.5/s, 90/min, 3600/h)");
  EXPECT_EQ(error_of(replace(good, "  first_touch: 0.3", "  first_touch: 1.3")),
            "m.yaml:" + line_of("  first_touch") + ": writes.first_touch: '1.3' is not a share within 0..1");
  EXPECT_EQ(error_of(replace(good, "  burst_tau: 300s", "  burst_tau: 300"))
                .rfind("m.yaml:" + line_of("  burst_tau") + ": growth.burst_tau: '300'", 0),
            0u);
  EXPECT_EQ(error_of(replace(good, "model: jettison-page-model", "model: other")),
            "m.yaml:" + line_of("model:") +
                ": model: 'other' is not a page model (expected 'jettison-page-model')");
  EXPECT_NE(error_of(replace(good, "  mean_pages: 2", "  mean_pages: 0.5"))
                .find("batches.mean_pages: '0.5' is below 1"),
            std::string::npos);
  EXPECT_NE(error_of(replace(good, "  within_16: 0.7", "  within_16: 0.5"))
                .find("locality.within_16: must be at least within_1"),
            std::string::npos);
  EXPECT_NE(error_of("model: [").find("m.yaml:"), std::string::npos);
}

TEST(PageModelGenerate, StopsWhenTheVmIsFull) {
  // 64 pages, a late rate of 10 pages a second: all 64 taken within seconds, then only re-touches.
  PageModel m = known_model();
  m.vm_bytes = 64 * 4096;
  m.growth = {0, 10, 0, 1};
  const ModelTrace t = generate_from_model(m, m.vm_pages(), 3, std::int64_t{600} * 1'000'000);
  EXPECT_EQ(t.unique_pages, 64u);
  ASSERT_TRUE(t.full_at_us.has_value());
  EXPECT_LT(*t.full_at_us, std::int64_t{30} * 1'000'000);  // expected 6.4 s; Poisson, far below 30
  for (const PageEvent& e : t.events) EXPECT_LT(e.page, 64u);
}

TEST(PageModelGenerate, SameSeedSameTraceOtherSeedOther) {
  const PageModel m = known_model();
  const auto a = generate_from_model(m, m.vm_pages(), 5, std::int64_t{3600} * 1'000'000);
  const auto b = generate_from_model(m, m.vm_pages(), 5, std::int64_t{3600} * 1'000'000);
  const auto c = generate_from_model(m, m.vm_pages(), 6, std::int64_t{3600} * 1'000'000);
  ASSERT_EQ(a.events.size(), b.events.size());
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    EXPECT_EQ(a.events[i].time_us, b.events[i].time_us);
    EXPECT_EQ(a.events[i].page, b.events[i].page);
    EXPECT_EQ(a.events[i].write, b.events[i].write);
  }
  EXPECT_NE(a.events.size() == c.events.size() && a.events[0].page == c.events[0].page, true);
}

}  // namespace
}  // namespace jettison::traces
