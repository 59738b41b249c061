import * as fs from 'fs';
import * as path from 'path';
import { CST, Document, Lexer, LineCounter, parseDocument } from 'yaml';
import { ClusterDeclaration, Inventory } from '../mesh/declaration';
import { Problem } from '../mesh/problem';

/** A cluster file that parsed as YAML: a cluster declaration whose values are located by file, line and column. */
export interface ClusterFile extends ClusterDeclaration {
  /** The file's path as shown in messages. */
  readonly path: string;
}

/** The clusters of an inventory folder, and the files that could not be read as clusters. */
export interface LoadResult extends Inventory {
  readonly declarations: ClusterFile[];
}

/** Files larger than this are refused before parsing: no real cluster.yml comes near it. */
export const MAX_FILE_BYTES = 256 * 1024;
/** YAML aliases allowed per document; far below what an alias bomb needs to expand. */
const MAX_ALIAS_COUNT = 50;
/** Nesting of [ ] and { } allowed; a cluster.yml needs a handful, and the yaml parser recurses per level. */
const MAX_FLOW_DEPTH = 64;

const CLUSTER_FILE = /\.ya?ml$/;

/**
 * Reads every `*.yml` / `*.yaml` file in `dir`, in name order, and parses each one.
 * Files that cannot be read or parsed become problems; loading never throws for bad input.
 */
export function loadInventory(dir: string): LoadResult {
  const shownDir = displayPath(dir);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    return { declarations: [], problems: [{ severity: 'error', file: shownDir, message: `cannot read the inventory folder: ${describe(error)}` }] };
  }
  const names = entries.map((entry) => entry.name).filter((name) => CLUSTER_FILE.test(name)).sort();
  // cluster-c.YML is not read as a cluster file: say so, or that cluster would silently leave the mesh.
  const misnamed = entries
    .map((entry) => entry.name)
    .filter((name) => /\.ya?ml$/i.test(name) && !CLUSTER_FILE.test(name))
    .sort()
    .map((name): Problem => ({
      severity: 'error',
      file: displayPath(path.join(dir, name)),
      message: `has the extension ${JSON.stringify(path.extname(name))}, which is not read as a cluster file; rename it to ${JSON.stringify(name.replace(/\.ya?ml$/i, (ext) => ext.toLowerCase()))}`,
    }));
  if (names.length === 0 && misnamed.length === 0) {
    return {
      declarations: [],
      problems: [{ severity: 'error', file: shownDir, message: 'holds no cluster files; add one <cluster-name>.yml per cluster' }],
    };
  }
  const files: ClusterFile[] = [];
  const problems: Problem[] = [];
  for (const name of names) {
    const result = loadClusterFile(dir, name);
    if ('problem' in result) problems.push(result.problem);
    else files.push(result.file);
  }
  return { declarations: files, problems: [...misnamed, ...problems] };
}

