import * as fs from 'fs';
import * as path from 'path';
import { IPv4CidrRange } from 'ip-num';
import { ClusterPeers, isMeshPeers, PrivatePeerAddress } from '../src/mesh/derive';
import { SettingIssue } from '../src/mesh/problem';
import { Address, parseIPv4Address } from '../src/net/cidr';
import { memoize } from '../src/util/memoize';

/**
 * The route agent's shell programs, rendered in full into the DaemonSet so a reviewer sees exactly
 * what runs on every node: the agent loop, its readiness probe and the teardown. POSIX sh with
 * BusyBox `awk`, `grep`, `head` and `sleep`, iproute2 `ip` and the iptables tools, as in the
 * `weave-kube` image that Weave itself runs from.
 *
 * What the agent owns, and nothing else:
 * - routes in the main table with its route protocol (`ip route show proto N` lists exactly those);
 * - the chains WMESH-FORWARD and WMESH-OUTPUT (filter) and WMESH-POSTROUTING (nat), and one jump
 *   to each, marked with the comment `weave-mesh/route-config`.
 *
 * The programs themselves are the files of constructs/agent (linted by shellcheck, unit-tested with
 * fake tools); this module renders each as a generated preamble of parameters, lib.sh, then the file.
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
  /**
   * The other clusters' Weave peer addresses, by cluster: the agent reports Weave's links per cluster.
   * @default - none: no report of Weave's links
   */
  readonly peers?: readonly ClusterPeers[];
}

export type { ClusterPeers, PrivatePeerAddress } from '../src/mesh/derive';

/** Which iptables the agent writes to; it must be the one Weave uses on the node. */
export type IptablesBackend = 'auto' | 'legacy' | 'nft';

/** Options of the teardown program: it needs to know only what marks the agent's own state, and where to look. */
export type RouteAgentTeardownOptions = Pick<RouteAgentScriptOptions, 'intervalSeconds' | 'routeProtocol' | 'iptablesBackend'>;

const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;
const WORD = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The address the readiness probe asks `ip route get` about in a subnet: its first host address.
 * Every cluster's agent probes every other cluster's subnet: each subnet's is computed once.
 */
export const probeAddress = memoize((subnet: string): string => IPv4CidrRange.fromCidr(subnet).getFirst().nextIPNumber().toString());

/**
 * What is wrong with the settings the agent and its teardown share (defaults applied), all at once:
 * WeaveMesh reports these as located problems; the constructs on their own throw the first.
 */
export function nodeAgentSettingIssues(options: RouteAgentTeardownOptions & { readonly namespace?: string; readonly image?: string; readonly name?: string }): SettingIssue[] {
  const issues: SettingIssue[] = [];
  // The DaemonSet's namespace, and its name (also its container's name and its name label): DNS-1123 labels.
  for (const field of ['namespace', 'name'] as const) {
    const value = options[field];
    if (value !== undefined && (typeof value !== 'string' || value.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value))) {
      issues.push({ field, message: `must be a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters), not ${JSON.stringify(value)}` });
    }
  }
  if (options.image !== undefined && (typeof options.image !== 'string' || !/^\S+$/.test(options.image))) {
    issues.push({ field: 'image', message: `must be a container image reference such as docker.io/weaveworks/weave-kube:2.6.5, not ${JSON.stringify(options.image)}` });
  }
  const shown = (value: unknown) => (typeof value === 'number' ? String(value) : JSON.stringify(value));
  if (!['auto', 'legacy', 'nft'].includes(options.iptablesBackend)) {
    issues.push({ field: 'iptablesBackend', message: `must be auto, legacy or nft, not ${JSON.stringify(options.iptablesBackend)}` });
  }
  if (!Number.isInteger(options.intervalSeconds) || options.intervalSeconds < 1 || options.intervalSeconds > 3600) {
    issues.push({ field: 'intervalSeconds', message: `must be a whole number of seconds from 1 to 3600, not ${shown(options.intervalSeconds)}` });
  }
  if (!Number.isInteger(options.routeProtocol) || options.routeProtocol < 5 || options.routeProtocol > 254 || [186, 187, 188, 189, 192].includes(options.routeProtocol)) {
    issues.push({
      field: 'routeProtocol',
      message: `must be a route protocol number from 5 to 254 that no routing daemon uses (0-4 belong to the kernel; 186-189 and 192 to BGP, IS-IS, OSPF, RIP and EIGRP), not ${shown(options.routeProtocol)}`,
    });
  }
  return issues;
}

