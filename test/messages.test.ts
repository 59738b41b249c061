import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { formatProblem } from '../src/mesh/problem';
import { REPO, run, synth, tempDir, threeClusterInventory, threeClusters, writeInventory } from './helpers';

/** Small effects that make a message wrong or a result surprising (issue 13's last list). */
const root = tempDir();
/** The three-cluster inventory in a fresh folder, changed by `change`. */
const inventory = (change?: (clusters: Record<string, any>) => void) => threeClusterInventory(root, change);

describe('messages', () => {
  it('a prefix length with a leading zero is called that, not host bits', () => {
    const { opts } = inventory((c) => (c['cluster-b'].network.weave.ipalloc_default_subnet = '10.34.0.0/016'));
    expect(synth(opts).stderr).toMatch(/ipalloc_default_subnet: "10\.34\.0\.0\/016" is written with leading zeros; write 10\.34\.0\.0\/16 \[cidr\]$/m);
  });

  it("an unknown option is named in our words, without Node's unbalanced quoting", () => {
    const result = run(['synth', '--out', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('error: unknown option --out');
  });

  it('an option without its value says so', () => {
    expect(run(['synth', '--outdir']).stderr.split('\n')[0]).toBe('error: --outdir needs a folder after it');
  });

  it('a repeated option is refused rather than the last one silently taken', () => {
    const { opts, dir } = inventory();
    const result = run(['synth', ...opts, '--outdir', path.join(dir, 'other')]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('error: --outdir is given more than once; give it once');
    expect(fs.existsSync(path.join(dir, 'other'))).toBe(false);
  });

  it.each(['synth', 'check'])('--json means --format json for %s too, rather than being accepted and ignored', (command) => {
    const { opts } = inventory();
    if (command === 'check') expect(run(['synth', ...opts]).code).toBe(0);
    const result = run([command, ...opts, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ command, exitCode: 0 });
  });

  it.each([
    ['synth', 'nothing was written to'],
    ['check', 'nothing was compared with'],
    ['plan', 'no plan was made for'],
  ])('%s on invalid input says what it did not do', (command, words) => {
    const { opts, outdir } = inventory((c) => (c['cluster-b'].network.provider = 'calico'));
    const result = run([command, ...opts]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').pop()).toMatch(new RegExp(`; ${words} ${outdir.replace(/[/.]/g, '\\$&')}$`));
  });

  it('a file holding two YAML documents is told so, without a hint meant for programmers', () => {
    const { folder, opts } = inventory();
    fs.writeFileSync(path.join(folder, 'cluster-d.yml'), 'hosts: []\n---\nnetwork: {}\n');
    const result = synth(opts);
    expect(result.stderr).toMatch(/cluster-d\.yml:2:1: holds more than one YAML document \(a second ---\); a cluster file is one Pharos cluster\.yml \[cluster-file\]$/m);
    expect(result.stderr).not.toMatch(/parseAllDocuments/);
  });

  it('a file made of a carriage return alone is refused as such', () => {
    const { folder, opts } = inventory();
    fs.writeFileSync(path.join(folder, 'cluster-d.yml'), '\r');
    expect(synth(opts).stderr).toMatch(/cluster-d\.yml:1:1: holds a carriage return \(CR\) outside a CRLF line end/);
  });

  it('a problem about a file whose name holds a newline stays one line', () => {
    expect(formatProblem({ severity: 'error', file: 'clusters/evil\nname.yml', message: 'is bad' })).toBe('error: clusters/evil name.yml: is bad');
  });

  it('the refusal of an inventory inside the output folder names both, not only --outdir', () => {
    const dir = fs.mkdtempSync(path.join(root, 'inside-'));
    const folder = writeInventory(path.join(dir, 'dist', 'clusters'), threeClusters());
    const result = synth(['--clusters', folder, '--outdir', path.join(dir, 'dist')]);
    expect(result.stderr).toMatch(/the inventory .* lies inside it, and synth replaces the output folder as a whole; give --clusters and --outdir folders apart from each other \[output-folder\]$/m);
  });
});

describe('effects', () => {
  it("the output folder is left with the usual permissions, not mkdtemp's 0700", () => {
    const { opts, outdir } = inventory();
    expect(synth(opts).code).toBe(0);
    expect(fs.statSync(outdir).mode & 0o777).toBe(0o777 & ~process.umask());
  });
});

describe('scripts/run.mjs (what npm run synth|check|plan runs)', () => {
  it('without a command refuses with exit 2 instead of quietly running synth and writing', () => {
    const result = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'run.mjs'), '--outdir', 'never-written'], { cwd: REPO, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('error: give a command first: node scripts/run.mjs synth|check|plan|allocate|schema [options] (npm run synth, npm run check, ...)\n');
    expect(fs.existsSync(path.join(REPO, 'never-written'))).toBe(false);
  });

  it("runs from any working directory, its rebuild included: paths are the caller's, the build finds main.ts", () => {
    const { dir, outdir } = inventory();
    // No stamp: the bundle counts as stale and is rebuilt (atomically, so other test files reading it meanwhile are safe).
    fs.rmSync(path.join(REPO, 'build', 'main.js.sources'), { force: true });
    const result = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'run.mjs'), 'synth'], { cwd: dir, encoding: 'utf8' });
    expect(result.stderr).not.toMatch(/Could not resolve|at .*esbuild/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^weave-mesh: rendered 3 clusters into dist$/m);
    // A setting is named at its line in the repository's main.ts, as the caller's folder reaches it (not a main.ts there).
    const main = fs.readFileSync(path.join(REPO, 'main.ts'), 'utf8').split('\n');
    const line = main.findIndex((text) => text.includes('repoURL:')) + 1;
    expect(result.stderr).toContain(`warning: ${path.relative(dir, path.join(REPO, 'main.ts'))}:${line}:5: gitops.repoURL: is still the placeholder`);
    expect(fs.existsSync(path.join(outdir, 'cluster-a', 'pharos', 'cluster.yml'))).toBe(true);
    expect(fs.readFileSync(path.join(REPO, 'build', 'main.js.sources'), 'utf8')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('keys', () => {
  const write = (name: string, text: string) => {
    const dir = path.join(root, `keys-${name}`);
    writeInventory(path.join(dir, 'clusters'), { ...threeClusters(), 'cluster-a': text });
    fs.writeFileSync(path.join(dir, 'clusters', 'shared_password'), 'secret\n');
    return synth(['--clusters', path.join(dir, 'clusters'), '--outdir', path.join(dir, 'dist')]);
  };
  const original = fs.readFileSync(path.join(REPO, 'clusters', 'cluster-a.yml'), 'utf8');
  const lineOf = (text: string, line: string) => text.split('\n').indexOf(line) + 1;

  it('an unknown key is reported at the key itself, named, not at its value on the next line', () => {
    const text = original.replace(/^network:$/m, 'netwrok:');
    const result = write('unknown', text);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`cluster-a\\.yml:${lineOf(text, 'netwrok:')}:1: cluster cluster-a: netwrok: is not a Pharos setting; did you mean network\\? \\[known-keys\\]$`, 'm'));
  });

  it('an unknown nested key is reported at its column', () => {
    const text = original.replace(/^ {2}service_cidr:/m, '  service_cdir:');
    const line = text.split('\n').findIndex((each) => each.startsWith('  service_cdir:')) + 1;
    expect(write('nested', text).stderr).toMatch(new RegExp(`cluster-a\\.yml:${line}:3: cluster cluster-a: network\\.service_cdir: is not a Pharos setting; did you mean service_cidr\\? \\[known-keys\\]$`, 'm'));
  });

  it('a duplicate key is named with its field path and both lines', () => {
    const text = original.replace(/^ {4}role: worker$/m, '    role: worker\n    role: master');
    const first = lineOf(text, '    role: worker');
    const result = write('duplicate', text);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`cluster-a\\.yml:${first + 1}:5: hosts\\[1\\]\\.role: the key "role" is given twice in one mapping \\(first at line ${first}\\); Pharos's YAML reader would silently keep the last one: keep one \\[cluster-file\\]$`, 'm'),
    );
    expect(result.stderr).not.toContain('Map keys must be unique');
  });

  it('a duplicate key in a flow mapping too', () => {
    const text = `${original}labels: {zone: a, zone: b}\n`;
    expect(write('flow', text).stderr).toMatch(/labels\.zone: the key "zone" is given twice in one mapping \(first at line \d+\)/);
  });
});
