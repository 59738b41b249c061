import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { WeaveMesh } from '../constructs/weave-mesh';
import { formatProblem } from '../src/mesh/problem';
import { clusterConfig, run, synth, tempDir, threeClusterInventory } from './helpers';

/**
 * The mesh's warnings about Weave itself (docs/warnings.md): a trusted subnet that covers another
 * cluster's peers (encryption off), and more peers than Weave is known to handle. Warnings never
 * fail a command: every format shows them, and the exit code stays 0.
 */
const root = tempDir();

/** cluster-a trusts all of 198.51.100.0/24 (cluster-b's workers), and cluster-b trusts cluster-a back. */
const trusting = () =>
  threeClusterInventory(root, (c) => {
    c['cluster-a'].network.weave.trusted_subnets = ['10.0.0.0/8', '198.51.100.0/24'];
    c['cluster-b'].network.weave.trusted_subnets = ['192.0.2.0/24'];
  });

/** The line of the inventory file that holds `text`, 1-based. */
function lineOf(file: string, text: string): number {
  return (
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((line) => line.includes(text)) + 1
  );
}

/** Markdown text as rendered: the backslash escapes of plan-format's markdownText removed. */
function unescapeMarkdown(text: string): string {
  return text.replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, '$1');
}

describe('trusted-subnet-peers', () => {
  const { folder, opts, outdir } = trusting();
  const fileA = path.join(folder, 'cluster-a.yml');
  const line = lineOf(fileA, '198.51.100.0/24');

  it("warns at the trusted subnet's file:line, naming the cluster whose traffic goes unencrypted and the fix; synth still writes and exits 0", () => {
    const result = synth(opts);
    expect(result.code).toBe(0);
    expect(fs.existsSync(path.join(outdir, 'cluster-a', 'pharos', 'cluster.yml'))).toBe(true);
    const warnings = result.stderr.split('\n').filter((text) => text.includes('[trusted-subnet-peers]'));
    expect(warnings).toEqual([
      `warning: ${fileA}:${line}:9: cluster cluster-a: network.weave.trusted_subnets[1]: 198.51.100.0/24 covers Weave peers of cluster cluster-b; cluster cluster-b trusts this cluster's hosts back, so Weave sends the traffic between this cluster and it unencrypted (it encrypts unless both ends of a connection trust each other). List in trusted_subnets only the private network this cluster's own nodes share, not the other clusters' addresses (keep it only if the clusters are joined by a network you trust as much) [trusted-subnet-peers]`,
      expect.stringMatching(/^warning: .*cluster-b\.yml:\d+:9: cluster cluster-b: network\.weave\.trusted_subnets\[0\]: 192\.0\.2\.0\/24 covers Weave peers of cluster cluster-a; /),
    ]);
    // 10.0.0.0/8 holds no host of another cluster: no warning for it.
    expect(result.stderr).not.toContain('10.0.0.0/8 covers');
  });

  it('is a warning in check, json and github too, and check stays 0 when the output is current', () => {
    expect(synth(opts).code).toBe(0);
    const check = run(['check', ...opts]);
    expect(check.code).toBe(0);
    expect(check.stderr).toMatch(/^warning: .*cluster-a\.yml:\d+:9: .*198\.51\.100\.0\/24 covers Weave peers of cluster cluster-b.*\[trusted-subnet-peers\]$/m);

    const json = JSON.parse(run(['synth', ...opts, '--format', 'json']).stdout);
    expect(json.exitCode).toBe(0);
    expect(json.problems).toContainEqual({
      severity: 'warning',
      file: expect.stringMatching(/cluster-a\.yml$/),
      line,
      column: 9,
      cluster: 'cluster-a',
      field: 'network.weave.trusted_subnets[1]',
      rule: 'trusted-subnet-peers',
      message: expect.stringMatching(/^198\.51\.100\.0\/24 covers Weave peers of cluster cluster-b; /),
    });

    const github = run(['check', ...opts, '--format', 'github']);
    expect(github.code).toBe(0);
    expect(github.stdout.split('\n')).toContainEqual(
      expect.stringMatching(
        new RegExp(`^::warning file=.*cluster-a\\.yml,line=${line},col=9,title=weave-mesh trusted-subnet-peers::cluster cluster-a: network\\.weave\\.trusted_subnets\\[1\\]: 198\\.51\\.100\\.0/24 covers Weave peers of cluster cluster-b; `),
      ),
    );
  });

  it('is in the plan, as text on stderr and in the Markdown for the pull request, even when nothing changes', () => {
    expect(synth(opts).code).toBe(0);
    const text = run(['plan', ...opts]);
    expect(text.code).toBe(0);
    expect(text.stderr).toMatch(/^warning: .*cluster-a\.yml:\d+:9: .*\[trusted-subnet-peers\]$/m);
    const markdown = run(['plan', ...opts, '--format', 'markdown']);
    expect(markdown.code).toBe(0);
    // The Markdown escapes the message's punctuation; read it as the reviewer sees it.
    expect(unescapeMarkdown(markdown.stdout)).toMatch(/^> \[!WARNING\]\n> .*cluster-a\.yml:\d+:9: cluster cluster-a: network\.weave\.trusted_subnets\[1\]: 198\.51\.100\.0\/24 covers Weave peers of cluster cluster-b; .*\[trusted-subnet-peers\]$/m);
    expect(markdown.stdout).toMatch(/^No changes: /m);
  });

  it('says that a cluster which does not trust back keeps its links encrypted, for now', () => {
    const { opts: oneSided } = threeClusterInventory(root, (c) => (c['cluster-a'].network.weave.trusted_subnets = ['0.0.0.0/0']));
    const result = synth(oneSided);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /cluster cluster-a: network\.weave\.trusted_subnets\[0\]: 0\.0\.0\.0\/0 covers Weave peers of cluster cluster-b and cluster cluster-c; cluster cluster-b and cluster cluster-c do not trust this cluster back, so their links stay encrypted only until they do\. /,
    );
  });

  it('is located at the construct path for a cluster declared in code', () => {
    const clusters: Record<string, any> = {
      'cluster-a': clusterConfig({ subnet: '10.33.0.0/16', workers: ['192.0.2.11'], masters: ['192.0.2.10'] }),
      'cluster-b': clusterConfig({ subnet: '10.34.0.0/16', workers: ['198.51.100.11'], masters: ['198.51.100.10'], serviceCidr: '172.17.0.0/16' }),
    };
    clusters['cluster-a'].network.weave.trusted_subnets = ['198.51.100.0/24'];
    const mesh = new WeaveMesh(new App(), 'mesh', { clusters, gitops: { repoURL: 'https://git.example.org/mesh.git' } });
    expect(mesh.errors()).toEqual([]);
    expect(mesh.problems.map(formatProblem)).toEqual([
      expect.stringMatching(/^warning: mesh\/cluster-a: cluster cluster-a: network\.weave\.trusted_subnets\[0\]: 198\.51\.100\.0\/24 covers Weave peers of cluster cluster-b; cluster cluster-b does not trust .*\[trusted-subnet-peers\]$/),
    ]);
  });
});

