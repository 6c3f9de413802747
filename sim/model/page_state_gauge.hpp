// The bytes a process holds as page state of VMs that are away on a server (partial migration's
// window: PartialWindow and its page flags), now and at their peak. Issue 15's memory target is
// "under 1 KiB per desktop plus the page state of VMs currently hosted": bench/memory_slope.sh takes
// this peak (jettison-sim run --page-state-peak) off a partial run's peak RSS to state the rest per
// desktop. Counted for benchmarks only: no output file depends on it. Process-wide, so shards on
// threads add to one sum (relaxed atomics; the peak is the largest sum any change left).
#pragma once

#include <atomic>
#include <cstdint>

namespace jettison::sim {

class PageStateGauge {
 public:
  static void add(std::int64_t bytes) {
    const std::int64_t now = current_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
    std::int64_t peak = peak_.load(std::memory_order_relaxed);
    while (now > peak && !peak_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
  }
  static std::int64_t current() { return current_.load(std::memory_order_relaxed); }
  static std::int64_t peak() { return peak_.load(std::memory_order_relaxed); }

 private:
  static inline std::atomic<std::int64_t> current_{0};
  static inline std::atomic<std::int64_t> peak_{0};
};

// `n` bytes on the gauge for as long as this object lives (a copy counts them again).
class GaugedBytes {
 public:
  explicit GaugedBytes(std::int64_t n) : n_(n) { PageStateGauge::add(n_); }
  GaugedBytes(const GaugedBytes& o) : n_(o.n_) { PageStateGauge::add(n_); }
  GaugedBytes& operator=(const GaugedBytes& o) {
    PageStateGauge::add(o.n_ - n_);
    n_ = o.n_;
    return *this;
  }
  ~GaugedBytes() { PageStateGauge::add(-n_); }

 private:
  std::int64_t n_;
};

}  // namespace jettison::sim
