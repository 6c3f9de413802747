#include "sim/sweep/sweep_input.hpp"

#include <fmt/format.h>

#include "common/input_error.hpp"
#include "sim/output/output_estimate.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/sweep/parallel_for.hpp"

namespace jettison::sim {
namespace {

constexpr std::string_view kSetPrefix = "--set ";

// "--set desktops.list[0].profile" or "--set key=value" -> "desktops.list.0.profile" / "key".
std::string origin_path(const std::string& origin) {
  std::string path = origin.substr(kSetPrefix.size());
  path = path.substr(0, path.find('='));
  std::string out;
  for (char c : path) {
    if (c == '[')
      out += '.';
    else if (c != ']')
      out += c;
  }
  return out;
}

bool under(const std::string& path, const std::string& prefix) {
  return path == prefix || (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
                            path[prefix.size()] == '.');
}

// The loader names an overridden value "--set <its path>"; when that path lies under a grid key,
// the grid set it: say so. Otherwise the point's combination of values is at fault: name it.
InputError point_error(const Grid& grid, std::size_t point, const InputError& e) {
  const std::string& origin = e.origin();
  const std::string message = std::string(e.what()).substr(origin.empty() ? 0 : origin.size() + 2);
  if (origin.rfind(kSetPrefix, 0) == 0) {
    const std::string path = origin_path(origin);
    for (const GridAxis& a : grid.axes) {
      if (under(path, a.key))
        return InputError(fmt::format("--grid {}", origin.substr(kSetPrefix.size())), message);
    }
  }
  return InputError(fmt::format("--grid point {} ({})", point, describe_point(grid, point)), e.what());
}

}  // namespace

std::string describe_point(const Grid& grid, std::size_t point) {
  return fmt::format("{}", fmt::join(grid.overrides(point), ", "));
}

Scenario load_point(const SweepInput& in, std::size_t point) {
  std::vector<std::string> overrides = in.sets;
  for (std::string& o : in.grid.overrides(point)) overrides.push_back(std::move(o));
  try {
    return load_scenario(in.scenario, overrides);
  } catch (const InputError& e) {
    throw point_error(in.grid, point, e);
  }
}

Scenario check_sweep(const SweepInput& in, unsigned threads, const std::function<void()>& checked) {
  Scenario base = load_scenario(in.scenario, in.sets);
  parallel_for(in.grid.size(), threads, [&](std::size_t point) {
    const Scenario s = load_point(in, point);
    try {
      check_output_budget(s);  // each point is a run: refused before any point starts
    } catch (const InputError& e) {
      throw point_error(in.grid, point, e);
    }
    if (checked) checked();
  });
  return base;
}

}  // namespace jettison::sim
