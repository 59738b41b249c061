import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { MARKER_FILE, PHAROS_CONFIG_FILE } from './layout';
import { recordedSubnets, recordsOf } from './plan';

/**
 * The subnets the output folder records for running clusters (cluster -> subnet), for the
 * `recordedSubnets` prop of WeaveMesh: a cluster whose subnet went missing gets its recorded one
 * back, and no other cluster is ever given it.
 *
 * Read from the folder when weave-mesh wrote it (its marker file is there); otherwise from its
 * cluster.yml files as committed in git at `revision`, because `cdk8s synth` deletes its output
 * folder before it runs the app, so under it the committed tree is the only record. Empty when
 * neither exists (a first synth, or no git repository).
 */
export function readRecordedSubnets(outdir: string, revision = 'HEAD'): Map<string, string> {
  if (fs.existsSync(path.join(outdir, MARKER_FILE))) return recordedSubnets(outdir);
  const folder = `./${path.relative(process.cwd(), path.resolve(outdir)).split(path.sep).join('/')}`;
  const git = (...args: string[]): string | undefined => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * 1024 * 1024 });
    } catch {
      return undefined;
    }
  };
  const listed = git('ls-tree', '-r', '--name-only', revision, '--', folder);
  if (!listed) return new Map();
  const prefix = `${path.posix.normalize(folder)}/`.replace(/^\.\//, '');
  const tree = new Map<string, string>();
  for (const file of listed.split('\n')) {
    const relative = file.startsWith(prefix) ? file.slice(prefix.length) : undefined;
    if (!relative || !relative.endsWith(`/${PHAROS_CONFIG_FILE}`)) continue;
    const content = git('show', `${revision}:./${prefix}${relative}`);
    if (content !== undefined) tree.set(relative, content);
  }
  const record = new Map<string, string>();
  for (const [cluster, { subnet }] of recordsOf(tree)) if (subnet) record.set(cluster, subnet);
  return record;
}
