// End to end across a veth pair, the way the emulator is deployed: the desktop agent is a real
// `jettison-desktop` process (emulated power) started with `ip netns exec` in the desktop namespace;
// the replay workload (the library: a RemoteSource built in the server namespace, the Fetcher, the
// SleepController) runs a small bursty trace, time-scaled so each test takes a few seconds; the
// `jettison-replay` and `jettison-server` binaries are run in the server namespace for the CLI cases.
//
//   happy path     pages fetched = unique pages + prefetched; every touched page equals the image;
//                  after write-back the image file equals the server's view; the source's wake-ups
//                  equal the controller's sleeps followed by a fault
//   agent killed   SIGKILL mid-run, restarted ~1 s later: the replay stalls, then finishes verified
//   link down      the desktop's veth down for ~2 s: stall, then finishes verified
//   lost packet    the agent takes 600 ms to fall asleep: the first magic packets arrive while it
//                  suspends and are dropped; the resends wake it; finishes verified
//   wrong key      jettison-replay and jettison-server exit 1 naming the desktop, nothing written
//   speed          a replay at --speed 10 (desktop --speed 10 too) sleeps as often as at --speed 1
//   status         both daemons' control sockets (status) before, while and after a hosted period:
//                  pages fetched = pages the test touched, dirty pending, asleep, last wake, write-back
//
// Needs root, network namespaces and userfaultfd (skips otherwise); everything it creates (namespaces,
// child processes, files) is removed.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "emu/control/control_server.hpp"
#include "emu/control/status_text.hpp"
#include "emu/fetch/fetcher.hpp"
#include "emu/fetch/uffd_handover.hpp"
#include "emu/fetch/uffd_region.hpp"
#include "emu/power/net_interface.hpp"
#include "emu/remote/remote_source.hpp"
#include "emu/replay/replay_run.hpp"
#include "emu/server/sleep_controller.hpp"
#include "tests/emu/memserver/test_image.hpp"
#include "tests/emu/support/child_process.hpp"
#include "tests/emu/support/netns.hpp"
#include "traces/io/input_stream.hpp"
#include "traces/io/page_profile.hpp"

namespace jettison::emu {
namespace {

using jettison::testing::ChildProcess;
using jettison::testing::NetnsPair;
using jettison::testing::read_text;
using std::chrono::milliseconds;
using test::kPage;

constexpr std::uint64_t kPages = 2048;  // 8 MiB image
constexpr std::uint16_t kPort = 7171;
const std::string kIdentity = "desktop-e2e";

class ServerE2e : public jettison::testing::NetnsTest {
 protected:
  void SetUp() override {
    NetnsTest::SetUp();
    if (IsSkipped()) return;
    if (auto why = userfaultfd_unavailable()) GTEST_SKIP() << *why;
    if (!std::filesystem::exists(std::string(JETTISON_BIN_DIR) + "/jettison-desktop"))
      GTEST_SKIP() << "jettison-desktop is not built in " << JETTISON_BIN_DIR;
    image_ = test::write_image(dir_.path(), kPages);
    original_ = test::read_file(image_);
    psk_ = dir_.path() / "psk.hex";
    std::ofstream(psk_) << std::string(64, 'a') << "\n";
    log_ = dir_.path() / "agent.log";
    mac_ =
        NetnsPair::run_in(pair().desktop().ns, [&] { return query_interface(pair().desktop().ifname).mac; });
  }
  void TearDown() override {
    agent_.reset();
    if (HasFailure() && !log_.empty()) std::cerr << "agent log:\n" << read_text(log_);
    NetnsTest::TearDown();
  }

  std::string endpoint() { return fmt::format("{}:{}", pair().desktop().address, kPort); }

  // Starts the agent and waits until it serves (its log says so).
  // `extra`: more flags (--speed, --control).
  void start_agent(const std::string& suspend_delay = "50ms", const std::vector<std::string>& extra = {}) {
    const std::size_t before = read_text(log_).size();
    std::vector<std::string> args{
        "--image",     image_.string(),  "--listen",        endpoint(),    "--psk-file",
        psk_.string(), "--psk-identity", kIdentity,         "--interface", pair().desktop().ifname,
        "--power",     "emulated",       "--suspend-delay", suspend_delay, "--resume-selective",
        "200ms"};
    args.insert(args.end(), extra.begin(), extra.end());
    agent_ = std::make_unique<ChildProcess>(pair().desktop().ns, "jettison-desktop", args, log_);
    for (int i = 0; i < 500; ++i) {
      if (read_text(log_).find("serving", before) != std::string::npos) return;
      ASSERT_TRUE(agent_->running()) << read_text(log_);
      std::this_thread::sleep_for(milliseconds(10));
    }
    FAIL() << "the agent did not start serving within 5 s:\n" << read_text(log_);
  }

