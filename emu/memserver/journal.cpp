#include "emu/memserver/journal.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <vector>

#include "common/input_error.hpp"
#include "emu/wire/byte_codec.hpp"

namespace jettison::emu {
namespace {

constexpr char kJournalMagic[8] = {'J', 'T', 'S', 'N', 'J', 'R', 'N', '1'};
constexpr std::size_t kFileHeaderBytes = 32;
constexpr std::size_t kRecordHeaderBytes = 40;
constexpr std::size_t kDigestBytes = 32;
constexpr std::uint32_t kRecordPages = 1;
constexpr std::uint32_t kRecordCommit = 2;

using Digest = std::array<std::byte, kDigestBytes>;

[[noreturn]] void io_fail(const std::filesystem::path& path, const std::string& what) {
  throw InputError(path.string(), what + ": " + std::strerror(errno));
}

Digest sha256(std::span<const std::byte> a, std::span<const std::byte> b) {
  Digest d{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned int len = 0;
  const bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, a.data(), a.size()) == 1 &&
                  EVP_DigestUpdate(ctx, b.data(), b.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(d.data()), &len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok || len != kDigestBytes) throw std::runtime_error("journal: SHA-256 failed");
  return d;
}

void write_all(int fd, std::span<const std::byte> data, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) io_fail(path, "write");
    done += static_cast<std::size_t>(n);
  }
}

// Reads exactly out.size() bytes; false at a (possibly torn) end of file.
bool read_exact(int fd, std::span<std::byte> out, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) io_fail(path, "read");
    if (n == 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

void fsync_dir(const std::filesystem::path& file) {
  const auto dir = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) io_fail(dir, "open directory");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc < 0) io_fail(dir, "fsync directory");
}

struct RecordHeader {
  std::uint32_t type = 0, count = 0;
  std::uint64_t a = 0, b = 0, c = 0, data_len = 0;
};

std::vector<std::byte> encode_header(const RecordHeader& h) {
  std::vector<std::byte> out;
  ByteWriter w(out);
  w.u32(h.type);
  w.u32(h.count);
  w.u64(h.a);
  w.u64(h.b);
  w.u64(h.c);
  w.u64(h.data_len);
  return out;
}

void write_record(int fd, const RecordHeader& h, std::span<const std::byte> data,
                  const std::filesystem::path& path) {
  const auto head = encode_header(h);
  const Digest d = sha256(head, data);
  write_all(fd, head, path);
  write_all(fd, data, path);
  write_all(fd, d, path);
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

const char* journal_step_name(JournalStep step) {
  switch (step) {
    case JournalStep::kPagesJournaled:
      return "pages-journaled";
    case JournalStep::kCommitWritten:
      return "commit-written";
    case JournalStep::kPartiallyApplied:
      return "partially-applied";
    case JournalStep::kApplied:
      return "applied";
    case JournalStep::kGenerationSaved:
      return "generation-saved";
    case JournalStep::kJournalRemoved:
      return "journal-removed";
  }
  return "?";
}

Journal::Journal(MemoryImage& image, JournalCrashHook hook)
    : image_(image),
      hook_(std::move(hook)),
      journal_path_(image.path().string() + ".journal"),
      generation_path_(image.path().string() + ".generation") {}

RecoveryResult Journal::recover() {
  std::ifstream in(generation_path_);
  generation_ = 0;
  if (in && !(in >> generation_)) throw InputError(generation_path_.string(), "not a generation number");
  if (!std::filesystem::exists(journal_path_)) return {};
  return replay();
}

void Journal::begin(std::uint64_t session_id) {
  abort();
  fd_ = ::open(journal_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0) io_fail(journal_path_, "create journal");
  std::vector<std::byte> head;
  for (char ch : kJournalMagic) head.push_back(static_cast<std::byte>(ch));
  ByteWriter w(head);
  w.u32(1);
  w.u32(image_.page_size());
  w.u64(session_id);
  w.u64(generation_);
  write_all(fd_, head, journal_path_);
  active_ = true;
  session_ = session_id;
  pages_ = 0;
  records_ = 0;
}

void Journal::append(std::span<const PageRun> runs) {
  for (const auto& run : runs) {
    RecordHeader h{kRecordPages, run.count, run.first_page, run.zero ? 1u : 0u, 0, run.data.size()};
    write_record(fd_, h, run.data, journal_path_);
    pages_ += run.count;
    ++records_;
  }
  if (::fdatasync(fd_) < 0) io_fail(journal_path_, "fdatasync journal");
  step(JournalStep::kPagesJournaled);
}

CommitResult Journal::commit() {
  RecordHeader h{kRecordCommit, 0, pages_, generation_ + 1, records_, 0};
  write_record(fd_, h, {}, journal_path_);
  if (::fsync(fd_) < 0) io_fail(journal_path_, "fsync journal");
  fsync_dir(journal_path_);
  ::close(fd_);
  fd_ = -1;
  active_ = false;
  step(JournalStep::kCommitWritten);
  RecoveryResult r;
  try {
    r = replay();
  } catch (const ImageChanged&) {
    // The file at the image's path is no longer the image these pages were written for: a replay at
    // the next start must not apply them to it. The client gets no COMMIT_ACK.
    std::error_code ignored;
    std::filesystem::remove(journal_path_, ignored);
    throw;
  }
  if (r.outcome != RecoveryResult::Outcome::kReplayed) {
    throw InputError(journal_path_.string(), "journal just written does not replay: " + r.reason);
  }
  return CommitResult{r.pages, generation_};
}

void Journal::abort() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  std::error_code ignored;
  if (active_) std::filesystem::remove(journal_path_, ignored);
  active_ = false;
  pages_ = records_ = 0;
}

