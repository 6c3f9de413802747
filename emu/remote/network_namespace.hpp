// The network namespace a thread was in when an object was made, so that sockets opened later (a
// reconnect from the fetcher's thread) land in the same namespace: run_in() runs a function there,
// in the calling thread when it already is, else in a short-lived thread that joined it (setns).
#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <thread>

#include "emu/sys/unique_fd.hpp"

namespace jettison::emu {

class NetworkNamespace {
 public:
  // The calling thread's namespace.
  static NetworkNamespace current();

  // Runs `fn` in this namespace and returns when it has; its exceptions propagate.
  void run_in(const std::function<void()>& fn) const;

 private:
  NetworkNamespace(UniqueFd fd, unsigned long dev, unsigned long inode);
  bool is_current() const;

  UniqueFd fd_;
  unsigned long dev_ = 0, inode_ = 0;
};

}  // namespace jettison::emu
