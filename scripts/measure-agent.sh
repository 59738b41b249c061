#!/usr/bin/env bash
# Measures the route agent's programs on a node with many iptables rules (root only; not part of npm
# test): CPU seconds and peak memory of one agent round, one probe and one teardown, in a network
# namespace holding Weave-like rules plus N filler rules, with iptables-legacy and with iptables-nft.
# Usage: scripts/measure-agent.sh [RULES]   (default 40000). Uses lib/ (npm run build:lib).
set -euo pipefail
cd "$(dirname "$0")/.."
rules=${1:-40000}
[ -f lib/constructs/route-agent-script.js ] || npm run build:lib >/dev/null
work=$(mktemp -d)
trap 'ip netns del wmmeasure 2>/dev/null || true; rm -rf "$work"' EXIT
node -e "
const m = require('./lib/constructs/route-agent-script.js');
const o = { localSubnet: '10.33.0.0/16', routedSubnets: ['10.34.0.0/16', '10.35.0.0/16'], intervalSeconds: 10, routeProtocol: 87, iptablesBackend: 'auto' };
const fs = require('fs');
fs.writeFileSync('$work/agent.sh', m.routeAgentScript(o));
fs.writeFileSync('$work/probe.sh', m.routeAgentProbeScript(o));
fs.writeFileSync('$work/teardown.sh', m.routeAgentTeardownScript(o));
"
# BusyBox applets first, as in the image, then the machine's iproute2 and iptables.
bb=$work/bb; mkdir "$bb"
for applet in $(busybox --list); do [ "$applet" = ip ] || ln -s "$(command -v busybox)" "$bb/$applet"; done
PATH_IMAGE="$bb:/usr/sbin:/usr/bin:/sbin:/bin"

# measure NAME SECONDS PROGRAM: runs PROGRAM in the namespace (stopped after SECONDS with SIGTERM), prints user+sys CPU and peak RSS of all its processes.
measure() {
  python3 - "$1" "$2" "$3" "$PATH_IMAGE" <<'PY'
import resource, subprocess, sys, time, signal
name, seconds, program, path = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
start = time.time()
p = subprocess.Popen(['ip', 'netns', 'exec', 'wmmeasure', 'env', 'PATH=' + path, 'sh', program], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
try:
    out, _ = p.communicate(timeout=seconds)
except subprocess.TimeoutExpired:
    p.send_signal(signal.SIGTERM)
    out, _ = p.communicate()
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{name}: {u.ru_utime + u.ru_stime:.2f} s CPU, peak RSS of one process {u.ru_maxrss / 1024:.0f} MiB, {time.time() - start:.1f} s wall; last line: {out.strip().splitlines()[-1] if out.strip() else ''}")
PY
}

for backend in legacy nft; do
  ip netns del wmmeasure 2>/dev/null || true
  ip netns add wmmeasure
  ip netns exec wmmeasure sh -c 'ip link add weave type bridge && ip link set weave up && ip addr add 10.33.0.1/16 dev weave'
  {
    echo '*nat'; echo ':WEAVE - [0:0]'; echo '-A POSTROUTING -j WEAVE'; echo '-A WEAVE -s 10.33.0.0/16 ! -d 10.33.0.0/16 -j MASQUERADE'; echo COMMIT
    echo '*filter'; echo ':WEAVE-NPC-EGRESS - [0:0]'; echo ':FILLER - [0:0]'
    echo '-A FORWARD -i weave -j WEAVE-NPC-EGRESS'; echo '-A FORWARD -o weave -j DROP'
    awk -v n="$rules" 'BEGIN { for (i = 0; i < n; i++) printf "-A FILLER -s 10.%d.%d.%d/32 -p tcp --dport %d -j ACCEPT\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256, 1000 + i % 50000 }'
    echo COMMIT
  } > "$work/rules"
  ip netns exec wmmeasure "iptables-$backend-restore" < "$work/rules"
  echo "== iptables-$backend, $(ip netns exec wmmeasure "iptables-$backend-save" | grep -c '^-') rules"
  echo "iptables-$backend-save >/dev/null" > "$work/save.sh"
  measure "iptables-$backend-save alone" 60 "$work/save.sh"
  # The first round (routes and three chains written), then stopped during its sleep.
  measure "agent, first round" 8 "$work/agent.sh"
  measure "agent, a round with all in place" 8 "$work/agent.sh"
  measure "probe" 30 "$work/probe.sh"
  measure "teardown" 8 "$work/teardown.sh"
done
