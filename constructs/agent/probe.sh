#!/bin/sh
# shellcheck shell=sh source-path=SCRIPTDIR source=lib.sh disable=SC2154
. "${0%/*}/lib.sh"
# shellcheck source=desired.sh
. "${0%/*}/desired.sh"

# The agent's readiness probe: ready only when the kernel sends traffic for every other cluster out
# of the weave bridge with the node's weave address (ip route get, so a foreign blackhole or a more
# specific route counts) and the firewall rules and their jumps are in place. Prints why not.
# Kubernetes 1.18 does not enforce timeoutSeconds on exec probes: the probe bounds itself, every call
# and the whole, to probe_limit seconds (from the preamble), and then says what did not answer.

checks() {
  weave_ip || { echo "not ready: $failure"; return 1; }
  [ -n "$src" ] || { echo "not ready: the weave bridge has no IPv4 address"; return 1; }
  for address in $probes; do
    got=$(bounded $ip_limit ip -4 route get "$address" 2>&1)
    status=$?
    case $status in
      124 | 126 | 127 | 137 | 143) echo "not ready: ip route get $address $(meaning ip $status $ip_limit)"; return 1 ;;
    esac
    got=$(echo "$got" | head -n 1)
    echo "$got" | awk -v src="$src" '{ exit !($2 == "dev" && $3 == "weave" && $4 == "src" && $5 == src) }' ||
      { echo "not ready: ip route get $address gives '$got', not dev weave src $src"; return 1; }
  done
  choose_backend
  [ -n "$backend" ] || { echo "not ready: $failure"; return 1; }
  forward_table
  [ -z "$problem" ] || { echo "not ready: $(tool "$backend") filter $forward_chain $problem"; return 1; }
  nat_table
  [ -z "$problem" ] || { echo "not ready: $(tool "$backend") nat $nat_chain $problem"; return 1; }
  output_table
  [ -z "$problem" ] || { echo "not ready: $(tool "$backend") filter $output_chain $problem"; return 1; }
}

# Each call gets a second less than the whole, so that a hanging call is named, not just the deadline.
ip_limit=$((probe_limit > 1 ? probe_limit - 1 : 1))
save_limit=$ip_limit
find_timeout
find_layout
# links_note: what the agent last saw of Weave's links, for the message of a probe that fails. Only a
# note: readiness is about this node's datapath, so that an outage elsewhere never stalls a rollout.
links_note() {
  [ -r "$status_dir/links" ] || return 0
  awk -F '\t' '
    $1 == "weave" && $2 != "ok" { weave = $2 }
    $1 == "link" { n++; if ($8 == "up") up++ }
    END {
      if (weave != "") print " (Weave: " weave "; readiness does not wait for Weave; weave-mesh status shows every link)"
      else if (n) print " (Weave links: " up + 0 " of " n " other clusters fully connected; readiness does not wait for them; weave-mesh status shows every link)"
    }' "$status_dir/links" 2>/dev/null
}

answer=$(within "$probe_limit" checks)
ready=$?
[ $ready = 0 ] || answer="$answer$(links_note)"
[ -z "$answer" ] || echo "$answer"
[ $ready = 0 ]
