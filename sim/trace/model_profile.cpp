#include "sim/trace/model_profile.hpp"

#include <unordered_map>

#include "common/config/yaml_checks.hpp"
#include "common/rng.hpp"
#include "sim/trace/input_file.hpp"
#include "traces/gen/page_model_generator.hpp"

namespace jettison::sim {

PageModel read_page_model_file(const std::string& path, const std::string& origin) {
  auto in = open_input(path, origin);
  return traces::parse_page_model(config::read_config_text(*in, path), path);
}

std::uint64_t model_profile_seed(std::uint64_t scenario_seed, const std::string& profile_name) {
  RandomStream rng(scenario_seed, "page-model:" + profile_name);
  return rng();
}

PageProfile draw_model_profile(const PageModel& model, std::uint64_t seed, std::int64_t length_us,
                               const std::string& source, std::uint64_t line) {
  const traces::ModelTrace drawn = traces::generate_from_model(model, model.vm_pages(), seed, length_us);
  PageProfile p;
  p.source = source;
  p.cycle = Duration::micros(length_us);
  p.accesses.reserve(drawn.events.size());
  p.gfns.reserve(drawn.unique_pages);
  for (const traces::PageEvent& e : drawn.events) {
    auto [it, added] = p.slot_of.try_emplace(e.page, static_cast<std::uint32_t>(p.gfns.size()));
    if (added) {
      p.gfns.push_back(e.page);
      p.lines.push_back(line);
      if (e.page > p.max_gfn) p.max_gfn = e.page;
    }
    p.accesses.push_back({e.time_us, it->second, e.write});
  }
  return p;
}

}  // namespace jettison::sim
