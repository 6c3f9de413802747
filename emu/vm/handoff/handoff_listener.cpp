// The hand-off library's listening socket and accept thread (see handoff_listener.hpp).
#include "emu/vm/handoff/handoff_listener.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "emu/fetch/uffd_handoff_format.hpp"
#include "emu/vm/handoff/handoff_config.hpp"
#include "emu/vm/handoff/handoff_log.hpp"
#include "emu/vm/handoff/handoff_regions.hpp"

namespace jettison::emu::handoff {
namespace {

namespace wire = handoff_format;

int g_listener = -1;
pid_t g_socket_owner = 0;  // the process that bound the socket (a forked child must not remove it)

// Sends the v2 message with the uffd and every region's RAM fd. Returns 0 or an errno.
int send_message(int conn) {
  const Config& c = config();
  std::byte buf[wire::kMaxMessageSize];
  wire::Header header;
  header.version = wire::kVersion2;
  header.flags = c.write_protect ? wire::kFlagWriteProtect : 0;
  header.owner = static_cast<std::uint32_t>(::getpid());
  header.count = c.count;
  wire::encode_header(buf, header);
  int fds[wire::kMaxFds];
  fds[0] = uffd();
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  for (std::uint32_t i = 0; i < c.count; ++i) {
    const RegionState& r = region(i);
    wire::Region record;
    wire::set_name(record, base_name(c.paths[i]));
    record.base = r.base;
    record.length = r.length;
    record.page_size = page;
    record.file_offset = r.file_offset;
    wire::encode_region(buf + wire::kHeaderSize + i * wire::kRegionSize, record);
    fds[1 + i] = r.fd;
  }
  const std::size_t size = wire::kHeaderSize + c.count * wire::kRegionSize;
  const std::size_t nfds = 1 + c.count;

  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * wire::kMaxFds)] = {};
  iovec iov{buf, size};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
  std::memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
  ssize_t n;
  do n = ::sendmsg(conn, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) return errno;
  // The descriptors went with the first byte; the rest of a short write follows as plain data.
  for (std::size_t sent = static_cast<std::size_t>(n); sent < size;) {
    const ssize_t m = ::send(conn, buf + sent, size - sent, MSG_NOSIGNAL);
    if (m < 0 && errno == EINTR) continue;
    if (m <= 0) return m < 0 ? errno : EPIPE;
    sent += static_cast<std::size_t>(m);
  }
  return 0;
}

// Waits until the peer closes the connection (whatever it sends is discarded).
void hold_until_closed(int conn) {
  char sink[256];
  for (;;) {
    pollfd p{conn, POLLIN, 0};
    if (::poll(&p, 1, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    const ssize_t n = ::recv(conn, sink, sizeof sink, 0);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return;
  }
}

void serve(int conn, unsigned serial) {
  ucred peer{};
  socklen_t size = sizeof peer;
  if (::getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0) {
    log_alert("connection %u: SO_PEERCRED: %s; refused", serial, std::strerror(errno));
    return;
  }
  if (peer.uid != ::geteuid() && peer.uid != 0) {
    log_alert("connection %u from pid %d: uid %u is neither ours (%u) nor root; refused", serial,
              static_cast<int>(peer.pid), static_cast<unsigned>(peer.uid),
              static_cast<unsigned>(::geteuid()));
    return;
  }
  if (const int e = send_message(conn); e != 0) {
    log_alert("connection %u from pid %d: sending the hand-off message: %s (%d)", serial,
              static_cast<int>(peer.pid), std::strerror(e), e);
    return;
  }
  log_line("connection %u: uffd %d and %u RAM fd(s) handed to pid %d; held until it hangs up", serial, uffd(),
           config().count, static_cast<int>(peer.pid));
  hold_until_closed(conn);
  log_line("connection %u: pid %d hung up; the uffd stays registered, faults wait for the next fetcher",
           serial, static_cast<int>(peer.pid));
}

void* accept_loop(void*) {
  wait_all_registered();
  log_line("all %u region(s) registered; accepting fetchers on %s", config().count, config().socket_path);
  for (unsigned serial = 1;; ++serial) {
    const int conn = ::accept4(g_listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      log_alert("accept on %s: %s; retrying in 1 s", config().socket_path, std::strerror(errno));
      ::sleep(1);
      continue;
    }
    serve(conn, serial);
    ::close(conn);
  }
  return nullptr;
}

}  // namespace

int start_listener() {
  const Config& c = config();
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    const int e = errno;
    log_alert("socket(AF_UNIX): %s", std::strerror(e));
    return e;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, c.socket_path, std::strlen(c.socket_path) + 1);
  struct stat st {};
  if (::lstat(c.socket_path, &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(c.socket_path);  // a stale one
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
      ::chmod(c.socket_path, 0600) != 0 || ::listen(fd, 4) != 0) {
    const int e = errno;
    log_alert("cannot listen on %s (JETTISON_HANDOFF_SOCKET): %s (%d)", c.socket_path, std::strerror(e), e);
    ::close(fd);
    return e;
  }
  g_listener = fd;
  g_socket_owner = ::getpid();

  // The thread must not take QEMU's signals: block them all while it is created (it inherits the mask).
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t thread;
  const int e = pthread_create(&thread, &attr, accept_loop, nullptr);
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (e != 0) {
    log_alert("cannot start the hand-off thread: %s", std::strerror(e));
    ::close(fd);
    g_listener = -1;
    ::unlink(c.socket_path);
    return e;
  }
  log_line("listening on %s (mode 0600)", c.socket_path);
  return 0;
}

void remove_socket() {
  if (g_listener >= 0 && g_socket_owner == ::getpid()) ::unlink(config().socket_path);
}

}  // namespace jettison::emu::handoff
