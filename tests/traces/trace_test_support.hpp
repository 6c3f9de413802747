// Helpers for the trace library's tests: compressing test data with zlib and libzstd directly (not
// through the library under test), reading files, reading every row of a trace.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "traces/io/idle_trace_reader.hpp"
#include "traces/io/page_profile.hpp"

namespace jettison::testing {

inline std::string gzip_bytes(const std::string& data, int level = 6) {
  z_stream z;
  std::memset(&z, 0, sizeof z);
  EXPECT_EQ(deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

inline std::string zstd_bytes(const std::string& data, int level = 3) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const std::size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), level);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string sample(const std::string& name) {
  return std::string(JETTISON_SOURCE_DIR) + "/traces/samples/" + name;
}

inline std::unique_ptr<std::istream> stream_of(const std::string& bytes) {
  return std::make_unique<std::istringstream>(bytes);
}

// Every row as "desktop,start_us,end_us@line" / "time_us,page,op@line".
inline std::vector<std::string> idle_rows(traces::IdleTraceReader& r, bool with_line = false) {
  std::vector<std::string> rows;
  traces::IdleRow row;
  while (r.next(row)) {
    rows.push_back(fmt::format("{},{},{}", row.desktop, row.start.us(), row.end.us()) +
                   (with_line ? fmt::format("@{}", row.line) : ""));
  }
  return rows;
}

inline std::vector<std::string> page_rows(traces::PageTraceReader& r, bool with_line = false) {
  std::vector<std::string> rows;
  traces::PageRow row;
  while (r.next(row)) {
    rows.push_back(fmt::format("{},{},{}", row.time_us, row.page, row.write ? 'w' : 'r') +
                   (with_line ? fmt::format("@{}", row.line) : ""));
  }
  return rows;
}

}  // namespace jettison::testing
