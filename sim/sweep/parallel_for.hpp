// Runs fn(0) ... fn(n-1) on up to `threads` threads (the caller's among them), indices taken in
// order. After a failure no further index starts; once every thread stopped, the failure of the
// lowest index is rethrown. Since indices start in order, every index below a failed one ran, so
// that is the lowest failing index of all: the error reported does not depend on timing.
#pragma once

#include <cstddef>
#include <functional>

namespace jettison::sim {

void parallel_for(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& fn);

// `requested` threads, or one per core when 0, but never more than `n` nor fewer than 1.
unsigned thread_count(unsigned requested, std::size_t n);

}  // namespace jettison::sim
