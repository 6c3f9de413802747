// The servers' figures of a sharded run, from the shards' net changes per instant merged in time
// order: the same books ServerPool keeps (one ServerAccount per server, the per-VM draw), with peaks
// taken at the end of each instant (a VM leaving and another arriving within one µs, in whatever
// order, is not a peak). Only for the per-VM power model, where a VM's share does not depend on the
// others.
#pragma once

#include <vector>

#include "sim/model/server_account.hpp"
#include "sim/model/server_spec.hpp"
#include "sim/run/shard_item.hpp"

namespace jettison::sim {

class ServerLedger {
 public:
  explicit ServerLedger(const ServersSpec& spec);
  // Changes come in time order (asserted).
  void change(Time at, const ServerDelta& d);
  // Closes the books at `end` (the run's last event).
  std::vector<ServerFigures> figures(Time end);
  Bytes peak_memory() const { return sim::peak_memory(servers_); }

 private:
  void advance(ServerAccount& s, Time now) const;

  const ServersSpec& spec_;
  std::vector<ServerAccount> servers_;
};

}  // namespace jettison::sim
