import * as fs from 'fs';
import * as path from 'path';
import { isForeignPath, MARKER_FILE } from './layout';
import { OutputTree } from './tree';

/** A refusal the user can act on: printed as one `error:` line, without a stack trace. */
export class OutputFolderError extends Error {}

/**
 * Refuses to replace a folder weave-mesh does not own: a non-empty folder without the marker file
 * (`--outdir .` or `--outdir clusters` by mistake), or one that holds the inventory.
 */
export function assertReplaceable(outdir: string, inventoryDir: string): void {
  const target = path.resolve(outdir);
  const inventory = path.resolve(inventoryDir);
  if (inventory === target || inventory.startsWith(`${target}${path.sep}`)) {
    throw new OutputFolderError(`refusing to write to ${outdir}: it holds the inventory ${inventoryDir}; choose another --outdir`);
  }
  if (!fs.existsSync(target)) return;
  if (!fs.statSync(target).isDirectory()) throw new OutputFolderError(`refusing to write to ${outdir}: it is not a folder`);
  if (fs.readdirSync(target).length > 0 && !fs.existsSync(path.join(target, MARKER_FILE))) {
    throw new OutputFolderError(
      `refusing to replace ${outdir}: it is not empty and has no ${MARKER_FILE} marker, so weave-mesh did not write it; choose another --outdir, or empty the folder if it is really yours`,
    );
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
    writeTree(staging, tree);
    if (fs.existsSync(target)) {
      for (const foreign of listFiles(target).filter(isForeignPath)) {
        fs.cpSync(path.join(target, foreign), path.join(staging, foreign), { recursive: true });
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
  for (const [relative, content] of tree) {
    const file = path.join(root, ...relative.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

/** Every file below `root`, as sorted relative POSIX paths. */
export function listFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else files.push(child);
    }
  };
  walk('');
  return files.sort();
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
