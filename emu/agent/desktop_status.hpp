// The desktop agent's answer to `status` (control socket, jettison-ctl status), built from a snapshot
// so the JSON is testable with fixed inputs. Its schema is in emu/PROTOCOL.md ("Status").
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "emu/agent/desktop_agent.hpp"
#include "emu/wire/vm_status.hpp"

namespace jettison::emu {

// Where the desktop's VM is, in the status' words: home (runs here), migrating (device state going
// out), server (runs on the consolidation server), returning (the server is sending it back), failed;
// no-vm for an agent that serves a plain image.
std::string_view vm_location(std::optional<VmState> state);

struct DesktopStatus {
  PowerState power = PowerState::kIdle;
  bool serving = false;
  DesktopAgentStats stats;
  std::string image;
  std::uint64_t generation = 0;                         // the image's write-back generation
  std::optional<std::uint64_t> write_back_in_progress;  // pages journalled by an open write-back
  std::optional<VmState> vm_state;                      // none: no VM
  nlohmann::json vm;                                    // VmController::status_json(), or null
};

// The status' "server" object: the consolidation server of record (its address, TLS identity, whether
// and since when it is connected, whether and since when it holds the VM); `vm_state` as above.
nlohmann::json server_json(const ServerPeer& peer, std::optional<VmState> vm_state, std::int64_t now_unix_ms);

// The answer's fields (without "ok"); `now_unix_ms` dates the last wake-up ("ago_s").
nlohmann::json to_json(const DesktopStatus& status, std::int64_t now_unix_ms);

}  // namespace jettison::emu
