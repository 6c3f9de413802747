#include "traces/tool/stats_pages.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_map>
#include <utility>

#include "common/input_error.hpp"
#include "traces/tool/row_errors.hpp"
#include "traces/tool/stats_json.hpp"

namespace jettison::traces {

PageStats page_stats(PageTraceReader& reader, std::int64_t bucket_us) {
  PageStats s;
  s.bucket_requested_s = static_cast<double>(bucket_us) / 1e6;
  std::unordered_map<std::uint64_t, bool> written;  // page -> written at least once
  // Access counts of the seconds with any access, in order (the others count 0); `seconds` spans all.
  std::vector<std::uint64_t> per_second;
  std::int64_t current_second = -1;
  // Buckets (of the requested width) with first touches and their counts, in order: at most one
  // entry a unique page, however long the trace.
  std::vector<std::pair<std::int64_t, std::uint64_t>> touched;
  std::vector<double> access_gaps, fetch_gaps;
  std::int64_t prev_instant = -1, prev_fetch = -1, first = 0, last = 0;
  std::uint64_t at_instant = 0;
  RowErrors errors(reader.name());
  PageRow row;
  try {
    while (next_good_row(reader, row, errors)) {
      if (errors.count() > 0) continue;  // figures are not printed: only look for more errors
      const std::int64_t t = row.time_us;
      if (s.accesses == 0) first = t;
      last = t;
      ++s.accesses;
      if (row.write) ++s.writes;
      s.max_page = std::max(s.max_page, row.page);
      if (t != prev_instant) {
        if (prev_instant >= 0) access_gaps.push_back(static_cast<double>(t - prev_instant) / 1e6);
        prev_instant = t;
        ++s.instants;
        at_instant = 0;
      }
      s.max_at_instant = std::max(s.max_at_instant, ++at_instant);
      if (t / 1'000'000 != current_second) {
        current_second = t / 1'000'000;
        per_second.push_back(0);
      }
      ++per_second.back();
      auto [it, fresh] = written.try_emplace(row.page, row.write);
      if (fresh) {
        const std::int64_t bucket = t / bucket_us;
        if (touched.empty() || touched.back().first != bucket) touched.emplace_back(bucket, 0);
        ++touched.back().second;
        if (t != prev_fetch) {
          if (prev_fetch >= 0) fetch_gaps.push_back(static_cast<double>(t - prev_fetch) / 1e6);
          prev_fetch = t;
        }
      } else {
        it->second = it->second || row.write;
      }
    }
  } catch (const InputError& e) {  // one that ends the reading (row errors are collected)
    errors.throw_with(e);
  }
  errors.throw_if_any();
  if (s.accesses == 0) throw InputError(reader.name(), "no page accesses: nothing to summarize");
  s.unique_pages = written.size();
  for (const auto& [page, w] : written) s.written_pages += w ? 1 : 0;
  s.first_s = static_cast<double>(first) / 1e6;
  s.last_s = static_cast<double>(last) / 1e6;
  s.write_share = static_cast<double>(s.writes) / static_cast<double>(s.accesses);
  // Widen the buckets by the smallest whole factor that fits the span in kMaxBuckets.
  const std::int64_t needed = last / bucket_us + 1;
  const std::int64_t factor = (needed + kMaxBuckets - 1) / kMaxBuckets;
  const std::int64_t width = bucket_us * factor;
  s.bucket_s = static_cast<double>(width) / 1e6;
  s.new_pages.assign(static_cast<std::size_t>(last / width) + 1, 0);
  for (const auto& [bucket, count] : touched) s.new_pages[static_cast<std::size_t>(bucket / factor)] += count;
  std::uint64_t acc = 0;
  for (std::uint64_t n : s.new_pages) s.unique_by_end.push_back(acc += n);
  s.access_gap_s = summarize(access_gaps);
  s.fetch_gap_s = summarize(fetch_gaps);

  s.seconds = static_cast<std::uint64_t>(last / 1'000'000) + 1;  // seconds 0 .. the last access's
  const double n = static_cast<double>(s.seconds);
  const double mean = static_cast<double>(s.accesses) / n;
  const auto idle_seconds = static_cast<double>(s.seconds - per_second.size());
  double var = idle_seconds * mean * mean;
  for (std::uint64_t c : per_second) var += (static_cast<double>(c) - mean) * (static_cast<double>(c) - mean);
  s.per_second_cv = std::sqrt(var / n) / mean;
  s.busy_second_share = static_cast<double>(per_second.size()) / n;
  const auto top = std::min(per_second.size(), static_cast<std::size_t>(std::ceil(n / 10.0)));
  std::partial_sort(per_second.begin(), per_second.begin() + static_cast<std::ptrdiff_t>(top),
                    per_second.end(), std::greater<>());
  std::uint64_t top_sum = 0;  // the busiest seconds beyond the busy ones count 0
  for (std::size_t i = 0; i < top; ++i) top_sum += per_second[i];
  s.top10_second_share = static_cast<double>(top_sum) / static_cast<double>(s.accesses);
  return s;
}

namespace {

std::string distribution_text(const Distribution& d) {
  if (d.count == 0) return "none";
  std::string pct;
  for (std::size_t i = 0; i < kPercentiles.size(); ++i)
    pct += fmt::format("p{} {:.3f}  ", kPercentiles[i], d.p[i]);
  return fmt::format("{} gaps: min {:.3f}  {}max {:.3f}  mean {:.3f}", d.count, d.min, pct, d.max, d.mean);
}

void distribution_json(JsonWriter& j, const Distribution& d) {
  j.begin_object();
  j.key("count").value(d.count);
  j.key("min").value(d.min);
  for (std::size_t i = 0; i < kPercentiles.size(); ++i)
    j.key(fmt::format("p{}", kPercentiles[i])).value(d.p[i]);
  j.key("max").value(d.max);
  j.key("mean").value(d.mean);
  j.end_object();
}

}  // namespace

std::string page_stats_text(const PageStats& s, const std::string& file, std::uint64_t page_bytes) {
  std::string t;
  auto line = [&](std::string_view label, const std::string& value) {
    t += fmt::format("  {:<26} {}\n", label, value);
  };
  t += fmt::format("{}: page-access trace\n", file);
  line("accesses", fmt::format("{} ({} writes)", s.accesses, s.writes));
  line("write share", fmt::format("{:.1f}%", 100.0 * s.write_share));
  line("unique pages",
       fmt::format("{} ({:.1f} MiB at {} B a page; {} written; highest page {})", s.unique_pages,
                   static_cast<double>(s.unique_pages * page_bytes) / 1048576.0, page_bytes, s.written_pages,
                   s.max_page));
  line("first / last access", fmt::format("{:.6f} s / {:.6f} s", s.first_s, s.last_s));
  const bool widened = s.bucket_s != s.bucket_requested_s;
  if (widened) {
    line("buckets", fmt::format("widened from {} s to {} s: the trace's {:.0f} s fit in at most {} buckets",
                                s.bucket_requested_s, s.bucket_s, s.last_s, kMaxBuckets));
  }
  line("instants",
       fmt::format("{} distinct timestamps (at most {} accesses at one)", s.instants, s.max_at_instant));
  std::string growth;
  for (std::size_t i = 0; i < s.unique_by_end.size(); ++i) {
    growth += fmt::format("{}{}", i ? " " : "", s.unique_by_end[i]);
  }
  const std::string per =
      widened ? fmt::format("{} s", s.bucket_s) : fmt::format("{:g} min", s.bucket_s / 60);
  line(fmt::format("unique pages per {}", per), fmt::format("(cumulative) {}", growth));
  std::string fresh;
  for (std::size_t i = 0; i < s.new_pages.size(); ++i)
    fresh += fmt::format("{}{}", i ? " " : "", s.new_pages[i]);
  line(fmt::format("new pages per {}", per), fresh);
  line("access gaps (s)", distribution_text(s.access_gap_s));
  line("fetch gaps (s)", distribution_text(s.fetch_gap_s));
  line("burstiness",
       fmt::format("per-second CV {:.2f}; busiest 10% of seconds hold {:.1f}% of accesses; "
                   "{:.1f}% of {} seconds busy",
                   s.per_second_cv, 100.0 * s.top10_second_share, 100.0 * s.busy_second_share, s.seconds));
  return t;
}

std::string page_stats_json(const PageStats& s, const std::string& file) {
  JsonWriter j;
  j.begin_object();
  j.key("file").value(file);
  j.key("kind").value("pages");
  j.key("accesses").value(s.accesses);
  j.key("writes").value(s.writes);
  j.key("write_share").value(s.write_share);
  j.key("unique_pages").value(s.unique_pages);
  j.key("written_pages").value(s.written_pages);
  j.key("max_page").value(s.max_page);
  j.key("first_access_s").value(s.first_s);
  j.key("last_access_s").value(s.last_s);
  j.key("instants").value(s.instants);
  j.key("max_accesses_at_one_instant").value(s.max_at_instant);
  j.key("bucket_requested_s").value(s.bucket_requested_s);
  j.key("bucket_s").value(s.bucket_s);
  j.key("unique_pages_by_bucket_end").begin_array();
  for (auto v : s.unique_by_end) j.value(v);
  j.end_array();
  j.key("new_pages_per_bucket").begin_array();
  for (auto v : s.new_pages) j.value(v);
  j.end_array();
  j.key("access_gap_s");
  distribution_json(j, s.access_gap_s);
  j.key("fetch_gap_s");
  distribution_json(j, s.fetch_gap_s);
  j.key("burstiness").begin_object();
  j.key("seconds").value(s.seconds);
  j.key("per_second_cv").value(s.per_second_cv);
  j.key("top10_second_share").value(s.top10_second_share);
  j.key("busy_second_share").value(s.busy_second_share);
  j.end_object();
  j.end_object();
  return j.text() + "\n";
}

}  // namespace jettison::traces
