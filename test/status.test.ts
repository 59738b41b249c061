// Needs: busybox
import * as fs from 'fs';
import * as path from 'path';
import { routeAgentScript } from '../constructs/route-agent-script';
import { collectStatus, formatStatus, parseStatusFile, systemKubectl } from '../src/status/links';
import { FakeNode } from './fake-tools';
import { runAsync, tempDir, threeClusters, writeInventory } from './helpers';
import { connectionsBody, DECRYPT, established, failed, peerName, refused, retrying } from './weave-status';

/**
 * `weave-mesh status` against a stand-in kubectl that answers from recorded outputs: per context its
 * pod list (the jsonpath the command asks for), each pod's status file, or the error of a cluster that
 * cannot be reached. The status files are written by the real agent (constructs/agent/links.sh, run
 * with the fake tools) reading Weave 2.6.5's /status/connections.
 */

const root = tempDir();
const recorded = path.join(root, 'recorded');
const kubectl = path.join(root, 'kubectl');
fs.writeFileSync(
  kubectl,
  `#!/bin/sh
# A stand-in for kubectl: answers from $RECORDED/<context>/.
printf '%s\\n' "$*" >> "$RECORDED/calls"
[ "$1" = --context ] || { echo "stand-in: expected --context first" >&2; exit 2; }
dir="$RECORDED/$2"
[ -d "$dir" ] || { echo "error: context \\"$2\\" does not exist" >&2; exit 1; }
if [ -f "$dir/unreachable" ]; then cat "$dir/unreachable" >&2; exit 1; fi
case $5 in
  get) cat "$dir/pods" ;;
  exec)
    if [ -f "$dir/$6.links" ]; then cat "$dir/$6.links"; exit 0; fi
    echo "cat: can't open '/run/weave-mesh/links': No such file or directory" >&2
    echo "command terminated with exit code 1" >&2
    exit 1 ;;
esac
`,
  { mode: 0o755 },
);
const inventory = writeInventory(path.join(root, 'clusters'), threeClusters());

const fakes: FakeNode[] = [];
afterAll(() => fakes.forEach((fake) => fake.remove()));

/** The status file the real agent writes on a node of cluster A when Weave reports these connections. */
function agentStatusFile(body: string): string {
  const fake = new FakeNode('amd64');
  fakes.push(fake);
  fake.on('curl*', { out: body }).on('ip -o -4 addr show dev weave', { out: '5: weave    inet 10.33.0.1/16 brd 10.33.255.255 scope global weave' });
  const peers = [
    { cluster: 'cluster-b', addresses: ['198.51.100.11', '198.51.100.12'] },
    { cluster: 'cluster-c', addresses: ['203.0.113.11'] },
  ];
  fake.run(routeAgentScript({ localSubnet: '10.33.0.0/16', routedSubnets: ['10.34.0.0/16', '10.35.0.0/16'], intervalSeconds: 2, routeProtocol: 87, iptablesBackend: 'auto', peers }), 1);
  return fs.readFileSync(path.join(fake.statusDir, 'links'), 'utf8');
}

const B1 = peerName(1, 'node-b1');
const B2 = peerName(2, 'node-b2');
const C1 = peerName(3, 'node-c1');
const healthy = agentStatusFile(connectionsBody([established('198.51.100.11:6783', B1), established('198.51.100.12:6783', B2), established('203.0.113.11:6783', C1)]));
const passwordDiffers = agentStatusFile(connectionsBody([failed('198.51.100.11:6783', DECRYPT), retrying('198.51.100.12:6783', refused('198.51.100.12:6783')), established('203.0.113.11:6783', C1)]));

function record(contexts: Record<string, { pods?: string[]; files?: Record<string, string>; unreachable?: string }>): void {
  fs.rmSync(recorded, { recursive: true, force: true });
  fs.mkdirSync(recorded);
  for (const [context, answer] of Object.entries(contexts)) {
    const dir = path.join(recorded, context);
    fs.mkdirSync(dir);
    if (answer.unreachable) fs.writeFileSync(path.join(dir, 'unreachable'), `${answer.unreachable}\n`);
    fs.writeFileSync(path.join(dir, 'pods'), (answer.pods ?? []).map((pod) => `${pod}\n`).join(''));
    for (const [pod, text] of Object.entries(answer.files ?? {})) fs.writeFileSync(path.join(dir, `${pod}.links`), text);
  }
}

function status(...args: string[]) {
  return statusOf(inventory, ...args);
}

async function statusOf(clusters: string, ...args: string[]) {
  const before = { KUBECTL: process.env.KUBECTL, RECORDED: process.env.RECORDED };
  process.env.KUBECTL = kubectl;
  process.env.RECORDED = recorded;
  try {
    return await runAsync(['status', '--clusters', clusters, ...args]);
  } finally {
    for (const [key, value] of Object.entries(before))
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
  }
}

