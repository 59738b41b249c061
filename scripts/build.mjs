// Compiles main.ts, everything it imports and every package it uses into build/main.js, one file,
// in well under a second. One file loads much faster than hundreds of modules resolved one by one
// from node_modules (the synth of the example pair is mostly start-up), and esbuild keeps only the
// parts of zod/mini it uses. Type checking is not this step's job: `npm test` runs `tsc --noEmit` first.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { fileURLToPath } from 'url';

// Every path from the repository, not the working directory: scripts/run.mjs rebuilds from wherever it is run.
const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const buildDir = join(repo, 'build');

const result = await build({
  absWorkingDir: repo,
  entryPoints: [join(repo, 'main.ts')],
  outfile: join(buildDir, 'main.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Beside the file, not inline: node reads it only when asked to (node --enable-source-maps).
  sourcemap: 'external',
  // route-agent-script.ts looks up the installed package's own copy of the agent's programs only when
  // another bundler inlined it; this bundle carries them beside itself (build/agent), so the look-up
  // stays a run-time require, unresolved here, rather than a warning on every build.
  external: ['weave-mesh/package.json'],
  logLevel: 'warning',
  write: false,
});

// Replace the files in one step each, so a synth running at the same time never loads half of one.
mkdirSync(buildDir, { recursive: true });
for (const file of result.outputFiles) {
  const staging = `${file.path}.${process.pid}.tmp`;
  writeFileSync(staging, file.contents);
  renameSync(staging, file.path);
}

// The node agent's programs are read at synth time from agent/ beside the module that renders them
// (constructs/route-agent-script.ts; here, the bundle).
mkdirSync(join(buildDir, 'agent'), { recursive: true });
for (const file of readdirSync(join(repo, 'constructs', 'agent')).filter((name) => name.endsWith('.sh'))) {
  const staging = join(buildDir, 'agent', `${file}.${process.pid}.tmp`);
  copyFileSync(join(repo, 'constructs', 'agent', file), staging);
  renameSync(staging, join(buildDir, 'agent', file));
}
