import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { parse } from 'yaml';
import { WeaveMesh } from '../constructs/weave-mesh';
import { formatProblem } from '../src/mesh/problem';
import { codeClusterText } from '../src/output/pharos-yaml';
import { doNotEdit, markerContent } from '../src/output/layout';
import { runCli } from '../src/cli';
import { readTree, REPO, synth, tempDir, threeClusters, withoutPlaceholderWarning, writeInventory } from './helpers';
import { clusters as exampleClusters } from '../examples/reference-pair';

/**
 * One table of rule cases, run through both front-ends: the YAML inventory (synth, as users run it)
 * and clusters declared in code (a WeaveMesh in a cdk8s app). Each case breaks cluster-b of the
 * three-cluster mesh; both front-ends must report the same field, message and rule, once, located
 * at file:line:column or at the construct path.
 */
const root = tempDir();
let counter = 0;

type Case = [rule: string, change: (config: any) => void, field: string, id: string, message: RegExp];

const CASES: Case[] = [
  ['weave provider', (c) => (c.network.provider = 'calico'), 'network.provider', 'weave-provider', /^is "calico"; a multi-cluster pod network needs provider: weave in every cluster$/],
  ['CIDR syntax', (c) => (c.network.service_cidr = '172.17.0.0/40'), 'network.service_cidr', 'cidr', /^"172\.17\.0\.0\/40" is not an IPv4 CIDR such as 10\.32\.0\.0\/12$/],
  ['host bits', (c) => (c.network.weave.ipalloc_default_subnet = '10.34.0.1/16'), 'network.weave.ipalloc_default_subnet', 'cidr', /has host bits set; did you mean 10\.34\.0\.0\/16\?$/],
  ['address syntax', (c) => (c.hosts[0].address = '198.51.100.300'), 'hosts[0].address', 'address', /^"198\.51\.100\.300" is neither an IPv4 address such as 192\.0\.2\.10 nor a host name$/],
  ['IPv4 only', (c) => (c.network.service_cidr = 'fd00::/64'), 'network.service_cidr', 'cidr', /is an IPv6 CIDR; Weave Net allocates IPv4 addresses only/],
  ['same pod network', (c) => (c.network.pod_network_cidr = '10.0.0.0/8'), 'network.pod_network_cidr', 'same-pod-network', /^is 10\.0\.0\.0\/8, but cluster-a, cluster-c use 10\.32\.0\.0\/12; the pod_network_cidr must be the same/],
  ['subnet inside the pod network', (c) => (c.network.weave.ipalloc_default_subnet = '10.64.0.0/16'), 'network.weave.ipalloc_default_subnet', 'subnet-inside-pod-network', /^10\.64\.0\.0\/16 is not inside pod_network_cidr 10\.32\.0\.0\/12/],
  ['subnet overlap', (c) => (c.network.weave.ipalloc_default_subnet = '10.33.128.0/17'), 'network.weave.ipalloc_default_subnet', 'subnet-overlap', /^10\.33\.128\.0\/17 overlaps 10\.33\.0\.0\/16 of cluster cluster-a/],
  ['Weave minimum subnet', (c) => (c.network.weave.ipalloc_default_subnet = '10.34.0.0/31'), 'network.weave.ipalloc_default_subnet', 'subnet-size', /must be a \/30 or larger(; delete the line and npm run allocate -- cluster-b writes a free one)?$/],
  ['service CIDR outside the pod network', (c) => (c.network.service_cidr = '10.40.0.0/16'), 'network.service_cidr', 'service-cidr', /^10\.40\.0\.0\/16 overlaps pod_network_cidr/],
  ['same password file', (c) => (c.network.weave.password = './other_password'), 'network.weave.password', 'same-password', /^is \.\/other_password, but cluster-a, cluster-c use \.\/shared_password/],
  ['a password path, not a secret', (c) => (c.network.weave.password = 'hunter2'), 'network.weave.password', 'password-file', /^does not look like a file path/],
  ['known keys', (c) => (c.network.weave.ipalloc_defualt_subnet = '10.34.0.0/16'), 'network.weave.ipalloc_defualt_subnet', 'known-keys', /^is not a Pharos setting; did you mean ipalloc_default_subnet\?$/],
  ['known top-level keys', (c) => (c.netwrok = {}), 'netwrok', 'known-keys', /^is not a Pharos setting; did you mean network\?$/],
  ['types', (c) => (c.network.weave.no_masq_local = 'sometimes'), 'network.weave.no_masq_local', 'shape', /^must be true or false, not sometimes$/],
  ['enum values', (c) => (c.hosts[1].role = 'boss'), 'hosts[1].role', 'shape', /^must be master or worker, not boss$/],
  ['the password is never echoed', (c) => (c.network.weave.password = 12345), 'network.weave.password', 'shape', /^must be a file path written as a string, not a number$/],
  ['whole numbers', (c) => (c.hosts[1].ssh_port = 22.5), 'hosts[1].ssh_port', 'shape', /^must be a port number from 1 to 65535, not 22\.5$/],
  ['required fields', (c) => delete c.hosts[1].role, 'hosts[1].role', 'shape', /^is missing; set role: master or role: worker$/],
  ['a worker', (c) => (c.hosts = c.hosts.map((host: any) => ({ ...host, role: 'master' }))), 'hosts', 'worker', /^has no worker/],
  ['unique host addresses', (c) => (c.hosts[0].address = '192.0.2.11'), 'hosts[0].address', 'unique-host-address', /^192\.0\.2\.11 is also the address of a host of cluster cluster-a/],
  ['peer addresses', (c) => (c.network.weave.known_peers = ['not a host']), 'network.weave.known_peers[0]', 'address', /^"not a host" is neither an IPv4 address such as 192\.0\.2\.10 nor a host name$/],
  // Pharos's own rules (kontena/pharos-cluster): load_config.rb "No master hosts defined", config.rb name, config_schema.rb unique_addresses?.
  ['a master', (c) => (c.hosts = c.hosts.filter((host: any) => host.role !== 'master')), 'hosts', 'pharos-master', /^has no master; Pharos refuses a cluster without one \("No master hosts defined"\)/],
  ['Pharos name', (c) => (c.name = 'prod'), 'name', 'pharos-name', /^is "prod", but the cluster is cluster-b; Pharos names the cluster by name: and weave-mesh by its file/],
  ['address:ssh_port', (c) => c.hosts.push({ ...c.hosts[1] }), 'hosts[3].address', 'pharos-unique-address', /^198\.51\.100\.11:22 is also the address and SSH port of hosts\[1\]; Pharos refuses duplicate address:ssh_port$/],
  ['no reserved host addresses', (c) => (c.hosts[1].address = '127.0.0.1'), 'hosts[1].address', 'reserved-address', /^127\.0\.0\.1 is a loopback address \(127\.0\.0\.0\/8\), which no other host can reach/],
  ['no broadcast address', (c) => (c.hosts[1].private_address = '255.255.255.255'), 'hosts[1].private_address', 'reserved-address', /^255\.255\.255\.255 is a reserved or broadcast address \(240\.0\.0\.0\/4\)/],
  ['private addresses outside pod networks', (c) => (c.hosts[1].private_address = '10.33.0.9'), 'hosts[1].private_address', 'host-outside-pod-network', /^10\.33\.0\.9 lies inside the pod network 10\.32\.0\.0\/12/],
  ['no multicast service range', (c) => (c.network.service_cidr = '224.1.0.0/16'), 'network.service_cidr', 'reserved-range', /^224\.1\.0\.0\/16 overlaps a multicast address \(224\.0\.0\.0\/4\); pod and service ranges must be ordinary unicast space/],
  [
    'known_peers outside the inventory',
    (c) => (c.network.weave.known_peers = ['192.0.2.11']),
    'network.weave.known_peers[0]',
    'known-peers',
    /^192\.0\.2\.11 is a worker of cluster cluster-a .*, which weave-mesh adds to known_peers itself; remove it$/,
  ],
  ['numeric host names', (c) => (c.hosts[1].address = '0xc6.51.100.11'), 'hosts[1].address', 'address', /^"0xc6\.51\.100\.11" is neither an IPv4 address such as 192\.0\.2\.10 nor a host name$/],
  ['no loopback host names', (c) => (c.hosts[1].address = 'LocalHost'), 'hosts[1].address', 'reserved-address', /^"LocalHost" is a loopback name \(localhost\), which no other host can reach/],
  ['no names below localhost', (c) => (c.hosts[0].private_address = 'node-1.localhost.'), 'hosts[0].private_address', 'reserved-address', /^"node-1\.localhost\." is a loopback name/],
  ['no loopback peers', (c) => (c.network.weave.known_peers = ['peer.LOCALHOST']), 'network.weave.known_peers[0]', 'reserved-address', /^"peer\.LOCALHOST" is a loopback name/],
  ['a password path that cannot be a base64 secret', (c) => (c.network.weave.password = '/Zx9Kq2mB7vT4nL8pR3sW6yU1oE5iA0c'), 'network.weave.password', 'password-file', /^does not look like a file path; .*since a base64 secret can start with \/$/],
  ['a subnet', (c) => delete c.network.weave.ipalloc_default_subnet, 'network.weave.ipalloc_default_subnet', 'missing-subnet', /^is missing; every cluster needs its own subnet inside pod_network_cidr: .*the lowest free subnet/],
];

