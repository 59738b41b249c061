import { IPv4CidrRange } from 'ip-num';
import { memoize } from '../src/util/memoize';

/**
 * The route agent's shell programs, rendered in full into the DaemonSet so a reviewer sees exactly
 * what runs on every node: the agent loop, its readiness probe and the teardown. POSIX sh with
 * BusyBox `awk`, `grep`, `head` and `sleep`, iproute2 `ip` and the iptables tools, as in the
 * `weave-kube` image that Weave itself runs from.
 *
 * What the agent owns, and nothing else:
 * - routes in the main table with its route protocol (`ip route show proto N` lists exactly those);
 * - the chains WMESH-FORWARD (filter) and WMESH-POSTROUTING (nat), and one jump to each, marked
 *   with the comment `weave-mesh/route-config`.
 */
export interface RouteAgentScriptOptions {
  /** The cluster's own `ipalloc_default_subnet`: source of the pod traffic the firewall rules let out. */
  readonly localSubnet: string;
  /** Canonical IPv4 CIDRs of the other clusters, routed over the `weave` bridge. Validated before they get here. */
  readonly routedSubnets: readonly string[];
  /** Seconds between two reconciliations. */
  readonly intervalSeconds: number;
  /** Route protocol number that marks the agent's own routes. */
  readonly routeProtocol: number;
  /** `auto`: the iptables backend that holds Weave's rules; `legacy` or `nft` to force one. */
  readonly iptablesBackend: IptablesBackend;
}

/** Which iptables the agent writes to; it must be the one Weave uses on the node. */
export type IptablesBackend = 'auto' | 'legacy' | 'nft';

/** Options of the teardown program: it needs to know only what marks the agent's own state, and where to look. */
export type RouteAgentTeardownOptions = Pick<RouteAgentScriptOptions, 'intervalSeconds' | 'routeProtocol' | 'iptablesBackend'>;

/** The iptables backends a setting may have written to. */
function backendsOf(setting: IptablesBackend): string[] {
  return setting === 'auto' ? ['legacy', 'nft'] : [setting];
}

/** The filter chain that lets the cluster's pods reach other clusters' pods through Weave's FORWARD rules. */
export const FORWARD_CHAIN = 'WMESH-FORWARD';
/** The nat chain that keeps pod source addresses between clusters, ahead of Weave's masquerading. */
export const NAT_CHAIN = 'WMESH-POSTROUTING';
/** Marks the agent's jump rules. */
export const RULE_COMMENT = 'weave-mesh/route-config';

const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

/** The filter rule that lets pods of `local` out to `remote`, exactly as `iptables -S` prints it. */
function forwardRule(local: string, remote: string): string {
  return `-A ${FORWARD_CHAIN} -s ${local} -d ${remote} -i weave -o weave -j ACCEPT`;
}

/** The nat rules that keep pod addresses between `local` and `remote`, both ways, as `iptables -S` prints them. */
function natRulePair(local: string, remote: string): string[] {
  return [`-A ${NAT_CHAIN} -s ${local} -d ${remote} -o weave -j ACCEPT`, `-A ${NAT_CHAIN} -s ${remote} -d ${local} -o weave -j ACCEPT`];
}

/** The agent's filter rules for a mesh, as `iptables -S WMESH-FORWARD` prints them. */
export function forwardRules(options: Pick<RouteAgentScriptOptions, 'localSubnet' | 'routedSubnets'>): string[] {
  return options.routedSubnets.map((subnet) => forwardRule(options.localSubnet, subnet));
}

/** The agent's nat rules for a mesh, as `iptables -t nat -S WMESH-POSTROUTING` prints them: both directions, so neither end masquerades. */
export function natRules(options: Pick<RouteAgentScriptOptions, 'localSubnet' | 'routedSubnets'>): string[] {
  return options.routedSubnets.flatMap((subnet) => natRulePair(options.localSubnet, subnet));
}

/**
 * The address the readiness probe asks `ip route get` about in a subnet: its first host address.
 * Every cluster's agent probes every other cluster's subnet: each subnet's is computed once.
 */
