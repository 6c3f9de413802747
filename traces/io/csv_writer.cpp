#include "traces/io/csv_writer.hpp"

#include <charconv>

#include "traces/io/csv_fields.hpp"

namespace jettison::traces {
namespace {

constexpr std::size_t kBlock = 64 * 1024;

void flush_to(std::ostream& out, std::string& buf) {
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  buf.clear();
}

}  // namespace

IdleCsvWriter::IdleCsvWriter(std::ostream& out) : out_(out) { buf_ = "desktop,start,end\n"; }

void IdleCsvWriter::maybe_flush() {
  if (buf_.size() >= kBlock) flush_to(out_, buf_);
}

void IdleCsvWriter::write(std::string_view desktop, Time start, Time end) {
  buf_.append(desktop);
  buf_.push_back(',');
  append_seconds(buf_, start.us(), false);
  buf_.push_back(',');
  append_seconds(buf_, end.us(), false);
  buf_.push_back('\n');
  ++records_;
  maybe_flush();
}

void IdleCsvWriter::finish() {
  flush_to(out_, buf_);
  out_.flush();
}

PageCsvWriter::PageCsvWriter(std::ostream& out) : out_(out) { buf_ = "time,page,op\n"; }

void PageCsvWriter::maybe_flush() {
  if (buf_.size() >= kBlock) flush_to(out_, buf_);
}

void PageCsvWriter::write(std::int64_t time_us, std::uint64_t page, bool write) {
  append_seconds(buf_, time_us, true);
  char num[24];
  buf_.push_back(',');
  buf_.append(num, std::to_chars(num, num + sizeof num, page).ptr);
  buf_.append(write ? ",w\n" : ",r\n");
  ++records_;
  maybe_flush();
}

void PageCsvWriter::finish() {
  flush_to(out_, buf_);
  out_.flush();
}

}  // namespace jettison::traces
