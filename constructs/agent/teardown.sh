#!/bin/sh
# shellcheck shell=sh source-path=SCRIPTDIR source=lib.sh disable=SC2154
. "${0%/*}/lib.sh"

# The teardown: removes every route and firewall rule the agent added on the node (its route
# protocol, its chains and their jumps) and nothing else, retrying every interval until the node is
# clean; then idles. Its last line says what is true: done, or what is left and why.

# remove_routes: deletes every route with the agent's protocol, and no other. Sets failure.
remove_routes() {
  owned=$(routes proto "$proto") || return 1
  failure=
  while read -r _type dst dev _src metric; do
    [ -n "$dst" ] || continue
    if out=$(bounded $ip_limit ip route del "$dst" proto "$proto" metric "$metric" table main 2>&1); then
      log "removed route $dst dev $dev (teardown)"
    else
      status=$?
      failure="${failure:+$failure; }ip route del $dst $(meaning ip $status $ip_limit)${out:+: $out}"
    fi
  done <<ROUTES
$owned
ROUTES
  [ -z "$failure" ]
}

# backends: the iptables the agent may have written to, in this image.
backends() {
  case $layout in
    plain) echo legacy ;;
    suffixed) if [ "$iptables_setting" = auto ]; then echo legacy nft; else echo "$iptables_setting"; fi ;;
  esac
}

# clean_once: one attempt; sets left to what remains and why (empty when the node is clean).
clean_once() {
  left=
  remove_routes || left="routes with protocol $proto ($failure)"
  [ "$layout" != none ] || left="${left:+$left; }the agent's chains, maybe: no iptables-save in the image"
  for b in $(backends); do
    # The save tool lists only tables that exist: a backend the node does not use stays untouched.
    if ! snapshot "$b"; then
      left="${left:+$left; }the agent's chains in $(tool "$b"), maybe ($failure)"
      continue
    fi
    mine || continue
    remove_firewall "$b" || left="${left:+$left; }the agent's chains in $(tool "$b") ($failure)"
  done
}

teardown_loop() {
  log "teardown: removing the routes with protocol $proto and the firewall rules route-config added"
  while alive; do
    clean_once
    if [ -z "$left" ]; then
      log "teardown done: nothing of route-config is left on this node"
      break
    fi
    fault left "teardown not finished: left on this node: $left; retrying every $interval s"
    sleep "$interval"
  done
  while alive; do sleep "$interval"; done
}

find_timeout
find_layout
# In the background (see stop_body): SIGTERM stops it at once, even while a call hangs.
body=
trap 'trap "" TERM INT; stop_body; exit 0' TERM INT
teardown_loop &
body=$!
wait "$body"
ended=$?
log "teardown stopped: its loop ended (exit $ended)"
# (the exit status of the program: the loop never ends by itself)
[ "$ended" = 0 ]
