// Needs: kubectl
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import { WeaveMesh } from '../constructs/weave-mesh';
import { loadInventory } from '../src/inventory/load';
import { kustomize, readTree, REPO, runCli, synth, tempDir, threeClusters, writeInventory } from './helpers';

const root = tempDir();

function renderInto(name: string, clusters: Record<string, Record<string, any> | string>) {
  const inventory = writeInventory(path.join(root, name, 'clusters'), clusters);
  const outdir = path.join(root, name, 'dist');
  const result = synth(['--clusters', inventory, '--outdir', outdir]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return { inventory, outdir, result, tree: readTree(outdir) };
}

function daemonSetOf(tree: Map<string, string>, cluster: string) {
  return parse(tree.get(`${cluster}/kubernetes/kube-system.daemonset.route-config.yaml`)!);
}

describe('the shipped reference example', () => {
  // Laid out as in the repository (clusters/ beside dist/), since paths in cluster.yml are rebased between the two.
  const outdir = path.join(root, 'reference', 'dist');
  let tree: Map<string, string>;
  beforeAll(() => {
    fs.cpSync(path.join(REPO, 'clusters'), path.join(root, 'reference', 'clusters'), { recursive: true });
    const result = synth(['--clusters', path.join(root, 'reference', 'clusters'), '--outdir', outdir]);
    expect(result.code).toBe(0);
    tree = readTree(outdir);
  });

  it('renders one directory per cluster: Pharos config beside a synced folder', () => {
    expect([...tree.keys()]).toEqual([
      '.weave-mesh',
      'README.md',
      '_gitops/argocd/argocd.applicationset.weave-mesh.yaml',
      '_gitops/argocd/kustomization.yaml',
      '_gitops/flux/clusters/cluster-a/flux-system.gitrepository.weave-mesh.yaml',
      '_gitops/flux/clusters/cluster-a/flux-system.kustomization.weave-mesh.yaml',
      '_gitops/flux/clusters/cluster-b/flux-system.gitrepository.weave-mesh.yaml',
      '_gitops/flux/clusters/cluster-b/flux-system.kustomization.weave-mesh.yaml',
      '_teardown/kube-system.daemonset.route-config-teardown.yaml',
      '_teardown/kustomization.yaml',
      'cluster-a/kubernetes/kube-system.daemonset.route-config.yaml',
      'cluster-a/kubernetes/kustomization.yaml',
      'cluster-a/pharos/cluster.yml',
      'cluster-b/kubernetes/kube-system.daemonset.route-config.yaml',
      'cluster-b/kubernetes/kustomization.yaml',
      'cluster-b/pharos/cluster.yml',
    ]);
  });

  it('renders each whole cluster file with the reference network block: peers filled in, the password path rebased', () => {
    const inventory = (cluster: string) => parse(fs.readFileSync(path.join(REPO, 'clusters', `${cluster}.yml`), 'utf8'));
    const expected = (cluster: string, peers: string[]) => {
      const config = inventory(cluster);
      config.network.weave = { ...config.network.weave, password: '../../../clusters/shared_password', known_peers: peers };
      return config;
    };
    expect(parse(tree.get('cluster-a/pharos/cluster.yml')!)).toEqual(expected('cluster-a', ['198.51.100.11', '198.51.100.12']));
    expect(parse(tree.get('cluster-b/pharos/cluster.yml')!)).toEqual(expected('cluster-b', ['192.0.2.11', '192.0.2.12']));
    expect(parse(tree.get('cluster-b/pharos/cluster.yml')!).network).toEqual({
      provider: 'weave',
      service_cidr: '172.17.0.0/16',
      pod_network_cidr: '10.32.0.0/12',
      weave: { password: '../../../clusters/shared_password', ipalloc_default_subnet: '10.34.0.0/16', known_peers: ['192.0.2.11', '192.0.2.12'] },
    });
  });

  it("routes each cluster to the other's subnet, as the reference DaemonSets do", () => {
    const script = (cluster: string) => daemonSetOf(tree, cluster).spec.template.spec.containers[0].args[0];
    expect(script('cluster-a')).toContain('desired="10.34.0.0/16"\n');
    expect(script('cluster-b')).toContain('desired="10.33.0.0/16"\n');
  });

  it('lists exactly the Kubernetes objects of the folder in kustomization.yaml', () => {
    const kustomization = parse(tree.get('cluster-a/kubernetes/kustomization.yaml')!);
    expect(kustomization).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['kube-system.daemonset.route-config.yaml'],
    });
  });

  it('puts only Kubernetes objects, each with apiVersion, kind, metadata and a namespace, in the synced and hub folders', () => {
    for (const [file, content] of tree) {
      if (!file.endsWith('.yaml') || file.endsWith('/kustomization.yaml')) continue;
      for (const document of parseAllDocuments(content)) {
        const object = document.toJS();
        expect(object).toEqual(expect.objectContaining({ apiVersion: expect.any(String), kind: expect.any(String) }));
        expect(object.metadata).toEqual(expect.objectContaining({ name: expect.any(String), namespace: expect.any(String) }));
      }
    }
  });

  it('matches the committed dist/ byte for byte', () => {
    expect(tree).toEqual(readTree(path.join(REPO, 'dist')));
  });
});

