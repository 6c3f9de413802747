// How a connection is secured: TLS 1.3 with an external pre-shared key (identity + key from a hex
// file), TLS 1.3 with certificates (CA + own cert + key, peer verification required), or plain TCP
// for benchmarks only (kInsecurePlainTcp: no authentication, no encryption).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace jettison::emu {

enum class Security { kTlsPsk, kTlsCertificates, kInsecurePlainTcp };

const char* security_name(Security s);

struct TlsConfig {
  Security security = Security::kTlsPsk;
  // kTlsPsk: both sides hold the same identity and key (at least 16 bytes; 32 recommended).
  std::string psk_identity;
  std::vector<unsigned char> psk_key;
  // kTlsCertificates: PEM files. The peer's certificate must chain to ca_file.
  std::filesystem::path ca_file, cert_file, key_file;
  // Client side, certificates: the name the server's certificate must carry (empty: any name).
  std::string expected_server_name;

  static TlsConfig psk(std::string identity, std::vector<unsigned char> key);
  // Reads the key as hex (whitespace and newlines ignored); InputError naming the file otherwise.
  static TlsConfig psk_from_file(std::string identity, const std::filesystem::path& key_file);
  static TlsConfig certificates(std::filesystem::path ca, std::filesystem::path cert,
                                std::filesystem::path key);
  static TlsConfig insecure_plain_tcp();
};

std::vector<unsigned char> read_psk_file(const std::filesystem::path& path);

}  // namespace jettison::emu
