// npm run example -- --outdir DIR: builds the package entry (lib/, as another cdk8s app would install
// it), then runs examples/reference-pair.ts, whose `import ... from 'weave-mesh'` resolves to lib/
// through package.json's exports. Every step's exit code passes through as it is (a refused mesh is
// exit 1 with its problem lines), never a stack trace of this script.
import { spawnSync } from 'child_process';
import { build } from 'esbuild';
import { resolve, join } from 'path';
import { fileURLToPath } from 'url';

// The script's folder from import.meta.url, as every Node.js 20 has it (import.meta.dirname came in 20.11).
const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

/** Runs a step with the terminal; stops with its exit code when it fails. */
function step(args) {
  const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 2);
}

step([join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(repo, 'tsconfig.lib.json')]);
try {
  await build({
    entryPoints: [join(repo, 'examples', 'reference-pair.ts')],
    outfile: join(repo, 'build', 'examples', 'reference-pair.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // weave-mesh and cdk8s load from their packages, as in any app.
    packages: 'external',
    logLevel: 'warning',
  });
} catch {
  // esbuild has printed the problem (logLevel warning).
  process.exit(2);
}
step([join(repo, 'build', 'examples', 'reference-pair.js'), ...process.argv.slice(2)]);
