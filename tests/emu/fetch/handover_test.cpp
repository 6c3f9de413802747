// A uffd handed over by another process (a forked child standing in for the VM) over a UNIX socket:
// the fetcher serves its faults, tracks its writes, and on failure leaves it blocked rather than
// giving it wrong data.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <chrono>
#include <functional>
#include <thread>

#include "emu/fetch/fetcher.hpp"
#include "emu/fetch/uffd_handover.hpp"
#include "tests/emu/fetch/fetch_test_support.hpp"

namespace jettison::emu {
namespace {

using namespace std::chrono_literals;
using testing::CountingSource;
using testing::Gate;
using testing::page_content;
using testing::page_size;
using testing::spatial;
using testing::TempImage;
using testing::touch_read;
using testing::touch_write;

// A forked "VM": maps `pages` pages (a memfd, or private anonymous memory), registers them, hands the
// uffd (and memfd) over on `sock`, keeps its own copy of the uffd, and exits with body's result
// (100 if setting up failed).
struct Child {
  pid_t pid = -1;
  int sock = -1;  // the parent's end
};

Child fork_vm(std::uint64_t pages, bool memfd, bool write_protect, std::function<int(std::byte*, int)> body) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) throw std::runtime_error("socketpair");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    ::close(sv[0]);
    int code = 100;
    try {
      const std::uint64_t length = pages * page_size();
      int fd = -1;
      void* base;
      if (memfd) {
        fd = ::memfd_create("child-ram", MFD_CLOEXEC);
        if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(length)) != 0) ::_exit(101);
        base = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      } else {
        base = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      }
      if (base == MAP_FAILED) ::_exit(102);
      UffdRegion region = UffdRegion::register_mapping(base, length, write_protect, fd);
      send_uffd(sv[1], region.fd(), region.info(), fd);
      code = body(static_cast<std::byte*>(base), sv[1]);
    } catch (...) {
      code = 100;
    }
    ::_exit(code);
  }
  ::close(sv[1]);
  return {pid, sv[0]};
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

TEST(Handover, AChildsFaultsAreServedAndItsWritesTracked) {
  JETTISON_REQUIRE_UFFD();
  for (const bool memfd : {true, false}) {
    SCOPED_TRACE(memfd ? "memfd (write-back read with pread)"
                       : "anonymous (write-back read with process_vm_readv)");
    constexpr std::uint64_t kPages = 32;
    TempImage image(kPages);
    ImageSource source(image.path());
    Child child = fork_vm(kPages, memfd, true, [](std::byte* ram, int sock) {
      int wrong = 0;
      for (std::uint64_t p : {3u, 10u, 20u}) wrong += touch_read(ram, p) != page_content(p) ? 1 : 0;
      touch_write(ram, 20, 0xC0FFEE);
      const char verdict = wrong == 0 ? 'y' : 'n';
      if (::write(sock, &verdict, 1) != 1) return 3;
      char go;
      if (::read(sock, &go, 1) != 1) return 4;  // stay alive while the parent reads the dirty page
      return wrong == 0 ? 0 : 2;
    });
    ReceivedUffd received = receive_uffd(child.sock);
    EXPECT_EQ(received.owner, child.pid);
    EXPECT_EQ(received.region.length, kPages * page_size());
    EXPECT_TRUE(received.region.write_protect);
    EXPECT_EQ(static_cast<bool>(received.memfd), memfd);
    UffdRegion region = UffdRegion::adopt(std::move(received));
    EXPECT_EQ(region.local_data(), nullptr);
    Fetcher fetcher(region, source, spatial(1, kPages));
    fetcher.start();

    char verdict = 0;
    ASSERT_EQ(::read(child.sock, &verdict, 1), 1);
    EXPECT_EQ(verdict, 'y');
    // Faults on 3, 10, 20, each fetching itself and its two neighbours: 3 demand + 6 prefetched;
    // the write to 20 after its read is the one write-protect fault.
    const FetchStats s = fetcher.stats();
    EXPECT_EQ(s.demand_pages, 3u);
    EXPECT_EQ(s.prefetched_pages, 6u);
    EXPECT_EQ(s.wp_faults, 1u);
    EXPECT_EQ(fetcher.dirty_pages(), std::vector<std::uint64_t>{20});
    std::vector<std::byte> expected = page_content(20), got(page_size());
    const std::uint64_t value = 0xC0FFEE;
    std::memcpy(expected.data(), &value, sizeof value);
    fetcher.read_page(20, got);
    EXPECT_EQ(got, expected);

    ASSERT_EQ(::write(child.sock, "x", 1), 1);
    EXPECT_EQ(wait_exit(child.pid), 0);
    // The fetcher watches the owner (a pidfd) and ends by itself when it exits.
    ASSERT_TRUE(fetcher.wait_stopped(10s));
    EXPECT_EQ(fetcher.state(), Fetcher::State::kOwnerGone);
    fetcher.stop();
    ::close(child.sock);
  }
}

