// What `npm run synth|check|plan|allocate` runs: compiles main.ts with esbuild when its sources
// changed, then runs the command in this same process (one node start-up, no ts-node).
import { createHash } from 'crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { createRequire } from 'module';
import { join, resolve } from 'path';
import { fileURLToPath } from 'url';

// The script's folder from import.meta.url, as every Node.js 20 has it (import.meta.dirname came in 20.11).
const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

// A command comes first (npm run synth passes it): run without one, this would quietly synth and write.
const [command] = process.argv.slice(2);
if (command === undefined || (command.startsWith('-') && command !== '--help' && command !== '-h')) {
  process.stderr.write('error: give a command first: node scripts/run.mjs synth|check|plan|allocate|schema [options] (npm run synth, npm run check, ...)\n');
  process.exit(2);
}
const stamp = join(repo, 'build', 'main.js.sources');

function sourceFiles(dir) {
  return readdirSync(join(repo, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|sh)$/.test(entry.name))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

// The bundle depends on our TypeScript, the node agent's shell programs (copied beside it), the build script and the lock file (the versions of the packages
// bundled with it, esbuild's included).
const inputs = [join(repo, 'main.ts'), join(repo, 'scripts', 'build.mjs'), join(repo, 'package-lock.json'), ...sourceFiles('src'), ...sourceFiles('constructs')].sort();
const hash = createHash('sha256');
for (const file of inputs) hash.update(file).update(readFileSync(file));
const digest = hash.digest('hex');

if (!existsSync(join(repo, 'build', 'main.js')) || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== digest) {
  try {
    await import('./build.mjs');
  } catch (error) {
    // esbuild has printed its messages (file:line and the cause); its stack trace adds nothing.
    const why = Array.isArray(error?.errors) ? "esbuild's messages above" : String(error?.message ?? error);
    process.stderr.write(`weave-mesh: the build of ${join(repo, 'main.ts')} failed (${why}); nothing was run\n`);
    process.exit(2);
  }
  writeFileSync(stamp, digest);
}

const { main } = createRequire(import.meta.url)(join(repo, 'build', 'main.js'));
// A number, or a promise of one (status waits for kubectl).
process.exitCode = await main(process.argv.slice(2));
