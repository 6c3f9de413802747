// The QMP client: line framing with a bound, poll() deadlines on every read and write, request ids
// to pair replies with commands, and an event queue.
#include "emu/vm/qmp_client.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

namespace jettison::emu {
namespace {

using Clock = std::chrono::steady_clock;

// Duration::max() in microseconds overflows a nanosecond clock: cap a deadline at ~30 years away.
Clock::time_point deadline_after(Duration d) {
  constexpr std::int64_t kCapUs = std::int64_t{1'000'000'000} * 1'000'000;
  return Clock::now() + std::chrono::microseconds(std::clamp<std::int64_t>(d.us(), 0, kCapUs));
}

// Milliseconds to `deadline`, rounded up, for poll().
int poll_millis(Clock::time_point deadline) {
  const auto left = deadline - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return static_cast<int>(std::min<std::int64_t>(ms, 1'000'000));
}

std::string describe(Duration d) {
  if (d.us() % 1'000'000 == 0) return fmt::format("{} s", d.us() / 1'000'000);
  return fmt::format("{} ms", d.us() / 1000);
}

void set_nonblocking(int fd, const std::string& name) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
    throw QmpError(fmt::format("QMP {}: fcntl(O_NONBLOCK): {}", name, std::strerror(errno)));
}

std::string excerpt(std::string_view line) {
  constexpr std::size_t kShown = 200;
  return line.size() <= kShown ? std::string(line) : std::string(line.substr(0, kShown)) + "...";
}

}  // namespace

QmpClient QmpClient::connect(const std::filesystem::path& socket, Duration deadline,
                             const std::function<void()>& on_retry, std::size_t max_line_bytes) {
  const std::string name = socket.string();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (name.size() >= sizeof(addr.sun_path))
    throw QmpError(fmt::format("QMP {}: socket path longer than {} bytes", name, sizeof(addr.sun_path) - 1));
  std::memcpy(addr.sun_path, name.c_str(), name.size() + 1);

  const auto until = deadline_after(deadline);
  for (;;) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) throw QmpError(fmt::format("QMP {}: socket: {}", name, std::strerror(errno)));
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) {
      const auto left = std::chrono::duration_cast<std::chrono::microseconds>(until - Clock::now());
      return QmpClient(std::move(fd), name, Duration::micros(std::max<std::int64_t>(left.count(), 1000)),
                       max_line_bytes);
    }
    const int err = errno;
    if (err != ENOENT && err != ECONNREFUSED && err != EAGAIN && err != EINTR)
      throw QmpError(fmt::format("QMP {}: connect: {}", name, std::strerror(err)));
    if (Clock::now() >= until) throw QmpTimeout("connect", name, describe(deadline));
    if (on_retry) on_retry();
    std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(20),
                                                          std::max(until - Clock::now(), Clock::duration{})));
  }
}

QmpClient::QmpClient(UniqueFd fd, std::string name, Duration handshake_timeout, std::size_t max_line_bytes)
    : fd_(std::move(fd)), name_(std::move(name)), max_line_bytes_(max_line_bytes) {
  set_nonblocking(fd_.get(), name_);
  handshake(handshake_timeout);
}

void QmpClient::handshake(Duration timeout) {
  const auto deadline = deadline_after(timeout);
  auto msg = read_message(deadline);
  if (!msg) throw QmpTimeout("greeting", name_, describe(timeout));
  if (!msg->is_object() || !msg->contains("QMP"))
    throw QmpError(fmt::format("QMP {}: expected a greeting, got {}", name_, excerpt(msg->dump())));
  greeting_ = (*msg)["QMP"];
  const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
  execute("qmp_capabilities", nlohmann::json::object(),
          Duration::micros(std::max<std::int64_t>(left.count(), 1000)));
}

nlohmann::json QmpClient::execute(std::string_view command, nlohmann::json args, Duration timeout) {
  const auto deadline = deadline_after(timeout);
  const std::uint64_t id = next_id_++;
  nlohmann::json request = {{"execute", command}, {"id", id}};
  if (!args.is_null() && !args.empty()) request["arguments"] = std::move(args);
  write_all(request.dump() + "\n", deadline, command);

  for (;;) {
    auto msg = read_message(deadline);
    if (!msg) throw QmpTimeout(std::string(command), name_, describe(timeout));
    if (queue_if_event(*msg)) continue;
    if (!msg->is_object()) continue;
    // A reply carrying another id answers an earlier command that timed out: skip it. QEMU answers a
    // request it could not parse without an id; that one is ours.
    if (auto it = msg->find("id"); it != msg->end() && *it != nlohmann::json(id)) {
      spdlog::debug("QMP {}: skipping a late reply to request {}", name_, it->dump());
      continue;
    }
    if (auto it = msg->find("return"); it != msg->end()) return std::move(*it);
    if (auto it = msg->find("error"); it != msg->end()) {
      throw QmpCommandError(std::string(command), it->value("class", std::string("?")),
                            it->value("desc", std::string("(no description)")));
    }
    spdlog::warn("QMP {}: ignoring an unexpected message {}", name_, excerpt(msg->dump()));
  }
}

