// The libvirt C API behind two small owners: a connection (virConnectPtr) and a domain (virDomainPtr),
// each closed or freed by its destructor, with the calls the libvirt backend needs. Every failure is a
// LibvirtError quoting libvirt's own message (virGetLastErrorMessage) and naming the call and domain.
//
// virDomainQemuMonitorCommand (libvirt-qemu.h) passes a QMP command straight to the domain's QEMU:
// libvirt has no flag for x-ignore-shared, and marks a domain so driven "tainted: custom-monitor".
#pragma once

#include <libvirt/libvirt.h>

#include <memory>
#include <string>
#include <string_view>

#include "emu/vm/hosted_vm.hpp"

namespace jettison::emu {

// A libvirt call that failed: the message names the call, the domain and libvirt's reason.
class LibvirtError : public VmError {
 public:
  using VmError::VmError;
};

class LibvirtDomain {
 public:
  LibvirtDomain() = default;
  explicit LibvirtDomain(virDomainPtr d) : domain_(d) {}
  ~LibvirtDomain();
  LibvirtDomain(LibvirtDomain&& o) noexcept : domain_(o.domain_) { o.domain_ = nullptr; }
  LibvirtDomain& operator=(LibvirtDomain&& o) noexcept;
  LibvirtDomain(const LibvirtDomain&) = delete;
  LibvirtDomain& operator=(const LibvirtDomain&) = delete;

  explicit operator bool() const { return domain_ != nullptr; }
  std::string name() const;
  // Starts the defined domain; `paused`: QEMU stays stopped (libvirt sends no `cont`).
  void start(bool paused);
  bool active() const;
  // Kills the domain's QEMU now (virDomainDestroy); nothing when it is not running.
  void destroy();
  // Removes the definition; nothing when it is already gone.
  void undefine();
  // The domain's XML as libvirt holds it (the live one while it runs).
  std::string xml() const;
  // A QMP command (a JSON object as text) through libvirt; the reply as text.
  std::string qemu_monitor_command(std::string_view qmp_json) const;
  virDomainPtr get() const { return domain_; }

 private:
  virDomainPtr domain_ = nullptr;
};

class LibvirtConnection {
 public:
  // Opens `uri` (e.g. qemu:///system, or qemu:///system?socket=/path/libvirt-sock); LibvirtError
  // naming the URI and its socket when the daemon is not there.
  explicit LibvirtConnection(const std::string& uri);
  ~LibvirtConnection();
  LibvirtConnection(const LibvirtConnection&) = delete;
  LibvirtConnection& operator=(const LibvirtConnection&) = delete;

  const std::string& uri() const { return uri_; }
  // Defines (persistently) a domain from `xml`; LibvirtError quoting libvirt's complaint.
  LibvirtDomain define(const std::string& xml);
  // The domain called `name`, or an empty handle when there is none.
  LibvirtDomain find(const std::string& name);
  virConnectPtr get() const { return conn_; }

 private:
  std::string uri_;
  virConnectPtr conn_ = nullptr;
};

// The UNIX socket a client of `uri` connects to: the URI's `socket=` parameter, else the daemon's
// default for qemu:///system (/run/libvirt/libvirt-sock) or qemu:///session
// ($XDG_RUNTIME_DIR/libvirt/libvirt-sock); empty for other URIs (remote ones, other drivers).
std::string libvirt_socket(const std::string& uri);

// libvirt's message for its last error in this thread ("unknown error" when none).
std::string libvirt_last_error();

}  // namespace jettison::emu
