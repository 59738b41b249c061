import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { IPv4 } from 'ip-num';
import { parse, stringify } from 'yaml';
import { lowestFreeSubnet } from '../src/mesh/allocate';
import { Cidr, parseIPv4Cidr } from '../src/net/cidr';
import { readTree, run, tempDir, writeInventory } from './helpers';

const root = tempDir();
let counter = 0;
const POD = (parseIPv4Cidr('10.32.0.0/12') as { value: Cidr }).value;

interface ClusterShape {
  prefixLength: number;
  workers: number;
  extraPeers: readonly number[];
}

/** 2 to 40 clusters with mixed subnet sizes (/19 to /24, so 40 of them always fit in 10.32.0.0/12) and 1 to 10 workers. */
const meshShapes = fc.array(
  fc.record({
    prefixLength: fc.constantFrom(19, 20, 22, 24),
    workers: fc.integer({ min: 1, max: 10 }),
    extraPeers: fc.uniqueArray(fc.integer({ min: 1, max: 30 }), { maxLength: 3 }),
  }),
  { minLength: 2, maxLength: 40 },
);

/** The inventory of a shape: subnets allocated lowest-first, addresses unique by construction. */
function inventoryOf(shapes: ClusterShape[]): Record<string, Record<string, any>> {
  const used: Cidr[] = [];
  const clusters: Record<string, Record<string, any>> = {};
  shapes.forEach((shape, index) => {
    const subnet = lowestFreeSubnet(POD, used, shape.prefixLength)!;
    used.push(subnet);
    clusters[`c${index}`] = {
      hosts: [{ address: `100.64.${index}.200`, role: 'master', user: 'ubuntu' }, ...Array.from({ length: shape.workers }, (_, worker) => ({ address: `100.64.${index}.${worker + 1}`, role: 'worker' }))],
      network: {
        provider: 'weave',
        service_cidr: `172.16.${index}.0/24`,
        pod_network_cidr: '10.32.0.0/12',
        weave: {
          password: './shared_password',
          ipalloc_default_subnet: subnet.text,
          ...(shape.extraPeers.length > 0 ? { known_peers: shape.extraPeers.map((host) => `203.0.113.${host}`) } : {}),
        },
      },
    };
  });
  return clusters;
}

function render(clusters: Record<string, Record<string, any> | string>) {
  const dir = path.join(root, `case-${++counter}`);
  const inventory = writeInventory(path.join(dir, 'clusters'), clusters);
  const outdir = path.join(dir, 'dist');
  const result = run(['synth', '--clusters', inventory, '--outdir', outdir]);
  const tree = result.code === 0 ? readTree(outdir) : new Map<string, string>();
  fs.rmSync(dir, { recursive: true, force: true });
  return { ...result, tree };
}

