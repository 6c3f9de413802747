// Opening trace files: plain, gzip or zstd, told apart by their first bytes (gzip 1f 8b, zstd
// 28 b5 2f fd), never by the file name. Compressed data is inflated as it is read (a streambuf over
// zlib / libzstd with fixed buffers), never loaded whole.
//
// Errors in compressed data (corrupt or truncated) are InputErrors naming the file and the compressed
// byte near which the problem was found. They are thrown from the reading call itself: the
// decompressing stream has exceptions(badbit) set, so std::getline, read, peek and get rethrow the
// InputError its streambuf raised instead of returning a silently shortened text. Code that reads the
// streambuf in a way that swallows exceptions (`ostream << rdbuf()`) can ask failed() / error().
#pragma once

#include <istream>
#include <memory>
#include <optional>
#include <string>

namespace jettison::traces {

enum class Compression { none, gzip, zstd };

// Opens `path` for reading, decompressing gzip and zstd data. A missing, unreadable file or a folder
// throws InputError(origin, "cannot open '<path>': ...").
std::unique_ptr<std::istream> open_trace_file(const std::string& path, const std::string& origin);

// Wraps `in` in a decompressing stream when its first bytes are the gzip or zstd magic; returns it
// untouched otherwise (nothing is consumed). `name` (the file) names the data in errors.
std::unique_ptr<std::istream> decompressing(std::unique_ptr<std::istream> in, const std::string& name);

// For a stream made by decompressing(): the compression, and the error that ended the data if any.
Compression compression_of(const std::istream& in);
std::optional<std::string> stream_error(const std::istream& in);

// What a trace file holds, from its first bytes (after decompression).
enum class TraceKind { idle, pages };
struct TraceFormat {
  TraceKind kind = TraceKind::idle;
  bool binary = false;
  Compression compression = Compression::none;
};

// Opens `path` and looks at its CSV header or binary header only. Anything else is an InputError
// naming the file ("<path>:1: not a trace: ...").
TraceFormat detect_trace_format(const std::string& path, const std::string& origin);

const char* compression_name(Compression c);
const char* kind_name(TraceKind k);  // "idle-period" or "page-access"

}  // namespace jettison::traces
