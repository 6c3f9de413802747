// Files compiled into the binary: common/config/embedded_files.hpp, seen from the simulator.
#pragma once

#include "common/config/embedded_files.hpp"

namespace jettison::sim {

using config::embedded_file;
using config::embedded_file_names;

}  // namespace jettison::sim
