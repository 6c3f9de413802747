// Folder names of a sweep's points: "points/007-policy.sleep.timeout=30s,desktops.count=3". The
// zero-padded index makes names unique and sort in point order; the key=value pairs keep them
// readable. Characters that are unsafe or awkward in file names become '_', commas inside a value
// '+' (so ',' only separates pairs), brackets and quotes are dropped, and long names are cut.
#pragma once

#include <cstddef>
#include <string>

#include "sim/sweep/grid.hpp"

namespace jettison::sim {

inline constexpr std::size_t kMaxFolderName = 120;

// The safe form of one value or key.
std::string folder_safe(const std::string& text);

// The folder name of `point` (without the "points/" parent).
std::string point_folder(const Grid& grid, std::size_t point);

}  // namespace jettison::sim
