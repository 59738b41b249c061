import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { generateInventory } from '../scripts/generate-inventory';
import { ClusterSpec } from '../src/mesh/model';
import { renderOverview } from '../src/output/overview';
import { clusterConfig, readTree, REPO, run, synth, tempDir, threeClusters, withoutPlaceholderWarning, writeInventory } from './helpers';

const root = tempDir();
let counter = 0;

function setUp(clusters: Record<string, Record<string, any> | string>) {
  const dir = path.join(root, `case-${++counter}`);
  const inventory = writeInventory(path.join(dir, 'clusters'), clusters);
  const outdir = path.join(dir, 'dist');
  return { inventory, outdir, opts: ['--clusters', inventory, '--outdir', outdir] };
}

describe('the overview dist/README.md', () => {
  it('tables and draws the shipped example', () => {
    const overview = readTree(path.join(REPO, 'dist')).get('README.md')!;
    expect(overview).toContain(
      [
        '| Cluster | Subnet | Service CIDR | Workers | Known peers | Routes |',
        '|---|---|---|---:|---:|---:|',
        '| [cluster-a](#cluster-a) | `10.33.0.0/16` | `172.16.0.0/16` | 2 | 2 | 1 |',
        '| [cluster-b](#cluster-b) | `10.34.0.0/16` | `172.17.0.0/16` | 2 | 2 | 1 |',
      ].join('\n'),
    );
    expect(overview).toContain(['```mermaid', 'graph LR', '  c0["cluster-a<br/>10.33.0.0/16"]', '  c1["cluster-b<br/>10.34.0.0/16"]', '  c0 <--> c1', '```'].join('\n'));
  });

  it('draws every peering of a small mesh, and external peers', () => {
    const clusters = threeClusters();
    clusters['cluster-b'].network.weave.known_peers = ['203.0.113.200'];
    const { outdir, opts } = setUp(clusters);
    expect(synth(opts).code).toBe(0);
    const overview = fs.readFileSync(path.join(outdir, 'README.md'), 'utf8');
    expect(overview).toMatch(/every pair of clusters peers \(3 peerings\)/);
    const edges = overview.split('\n').filter((line) => /^ {2}c\d+ (<-->|-\.-) /.test(line));
    expect(edges).toEqual(['  c0 <--> c1', '  c0 <--> c2', '  c1 <--> c2', '  c1 -.- x1']);
    expect(overview).toContain('  x1(["1 external peer"])');
  });

  it('summarises a generated 10-cluster mesh as a hub, saying so', () => {
    const { outdir, opts } = setUp(generateInventory(10));
    expect(synth(opts).code).toBe(0);
    const overview = fs.readFileSync(path.join(outdir, 'README.md'), 'utf8');
    expect(overview.split('\n').filter((line) => line.startsWith('| [cluster-'))).toHaveLength(10);
    expect(overview).toContain('| [cluster-010](#cluster-010) | `10.41.0.0/16` | `172.16.9.0/24` | 2 | 18 | 9 |');
    expect(overview).toContain('  mesh(("full mesh<br/>45 peerings"))');
    expect(overview.split('\n').filter((line) => line.endsWith(' <--> mesh'))).toHaveLength(10);
    expect(overview).not.toMatch(/c\d+ <--> c\d+/);
    expect(overview).toContain('Above 8 clusters the diagram draws the full mesh as one hub rather than every peering.');
  });
});

