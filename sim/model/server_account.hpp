// One consolidation server's books: what it holds (reserved memory, hosted VMs) as piecewise-constant
// values over time, their time integrals, its energy, and the peaks and counts that become its
// ServerFigures. ServerPool (one engine) and the sharded run's ServerLedger keep one account per
// server; they differ only in when they change it and when they take peaks (ServerPool at each
// change, the ledger at the end of each instant).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/quantity.hpp"
#include "common/time.hpp"

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

class ServerAccount {
 public:
  ServerAccount(std::string id, Bytes capacity);

  Bytes capacity() const { return f_.capacity; }
  Bytes used() const { return used_; }
  std::uint32_t vms() const { return vms_; }
  Time since() const { return since_; }  // of the current values
  std::uint64_t admitted() const { return f_.admitted; }
  Bytes peak_memory() const { return f_.peak_memory; }

  // Integrates the current values from since() to `now` (not before since()), the server drawing
  // `draw` meanwhile, and returns the joules of that stretch (0 when now == since()).
  double advance(Time now, Power draw);
  // The held memory and VMs change by these amounts (at since(): advance first). Asserted not to go
  // below zero.
  void change(std::int64_t bytes, std::int64_t vms);
  void count_admitted(std::uint64_t n) { f_.admitted += n; }
  void count_overcommitted() { ++f_.overcommitted; }
  // Folds the current values into the peaks.
  void note_peaks();

  // The figures over [0, since()]: the books closed at since() (advance to the run's end first).
  ServerFigures figures() const;

 private:
  Bytes used_;
  std::uint32_t vms_ = 0;
  Time since_;
  double memory_integral_ = 0;  // byte-µs
  double vm_integral_ = 0;      // VM-µs
  double energy_j_ = 0;         // whole draw so far
  double attributed_j_ = 0;     // the draw while hosting at least one VM
  ServerFigures f_;             // id, capacity, peaks, busy and counts (the rest filled by figures())
};

// The largest peak memory over the servers.
Bytes peak_memory(const std::vector<ServerAccount>& servers);

}  // namespace jettison::sim
