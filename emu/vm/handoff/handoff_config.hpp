// The hand-off library's configuration, read once from the environment when the library is loaded:
//   JETTISON_HANDOFF_RAM     colon-separated RAM backing file paths to take over; they become the
//                            message's regions in this order. Unset or empty: the library does nothing.
//   JETTISON_HANDOFF_SOCKET  path of the UNIX socket the library listens on (required with _RAM).
//   JETTISON_HANDOFF_WP      1 (default): register MISSING|WP (dirty tracking); 0: MISSING only.
//   JETTISON_HANDOFF_LOG     optional file for the library's diagnostics.
// Stored in fixed static arrays: nothing is allocated.
#pragma once

#include <linux/limits.h>
#include <sys/un.h>

#include <cstdint>

#include "emu/fetch/uffd_handoff_format.hpp"

namespace jettison::emu::handoff {

struct Config {
  bool enabled = false;  // JETTISON_HANDOFF_RAM lists at least one path
  bool write_protect = true;
  char socket_path[sizeof(sockaddr_un{}.sun_path)] = {};
  std::uint32_t count = 0;
  char paths[handoff_format::kMaxRegions][PATH_MAX] = {};
};

// Reads the environment into config(). Returns false (after an alert naming the variable) when the
// variables are set but unusable.
bool load_config();
const Config& config();

// The part of `path` after its last '/'.
const char* base_name(const char* path);

}  // namespace jettison::emu::handoff
