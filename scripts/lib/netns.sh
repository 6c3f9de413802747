# shellcheck shell=bash
# Sourced by the emulator's scripts: two network namespaces joined by a veth pair, the "desktop" side
# and the "server" side, each with loopback up and one /30 address; magic packets stay inside them.
# Removing them is the caller's cleanup (ip netns del), which also removes the veth pair.
#
#   jettison_netns_pair NS_D NS_S IF_D IF_S
# creates them and sets addr_d, addr_s (the two addresses) and mac_d (the desktop side's MAC).
# Returns non-zero when a step fails.
jettison_netns_pair() {
  local ns_d="$1" ns_s="$2" if_d="$3" if_s="$4"
  local net="10.$((200 + $$ % 50)).$(($$ / 50 % 250))"
  addr_d="$net.1"
  addr_s="$net.2"
  ip netns add "$ns_d" || return 1
  ip netns add "$ns_s" || return 1
  ip link add "$if_d" netns "$ns_d" type veth peer name "$if_s" netns "$ns_s" || return 1
  ip -n "$ns_d" addr add "$addr_d/30" broadcast + dev "$if_d" || return 1
  ip -n "$ns_s" addr add "$addr_s/30" broadcast + dev "$if_s" || return 1
  ip -n "$ns_d" link set lo up && ip -n "$ns_s" link set lo up || return 1
  ip -n "$ns_d" link set "$if_d" up && ip -n "$ns_s" link set "$if_s" up || return 1
  mac_d="$(ip -n "$ns_d" -o link show "$if_d" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')"
  [[ -n $mac_d ]]
}
