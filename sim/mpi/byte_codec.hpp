// Messages between ranks as bytes: integers, doubles, strings and plain structs appended in order
// and read back in the same order. Every rank runs the same binary on the same architecture (an
// MPI job's usual shape), so numbers travel in their in-memory form, doubles bit for bit.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "sim/mpi/communicator.hpp"

namespace jettison::sim::mpi {

class Encoder {
 public:
  template <typename T>
  requires std::is_trivially_copyable_v<T> Encoder& put(const T& value) {
    const auto* p = reinterpret_cast<const std::byte*>(&value);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
    return *this;
  }
  Encoder& put_string(const std::string& s) {
    put<std::uint64_t>(s.size());
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    bytes_.insert(bytes_.end(), p, p + s.size());
    return *this;
  }
  Bytes take() { return std::move(bytes_); }

 private:
  Bytes bytes_;
};

// Reads what an Encoder wrote; a message shorter than what is read throws std::runtime_error.
class Decoder {
 public:
  explicit Decoder(const Bytes& bytes) : bytes_(bytes) {}
  template <typename T>
  requires std::is_trivially_copyable_v<T> T get() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, bytes_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return value;
  }
  std::string get_string() {
    const auto n = get<std::uint64_t>();
    need(n);
    std::string s(reinterpret_cast<const char*>(bytes_.data() + at_), n);
    at_ += n;
    return s;
  }
  bool done() const { return at_ == bytes_.size(); }

 private:
  void need(std::uint64_t n) const {
    if (n > bytes_.size() - at_) throw std::runtime_error("MPI: a message from another rank is truncated");
  }
  const Bytes& bytes_;
  std::size_t at_ = 0;
};

}  // namespace jettison::sim::mpi
