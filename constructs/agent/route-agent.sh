#!/bin/sh
# shellcheck shell=sh source-path=SCRIPTDIR source=lib.sh disable=SC2154
. "${0%/*}/lib.sh"
# shellcheck source=desired.sh
. "${0%/*}/desired.sh"
# shellcheck source=links.sh
. "${0%/*}/links.sh"

# The route agent: every interval, makes the node's own routes and firewall rules equal to the
# desired set (add missing, fix wrong, delete unknown). On SIGTERM it exits and leaves everything
# in place, so a rollout never interrupts traffic: the next agent adopts what it finds.
# Never silent: each trouble is logged when it starts and when it ends.

# apply_table TABLE PARENT CHAIN RULES: one atomic iptables-restore that refills the chain and puts
# its one jump at $want. Sets failure when it did not work.
apply_table() {
  failure=
  restore=$(tool "$backend" -restore)
  out=$( {
    echo "*$1"
    echo ":$3 - [0:0]"
    [ -z "$4" ] || echo "$4"
    n=0
    while [ $n -lt "$copies" ]; do echo "-D $2 -m comment --comment \"$comment\" -j $3"; n=$((n + 1)); done
    echo "-I $2 $want -m comment --comment \"$comment\" -j $3"
    echo COMMIT
  } | bounded $restore_limit "$restore" -w 5 --noflush 2>&1)
  status=$?
  [ $status = 0 ] || failure="$restore $(meaning "$restore" $status $restore_limit)${out:+: $(echo "$out" | head -n 1)}"
  [ $status = 0 ]
}

# reconcile_chain KEY TABLE PARENT CHAIN RULES WHERE: checks one chain and sets it right.
reconcile_chain() {
  key=$1
  shift
  [ -n "$problem" ] || return 0
  if apply_table "$1" "$2" "$3" "$4"; then
    log "firewall: $1 $3 $problem; set it to the mesh's rules, its jump $5"
    cleared "$key" "firewall: $(tool "$backend" -restore) works again"
  else
    fault "$key" "firewall: $1 $3 $problem, and could not be set: $failure; retrying every $interval s"
  fi
}

reconcile_firewall() {
  choose_backend
  if [ -z "$backend" ]; then
    fault backend "firewall: $failure; rules unchanged until it can be read"
    return
  fi
  cleared backend "firewall: iptables can be read again"
  if [ "$backend" != "$last_backend" ]; then
    log "using $(tool "$backend"): $why"
    last_backend=$backend
    if [ "$layout" = suffixed ] && [ "$iptables_setting" = auto ]; then
      [ "$backend" = legacy ] && other=nft || other=legacy
      # Only when the other iptables shows the agent's chains: reading it never creates a table.
      chosen=$snap
      if ! snapshot "$other"; then
        log "firewall: could not check $(tool "$other") for chains an earlier agent left: $failure"
      elif mine; then
        remove_firewall "$other" || fault other "firewall: could not remove the agent's rules from $(tool "$other"): $failure"
      fi
      snap=$chosen
    fi
  fi
  forward_table
  reconcile_chain apply_forward filter FORWARD "$forward_chain" "$forward_rules" "right after Weave's WEAVE-NPC-EGRESS rule at position $want of FORWARD"
  nat_table
  reconcile_chain apply_nat nat POSTROUTING "$nat_chain" "$nat_rules" "ahead of Weave's WEAVE chain in POSTROUTING"
  output_table
  reconcile_chain apply_output filter OUTPUT "$output_chain" "$output_rules" "first in OUTPUT: no ICMP redirects out of weave"
}

# route_key CIDR: a name for the troubles of one route.
route_key() { echo "route_$1" | sed 's/[^A-Za-z0-9_]/_/g'; }

