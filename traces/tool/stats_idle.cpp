#include "traces/tool/stats_idle.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>
#include <vector>

#include "common/input_error.hpp"
#include "traces/tool/row_errors.hpp"
#include "traces/tool/stats_json.hpp"

namespace jettison::traces {
namespace {

constexpr std::int64_t kHourUs = 3'600'000'000;
constexpr std::int64_t kDayUs = 24 * kHourUs;
constexpr std::array<const char*, 4> kClassNames = {"under 10 min", "10-30 min", "30-60 min", "1 h and more"};
constexpr std::array<const char*, 4> kClassKeys = {"under_10min", "10_to_30min", "30_to_60min",
                                                   "1h_and_more"};

constexpr std::array<const char*, 7> kWeekdays = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                  "Friday", "Saturday", "Sunday"};

// "day 0 = Monday", or with an origin "day 0 = 2026-03-02, a Monday; hours in UTC+01:00".
std::string calendar_text(const std::optional<TraceOrigin>& origin) {
  if (!origin) return "day 0 = Monday";
  return fmt::format("day 0 = {}, a {}; hours in UTC{}", origin->text.substr(0, 10),
                     kWeekdays[static_cast<std::size_t>(origin->first_weekday)], origin->text.substr(19));
}

}  // namespace

IdleStats idle_stats(IdleTraceReader& reader, std::optional<std::int64_t> days,
                     std::optional<TraceOrigin> origin) {
  IdleStats s;
  s.origin = std::move(origin);
  const std::int64_t first_weekday = s.origin ? s.origin->first_weekday : 0;
  std::unordered_set<std::string> desktops;
  std::vector<double> lengths;
  // Idle microseconds per hour of the day and per day of the week (0 = Monday; day 0 of the trace is
  // weekday first_weekday).
  std::array<std::int64_t, 24> hourly{};
  std::array<std::int64_t, 7> weekly{};
  std::int64_t total_us = 0, first = -1, last = 0;
  auto add_period = [&](const IdleRow& row) {
    desktops.insert(row.desktop);
    const std::int64_t a = row.start.us(), b = row.end.us();
    if (first < 0 || a < first) first = a;
    last = std::max(last, b);
    total_us += b - a;
    const double len = static_cast<double>(b - a) / 1e6;
    lengths.push_back(len);
    ++s.classes[len < 600 ? 0 : len < 1800 ? 1 : len < 3600 ? 2 : 3];
    // Split at hour boundaries: a run of whole days adds to every hour (and weekday) at once, so a
    // period of years costs no more than one of a day.
    std::int64_t t = a;
    while (t < b) {
      const std::int64_t day = t / kDayUs;
      const std::int64_t next = std::min(b, (t / kHourUs + 1) * kHourUs);
      if (t % kDayUs == 0 && b - t >= kDayUs) {
        const std::int64_t whole = (b - t) / kDayUs;
        for (auto& h : hourly) h += whole * kHourUs;
        for (std::int64_t d = 0; d < 7; ++d) {  // days day .. day + whole - 1 that fall on weekday d
          const std::int64_t first_d = day + ((d - (day + first_weekday) % 7) + 7) % 7;
          if (first_d < day + whole)
            weekly[static_cast<std::size_t>(d)] += ((day + whole - 1 - first_d) / 7 + 1) * kDayUs;
        }
        t += whole * kDayUs;
        continue;
      }
      hourly[static_cast<std::size_t>((t % kDayUs) / kHourUs)] += next - t;
      weekly[static_cast<std::size_t>((day + first_weekday) % 7)] += next - t;
      t = next;
    }
  };
  RowErrors errors(reader.name());
  IdleRow row;
  try {
    while (next_good_row(reader, row, errors)) {
      if (errors.count() == 0) add_period(row);  // after an error, only look for more errors
    }
  } catch (const InputError& e) {  // one that ends the reading (row errors are collected)
    errors.throw_with(e);
  }
  errors.throw_if_any();
  if (desktops.empty()) throw InputError(reader.name(), "no idle periods: nothing to summarize");
  s.desktops = desktops.size();
  s.periods = lengths.size();
  s.first_start_s = static_cast<double>(first) / 1e6;
  s.last_end_s = static_cast<double>(last) / 1e6;
  s.days = days ? *days : std::max<std::int64_t>(1, (last + kDayUs - 1) / kDayUs);
  s.total_idle_h = static_cast<double>(total_us) / static_cast<double>(kHourUs);
  const auto n = static_cast<double>(s.desktops);
  s.idle_h_per_desktop_day = s.total_idle_h / n / static_cast<double>(s.days);
  std::int64_t wd_us = 0, we_us = 0, wd_days = 0, we_days = 0;
  for (std::size_t d = 0; d < 7; ++d) (d < 5 ? wd_us : we_us) += weekly[d];
  for (std::int64_t d = 0; d < s.days && d < 7; ++d) {  // days of each kind in [0, days)
    const std::int64_t count = (s.days - d + 6) / 7;
    ((d + first_weekday) % 7 < 5 ? wd_days : we_days) += count;
  }
  if (wd_days > 0) s.weekday_idle_h = static_cast<double>(wd_us) / kHourUs / n / static_cast<double>(wd_days);
  if (we_days > 0) s.weekend_idle_h = static_cast<double>(we_us) / kHourUs / n / static_cast<double>(we_days);
  for (std::size_t h = 0; h < 24; ++h) {
    s.hourly_share[h] =
        static_cast<double>(hourly[h]) / static_cast<double>(kHourUs) / n / static_cast<double>(s.days);
  }
  s.length_s = summarize(lengths);
  return s;
}

