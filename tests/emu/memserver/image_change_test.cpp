// The image changing under the memory server: truncated while a client fetches, grown, replaced by
// a rename, removed. The server never serves a page of a changed image (the client gets an
// IMAGE_CHANGED error naming the image), keeps running (a new connection is answered), and a
// write-back to a changed image fails without writing into any file. Before the server read its
// image through pread, truncating it killed the process with SIGBUS.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "emu/memserver/memory_image.hpp"
#include "emu/memserver/memory_server.hpp"
#include "emu/wire/page_client.hpp"
#include "tests/emu/memserver/client_options.hpp"
#include "tests/emu/memserver/test_image.hpp"

namespace jettison::emu {
namespace {

using test::kPage;
constexpr std::uint64_t kPages = 1024;  // 4 MiB: a full fetch takes several requests

TlsConfig psk() { return TlsConfig::psk("desktop-1", std::vector<unsigned char>(32, 0x42)); }

ClientOptions quick() { return test::client_options(Duration::seconds(5), Duration::seconds(10), 64); }

std::vector<std::uint64_t> all_pages() {
  std::vector<std::uint64_t> v(kPages);
  for (std::uint64_t p = 0; p < kPages; ++p) v[p] = p;
  return v;
}

std::uint64_t inode_of(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return static_cast<std::uint64_t>(st.st_ino);
}

void truncate_to(const std::filesystem::path& path, std::uint64_t bytes) {
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(bytes)), 0) << std::strerror(errno);
}

// Writes an image whose every page differs from the original's (salt 9) next to `path`, then
// renames it over `path`, the way a careless copy or an editor replaces a file.
void replace_by_rename(const std::filesystem::path& path) {
  const auto tmp = path.string() + ".new";
  {
    std::ofstream out(tmp, std::ios::binary);
    for (std::uint64_t p = 0; p < kPages; ++p) {
      const auto c = test::page_content(p, 9);
      out.write(reinterpret_cast<const char*>(c.data()), static_cast<std::streamsize>(c.size()));
    }
  }
  ASSERT_EQ(::rename(tmp.c_str(), path.c_str()), 0) << std::strerror(errno);
}

// Fetches `pages`, checking every page that arrives against the original image; returns how many
// arrived. Throws what the client throws.
std::uint64_t fetch_original(PageClient& client, const std::vector<std::uint64_t>& pages) {
  std::uint64_t seen = 0;
  client.get_pages(pages, [&](std::uint64_t p, const std::byte* data) {
    ++seen;
    if (data == nullptr) {
      EXPECT_TRUE(test::zero_page(p)) << "page " << p << " came as zero";
    } else {
      EXPECT_EQ(std::memcmp(data, test::page_content(p).data(), kPage), 0) << "page " << p;
    }
  });
  return seen;
}

// The error a client gets for a changed image: IMAGE_CHANGED, naming the server and the image.
void expect_image_changed(const RemoteError& e, const std::filesystem::path& image, const std::string& what) {
  EXPECT_EQ(e.code(), ErrorCode::kImageChanged) << e.what();
  const std::string text = e.what();
  EXPECT_NE(text.find("127.0.0.1:"), std::string::npos) << text;
  EXPECT_NE(text.find(image.string()), std::string::npos) << text;
  EXPECT_NE(text.find(what), std::string::npos) << text;
  EXPECT_NE(text.find("IMAGE_CHANGED"), std::string::npos) << text;
}

struct Fixture {
  test::TempDir dir;
  std::filesystem::path image_path = test::write_image(dir.path(), kPages);
  std::unique_ptr<MemoryServer> server;

  Fixture() {
    MemoryServerConfig c;
    c.image_path = image_path;
    c.tls = psk();
    c.handshake_timeout = Duration::seconds(5);
    server = std::make_unique<MemoryServer>(std::move(c));
    server->start();
  }
  Endpoint endpoint() const { return Endpoint{"127.0.0.1", server->port()}; }

  // The server still answers: a new connection completes its handshake and a KEEPALIVE, and a
  // page request on it is refused with IMAGE_CHANGED.
  void expect_alive_and_refusing(const std::string& what) {
    ASSERT_TRUE(server->running());
    PageClient fresh(endpoint(), psk(), quick());
    EXPECT_EQ(fresh.session().image_pages, kPages);
    EXPECT_GE(fresh.keepalive().us(), 0);
    try {
      EXPECT_EQ(fetch_original(fresh, {1, 2}), 0u);
      ADD_FAILURE() << "a page of the changed image was served";
    } catch (const RemoteError& e) {
      expect_image_changed(e, image_path, what);
    }
  }
};

