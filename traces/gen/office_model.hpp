// The office model of idle desktops (traces/README.md, "Idle periods"): when each user sits at the
// desk on each day, the breaks they take there, and whether the machine stays on when they are gone.
// Everything the user is away from a machine that is on is one idle period.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/rng.hpp"
#include "traces/gen/model_params.hpp"

namespace jettison::traces {

struct IdleSpan {
  std::int64_t start_ms;
  std::int64_t end_ms;
};

class OfficeModel {
 public:
  static std::span<const ParamSpec> param_specs();
  explicit OfficeModel(const Params& params);

  // One desktop's idle periods over `days` days (day 0 is a Monday, t = 0 its midnight), drawn from
  // its own stream: sorted, at least min_active apart, clipped to [0, days x 24 h], in milliseconds.
  std::vector<IdleSpan> desktop_periods(RandomStream& rng, int days) const;

 private:
  double overnight_on_share_, away_share_, absent_prob_;
  Range arrival_mean_, arrival_jitter_, arrival_window_;
  Range departure_mean_, departure_jitter_, departure_window_;
  double lunch_prob_;
  Range lunch_start_, lunch_length_;
  Choices coffee_breaks_;
  Range coffee_length_;
  double coffee_margin_;
  Choices meetings_;
  Range meeting_slots_;
  double meeting_slot_step_;
  Choices meeting_length_;
  Range meeting_walk_;
  Range gap_rate_, gap_length_;
  double weekend_visit_prob_;
  Range weekend_visit_start_, weekend_visit_length_;
  Choices away_days_;
  double min_active_, min_period_;
  Range first_activity_;
};

}  // namespace jettison::traces
