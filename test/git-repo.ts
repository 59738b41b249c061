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

/** cluster-c: a copy of cluster-b with its own addresses, service CIDR and subnet (as the README's plan sample). */
export function addClusterC(dir: string): void {
  const b = fs.readFileSync(path.join(dir, 'clusters', 'cluster-b.yml'), 'utf8');
  fs.writeFileSync(
    path.join(dir, 'clusters', 'cluster-c.yml'),
    b
      .replace(/Cluster B/g, 'Cluster C')
      .replace(/198\.51\.100\./g, '203.0.113.')
      .replace(/10\.1\.0\./g, '10.2.0.')
      .replace('172.17.0.0/16', '172.18.0.0/16')
      .replace('10.34.0.0/16', '10.35.0.0/16'),
  );
}