TEST(MemoryImageChange, ReadsTheFileBytesThroughPread) {
  test::TempDir dir;
  const auto path = test::write_image(dir.path(), 16);
  MemoryImage image(path, kPage);
  const std::vector<PageRange> ranges = {{5, 3}, {1, 1}, {15, 1}};
  std::vector<std::byte> out(5 * kPage);
  image.read_pages(ranges, out);
  const std::uint64_t order[] = {5, 6, 7, 1, 15};
  for (std::size_t i = 0; i < 5; ++i)
    EXPECT_EQ(std::memcmp(out.data() + i * kPage, test::page_content(order[i]).data(), kPage), 0) << i;
  EXPECT_FALSE(image.change());
}

// Each kind of change is found by the next read, named in the error and kept for good (even once
// the file looks right again).
TEST(MemoryImageChange, EveryKindOfChangeIsNamedAndKept) {
  struct Case {
    const char* name;
    std::function<void(const std::filesystem::path&)> change;
    std::function<void(const std::filesystem::path&)> undo;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"truncated", [](const auto& p) { truncate_to(p, 8 * kPage); },
       [](const auto& p) { truncate_to(p, 16 * kPage); }, "size 65536 -> 32768 bytes, truncated"},
      {"grown", [](const auto& p) { truncate_to(p, 17 * kPage); },
       [](const auto& p) { truncate_to(p, 16 * kPage); }, "size 65536 -> 69632 bytes, grown"},
      {"replaced", [](const auto& p) { replace_by_rename(p); }, [](const auto&) {}, "replaced: inode"},
      {"removed", [](const auto& p) { std::filesystem::remove(p); },
       [](const auto& p) { test::write_image(p.parent_path(), 16); }, "removed"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    test::TempDir dir;
    const auto path = test::write_image(dir.path(), 16);
    MemoryImage image(path, kPage);
    std::vector<std::byte> out(kPage);
    const std::vector<PageRange> one = {{2, 1}};
    image.read_pages(one, out);
    c.change(path);
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        image.read_pages(one, out);
        ADD_FAILURE() << "read a changed image";
      } catch (const ImageChanged& e) {
        EXPECT_EQ(e.origin(), path.string());
        EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
      }
      c.undo(path);
    }
    ASSERT_TRUE(image.change());
    EXPECT_NE(image.change()->find(c.expected), std::string::npos) << *image.change();
    EXPECT_THROW(image.check(), ImageChanged);
  }
}

// A truncation to half the size while a client fetches in a loop: everything that arrives is the
// original bytes, the fetch ends with IMAGE_CHANGED naming the image, and the server lives on.
TEST(MemoryServerImageChange, TruncationWhileAClientFetches) {
  Fixture f;
  std::atomic<int> passes{0};
  std::optional<RemoteError> error;
  std::string other_error;
  std::thread client([&] {
    try {
      PageClient c(f.endpoint(), psk(), quick());
      for (int i = 0; i < 10000; ++i) {
        EXPECT_EQ(fetch_original(c, all_pages()), kPages);
        ++passes;
      }
    } catch (const RemoteError& e) {
      error = e;
    } catch (const std::exception& e) {
      other_error = e.what();
    }
  });
  while (passes < 1 && other_error.empty() && !error)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  truncate_to(f.image_path, kPages / 2 * kPage);
  client.join();
  EXPECT_EQ(other_error, "");
  ASSERT_TRUE(error) << "the client never saw the image change";
  // Pages past the new end are not there; the check after a read finds the size change.
  expect_image_changed(*error, f.image_path, "size 4194304 -> 2097152 bytes, truncated");
  f.expect_alive_and_refusing("truncated");
  ASSERT_TRUE(f.server->image().change());
}

