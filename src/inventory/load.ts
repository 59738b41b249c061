import * as fs from 'fs';
import * as path from 'path';
import { CST, Document, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, visit } from 'yaml';
import { ClusterDeclaration, FieldPath, formatFieldPath, Inventory } from '../mesh/declaration';
import { derivedFields, PATH_KEYS } from '../mesh/pharos-paths';
import { Problem } from '../mesh/problem';
import { RuleId } from '../mesh/rule-ids';
import { conflictLine } from '../util/conflict';
import { libyamlRefusals } from '../util/libyaml';
import { describeReading } from '../util/psych';
import { realPath } from '../util/real-path';
import { readRegularFile, RegularFileLimits } from '../util/regular-file';
import { EditRefused, parseForEditing, YamlTextEditor } from '../util/yaml-splice';
import { checkAliasBudget, originAt, readAsPsych } from '../util/psych-read';

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

const CLUSTER_FILE_LIMITS: RegularFileLimits = {
  maxBytes: MAX_FILE_BYTES,
  describeLimit: (size) => `is ${size} bytes; cluster files are limited to ${MAX_FILE_BYTES} bytes`,
  // A hard link is the same file under two names: it could be the password file's (a link by
  // another name). git never checks out hard links, so a cluster file has exactly one name.
  describeHardLinks: (names) => `has ${names} names (hard links), and cluster files must be files of their own (a hard link could be another file, such as the password file); replace it with a copy`,
};
/** Nesting of [ ] and { } allowed; a cluster.yml needs a handful, and the yaml parser recurses per level. */
const MAX_FLOW_DEPTH = 64;

const CLUSTER_FILE = /\.ya?ml$/;

/**
 * Reads every `*.yml` / `*.yaml` file in `dir`, in name order, and parses each one.
 * Files that cannot be read or parsed become problems; loading never throws for bad input.
 */
export function loadInventory(dir: string): LoadResult {
  const shownDir = displayPath(dir);
  let entries: { name: string }[];
  const undecodable: Problem[] = [];
  try {
    entries = fs.readdirSync(dir, { encoding: 'buffer' }).flatMap((raw) => {
      const name = raw.toString('utf8');
      if (Buffer.from(name, 'utf8').equals(raw)) return [{ name }];
      // Its decoded name opens nothing: say so rather than "cannot be read: ENOENT".
      if (/\.ya?ml$/i.test(name)) undecodable.push({ severity: 'error', file: displayPath(path.join(dir, name)), message: 'has a name that is not valid UTF-8; rename it to <cluster-name>.yml', rule: 'inventory-folder' });
      return [];
    });
  } catch (error) {
    return { declarations: [], problems: [{ severity: 'error', file: shownDir, message: unreadableFolder(error), rule: 'inventory-folder' }] };
  }
  const names = entries
    .map((entry) => entry.name)
    .filter((name) => CLUSTER_FILE.test(name))
    .sort();
  // cluster-c.YML is not read as a cluster file: say so, or that cluster would silently leave the mesh.
  const misnamed = entries
    .map((entry) => entry.name)
    .filter((name) => /\.ya?ml$/i.test(name) && !CLUSTER_FILE.test(name))
    .sort()
    .map((name): Problem => ({
      severity: 'error',
      rule: 'inventory-folder',
      file: displayPath(path.join(dir, name)),
      message: `has the extension ${JSON.stringify(path.extname(name))}, which is not read as a cluster file; rename it to ${JSON.stringify(name.replace(/\.ya?ml$/i, (ext) => ext.toLowerCase()))}`,
    }));
  if (names.length === 0 && misnamed.length === 0 && undecodable.length === 0) {
    return {
      declarations: [],
      problems: [{ severity: 'error', file: shownDir, message: 'holds no cluster files; add one <cluster-name>.yml per cluster', rule: 'inventory-folder' }],
    };
  }
  const files: ClusterFile[] = [];
  const problems: Problem[] = [];
  // The folder's real path, resolved once for all of its files.
  const baseDir = realPath(dir);
  for (const name of names) {
    const result = loadClusterFile(dir, baseDir, name);
    if ('problems' in result) problems.push(...result.problems);
    else files.push(result.file);
  }
  return { declarations: files, problems: [...undecodable, ...misnamed, ...problems] };
}

