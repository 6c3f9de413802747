// What jettison-server and jettison-replay share on their command lines: how to reach the desktop
// agent (address, TLS, Wake-on-LAN) and which sleep rule decides when it sleeps. The flags are
// checked here, each error an InputError naming the flag, so both tools report them alike.
#pragma once

#include <optional>
#include <string>

#include "emu/remote/remote_source.hpp"
#include "policy/sleep_scheduler.hpp"

namespace jettison::emu {

struct RemoteFlags {
  std::string connect;                 // HOST:PORT of the desktop agent
  std::string psk_file, psk_identity;  // TLS pre-shared key
  std::string ca, cert, key;           // TLS certificates (PEM), as the agent's --ca/--cert/--key
  bool insecure = false;               // plain TCP (benchmarks on loopback only)
  std::string wol_interface;           // where magic packets go out; empty: never wake the desktop
  std::string desktop_mac;             // the desktop NIC's MAC (needed with wol_interface)
  std::string wol_password;            // SecureOn password, optional
  bool wol_raw = false;                // raw EtherType 0x0842 frames instead of UDP broadcast
  std::string give_up_after;           // how long one outage may last (empty: forever)
  std::string connect_timeout = "2s";  // one connection attempt
};

// The RemoteSource configuration the flags describe, for `page_size`-byte pages. InputError names
// the flag at fault ("--desktop-mac: ..."). The source is not created (so nothing is connected).
RemoteSourceConfig remote_source_config(const RemoteFlags& flags, std::uint32_t page_size);

struct SleepFlags {
  std::string rule;  // empty: no sleep decisions
  std::string timeout = "30s";
  double trust = 0.5;
  std::uint32_t history = 8;
};

// The sleep rule's tunables; InputError for a bad duration or trust, or an unknown or offline rule.
policy::SleepParams sleep_params(const SleepFlags& flags);

}  // namespace jettison::emu
