// Needs: git
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { PREAMBLE_END } from '../constructs/route-agent-script';
import { isUnmistakablePath } from '../src/mesh/validate';
import { clusterConfig, readTree, run, runCli, synth, tempDir, threeClusters, writeInventory } from './helpers';

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
    expect(refusedQuickly(opts)).toEqual([expect.stringMatching(/huge\.yml: is \d+ bytes; cluster files are limited to 262144 bytes \[cluster-file\]$/)]);
  });

  it.each([100, 120000])('a document nested %i levels deep', (depth) => {
    const { opts } = setUp({ 'deep.yml': `hosts: ${'[{a: '.repeat(depth)}${'}]'.repeat(depth)}\n`.slice(0, 250000) });
    expect(refusedQuickly(opts)).toEqual([expect.stringMatching(/deep\.yml: nests \[ \] or \{ \} more than 64 levels deep; a cluster\.yml is a few levels deep \[cluster-file\]$/)]);
  });

  it('a binary file', () => {
    const { opts } = setUp({ 'binary.yml': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02]) });
    expect(refusedQuickly(opts)).toEqual([expect.stringMatching(/binary\.yml: is a binary file, not YAML \[cluster-file\]$/)]);
  });

  it('a symbolic link, wherever it points, is refused without being read', () => {
    const { inventory, dir, opts } = setUp();
    const CANARY = 'canary-link-5d1e-secret';
    fs.writeFileSync(path.join(dir, 'outside.yml'), stringify(threeClusters()['cluster-a']));
    fs.writeFileSync(path.join(inventory, 'shared_password'), `${CANARY}: x\n`);
    fs.symlinkSync(path.join(dir, 'outside.yml'), path.join(inventory, 'cluster-d.yml'));
    fs.symlinkSync('/etc/passwd', path.join(inventory, 'passwd.yml'));
    // Inside the folder: to the password file (any pull request can add this) and to another cluster file.
    fs.symlinkSync('shared_password', path.join(inventory, 'z.yml'));
    fs.symlinkSync('cluster-c.yml', path.join(inventory, 'cluster-e.yml'));
    const result = run(['synth', ...opts, '--format', 'github']);
    expect(result.code).toBe(1);
    expect(`${result.stdout}${result.stderr}`).not.toContain(CANARY);
    expect(refusedQuickly(opts)).toEqual(
      ['cluster-d', 'cluster-e', 'passwd', 'z'].map((name) =>
        expect.stringMatching(new RegExp(`${name}\\.yml: is a symbolic link, and cluster files must be regular files of the inventory folder .*; replace the link with a copy of the file it points to \\[cluster-file\\]$`)),
      ),
    );
  });

  it('a hard link to the password file (a regular file by another name) is refused without being read', () => {
    const { inventory, opts } = setUp();
    const CANARY = 'canary-hardlink-7c2a-secret';
    fs.writeFileSync(path.join(inventory, 'shared_password'), `${CANARY}: x\n`);
    fs.linkSync(path.join(inventory, 'shared_password'), path.join(inventory, 'z.yml'));
    const result = run(['synth', ...opts, '--format', 'json']);
    expect(result.code).toBe(1);
    expect(`${result.stdout}${result.stderr}`).not.toContain(CANARY);
    expect(refusedQuickly(opts)).toEqual([expect.stringMatching(/z\.yml: has 2 names \(hard links\), and cluster files must be files of their own .*; replace it with a copy \[cluster-file\]$/)]);
  });

  it('a cluster file whose name is not valid UTF-8', () => {
    const { inventory, opts } = setUp();
    fs.writeFileSync(Buffer.concat([Buffer.from(`${inventory}/`), Buffer.from([0x63, 0xff, 0x2e, 0x79, 0x6d, 0x6c])]), stringify(threeClusters()['cluster-c']));
    expect(refusedQuickly(opts)).toEqual([expect.stringMatching(/clusters\/c\ufffd\.yml: has a name that is not valid UTF-8; rename it to <cluster-name>\.yml \[inventory-folder\]$/)]);
  });

  it('a git merge conflict left in a cluster file is named at its line', () => {
    const text = stringify(threeClusters()['cluster-a']).replace(/( {4}ipalloc_default_subnet: .*\n)/, '<<<<<<< HEAD\n$1=======\n    ipalloc_default_subnet: 10.36.0.0/16\n>>>>>>> other\n');
    const { opts } = setUp({ 'cluster-a.yml': text });
    expect(refusedQuickly(opts)).toEqual([expect.stringMatching(/cluster-a\.yml:\d+:1: holds a git merge conflict; resolve it \(keep one side, remove the <<<<<<< ======= >>>>>>> lines\), then run the command again \[cluster-file\]$/)]);
    // allocate says why it does not find the cluster.
    const allocation = run(['allocate', 'cluster-a', ...opts]);
    expect(allocation.code).toBe(1);
    expect(allocation.stderr).toMatch(/cluster-a\.yml:\d+:1: holds a git merge conflict[^]*no cluster cluster-a in /);
  });

  it('duplicate keys', () => {
    const text = stringify(threeClusters()['cluster-a']).replace('  provider: weave\n', '  provider: weave\n  provider: weave\n');
    const { opts } = setUp({ 'cluster-a.yml': text });
    const first = text.split('\n').indexOf('  provider: weave') + 1;
    expect(refusedQuickly(opts)).toEqual([expect.stringMatching(new RegExp(`cluster-a\\.yml:${first + 1}:3: network\\.provider: the key "provider" is given twice in one mapping \\(first at line ${first}\\); .* keep one \\[cluster-file\\]$`))]);
  });

  it('a key that is a collection is refused as an unknown key, without a stray Node warning on stderr', () => {
    const warn = jest.spyOn(process, 'emitWarning');
    const { opts } = setUp({ 'cluster-a.yml': `${stringify(threeClusters()['cluster-a'])}? [a, b]\n: c\n` });
    // Located at the key as written (`? [a, b]`, column 3), no longer at the document's start.
    expect(refusedQuickly(opts)).toEqual([expect.stringMatching(/cluster-a\.yml:\d+:3: cluster cluster-a: \[ a, b \]: is not a Pharos setting; .*\[known-keys\]$/)]);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('a folder named like a cluster file', () => {
    const { inventory, opts } = setUp();
    fs.mkdirSync(path.join(inventory, 'folder.yml'));
    expect(refusedQuickly(opts)).toEqual([expect.stringMatching(/folder\.yml: is not a regular file \[cluster-file\]$/)]);
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
    expect(errors).toContainEqual(expect.stringMatching(/cluster-c: network\.weave\.colour: is not a Pharos setting; Pharos knows trusted_subnets, known_peers, password, ipalloc_default_subnet, no_masq_local \[known-keys\]$/));
  });

  it('says which type was expected', () => {
    const clusters = threeClusters();
    clusters['cluster-a'].network.pod_network_cidr = 12;
    clusters['cluster-a'].hosts = { address: '192.0.2.11' };
    clusters['cluster-b'].network.weave.known_peers = '203.0.113.5';
    clusters['cluster-c'].network.weave.no_masq_local = 'yes please';
    const errors = refusedQuickly(setUp({}, clusters).opts);
    expect(errors).toContainEqual(expect.stringMatching(/cluster-a: network\.pod_network_cidr: must be an IPv4 CIDR written as a string, not 12 \(a number\) \[shape\]$/));
    expect(errors).toContainEqual(expect.stringMatching(/cluster-a: hosts: must be a list of hosts, not a mapping \[shape\]$/));
    expect(errors).toContainEqual(expect.stringMatching(/cluster-b: network\.weave\.known_peers: must be a list of peer addresses, not 203\.0\.113\.5;/));
    expect(errors).toContainEqual(expect.stringMatching(/cluster-c: network\.weave\.no_masq_local: must be true or false, not "yes please" \[shape\]$/));
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
    expect(result.stderr).toMatch(/network\.weave\.password: does not look like a file path; it must be the path of the file holding the shared Weave secret \(such as \.\/shared_password\), never the secret itself/);
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

describe('weave.password is accepted only as an unmistakable path', () => {
  // A base64 secret (openssl rand -base64 24) that happens to start with / and hold no + or =.
  const SECRET = '/Q8ZfJ3kP0wX7rT2mB9vN4cL6yH1sD5g';

  it.each(['./shared_password', '../secrets/weave.pw', '~/weave/password', '/etc/weave/secret', '/srv/Weave/shared_password', '/Users/Bob/weave-password'])('accepts %s', (value) => {
    expect(isUnmistakablePath(value)).toBe(true);
  });

  it.each(['shared_password', 'secrets/weave', 'hunter2', '~bob/password', './', './/x', './a b', SECRET, '/Zm9vYmFyYmF6cXV4/QUJD', 'aGVsbG8/d29ybGQ=', '/etc/Weave/Secret', 'a3f9c2e1b4d5'])('refuses %s', (value) => {
    expect(isUnmistakablePath(value)).toBe(false);
  });

  it.each([
    ['synth', 'text'],
    ['synth', 'github'],
    ['synth', 'json'],
    ['check', 'json'],
    ['plan', 'markdown'],
  ])('a secret in it is refused by %s --format %s without being echoed', (command, format) => {
    const clusters = threeClusters();
    for (const name of Object.keys(clusters)) clusters[name].network.weave.password = SECRET;
    const result = run([command, ...setUp({}, clusters).opts, '--format', format]);
    expect(result.code).toBe(1);
    const output = `${result.stdout}\n${result.stderr}`;
    expect(output).toMatch(/network\.weave\.password/);
    // Not even a piece of it.
    for (let start = 0; start + 8 <= SECRET.length; start++) expect(output).not.toContain(SECRET.slice(start, start + 8));
  });
});

describe('a password file tracked by git', () => {
  it('is a warning of synth, naming the file; untracked, outside a repository or without git, no warning', () => {
    const { dir, inventory, opts } = setUp();
    fs.writeFileSync(path.join(inventory, 'shared_password'), 'not-a-real-secret\n');
    const warning = /^warning: .*clusters\/shared_password: is the Weave password file, and git tracks it: .*git rm --cached.* \[password-tracked\]$/m;
    // Not a repository yet.
    expect(synth(opts).stderr).not.toMatch(/password-tracked/);
    execFileSync('git', ['init', '-q', dir]);
    execFileSync('git', ['-C', dir, 'add', 'clusters']);
    const tracked = synth(opts);
    expect(tracked.code).toBe(0);
    expect(tracked.stderr).toMatch(warning);
    execFileSync('git', ['-C', dir, 'rm', '-q', '--cached', 'clusters/shared_password']);
    expect(synth(opts).stderr).not.toMatch(/password-tracked/);
    const noGit = runCli(['synth', ...opts], { env: { PATH: '/nonexistent' } });
    expect(noGit.stderr).not.toMatch(/password-tracked|failed:/);
  });

  it('the shipped .gitignore ignores the password file docs/inventory.md has users create', () => {
    const repo = path.resolve(__dirname, '..');
    expect(execFileSync('git', ['-C', repo, 'check-ignore', '--no-index', 'clusters/shared_password'], { encoding: 'utf8' }).trim()).toBe('clusters/shared_password');
  });
});

describe('names that plain JavaScript objects already hold', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('%s as a command is an unknown command (a usage error), not a failure', (name) => {
    const result = run([name, ...setUp().opts]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`error: unknown command "${name}"`);
  });
});

describe('generated inventory trees: exit 0 with the right output, or exit 1 with a located message; never exit 2, never the secret', () => {
  const SECRET = 'canary-0f9e8d7c-in-the-password-file';
  const INLINE = '/Y2FuYXJ5SW5saW5lU2VjcmV0MDAx';
  type Kind = 'valid' | 'conflict' | 'link-to-password' | 'link-to-cluster' | 'link-outside' | 'inline-secret' | 'localhost-worker';
  const NAMES = ['cluster-a', 'constructor', 'b', 'x-1', 'Upper', 'a.b', '__proto__', 'tostring', 'hasOwnProperty'];
  const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  const tree = fc.record({
    clusters: fc.uniqueArray(fc.record({ name: fc.constantFrom(...NAMES), kind: fc.constantFrom<Kind>('valid', 'valid', 'valid', 'conflict', 'link-to-password', 'link-to-cluster', 'link-outside', 'inline-secret', 'localhost-worker') }), {
      minLength: 1,
      maxLength: 4,
      selector: (cluster) => cluster.name,
    }),
    // Render first, then leave a merge conflict in one rendered cluster.yml.
    conflictedOutput: fc.boolean(),
  });

  it('holds for 40 trees', () => {
    let index = 0;
    fc.assert(
      fc.property(tree, ({ clusters, conflictedOutput }) => {
        const dir = path.join(root, `generated-${++counter}`);
        const inventory = path.join(dir, 'clusters');
        const outdir = path.join(dir, 'dist');
        fs.mkdirSync(inventory, { recursive: true });
        fs.writeFileSync(path.join(inventory, 'shared_password'), `${SECRET}\n`);
        fs.writeFileSync(path.join(dir, 'outside.yml'), `hosts: [{address: ${SECRET}, role: worker}]\n`);
        const config = (i: number) => clusterConfig({ subnet: `10.${33 + i}.0.0/16`, workers: [`192.0.2.${10 + i}`], masters: [`198.51.100.${10 + i}`] });
        clusters.forEach(({ name, kind }, i) => {
          const file = path.join(inventory, `${name}.yml`);
          const text = stringify(config(i));
          if (kind === 'valid') fs.writeFileSync(file, text);
          else if (kind === 'conflict') fs.writeFileSync(file, text.replace(/( {4}ipalloc_default_subnet: .*\n)/, `<<<<<<< HEAD\n$1=======\n    ipalloc_default_subnet: 10.99.0.0/16\n>>>>>>> theirs\n`));
          else if (kind === 'link-to-password') fs.symlinkSync('shared_password', file);
          else if (kind === 'link-to-cluster') fs.symlinkSync(`${clusters[0].name}.yml`, file);
          else if (kind === 'link-outside') fs.symlinkSync(path.join(dir, 'outside.yml'), file);
          else if (kind === 'inline-secret') fs.writeFileSync(file, text.replace('./shared_password', INLINE));
          else fs.writeFileSync(file, text.replace(`address: 192.0.2.${10 + i}`, 'address: worker.LocalHost.'));
        });
        const valid = clusters.every(({ name, kind }) => kind === 'valid' && DNS_LABEL.test(name));
        const opts = ['--clusters', inventory, '--outdir', outdir];
        const outputs: string[] = [];
        const runChecked = (args: string[]) => {
          const result = run(args);
          outputs.push(result.stdout, result.stderr);
          expect([0, 1]).toContain(result.code);
          expect(result.stderr).not.toMatch(/failed:|\n\s+at /);
          if (result.code === 1) expect(`${result.stdout}\n${result.stderr}`).toMatch(/^(error: \S+(:\d+:\d+)?: |::error file=[^,]+,|weave-mesh: \S+ is out of date)|"file": "/m);
          return result;
        };
        if (conflictedOutput && valid) {
          expect(runChecked(['synth', ...opts]).code).toBe(0);
          const file = path.join(outdir, clusters[0].name, 'pharos', 'cluster.yml');
          fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/( {4}ipalloc_default_subnet: .*\n)/, `<<<<<<< HEAD\n$1=======\n    ipalloc_default_subnet: 10.99.0.0/16\n>>>>>>> theirs\n`));
          expect(runChecked(['check', ...opts]).code).toBe(1);
          expect(runChecked(['plan', ...opts, '--format', 'json']).code).toBe(0);
        }
        const synthesis = runChecked(['synth', ...opts, '--format', (['text', 'github', 'json'] as const)[index++ % 3]]);
        expect(synthesis.code).toBe(valid ? 0 : 1);
        if (valid) {
          const rendered = readTree(outdir);
          clusters.forEach(({ name }, i) => expect(parse(rendered.get(`${name}/pharos/cluster.yml`)!).network.weave.ipalloc_default_subnet).toBe(`10.${33 + i}.0.0/16`));
          expect(runChecked(['check', ...opts]).code).toBe(0);
        } else {
          expect(fs.existsSync(outdir) && !conflictedOutput).toBe(false);
        }
        runChecked(['plan', ...opts, '--format', 'markdown']);
        for (const output of [...outputs, ...(fs.existsSync(outdir) ? readTree(outdir).values() : [])]) {
          expect(output).not.toContain(SECRET);
          expect(output).not.toContain(INLINE.slice(1, 12));
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe("no input reaches the node's shell", () => {
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
