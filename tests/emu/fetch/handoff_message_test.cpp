// The v2 hand-off message (several regions, one uffd, one RAM fd per region): a round trip over a
// socketpair, v1 still accepted, and every malformed message refused with the reason.
#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <array>
#include <string>
#include <vector>

#include "emu/fetch/uffd_handoff_format.hpp"
#include "emu/fetch/uffd_handover.hpp"
#include "tests/emu/fetch/fetch_test_support.hpp"

namespace jettison::emu {
namespace {

namespace wire = handoff_format;
using testing::page_size;

struct SocketPair {
  SocketPair() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) throw std::runtime_error("socketpair");
    send = UniqueFd(sv[0]);
    recv = UniqueFd(sv[1]);
  }
  UniqueFd send, recv;
};

UniqueFd memfd_of(std::uint64_t bytes) {
  UniqueFd fd(::memfd_create("handoff-test-ram", MFD_CLOEXEC));
  if (!fd || ::ftruncate(fd.get(), static_cast<off_t>(bytes)) != 0) throw std::runtime_error("memfd");
  return fd;
}

ino_t inode_of(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return 0;
  return st.st_ino;
}

// Two regions as a VM's RAM blocks could be: 8 pages of "pc.ram" and 12 pages of "ram-node1" whose
// mapping starts 2 pages into its file.
struct TwoRegions {
  TwoRegions()
      : uffd(::eventfd(0, EFD_CLOEXEC)), a(memfd_of(8 * page_size())), b(memfd_of(14 * page_size())) {
    const std::uint64_t ps = page_size();
    regions.push_back(RegionInfo{0x7f0000000000, 8 * ps, ps, true, 0, "pc.ram"});
    regions.push_back(RegionInfo{0x7f1000000000, 12 * ps, ps, true, 2 * ps, "ram-node1"});
  }
  std::vector<int> fds() const { return {a.get(), b.get()}; }
  UniqueFd uffd;  // any descriptor stands in for the uffd here
  UniqueFd a, b;
  std::vector<RegionInfo> regions;
};

// A hand-made message: header, then the region records, with `nfds` descriptors attached.
std::vector<std::byte> message(const wire::Header& h, const std::vector<wire::Region>& records) {
  std::vector<std::byte> out(wire::kHeaderSize + records.size() * wire::kRegionSize);
  wire::encode_header(out.data(), h);
  for (std::size_t i = 0; i < records.size(); ++i)
    wire::encode_region(out.data() + wire::kHeaderSize + i * wire::kRegionSize, records[i]);
  return out;
}

