#include "sim/scenario/output_loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "common/units.hpp"

namespace jettison::sim {
namespace {

double number(const YamlNode& n) {
  const std::string text = n.text();
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') n.fail(fmt::format("'{}' is not a number", text));
  return v;
}

}  // namespace

void read_about(const YamlNode& node, Scenario& s, bool strategies_known) {
  node.expect_keys({"title", "description", "published"});
  node.attempt([&] {
    if (auto v = node.find("title")) s.about.title = v->text();
  });
  node.attempt([&] {
    if (auto v = node.find("description")) s.about.description = v->text();
  });
  node.attempt([&] {
    auto list = node.find("published");
    if (!list) return;
    for (const YamlNode& p : list->items()) {
      p.attempt([&] {
        p.expect_keys({"metric", "strategy", "low", "high", "unit", "source"});
        PublishedRange r;
        r.metric = p.at("metric").text();
        r.strategy = p.at("strategy").text();
        if (strategies_known &&
            std::find(s.strategies.begin(), s.strategies.end(), r.strategy) == s.strategies.end()) {
          p.at("strategy").fail(fmt::format("'{}' is not one of this scenario's strategies", r.strategy));
        }
        r.low = number(p.at("low"));
        r.high = number(p.at("high"));
        if (r.high < r.low) p.at("high").fail("must not be below low");
        if (auto u = p.find("unit")) r.unit = u->text();
        r.source = p.at("source").text();
        s.about.published.push_back(std::move(r));
      });
    }
  });
}

void check_output_keys(const YamlNode& node) { node.expect_keys({"timeline", "periods", "budget"}); }

namespace {

PeriodsOutput periods_output(const YamlNode& n) {
  const std::string v = n.text();
  if (v == "csv") return PeriodsOutput::kCsv;
  if (v == "csv.zst") return PeriodsOutput::kCsvZst;
  if (v == "none") return PeriodsOutput::kNone;
  n.fail(fmt::format("'{}' is not one of: csv, csv.zst, none", v));
}

}  // namespace

void read_output(const std::optional<YamlNode>& node, Scenario& s) {
  s.output = OutputSpec{};
  s.output.budget = kDefaultOutputBudget;
  s.output.budget_origin =
      fmt::format("{}: output.budget (default {})", s.source, format_bytes(kDefaultOutputBudget));
  std::optional<YamlNode> timeline;
  if (node) {
    check_output_keys(*node);
    timeline = node->find("timeline");
    node->attempt([&] {
      if (auto v = node->find("periods")) s.output.periods = periods_output(*v);
    });
    node->attempt([&] {
      auto v = node->find("budget");
      if (!v) return;
      s.output.budget_origin = v->origin();
      if (v->text() == "none")
        s.output.budget.reset();
      else
        s.output.budget = v->bytes();
    });
  }
  if (!timeline) {
    for (std::uint32_t i = 0; i < std::min<std::size_t>(2, s.desktops.size()); ++i)
      s.timeline_desktops.push_back(i);
    return;
  }
  for (const YamlNode& id : timeline->items()) {
    const std::string name = id.text();
    const auto it = std::find_if(s.desktops.begin(), s.desktops.end(),
                                 [&](const DesktopSpec& d) { return d.id == name; });
    if (it == s.desktops.end()) id.fail(fmt::format("desktop '{}' is not simulated in this scenario", name));
    s.timeline_desktops.push_back(static_cast<std::uint32_t>(it - s.desktops.begin()));
  }
}

}  // namespace jettison::sim
