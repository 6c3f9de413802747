// The consolidation servers: admission and placement of VMs by memory, what each server holds over
// time (memory, hosted VMs), its power draw, and the share of that draw attributed to each hosted VM.
//
// A VM *reserves* memory from its admission (the migration starts) until its window closes; it is
// *hosted* (runs on the server, counts for utilisation and power) from the migration's end until the
// window closes. Time-weighted figures integrate piecewise-constant values between changes (one
// ServerAccount per server); peaks are taken at every change.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/quantity.hpp"
#include "common/time.hpp"
#include "sim/model/server_account.hpp"
#include "sim/model/server_spec.hpp"

namespace jettison::sim {

class ServerPool {
 public:
  explicit ServerPool(const ServersSpec& spec);

  // Picks a server with room for `footprint` by the placement policy and reserves it there; nullopt
  // (and a refusal counted) when none has room.
  std::optional<std::uint32_t> admit(Bytes footprint, Time now);
  // A hosted partial VM's footprint grows (fetched, prefetched pages); may pass the capacity.
  void grow(std::uint32_t server, Bytes b, Time now);
  void release(std::uint32_t server, Bytes b, Time now);
  // The VM starts (stops) running on the server. `stop_hosting` returns the energy attributed to it
  // since its `start_hosting` at `since`, whose return value it takes. With the per-VM power model
  // that is exactly per_vm x (now - since), whatever else the server hosts.
  double start_hosting(std::uint32_t server, Time now);
  Energy stop_hosting(std::uint32_t server, double mark, Time since, Time now);

  // Closes the books at `end` (the run's last event).
  std::vector<ServerFigures> figures(Time end);
  Bytes peak_memory() const { return sim::peak_memory(servers_); }  // the largest over the servers
  std::uint64_t refusals() const { return refusals_; }
  // What server `i` holds now, and the VMs it admitted so far (a sharded run tells the merger).
  Bytes used(std::uint32_t i) const { return servers_[i].used(); }
  std::uint32_t vms(std::uint32_t i) const { return servers_[i].vms(); }
  std::uint64_t admitted(std::uint32_t i) const { return servers_[i].admitted(); }
  std::size_t size() const { return servers_.size(); }

 private:
  void advance(std::uint32_t server, Time now);
  Power draw(std::uint32_t vms) const;

  const ServersSpec& spec_;
  std::vector<ServerAccount> servers_;
  std::vector<double> attributed_per_vm_j_;  // per server: cumulative energy per hosted VM
  std::vector<Power> draw_;  // per server: draw(its hosted VMs), kept as they change (every advance reads it)
  std::uint64_t refusals_ = 0;
};

}  // namespace jettison::sim
