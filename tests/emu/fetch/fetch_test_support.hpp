// Helpers for the fetcher tests: a memory image with known content, page sources that count, block or
// fail, and the skip when userfaultfd is unavailable.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "emu/fetch/fetcher.hpp"
#include "emu/fetch/image_source.hpp"
#include "emu/fetch/uffd_region.hpp"

#define JETTISON_REQUIRE_UFFD()                                                      \
  do {                                                                               \
    if (auto why = ::jettison::emu::userfaultfd_unavailable()) GTEST_SKIP() << *why; \
  } while (0)

namespace jettison::emu::testing {

inline std::uint64_t page_size() { return static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)); }

// Pages with p % 5 == 3 are all zeros; every other page is filled with words unique to the page.
inline bool is_zero_page(std::uint64_t p) { return p % 5 == 3; }

inline std::vector<std::byte> page_content(std::uint64_t p) {
  std::vector<std::byte> out(page_size());
  if (is_zero_page(p)) return out;
  for (std::size_t i = 0; i < out.size() / 8; ++i) {
    const std::uint64_t word = (p + 1) * 0x9E3779B97F4A7C15ull + i;
    std::memcpy(out.data() + i * 8, &word, 8);
  }
  return out;
}

// A memory image file of `pages` pages in a fresh temporary directory, removed at the end.
class TempImage {
 public:
  explicit TempImage(std::uint64_t pages) {
    dir_ = std::filesystem::temp_directory_path() /
           ("jettison-fetch-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(dir_);
    path_ = dir_ / "ram.img";
    std::ofstream out(path_, std::ios::binary);
    for (std::uint64_t p = 0; p < pages; ++p) {
      const auto bytes = page_content(p);
      out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
  }
  ~TempImage() { std::filesystem::remove_all(dir_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path dir_, path_;
};

// Wraps a source: counts fetch() calls and how often each page was fetched; an optional hook runs at
// the start of every fetch() (to block or fail).
class CountingSource final : public PageSource {
 public:
  explicit CountingSource(PageSource& inner) : inner_(inner) {}
  std::uint64_t page_size() const override { return inner_.page_size(); }
  std::uint64_t pages() const override { return inner_.pages(); }
  void fetch(std::span<const std::uint64_t> pages, const Place& place) override {
    {
      std::lock_guard lock(mu_);
      ++calls_;
      for (auto p : pages) ++fetched_[p];
    }
    if (hook_) hook_(pages);
    inner_.fetch(pages, place);
  }
  void on_status(std::function<void(std::string_view)> cb) override {
    std::lock_guard lock(mu_);
    status_ = std::move(cb);
  }
  void cancel() override { cancelled_ = true; }

  void status(std::string_view s) {
    std::function<void(std::string_view)> cb;
    {
      std::lock_guard lock(mu_);
      cb = status_;
    }
    if (cb) cb(s);
  }
  void set_hook(std::function<void(std::span<const std::uint64_t>)> hook) { hook_ = std::move(hook); }
  int calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  int fetched(std::uint64_t page) const {
    std::lock_guard lock(mu_);
    auto it = fetched_.find(page);
    return it == fetched_.end() ? 0 : it->second;
  }
  bool cancelled() const { return cancelled_; }

 private:
  PageSource& inner_;
  mutable std::mutex mu_;
  int calls_ = 0;
  std::map<std::uint64_t, int> fetched_;
  std::function<void(std::span<const std::uint64_t>)> hook_;
  std::function<void(std::string_view)> status_;
  std::atomic<bool> cancelled_{false};
};

// A one-shot gate: wait() blocks until open().
class Gate {
 public:
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Reads (first access) one page of the region the way a guest would: through the faulting mapping.
inline std::vector<std::byte> touch_read(std::byte* region, std::uint64_t page) {
  std::vector<std::byte> out(page_size());
  std::memcpy(out.data(), region + page * page_size(), out.size());
  return out;
}

// Writes one 64-bit word at the start of a page (a store, not a read-modify-write).
inline void touch_write(std::byte* region, std::uint64_t page, std::uint64_t value) {
  auto* word = reinterpret_cast<volatile std::uint64_t*>(region + page * page_size());
  *word = value;
}

// The spatial prefetcher (policy/) with `radius` pages on each side, over a VM of `pages` pages.
inline std::unique_ptr<policy::Prefetcher> spatial(std::uint32_t radius, std::uint64_t pages) {
  policy::PrefetchParams params;
  params.radius = radius;
  return make_prefetcher("spatial", params, {pages, Bytes::of(page_size())});
}

}  // namespace jettison::emu::testing