reconcile_routes() {
  if ! weave_ip; then
    fault weave "$failure; routes unchanged until it answers"
    return
  fi
  cleared weave "ip answers again"
  if [ -z "$src" ]; then
    [ "$bridge" = missing ] || log "weave interface missing or without IPv4 address; waiting"
    bridge=missing
    return
  fi
  [ "$bridge" = missing ] && log "weave interface has address $src again"
  bridge=up
  if ! own=$(routes proto "$proto"); then
    fault routes "could not list the routes: $failure; routes unchanged until it answers"
    return
  fi
  cleared routes "routes can be listed again"
  shadowed=
  for cidr in $desired; do
    key=$(route_key "$cidr")
    mine=$(echo "$own" | awk -v cidr="$cidr" '$2 == cidr && $5 == 0')
    if [ "$mine" = "unicast $cidr weave $src 0" ]; then
      cleared "$key" "route $cidr dev weave src $src is in place again"
      continue
    fi
    if [ -z "$mine" ]; then
      # Routes have one slot per destination and metric: is the agent's held by a route of someone else?
      if ! slot=$(routes exact "$cidr"); then
        fault "$key" "could not list the route to $cidr: $failure"
        continue
      fi
      # shellcheck disable=SC2046 # splits the route's fields into $1..$5
      set -- $(echo "$slot" | awk '$5 == 0')
      if [ -n "${1:-}" ] && [ "$1 $3" != "unicast weave" ]; then
        shadowed="$shadowed $cidr"
        case " $reported " in *" $cidr "*) ;; *) log "not touching the $1 route to $cidr that route-config did not add: traffic to $cidr fails until it is removed" ;; esac
        continue
      fi
      if [ -n "${1:-}" ]; then
        done_text="adopted route $cidr dev weave src $4 that another tool added (such as the hand-applied route-config DaemonSet of the Pharos documentation): it now has src $src and protocol $proto"
      else
        done_text="added route $cidr dev weave src $src"
      fi
    else
      # shellcheck disable=SC2086 # splits the route's fields into $1..$5
      set -- $mine
      done_text="replaced route $cidr dev $3 src $4 with dev weave src $src"
    fi
    if out=$(bounded $ip_limit ip route replace "$cidr" dev weave src "$src" proto "$proto" table main 2>&1); then
      log "$done_text"
      eval "fault_$key="
    else
      status=$?
      fault "$key" "could not set route $cidr dev weave src $src: ip route replace $(meaning ip $status $ip_limit)${out:+: $out}; retrying every $interval s"
    fi
  done
  reported=$shadowed
  while read -r _type dst dev _src metric; do
    [ -n "$dst" ] || continue
    case " $desired " in
      *" $dst "*) [ "$metric" = 0 ] && continue; why="superseded by the route with metric 0" ;;
      *) why="no longer in the mesh" ;;
    esac
    key=$(route_key "$dst-$metric")
    if out=$(bounded $ip_limit ip route del "$dst" proto "$proto" metric "$metric" table main 2>&1); then
      log "removed route $dst dev $dev metric $metric ($why)"
      eval "fault_$key="
    else
      status=$?
      fault "$key" "could not remove route $dst dev $dev metric $metric ($why): ip route del $(meaning ip $status $ip_limit)${out:+: $out}; retrying every $interval s"
    fi
  done <<ROUTES
$own
ROUTES
}

# The loop runs in the background (see stop_body): SIGTERM is acted on at once, even while an ip or
# iptables call hangs; the call is stopped, and nothing is left half-written (iptables-restore
# applies a table atomically or not at all).
agent_loop() {
  bridge=unknown
  last_backend=
  reported=
  while alive; do
    reconcile_routes
    reconcile_firewall
    report_links
    sleep "$interval"
  done
}

find_timeout
[ "$timeout_style" != none ] || log "no timeout tool in the image: a hanging ip or iptables would stop the agent"
find_layout
body=
trap 'trap "" TERM INT; stop_body; log "stopping; routes and firewall rules stay in place for the next route-config pod"; exit 0' TERM INT
agent_loop &
body=$!
wait "$body"
ended=$?
log "stopped: the agent's loop ended (exit $ended)"
# (the exit status of the program: the loop never ends by itself)
[ "$ended" = 0 ]
