#include "emu/vm/libvirt_domain_xml.hpp"

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <memory>
#include <regex>

#include "emu/vm/hosted_vm.hpp"
#include "emu/vm/qemu_error.hpp"

namespace jettison::emu {
namespace {

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
constexpr const char* kQemuNs = "http://libvirt.org/schemas/domain/qemu/1.0";

std::string no_comma(const std::filesystem::path& p, std::string_view field, const std::string& vm) {
  const std::string s = p.string();
  if (s.empty()) throw QemuError(fmt::format("VM '{}': the libvirt domain needs a {}", vm, field));
  if (s.find(',') != std::string::npos)
    throw QemuError(
        fmt::format("VM '{}': {} '{}' contains a comma, which QEMU options cannot carry", vm, field, s));
  return s;
}

struct XmlDoc {
  xmlDocPtr doc = nullptr;
  xmlXPathContextPtr ctx = nullptr;
  ~XmlDoc() {
    if (ctx) xmlXPathFreeContext(ctx);
    if (doc) xmlFreeDoc(doc);
  }
  // The string value of `xpath` (empty when nothing matches).
  std::string value(const char* xpath) const {
    xmlXPathObjectPtr o = xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath), ctx);
    std::string out;
    if (o) {
      xmlChar* s = xmlXPathCastToString(o);
      if (s) out = reinterpret_cast<const char*>(s);
      xmlFree(s);
      xmlXPathFreeObject(o);
    }
    return out;
  }
  std::vector<std::string> values(const char* xpath) const {
    std::vector<std::string> out;
    xmlXPathObjectPtr o = xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath), ctx);
    if (o && o->nodesetval)
      for (int i = 0; i < o->nodesetval->nodeNr; ++i) {
        xmlChar* s = xmlNodeGetContent(o->nodesetval->nodeTab[i]);
        out.emplace_back(s ? reinterpret_cast<const char*>(s) : "");
        xmlFree(s);
      }
    if (o) xmlXPathFreeObject(o);
    return out;
  }
};

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string libvirt_domain_xml(const QemuVmSpec& spec, std::string_view accel,
                               const std::map<std::string, std::string>& env) {
  const std::string& vm = spec.name;
  if (vm.empty() || vm.find(',') != std::string::npos)
    throw QemuError(fmt::format("VM name '{}' must be non-empty and without commas", vm));
  if (spec.ram_bytes == 0 || spec.ram_bytes % kMiB != 0)
    throw QemuError(fmt::format("VM '{}': {} bytes of RAM is not a whole number of MiB", vm, spec.ram_bytes));
  if (!spec.extra_ram.empty())
    throw QemuError(fmt::format("VM '{}': the libvirt backend takes one RAM block, not {}", vm,
                                1 + spec.extra_ram.size()));
  if (spec.vcpus == 0) throw QemuError(fmt::format("VM '{}': vcpus must be at least 1", vm));
  if (spec.kernel.empty() && (!spec.initrd.empty() || !spec.append.empty()))
    throw QemuError(fmt::format("VM '{}': an initrd or kernel command line needs a kernel", vm));
  const std::string ram = no_comma(spec.ram_file, "RAM file", vm);
  const std::string qmp = no_comma(spec.qmp_socket, "QMP socket", vm);
  const std::string serial = no_comma(spec.serial_log, "serial log", vm);

  std::string x;
  auto line = [&x](std::string_view s) {
    x += s;
    x += '\n';
  };
  line(fmt::format("<domain type='{}' xmlns:qemu='{}'>", accel == "kvm" ? "kvm" : "qemu", kQemuNs));
  line(fmt::format("  <name>{}</name>", xml_escape(vm)));
  line(fmt::format("  <memory unit='MiB'>{}</memory>", spec.ram_bytes / kMiB));
  line(fmt::format("  <vcpu>{}</vcpu>", spec.vcpus));
  line("  <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>");
  line("  <os>");
  line("    <type arch='x86_64' machine='pc'>hvm</type>");
  if (!spec.kernel.empty()) line(fmt::format("    <kernel>{}</kernel>", xml_escape(spec.kernel.string())));
  if (!spec.initrd.empty()) line(fmt::format("    <initrd>{}</initrd>", xml_escape(spec.initrd.string())));
  if (!spec.append.empty()) line(fmt::format("    <cmdline>{}</cmdline>", xml_escape(spec.append)));
  line("  </os>");
  line("  <on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy</on_crash>");
  line("  <devices>");
  line(fmt::format("    <emulator>{}</emulator>", xml_escape(find_qemu().string())));
  line(fmt::format("    <serial type='file'><source path='{}' append='on'/><target port='0'/></serial>",
                   xml_escape(serial)));
  line("    <memballoon model='none'/>");
  line("  </devices>");
  line("  <qemu:commandline>");
  std::vector<std::string> args = {"-object",
                                   fmt::format("memory-backend-file,id={},size={}M,mem-path={},share=on",
                                               kMainRamId, spec.ram_bytes / kMiB, ram),
                                   "-machine",
                                   fmt::format("memory-backend={}", kMainRamId),
                                   "-qmp",
                                   fmt::format("unix:{},server=on,wait=off", qmp)};
  if (spec.incoming == Incoming::kDefer) args.insert(args.end(), {"-incoming", "defer"});
  args.insert(args.end(), spec.extra_args.begin(), spec.extra_args.end());
  for (const auto& a : args) line(fmt::format("    <qemu:arg value='{}'/>", xml_escape(a)));
  for (const auto& [k, v] : env)
    line(fmt::format("    <qemu:env name='{}' value='{}'/>", xml_escape(k), xml_escape(v)));
  line("  </qemu:commandline>");
  line("</domain>");
  return x;
}

