#include "emu/wire/tls_config.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

#include "common/input_error.hpp"

namespace jettison::emu {

const char* security_name(Security s) {
  switch (s) {
    case Security::kTlsPsk:
      return "tls-psk";
    case Security::kTlsCertificates:
      return "tls-cert";
    case Security::kInsecurePlainTcp:
      return "insecure-plain-tcp";
  }
  return "?";
}

TlsConfig TlsConfig::psk(std::string identity, std::vector<unsigned char> key) {
  if (identity.empty()) throw InputError("", "TLS PSK: the identity is empty");
  if (key.size() < 16)
    throw InputError("", "TLS PSK: the key has " + std::to_string(key.size()) + " bytes, need at least 16");
  TlsConfig c;
  c.security = Security::kTlsPsk;
  c.psk_identity = std::move(identity);
  c.psk_key = std::move(key);
  return c;
}

TlsConfig TlsConfig::psk_from_file(std::string identity, const std::filesystem::path& key_file) {
  return psk(std::move(identity), read_psk_file(key_file));
}

TlsConfig TlsConfig::certificates(std::filesystem::path ca, std::filesystem::path cert,
                                  std::filesystem::path key) {
  TlsConfig c;
  c.security = Security::kTlsCertificates;
  c.ca_file = std::move(ca);
  c.cert_file = std::move(cert);
  c.key_file = std::move(key);
  return c;
}

TlsConfig TlsConfig::insecure_plain_tcp() {
  TlsConfig c;
  c.security = Security::kInsecurePlainTcp;
  return c;
}

std::vector<unsigned char> read_psk_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path.string(), "cannot read the PSK file");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string hex;
  for (char ch : ss.str()) {
    if (std::isspace(static_cast<unsigned char>(ch))) continue;
    if (!std::isxdigit(static_cast<unsigned char>(ch))) {
      throw InputError(path.string(), std::string("PSK file: '") + ch + "' is not a hex digit");
    }
    hex += ch;
  }
  if (hex.size() % 2 != 0) throw InputError(path.string(), "PSK file: odd number of hex digits");
  std::vector<unsigned char> key;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    key.push_back(static_cast<unsigned char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  if (key.size() < 16) {
    throw InputError(path.string(),
                     "PSK file: key has " + std::to_string(key.size()) + " bytes, need at least 16");
  }
  return key;
}

}  // namespace jettison::emu