describe('npm run plan', () => {
  it('says there is nothing to do when the output folder is current, exit 0', () => {
    const result = run(['plan']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(['weave-mesh plan: what npm run synth would change in dist', 'no changes: the output folder is what the inventory renders'].join('\n'));
  });

  it('summarises clusters added and removed, routes and peers gained and lost, then the diff; exit 0', () => {
    const { inventory, outdir, opts } = setUp(threeClusters());
    expect(synth(opts).code).toBe(0);
    fs.rmSync(path.join(inventory, 'cluster-c.yml'));
    writeInventory(inventory, { 'cluster-d': clusterConfig({ subnet: '10.36.0.0/16', workers: ['203.0.113.40'], serviceCidr: '172.19.0.0/16' }) });
    const result = run(['plan', ...opts]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      `weave-mesh plan: what npm run synth would change in ${outdir}`,
      '+ cluster cluster-d joins the mesh with subnet 10.36.0.0/16',
      "- cluster cluster-c leaves the mesh (subnet 10.35.0.0/16); see weave-mesh's docs/operations.md, Removing a cluster (weave rmpeer)",
      '~ cluster cluster-a: routes + 10.36.0.0/16; routes - 10.35.0.0/16; peers + 203.0.113.40; peers - 203.0.113.11',
      '~ cluster cluster-b: routes + 10.36.0.0/16; routes - 10.35.0.0/16; peers + 203.0.113.40; peers - 203.0.113.11',
      expect.stringMatching(/^\d+ files change$/),
    ]);
    expect(result.stdout).toContain(`--- ${outdir}/cluster-a/pharos/cluster.yml\toutput folder`);
    expect(result.stdout.indexOf('files change')).toBeLessThan(result.stdout.indexOf('--- '));
    expect(fs.existsSync(path.join(outdir, 'cluster-c'))).toBe(true);
  });

  it("warns loudly when an existing cluster's subnet or the pod network changes", () => {
    const { inventory, opts } = setUp(threeClusters());
    expect(synth(opts).code).toBe(0);
    const file = path.join(inventory, 'cluster-b.yml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('10.34.0.0/16', '10.40.0.0/16'));
    const result = run(['plan', ...opts]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('~ cluster cluster-b: subnet 10.34.0.0/16 -> 10.40.0.0/16');
    expect(result.stdout).toContain('~ cluster cluster-a: routes + 10.40.0.0/16; routes - 10.34.0.0/16');
    expect(result.stdout).toMatch(/^WARNING: cluster cluster-b's subnet changes from 10\.34\.0\.0\/16 to 10\.40\.0\.0\/16: this renumbers its running pods/m);

    for (const name of ['cluster-a', 'cluster-b', 'cluster-c']) {
      const cluster = path.join(inventory, `${name}.yml`);
      fs.writeFileSync(cluster, fs.readFileSync(cluster, 'utf8').replace('10.32.0.0/12', '10.32.0.0/11'));
    }
    const widened = run(['plan', ...opts]);
    expect(widened.stdout).toMatch(/^WARNING: the pod network of cluster cluster-a changes from 10\.32\.0\.0\/12 to 10\.32\.0\.0\/11/m);
  });

  it('gives machines JSON with --json', () => {
    const { inventory, opts } = setUp(threeClusters());
    expect(synth(opts).code).toBe(0);
    fs.rmSync(path.join(inventory, 'cluster-c.yml'));
    const result = run(['plan', '--json', ...opts]);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({ command: 'plan', exitCode: 0, problems: [] });
    const plan = { ...document.plan, diff: document.diff };
    expect(plan.clustersAdded).toEqual([]);
    expect(plan.clustersRemoved).toEqual([{ cluster: 'cluster-c', subnet: '10.35.0.0/16' }]);
    expect(plan.clusters).toEqual([
      { cluster: 'cluster-a', routesAdded: [], routesRemoved: ['10.35.0.0/16'], peersAdded: [], peersRemoved: ['203.0.113.11'] },
      { cluster: 'cluster-b', routesAdded: [], routesRemoved: ['10.35.0.0/16'], peersAdded: [], peersRemoved: ['203.0.113.11'] },
    ]);
    expect(plan.warnings).toEqual([]);
    expect(plan.files).toContainEqual({ file: 'cluster-c/pharos/cluster.yml', change: 'removed' });
    expect(plan.diff).toContain('+++ /dev/null\tno longer rendered');
  });

  it('stops quietly when its reader closes the pipe (plan | head)', () => {
    // Nothing rendered yet: the diff of a 16-cluster mesh is far larger than a pipe's buffer.
    const { opts } = setUp(generateInventory(16));
    const result = spawnSync('sh', ['-c', `"${process.execPath}" "${path.join(REPO, 'build', 'main.js')}" plan ${opts.map((o) => `"${o}"`).join(' ')} | head -1`], { encoding: 'utf8' });
    expect(result.stdout).toMatch(/^weave-mesh plan: /);
    expect(withoutPlaceholderWarning({ code: 0, stdout: '', stderr: result.stderr }).stderr).toBe('');
  });

  it('exits 1 on invalid input', () => {
    const { opts } = setUp({ 'cluster-a': 'hosts: [' });
    expect(run(['plan', ...opts]).code).toBe(1);
  });
});

describe('subnet allocation', () => {
  const withoutSubnet = (name: string) => {
    const clusters: Record<string, any> = threeClusters();
    clusters[name] = [
      '# A new cluster: weave-mesh picks its subnet.',
      'hosts:',
      '  - address: 203.0.113.77 # the only worker',
      '    role: worker',
      '  - address: 203.0.113.76',
      '    role: master',
      'network:',
      '  provider: weave',
      '  service_cidr: 172.20.0.0/16',
      '  pod_network_cidr: 10.32.0.0/12 # shared',
      '  weave:',
      '    password: ./shared_password',
      '',
    ].join('\n');
    return clusters;
  };

  it('a missing subnet is an error that suggests the lowest free one of the usual size, at file:line:column', () => {
    const { opts } = setUp(withoutSubnet('cluster-d'));
    const result = synth(opts);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toMatch(
      /^error: .*cluster-d\.yml:12:5: cluster cluster-d: network\.weave\.ipalloc_default_subnet: is missing; every cluster needs its own subnet inside pod_network_cidr: the lowest free subnet of the mesh's usual size is 10\.32\.0\.0\/16; npm run allocate -- cluster-d writes it into the file \[missing-subnet\]$/,
    );
  });

  it('npm run allocate writes the suggestion into the file, keeping comments, order and formatting', () => {
    const { inventory, opts } = setUp(withoutSubnet('cluster-d'));
    const file = path.join(inventory, 'cluster-d.yml');
    const before = fs.readFileSync(file, 'utf8');
    const result = run(['allocate', 'cluster-d', ...opts]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^weave-mesh: wrote network\.weave\.ipalloc_default_subnet: 10\.32\.0\.0\/16 into .*cluster-d\.yml; run npm run synth to render it$/);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${before}    ipalloc_default_subnet: 10.32.0.0/16\n`);
    expect(synth(opts).code).toBe(0);
  });

  it("restores a rendered cluster's subnet from the output folder, never the lowest free one", () => {
    const { inventory, opts } = setUp(threeClusters());
    expect(synth(opts).code).toBe(0);
    // The subnet line was lost (a misspelt key fixed by deleting it, say): cluster-b is running with 10.34.0.0/16.
    const file = path.join(inventory, 'cluster-b.yml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^ *ipalloc_default_subnet: .*\n/m, ''));
    const refused = synth(opts);
    expect(refused.code).toBe(1);
    expect(refused.stderr.split('\n')[0]).toMatch(
      /cluster cluster-b: network\.weave\.ipalloc_default_subnet: is missing; every cluster needs its own subnet inside pod_network_cidr: the output folder records 10\.34\.0\.0\/16 for this cluster, the subnet its running pods have; npm run allocate -- cluster-b writes it back into the file \[missing-subnet\]$/,
    );
    const result = run(['allocate', 'cluster-b', ...opts]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^weave-mesh: restored network\.weave\.ipalloc_default_subnet: 10\.34\.0\.0\/16 into .*cluster-b\.yml, as .* records it for the running cluster/);
    expect(parse(fs.readFileSync(file, 'utf8')).network.weave.ipalloc_default_subnet).toBe('10.34.0.0/16');
    const again = synth(opts);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
  });

  it('gives a new cluster no subnet the output folder records for another one', () => {
    const { inventory, opts } = setUp(threeClusters());
    expect(synth(opts).code).toBe(0);
    // cluster-a's subnet line is lost and cluster-d joins: cluster-d must not get 10.33.0.0/16.
    const file = path.join(inventory, 'cluster-a.yml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^ *ipalloc_default_subnet: .*\n/m, ''));
    writeInventory(inventory, { 'cluster-d': withoutSubnet('cluster-d')['cluster-d'] });
    expect(run(['allocate', 'cluster-d', ...opts]).stdout).toMatch(/wrote network\.weave\.ipalloc_default_subnet: 10\.32\.0\.0\/16 into/);
    expect(run(['allocate', 'cluster-a', ...opts]).stdout).toMatch(/restored network\.weave\.ipalloc_default_subnet: 10\.33\.0\.0\/16/);
  });

  it("synth warns as loudly as plan when a running cluster's subnet changes", () => {
    const { inventory, opts } = setUp(threeClusters());
    expect(synth(opts).code).toBe(0);
    const file = path.join(inventory, 'cluster-c.yml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('10.35.0.0/16', '10.36.0.0/16'));
    const result = synth(opts);
    expect(result.code).toBe(0);
    // At the line that changed, with the remedy when the change was not meant.
    const line =
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .findIndex((text) => text.includes('10.36.0.0/16')) + 1;
    expect(result.stderr).toMatch(
      new RegExp(
        `^warning: ${escape(file)}:${line}:\\d+: cluster cluster-c: network\\.weave\\.ipalloc_default_subnet: changes from 10\\.35\\.0\\.0/16 to 10\\.36\\.0\\.0/16: this renumbers its running pods, .*; if that is not meant, put back ipalloc_default_subnet: 10\\.35\\.0\\.0/16, the subnet its running pods have \\(the output folder records it\\) \\[renumbering\\]$`,
        'm',
      ),
    );
  });

  it.each([
    ['quoted', (v: string) => `"${v}"`],
    ['tagged', (v: string) => `!!str ${v}`],
    ['single-quoted', (v: string) => `'${v}'`],
  ])('synth warns when the pod network changes, whatever its spelling (%s)', (_how, spell) => {
    const { inventory, opts } = setUp(threeClusters());
    const spelled = (cidr: string) => {
      for (const cluster of ['cluster-a', 'cluster-b', 'cluster-c']) {
        const file = path.join(inventory, `${cluster}.yml`);
        fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/pod_network_cidr: .*/, `pod_network_cidr: ${spell(cidr)}`));
      }
    };
    spelled('10.32.0.0/12');
    expect(synth(opts).code).toBe(0);
    spelled('10.32.0.0/11');
    const result = synth(opts);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^warning: .*cluster-a\.yml:\d+:\d+: cluster cluster-a: network\.pod_network_cidr: changes from 10\.32\.0\.0\/12 to 10\.32\.0\.0\/11: .*; if that is not meant, put back pod_network_cidr: 10\.32\.0\.0\/12 \[renumbering\]$/m,
    );
  });

  it('never moves an existing cluster, and gives two new clusters different subnets', () => {
    const clusters = withoutSubnet('cluster-d');
    clusters['cluster-e'] = (clusters['cluster-d'] as string).replace('203.0.113.77', '203.0.113.78').replace('203.0.113.76', '203.0.113.75').replace('172.20.0.0', '172.21.0.0');
    const { inventory, opts } = setUp(clusters);
    const existing = fs.readFileSync(path.join(inventory, 'cluster-a.yml'), 'utf8');
    const already = run(['allocate', 'cluster-a', ...opts]);
    expect(already.code).toBe(0);
    expect(already.stdout).toMatch(/already has its subnet; allocation never moves a cluster, nothing was written$/);
    expect(fs.readFileSync(path.join(inventory, 'cluster-a.yml'), 'utf8')).toBe(existing);

    // Suggestions go in name order, so what allocate writes is what the errors suggested.
    expect(run(['allocate', 'cluster-e', ...opts]).stdout).toContain(': 10.36.0.0/16 into');
    expect(run(['allocate', 'cluster-d', ...opts]).stdout).toContain(': 10.32.0.0/16 into');
    expect(synth(opts).code).toBe(0);
  });

  it('refuses while other errors stand, or for an unknown cluster', () => {
    const clusters = withoutSubnet('cluster-d');
    clusters['cluster-a'].network.provider = 'calico';
    const { inventory, opts } = setUp(clusters);
    const before = fs.readFileSync(path.join(inventory, 'cluster-d.yml'), 'utf8');
    const blocked = run(['allocate', 'cluster-d', ...opts]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/network\.provider: is "calico"/);
    expect(blocked.stderr).toMatch(/fix the errors above before allocating; nothing was written$/);
    expect(fs.readFileSync(path.join(inventory, 'cluster-d.yml'), 'utf8')).toBe(before);
    const unknown = run(['allocate', 'cluster-x', ...opts]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: no cluster cluster-x in .* \(it has cluster-a, cluster-b, cluster-c, cluster-d\) \[allocate\]$/);
    expect(run(['allocate', ...opts]).stderr).toMatch(/^error: allocate needs <cluster>$/m);
  });
});

describe('on a generated 10-cluster inventory', () => {
  it('plan summarises a cluster joining, and allocate gives a cluster back the subnet it lost', () => {
    const { inventory, outdir, opts } = setUp(generateInventory(10));
    expect(synth(opts).code).toBe(0);

    // Allocation of a cluster whose subnet line was deleted: the lowest free /16 is the one it had.
    const file = path.join(inventory, 'cluster-004.yml');
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, original.replace(/^ {4}ipalloc_default_subnet: .*\n/m, ''));
    expect(synth(opts).stderr).toMatch(/cluster-004\.yml:\d+:\d+: cluster cluster-004: network\.weave\.ipalloc_default_subnet: is missing; .* the output folder records 10\.35\.0\.0\/16 for this cluster/);
    expect(run(['allocate', 'cluster-004', ...opts]).stdout).toContain('ipalloc_default_subnet: 10.35.0.0/16 into');
    expect(fs.readFileSync(file, 'utf8')).toBe(original);
    expect(run(['plan', ...opts]).stdout).toContain('no changes: the output folder is what the inventory renders');

    writeInventory(inventory, { 'cluster-011': generateInventory(11)['cluster-011'] });
    const lines = run(['plan', ...opts]).stdout.split('\n');
    expect(lines[1]).toBe('+ cluster cluster-011 joins the mesh with subnet 10.42.0.0/16');
    // The ten others gain the same: one line.
    expect(lines.filter((line) => line.startsWith('~ '))).toEqual([
      '~ 10 clusters: routes + 10.42.0.0/16; peers + 100.64.10.1, 100.64.10.2 (cluster-001, cluster-002, cluster-003, cluster-004, cluster-005, cluster-006, cluster-007, cluster-008, cluster-009, cluster-010)',
    ]);
    expect(fs.existsSync(path.join(outdir, 'cluster-011'))).toBe(false);
  });
});

describe('the overview lists each cluster and its workers once', () => {
  it('lists them for a small mesh, and says who peers with whom', () => {
    const overview = readTree(path.join(REPO, 'dist')).get('README.md')!;
    expect(overview).toContain("Each cluster's Weave peers (`network.weave.known_peers` in its cluster.yml) are **every other cluster's workers**");
    expect(overview).toContain(['### cluster-a', '', 'Subnet `10.33.0.0/16`; rendered into [cluster-a/](cluster-a/). Peers with 2 addresses, routes 1 subnet.', '', '2 workers:', '', '- `192.0.2.11`', '- `192.0.2.12`', ''].join('\n'));
    // cluster-b's workers appear once: in its own section, not again as cluster-a's peers.
    expect(overview.split('198.51.100.11')).toHaveLength(2);
  });

  it('collapses long lists in <details> and shows external peers', () => {
    const inventory = generateInventory(10, { workers: 9 });
    (inventory['cluster-002'] as any).network.weave.known_peers = ['203.0.113.200'];
    const { opts, outdir } = setUp(inventory);
    expect(synth(opts).code).toBe(0);
    const overview = fs.readFileSync(path.join(outdir, 'README.md'), 'utf8');
    expect(overview).toContain('### cluster-001\n\nSubnet `10.32.0.0/16`; rendered into [cluster-001/](cluster-001/). Peers with 81 addresses, routes 9 subnets.\n\n<details><summary>9 workers</summary>');
    expect(overview).toContain('1 external peer:\n\n- `203.0.113.200`');
  });

  it('stays under 1 MB at 256 clusters of 8 workers and grows linearly', () => {
    const mesh = (count: number) =>
      Array.from({ length: count }, (_, index) => {
        const workers = Array.from({ length: 8 }, (__, host) => `100.${64 + (index >> 8)}.${index & 255}.${host + 1}`);
        const cluster = {
          name: `cluster-${String(index).padStart(3, '0')}`,
          subnet: `10.${32 + (index >> 4)}.${(index & 15) << 4}.0/20`,
          serviceCidr: '172.16.0.0/16',
          podNetworkCidr: '10.32.0.0/11',
          passwordFile: './shared_password',
          extraPeers: [],
          hosts: workers.map((address) => ({ address, role: 'worker' as const })),
        } as unknown as ClusterSpec;
        return { cluster, passwordFile: '../clusters/shared_password', knownPeers: Array(8 * (count - 1)).fill('x'), routedSubnets: Array(count - 1).fill('y') };
      });
    const size = (count: number) => Buffer.byteLength(renderOverview(mesh(count)));
    expect(size(256)).toBeLessThan(1024 * 1024);
    // Twice the clusters (and workers): about twice the bytes, not four times.
    expect(size(256) / size(128)).toBeLessThan(2.1);
    expect(size(1024) / size(512)).toBeLessThan(2.1);
    const big = renderOverview(mesh(256));
    expect(big).toContain('  mesh(("full mesh<br/>256 clusters<br/>32640 peerings"))');
    expect(big.split('\n').filter((line) => / <--> mesh$/.test(line))).toHaveLength(32);
    expect(big).toContain('  g0["cluster-000 … cluster-007<br/>8 clusters, 64 workers"]');
  });
});

describe('a cluster leaving a Flux-bootstrapped hub', () => {
  it('plan and check say its flux-system/ folder stays, and how to remove it', () => {
    const { inventory, outdir, opts } = setUp(threeClusters());
    expect(synth(opts).code).toBe(0);
    const fluxSystem = path.join(outdir, '_gitops', 'flux', 'clusters', 'cluster-c', 'flux-system');
    fs.mkdirSync(fluxSystem);
    fs.writeFileSync(path.join(fluxSystem, 'gotk-sync.yaml'), '# bootstrap\n');
    fs.rmSync(path.join(inventory, 'cluster-c.yml'));
    const note = `cluster cluster-c leaves the mesh, but its Flux folder ${fluxSystem}/ (committed by flux bootstrap) stays: synth never deletes it. Once Flux no longer syncs that cluster (flux uninstall), remove it with git rm -r ${fluxSystem}`;
    expect(run(['plan', ...opts]).stdout).toContain(`NOTE: ${note}`);
    expect(run(['plan', ...opts, '--format', 'markdown']).stdout).toContain(`> [!NOTE]\n> ${note}`);
    const check = run(['check', ...opts]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`warning: ${note}`);
  });
});

describe('plan guides the review: next steps, summary, markdown, annotations', () => {
  it("ends with the steps to run by hand: pharos up where known_peers change, the newcomer's first pharos up and GitOps hook-up, teardown and weave rmpeer for a leaver", () => {
    const { inventory, outdir, opts } = setUp(threeClusters());
    expect(synth(opts).code).toBe(0);
    fs.rmSync(path.join(inventory, 'cluster-c.yml'));
    writeInventory(inventory, { 'cluster-d': clusterConfig({ subnet: '10.36.0.0/16', workers: ['203.0.113.40'], serviceCidr: '172.19.0.0/16' }) });
    const result = run(['plan', '--summary', ...opts]);
    expect(result.code).toBe(0);
    const steps = result.stdout.slice(result.stdout.indexOf('next steps, once this is merged'));
    expect(steps).toContain(`  $ pharos up -c ${outdir}/cluster-d/pharos/cluster.yml\n      cluster cluster-d joins: its first pharos up must already have the mesh's known_peers`);
    expect(steps).toContain('  $ flux bootstrap git --url=https://github.com/example-org/weave-mesh.git --branch=main --path=dist/_gitops/flux/clusters/cluster-d');
    expect(steps).toContain('  $ argocd cluster add <context of cluster-d> --name cluster-d');
    for (const cluster of ['cluster-a', 'cluster-b']) {
      expect(steps).toContain(`  $ pharos up -c ${outdir}/${cluster}/pharos/cluster.yml\n      cluster ${cluster}'s known_peers change (+1, -1), and GitOps does not carry cluster.yml: only pharos up hands known_peers to Weave`);
    }
    expect(steps).toContain(`  $ kubectl --context <context of cluster-c> apply -k ${outdir}/_teardown`);
    // Every node of the leaver, its master too, in the form weave rmpeer takes (nicknames: hostnames).
    expect(steps).toContain(
      "  $ kubectl --context <context of cluster-a> -n kube-system exec ds/weave-net -c weave -- /home/weave/weave --local rmpeer <hostname of master-203-0-113-11.example.test> <hostname of 203.0.113.11>\n      once cluster cluster-c's Weave is gone, on ONE remaining peer (never on several), remove every Weave peer of its nodes, masters too (master master-203-0-113-11.example.test, worker 203.0.113.11)",
    );
    // One GitOps hook-up: both tools are rendered, so either.
    expect(steps).toContain('  # with Flux:\n  $ flux bootstrap git');
    expect(steps).toContain('  # or with Argo CD:\n  $ argocd cluster add <context of cluster-d> --name cluster-d\n      Flux or Argo CD, whichever syncs the mesh');
    // --summary: no diff.
    expect(result.stdout).not.toContain('--- ');
    expect(run(['plan', ...opts]).stdout).toContain('--- ');
    const markdown = run(['plan', '--format', 'markdown', ...opts]).stdout;
    expect(markdown).toContain('#### Next steps, once this is merged');
    expect(markdown).toContain(
      `- cluster cluster-d joins: its first pharos up must already have the mesh's known_peers, or its Weave forms a ring of its own that never merges ("IP allocation was seeded by different peers"); the mesh's Weave password file must exist at ${path.dirname(outdir)}/clusters/shared_password in the checkout pharos up runs from (it is never in git, so a fresh clone or CI lacks it):\n  \`\`\`sh\n  pharos up -c ${outdir}/cluster-d/pharos/cluster.yml\n  \`\`\``,
    );
    expect(run(['plan', '--json', ...opts]).stdout).toContain('"nextSteps"');
  });

  it("prints the agent's program of a new cluster once, not once for the container and again for its probe", () => {
    const { inventory, opts } = setUp(threeClusters());
    expect(synth(opts).code).toBe(0);
    writeInventory(inventory, { 'cluster-d': clusterConfig({ subnet: '10.36.0.0/16', workers: ['203.0.113.40'], serviceCidr: '172.19.0.0/16' }) });
    const result = run(['plan', ...opts]);
    const daemonSet = fs.readFileSync(path.join(opts[3], 'cluster-a', 'kubernetes', 'kube-system.daemonset.route-config.yaml'), 'utf8');
    // A line of the program that the rendered DaemonSet holds twice.
    const line = daemonSet
      .split('\n')
      .find((candidate) => candidate.includes('removed chain $3 and its jump'))!
      .trim();
    expect(daemonSet.split(line)).toHaveLength(3);
    const diff = result.stdout.slice(result.stdout.indexOf('+++ ') - 100).split('cluster-d/kubernetes/kube-system.daemonset.route-config.yaml\trendered')[1];
    expect(diff.split(line).length - 1).toBe(1);
    // The probe's program shares the agent's preamble and lib.sh: that run is printed once, then named.
    const collapsed = /^\+ {3}\[\.\.\. (\d+) lines, the same as those above from "[^"\n]*", indented differently; not repeated here \.\.\.\]$/m.exec(diff);
    expect(collapsed).not.toBeNull();
    expect(Number(collapsed![1])).toBeGreaterThanOrEqual(200);
    // check's diff stays exact.
    expect(run(['check', ...opts]).stdout.split(line).length - 1).toBeGreaterThanOrEqual(2);
  });

  it('--format markdown prints the problems as a list when the inventory is invalid (exit 1), and --summary belongs to plan only', () => {
    const clusters = threeClusters();
    clusters['cluster-b'].hosts[1].role = 'boss';
    const { opts } = setUp(clusters);
    const result = run(['plan', '--format', 'markdown', ...opts]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^<!-- weave-mesh-plan -->\n### weave-mesh plan\n\n\*\*1 error\*\* in the inventory; no plan was made for `.*dist`\. Fix these first:\n\n- error: .*cluster-b\.yml:\d+:\d+: cluster cluster-b: hosts\[1\]\.role: must be master or worker, not boss \[shape\]$/,
    );
    const synthSummary = run(['synth', '--summary', ...opts]);
    expect(synthSummary.code).toBe(2);
    expect(synthSummary.stderr).toContain('error: --summary is an option of plan, not of synth');
  });

  it('check --format github annotates an out-of-date output folder with ::error', () => {
    const { inventory, outdir, opts } = setUp(threeClusters());
    expect(synth(opts).code).toBe(0);
    fs.rmSync(path.join(inventory, 'cluster-c.yml'));
    const before = readTree(outdir);
    const result = run(['check', '--format', 'github', ...opts]);
    expect(result.code).toBe(1);
    const annotations = result.stdout.split('\n').filter((line) => line.startsWith('::error '));
    expect(annotations.length).toBeGreaterThan(0);
    expect(annotations.length).toBeLessThanOrEqual(11);
    // Each on its file and a line: cluster-a's at its first line that differs (a known_peers entry), a removed file at line 1.
    const committed = fs.readFileSync(path.join(outdir, 'cluster-a', 'pharos', 'cluster.yml'), 'utf8').split('\n');
    const line = committed.indexOf('      - 203.0.113.11') + 1;
    expect(line).toBeGreaterThan(1);
    expect(result.stdout).toMatch(new RegExp(`^::error file=[^,]*cluster-a/pharos/cluster\\.yml,line=${line},title=weave-mesh out-of-date::.*cluster-a/pharos/cluster\\.yml is not what .* renders; run npm run synth and commit the result$`, 'm'));
    expect(result.stdout).toMatch(/^::error file=[^,]*cluster-c\/pharos\/cluster\.yml,line=1,title=weave-mesh out-of-date::.* is no longer rendered from /m);
    expect(annotations.filter((annotation) => !/^::error file=[^,]+,line=\d+,/.test(annotation))).toEqual([]);
    // check only reports: the out-of-date folder stays as it was.
    expect(readTree(outdir)).toEqual(before);
  });
});

describe('plan tells a rename from a leave and a join, and a change of comments from a change', () => {
  it('reports clusters/cluster-b.yml moved to cluster-z.yml (same hosts, same subnet) as a rename, with no teardown or weave rmpeer', () => {
    const { inventory, outdir, opts } = setUp(threeClusters());
    expect(synth(opts).code).toBe(0);
    fs.renameSync(path.join(inventory, 'cluster-b.yml'), path.join(inventory, 'cluster-z.yml'));
    const result = run(['plan', '--summary', ...opts]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[1]).toBe('> cluster cluster-b is renamed cluster-z (subnet 10.34.0.0/16, the same hosts: its nodes stay in the mesh)');
    expect(lines.filter((line) => /^[+~-] /.test(line))).toEqual([]);
    expect(lines.filter((line) => line.startsWith('  $ ') && /teardown|rmpeer/.test(line))).toEqual([]);
    expect(result.stdout).toContain(
      `      cluster cluster-b is renamed cluster-z: the same hosts and subnet 10.34.0.0/16, so its nodes stay in the mesh (no teardown, no weave rmpeer); its cluster.yml is now ${outdir}/cluster-z/pharos/cluster.yml, the path for pharos up -c from now on, and its settings are unchanged, so nothing needs to run now`,
    );
    expect(result.stdout).toContain('  $ argocd cluster set cluster-b --name cluster-z');
    const json = JSON.parse(run(['plan', '--json', ...opts]).stdout);
    expect(json.plan.clustersRenamed).toEqual([{ from: 'cluster-b', to: 'cluster-z', subnet: '10.34.0.0/16' }]);
    expect(run(['plan', '--format', 'markdown', ...opts]).stdout).toContain('| renamed | cluster-b → cluster-z (same hosts: its nodes stay) | `10.34.0.0/16` |');
  });

  it('asks for nothing when cluster-c.yml is renamed cluster-c.yaml: only comments change', () => {
    const { inventory, opts } = setUp(threeClusters());
    expect(synth(opts).code).toBe(0);
    fs.renameSync(path.join(inventory, 'cluster-c.yml'), path.join(inventory, 'cluster-c.yaml'));
    const result = run(['plan', '--summary', ...opts]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(1)).toEqual([expect.stringMatching(/^\d+ files? changes?$/)]);
    expect(result.stdout).not.toContain('next steps');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
