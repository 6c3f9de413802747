// The paper scenarios' published ranges name figures of summary.json by dotted path
// (`vs_full.savings_ratio_pct`, `migration_latency_s.p50`): each must resolve to a number in a real
// run, or the report would have nothing to set next to the published range.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/run/run_scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::sim {
namespace {

const nlohmann::json* resolve(const nlohmann::json& root, const std::string& dotted) {
  const nlohmann::json* at = &root;
  std::size_t start = 0;
  while (start <= dotted.size()) {
    const std::size_t dot = dotted.find('.', start);
    const std::string key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!at->is_object() || !at->contains(key)) return nullptr;
    at = &(*at)[key];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return at;
}

TEST(PublishedMetrics, EveryPaperRangeNamesAFigureOfARun) {
  std::size_t ranges = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(JETTISON_SOURCE_DIR) + "/scenarios/paper")) {
    if (entry.path().extension() != ".yaml") continue;
    const Scenario s = load_scenario(entry.path().string(), {"desktops.count=3"});
    ASSERT_FALSE(s.about.published.empty()) << entry.path();
    jettison::testing::TempDir dir;
    RunOptions options;
    options.out = dir.path() / "run";
    run_scenario(s, options);
    const nlohmann::json summary = nlohmann::json::parse(std::ifstream(dir.path() / "run" / "summary.json"));
    for (const PublishedRange& r : s.about.published) {
      const nlohmann::json* v = resolve(summary["strategies"][r.strategy], r.metric);
      ASSERT_NE(v, nullptr) << entry.path() << ": " << r.strategy << "." << r.metric;
      EXPECT_TRUE(v->is_number()) << r.metric;
      ++ranges;
    }
  }
  EXPECT_GE(ranges, 8U);
}

}  // namespace
}  // namespace jettison::sim