RecoveryResult Journal::replay() {
  Fd in{::open(journal_path_.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) io_fail(journal_path_, "open journal");
  auto discard = [&](const std::string& why) {
    remove_journal();
    return RecoveryResult{RecoveryResult::Outcome::kDiscarded, 0, why};
  };
  std::array<std::byte, kFileHeaderBytes> fh{};
  if (!read_exact(in.fd, fh, journal_path_) || std::memcmp(fh.data(), kJournalMagic, 8) != 0) {
    return discard("missing or bad journal header");
  }
  ByteReader hr(std::span<const std::byte>(fh).subspan(8), "journal header");
  const std::uint32_t version = hr.u32();
  const std::uint32_t page_size = hr.u32();
  if (version != 1 || page_size != image_.page_size()) return discard("journal version or page size differs");

  // Pass 1: every record intact, ending in a commit record that matches what precedes it.
  std::uint64_t pages = 0, records = 0;
  std::optional<RecordHeader> commit;
  std::vector<std::byte> head(kRecordHeaderBytes), data;
  Digest digest{};
  while (!commit) {
    if (!read_exact(in.fd, head, journal_path_)) return discard("no commit record (write-back interrupted)");
    ByteReader r(head, "journal record");
    RecordHeader h{r.u32(), r.u32(), r.u64(), r.u64(), r.u64(), r.u64()};
    const bool is_pages = h.type == kRecordPages;
    if (!is_pages && h.type != kRecordCommit) return discard("unknown record type");
    const std::uint64_t want = is_pages && h.b == 0 ? std::uint64_t{h.count} * page_size : 0;
    if (h.data_len != want || h.data_len > kMaxPageData) return discard("record length mismatch");
    data.resize(h.data_len);
    if (!read_exact(in.fd, data, journal_path_) || !read_exact(in.fd, digest, journal_path_)) {
      return discard("torn record at the end");
    }
    if (sha256(head, data) != digest) return discard("record checksum mismatch");
    if (is_pages) {
      if (h.a >= image_.pages() || h.count > image_.pages() - h.a || h.count == 0)
        return discard("page out of range");
      pages += h.count;
      ++records;
    } else {
      if (h.a != pages || h.c != records)
        return discard("commit record does not match the records before it");
      commit = h;
    }
  }

  // Pass 2: apply (idempotent: the same bytes land in the same places on every replay).
  if (::lseek(in.fd, static_cast<off_t>(kFileHeaderBytes), SEEK_SET) < 0) io_fail(journal_path_, "lseek");
  for (std::uint64_t i = 0; i < records; ++i) {
    if (!read_exact(in.fd, head, journal_path_))
      throw InputError(journal_path_.string(), "journal shrank during replay");
    ByteReader r(head, "journal record");
    RecordHeader h{r.u32(), r.u32(), r.u64(), r.u64(), r.u64(), r.u64()};
    data.resize(h.data_len);
    if (!read_exact(in.fd, data, journal_path_) || !read_exact(in.fd, digest, journal_path_)) {
      throw InputError(journal_path_.string(), "journal shrank during replay");
    }
    image_.write_pages(h.a, h.count, data);
    if (i == 0) step(JournalStep::kPartiallyApplied);
  }
  image_.sync();
  step(JournalStep::kApplied);
  save_generation(commit->b);
  step(JournalStep::kGenerationSaved);
  remove_journal();
  step(JournalStep::kJournalRemoved);
  return RecoveryResult{RecoveryResult::Outcome::kReplayed, pages, {}};
}

void Journal::save_generation(std::uint64_t g) {
  const std::filesystem::path tmp = generation_path_.string() + ".tmp";
  {
    Fd out{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
    if (out.fd < 0) io_fail(tmp, "create");
    const std::string text = std::to_string(g) + "\n";
    write_all(out.fd, std::as_bytes(std::span(text)), tmp);
    if (::fsync(out.fd) < 0) io_fail(tmp, "fsync");
  }
  if (::rename(tmp.c_str(), generation_path_.c_str()) < 0) io_fail(generation_path_, "rename");
  fsync_dir(generation_path_);
  generation_ = g;
}

void Journal::remove_journal() {
  if (::unlink(journal_path_.c_str()) < 0 && errno != ENOENT) io_fail(journal_path_, "unlink journal");
  fsync_dir(journal_path_);
}

}  // namespace jettison::emu
