#include "traces/io/page_profile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "common/input_error.hpp"
#include "traces/io/binary_format.hpp"
#include "traces/io/csv_fields.hpp"
#include "traces/io/input_stream.hpp"

namespace jettison::traces {

// Records of a binary page-access trace (FORMAT.md, "Binary format").
class PageTraceReader::Binary {
 public:
  Binary(std::istream& in, const std::string& name) : in_(in, name) {
    in_.header(binary::kPageKind, "a page-access trace (time,page,op)");
  }

  bool next(PageRow& row) {
    if (done_) return false;
    ++in_.record;
    in_.expect_more();
    unsigned flags = 0;
    const std::uint64_t delta = in_.varint_low(binary::kPageFlagBits, flags);
    const unsigned op = flags & binary::kOpMask;
    if (op == binary::kOpEnd && delta == 0 && (flags & binary::kTimeAdvances) == 0) {
      in_.finish(in_.record - 1);
      done_ = true;
      return false;
    }
    if (op != binary::kOpRead && op != binary::kOpWrite) {
      in_.fail(fmt::format("op bits {} are unknown: 0 is a read (r), 1 a write (w)", op));
    }
    if ((flags & binary::kTimeAdvances) != 0) {
      const std::uint64_t step = in_.varint();
      if (step == 0)
        in_.fail("time step of 0 microseconds: a record that moves the time on moves it forward");
      if (step > static_cast<std::uint64_t>(kMaxTraceTimeUs - time_)) {
        in_.fail("time is beyond the largest trace time (9e12 s)");
      }
      time_ += static_cast<std::int64_t>(step);
    }
    page_ += static_cast<std::uint64_t>(binary::unzigzag(delta));  // modulo 2^64, as written
    row.time_us = time_;
    row.page = page_;
    row.write = op == binary::kOpWrite;
    row.line = in_.record;
    return true;
  }

 private:
  binary::Input in_;
  std::int64_t time_ = 0;
  std::uint64_t page_ = 0;
  bool done_ = false;
};

PageTraceReader::PageTraceReader(std::unique_ptr<std::istream> in, std::string name)
    : in_(decompressing(std::move(in), name)), name_(std::move(name)), lines_(*in_, name_) {
  if (in_->peek() == static_cast<unsigned char>(binary::kMagic[0])) {
    binary_ = std::make_unique<Binary>(*in_, name_);
    return;
  }
  if (!lines_.header()) fail("empty file: expected the header 'time,page,op'");
  if (lines_.text() != "time,page,op") {
    fail(fmt::format("missing header: the first line must be 'time,page,op', found {}",
                     quote_field(lines_.text())));
  }
}

PageTraceReader::~PageTraceReader() = default;

std::string PageTraceReader::origin(std::uint64_t line) const {
  return row_origin(name_, line, binary_ != nullptr);
}

void PageTraceReader::fail(const std::string& message) const { lines_.fail(message); }

bool PageTraceReader::next(PageRow& row) {
  if (binary_) return binary_->next(row);
  std::vector<std::string_view>& f = fields_;
  while (lines_.next(f, 3)) {
    if (f.size() != 3) {
      lines_.reject(fmt::format("expected 3 fields (time,page,op), found {}", lines_.field_count()));
    }
    const auto t = parse_seconds_us(f[0]);
    if (!t) lines_.reject(fmt::format("time {} is not a non-negative number of seconds", quote_field(f[0])));
    if (*t < last_) {
      lines_.reject(fmt::format("time {} s is before the previous row's {} s: rows must be sorted by time",
                                f[0], format_seconds(last_)));
    }
    const auto gfn = parse_unsigned(f[1]);
    if (!gfn) {
      lines_.reject(
          fmt::format("page {} is not a non-negative integer page frame number", quote_field(f[1])));
    }
    bool write = false;
    if (f[2] == "w") {
      write = true;
    } else if (f[2] != "r") {
      lines_.reject(fmt::format("op {} is unknown: use 'r' (read) or 'w' (write)", quote_field(f[2])));
    }
    last_ = *t;  // only a row accepted whole moves the time on
    row.time_us = *t;
    row.page = *gfn;
    row.write = write;
    row.line = lines_.line();
    return true;
  }
  return false;
}

std::size_t PageProfile::first_at_or_after(std::int64_t offset_us) const {
  auto it = std::lower_bound(accesses.begin(), accesses.end(), offset_us,
                             [](const PageAccess& a, std::int64_t t) { return a.offset_us < t; });
  return static_cast<std::size_t>(it - accesses.begin());
}

std::string PageProfile::origin(std::uint32_t slot) const {
  return binary ? fmt::format("{}:record {}", source, lines.at(slot))
                : fmt::format("{}:{}", source, lines.at(slot));
}

PageProfile read_page_profile(std::unique_ptr<std::istream> in, const std::string& source) {
  PageProfile p;
  p.source = source;
  PageTraceReader reader(std::move(in), source);
  p.binary = reader.binary();
  auto& slots = p.slot_of;
  PageRow row;
  while (reader.next(row)) {
    auto [it, fresh] = slots.try_emplace(row.page, static_cast<std::uint32_t>(p.gfns.size()));
    if (fresh) {
      p.gfns.push_back(row.page);
      p.lines.push_back(row.line);
      p.max_gfn = std::max(p.max_gfn, row.page);
    }
    p.accesses.push_back({row.time_us, it->second, row.write});
  }
  // Default replay period: the whole second after the last access.
  const std::int64_t last_us = p.accesses.empty() ? 0 : p.accesses.back().offset_us;
  p.cycle = Duration::seconds(last_us / 1'000'000 + 1);
  return p;
}

}  // namespace jettison::traces
