// Compiles main.ts and everything it imports into build/main.js in a few tens of milliseconds.
// Type checking is not this step's job: `npm test` runs `tsc --noEmit` first.
import { build } from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'fs';

const result = await build({
  entryPoints: ['main.ts'],
  outfile: 'build/main.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Dependencies load from node_modules as usual; only our own TypeScript is bundled.
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
  write: false,
});

// Replace the file in one step, so a synth running at the same time never loads half of it.
mkdirSync('build', { recursive: true });
for (const file of result.outputFiles) {
  const staging = `${file.path}.${process.pid}.tmp`;
  writeFileSync(staging, file.contents);
  renameSync(staging, file.path);
}
