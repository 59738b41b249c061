import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO, tempDir } from './helpers';

/**
 * Every fenced block of the README and of every document in docs/ is a sample that is checked here.
 * The line right before the block's opening fence (or before a blank line there) is a marker `<!-- sample KIND ... -->`:
 * - `output: NAME`: what a command prints. NAME is a scenario below: the shipped example (clusters/ and
 *   the committed dist/) as a fresh clone has it, changed as the text around the sample says, and the
 *   command run there as `npm run` runs it (stdout and stderr in the order printed).
 * - `file: PATH`: the file PATH of this repository as it is (the examples are compiled by `npm test`).
 * - `inventory`: a cluster file that synth accepts in place of the shipped `clusters/cluster-a.yml`.
 * - `tree`: an indented listing of the output folder; every path it names exists in the committed dist/.
 * - `commands`: shell lines; every `npm run` script they run exists, and every dist/ path they name.
 * A block without a marker fails, so no sample goes unchecked.
 */
const scenarios: Record<string, { readonly change?: (dir: string) => void; readonly args: readonly string[] }> = {
  // A fresh clone: dist/ is committed, so synth finds it up to date.
  synth: { args: ['synth'] },
  'synth-overlap': {
    change: (dir) => edit(path.join(dir, 'clusters', 'cluster-b.yml'), (text) => text.replace('ipalloc_default_subnet: 10.34.0.0/16', 'ipalloc_default_subnet: 10.33.128.0/17')),
    args: ['synth'],
  },
  // The README's "Add a cluster, end to end": cluster-c is written without a subnet, allocate gives it one, plan shows the change.
  'allocate-join': { change: (dir) => writeClusterC(dir), args: ['allocate', 'cluster-c'] },
  'plan-join': {
    change: (dir) => {
      writeClusterC(dir);
      const allocated = command(dir, ['allocate', 'cluster-c']);
      if (allocated.status !== 0) throw new Error(`allocate failed: ${allocated.output}`);
    },
    args: ['plan', '--summary'],
  },
  // docs/warnings.md: each cluster trusts its own private network and the other cluster's public /24.
  'synth-trusted-subnets': {
    change: (dir) => {
      trust(dir, 'cluster-a', '[10.0.0.0/16, 198.51.100.0/24]');
      trust(dir, 'cluster-b', '[10.1.0.0/16, 192.0.2.0/24]');
    },
    args: ['synth'],
  },
  // docs/warnings.md: cluster-b gains 95 workers (198.51.100.100 to .194), 101 Weave peers in all.
  'synth-peer-count': {
    change: (dir) => edit(path.join(dir, 'clusters', 'cluster-b.yml'), (text) => text.replace(/^hosts:\n/m, `hosts:\n${Array.from({ length: 95 }, (_, i) => `  - address: 198.51.100.${100 + i}\n    role: worker\n`).join('')}`)),
    args: ['synth'],
  },
};

/** Adds `trusted_subnets: LIST` to a cluster's network.weave, after its ipalloc_default_subnet. */
function trust(dir: string, cluster: string, list: string): void {
  edit(path.join(dir, 'clusters', `${cluster}.yml`), (text) => text.replace(/^( *)(ipalloc_default_subnet: .*)$/m, `$1$2\n$1trusted_subnets: ${list}`));
}

/** cluster-c: a copy of cluster-b with its own addresses and service CIDR, and no subnet yet. */
function writeClusterC(dir: string): void {
  const text = fs
    .readFileSync(path.join(dir, 'clusters', 'cluster-b.yml'), 'utf8')
    .replace(/Cluster B/g, 'Cluster C')
    .replace(/198\.51\.100\./g, '203.0.113.')
    .replace(/10\.1\.0\./g, '10.2.0.')
    .replace('172.17.0.0/16', '172.18.0.0/16');
  const withoutSubnet = text.replace(/^ *ipalloc_default_subnet: .*\n/m, '');
  if (withoutSubnet === text) throw new Error('the scenario no longer removes the subnet of the copy of cluster-b.yml');
  fs.writeFileSync(path.join(dir, 'clusters', 'cluster-c.yml'), withoutSubnet);
}

