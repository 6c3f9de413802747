#include "traces/gen/page_model_generator.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "common/rng.hpp"
#include "traces/gen/model_random.hpp"

namespace jettison::traces {
namespace {

// The time (s) at which U(t) reaches `target` pages, or none before `end_s`. U is non-decreasing.
std::optional<double> time_of(const GrowthCurve& u, double target, double end_s) {
  if (target <= u.initial) return 0.0;
  if (u.pages_by(end_s) < target) return std::nullopt;
  double lo = 0, hi = end_s;
  for (int i = 0; i < 64 && hi - lo > 1e-7; ++i) {
    const double mid = (lo + hi) / 2;
    (u.pages_by(mid) < target ? lo : hi) = mid;
  }
  return hi;
}

// Geometric on 1, 2, ... with the given mean (>= 1).
std::uint64_t batch_size(RandomStream& rng, double mean) {
  if (mean <= 1) return 1;
  const double q = 1 - 1 / mean;  // P(size > k) = q^k
  return 1 + static_cast<std::uint64_t>(std::floor(std::log(1 - uniform01(rng)) / std::log(q)));
}

// The VM's page frames and which have been touched.
class PageSpace {
 public:
  explicit PageSpace(std::uint64_t pages) : touched_(pages, false) {}
  bool full() const { return count_ == touched_.size(); }
  std::uint64_t count() const { return count_; }

  // `want` if it is in range and untouched, else the next untouched page after it (wrapping).
  std::uint64_t take(std::int64_t want) {
    const auto n = static_cast<std::int64_t>(touched_.size());
    auto p = static_cast<std::uint64_t>(std::clamp<std::int64_t>(want, 0, n - 1));
    while (touched_[p]) p = p + 1 == touched_.size() ? 0 : p + 1;
    touched_[p] = true;
    ++count_;
    return p;
  }

 private:
  std::vector<bool> touched_;
  std::uint64_t count_ = 0;
};

std::int64_t near(RandomStream& rng, const PageModel& m, std::uint64_t prev, std::uint64_t vm_pages) {
  const double u = uniform01(rng);
  const auto p = static_cast<std::int64_t>(prev);
  const bool forward = chance(rng, 0.5);
  if (u < m.next_page) return p + 1;
  if (u < m.within_1) return p - 1;
  if (u < m.within_16) return p + (forward ? 1 : -1) * uniform_int(rng, 2, 16);
  if (u < m.within_256) return p + (forward ? 1 : -1) * uniform_int(rng, 17, 256);
  return static_cast<std::int64_t>(rng.below(vm_pages));
}

}  // namespace

ModelTrace generate_from_model(const PageModel& m, std::uint64_t vm_pages, std::uint64_t seed,
                               std::int64_t length_us) {
  if (vm_pages == 0 || vm_pages > kMaxModelVmPages)
    throw std::invalid_argument("generate_from_model: VM size");
  const double end_s = static_cast<double>(length_us) / 1e6;
  ModelTrace out;
  PageSpace space(vm_pages);

  // New pages, batch by batch.
  RandomStream rng(seed, "pages:model:new");
  std::vector<PageEvent> fresh;
  double arrivals = 0;  // of the unit-rate Poisson process behind the batches
  std::uint64_t prev = 0;
  while (!space.full()) {
    arrivals += exponential(rng, 1.0);
    const auto at = time_of(m.growth, arrivals * m.batch_mean_pages, end_s);
    if (!at) break;
    double t = *at;
    const std::uint64_t size = batch_size(rng, m.batch_mean_pages);
    for (std::uint64_t k = 0; k < size && !space.full(); ++k) {
      if (k > 0 && m.batch_gap_s > 0) t += exponential(rng, 1 / m.batch_gap_s);
      const auto us = static_cast<std::int64_t>(std::llround(t * 1e6));
      if (us >= length_us) break;
      const std::int64_t want =
          space.count() == 0 ? static_cast<std::int64_t>(rng.below(vm_pages)) : near(rng, m, prev, vm_pages);
      prev = space.take(want);
      fresh.push_back({us, prev, chance(rng, m.write_first)});
      if (space.full()) out.full_at_us = us;
    }
  }
  std::stable_sort(fresh.begin(), fresh.end(),
                   [](const PageEvent& a, const PageEvent& b) { return a.time_us < b.time_us; });
  out.unique_pages = fresh.size();

  // Re-touches, merged in time order (first touches first at equal times): each goes to a page
  // first touched at or before it.
  RandomStream re(seed, "pages:model:retouch");
  std::size_t next = 0;
  auto flush_until = [&](std::int64_t us) {
    while (next < fresh.size() && fresh[next].time_us <= us) out.events.push_back(fresh[next++]);
  };
  if (m.retouch_rate > 0) {
    for (double t = exponential(re, m.retouch_rate);; t += exponential(re, m.retouch_rate)) {
      const auto us = static_cast<std::int64_t>(std::llround(t * 1e6));
      if (us >= length_us) break;
      flush_until(us);
      const std::uint64_t pick = re.below(std::max<std::size_t>(next, 1));
      const bool write = chance(re, m.write_retouch);
      if (next > 0) out.events.push_back({us, fresh[pick].page, write});
    }
  }
  flush_until(length_us);
  return out;
}

}  // namespace jettison::traces
