#include "emu/agent/desktop_status.hpp"

namespace jettison::emu {

std::string_view vm_location(std::optional<VmState> state) {
  if (!state) return "no-vm";
  switch (*state) {
    case VmState::kNone:
      return "no-vm";
    case VmState::kRunningLocal:
      return "home";
    case VmState::kMigratingOut:
      return "migrating";
    case VmState::kRemote:
      return "server";
    case VmState::kReintegrating:
      return "returning";
    case VmState::kFailed:
      return "failed";
  }
  return "unknown";
}

nlohmann::json server_json(const ServerPeer& p, std::optional<VmState> vm_state, std::int64_t now_unix_ms) {
  auto ago = [&](std::int64_t t) { return static_cast<double>(now_unix_ms - t) / 1000.0; };
  nlohmann::json j{{"address", p.address},
                   {"identity", p.identity},
                   {"connected", p.open > 0},
                   {"connections", p.open},
                   {"first_seen_unix_ms", p.first_seen_unix_ms},
                   {"last_seen_unix_ms", p.last_seen_unix_ms},
                   {"last_seen_ago_s", ago(p.last_seen_unix_ms)}};
  if (p.connected_since_unix_ms) {
    j["connected_since_unix_ms"] = *p.connected_since_unix_ms;
    j["connected_for_s"] = ago(*p.connected_since_unix_ms);
  }
  // It holds the VM while the VM is away (a take-back ends that without the server).
  const bool away = vm_state && (*vm_state == VmState::kMigratingOut || *vm_state == VmState::kRemote ||
                                 *vm_state == VmState::kReintegrating);
  j["holds_vm"] = away && p.holds_vm_since_unix_ms.has_value();
  if (away && p.holds_vm_since_unix_ms) {
    j["holds_vm_since_unix_ms"] = *p.holds_vm_since_unix_ms;
    j["holds_vm_for_s"] = ago(*p.holds_vm_since_unix_ms);
  }
  return j;
}

nlohmann::json to_json(const DesktopStatus& d, std::int64_t now_unix_ms) {
  const DesktopAgentStats& s = d.stats;
  nlohmann::json j{{"side", "desktop"},
                   {"location", std::string(vm_location(d.vm_state))},
                   {"power_state", std::string(name_of(d.power))},
                   {"serving", d.serving},
                   {"pages_served", s.server.pages_served},
                   {"zero_pages_served", s.server.zero_pages_served},
                   {"pages_written_back", s.server.pages_written_back},
                   {"sleeps", s.sleeps},
                   {"wakeups", s.wakeups},
                   {"image", d.image}};
  nlohmann::json wb{{"generation", d.generation},
                    {"pages_written_back", s.server.pages_written_back},
                    {"in_progress", d.write_back_in_progress.has_value()}};
  if (d.write_back_in_progress) wb["journal_pages"] = *d.write_back_in_progress;
  j["write_back"] = wb;
  if (s.last_wake) {
    nlohmann::json w{{"cause", std::string(name_of(s.last_wake->cause))},
                     {"resume", std::string(name_of(s.last_wake->resume))},
                     {"asleep_s", s.last_wake->asleep.seconds_f()}};
    if (s.last_wake_unix_ms) {
      w["at_unix_ms"] = *s.last_wake_unix_ms;
      w["ago_s"] = static_cast<double>(now_unix_ms - *s.last_wake_unix_ms) / 1000.0;
    }
    j["last_wake"] = w;
  }
  if (s.server.peer) j["server"] = server_json(*s.server.peer, d.vm_state, now_unix_ms);
  if (d.vm.is_object()) j.update(d.vm);
  return j;
}

}  // namespace jettison::emu
