#include "emu/memserver/small_stack_thread.hpp"

#include <limits.h>

#include <algorithm>
#include <exception>
#include <system_error>

namespace jettison::emu {

SmallStackThread::SmallStackThread(std::size_t stack_bytes, std::unique_ptr<Task> task) {
  pthread_attr_t attr;
  if (const int rc = ::pthread_attr_init(&attr); rc != 0)
    throw std::system_error(rc, std::generic_category(), "pthread_attr_init");
  int rc = ::pthread_attr_setstacksize(&attr, std::max<std::size_t>(stack_bytes, PTHREAD_STACK_MIN));
  if (rc == 0) rc = ::pthread_create(&thread_, &attr, &SmallStackThread::trampoline, task.get());
  ::pthread_attr_destroy(&attr);
  if (rc != 0) throw std::system_error(rc, std::generic_category(), "pthread_create");
  (void)task.release();  // the thread owns it now
  joinable_ = true;
}

SmallStackThread& SmallStackThread::operator=(SmallStackThread&& other) noexcept {
  if (this != &other) {
    join();
    thread_ = other.thread_;
    joinable_ = std::exchange(other.joinable_, false);
  }
  return *this;
}

void SmallStackThread::join() {
  if (!joinable_) return;
  ::pthread_join(thread_, nullptr);
  joinable_ = false;
}

void* SmallStackThread::trampoline(void* task) {
  std::unique_ptr<Task> t(static_cast<Task*>(task));
  try {
    t->run();
  } catch (...) {
    std::terminate();  // as with std::thread: the body must handle its own failures
  }
  return nullptr;
}

}  // namespace jettison::emu
