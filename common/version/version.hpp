// The version every executable prints for --version: the project's version (CMake's project(VERSION))
// and the git revision the binary was built from (common/version/revision.cmake, refreshed at each
// build), so a result can be traced back to the code that made it.
#pragma once

#include <string>
#include <string_view>

namespace jettison {

// "0.1.0"
std::string_view project_version();
// `git describe --always` of the checkout, "-dirty" appended when tracked files differ from it;
// "no git revision" when built outside a git checkout (or JETTISON_REVISION given at configure time).
std::string_view build_revision();
// "jettison-sim 0.1.0 (f4d7071ab2c3)": what `<program> --version` prints.
std::string version_line(std::string_view program);

}  // namespace jettison
