// A failure to build, find, start or stop a QEMU process. The message names the binary (or the spec
// field at fault) and, for a QEMU that failed, quotes the last lines of its log.
#pragma once

#include <stdexcept>

namespace jettison::emu {

class QemuError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace jettison::emu