function checkCommon(options: RouteAgentTeardownOptions): void {
  const [issue] = nodeAgentSettingIssues(options);
  if (issue) throw new Error(`route agent: ${issue.field} ${issue.message}`);
}

function check(options: RouteAgentScriptOptions): void {
  for (const subnet of [options.localSubnet, ...options.routedSubnets]) {
    // Defence in depth: only a re-serialised CIDR may ever reach the node's shell.
    if (!CIDR.test(subnet)) throw new Error(`route agent: refusing to render ${JSON.stringify(subnet)} into a shell script: not an IPv4 CIDR`);
  }
  // Cluster names and peer addresses get the same defence, once per cluster (peerWords checks them).
  for (const peers of options.peers ?? []) peerWords(peers);
  checkCommon(options);
}

/**
 * A cluster's peer addresses for the agent's preamble, short: IPv4 addresses in order, each run of
 * consecutive ones as `FIRST+N` (FIRST and the N after it; links.sh expands it), host names as they are.
 * Workers often have consecutive addresses: 8 of them take 12 bytes instead of about 100, in every
 * other cluster's DaemonSet.
 */
export function compactAddresses(addresses: readonly string[]): string[] {
  const parsed = new Map<bigint, Address>();
  const names: string[] = [];
  for (const address of addresses) {
    const ip = parseIPv4Address(address);
    if (ip.ok) parsed.set(ip.value.value, ip.value);
    else names.push(address);
  }
  const sorted = [...parsed.values()].sort((a, b) => (a.value < b.value ? -1 : 1));
  return [...runs(sorted, (previous, next) => next.value === previous.value + 1n).map((run) => (run.length === 1 ? run[0].text : `${run[0].text}+${run.length - 1}`)), ...names];
}

/**
 * A cluster's private peer addresses for the agent's preamble: `PRIVATE=ADDRESS` per worker, or
 * `FIRST+N=ADDRESS` for a run of consecutive private addresses whose workers' addresses run alike
 * (the k-th private address is then that of ADDRESS's k-th successor).
 */
export function compactPrivateAddresses(privateAddresses: NonNullable<ClusterPeers['privateAddresses']>): string[] {
  const pairs = privateAddresses
    .map(({ privateAddress, address }) => {
      const ip = parseIPv4Address(privateAddress);
      if (!ip.ok) throw new Error(`route agent: refusing to render ${JSON.stringify(privateAddress)} into a shell script: not an IPv4 address, as a private peer address must be`);
      const to = parseIPv4Address(address);
      return { from: ip.value, to: to.ok ? to.value : undefined, address };
    })
    .sort((a, b) => (a.from.value < b.from.value ? -1 : a.from.value > b.from.value ? 1 : 0));
  const consecutive = (previous: (typeof pairs)[number], next: (typeof pairs)[number]) => next.from.value === previous.from.value + 1n && previous.to !== undefined && next.to !== undefined && next.to.value === previous.to.value + 1n;
  return runs(pairs, consecutive).map((run) => `${run[0].from.text}${run.length === 1 ? '' : `+${run.length - 1}`}=${run[0].address}`);
}

/** Splits a sorted list into its runs: each next item that `continues` the one before joins its run. */
function runs<T>(items: readonly T[], continues: (previous: T, next: T) => boolean): T[][] {
  const result: T[][] = [];
  for (const item of items) {
    const run = result[result.length - 1];
    if (run && continues(run[run.length - 1], item)) run.push(item);
    else result.push([item]);
  }
  return result;
}

/**
 * One other cluster's part of the agent's `peers` parameter: its name, its workers' addresses, then
 * its private ones, space-separated. For the mesh's own peers (peersByCluster: frozen, one object per
 * cluster and mesh) computed and checked once: every other cluster's DaemonSet holds it (at 256
 * clusters, 65,280 times). Peers a library user passes are read afresh each time, since the caller
 * may change them between two renders.
 */