function shuffled<T>(items: T[], seed: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = (seed * (i + 7)) % (i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

describe('random valid meshes', () => {
  it('always render, with full-mesh routes and exact peers, byte-identical under permutation', () => {
    fc.assert(
      fc.property(meshShapes, fc.integer({ min: 1, max: 1000 }), (shapes, seed) => {
        const clusters = inventoryOf(shapes);
        const result = render(clusters);
        // Past 100 Weave peers (every host, plus the distinct extra known_peers) the mesh is valid but
        // warned about once ([weave-peer-count], docs/warnings.md); nothing else is ever said.
        const peers = shapes.reduce((count, shape) => count + 1 + shape.workers, 0) + new Set(shapes.flatMap((shape) => shape.extraPeers)).size;
        const said = result.stderr.split('\n').filter((line) => line !== '');
        expect(said.filter((line) => !/^warning: .*\[weave-peer-count\]$/.test(line))).toEqual([]);
        expect(said).toHaveLength(peers > 100 ? 1 : 0);
        expect(result.code).toBe(0);
        const names = Object.keys(clusters);
        const subnetOf = (name: string) => clusters[name].network.weave.ipalloc_default_subnet;
        const workersOf = (name: string) => clusters[name].hosts.filter((host: any) => host.role === 'worker').map((host: any) => host.address);
        for (const name of names) {
          const daemonSet = parse(result.tree.get(`${name}/kubernetes/kube-system.daemonset.route-config.yaml`)!);
          const routes = /^desired="(.*)"$/m.exec(daemonSet.spec.template.spec.containers[0].args[0])![1].split(' ').filter(Boolean);
          const others = names.filter((other) => other !== name);
          expect([...routes].sort()).toEqual(others.map(subnetOf).sort());
          expect(routes).not.toContain(subnetOf(name));
          const peers: string[] = parse(result.tree.get(`${name}/pharos/cluster.yml`)!).network.weave.known_peers;
          const expected = new Set([...others.flatMap(workersOf), ...(clusters[name].network.weave.known_peers ?? [])]);
          expect(new Set(peers)).toEqual(expected);
          expect(peers).toHaveLength(expected.size);
        }

        const permuted: Record<string, Record<string, any>> = {};
        for (const name of shuffled(names, seed)) {
          permuted[name] = structuredClone(clusters[name]);
          permuted[name].hosts = shuffled(permuted[name].hosts, seed + 1);
        }
        // Every derived file is byte-identical; a cluster.yml keeps its hosts in the order written, and nothing else moves.
        const again = render(permuted).tree;
        const withoutHosts = (tree: Map<string, string>) => new Map([...tree].map(([file, content]) => [file, file.endsWith('/pharos/cluster.yml') ? JSON.stringify({ ...parse(content), hosts: undefined }) : content]));
        expect(withoutHosts(again)).toEqual(withoutHosts(result.tree));
      }),
      { numRuns: 12 },
    );
  });
});

/** Every path in a config, to a value of any kind. */
function paths(value: any, at: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [at];
  return [at, ...Object.entries(value).flatMap(([key, item]) => paths(item, [...at, Array.isArray(value) ? Number(key) : key]))].filter((p) => p.length > 0);
}

const replacements = fc.constantFrom<unknown>(null, 0, 42, -1, true, 'text', '', [], {}, ['10.0.0.0/8'], { a: 1 }, '10.33.0.0/16', '::1', 'fd00::/8', '1e3');

type Mutation = { kind: 'delete' | 'retype' | 'shift'; path: number; value: unknown; octet: number } | { kind: 'duplicate'; path: number };

const mutations = fc.oneof(
  fc.record({ kind: fc.constantFrom('delete' as const, 'retype' as const, 'shift' as const), path: fc.nat(), value: replacements, octet: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), path: fc.nat() }),
);

function mutate(clusters: Record<string, Record<string, any>>, target: string, mutation: Mutation): Record<string, Record<string, any> | string> {
  const config = structuredClone(clusters[target]);
  const all = paths(config);
  const at = all[mutation.path % all.length];
  const parent = at.slice(0, -1).reduce((node: any, key) => node[key], config);
  const key = at[at.length - 1];
  if (mutation.kind === 'duplicate') {
    // Duplicate a line of the file: a duplicated key, or a duplicated list item.
    const lines = stringify(config).split('\n');
    const line = mutation.path % (lines.length - 1);
    lines.splice(line, 0, lines[line]);
    return { ...clusters, [target]: lines.join('\n') };
  }
  if (mutation.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (mutation.kind === 'retype') {
    parent[key] = mutation.value;
  } else {
    const value = parent[key];
    parent[key] = typeof value === 'string' ? value.replace(/\d+/, (octet) => String(Number(octet) + mutation.octet)) : value;
  }
  return { ...clusters, [target]: config };
}

describe('random mutations of valid inventories', () => {
  it('render a valid mesh or are refused with one-line errors: never an exception, never a stack trace', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ prefixLength: fc.constantFrom(16, 20), workers: fc.integer({ min: 1, max: 3 }), extraPeers: fc.constant([]) }), { minLength: 2, maxLength: 4 }), fc.nat(), mutations, (shapes, which, mutation) => {
        const clusters = inventoryOf(shapes);
        const target = Object.keys(clusters)[which % shapes.length];
        const result = render(mutate(clusters, target, mutation));
        expect([0, 1]).toContain(result.code);
        expect(result.stderr).not.toMatch(/\n\s+at |failed:|internal/);
        for (const line of result.stderr.split('\n').filter(Boolean)) {
          expect(line).toMatch(/^(error: |warning: |weave-mesh: \d+ errors? in )/);
        }
        if (result.code === 1) expect(result.stderr).toMatch(/^error: /m);
      }),
      { numRuns: 150 },
    );
  });
});