std::string idle_stats_text(const IdleStats& s, const std::string& file) {
  std::string t;
  auto line = [&](std::string_view label, const std::string& value) {
    t += fmt::format("  {:<26} {}\n", label, value);
  };
  auto opt = [](const std::optional<double>& v) {
    return v ? fmt::format("{:.2f}", *v) : std::string("n/a");
  };
  t += fmt::format("{}: idle-period trace\n", file);
  line("desktops", fmt::format("{}", s.desktops));
  line("periods", fmt::format("{} ({:.1f} per desktop)", s.periods,
                              static_cast<double>(s.periods) / static_cast<double>(s.desktops)));
  line("span", fmt::format("{} days (periods from {} s to {} s)", s.days, s.first_start_s, s.last_end_s));
  line("total idle time", fmt::format("{:.1f} h", s.total_idle_h));
  line("idle h per desktop-day",
       fmt::format("{:.2f} (weekdays {}, weekend days {}; {})", s.idle_h_per_desktop_day,
                   opt(s.weekday_idle_h), opt(s.weekend_idle_h), calendar_text(s.origin)));
  std::string pct;
  for (std::size_t i = 0; i < kPercentiles.size(); ++i)
    pct += fmt::format("p{} {:.1f}  ", kPercentiles[i], s.length_s.p[i]);
  line("period length (s)", fmt::format("min {:.1f}  {}max {:.1f}  mean {:.1f}", s.length_s.min, pct,
                                        s.length_s.max, s.length_s.mean));
  std::string cls;
  for (std::size_t i = 0; i < 4; ++i) {
    cls += fmt::format("{}{} {} ({:.1f}%)", i ? ",  " : "", kClassNames[i], s.classes[i],
                       100.0 * static_cast<double>(s.classes[i]) / static_cast<double>(s.periods));
  }
  line("period length classes", cls);
  for (std::size_t h0 = 0; h0 < 24; h0 += 6) {
    std::string row;
    for (std::size_t h = h0; h < h0 + 6; ++h)
      row += fmt::format("{}{:02}h {:.3f}", h > h0 ? "  " : "", h, s.hourly_share[h]);
    line(h0 == 0 ? "idle share by hour of day" : "", row);
  }
  return t;
}

std::string idle_stats_json(const IdleStats& s, const std::string& file) {
  JsonWriter j;
  auto opt = [&](const std::optional<double>& v) { v ? j.value(*v) : j.null(); };
  j.begin_object();
  j.key("file").value(file);
  j.key("kind").value("idle");
  j.key("desktops").value(s.desktops);
  j.key("periods").value(s.periods);
  j.key("days").value(static_cast<std::uint64_t>(s.days));
  j.key("origin");
  s.origin ? j.value(s.origin->text) : j.null();
  j.key("first_start_s").value(s.first_start_s);
  j.key("last_end_s").value(s.last_end_s);
  j.key("total_idle_h").value(s.total_idle_h);
  j.key("idle_h_per_desktop_day").value(s.idle_h_per_desktop_day);
  j.key("weekday_idle_h_per_desktop_day");
  opt(s.weekday_idle_h);
  j.key("weekend_idle_h_per_desktop_day");
  opt(s.weekend_idle_h);
  j.key("period_length_s").begin_object();
  j.key("min").value(s.length_s.min);
  for (std::size_t i = 0; i < kPercentiles.size(); ++i)
    j.key(fmt::format("p{}", kPercentiles[i])).value(s.length_s.p[i]);
  j.key("max").value(s.length_s.max);
  j.key("mean").value(s.length_s.mean);
  j.end_object();
  j.key("period_classes").begin_object();
  for (std::size_t i = 0; i < 4; ++i) j.key(kClassKeys[i]).value(s.classes[i]);
  j.end_object();
  j.key("hourly_idle_share").begin_array();
  for (double v : s.hourly_share) j.value(v);
  j.end_array();
  j.end_object();
  return j.text() + "\n";
}

}  // namespace jettison::traces
