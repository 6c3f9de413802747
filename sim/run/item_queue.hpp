// A bounded queue of items between a shard's thread and the merging thread: the shard puts items in
// batches (a RecordSink), the merger takes them one by one (an ItemSource). At most `batches`
// batches wait in it, so a shard running ahead of the merger waits instead of growing memory.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "sim/run/item_merge.hpp"
#include "sim/run/shard_item.hpp"

namespace jettison::sim {

// Thrown into a shard's engine when the run was abandoned (another shard failed).
class RunAbandoned : public std::runtime_error {
 public:
  RunAbandoned() : std::runtime_error("run abandoned") {}
};

class ItemQueue final : public RecordSink, public ItemSource {
 public:
  explicit ItemQueue(std::size_t batch = 1024, std::size_t batches = 16) : batch_(batch), batches_(batches) {}

  // Producer side. put() throws RunAbandoned once abandon() was called.
  void put(ShardItem&& item) override {
    filling_.push_back(std::move(item));
    if (filling_.size() >= batch_) push();
  }
  // The shard is done: what is buffered goes, and the stream ends.
  void close() {
    if (!filling_.empty()) push();
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }

  // Consumer side.
  bool next(ShardItem& item) override {
    if (pos_ == taking_.size()) {
      taking_.clear();
      pos_ = 0;
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return !full_.empty() || closed_ || abandoned_; });
      if (abandoned_ || full_.empty()) return false;
      taking_ = std::move(full_.front());
      full_.pop_front();
      cv_.notify_all();
    }
    item = std::move(taking_[pos_++]);
    return true;
  }

  // Either side gives up: both ends stop waiting.
  void abandon() {
    std::lock_guard lock(mu_);
    abandoned_ = true;
    cv_.notify_all();
  }

 private:
  void push() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return full_.size() < batches_ || abandoned_; });
    if (abandoned_) throw RunAbandoned();
    full_.push_back(std::move(filling_));
    filling_.clear();
    filling_.reserve(batch_);
    cv_.notify_all();
  }

  const std::size_t batch_, batches_;
  std::vector<ShardItem> filling_;  // producer's
  std::vector<ShardItem> taking_;   // consumer's
  std::size_t pos_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<ShardItem>> full_;
  bool closed_ = false;
  bool abandoned_ = false;
};

}  // namespace jettison::sim
