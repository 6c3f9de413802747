// A multiset of latencies (non-negative integer microseconds) for exact percentiles, in memory that
// grows with the number of *distinct* values rather than with the number of samples: a run's
// return latencies (one per period that slept) mostly repeat a few resume times.
//
// Samples are appended to a small buffer; a full buffer is sorted and merged into the sorted,
// run-length coded store: each distinct value once, followed by -(n - 1) when it occurs n > 1 times.
// So the store never takes more than 8 bytes a sample (all distinct) and takes 16 bytes a value
// however often it repeats; the buffer adds at most 1/8 of the store (or 4096 samples).
// Percentiles are those of the sorted samples (nearest rank, latency_summary.hpp), whatever the
// order the samples came in.
#pragma once

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/metrics/latency_summary.hpp"

namespace jettison::sim {

class LatencySamples {
 public:
  void add(std::int64_t us);
  void add(const LatencySamples& other);  // every sample of `other`
  std::uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  LatencySummary summary() const;
  // Every sample, sorted (tests, small runs).
  std::vector<std::int64_t> values() const;
  // Bytes held (store and buffer capacity), for memory accounting.
  std::size_t bytes() const { return (store_.capacity() + buffer_.capacity()) * sizeof(std::int64_t); }

 private:
  static constexpr std::size_t kMinBuffer = 4096;
  // Merges the buffer into the store. Logically const: the samples stay the same.
  void flush() const;
  // Calls f(value, n) for each distinct value in increasing order (after a flush).
  template <class F>
  void for_each_run(F&& f) const;

  mutable std::vector<std::int64_t> store_;
  mutable std::vector<std::int64_t> buffer_;
  std::uint64_t count_ = 0;
};

inline LatencySummary summarize(const LatencySamples& samples) { return samples.summary(); }

namespace latency_samples_detail {

// Appends `value` occurring `n` times to a store (values increasing).
inline void append_run(std::vector<std::int64_t>& store, std::int64_t value, std::uint64_t n) {
  store.push_back(value);
  if (n > 1) store.push_back(-static_cast<std::int64_t>(n - 1));
}

}  // namespace latency_samples_detail

template <class F>
void LatencySamples::for_each_run(F&& f) const {
  for (std::size_t i = 0; i < store_.size();) {
    const std::int64_t value = store_[i++];
    std::uint64_t n = 1;
    if (i < store_.size() && store_[i] < 0) n += static_cast<std::uint64_t>(-store_[i++]);
    f(value, n);
  }
}

inline void LatencySamples::add(std::int64_t us) {
  assert(us >= 0 && "latencies are not negative");
  buffer_.push_back(us);
  ++count_;
  if (buffer_.size() >= std::max(kMinBuffer, store_.size() / 8)) flush();
}

inline void LatencySamples::add(const LatencySamples& other) {
  other.flush();
  other.for_each_run([&](std::int64_t value, std::uint64_t n) {
    for (std::uint64_t k = 0; k < n; ++k) add(value);
  });
}

inline void LatencySamples::flush() const {
  if (buffer_.empty()) return;
  std::sort(buffer_.begin(), buffer_.end());
  std::vector<std::int64_t> merged;
  merged.reserve(store_.size() + buffer_.size());
  std::size_t b = 0;
  // Moves the buffered values below `limit` to the merged store, a run for each distinct value.
  auto take_buffered_below = [&](std::int64_t limit) {
    while (b < buffer_.size() && buffer_[b] < limit) {
      const std::int64_t v = buffer_[b];
      std::uint64_t n = 0;
      while (b < buffer_.size() && buffer_[b] == v) ++b, ++n;
      latency_samples_detail::append_run(merged, v, n);
    }
  };
  for_each_run([&](std::int64_t value, std::uint64_t n) {
    // Buffered values below this one come first; equal ones join its run.
    take_buffered_below(value);
    while (b < buffer_.size() && buffer_[b] == value) ++b, ++n;
    latency_samples_detail::append_run(merged, value, n);
  });
  take_buffered_below(std::numeric_limits<std::int64_t>::max());
  if (b < buffer_.size())
    latency_samples_detail::append_run(merged, buffer_[b], buffer_.size() - b);  // all the largest int64
  store_.swap(merged);
  if (store_.capacity() > store_.size() + store_.size() / 4 + 16) store_.shrink_to_fit();  // repeats merged
  buffer_.clear();
  if (buffer_.capacity() > kMinBuffer && buffer_.capacity() > store_.size() / 4) buffer_.shrink_to_fit();
}

inline LatencySummary LatencySamples::summary() const {
  flush();
  LatencySummary s;
  s.count = count_;
  if (count_ == 0) return s;
  // Nearest rank, as summarize(std::vector): the k-th smallest sample (1-based), k = ceil(p/100 * n).
  auto rank = [&](double p) {
    const auto k = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
    return k == 0 ? 1 : k;
  };
  const std::uint64_t k50 = rank(50), k95 = rank(95), k99 = rank(99);
  std::uint64_t seen = 0;
  for_each_run([&](std::int64_t value, std::uint64_t n) {
    const std::uint64_t first = seen + 1;
    seen += n;
    auto hit = [&](std::uint64_t k) { return k >= first && k <= seen; };
    if (hit(k50)) s.p50 = Duration::micros(value);
    if (hit(k95)) s.p95 = Duration::micros(value);
    if (hit(k99)) s.p99 = Duration::micros(value);
    s.max = Duration::micros(value);
  });
  return s;
}

inline std::vector<std::int64_t> LatencySamples::values() const {
  flush();
  std::vector<std::int64_t> v;
  v.reserve(count_);
  for_each_run([&](std::int64_t value, std::uint64_t n) { v.insert(v.end(), n, value); });
  return v;
}

}  // namespace jettison::sim
