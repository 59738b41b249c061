/**
 * The route agent's shell program, rendered in full into the DaemonSet so a reviewer sees exactly
 * what runs on every node. Plain POSIX sh using only BusyBox applets (`ip`, `awk`, `sleep`), as in
 * the alpine image.
 *
 * BusyBox `ip route show` ignores a `proto` filter and never prints the protocol, so the agent marks
 * its routes twice: with its route protocol (which the kernel checks on delete, so the agent can
 * never delete a route it did not add) and with the same number as metric (which both BusyBox and
 * iproute2 print, so the agent can list its own routes).
 */
export interface RouteAgentScriptOptions {
  /** Canonical IPv4 CIDRs to route over the `weave` bridge. Validated before they get here. */
  readonly routedSubnets: readonly string[];
  /** Seconds between two reconciliations. */
  readonly intervalSeconds: number;
  /** Route protocol number, also used as metric, marking the agent's own routes. */
  readonly routeMark: number;
}

const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

/** Shell definitions shared by the agent loop and its readiness probe. */
function definitions(options: RouteAgentScriptOptions): string {
  for (const subnet of options.routedSubnets) {
    // Defence in depth: only a re-serialised CIDR may ever reach the node's shell.
    if (!CIDR.test(subnet)) throw new Error(`route agent: refusing to render ${JSON.stringify(subnet)} into a shell script: not an IPv4 CIDR`);
  }
  if (!Number.isInteger(options.intervalSeconds) || options.intervalSeconds < 1 || options.intervalSeconds > 3600) {
    throw new Error(`route agent: intervalSeconds must be a whole number of seconds from 1 to 3600, not ${options.intervalSeconds}`);
  }
  if (!Number.isInteger(options.routeMark) || options.routeMark < 5 || options.routeMark > 254) {
    throw new Error(`route agent: routeMark must be a route protocol number from 5 to 254 (0-4 belong to the kernel), not ${options.routeMark}`);
  }
  return `desired="${options.routedSubnets.join(' ')}"
mark=${options.routeMark}
weave_ip() {
  ip -o -4 addr show dev weave 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }'
}
owned_routes() {
  ip -4 route show dev weave 2>/dev/null | awk -v mark="$mark" '{
    own = 0; src = "-"
    for (i = 2; i < NF; i++) {
      if ($i == "metric" && $(i + 1) == mark) own = 1
      if ($i == "src") src = $(i + 1)
    }
    if (own) print $1, src
  }'
}`;
}

/** The agent: reconciles the node's marked routes with the desired set every interval; on SIGTERM removes them and exits 0. */
export function routeAgentScript(options: RouteAgentScriptOptions): string {
  return `${definitions(options)}
interval=${options.intervalSeconds}
log() { echo "route-config: $*"; }
drop_route() {
  ip route del "$1" dev weave proto "$mark" metric "$mark" 2>/dev/null && log "removed route $1 dev weave ($2)"
}
reconcile() {
  src=$(weave_ip)
  if [ -z "$src" ]; then
    [ "$weave" = missing ] || log "weave interface missing or without IPv4 address; waiting"
    weave=missing
    return
  fi
  [ "$weave" = missing ] && log "weave interface has address $src again"
  weave=up
  owned=$(owned_routes)
  for cidr in $desired; do
    current=$(echo "$owned" | awk -v cidr="$cidr" '$1 == cidr { print $2; exit }')
    [ "$current" = "$src" ] && continue
    if ip route replace "$cidr" dev weave src "$src" proto "$mark" metric "$mark"; then
      if [ -z "$current" ]; then
        log "added route $cidr dev weave src $src"
      else
        log "replaced route $cidr dev weave src $current with src $src"
      fi
    fi
  done
  echo "$owned" | while read -r cidr _; do
    case " $desired " in *" $cidr "*) continue ;; esac
    [ -n "$cidr" ] && drop_route "$cidr" "no longer in the mesh"
  done
}
shutdown() {
  [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
  owned_routes | while read -r cidr _; do drop_route "$cidr" "shutting down"; done
  exit 0
}
trap shutdown TERM INT
weave=unknown
sleeper=
while true; do
  reconcile
  sleep "$interval" &
  sleeper=$!
  wait "$sleeper"
  sleeper=
done
`;
}

/** The readiness probe: ready only when every desired route is present with the node's current weave address. */
export function routeAgentProbeScript(options: RouteAgentScriptOptions): string {
  return `${definitions(options)}
src=$(weave_ip)
[ -n "$src" ] || exit 1
owned=$(owned_routes)
for cidr in $desired; do
  echo "$owned" | grep -qx "$cidr $src" || exit 1
done
`;
}
