#include "traces/gen/idle_vm_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "common/input_error.hpp"
#include "traces/gen/model_random.hpp"

namespace jettison::traces {
namespace {

constexpr std::string_view kProfiles[] = {"windows", "linux"};

// Defaults per profile (windows, linux); see traces/README.md for what motivated them.
const std::vector<ParamSpec> kSpecs = {
    {"vm_pages",
     Scalar::kCount,
     Shape::kSingle,
     {"1048576"},
     "guest page frames (4 GiB of 4 KiB pages): every page number is below this",
     1024},
    {"region_align",
     Scalar::kCount,
     Shape::kSingle,
     {"512"},
     "regions start on a multiple of this many pages (2 MiB)",
     1},
    {"hot_pages", Scalar::kCount, Shape::kSingle, {"450", "250"}, "hot set: kernel and timer pages", 1},
    {"hot_regions", Scalar::kCount, Shape::kSingle, {"5", "3"}, "regions the hot set lies in", 1},
    {"hot_region_pages",
     Scalar::kCount,
     Shape::kRange,
     {"2048..8192"},
     "size of each hot region, uniform",
     64},
    {"hot_zipf", Scalar::kNumber, Shape::kSingle, {"0.9"}, "hot-page popularity falls off as 1/rank^this"},
    {"tick_interval",
     Scalar::kDuration,
     Shape::kRange,
     {"1s..2s", "1.5s..2.5s"},
     "time between timer ticks, uniform (Linux: tickless kernel, fewer wake-ups)",
     0.001},
    {"tick_pages",
     Scalar::kCount,
     Shape::kRange,
     {"2..6", "2..4"},
     "hot pages a tick touches (one timestamp)",
     1},
    {"write_share",
     Scalar::kNumber,
     Shape::kSingle,
     {"0.35", "0.2"},
     "target share of writes: sets the share of data pages",
     0,
     1},
    {"data_write_prob", Scalar::kNumber, Shape::kSingle, {"0.7"}, "write probability of a data page", 0, 1},
    {"readmostly_write_prob",
     Scalar::kNumber,
     Shape::kSingle,
     {"0.03"},
     "write probability of a code or read-mostly page",
     0,
     1},
    {"poll_period",
     Scalar::kDuration,
     Shape::kSingle,
     {"300s", "600s"},
     "mail/IM polling: mean time between bursts",
     1},
    {"poll_pages", Scalar::kCount, Shape::kRange, {"50..300"}, "distinct pages a polling burst touches", 1},
    {"poll_pool",
     Scalar::kCount,
     Shape::kSingle,
     {"5000", "4000"},
     "resident pages polling bursts revisit",
     1},
    {"poll_regions", Scalar::kCount, Shape::kSingle, {"6", "4"}, "regions the polling pool lies in", 1},
    {"poll_growth", Scalar::kNumber, Shape::kSingle, {"120", "100"}, "new pages per polling burst at t = 0"},
    {"poll_growth_tau",
     Scalar::kDuration,
     Shape::kSingle,
     {"2400s"},
     "time constant of the decay of growth",
     1},
    {"poll_growth_floor",
     Scalar::kNumber,
     Shape::kSingle,
     {"3"},
     "new pages per polling burst in the long run"},
    {"poll_hot_share",
     Scalar::kNumber,
     Shape::kSingle,
     {"0.1"},
     "share of a polling burst's pages from the hot set",
     0,
     1},
    {"daemon_period",
     Scalar::kDuration,
     Shape::kSingle,
     {"75s", "60s"},
     "services (Windows) or daemons (Linux): mean time between bursts",
     1},
    {"daemon_pages",
     Scalar::kCount,
     Shape::kRange,
     {"20..80", "20..60"},
     "distinct pages a service burst touches",
     1},
    {"daemon_pool",
     Scalar::kCount,
     Shape::kSingle,
     {"4000", "3000"},
     "resident pages service bursts revisit",
     1},
    {"daemon_regions", Scalar::kCount, Shape::kSingle, {"5", "4"}, "regions the service pool lies in", 1},
    {"daemon_growth", Scalar::kNumber, Shape::kSingle, {"15", "10"}, "new pages per service burst at t = 0"},
    {"daemon_growth_tau",
     Scalar::kDuration,
     Shape::kSingle,
     {"1800s"},
     "time constant of the decay of growth",
     1},
    {"daemon_growth_floor",
     Scalar::kNumber,
     Shape::kSingle,
     {"0.5"},
     "new pages per service burst in the long run"},
    {"daemon_hot_share",
     Scalar::kNumber,
     Shape::kSingle,
     {"0.15"},
     "share of a service burst's pages from the hot set",
     0,
     1},
    {"pool_region_pages",
     Scalar::kCount,
     Shape::kRange,
     {"8192..65536"},
     "size of each pool region, uniform",
     64},
    {"pool_zipf",
     Scalar::kNumber,
     Shape::kSingle,
     {"0.6"},
     "popularity of a pool's runs falls off as 1/rank^this"},
    {"run_pages", Scalar::kCount, Shape::kRange, {"4..48"}, "contiguous runs pools are built from", 1},
    {"period_jitter",
     Scalar::kNumber,
     Shape::kRange,
     {"0.8..1.2"},
     "each time between bursts is the period times this"},
    {"burst_length",
     Scalar::kDuration,
     Shape::kRange,
     {"50ms..600ms"},
     "a burst's accesses spread over this long"},
    {"burst_group", Scalar::kCount, Shape::kRange, {"1..8"}, "accesses of a burst sharing one timestamp", 1},
    {"burst_step",
     Scalar::kDuration,
     Shape::kRange,
     {"50us..2ms"},
     "at most this long between a burst's timestamps"},
};

using Run = std::vector<std::uint64_t>;

// Non-overlapping regions of the guest page space, and each touched page's write probability.
class Layout {
 public:
  Layout(RandomStream& rng, std::uint64_t vm_pages, std::uint64_t align, double write_share, double hi,
         double lo)
      : rng_(rng),
        vm_pages_(vm_pages),
        align_(align),
        write_share_(write_share),
        hi_(hi),
        lo_(lo),
        data_share_(hi > lo ? (write_share - lo) / (hi - lo) : 0.0) {}

