// The QEMU end of a QMP conversation for unit tests: one end of a socketpair that a test thread
// scripts line by line (greeting, replies, events, hang-ups), the other end for the QmpClient.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>

#include "emu/sys/unique_fd.hpp"

namespace jettison::emu::testing {

class FakeQmpPeer {
 public:
  // Makes the pair; the client end is taken with take_client_end().
  FakeQmpPeer() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
      throw std::runtime_error("socketpair");
    server_ = UniqueFd(fds[0]);
    client_ = UniqueFd(fds[1]);
  }
  UniqueFd take_client_end() { return std::move(client_); }

  void send_raw(const std::string& bytes) {
    std::size_t off = 0;
    while (off < bytes.size()) {
      const ssize_t n = ::send(server_.get(), bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("fake QMP peer: send failed");
      off += static_cast<std::size_t>(n);
    }
  }
  void send(const nlohmann::json& msg) { send_raw(msg.dump() + "\r\n"); }
  void greet() {
    send(
        {{"QMP",
          {{"version", {{"qemu", {{"major", 7}, {"minor", 2}, {"micro", 0}}}}}, {"capabilities", {"oob"}}}}});
  }
  // A timestamped event as QEMU sends it.
  void event(const std::string& name, nlohmann::json data = nullptr, std::int64_t seconds = 1'700'000'000) {
    nlohmann::json msg = {{"event", name}, {"timestamp", {{"seconds", seconds}, {"microseconds", 250}}}};
    if (!data.is_null()) msg["data"] = std::move(data);
    send(msg);
  }
  // The next request line (within 10 s), parsed.
  nlohmann::json read_request() {
    for (;;) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        auto line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return nlohmann::json::parse(line);
      }
      pollfd pfd{server_.get(), POLLIN, 0};
      if (::poll(&pfd, 1, 10'000) != 1) throw std::runtime_error("fake QMP peer: no request within 10 s");
      char chunk[4096];
      const ssize_t n = ::read(server_.get(), chunk, sizeof(chunk));
      if (n <= 0) throw std::runtime_error("fake QMP peer: client closed");
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  // Reads a request for `command` and answers it with `ret`; returns the request.
  nlohmann::json answer(const std::string& command, nlohmann::json ret = nlohmann::json::object()) {
    auto req = read_request();
    if (req.value("execute", "") != command)
      throw std::runtime_error("fake QMP peer: expected " + command + ", got " + req.dump());
    send({{"return", std::move(ret)}, {"id", req["id"]}});
    return req;
  }
  // Greeting plus the capabilities exchange.
  void handshake() {
    greet();
    answer("qmp_capabilities");
  }
  void hang_up() { server_.reset(); }

 private:
  UniqueFd server_, client_;
  std::string buffer_;
};

}  // namespace jettison::emu::testing
