// Needs: ruby
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO, synth, tempDir, threeClusters, writeInventory } from './helpers';

/**
 * What Pharos reads: every rendered cluster.yml is read with Ruby's Psych exactly as Pharos reads its
 * config (lib/pharos/yaml_file.rb: YAML.safe_load, no extra classes, aliases allowed) and compared
 * with the inventory file read the same way, with only the derived fields changed.
 */

// Pharos's own call (lib/pharos/yaml_file.rb: YAML.safe_load(content, [], [], true, filename)) in the keyword form of
// Debian's Ruby 3.1 Psych 4.0, the stand-in for Ruby 2.5's Psych 3.0 (their scalar differences: test/psych-scalar.test.ts).
const PSYCH = 'abort "not Psych 4" unless Psych::VERSION.start_with?("4."); puts JSON.generate(YAML.safe_load(File.read(ARGV[0]), permitted_classes: [], permitted_symbols: [], aliases: true, filename: ARGV[0]))';

/** A file read as Pharos reads it. */
function psych(file: string): any {
  const result = spawnSync('ruby', ['-ryaml', '-rjson', '-e', PSYCH, file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`Psych could not read ${file}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const root = tempDir();

/**
 * Cluster B written by hand with what YAML 1.1 reads differently from 1.2, comments, every kind of
 * path Pharos resolves from the file's folder, a host name as an address, and firewalld on.
 */
const CLUSTER_B = `# Cluster B, written by hand.
name: cluster-b
hosts:
  - address: 198.51.100.10
    role: master
    ssh_key_path: ./keys/b_rsa # relative: rebased
    ssh_port: 0x16 # 22, written in hex (YAML 1.1)
    bastion:
      address: bastion.b.example.com
      ssh_key_path: ~/.ssh/bastion # home: kept
  - address: 198.51.100.11
    role: worker
    labels:
      zone: "0o17" # a string in 1.1, a number in 1.2 unless quoted
      spot: yes # a boolean in YAML 1.1
  - address: worker-2.b.example.com # a host name, as Pharos allows
    role: worker
network:
  provider: weave
  service_cidr: 172.17.0.0/16
  dns_replicas: 02 # octal 2
  firewalld:
    enabled: on # true in YAML 1.1
    trusted_subnets: [203.0.113.0/24]
  weave:
    password: ./shared_password
    ipalloc_default_subnet: 10.34.0.0/16
    no_masq_local: yes
manifests:
  - ./manifests/extra.yml
  - /etc/pharos/absolute.yml
addon_paths: [addons]
`;

describe('the rendered cluster.yml, as Pharos reads it', () => {
  const dir = path.join(root, 'mesh');
  const clusters: Record<string, any> = threeClusters();
  clusters['cluster-b'] = CLUSTER_B;
  const inventory = writeInventory(path.join(dir, 'clusters'), clusters);
  const outdir = path.join(dir, 'dist');
  const result = synth(['--clusters', inventory, '--outdir', outdir]);
  const rendered = (cluster: string) => path.join(outdir, cluster, 'pharos', 'cluster.yml');

  it('renders without a problem', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it("warns that firewalld cannot trust another cluster's peer known by host name (configure_firewalld.rb takes addresses)", () => {
    const withFirewalld: Record<string, any> = { ...clusters, 'cluster-a': structuredClone(clusters['cluster-a']) };
    withFirewalld['cluster-a'].network.firewalld = { enabled: true };
    const other = path.join(root, 'firewalld');
    const warned = synth(['--clusters', writeInventory(path.join(other, 'clusters'), withFirewalld), '--outdir', path.join(other, 'dist')]);
    expect(warned.code).toBe(0);
    expect(warned.stderr.split('\n')).toEqual([
      expect.stringMatching(/^warning: .*cluster-a\.yml:\d+:\d+: cluster cluster-a: network\.firewalld: firewalld takes no host names, so the Weave peer worker-2\.b\.example\.com of cluster cluster-b is not added to trusted_subnets/),
    ]);
    expect(psych(path.join(other, 'dist', 'cluster-a', 'pharos', 'cluster.yml')).network.firewalld.trusted_subnets).toEqual(['198.51.100.11', '203.0.113.11']);
  });

  it('is the inventory file as Pharos reads it, with only known_peers, paths and firewalld.trusted_subnets changed (cluster-b)', () => {
    const expected = psych(path.join(inventory, 'cluster-b.yml'));
    expected.hosts[0].ssh_key_path = '../../../clusters/keys/b_rsa';
    expected.network.weave.password = '../../../clusters/shared_password';
    expected.network.weave.known_peers = ['192.0.2.11', '192.0.2.12', '203.0.113.11'];
    expected.network.firewalld.trusted_subnets = ['203.0.113.0/24', '192.0.2.11', '192.0.2.12', '203.0.113.11'];
    expected.manifests = ['../../../clusters/manifests/extra.yml', '/etc/pharos/absolute.yml'];
    expected.addon_paths = ['../../../clusters/addons'];
    const actual = psych(rendered('cluster-b'));
    expect(actual).toEqual(expected);
    // YAML 1.1 meanings were kept: Pharos sees what it saw in the inventory.
    expect(actual.hosts[0].ssh_port).toBe(22);
    expect(actual.network.dns_replicas).toBe(2);
    expect(actual.network.firewalld.enabled).toBe(true);
    expect(actual.hosts[1].labels).toEqual({ zone: '0o17', spot: true });
  });

  it('is the inventory as Pharos reads it for the clusters of plain data too, peers filled in', () => {
    for (const [cluster, peers] of [
      ['cluster-a', ['198.51.100.11', '203.0.113.11', 'worker-2.b.example.com']],
      ['cluster-c', ['192.0.2.11', '192.0.2.12', '198.51.100.11', 'worker-2.b.example.com']],
    ] as const) {
      const expected = psych(path.join(inventory, `${cluster}.yml`));
      expected.network.weave.password = '../../../clusters/shared_password';
      expected.network.weave.known_peers = peers;
      expect(psych(rendered(cluster))).toEqual(expected);
    }
  });

  it("is the inventory's text byte for byte, but for the header and the derived fields", () => {
    const text = fs.readFileSync(rendered('cluster-b'), 'utf8');
    const header = text.slice(0, text.indexOf('# Cluster B, written by hand.'));
    expect(header.split('\n').every((line) => line === '' || line.startsWith('# '))).toBe(true);
    const expected = CLUSTER_B.replace('ssh_key_path: ./keys/b_rsa', 'ssh_key_path: ../../../clusters/keys/b_rsa')
      .replace('trusted_subnets: [203.0.113.0/24]', 'trusted_subnets: [203.0.113.0/24, 192.0.2.11, 192.0.2.12, 203.0.113.11]')
      .replace('password: ./shared_password', 'password: ../../../clusters/shared_password')
      .replace('    no_masq_local: yes\n', '    no_masq_local: yes\n    known_peers:\n      - 192.0.2.11\n      - 192.0.2.12\n      - 203.0.113.11\n')
      .replace('- ./manifests/extra.yml', '- ../../../clusters/manifests/extra.yml')
      .replace('addon_paths: [addons]', 'addon_paths: [../../../clusters/addons]');
    expect(text.slice(header.length)).toBe(expected);
  });

  it("names the same files from its own folder, where pharos up -c runs (Dir.chdir to the config's folder, up_command.rb)", () => {
    const config = psych(rendered('cluster-b'));
    const from = path.dirname(rendered('cluster-b'));
    expect(path.resolve(from, config.network.weave.password)).toBe(path.join(inventory, 'shared_password'));
    expect(path.resolve(from, config.hosts[0].ssh_key_path)).toBe(path.join(inventory, 'keys', 'b_rsa'));
    expect(path.resolve(from, config.manifests[0])).toBe(path.join(inventory, 'manifests', 'extra.yml'));
    expect(config.hosts[0].bastion.ssh_key_path).toBe('~/.ssh/bastion');
  });

  it("keeps the inventory's comments", () => {
    const text = fs.readFileSync(rendered('cluster-b'), 'utf8');
    expect(text).toContain('# Cluster B, written by hand.');
    expect(text).toContain('ssh_key_path: ../../../clusters/keys/b_rsa # relative: rebased');
    expect(text).toContain('# a host name, as Pharos allows');
  });
});

describe('the committed dist/', () => {
  it.each(['cluster-a', 'cluster-b'])('%s/pharos/cluster.yml is clusters/%s.yml as Pharos reads it, with the peers and password path derived', (cluster) => {
    const expected = psych(path.join(REPO, 'clusters', `${cluster}.yml`));
    const actual = psych(path.join(REPO, 'dist', cluster, 'pharos', 'cluster.yml'));
    expect(actual.network.weave.password).toBe('../../../clusters/shared_password');
    expect(actual.network.weave.known_peers).toHaveLength(2);
    expect({ ...actual, network: { ...actual.network, weave: { ...actual.network.weave, password: undefined, known_peers: undefined } } }).toEqual({
      ...expected,
      network: { ...expected.network, weave: { ...expected.network.weave, password: undefined, known_peers: undefined } },
    });
  });
});

describe('values passed through to Pharos', () => {
  const dir = path.join(root, 'values');

  function renderWith(extra: string) {
    const clusters: Record<string, any> = threeClusters();
    const inventory = writeInventory(path.join(dir, `clusters-${extra.length}`), clusters);
    const file = path.join(inventory, 'cluster-a.yml');
    fs.writeFileSync(file, `${fs.readFileSync(file, 'utf8')}${extra}`);
    const outdir = path.join(dir, `dist-${extra.length}`);
    return { result: synth(['--clusters', inventory, '--outdir', outdir]), file, rendered: path.join(outdir, 'cluster-a', 'pharos', 'cluster.yml') };
  }

  it('keep !!binary and integers beyond 2^53 exactly as Pharos reads them', () => {
    const { result, file, rendered } = renderWith('kube_proxy:\n  conntrack:\n    max: 123456789012345678901234567890\naddons:\n  blob: !!binary aGVsbG8=\n');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const actual = psych(rendered);
    expect(actual.kube_proxy).toEqual(psych(file).kube_proxy);
    expect(fs.readFileSync(rendered, 'utf8')).toContain('max: 123456789012345678901234567890\n');
    expect(actual.addons).toEqual({ blob: 'hello' });
  });

  it.each([
    ['a YAML 1.1 timestamp', 'addons:\n  since: 2001-12-14\n', 'addons.since', '"2001-12-14" is read by Pharos\'s YAML reader \\(Ruby 2.5\'s Psych 3.0\\) as a Date'],
    ['a !!set', 'addons:\n  tags: !!set {a, b}\n', 'addons.tags', '"tag:yaml.org,2002:set" is read by Pharos\'s YAML reader \\(Ruby 2.5\'s Psych 3.0\\) as a tag:yaml.org,2002:set collection'],
  ])('refuse %s, which Pharos cannot load (Psych::DisallowedClass)', (_what, extra, field, shown) => {
    const { result, file } = renderWith(extra);
    expect(() => psych(file)).toThrow(/DisallowedClass/);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toMatch(new RegExp(`cluster-a\\.yml:\\d+:\\d+: ${field.replace('.', '\\.')}: ${shown}.*so pharos up cannot load the file`));
  });
});