function loadClusterFile(dir: string, fileName: string): { file: ClusterFile } | { problem: Problem } {
  const fullPath = path.join(dir, fileName);
  const shown = displayPath(fullPath);
  const refuse = (message: string, line?: number, column?: number): { problem: Problem } => ({
    problem: { severity: 'error', file: shown, line, column, message },
  });

  let text: string;
  try {
    const stat = fs.lstatSync(fullPath);
    if (stat.isSymbolicLink()) {
      const target = fs.realpathSync(fullPath);
      const inventory = fs.realpathSync(dir);
      if (path.dirname(target) !== inventory) {
        return refuse('is a symbolic link that leaves the inventory folder; copy the file into it instead');
      }
    }
    const real = fs.statSync(fullPath);
    if (!real.isFile()) return refuse('is not a regular file');
    if (real.size > MAX_FILE_BYTES) {
      return refuse(`is ${real.size} bytes; cluster files are limited to ${MAX_FILE_BYTES} bytes`);
    }
    const bytes = fs.readFileSync(fullPath);
    if (bytes.includes(0)) return refuse('is a binary file, not YAML');
    text = bytes.toString('utf8');
  } catch (error) {
    return refuse(`cannot be read: ${describe(error)}`);
  }

  const lineBreak = foreignLineBreak(text);
  if (lineBreak) {
    return refuse(
      `holds ${lineBreak.name}, which Pharos's YAML parser (libyaml) reads as a line break and ours does not, so the file would mean different things to each; remove it`,
      lineBreak.line,
      lineBreak.column,
    );
  }
  if (flowDepthExceeds(text, MAX_FLOW_DEPTH)) {
    return refuse(`nests [ ] or { } more than ${MAX_FLOW_DEPTH} levels deep; a cluster.yml is a few levels deep`);
  }
  const lineCounter = new LineCounter();
  let document: Document;
  let data: unknown;
  try {
    // YAML 1.1, as Pharos reads it (Ruby's Psych): on/yes are booleans, 017 is octal, << merges.
    document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.1' });
    const [syntaxError] = document.errors;
    if (syntaxError) {
      const { line, col } = lineCounter.linePos(syntaxError.pos[0]);
      if (syntaxError.code === 'MULTIPLE_DOCS') return refuse('holds more than one YAML document (a second ---); a cluster file is one Pharos cluster.yml', line, col);
      return refuse(isTooDeep(syntaxError.message) ? TOO_DEEP : `YAML syntax error: ${firstLine(syntaxError.message)}`, line, col);
    }
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // The yaml package throws for alias bombs (ReferenceError) and overflows its stack on absurd nesting.
    const message = describe(error);
    return refuse(isTooDeep(message) ? TOO_DEEP : `cannot be loaded as YAML: ${firstLine(message)}`);
  }

  const name = fileName.replace(CLUSTER_FILE, '');
  const doc = document;
  return {
    file: {
      name,
      origin: 'file',
      source: fileName,
      baseDir: dir,
      document: doc,
      path: shown,
      config: data,
      locate(fieldPath) {
        for (let depth = fieldPath.length; depth >= 0; depth--) {
          const node = depth === 0 ? doc.contents : doc.getIn(fieldPath.slice(0, depth), true);
          const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
          // A missing field is shown at its nearest parent that exists.
          if (range) {
            const { line, col } = lineCounter.linePos(range[0]);
            return { file: shown, line, column: col };
          }
        }
        return { file: shown, line: 1, column: 1 };
      },
    },
  };
}

/**
 * The first character libyaml (and so Pharos) reads as a line break where the yaml package does not:
 * a carriage return outside CRLF, NEL (U+0085), LINE SEPARATOR (U+2028), PARAGRAPH SEPARATOR (U+2029).
 */
export function foreignLineBreak(text: string): { name: string; line: number; column: number } | undefined {
  const match = /\r(?!\n)|\u0085|\u2028|\u2029/.exec(text);
  if (!match) return undefined;
  const before = text.slice(0, match.index);
  const line = before.split('\n').length;
  const column = match.index - before.lastIndexOf('\n');
  const names: Record<string, string> = { '\r': 'a carriage return (CR) outside a CRLF line end', '\u0085': 'NEL (U+0085)', '\u2028': 'LINE SEPARATOR (U+2028)', '\u2029': 'PARAGRAPH SEPARATOR (U+2029)' };
  return { name: names[match[0]], line, column };
}

/** A path relative to the working directory when it lies below it, so messages stay short and machine-independent. */
function displayPath(p: string): string {
  const relative = path.relative(process.cwd(), path.resolve(p));
  return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? p : relative;
}

function describe(error: unknown): string {
  // Not `instanceof Error`: errors from another realm (a test sandbox, a worker) fail that check.
  if (typeof error === 'object' && error !== null && typeof (error as Error).message === 'string') {
    const code = (error as NodeJS.ErrnoException).code;
    // Node's own messages already start with the code: `ENOENT: no such file or directory, ...`.
    const { message } = error as Error;
    return code && !message.startsWith(code) ? `${code}: ${message}` : message;
  }
  return String(error);
}

/** Linear, with the yaml package's own lexer (no recursion), and stops at the first level too deep. */
function flowDepthExceeds(text: string, limit: number): boolean {
  // Nesting cannot be deeper than the number of brackets: most files need no lexing at all.
  if ((text.match(/[[{]/g)?.length ?? 0) <= limit) return false;
  let depth = 0;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    if (type === 'flow-seq-start' || type === 'flow-map-start') {
      if (++depth > limit) return true;
    } else if (type === 'flow-seq-end' || type === 'flow-map-end') {
      depth--;
    }
  }
  return false;
}

const TOO_DEEP = 'is nested too deeply to be a cluster file (the YAML parser ran out of stack); a cluster.yml is a few levels deep';

function isTooDeep(message: string): boolean {
  return message.includes('Maximum call stack size exceeded');
}

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}
