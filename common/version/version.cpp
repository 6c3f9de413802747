#include "common/version/version.hpp"

#include <fmt/format.h>

#include "common/version/build_revision.hpp"

namespace jettison {

std::string_view project_version() { return JETTISON_PROJECT_VERSION; }

std::string_view build_revision() { return kBuildRevision; }

std::string version_line(std::string_view program) {
  return fmt::format("{} {} ({})", program, project_version(), build_revision());
}

}  // namespace jettison
