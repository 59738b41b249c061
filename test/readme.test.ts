import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO, tempDir } from './helpers';

/**
 * The README's sample outputs are what the commands print. Each sample is a fenced block right after
 * a `<!-- README sample: NAME -->` marker; NAME is a scenario below: the shipped example (clusters/ and
 * the committed dist/) as a fresh clone has it, changed as the README's text around the sample says,
 * and the command run there as `npm run` runs it (stdout and stderr in the order printed).
 */
const scenarios: Record<string, { readonly change?: (dir: string) => void; readonly args: readonly string[] }> = {
  // A fresh clone: dist/ is committed, so synth finds it up to date.
  synth: { args: ['synth'] },
  'synth-overlap': {
    change: (dir) => edit(path.join(dir, 'clusters', 'cluster-b.yml'), (text) => text.replace('ipalloc_default_subnet: 10.34.0.0/16', 'ipalloc_default_subnet: 10.33.128.0/17')),
    args: ['synth'],
  },
  'plan-join': {
    // cluster-c: a copy of cluster-b with its own addresses, service CIDR and subnet.
    change: (dir) =>
      fs.writeFileSync(
        path.join(dir, 'clusters', 'cluster-c.yml'),
        fs
          .readFileSync(path.join(dir, 'clusters', 'cluster-b.yml'), 'utf8')
          .replace(/Cluster B/g, 'Cluster C')
          .replace(/198\.51\.100\./g, '203.0.113.')
          .replace(/10\.1\.0\./g, '10.2.0.')
          .replace('172.17.0.0/16', '172.18.0.0/16')
          .replace('10.34.0.0/16', '10.35.0.0/16'),
      ),
    args: ['plan', '--summary'],
  },
};

function edit(file: string, change: (text: string) => string): void {
  const before = fs.readFileSync(file, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`the scenario no longer changes ${file}`);
  fs.writeFileSync(file, after);
}

/** Every sample of the README: its scenario name and the text of the fenced block after the marker, without the block's indentation. */
export function readmeSamples(readme: string): { name: string; text: string }[] {
  const samples: { name: string; text: string }[] = [];
  const lines = readme.split('\n');
  lines.forEach((line, index) => {
    const name = /^\s*<!-- README sample: ([\w-]+) -->$/.exec(line)?.[1];
    if (!name) return;
    const open = lines[index + 1];
    const indent = /^(\s*)```/.exec(open ?? '')?.[1];
    if (indent === undefined) throw new Error(`README sample ${name}: no fenced block after the marker`);
    const end = lines.findIndex((candidate, at) => at > index + 1 && candidate === `${indent}\`\`\``);
    samples.push({ name, text: lines.slice(index + 2, end).map((body) => body.slice(indent.length)).join('\n') });
  });
  return samples;
}

/** What the command prints in a copy of the shipped example, changed as the scenario says. */
function realOutput(name: string): string {
  const scenario = scenarios[name];
  const dir = path.join(root, name);
  for (const entry of ['clusters', 'dist', 'main.ts']) fs.cpSync(path.join(REPO, entry), path.join(dir, entry), { recursive: true });
  scenario.change?.(dir);
  // One pipe for both streams: the lines in the order the user sees them.
  const command = [process.execPath, path.join(REPO, 'build', 'main.js'), ...scenario.args].map((word) => `'${word}'`).join(' ');
  const result = spawnSync('sh', ['-c', `${command} 2>&1`], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return result.stdout.replace(/\n$/, '');
}

const root = tempDir();
const samples = readmeSamples(fs.readFileSync(path.join(REPO, 'README.md'), 'utf8'));

describe('the README shows what the commands print', () => {
  it('has a sample for every scenario, and a scenario for every sample', () => {
    expect(samples.map(({ name }) => name).sort()).toEqual(Object.keys(scenarios).sort());
  });

  it.each(samples.map(({ name, text }) => [name, text]))('%s', (name, text) => {
    expect(text).toBe(realOutput(name));
  });
});
