// Compressed trace output: an ostream that gzips or zstd-compresses into another ostream as bytes
// arrive (64 KiB blocks), so a converted or generated trace can be written as .csv.gz / .jtrace.zst.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "traces/io/input_stream.hpp"

namespace jettison::traces {

// By the file name's last extension: ".gz" gzip, ".zst" zstd, anything else none.
Compression compression_for_name(const std::string& path);

class CompressingStream : public std::ostream {
 public:
  // `c` must be gzip or zstd.
  CompressingStream(std::ostream& sink, Compression c);
  ~CompressingStream() override;
  CompressingStream(const CompressingStream&) = delete;
  CompressingStream& operator=(const CompressingStream&) = delete;

  // Compresses what is buffered and ends the compressed data; writing failures set badbit (here and
  // in the sink). Call once, after the last byte.
  void finish();

 private:
  class Buf;
  std::unique_ptr<Buf> buf_;
};

}  // namespace jettison::traces
