import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { busybox128Timeout } from './fake-tools';

/**
 * Simulated Weave nodes for the route agent's end-to-end test: Linux network namespaces joined into
 * one L2 segment, as Weave's overlay joins the `weave` bridges of all nodes, each with Weave Net
 * 2.6.5's own iptables rules and ipsets (network policy controller on), so traffic decides.
 */

export type Backend = 'legacy' | 'nft';

// What the simulation needs (root, ip netns, br_netfilter, iptables, ipset, busybox) is checked by test/tools.js.

/** A folder whose every BusyBox applet (sh, awk, grep, sleep, ...) links to busybox: put it first on PATH. */
export function busyboxPath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weave-mesh-busybox-'));
  const busybox = execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim();
  for (const applet of execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    fs.symlinkSync(busybox, path.join(dir, applet));
  }
  return dir;
}

/**
 * The PATH of the agent's container, as in the weave-kube image: iproute2's `ip` before BusyBox
 * (alpine's iproute2 package replaces BusyBox's applet), then the iptables tools. These are Debian's
 * (iptables 1.8.9, BusyBox 1.35, iproute2 6.1), newer than the image's iptables 1.8.3 and BusyBox 1.30.1:
 * the unit tests (route-agent-programs.test.ts) replay the behaviours of 1.8.3 that 1.8.9 lacks.
 */
export function imagePath(busybox: string, scratch: string): string {
  const first = fs.mkdtempSync(path.join(scratch, 'iproute2-'));
  fs.symlinkSync(execFileSync('sh', ['-c', 'command -v ip'], { encoding: 'utf8' }).trim(), path.join(first, 'ip'));
  return `${first}:${busybox}:/usr/sbin:/usr/bin:/sbin:/bin`;
}

/**
 * The PATH of the agent's container in the arm, arm64 and ppc64le images (Alpine 3.8): iproute2's
 * `ip`, iptables 1.6's only names `iptables`, `iptables-save`, `iptables-restore` (legacy: here the
 * machine's legacy tools under those names), BusyBox, whose 1.28 `timeout` takes `-t SECS` (here a
 * stand-in taking 1.28's syntax, see busybox128Timeout), and nothing else: no suffixed iptables names.
 * The tools are Debian's (iptables 1.8.9 legacy, BusyBox 1.35, iproute2 6.1), not the image's own.
 */
export function arm64ImagePath(busybox: string, scratch: string): string {
  const first = fs.mkdtempSync(path.join(scratch, 'arm64-'));
  const which = (tool: string) => execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
  fs.symlinkSync(which('ip'), path.join(first, 'ip'));
  for (const suffix of ['', '-save', '-restore']) fs.symlinkSync(which(`iptables-legacy${suffix}`), path.join(first, `iptables${suffix}`));
  fs.writeFileSync(path.join(first, 'timeout'), busybox128Timeout(busybox), { mode: 0o755 });
  return `${first}:${busybox}`;
}