describe('a three-cluster mesh', () => {
  it('gets full-mesh peers and routes', () => {
    const { tree } = renderInto('three', threeClusters());
    const peers = (cluster: string) => parse(tree.get(`${cluster}/pharos/cluster.yml`)!).network.weave.known_peers;
    expect(peers('cluster-a')).toEqual(['198.51.100.11', '198.51.100.12', '203.0.113.11']);
    expect(peers('cluster-b')).toEqual(['192.0.2.11', '192.0.2.12', '203.0.113.11']);
    expect(peers('cluster-c')).toEqual(['192.0.2.11', '192.0.2.12', '198.51.100.11', '198.51.100.12']);
    const desired = (cluster: string) => /^desired="(.*)"$/m.exec(daemonSetOf(tree, cluster).spec.template.spec.containers[0].args[0])![1];
    expect(desired('cluster-a')).toBe('10.34.0.0/16 10.35.0.0/16');
    expect(desired('cluster-b')).toBe('10.33.0.0/16 10.35.0.0/16');
    expect(desired('cluster-c')).toBe('10.33.0.0/16 10.34.0.0/16');
  });

  it('keeps extra known_peers and other Pharos settings as written', () => {
    const clusters = threeClusters();
    clusters['cluster-a'].network.weave.known_peers = ['203.0.113.200', 'peer.example.org'];
    clusters['cluster-a'].network.weave.trusted_subnets = ['10.0.0.0/8'];
    clusters['cluster-a'].network.dns_replicas = 3;
    const { tree } = renderInto('extras', clusters);
    expect(parse(tree.get('cluster-a/pharos/cluster.yml')!).network).toEqual({
      provider: 'weave',
      service_cidr: '172.16.0.0/16',
      pod_network_cidr: '10.32.0.0/12',
      dns_replicas: 3,
      weave: {
        password: '../../../clusters/shared_password',
        ipalloc_default_subnet: '10.33.0.0/16',
        known_peers: ['198.51.100.11', '198.51.100.12', '203.0.113.11', '203.0.113.200', 'peer.example.org'],
        trusted_subnets: ['10.0.0.0/8'],
      },
    });
  });
});

describe('determinism', () => {
  it('renders byte-identical output twice, whatever the order files were created in', () => {
    const clusters = threeClusters();
    const reversed = Object.fromEntries(Object.entries(clusters).reverse());
    const first = renderInto('det-1', clusters).tree;
    const second = renderInto('det-2', reversed).tree;
    expect(second).toEqual(first);
  });

  it('does not depend on cdk8s environment variables or the working directory', () => {
    const inventory = writeInventory(path.join(root, 'env', 'clusters'), threeClusters());
    const plain = path.join(root, 'env', 'plain');
    const noisy = path.join(root, 'env', 'noisy');
    expect(runCli(['--clusters', inventory, '--outdir', plain]).code).toBe(0);
    const result = runCli(['--clusters', path.relative(root, inventory), '--outdir', noisy], {
      cwd: root,
      env: { CDK8S_DISABLE_SORT: 'true', CDK8S_LEGACY_HASH: 'true', CDK8S_RECORD_CONSTRUCT_METADATA: 'true' },
    });
    expect(result.code).toBe(0);
    expect(readTree(noisy)).toEqual(readTree(plain));
    for (const content of readTree(plain).values()) expect(content).not.toContain(root);
  });
});