function edit(file: string, change: (text: string) => string): void {
  const before = fs.readFileSync(file, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`the scenario no longer changes ${file}`);
  fs.writeFileSync(file, after);
}

/** Runs the built command line in dir, as `npm run` does: both streams through one pipe, in the order the user sees them. */
function command(dir: string, args: readonly string[]): { status: number | null; output: string } {
  const line = [process.execPath, path.join(REPO, 'build', 'main.js'), ...args].map((word) => `'${word}'`).join(' ');
  const result = spawnSync('sh', ['-c', `${line} 2>&1`], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, output: result.stdout.replace(/\n$/, '') };
}

/** A copy of the shipped example (clusters/ and the committed dist/) in a fresh folder. */
function example(name: string): string {
  const dir = path.join(root, name);
  for (const entry of ['clusters', 'dist', 'main.ts']) fs.cpSync(path.join(REPO, entry), path.join(dir, entry), { recursive: true });
  return dir;
}

export interface Sample {
  readonly doc: string;
  readonly line: number;
  readonly kind: string;
  readonly arg: string;
  readonly text: string;
}

/** Every fenced block of a Markdown document, with the sample marker on the line before it (kind '' when there is none), without the block's indentation. */
export function samples(doc: string, markdown: string): Sample[] {
  const found: Sample[] = [];
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const indent = /^(\s*)```/.exec(lines[index])?.[1];
    if (indent === undefined) continue;
    const end = lines.findIndex((candidate, at) => at > index && candidate === `${indent}\`\`\``);
    if (end < 0) throw new Error(`${doc}:${index + 1}: a fenced block that is never closed`);
    // The marker is the line before the fence, or the one before that when it is blank (as prettier writes it).
    const before = lines[index - 1]?.trim() === '' ? lines[index - 2] : lines[index - 1];
    const marker = /^\s*<!-- (?:sample (\w+)(?::? ?(.*?))?|README sample: ([\w-]+)) -->$/.exec(before ?? '');
    const kind = marker ? (marker[3] ? 'output' : marker[1]) : '';
    const arg = marker ? (marker[3] ?? marker[2] ?? '') : '';
    const text = lines
      .slice(index + 1, end)
      .map((body) => body.slice(indent.length))
      .join('\n');
    found.push({ doc, line: index + 1, kind, arg, text });
    index = end;
  }
  return found;
}

/** The paths an indented listing of the output folder names, relative to the repository (`...` lines stand for more of the same). */
function treePaths(text: string): string[] {
  const paths: string[] = [];
  const stack: { indent: number; path: string }[] = [];
  for (const line of text.split('\n')) {
    const match = /^( *)(\S+)/.exec(line);
    if (!match || match[2] === '...') continue;
    const indent = match[1].length;
    while (stack.length > 0 && stack[stack.length - 1].indent >= indent) stack.pop();
    const full = path.posix.join(stack[stack.length - 1]?.path ?? '', match[2]);
    paths.push(full.replace(/\/$/, ''));
    stack.push({ indent, path: full });
  }
  return paths;
}

