// The consolidation server's answer to `status` (jettison-server --control, jettison-ctl status):
// the session's phase and, for the VM it hosts, the pages fetched, faults, dirty pages waiting for the
// write-back and the desktop's power, from a snapshot (HostSession::status()) so the JSON is testable
// with fixed inputs. Its schema is in emu/PROTOCOL.md ("Status").
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "emu/fetch/fetcher.hpp"
#include "emu/server/session_phase.hpp"

namespace jettison::emu {

// The VM hosted now (from migrating-in to the end of reintegrating).
struct HostedVmStatus {
  std::uint64_t epoch = 0;
  FetchStats fetch;                 // this period's, so far (zero before the fetcher starts)
  std::uint64_t dirty_pending = 0;  // dirty pages not yet written back to the desktop
  bool desktop_asleep = false;      // we put the desktop to sleep and have not reached it since
  std::uint64_t sleeps = 0;         // this period's acknowledged sleeps
  std::uint64_t wakeups = 0;        // this period's Wake-on-LAN wake-ups
};

// The last period hosted to its end.
struct HostedPeriodStatus {
  std::uint64_t epoch = 0;
  std::uint64_t demand_pages = 0, prefetched_pages = 0;
  std::uint64_t dirty_written_back = 0;
  std::string ended_because;
};

struct HostStatus {
  std::string desktop;  // the desktop agent (HOST:PORT)
  SessionPhase phase = SessionPhase::kWaitingForVm;
  std::uint64_t periods_hosted = 0;  // hosted to their end
  std::optional<HostedVmStatus> vm;
  std::optional<std::int64_t> last_wake_unix_ms;  // the desktop last reached again after our sleep
  std::optional<HostedPeriodStatus> last_period;
  std::string error;  // why the session failed
};

// The answer's fields (without "ok"); `now_unix_ms` dates the last wake-up ("ago_s").
nlohmann::json to_json(const HostStatus& status, std::int64_t now_unix_ms);

}  // namespace jettison::emu