export const probeAddress = memoize((subnet: string): string => IPv4CidrRange.fromCidr(subnet).getFirst().nextIPNumber().toString());

function checkCommon(options: RouteAgentTeardownOptions): void {
  if (!['auto', 'legacy', 'nft'].includes(options.iptablesBackend)) {
    throw new Error(`route agent: iptablesBackend must be auto, legacy or nft, not ${JSON.stringify(options.iptablesBackend)}`);
  }
  if (!Number.isInteger(options.intervalSeconds) || options.intervalSeconds < 1 || options.intervalSeconds > 3600) {
    throw new Error(`route agent: intervalSeconds must be a whole number of seconds from 1 to 3600, not ${options.intervalSeconds}`);
  }
  if (!Number.isInteger(options.routeProtocol) || options.routeProtocol < 5 || options.routeProtocol > 254 || [186, 187, 188, 189, 192].includes(options.routeProtocol)) {
    throw new Error(
      `route agent: routeProtocol must be a route protocol number from 5 to 254 that no routing daemon uses (0-4 belong to the kernel; 186-189 and 192 to BGP, IS-IS, OSPF, RIP and EIGRP), not ${options.routeProtocol}`,
    );
  }
}

function check(options: RouteAgentScriptOptions): void {
  for (const subnet of [options.localSubnet, ...options.routedSubnets]) {
    // Defence in depth: only a re-serialised CIDR may ever reach the node's shell.
    if (!CIDR.test(subnet)) throw new Error(`route agent: refusing to render ${JSON.stringify(subnet)} into a shell script: not an IPv4 CIDR`);
  }
  checkCommon(options);
}

/** Definitions every program shares: what the agent owns and how to read it back. */
function common(options: RouteAgentTeardownOptions): string {
  return `proto=${options.routeProtocol}
interval=${options.intervalSeconds}
comment=${RULE_COMMENT}
log() { echo "route-config: $*"; }
weave_ip() {
  ip -o -4 addr show dev weave 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }'
}
# Routes of the main table, one a line: type, destination, device, source, metric. Fails when ip cannot list them.
routes() {
  listed=$(ip -4 route show table main "$@" 2>/dev/null) || return 1
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
# remove_routes WHY: deletes every route with the agent's protocol, and no other.
remove_routes() {
  owned=$(routes proto "$proto") || { log "could not list routes; nothing removed"; return 1; }
  [ -n "$owned" ] && echo "$owned" | while read -r type dst dev src metric; do
    ip route del "$dst" proto "$proto" metric "$metric" table main && log "removed route $dst dev $dev ($1)"
  done
}
# remove_firewall BACKEND: deletes the agent's jumps and chains from that iptables, and no other rule.
remove_firewall() {
  b=$1
  for spec in "filter FORWARD ${FORWARD_CHAIN}" "nat POSTROUTING ${NAT_CHAIN}"; do
    set -- $spec
    "iptables-$b" -w 5 -t "$1" -S "$3" >/dev/null 2>&1; listed=$?
    [ $listed = 1 ] && continue
    [ $listed = 0 ] || { log "could not read iptables-$b (the xtables lock is busy?); chain $3 not removed"; continue; }
    while "iptables-$b" -w 5 -t "$1" -D "$2" -m comment --comment "$comment" -j "$3" 2>/dev/null; do :; done
    "iptables-$b" -w 5 -t "$1" -F "$3" && "iptables-$b" -w 5 -t "$1" -X "$3" && log "removed chain $3 and its jump from $2 (iptables-$b)"
  done
}`;
}

