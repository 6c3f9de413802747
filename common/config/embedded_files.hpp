// Files compiled into the binaries (scenarios/default.yaml and the sample traces it names), so the
// simulator runs its default scenario from any folder and the emulator knows the default desktop.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace jettison::config {

// The bytes of an embedded file by its project-relative name ("scenarios/default.yaml").
std::optional<std::string_view> embedded_file(std::string_view name);
std::vector<std::string_view> embedded_file_names();

}  // namespace jettison::config
