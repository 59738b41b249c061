#!/bin/sh
# shellcheck shell=sh disable=SC2154,SC2034
# What the route agent, its probe and the teardown share. Rendered after the generated preamble
# (proto, interval, iptables_setting and, for the agent, the desired state) and before each program.
# POSIX sh as BusyBox ash runs it, with BusyBox awk/grep/timeout, iproute2 ip and the iptables tools
# of the weave-kube image: 1.8 with iptables-legacy*/iptables-nft* (amd64), or 1.6 with only
# iptables, iptables-save and iptables-restore (arm, arm64, ppc64le: legacy).
# The parameters come from the generated preamble:
# shellcheck disable=SC2154

comment=weave-mesh/route-config
# The agent's chains: pods of this cluster may leave for the others (filter), unmasqueraded (nat),
# and the node sends no ICMP redirect that would teach a pod a path around its routes (filter OUTPUT).
forward_chain=WMESH-FORWARD
nat_chain=WMESH-POSTROUTING
output_chain=WMESH-OUTPUT

log() { echo "route-config: $*"; }

# The agent's status file (Weave's links per remote cluster, constructs/agent/links.sh): an emptyDir
# of the DaemonSet, read by `weave-mesh status` through kubectl exec, and by the probe for its message.
status_dir=${WEAVE_MESH_STATUS_DIR:-/run/weave-mesh}

# fault KEY TEXT: logs TEXT when the trouble named KEY starts or changes, not every round.
fault() {
  eval "was=\${fault_$1:-}"
  [ "$was" = "$2" ] || log "$2"
  eval "fault_$1=\$2"
}
# cleared KEY TEXT: logs TEXT once when the trouble named KEY ends.
cleared() {
  eval "was=\${fault_$1:-}"
  [ -z "$was" ] || log "$2"
  eval "fault_$1="
}

# Every external call is bounded: BusyBox 1.30+ (amd64) and coreutils take `timeout SECS PROG`,
# BusyBox before 1.30 (Alpine 3.8's 1.28 on arm, arm64, ppc64le) `timeout -t SECS PROG`.
find_timeout() {
  if timeout 5 true >/dev/null 2>&1; then timeout_style=plain
  elif timeout -t 5 true >/dev/null 2>&1; then timeout_style=dash-t
  else timeout_style=none
  fi
}
# bounded SECONDS COMMAND...: runs COMMAND, terminated after SECONDS.
bounded() {
  limit=$1
  shift
  case $timeout_style in
    plain) timeout "$limit" "$@" ;;
    dash-t) timeout -t "$limit" "$@" ;;
    *) "$@" ;;
  esac
}

# descendants PID: the processes PID started, and theirs, from /proc (BusyBox 1.28 has no pkill -P).
# /proc/N/stat is "N (command) state ppid ...": the command may hold spaces, so cut it off first.
descendants() {
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v parent="$1" '{ pid = $1; sub(/^.*\) /, ""); if ($2 == parent) print pid }' |
    while read -r child; do
      echo "$child"
      descendants "$child"
    done
}

# A program runs its loop in the background (body) and waits for it: a shell runs its trap only after
# the command in the foreground returns, but at once when it waits in `wait`. So SIGTERM stops the
# loop and every process it started, a hanging iptables-restore included, within the pod's
# terminationGracePeriodSeconds. stop_body lists the processes before it stops the loop, so that none
# is orphaned unseen.
# alive: whether the program's first shell ($$, also in the loop's subshell) still runs. SIGKILL
# cannot be trapped: in a pod it ends every process of the container, elsewhere the loop sees it here.
alive() { [ -r "/proc/$$/stat" ] && awk '{ sub(/^.*\) /, ""); exit ($1 == "Z") }' "/proc/$$/stat" 2>/dev/null; }
stop_body() {
  # (set before the loop starts, whose subshell resets it: a signal may come before the loop runs)
  [ -n "$body" ] || return 0
  below=$(descendants "$body")
  # shellcheck disable=SC2086 # one word per process
  kill -TERM "$body" $below 2>/dev/null
}

