import { execFile } from 'child_process';

/**
 * Weave's links between the clusters, as every route agent sees them on its node: collected from
 * each cluster through its kubectl context (the agent's status file, constructs/agent/links.sh),
 * then shown as one table of links, or as JSON. See docs/status.md.
 */

/** Where the agent keeps its status file in its container (node-agent-daemon-set.ts: STATUS_DIR). */
export const STATUS_FILE = '/run/weave-mesh/links';

/** The state of one node's links to one other cluster, as the agent wrote it. */
export interface LinkStatus {
  /** The other cluster. */
  readonly remote: string;
  readonly established: number;
  readonly expected: number;
  /** `encrypted`, `unencrypted`, a mix (`1 encrypted, 1 unencrypted`) or `-` when nothing is established. */
  readonly encryption: string;
  /** `fastdp`, `sleeve`, a mix or `-`. */
  readonly datapath: string;
  /** The MTUs of the established connections, comma-separated, or `-`. */
  readonly mtu: string;
  /** `up`: every expected connection established; `degraded`: some; `down`: none. */
  readonly state: 'up' | 'degraded' | 'down';
  /** The agent's words: counts, and each failure's cause with its fix. */
  readonly report: string;
}

/** One node's view, or why it could not be read. */
export interface NodeStatus {
  readonly pod: string;
  readonly node: string;
  /** When the agent last wrote its status file (UTC). */
  readonly updated?: string;
  /** `ok`, or why Weave's status could not be read on that node. */
  readonly weave?: string;
  readonly links: readonly LinkStatus[];
  /** Why this node's status could not be read. */
  readonly problem?: string;
}

/** One cluster's nodes, or why the cluster could not be asked. */
export interface ClusterStatus {
  readonly cluster: string;
  readonly context: string;
  readonly nodes: readonly NodeStatus[];
  readonly problem?: string;
}

/** Where each cluster's route agent runs. */
export interface AgentLocation {
  readonly cluster: string;
  /** The kubectl context that reaches the cluster. */
  readonly context: string;
  readonly namespace: string;
  /** The DaemonSet's name: its pods carry the label `name=<daemonSet>`, their container the same name. */
  readonly daemonSet: string;
}

/** Runs kubectl with these arguments; never rejects: a failure to run is the result's `error`. */
export type Kubectl = (args: readonly string[]) => Promise<KubectlResult>;

/** What one kubectl call gave. */
export interface KubectlResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: Error;
}

/** How many kubectl calls run at once: a mesh of 256 clusters of 8 workers asks 2,304 times. */
export const KUBECTL_CALLS_AT_ONCE = 16;

/** kubectl on PATH, or the one KUBECTL names; each call bounded, so an unreachable API server costs 30 s at most. */
export function systemKubectl(binary = process.env.KUBECTL || 'kubectl', timeoutMs = 30000): Kubectl {
  return (args) =>
    new Promise((resolve) => {
      execFile(binary, [...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 2 ** 20, env: process.env }, (error, stdout, stderr) => {
        // A non-zero exit is a status, not a failure to run: kubectl's own message is on stderr.
        const code = (error as { code?: unknown } | null)?.code;
        if (error && typeof code === 'number') resolve({ status: code, stdout, stderr });
        else if (error && error.killed) resolve({ status: null, stdout, stderr, error: new Error(`kubectl did not answer within ${timeoutMs / 1000} s`) });
        else resolve({ status: error ? null : 0, stdout, stderr, ...(error ? { error } : {}) });
      });
    });
}

/** `kubectl` with at most `limit` calls running at once, the others queued in the order they came. */
export function limited(kubectl: Kubectl, limit = KUBECTL_CALLS_AT_ONCE): Kubectl {
  let running = 0;
  const queue: (() => void)[] = [];
  return async (args) => {
    if (running >= limit) await new Promise<void>((start) => queue.push(start));
    running++;
    try {
      return await kubectl(args);
    } finally {
      running--;
      queue.shift()?.();
    }
  };
}

/** The status file's lines: a comment with the time, `weave<TAB>ok|why`, then `link<TAB>remote<TAB>...`. */
export function parseStatusFile(text: string): Pick<NodeStatus, 'updated' | 'weave' | 'links'> {
  const links: LinkStatus[] = [];
  let weave: string | undefined;
  let updated: string | undefined;
  for (const line of text.split('\n')) {
    const time = /^# .*; (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$/.exec(line);
    if (time) updated = time[1];
    const fields = line.split('\t');
    if (fields[0] === 'weave' && fields.length >= 2) weave = fields.slice(1).join('\t');
    if (fields[0] === 'link' && fields.length >= 9) {
      const [, remote, established, expected, encryption, datapath, mtu, state, ...report] = fields;
      if (!['up', 'degraded', 'down'].includes(state)) continue;
      links.push({ remote, established: Number(established), expected: Number(expected), encryption, datapath, mtu, state: state as LinkStatus['state'], report: report.join('\t') });
    }
  }
  return { updated, weave, links };
}

