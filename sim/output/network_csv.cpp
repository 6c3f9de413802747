#include "sim/output/network_csv.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace jettison::sim {

void write_links_csv(std::ostream& out, const net::Topology& topology,
                     const std::vector<StrategyResult>& results) {
  out << "strategy,link,from,to,capacity_bps,peak_utilisation,mean_utilisation,bytes\n";
  for (const StrategyResult& r : results) {
    for (const LinkFigures& l : r.links) {
      const net::Topology::ResourceInfo info = topology.resource(l.resource);
      fmt::print(out, "{},{},{},{},{:.0f},{:.6f},{:.6f},{}\n", r.strategy, info.link, info.from, info.to,
                 l.capacity.bits_per_second(), l.peak_utilisation, l.mean_utilisation, l.carried.count());
    }
  }
}

void write_servers_csv(std::ostream& out, const std::vector<StrategyResult>& results) {
  out << "strategy,server,capacity_bytes,peak_memory_bytes,mean_memory_bytes,peak_vms,mean_vms,busy_s,"
         "vm_seconds,energy_j,attributed_j,admitted,overcommitted\n";
  for (const StrategyResult& r : results) {
    for (const ServerFigures& s : r.servers) {
      fmt::print(out, "{},{},{},{},{:.0f},{},{:.6f},{:.6f},{:.3f},{:.3f},{:.3f},{},{}\n", r.strategy, s.id,
                 s.capacity.count(), s.peak_memory.count(), s.mean_memory_bytes, s.peak_vms, s.mean_vms,
                 s.busy.seconds_f(), s.vm_seconds, s.energy.joules(), s.attributed.joules(), s.admitted,
                 s.overcommitted);
    }
  }
}

}  // namespace jettison::sim