/** Definitions of the agent and its probe: the desired state and how to compare the node with it. */
function definitions(options: RouteAgentScriptOptions): string {
  check(options);
  return `${common(options)}
local_subnet=${options.localSubnet}
desired="${options.routedSubnets.join(' ')}"
probes="${options.routedSubnets.map(probeAddress).join(' ')}"
iptables_setting=${options.iptablesBackend}
# The agent's rules, exactly as iptables -S prints them: per other subnet, pods may leave for it, unmasqueraded both ways.
forward_rules=$(for cidr in $desired; do echo "${forwardRule('$local_subnet', '$cidr')}"; done)
nat_rules=$(for cidr in $desired; do echo "${natRulePair('$local_subnet', '$cidr').join('"; echo "')}"; done)
# Sets backend (legacy or nft) and why: the iptables that holds Weave's own rules.
choose_backend() {
  case $iptables_setting in legacy|nft) backend=$iptables_setting; why="set in the DaemonSet"; return ;; esac
  # Exit 0: Weave's chain is there; 1: it is not; anything else (4: the xtables lock is busy): unknown.
  iptables-legacy -w 5 -t nat -S WEAVE >/dev/null 2>&1; in_legacy=$?
  iptables-nft -w 5 -t nat -S WEAVE >/dev/null 2>&1; in_nft=$?
  if [ $in_legacy -gt 1 ] || [ $in_nft -gt 1 ]; then
    # Never switch, or guess, on a reading that failed: keep what is known, else wait for the next round.
    backend=$last_backend; why="unchanged"
    return
  fi
  [ $in_legacy = 0 ] && in_legacy=yes || in_legacy=no
  [ $in_nft = 0 ] && in_nft=yes || in_nft=no
  if [ $in_legacy = yes ] && [ $in_nft = no ]; then backend=legacy; why="Weave's rules are there"
  elif [ $in_nft = yes ] && [ $in_legacy = no ]; then backend=nft; why="Weave's rules are there"
  else
    # As Weave's launch.sh chooses: legacy with 10 or more legacy rules, or at least as many as nft.
    n_legacy=$( (iptables-legacy-save || true) 2>/dev/null | grep -c '^-')
    n_nft=$( (iptables-nft-save || true) 2>/dev/null | grep -c '^-')
    if [ "$n_legacy" -ge 10 ] || [ "$n_legacy" -ge "$n_nft" ]; then backend=legacy; else backend=nft; fi
    why="Weave's rules were not found, so chosen as Weave's launch.sh would"
  fi
}
# check_table TABLE PARENT CHAIN PLACE RULES: sets problem (empty when all is in place), copies and want.
# PLACE is after:REGEX (the jump follows the first rule matching it, else comes first) or before:REGEX.
# unknown is set when iptables could not be read (exit 4: the xtables lock is busy); then nothing may be concluded.
check_table() {
  problem=; unknown=
  current=$("iptables-$backend" -w 5 -t "$1" -S "$3" 2>/dev/null)
  case $? in 0) current=$(echo "$current" | grep '^-A ') ;; 1) current= ;; *) unknown=yes; return ;; esac
  parent=$("iptables-$backend" -w 5 -t "$1" -S "$2" 2>/dev/null) || { unknown=yes; return; }
  state=$(echo "$parent" | awk -v chain="$3" -v place="$4" '
    $1 != "-A" { next }
    { i++ }
    $(NF - 1) == "-j" && $NF == chain { n++; if (!at) at = i; next }
    { k++; if (!anchor && $0 ~ substr(place, index(place, ":") + 1)) anchor = k }
    END {
      if (place ~ /^after:/) { want = anchor + 1; ok = n == 1 && at == want }
      else { want = 1; ok = n == 1 && (!anchor || at <= anchor) }
      print n + 0, ok, want
    }')
  copies=\${state%% *}; want=\${state##* }; ok=\${state#* }; ok=\${ok%% *}
  if [ -z "$current" ] && [ "$copies" = 0 ]; then problem="was missing"
  elif [ "$current" != "$5" ]; then problem="differed from the mesh"
  elif [ "$copies" = 0 ]; then problem="had no jump from $2"
  elif [ "$copies" != 1 ]; then problem="had $copies jumps from $2"
  elif [ "$ok" != 1 ]; then problem="had its jump out of place in $2"
  fi
}
forward_table() { check_table filter FORWARD ${FORWARD_CHAIN} 'after:^-A FORWARD -i weave .*-j WEAVE-NPC-EGRESS$' "$forward_rules"; }
nat_table() { check_table nat POSTROUTING ${NAT_CHAIN} 'before:-j WEAVE$' "$nat_rules"; }`;
}

