// A joinable thread with a stack of a chosen size (std::thread cannot set one; glibc's default is
// 8 MiB of address space per thread). The memory server runs each connection on one of these.
#pragma once

#include <pthread.h>

#include <concepts>
#include <cstddef>
#include <memory>
#include <utility>

namespace jettison::emu {

class SmallStackThread {
 public:
  SmallStackThread() = default;
  // Starts `body` (anything callable without arguments) on a new thread with a stack of `stack_bytes` (at
  // least PTHREAD_STACK_MIN). Throws std::system_error when the thread cannot be created (e.g. EAGAIN at the
  // process's limit).
  template <std::invocable F>
  SmallStackThread(std::size_t stack_bytes, F&& body)
      : SmallStackThread(stack_bytes, std::make_unique<Body<std::decay_t<F>>>(std::forward<F>(body))) {}
  SmallStackThread(SmallStackThread&& other) noexcept : thread_(other.thread_), joinable_(other.joinable_) {
    other.joinable_ = false;
  }
  SmallStackThread& operator=(SmallStackThread&& other) noexcept;
  SmallStackThread(const SmallStackThread&) = delete;
  SmallStackThread& operator=(const SmallStackThread&) = delete;
  ~SmallStackThread() { join(); }

  bool joinable() const { return joinable_; }
  void join();

 private:
  struct Task {
    virtual ~Task() = default;
    virtual void run() = 0;
  };
  template <class F>
  struct Body final : Task {
    explicit Body(F f) : fn(std::move(f)) {}
    void run() override { fn(); }
    F fn;
  };
  SmallStackThread(std::size_t stack_bytes, std::unique_ptr<Task> task);
  static void* trampoline(void* task);

  pthread_t thread_{};
  bool joinable_ = false;
};

}  // namespace jettison::emu
