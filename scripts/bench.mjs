// npm run bench: median wall time and peak RSS of rendering meshes of 2 to 256 clusters, each run
// as a separate process, side by side with the floor (node loading cdk8s-plus-27 and nothing else)
// and the conventional cdk8s path (ts-node main.ts). Writes the table to docs/benchmarks.md.
//   node scripts/bench.mjs [--runs N]
import { execFileSync, spawnSync } from 'child_process';
import { cpus, tmpdir, totalmem } from 'os';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { build } from 'esbuild';

const repo = resolve(import.meta.dirname, '..');
const runsFlag = process.argv.indexOf('--runs');
const RUNS = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 7;
const work = mkdtempSync(join(tmpdir(), 'weave-mesh-bench-'));
const rssFile = join(work, 'rss');
const node = process.execPath;

execFileSync(node, [join(repo, 'scripts', 'build.mjs')], { cwd: repo, stdio: 'inherit' });
await build({
  entryPoints: [join(repo, 'scripts', 'generate-inventory.ts')],
  outfile: join(repo, 'build', 'generate-inventory.js'),
  bundle: true,
  platform: 'node',
  packages: 'external',
  logLevel: 'warning',
});

const cases = [
  { name: 'example pair', clusters: 2, inventory: join(repo, 'clusters') },
  { name: '16 clusters, 4 workers, /16', clusters: 16, workers: 4, prefix: 16 },
  { name: '64 clusters, 4 workers, /20', clusters: 64, workers: 4, prefix: 20 },
  { name: '256 clusters, 8 workers, /20', clusters: 256, workers: 8, prefix: 20 },
];
for (const c of cases) {
  if (c.inventory) continue;
  c.inventory = join(work, `inventory-${c.clusters}`);
  execFileSync(node, [join(repo, 'build', 'generate-inventory.js'), String(c.clusters), c.inventory, '--workers', String(c.workers), '--prefix-length', String(c.prefix)]);
}

/** Runs a command once: wall time (ms) and the highest peak RSS (MB) of any node process it started. */
function runOnce({ command, args, fresh, expectCode = 0 }) {
  rmSync(rssFile, { force: true });
  if (fresh) rmSync(fresh, { recursive: true, force: true });
  // Not timed: flush what earlier runs wrote, so that the kernel writing it back does not land in this run.
  execFileSync('sync');
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: repo,
    env: { ...process.env, NODE_OPTIONS: `--require ${join(repo, 'scripts', 'bench-rss.cjs')}`, WEAVE_MESH_BENCH_RSS: rssFile },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== expectCode) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  // A command that starts no node process (cp) records no RSS.
  const rss = existsSync(rssFile) ? readFileSync(rssFile, 'utf8').trim().split('\n').map(Number) : [0];
  return { ms, mb: Math.max(...rss) / 1024 };
}

/**
 * Runs every variant RUNS times, interleaved (one run of each, then again), so that a machine
 * getting busier or quieter affects all of them alike. Per variant: median wall time, highest RSS.
 * A variant's `fresh` folder is removed before each of its runs (not timed).
 */
function measureSideBySide(variants) {
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const [name, variant] of Object.entries(variants)) samples[name].push(runOnce(variant));
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, runs]) => {
      const times = runs.map((r) => r.ms).sort((a, b) => a - b);
      return [name, { ms: times[Math.floor(times.length / 2)], mb: Math.max(...runs.map((r) => r.mb)) }];
    }),
  );
}

function treeBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? treeBytes(path) : statSync(path).size;
  }
  return total;
}

const rows = [];
for (const c of cases) {
  const outdir = join(work, `out-${c.clusters}`);
  const options = ['--clusters', c.inventory, '--outdir', outdir];
  process.stderr.write(`measuring ${c.name}...\n`);
  const main = join(repo, 'build', 'main.js');
  const results = measureSideBySide({
    floor: { command: node, args: ['-e', "require('cdk8s-plus-27')"] },
    load: { command: node, args: ['-e', `require(${JSON.stringify(main)})`] },
    synth: { command: node, args: [main, 'synth', ...options], fresh: outdir },
    // The disk's share: copying synth's finished output to a new folder, with nothing to compute.
    copy: { command: 'cp', args: ['-r', outdir, `${outdir}-copy`], fresh: `${outdir}-copy` },
    unchanged: { command: node, args: [main, 'synth', ...options] },
    check: { command: node, args: [main, 'check', ...options] },
    npmSynth: { command: 'npm', args: ['run', '--silent', 'synth', '--', ...options], fresh: outdir },
    tsNode: { command: node, args: [join(repo, 'node_modules', 'ts-node', 'dist', 'bin.js'), 'main.ts', 'synth', ...options], fresh: outdir },
  });
  rows.push({ ...c, bytes: treeBytes(outdir), ...results });
}
rmSync(work, { recursive: true, force: true });

