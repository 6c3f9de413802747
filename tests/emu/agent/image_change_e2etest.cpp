// The jettison-desktop process survives its image changing while it serves it: truncated while a
// client fetches in a loop, or replaced by a rename. The client ends with IMAGE_CHANGED naming the
// image, every page it got before is the original's, the process keeps running and answers a new
// connection (handshake and KEEPALIVE; pages refused), its log says what changed, and SIGTERM still
// stops it cleanly. Before the fix the truncation killed the agent with SIGBUS. Loopback only, a
// port of its own (chosen by the kernel, read from the log); the image lives in a temporary folder.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <optional>
#include <regex>
#include <thread>

#include "emu/wire/page_client.hpp"
#include "tests/emu/memserver/client_options.hpp"
#include "tests/emu/memserver/test_image.hpp"
#include "tests/emu/support/child_process.hpp"

namespace jettison::emu {
namespace {

using test::kPage;
constexpr std::uint64_t kPages = 2048;  // 8 MiB: a full pass takes many requests

TlsConfig psk() { return TlsConfig::psk("d1", std::vector<unsigned char>(32, 0xbb)); }

ClientOptions quick() { return test::client_options(Duration::seconds(5), Duration::seconds(10), 64); }

class DesktopImageChange : public ::testing::Test {
 protected:
  void SetUp() override {
    image_ = test::write_image(dir_.path(), kPages);
    std::ofstream(dir_.path() / "psk.hex") << std::string(64, 'b') << "\n";
    log_ = dir_.path() / "desktop.log";
    desktop_ = std::make_unique<jettison::testing::ChildProcess>(
        "", "jettison-desktop",
        std::vector<std::string>{"--image", image_.string(), "--listen", "127.0.0.1:0", "--psk-file",
                                 (dir_.path() / "psk.hex").string(), "--psk-identity", "d1", "--power",
                                 "real", "--dry-run", "--run-for", "120s", "--log-level", "info"},
        log_);
    // The kernel picks the port; the agent names it in its "serving" line.
    const std::regex serving(R"(jettison-desktop: serving .* on 127\.0\.0\.1:(\d+) )");
    for (int i = 0; i < 1000 && port_ == 0; ++i) {
      std::smatch m;
      const std::string text = jettison::testing::read_text(log_);
      if (std::regex_search(text, m, serving)) {
        port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
      } else {
        ASSERT_TRUE(desktop_->running()) << text;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    ASSERT_NE(port_, 0) << jettison::testing::read_text(log_);
  }

  Endpoint endpoint() const { return Endpoint{"127.0.0.1", port_}; }

  // Fetches every page in a loop on its own connection until the server refuses; `change` runs
  // once a full pass has arrived. Every page that arrives must be the original's. The refusal.
  RemoteError fetch_while(const std::function<void()>& change) {
    std::atomic<int> passes{0};
    std::optional<RemoteError> error;
    std::string other;
    std::vector<std::uint64_t> pages(kPages);
    for (std::uint64_t p = 0; p < kPages; ++p) pages[p] = p;
    std::thread client([&] {
      try {
        PageClient c(endpoint(), psk(), quick());
        for (int i = 0; i < 10000; ++i) {
          c.get_pages(pages, [&](std::uint64_t p, const std::byte* data) {
            if (data == nullptr) {
              EXPECT_TRUE(test::zero_page(p)) << "page " << p << " came as zero";
            } else {
              EXPECT_EQ(std::memcmp(data, test::page_content(p).data(), kPage), 0) << "page " << p;
            }
          });
          ++passes;
        }
      } catch (const RemoteError& e) {
        error = e;
      } catch (const std::exception& e) {
        other = e.what();
      }
    });
    while (passes < 1 && other.empty() && !error) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    change();
    client.join();
    EXPECT_EQ(other, "") << jettison::testing::read_text(log_);
    if (!error) throw std::runtime_error("the client never saw the image change");
    return *error;
  }

  void expect_refusal(const RemoteError& e, const std::string& what) {
    EXPECT_EQ(e.code(), ErrorCode::kImageChanged) << e.what();
    const std::string text = e.what();
    EXPECT_NE(text.find(fmt::format("127.0.0.1:{}", port_)), std::string::npos) << text;
    EXPECT_NE(text.find(image_.string()), std::string::npos) << text;
    EXPECT_NE(text.find(what), std::string::npos) << text;
  }

  // Alive: a new connection's handshake and KEEPALIVE are answered, a page request refused; the
  // log names the change; SIGTERM ends the process with status 0.
  void expect_alive(const std::string& what) {
    ASSERT_TRUE(desktop_->running()) << jettison::testing::read_text(log_);
    {
      PageClient fresh(endpoint(), psk(), quick());
      EXPECT_EQ(fresh.session().image_pages, kPages);
      EXPECT_GE(fresh.keepalive().us(), 0);
      const std::vector<std::uint64_t> one = {5};
      try {
        fresh.get_pages(one, [](std::uint64_t, const std::byte*) { ADD_FAILURE() << "page served"; });
        ADD_FAILURE() << "a page of the changed image was served";
      } catch (const RemoteError& e) {
        expect_refusal(e, what);
      }
    }
    EXPECT_TRUE(desktop_->running());
    EXPECT_EQ(desktop_->kill(SIGTERM), 0);
    const std::string log = jettison::testing::read_text(log_);
    EXPECT_NE(log.find("image " + image_.string() + " changed: "), std::string::npos) << log;
    EXPECT_NE(log.find(what), std::string::npos) << log;
    EXPECT_NE(log.find("SIGTERM received"), std::string::npos) << log;
  }

  test::TempDir dir_;
  std::filesystem::path image_, log_;
  std::unique_ptr<jettison::testing::ChildProcess> desktop_;
  std::uint16_t port_ = 0;
};

TEST_F(DesktopImageChange, TruncatedWhileServedTheAgentLivesAndRefuses) {
  const RemoteError e = fetch_while([&] {
    ASSERT_EQ(::truncate(image_.c_str(), static_cast<off_t>(kPages / 4 * kPage)), 0) << std::strerror(errno);
  });
  // 2048 pages of 4096 bytes = 8388608 bytes; a quarter of them = 2097152.
  expect_refusal(e, "size 8388608 -> 2097152 bytes, truncated");
  expect_alive("truncated");
}

TEST_F(DesktopImageChange, ReplacedByRenameWhileServedTheAgentLivesAndRefuses) {
  const RemoteError e = fetch_while([&] {
    const auto tmp = dir_.path() / "vm.ram.new";
    std::filesystem::copy_file(image_, tmp);
    ASSERT_EQ(::rename(tmp.c_str(), image_.c_str()), 0) << std::strerror(errno);
  });
  expect_refusal(e, "replaced: inode");
  expect_alive("replaced: inode");
}

}  // namespace
}  // namespace jettison::emu