function loadClusterFile(dir: string, baseDir: string, fileName: string): { file: ClusterFile } | { problems: Problem[] } {
  const fullPath = path.join(dir, fileName);
  const shown = displayPath(fullPath);
  // A file that cannot be loaded as Pharos loads it is refused as a whole ([cluster-file]); a value Pharos's Psych reads otherwise is [pharos-yaml].
  const problem = (message: string, line?: number, column?: number, rule: RuleId = 'cluster-file'): Problem => ({ severity: 'error', file: shown, line, column, message, rule });
  const refuse = (message: string, line?: number, column?: number): { problems: Problem[] } => ({ problems: [problem(message, line, column)] });

  let text: string;
  try {
    // A link is refused whatever it points at, and never followed: inside the folder it could name the
    // password file (`z.yml -> shared_password`), and its content would be parsed and quoted in errors.
    if (fs.lstatSync(fullPath).isSymbolicLink()) return refuse(LINK_REFUSAL);
    const bytes = readRegularFile(fullPath, CLUSTER_FILE_LIMITS, refuse);
    if ('problems' in bytes) return bytes;
    if (bytes.content.includes(0)) return refuse('is a binary file, not YAML');
    const invalid = invalidUtf8(bytes.content);
    if (invalid) {
      return refuse(`is not valid UTF-8 (byte 0x${invalid.byte.toString(16).padStart(2, '0')}); Pharos's YAML parser (libyaml) refuses such a file. Save it as UTF-8`, invalid.line, invalid.column);
    }
    text = bytes.content.toString('utf8');
  } catch (error) {
    // ELOOP: the file was replaced by a link between lstat and open (O_NOFOLLOW refused it).
    if ((error as NodeJS.ErrnoException)?.code === 'ELOOP') return refuse(LINK_REFUSAL);
    return refuse(`cannot be read: ${describe(error)}`);
  }

  const lineBreak = foreignLineBreak(text);
  if (lineBreak) {
    return refuse(`holds ${lineBreak.name}, which Pharos's YAML parser (libyaml) reads as a line break and ours does not, so the file would mean different things to each; remove it`, lineBreak.line, lineBreak.column);
  }
  const conflict = conflictLine(text);
  if (conflict !== undefined) return refuse('holds a git merge conflict; resolve it (keep one side, remove the <<<<<<< ======= >>>>>>> lines), then run the command again', conflict, 1);
  if (flowDepthExceeds(text, MAX_FLOW_DEPTH)) {
    return refuse(`nests [ ] or { } more than ${MAX_FLOW_DEPTH} levels deep; a cluster.yml is a few levels deep`);
  }
  // What a libyaml Pharos runs on (0.1.7 to 0.2.5) refuses, and the yaml package reads: every place at once.
  const libyaml = libyamlRefusals(text);
  if (libyaml.length > 0) {
    return {
      problems: libyaml.map((refusal) => {
        const { line, column } = position(text, refusal.offset);
        return problem(refusal.message, line, column);
      }),
    };
  }
  const lineCounter = new LineCounter();
  let document: Document;
  try {
    // YAML 1.1, as Pharos reads it (Ruby's Psych): on/yes are booleans, 017 is octal, << merges.
    document = parseForEditing(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
    const [syntaxError] = document.errors;
    if (syntaxError) {
      const { line, col } = lineCounter.linePos(syntaxError.pos[0]);
      if (syntaxError.code === 'MULTIPLE_DOCS') return refuse('holds more than one YAML document (a second ---); a cluster file is one Pharos cluster.yml', line, col);
      if (syntaxError.code === 'DUPLICATE_KEY') {
        const duplicate = duplicateKeyAt(document, syntaxError.pos[0]);
        if (duplicate) {
          const first = duplicate.firstOffset !== undefined ? ` (first at line ${lineCounter.linePos(duplicate.firstOffset).line})` : '';
          return refuse(`${formatFieldPath(duplicate.path)}: the key ${JSON.stringify(duplicate.path[duplicate.path.length - 1])} is given twice in one mapping${first}; Pharos's YAML reader would silently keep the last one: keep one`, line, col);
        }
      }
      return refuse(isTooDeep(syntaxError.message) ? TOO_DEEP : `YAML syntax error: ${firstLine(syntaxError.message)}`, line, col);
    }
    // Alias bombs are refused here; the data itself is read as Pharos's Psych reads it.
    checkAliasBudget(document, text);
  } catch (error) {
    // The yaml package throws for alias bombs (ReferenceError) and overflows its stack on absurd nesting.
    const message = describe(error);
    return refuse(isTooDeep(message) ? TOO_DEEP : `cannot be loaded as YAML: ${firstLine(message)}`);
  }

  const reading = readAsPsych(document, lineCounter);
  // Every value Pharos could not load, and every interpreted value the two Psych versions read
  // differently, at once: the file is refused with all of them.
  const unreadable = [
    ...reading.refused.map((unloadable) => {
      const fix = /^(!|tag:)/.test(unloadable.text) ? 'remove the tag' : `quote it (${JSON.stringify(unloadable.text)}) if it is text`;
      return problem(
        `${formatFieldPath(unloadable.path)}: ${JSON.stringify(unloadable.text)} is read by Pharos's YAML reader (Ruby 2.5's Psych 3.0) as ${describeReading(unloadable.psych3)}, so pharos up cannot load the file; ${fix}`,
        unloadable.line,
        unloadable.column,
        'pharos-yaml',
      );
    }),
    ...reading.notes
      .filter((note) => note.psych3.type !== 'refused' && interpreted(note.path) && describeReading(note.psych3) !== describeReading(note.psych4))
      .map((differing) =>
        problem(
          `${formatFieldPath(differing.path)}: ${JSON.stringify(differing.text)} is read by Pharos's YAML reader (Ruby 2.5's Psych 3.0) as ${describeReading(differing.psych3)}, by Psych 4.0 as ${describeReading(differing.psych4)}; write it so that both read the same (quote it if it is text)`,
          differing.line,
          differing.column,
          'pharos-yaml',
        ),
      ),
  ];
  if (unreadable.length > 0) return { problems: unreadable };
  const data = reading.data;
  // The rendered cluster.yml is this text with the derived fields edited: refuse now what cannot be edited in place.
  const editor = new YamlTextEditor(text, document);
  for (const field of derivedFields(data)) {
    try {
      editor.find(field.path);
    } catch (error) {
      if (!(error instanceof EditRefused)) throw error;
      const { line, col } = lineCounter.linePos(error.offset);
      return refuse(error.message, line, col);
    }
  }
  const notes = new Map(reading.notes.map((note) => [formatFieldPath(note.path), note]));

  const name = fileName.replace(CLUSTER_FILE, '');
  const doc = document;
  return {
    file: {
      name,
      origin: 'file',
      source: fileName,
      baseDir,
      document: doc,
      text,
      path: shown,
      config: data,
      explain(fieldPath) {
        const note = notes.get(formatFieldPath(fieldPath));
        if (!note || (note.psych3.type !== 'str' && String((note.psych3 as { value?: unknown }).value) === note.text)) return undefined;
        // A tagged value: say what was written, tag included (the rule's own message says what to write).
        if (note.tag)
          return `Pharos's YAML reader (Ruby 2.5's Psych 3.0) reads ${JSON.stringify(`${note.tag} ${note.text}`.trim())} as ${describeReading(note.psych3)}: the tag ${note.tag} applied to ${note.text === '' ? 'an empty value' : JSON.stringify(note.text)}`;
        // Nothing written (\`trusted_subnets:\` followed by a tab, a comment or a flow's end): the rule's own message says it is empty.
        if (note.text.trim() === '') return undefined;
        return `Pharos's YAML reader (Ruby 2.5's Psych 3.0) reads the plain ${note.text} as ${describeReading(note.psych3)}; write it in quotes ("${note.text}") if it is meant as text`;
      },
      locateKey(fieldPath) {
        // The key Psych keeps (a later merge `<<` overrides an earlier explicit key).
        const keyRange = originAt(reading, fieldPath, true)?.key?.range;
        if (keyRange) {
          const { line, col } = lineCounter.linePos(keyRange[0]);
          return { file: shown, line, column: col };
        }
        const parent = fieldPath.length === 1 ? doc.contents : doc.getIn(fieldPath.slice(0, -1), true);
        const pair = isMap(parent) ? parent.items.find((item) => isScalar(item.key) && item.key.value === fieldPath[fieldPath.length - 1]) : undefined;
        const range = isScalar(pair?.key) ? pair.key.range : undefined;
        // A key brought in by a merge (<<) is not written in this mapping: its value's place, then.
        if (!range) return this.locate(fieldPath);
        const { line, col } = lineCounter.linePos(range[0]);
        return { file: shown, line, column: col };
      },
      locate(fieldPath) {
        // The value Psych actually reads, following merges and aliases; else the nearest parent.
        const origin = originAt(reading, fieldPath);
        const range = (origin?.value as { range?: [number, number, number] } | undefined)?.range;
        if (range) {
          const { line, col } = lineCounter.linePos(range[0]);
          return { file: shown, line, column: col };
        }
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

const LINK_REFUSAL = 'is a symbolic link, and cluster files must be regular files of the inventory folder (a link could make weave-mesh read another file, such as the password file); replace the link with a copy of the file it points to';

/**
 * Reads a regular file without following a link and without blocking on a FIFO: opened with
 * O_NOFOLLOW and O_NONBLOCK, then checked through its descriptor (fstat), so the file checked is the
 * file read even if the folder changes meanwhile.
 */
/** The fields whose values weave-mesh reads itself: they must mean the same to every Psych Pharos may run. */
const INTERPRETED: readonly (readonly (string | '*')[])[] = [
  ['name'],
  ['hosts', '*', 'address'],
  ['hosts', '*', 'private_address'],
  ['hosts', '*', 'role'],
  ['hosts', '*', 'ssh_port'],
  ['network', 'provider'],
  ['network', 'service_cidr'],
  ['network', 'pod_network_cidr'],
  ['network', 'firewalld', 'enabled'],
  ['network', 'firewalld', 'trusted_subnets', '*'],
  ['network', 'weave', '*'],
  ['network', 'weave', 'known_peers', '*'],
  ['network', 'weave', 'trusted_subnets', '*'],
  ...PATH_KEYS,
];

function interpreted(at: FieldPath): boolean {
  return INTERPRETED.some((pattern) => pattern.length === at.length && pattern.every((part, index) => part === '*' || part === at[index]));
}

/** The first byte that is not valid UTF-8, with its line and column; libyaml refuses such input. */
export function invalidUtf8(bytes: Buffer): { byte: number; line: number; column: number } | undefined {
  const strict = new TextDecoder('utf-8', { fatal: true });
  try {
    strict.decode(bytes);
    return undefined;
  } catch {
    // Walk the characters to find where.
  }
  let line = 1;
  let column = 1;
  for (let index = 0; index < bytes.length;) {
    const lead = bytes[index];
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    try {
      if (length === 0) throw new Error('invalid');
      strict.decode(bytes.subarray(index, index + length));
    } catch {
      return { byte: lead, line, column };
    }
    if (lead === 0x0a) {
      line++;
      column = 1;
    } else {
      column++;
    }
    index += length;
  }
  return undefined;
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

/** The 1-based line and column of an offset (columns count UTF-16 units, as the yaml package's LineCounter does). */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/** A path relative to the working directory when it lies below it, so messages stay short and machine-independent. */
function displayPath(p: string): string {
  const relative = path.relative(process.cwd(), path.resolve(p));
  return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? p : relative;
}

/** Why the inventory folder cannot be listed, in one line: a missing folder is a mistyped name, not a system error. */
function unreadableFolder(error: unknown): string {
  const what = 'the inventory folder (one <cluster-name>.yml per cluster; the command line names it with --clusters)';
  switch ((error as NodeJS.ErrnoException)?.code) {
    case 'ENOENT':
      return `does not exist; give ${what}`;
    case 'ENOTDIR':
      return `is not a folder; give ${what}`;
    case 'EACCES':
    case 'EPERM':
      return `cannot be read as the inventory folder: permission denied`;
    default:
      return `cannot be read as the inventory folder: ${describe(error)}`;
  }
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

/**
 * The key a DUPLICATE_KEY error points at (its offset), as a field path, with the offset of the key's
 * first occurrence in the same mapping. The parsed document keeps both pairs.
 */
function duplicateKeyAt(document: Document, offset: number): { path: FieldPath; firstOffset?: number } | undefined {
  let found: { path: FieldPath; firstOffset?: number } | undefined;
  visit(document, {
    Pair(_, pair, ancestors) {
      if (!isScalar(pair.key) || pair.key.range?.[0] !== offset) return undefined;
      const parent = ancestors[ancestors.length - 1];
      const key = pair.key.value;
      const first = isMap(parent) ? parent.items.find((item) => item !== pair && isScalar(item.key) && item.key.value === key) : undefined;
      const path: (string | number)[] = [];
      ancestors.forEach((ancestor, index) => {
        if (isPair(ancestor) && isScalar(ancestor.key)) path.push(String(ancestor.key.value));
        else if (isSeq(ancestor)) path.push(ancestor.items.indexOf(ancestors[index + 1] as never));
      });
      found = { path: [...path, String(key)], firstOffset: isScalar(first?.key) ? first.key.range?.[0] : undefined };
      return visit.BREAK;
    },
  });
  return found;
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