function peerWords(peers: ClusterPeers): string {
  const kept = renderedPeers.get(peers);
  if (kept !== undefined) return kept;
  // Each field read once, and only strings: what is checked is exactly what is rendered.
  const cluster: unknown = peers.cluster;
  const addresses: unknown[] = Array.from(peers.addresses);
  const privateAddresses = Array.from(peers.privateAddresses ?? [], ({ privateAddress, address }): { privateAddress: unknown; address: unknown } => ({ privateAddress, address }));
  for (const word of [cluster, ...addresses]) {
    // Defence in depth, as for the CIDRs: only a cluster name or a peer address (host names as Pharos takes them) may reach the node's shell.
    if (typeof word !== 'string' || !WORD.test(word)) throw new Error(`route agent: refusing to render ${JSON.stringify(word)} into a shell script: not a cluster name or peer address`);
  }
  const checked = { cluster: cluster as string, addresses: addresses as string[] };
  const known = new Set(checked.addresses);
  const given = new Set<string>();
  for (const { privateAddress, address } of privateAddresses) {
    if (typeof privateAddress !== 'string') throw new Error(`route agent: refusing to render ${JSON.stringify(privateAddress)} into a shell script: not an IPv4 address, as a private peer address must be`);
    if (typeof address !== 'string' || !known.has(address)) throw new Error(`route agent: the private address ${privateAddress} is given for ${String(address)}, which is not one of cluster ${checked.cluster}'s peer addresses`);
    // A connection from it must name one worker.
    if (given.has(privateAddress)) throw new Error(`route agent: the private address ${privateAddress} is given twice for cluster ${checked.cluster}`);
    given.add(privateAddress);
  }
  const words = [checked.cluster, ...compactAddresses(checked.addresses), ...compactPrivateAddresses(privateAddresses as PrivatePeerAddress[])].join(' ');
  if (isMeshPeers(peers)) renderedPeers.set(peers, words);
  return words;
}

const renderedPeers = new WeakMap<ClusterPeers, string>();

/**
 * Seconds a readiness probe may take in all, each of its calls included: one less than its period
 * (at least 1, at most 9), so it always answers before the next one starts. Kubernetes 1.18 does
 * not enforce an exec probe's timeoutSeconds (enforced from 1.20, kubernetes#94115): the probe does.
 */
export function probeLimitSeconds(intervalSeconds: number): number {
  return Math.max(1, Math.min(intervalSeconds - 1, 9));
}

/** The line that ends the generated preamble of every program: everything after it is a file of constructs/agent. */
export const PREAMBLE_END = '# --- end of the generated preamble; the rest is constructs/agent/*.sh ---';

/**
 * The folder of the programs' source files: beside this module (constructs/agent, lib/constructs/agent)
 * or beside our bundle (build/agent); when another bundler inlined this module into an app, the
 * weave-mesh package's own copy (lib/constructs/agent), found as Node finds the package.
 */
const agentDir = memoize((_key: string): string => {
  const beside = path.join(__dirname, 'agent');
  if (fs.existsSync(path.join(beside, 'lib.sh'))) return beside;
  const root = path.dirname(require.resolve('weave-mesh/package.json'));
  const candidates = [path.join(root, 'constructs', 'agent'), path.join(root, 'lib', 'constructs', 'agent')];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'lib.sh')));
  if (!found) throw new Error(`route agent: its programs (lib.sh, route-agent.sh, ...) are in none of ${[beside, ...candidates].join(', ')}`);
  return found;
});

/** A line that is only a comment, and not one of shellcheck's directives. */
export const COMMENT_LINE = /^\s*#(?! shellcheck disable=)/;

/** The programs' source files, as the node runs them. */
export const AGENT_FILES = ['lib.sh', 'desired.sh', 'links.sh', 'route-agent.sh', 'probe.sh', 'teardown.sh', 'teardown-probe.sh'] as const;
export type AgentFile = (typeof AGENT_FILES)[number];

/**
 * A source file of constructs/agent without the lines that only make it a runnable, lintable file
 * on its own: the shebang, `# shellcheck shell=...` and the line that sources lib.sh; and without its
 * comment lines (shellcheck's directives stay): they do not run, the source keeps them, and in every
 * cluster's DaemonSet they were a fifth of its size (about 19 KB of 93 KB at 256 clusters).
 */
