#!/bin/sh
# shellcheck shell=sh source-path=SCRIPTDIR source=lib.sh
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
within "$probe_limit" checks
