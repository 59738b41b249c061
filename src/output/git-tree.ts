import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { MAX_OUTPUT_FILE_BYTES } from './compare';
import { isForeignPath, MARKER_FILE } from './layout';
import { OutputTree } from './tree';
import { OutputFolderError } from './write';

/** A base commit's output folder cannot be read: one line saying why and how to fix it (exit 1, input problem). */
export class BaseError extends OutputFolderError {
  override readonly rule = 'base';
}

/** Far more than any output folder weave-mesh renders (256 clusters of 8 workers: about 26 MB). */
const MAX_BASE_TREE_BYTES = 512 * 1024 * 1024;

/** A base commit's output folder, read from git. */
export interface BaseTree {
  /** The ref as given. */
  readonly ref: string;
  /** The commit it names (full SHA). */
  readonly commit: string;
  /** The output folder's path inside the repository, POSIX, as next steps name it (`dist`). */
  readonly folder: string;
  /** Where the base holds its output folder when that is not `folder`: the folder moved (gitops.pathPrefix). */
  readonly movedFrom?: string;
  /**
   * The base commit exists but holds no output folder at all (the pull request that introduces
   * weave-mesh to the repository), and the caller allowed that (`mayBeEmpty`): `tree` is empty, so every
   * cluster joins.
   */
  readonly empty?: boolean;
  readonly tree: OutputTree;
}

/** How readBaseTree treats a base commit without an output folder. */
export interface ReadBaseOptions {
  /**
   * A base commit that exists but holds no output folder (nor a moved one) is an empty base rather
   * than an error: the first adoption of weave-mesh. A ref that does not resolve, or a clone without
   * the base's files, is an error all the same.
   * @default false
   */
  readonly mayBeEmpty?: boolean;
}

/** What the last git run printed on stderr (for telling why it failed). */
let lastStderr = '';

/** Runs git in `cwd`, in C locale with no prompt; its stdout as a Buffer, or undefined when it fails. */
function git(cwd: string, args: readonly string[], input?: string, maxBuffer = 64 * 1024 * 1024): Buffer | undefined {
  const result = spawnSync('git', ['--no-replace-objects', '--literal-pathspecs', ...args], {
    cwd,
    input,
    maxBuffer,
    env: { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' },
  });
  lastStderr = result.stderr?.toString('utf8') ?? '';
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') throw new BaseError('--base needs git, and git is not installed here; install git, or run plan without --base');
  return result.status === 0 && !result.error ? result.stdout : undefined;
}

/** The nearest folder of `target` (itself or an ancestor) that exists, and the names below it. */
function nearestExisting(target: string): { dir: string; rest: string[] } {
  const rest: string[] = [];
  let dir = path.resolve(target);
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) {
    rest.unshift(path.basename(dir));
    dir = path.dirname(dir);
  }
  return { dir: fs.statSync(dir).isDirectory() ? dir : path.dirname(dir), rest: fs.statSync(dir).isDirectory() ? rest : [path.basename(dir), ...rest] };
}

/**
 * The output folder as the base commit records it, read from the git repository that holds `outdir`
 * with git's plumbing (rev-parse, ls-tree, cat-file): no checkout, no temporary folder. The base's
 * folder arrives in pull requests like the working tree's, and is refused by the same rules: a
 * symbolic link or a submodule is never followed, a file larger than weave-mesh writes never read,
 * a name that is not a plain relative path never used; `flux-system/` folders are left out.
 */
export function readBaseTree(ref: string, outdir: string, options: ReadBaseOptions = {}): BaseTree {
  if (ref === '' || ref.startsWith('-') || /[\u0000-\u001f\u007f]/.test(ref)) {
    throw new BaseError(`--base ${JSON.stringify(ref)} is not a git ref; give a branch, tag or commit SHA, such as --base origin/main`);
  }
  const { dir, rest } = nearestExisting(outdir);
  const top = git(dir, ['rev-parse', '--show-toplevel'])?.toString('utf8').trim();
  if (!top && /dubious ownership/.test(lastStderr)) {
    const at = /repository at '([^'\n]*)'/.exec(lastStderr)?.[1] ?? dir;
    throw new BaseError(`--base ${ref}: git refuses the repository at ${at}, which another user owns; mark it safe (git config --global --add safe.directory ${at}), or run plan as its owner`);
  }
  if (!top) throw new BaseError(`--base ${ref}: ${outdir} is not inside a git repository; run plan there from a clone of the repository, or without --base`);
  const folder = [path.relative(fs.realpathSync(top), fs.realpathSync(dir)), ...rest].filter(Boolean).join('/').split(path.sep).join('/');
  if (folder === '' || folder === '..' || folder.startsWith('../')) throw new BaseError(`--base ${ref}: the output folder ${outdir} is not a folder inside the git repository ${top}; give an --outdir inside it`);
  const shallow = git(dir, ['rev-parse', '--is-shallow-repository'])?.toString('utf8').trim() === 'true';
  const commit = git(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
    ?.toString('utf8')
    .trim();
  if (!commit) {
    // The fetch that brings it: `git fetch --deepen` needs a depth, and a remote-tracking ref (origin/main)
    // is fetched by its branch's name.
    const fetch = `git fetch origin ${ref.replace(/^(?:refs\/remotes\/)?origin\//, '')}`;
    throw new BaseError(
      shallow
        ? `the base ${ref} is not in this clone, which is shallow: fetch the history (actions/checkout with fetch-depth: 0, or git fetch --unshallow) and run plan again`
        : `the base ${ref} is not a commit of this repository: fetch it (${fetch}), or give a branch, tag or commit SHA that exists`,
    );
  }
  const short = commit.slice(0, 12);
  const found = readFolder(dir, ref, commit, folder);
  if (found) return { ref, commit, folder, tree: found };
  // No output folder at this path in the base: it may have moved (gitops.pathPrefix changes with
  // it). The base's own output folder is the one folder that holds synth's marker file.
  const names = git(dir, ['ls-tree', '-r', '-z', '--name-only', '--full-tree', commit], undefined, MAX_BASE_TREE_BYTES);
  const marked = (names?.toString('utf8').split('\0') ?? [])
    .filter((name) => name.endsWith(`/${MARKER_FILE}`))
    .map((name) => name.slice(0, -MARKER_FILE.length - 1))
    .filter((name) => /^[\w.-]+(\/[\w.-]+)*$/.test(name) && !name.split('/').some((part) => part === '.' || part === '..'));
  // Moved, not a second mesh beside the first: the working tree no longer has that folder.
  const moved = marked.length === 1 && !fs.existsSync(path.join(top, ...marked[0].split('/'), MARKER_FILE)) ? readFolder(dir, ref, commit, marked[0]) : undefined;
  if (moved) return { ref, commit, folder, tree: moved, movedFrom: marked[0] };
  // No output folder anywhere: the commit before weave-mesh was adopted. Only when the caller says
  // that is expected (the shipped workflow); otherwise a wrong --outdir or base would plan every
  // cluster as new without a word.
  if (options.mayBeEmpty && marked.length === 0) return { ref, commit, folder, tree: new Map(), empty: true };
  throw new BaseError(
    `the base ${ref} (${short}) has no ${folder}/ folder, so there is no rendered state to compare with; ${marked.length === 0 ? `if this change introduces weave-mesh (the base has no output folder yet), add --base-may-be-empty to plan every cluster as joining; otherwise ` : ''}run plan without --base (it compares with the working tree's ${folder}/), or give a base that holds it`,
  );
}

