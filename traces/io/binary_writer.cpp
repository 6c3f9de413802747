#include "traces/io/binary_writer.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <stdexcept>

#include "traces/io/binary_format.hpp"
#include "traces/io/csv_fields.hpp"

namespace jettison::traces {
namespace {

constexpr std::int64_t kPow10[binary::kMaxScale + 1] = {1, 10, 100, 1000, 10'000, 100'000, 1'000'000};

// The largest k <= 6 such that 10^k divides v (6 for 0).
unsigned decimal_scale(std::int64_t v) {
  unsigned k = binary::kMaxScale;
  while (k > 0 && v % kPow10[k] != 0) --k;
  return k;
}

void put_header(std::string& out, std::uint8_t kind) {
  out.append(binary::kMagic, sizeof binary::kMagic);
  out.push_back(static_cast<char>(binary::kVersion));
  out.push_back(static_cast<char>(kind));
}

}  // namespace

namespace binary {

void Sink::flush() {
  crc_ = static_cast<std::uint32_t>(
      crc32(crc_, reinterpret_cast<const Bytef*>(buf_.data()), static_cast<uInt>(buf_.size())));
  out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  buf_.clear();
}

void Sink::finish(std::uint64_t records) {
  put_varint(buf_, records);
  flush();
  for (unsigned i = 0; i < 4; ++i) buf_.push_back(static_cast<char>((crc_ >> (8 * i)) & 0xff));
  out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  buf_.clear();
  out_.flush();
}

}  // namespace binary

IdleBinaryWriter::IdleBinaryWriter(std::ostream& out) : sink_(out) {
  put_header(sink_.buffer(), binary::kIdleKind);
}

void IdleBinaryWriter::write(std::string_view desktop, Time start, Time end) {
  if (finished_) throw std::logic_error("IdleBinaryWriter: write after finish");
  const std::int64_t s = start.us();
  const std::int64_t e = end.us();
  if (s < 0 || e <= s || e > kMaxTraceTimeUs) {
    throw std::invalid_argument(fmt::format("idle period {}..{} us: needs 0 <= start < end <= 9e18", s, e));
  }
  auto it = desktops_.find(std::string(desktop));
  const bool fresh = it == desktops_.end();
  if (fresh) {
    if (!valid_desktop_id(desktop)) {
      throw std::invalid_argument(
          fmt::format("desktop id '{}' is not 1-64 characters of A-Z a-z 0-9 _ - .", desktop));
    }
    it = desktops_.emplace(std::string(desktop), Desktop{desktops_.size() + 2, e}).first;
  } else {
    if (s < it->second.last_end) {
      throw std::invalid_argument(
          fmt::format("period of desktop '{}' at {} us overlaps its previous one", desktop, s));
    }
    it->second.last_end = e;
  }
  const std::int64_t delta = s - prev_start_;
  const std::int64_t length = e - s;
  const unsigned scale = std::min(decimal_scale(delta), decimal_scale(length));
  const std::int64_t unit = kPow10[scale];
  std::string& b = sink_.buffer();
  binary::put_varint_low(b, fresh ? binary::kNewDesktop : it->second.ref, scale, binary::kScaleBits);
  if (fresh) {
    binary::put_varint(b, desktop.size());
    b.append(desktop);
  }
  binary::put_varint(b, binary::zigzag(delta / unit));
  binary::put_varint(b, static_cast<std::uint64_t>(length / unit));
  prev_start_ = s;
  ++records_;
  sink_.maybe_flush();
}

void IdleBinaryWriter::finish() {
  if (finished_) return;
  finished_ = true;
  binary::put_varint(sink_.buffer(), 0);
  sink_.finish(records_);
}

PageBinaryWriter::PageBinaryWriter(std::ostream& out) : sink_(out) {
  put_header(sink_.buffer(), binary::kPageKind);
}

void PageBinaryWriter::write(std::int64_t time_us, std::uint64_t page, bool write) {
  if (finished_) throw std::logic_error("PageBinaryWriter: write after finish");
  if (time_us < time_ || time_us > kMaxTraceTimeUs) {
    throw std::invalid_argument(fmt::format(
        "page access at {} us: times must not go back (previous {} us) nor pass 9e18", time_us, time_));
  }
  const std::uint64_t zz = binary::zigzag(static_cast<std::int64_t>(page - page_));  // modulo 2^64
  unsigned flags = write ? binary::kOpWrite : binary::kOpRead;
  if (time_us != time_) flags |= binary::kTimeAdvances;
  std::string& b = sink_.buffer();
  binary::put_varint_low(b, zz, flags, binary::kPageFlagBits);
  if (time_us != time_) binary::put_varint(b, static_cast<std::uint64_t>(time_us - time_));
  time_ = time_us;
  page_ = page;
  ++records_;
  sink_.maybe_flush();
}

void PageBinaryWriter::finish() {
  if (finished_) return;
  finished_ = true;
  binary::put_varint_low(sink_.buffer(), 0, binary::kOpEnd, binary::kPageFlagBits);
  sink_.finish(records_);
}

}  // namespace jettison::traces
