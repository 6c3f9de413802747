#include "sim/model/server_pool.hpp"

#include <algorithm>
#include <cassert>

namespace jettison::sim {

ServerPool::ServerPool(const ServersSpec& spec) : spec_(spec) {
  assert(!spec.list.empty());
  servers_.reserve(spec.list.size());
  for (const ServerSpec& s : spec.list) servers_.emplace_back(s.id, s.memory);
  attributed_per_vm_j_.assign(servers_.size(), 0.0);
  draw_.assign(servers_.size(), draw(0));
}

Power ServerPool::draw(std::uint32_t vms) const {
  const ServerPowerSpec& p = spec_.power;
  if (p.model == ServerPowerSpec::Model::kPerVm) return p.per_vm * static_cast<double>(vms);
  return p.curve.at(std::min(1.0, p.vm_load * static_cast<double>(vms)));
}

void ServerPool::advance(std::uint32_t server, Time now) {
  ServerAccount& s = servers_[server];
  const bool stretch = now > s.since();
  const double joules = s.advance(now, draw_[server]);
  if (stretch && s.vms() > 0) attributed_per_vm_j_[server] += joules / static_cast<double>(s.vms());
}

std::optional<std::uint32_t> ServerPool::admit(Bytes footprint, Time now) {
  std::optional<std::uint32_t> pick;
  for (std::uint32_t i = 0; i < servers_.size(); ++i) {
    const ServerAccount& s = servers_[i];
    if (s.used() + footprint > s.capacity()) continue;
    if (spec_.placement == Placement::kFirstFit) {
      pick = i;
      break;
    }
    if (!pick || s.used() < servers_[*pick].used()) pick = i;
  }
  if (!pick) {
    ++refusals_;
    return std::nullopt;
  }
  servers_[*pick].count_admitted(1);
  grow(*pick, footprint, now);
  return pick;
}

void ServerPool::grow(std::uint32_t server, Bytes b, Time now) {
  ServerAccount& s = servers_[server];
  advance(server, now);
  const bool was_over = s.used() > s.capacity();
  s.change(static_cast<std::int64_t>(b.count()), 0);
  if (s.used() > s.capacity() && !was_over) s.count_overcommitted();
  s.note_peaks();
}

void ServerPool::release(std::uint32_t server, Bytes b, Time now) {
  advance(server, now);
  servers_[server].change(-static_cast<std::int64_t>(b.count()), 0);
}

double ServerPool::start_hosting(std::uint32_t server, Time now) {
  advance(server, now);
  servers_[server].change(0, 1);
  draw_[server] = draw(servers_[server].vms());
  servers_[server].note_peaks();
  return attributed_per_vm_j_[server];
}

Energy ServerPool::stop_hosting(std::uint32_t server, double mark, Time since, Time now) {
  advance(server, now);
  servers_[server].change(0, -1);
  draw_[server] = draw(servers_[server].vms());
  if (spec_.power.model == ServerPowerSpec::Model::kPerVm) return spec_.power.per_vm * (now - since);
  return Energy::joules(attributed_per_vm_j_[server] - mark);
}

std::vector<ServerFigures> ServerPool::figures(Time end) {
  std::vector<ServerFigures> out;
  out.reserve(servers_.size());
  for (std::uint32_t i = 0; i < servers_.size(); ++i) {
    advance(i, max(end, servers_[i].since()));
    out.push_back(servers_[i].figures());
  }
  return out;
}

}  // namespace jettison::sim
