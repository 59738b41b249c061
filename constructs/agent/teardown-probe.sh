#!/bin/sh
# shellcheck shell=sh source-path=SCRIPTDIR source=lib.sh disable=SC2154
. "${0%/*}/lib.sh"

# The teardown's readiness probe: ready once nothing of the agent is left on the node. Each call is
# bounded by probe_limit seconds (from the preamble).

# Each call gets a second less than the whole, so that a hanging call is named, not just the deadline.
ip_limit=$((probe_limit > 1 ? probe_limit - 1 : 1))
save_limit=$ip_limit
find_timeout
find_layout
checks() {
  left=$(routes proto "$proto") || { echo "not ready: could not list the routes: $failure"; return 1; }
  [ -z "$left" ] || { echo "not ready: routes with protocol $proto remain"; return 1; }
  case $layout in
    none) echo "not ready: no iptables-save in the image"; return 1 ;;
    plain) backends=legacy ;;
    *) if [ "$iptables_setting" = auto ]; then backends="legacy nft"; else backends=$iptables_setting; fi ;;
  esac
  for b in $backends; do
    snapshot "$b" || { echo "not ready: $failure"; return 1; }
    ! mine || { echo "not ready: chains of route-config remain in $(tool "$b")"; return 1; }
  done
}

within "$probe_limit" checks