function broken(change: (config: any) => void): Record<string, any> {
  const clusters = threeClusters();
  change(clusters['cluster-b']);
  return clusters;
}

describe.each(CASES)('rule: %s', (_rule, change, field, id, message) => {
  it('is reported for a YAML cluster at file:line:column, once, with exit 1', () => {
    const dir = path.join(root, `yaml-${++counter}`);
    const result = synth(['--clusters', writeInventory(path.join(dir, 'clusters'), broken(change)), '--outdir', path.join(dir, 'dist')]);
    expect(result.code).toBe(1);
    const errors = result.stderr.split('\n').filter((line) => line.startsWith('error: '));
    expect(errors).toHaveLength(1);
    const [, where, text, rule] = /^error: (.*?): cluster cluster-b: (?:[^:]+): (.*) \[([a-z0-9-]+)\]$/.exec(errors[0])!;
    expect(where).toMatch(/cluster-b\.yml:\d+:\d+$/);
    expect(errors[0]).toContain(`: cluster cluster-b: ${field}: `);
    expect(text).toMatch(message);
    expect(rule).toBe(id);
  });

  it('is reported for a cluster declared in code at its construct path, once, and fails cdk8s synth', () => {
    const app = new App({ outdir: path.join(root, `code-${++counter}`) });
    const mesh = new WeaveMesh(app, 'mesh', { clusters: broken(change), gitops: { repoURL: 'https://git.example.org/mesh.git' } });
    const errors = mesh.errors().map(formatProblem);
    expect(errors).toHaveLength(1);
    expect(errors[0].startsWith(`error: mesh/cluster-b: cluster cluster-b: ${field}: `)).toBe(true);
    expect(errors[0].endsWith(` [${id}]`)).toBe(true);
    expect(errors[0].slice(`error: mesh/cluster-b: cluster cluster-b: ${field}: `.length, -` [${id}]`.length)).toMatch(message);
    expect(mesh.clusters).toEqual([]);
    // A cdk8s app has no npm scripts of weave-mesh's and no cluster files: the fix is said as a value to set.
    expect(errors[0]).not.toMatch(/npm run|clusters\//);
    expect(() => app.synth()).toThrow(errors[0]);
  });
});

describe('a cluster named constructor (a DNS-1123 label that plain JavaScript objects already hold)', () => {
  const named = (): Record<string, any> => {
    const clusters = threeClusters();
    return { 'cluster-a': clusters['cluster-a'], constructor: clusters['cluster-b'], 'cluster-c': clusters['cluster-c'] };
  };

  it('renders from the YAML inventory, and check agrees', () => {
    const dir = path.join(root, `constructor-${++counter}`);
    const opts = ['--clusters', writeInventory(path.join(dir, 'clusters'), named()), '--outdir', path.join(dir, 'dist')];
    const result = synth(opts);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const tree = readTree(path.join(dir, 'dist'));
    expect(parse(tree.get('constructor/pharos/cluster.yml')!).network.weave.ipalloc_default_subnet).toBe('10.34.0.0/16');
    expect(parse(tree.get('cluster-a/pharos/cluster.yml')!).network.weave.known_peers).toContain('198.51.100.11');
    expect(tree.has('_gitops/flux/clusters/constructor/flux-system.kustomization.weave-mesh.yaml')).toBe(true);
    expect(synth(opts).stdout).toMatch(/unchanged/);
  });

  it('renders when declared in code', () => {
    const app = new App({ outdir: path.join(root, `code-${++counter}`) });
    const mesh = new WeaveMesh(app, 'mesh', { clusters: named(), gitops: { repoURL: 'https://git.example.org/mesh.git' } });
    expect(mesh.errors()).toEqual([]);
    expect(mesh.clusters.map((chart) => chart.cluster.name)).toEqual(['cluster-a', 'cluster-c', 'constructor']);
    expect(mesh.render().has('constructor/kubernetes/kube-system.daemonset.route-config.yaml')).toBe(true);
  });
});

describe('cluster names as long as every consumer takes (Argo CD names its Application weave-mesh-<cluster>, a label value of at most 63)', () => {
  const longest = `c${'x'.repeat(51)}`;
  const tooLong = `${longest}y`;
  const withName = (name: string): Record<string, any> => {
    const clusters = threeClusters();
    return { 'cluster-a': clusters['cluster-a'], [name]: clusters['cluster-b'], 'cluster-c': clusters['cluster-c'] };
  };

  // schema.test.ts renders a 52-character name and checks every object and the Application Argo CD makes of it.
  it('a 52-character name renders; 53 is refused at the file, and at name: when it says the same', () => {
    const dir = path.join(root, `long-${++counter}`);
    const opts = ['--clusters', writeInventory(path.join(dir, 'clusters'), withName(longest)), '--outdir', path.join(dir, 'dist')];
    const rendered = synth(opts);
    expect(rendered.code).toBe(0);
    expect(readTree(path.join(dir, 'dist')).has(`${longest}/pharos/cluster.yml`)).toBe(true);

    const refusedDir = path.join(root, `long-${++counter}`);
    const clusters = withName(tooLong);
    const folder = writeInventory(path.join(refusedDir, 'clusters'), clusters);
    const refused = synth(['--clusters', folder, '--outdir', path.join(refusedDir, 'dist')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `${path.join(folder, `${tooLong}.yml`)}: cluster ${tooLong}: the file name gives the cluster name "${tooLong}", which has 53 characters; at most 52 fit, because Argo CD names the cluster's Application weave-mesh-<cluster>`,
    );
    expect(refused.stderr).toMatch(/rename the file to a name of at most 52 characters, such as cluster-a\.yml \[cluster-name\]$/m);
    expect(fs.existsSync(path.join(refusedDir, 'dist'))).toBe(false);

    // With Pharos's name: saying the same, the line of name: is where the name is written.
    fs.writeFileSync(path.join(folder, `${tooLong}.yml`), `name: ${tooLong}\n${fs.readFileSync(path.join(folder, `${tooLong}.yml`), 'utf8')}`);
    expect(synth(['--clusters', folder, '--outdir', path.join(refusedDir, 'dist')]).stderr).toContain(`${path.join(folder, `${tooLong}.yml`)}:1:7: cluster ${tooLong}: name: the file name gives the cluster name`);
  });

  it('declared in code, 53 characters are refused at the construct path', () => {
    const app = new App({ outdir: path.join(root, `code-${++counter}`) });
    const mesh = new WeaveMesh(app, 'mesh', { clusters: withName(tooLong), gitops: { repoURL: 'https://git.example.org/mesh.git' } });
    expect(mesh.errors().map(formatProblem)).toEqual([
      expect.stringMatching(
        new RegExp(`^error: mesh/${tooLong}: cluster ${tooLong}: the cluster name "${tooLong}", which has 53 characters; at most 52 fit, .*; rename the cluster to a name of at most 52 characters, such as cluster-a \\[cluster-name\\]$`),
      ),
    ]);
  });
});

describe('TypeScript props no cluster.yml can hold (or that libyaml would not read back as written)', () => {
  const cycle: any = { zone: 'a' };
  cycle.self = cycle;
  it.each([
    ['a cycle', cycle, 'hosts[0].labels.self', /^is a reference to a value that contains it \(a cycle\), which no cluster\.yml can hold/],
    ['a function', { f: () => 1 }, 'hosts[0].labels.f', /^is a function, which no cluster\.yml can hold/],
    ['a symbol', { s: Symbol('s') }, 'hosts[0].labels.s', /^is a symbol, which no cluster\.yml can hold/],
  ])('%s is refused at its construct path, not thrown', (_name, labels, field, message) => {
    const mesh = new WeaveMesh(new App(), 'mesh', { clusters: broken((c) => (c.hosts[0].labels = labels)), gitops: { repoURL: 'https://git.example.org/mesh.git' } });
    expect(mesh.errors()).toEqual([expect.objectContaining({ construct: 'mesh/cluster-b', field, rule: 'pharos-yaml', message: expect.stringMatching(message) })]);
  });

  // Written raw, libyaml would refuse these (reader.c) or fold them as line breaks; codeClusterText
  // escapes them, so they are accepted (test/pharos-text.test.ts reads the escaped text back with Psych).
  it.each([
    ['a DEL character', { d: 'x\u007fy' }, '"x\\x7fy"'],
    ['a NEL in a key', { 'a\u0085b': 'x' }, '"a\\Nb"'],
    ['U+2028', { l: 'x\u2028y' }, '"x\\Ly"'],
  ])('%s is accepted and written escaped', (_name, labels, escaped) => {
    const clusters = broken((c) => (c.hosts[0].labels = labels));
    const mesh = new WeaveMesh(new App({ outdir: path.join(root, `escaped-${++counter}`) }), 'mesh', { clusters, gitops: { repoURL: 'https://git.example.org/mesh.git' } });
    expect(mesh.errors()).toEqual([]);
    const text = codeClusterText(clusters['cluster-b']);
    expect(text).toContain(escaped);
    expect(text).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
  });
});

describe('the allocate hint', () => {
  it('is given for a cluster file, never for a cluster declared in code (allocate edits files)', () => {
    const change = (c: any) => (c.network.weave.ipalloc_default_subnet = '10.33.128.0/17');
    const mesh = new WeaveMesh(new App({ outdir: path.join(root, `code-${++counter}`) }), 'mesh', { clusters: broken(change), gitops: { repoURL: 'https://git.example.org/mesh.git' } });
    expect(mesh.errors().map(formatProblem).join('\n')).not.toContain('npm run allocate');
    const dir = path.join(root, `yaml-${++counter}`);
    const result = synth(['--clusters', writeInventory(path.join(dir, 'clusters'), broken(change)), '--outdir', path.join(dir, 'dist')]);
    expect(result.stderr).toContain('every cluster needs a subnet of its own; delete the line and npm run allocate -- cluster-b writes a free one [subnet-overlap]');
  });
});

describe('the TypeScript example', () => {
  it('declares the same pair as clusters/ and renders the same files, but for the source named in headers', () => {
    // Beside dist/, as dist/ is: the password path is rebased from the working directory to the output folder.
    const outdir = path.join(REPO, `.example-test-${process.pid}`);
    const result = spawnSync('npm', ['run', '--silent', 'example', '--', '--outdir', outdir], { cwd: REPO, encoding: 'utf8' });
    const rendered = readTree(outdir);
    fs.rmSync(outdir, { recursive: true, force: true });
    expect(withoutPlaceholderWarning({ code: 0, stdout: '', stderr: result.stderr }).stderr).toBe('');
    expect(result.status).toBe(0);
    // Headers name the source; cluster.yml files hold the inventory's comments, which code has none of: compare what they say.
    const strip = (tree: Map<string, string>) =>
      new Map(
        [...tree].map(([file, content]) => [
          file,
          file.endsWith('/pharos/cluster.yml')
            ? JSON.stringify(parse(content))
            : content
                .replace(/from (weave-mesh\/cluster-[ab]|cluster-[ab]\.yml)\./g, 'from <source>.')
                // Where changes belong: the inventory here, the example's code there.
                .replace(doNotEdit('code'), doNotEdit('inventory'))
                .replace(markerContent('code'), markerContent('inventory')),
        ]),
      );
    expect(rendered.get('cluster-a/pharos/cluster.yml')).toContain('rendered by weave-mesh from weave-mesh/cluster-a:');
    expect(rendered.get('README.md')).toContain(doNotEdit('code'));
    expect(strip(rendered)).toEqual(strip(readTree(path.join(REPO, 'dist'))));
    expect(Object.keys(exampleClusters)).toEqual(fs.readdirSync(path.join(REPO, 'clusters')).map((file) => file.replace(/\.yml$/, '')));
  });
});

describe('a refusal of clusters declared in code (npm run example and runCli)', () => {
  it('npm run example passes a refusal through as exit 1 with the problem line only, no stack trace', () => {
    const outdir = path.join(root, 'example-foreign');
    fs.mkdirSync(outdir);
    fs.writeFileSync(path.join(outdir, 'notes.txt'), 'mine\n');
    const result = spawnSync('npm', ['run', '--silent', 'example', '--', '--outdir', outdir], { cwd: REPO, encoding: 'utf8' });
    expect(result.status).toBe(1);
    const lines = withoutPlaceholderWarning({ code: 1, stdout: '', stderr: result.stderr })
      .stderr.split('\n')
      .filter((line) => line !== '');
    expect(lines).toEqual([expect.stringMatching(/^error: refusing to replace .*example-foreign: it is not empty and has no /)]);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('the summary names the clusters declared in code, not an inventory folder the app does not have', () => {
    const lines: string[] = [];
    const output = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line), color: false };
    const clusters = threeClusters();
    clusters['cluster-b'].network.weave.ipalloc_default_subnet = '10.33.0.0/16';
    const outdir = path.join(root, 'code-refused');
    const code = runCli(['synth', '--outdir', outdir], () => new WeaveMesh(new App(), 'weave-mesh', { clusters: clusters as any, outdir, gitops: { repoURL: 'https://git.example.org/mesh.git' } }), output);
    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(/^error: weave-mesh\/cluster-b: cluster cluster-b: network\.weave\.ipalloc_default_subnet: 10\.33\.0\.0\/16 overlaps/),
      `weave-mesh: 1 error in the clusters declared in code (weave-mesh); nothing was written to ${outdir}`,
    ]);
    expect(fs.existsSync(outdir)).toBe(false);
  });
});