/**
 * The files of `folder` (a path in the repository) in `commit`, refused by the rules above; undefined
 * when the commit has no such folder.
 */
function readFolder(dir: string, ref: string, commit: string, folder: string): OutputTree | undefined {
  const short = commit.slice(0, 12);
  const listing = git(dir, ['ls-tree', '-r', '-l', '-z', '--full-tree', commit, '--', folder]);
  if (listing === undefined) throw new BaseError(`the base ${ref} (${short}) is in this clone without its files (a partial or shallow clone): fetch it whole (actions/checkout with fetch-depth: 0) and run plan again`);
  const entries: { file: string; sha: string; size: number }[] = [];
  let total = 0;
  const where = (file: string) => `${folder}/${file} in the base ${ref} (${short})`;
  for (const record of listing.toString('utf8').split('\0')) {
    if (record === '') continue;
    const match = /^(\d+) (\w+) ([0-9a-f]+) +(-|\d+)\t([\s\S]*)$/.exec(record);
    if (!match) throw new BaseError(`cannot read the base ${ref} (${short}): git ls-tree printed what weave-mesh does not understand; run plan with a git of version 2.20 or later`);
    const [, mode, , sha, size, name] = match;
    if (name === folder) throw new BaseError(`the base ${ref} (${short}) has ${folder} as a file, not an output folder; give a base that holds the rendered ${folder}/ folder, or run plan without --base`);
    const file = name.slice(folder.length + 1);

    if (file.split('/').some((part) => part === '' || part === '.' || part === '..') || /[\u0000-\u001f\u007f\\]/.test(file)) {
      throw new BaseError(`refusing to read a file of ${folder}/ in the base ${ref} (${short}): its name ${JSON.stringify(file)} is not one weave-mesh writes; remove it from the base`);
    }
    if (isForeignPath(file)) continue;
    if (mode === '120000') throw new BaseError(`refusing to read ${where(file)}: it is a symbolic link, and weave-mesh writes only regular files into its output folder`);
    if (mode !== '100644' && mode !== '100755') throw new BaseError(`refusing to read ${where(file)}: it is not a regular file (git mode ${mode}), and weave-mesh writes only regular files into its output folder`);
    const bytes = Number(size);
    if (bytes > MAX_OUTPUT_FILE_BYTES) throw new BaseError(`refusing to read ${where(file)}: it is ${bytes} bytes, far more than weave-mesh writes`);
    total += bytes;
    if (total > MAX_BASE_TREE_BYTES) throw new BaseError(`refusing to read ${folder}/ in the base ${ref} (${short}): it holds more than ${MAX_BASE_TREE_BYTES} bytes, far more than weave-mesh writes`);
    entries.push({ file, sha, size: bytes });
  }
  if (entries.length === 0 && listing.length === 0) return undefined;
  return readBlobs(dir, entries, ref, short);
}

/** The blobs' texts, from one `git cat-file --batch`, each checked against the size ls-tree gave. */
function readBlobs(dir: string, entries: readonly { file: string; sha: string; size: number }[], ref: string, short: string): OutputTree {
  const tree = new Map<string, string>();
  if (entries.length === 0) return tree;
  const expected = entries.reduce((sum, { sha, size }) => sum + size + sha.length + 32, 0);
  const out = git(dir, ['cat-file', '--batch'], `${entries.map(({ sha }) => sha).join('\n')}\n`, expected + 1024);
  const broken = () => new BaseError(`cannot read the files of the base ${ref} (${short}): some are missing from this clone (a partial or shallow clone); fetch it whole (actions/checkout with fetch-depth: 0) and run plan again`);
  if (out === undefined) throw broken();
  let at = 0;
  for (const { file, sha, size } of entries) {
    const newline = out.indexOf(0x0a, at);
    if (newline < 0 || out.toString('latin1', at, newline) !== `${sha} blob ${size}`) throw broken();
    at = newline + 1;
    tree.set(file, out.toString('utf8', at, at + size));
    at += size + 1;
  }
  return new Map([...tree].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
