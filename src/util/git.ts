import { spawnSync } from 'child_process';
import { memoize } from './memoize';

/**
 * The path of folder `cwd` inside its git repository, as `git rev-parse --show-prefix` prints it:
 * '' at the repository's top, `apps/network/` below it. Undefined outside a repository, or when git
 * is not installed or fails: callers then fall back to what they can tell without git.
 */
export const gitPrefix: (cwd: string) => string | undefined = memoize((cwd) => {
  const result = spawnSync('git', ['rev-parse', '--show-prefix'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  if (result.status !== 0 || typeof result.stdout !== 'string') return undefined;
  return result.stdout.replace(/\n$/, '');
});
