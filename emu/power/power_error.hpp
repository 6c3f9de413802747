// A failure of the power machinery (a socket, an ioctl, a sysfs write, a refused suspend). The message
// names the interface or file concerned and the failing call with errno's text.
#pragma once

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace jettison::emu {

class PowerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "<where>: <call>: <strerror(err)>", for a failed system call on an interface or a file.
inline PowerError sys_error(const std::string& where, const std::string& call, int err = errno) {
  return PowerError(where + ": " + call + ": " + std::strerror(err));
}

}  // namespace jettison::emu
