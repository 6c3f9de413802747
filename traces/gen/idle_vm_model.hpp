// The page-access model of an idle desktop VM (traces/README.md, "Page accesses of idle VMs"):
// timer ticks on a small hot set, periodic bursts of polling and background services over resident
// pools, and a working set that grows slowly, laid out in clustered regions of the guest's page
// frames. Two profiles, "windows" and "linux", differ in their defaults only.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/rng.hpp"
#include "traces/gen/model_params.hpp"

namespace jettison::traces {

struct PageEvent {
  std::int64_t time_us;
  std::uint64_t page;
  bool write;
};

class IdleVmModel {
 public:
  static std::span<const ParamSpec> param_specs();
  static std::span<const std::string_view> profiles();  // index = the Params profile

  explicit IdleVmModel(const Params& params);

  // The accesses of one idle period of `length_us`, sorted by time (accesses at one time keep the
  // order they were drawn in). InputError if the parameters do not fit in the page space.
  std::vector<PageEvent> generate(RandomStream& rng, std::int64_t length_us) const;

 private:
  // A source of periodic bursts (mail/IM polling; services or daemons).
  struct Component {
    double period_s;   // mean time between bursts
    Range pages;       // distinct pages a burst touches
    double pool;       // resident pages its bursts revisit
    double regions;    // regions the pool lies in
    double growth;     // new pages per burst at t = 0 ...
    double tau_s;      // ... decaying with this time constant ...
    double floor;      // ... to this floor
    double hot_share;  // share of a burst's pages taken from the hot set
  };

  double vm_pages_, region_align_;
  double hot_pages_, hot_regions_;
  Range hot_region_pages_;
  double hot_zipf_;
  Range tick_interval_, tick_pages_;
  double write_share_, data_write_prob_, readmostly_write_prob_;
  Component components_[2];
  Range pool_region_pages_;
  double pool_zipf_;
  Range run_pages_, period_jitter_, burst_length_, burst_group_, burst_step_;
};

}  // namespace jettison::traces