# meaning TOOL STATUS SECONDS: what an exit status of TOOL says.
meaning() {
  case $2 in
    124 | 143) echo "timed out after $3 s (exit $2)"; return ;;
    137) echo "was killed (exit 137: SIGKILL, out of memory?)"; return ;;
    126) echo "cannot be run (exit 126)"; return ;;
    127) echo "is not in the image (exit 127)"; return ;;
  esac
  case $1 in
    iptables*-save) echo "could not read the tables (exit $2: no permission, or the kernel refused)" ;;
    # iptables-restore 1.6.2 and 1.8.3 exit 2 when they cannot initialise a table or load a match
    # (under a lasting nf_tables refusal 1.8.3 alternates between this and hanging).
    iptables*-restore)
      case $2 in
        1) echo "failed (exit 1: no such chain or rule, or the kernel refused the change)" ;;
        2) echo "could not load a table or match (exit 2: kernel module missing, no permission to load it, or the kernel refused nf_tables)" ;;
        4) echo "hit a resource problem (exit 4: the xtables lock is held, or the kernel is out of memory)" ;;
        *) echo "failed (exit $2)" ;;
      esac ;;
    iptables*)
      case $2 in
        1) echo "failed (exit 1: no such chain or rule, or the kernel refused the change)" ;;
        2) echo "could not load a match or target, or was called wrongly (exit 2)" ;;
        3) echo "could not initialise the table (exit 3: kernel module missing, or no permission to load it)" ;;
        4) echo "hit a resource problem (exit 4: the xtables lock is held, or the kernel is out of memory)" ;;
        *) echo "failed (exit $2)" ;;
      esac ;;
    ip)
      case $2 in
        2) echo "was refused by the kernel (exit 2)" ;;
        *) echo "failed (exit $2)" ;;
      esac ;;
    *) echo "failed (exit $2)" ;;
  esac
}

# within SECONDS COMMAND...: runs the shell function COMMAND, stopped after SECONDS in all: what a
# probe needs, since Kubernetes 1.18 does not enforce an exec probe's timeoutSeconds. The watchdog's
# output goes nowhere, so an orphaned sleep never holds the probe's output open.
within() {
  limit_all=$1
  shift
  "$@" &
  body=$!
  (
    sleep "$limit_all" &
    nap=$!
    trap 'kill "$nap"; exit 0' TERM
    wait "$nap"
    kill -TERM "$body"
  ) >/dev/null 2>&1 &
  watchdog=$!
  # (the shell's "Terminated" notice for a stopped body is not the probe's answer)
  wait "$body" 2>/dev/null
  status=$?
  kill "$watchdog" 2>/dev/null
  case $status in
    0 | 1) return $status ;;
    *) echo "not ready: the checks did not finish within $limit_all s (exit $status)"; return 1 ;;
  esac
}

ip_limit=5
save_limit=10
restore_limit=15

# weave_ip: sets src to the weave bridge's IPv4 address (empty when the bridge is missing or has
# none) and returns 0, or sets failure and returns 1 when ip itself failed.
weave_ip() {
  failure=
  src=$(bounded $ip_limit ip -o -4 addr show dev weave 2>/dev/null)
  status=$?
  case $status in
    0) src=$(echo "$src" | awk '{ split($4, a, "/"); print a[1]; exit }') ;;
    1) src= ;; # Device "weave" does not exist.
    *) failure="ip addr show dev weave $(meaning ip $status $ip_limit)"; return 1 ;;
  esac
}

# routes ARGS: routes of the main table, one a line: type, destination, device, source, metric.
# Sets failure and returns 1 when ip cannot list them.
routes() {
  failure=
  listed=$(bounded $ip_limit ip -4 route show table main "$@" 2>/dev/null)
  status=$?
  [ $status = 0 ] || { failure="ip route show $* $(meaning ip $status $ip_limit)"; return 1; }
  [ -n "$listed" ] || return 0
  echo "$listed" | awk '{
    type = "unicast"; i = 1
    if ($1 ~ /^(blackhole|unreachable|prohibit|throw|local|broadcast|multicast|nat|anycast)$/) { type = $1; i = 2 }
    dev = "-"; src = "-"; metric = 0
    for (j = i + 1; j < NF; j++) {
      if ($j == "dev") dev = $(j + 1)
      else if ($j == "src") src = $(j + 1)
      else if ($j == "metric") metric = $(j + 1)
    }
    print type, $i, dev, src, metric
  }'
}

