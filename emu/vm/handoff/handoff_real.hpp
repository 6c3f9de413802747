// The libc functions the hand-off library interposes, found with dlsym(RTLD_NEXT) on first use (an
// interposed call may come before the library's constructor has run).
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace jettison::emu::handoff {

struct RealCalls {
  int (*open)(const char*, int, ...);
  int (*open64)(const char*, int, ...);
  int (*openat)(int, const char*, int, ...);
  int (*openat64)(int, const char*, int, ...);
  int (*open_2)(const char*, int);  // glibc's _FORTIFY_SOURCE entry points (QEMU uses __open64_2)
  int (*open64_2)(const char*, int);
  int (*openat_2)(int, const char*, int);
  int (*openat64_2)(int, const char*, int);
  void* (*mmap)(void*, std::size_t, int, int, int, off_t);
  void* (*mmap64)(void*, std::size_t, int, int, int, off64_t);
};

// Every entry resolved (an entry libc lacks aborts with a message: nothing sensible can follow).
const RealCalls& real();

}  // namespace jettison::emu::handoff
