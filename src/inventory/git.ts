import { spawnSync } from 'child_process';
import * as path from 'path';

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
