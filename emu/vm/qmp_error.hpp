// The typed failures of a QMP conversation: QEMU refused a command (QmpCommandError), no answer came
// in time (QmpTimeout), the socket closed (QmpDisconnected), or the peer broke the protocol
// (QmpError itself: a bad greeting, a line that is not JSON or longer than the bound).
#pragma once

#include <stdexcept>
#include <string>

namespace jettison::emu {

class QmpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// QEMU answered {"error": {"class": ..., "desc": ...}}. The message names the command, class and desc.
class QmpCommandError : public QmpError {
 public:
  QmpCommandError(std::string command, std::string error_class, std::string desc)
      : QmpError("QMP command '" + command + "' failed: " + error_class + ": " + desc),
        command_(std::move(command)),
        class_(std::move(error_class)),
        desc_(std::move(desc)) {}
  const std::string& command() const { return command_; }
  const std::string& error_class() const { return class_; }
  const std::string& desc() const { return desc_; }

 private:
  std::string command_, class_, desc_;
};

// No answer to `command` (or no connection, command "connect") before the deadline.
class QmpTimeout : public QmpError {
 public:
  QmpTimeout(std::string command, const std::string& socket, const std::string& waited)
      : QmpError("QMP " + socket + ": no answer to '" + command + "' within " + waited),
        command_(std::move(command)) {}
  const std::string& command() const { return command_; }

 private:
  std::string command_;
};

// The peer closed the socket (or a read/write on it failed). The message names the socket.
class QmpDisconnected : public QmpError {
 public:
  QmpDisconnected(std::string socket, const std::string& detail)
      : QmpError("QMP " + socket + ": disconnected (" + detail + ")"), socket_(std::move(socket)) {}
  const std::string& socket() const { return socket_; }

 private:
  std::string socket_;
};

}  // namespace jettison::emu