  struct Region {
    std::uint64_t begin, end;
  };

  Region region(std::uint64_t length) {
    if (length + align_ >= vm_pages_) {
      throw InputError("--param",
                       fmt::format("a region of {} pages does not fit in vm_pages={}", length, vm_pages_));
    }
    for (int attempt = 0; attempt < 1000; ++attempt) {
      const std::uint64_t start = rng_.below(vm_pages_ - length) / align_ * align_;
      const bool clear = std::all_of(taken_.begin(), taken_.end(), [&](const Region& r) {
        return start + length <= r.begin || r.end <= start;
      });
      if (clear) {
        taken_.push_back({start, start + length});
        return taken_.back();
      }
    }
    throw InputError("--param",
                     fmt::format("the page space (vm_pages={}) is too crowded for the regions asked "
                                 "for: raise vm_pages or lower the region counts or sizes",
                                 vm_pages_));
  }

  bool touched(std::uint64_t gfn) const { return write_prob_.contains(gfn); }

  // Gives a page its write probability: data pages are written often, code and read-mostly pages
  // rarely; `mixed` pages (the hot set, whose few top pages carry much of the traffic) get one near
  // the profile's write share, so the total stays on target.
  void add(std::uint64_t gfn, bool mixed) {
    if (mixed) {
      write_prob_[gfn] = write_share_ * uniform(rng_, 0.5, 1.5);
    } else {
      write_prob_[gfn] = chance(rng_, data_share_) ? hi_ : lo_;
    }
  }

  // About n distinct new pages as contiguous runs inside the given regions.
  std::vector<Run> runs(const std::vector<Region>& regions, std::uint64_t n, Range run_pages, bool mixed) {
    std::vector<Run> out;
    std::uint64_t got = 0;
    for (int tries = 0; got < n && tries < 100000; ++tries) {
      const Region& r = regions[rng_.below(regions.size())];
      const std::uint64_t length =
          std::min({static_cast<std::uint64_t>(uniform_int(rng_, static_cast<std::int64_t>(run_pages.lo),
                                                           static_cast<std::int64_t>(run_pages.hi))),
                    n - got, r.end - r.begin});
      const std::uint64_t start = r.begin + rng_.below(std::max<std::uint64_t>(1, r.end - r.begin - length));
      Run run;
      for (std::uint64_t g = start; g < start + length; ++g) {
        if (!touched(g)) {
          add(g, mixed);
          run.push_back(g);
        }
      }
      if (!run.empty()) {
        got += run.size();
        out.push_back(std::move(run));
      }
    }
    return out;
  }

  bool write(std::uint64_t gfn) { return uniform01(rng_) < write_prob_.at(gfn); }
  RandomStream& rng() { return rng_; }

