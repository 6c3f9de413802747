// The lines of a CSV input as the trace formats read them: `\r` line ends and a leading byte-order
// mark tolerated, blank lines skipped, each line split on commas, errors naming "file:line". The
// trace readers and the importers share it.
//
// Memory stays bounded whatever the input: lines are cut from one buffer of kBufferBytes (more than
// a line of the limit), filled from the stream's own buffer, and a line longer than kMaxLineBytes
// (or one with a NUL byte, which no text trace holds: /dev/zero, a binary file) is an InputError as
// soon as it is seen, never read to its end. Splitting stops after the fields the caller expects.
//
// The stream is read only as far as the caller's lines need: bytes the stream has already decoded
// are copied in bulk, and the stream is asked for more (which may throw, e.g. on corrupt compressed
// data) only when the buffer holds no complete line. So an error in the data surfaces at the same
// line as if the input were read byte by byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace jettison::traces {

// The longest line, line end excluded, of any CSV this library reads (traces/FORMAT.md). Rows of the
// trace formats take under 100 bytes; an activity import's row takes 2 bytes a machine.
inline constexpr std::size_t kMaxLineBytes = 64 * 1024;

class CsvLines {
 public:
  static constexpr std::size_t kAnyFields = std::numeric_limits<std::size_t>::max() - 1;
  static constexpr std::size_t kBufferBytes = 256 * 1024;

  // Reads from `in`, which must outlive this object and is read through this object only; `name`
  // appears in errors.
  CsvLines(std::istream& in, std::string name);

  // The first line, as a header: not skipped when blank. False for an empty input.
  bool header();

  // The next non-blank line's fields (views into the line, valid until the next call): the first
  // `max_fields` + 1 at most (so a caller expecting `max_fields` sees there are more); field_count()
  // says how many the line has. False at the end of the input.
  bool next(std::vector<std::string_view>& fields, std::size_t max_fields = kAnyFields);

  // An error that ends the reading, at the current line.
  [[noreturn]] void fail(const std::string& message) const;
  // An error in the current line's row only (RowError): the next call to next() reads on.
  [[noreturn]] void reject(const std::string& message) const;

  std::string_view text() const { return line_; }  // the line last read (valid until the next call)
  std::size_t field_count() const { return field_count_; }
  std::uint64_t line() const { return line_no_; }
  const std::string& name() const { return name_; }
  std::string origin() const;  // "file:line"

 private:
  // Cuts the next line (without its '\n') into line_; false at the end of the input.
  bool read_line();
  // Moves the unread bytes to the buffer's start and appends what the stream has; false if nothing
  // could be added (the end of the input).
  bool fill();
  // Fails if the line holds a NUL byte or is over the limit (the first of the two, byte order).
  void check_line(const char* p, std::size_t n);

  std::istream* in_;
  std::string name_;
  std::unique_ptr<char[]> buf_;
  std::size_t pos_ = 0;  // the next unread byte
  std::size_t end_ = 0;  // the end of the bytes read
  bool at_eof_ = false;
  std::string header_;  // the header line, cleaned
  std::string_view line_;
  std::uint64_t line_no_ = 0;
  std::size_t field_count_ = 0;
};

}  // namespace jettison::traces
