// Figures of a page-access trace (an idle VM's profile) for `jettison-trace stats`. Read as a stream
// (PageTraceReader): memory holds the set of pages seen (unique pages) and the buckets they were
// first touched in, one counter per second with accesses, and one gap per distinct timestamp for the
// percentiles; never the accesses themselves, nothing dense over the trace's span.
//
// Definitions:
// - an *instant* is a distinct timestamp; the *access gaps* are the times between consecutive
//   instants;
// - a *first touch* is an access to a page not accessed before; the *fetch gaps* are the times
//   between consecutive instants with at least one first touch: what a partially migrated VM replaying
//   the profile once asks its sleeping desktop for;
// - *burstiness* is measured on the per-second access counts over the seconds 0 .. the second of the
//   last access: their coefficient of variation (population standard deviation / mean; 0 for evenly
//   spread accesses, large for bursts) and the share of accesses in the busiest 10% of those seconds
//   (0.1 when even, 1 when everything fits in them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "traces/io/page_profile.hpp"
#include "traces/tool/stats_percentiles.hpp"

namespace jettison::traces {

struct PageStats {
  std::uint64_t accesses = 0, writes = 0;
  std::uint64_t unique_pages = 0, written_pages = 0;
  std::uint64_t max_page = 0;
  double first_s = 0, last_s = 0;
  std::uint64_t instants = 0, max_at_instant = 0;
  double write_share = 0;
  double bucket_requested_s = 600;  // --bucket
  double bucket_s = 600;            // the width used: --bucket, widened when the span needs it
  // Per bucket [k x bucket, (k+1) x bucket): pages first touched in it, and unique pages by its end.
  std::vector<std::uint64_t> new_pages, unique_by_end;
  Distribution access_gap_s, fetch_gap_s;
  std::uint64_t seconds = 0;     // seconds the burstiness figures cover
  double busy_second_share = 0;  // seconds with at least one access
  double per_second_cv = 0;
  double top10_second_share = 0;
};

// The most buckets the unique-pages-over-time figures have. A trace whose span needs more of the
// requested width gets buckets widened by the smallest whole factor that fits (an access at 10^12 s
// with 10 min buckets: 100,000,200 s buckets); memory does not grow with the span.
inline constexpr std::int64_t kMaxBuckets = 10'000;

// Reads every row; `bucket_us` is the width of the unique-pages-over-time buckets (> 0). Every row
// error is reported (RowErrors: in file order, the first 20 shown) in one InputError.
PageStats page_stats(PageTraceReader& reader, std::int64_t bucket_us = 600'000'000);

// `page_bytes` converts unique pages to memory in the text (4 KiB unless given).
std::string page_stats_text(const PageStats& s, const std::string& file, std::uint64_t page_bytes = 4096);
std::string page_stats_json(const PageStats& s, const std::string& file);

}  // namespace jettison::traces