const ms = (m) => `${Math.round(m.ms)} ms`;
const mb = (m) => `${Math.round(m.mb)} MB`;
const table = [
  '| case | output | floor | loading build/main.js | `cp -r` of the output | synth (`node build/main.js`) | per output KB | synth, nothing changed | `npm run synth` (build + synth) | check | `ts-node main.ts` |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) =>
    `| ${r.name} | ${(r.bytes / 1024).toFixed(0)} KB | ${ms(r.floor)}, ${mb(r.floor)} | ${ms(r.load)}, ${mb(r.load)} | ${ms(r.copy)} | ${ms(r.synth)}, ${mb(r.synth)} | ${((r.synth.ms - r.floor.ms) / (r.bytes / 1024)).toFixed(3)} ms | ${ms(r.unchanged)}, ${mb(r.unchanged)} | ${ms(r.npmSynth)}, ${mb(r.npmSynth)} | ${ms(r.check)}, ${mb(r.check)} | ${ms(r.tsNode)}, ${mb(r.tsNode)} |`,
  ),
];

const [pair, , , largest] = rows;
const growth = rows.slice(1).map((r, i) => ({ from: rows[i], to: r, time: r.synth.ms / rows[i].synth.ms, size: r.bytes / rows[i].bytes }));
const verdict = (ok) => (ok ? 'met' : '**not met**');
const targets = [
  `- Example pair within 1.3x of the floor: ${(pair.synth.ms / pair.floor.ms).toFixed(2)}x (${ms(pair.synth)} against ${ms(pair.floor)}): ${verdict(pair.synth.ms <= 1.3 * pair.floor.ms)}.`,
  `- 256 clusters of 8 workers within 3x of the floor: ${(largest.synth.ms / largest.floor.ms).toFixed(2)}x (${ms(largest.synth)} against ${ms(largest.floor)}): ${verdict(largest.synth.ms <= 3 * largest.floor.ms)}.` +
    ` The floor plus a plain copy of its ${(largest.bytes / 2 ** 20).toFixed(0)} MB of output already take ${((largest.floor.ms + largest.copy.ms) / largest.floor.ms).toFixed(2)}x.`,
  `- Peak RSS under 250 MB in every case: ${rows.map((r) => mb(r.synth)).join(', ')}: ${verdict(rows.every((r) => r.synth.mb < 250))}.`,
  `- Time growing no faster than output size: ${growth.map((g) => `${g.from.clusters} to ${g.to.clusters} clusters, time x${g.time.toFixed(1)} for output x${g.size.toFixed(1)}`).join('; ')}: ${verdict(growth.every((g) => g.time <= g.size))}.`,
  `- check about the cost of synth: ${rows.map((r) => `${(r.check.ms / r.synth.ms).toFixed(2)}x`).join(', ')} of synth's time.`,
];

const report = [
  '# Benchmarks',
  '',
  `Written by \`npm run bench\` (${RUNS} runs per cell, each a separate process, the cells of a row interleaved run by run;`,
  `median wall time, highest peak RSS of any node process the command started). Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.version}.`,
  '',
  '- **floor**: a node process that only loads cdk8s-plus-27.',
  '- **loading build/main.js**: a node process that only loads the bundle `npm run synth` runs: esbuild bundles the app with every package it uses, cdk8s and cdk8s-plus-27 included, and one file loads faster than the floor\'s hundreds of modules. So part of the gap between synth and the floor is closed by loading the framework faster than the floor does, not by rendering faster; this column shows how much.',
  '- **`cp -r` of the output**: copying the output synth rendered into a new folder: what writing that many bytes and files costs on this disk, with nothing computed.',
  '- **synth**: `node build/main.js synth` into an empty output folder: everything rendered and written.',
  '- **synth, nothing changed**: the same again over its own output, as in a pre-commit hook: rendered, compared, not rewritten.',
  '- **per output KB**: synth time above the floor, divided by the output size: the cost per output byte.',
  '- **`npm run synth`**: the whole command, including npm itself and the check whether build/main.js is current (esbuild rebuilds it only after a source changed).',
  '- **`ts-node main.ts`**: the conventional cdk8s app path (`cdk8s init` runs `ts-node main.ts`), which type-checks on every run.',
  '',
  ...table,
  '',
  '## Targets',
  '',
  ...targets,
  '',
].join('\n');
mkdirSync(join(repo, 'docs'), { recursive: true });
writeFileSync(join(repo, 'docs', 'benchmarks.md'), report);
process.stdout.write(report);
