// libjettison-uffd-handoff.so preloaded into a stand-in for QEMU: this test executable re-executed
// with JETTISON_TEST_HANDOFF_GUEST set (guest_main below, run before GoogleTest starts). The guest
// opens two RAM files in /dev/shm, maps the first plainly and the second with MAP_FIXED over a
// PROT_NONE reservation (as QEMU does), maps a decoy file of the same size, then answers commands on
// stdin: "r <region> <page>" reads a page and prints its checksum, "w <region> <page> <value>" writes
// a word, "q" exits. The test takes the uffd from the library's socket, serves the guest from an image
// (the two RAM files end to end), kills its fetcher while a read is pending, and re-adopts the same
// uffd with a second fetcher, which completes that read.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "emu/fetch/fetcher.hpp"
#include "emu/fetch/uffd_handover.hpp"
#include "tests/emu/fetch/fetch_test_support.hpp"

extern char** environ;

namespace jettison::emu {
namespace {

using namespace std::chrono_literals;
using testing::CountingSource;
using testing::Gate;
using testing::page_content;
using testing::page_size;
using testing::TempImage;

constexpr std::uint64_t kPagesA = 16;
constexpr std::uint64_t kPagesB = 24;
constexpr std::uint64_t kMarker = 0x4A455454495F4E21;  // written by the guest

std::uint64_t checksum(const std::byte* data, std::size_t size) {  // FNV-1a, 64 bits
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::size_t i = 0; i < size; ++i) h = (h ^ static_cast<std::uint64_t>(data[i])) * 0x100000001b3ull;
  return h;
}

// ---- the guest (runs in the re-executed child, with the library preloaded) ----

int guest_main() {
  const char* files = std::getenv("JETTISON_TEST_GUEST_FILES");  // a.ram:b.ram:decoy
  if (files == nullptr) return 90;
  std::string a, b, decoy;
  {
    std::stringstream in(files);
    std::getline(in, a, ':');
    std::getline(in, b, ':');
    std::getline(in, decoy, ':');
  }
  const std::size_t ps = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const int fa = ::open(a.c_str(), O_RDWR | O_CLOEXEC);
  const int fb = ::openat(AT_FDCWD, b.c_str(), O_RDWR | O_CLOEXEC);
  const int fd = ::open(decoy.c_str(), O_RDWR | O_CLOEXEC);
  if (fa < 0 || fb < 0 || fd < 0) return 91;
  auto* ram_a =
      static_cast<std::byte*>(::mmap(nullptr, kPagesA * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fa, 0));
  auto* reserve = static_cast<std::byte*>(
      ::mmap(nullptr, (kPagesB + 2) * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (ram_a == MAP_FAILED || reserve == MAP_FAILED) return 92;
  auto* ram_b = static_cast<std::byte*>(
      ::mmap(reserve + ps, kPagesB * ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fb, 0));
  if (ram_b == MAP_FAILED) return 93;
  // The decoy has the size of region A but is not listed: it must not be taken over (reading it
  // would block forever if it were).
  auto* other =
      static_cast<std::byte*>(::mmap(nullptr, kPagesA * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  if (other == MAP_FAILED) return 94;
  other[5] = std::byte{7};
  if (other[5] != std::byte{7}) return 95;
  std::printf("ready\n");
  std::fflush(stdout);
  char line[256];
  while (std::fgets(line, sizeof line, stdin) != nullptr) {
    char op = 0;
    unsigned region = 0;
    unsigned long long page = 0, value = 0;
    const int n = std::sscanf(line, "%c %u %llu %llu", &op, &region, &page, &value);
    if (op == 'q') return 0;
    std::byte* base = region == 0 ? ram_a : ram_b;
    if (op == 'r' && n >= 3) {
      std::vector<std::byte> copy(ps);
      std::memcpy(copy.data(), base + page * ps, ps);  // faults here until a fetcher places the page
      std::printf("h %llu\n", static_cast<unsigned long long>(checksum(copy.data(), ps)));
    } else if (op == 'w' && n == 4) {
      *reinterpret_cast<volatile std::uint64_t*>(base + page * ps) = value;
      std::printf("ok\n");
    } else {
      std::printf("? %s", line);
    }
    std::fflush(stdout);
  }
  return 0;
}

// Runs before GoogleTest's main in the re-executed child.
const bool kIsGuest = [] {
  if (std::getenv("JETTISON_TEST_HANDOFF_GUEST") != nullptr) std::_Exit(guest_main());
  return false;
}();

// ---- the test side ----

std::filesystem::path library_path() {
  return std::filesystem::path(JETTISON_BIN_DIR).parent_path() / "lib" / "libjettison-uffd-handoff.so";
}

// The guest process with pipes to its stdin and stdout.
class Guest {
 public:
  Guest(const std::vector<std::string>& env_extra) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
    env.insert(env.end(), env_extra.begin(), env_extra.end());
    env.emplace_back("JETTISON_TEST_HANDOFF_GUEST=1");
    std::vector<char*> envp;
    for (auto& s : env) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    char* argv[] = {self.data(), nullptr};
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::execve(self.c_str(), argv, envp.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    to_ = UniqueFd(in[1]);
    from_ = UniqueFd(out[0]);
  }
  ~Guest() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }

  void send(const std::string& command) {
    const std::string line = command + "\n";
    ASSERT_EQ(::write(to_.get(), line.data(), line.size()), static_cast<ssize_t>(line.size()));
  }
  // The next line of output, or nullopt if none comes within `timeout`.
  std::optional<std::string> line(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string out = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return out;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{from_.get(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[256];
      const ssize_t n = ::read(from_.get(), chunk, sizeof chunk);
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  std::string ask(const std::string& command) {
    send(command);
    return line(20s).value_or("(no answer)");
  }
  int wait_exit() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  UniqueFd to_, from_;
  std::string buffer_;
};

std::string hash_line(const std::vector<std::byte>& page) {
  return "h " + std::to_string(checksum(page.data(), page.size()));
}

std::vector<std::byte> with_marker(std::vector<std::byte> page, std::uint64_t value) {
  std::memcpy(page.data(), &value, sizeof value);
  return page;
}

UniqueFd connect_to(const std::filesystem::path& path) {
  UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
  return s;
}

// Files in /dev/shm (RAM files must be shared memory) and a socket path, removed at the end.
struct ShmFiles {
  ShmFiles() {
    // Short names: a region's name in the message holds 31 bytes.
    const std::string stem = "/dev/shm/jho-" + std::to_string(::getpid()) + "-";
    a = stem + "a.ram";
    b = stem + "b.ram";
    decoy = stem + "decoy.ram";
    socket = stem + "handoff.sock";
    log = stem + "handoff.log";
    for (const auto& [path, pages] :
         {std::pair{a, kPagesA}, std::pair{b, kPagesB}, std::pair{decoy, kPagesA}}) {
      UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
      if (!fd || ::ftruncate(fd.get(), static_cast<off_t>(pages * page_size())) != 0)
        throw std::runtime_error("cannot create " + path.string());
    }
  }
  ~ShmFiles() {
    std::error_code ec;
    for (const auto& p : {a, b, decoy, socket, log}) std::filesystem::remove(p, ec);
  }
  std::vector<std::string> env(bool take_over, const std::string& wp = "1") const {
    std::vector<std::string> out{
        "LD_PRELOAD=" + library_path().string(),
        "JETTISON_TEST_GUEST_FILES=" + a.string() + ":" + b.string() + ":" + decoy.string()};
    if (take_over) {
      out.push_back("JETTISON_HANDOFF_RAM=" + a.string() + ":" + b.string());
      out.push_back("JETTISON_HANDOFF_SOCKET=" + socket.string());
      out.push_back("JETTISON_HANDOFF_WP=" + wp);
      out.push_back("JETTISON_HANDOFF_LOG=" + log.string());
    }
    return out;
  }
  std::string read_log() const {
    std::ifstream in(log);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::filesystem::path a, b, decoy, socket, log;
};

// The first word of a page of a RAM file, read with pread (never through a mapping).
std::uint64_t first_word(int fd, std::uint64_t page_in_file) {
  std::uint64_t word = 0;
  if (::pread(fd, &word, sizeof word, static_cast<off_t>(page_in_file * page_size())) != sizeof word)
    return 0;
  return word;
}

// Whether two descriptors refer to the same open file (kcmp KCMP_FILE); nullopt where kcmp is missing.
std::optional<bool> same_open_file(int a, int b) {
  const long r = ::syscall(SYS_kcmp, ::getpid(), ::getpid(), 0 /* KCMP_FILE */, a, b);
  if (r < 0 && errno == ENOSYS) return std::nullopt;
  return r == 0;
}

void require_library() {
  JETTISON_REQUIRE_UFFD();
  ASSERT_TRUE(std::filesystem::exists(library_path()))
      << library_path() << " is missing: build the jettison-uffd-handoff target";
}

TEST(HandoffLibrary, WithoutItsVariablesItStaysOutOfTheWay) {
  require_library();
  if (::testing::Test::IsSkipped() || ::testing::Test::HasFatalFailure()) return;
  ShmFiles files;
  Guest guest(files.env(/*take_over=*/false));
  ASSERT_EQ(guest.line(20s).value_or("(nothing)"), "ready");
  // Nobody serves faults, yet the read returns at once: the file was not taken over.
  EXPECT_EQ(guest.ask("r 0 3"), hash_line(std::vector<std::byte>(page_size())));
  EXPECT_FALSE(std::filesystem::exists(files.socket));
  guest.send("q");
  EXPECT_EQ(guest.wait_exit(), 0);
}

TEST(HandoffLibrary, AnUnusableConfigurationStopsTheProcessLoudly) {
  require_library();
  if (::testing::Test::IsSkipped() || ::testing::Test::HasFatalFailure()) return;
  ShmFiles files;
  Guest guest(files.env(/*take_over=*/true, /*wp=*/"yes"));
  // The library's constructor refuses before the program runs: no guest on RAM nobody fills.
  EXPECT_FALSE(guest.line(20s).has_value());
  EXPECT_EQ(guest.wait_exit(), 1);
  EXPECT_NE(files.read_log().find("JETTISON_HANDOFF_WP: 'yes' is neither 1"), std::string::npos)
      << files.read_log();
}

TEST(HandoffLibrary, WithoutWriteProtectionOnlyMissingFaultsAreRegistered) {
  require_library();
  if (::testing::Test::IsSkipped() || ::testing::Test::HasFatalFailure()) return;
  ShmFiles files;
  TempImage image(kPagesA + kPagesB);
  ImageSource source(image.path());
  Guest guest(files.env(/*take_over=*/true, /*wp=*/"0"));
  ASSERT_EQ(guest.line(20s).value_or("(nothing)"), "ready") << files.read_log();
  UniqueFd conn = connect_to(files.socket);
  UffdRegion region = UffdRegion::adopt(receive_handoff(conn.get()));
  EXPECT_FALSE(region.write_protect());
  Fetcher fetcher(region, source, nullptr);
  fetcher.start();
  EXPECT_EQ(guest.ask("r 1 4"), hash_line(page_content(kPagesA + 4)));
  EXPECT_EQ(guest.ask("w 0 1 " + std::to_string(kMarker)), "ok");
  EXPECT_EQ(guest.ask("w 1 4 " + std::to_string(kMarker)), "ok");  // resident and writable: no fault
  // The fetcher counts a placement after the ioctl has woken the guest: its figures may lag the
  // guest's answer by a moment (bounded wait, then the exact counts).
  for (int i = 0; i < 500 && fetcher.stats().demand_pages < 2; ++i) std::this_thread::sleep_for(10ms);
  const FetchStats stats = fetcher.stats();
  EXPECT_EQ(stats.wp_faults, 0u);
  EXPECT_EQ(stats.demand_pages, 2u);
  // Without dirty tracking the dirty set is every resident page (a safe superset).
  EXPECT_EQ(fetcher.dirty_pages(), (std::vector<std::uint64_t>{1, kPagesA + 4}));
  guest.send("q");
  EXPECT_EQ(guest.wait_exit(), 0);
}

TEST(HandoffLibrary, ServesAPreloadedProcessAndReAdoptsItsUffdAfterTheFetcherDies) {
  require_library();
  if (::testing::Test::IsSkipped() || ::testing::Test::HasFatalFailure()) return;
  ShmFiles files;
  TempImage image(kPagesA + kPagesB);  // region A's pages, then region B's
  ImageSource source(image.path());
  UniqueFd file_a(::open(files.a.c_str(), O_RDONLY | O_CLOEXEC));
  UniqueFd file_b(::open(files.b.c_str(), O_RDONLY | O_CLOEXEC));
  // The word at the start of global page p, as the RAM files hold it now.
  auto word_of = [&](std::uint64_t p) {
    return p < kPagesA ? first_word(file_a.get(), p) : first_word(file_b.get(), p - kPagesA);
  };

  Guest guest(files.env(/*take_over=*/true));
  ASSERT_EQ(guest.line(20s).value_or("(nothing)"), "ready") << files.read_log();
  struct stat st {};
  ASSERT_EQ(::stat(files.socket.c_str(), &st), 0) << files.read_log();
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // ---- the first fetcher ----
  UniqueFd conn = connect_to(files.socket);
  UffdHandoff handoff = receive_handoff(conn.get());
  EXPECT_EQ(handoff.version, 2);
  EXPECT_EQ(handoff.owner, guest.pid());
  EXPECT_TRUE(handoff.write_protect());
  ASSERT_EQ(handoff.regions.size(), 2u);
  EXPECT_EQ(handoff.regions[0].name, files.a.filename().string());
  EXPECT_EQ(handoff.regions[1].name, files.b.filename().string());
  EXPECT_EQ(handoff.regions[0].length, kPagesA * page_size());
  EXPECT_EQ(handoff.regions[1].length, kPagesB * page_size());
  ASSERT_EQ(handoff.ram_fds.size(), 2u);
  struct stat ram {
  }, listed{};
  ASSERT_EQ(::fstat(handoff.ram_fds[1].get(), &ram), 0);
  ASSERT_EQ(::stat(files.b.c_str(), &listed), 0);
  EXPECT_EQ(ram.st_ino, listed.st_ino);                                  // region 1's fd is b.ram's
  UniqueFd first_uffd(::fcntl(handoff.uffd.get(), F_DUPFD_CLOEXEC, 0));  // to compare with the second

  std::mutex mu;
  std::vector<std::uint64_t> dirtied;
  std::vector<std::uint64_t> landed_early;  // pages whose write was visible before on_dirty returned
  FetcherOptions options;
  options.on_dirty = [&](std::uint64_t p) {
    std::lock_guard lock(mu);
    dirtied.push_back(p);
    if (word_of(p) == kMarker) landed_early.push_back(p);
  };
  auto region = std::make_unique<UffdRegion>(UffdRegion::adopt(std::move(handoff)));
  EXPECT_EQ(region->pages(), kPagesA + kPagesB);
  CountingSource counting(source);
  Gate entered, release;
  counting.set_hook([&](std::span<const std::uint64_t> pages) {
    if (pages.front() != kPagesA + 7) return;
    entered.open();
    release.wait();
    throw SourceFailed("the server died");  // the fault message was read and is never answered
  });
  auto fetcher = std::make_unique<Fetcher>(*region, counting, nullptr, nullptr, options);
  fetcher->start();

  // Reads on both sides of the boundary see the image's pages (B's page j is the image's kPagesA + j).
  EXPECT_EQ(guest.ask("r 0 3"), hash_line(page_content(3)));
  EXPECT_EQ(guest.ask("r 0 15"), hash_line(page_content(15)));
  EXPECT_EQ(guest.ask("r 1 0"), hash_line(page_content(kPagesA)));
  EXPECT_EQ(guest.ask("r 1 2"), hash_line(page_content(kPagesA + 2)));
  // Writes: page 3 is resident (a write-protect fault), B's page 5 is not (a missing fault that is a
  // write). on_dirty sees each before the write lands.
  EXPECT_EQ(guest.ask("w 0 3 " + std::to_string(kMarker)), "ok");
  EXPECT_EQ(guest.ask("w 1 5 " + std::to_string(kMarker)), "ok");
  EXPECT_EQ(word_of(3), kMarker);
  EXPECT_EQ(word_of(kPagesA + 5), kMarker);
  EXPECT_EQ(fetcher->dirty_pages(), (std::vector<std::uint64_t>{3, kPagesA + 5}));
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(dirtied, (std::vector<std::uint64_t>{3, kPagesA + 5}));
    EXPECT_TRUE(landed_early.empty());
  }

  // ---- the fetcher dies with a read pending ----
  guest.send("r 1 7");
  entered.wait();  // the fault message for B's page 7 has been read
  release.open();
  ASSERT_TRUE(fetcher->wait_stopped(10s));
  EXPECT_EQ(fetcher->state(), Fetcher::State::kFailed);
  fetcher.reset();
  region.reset();
  conn.reset();
  // The guest stays blocked: nobody answers, and the library never lets it read zeros.
  EXPECT_FALSE(guest.line(300ms).has_value());

  // ---- a restarted fetcher re-adopts the same uffd ----
  UniqueFd conn2 = connect_to(files.socket);
  UffdHandoff again = receive_handoff(conn2.get());
  ASSERT_EQ(again.regions.size(), 2u);
  if (const auto same = same_open_file(first_uffd.get(), again.uffd.get())) {
    EXPECT_TRUE(*same) << "a different uffd was handed over";
  }
  first_uffd.reset();
  std::vector<std::uint64_t> recorded;
  {
    std::lock_guard lock(mu);
    recorded = dirtied;
    dirtied.clear();
  }
  UffdRegion region2 = UffdRegion::adopt(std::move(again));
  Fetcher fetcher2(region2, source, nullptr, nullptr, options);
  fetcher2.preload_dirty(recorded);
  fetcher2.start();  // wakes every range: the blocked read faults again and is served now
  EXPECT_EQ(guest.line(20s).value_or("(no answer)"), hash_line(page_content(kPagesA + 7)));
  // Pages placed by the first fetcher are still there, writes included; new ones are served.
  EXPECT_EQ(guest.ask("r 0 3"), hash_line(with_marker(page_content(3), kMarker)));
  EXPECT_EQ(guest.ask("r 1 2"), hash_line(page_content(kPagesA + 2)));
  EXPECT_EQ(guest.ask("r 0 9"), hash_line(page_content(9)));
  // A write to a page the first fetcher placed (write-protected) and this one never saw.
  EXPECT_EQ(guest.ask("w 1 2 " + std::to_string(kMarker)), "ok");
  EXPECT_EQ(fetcher2.dirty_pages(), (std::vector<std::uint64_t>{3, kPagesA + 2, kPagesA + 5}));
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(dirtied, std::vector<std::uint64_t>{kPagesA + 2});  // preloaded pages are not reported again
    EXPECT_TRUE(landed_early.empty());
  }
  std::vector<std::byte> got(page_size());
  fetcher2.read_page(kPagesA + 5, got);  // preloaded dirty: resident, read from B's RAM fd
  EXPECT_EQ(got, with_marker(page_content(kPagesA + 5), kMarker));

  guest.send("q");
  EXPECT_EQ(guest.wait_exit(), 0);
  ASSERT_TRUE(fetcher2.wait_stopped(10s));
  EXPECT_EQ(fetcher2.state(), Fetcher::State::kOwnerGone);
  const std::string log = files.read_log();
  EXPECT_NE(log.find("connection 2"), std::string::npos) << log;
}

}  // namespace
}  // namespace jettison::emu
