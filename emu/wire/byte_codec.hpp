// Big-endian (network order) writing and bounds-checked reading of protocol fields. The reader
// never trusts a length: every read checks what is left and throws ProtocolError(kBadFrame).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "emu/wire/errors.hpp"

namespace jettison::emu {

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<std::byte>& out) : out_(out) {}
  void u8(std::uint8_t v) { out_.push_back(static_cast<std::byte>(v)); }
  void u16(std::uint16_t v) { be(v, 2); }
  void u32(std::uint32_t v) { be(v, 4); }
  void u64(std::uint64_t v) { be(v, 8); }
  void bytes(std::span<const std::byte> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void zeros(std::size_t n) { out_.insert(out_.end(), n, std::byte{0}); }

 private:
  void be(std::uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xFF));
  }
  std::vector<std::byte>& out_;
};

class ByteReader {
 public:
  // `what` names the message being read, for error texts ("GET_PAGES").
  ByteReader(std::span<const std::byte> in, const char* what) : in_(in), what_(what) {}
  std::uint8_t u8() { return static_cast<std::uint8_t>(be(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(be(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(be(4)); }
  std::uint64_t u64() { return be(8); }
  std::span<const std::byte> bytes(std::size_t n) {
    need(n);
    auto s = in_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  // Reserved fields must be zero in version 1.
  void reserved(std::size_t n) {
    for (auto b : bytes(n)) {
      if (b != std::byte{0}) fail("reserved field is not zero");
    }
  }
  std::size_t remaining() const { return in_.size() - pos_; }
  void expect_end() const {
    if (remaining() != 0) fail(std::to_string(remaining()) + " trailing bytes");
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw ProtocolError(ErrorCode::kBadFrame, std::string(what_) + ": " + why);
  }

 private:
  void need(std::size_t n) const {
    if (n > remaining()) {
      fail("truncated (need " + std::to_string(n) + " bytes at offset " + std::to_string(pos_) + ", have " +
           std::to_string(remaining()) + ")");
    }
  }
  std::uint64_t be(std::size_t n) {
    need(n);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<std::uint64_t>(in_[pos_ + i]);
    pos_ += n;
    return v;
  }
  std::span<const std::byte> in_;
  std::size_t pos_ = 0;
  const char* what_;
};

}  // namespace jettison::emu
