// The servers' figures of a sharded run, from the shards' net changes per instant merged in time
// order: the books ServerPool keeps (memory and VMs over time, the per-VM draw), with peaks taken at
// the end of each instant (a VM leaving and another arriving within one µs, in whatever order, is
// not a peak). Only for the per-VM power model, where a VM's share does not depend on the others.
#pragma once

#include <vector>

#include "sim/model/server_pool.hpp"
#include "sim/run/shard_item.hpp"

namespace jettison::sim {

class ServerLedger {
 public:
  explicit ServerLedger(const ServersSpec& spec);
  // Changes come in time order (asserted).
  void change(Time at, const ServerDelta& d);
  // Closes the books at `end` (the run's last event).
  std::vector<ServerFigures> figures(Time end);
  Bytes peak_memory() const;

 private:
  struct State {
    Bytes used;
    std::uint32_t vms = 0;
    Time since;
    double memory_integral = 0;  // byte-µs
    double vm_integral = 0;      // VM-µs
    double energy_j = 0;
    double attributed_j = 0;
    ServerFigures f;
  };
  void advance(State& s, Time now) const;

  const ServersSpec& spec_;
  std::vector<State> servers_;
};

}  // namespace jettison::sim
