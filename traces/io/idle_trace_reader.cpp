#include "traces/io/idle_trace_reader.hpp"

#include <fmt/format.h>

#include <array>
#include <vector>

#include "common/input_error.hpp"
#include "traces/io/binary_format.hpp"
#include "traces/io/csv_fields.hpp"
#include "traces/io/input_stream.hpp"
#include "traces/io/row_error.hpp"

namespace jettison::traces {

namespace {

constexpr std::array<bool, 256> kIdChars = [] {
  std::array<bool, 256> ok{};
  for (int c = 'a'; c <= 'z'; ++c) ok[static_cast<std::size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) ok[static_cast<std::size_t>(c)] = true;
  for (int c = '0'; c <= '9'; ++c) ok[static_cast<std::size_t>(c)] = true;
  for (char c : {'_', '-', '.'}) ok[static_cast<unsigned char>(c)] = true;
  return ok;
}();

}  // namespace

bool valid_desktop_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!kIdChars[static_cast<unsigned char>(c)]) return false;
  return true;
}

namespace {

constexpr std::int64_t kPow10[binary::kMaxScale + 1] = {1, 10, 100, 1000, 10'000, 100'000, 1'000'000};

std::string overlap_message(const std::string& desktop, const std::string& start, Time previous_end) {
  return fmt::format(
      "period of desktop '{}' starting at {} s begins before its previous period ends ({} s): "
      "periods of one desktop must be sorted and must not overlap",
      desktop, start, format_seconds(previous_end.us()));
}

std::string length_message(const std::string& start, const std::string& end) {
  return fmt::format("end {} is not after start {}: an idle period must have a positive length", end, start);
}

}  // namespace

// Records of a binary idle trace (FORMAT.md, "Binary format").
class IdleTraceReader::Binary {
 public:
  Binary(IdleTraceReader& reader, std::istream& in, const std::string& name)
      : reader_(reader), in_(in, name) {
    in_.header(binary::kIdleKind, "an idle-period trace (desktop,start,end)");
  }

  bool next(IdleRow& row) {
    if (done_) return false;
    ++in_.record;
    in_.expect_more();
    unsigned scale = 0;
    const std::uint64_t ref = in_.varint_low(binary::kScaleBits, scale);
    if (ref == 0 && scale == 0) {
      in_.finish(in_.record - 1);
      done_ = true;
      return false;
    }
    if (scale > binary::kMaxScale) {
      in_.fail(fmt::format("time scale {} is unknown: 0-6 (times in units of 10^scale microseconds)", scale));
    }
    std::uint32_t desktop = 0;
    if (ref == 0) {
      in_.fail("desktop reference 0 is unknown: 1 defines a new desktop, 2 and up name one defined before");
    } else if (ref == binary::kNewDesktop) {
      const std::uint64_t size = in_.varint();
      if (size == 0 || size > 64)
        in_.fail(fmt::format("desktop id of {} bytes: ids have 1-64 characters", size));
      in_.bytes(size, name_);
      if (!valid_desktop_id(name_)) {
        in_.fail(
            fmt::format("desktop id {} must be 1-64 characters of A-Z a-z 0-9 _ - .", quote_field(name_)));
      }
      const std::optional<std::uint32_t> known = reader_.find(name_);
      desktop = known ? *known : reader_.add(name_);
      if (desktop >= defined_.size()) defined_.resize(desktop + 1, false);
      if (defined_[desktop]) in_.fail(fmt::format("desktop '{}' is defined twice in the name table", name_));
      defined_[desktop] = true;
      refs_.push_back(desktop);
    } else {
      if (ref - 2 >= refs_.size()) {
        in_.fail(
            fmt::format("desktop reference {} names no desktop: {} are defined so far", ref, refs_.size()));
      }
      desktop = refs_[ref - 2];
    }
    const std::int64_t unit = kPow10[scale];
    const std::int64_t delta = binary::unzigzag(in_.varint());
    const std::int64_t limit = kMaxTraceTimeUs / unit;
    if (delta > limit || delta < -limit || delta * unit > kMaxTraceTimeUs - prev_start_) {
      in_.fail("start is beyond the largest trace time (9e12 s)");
    }
    const std::int64_t start = prev_start_ + delta * unit;
    if (start < 0) in_.fail("start is negative: a start delta goes back past time 0");
    const std::uint64_t length = in_.varint();
    if (length > static_cast<std::uint64_t>(limit) ||
        static_cast<std::int64_t>(length) * unit > kMaxTraceTimeUs - start) {
      in_.fail("end is beyond the largest trace time (9e12 s)");
    }
    const std::int64_t end = start + static_cast<std::int64_t>(length) * unit;
    prev_start_ = start;  // the next record's start delta counts from here, even if this one is rejected
    if (length == 0) reject(length_message(format_seconds(start), format_seconds(end)));
    std::int64_t& last = reader_.last_end(desktop);
    const std::string& name = reader_.desktop_name(desktop);
    if (start < last) reject(overlap_message(name, format_seconds(start), Time::micros(last)));
    last = end;
    row.desktop = name;
    row.number = desktop;
    row.start = Time::micros(start);
    row.end = Time::micros(end);
    row.line = in_.record;
    return true;
  }

