// Files compiled into the binary (scenarios/default.yaml and the sample traces it names).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace jettison::sim {

// The bytes of an embedded file by its project-relative name ("scenarios/default.yaml").
std::optional<std::string_view> embedded_file(std::string_view name);
std::vector<std::string_view> embedded_file_names();

}  // namespace jettison::sim
