import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Runs git in `dir` with a fixed identity and no user or system configuration; its stdout. */
export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.test', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.test' },
  }).trim();
}

/** A new git repository at `dir` (main branch), its files committed as they are; the commit's SHA. */
export function initRepository(dir: string, message = 'base'): string {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  return commitAll(dir, message);
}

/** Commits everything in the work tree (new files too); the commit's SHA. */
export function commitAll(dir: string, message: string): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** Copies the shipped example (clusters/ and the committed dist/) into `dir`. */
export function copyExample(repo: string, dir: string): void {
  for (const entry of ['clusters', 'dist']) fs.cpSync(path.join(repo, entry), path.join(dir, entry), { recursive: true });
}