/**
 * The agent: every interval, makes the node's own routes and firewall rules equal to the desired
 * set (add missing, fix wrong, delete unknown). On SIGTERM it exits and leaves everything in place,
 * so a rollout never interrupts traffic: the next agent adopts what it finds.
 */
export function routeAgentScript(options: RouteAgentScriptOptions): string {
  return `${definitions(options)}
# apply_table TABLE PARENT CHAIN RULES: one atomic iptables-restore that refills the chain and puts its one jump at $want.
apply_table() {
  {
    echo "*$1"
    echo ":$3 - [0:0]"
    [ -z "$4" ] || echo "$4"
    n=0
    while [ $n -lt "$copies" ]; do echo "-D $2 -m comment --comment \\"$comment\\" -j $3"; n=$((n + 1)); done
    echo "-I $2 $want -m comment --comment \\"$comment\\" -j $3"
    echo COMMIT
  } | "iptables-$backend-restore" -w 5 --noflush
}
reconcile_firewall() {
  choose_backend
  [ -n "$backend" ] || return
  if [ "$backend" != "$last_backend" ]; then
    log "using iptables-$backend: $why"
    [ $backend = legacy ] && other=nft || other=legacy
    remove_firewall $other
    last_backend=$backend
  fi
  forward_table
  if [ -n "$problem" ]; then
    apply_table filter FORWARD ${FORWARD_CHAIN} "$forward_rules" && log "firewall: filter ${FORWARD_CHAIN} $problem; set it to the mesh's rules, its jump right after Weave's WEAVE-NPC-EGRESS rule at position $want of FORWARD"
  fi
  nat_table
  if [ -n "$problem" ]; then
    apply_table nat POSTROUTING ${NAT_CHAIN} "$nat_rules" && log "firewall: nat ${NAT_CHAIN} $problem; set it to the mesh's rules, its jump ahead of Weave's WEAVE chain in POSTROUTING"
  fi
}
reconcile_routes() {
  src=$(weave_ip)
  if [ -z "$src" ]; then
    [ "$weave" = missing ] || log "weave interface missing or without IPv4 address; waiting"
    weave=missing
    return
  fi
  [ "$weave" = missing ] && log "weave interface has address $src again"
  weave=up
  own=$(routes proto "$proto") || return
  shadowed=
  for cidr in $desired; do
    mine=$(echo "$own" | awk -v cidr="$cidr" '$2 == cidr && $5 == 0')
    [ "$mine" = "unicast $cidr weave $src 0" ] && continue
    if [ -z "$mine" ]; then
      # Routes have one slot per destination and metric: is the agent's held by a route of someone else?
      slot=$(routes exact "$cidr") || continue
      set -- $(echo "$slot" | awk '$5 == 0')
      if [ -n "$1" ] && [ "$1 $3" != "unicast weave" ]; then
        shadowed="$shadowed $cidr"
        case " $reported " in *" $cidr "*) ;; *) log "not touching the $1 route to $cidr that route-config did not add: traffic to $cidr fails until it is removed" ;; esac
        continue
      fi
      if [ -n "$1" ]; then
        ip route replace "$cidr" dev weave src "$src" proto "$proto" table main &&
          log "adopted route $cidr dev weave src $4 that another tool added (such as the hand-applied route-config DaemonSet of the Pharos documentation): it now has src $src and protocol $proto"
      else
        ip route replace "$cidr" dev weave src "$src" proto "$proto" table main && log "added route $cidr dev weave src $src"
      fi
    else
      set -- $mine
      ip route replace "$cidr" dev weave src "$src" proto "$proto" table main && log "replaced route $cidr dev $3 src $4 with dev weave src $src"
    fi
  done
  reported=$shadowed
  echo "$own" | while read -r type dst dev rsrc metric; do
    [ -n "$dst" ] || continue
    case " $desired " in
      *" $dst "*) [ "$metric" = 0 ] && continue; why="superseded by the route with metric 0" ;;
      *) why="no longer in the mesh" ;;
    esac
    ip route del "$dst" proto "$proto" metric "$metric" table main && log "removed route $dst dev $dev metric $metric ($why)"
  done
}
stop() {
  [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
  log "stopping; routes and firewall rules stay in place for the next route-config pod"
  exit 0
}
trap stop TERM INT
weave=unknown
last_backend=
reported=
sleeper=
while true; do
  reconcile_routes
  reconcile_firewall
  sleep "$interval" &
  sleeper=$!
  wait "$sleeper"
  sleeper=
done
`;
}

