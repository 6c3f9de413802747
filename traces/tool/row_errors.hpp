// Every error `jettison-trace stats` finds in a trace, for one report in file order: row errors
// (RowError: a bad field, a row out of order, an overlapping period) are collected and the reading
// goes on; an error that ends the reading (an overlong line, corrupt data) comes last. The first
// kShownRowErrors are shown, the rest counted ("... and 7 more").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/input_error.hpp"
#include "traces/io/row_error.hpp"

namespace jettison::traces {

inline constexpr std::size_t kShownRowErrors = 20;

class RowErrors {
 public:
  explicit RowErrors(std::string file) : file_(std::move(file)) {}

  void add(const InputError& e);
  std::uint64_t count() const { return count_; }

  // Throws what was collected as one InputError: the error itself when there is only one, else
  // "file: N errors, in file order:" and one indented line each. Returns when there is none.
  void throw_if_any() const;
  // `last` ended the reading: throws it after the errors found before it.
  [[noreturn]] void throw_with(const InputError& last);

 private:
  std::string file_;
  std::vector<InputError> shown_;
  std::uint64_t count_ = 0;
  std::optional<InputError> last_;  // the error that ended the reading, always shown
};

// Reads `reader`'s next good row into `row`, adding the row errors met on the way to `errors`;
// false at the end. Other errors propagate.
template <class Reader, class Row>
bool next_good_row(Reader& reader, Row& row, RowErrors& errors) {
  while (true) {
    try {
      return reader.next(row);
    } catch (const RowError& e) {
      errors.add(e);
    }
  }
}

}  // namespace jettison::traces
