#include "common/config/input_file.hpp"

#include <fmt/format.h>

#include <sstream>

#include "common/config/embedded_files.hpp"
#include "common/input_error.hpp"
#include "traces/io/input_stream.hpp"

namespace jettison::config {
namespace {

bool is_embedded(const std::string& path) { return path.rfind(kEmbeddedPrefix, 0) == 0; }

// A read-only stream over bytes that live in the binary (no copy).
class ViewBuf : public std::streambuf {
 public:
  explicit ViewBuf(std::string_view data) {
    char* p = const_cast<char*>(data.data());
    setg(p, p, p + data.size());
  }
};

class ViewStream : public std::istream {
 public:
  explicit ViewStream(std::string_view data) : std::istream(nullptr), buf_(data) { rdbuf(&buf_); }

 private:
  ViewBuf buf_;
};

}  // namespace

std::string resolve_relative(const std::string& base, const std::string& relative) {
  if (is_embedded(relative)) return relative;
  if (std::filesystem::path(relative).is_absolute())
    return std::filesystem::path(relative).lexically_normal().string();
  if (is_embedded(base)) {
    const std::filesystem::path dir =
        std::filesystem::path(base.substr(kEmbeddedPrefix.size())).parent_path();
    return std::string(kEmbeddedPrefix) + (dir / relative).lexically_normal().generic_string();
  }
  const std::filesystem::path rel(relative);
  if (rel.is_absolute() || base.empty()) return rel.lexically_normal().string();
  return (std::filesystem::path(base).parent_path() / rel).lexically_normal().string();
}

bool input_exists(const std::string& path) {
  if (is_embedded(path)) return embedded_file(path.substr(kEmbeddedPrefix.size())).has_value();
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

std::unique_ptr<std::istream> open_input(const std::string& path, const std::string& origin) {
  if (is_embedded(path)) {
    auto data = embedded_file(path.substr(kEmbeddedPrefix.size()));
    if (!data) throw InputError(origin, fmt::format("no embedded file '{}'", path));
    return std::make_unique<ViewStream>(*data);
  }
  // gzip and zstd files are decompressed as they are read (traces/io/input_stream.hpp).
  return traces::open_trace_file(path, origin);
}

}  // namespace jettison::config