  // A bursty trace: `bursts` bursts `gap_ms` apart (trace time), each touching 6 pairs of neighbouring
  // pages spread over the image (every third access a write).
  traces::PageProfile make_trace(int bursts, int gap_ms) {
    std::string csv = "time,page,op\n";
    for (int b = 0; b < bursts; ++b)
      for (int j = 0; j < 12; ++j) {
        // Pairs of neighbours (page, page + 1): the spatial prefetcher brings the second with the first.
        const std::uint64_t page =
            (static_cast<std::uint64_t>(b) * 97 + static_cast<std::uint64_t>(j / 2) * 41 + j % 2) % kPages;
        csv += fmt::format("{:.3f},{},{}\n", b * gap_ms / 1000.0 + j * 0.001, page, j % 3 == 0 ? 'w' : 'r');
      }
    const auto path = dir_.path() / "pages.csv";
    std::ofstream(path) << csv;
    return traces::read_page_profile(traces::open_trace_file(path.string(), "pages.csv"), path.string());
  }

  RemoteSourceConfig source_config() {
    RemoteSourceConfig c;
    c.endpoint = Endpoint{pair().desktop().address, kPort};
    c.tls = TlsConfig::psk_from_file(kIdentity, psk_);
    c.client.connect_timeout = Duration::seconds(1);
    c.wake =
        RemoteWakeConfig{WolSenderConfig{pair().server().ifname, WolTransport::kUdp}, mac_, std::nullopt};
    c.max_magic_packets = 16;
    c.backoff_max = Duration::millis(500);
    c.give_up_after = Duration::seconds(30);  // a bound for a broken test; passing runs end far sooner
    return c;
  }
  std::unique_ptr<RemoteSource> make_source() {
    return NetnsPair::run_in(pair().server().ns,
                             [&] { return std::make_unique<RemoteSource>(source_config()); });
  }

  ReplayRunOptions replay_options(Duration period, bool sleep, RemoteSource& source, DesktopPower& desktop) {
    ReplayRunOptions o;
    o.schedule.period = period;
    o.schedule.speed = 1.0;
    o.schedule.repeat = false;
    o.prefetch = "spatial";
    o.prefetch_params.radius = 2;
    o.dirty_tracking = true;
    o.verify_image = image_;
    o.desktop = "e2e";
    o.wakeups = [&source] { return source.stats().wakeups; };
    if (sleep) {
      ReplaySleepOptions s;
      s.desktop = &desktop;
      s.rule = "timeout";
      s.params.timeout = Duration::millis(250);  // wall clock: bursts are 1 s apart
      o.sleep = s;
    }
    o.write_back = [&source](std::span<const DirtyPage> pages) { return source.write_back(pages); };
    return o;
  }

  // The figures every run must satisfy, whatever went wrong on the way.
  void check_run(const ReplayRun& r) {
    ASSERT_TRUE(r.verify.has_value());
    EXPECT_TRUE(r.verify->ok()) << r.verify->mismatched.size() << " touched pages differ from the image";
    EXPECT_EQ(r.verify->checked, r.replay.touched.size());
    // Fetched = unique pages of the trace + prefetched ones the trace did not touch: each resident
    // page was fetched exactly once, and every touched page is resident.
    ASSERT_TRUE(compared_) << "inspect() did not run";
    std::uint64_t extra = 0;
    for (std::uint64_t p : resident_)
      if (!std::binary_search(r.replay.touched.begin(), r.replay.touched.end(), p)) ++extra;
    for (std::uint64_t p : r.replay.touched)
      EXPECT_TRUE(std::binary_search(resident_.begin(), resident_.end(), p))
          << "page " << p << " not resident";
    EXPECT_EQ(r.stats.pages_fetched(), r.replay.touched.size() + extra);
    EXPECT_EQ(r.stats.pages_fetched(), resident_.size());
    EXPECT_LE(r.stats.demand_pages, r.replay.touched.size());
    EXPECT_GT(r.stats.prefetched_pages, 0u);
    EXPECT_GT(r.period.prefetch_used, 0u) << "no touched page came with a neighbour's prefetch";
    EXPECT_EQ(r.dirty, r.replay.written);
    ASSERT_TRUE(r.write_back.has_value());
    EXPECT_EQ(r.write_back->pages, r.replay.written.size());
  }

  // After write-back, the image file equals the server's view: every resident page as the region
  // holds it, every other page as it was.
  std::function<void(const UffdRegion&, const Fetcher&)> compare_image() {
    return [this](const UffdRegion& region, const Fetcher& fetcher) {
      const auto after = test::read_file(image_);
      ASSERT_EQ(after.size(), kPages * kPage);
      std::uint64_t resident = 0, differ = 0;
      for (std::uint64_t p = 0; p < kPages; ++p) {
        const std::byte* want =
            fetcher.resident(p) ? region.local_data() + p * kPage : original_.data() + p * kPage;
        if (fetcher.resident(p)) {
          ++resident;
          resident_.push_back(p);
        }
        if (std::memcmp(after.data() + p * kPage, want, kPage) != 0) ++differ;
      }
      EXPECT_EQ(differ, 0u) << "of " << kPages << " pages (" << resident << " resident)";
      compared_ = true;
    };
  }

