import * as fs from 'fs';
import * as path from 'path';

/**
 * The absolute path with every symbolic link resolved, as the kernel resolves it (`link/..` is the
 * link target's parent). A path that does not exist yet (an output folder) is its nearest existing
 * ancestor's real path with the rest appended. Rendered paths computed from real paths are the same
 * however a folder was named: relative, absolute, through a symlinked working directory, with `..`.
 */
export function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    const parent = path.dirname(p);
    if (parent === p) return path.resolve(p);
    return path.join(realPath(parent), path.basename(p));
  }
}
