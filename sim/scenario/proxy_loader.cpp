#include "sim/scenario/proxy_loader.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <string>

namespace jettison::sim {
namespace {

// The most wake-ups per hour a scenario may ask for: one a second.
constexpr double kMaxPerHour = 3600.0;

// A rate with its unit: "2/h", "0.5/min", "0.01/s".
double per_hour(const YamlNode& n) {
  const std::string text = n.text();
  const auto slash = text.find('/');
  const std::string hint = "a number of wake-ups per hour, minute or second, like 2/h, 0.1/min or 0.001/s";
  if (slash == std::string::npos) n.fail(fmt::format("'{}' has no unit: give {}", text, hint));
  const std::string number = text.substr(0, slash);
  std::string unit = text.substr(slash + 1);
  while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
  char* end = nullptr;
  const double v = std::strtod(number.c_str(), &end);
  if (number.empty() || end == number.c_str() ||
      std::string(end).find_first_not_of(' ') != std::string::npos || !std::isfinite(v)) {
    n.fail(fmt::format("'{}' is not a rate: give {}", text, hint));
  }
  double scale = 0;
  if (unit == "h" || unit == "hour") {
    scale = 1;
  } else if (unit == "min") {
    scale = 60;
  } else if (unit == "s") {
    scale = 3600;
  } else {
    n.fail(fmt::format("'{}' has an unknown unit '/{}': give {}", text, unit, hint));
  }
  const double rate = v * scale;
  if (rate < 0) n.fail(fmt::format("'{}' must not be negative", text));
  if (rate > kMaxPerHour) n.fail(fmt::format("'{}' is more than one wake-up a second (3600/h)", text));
  return rate;
}

ProxyArrivals arrivals(const YamlNode& n) {
  const std::string v = n.text();
  if (v == "poisson") return ProxyArrivals::kPoisson;
  if (v == "periodic") return ProxyArrivals::kPeriodic;
  n.fail(fmt::format("'{}' is not one of: poisson, periodic", v));
}

}  // namespace

void read_proxy(const std::optional<YamlNode>& node, Scenario& s) {
  s.proxy = ProxySpec{};
  if (!node) return;
  node->expect_keys({"power", "wake_rate", "awake", "arrivals"});
  node->attempt([&] {
    if (auto v = node->find("power")) {
      s.proxy.power = v->power();
      if (s.proxy.power.watts() < 0) v->fail("must not be negative");
    }
  });
  node->attempt([&] {
    if (auto v = node->find("wake_rate")) s.proxy.wakes_per_hour = per_hour(*v);
  });
  node->attempt([&] {
    if (auto v = node->find("awake")) {
      s.proxy.awake = v->duration();
      if (s.proxy.awake.us() < 0) v->fail("must not be negative");
    }
  });
  node->attempt([&] {
    if (auto v = node->find("arrivals")) s.proxy.arrivals = arrivals(*v);
  });
}

}  // namespace jettison::sim