  test::TempDir dir_;
  std::filesystem::path image_, psk_, log_;
  std::vector<std::byte> original_;
  MacAddress mac_;
  std::unique_ptr<ChildProcess> agent_;
  bool compared_ = false;
  std::vector<std::uint64_t> resident_;  // resident pages at the end, sorted (from compare_image())
};

TEST_F(ServerE2e, HappyPathSleepsWakesAndReintegrates) {
  start_agent();
  auto source = make_source();
  RemoteDesktop desktop(*source);
  // 4 bursts 1 s apart; the timeout rule (250 ms) puts the desktop to sleep after each of the first
  // three, and the next burst's first fault wakes it: 3 sleeps followed by a fault, 3 wake-ups.
  const auto profile = make_trace(4, 1000);
  ReplayRunOptions o = replay_options(Duration::millis(3100), /*sleep=*/true, *source, desktop);
  o.inspect = compare_image();
  const ReplayRun r = run_replay(profile, *source, o);
  check_run(r);
  EXPECT_TRUE(compared_);
  ASSERT_TRUE(r.sleep.has_value());
  EXPECT_FALSE(r.sleep_mismatch.has_value()) << *r.sleep_mismatch;
  EXPECT_GE(r.sleep->sleeps_then_fault, 2u);  // 3 expected; a loaded machine may merge one
  EXPECT_EQ(r.sleep->wakes, r.sleep->sleeps_then_fault);
  EXPECT_EQ(source->stats().wakeups, r.sleep->sleeps_then_fault);
  EXPECT_EQ(r.period.wakeups, source->stats().wakeups);
  // The log itself: every wake follows a sleep and then a fault.
  const std::vector<SleepEvent>& log = r.sleep_events;
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (log[i].kind != SleepEvent::Kind::kWake) continue;
    ASSERT_GE(i, 2u);
    EXPECT_EQ(
        log[i - 1].kind == SleepEvent::Kind::kFault || log[i - 1].kind == SleepEvent::Kind::kMagicPacket,
        true);
  }
}

// Runs the replay on a thread while `disturb` runs here; returns the run.
template <class F>
ReplayRun replay_while(const traces::PageProfile& profile, RemoteSource& source, const ReplayRunOptions& o,
                       F&& disturb) {
  auto done = std::async(std::launch::async, [&] { return run_replay(profile, source, o); });
  disturb();
  if (done.wait_for(std::chrono::seconds(40)) != std::future_status::ready) {
    source.cancel();  // a broken run: do not hang the suite
    ADD_FAILURE() << "the replay did not finish within 40 s";
  }
  return done.get();
}

TEST_F(ServerE2e, AgentKilledAndRestartedStallsThenFinishes) {
  start_agent();
  auto source = make_source();
  RemoteDesktop desktop(*source);
  const auto profile = make_trace(6, 500);  // 2.5 s of bursts
  ReplayRunOptions o = replay_options(Duration::millis(2600), /*sleep=*/false, *source, desktop);
  o.inspect = compare_image();
  const ReplayRun r = replay_while(profile, *source, o, [&] {
    std::this_thread::sleep_for(milliseconds(700));
    agent_->kill(SIGKILL);
    std::this_thread::sleep_for(milliseconds(1000));
    start_agent();
  });
  check_run(r);
  EXPECT_TRUE(compared_);
  EXPECT_GE(source->stats().reconnects, 1u);
  EXPECT_GT(r.replay.max_lateness, Duration::millis(200)) << "the replay should have stalled";
}

TEST_F(ServerE2e, LinkDownStallsThenFinishes) {
  start_agent();
  auto source = make_source();
  RemoteDesktop desktop(*source);
  const auto profile = make_trace(8, 500);  // 3.5 s of bursts
  ReplayRunOptions o = replay_options(Duration::millis(3600), /*sleep=*/false, *source, desktop);
  o.inspect = compare_image();
  const ReplayRun r = replay_while(profile, *source, o, [&] {
    std::this_thread::sleep_for(milliseconds(700));
    pair().set_link(pair().desktop(), false);
    std::this_thread::sleep_for(milliseconds(2000));
    pair().set_link(pair().desktop(), true);
  });
  check_run(r);
  EXPECT_TRUE(compared_);
  EXPECT_GT(r.replay.max_lateness, Duration::millis(500)) << "the replay should have stalled";
}

TEST_F(ServerE2e, LostMagicPacketsAreResent) {
  // The agent takes 600 ms to fall asleep. Bursts 400 ms apart with a 250 ms timeout: the desktop is
  // told to sleep ~250 ms after a burst and the next burst's fault comes ~150 ms later, while it is
  // still suspending: those magic packets are dropped, the resends on the backoff wake it.
  start_agent("600ms");
  auto source = make_source();
  RemoteDesktop desktop(*source);
  const auto profile = make_trace(3, 400);
  ReplayRunOptions o = replay_options(Duration::millis(900), /*sleep=*/true, *source, desktop);
  o.inspect = compare_image();
  const ReplayRun r = run_replay(profile, *source, o);
  check_run(r);
  EXPECT_TRUE(compared_);
  ASSERT_TRUE(r.sleep.has_value());
  EXPECT_FALSE(r.sleep_mismatch.has_value()) << *r.sleep_mismatch;
  EXPECT_GE(r.sleep->wakes, 1u);
  const RemoteSourceStats s = source->stats();
  EXPECT_GT(s.magic_packets, s.wakeups) << "no packet was lost: the test did not test anything";
}

TEST_F(ServerE2e, WrongKeyFailsClearlyAndWritesNothing) {
  start_agent();
  make_trace(2, 100);
  const auto wrong = dir_.path() / "wrong.hex";
  std::ofstream(wrong) << std::string(64, 'b') << "\n";
  const auto out = dir_.path() / "periods.csv";
  const auto replay = NetnsPair::exec(
      pair().server().ns,
      fmt::format("{}/jettison-replay --trace {} --connect {} --psk-file {} --psk-identity {} --out {} "
                  "--wol-interface {} --desktop-mac {} --sleep timeout --write-back --give-up-after 5s",
                  JETTISON_BIN_DIR, (dir_.path() / "pages.csv").string(), endpoint(), wrong.string(),
                  kIdentity, out.string(), pair().server().ifname, mac_.to_string()));
  EXPECT_EQ(replay.status, 1) << replay.output;
  EXPECT_NE(replay.output.find("jettison-replay: error: desktop " + endpoint()), std::string::npos)
      << replay.output;
  EXPECT_NE(replay.output.find("TLS refused"), std::string::npos) << replay.output;
  EXPECT_FALSE(std::filesystem::exists(out));

  const auto server = NetnsPair::exec(
      pair().server().ns, fmt::format("{}/jettison-server --connect {} --psk-file {} --psk-identity {} "
                                      "--local-region --run-for 1s --give-up-after 5s",
                                      JETTISON_BIN_DIR, endpoint(), wrong.string(), kIdentity));
  EXPECT_EQ(server.status, 1) << server.output;
  EXPECT_NE(server.output.find("jettison-server: error: desktop " + endpoint()), std::string::npos)
      << server.output;
  // Nothing half-written on the desktop either.
  EXPECT_EQ(test::read_file(image_), original_);
}

TEST_F(ServerE2e, ServerDaemonServesSleepsAndReports) {
  start_agent();
  // The daemon maps its own region, touches 64 pages, lets the timeout rule put the desktop to sleep
  // and reintegrates after --run-for.
  const auto r = NetnsPair::exec(
      pair().server().ns,
      fmt::format(
          "{}/jettison-server --connect {} --psk-file {} --psk-identity {} --local-region --touch-pages 64 "
          "--prefetch spatial --radius 2 --sleep timeout --sleep-timeout 200ms --wol-interface {} "
          "--desktop-mac {} --run-for 1500ms",
          JETTISON_BIN_DIR, endpoint(), psk_.string(), kIdentity, pair().server().ifname, mac_.to_string()));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("touched 64 pages"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("sleep rule timeout: 1 decisions, 1 sleeps"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("fault latency p50"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("dirty pages 0"), std::string::npos) << r.output;
  EXPECT_EQ(test::read_file(image_), original_);
}

TEST_F(ServerE2e, ServerDaemonRejectsBadFlags) {
  const auto r = NetnsPair::exec(pair().server().ns,
                                 fmt::format("{}/jettison-server --connect {} --psk-file {} --psk-identity x "
                                             "--local-region --sleep oracle",
                                             JETTISON_BIN_DIR, endpoint(), psk_.string()));
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--sleep"), std::string::npos) << r.output;
}

TEST_F(ServerE2e, ReplayCliSleepsWakesAndWritesBack) {
  start_agent();
  // 3 bursts 1 s apart, a 250 ms timeout: the desktop sleeps after the first two bursts and the next
  // burst wakes it, all through the jettison-replay binary in the server namespace.
  make_trace(3, 1000);
  const auto out = dir_.path() / "periods.csv";
  const auto r = NetnsPair::exec(
      pair().server().ns,
      fmt::format(
          "{}/jettison-replay --trace {} --connect {} --psk-file {} --psk-identity {} --wol-interface {} "
          "--desktop-mac {} --sleep timeout --sleep-timeout 250ms --prefetch spatial --radius 2 "
          "--dirty-tracking --period 2100ms --image {} --verify --write-back --give-up-after 20s --out {}",
          JETTISON_BIN_DIR, (dir_.path() / "pages.csv").string(), endpoint(), psk_.string(), kIdentity,
          pair().server().ifname, mac_.to_string(), image_.string(), out.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  if (std::getenv("JETTISON_E2E_SHOW")) std::cout << r.output;
  EXPECT_NE(r.output.find("verified"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("write-back: "), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("note: wake-ups vs sleep decisions"), std::string::npos) << r.output;
  std::ifstream in(out);
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  std::vector<std::string> cols;
  std::stringstream ss(row);
  for (std::string c; std::getline(ss, c, ',');) cols.push_back(c);
  ASSERT_GT(cols.size(), 19u) << row;
  EXPECT_FALSE(cols[16].empty()) << "reintegrated_bytes: " << row;
  EXPECT_GE(std::stoi(cols[19]), 1) << "wakeups: " << row;
}

// Runs `fn` (which faults on `vm`) on a thread for at most `limit`; if it does not finish, unregisters
// the region so the kernel answers its faults and the thread can be joined, and returns false.
bool bounded_faults(const UffdRegion& vm, const std::function<void()>& fn, milliseconds limit) {
  std::atomic<bool> done{false};
  std::thread t([&] {
    fn();
    done = true;
  });
  for (auto waited = milliseconds(0); !done && waited < limit; waited += milliseconds(10))
    std::this_thread::sleep_for(milliseconds(10));
  if (!done) {
    uffdio_range range{vm.info().base, vm.info().length};
    (void)::ioctl(vm.fd(), UFFDIO_UNREGISTER, &range);
  }
  t.join();
  return done;
}

TEST_F(ServerE2e, ServerDaemonServesAHandedOverUffdAndWritesBackOnSigterm) {
  start_agent();
  const auto sock = dir_.path() / "vm.sock";
  const auto server_log = dir_.path() / "server.log";
  ChildProcess server(pair().server().ns, "jettison-server",
                      {"--connect",     endpoint(),        "--psk-file",
                       psk_.string(),   "--psk-identity",  kIdentity,
                       "--uffd-socket", sock.string(),     "--prefetch",
                       "spatial",       "--radius",        "2",
                       "--sleep",       "timeout",         "--sleep-timeout",
                       "300ms",         "--wol-interface", pair().server().ifname,
                       "--desktop-mac", mac_.to_string()},
                      server_log);
  for (int i = 0; i < 500 && !std::filesystem::exists(sock); ++i)
    std::this_thread::sleep_for(milliseconds(10));
  ASSERT_TRUE(std::filesystem::exists(sock)) << read_text(server_log);

  // The "VM": a memfd mapping of the image's size, registered here (MISSING|WP) and handed over.
  const int memfd = ::memfd_create("vm-ram", MFD_CLOEXEC);
  ASSERT_GE(memfd, 0);
  ASSERT_EQ(::ftruncate(memfd, static_cast<off_t>(kPages * kPage)), 0);
  void* base = ::mmap(nullptr, kPages * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
  ASSERT_NE(base, MAP_FAILED);
  auto* mem = static_cast<std::byte*>(base);
  {
    UffdRegion vm = UffdRegion::register_mapping(base, kPages * kPage, /*write_protect=*/true, memfd);
    {
      const int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      std::strncpy(addr.sun_path, sock.c_str(), sizeof addr.sun_path - 1);
      ASSERT_EQ(::connect(s, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0)
          << std::strerror(errno);
      send_uffd(s, vm.fd(), vm.info(), memfd);
      ::close(s);
    }
    std::vector<std::byte> buf(kPage);
    std::uint64_t differ = 0;
    auto read_pages = [&](std::uint64_t first, std::uint64_t count) {
      for (std::uint64_t p = first; p < first + count; ++p) {
        std::memcpy(buf.data(), mem + p * kPage, kPage);
        if (std::memcmp(buf.data(), original_.data() + p * kPage, kPage) != 0) ++differ;
      }
    };
    ASSERT_TRUE(bounded_faults(
        vm, [&] { read_pages(0, 100); }, milliseconds(20000)))
        << read_text(server_log);
    // Writes: 10 and 20 resident (write-protect faults), 700 not (a missing fault that is a write).
    ASSERT_TRUE(bounded_faults(
        vm,
        [&] {
          for (std::uint64_t p : {10, 20, 700}) mem[p * kPage + 5] = std::byte{0xEE};
        },
        milliseconds(20000)))
        << read_text(server_log);
    // The rule puts the desktop to sleep after 300 ms; the next faults wake it.
    std::this_thread::sleep_for(milliseconds(800));
    ASSERT_TRUE(bounded_faults(
        vm, [&] { read_pages(1000, 10); }, milliseconds(20000)))
        << read_text(server_log);
    EXPECT_EQ(differ, 0u);

    EXPECT_EQ(server.kill(SIGTERM), 0) << read_text(server_log);
    const std::string out = read_text(server_log);
    if (std::getenv("JETTISON_E2E_SHOW")) std::cout << out;
    EXPECT_NE(out.find("dirty pages 3"), std::string::npos) << out;
    EXPECT_NE(out.find("write-back: 3 pages"), std::string::npos) << out;
    EXPECT_NE(out.find("wake-ups 1 "), std::string::npos) << out;
    EXPECT_NE(out.find("sleep rule timeout: 1 decisions, 1 sleeps, 1 followed by a fault, 1 wakes"),
              std::string::npos)
        << out;
    // The desktop's image now equals the VM's memory where it was written, and is unchanged elsewhere.
    const auto after = test::read_file(image_);
    for (std::uint64_t p : {10, 20, 700}) {
      EXPECT_EQ(std::memcmp(after.data() + p * kPage, mem + p * kPage, kPage), 0) << "page " << p;
      EXPECT_EQ(after[p * kPage + 5], std::byte{0xEE}) << "page " << p;
    }
    EXPECT_EQ(std::memcmp(after.data() + 11 * kPage, original_.data() + 11 * kPage, kPage), 0);
  }
  ::munmap(base, kPages * kPage);
  ::close(memfd);
}

// --speed 10 and --speed 1 sleep as often: the sleep rule runs on trace time (the fetcher's clock runs
// at the replay's speed) and the emulated desktop's transitions are divided by the speed too.
TEST_F(ServerE2e, ReplayAtSpeedTenSleepsAsOftenAsAtSpeedOne) {
  // 3 bursts 3 s apart in trace time (at 0, 3 and 6 s, each 12 accesses within 12 ms), a 500 ms
  // timeout, a 6.1 s period: the desktop sleeps after the first two bursts (0.5 s < 3 s gap) and the
  // next burst wakes it; after the third the period ends at 6.1 s < 6.012 + 0.5 s: 2 sleeps, each
  // followed by a fault, 2 wake-ups, at either speed. (Before the clock followed the speed, the
  // timeout was 500 ms of wall time against 300 ms gaps at speed 10: no sleep at all.) At speed 10
  // a wake-up (20 ms resume, a reconnect within ~70 ms) and the next decision (50 ms) fit well
  // inside the 300 ms of wall time between bursts.
  const auto profile = make_trace(3, 3000);
  auto run_at = [&](double speed) {
    auto source = make_source();
    RemoteDesktop desktop(*source);
    ReplayRunOptions o = replay_options(Duration::millis(6100), /*sleep=*/true, *source, desktop);
    o.schedule.speed = speed;
    o.sleep->params.timeout = Duration::millis(500);  // trace time
    o.verify_image.reset();
    o.write_back = nullptr;
    ReplayRun r = run_replay(profile, *source, o);
    EXPECT_EQ(r.period.wakeups, source->stats().wakeups) << "speed " << speed;
    return r;
  };
  start_agent();
  const ReplayRun slow = run_at(1.0);
  agent_.reset();
  start_agent("50ms", {"--speed", "10"});  // suspend 5 ms, selective resume 20 ms
  const ReplayRun fast = run_at(10.0);
  ASSERT_TRUE(slow.sleep.has_value());
  ASSERT_TRUE(fast.sleep.has_value());
  EXPECT_EQ(slow.sleep->sleeps_then_fault, 2u);
  EXPECT_EQ(fast.sleep->sleeps_then_fault, slow.sleep->sleeps_then_fault);
  EXPECT_EQ(fast.sleep->wakes, slow.sleep->wakes);
  EXPECT_EQ(fast.period.wakeups, slow.period.wakeups);
  EXPECT_EQ(fast.replay.accesses, slow.replay.accesses);
  EXPECT_FALSE(fast.sleep_mismatch.has_value()) << *fast.sleep_mismatch;
  // The decisions' times are trace time at both speeds: the first sleep comes 0.5 s (the timeout)
  // after the first burst, not 0.05 s.
  for (const ReplayRun* r : {&slow, &fast}) {
    const auto first = std::find_if(r->sleep_events.begin(), r->sleep_events.end(),
                                    [](const SleepEvent& e) { return e.kind == SleepEvent::Kind::kSleep; });
    ASSERT_NE(first, r->sleep_events.end());
    EXPECT_GE(first->at.us(), 500'000);
    EXPECT_LT(first->at.us(), 3'000'000);  // before the second burst
  }
}

// A "VM" for jettison-server --uffd-socket: a memfd mapping of the image's size, registered here
// (MISSING|WP) and handed over through `sock` (the server must be listening there).
class HandedOverVm {
 public:
  explicit HandedOverVm(const std::filesystem::path& sock) {
    memfd_ = ::memfd_create("vm-ram", MFD_CLOEXEC);
    if (memfd_ < 0 || ::ftruncate(memfd_, static_cast<off_t>(kPages * kPage)) != 0)
      throw std::runtime_error("memfd");
    void* base = ::mmap(nullptr, kPages * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, memfd_, 0);
    if (base == MAP_FAILED) throw std::runtime_error("mmap");
    mem_ = static_cast<std::byte*>(base);
    region_.emplace(UffdRegion::register_mapping(base, kPages * kPage, /*write_protect=*/true, memfd_));
    const int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, sock.c_str(), sizeof addr.sun_path - 1);
    if (::connect(s, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    send_uffd(s, region_->fd(), region_->info(), memfd_);
    ::close(s);
  }
  ~HandedOverVm() {
    region_.reset();
    ::munmap(mem_, kPages * kPage);
    ::close(memfd_);
  }
  HandedOverVm(const HandedOverVm&) = delete;
  HandedOverVm& operator=(const HandedOverVm&) = delete;
  std::byte* mem() { return mem_; }
  const UffdRegion& region() const { return *region_; }

 private:
  int memfd_ = -1;
  std::byte* mem_ = nullptr;
  std::optional<UffdRegion> region_;
};

// True once `pred` holds (checked every 20 ms), false after 20 s.
bool eventually(const std::function<bool()>& pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

// `status` on both daemons' control sockets at the points of one hosted period: before the VM
// arrives, while it is hosted with N pages fetched and M dirty, while the desktop sleeps, after it
// woke, and after the reintegration.
TEST_F(ServerE2e, StatusOnBothSidesBeforeWhileAndAfterAHostedPeriod) {
  const auto desktop_sock = dir_.path() / "desktop.sock";
  const auto server_sock = dir_.path() / "server.sock";
  start_agent("50ms", {"--control", desktop_sock.string()});
  auto desktop = [&] {
    const nlohmann::json a = control_request(desktop_sock, {{"cmd", "status"}}, milliseconds(5000));
    EXPECT_TRUE(a.value("ok", false)) << a.dump();
    return a;
  };
  auto server_status = [&] {
    const nlohmann::json a = control_request(server_sock, {{"cmd", "status"}}, milliseconds(5000));
    EXPECT_TRUE(a.value("ok", false)) << a.dump();
    return a;
  };
  auto vm = [](const nlohmann::json& a) {
    return a.at("vms").empty() ? nlohmann::json::object() : a.at("vms").at(0);
  };

  // Before anything moved: a plain image served, nothing fetched, never slept.
  nlohmann::json d = desktop();
  EXPECT_EQ(d.value("side", ""), "desktop");
  EXPECT_EQ(d.value("location", ""), "no-vm");
  EXPECT_EQ(d.value("pages_served", 99u), 0u);
  EXPECT_EQ(d.value("sleeps", 99u), 0u);
  EXPECT_FALSE(d.contains("last_wake"));
  EXPECT_FALSE(d.contains("server"));  // no server has connected yet
  EXPECT_EQ(d.at("write_back").value("in_progress", true), false);
  const std::uint64_t generation = d.at("write_back").value("generation", 99u);

  const auto sock = dir_.path() / "vm.sock";
  const auto server_log = dir_.path() / "server.log";
  // No prefetching: every page the "guest" touches is exactly one page fetched.
  ChildProcess server(pair().server().ns, "jettison-server",
                      {"--connect",       endpoint(),       "--psk-file",      psk_.string(),
                       "--psk-identity",  kIdentity,        "--uffd-socket",   sock.string(),
                       "--prefetch",      "none",           "--sleep",         "timeout",
                       "--sleep-timeout", "300ms",          "--wol-interface", pair().server().ifname,
                       "--desktop-mac",   mac_.to_string(), "--control",       server_sock.string()},
                      server_log);
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(sock); })) << read_text(server_log);

  // The server waits for its VM (the uffd hand-over): migrating in, nothing fetched yet.
  nlohmann::json s = server_status();
  EXPECT_EQ(s.value("side", ""), "server");
  EXPECT_EQ(s.value("desktop", ""), endpoint());
  EXPECT_EQ(s.value("phase", ""), "migrating-in");
  EXPECT_EQ(s.value("periods_hosted", 99u), 0u);
  ASSERT_EQ(s.at("vms").size(), 1u) << s.dump();
  EXPECT_EQ(vm(s).value("epoch", 0u), 1u);
  EXPECT_EQ(vm(s).value("pages_fetched", 99u), 0u);

  {
    HandedOverVm guest(sock);
    std::byte* mem = guest.mem();
    std::uint64_t sum = 0;
    // Reads of pages 0..99 (100 missing faults), then writes: 10 and 20 are resident (2 write-protect
    // faults), 700 is not (a missing fault that is a write): 101 pages fetched, 3 dirty.
    ASSERT_TRUE(bounded_faults(
        guest.region(),
        [&] {
          for (std::uint64_t p = 0; p < 100; ++p) sum += static_cast<std::uint64_t>(mem[p * kPage]);
          for (std::uint64_t p : {10, 20, 700}) mem[p * kPage + 5] = std::byte{0xEE};
        },
        milliseconds(20000)))
        << read_text(server_log);
    s = server_status();
    EXPECT_EQ(s.value("phase", ""), "serving");
    EXPECT_EQ(vm(s).value("pages_fetched", 0u), 101u) << s.dump();
    EXPECT_EQ(vm(s).value("demand_pages", 0u), 101u);
    EXPECT_EQ(vm(s).value("prefetched_pages", 99u), 0u);
    EXPECT_GE(vm(s).value("faults", 0u), 101u);
    EXPECT_EQ(vm(s).value("wp_faults", 0u), 2u);
    EXPECT_EQ(vm(s).value("dirty_pending", 0u), 3u);
    EXPECT_EQ(vm(s).value("wakeups", 99u), 0u);
    EXPECT_EQ(desktop().value("pages_served", 0u), 101u);

    // 300 ms after the last fault the rule puts the desktop to sleep; both sides say so.
    ASSERT_TRUE(eventually([&] { return vm(server_status()).value("desktop_asleep", false); }))
        << server_status().dump();
    EXPECT_EQ(vm(server_status()).value("sleeps", 0u), 1u);
    ASSERT_TRUE(eventually([&] { return desktop().value("power_state", "") == "asleep"; }))
        << desktop().dump();
    EXPECT_FALSE(server_status().contains("last_wake"));

    // 10 more pages: the first fault wakes the desktop with a magic packet.
    ASSERT_TRUE(bounded_faults(
        guest.region(),
        [&] {
          for (std::uint64_t p = 1000; p < 1010; ++p) sum += static_cast<std::uint64_t>(mem[p * kPage]);
        },
        milliseconds(20000)))
        << read_text(server_log);
    ASSERT_TRUE(eventually([&] { return server_status().contains("last_wake"); })) << server_status().dump();
    s = server_status();
    EXPECT_EQ(vm(s).value("pages_fetched", 0u), 111u);
    EXPECT_EQ(vm(s).value("wakeups", 0u), 1u);
    EXPECT_FALSE(vm(s).value("desktop_asleep", true));
    EXPECT_GE(s.at("last_wake").value("ago_s", -1.0), 0.0);
    d = desktop();
    EXPECT_EQ(d.value("pages_served", 0u), 111u);
    EXPECT_EQ(d.value("sleeps", 0u), 1u);
    EXPECT_EQ(d.value("wakeups", 0u), 1u);
    ASSERT_TRUE(d.contains("last_wake")) << d.dump();
    EXPECT_EQ(d.at("last_wake").value("cause", ""), "magic_packet");
    EXPECT_TRUE(d.at("last_wake").contains("at_unix_ms"));

    // The human form: a line for the daemon, one per VM.
    const auto ctl = NetnsPair::exec(pair().server().ns, fmt::format("{}/jettison-ctl --socket {} status",
                                                                     JETTISON_BIN_DIR, server_sock.string()));
    EXPECT_EQ(ctl.status, 0) << ctl.output;
    EXPECT_NE(ctl.output.find("server: desktop " + endpoint() + ", serving, 0 periods hosted, last wake"),
              std::string::npos)
        << ctl.output;
    EXPECT_NE(ctl.output.find("vm epoch 1 of " + endpoint() +
                              ": serving, 111 pages fetched (111 demand, 0 "
                              "prefetched)"),
              std::string::npos)
        << ctl.output;
    EXPECT_NE(ctl.output.find("3 dirty pending write-back, desktop awake, 1 sleeps, 1 wake-ups"),
              std::string::npos)
        << ctl.output;
    (void)sum;

    EXPECT_EQ(server.kill(SIGTERM), 0) << read_text(server_log);
  }
  // After the reintegration: the 3 dirty pages are in the desktop's image, one generation later.
  d = desktop();
  EXPECT_EQ(d.value("pages_written_back", 0u), 3u) << d.dump();
  EXPECT_EQ(d.at("write_back").value("generation", 0u), generation + 1);
  EXPECT_EQ(d.at("write_back").value("in_progress", true), false);
  // The desktop names the server it served: its address in the server's namespace and the PSK
  // identity it proved; a plain image: no VM held. The server is gone (SIGTERM): not connected once
  // the desktop's session for it has ended (it may still be closing when the server has exited).
  ASSERT_TRUE(d.contains("server")) << d.dump();
  EXPECT_EQ(d.at("server").value("address", ""), pair().server().address);
  EXPECT_EQ(d.at("server").value("identity", ""), "psk:" + kIdentity);
  EXPECT_EQ(d.at("server").value("holds_vm", true), false);
  EXPECT_TRUE(eventually([&] { return !desktop().at("server").value("connected", true); }))
      << desktop().dump();
  const auto ctl = NetnsPair::exec(pair().server().ns, fmt::format("{}/jettison-ctl --socket {} status",
                                                                   JETTISON_BIN_DIR, desktop_sock.string()));
  EXPECT_EQ(ctl.status, 0) << ctl.output;
  EXPECT_NE(ctl.output.find("write-back: 3 pages in, generation " + std::to_string(generation + 1)),
            std::string::npos)
      << ctl.output;
  EXPECT_NE(ctl.output.find("no VM: serves the image"), std::string::npos) << ctl.output;
  EXPECT_NE(ctl.output.find("server " + pair().server().address + " (psk:" + kIdentity + "): not connected"),
            std::string::npos)
      << ctl.output;
}

}  // namespace
}  // namespace jettison::emu
