#include "sim/model/server_account.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

namespace jettison::sim {

ServerAccount::ServerAccount(std::string id, Bytes capacity) {
  f_.id = std::move(id);
  f_.capacity = capacity;
}

double ServerAccount::advance(Time now, Power draw) {
  assert(now >= since_);
  const Duration dt = now - since_;
  since_ = now;
  if (dt.us() <= 0) return 0;
  const double dt_us = static_cast<double>(dt.us());
  memory_integral_ += static_cast<double>(used_.count()) * dt_us;
  vm_integral_ += static_cast<double>(vms_) * dt_us;
  const double joules = (draw * dt).joules();
  energy_j_ += joules;
  if (vms_ > 0) {
    attributed_j_ += joules;
    f_.busy += dt;
  }
  return joules;
}

void ServerAccount::change(std::int64_t bytes, std::int64_t vms) {
  assert(bytes >= 0 || used_.count() >= static_cast<std::uint64_t>(-bytes));
  assert(vms >= 0 || vms_ >= static_cast<std::uint64_t>(-vms));
  used_ = Bytes::of(static_cast<std::uint64_t>(static_cast<std::int64_t>(used_.count()) + bytes));
  vms_ = static_cast<std::uint32_t>(static_cast<std::int64_t>(vms_) + vms);
}

void ServerAccount::note_peaks() {
  f_.peak_memory = std::max(f_.peak_memory, used_);
  f_.peak_vms = std::max(f_.peak_vms, vms_);
}

ServerFigures ServerAccount::figures() const {
  ServerFigures f = f_;
  const double span = static_cast<double>(since_.us());
  f.mean_memory_bytes = span > 0 ? memory_integral_ / span : 0;
  f.mean_vms = span > 0 ? vm_integral_ / span : 0;
  f.vm_seconds = vm_integral_ / 1e6;
  f.energy = Energy::joules(energy_j_);
  f.attributed = Energy::joules(attributed_j_);
  return f;
}

Bytes peak_memory(const std::vector<ServerAccount>& servers) {
  Bytes peak;
  for (const ServerAccount& s : servers) peak = std::max(peak, s.peak_memory());
  return peak;
}

}  // namespace jettison::sim