// A replacement by rename: the old file is still open and intact, but it is no longer the image:
// not one page of the request is served (neither the old bytes nor the new).
TEST(MemoryServerImageChange, ReplacementByRenameIsRefused) {
  Fixture f;
  PageClient c(f.endpoint(), psk(), quick());
  EXPECT_EQ(fetch_original(c, all_pages()), kPages);
  const std::uint64_t before = inode_of(f.image_path);
  replace_by_rename(f.image_path);
  const std::uint64_t after = inode_of(f.image_path);
  try {
    EXPECT_EQ(fetch_original(c, {7, 8, 9, 100}), 0u);
    ADD_FAILURE() << "pages of a replaced image were served";
  } catch (const RemoteError& e) {
    expect_image_changed(e, f.image_path, fmt::format("replaced: inode {} -> {}", before, after));
  }
  f.expect_alive_and_refusing("replaced");
}

// Dirty pages sent, then the image replaced, then COMMIT: refused with IMAGE_CHANGED; neither the
// old file nor the new one at the path gets a byte of them, and no journal is left for a restart
// to apply to the new file.
TEST(MemoryServerImageChange, WriteBackToAReplacedImageWritesNothing) {
  Fixture f;
  const auto old_link = f.dir.path() / "old.ram";
  std::filesystem::create_hard_link(f.image_path, old_link);  // keeps the original inode reachable
  const auto original = test::read_file(f.image_path);
  std::vector<std::vector<std::byte>> dirty;
  std::vector<DirtyPage> pages;
  for (std::uint64_t p = 10; p < 20; ++p) dirty.push_back(test::page_content(p, 5));
  for (std::uint64_t i = 0; i < dirty.size(); ++i) pages.push_back(DirtyPage{10 + i, dirty[i]});
  {
    PageClient c(f.endpoint(), psk(), quick());
    c.put_pages(pages);
    replace_by_rename(f.image_path);
    try {
      c.commit();
      ADD_FAILURE() << "write-back into a replaced image committed";
    } catch (const RemoteError& e) {
      expect_image_changed(e, f.image_path, "replaced");
    }
  }
  const auto replacement = test::read_file(f.image_path);
  EXPECT_EQ(test::read_file(old_link), original);
  for (std::uint64_t p = 0; p < kPages; ++p)
    ASSERT_EQ(std::memcmp(replacement.data() + p * kPage, test::page_content(p, 9).data(), kPage), 0) << p;
  // The session's journal goes with its connection (the server notices the close within its poll).
  const std::filesystem::path journal = f.image_path.string() + ".journal";
  for (int i = 0; i < 200 && std::filesystem::exists(journal); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(std::filesystem::exists(journal));
  EXPECT_FALSE(std::filesystem::exists(f.image_path.string() + ".generation"));
  f.expect_alive_and_refusing("replaced");
}

// The same after a truncation: the pages were for the upper half, which is gone: the file is not
// extended back by the write-back.
TEST(MemoryServerImageChange, WriteBackToATruncatedImageDoesNotExtendIt) {
  Fixture f;
  std::vector<std::vector<std::byte>> dirty;
  std::vector<DirtyPage> pages;
  for (std::uint64_t p = kPages - 8; p < kPages; ++p) dirty.push_back(test::page_content(p, 5));
  for (std::uint64_t i = 0; i < dirty.size(); ++i) pages.push_back(DirtyPage{kPages - 8 + i, dirty[i]});
  PageClient c(f.endpoint(), psk(), quick());
  c.put_pages(pages);
  truncate_to(f.image_path, kPages / 2 * kPage);
  try {
    c.commit();
    ADD_FAILURE() << "write-back into a truncated image committed";
  } catch (const RemoteError& e) {
    expect_image_changed(e, f.image_path, "truncated");
  }
  EXPECT_EQ(std::filesystem::file_size(f.image_path), kPages / 2 * kPage);
  f.expect_alive_and_refusing("truncated");
}

// A write-back session opened after the change is refused at its first PUT_PAGES.
TEST(MemoryServerImageChange, PutPagesAfterAChangeIsRefused) {
  Fixture f;
  truncate_to(f.image_path, (kPages + 1) * kPage);
  const auto data = test::page_content(3, 5);
  const std::vector<DirtyPage> pages = {DirtyPage{3, data}};
  PageClient c(f.endpoint(), psk(), quick());
  try {
    c.put_pages(pages);
    ADD_FAILURE() << "PUT_PAGES into a grown image accepted";
  } catch (const RemoteError& e) {
    expect_image_changed(e, f.image_path, "grown");
  }
  EXPECT_FALSE(std::filesystem::exists(f.image_path.string() + ".journal"));
  EXPECT_EQ(std::filesystem::file_size(f.image_path), (kPages + 1) * kPage);
}

}  // namespace
}  // namespace jettison::emu
