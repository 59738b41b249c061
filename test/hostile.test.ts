import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { PREAMBLE_END } from '../constructs/route-agent-script';
import { readTree, run, runCli, synth, tempDir, threeClusters, writeInventory } from './helpers';

const root = tempDir();
let counter = 0;

function setUp(extra: Record<string, string | Buffer> = {}, clusters = threeClusters()) {
  const dir = path.join(root, `case-${++counter}`);
  const inventory = writeInventory(path.join(dir, 'clusters'), clusters);
  for (const [name, content] of Object.entries(extra)) fs.writeFileSync(path.join(inventory, name), content);
  return { dir, inventory, outdir: path.join(dir, 'dist'), opts: ['--clusters', inventory, '--outdir', path.join(dir, 'dist')] };
}

/** Runs synth, asserting it refuses quickly with one-line errors and no stack trace; returns the error lines. */
function refusedQuickly(opts: string[]): string[] {
  const started = Date.now();
  const result = synth(opts);
  expect(Date.now() - started).toBeLessThan(1000);
  expect(result.code).toBe(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr).not.toMatch(/failed:/);
  return result.stderr.split('\n').filter((line) => line.startsWith('error: '));
}

describe('hostile files are refused quickly with a clear error', () => {
  it('a YAML alias bomb', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((key, i) => `${key}: &${key} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`), 'hosts: *i', ''].join('\n');
    const { opts } = setUp({ 'bomb.yml': bomb });
    expect(refusedQuickly(opts)).toEqual([expect.stringMatching(/bomb\.yml: cannot be loaded as YAML: .*alias/i)]);
  });

  it('a file over the size limit', () => {
    const { opts } = setUp({ 'huge.yml': `hosts: []\n# ${'x'.repeat(300 * 1024)}\n` });
    expect(refusedQuickly(opts)).toEqual([expect.stringMatching(/huge\.yml: is \d+ bytes; cluster files are limited to 262144 bytes$/)]);
  });

  it.each([100, 120000])('a document nested %i levels deep', (depth) => {
    const { opts } = setUp({ 'deep.yml': `hosts: ${'[{a: '.repeat(depth)}${'}]'.repeat(depth)}\n`.slice(0, 250000) });
    expect(refusedQuickly(opts)).toEqual([expect.stringMatching(/deep\.yml: nests \[ \] or \{ \} more than 64 levels deep; a cluster\.yml is a few levels deep$/)]);
  });

  it('a binary file', () => {
    const { opts } = setUp({ 'binary.yml': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02]) });
    expect(refusedQuickly(opts)).toEqual([expect.stringMatching(/binary\.yml: is a binary file, not YAML$/)]);
  });

  it('a symbolic link that leaves the inventory folder', () => {
    const { inventory, dir, opts } = setUp();
    fs.writeFileSync(path.join(dir, 'outside.yml'), stringify(threeClusters()['cluster-a']));
    fs.symlinkSync(path.join(dir, 'outside.yml'), path.join(inventory, 'cluster-d.yml'));
    fs.symlinkSync('/etc/passwd', path.join(inventory, 'passwd.yml'));
    expect(refusedQuickly(opts)).toEqual([
      expect.stringMatching(/cluster-d\.yml: is a symbolic link that leaves the inventory folder; copy the file into it instead$/),
      expect.stringMatching(/passwd\.yml: is a symbolic link that leaves the inventory folder/),
    ]);
  });

  it('duplicate keys', () => {
    const text = stringify(threeClusters()['cluster-a']).replace('  provider: weave\n', '  provider: weave\n  provider: weave\n');
    const { opts } = setUp({ 'cluster-a.yml': text });
    expect(refusedQuickly(opts)).toEqual([expect.stringMatching(/cluster-a\.yml:\d+:\d+: YAML syntax error: Map keys must be unique/)]);
  });

  it('a folder named like a cluster file', () => {
    const { inventory, opts } = setUp();
    fs.mkdirSync(path.join(inventory, 'folder.yml'));
    expect(refusedQuickly(opts)).toEqual([expect.stringMatching(/folder\.yml: is not a regular file$/)]);
  });
});

describe('a strict schema for network and network.weave', () => {
  it('refuses unknown keys with a "did you mean" for near misses', () => {
    const clusters = threeClusters();
    clusters['cluster-a'].network.weave.ipalloc_defualt_subnet = clusters['cluster-a'].network.weave.ipalloc_default_subnet;
    delete clusters['cluster-a'].network.weave.ipalloc_default_subnet;
    clusters['cluster-b'].network.service_cdir = '172.17.0.0/16';
    clusters['cluster-c'].network.weave.colour = 'blue';
    const errors = refusedQuickly(setUp({}, clusters).opts);
    expect(errors).toContainEqual(expect.stringMatching(/cluster-a: network\.weave\.ipalloc_defualt_subnet: is not a Pharos setting; did you mean ipalloc_default_subnet\? \[known-keys\]$/));
    expect(errors).toContainEqual(expect.stringMatching(/cluster-b: network\.service_cdir: is not a Pharos setting; did you mean service_cidr\? \[known-keys\]$/));
    expect(errors).toContainEqual(
      expect.stringMatching(/cluster-c: network\.weave\.colour: is not a Pharos setting; Pharos knows trusted_subnets, known_peers, password, ipalloc_default_subnet, no_masq_local \[known-keys\]$/),
    );
  });

  it('says which type was expected', () => {
    const clusters = threeClusters();
    clusters['cluster-a'].network.pod_network_cidr = 12;
    clusters['cluster-a'].hosts = { address: '192.0.2.11' };
    clusters['cluster-b'].network.weave.known_peers = '203.0.113.5';
    clusters['cluster-c'].network.weave.no_masq_local = 'yes please';
    const errors = refusedQuickly(setUp({}, clusters).opts);
    expect(errors).toContainEqual(expect.stringMatching(/cluster-a: network\.pod_network_cidr: must be an IPv4 CIDR written as a string, not a number \[shape\]$/));
    expect(errors).toContainEqual(expect.stringMatching(/cluster-a: hosts: must be a list of hosts, not a mapping \[shape\]$/));
    expect(errors).toContainEqual(expect.stringMatching(/cluster-b: network\.weave\.known_peers: must be a list of peer addresses, not a string/));
    expect(errors).toContainEqual(expect.stringMatching(/cluster-c: network\.weave\.no_masq_local: must be true or false, not a string \[shape\]$/));
  });

  it('keeps unknown host keys: Pharos has many', () => {
    const clusters = threeClusters();
    clusters['cluster-a'].hosts[0] = { ...clusters['cluster-a'].hosts[0], bastion: { address: '192.0.2.200' }, container_runtime: 'containerd', environment: { HTTP_PROXY: 'x' } };
    const { opts } = setUp({}, clusters);
    expect(synth(opts).code).toBe(0);
  });
});

