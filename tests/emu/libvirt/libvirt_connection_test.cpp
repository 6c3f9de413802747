// The libvirt connection's error when no daemon answers: it names the URI and the socket the client
// tried (libvirt_socket()), so an operator knows which daemon is missing. No daemon runs here.
#include "emu/vm/libvirt_connection.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace jettison::emu {
namespace {

TEST(LibvirtConnection, TheSocketOfAUri) {
  EXPECT_EQ(libvirt_socket("qemu:///system"), "/run/libvirt/libvirt-sock");
  EXPECT_EQ(libvirt_socket("qemu:///system?socket=/tmp/d/run/libvirt-sock"), "/tmp/d/run/libvirt-sock");
  EXPECT_EQ(libvirt_socket("qemu:///system?mode=legacy&socket=/s"), "/s");
  EXPECT_EQ(libvirt_socket("qemu+ssh://lab-1/system"), "");  // remote: not a local socket
}

TEST(LibvirtConnection, NoDaemonIsAnErrorNamingTheUriAndTheSocket) {
  const std::string socket =
      (std::filesystem::temp_directory_path() / "jettison-no-libvirtd" / "libvirt-sock").string();
  const std::string uri = "qemu:///system?socket=" + socket;
  try {
    LibvirtConnection conn(uri);
    ADD_FAILURE() << "connected to a daemon that does not exist";
  } catch (const LibvirtError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("cannot connect to '" + uri + "' through the socket " + socket), std::string::npos)
        << what;
  }
}

}  // namespace
}  // namespace jettison::emu
