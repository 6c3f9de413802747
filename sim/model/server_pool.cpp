#include "sim/model/server_pool.hpp"

#include <algorithm>
#include <cassert>

namespace jettison::sim {

ServerPool::ServerPool(const ServersSpec& spec) : spec_(spec) {
  assert(!spec.list.empty());
  servers_.resize(spec.list.size());
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    servers_[i].capacity = spec.list[i].memory;
    servers_[i].f.id = spec.list[i].id;
    servers_[i].f.capacity = spec.list[i].memory;
  }
}

Power ServerPool::draw(const State& s) const {
  const ServerPowerSpec& p = spec_.power;
  if (p.model == ServerPowerSpec::Model::kPerVm) return p.per_vm * static_cast<double>(s.vms);
  return p.curve.at(std::min(1.0, p.vm_load * static_cast<double>(s.vms)));
}

void ServerPool::advance(State& s, Time now) const {
  assert(now >= s.since);
  const double dt_us = static_cast<double>((now - s.since).us());
  if (dt_us > 0) {
    s.memory_integral += static_cast<double>(s.used.count()) * dt_us;
    s.vm_integral += static_cast<double>(s.vms) * dt_us;
    const double joules = (draw(s) * (now - s.since)).joules();
    s.energy_j += joules;
    if (s.vms > 0) {
      s.attributed_j += joules;
      s.attributed_per_vm_j += joules / static_cast<double>(s.vms);
      s.f.busy += now - s.since;
    }
  }
  s.since = now;
}

std::optional<std::uint32_t> ServerPool::admit(Bytes footprint, Time now) {
  std::optional<std::uint32_t> pick;
  for (std::uint32_t i = 0; i < servers_.size(); ++i) {
    const State& s = servers_[i];
    if (s.used + footprint > s.capacity) continue;
    if (spec_.placement == Placement::kFirstFit) {
      pick = i;
      break;
    }
    if (!pick || s.used < servers_[*pick].used) pick = i;
  }
  if (!pick) {
    ++refusals_;
    return std::nullopt;
  }
  ++servers_[*pick].f.admitted;
  grow(*pick, footprint, now);
  return pick;
}

void ServerPool::grow(std::uint32_t server, Bytes b, Time now) {
  State& s = servers_[server];
  advance(s, now);
  const bool was_over = s.used > s.capacity;
  s.used += b;
  if (s.used > s.capacity && !was_over) ++s.f.overcommitted;
  s.f.peak_memory = std::max(s.f.peak_memory, s.used);
}

void ServerPool::release(std::uint32_t server, Bytes b, Time now) {
  State& s = servers_[server];
  advance(s, now);
  assert(s.used >= b);
  s.used -= b;
}

double ServerPool::start_hosting(std::uint32_t server, Time now) {
  State& s = servers_[server];
  advance(s, now);
  ++s.vms;
  s.f.peak_vms = std::max(s.f.peak_vms, s.vms);
  return s.attributed_per_vm_j;
}

Energy ServerPool::stop_hosting(std::uint32_t server, double mark, Time since, Time now) {
  State& s = servers_[server];
  advance(s, now);
  assert(s.vms > 0);
  --s.vms;
  if (spec_.power.model == ServerPowerSpec::Model::kPerVm) return spec_.power.per_vm * (now - since);
  return Energy::joules(s.attributed_per_vm_j - mark);
}

std::vector<ServerFigures> ServerPool::figures(Time end) {
  std::vector<ServerFigures> out;
  for (State& s : servers_) {
    advance(s, max(end, s.since));
    ServerFigures f = s.f;
    const double span = static_cast<double>(max(end, s.since).us());
    f.mean_memory_bytes = span > 0 ? s.memory_integral / span : 0;
    f.mean_vms = span > 0 ? s.vm_integral / span : 0;
    f.vm_seconds = s.vm_integral / 1e6;
    f.energy = Energy::joules(s.energy_j);
    f.attributed = Energy::joules(s.attributed_j);
    out.push_back(std::move(f));
  }
  return out;
}

Bytes ServerPool::peak_memory() const {
  Bytes peak;
  for (const State& s : servers_) peak = std::max(peak, s.f.peak_memory);
  return peak;
}

}  // namespace jettison::sim