void send_raw(int sock, const std::vector<std::byte>& bytes, const std::vector<int>& fds) {
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int) * 8)> control{};
  iovec iov{const_cast<std::byte*>(bytes.data()), bytes.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (!fds.empty()) {
    msg.msg_control = control.data();
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  ASSERT_EQ(::sendmsg(sock, &msg, MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size())) << std::strerror(errno);
}

wire::Region record(const RegionInfo& r) {
  wire::Region out;
  wire::set_name(out, r.name.c_str());
  out.base = r.base;
  out.length = r.length;
  out.page_size = r.page_size;
  out.file_offset = r.memfd_offset;
  return out;
}

// Sends a valid two-region message after `mutate` changed it (and with `fds` attached, default: the
// uffd and both RAM fds), and returns receive_handoff()'s complaint.
std::string refusal(const std::function<void(wire::Header&, std::vector<wire::Region>&)>& mutate,
                    std::optional<std::vector<int>> fds = std::nullopt) {
  TwoRegions two;
  wire::Header h;
  h.version = 2;
  h.flags = wire::kFlagWriteProtect;
  h.owner = static_cast<std::uint32_t>(::getpid());
  h.count = 2;
  std::vector<wire::Region> records{record(two.regions[0]), record(two.regions[1])};
  mutate(h, records);
  SocketPair pair;
  send_raw(pair.send.get(), message(h, records),
           fds.value_or(std::vector<int>{two.uffd.get(), two.a.get(), two.b.get()}));
  try {
    receive_handoff(pair.recv.get());
  } catch (const UffdError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(HandoffMessage, TwoRegionsAndTheirFdsRoundTrip) {
  TwoRegions two;
  SocketPair pair;
  send_handoff(pair.send.get(), two.uffd.get(), two.regions, two.fds());
  const UffdHandoff got = receive_handoff(pair.recv.get());
  EXPECT_EQ(got.version, 2);
  EXPECT_EQ(got.owner, ::getpid());
  EXPECT_TRUE(got.write_protect());
  ASSERT_EQ(got.regions.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(got.regions[i].name, two.regions[i].name);
    EXPECT_EQ(got.regions[i].base, two.regions[i].base);
    EXPECT_EQ(got.regions[i].length, two.regions[i].length);
    EXPECT_EQ(got.regions[i].page_size, page_size());
    EXPECT_EQ(got.regions[i].memfd_offset, two.regions[i].memfd_offset);
    EXPECT_TRUE(got.regions[i].write_protect);
  }
  // The descriptors arrive in order: the uffd, then region 0's RAM file, then region 1's.
  ASSERT_TRUE(got.uffd);
  EXPECT_EQ(inode_of(got.uffd.get()), inode_of(two.uffd.get()));
  ASSERT_EQ(got.ram_fds.size(), 2u);
  EXPECT_EQ(inode_of(got.ram_fds[0].get()), inode_of(two.a.get()));
  EXPECT_EQ(inode_of(got.ram_fds[1].get()), inode_of(two.b.get()));

  // The single-region receiver refuses it, naming why.
  send_handoff(pair.send.get(), two.uffd.get(), two.regions, two.fds());
  try {
    receive_uffd(pair.recv.get());
    ADD_FAILURE() << "two regions accepted by receive_uffd";
  } catch (const UffdError& e) {
    EXPECT_NE(std::string(e.what()).find("2 regions"), std::string::npos) << e.what();
  }
}

TEST(HandoffMessage, VersionOneIsStillReceived) {
  TwoRegions two;
  SocketPair pair;
  send_uffd(pair.send.get(), two.uffd.get(), two.regions[0], two.a.get());
  const UffdHandoff got = receive_handoff(pair.recv.get());
  EXPECT_EQ(got.version, 1);
  ASSERT_EQ(got.regions.size(), 1u);
  EXPECT_EQ(got.regions[0].base, two.regions[0].base);
  EXPECT_EQ(got.regions[0].length, two.regions[0].length);
  ASSERT_EQ(got.ram_fds.size(), 1u);
  EXPECT_EQ(inode_of(got.ram_fds[0].get()), inode_of(two.a.get()));
  // v2 with one region through the single-region receiver.
  send_handoff(pair.send.get(), two.uffd.get(), std::span(two.regions).first(1),
               std::vector<int>{two.a.get()});
  const ReceivedUffd one = receive_uffd(pair.recv.get());
  EXPECT_EQ(one.region.name, "pc.ram");
  EXPECT_EQ(one.region.length, two.regions[0].length);
  EXPECT_TRUE(one.memfd);
}

void expect_refused(const std::string& why, const std::string& expected) {
  EXPECT_NE(why.find(expected), std::string::npos) << "got: " << why << "\nexpected to mention: " << expected;
}

TEST(HandoffMessage, MalformedMessagesAreRefusedWithTheReason) {
  expect_refused(refusal([](auto&, auto&) {}), "accepted");  // the unmutated message is valid
  expect_refused(refusal([](wire::Header&, auto&) {}, std::vector<int>{}),
                 "0 descriptors attached, expected 3");
  {  // bad magic: a message that is not ours
    TwoRegions two;
    SocketPair pair;
    std::vector<std::byte> junk(wire::kHeaderSize + 2 * wire::kRegionSize, std::byte{'X'});
    send_raw(pair.send.get(), junk, {two.uffd.get()});
    try {
      receive_handoff(pair.recv.get());
      ADD_FAILURE() << "junk accepted";
    } catch (const UffdError& e) {
      expect_refused(e.what(), "bad magic");
    }
  }
  expect_refused(refusal([](wire::Header& h, auto&) { h.count = 0; }), "region count 0 (1..64)");
  expect_refused(refusal([](wire::Header& h, auto&) { h.count = 65; }), "region count 65 (1..64)");
  expect_refused(refusal([](wire::Header& h, auto&) { h.version = 3; }), "version 3");
  expect_refused(refusal([](wire::Header& h, auto&) { h.flags = 0x10; }), "unknown flags 0x10");
  expect_refused(refusal([](wire::Header& h, auto&) { h.reserved = 1; }), "reserved word");
  expect_refused(refusal([](auto&, std::vector<wire::Region>& r) { r[1].base += 100; }),
                 "region 1 'ram-node1': base 0x7f1000000064");
  expect_refused(refusal([](auto&, std::vector<wire::Region>& r) { r[0].length = 0; }), "empty (length 0)");
  expect_refused(refusal([](auto&, std::vector<wire::Region>& r) { r[0].page_size = 3000; }),
                 "page size 3000 is not a power of two");
  // Region 1 starts 4 pages into region 0's 8: they overlap.
  expect_refused(
      refusal([](auto&, std::vector<wire::Region>& r) { r[1].base = r[0].base + 4 * page_size(); }),
      "overlap");
  expect_refused(
      refusal([](auto&, std::vector<wire::Region>& r) { std::memset(r[0].name, 'n', wire::kNameSize); }),
      "not NUL-terminated");
  // Region 1 maps 12 pages from offset 2 pages: its RAM file of 14 pages is just large enough; 3 is not.
  expect_refused(refusal([](auto&, std::vector<wire::Region>& r) { r[1].file_offset = 3 * page_size(); }),
                 "its RAM file has");
  {  // fewer fds than regions: the uffd and region 0's RAM file only
    TwoRegions two;
    expect_refused(refusal([](auto&, auto&) {}, std::vector<int>{two.uffd.get(), two.a.get()}),
                   "2 descriptors attached, expected 3");
  }
}

TEST(HandoffMessage, ABadMessageDoesNotSpoilTheNextOne) {
  TwoRegions two;
  SocketPair pair;
  std::vector<std::byte> junk(100, std::byte{'X'});
  send_raw(pair.send.get(), junk, {});
  EXPECT_THROW(receive_handoff(pair.recv.get()), UffdError);
  send_handoff(pair.send.get(), two.uffd.get(), two.regions, two.fds());
  EXPECT_EQ(receive_handoff(pair.recv.get()).regions.size(), 2u);
}

}  // namespace
}  // namespace jettison::emu
