#include "bench/simgrid/sleep_only_figures.hpp"

#include <yaml-cpp/yaml.h>

#include <stdexcept>
#include <string>

#include "common/config/desktop_loader.hpp"
#include "common/config/embedded_files.hpp"
#include "common/units.hpp"

namespace jettison::bench {

SleepOnlyFigures default_sleep_only_figures() {
  const config::DesktopFigures& desktop = config::default_scenario_figures().desktop;
  const auto text = config::embedded_file("scenarios/default.yaml");
  if (!text) throw std::runtime_error("scenarios/default.yaml is not embedded in this binary");
  const YAML::Node root = YAML::Load(std::string(*text));
  const YAML::Node migrate_after = root["migration"]["migrate_after"];
  if (!migrate_after) throw std::runtime_error("scenarios/default.yaml: migration.migrate_after is missing");
  return {desktop.power, desktop.transitions.suspend, desktop.transitions.resume_full,
          parse_duration(migrate_after.as<std::string>())};
}

}  // namespace jettison::bench