describe('weave-peer-count', () => {
  /** 2 clusters of 1 master and 55 workers: 112 Weave peers. */
  const big = () =>
    threeClusterInventory(root, (c) => {
      const workers = (prefix: string) => Array.from({ length: 55 }, (_, i) => `${prefix}.${i + 11}`);
      c['cluster-a'] = clusterConfig({ subnet: '10.33.0.0/16', workers: workers('192.0.2'), masters: ['192.0.2.10'] });
      c['cluster-b'] = clusterConfig({ subnet: '10.34.0.0/16', workers: workers('198.51.100'), masters: ['198.51.100.10'], serviceCidr: '172.17.0.0/16' });
      delete c['cluster-c'];
    });

  it("warns once at the hosts of the cluster that passes 100 peers, citing Weave's issues, in every format; exit 0", () => {
    const { folder, opts } = big();
    const result = synth(opts);
    expect(result.code).toBe(0);
    // The hosts list itself, where its first entry starts.
    const line = lineOf(path.join(folder, 'cluster-b.yml'), 'hosts:') + 1;
    expect(result.stderr.split('\n').filter((text) => text.includes('[weave-peer-count]'))).toEqual([
      `warning: ${path.join(folder, 'cluster-b.yml')}:${line}:3: cluster cluster-b: hosts: with this cluster the mesh has 112 Weave peers (hosts of all clusters and their extra known_peers), more than the 100 Weave is known to handle: Pharos lifts Weave's connection limit, so every peer connects to every other, and Weave's issues report networks of 100 to 200 peers breaking down (weaveworks/weave#3593, #3940, #3607, #3595); split the mesh into smaller meshes, or grow it in steps and watch weave status connections (docs/warnings.md) [weave-peer-count]`,
    ]);
    const json = JSON.parse(run(['check', ...opts, '--format', 'json']).stdout);
    expect(json.exitCode).toBe(0);
    expect(json.problems).toContainEqual(expect.objectContaining({ severity: 'warning', cluster: 'cluster-b', field: 'hosts', rule: 'weave-peer-count', line }));
    expect(run(['check', ...opts, '--format', 'github']).stdout).toMatch(
      new RegExp(`^::warning file=.*cluster-b\\.yml,line=${line},col=3,title=weave-mesh weave-peer-count::cluster cluster-b: hosts: with this cluster the mesh has 112 Weave peers`, 'm'),
    );
    const markdown = run(['plan', ...opts, '--format', 'markdown']);
    expect(markdown.code).toBe(0);
    expect(unescapeMarkdown(markdown.stdout)).toMatch(/^> \[!WARNING\]\n> .*cluster-b\.yml:\d+:3: cluster cluster-b: hosts: with this cluster the mesh has 112 Weave peers.*\[weave-peer-count\]$/m);
  });

  it('is silent for the usual mesh', () => {
    const { opts } = threeClusterInventory(root);
    expect(synth(opts).stderr).not.toMatch(/weave-peer-count|trusted-subnet-peers/);
  });
});
