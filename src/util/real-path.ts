import * as fs from 'fs';
import * as path from 'path';

/**
 * The absolute path with every symbolic link resolved. `..` is taken as text first, as Node's
 * realpath takes it (`link/..` is the folder holding `link`, not the link target's parent). A path
 * that does not exist yet (an output folder) is its nearest existing ancestor's real path with the
 * rest appended. Rendered paths computed from real paths are the same however a folder was named:
 * relative, absolute, through a symlinked working directory, with `..`.
 */
export function realPath(p: string): string {
  const absolute = path.resolve(p);
  // Asked first rather than caught: the output folders usually do not exist yet, and a thrown error per
  // level (per cluster, per path key) cost more than the rest of the rebase.
  if (fs.existsSync(absolute)) {
    try {
      return fs.realpathSync(absolute);
    } catch {
      // A folder that cannot be searched: resolved through its parent below.
    }
  }
  const parent = path.dirname(absolute);
  if (parent === absolute) return absolute;
  return path.join(realPath(parent), path.basename(absolute));
}
