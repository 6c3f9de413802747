// The hand-off library's configuration from the environment (see handoff_config.hpp).
#include "emu/vm/handoff/handoff_config.hpp"

#include <cstdlib>
#include <cstring>

#include "emu/vm/handoff/handoff_log.hpp"

namespace jettison::emu::handoff {
namespace {

Config g_config;

bool copy_bounded(char* out, std::size_t size, const char* in, std::size_t length) {
  if (length + 1 > size) return false;
  std::memcpy(out, in, length);
  out[length] = '\0';
  return true;
}

}  // namespace

const Config& config() { return g_config; }

const char* base_name(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash == nullptr ? path : slash + 1;
}

bool load_config() {
  const char* ram = std::getenv("JETTISON_HANDOFF_RAM");
  if (ram == nullptr || *ram == '\0') return true;  // not asked for: stay out of the way
  open_log(std::getenv("JETTISON_HANDOFF_LOG"));

  const char* socket = std::getenv("JETTISON_HANDOFF_SOCKET");
  if (socket == nullptr || *socket == '\0') {
    log_alert("JETTISON_HANDOFF_RAM is set but JETTISON_HANDOFF_SOCKET is not");
    return false;
  }
  if (!copy_bounded(g_config.socket_path, sizeof g_config.socket_path, socket, std::strlen(socket))) {
    log_alert("JETTISON_HANDOFF_SOCKET: '%s' is longer than a UNIX socket path may be (%zu bytes)", socket,
              sizeof g_config.socket_path - 1);
    return false;
  }

  const char* wp = std::getenv("JETTISON_HANDOFF_WP");
  if (wp == nullptr || std::strcmp(wp, "1") == 0) {
    g_config.write_protect = true;
  } else if (std::strcmp(wp, "0") == 0) {
    g_config.write_protect = false;
  } else {
    log_alert("JETTISON_HANDOFF_WP: '%s' is neither 1 (MISSING|WP) nor 0 (MISSING only)", wp);
    return false;
  }

  for (const char* at = ram;;) {
    const char* colon = std::strchr(at, ':');
    const std::size_t length = colon == nullptr ? std::strlen(at) : static_cast<std::size_t>(colon - at);
    if (length == 0) {
      log_alert("JETTISON_HANDOFF_RAM: empty path in '%s'", ram);
      return false;
    }
    if (g_config.count == handoff_format::kMaxRegions) {
      log_alert("JETTISON_HANDOFF_RAM: more than %u RAM files", handoff_format::kMaxRegions);
      return false;
    }
    if (!copy_bounded(g_config.paths[g_config.count], PATH_MAX, at, length)) {
      log_alert("JETTISON_HANDOFF_RAM: a path longer than %d bytes", PATH_MAX - 1);
      return false;
    }
    ++g_config.count;
    if (colon == nullptr) break;
    at = colon + 1;
  }
  g_config.enabled = true;
  log_line("taking over %u RAM file(s), socket %s, %s", g_config.count, g_config.socket_path,
           g_config.write_protect ? "MISSING|WP" : "MISSING only");
  for (std::uint32_t i = 0; i < g_config.count; ++i) log_line("  region %u: %s", i, g_config.paths[i]);
  return true;
}

}  // namespace jettison::emu::handoff
