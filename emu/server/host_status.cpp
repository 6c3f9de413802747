#include "emu/server/host_status.hpp"

namespace jettison::emu {

nlohmann::json to_json(const HostStatus& s, std::int64_t now_unix_ms) {
  nlohmann::json j{{"side", "server"},
                   {"desktop", s.desktop},
                   {"phase", std::string(name_of(s.phase))},
                   {"periods_hosted", s.periods_hosted}};
  nlohmann::json vms = nlohmann::json::array();
  if (s.vm) {
    const HostedVmStatus& v = *s.vm;
    vms.push_back({{"desktop", s.desktop},
                   {"epoch", v.epoch},
                   {"phase", std::string(name_of(s.phase))},
                   {"faults", v.fetch.faults},
                   {"duplicate_faults", v.fetch.duplicate_faults},
                   {"wp_faults", v.fetch.wp_faults},
                   {"pages_fetched", v.fetch.pages_fetched()},
                   {"demand_pages", v.fetch.demand_pages},
                   {"prefetched_pages", v.fetch.prefetched_pages},
                   {"zero_pages", v.fetch.zero_pages},
                   {"bytes_fetched", v.fetch.bytes},
                   {"dirty_pending", v.dirty_pending},
                   {"desktop_asleep", v.desktop_asleep},
                   {"sleeps", v.sleeps},
                   {"wakeups", v.wakeups}});
  }
  j["vms"] = vms;
  if (s.last_wake_unix_ms)
    j["last_wake"] = {{"at_unix_ms", *s.last_wake_unix_ms},
                      {"ago_s", static_cast<double>(now_unix_ms - *s.last_wake_unix_ms) / 1000.0}};
  if (s.last_period)
    j["last_period"] = {{"epoch", s.last_period->epoch},
                        {"pages_fetched", s.last_period->demand_pages + s.last_period->prefetched_pages},
                        {"demand_pages", s.last_period->demand_pages},
                        {"prefetched_pages", s.last_period->prefetched_pages},
                        {"dirty_written_back", s.last_period->dirty_written_back},
                        {"ended_because", s.last_period->ended_because}};
  if (!s.error.empty()) j["failure"] = s.error;
  return j;
}

}  // namespace jettison::emu
