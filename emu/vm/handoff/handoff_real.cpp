// The interposed libc functions' real definitions (see handoff_real.hpp).
#include "emu/vm/handoff/handoff_real.hpp"

#include <dlfcn.h>

#include <atomic>
#include <cstdlib>

#include "emu/vm/handoff/handoff_log.hpp"

namespace jettison::emu::handoff {
namespace {

template <class F>
void resolve(F& slot, const char* name) {
  void* symbol = ::dlsym(RTLD_NEXT, name);
  if (symbol == nullptr) {
    log_alert("dlsym(RTLD_NEXT, %s) found nothing; cannot forward the call", name);
    std::abort();
  }
  slot = reinterpret_cast<F>(symbol);
}

RealCalls g_real;
std::atomic<bool> g_resolved{false};

}  // namespace

const RealCalls& real() {
  // Resolving twice from two threads at once writes the same values: harmless.
  if (!g_resolved.load(std::memory_order_acquire)) {
    RealCalls r{};
    resolve(r.open, "open");
    resolve(r.open64, "open64");
    resolve(r.openat, "openat");
    resolve(r.openat64, "openat64");
    resolve(r.open_2, "__open_2");
    resolve(r.open64_2, "__open64_2");
    resolve(r.openat_2, "__openat_2");
    resolve(r.openat64_2, "__openat64_2");
    resolve(r.mmap, "mmap");
    resolve(r.mmap64, "mmap64");
    g_real = r;
    g_resolved.store(true, std::memory_order_release);
  }
  return g_real;
}

}  // namespace jettison::emu::handoff