/**
 * The readiness probe: ready only when the kernel sends traffic for every other cluster out of the
 * `weave` bridge with the node's weave address (`ip route get`, so a foreign blackhole or more
 * specific route counts), and the firewall rules and their jumps are in place. Prints why not.
 */
export function routeAgentProbeScript(options: RouteAgentScriptOptions): string {
  return `${definitions(options)}
src=$(weave_ip)
[ -n "$src" ] || { echo "not ready: the weave bridge has no IPv4 address"; exit 1; }
for address in $probes; do
  got=$(ip -4 route get "$address" 2>&1 | head -n 1)
  echo "$got" | awk -v src="$src" '{ exit !($2 == "dev" && $3 == "weave" && $4 == "src" && $5 == src) }' ||
    { echo "not ready: ip route get $address gives '$got', not dev weave src $src"; exit 1; }
done
choose_backend
[ -n "$backend" ] || { echo "not ready: could not tell which iptables Weave uses (the xtables lock is busy?)"; exit 1; }
forward_table
[ -z "$unknown" ] || { echo "not ready: could not read iptables-$backend (the xtables lock is busy?)"; exit 1; }
[ -z "$problem" ] || { echo "not ready: iptables-$backend filter ${FORWARD_CHAIN} $problem"; exit 1; }
nat_table
[ -z "$unknown" ] || { echo "not ready: could not read iptables-$backend (the xtables lock is busy?)"; exit 1; }
[ -z "$problem" ] || { echo "not ready: iptables-$backend nat ${NAT_CHAIN} $problem"; exit 1; }
`;
}

/** The teardown: removes every route and firewall rule the agent added on the node, then idles. */
export function routeAgentTeardownScript(options: RouteAgentTeardownOptions): string {
  checkCommon(options);
  return `${common(options)}
log "teardown: removing the routes with protocol $proto and the firewall rules route-config added"
remove_routes "teardown"
${backendsOf(options.iptablesBackend).map((backend) => `remove_firewall ${backend}`).join('\n')}
log "teardown done: nothing of route-config is left on this node"
trap 'exit 0' TERM INT
while true; do sleep "$interval" & wait $!; done
`;
}

/** The teardown's readiness probe: ready once nothing of the agent is left on the node. */
export function routeAgentTeardownProbeScript(options: RouteAgentTeardownOptions): string {
  checkCommon(options);
  return `${common(options)}
left=$(routes proto "$proto") || { echo "not ready: could not list the routes"; exit 1; }
[ -z "$left" ] || { echo "not ready: routes with protocol $proto remain"; exit 1; }
for b in ${backendsOf(options.iptablesBackend).join(' ')}; do
  for spec in "filter ${FORWARD_CHAIN}" "nat ${NAT_CHAIN}"; do
    set -- $spec
    "iptables-$b" -w 5 -t "$1" -S "$2" >/dev/null 2>&1
    case $? in
      1) ;;
      0) echo "not ready: chain $2 remains in iptables-$b"; exit 1 ;;
      *) echo "not ready: could not read iptables-$b (the xtables lock is busy?)"; exit 1 ;;
    esac
  done
done
`;
}
