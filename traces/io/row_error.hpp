// An error in one row of a trace (a bad field, a row out of order, an overlapping period): the
// reader that threw it has consumed the row and can read on, so a caller that wants every error in a
// file (`jettison-trace stats`) catches RowError and calls next() again. Every other InputError from
// a reader (an overlong line, a NUL byte, corrupt compressed or binary data) ends the reading.
#pragma once

#include "common/input_error.hpp"

namespace jettison::traces {

class RowError : public InputError {
 public:
  using InputError::InputError;
};

}  // namespace jettison::traces
