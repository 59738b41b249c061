import { spawnSync } from 'child_process';
import * as path from 'path';
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

/**
 * Whether git tracks `file` (it is in the index of the repository holding its folder). One
 * `git ls-files` call; false when git is not installed, the folder is no repository or does not
 * exist, or git fails in any other way: this feeds a warning, never a refusal.
 */
export function trackedByGit(file: string): boolean {
  const result = spawnSync('git', ['-C', path.dirname(file), 'ls-files', '-z', '--', path.basename(file)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 10_000,
  });
  return result.status === 0 && result.stdout.length > 0;
}

/**
 * Puts the files git's index holds below `folder` back into the working tree (`git checkout --
 * folder`): what is committed, plus what is staged. True when git restored something; false outside a
 * repository, when git tracks nothing there, or when git is missing or fails.
 */
export function checkoutFromIndex(folder: string, cwd: string): boolean {
  const result = spawnSync('git', ['checkout', '--quiet', '--', folder], { cwd, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  return result.status === 0;
}
