#include "sim/run/server_ledger.hpp"

#include <cassert>

namespace jettison::sim {

ServerLedger::ServerLedger(const ServersSpec& spec) : spec_(spec) {
  assert(spec.power.model == ServerPowerSpec::Model::kPerVm);
  servers_.reserve(spec.list.size());
  for (const ServerSpec& s : spec.list) servers_.emplace_back(s.id, s.memory);
}

// The peaks of the instant that ends at since() folded in first, then ServerAccount::advance.
void ServerLedger::advance(ServerAccount& s, Time now) const {
  assert(now >= s.since());
  if (now == s.since()) return;
  s.note_peaks();
  s.advance(now, spec_.power.per_vm * static_cast<double>(s.vms()));
}

void ServerLedger::change(Time at, const ServerDelta& d) {
  ServerAccount& s = servers_.at(d.server);
  advance(s, at);
  s.change(d.bytes, d.vms);
  s.count_admitted(d.admitted);
}

std::vector<ServerFigures> ServerLedger::figures(Time end) {
  std::vector<ServerFigures> out;
  out.reserve(servers_.size());
  for (ServerAccount& s : servers_) {
    advance(s, max(end, s.since()));
    s.note_peaks();  // the last instant's
    out.push_back(s.figures());
  }
  return out;
}

}  // namespace jettison::sim
