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
  if (d.vm.is_object()) j.update(d.vm);
  return j;
}

}  // namespace jettison::emu
