// npm run example -- --outdir DIR: builds the package entry (lib/, as another cdk8s app would install
// it), then runs examples/reference-pair.ts, whose `import ... from 'weave-mesh'` resolves to lib/
// through package.json's exports.
import { execFileSync } from 'child_process';
import { build } from 'esbuild';
import { resolve, join } from 'path';

const repo = resolve(import.meta.dirname, '..');
execFileSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(repo, 'tsconfig.lib.json')], { stdio: 'inherit' });
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
execFileSync(process.execPath, [join(repo, 'build', 'examples', 'reference-pair.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