 private:
  // A well-formed record whose period is wrong: the records after it can still be read.
  [[noreturn]] void reject(const std::string& message) const {
    throw RowError(row_origin(in_.name(), in_.record, true), message);
  }

  IdleTraceReader& reader_;
  binary::Input in_;
  std::vector<std::uint32_t> refs_;  // desktop numbers in name-table order (reference i + 2: refs_[i])
  std::vector<bool> defined_;        // by desktop number: in this file's name table
  std::string name_;
  std::int64_t prev_start_ = 0;
  bool done_ = false;
};

IdleTraceReader::IdleTraceReader(std::unique_ptr<std::istream> in, std::string name,
                                 std::shared_ptr<const DesktopNames> known)
    : in_(decompressing(std::move(in), name)),
      name_(std::move(name)),
      known_(std::move(known)),
      known_count_(known_ ? known_->size() : 0),
      lines_(*in_, name_) {
  if (in_->peek() == static_cast<unsigned char>(binary::kMagic[0])) {
    binary_ = std::make_unique<Binary>(*this, *in_, name_);
    return;
  }
  if (!lines_.header()) fail("empty file: expected the header 'desktop,start,end'");
  if (lines_.text() != "desktop,start,end") {
    fail(fmt::format("missing header: the first line must be 'desktop,start,end', found {}",
                     quote_field(lines_.text())));
  }
}

IdleTraceReader::~IdleTraceReader() = default;

std::string IdleTraceReader::origin(std::uint64_t line) const {
  return row_origin(name_, line, binary_ != nullptr);
}

void IdleTraceReader::fail(const std::string& message) const { lines_.fail(message); }

std::optional<std::uint32_t> IdleTraceReader::find(std::string_view desktop) const {
  if (known_) {
    if (auto n = known_->find(desktop)) return n;
  }
  if (auto n = own_.find(desktop)) return known_count_ + *n;
  return std::nullopt;
}

std::uint32_t IdleTraceReader::add(std::string_view desktop) { return known_count_ + own_.add(desktop); }

bool IdleTraceReader::next(IdleRow& row) {
  if (binary_) return binary_->next(row);
  std::vector<std::string_view>& f = fields_;
  while (lines_.next(f, 3)) {
    if (f.size() != 3) {
      lines_.reject(fmt::format("expected 3 fields (desktop,start,end), found {}", lines_.field_count()));
    }
    if (!valid_desktop_id(f[0])) {
      lines_.reject(
          fmt::format("desktop id {} must be 1-64 characters of A-Z a-z 0-9 _ - .", quote_field(f[0])));
    }
    const auto start = parse_seconds_us(f[1]);
    if (!start)
      lines_.reject(fmt::format("start {} is not a non-negative number of seconds", quote_field(f[1])));
    const auto end = parse_seconds_us(f[2]);
    if (!end) lines_.reject(fmt::format("end {} is not a non-negative number of seconds", quote_field(f[2])));
    if (*end <= *start) lines_.reject(length_message(std::string(f[1]), std::string(f[2])));
    const std::optional<std::uint32_t> number = find(f[0]);
    const std::int64_t last = number ? last_end(*number) : kUnseen;
    if (*start < last)
      lines_.reject(overlap_message(std::string(f[0]), std::string(f[1]), Time::micros(last)));
    row.number = number ? *number : add(f[0]);
    row.desktop.assign(f[0]);
    row.start = Time::micros(*start);
    row.end = Time::micros(*end);
    row.line = lines_.line();
    last_end(row.number) = *end;
    return true;
  }
  return false;
}

}  // namespace jettison::traces