# find_layout: which iptables tools the image has. suffixed: iptables 1.8 (iptables-legacy* and
# iptables-nft*); plain: iptables 1.6 (only iptables, iptables-save, iptables-restore: legacy).
find_layout() {
  if command -v iptables-legacy-save >/dev/null 2>&1 && command -v iptables-nft-save >/dev/null 2>&1; then layout=suffixed
  elif command -v iptables-save >/dev/null 2>&1; then layout=plain
  else layout=none
  fi
}
# tool BACKEND [-save|-restore]: the name of that iptables tool in this image.
tool() {
  if [ "$layout" = plain ]; then echo "iptables$2"; else echo "iptables-$1$2"; fi
}

# snapshot BACKEND: reads that iptables with its save tool, which lists only the tables that exist
# (unlike iptables -t TABLE, it never makes the kernel create a table). Sets snap to a summary:
# "rules N" (lines starting with -, as Weave's launch.sh counts them), "TABLE :CHAIN" for Weave's
# nat chain and the agent's chains, and "TABLE -A ..." for the rules of the chains the agent checks.
# Returns 1 with failure set when the tool failed.
snapshot() {
  failure=
  save=$(tool "$1" -save)
  snap=$( { bounded $save_limit "$save" 2>/dev/null; echo "#exit $?"; } | awk '
    /^\*/ { table = substr($0, 2); t++; next }
    /^#exit / { status = $2; next }
    /^-/ { n++ }
    /^:/ { name = substr($1, 2); if (name ~ /^(WEAVE|WMESH-FORWARD|WMESH-POSTROUTING|WMESH-OUTPUT)$/) print table, ":" name; next }
    $1 == "-A" && $2 ~ /^(FORWARD|POSTROUTING|OUTPUT|WMESH-FORWARD|WMESH-POSTROUTING|WMESH-OUTPUT)$/ { print table, $0 }
    END { print "tables", t + 0; print "rules", n + 0; print "exit", status }')
  status=${snap##*exit }
  [ "$status" = 0 ] || { failure="$save $(meaning "$save" "$status" $save_limit)"; return 1; }
}
# has_chain TABLE CHAIN: whether the last snapshot shows that chain.
has_chain() { echo "$snap" | grep -qx "$1 :$2"; }
# mine: whether the last snapshot shows any of the agent's chains.
mine() { echo "$snap" | grep -q " :WMESH-"; }
rule_count() { echo "$snap" | awk '$1 == "rules" { print $2 }'; }
# table_count: how many tables the last snapshot listed. iptables-nft-save 1.8.3 exits 0 and prints
# nothing when the kernel refuses nf_tables, so no table at all is "could not read", never "no rules".
table_count() { echo "$snap" | awk '$1 == "tables" { print $2 }'; }

# remove_firewall BACKEND: deletes the agent's jumps and chains from that iptables (as found by the
# last snapshot of it), and no other rule. Sets failure to what could not be removed.
remove_firewall() {
  ipt=$(tool "$1")
  failure=
  for spec in "filter FORWARD $forward_chain" "nat POSTROUTING $nat_chain" "filter OUTPUT $output_chain"; do
    # shellcheck disable=SC2086 # splits the spec into its three words
    set -- $spec
    jumps=$(echo "$snap" | grep -cx "$1 -A $2 -m comment --comment \"\\{0,1\\}$comment\"\\{0,1\\} -j $3")
    has_chain "$1" "$3" || [ "$jumps" != 0 ] || continue
    n=0
    while [ $n -lt "$jumps" ]; do
      bounded $restore_limit "$ipt" -w 5 -t "$1" -D "$2" -m comment --comment "$comment" -j "$3" 2>/dev/null || break
      n=$((n + 1))
    done
    if ! has_chain "$1" "$3"; then
      log "removed the jump to $3 from $2 ($ipt)"
      continue
    fi
    out=$(bounded $restore_limit "$ipt" -w 5 -t "$1" -F "$3" 2>&1 && bounded $restore_limit "$ipt" -w 5 -t "$1" -X "$3" 2>&1)
    status=$?
    if [ $status = 0 ]; then
      log "removed chain $3 and its jump from $2 ($ipt)"
    else
      failure="${failure:+$failure; }$ipt -t $1 -X $3 $(meaning "$ipt" $status $restore_limit)${out:+: $out}"
    fi
  done
  [ -z "$failure" ]
}