 private:
  RandomStream& rng_;
  std::uint64_t vm_pages_, align_;
  double write_share_, hi_, lo_, data_share_;
  std::vector<Region> taken_;
  std::unordered_map<std::uint64_t, double> write_prob_;
};

// New pages of a slowly growing working set: allocated contiguously, region by region.
class Grower {
 public:
  Grower(Layout& layout, std::vector<Layout::Region> regions)
      : layout_(layout), regions_(std::move(regions)) {}

  Run take(std::uint64_t n) {
    RandomStream& rng = layout_.rng();
    Run out;
    for (int steps = 0; out.size() < n && steps < 1'000'000; ++steps) {
      if (!has_cursor_ || chance(rng, 0.02)) {  // now and then the allocator moves elsewhere
        const auto& r = regions_[rng.below(regions_.size())];
        cursor_ = Layout::Region{r.begin + rng.below(r.end - r.begin), r.end};
        has_cursor_ = true;
      }
      if (cursor_.begin >= cursor_.end) {
        has_cursor_ = false;
        continue;
      }
      const std::uint64_t g = cursor_.begin++;
      if (!layout_.touched(g)) {
        layout_.add(g, false);
        out.push_back(g);
      }
    }
    return out;
  }

 private:
  Layout& layout_;
  std::vector<Layout::Region> regions_;
  Layout::Region cursor_{0, 0};  // the next page to allocate .. the end of its region
  bool has_cursor_ = false;
};

std::int64_t draw_count(RandomStream& rng, Range r) {
  return uniform_int(rng, static_cast<std::int64_t>(r.lo), static_cast<std::int64_t>(r.hi));
}

}  // namespace

std::span<const ParamSpec> IdleVmModel::param_specs() { return kSpecs; }
std::span<const std::string_view> IdleVmModel::profiles() { return kProfiles; }

IdleVmModel::IdleVmModel(const Params& p)
    : vm_pages_(p.number("vm_pages")),
      region_align_(p.number("region_align")),
      hot_pages_(p.number("hot_pages")),
      hot_regions_(p.number("hot_regions")),
      hot_region_pages_(p.range("hot_region_pages")),
      hot_zipf_(p.number("hot_zipf")),
      tick_interval_(p.range("tick_interval")),
      tick_pages_(p.range("tick_pages")),
      write_share_(p.number("write_share")),
      data_write_prob_(p.number("data_write_prob")),
      readmostly_write_prob_(p.number("readmostly_write_prob")),
      components_{{p.number("poll_period"), p.range("poll_pages"), p.number("poll_pool"),
                   p.number("poll_regions"), p.number("poll_growth"), p.number("poll_growth_tau"),
                   p.number("poll_growth_floor"), p.number("poll_hot_share")},
                  {p.number("daemon_period"), p.range("daemon_pages"), p.number("daemon_pool"),
                   p.number("daemon_regions"), p.number("daemon_growth"), p.number("daemon_growth_tau"),
                   p.number("daemon_growth_floor"), p.number("daemon_hot_share")}},
      pool_region_pages_(p.range("pool_region_pages")),
      pool_zipf_(p.number("pool_zipf")),
      run_pages_(p.range("run_pages")),
      period_jitter_(p.range("period_jitter")),
      burst_length_(p.range("burst_length")),
      burst_group_(p.range("burst_group")),
      burst_step_(p.range("burst_step")) {}

std::vector<PageEvent> IdleVmModel::generate(RandomStream& rng, std::int64_t length_us) const {
  constexpr double kUs = 1e6;
  const double end_us = static_cast<double>(length_us);
  Layout lay(rng, static_cast<std::uint64_t>(vm_pages_), static_cast<std::uint64_t>(region_align_),
             write_share_, data_write_prob_, readmostly_write_prob_);
  std::vector<PageEvent> events;

  // Hot set: kernel and timer pages in a few clustered regions; Zipf-like popularity.
  std::vector<Layout::Region> hot_regions;
  for (int i = 0; i < static_cast<int>(hot_regions_); ++i) {
    hot_regions.push_back(lay.region(static_cast<std::uint64_t>(draw_count(rng, hot_region_pages_))));
  }
  std::vector<std::uint64_t> hot;
  for (const Run& run : lay.runs(hot_regions, static_cast<std::uint64_t>(hot_pages_), run_pages_, true)) {
    hot.insert(hot.end(), run.begin(), run.end());
  }
  if (hot.empty()) throw InputError("--param", "no room for the hot set: raise vm_pages or hot_region_pages");
  for (std::size_t i = hot.size(); i > 1; --i) std::swap(hot[i - 1], hot[rng.below(i)]);  // popularity order
  const std::vector<double> hot_cum = zipf_cumulative(hot.size(), hot_zipf_);
  auto hot_page = [&] { return hot[pick_cumulative(rng, hot_cum)]; };

  // Timer ticks: a few hot pages, all at one timestamp.
  std::unordered_set<std::uint64_t> seen;
  for (double t = uniform(rng, 0, tick_interval_.hi) * kUs; t < end_us;
       t += uniform(rng, tick_interval_.lo, tick_interval_.hi) * kUs) {
    const auto ts = static_cast<std::int64_t>(t);
    seen.clear();
    for (std::int64_t k = draw_count(rng, tick_pages_); k > 0; --k) {
      const std::uint64_t g = hot_page();
      if (seen.insert(g).second) events.push_back({ts, g, lay.write(g)});
    }
  }

  // Periodic bursts: a pool of resident pages touched again and again, plus slow growth.
  for (const Component& c : components_) {
    std::vector<Layout::Region> regions;
    for (int i = 0; i < static_cast<int>(c.regions); ++i) {
      regions.push_back(lay.region(static_cast<std::uint64_t>(draw_count(rng, pool_region_pages_))));
    }
    std::vector<Run> pool = lay.runs(regions, static_cast<std::uint64_t>(c.pool), run_pages_, false);
    std::vector<double> pool_w;
    for (std::size_t i = 0; i < pool.size(); ++i)
      pool_w.push_back(1.0 / std::pow(static_cast<double>(i + 1), pool_zipf_));
    Grower grow(lay, regions);
    std::vector<double> pool_cum;
    std::vector<std::uint64_t> pages;
    std::unordered_set<std::uint64_t> chosen;
    for (double t = uniform(rng, 0.1, 1.0) * c.period_s * kUs; t < end_us - kUs;
         t += c.period_s * uniform(rng, period_jitter_.lo, period_jitter_.hi) * kUs) {
      const std::int64_t size = draw_count(rng, c.pages);
      const double g_now = c.growth * std::exp(-t / kUs / c.tau_s) + c.floor;
      const std::int64_t n_new = std::min<std::int64_t>(
          size / 2, static_cast<std::int64_t>(g_now * uniform(rng, 0.5, 1.5) + uniform01(rng)));
      const auto n_hot = static_cast<std::int64_t>(static_cast<double>(size) * c.hot_share);
      pages.clear();
      chosen.clear();
      for (std::int64_t i = 0; i < n_hot; ++i) {
        const std::uint64_t g = hot_page();
        if (chosen.insert(g).second) pages.push_back(g);
      }
      const auto want = static_cast<std::size_t>(size - n_new);
      pool_cum.clear();
      double acc = 0.0;
      for (double w : pool_w) pool_cum.push_back(acc += w);
      for (int tries = 0; !pool.empty() && pages.size() < want && tries < 200; ++tries) {
        const Run& run = pool[pick_cumulative(rng, pool_cum)];
        const std::size_t a = rng.below(run.size());
        const std::size_t len =
            static_cast<std::size_t>(uniform_int(rng, 1, static_cast<std::int64_t>(run.size())));
        for (std::size_t j = a; j < std::min(run.size(), a + len); ++j) {
          if (pages.size() < want && chosen.insert(run[j]).second) pages.push_back(run[j]);
        }
      }
      Run fresh = grow.take(static_cast<std::uint64_t>(std::max<std::int64_t>(0, n_new)));
      pages.insert(pages.end(), fresh.begin(), fresh.end());
      if (!fresh.empty()) {
        pool.push_back(std::move(fresh));
        pool_w.push_back(pool_w[pool_w.size() / 2]);  // new pages: middling popularity
      }

      // Spread over the burst in groups of accesses that share one timestamp.
      const double span = uniform(rng, burst_length_.lo, burst_length_.hi) * kUs;
      const double step = span / static_cast<double>(std::max<std::size_t>(1, pages.size() / 4));
      double ts = t;
      for (std::size_t i = 0; i < pages.size();) {
        const auto k = static_cast<std::size_t>(draw_count(rng, burst_group_));
        for (std::size_t j = i; j < std::min(pages.size(), i + k); ++j) {
          if (ts < end_us) events.push_back({static_cast<std::int64_t>(ts), pages[j], lay.write(pages[j])});
        }
        i += k;
        ts += std::min(step, uniform(rng, burst_step_.lo, burst_step_.hi) * kUs);
      }
    }
  }

  std::stable_sort(events.begin(), events.end(),
                   [](const PageEvent& a, const PageEvent& b) { return a.time_us < b.time_us; });
  return events;
}

}  // namespace jettison::traces
