#include "sim/sweep/grid.hpp"

#include <fmt/format.h>

#include "common/input_error.hpp"

namespace jettison::sim {
namespace {

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::string key_of(const std::string& assignment) { return trim(assignment.substr(0, assignment.find('='))); }

}  // namespace

std::size_t Grid::size() const {
  std::size_t n = 1;
  for (const GridAxis& a : axes) n *= a.values.size();
  return replicates > 0 ? n * replicates : n;
}

std::vector<std::size_t> Grid::coordinates(std::size_t point) const {
  point = combination(point);
  std::vector<std::size_t> c(axes.size());
  for (std::size_t k = axes.size(); k-- > 0;) {
    c[k] = point % axes[k].values.size();
    point /= axes[k].values.size();
  }
  return c;
}

std::vector<std::string> Grid::values(std::size_t point) const {
  const auto c = coordinates(point);
  std::vector<std::string> v;
  for (std::size_t k = 0; k < axes.size(); ++k) v.push_back(axes[k].values[c[k]]);
  return v;
}

std::vector<std::string> Grid::overrides(std::size_t point) const {
  const auto v = values(point);
  std::vector<std::string> o;
  for (std::size_t k = 0; k < axes.size(); ++k) o.push_back(axes[k].key + "=" + v[k]);
  if (replicates > 0) o.push_back(fmt::format("seed={}", seed(point)));
  return o;
}

std::vector<std::string> split_grid_values(const std::string& list, const std::string& origin) {
  std::vector<std::string> values;
  std::string closers;  // the brackets still open, innermost last
  char quote = 0;
  std::size_t start = 0;
  auto take = [&](std::size_t end) {
    std::string v = trim(list.substr(start, end - start));
    if (v.empty()) throw InputError(origin, fmt::format("value {} is empty", values.size() + 1));
    values.push_back(std::move(v));
    start = end + 1;
  };
  for (std::size_t i = 0; i < list.size(); ++i) {
    const char c = list[i];
    if (quote) {
      if (c == '\\' && quote == '"')
        ++i;  // an escaped character; '' in single quotes closes and reopens
      else if (c == quote)
        quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '[' || c == '{') {
      closers.push_back(c == '[' ? ']' : '}');
    } else if (c == ']' || c == '}') {
      if (closers.empty() || closers.back() != c) {
        throw InputError(origin, fmt::format("unbalanced '{}' at character {} of '{}'", c, i + 1, list));
      }
      closers.pop_back();
    } else if (c == ',' && closers.empty()) {
      take(i);
    }
  }
  if (quote) throw InputError(origin, fmt::format("unclosed {} quote in '{}'", quote, list));
  if (!closers.empty())
    throw InputError(origin, fmt::format("'{}' lacks a closing '{}'", list, closers.back()));
  take(list.size());
  return values;
}

GridAxis parse_grid_axis(const std::string& flag) {
  const std::string origin = fmt::format("--grid {}", flag);
  const std::size_t eq = flag.find('=');
  if (eq == std::string::npos || trim(flag.substr(0, eq)).empty()) {
    throw InputError(origin, "expected key.path=value1,value2,...");
  }
  GridAxis axis{trim(flag.substr(0, eq)), {}};
  const std::string list = flag.substr(eq + 1);
  if (trim(list).empty()) throw InputError(fmt::format("--grid {}", axis.key), "no values after '='");
  axis.values = split_grid_values(list, fmt::format("--grid {}", axis.key));
  return axis;
}

Grid parse_grid(const std::vector<std::string>& flags, const std::vector<std::string>& sets) {
  Grid grid;
  std::size_t points = 1;
  for (const std::string& flag : flags) {
    GridAxis axis = parse_grid_axis(flag);
    const std::string origin = fmt::format("--grid {}", axis.key);
    for (const GridAxis& a : grid.axes) {
      if (a.key == axis.key)
        throw InputError(origin, "the key is given twice; list all its values in one --grid");
    }
    for (const std::string& s : sets) {
      if (key_of(s) == axis.key) {
        throw InputError(origin, fmt::format("the key is also fixed by --set {}; drop one of them", s));
      }
    }
    if (axis.values.size() > kMaxGridPoints / points) {
      throw InputError(origin,
                       fmt::format("the grid has more than {} points ({} so far, times {} values here)",
                                   kMaxGridPoints, points, axis.values.size()));
    }
    points *= axis.values.size();
    grid.axes.push_back(std::move(axis));
  }
  return grid;
}

void set_replicates(Grid& grid, const std::string& flag) {
  const std::string origin = "--replicates";
  const std::string text = trim(flag);
  if (text.empty()) throw InputError(origin, "expected a whole number of replicates, at least 1");
  if (text.find_first_not_of("0123456789") != std::string::npos) {
    throw InputError(origin,
                     fmt::format("'{}' is not a whole number of replicates (1 to {})", text, kMaxReplicates));
  }
  const std::size_t digits = text.find_first_not_of('0');
  const std::size_t k =
      digits == std::string::npos ? 0 : (text.size() - digits > 4 ? kMaxReplicates + 1 : std::stoul(text));
  if (k == 0) throw InputError(origin, "must be at least 1");
  if (k > kMaxReplicates) throw InputError(origin, fmt::format("{} is more than {}", text, kMaxReplicates));
  for (const GridAxis& a : grid.axes) {
    if (a.key == "seed") {
      throw InputError(origin,
                       "cannot go with --grid seed=...: the replicates draw the seeds (the scenario's seed, "
                       "then the next ones); set the first with --set seed=N");
    }
  }
  Grid combinations = grid;
  combinations.replicates = 0;
  if (k > kMaxGridPoints / combinations.size()) {
    throw InputError(origin, fmt::format("{} replicates of {} points are more than {} points", k,
                                         combinations.size(), kMaxGridPoints));
  }
  grid.replicates = k;
}

}  // namespace jettison::sim