AdoptableDomain check_adoptable_domain(const std::string& xml) {
  XmlDoc d;
  d.doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "domain.xml", nullptr,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!d.doc) throw VmError("libvirt domain: its XML does not parse");
  d.ctx = xmlXPathNewContext(d.doc);
  xmlXPathRegisterNs(d.ctx, reinterpret_cast<const xmlChar*>("qemu"),
                     reinterpret_cast<const xmlChar*>(kQemuNs));
  AdoptableDomain a;
  a.name = d.value("string(/domain/name)");
  const std::string source = d.value("string(/domain/memoryBacking/source/@type)");
  const std::string access = d.value("string(/domain/memoryBacking/access/@mode)");
  if (access != "shared")
    throw VmError(fmt::format(
        "libvirt domain '{}': its RAM is not shared memory ({}): add <memoryBacking><source type='memfd'/>"
        "<access mode='shared'/></memoryBacking> to its XML (virsh edit {})",
        a.name,
        access.empty() ? "no <access mode='shared'/> in <memoryBacking>" : "access mode '" + access + "'",
        a.name));
  if (source != "memfd" && source != "file")
    throw VmError(fmt::format(
        "libvirt domain '{}': its RAM has no shareable source ({}): set <source type='memfd'/> in "
        "<memoryBacking>",
        a.name, source.empty() ? "no <source> in <memoryBacking>" : "source type '" + source + "'"));
  const auto args = d.values("/domain/qemu:commandline/qemu:arg/@value");
  const std::regex ram_re(R"(^memory-backend-file,id=jettison-ram,size=(\d+)M,mem-path=([^,]+),share=on$)");
  const std::regex qmp_re(R"(^unix:([^,]+),server=on,wait=off$)");
  std::smatch m;
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "-object" && std::regex_match(args[i + 1], m, ram_re)) {
      a.ram_bytes = std::stoull(m[1]) * kMiB;
      a.ram_file = m[2].str();
    } else if (args[i] == "-qmp" && std::regex_match(args[i + 1], m, qmp_re)) {
      a.qmp_socket = m[1].str();
    }
  }
  if (a.ram_file.empty() || a.qmp_socket.empty())
    throw VmError(fmt::format(
        "libvirt domain '{}': its RAM is not in a file Jettison can serve: its <qemu:commandline> needs "
        "the arguments jettison writes (-object memory-backend-file,id=jettison-ram,... -machine "
        "memory-backend=jettison-ram -qmp unix:...): define the domain with jettison's XML",
        a.name));
  a.serial_log = d.value("string(/domain/devices/serial[@type='file']/source/@path)");
  return a;
}

}  // namespace jettison::emu
