#include "bench/simgrid/trace_feeder.hpp"

#include <fmt/format.h>

#include <exception>
#include <fstream>
#include <memory>

#include "common/input_error.hpp"
#include "traces/io/idle_trace_reader.hpp"

namespace jettison::bench {

SleepOnlyDesktop* TraceFeeder::desktop(const std::string& id) {
  if (auto it = by_id_.find(id); it != by_id_.end()) return it->second;
  if (desktops_.size() >= max_desktops_) return nullptr;
  SleepOnlyDesktop* d = &desktops_.emplace_back(figures_, tally_);
  d->attach(simgrid::s4u::Actor::create(id, host_, [d] { d->run(); }));
  by_id_.emplace(id, d);
  return d;
}

void TraceFeeder::run() {
  try {
    auto in = std::make_unique<std::ifstream>(path_, std::ios::binary);
    if (!*in) throw InputError(path_, "cannot open the idle trace");
    traces::IdleTraceReader reader(std::move(in), path_);
    traces::IdleRow row;
    Time last;
    while (reader.next(row)) {
      if (row.start < last) {
        throw InputError(reader.origin(row.line),
                         "the trace is not sorted by start; the SimGrid reference streams it in order "
                         "(jettison-trace generate writes sorted traces)");
      }
      last = row.start;
      SleepOnlyDesktop* d = desktop(row.desktop);
      if (!d) continue;
      simgrid::s4u::this_actor::sleep_until(row.start.seconds_f());
      ++tally_.events;
      d->arrive({row.start, row.end});
    }
  } catch (const std::exception& e) {
    error_ = e.what();
    simgrid::s4u::Actor::kill_all();
    return;
  }
  for (SleepOnlyDesktop& d : desktops_) d.trace_ended();
}

}  // namespace jettison::bench
