// The consolidation servers: admission and placement of VMs by memory, what each server holds over
// time (memory, hosted VMs), its power draw, and the share of that draw attributed to each hosted VM.
//
// A VM *reserves* memory from its admission (the migration starts) until its window closes; it is
// *hosted* (runs on the server, counts for utilisation and power) from the migration's end until the
// window closes. Time-weighted figures integrate piecewise-constant values between changes.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/quantity.hpp"
#include "common/time.hpp"
#include "sim/scenario/scenario.hpp"

namespace jettison::sim {

struct ServerFigures {
  std::string id;
  Bytes capacity;
  Bytes peak_memory;
  double mean_memory_bytes = 0;  // time-weighted over the run
  std::uint32_t peak_vms = 0;
  double mean_vms = 0;    // time-weighted over the run
  Duration busy;          // time hosting at least one VM
  double vm_seconds = 0;  // hosted VMs x time
  Energy energy;          // the server's draw over the whole run (always on)
  Energy attributed;      // the part of it attributed to hosted VMs
  std::uint64_t admitted = 0;
  std::uint64_t overcommitted = 0;  // times a hosted VM's growth took memory past the capacity
};

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
  Bytes peak_memory() const;  // the largest peak over the servers
  std::uint64_t refusals() const { return refusals_; }
  // What server `i` holds now, and the VMs it admitted so far (a sharded run tells the merger).
  Bytes used(std::uint32_t i) const { return servers_[i].used; }
  std::uint32_t vms(std::uint32_t i) const { return servers_[i].vms; }
  std::uint64_t admitted(std::uint32_t i) const { return servers_[i].f.admitted; }
  std::size_t size() const { return servers_.size(); }

 private:
  struct State {
    Bytes capacity;
    Bytes used;
    std::uint32_t vms = 0;
    Time since;                      // of the current values
    double memory_integral = 0;      // byte-µs
    double vm_integral = 0;          // VM-µs
    double energy_j = 0;             // whole draw so far
    double attributed_per_vm_j = 0;  // cumulative energy per hosted VM (for attribution)
    double attributed_j = 0;
    ServerFigures f;
  };
  void advance(State& s, Time now) const;
  Power draw(const State& s) const;

  const ServersSpec& spec_;
  std::vector<State> servers_;
  std::uint64_t refusals_ = 0;
};

}  // namespace jettison::sim