const agentFile = memoize((file: string): string =>
  fs
    .readFileSync(path.join(agentDir(''), file), 'utf8')
    .split('\n')
    .filter((line) => !/^#!\/bin\/sh$|^# shellcheck (shell|source)=|^\. "\$\{0%\/\*\}\/(lib|desired|links)\.sh"$/.test(line))
    .filter((line) => !COMMENT_LINE.test(line))
    .join('\n')
    .replace(/^\n+/, ''),
);

/**
 * A program as the node runs it: the generated preamble, lib.sh, desired.sh for the agent and its
 * probe, then the program's own file. The first line is for shellcheck, which lints this whole text.
 */
function program(preamble: string[], file: AgentFile): string {
  const parts = ['lib.sh', ...(file === 'route-agent.sh' || file === 'probe.sh' ? ['desired.sh'] : []), ...(file === 'route-agent.sh' ? ['links.sh'] : []), file];
  return ['# shellcheck disable=SC2034 # lib.sh and desired.sh set variables that not every program reads', ...preamble, PREAMBLE_END, ...parts.map(agentFile)].join('\n');
}

/** The parameters every program gets, those the program uses only (shellcheck finds any other). */
type Parameter = 'proto' | 'interval' | 'iptables_setting' | 'probe_limit' | 'local_subnet' | 'desired' | 'probes' | 'peers';

function preamble(options: RouteAgentTeardownOptions & Partial<RouteAgentScriptOptions>, parameters: Parameter[]): string[] {
  const value = (parameter: Parameter): string => {
    switch (parameter) {
      case 'proto':
        return String(options.routeProtocol);
      case 'interval':
        return String(options.intervalSeconds);
      case 'iptables_setting':
        return options.iptablesBackend;
      case 'probe_limit':
        return String(probeLimitSeconds(options.intervalSeconds));
      case 'desired':
        return `"${options.routedSubnets!.join(' ')}"`;
      case 'probes':
        return `"${options.routedSubnets!.map(probeAddress).join(' ')}"`;
      // desired.sh derives the agent's rules from these two: a mesh of N clusters renders each
      // program's preamble in O(N), not its 3 x N rules spelt out, twice per DaemonSet.
      case 'local_subnet':
        return options.localSubnet!;
      // Per other cluster, `;`-separated: its name, then its peers (runs of consecutive addresses
      // compacted), then its private ones. Only in the agent, not in its probe; on one line, so the YAML indents it once.
      case 'peers':
        return `"${(options.peers ?? []).map(peerWords).join(';')}"`;
    }
  };
  return ["# Generated by weave-mesh from the mesh and the DaemonSet's settings:", ...parameters.map((parameter) => `${parameter}=${value(parameter)}`)];
}

/**
 * The agent (constructs/agent/route-agent.sh): every interval, makes the node's own routes and
 * firewall rules equal to the desired set. On SIGTERM it exits and leaves everything in place, so a
 * rollout never interrupts traffic: the next agent adopts what it finds.
 */
export function routeAgentScript(options: RouteAgentScriptOptions): string {
  check(options);
  return program(preamble(options, ['proto', 'interval', 'iptables_setting', 'local_subnet', 'desired', 'peers']), 'route-agent.sh');
}

/** The agent's readiness probe (constructs/agent/probe.sh): ready only when the node routes and lets through traffic to every other cluster. */
export function routeAgentProbeScript(options: RouteAgentScriptOptions): string {
  check(options);
  return program(preamble(options, ['iptables_setting', 'probe_limit', 'local_subnet', 'desired', 'probes']), 'probe.sh');
}

/** The teardown (constructs/agent/teardown.sh): removes every route and firewall rule the agent added on the node, then idles. */
export function routeAgentTeardownScript(options: RouteAgentTeardownOptions): string {
  checkCommon(options);
  return program(preamble(options, ['proto', 'interval', 'iptables_setting']), 'teardown.sh');
}

/** The teardown's readiness probe (constructs/agent/teardown-probe.sh): ready once nothing of the agent is left on the node. */
export function routeAgentTeardownProbeScript(options: RouteAgentTeardownOptions): string {
  checkCommon(options);
  return program(preamble(options, ['proto', 'iptables_setting', 'probe_limit']), 'teardown-probe.sh');
}