describe('secrets', () => {
  const CANARY = 'canary-7f3b2e9d-secret-never-print';

  it('refuses a password that looks like an inline secret, without echoing it', () => {
    const clusters = threeClusters();
    for (const name of Object.keys(clusters)) clusters[name].network.weave.password = CANARY;
    const result = synth(setUp({}, clusters).opts);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /network\.weave\.password: does not look like a file path; it must be the path of the file holding the shared Weave secret \(such as \.\/shared_password\), never the secret itself/,
    );
    expect(result.stderr).not.toContain(CANARY);
  });

  it('never reads the password file: its content appears in no output file and no log line', () => {
    const { dir, inventory, outdir, opts } = setUp();
    fs.writeFileSync(path.join(dir, 'shared_password'), `${CANARY}\n`);
    fs.writeFileSync(path.join(inventory, 'shared_password'), `${CANARY}\n`);
    const logs: string[] = [];
    for (const args of [['synth'], ['check'], ['plan'], ['plan', '--json'], ['allocate', 'cluster-a']]) {
      const result = runCli([...args, ...opts], { cwd: dir });
      logs.push(result.stdout, result.stderr);
    }
    const broken = threeClusters();
    broken['cluster-a'].network.weave.password = './other';
    const failing = run(['synth', ...setUp({}, broken).opts]);
    logs.push(failing.stdout, failing.stderr);
    for (const log of logs) expect(log).not.toContain(CANARY);
    for (const content of readTree(outdir).values()) expect(content).not.toContain(CANARY);
    expect(parse(readTree(outdir).get('cluster-a/pharos/cluster.yml')!).network.weave.password).toBe('../../../clusters/shared_password');
  });
});

describe('no input reaches the node\'s shell', () => {
  const PAYLOAD = '$(touch /tmp/pwned)`id`;reboot|&<>\'"\\';

  /** The agent's program and readiness probe of every cluster, from the rendered YAML. */
  function scripts(outdir: string): string[] {
    return [...readTree(outdir).entries()]
      .filter(([file]) => file.endsWith('.daemonset.route-config.yaml'))
      .flatMap(([, content]) => {
        const container = parse(content).spec.template.spec.containers[0];
        return [...container.args, ...container.readinessProbe.exec.command];
      });
  }

  /** Every path to a string in a config. */
  function stringPaths(value: any, at: (string | number)[] = []): (string | number)[][] {
    if (typeof value === 'string') return [at];
    if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => stringPaths(item, [...at, Array.isArray(value) ? Number(key) : key]));
    return [];
  }

  const clean = setUp();
  expect(synth(clean.opts).code).toBe(0);
  const cleanScripts = scripts(clean.outdir);

  const base = threeClusters();
  base['cluster-a'].hosts[0].user = 'ubuntu';
  base['cluster-a'].network.weave.known_peers = ['203.0.113.9'];
  base['cluster-a'].network.weave.trusted_subnets = ['10.0.0.0/8'];
  const fields = stringPaths(base['cluster-a']);

  it.each(fields.map((field) => [field.join('.'), field]))('with shell metacharacters in %s: refused, or rendered with the same scripts', (_name, field) => {
    for (const value of [PAYLOAD, `10.34.0.0/16;${PAYLOAD}`, `${PAYLOAD}\n10.35.0.0/16`]) {
      const clusters = structuredClone(base);
      let target: any = clusters['cluster-a'];
      for (const key of (field as (string | number)[]).slice(0, -1)) target = target[key];
      target[(field as (string | number)[]).at(-1)!] = value;
      const { outdir, opts } = setUp({}, clusters);
      const result = synth(opts);
      expect(result.stderr).not.toMatch(/failed:|\n\s+at /);
      if (result.code === 0) {
        // Accepted: the node's programs are exactly those of the clean mesh, and their generated preambles run harmlessly.
        expect(scripts(outdir)).toEqual(cleanScripts);
        for (const script of scripts(outdir).filter((text) => text.includes(PREAMBLE_END))) {
          expect(spawnSync('sh', ['-c', script.split(PREAMBLE_END)[0]]).status).toBe(0);
        }
      } else {
        expect(result.code).toBe(1);
      }
    }
    expect(fs.existsSync('/tmp/pwned')).toBe(false);
  });

  it('in a cluster name', () => {
    const { opts } = setUp({ 'x$(reboot);`id`.yml': stringify(threeClusters()['cluster-c']).replace('10.35.0.0/16', '10.36.0.0/16').replace('203.0.113.11', '203.0.113.12') });
    const errors = refusedQuickly(opts);
    expect(errors).toContainEqual(expect.stringMatching(/which is not a DNS-1123 label/));
  });
});
