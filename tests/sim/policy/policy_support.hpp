// Shared by the policy-in-the-simulator tests: the hand-derived scenario of
// tests/sim/model/model_support.hpp with extra `policy:` keys (prefetch, resume, trigger, or a
// different sleep section).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "tests/sim/model/model_support.hpp"

namespace jettison::testing::policy_sim {

using model::Knobs;
using model::RunOutput;

// The hand-derived scenario (model_support.hpp) with `policy_lines` (each a full line, indented by
// two spaces, under `policy:`) added after its `sleep:` line. A line that starts with "  sleep:"
// replaces the timeout sleep section.
inline std::string policy_scenario_yaml(const Knobs& k, const std::string& policy_lines) {
  std::string y = model::hand_scenario_yaml(k);
  if (policy_lines.rfind("  sleep:", 0) == 0) {
    const std::size_t from = y.find("  sleep:");
    const std::size_t to = y.find('\n', from);
    y.erase(from, to - from + 1);
  }
  const std::size_t at = y.find("strategies:");
  y.insert(at, policy_lines);
  return y;
}

inline sim::Scenario load_policy_scenario(const TempDir& dir, const std::string& idle_csv,
                                          const std::string& pages_csv, const std::string& policy_lines,
                                          const Knobs& k = {}) {
  dir.write("idle.csv", idle_csv);
  dir.write("pages.csv", pages_csv);
  return sim::load_scenario(dir.write("scenario.yaml", policy_scenario_yaml(k, policy_lines)));
}

}  // namespace jettison::testing::policy_sim
