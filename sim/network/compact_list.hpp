// A growable array in 16 bytes (pointer, 32-bit size and capacity) where std::vector takes 24: the
// flow network keeps two per resource, and there are two resources or more per desktop (issue 15).
// Only what FlowNetwork needs; erase keeps the order of the rest, as std::vector's does.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace jettison::sim::net {

template <class T>
class CompactList {
 public:
  CompactList() = default;
  CompactList(const CompactList& o) : size_(o.size_), cap_(o.size_) {
    if (cap_ > 0) {
      data_ = std::make_unique<T[]>(cap_);
      std::copy(o.begin(), o.end(), data_.get());
    }
  }
  CompactList(CompactList&& o) noexcept
      : data_(std::move(o.data_)), size_(std::exchange(o.size_, 0)), cap_(std::exchange(o.cap_, 0)) {}
  CompactList& operator=(CompactList o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(cap_, o.cap_);
    return *this;
  }
  ~CompactList() = default;

  T* begin() { return data_.get(); }
  T* end() { return data_.get() + size_; }
  const T* begin() const { return data_.get(); }
  const T* end() const { return data_.get() + size_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) {
    assert(i < size_);
    return data_[i];
  }
  const T& operator[](std::size_t i) const {
    assert(i < size_);
    return data_[i];
  }
  T& back() {
    assert(size_ > 0);
    return data_[size_ - 1];
  }

  void push_back(const T& v) {
    if (size_ == cap_) grow();
    data_[size_++] = v;
  }
  template <class... Args>
  void emplace_back(Args&&... args) {
    push_back(T(std::forward<Args>(args)...));
  }
  void pop_back() {
    assert(size_ > 0);
    --size_;
  }
  T* erase(T* it) {
    assert(it >= begin() && it < end());
    std::move(it + 1, end(), it);
    --size_;
    return it;
  }
  // Empties the list and gives its memory back.
  void release() {
    data_.reset();
    size_ = cap_ = 0;
  }

 private:
  void grow() {
    const std::uint32_t cap = cap_ == 0 ? 1 : 2 * cap_;
    auto bigger = std::make_unique<T[]>(cap);
    std::move(begin(), end(), bigger.get());
    data_ = std::move(bigger);
    cap_ = cap;
  }

  std::unique_ptr<T[]> data_;
  std::uint32_t size_ = 0;
  std::uint32_t cap_ = 0;
};

}  // namespace jettison::sim::net