describe('addresses that parse but make no sense', () => {
  const octet = fc.integer({ min: 0, max: 255 });
  /** A random address from a reserved range, with the words the error uses for it. */
  const reserved = fc.oneof(
    fc.tuple(octet, octet, octet).map(([b, c, d]) => [`0.${b}.${c}.${d}`, 'an unspecified'] as const),
    fc.tuple(octet, octet, octet).map(([b, c, d]) => [`127.${b}.${c}.${d}`, 'a loopback address'] as const),
    fc.tuple(octet, octet).map(([c, d]) => [`169.254.${c}.${d}`, 'a link-local address'] as const),
    fc.tuple(fc.integer({ min: 224, max: 239 }), octet, octet, octet).map(([a, b, c, d]) => [`${a}.${b}.${c}.${d}`, 'a multicast address'] as const),
    fc.tuple(fc.integer({ min: 240, max: 255 }), octet, octet, octet).map(([a, b, c, d]) => [`${a}.${b}.${c}.${d}`, 'a reserved or broadcast address'] as const),
  );
  const field = fc.constantFrom('address', 'private_address', 'known_peer');

  it('a reserved address anywhere a node or peer address goes is refused, with what it is', () => {
    fc.assert(
      fc.property(meshShapes, reserved, field, fc.nat(), (shapes, [address, what], where, pick) => {
        const clusters = inventoryOf(shapes);
        const name = Object.keys(clusters)[pick % shapes.length];
        const config = clusters[name];
        if (where === 'known_peer') config.network.weave.known_peers = [address];
        else config.hosts[1][where] = address;
        const result = render(clusters);
        expect(result.code).toBe(1);
        const errors = result.stderr.split('\n').filter((line) => line.startsWith('error: '));
        expect(errors).toEqual([expect.stringContaining(`cluster ${name}: `)]);
        expect(errors[0]).toContain(`${address} is ${what}`);
      }),
      { numRuns: 15 },
    );
  });

  it("a private address inside any cluster's subnet, or a peer that is another cluster's worker, is refused", () => {
    fc.assert(
      fc.property(
        meshShapes.filter((shapes) => shapes.length >= 2),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        (shapes, pickA, pickB, asPeer) => {
          const clusters = inventoryOf(shapes);
          const names = Object.keys(clusters);
          const a = names[pickA % names.length];
          const b = names.filter((name) => name !== a)[pickB % (names.length - 1)];
          if (asPeer) {
            clusters[a].network.weave.known_peers = [clusters[b].hosts[1].address];
          } else {
            // An address in the middle of b's subnet: once routes exist, a's node would be unreachable from its own cluster.
            const subnet = (parseIPv4Cidr(clusters[b].network.weave.ipalloc_default_subnet) as { value: Cidr }).value;
            clusters[a].hosts[1].private_address = new IPv4(subnet.range.getFirst().getValue() + 7n).toString();
          }
          const result = render(clusters);
          expect(result.code).toBe(1);
          expect(result.stderr).toMatch(asPeer ? new RegExp(`cluster ${a}: network\\.weave\\.known_peers\\[0\\]: .* is a worker of cluster ${b} `) : new RegExp(`cluster ${a}: hosts\\[1\\]\\.private_address: .* lies inside the pod network`));
        },
      ),
      { numRuns: 15 },
    );
  });
});
