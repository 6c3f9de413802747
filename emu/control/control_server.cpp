#include "emu/control/control_server.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

namespace jettison::emu {
namespace {

constexpr std::size_t kMaxRequest = 64 * 1024;
constexpr int kRequestMillis = 5000;

sockaddr_un address_of(const std::filesystem::path& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  const std::string s = path.string();
  if (s.empty() || s.size() >= sizeof a.sun_path)
    throw std::runtime_error(fmt::format("control socket '{}': path empty or too long", s));
  std::memcpy(a.sun_path, s.c_str(), s.size() + 1);
  return a;
}

// Reads one line (without its newline) within `millis`; nullopt on timeout, EOF first or oversize.
std::optional<std::string> read_line(int fd, int millis, std::string& why) {
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(millis);
  char buf[4096];
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      why = "timed out";
      return std::nullopt;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (!line.empty()) return line;
      why = "closed before a whole line";
      return std::nullopt;
    }
    line.append(buf, static_cast<std::size_t>(n));
    if (const auto nl = line.find('\n'); nl != std::string::npos) return line.substr(0, nl);
    if (line.size() > kMaxRequest) {
      why = fmt::format("longer than {} bytes", kMaxRequest);
      return std::nullopt;
    }
  }
}

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

ControlServer::ControlServer(std::filesystem::path path, Handler handler)
    : path_(std::move(path)), handler_(std::move(handler)) {
  const sockaddr_un addr = address_of(path_);
  std::error_code ec;
  if (std::filesystem::exists(path_, ec)) {
    if (!std::filesystem::is_socket(path_, ec))
      throw std::runtime_error(
          fmt::format("control socket '{}': exists and is not a socket", path_.string()));
    std::filesystem::remove(path_, ec);
  }
  listener_ = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener_) throw std::runtime_error(fmt::format("control socket: {}", std::strerror(errno)));
  const mode_t old = ::umask(0077);
  const int bound = ::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  const int err = errno;
  ::umask(old);
  if (bound != 0 || ::listen(listener_.get(), 8) != 0)
    throw std::runtime_error(fmt::format("control socket '{}': {}", path_.string(), std::strerror(err)));
  stop_ = UniqueFd(::eventfd(0, EFD_CLOEXEC));
  thread_ = std::thread([this] { run(); });
}

ControlServer::~ControlServer() {
  const std::uint64_t one = 1;
  if (stop_) (void)!::write(stop_.get(), &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

void ControlServer::run() {
  while (true) {
    pollfd p[2] = {{listener_.get(), POLLIN, 0}, {stop_.get(), POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (p[1].revents != 0) return;
    if ((p[0].revents & POLLIN) == 0) continue;
    UniqueFd conn(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (conn) serve(conn.get());
  }
}

void ControlServer::serve(int conn) {
  nlohmann::json answer;
  std::string why;
  const std::optional<std::string> line = read_line(conn, kRequestMillis, why);
  try {
    if (!line) throw std::runtime_error(fmt::format("request {}", why));
    nlohmann::json request;
    try {
      request = nlohmann::json::parse(*line);
    } catch (const std::exception& e) {
      throw std::runtime_error(fmt::format("request is not JSON: {}", e.what()));
    }
    if (!request.is_object() || !request.contains("cmd") || !request["cmd"].is_string())
      throw std::runtime_error(R"(request must be an object with a string "cmd")");
    answer = handler_(request);
    if (!answer.is_object()) answer = nlohmann::json{{"result", answer}};
    answer["ok"] = true;
  } catch (const std::exception& e) {
    answer = nlohmann::json{{"ok", false}, {"error", e.what()}};
  }
  write_all(conn, answer.dump() + "\n");
}

nlohmann::json control_request(const std::filesystem::path& path, const nlohmann::json& request,
                               std::chrono::milliseconds timeout) {
  const sockaddr_un addr = address_of(path);
  UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error(fmt::format("control socket '{}': {}", path.string(), std::strerror(errno)));
  write_all(s.get(), request.dump() + "\n");
  std::string why;
  const std::optional<std::string> line = read_line(s.get(), static_cast<int>(timeout.count()), why);
  if (!line) throw std::runtime_error(fmt::format("control socket '{}': answer {}", path.string(), why));
  try {
    return nlohmann::json::parse(*line);
  } catch (const std::exception& e) {
    throw std::runtime_error(
        fmt::format("control socket '{}': answer is not JSON: {}", path.string(), e.what()));
  }
}

}  // namespace jettison::emu
