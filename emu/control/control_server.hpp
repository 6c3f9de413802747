// A daemon's local control socket: a UNIX stream socket (mode 0600: root or the daemon's user only)
// that takes one request per connection, a JSON object on one line ({"cmd": "status"}), and answers
// one JSON line ({"ok": true, ...} or {"ok": false, "error": "..."}). One thread; requests are small
// and bounded (64 KiB, 5 s to arrive); a malformed one gets an error answer naming what is wrong.
// `jettison-ctl` is the client.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "emu/sys/unique_fd.hpp"

namespace jettison::emu {

class ControlServer {
 public:
  // Called on the server's thread with the request object; returns the answer's fields (ok is added)
  // or throws (std::exception: the answer is {"ok": false, "error": what()}).
  using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;

  // Binds `path` (replacing a stale socket file; refusing to replace anything else) and starts.
  ControlServer(std::filesystem::path path, Handler handler);
  ~ControlServer();  // stops, removes the socket file
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  void run();
  void serve(int conn);

  std::filesystem::path path_;
  Handler handler_;
  UniqueFd listener_, stop_;
  std::thread thread_;
};

// One request to the control socket at `path`: the answer object. Throws std::runtime_error naming
// the socket when it cannot be reached or answers garbage.
nlohmann::json control_request(const std::filesystem::path& path, const nlohmann::json& request,
                               std::chrono::milliseconds timeout = std::chrono::seconds(120));

}  // namespace jettison::emu
