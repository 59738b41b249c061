import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { parse } from 'yaml';
import { WeaveMesh } from '../constructs/weave-mesh';
import { runCli } from '../src/cli';
import { clusterConfig, tempDir, writeInventory } from './helpers';
import { busyboxPath, cannotSimulate, inNetns, RunningAgent, SimulatedMesh, SimulatedNode, statusInNetns, waitFor } from './netns';

/**
 * The rendered route agent on simulated nodes: two clusters of two nodes each, every node with a
 * `weave` bridge on one shared L2 segment and a pod behind it. Traffic decides, not route tables alone.
 */

const INTERVAL = 1;
const reason = cannotSimulate();
if (reason && process.env.CI) {
  throw new Error(`the route agent end-to-end test must run in CI, but cannot: ${reason}`);
}
if (reason) console.warn(`skipping the route agent end-to-end test: ${reason}`);
const describeWhenPossible = reason ? describe.skip : describe;

const root = tempDir();
const A = '10.33.0.0/16';
const B = '10.34.0.0/16';
const C = '10.35.0.0/16';

/** Renders an inventory with the real CLI and returns each cluster's agent program and readiness probe, from the YAML. */
function renderAgents(clusters: Record<string, Record<string, any>>, name: string): Record<string, { script: string; probe: string }> {
  const inventory = writeInventory(path.join(root, name, 'clusters'), clusters);
  const outdir = path.join(root, name, 'dist');
  const factory = (mesh: any) => new WeaveMesh(new App(), 'mesh', { mesh, routeAgent: { intervalSeconds: INTERVAL } });
  const code = runCli(['synth', '--clusters', inventory, '--outdir', outdir], factory, { out: () => undefined, err: (line) => console.error(line) });
  expect(code).toBe(0);
  const agents: Record<string, { script: string; probe: string }> = {};
  for (const cluster of Object.keys(clusters)) {
    const daemonSet = parse(fs.readFileSync(path.join(outdir, cluster, 'kubernetes', 'kube-system.daemonset.route-config.yaml'), 'utf8'));
    const container = daemonSet.spec.template.spec.containers[0];
    expect(container.command).toEqual(['/bin/sh', '-c']);
    expect(container.readinessProbe.exec.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    agents[cluster] = { script: container.args[0], probe: container.readinessProbe.exec.command[2] };
  }
  return agents;
}

const inventory = {
  'cluster-a': clusterConfig({ subnet: A, workers: ['192.0.2.11', '192.0.2.12'] }),
  'cluster-b': clusterConfig({ subnet: B, workers: ['198.51.100.11', '198.51.100.12'], serviceCidr: '172.17.0.0/16' }),
  // Not simulated: it only gives cluster A a route that must survive cluster B's removal.
  'cluster-c': clusterConfig({ subnet: C, workers: ['203.0.113.11'], serviceCidr: '172.18.0.0/16' }),
};

describeWhenPossible('the route agent on simulated nodes', () => {
  const prefix = `wm${process.pid % 100000}`;
  let mesh: SimulatedMesh;
  let busybox: string;
  let a1: SimulatedNode, a2: SimulatedNode, b1: SimulatedNode, b2: SimulatedNode;
  const agents = new Map<SimulatedNode, RunningAgent>();
  const rendered = reason ? {} : renderAgents(inventory, 'full');

  const routesOf = (node: SimulatedNode) => inNetns(node.netns, 'ip -4 route show dev weave');
  const hasRoute = (node: SimulatedNode, cidr: string, src: string) =>
    new RegExp(`^${cidr.replace(/\./g, '\\.')} .*src ${src.replace(/\./g, '\\.')}`, 'm').test(routesOf(node));
  const start = (node: SimulatedNode, script: string) => {
    const agent = new RunningAgent(node.netns, script, busybox);
    agents.set(node, agent);
    return agent;
  };
  const ready = (node: SimulatedNode, probe: string) => statusInNetns(node.netns, `PATH=${busybox}:$PATH ${busybox}/sh -c '${probe.replace(/'/g, "'\\''")}'`) === 0;
  /** Log lines reach the test through a pipe, a little after the change they report. */
  const logged = (node: SimulatedNode, line: string) => waitFor(() => agents.get(node)!.lines.includes(line), 3000 * INTERVAL, `the log line "${line}"`);

  beforeAll(() => {
    busybox = busyboxPath();
    mesh = new SimulatedMesh(prefix);
    a1 = mesh.addNode('a1', '10.33.0.1/16', '10.33.1.1/16');
    a2 = mesh.addNode('a2', '10.33.0.2/16', '10.33.2.1/16');
    b1 = mesh.addNode('b1', '10.34.0.1/16', '10.34.1.1/16');
    b2 = mesh.addNode('b2', '10.34.0.2/16', '10.34.2.1/16');
  });

  afterAll(async () => {
    for (const agent of agents.values()) if (agent.running) agent.signal('SIGKILL');
    mesh?.destroy();
    if (busybox) fs.rmSync(busybox, { recursive: true, force: true });
  });

  it('1. without the agents, a pod in A cannot reach a pod in B (negative control)', () => {
    expect(mesh.canReach(a1.podNetns, b1.podAddress)).toBe(false);
    expect(mesh.canReach(b2.podNetns, a2.podAddress)).toBe(false);
    expect(ready(a1, rendered['cluster-a'].probe)).toBe(false);
  });

  it('2. with the agents running, pods in A and B reach each other and nodes reach remote pods', async () => {
    for (const node of [a1, a2]) start(node, rendered['cluster-a'].script);
    for (const node of [b1, b2]) start(node, rendered['cluster-b'].script);
    await waitFor(() => [a1, a2, b1, b2].every((node) => hasRoute(node, node.name.startsWith('a') ? B : A, node.weaveAddress.split('/')[0])), 5000, 'routes on every node');

    expect(hasRoute(a1, C, '10.33.0.1')).toBe(true);
    expect(mesh.canReach(a1.podNetns, b1.podAddress)).toBe(true);
    expect(mesh.canReach(a2.podNetns, b2.podAddress)).toBe(true);
    expect(mesh.canReach(b1.podNetns, a2.podAddress)).toBe(true);
    expect(mesh.canReach(a1.netns, b2.podAddress)).toBe(true);
    expect(mesh.canReach(b2.netns, a1.podAddress)).toBe(true);
    expect(ready(a1, rendered['cluster-a'].probe)).toBe(true);
    expect(ready(b2, rendered['cluster-b'].probe)).toBe(true);
    await logged(a1, 'route-config: added route 10.35.0.0/16 dev weave src 10.33.0.1');
    await logged(b1, 'route-config: added route 10.33.0.0/16 dev weave src 10.34.0.1');
    expect(agents.get(a1)!.lines).toEqual([
      'route-config: added route 10.34.0.0/16 dev weave src 10.33.0.1',
      'route-config: added route 10.35.0.0/16 dev weave src 10.33.0.1',
    ]);
  });

  it('logs nothing while all is well', async () => {
    const before = agents.get(b1)!.lines.length;
    await new Promise((resolve) => setTimeout(resolve, 2500 * INTERVAL));
    expect(agents.get(b1)!.lines.length).toBe(before);
  });

  it('3. after the weave bridge is deleted and recreated, connectivity is back within two intervals', async () => {
    mesh.deleteWeaveBridge(a1);
    await waitFor(() => agents.get(a1)!.lines.some((line) => line.includes('weave interface missing')), 3000 * INTERVAL, 'the agent to notice');
    expect(agents.get(a1)!.running).toBe(true);
    expect(ready(a1, rendered['cluster-a'].probe)).toBe(false);

    mesh.createWeaveBridge(a1);
    const took = await waitFor(() => mesh.canReach(a1.podNetns, b1.podAddress), 2000 * INTERVAL + 1500, 'connectivity after the bridge came back');
    expect(took).toBeLessThanOrEqual(2000 * INTERVAL + 1500);
    expect(mesh.canReach(b2.podNetns, a1.podAddress)).toBe(true);
    await logged(a1, 'route-config: weave interface has address 10.33.0.1 again');
    expect(agents.get(a1)!.lines.slice(-3)).toEqual([
      'route-config: weave interface has address 10.33.0.1 again',
      'route-config: added route 10.34.0.0/16 dev weave src 10.33.0.1',
      'route-config: added route 10.35.0.0/16 dev weave src 10.33.0.1',
    ]);
  });

  it('replaces an owned route whose source address is wrong', async () => {
    inNetns(a2.netns, 'ip addr add 10.33.0.22/16 dev weave && ip route replace 10.34.0.0/16 dev weave src 10.33.0.22 proto 87 metric 87');
    await logged(a2, 'route-config: replaced route 10.34.0.0/16 dev weave src 10.33.0.22 with src 10.33.0.2');
    expect(hasRoute(a2, B, '10.33.0.2')).toBe(true);
    expect(routesOf(a2).match(/^10\.34\.0\.0\/16 /gm)).toHaveLength(1);
  });

  it('4. re-rendered without cluster B, the new agents remove the route to B and nothing else', async () => {
    const { 'cluster-b': _removed, ...withoutB } = inventory;
    const next = renderAgents(withoutB, 'without-b');
    expect(next['cluster-a'].script).not.toEqual(rendered['cluster-a'].script);
    for (const node of [a1, a2]) {
      inNetns(node.netns, 'ip route add 10.99.0.0/16 dev weave');
      // A pod replaced without cleanup (killed, node crash) leaves its routes behind: the new agent must remove them.
      const old = agents.get(node)!;
      old.signal('SIGKILL');
      await old.exited;
      expect(hasRoute(node, B, node.weaveAddress.split('/')[0])).toBe(true);
      start(node, next['cluster-a'].script);
    }
    await waitFor(() => [a1, a2].every((node) => !/^10\.34\.0\.0\/16 /m.test(routesOf(node))), 3000 * INTERVAL, 'the route to B to be removed');
    for (const node of [a1, a2]) {
      // iproute2 leaves out `dev weave` when listing by device.
      expect(routesOf(node)).toMatch(/^10\.99\.0\.0\/16 scope link/m);
      expect(hasRoute(node, C, node.weaveAddress.split('/')[0])).toBe(true);
      await logged(node, 'route-config: removed route 10.34.0.0/16 dev weave (no longer in the mesh)');
      expect(agents.get(node)!.lines).toEqual(['route-config: removed route 10.34.0.0/16 dev weave (no longer in the mesh)']);
    }
    expect(mesh.canReach(a1.podNetns, b1.podAddress)).toBe(false);
    expect(ready(a1, next['cluster-a'].probe)).toBe(true);
  });

  it('5. on SIGTERM the agent removes its own routes and exits 0 promptly', async () => {
    const agent = agents.get(a1)!;
    const sent = Date.now();
    agent.signal('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(Date.now() - sent).toBeLessThan(3000);
    expect(routesOf(a1)).not.toMatch(/metric 87/);
    expect(routesOf(a1)).toMatch(/^10\.99\.0\.0\/16 scope link/m);
    expect(agent.lines).toContain('route-config: removed route 10.35.0.0/16 dev weave (shutting down)');
  });

  it('works the same with iproute2\'s ip, whose output differs from BusyBox\'s', async () => {
    // iproute2 prints `proto 87` and leaves out `dev weave` when listing by device.
    const iproute2 = fs.mkdtempSync(path.join(root, 'iproute2-'));
    fs.symlinkSync(execFileSync('sh', ['-c', 'command -v ip'], { encoding: 'utf8' }).trim(), path.join(iproute2, 'ip'));
    const agent = new RunningAgent(a1.netns, rendered['cluster-a'].script, busybox, iproute2);
    agents.set(a1, agent);
    await logged(a1, 'route-config: added route 10.35.0.0/16 dev weave src 10.33.0.1');
    expect(routesOf(a1)).toMatch(/^10\.35\.0\.0\/16 proto 87 scope link src 10\.33\.0\.1 metric 87/m);
    agent.signal('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(routesOf(a1)).not.toMatch(/metric 87/);
    expect(routesOf(a1)).toMatch(/^10\.99\.0\.0\/16 scope link/m);
  });
});