describe('rewriting the output folder', () => {
  it('removes what the inventory no longer renders: a removed cluster loses its directory, stray files vanish', () => {
    const { inventory, outdir } = renderInto('rewrite', threeClusters());
    fs.writeFileSync(path.join(outdir, 'cluster-a', 'kubernetes', 'stale.yaml'), 'kind: Old\n');
    fs.rmSync(path.join(inventory, 'cluster-c.yml'));
    expect(synth(['--clusters', inventory, '--outdir', outdir]).code).toBe(0);
    const tree = readTree(outdir);
    expect([...tree.keys()].filter((file) => file.includes('cluster-c'))).toEqual([]);
    expect(tree.has('cluster-a/kubernetes/stale.yaml')).toBe(false);
    expect(fs.readdirSync(path.dirname(outdir)).sort()).toEqual(['clusters', 'dist']);
  });

  it('leaves an up-to-date output folder untouched, files and modification times', () => {
    const { inventory, outdir } = renderInto('unchanged', threeClusters());
    const stamp = (file: string) => fs.statSync(path.join(outdir, file)).mtimeMs;
    const before = [...readTree(outdir).keys()].map((file) => [file, stamp(file)]);
    const result = synth(['--clusters', inventory, '--outdir', outdir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`rendered 3 clusters into ${outdir} (unchanged)`);
    expect([...readTree(outdir).keys()].map((file) => [file, stamp(file)])).toEqual(before);
  });

  it('leaves the output folder byte-for-byte as it was after a failed run', () => {
    const { inventory, outdir, tree: before } = renderInto('failed', threeClusters());
    fs.writeFileSync(path.join(inventory, 'cluster-b.yml'), 'hosts: [\n');
    const result = synth(['--clusters', inventory, '--outdir', outdir]);
    expect(result.code).toBe(1);
    expect(readTree(outdir)).toEqual(before);
    expect(fs.readdirSync(path.dirname(outdir)).sort()).toEqual(['clusters', 'dist']);
  });
});

describe('the command line', () => {
  it('exits 0 with a summary of clusters, subnets, peers and routes', () => {
    const outdir = path.join(root, 'cli-ok');
    const result = runCli(['--clusters', 'clusters', '--outdir', outdir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`weave-mesh: rendered 2 clusters into ${outdir}`);
    expect(result.stdout).toMatch(/^ {2}cluster {4}subnet {8}workers {2}peers {2}routes$/m);
    expect(result.stdout).toMatch(/^ {2}cluster-a {2}10\.33\.0\.0\/16 {2}2 {8}2 {6}1$/m);
  });

  it('exits 1 with one line per problem and no stack trace on invalid input', () => {
    const clusters = threeClusters();
    clusters['cluster-b'].network.pod_network_cidr = '10.0.0.0/12';
    const inventory = writeInventory(path.join(root, 'cli-bad', 'clusters'), clusters);
    const result = runCli(['--clusters', inventory, '--outdir', path.join(root, 'cli-bad', 'dist')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^error: .*cluster-b\.yml:\d+:\d+: cluster cluster-b: network\.pod_network_cidr: is 10\.0\.0\.0\/12, but cluster-a, cluster-c use 10\.32\.0\.0\/12/),
      expect.stringMatching(/^error: .*cluster-b\.yml:\d+:\d+: cluster cluster-b: network\.weave\.ipalloc_default_subnet: 10\.34\.0\.0\/16 is not inside pod_network_cidr 10\.0\.0\.0\/12/),
      expect.stringMatching(/^weave-mesh: 2 errors in /),
    ]);
    expect(fs.existsSync(path.join(root, 'cli-bad', 'dist'))).toBe(false);
  });

  it('exits 2 on an unknown option, with usage', () => {
    const result = runCli(['--out', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: unknown option --out$/m);
    expect(result.stderr).toContain('usage: npm run <command> -- [operands] [--clusters DIR] [--outdir DIR] [--format text|github|json]');
  });
});

describe('kubectl kustomize', () => {
  it('builds every synced folder exactly as Argo CD and Flux would', () => {
    const { outdir } = renderInto('kustomize', threeClusters());
    for (const cluster of ['cluster-a', 'cluster-b', 'cluster-c']) {
      const built = kustomize(path.join(outdir, cluster, 'kubernetes'));
      const objects = parseAllDocuments(built).map((document) => document.toJS());
      expect(objects.map((object) => `${object.kind}/${object.metadata.namespace}/${object.metadata.name}`)).toEqual(['DaemonSet/kube-system/route-config']);
    }
  });

  it('builds the teardown folder, which is applied with kubectl apply -k to a cluster that leaves', () => {
    const { outdir } = renderInto('kustomize-teardown', threeClusters());
    const built = kustomize(path.join(outdir, '_teardown'));
    const objects = parseAllDocuments(built).map((document) => document.toJS());
    expect(objects.map((object) => `${object.kind}/${object.metadata.namespace}/${object.metadata.name}`)).toEqual(['DaemonSet/kube-system/route-config-teardown']);
  });
});

describe('construct validations', () => {
  it('run for every construct of the tree, as cdk8s synth would, and stop the render', () => {
    const tree = new WeaveMesh(new App(), 'mesh', { inventory: loadInventory(path.join(REPO, 'clusters')), gitops: { repoURL: 'https://git.example.org/mesh.git' } });
    tree.clusters[1].routeAgent.node.addValidation({ validate: () => ['a deliberately failing validation'] });
    expect(() => tree.render()).toThrow(/invalid construct tree: mesh\/cluster-b\/RouteAgent: a deliberately failing validation/);
  });
});

describe('a machine without a tool the tests use', () => {
  it('fails naming the tool and how to get it, not with spawnSync ENOENT', () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => kustomize('.')).toThrow(/^kubectl is not installed, and the tests build synced folders with kubectl kustomize as Argo CD and Flux do: install it \(Debian: apt-get install kubernetes-client; \.ci\/run does\)$/);
    } finally {
      process.env.PATH = saved;
    }
  });
});
