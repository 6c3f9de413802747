#include "emu/server/remote_flags.hpp"

#include <fmt/format.h>

#include "common/input_error.hpp"
#include "common/units.hpp"
#include "emu/agent/agent_config.hpp"
#include "emu/fetch/fetcher.hpp"
#include "emu/server/sleep_controller.hpp"

namespace jettison::emu {
namespace {

Duration duration_flag(const char* flag, const std::string& text) {
  try {
    return parse_duration(text);
  } catch (const std::exception& e) {
    throw InputError(flag, e.what());
  }
}

}  // namespace

RemoteSourceConfig remote_source_config(const RemoteFlags& f, std::uint32_t page_size) {
  RemoteSourceConfig c;
  if (f.connect.empty()) throw InputError("--connect", "required: HOST:PORT of the desktop agent");
  try {
    c.endpoint = parse_endpoint(f.connect);
  } catch (const std::exception& e) {
    throw InputError("--connect", e.what());
  }
  const bool certificates = !f.ca.empty() || !f.cert.empty() || !f.key.empty();
  if (f.insecure) {
    if (!f.psk_file.empty()) throw InputError("--insecure-plain-tcp", "conflicts with --psk-file");
    if (certificates) throw InputError("--insecure-plain-tcp", "conflicts with --ca, --cert and --key");
    c.tls = TlsConfig::insecure_plain_tcp();
  } else if (certificates) {
    if (!f.psk_file.empty()) throw InputError("--ca", "give either certificates or --psk-file, not both");
    if (f.ca.empty() || f.cert.empty() || f.key.empty())
      throw InputError("--ca", "certificates need --ca, --cert and --key");
    c.tls = TlsConfig::certificates(f.ca, f.cert, f.key);
  } else {
    if (f.psk_file.empty() || f.psk_identity.empty())
      throw InputError(
          "--connect",
          "needs --psk-file and --psk-identity, or --ca, --cert and --key (or --insecure-plain-tcp)");
    try {
      c.tls = TlsConfig::psk_from_file(f.psk_identity, f.psk_file);
    } catch (const std::exception& e) {
      throw InputError("--psk-file", e.what());
    }
  }
  c.client.page_size = page_size;
  c.client.connect_timeout = duration_flag("--connect-timeout", f.connect_timeout);
  if (c.client.connect_timeout <= Duration()) throw InputError("--connect-timeout", "must be positive");
  if (!f.give_up_after.empty()) {
    c.give_up_after = duration_flag("--give-up-after", f.give_up_after);
    if (*c.give_up_after <= Duration()) throw InputError("--give-up-after", "must be positive");
  }
  if (!f.wol_interface.empty()) {
    if (f.desktop_mac.empty()) throw InputError("--desktop-mac", "required with --wol-interface");
    const auto mac = MacAddress::parse(f.desktop_mac);
    if (!mac)
      throw InputError("--desktop-mac",
                       fmt::format("'{}' is not a MAC address (like 52:54:00:12:34:56)", f.desktop_mac));
    RemoteWakeConfig w;
    w.sender.interface = f.wol_interface;
    w.sender.transport = f.wol_raw ? WolTransport::kRaw : WolTransport::kUdp;
    w.mac = *mac;
    if (!f.wol_password.empty()) {
      w.password = SecureOnPassword::parse(f.wol_password);
      if (!w.password)
        throw InputError("--wol-password", fmt::format("'{}' is not a SecureOn password", f.wol_password));
    }
    c.wake = w;
  } else if (!f.desktop_mac.empty() || !f.wol_password.empty()) {
    throw InputError("--desktop-mac", "needs --wol-interface (where the magic packets go out)");
  }
  return c;
}

policy::SleepParams sleep_params(const SleepFlags& f) {
  policy::SleepParams p;
  p.timeout = duration_flag("--sleep-timeout", f.timeout);
  if (p.timeout < Duration()) throw InputError("--sleep-timeout", "must not be negative");
  if (!(f.trust > 0.0 && f.trust <= 1.0))
    throw InputError("--sleep-trust", fmt::format("expected a number in (0, 1], got {}", f.trust));
  if (f.history == 0) throw InputError("--sleep-history", "must be at least 1");
  p.trust = f.trust;
  p.history = f.history;
  if (!f.rule.empty()) {
    try {
      (void)make_sleep_scheduler(f.rule, p, default_sleep_costs());
    } catch (const InputError& e) {
      std::string what = e.what();  // "policy.sleep.rule: ...": name the flag instead
      if (!e.origin().empty() && what.rfind(e.origin() + ": ", 0) == 0) what.erase(0, e.origin().size() + 2);
      throw InputError("--sleep", what);
    }
  }
  return p;
}

}  // namespace jettison::emu