/** Runs a shell command inside a namespace (with the machine's own tools); throws on failure. */
export function inNetns(netns: string, command: string): string {
  return execFileSync('ip', ['netns', 'exec', netns, 'sh', '-c', command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Exit status and output of a shell command inside a namespace. */
export function tryInNetns(netns: string, command: string, env?: NodeJS.ProcessEnv): { status: number; output: string } {
  const result = spawnSync('ip', ['netns', 'exec', netns, 'sh', '-c', command], { encoding: 'utf8', env: env ?? process.env });
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}`.trim() };
}

export interface WeaveSettings {
  /** The iptables Weave's launch.sh picked on this node. */
  readonly backend: Backend;
  /** `network.weave.no_masq_local`: Weave's `--no-masq-local`. */
  readonly noMasqLocal: boolean;
  /** The IPAM ranges this peer owns: what Weave keeps in the weaver-no-masq-local ipset. */
  readonly ownedRanges: readonly string[];
  /** Every pod of the node's cluster: weave-npc puts them in the default namespace's default-allow ipsets. */
  readonly clusterPods: readonly string[];
}

export interface SimulatedNode {
  readonly name: string;
  /** The node's network namespace. */
  readonly netns: string;
  /** The address `weave expose` gives the node's bridge, with the subnet's prefix length. */
  weaveAddress: string;
  /** The node's pod: its namespace and address (with the subnet's prefix length, as Weave's CNI plugin gives it). */
  readonly podNetns: string;
  readonly podAddress: string;
  readonly weave: WeaveSettings;
}

/** `iptables-<backend> -w 5`, for scripts run in a node's namespace. */
export function ipt(node: SimulatedNode): string {
  return `iptables-${node.weave.backend} -w 5`;
}

const NOTE = `-m comment --comment "NOTE: this must go before '-j KUBE-FORWARD'"`;

/**
 * Weave Net 2.6.5's FORWARD rules with NPC on, in order: net/bridge.go lines 496-528, kept at the
 * top of FORWARD by ensureRulesAtTop (net/iptables.go lines 75-105).
 */
const WEAVE_FORWARD_RULES = [
  `-i weave ${NOTE} -j WEAVE-NPC-EGRESS`,
  `-o weave ${NOTE} -j WEAVE-NPC`,
  '-o weave -m state --state NEW -j NFLOG --nflog-group 86',
  '-o weave -j DROP',
  '-i weave ! -o weave -j ACCEPT',
  '-o weave -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
];

/**
 * What the weaver process does to iptables each time Weave launches (net/bridge.go, configureIPTables,
 * and net/expose.go, exposeNAT), as shell commands with the same semantics: AppendUnique checks
 * before appending; ensureRulesAtTop does nothing when all its rules exist, else deletes them all
 * and inserts them again at the top; the nat WEAVE chain is flushed and rebuilt.
 */
function weaverScript(node: SimulatedNode): string {
  const I = ipt(node);
  const appendUnique = (table: string, chain: string, rule: string) => `${I} -t ${table} -C ${chain} ${rule} 2>/dev/null || ${I} -t ${table} -A ${chain} ${rule}`;
  const exposed = node.weaveAddress; // exposeNAT gets the bridge address with its prefix; iptables masks it.
  return [
    // bridge.go 488-493: ensureChains, then steer traffic to the local node through the egress chain.
    `${I} -N WEAVE-NPC 2>/dev/null || true`,
    `${I} -N WEAVE-NPC-EGRESS 2>/dev/null || true`,
    appendUnique('filter', 'INPUT', '-i weave -j WEAVE-NPC-EGRESS'),
    // iptables.go 75-105, ensureRulesAtTop.
    'all=yes',
    ...WEAVE_FORWARD_RULES.map((rule) => `${I} -C FORWARD ${rule} 2>/dev/null || all=no`),
    `if [ $all = no ]; then`,
    ...WEAVE_FORWARD_RULES.map((rule, index) => `  ${I} -D FORWARD ${rule} 2>/dev/null; ${I} -I FORWARD ${index + 1} ${rule}`),
    'fi',
    // bridge.go 535-540: ClearChain nat WEAVE, AppendUnique POSTROUTING -j WEAVE.
    `${I} -t nat -N WEAVE 2>/dev/null || ${I} -t nat -F WEAVE`,
    appendUnique('nat', 'POSTROUTING', '-j WEAVE'),
    // bridge.go 549-561: --no-masq-local.
    ...(node.weave.noMasqLocal
      ? [
          'ipset destroy weaver-no-masq-local 2>/dev/null || true',
          'ipset create weaver-no-masq-local hash:net',
          ...node.weave.ownedRanges.map((range) => `ipset add weaver-no-masq-local ${range}`),
          `${I} -t nat -I WEAVE 1 -m set --match-set weaver-no-masq-local dst -m comment --comment "Prevent SNAT to locally running containers" -j RETURN`,
        ]
      : []),
    // expose.go 92-100: exposeNAT.
    appendUnique('nat', 'WEAVE', `-s ${exposed} -d 224.0.0.0/4 -j RETURN`),
    appendUnique('nat', 'WEAVE', `-d ${exposed} ! -s ${exposed} -j MASQUERADE`),
    appendUnique('nat', 'WEAVE', `-s ${exposed} ! -d ${exposed} -j MASQUERADE`),
  ].join('\n');
}

/**
 * What weave-npc installs when it starts (prog/weave-npc/main.go: resetIPTables lines 53-85,
 * createBaseRules lines 122-197 with --allow-mcast on by default) and for a namespace without
 * network policies (npc/namespace.go: default-allow ipsets lines 72-80, bypassRules lines 456-468).
 */
function npcScript(node: SimulatedNode): string {
  const I = ipt(node);
  const comment = (what: string) => `-m comment --comment "DefaultAllow ${what} isolation for namespace: default"`;
  return [
    ...['WEAVE-NPC-INGRESS', 'WEAVE-NPC-DEFAULT', 'WEAVE-NPC', 'WEAVE-NPC-EGRESS-ACCEPT', 'WEAVE-NPC-EGRESS-CUSTOM', 'WEAVE-NPC-EGRESS-DEFAULT'].map((chain) => `${I} -N ${chain} 2>/dev/null || ${I} -F ${chain}`),
    `${I} -A WEAVE-NPC -m state --state RELATED,ESTABLISHED -j ACCEPT`,
    `${I} -A WEAVE-NPC -d 224.0.0.0/4 -j ACCEPT`,
    `${I} -A WEAVE-NPC -m physdev --physdev-is-bridged --physdev-out vethwe-bridge -j ACCEPT`,
    `${I} -A WEAVE-NPC -m state --state NEW -j WEAVE-NPC-DEFAULT`,
    `${I} -A WEAVE-NPC -m state --state NEW -j WEAVE-NPC-INGRESS`,
    `${I} -A WEAVE-NPC-EGRESS-ACCEPT -j MARK --set-xmark 0x40000/0x40000`,
    // AddChainWithRules: the egress chain is flushed and filled in one go.
    `${I} -N WEAVE-NPC-EGRESS 2>/dev/null || ${I} -F WEAVE-NPC-EGRESS`,
    `${I} -A WEAVE-NPC-EGRESS -m state --state RELATED,ESTABLISHED -j ACCEPT`,
    `${I} -A WEAVE-NPC-EGRESS -m physdev --physdev-is-bridged --physdev-in vethwe-bridge -j RETURN`,
    `${I} -A WEAVE-NPC-EGRESS -m addrtype --dst-type LOCAL -j RETURN`,
    `${I} -A WEAVE-NPC-EGRESS -d 224.0.0.0/4 -j RETURN`,
    `${I} -A WEAVE-NPC-EGRESS -m state --state NEW -j WEAVE-NPC-EGRESS-DEFAULT`,
    `${I} -A WEAVE-NPC-EGRESS -m state --state NEW -m mark ! --mark 0x40000/0x40000 -j WEAVE-NPC-EGRESS-CUSTOM`,
    `${I} -A WEAVE-NPC-EGRESS -m state --state NEW -m mark ! --mark 0x40000/0x40000 -j NFLOG --nflog-group 86`,
    // The default namespace: every pod of the cluster in its ingress and egress default-allow sets.
    'ipset create weave-default-ingress hash:ip',
    'ipset create weave-default-egress hash:ip',
    ...node.weave.clusterPods.flatMap((pod) => [`ipset add weave-default-ingress ${pod}`, `ipset add weave-default-egress ${pod}`]),
    `${I} -A WEAVE-NPC-DEFAULT -m set --match-set weave-default-ingress dst ${comment('ingress')} -j ACCEPT`,
    `${I} -A WEAVE-NPC-EGRESS-DEFAULT -m set --match-set weave-default-egress src ${comment('egress')} -j WEAVE-NPC-EGRESS-ACCEPT`,
    `${I} -A WEAVE-NPC-EGRESS-DEFAULT -m set --match-set weave-default-egress src ${comment('egress')} -j RETURN`,
  ].join('\n');
}

/** A mesh of simulated nodes; `destroy` removes every namespace and process it made. */
export class SimulatedMesh {
  public readonly nodes: SimulatedNode[] = [];
  private readonly namespaces: string[] = [];
  private readonly switchNetns: string;
  private readonly servers: ChildProcess[] = [];

  public constructor(private readonly prefix: string) {
    this.switchNetns = this.addNetns('sw');
    inNetns(this.switchNetns, 'ip link add l2 type bridge && ip link set l2 up');
  }

  /** Adds a node whose `weave` bridge holds `weaveAddress` (e.g. 10.33.0.1/16), a pod at `podAddress`, and Weave's rules. */
  public addNode(name: string, weaveAddress: string, podAddress: string, weave: WeaveSettings): SimulatedNode {
    const netns = this.addNetns(name);
    const podNetns = this.addNetns(`${name}p`);
    const port = `p${this.nodes.length}`;
    inNetns(
      netns,
      [
        'ip link set lo up',
        'echo 1 > /proc/sys/net/ipv4/ip_forward',
        // Weave's launch.sh: bridged traffic passes through iptables (for NPC and kube-proxy).
        'echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables',
        // ICMP redirects stay at the kernel's defaults, as on real nodes (Weave leaves them alone).
        'echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter',
        'echo 0 > /proc/sys/net/ipv4/conf/default/rp_filter',
        // The overlay's port on the bridge has the name Weave gives it, so physdev matches work as on a node.
        `ip link add vethwe-bridge type veth peer name ${port} netns ${this.switchNetns}`,
        `ip link add pod type veth peer name eth0 netns ${podNetns}`,
      ].join(' && '),
    );
    inNetns(this.switchNetns, `ip link set ${port} master l2 && ip link set ${port} up`);
    const node: SimulatedNode = { name, netns, weaveAddress, podNetns, podAddress, weave };
    this.createWeaveBridge(node);
    inNetns(netns, npcScript(node));
    inNetns(podNetns, ['ip link set lo up', `ip addr add ${podAddress} dev eth0`, 'ip link set eth0 up', `ip route add default via ${address(weaveAddress)}`].join(' && '));
    this.nodes.push(node);
    return node;
  }

  /**
   * Adds another pod on a node's bridge (its namespace is returned), with the kernel's default settings,
   * in the default namespace's egress default-allow set as weave-npc would put it. `neighbours` are
   * addresses on the weave L2 whose MAC the pod already knows (an ICMP redirect to an address is
   * applied only once its neighbour entry is valid).
   */
  public addPod(node: SimulatedNode, name: string, podAddress: string, neighbours: Record<string, string> = {}): string {
    const podNetns = this.addNetns(name);
    const port = `x${name}`.slice(0, 15);
    inNetns(node.netns, `ip link add ${port} type veth peer name eth0 netns ${podNetns} && ip link set ${port} master weave && ip link set ${port} up && ipset add weave-default-egress ${address(podAddress)}`);
    inNetns(
      podNetns,
      [
        'ip link set lo up',
        `ip addr add ${podAddress} dev eth0`,
        'ip link set eth0 up',
        `ip route add default via ${address(node.weaveAddress)}`,
        ...Object.entries(neighbours).map(([ip, mac]) => `ip neigh replace ${ip} lladdr ${mac} dev eth0 nud permanent`),
      ].join(' && '),
    );
    return podNetns;
  }

  /** The MAC address of a pod's eth0. */
  public podMac(podNetns: string): string {
    return inNetns(podNetns, 'cat /sys/class/net/eth0/address').trim();
  }

  /**
   * (Re)creates the node's `weave` bridge as Weave does: the bridge and its ports first, link up,
   * then `weave expose` adds the address; then Weave's iptables rules, as on every launch.
   */
  public createWeaveBridge(node: SimulatedNode, weaveAddress = node.weaveAddress): void {
    node.weaveAddress = weaveAddress;
    inNetns(
      node.netns,
      ['ip link add weave type bridge', 'ip link set vethwe-bridge master weave', 'ip link set pod master weave', 'ip link set weave up', 'ip link set vethwe-bridge up', 'ip link set pod up', `ip addr add ${weaveAddress} dev weave`].join(' && '),
    );
    this.launchWeave(node);
  }

  /** Weave's iptables set-up, as each launch of the weaver process does it. */
  public launchWeave(node: SimulatedNode): void {
    inNetns(node.netns, weaverScript(node));
  }

  public deleteWeaveBridge(node: SimulatedNode): void {
    inNetns(node.netns, 'ip link del weave');
  }

  /** Starts a TCP server in every pod that answers each connection with the address it sees the client at. */
  public async startServers(): Promise<void> {
    const script = `require('net').createServer((s) => { s.on('error', () => {}); s.end(s.remoteAddress + '\\n'); }).listen(${PORT}, '0.0.0.0', () => console.log('listening'));`;
    await Promise.all(
      this.nodes.map(
        (node) =>
          new Promise<void>((resolve, reject) => {
            const server = spawn('ip', ['netns', 'exec', node.podNetns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
            this.servers.push(server);
            server.stdout!.once('data', () => resolve());
            server.once('exit', (code) => reject(new Error(`the server in ${node.podNetns} exited with ${code}`)));
          }),
      ),
    );
  }

  /**
   * Opens one TCP connection from `netns` to `target` (a pod address, prefix allowed) and returns the
   * client address the server saw, or an error text. Fresh connections only: each one is NEW to conntrack.
   */
  public connect(netns: string, target: string): string {
    const result = spawnSync('ip', ['netns', 'exec', netns, process.execPath, '-e', CLIENT, address(target), String(PORT)], { encoding: 'utf8' });
    return (result.stdout || result.stderr).trim();
  }

  /**
   * Keeps opening connections from `netns` to `target` until stopped, one every 20 ms; resolves with
   * how many succeeded, every other outcome, and the client addresses the server saw.
   */
  public connectContinuously(netns: string, target: string): { stop(): Promise<{ ok: number; failures: string[]; seen: string[] }> } {
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', CONNECTOR, address(target), String(PORT)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (chunk) => (out += chunk));
    const done = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    return {
      async stop() {
        child.stdin!.end();
        await done;
        return JSON.parse(out);
      },
    };
  }

  /** The packet count of a rule of the node's filter table, by its exact `iptables -S` text (without `-A`). */
  public packets(node: SimulatedNode, rule: string): number {
    const save = inNetns(node.netns, `iptables-${node.weave.backend}-save -c -t filter`);
    const line = save.split('\n').find((candidate) => candidate.endsWith(` -A ${rule}`));
    if (!line) throw new Error(`no rule "${rule}" on ${node.name}:\n${save}`);
    return Number(/^\[(\d+):/.exec(line)![1]);
  }

  /** Weave's rules and everything else not the agent's, without counters: must not change while the agent runs. */
  public foreignRules(node: SimulatedNode): string {
    const save = inNetns(node.netns, `iptables-${node.weave.backend}-save -t filter; iptables-${node.weave.backend}-save -t nat`);
    return save
      .split('\n')
      .filter((line) => /^[-:*]/.test(line) && !line.includes('WMESH-'))
      .map((line) => line.replace(/ \[\d+:\d+\]$/, ''))
      .join('\n');
  }

  /**
   * Starts a stand-in for Weave's own status endpoint in a node's namespace, on 127.0.0.1:6784 as
   * weave-kube's launch.sh sets WEAVE_HTTP_ADDR: it serves the file `body` at /status/connections (read
   * at each request, so a test changes what Weave says by rewriting it), after `#delay MS` on its first
   * line if there is one (a slow answer), and 404 elsewhere, as Weave's mux does. Resolves with a stop
   * function (then nothing listens: connection refused, as when weave-net is not running).
   */
  public async startWeaveStatus(node: SimulatedNode, body: string): Promise<() => Promise<void>> {
    const script = `const fs = require('fs');
require('http').createServer((req, res) => {
  if (req.method !== 'GET' || req.url !== '/status/connections') { res.writeHead(404); res.end('404 page not found\\n'); return; }
  let text = fs.readFileSync(process.argv[1], 'utf8');
  const delay = /^#delay (\\d+)\\n/.exec(text);
  if (delay) text = text.slice(delay[0].length);
  setTimeout(() => { res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }); res.end(text); }, delay ? Number(delay[1]) : 0);
}).listen(6784, '127.0.0.1', () => console.log('listening'));`;
    const server = spawn('ip', ['netns', 'exec', node.netns, process.execPath, '-e', script, body], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.stdout!.once('data', () => resolve());
      server.once('exit', (code) => reject(new Error(`the Weave status stand-in in ${node.netns} exited with ${code}`)));
    });
    return () =>
      new Promise<void>((resolve) => {
        server.removeAllListeners('exit');
        server.once('exit', () => resolve());
        server.kill('SIGKILL');
      });
  }

  public destroy(): void {
    for (const server of this.servers) server.kill('SIGKILL');
    for (const netns of this.namespaces.reverse()) spawnSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
  }

  private addNetns(name: string): string {
    const netns = `${this.prefix}-${name}`;
    execFileSync('ip', ['netns', 'add', netns]);
    this.namespaces.push(netns);
    return netns;
  }
}

const PORT = 8080;

/** One connection: prints the address the server saw, or `error: <code>` after 3 s without an answer. */
const CLIENT = `
const [host, port] = process.argv.slice(1);
const socket = require('net').connect({ host, port: Number(port), timeout: 3000 });
let answer = '';
socket.on('data', (chunk) => (answer += chunk));
socket.on('end', () => { console.log(answer.trim()); process.exit(0); });
socket.on('timeout', () => { console.log('error: timeout'); process.exit(1); });
socket.on('error', (error) => { console.log('error: ' + error.code); process.exit(1); });`;

/** Connections one after another every 20 ms until standard input closes; prints a JSON summary. */
const CONNECTOR = `
const [host, port] = process.argv.slice(1);
const result = { ok: 0, failures: [], seen: [] };
let stopping = false;
process.stdin.on('end', () => (stopping = true)).resume();
function once() {
  if (stopping) { process.stdout.write(JSON.stringify(result)); return; }
  const socket = require('net').connect({ host, port: Number(port), timeout: 3000 });
  let answer = '';
  const next = (failure) => {
    socket.destroy();
    if (failure) result.failures.push(failure);
    else { result.ok++; if (!result.seen.includes(answer.trim())) result.seen.push(answer.trim()); }
    setTimeout(once, 20);
  };
  socket.on('data', (chunk) => (answer += chunk));
  socket.on('end', () => next());
  socket.on('timeout', () => next('timeout'));
  socket.on('error', (error) => next(error.code));
}
once();`;

/** The address part of `a.b.c.d/n`. */
export function address(cidr: string): string {
  return cidr.split('/')[0];
}

/** A shell program (agent, probe, teardown) running in a node's namespace with the image's tools, its log lines collected. */
export class RunningAgent {
  public readonly lines: string[] = [];
  /** The exit code, once the program has exited and all its output has been read. */
  public readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  /** `statusDir`: where the agent keeps its status file (WEAVE_MESH_STATUS_DIR), instead of the node's /run/weave-mesh. */
  public constructor(netns: string, script: string, pathVariable: string, statusDir?: string) {
    const status = statusDir ? `WEAVE_MESH_STATUS_DIR=${statusDir}; export WEAVE_MESH_STATUS_DIR; ` : '';
    this.child = spawn('ip', ['netns', 'exec', netns, 'sh', '-c', `PATH=${pathVariable}; export PATH; ${status}exec sh -c "$0"`, script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    const collect = (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const lines = text.split('\n');
      partial = lines.pop()!;
      this.lines.push(...lines.filter(Boolean));
    };
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    // 'close', not 'exit': only then has every line the program wrote come through its pipes.
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  public signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  public get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
}

/** Polls `condition` every 100 ms; resolves with the milliseconds it took, rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (condition()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
