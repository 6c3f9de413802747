// The domain XML the libvirt backend writes, and the adoption check on a domain's XML: what makes a
// domain adoptable (shared memory, RAM in a file Jettison serves) and the element each error names.
#include "emu/vm/libvirt_domain_xml.hpp"

#include <gtest/gtest.h>

#include "emu/vm/hosted_vm.hpp"
#include "emu/vm/qemu_error.hpp"

namespace jettison::emu {
namespace {

QemuVmSpec guest() {
  QemuVmSpec s;
  s.name = "desk-1";
  s.ram_bytes = std::uint64_t{128} << 20;
  s.ram_file = "/dev/shm/desk-1.ram";
  s.kernel = "/guests/tiny/vmlinuz";
  s.initrd = "/guests/tiny/initramfs.cpio.gz";
  s.append = "console=ttyS0 quiet x=<&>";
  s.serial_log = "/run/jettison/desk-1/serial.log";
  s.qmp_socket = "/run/jettison/desk-1/qmp.sock";
  return s;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(LibvirtDomainXml, DeclaresSharedMemfdAndPutsTheRamInTheSharedFile) {
  const std::string x = libvirt_domain_xml(guest(), "tcg", {{"LD_PRELOAD", "/lib/h.so"}});
  EXPECT_TRUE(contains(x, "<domain type='qemu'")) << x;  // TCG
  EXPECT_TRUE(contains(x, "<memory unit='MiB'>128</memory>")) << x;
  EXPECT_TRUE(contains(x, "<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>"))
      << x;
  EXPECT_TRUE(contains(x,
                       "value='memory-backend-file,id=jettison-ram,size=128M,mem-path=/dev/shm/desk-1.ram,"
                       "share=on'"))
      << x;
  EXPECT_TRUE(contains(x, "value='memory-backend=jettison-ram'")) << x;
  EXPECT_TRUE(contains(x, "value='unix:/run/jettison/desk-1/qmp.sock,server=on,wait=off'")) << x;
  EXPECT_TRUE(contains(x, "<qemu:env name='LD_PRELOAD' value='/lib/h.so'/>")) << x;
  EXPECT_TRUE(contains(x, "<cmdline>console=ttyS0 quiet x=&lt;&amp;&gt;</cmdline>")) << x;
  EXPECT_TRUE(contains(x, "<source path='/run/jettison/desk-1/serial.log' append='on'/>")) << x;
  EXPECT_FALSE(contains(x, "defer")) << x;
  QemuVmSpec in = guest();
  in.incoming = Incoming::kDefer;
  const std::string y = libvirt_domain_xml(in, "kvm");
  EXPECT_TRUE(contains(y, "<domain type='kvm'")) << y;
  EXPECT_TRUE(contains(y, "<qemu:arg value='-incoming'/>\n    <qemu:arg value='defer'/>")) << y;
}

TEST(LibvirtDomainXml, RefusesWhatItCannotCarry) {
  QemuVmSpec s = guest();
  s.ram_file = "/dev/shm/a,b.ram";
  EXPECT_THROW(libvirt_domain_xml(s, "tcg"), QemuError);
  s = guest();
  s.extra_ram = {{"high", std::uint64_t{64} << 20, "/dev/shm/high.ram"}};
  EXPECT_THROW(libvirt_domain_xml(s, "tcg"), QemuError);
  s = guest();
  s.ram_bytes = 1000;
  EXPECT_THROW(libvirt_domain_xml(s, "tcg"), QemuError);
}

TEST(LibvirtDomainXml, OurOwnDomainIsAdoptableWithItsRamFileAndMonitor) {
  const AdoptableDomain a = check_adoptable_domain(libvirt_domain_xml(guest(), "tcg"));
  EXPECT_EQ(a.name, "desk-1");
  EXPECT_EQ(a.ram_bytes, std::uint64_t{128} << 20);
  EXPECT_EQ(a.ram_file, "/dev/shm/desk-1.ram");
  EXPECT_EQ(a.qmp_socket, "/run/jettison/desk-1/qmp.sock");
  EXPECT_EQ(a.serial_log, "/run/jettison/desk-1/serial.log");
}

// The message of check_adoptable_domain(xml), or "" when it accepts it.
std::string refusal(const std::string& xml) {
  try {
    (void)check_adoptable_domain(xml);
    return "";
  } catch (const VmError& e) {
    return e.what();
  }
}

TEST(LibvirtDomainXml, ADomainWithoutSharedMemoryIsRefusedNamingTheElement) {
  const std::string plain = "<domain type='qemu'><name>lab-pc</name><memory unit='MiB'>512</memory></domain>";
  const std::string why = refusal(plain);
  EXPECT_TRUE(contains(why, "lab-pc")) << why;
  EXPECT_TRUE(contains(why, "<access mode='shared'/>")) << why;
  EXPECT_TRUE(contains(why, "<memoryBacking>")) << why;

  const std::string private_memfd =
      "<domain><name>lab-pc</name><memoryBacking><source type='memfd'/><access mode='private'/>"
      "</memoryBacking></domain>";
  EXPECT_TRUE(contains(refusal(private_memfd), "access mode 'private'")) << refusal(private_memfd);

  const std::string no_source =
      "<domain><name>lab-pc</name><memoryBacking><access mode='shared'/></memoryBacking></domain>";
  EXPECT_TRUE(contains(refusal(no_source), "<source type='memfd'/>")) << refusal(no_source);

  // Shared memfd, but the RAM is not in a file Jettison can serve.
  const std::string no_file =
      "<domain><name>lab-pc</name><memoryBacking><source type='memfd'/><access mode='shared'/>"
      "</memoryBacking></domain>";
  EXPECT_TRUE(contains(refusal(no_file), "<qemu:commandline>")) << refusal(no_file);
  EXPECT_TRUE(contains(refusal("not xml"), "does not parse"));
}

}  // namespace
}  // namespace jettison::emu
