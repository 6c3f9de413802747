// The idle-period trace (traces/FORMAT.md): CSV `desktop,start,end`, one row per idle period.
// Read as a stream: one row at a time, checked as it is read.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <unordered_map>

#include "common/time.hpp"

namespace jettison::traces {

struct IdleRow {
  std::string desktop;
  Time start;
  Time end;
  std::uint64_t line = 0;
};

// Reads rows one by one and rejects bad ones with "file:line: what is wrong": missing header,
// wrong field count, bad or negative numbers, end not after start, a desktop's periods unsorted or
// overlapping.
class IdleTraceReader {
 public:
  IdleTraceReader(std::unique_ptr<std::istream> in, std::string name);
  bool next(IdleRow& row);
  const std::string& name() const { return name_; }

 private:
  [[noreturn]] void fail(const std::string& message) const;

  std::unique_ptr<std::istream> in_;
  std::string name_;
  std::string line_;
  std::uint64_t line_no_ = 0;
  std::unordered_map<std::string, Time> last_end_;
};

}  // namespace jettison::traces