TEST(Handover, ASourceFailureStopsTheFetcherAndLeavesTheChildBlocked) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 16;
  TempImage image(kPages);
  ImageSource source(image.path());
  CountingSource failing(source);
  failing.set_hook([](std::span<const std::uint64_t>) { throw SourceFailed("desktop refused our key"); });
  // The child exits 0 with the right content, 2 with wrong content; it should do neither.
  Child child = fork_vm(kPages, true, true,
                        [](std::byte* ram, int) { return touch_read(ram, 5) == page_content(5) ? 0 : 2; });
  UffdRegion region = UffdRegion::adopt(receive_uffd(child.sock));
  Fetcher fetcher(region, failing, nullptr);
  fetcher.start();
  ASSERT_TRUE(fetcher.wait_stopped(10s));
  EXPECT_EQ(fetcher.state(), Fetcher::State::kFailed);
  EXPECT_NE(fetcher.error().find("page source failed: desktop refused our key"), std::string::npos)
      << fetcher.error();
  EXPECT_FALSE(fetcher.resident(5));

  // Still blocked in its fault (it cannot have been given a page: nobody placed one).
  std::this_thread::sleep_for(100ms);
  int status = 0;
  EXPECT_EQ(::waitpid(child.pid, &status, WNOHANG), 0);
  ::kill(child.pid, SIGKILL);
  EXPECT_EQ(wait_exit(child.pid), -SIGKILL);
  ::close(child.sock);
}

TEST(Handover, TheOwnerDyingMidFetchStopsTheFetcherCleanly) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 16;
  TempImage image(kPages);
  ImageSource source(image.path());
  CountingSource held(source);
  Gate entered, release;
  held.set_hook([&](std::span<const std::uint64_t>) {
    entered.open();
    release.wait();
  });
  Child child = fork_vm(kPages, true, true,
                        [](std::byte* ram, int) { return touch_read(ram, 5) == page_content(5) ? 0 : 2; });
  UffdRegion region = UffdRegion::adopt(receive_uffd(child.sock));
  Fetcher fetcher(region, held, nullptr);
  fetcher.start();
  entered.wait();  // the fetch for page 5 is in flight
  ::kill(child.pid, SIGKILL);
  EXPECT_EQ(wait_exit(child.pid), -SIGKILL);
  release.open();  // the page arrives for a process that is gone: UFFDIO_COPY says ESRCH
  ASSERT_TRUE(fetcher.wait_stopped(10s));
  EXPECT_EQ(fetcher.state(), Fetcher::State::kOwnerGone);
  EXPECT_TRUE(fetcher.error().empty());
  ::close(child.sock);
}

TEST(Handover, MalformedMessagesAreRefusedWithTheReason) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  std::array<char, 48> junk{};
  ASSERT_EQ(::write(sv[0], junk.data(), junk.size()), 48);
  try {
    receive_uffd(sv[1]);
    ADD_FAILURE() << "junk accepted";
  } catch (const UffdError& e) {
    EXPECT_NE(std::string(e.what()).find("bad magic"), std::string::npos) << e.what();
  }
  std::array<char, 48> future{'J', 'U', 'F', 'D', 7, 0};  // version 7
  ASSERT_EQ(::write(sv[0], future.data(), future.size()), 48);
  try {
    receive_uffd(sv[1]);
    ADD_FAILURE() << "version 7 accepted";
  } catch (const UffdError& e) {
    EXPECT_NE(std::string(e.what()).find("version 7"), std::string::npos) << e.what();
  }
  ::close(sv[0]);
  ::close(sv[1]);
}

}  // namespace
}  // namespace jettison::emu
