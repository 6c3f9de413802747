#include "emu/vm/libvirt_connection.hpp"

#include <fmt/format.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>

namespace jettison::emu {
namespace {

// libvirt prints every error on stderr by default; ours go into exceptions instead.
void quiet(void*, virErrorPtr) {}

// libvirt strings are malloc'd: freed once copied.
std::string take(char* s) {
  if (!s) return {};
  std::string out(s);
  std::free(s);
  return out;
}

}  // namespace

std::string libvirt_socket(const std::string& uri) {
  const auto q = uri.find('?');
  if (q != std::string::npos) {
    const std::string query = uri.substr(q + 1);
    for (std::size_t at = 0; at <= query.size();) {
      const auto amp = std::min(query.find('&', at), query.size());
      const std::string param = query.substr(at, amp - at);
      if (param.rfind("socket=", 0) == 0) return param.substr(7);
      at = amp + 1;
    }
  }
  const std::string base = uri.substr(0, q);
  if (base == "qemu:///system") return "/run/libvirt/libvirt-sock";
  if (base == "qemu:///session") {
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    return fmt::format("{}/libvirt/libvirt-sock", runtime ? runtime : "$XDG_RUNTIME_DIR");
  }
  return {};
}

std::string libvirt_last_error() {
  const char* m = virGetLastErrorMessage();
  return m ? m : "unknown error";
}

LibvirtDomain::~LibvirtDomain() {
  if (domain_) virDomainFree(domain_);
}

LibvirtDomain& LibvirtDomain::operator=(LibvirtDomain&& o) noexcept {
  if (this != &o) {
    if (domain_) virDomainFree(domain_);
    domain_ = o.domain_;
    o.domain_ = nullptr;
  }
  return *this;
}

std::string LibvirtDomain::name() const {
  const char* n = domain_ ? virDomainGetName(domain_) : nullptr;
  return n ? n : "?";
}

void LibvirtDomain::start(bool paused) {
  if (virDomainCreateWithFlags(domain_, paused ? VIR_DOMAIN_START_PAUSED : 0) != 0)
    throw LibvirtError(fmt::format("libvirt: starting domain '{}': {}", name(), libvirt_last_error()));
}

bool LibvirtDomain::active() const { return domain_ && virDomainIsActive(domain_) == 1; }

void LibvirtDomain::destroy() {
  if (!active()) return;
  if (virDomainDestroy(domain_) != 0 && active())
    throw LibvirtError(fmt::format("libvirt: destroying domain '{}': {}", name(), libvirt_last_error()));
}

void LibvirtDomain::undefine() {
  if (!domain_) return;
  if (virDomainIsPersistent(domain_) != 1) return;
  if (virDomainUndefine(domain_) != 0)
    throw LibvirtError(fmt::format("libvirt: undefining domain '{}': {}", name(), libvirt_last_error()));
}

std::string LibvirtDomain::xml() const {
  char* x = virDomainGetXMLDesc(domain_, 0);
  if (!x)
    throw LibvirtError(fmt::format("libvirt: the XML of domain '{}': {}", name(), libvirt_last_error()));
  return take(x);
}

std::string LibvirtDomain::qemu_monitor_command(std::string_view qmp_json) const {
  char* reply = nullptr;
  const std::string cmd(qmp_json);
  if (virDomainQemuMonitorCommand(domain_, cmd.c_str(), &reply, 0) != 0)
    throw LibvirtError(
        fmt::format("libvirt: QMP '{}' on domain '{}': {}", cmd, name(), libvirt_last_error()));
  return take(reply);
}

LibvirtConnection::LibvirtConnection(const std::string& uri) : uri_(uri) {
  virSetErrorFunc(nullptr, quiet);
  conn_ = virConnectOpen(uri_.c_str());
  if (!conn_) {
    const std::string socket = libvirt_socket(uri_);
    throw LibvirtError(fmt::format(
        "libvirt: cannot connect to '{}'{} (is libvirtd running, and its socket "
        "writable by this user?): {}",
        uri_, socket.empty() ? "" : fmt::format(" through the socket {}", socket), libvirt_last_error()));
  }
}

LibvirtConnection::~LibvirtConnection() {
  if (conn_) virConnectClose(conn_);
}

LibvirtDomain LibvirtConnection::define(const std::string& xml) {
  virDomainPtr d = virDomainDefineXML(conn_, xml.c_str());
  if (!d)
    throw LibvirtError(fmt::format("libvirt: defining a domain on '{}': {}", uri_, libvirt_last_error()));
  return LibvirtDomain(d);
}

LibvirtDomain LibvirtConnection::find(const std::string& name) {
  virDomainPtr d = virDomainLookupByName(conn_, name.c_str());
  if (!d) virResetLastError();
  return LibvirtDomain(d);
}

}  // namespace jettison::emu
