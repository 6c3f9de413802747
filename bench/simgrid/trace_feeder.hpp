// The SimGrid reference's trace actor: reads the idle trace row by row (the project's reader, so both
// engines parse the same periods), sleeps to each period's start and hands it to its desktop's actor,
// creating that actor at the desktop's first period. Desktops beyond the first `max_desktops` (in order
// of first appearance, as `desktops.count` picks them) are ignored. The trace must be sorted by start
// (as `jettison-trace generate` writes it): a row out of order is an error naming its line.
#pragma once

#include <cstdint>
#include <deque>
#include <simgrid/s4u/Host.hpp>
#include <string>
#include <unordered_map>

#include "bench/simgrid/sleep_only_desktop.hpp"

namespace jettison::bench {

class TraceFeeder {
 public:
  TraceFeeder(std::string path, std::uint64_t max_desktops, const SleepOnlyFigures& figures,
              SleepOnlyTally& tally, simgrid::s4u::Host* host)
      : path_(std::move(path)), max_desktops_(max_desktops), figures_(figures), tally_(tally), host_(host) {}

  // The actor's body. A bad trace ends every actor; error() says why.
  void run();
  const std::string& error() const { return error_; }
  std::size_t desktops() const { return desktops_.size(); }

 private:
  SleepOnlyDesktop* desktop(const std::string& id);

  std::string path_;
  std::uint64_t max_desktops_;
  const SleepOnlyFigures& figures_;
  SleepOnlyTally& tally_;
  simgrid::s4u::Host* host_;
  std::deque<SleepOnlyDesktop> desktops_;  // stable addresses: the actors hold them
  std::unordered_map<std::string, SleepOnlyDesktop*> by_id_;
  std::string error_;
};

}  // namespace jettison::bench