/** The first line kubectl wrote on stderr, or what kept it from running. */
function why(result: KubectlResult): string {
  if (result.error) return (result.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'kubectl is not installed (or KUBECTL names no program)' : result.error.message;
  const line = result.stderr.split('\n').find((each) => each.trim() !== '');
  return line?.trim() ?? `kubectl exited with ${result.status}`;
}

/**
 * Asks every cluster, through its context, for the status file of each of its route agents: the
 * clusters and their nodes all at once, at most KUBECTL_CALLS_AT_ONCE kubectl calls running, the
 * result in the order of `agents` and of each cluster's pods.
 */
export async function collectStatus(agents: readonly AgentLocation[], kubectl: Kubectl, limit = KUBECTL_CALLS_AT_ONCE): Promise<ClusterStatus[]> {
  const call = limited(kubectl, limit);
  return Promise.all(
    agents.map(async (agent): Promise<ClusterStatus> => {
      const base = ['--context', agent.context, '-n', agent.namespace];
      const listed = await call([...base, 'get', 'pods', '-l', `name=${agent.daemonSet}`, '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.spec.nodeName}{"\\n"}{end}']);
      if (listed.status !== 0 || listed.error) {
        return { cluster: agent.cluster, context: agent.context, nodes: [], problem: `cannot reach the cluster through kubectl context ${agent.context}: ${why(listed)}` };
      }
      const pods = listed.stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => line.split('\t'));
      if (pods.length === 0) {
        return {
          cluster: agent.cluster,
          context: agent.context,
          nodes: [],
          problem: `no ${agent.daemonSet} pod in ${agent.namespace}: the route agent is not deployed there; apply the cluster's rendered kubernetes folder (or let Argo CD or Flux sync it)`,
        };
      }
      const nodes = await Promise.all(
        pods.map(async ([pod, node = '-']): Promise<NodeStatus> => {
          const read = await call([...base, 'exec', pod, '-c', agent.daemonSet, '--', 'cat', STATUS_FILE]);
          if (read.status !== 0 || read.error) {
            const reason = why(read);
            const problem = /No such file|can't open/.test(reason)
              ? `no status file yet: the agent has not finished a round, or it is older than weave-mesh status (re-apply the rendered DaemonSet) (${reason})`
              : `could not read the agent's status file: ${reason}`;
            return { pod, node, links: [], problem };
          }
          return { pod, node, ...parseStatusFile(read.stdout) };
        }),
      );
      return { cluster: agent.cluster, context: agent.context, nodes };
    }),
  );
}

/** Whether everything is connected: every cluster answered, every node's Weave answered, every link up. */
export function allUp(clusters: readonly ClusterStatus[]): boolean {
  return clusters.every((cluster) => !cluster.problem && cluster.nodes.every((node) => !node.problem && node.weave === 'ok' && node.links.every((link) => link.state === 'up')));
}

/** The table of links for people, then one line per trouble with its cause and fix. */
export function formatStatus(clusters: readonly ClusterStatus[]): string[] {
  const rows: string[][] = [['CLUSTER', 'NODE', 'REMOTE', 'LINKS', 'ENCRYPTION', 'DATAPATH', 'MTU', 'STATE']];
  const troubles: string[] = [];
  for (const cluster of clusters) {
    if (cluster.problem) {
      rows.push([cluster.cluster, '-', '-', '-', '-', '-', '-', 'unknown']);
      troubles.push(`${cluster.cluster}: ${cluster.problem}`);
      continue;
    }
    for (const node of cluster.nodes) {
      if (node.problem || node.weave !== 'ok') {
        rows.push([cluster.cluster, node.node, '-', '-', '-', '-', '-', 'unknown']);
        troubles.push(`${cluster.cluster}/${node.node}: ${node.problem ?? `Weave: ${node.weave ?? 'not reported'}`}`);
        continue;
      }
      for (const link of node.links) {
        rows.push([cluster.cluster, node.node, link.remote, `${link.established}/${link.expected}`, link.encryption, link.datapath, link.mtu, link.state]);
        if (link.state !== 'up' || /unencrypted|sleeve/.test(link.encryption + link.datapath)) troubles.push(`${cluster.cluster}/${node.node} -> ${link.remote}: ${link.report}`);
      }
    }
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const table = rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  '));
  return troubles.length === 0 ? table : [...table, '', ...troubles];
}
