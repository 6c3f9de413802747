// Test support: a temporary directory and a memory image whose page p is either all zero (p % 3
// == 0) or filled with a pattern derived from p, so any misplaced page shows.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace jettison::emu::test {

constexpr std::uint32_t kPage = 4096;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "jettison-memserver-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline bool zero_page(std::uint64_t p) { return p % 3 == 0; }

inline std::vector<std::byte> page_content(std::uint64_t p, std::uint8_t salt = 0) {
  std::vector<std::byte> out(kPage, std::byte{0});
  if (zero_page(p) && salt == 0) return out;
  for (std::size_t i = 0; i < kPage; ++i) out[i] = static_cast<std::byte>((p * 131 + i * 7 + salt) & 0xFF);
  out[0] = std::byte{1};  // never all zero
  return out;
}

inline std::filesystem::path write_image(const std::filesystem::path& dir, std::uint64_t pages) {
  const auto path = dir / "vm.ram";
  std::ofstream out(path, std::ios::binary);
  for (std::uint64_t p = 0; p < pages; ++p) {
    const auto c = page_content(p);
    out.write(reinterpret_cast<const char*>(c.data()), static_cast<std::streamsize>(c.size()));
  }
  return path;
}

inline std::vector<std::byte> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(raw.size());
  std::memcpy(out.data(), raw.data(), raw.size());
  return out;
}

}  // namespace jettison::emu::test
