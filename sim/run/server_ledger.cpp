#include "sim/run/server_ledger.hpp"

#include <algorithm>
#include <cassert>

namespace jettison::sim {

ServerLedger::ServerLedger(const ServersSpec& spec) : spec_(spec) {
  assert(spec.power.model == ServerPowerSpec::Model::kPerVm);
  servers_.resize(spec.list.size());
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    servers_[i].f.id = spec.list[i].id;
    servers_[i].f.capacity = spec.list[i].memory;
  }
}

// As ServerPool::advance, with the peaks of the instant that ends at `since` folded in first.
void ServerLedger::advance(State& s, Time now) const {
  assert(now >= s.since);
  if (now == s.since) return;
  s.f.peak_memory = std::max(s.f.peak_memory, s.used);
  s.f.peak_vms = std::max(s.f.peak_vms, s.vms);
  const double dt_us = static_cast<double>((now - s.since).us());
  s.memory_integral += static_cast<double>(s.used.count()) * dt_us;
  s.vm_integral += static_cast<double>(s.vms) * dt_us;
  const Power draw = spec_.power.per_vm * static_cast<double>(s.vms);
  const double joules = (draw * (now - s.since)).joules();
  s.energy_j += joules;
  if (s.vms > 0) {
    s.attributed_j += joules;
    s.f.busy += now - s.since;
  }
  s.since = now;
}

void ServerLedger::change(Time at, const ServerDelta& d) {
  State& s = servers_.at(d.server);
  advance(s, at);
  assert(d.bytes >= 0 || s.used.count() >= static_cast<std::uint64_t>(-d.bytes));
  s.used = Bytes::of(static_cast<std::uint64_t>(static_cast<std::int64_t>(s.used.count()) + d.bytes));
  s.vms = static_cast<std::uint32_t>(static_cast<std::int64_t>(s.vms) + d.vms);
  s.f.admitted += d.admitted;
}

std::vector<ServerFigures> ServerLedger::figures(Time end) {
  std::vector<ServerFigures> out;
  for (State& s : servers_) {
    const Time until = max(end, s.since);
    advance(s, until);
    s.f.peak_memory = std::max(s.f.peak_memory, s.used);  // the last instant's
    s.f.peak_vms = std::max(s.f.peak_vms, s.vms);
    ServerFigures f = s.f;
    const double span = static_cast<double>(until.us());
    f.mean_memory_bytes = span > 0 ? s.memory_integral / span : 0;
    f.mean_vms = span > 0 ? s.vm_integral / span : 0;
    f.vm_seconds = s.vm_integral / 1e6;
    f.energy = Energy::joules(s.energy_j);
    f.attributed = Energy::joules(s.attributed_j);
    out.push_back(std::move(f));
  }
  return out;
}

Bytes ServerLedger::peak_memory() const {
  Bytes peak;
  for (const State& s : servers_) peak = std::max(peak, s.f.peak_memory);
  return peak;
}

}  // namespace jettison::sim