const UNREACHABLE = 'Unable to connect to the server: dial tcp 203.0.113.10:6443: i/o timeout';

describe('weave-mesh status', () => {
  it('reads the status file the agent writes', () => {
    const parsed = parseStatusFile(passwordDiffers);
    expect(parsed.weave).toBe('ok');
    expect(parsed.updated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(parsed.links.map(({ remote, established: up, expected, state }) => [remote, up, expected, state])).toEqual([
      ['cluster-b', 0, 2, 'down'],
      ['cluster-c', 1, 1, 'up'],
    ]);
    expect(parsed.links[0].report).toContain('198.51.100.11 rejected by the Weave password (Weave: "Unable to decrypt TCP msg")');
    expect(parsed.links[0].report).toContain('198.51.100.12 refused on 6783/tcp (connection refused)');
  });

  it("all links up: one table of every node's links to every other cluster, exit 0", async () => {
    record({
      'cluster-a': { pods: ['route-config-a1\tnode-a1'], files: { 'route-config-a1': healthy } },
      'cluster-b': { pods: ['route-config-b1\tnode-b1'], files: { 'route-config-b1': healthy.replace(/cluster-b/g, 'cluster-a') } },
      'cluster-c': {
        pods: ['route-config-c1\tnode-c1'],
        files: {
          'route-config-c1': healthy
            .replace(/cluster-c/g, 'cluster-a')
            .replace(/cluster-b/g, 'cluster-c')
            .replace(/\tcluster-c\t/, '\tcluster-b\t'),
        },
      },
    });
    const result = await status();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      'CLUSTER    NODE     REMOTE     LINKS  ENCRYPTION  DATAPATH  MTU   STATE',
      'cluster-a  node-a1  cluster-b  2/2    encrypted   fastdp    1376  up',
      'cluster-a  node-a1  cluster-c  1/1    encrypted   fastdp    1376  up',
      'cluster-b  node-b1  cluster-a  2/2    encrypted   fastdp    1376  up',
      'cluster-b  node-b1  cluster-c  1/1    encrypted   fastdp    1376  up',
      'cluster-c  node-c1  cluster-b  2/2    encrypted   fastdp    1376  up',
      'cluster-c  node-c1  cluster-a  1/1    encrypted   fastdp    1376  up',
    ]);
    // The clusters are asked at once: the calls' order is kubectl's, not the table's.
    const calls = fs.readFileSync(path.join(recorded, 'calls'), 'utf8').split('\n').filter(Boolean);
    expect(calls).toHaveLength(6);
    expect(calls).toContain('--context cluster-a -n kube-system get pods -l name=route-config -o jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.spec.nodeName}{"\\n"}{end}');
    expect(calls).toContain('--context cluster-a -n kube-system exec route-config-a1 -c route-config -- cat /run/weave-mesh/links');
  });

  it('a link down, an unreachable context, a missing agent and a node without a status file: each said, with its cause; exit 1', async () => {
    record({
      'cluster-a': { pods: ['route-config-a1\tnode-a1', 'route-config-a2\tnode-a2', 'route-config-a3\tnode-a3'], files: { 'route-config-a1': healthy, 'route-config-a2': passwordDiffers } },
      'cluster-b': { pods: [] },
      'cluster-c': { unreachable: UNREACHABLE },
    });
    const result = await status();
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 7)).toEqual([
      'CLUSTER    NODE     REMOTE     LINKS  ENCRYPTION  DATAPATH  MTU   STATE',
      'cluster-a  node-a1  cluster-b  2/2    encrypted   fastdp    1376  up',
      'cluster-a  node-a1  cluster-c  1/1    encrypted   fastdp    1376  up',
      'cluster-a  node-a2  cluster-b  0/2    -           -         -     down',
      'cluster-a  node-a2  cluster-c  1/1    encrypted   fastdp    1376  up',
      'cluster-a  node-a3  -          -      -           -         -     unknown',
      'cluster-b  -        -          -      -           -         -     unknown',
    ]);
    expect(lines).toContain(`cluster-c: cannot reach the cluster through kubectl context cluster-c: ${UNREACHABLE}`);
    expect(lines).toContain("cluster-b: no route-config pod in kube-system: the route agent is not deployed there; apply the cluster's rendered kubernetes folder (or let Argo CD or Flux sync it)");
    expect(lines.find((line) => line.startsWith('cluster-a/node-a2 -> cluster-b: '))).toMatch(
      /^cluster-a\/node-a2 -> cluster-b: 0 of 2 connections established; 198\.51\.100\.11 rejected by the Weave password .*; 198\.51\.100\.12 refused on 6783\/tcp/,
    );
    expect(lines.find((line) => line.startsWith('cluster-a/node-a3: '))).toMatch(/^cluster-a\/node-a3: no status file yet: .*re-apply the rendered DaemonSet/);
    expect(result.stderr).toBe('weave-mesh: not every link between the clusters is up; the lines above say why, and what to do');
  });

  it('--format json: one document with every cluster, node and link', async () => {
    record({
      'cluster-a': { pods: ['route-config-a2\tnode-a2'], files: { 'route-config-a2': passwordDiffers } },
      'cluster-b': { pods: [] },
      'cluster-c': { unreachable: UNREACHABLE },
    });
    const result = await status('--format', 'json');
    expect(result.code).toBe(1);
    const document = JSON.parse(result.stdout);
    expect(document.command).toBe('status');
    expect(document.allUp).toBe(false);
    expect(document.clusters.map((cluster: { cluster: string }) => cluster.cluster)).toEqual(['cluster-a', 'cluster-b', 'cluster-c']);
    expect(document.clusters[0].nodes[0]).toMatchObject({
      pod: 'route-config-a2',
      node: 'node-a2',
      weave: 'ok',
      links: [
        { remote: 'cluster-b', established: 0, expected: 2, state: 'down' },
        { remote: 'cluster-c', state: 'up' },
      ],
    });
    expect(document.clusters[2]).toEqual({ cluster: 'cluster-c', context: 'cluster-c', nodes: [], problem: `cannot reach the cluster through kubectl context cluster-c: ${UNREACHABLE}` });
  });

  it('a mesh of one cluster has no links to show, and asks no cluster', async () => {
    const single = writeInventory(path.join(root, 'single'), { 'cluster-a': threeClusters()['cluster-a'] });
    record({});
    const result = await statusOf(single);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('weave-mesh: the mesh has one cluster: there are no links between clusters to show');
    expect(fs.existsSync(path.join(recorded, 'calls'))).toBe(false);
  });

  it('asks every cluster and node at once, never more than the limit of kubectl calls, and keeps the order of clusters and nodes', async () => {
    const agents = Array.from({ length: 20 }, (_, index) => ({ cluster: `cluster-${index}`, context: `ctx-${index}`, namespace: 'kube-system', daemonSet: 'route-config' }));
    let running = 0;
    let most = 0;
    const calls: string[] = [];
    const kubectl = async (args: readonly string[]) => {
      calls.push(args.join(' '));
      running++;
      most = Math.max(most, running);
      // Answers after the other calls of this turn have started: as kubectl does, over the network.
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      const context = args[1];
      const file = `# route-config: ...; 2026-12-04T21:40:00Z\nweave\tok\nlink\tother\t1\t1\tencrypted\tfastdp\t1376\tup\tfrom ${context} ${args[5]}\n`;
      return args.includes('get') ? { status: 0, stdout: `route-config-1\tnode-1\nroute-config-2\tnode-2\n`, stderr: '' } : { status: 0, stdout: file, stderr: '' };
    };
    const clusters = await collectStatus(agents, kubectl, 4);
    expect(most).toBe(4);
    expect(calls).toHaveLength(60);
    expect(clusters.map((cluster) => cluster.context)).toEqual(agents.map((agent) => agent.context));
    expect(clusters[7].nodes.map((node) => [node.node, node.links[0].report])).toEqual([
      ['node-1', 'from ctx-7 route-config-1'],
      ['node-2', 'from ctx-7 route-config-2'],
    ]);
    // The whole mesh's pods are listed before the first node is read: one cluster's slow answer holds up no other.
    expect(calls.slice(0, 20).every((call) => call.includes(' get pods '))).toBe(true);
  });

  it('Weave not answering on a node, and no kubectl at all', async () => {
    const notAnswering = '# route-config: ...; 2026-12-04T21:40:00Z\nweave\tWeave does not answer on 127.0.0.1:6784 (connection refused): weave-net is not running on this node, or is starting\n';
    const [cluster] = await collectStatus([{ cluster: 'cluster-a', context: 'ctx-a', namespace: 'kube-system', daemonSet: 'route-config' }], async (args) =>
      args.includes('get') ? { status: 0, stdout: 'route-config-a1\tnode-a1\n', stderr: '' } : { status: 0, stdout: notAnswering, stderr: '' },
    );
    expect(formatStatus([cluster]).slice(-1)).toEqual(['cluster-a/node-a1: Weave: Weave does not answer on 127.0.0.1:6784 (connection refused): weave-net is not running on this node, or is starting']);
    const [none] = await collectStatus([{ cluster: 'cluster-a', context: 'ctx-a', namespace: 'kube-system', daemonSet: 'route-config' }], systemKubectl(path.join(root, 'no-such-kubectl')));
    expect(none.problem).toBe('cannot reach the cluster through kubectl context ctx-a: kubectl is not installed (or KUBECTL names no program)');
  });
});
