// The lines of a CSV input as the trace formats read them: `\r` line ends and a leading byte-order
// mark tolerated, blank lines skipped, each line split on commas, errors naming "file:line". The
// trace readers and the importers share it.
//
// Memory stays bounded whatever the input: a line is read byte by byte into a buffer of at most
// kMaxLineBytes, and a longer one (or one with a NUL byte, which no text trace holds: /dev/zero, a
// binary file) is an InputError as soon as it is seen, never read to its end. Splitting stops after
// the fields the caller expects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <limits>
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

  // Reads from `in`, which must outlive this object; `name` appears in errors.
  CsvLines(std::istream& in, std::string name) : in_(&in), name_(std::move(name)) {}

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

  const std::string& text() const { return line_; }  // the line last read
  std::size_t field_count() const { return field_count_; }
  std::uint64_t line() const { return line_no_; }
  const std::string& name() const { return name_; }
  std::string origin() const;  // "file:line"

 private:
  // Reads one line into line_ (without its '\n'); false at the end of the input.
  bool read_line();

  std::istream* in_;
  std::string name_;
  std::string line_;
  std::uint64_t line_no_ = 0;
  std::size_t field_count_ = 0;
};

}  // namespace jettison::traces
