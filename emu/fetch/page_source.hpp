// Where the fetcher gets pages from. The network implementation (TLS client, Wake-on-LAN, reconnect)
// lives with the wire protocol; ImageSource (image_source.hpp) reads a local memory image.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <string_view>

namespace jettison::emu {

// A permanent failure of a page source (the image is gone, the peer refused us for good, fetch() was
// cancelled). Never thrown for a source that is merely unreachable for a while.
class SourceFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class PageSource {
 public:
  using Place = std::function<void(std::uint64_t page, const std::byte* data)>;

  virtual ~PageSource() = default;
  virtual std::uint64_t page_size() const = 0;
  virtual std::uint64_t pages() const = 0;  // image size in pages

  // Fetches `pages` (unique, each < pages()) and calls `place(page, data)` once for each as it
  // arrives, in any order; data == nullptr means an all-zero page, else page_size() bytes valid for
  // the duration of the call. The fetcher lists the faulting pages first and the prefetched ones
  // after them in ascending order: a source should ask for (and deliver) them in that order, so that
  // a faulting thread does not wait behind its neighbours (PageClient keeps the order). Blocks until
  // all arrived. While the source cannot be reached it keeps trying (the faults stay paused: it
  // never answers with zeros in place of real content) and reports why through the status callback
  // (the fetcher places what already arrived when it hears one). Throws SourceFailed only on a
  // permanent error or after cancel(). Exceptions thrown by `place` propagate out of fetch()
  // unchanged.
  virtual void fetch(std::span<const std::uint64_t> pages, const Place& place) = 0;

  // Optional: `cb` receives human-readable status changes ("desktop asleep: waking it", "reconnected"),
  // from any thread.
  virtual void on_status(std::function<void(std::string_view)> cb) { (void)cb; }

  // Optional: makes a fetch() blocked on an unreachable source give up soon with SourceFailed, so the
  // fetcher can stop. Callable from any thread; a no-op for sources that never block for long.
  virtual void cancel() {}
  // Optional: a new fetcher is about to use the source (the next hosted period): cancel() calls made
  // so far no longer fail its fetches.
  virtual void rearm() {}
};

}  // namespace jettison::emu
