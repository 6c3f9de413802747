// The consolidation server: memory held by hosted VMs, the peak of it, and admission.
#pragma once

#include <cstdint>

#include "common/quantity.hpp"

namespace jettison::sim {

class Server {
 public:
  explicit Server(Bytes capacity) : capacity_(capacity) {}

  // Reserves `b` for a VM arriving; false (and a refusal counted) when it does not fit.
  bool admit(Bytes b) {
    if (used_ + b > capacity_) {
      ++refusals_;
      return false;
    }
    grow(b);
    return true;
  }
  void grow(Bytes b) {
    used_ += b;
    if (used_ > peak_) peak_ = used_;
  }
  void release(Bytes b) { used_ -= b; }

  Bytes used() const { return used_; }
  Bytes peak() const { return peak_; }
  std::uint64_t refusals() const { return refusals_; }

 private:
  Bytes capacity_;
  Bytes used_;
  Bytes peak_;
  std::uint64_t refusals_ = 0;
};

}  // namespace jettison::sim