/** What a `commands` sample names: the npm scripts it runs and the dist/ paths it mentions (without placeholders). */
function commandReferences(text: string): { scripts: string[]; paths: string[] } {
  const scripts: string[] = [];
  const paths: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '');
    for (const match of line.matchAll(/\bnpm run (\S+)/g)) scripts.push(match[1]);
    for (const match of line.matchAll(/(?:^|[\s=])(?:\.\/)?(dist\/[^\s'"]*)/g)) if (!match[1].includes('<')) paths.push(match[1].replace(/\/$/, ''));
  }
  return { scripts, paths };
}

const root = tempDir();
const documents = [
  'README.md',
  ...fs
    .readdirSync(path.join(REPO, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
const all = documents.flatMap((doc) => samples(doc, fs.readFileSync(path.join(REPO, doc), 'utf8')));
const where = (sample: Sample): string => `${sample.doc}:${sample.line}`;
const ofKind = (kind: string): [string, Sample][] => all.filter((sample) => sample.kind === kind).map((sample) => [`${where(sample)} ${sample.arg}`, sample]);

describe('the samples of the README and docs/ are true', () => {
  it('every fenced block has a sample marker of a known kind', () => {
    const known = ['output', 'file', 'inventory', 'tree', 'commands'];
    expect(all.filter((sample) => !known.includes(sample.kind)).map(where)).toEqual([]);
  });

  it('has an output sample for every scenario, and a scenario for every output sample', () => {
    expect(
      all
        .filter((sample) => sample.kind === 'output')
        .map((sample) => sample.arg)
        .sort(),
    ).toEqual(Object.keys(scenarios).sort());
  });

  it.each(ofKind('output'))('%s: what the command prints', (_name, sample) => {
    const scenario = scenarios[sample.arg];
    const dir = example(sample.arg);
    scenario.change?.(dir);
    expect(sample.text).toBe(command(dir, scenario.args).output);
  });

  it.each(ofKind('file'))('%s: the file as it is', (_name, sample) => {
    expect(`${sample.text}\n`).toBe(fs.readFileSync(path.join(REPO, sample.arg), 'utf8'));
  });

  it.each(ofKind('inventory'))('%s: a cluster file synth accepts', (_name, sample) => {
    const dir = example(`inventory-${sample.doc.replace(/\W/g, '-')}-${sample.line}`);
    fs.writeFileSync(path.join(dir, 'clusters', 'cluster-a.yml'), `${sample.text}\n`);
    const result = command(dir, ['synth']);
    expect(result.output).not.toMatch(/^error:/m);
    expect(result.status).toBe(0);
  });

  it.each(ofKind('tree'))('%s: every path exists in the committed dist/', (_name, sample) => {
    const paths = treePaths(sample.text);
    expect(paths[0]).toBe('dist');
    expect(paths.filter((name) => !fs.existsSync(path.join(REPO, name)))).toEqual([]);
  });

  it.each(ofKind('commands'))('%s: the npm scripts and dist/ paths named exist', (_name, sample) => {
    const { scripts, paths } = commandReferences(sample.text);
    const defined = Object.keys(JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).scripts);
    expect(scripts.filter((script) => !defined.includes(script))).toEqual([]);
    expect(paths.filter((name) => !fs.existsSync(path.join(REPO, name)))).toEqual([]);
  });
});

/** GitHub's anchor of a Markdown heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

describe('the links between the README and docs/ lead somewhere', () => {
  it.each(documents)('%s', (doc) => {
    const text = fs.readFileSync(path.join(REPO, doc), 'utf8');
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [file, anchor] = target.split('#');
      const linked = file === '' ? path.join(REPO, doc) : path.join(REPO, path.dirname(doc), file);
      if (!fs.existsSync(linked)) broken.push(target);
      else if (anchor !== undefined) {
        const headings = [...fs.readFileSync(linked, 'utf8').matchAll(/^#+ (.*)$/gm)].map(([, heading]) => slug(heading));
        if (!headings.includes(anchor)) broken.push(target);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('the sample checks themselves', () => {
  it('find a block without a marker, and read the indentation of a listed block', () => {
    const found = samples('x.md', 'text\n```sh\nnpm test\n```\n- item\n  <!-- sample output: synth -->\n  ```\n  line\n  ```\n<!-- sample tree -->\n\n```\ndist/\n```\n');
    expect(found.map(({ kind, arg, text }) => [kind, arg, text])).toEqual([
      ['', '', 'npm test'],
      ['output', 'synth', 'line'],
      ['tree', '', 'dist/'],
    ]);
  });

  it('make the anchors GitHub makes', () => {
    expect(slug('`cdk8s synth` in this repository')).toBe('cdk8s-synth-in-this-repository');
    expect(slug('Subnets: allocation, and their record')).toBe('subnets-allocation-and-their-record');
  });

  it('list the paths of a tree and the references of commands', () => {
    expect(treePaths('dist/\n  a/\n    b.yml   # c\n    ...\n  d/e/\n')).toEqual(['dist', 'dist/a', 'dist/a/b.yml', 'dist/d/e']);
    expect(commandReferences('npm run synth -- --x  # npm run nothing\nflux --path=dist/a/b kubectl -k dist/c/ -c dist/<name>/x\n')).toEqual({ scripts: ['synth'], paths: ['dist/a/b', 'dist/c'] });
  });
});
