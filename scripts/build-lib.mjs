// Builds the package entry, as `prepare` does when npm installs or packs the package: tsc compiles
// index.ts and what it imports into lib/ (or the folder given, such as a test's staging copy), and
// the node agent's shell programs (constructs/agent/*.sh), which the compiled constructs render into
// the DaemonSets, are copied beside them.
//   node scripts/build-lib.mjs [OUTDIR]    (default: lib)
import { execFileSync } from 'child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'fs';
import { createRequire } from 'module';
import { join, resolve } from 'path';
import { fileURLToPath } from 'url';

// The script's folder from import.meta.url, as every Node.js 20 has it (import.meta.dirname came in 20.11).
const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const outDir = resolve(process.argv[2] ?? join(repo, 'lib'));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(repo, 'tsconfig.lib.json'), '--outDir', outDir], { cwd: repo, stdio: 'inherit' });

const agent = join(outDir, 'constructs', 'agent');
mkdirSync(agent, { recursive: true });
for (const file of readdirSync(join(repo, 'constructs', 'agent')).filter((name) => name.endsWith('.sh'))) {
  copyFileSync(join(repo, 'constructs', 'agent', file), join(agent, file));
}
