// The human form of a daemon's status answer (jettison-ctl status without --json): a line for the
// daemon, then one line per VM. Works on the JSON (emu/PROTOCOL.md, "Status") so the client needs
// nothing but the answer; missing fields are left out of the text, never guessed.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace jettison::emu {

std::vector<std::string> status_lines(const nlohmann::json& answer);

// Milliseconds since the Unix epoch, now (the status' "at_unix_ms" stamps).
std::int64_t unix_millis_now();

}  // namespace jettison::emu