std::optional<QmpEvent> QmpClient::wait_event(std::string_view name, Duration timeout) {
  if (auto it =
          std::find_if(events_.begin(), events_.end(), [&](const QmpEvent& e) { return e.name == name; });
      it != events_.end()) {
    QmpEvent found = std::move(*it);
    events_.erase(it);
    return found;
  }
  const auto deadline = deadline_after(timeout);
  for (;;) {
    auto msg = read_message(deadline);
    if (!msg) return std::nullopt;
    if (!queue_if_event(*msg)) {
      spdlog::debug("QMP {}: skipping a reply no command waits for", name_);
      continue;
    }
    if (events_.back().name == name) {
      QmpEvent found = std::move(events_.back());
      events_.pop_back();
      return found;
    }
  }
}

std::vector<QmpEvent> QmpClient::drain_events() {
  const auto now = Clock::now();
  while (auto msg = read_message(now)) queue_if_event(*msg);
  std::vector<QmpEvent> out(std::make_move_iterator(events_.begin()), std::make_move_iterator(events_.end()));
  events_.clear();
  return out;
}

bool QmpClient::queue_if_event(const nlohmann::json& msg) {
  if (!msg.is_object()) return false;
  const auto it = msg.find("event");
  if (it == msg.end() || !it->is_string()) return false;
  QmpEvent event;
  event.name = it->get<std::string>();
  event.data = msg.contains("data") ? msg["data"] : nlohmann::json();
  event.received = Clock::now();
  event.timestamp = std::chrono::system_clock::now();
  if (auto ts = msg.find("timestamp"); ts != msg.end() && ts->is_object()) {
    const auto s = ts->value("seconds", std::int64_t{0});
    const auto us = ts->value("microseconds", std::int64_t{0});
    event.timestamp =
        std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(s) + std::chrono::microseconds(us)));
  }
  events_.push_back(std::move(event));
  return true;
}

std::optional<nlohmann::json> QmpClient::read_message(Clock::time_point deadline) {
  for (;;) {
    if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
      if (nl > max_line_bytes_)
        throw QmpError(
            fmt::format("QMP {}: a line of {} bytes exceeds the bound of {}", name_, nl, max_line_bytes_));
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_discarded()) throw QmpError(fmt::format("QMP {}: not JSON: {}", name_, excerpt(line)));
      return parsed;
    }
    if (buffer_.size() > max_line_bytes_)
      throw QmpError(fmt::format("QMP {}: a line exceeds the bound of {} bytes", name_, max_line_bytes_));
    if (!fd_) throw QmpDisconnected(name_, "closed by this client");

    pollfd pfd{fd_.get(), POLLIN, 0};
    const int ready = ::poll(&pfd, 1, poll_millis(deadline));
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw QmpDisconnected(name_, fmt::format("poll: {}", std::strerror(errno)));
    }
    if (ready == 0) return std::nullopt;

    char chunk[65536];
    const ssize_t n = ::read(fd_.get(), chunk, sizeof(chunk));
    if (n == 0) throw QmpDisconnected(name_, "peer closed the connection");
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw QmpDisconnected(name_, fmt::format("read: {}", std::strerror(errno)));
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

void QmpClient::write_all(std::string_view bytes, Clock::time_point deadline, std::string_view command) {
  if (!fd_) throw QmpDisconnected(name_, "closed by this client");
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) throw QmpDisconnected(name_, fmt::format("send: {}", std::strerror(errno)));
    pollfd pfd{fd_.get(), POLLOUT, 0};
    const int ready = ::poll(&pfd, 1, poll_millis(deadline));
    if (ready < 0 && errno != EINTR)
      throw QmpDisconnected(name_, fmt::format("poll: {}", std::strerror(errno)));
    if (ready == 0) throw QmpTimeout(std::string(command), name_, "its deadline (socket full)");
  }
}

}  // namespace jettison::emu
