import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Simulated nodes for the route agent's end-to-end test: Linux network namespaces joined into one
 * L2 segment, as Weave's overlay joins the `weave` bridges of all nodes.
 */

/** Why the simulation cannot run here, or undefined when it can (root, `ip netns`, BusyBox). */
export function cannotSimulate(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  for (const tool of ['ip', 'busybox', 'ping']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (iproute2, busybox, iputils-ping)`;
  }
  const probe = `wmprobe${process.pid}`;
  if (spawnSync('ip', ['netns', 'add', probe]).status !== 0) return '`ip netns add` is not permitted here';
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}

/** A folder whose every BusyBox applet (sh, ip, awk, sleep, ...) links to busybox: put it first on PATH. */
export function busyboxPath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weave-mesh-busybox-'));
  const busybox = execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim();
  for (const applet of execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    fs.symlinkSync(busybox, path.join(dir, applet));
  }
  return dir;
}

/** Runs a shell command inside a namespace (with the machine's own tools); throws on failure. */
export function inNetns(netns: string, command: string): string {
  return execFileSync('ip', ['netns', 'exec', netns, 'sh', '-c', command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Exit status of a shell command inside a namespace. */
export function statusInNetns(netns: string, command: string): number {
  return spawnSync('ip', ['netns', 'exec', netns, 'sh', '-c', command], { stdio: 'ignore' }).status ?? -1;
}

export interface SimulatedNode {
  readonly name: string;
  /** The node's network namespace. */
  readonly netns: string;
  /** The address `weave expose` would give the node's bridge, with the subnet's prefix length. */
  readonly weaveAddress: string;
  /** The node's pod: its namespace and address. */
  readonly podNetns: string;
  readonly podAddress: string;
}

/** A mesh of simulated nodes; `destroy` removes every namespace it made. */
export class SimulatedMesh {
  public readonly nodes: SimulatedNode[] = [];
  private readonly namespaces: string[] = [];
  private readonly switchNetns: string;

  public constructor(private readonly prefix: string) {
    this.switchNetns = this.addNetns('sw');
    inNetns(this.switchNetns, 'ip link add l2 type bridge && ip link set l2 up');
  }

  /** Adds a node whose `weave` bridge holds `weaveAddress` (e.g. 10.33.0.1/16) and a pod at `podAddress`. */
  public addNode(name: string, weaveAddress: string, podAddress: string): SimulatedNode {
    const netns = this.addNetns(name);
    const podNetns = this.addNetns(`${name}p`);
    const port = `p${this.nodes.length}`;
    inNetns(
      netns,
      [
        'ip link set lo up',
        'echo 1 > /proc/sys/net/ipv4/ip_forward',
        // No ICMP redirects: a pod must not learn a direct path that outlives the routes under test.
        'echo 0 > /proc/sys/net/ipv4/conf/all/send_redirects',
        'echo 0 > /proc/sys/net/ipv4/conf/default/send_redirects',
        'echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter',
        'echo 0 > /proc/sys/net/ipv4/conf/default/rp_filter',
        // The uplink joins this node's bridge to the shared L2 segment.
        `ip link add uplink type veth peer name ${port} netns ${this.switchNetns}`,
        `ip link add pod type veth peer name eth0 netns ${podNetns}`,
      ].join(' && '),
    );
    inNetns(this.switchNetns, `ip link set ${port} master l2 && ip link set ${port} up`);
    const node: SimulatedNode = { name, netns, weaveAddress, podNetns, podAddress };
    this.createWeaveBridge(node);
    inNetns(
      podNetns,
      [
        'ip link set lo up',
        'echo 0 > /proc/sys/net/ipv4/conf/all/accept_redirects',
        'echo 0 > /proc/sys/net/ipv4/conf/eth0/accept_redirects',
        `ip addr add ${podAddress} dev eth0`,
        'ip link set eth0 up',
        `ip route add default via ${weaveAddress.split('/')[0]}`,
      ].join(' && '),
    );
    this.nodes.push(node);
    return node;
  }

  /** (Re)creates the node's `weave` bridge with its address and ports, as a Weave restart does. */
  public createWeaveBridge(node: SimulatedNode, weaveAddress = node.weaveAddress): void {
    inNetns(
      node.netns,
      [
        'ip link add weave type bridge',
        `ip addr add ${weaveAddress} dev weave`,
        'ip link set uplink master weave',
        'ip link set pod master weave',
        'ip link set weave up',
        'ip link set uplink up',
        'ip link set pod up',
      ].join(' && '),
    );
  }

  public deleteWeaveBridge(node: SimulatedNode): void {
    inNetns(node.netns, 'ip link del weave');
  }

  /** True when one ping from `netns` reaches `address`; the route cache is flushed first so no stale path helps. */
  public canReach(netns: string, address: string): boolean {
    for (const netns of this.nodes.flatMap((node) => [node.netns, node.podNetns])) {
      spawnSync('ip', ['-n', netns, 'route', 'flush', 'cache'], { stdio: 'ignore' });
    }
    return statusInNetns(netns, `ping -c 1 -W 1 ${address.split('/')[0]}`) === 0;
  }

  public destroy(): void {
    for (const netns of this.namespaces.reverse()) spawnSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
  }

  private addNetns(name: string): string {
    const netns = `${this.prefix}-${name}`;
    execFileSync('ip', ['netns', 'add', netns]);
    this.namespaces.push(netns);
    return netns;
  }
}

/** The machine's iproute2 `ip`, resolved before BusyBox's (which has no `netns`) is put first on PATH. */
function systemIp(): string {
  return execFileSync('sh', ['-c', 'command -v ip'], { encoding: 'utf8' }).trim();
}

/** The route agent running in a node's namespace, with its log lines collected. */
export class RunningAgent {
  public readonly lines: string[] = [];
  public readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  /** `first`: a folder put on PATH before BusyBox's, to run the agent with other tools (iproute2's ip). */
  public constructor(netns: string, script: string, busybox: string, first?: string) {
    this.child = spawn(systemIp(), ['netns', 'exec', netns, path.join(busybox, 'sh'), '-c', script], {
      env: { PATH: `${first ? `${first}:` : ''}${busybox}:/usr/sbin:/usr/bin:/sbin:/bin` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
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
