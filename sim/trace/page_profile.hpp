// Page-access profiles as the simulator uses them (read by traces/io).
#pragma once

#include "traces/io/page_profile.hpp"

namespace jettison::sim {

using traces::PageAccess;
using traces::PageProfile;
using traces::ProfileAnchor;
using traces::read_page_profile;

}  // namespace jettison::sim
