#include "sim/sweep/sweep_json.hpp"

namespace jettison::sim {

nlohmann::ordered_json make_sweep_json(const Scenario& base, const SweepInput& in,
                                       const std::vector<SweepPointResult>& points, unsigned threads,
                                       double wall_seconds, unsigned ranks) {
  nlohmann::ordered_json grid = nlohmann::ordered_json::array();
  for (const GridAxis& a : in.grid.axes) grid.push_back({{"key", a.key}, {"values", a.values}});
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (std::size_t p = 0; p < points.size(); ++p) {
    nlohmann::ordered_json values = nlohmann::ordered_json::object();
    const auto v = in.grid.values(p);
    for (std::size_t k = 0; k < in.grid.axes.size(); ++k) values[in.grid.axes[k].key] = v[k];
    nlohmann::ordered_json strategies = nlohmann::ordered_json::array();
    for (const auto& s : points[p].strategies) strategies.push_back(s.first);
    nlohmann::ordered_json point = {{"point", p}, {"folder", points[p].folder}, {"values", values}};
    if (in.grid.replicates > 0) {
      point["replicate"] = in.grid.replicate(p);
      point["seed"] = in.grid.seed(p);
    }
    point["strategies"] = strategies;
    point["wall_seconds"] = points[p].wall_seconds;
    list.push_back(std::move(point));
  }
  nlohmann::ordered_json json = {
      {"scenario", base.name}, {"source", base.source}, {"sets", in.sets}, {"grid", grid}};
  if (in.grid.replicates > 0) json["replicates"] = in.grid.replicates;
  json["points"] = std::move(list);
  json["threads"] = threads;
  if (ranks > 1) json["ranks"] = ranks;
  json["wall_seconds"] = wall_seconds;
  return json;
}

}  // namespace jettison::sim
