// jettison-ctl: one command to a Jettison daemon's control socket, its answer printed.
//
//   jettison-ctl --socket /run/jettison/desktop.sock go-idle     # the desktop's VM migrates out
//   jettison-ctl --socket /run/jettison/desktop.sock return      # the user is back: reintegrate
//   jettison-ctl --socket /run/jettison/desktop.sock take-back   # server gone: resume from migration
//   jettison-ctl --socket /run/jettison/desktop.sock status --json
//   jettison-ctl --socket /run/jettison/server.sock status        # jettison-server --control
//
// status prints a line for the daemon (on a desktop, then a line naming its server: address, TLS
// identity, connected or last seen, since when it holds the VM), then one line per VM; --json the
// answer as it came (emu/PROTOCOL.md, "Status").
//
// Exit 0 when the daemon answered ok, 1 when it answered an error or could not be reached, 2 on bad
// flags.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "emu/control/control_server.hpp"
#include "emu/control/status_text.hpp"
#include "emu/tool/cli_main.hpp"

int main(int argc, char** argv) {
  using namespace jettison::emu;
  CLI::App app{"jettison-ctl: send one command to a Jettison daemon's control socket"};
  std::string socket, command, log_level = "warn";
  bool json = false;
  app.add_option("--socket", socket, "the daemon's control socket")->required();
  app.add_option("command", command, "go-idle, return, take-back, status")->required();
  app.add_flag("--json", json, "print the answer as one JSON line");
  add_log_level(app, log_level);
  return run_cli("jettison-ctl", app, argc, argv, log_level, [&] {
    const nlohmann::json answer = control_request(socket, nlohmann::json{{"cmd", command}});
    if (json) {
      fmt::print("{}\n", answer.dump());
    } else if (command == "status" && answer.value("ok", false)) {
      for (const std::string& line : status_lines(answer)) fmt::print("{}\n", line);
    } else {
      for (const auto& [k, v] : answer.items())
        if (k != "ok") fmt::print("{}: {}\n", k, v.is_string() ? v.get<std::string>() : v.dump());
    }
    if (!answer.value("ok", false)) {
      fmt::print(stderr, "jettison-ctl: error: {}\n",
                 answer.value("error", std::string("(no reason given)")));
      return 1;
    }
    return 0;
  });
}
