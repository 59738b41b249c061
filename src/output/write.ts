import * as fs from 'fs';
import { RuleId } from '../mesh/rule-ids';
import * as path from 'path';
import { realPath } from '../util/real-path';
import { isForeignPath, MARKER_FILE } from './layout';
import { OutputTree } from './tree';

/** A refusal the user can act on: printed as one `error:` line, without a stack trace. */
export class OutputFolderError extends Error {
  /** The rule the refusal is reported under. */
  readonly rule: RuleId = 'output-folder';
}

/**
 * Refuses to replace a folder weave-mesh does not own: a non-empty folder without the marker file
 * (`--outdir .` or `--outdir clusters` by mistake), or one that holds the inventory.
 */
export function assertReplaceable(outdir: string, inventoryDir: string): void {
  assertOutputFolder(outdir);
  // Real paths, so a symbolic link cannot hide that the inventory lies inside the output folder.
  const target = realPath(outdir);
  const inventory = realPath(inventoryDir);
  if (inventory === target || inventory.startsWith(`${target}${path.sep}`)) {
    throw new OutputFolderError(`refusing to write to ${outdir}: the inventory ${inventoryDir} lies inside it, and synth replaces the output folder as a whole; give --clusters and --outdir folders apart from each other`);
  }
  if (!fs.existsSync(target)) return;
  if (!fs.statSync(target).isDirectory()) throw new OutputFolderError(`refusing to write to ${outdir}: it is not a folder`);
  if (fs.readdirSync(target).length > 0 && !fs.existsSync(path.join(target, MARKER_FILE))) {
    throw new OutputFolderError(`refusing to replace ${outdir}: it is not empty and has no ${MARKER_FILE} marker, so weave-mesh did not write it; choose another --outdir, or empty the folder if it is really yours`);
  }
}

/**
 * Replaces `outdir` with exactly the files of `tree` (plus the foreign `flux-system/` folders it
 * held), so removed objects and clusters disappear. The tree is written into a temporary sibling
 * folder first and swapped in only when complete: a failure leaves `outdir` as it was.
 */
export function writeTreeAtomically(outdir: string, tree: OutputTree): void {
  const target = path.resolve(outdir);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.new-`));
  try {
    // mkdtemp makes the folder private (0700); the output folder is an ordinary one, as the umask says.
    fs.chmodSync(staging, 0o777 & ~process.umask());
    writeTree(staging, tree);
    if (fs.existsSync(target)) {
      for (const foreign of listEntries(target).filter((entry) => isForeignPath(entry.path))) {
        const to = path.join(staging, foreign.path);
        fs.mkdirSync(path.dirname(to), { recursive: true });
        // flux bootstrap's files are kept as they are: links stay links, exactly as written (relative stays relative).
        if (foreign.kind === 'symbolic link') fs.symlinkSync(fs.readlinkSync(path.join(target, foreign.path)), to);
        else if (foreign.kind === 'file') fs.copyFileSync(path.join(target, foreign.path), to);
        else throw new OutputFolderError(`refusing to keep ${path.join(outdir, foreign.path)}: it is a ${foreign.kind}, not a file flux bootstrap writes; remove it`);
      }
    }
    swapIn(staging, target);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Writes the files of `tree` below `root`, creating folders as needed. */
export function writeTree(root: string, tree: OutputTree): void {
  // Each folder is made once, parents first: a recursive mkdir per file (1,300 files at 256 clusters)
  // cost as much as writing them, and one per folder still tries each new folder before its parent.
  fs.mkdirSync(root, { recursive: true });
  const made = new Set<string>(['']);
  const folderOf = (relative: string): string => (path.posix.dirname(relative) === '.' ? '' : path.posix.dirname(relative));
  const makeFolder = (folder: string): void => {
    if (made.has(folder)) return;
    makeFolder(folderOf(folder));
    try {
      fs.mkdirSync(path.join(root, ...folder.split('/')));
    } catch (error) {
      // Already there: writing into a folder that is not empty (a file in its place fails at the write below).
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    made.add(folder);
  };
  for (const [relative, content] of tree) {
    makeFolder(folderOf(relative));
    fs.writeFileSync(path.join(root, ...relative.split('/')), content);
  }
}

/** An entry of a folder that is not a folder itself. */
export interface Entry {
  /** Relative POSIX path. */
  readonly path: string;
  /** What it is; a symbolic link is never followed, whatever it points at. */
  readonly kind: 'file' | 'symbolic link' | 'FIFO' | 'socket' | 'device';
}

/** Every entry below `root` that is not a folder, without following symbolic links, sorted by path. */
export function listEntries(root: string): Entry[] {
  const entries: Entry[] = [];
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true, encoding: 'buffer' })) {
      const name = entry.name.toString('utf8');
      const child = relative === '' ? name : `${relative}/${name}`;
      // Such a name cannot be opened through its decoded string (it would fail as if missing).
      if (!Buffer.from(name, 'utf8').equals(entry.name)) {
        throw new OutputFolderError(`refusing to read ${path.join(root, child)}: its name is not valid UTF-8, and weave-mesh writes only ASCII names into its output folder; remove it`);
      }
      if (entry.isDirectory()) walk(child);
      else entries.push({ path: child, kind: kindOf(entry) });
    }
  };
  walk('');
  return entries.sort((a, b) => (a.path < b.path ? -1 : 1));
}

function kindOf(entry: fs.Dirent<Buffer>): Entry['kind'] {
  if (entry.isFile()) return 'file';
  if (entry.isSymbolicLink()) return 'symbolic link';
  if (entry.isFIFO()) return 'FIFO';
  if (entry.isSocket()) return 'socket';
  return 'device';
}

/** Every file below `root`, as sorted relative POSIX paths. */
export function listFiles(root: string): string[] {
  return listEntries(root).map((entry) => entry.path);
}

/**
 * The output folder is input too (it arrives in pull requests): refuse one that is a symbolic link,
 * whose target would keep stale files while the link is replaced.
 */
export function assertOutputFolder(outdir: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(outdir);
  } catch {
    return;
  }
  if (stat.isSymbolicLink()) throw new OutputFolderError(`refusing to use ${outdir}: it is a symbolic link; give the folder it points to as --outdir`);
}

function swapIn(staging: string, target: string): void {
  if (!fs.existsSync(target)) {
    fs.renameSync(staging, target);
    return;
  }
  const retired = `${staging}.old`;
  fs.renameSync(target, retired);
  try {
    fs.renameSync(staging, target);
  } catch (error) {
    fs.renameSync(retired, target);
    throw error;
  }
  fs.rmSync(retired, { recursive: true, force: true });
}
