#include "traces/gen/office_model.hpp"

#include <algorithm>
#include <cmath>

#include "traces/gen/model_random.hpp"

namespace jettison::traces {
namespace {

constexpr double kHour = 3600.0;
constexpr double kDay = 86400.0;

// Defaults: see traces/README.md for the source or the assumption behind each.
const std::vector<ParamSpec> kSpecs = {
    {"overnight_on_share",
     Scalar::kNumber,
     Shape::kSingle,
     {"0.6"},
     "share of desktops left on when their user is gone (nights, weekends, days away); the others are "
     "switched on at arrival and off at departure",
     0,
     1},
    {"arrival_mean", Scalar::kClock, Shape::kRange, {"8:15..9:15"}, "each user's mean arrival, drawn once"},
    {"arrival_jitter",
     Scalar::kDuration,
     Shape::kRange,
     {"8min..20min"},
     "each user's day-to-day standard deviation of arrival (normal), drawn once"},
    {"arrival_window", Scalar::kClock, Shape::kRange, {"7:45..9:45"}, "arrivals are clipped to this window"},
    {"departure_mean", Scalar::kClock, Shape::kRange, {"16:54..18:06"}, "each user's mean departure"},
    {"departure_jitter", Scalar::kDuration, Shape::kRange, {"10min..25min"}, "sd of departure"},
    {"departure_window",
     Scalar::kClock,
     Shape::kRange,
     {"16:15..18:45"},
     "departures are clipped to this window"},
    {"lunch_prob",
     Scalar::kNumber,
     Shape::kSingle,
     {"0.9"},
     "chance of a lunch break (else lunch at the desk)",
     0,
     1},
    {"lunch_start", Scalar::kClock, Shape::kRange, {"12:00..12:45"}, "lunch starts uniformly in this window"},
    {"lunch_length", Scalar::kDuration, Shape::kRange, {"30min..60min"}, "lunch length, uniform"},
    {"coffee_breaks",
     Scalar::kCount,
     Shape::kChoices,
     {"1:0.3,2:0.45,3:0.25"},
     "coffee breaks a day: count:weight"},
    {"coffee_length", Scalar::kDuration, Shape::kRange, {"5min..20min"}, "coffee break length, uniform"},
    {"coffee_margin",
     Scalar::kDuration,
     Shape::kSingle,
     {"30min"},
     "coffee breaks start uniformly from this long after arrival to this long before departure"},
    {"meetings", Scalar::kCount, Shape::kChoices, {"0:0.4,1:0.4,2:0.2"}, "meetings a day: count:weight"},
    {"meeting_slots",
     Scalar::kClock,
     Shape::kRange,
     {"9:00..16:00"},
     "meetings start on a slot in this window"},
    {"meeting_slot_step", Scalar::kDuration, Shape::kSingle, {"30min"}, "distance between meeting slots", 60},
    {"meeting_length",
     Scalar::kDuration,
     Shape::kChoices,
     {"30min:0.3,45min:0.2,60min:0.35,90min:0.15"},
     "meeting length: length:weight"},
    {"meeting_walk",
     Scalar::kDuration,
     Shape::kRange,
     {"1min..5min"},
     "the user leaves this long before a meeting and is back this long after it (each drawn)"},
    {"gap_rate",
     Scalar::kNumber,
     Shape::kRange,
     {"1.6..2.8"},
     "short idle gaps (reading, phone) per hour at the desk, Poisson; each user's rate drawn once"},
    {"gap_length", Scalar::kDuration, Shape::kRange, {"1min..10min"}, "short gap length, log-uniform", 1},
    {"weekend_visit_prob",
     Scalar::kNumber,
     Shape::kSingle,
     {"0.1"},
     "chance of a visit on a weekend day",
     0,
     1},
    {"weekend_visit_start",
     Scalar::kClock,
     Shape::kRange,
     {"10:00..16:00"},
     "weekend visits start in this window"},
    {"weekend_visit_length", Scalar::kDuration, Shape::kRange, {"1h..3h"}, "weekend visit length, uniform"},
    {"away_share",
     Scalar::kNumber,
     Shape::kSingle,
     {"0.1"},
     "share of users (each drawn) away one or two weekdays every week",
     0,
     1},
    {"away_days",
     Scalar::kCount,
     Shape::kChoices,
     {"1:0.7,2:0.3"},
     "weekdays away a week for those users",
     0,
     5},
    {"absent_prob",
     Scalar::kNumber,
     Shape::kSingle,
     {"0.02"},
     "chance any other user misses a weekday",
     0,
     1},
    {"min_active",
     Scalar::kDuration,
     Shape::kSingle,
     {"60s"},
     "idle stretches with this much activity or less between them are merged into one period"},
    {"first_activity",
     Scalar::kDuration,
     Shape::kRange,
     {"1min..15min"},
     "user activity at the trace start (the tracer starting up) before an always-on desktop's first period"},
    {"min_period",
     Scalar::kDuration,
     Shape::kSingle,
     {"1min"},
     "idle stretches cut shorter than this (by a switched-off machine's session or the trace end) are "
     "dropped",
     0.001},
};

double range_draw(RandomStream& rng, Range r) { return uniform(rng, r.lo, r.hi); }

double choice_draw(RandomStream& rng, const Choices& c) {
  return c.values[pick_cumulative(rng, c.cumulative)];
}

// Event times of a Poisson process of `rate` per second on [a, b).
template <typename F>
void poisson_starts(RandomStream& rng, double rate, double a, double b, F&& each) {
  if (!(rate > 0)) return;
  for (double t = a + exponential(rng, rate); t < b; t += exponential(rng, rate)) each(t);
}

}  // namespace

std::span<const ParamSpec> OfficeModel::param_specs() { return kSpecs; }

OfficeModel::OfficeModel(const Params& p)
    : overnight_on_share_(p.number("overnight_on_share")),
      away_share_(p.number("away_share")),
      absent_prob_(p.number("absent_prob")),
      arrival_mean_(p.range("arrival_mean")),
      arrival_jitter_(p.range("arrival_jitter")),
      arrival_window_(p.range("arrival_window")),
      departure_mean_(p.range("departure_mean")),
      departure_jitter_(p.range("departure_jitter")),
      departure_window_(p.range("departure_window")),
      lunch_prob_(p.number("lunch_prob")),
      lunch_start_(p.range("lunch_start")),
      lunch_length_(p.range("lunch_length")),
      coffee_breaks_(p.choices("coffee_breaks")),
      coffee_length_(p.range("coffee_length")),
      coffee_margin_(p.number("coffee_margin")),
      meetings_(p.choices("meetings")),
      meeting_slots_(p.range("meeting_slots")),
      meeting_slot_step_(p.number("meeting_slot_step")),
      meeting_length_(p.choices("meeting_length")),
      meeting_walk_(p.range("meeting_walk")),
      gap_rate_(p.range("gap_rate")),
      gap_length_(p.range("gap_length")),
      weekend_visit_prob_(p.number("weekend_visit_prob")),
      weekend_visit_start_(p.range("weekend_visit_start")),
      weekend_visit_length_(p.range("weekend_visit_length")),
      away_days_(p.choices("away_days")),
      min_active_(p.number("min_active")),
      min_period_(p.number("min_period")),
      first_activity_(p.range("first_activity")) {}

std::vector<IdleSpan> OfficeModel::desktop_periods(RandomStream& rng, int days) const {
  const double horizon = days * kDay;
  // Drawn once per desktop, always in this order (so a desktop's trace depends on its stream only).
  const bool always_on = chance(rng, overnight_on_share_);
  const bool away = chance(rng, away_share_);
  const double arr_mu = range_draw(rng, arrival_mean_);
  const double arr_sd = range_draw(rng, arrival_jitter_);
  const double dep_mu = range_draw(rng, departure_mean_);
  const double dep_sd = range_draw(rng, departure_jitter_);
  const double gap_rate = range_draw(rng, gap_rate_) / kHour;

  std::vector<bool> absent(static_cast<std::size_t>(days), false);
  if (away) {
    for (int week = 0; week * 7 < days; ++week) {
      int weekdays[5] = {0, 1, 2, 3, 4};
      const int k = static_cast<int>(choice_draw(rng, away_days_));
      for (int i = 0; i < k; ++i) {  // k distinct weekdays: a partial Fisher-Yates shuffle
        std::swap(weekdays[i], weekdays[uniform_int(rng, i, 4)]);
        const int day = week * 7 + weekdays[i];
        if (day < days) absent[static_cast<std::size_t>(day)] = true;
      }
    }
  }

  struct Stretch {
    double start, end;
  };
  std::vector<Stretch> idle;    // every idle stretch, before merging
  std::vector<Stretch> breaks;  // one session's breaks
  double prev_depart = uniform(rng, first_activity_.lo, first_activity_.hi);

  auto gap = [&](double s) { breaks.push_back({s, s + log_uniform(rng, gap_length_.lo, gap_length_.hi)}); };
  // A session at the desk: its breaks, and (always-on machines) the time away before it.
  auto session = [&](double arrive, double depart) {
    if (always_on) {
      idle.push_back({prev_depart, arrive});
      for (const Stretch& b : breaks) idle.push_back(b);
    } else {
      // The machine is on from arrival to departure only: breaks are cut to that.
      for (const Stretch& b : breaks) idle.push_back({std::max(b.start, arrive), std::min(b.end, depart)});
    }
    prev_depart = depart;
    breaks.clear();
  };

  for (int day = 0; day < days; ++day) {
    const double base = day * kDay;
    if (day % 7 < 5) {
      if (absent[static_cast<std::size_t>(day)] || (!away && chance(rng, absent_prob_))) continue;
      const double arrive =
          base + std::clamp(normal(rng, arr_mu, arr_sd), arrival_window_.lo, arrival_window_.hi);
      const double depart =
          base + std::clamp(normal(rng, dep_mu, dep_sd), departure_window_.lo, departure_window_.hi);
      if (depart <= arrive) continue;  // only with odd parameters: no working day
      if (chance(rng, lunch_prob_)) {
        const double s = base + range_draw(rng, lunch_start_);
        breaks.push_back({s, s + range_draw(rng, lunch_length_)});
      }
      const int coffees = static_cast<int>(choice_draw(rng, coffee_breaks_));
      for (int i = 0; i < coffees && depart - arrive > 2 * coffee_margin_; ++i) {
        const double s = uniform(rng, arrive + coffee_margin_, depart - coffee_margin_);
        breaks.push_back({s, s + range_draw(rng, coffee_length_)});
      }
      const auto slots = static_cast<std::int64_t>(
          std::floor((meeting_slots_.hi - meeting_slots_.lo) / meeting_slot_step_ + 1e-9));
      const int meetings = static_cast<int>(choice_draw(rng, meetings_));
      for (int i = 0; i < meetings; ++i) {
        const double slot =
            base + meeting_slots_.lo + static_cast<double>(uniform_int(rng, 0, slots)) * meeting_slot_step_;
        const double before = range_draw(rng, meeting_walk_);
        const double length = choice_draw(rng, meeting_length_);
        const double after = range_draw(rng, meeting_walk_);
        breaks.push_back({slot - before, slot + length + after});
      }
      poisson_starts(rng, gap_rate, arrive, depart, gap);
      session(arrive, depart);
    } else if (chance(rng, weekend_visit_prob_)) {
      const double arrive = base + range_draw(rng, weekend_visit_start_);
      const double depart = arrive + range_draw(rng, weekend_visit_length_);
      poisson_starts(rng, gap_rate, arrive, depart, gap);
      session(arrive, depart);
    }
  }
  if (always_on) idle.push_back({prev_depart, horizon});

  // Milliseconds; merge stretches that overlap or have at most min_active of activity between them.
  std::vector<IdleSpan> ms;
  ms.reserve(idle.size());
  for (const Stretch& s : idle) {
    const auto a = std::llround(s.start * 1000.0);
    const auto b = std::llround(s.end * 1000.0);
    if (b > a) ms.push_back({a, b});
  }
  std::sort(ms.begin(), ms.end(), [](const IdleSpan& x, const IdleSpan& y) {
    return x.start_ms != y.start_ms ? x.start_ms < y.start_ms : x.end_ms < y.end_ms;
  });
  const auto min_active_ms = std::llround(min_active_ * 1000.0);
  const auto min_period_ms = std::llround(min_period_ * 1000.0);
  const auto horizon_ms = static_cast<std::int64_t>(days) * 86'400'000;
  std::vector<IdleSpan> merged;
  for (const IdleSpan& s : ms) {
    if (!merged.empty() && s.start_ms - merged.back().end_ms <= min_active_ms) {
      merged.back().end_ms = std::max(merged.back().end_ms, s.end_ms);
    } else {
      merged.push_back(s);
    }
  }
  std::vector<IdleSpan> out;
  out.reserve(merged.size());
  for (IdleSpan s : merged) {
    s.start_ms = std::max<std::int64_t>(s.start_ms, 0);
    s.end_ms = std::min(s.end_ms, horizon_ms);
    if (s.end_ms - s.start_ms >= min_period_ms && s.end_ms > s.start_ms) out.push_back(s);
  }
  return out;
}

}  // namespace jettison::traces
