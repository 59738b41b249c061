import { Alias, Document, DocumentOptions, isAlias, isCollection, isMap, isPair, isScalar, isSeq, Node, Pair, parseDocument, ParseOptions, Scalar, SchemaOptions, visit, YAMLMap, YAMLSeq } from 'yaml';
import { memoize } from './memoize';
import { tokenizePsych3, tokenizePsych4 } from './psych';

/**
 * Surgical edits of a YAML file's text: a value replaced, a key added to a mapping, items added to a
 * list, each by splicing text at the positions the yaml package's parser records. Every other byte
 * of the file (comments, quoting, anchors, merge keys, line ends, directives) stays as it was.
 * An edit that would change the meaning of text elsewhere (inside an anchor that an alias repeats,
 * or a key a merge `<<` overrides) is refused with the offset and the reason.
 */

/** An edit the file does not allow, at `offset` of its text. */
export class EditRefused extends Error {
  public constructor(
    message: string,
    public readonly offset: number,
  ) {
    super(message);
  }
}

type Key = string | number;

interface Step {
  /** The mapping (or list) the key was looked up in. */
  readonly parent: YAMLMap | YAMLSeq;
  /** The explicit pair holding the key, in a mapping. */
  readonly pair?: Pair;
  /** The value found, when the key is written in the file. */
  readonly node?: Node | null;
}

/** The key a scalar key node reads as (Psych 3.0.2: plain keys through the scalar scanner). */
function keyText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  if (node.type !== Scalar.PLAIN || (node.tag && /str$/.test(node.tag))) return String(node.value);
  const reading = tokenizePsych3(String(node.source ?? ''));
  return reading.type === 'str' ? reading.value : reading.type === 'null' ? '' : reading.type === 'refused' ? undefined : String(reading.value);
}

function isMergeKey(pair: Pair): boolean {
  return keyText(pair.key) === '<<' && !(isScalar(pair.key) && pair.key.tag && /str$/.test(pair.key.tag));
}

/** The text each document of parseForEditing was parsed from: an editor of the same text reuses the parse. */
const parsedFrom = new WeakMap<Document, string>();

/**
 * Parses `text` as YAML 1.1 (as Pharos reads it), remembering that the document is the parse of
 * exactly this text, positions included: a YamlTextEditor of the same text then needs no parse of its
 * own (the inventory's files are parsed once, to be validated and then spliced).
 */
export function parseForEditing(text: string, options: ParseOptions & DocumentOptions & SchemaOptions = {}): Document {
  const document = parseDocument(text, { ...options, version: '1.1' });
  parsedFrom.set(document, text);
  return document;
}

export class YamlTextEditor {
  private readonly edits: { start: number; end: number; text: string }[] = [];
  private readonly aliased = new Map<string, number>();
  private readonly document: Document;
  /** The file's line end: CRLF files stay CRLF. */
  public readonly eol: string;

  /**
   * @param document the parse of `text` by parseForEditing, if there is one; any other document (one
   *   built from data, or parsed from other text) is not trusted for positions and `text` is parsed again.
   */
  public constructor(
    public readonly text: string,
    document?: Document,
  ) {
    this.document = document !== undefined && parsedFrom.get(document) === text ? document : parseForEditing(text, { uniqueKeys: false });
    this.eol = /\r\n/.test(text) ? '\r\n' : '\n';
    visit(this.document, {
      Alias: (_key, node) => {
        if (!this.aliased.has(node.source)) this.aliased.set(node.source, node.range?.[0] ?? 0);
      },
    });
  }

  /** The text with every edit applied. */
  public result(): string {
    let out = '';
    let at = 0;
    for (const edit of [...this.edits].sort((a, b) => a.start - b.start || a.end - b.end)) {
      out += this.text.slice(at, edit.start) + edit.text;
      at = edit.end;
    }
    return out + this.text.slice(at);
  }

  /** Text put before the file's first byte (a header comment). */
  public prepend(text: string): void {
    this.edits.push({ start: 0, end: 0, text });
  }

  /** Removes whole lines (a comment the rendered file must not keep): `start` and `end` are line starts. */
  public removeLines(start: number, end: number): void {
    this.edits.push({ start, end, text: '' });
  }

  /**
   * The value at `path`, walking mappings and lists as written. Refused when the walk passes an
   * alias, an anchor an alias repeats, or a key that a merge `<<` also sets.
   */
  public find(path: readonly Key[]): Step | undefined {
    let current: unknown = this.document.contents;
    let step: Step | undefined;
    for (const [index, key] of path.entries()) {
      const at = path.slice(0, index).join('.') || 'the document';
      this.checkEditable(current, at);
      if (typeof key === 'number') {
        if (!isSeq(current)) return undefined;
        step = { parent: current, node: current.items[key] as Node | undefined };
      } else {
        if (!isMap(current)) return undefined;
        const found = this.lookup(current, key, path.slice(0, index + 1).join('.'));
        step = { parent: found.parent, pair: found.pair, node: found.pair?.value as Node | null | undefined };
      }
      current = step.node;
      if (current === undefined) return index === path.length - 1 ? step : undefined;
    }
    if (step?.node) this.checkEditable(step.node, path.join('.'));
    return step;
  }

  /**
   * Where the value of `key` in a mapping is written, as Psych reads the mapping (to_ruby.rb
   * `revive_hash`: pairs in order, a later one wins; a merge `<<` of a list takes its first map
   * holding the key): an explicit pair, or a pair inside a mapping merged in place. A value merged
   * from an alias (an anchor written elsewhere) is refused: editing it would change the other place.
   */
  private lookup(map: YAMLMap, key: string, name: string): { parent: YAMLMap; pair?: Pair } {
    let found: { parent: YAMLMap; pair?: Pair } = { parent: map };
    for (const pair of map.items.filter(isPair)) {
      if (!isMergeKey(pair)) {
        if (keyText(pair.key) === key) found = { parent: map, pair };
        continue;
      }
      const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
      for (const source of sources) {
        if (!this.mergeSets(source, key)) continue;
        if (isAlias(source) || !isMap(source)) {
          throw new EditRefused(
            `${name} comes from the merge key (<<) here, of an anchor written elsewhere; weave-mesh must edit ${name}, and the edit would change the anchored text too. Write ${key}: out in this mapping, after the merge`,
            (pair.key as Node | null)?.range?.[0] ?? 0,
          );
        }
        this.checkEditable(source, name);
        found = this.lookup(source, key, name);
        break;
      }
    }
    return found;
  }

  /** Refuses a node that is an alias, or carries an anchor an alias repeats: an edit would reach the other place too. */
  private checkEditable(node: unknown, name: string): void {
    if (isAlias(node)) {
      const target = (node as Alias).resolve(this.document);
      throw new EditRefused(
        `${name} is an alias (*${node.source}) of text written at another place; weave-mesh must edit it and will not edit the anchored text it repeats. Write it out here instead of the alias`,
        node.range?.[0] ?? target?.range?.[0] ?? 0,
      );
    }
    const anchor = (node as { anchor?: string } | null | undefined)?.anchor;
    if (anchor && this.aliased.has(anchor)) {
      throw new EditRefused(
        `${name} has the anchor &${anchor}, which an alias repeats elsewhere; weave-mesh must edit ${name}, and the edit would change that other place too. Write the repeated part out instead of the alias`,
        (node as Node).range?.[0] ?? 0,
      );
    }
  }

  /** Whether a merge value (a mapping, an alias of one, or a list of them) sets `key`. */
  private mergeSets(value: unknown, key: string): boolean {
    const target = isAlias(value) ? (value as Alias).resolve(this.document) : value;
    if (isMap(target)) return target.items.some((pair) => isPair(pair) && (keyText(pair.key) === key || (isMergeKey(pair) && this.mergeSets(pair.value, key))));
    if (isSeq(target)) return target.items.some((item) => this.mergeSets(item, key));
    return false;
  }

  /** Replaces the scalar (or alias, or empty value) at `path` by `value`, kept in the quoting style it had where that reads the same. */
  public replaceScalar(path: readonly Key[], value: string): void {
    const step = this.find(path);
    const node = step?.node;
    if (!node || !isScalar(node) || !node.range) throw new Error(`internal: no scalar at ${path.join('.')}`);
    const [start, end] = node.range;
    const written = this.text.slice(start, end);
    const tag = /^(![^\s]*\s+)/.exec(written)?.[1] ?? '';
    const inFlow = this.inFlow(start);
    this.edits.push({ start: start + tag.length, end, text: scalarText(value, node.type, inFlow) });
  }

  /** Sets the list at `path` to `items`: its value replaced when the key is written, else the key added at the end of its mapping. */
  public setList(path: readonly Key[], items: readonly string[]): void {
    const step = this.find(path);
    if (!step || !isMap(step.parent)) throw new Error(`internal: no mapping for ${path.join('.')}`);
    const key = String(path[path.length - 1]);
    if (step.pair) {
      const value = step.node;
      const keyNode = step.pair.key as Node;
      if (step.parent.flow || this.inFlow(keyNode.range![0])) {
        const [start, end] = value?.range ?? [keyNode.range![2], keyNode.range![2]];
        this.edits.push({ start, end, text: flowList(items) });
        return;
      }
      const keyColumn = this.column(keyNode.range![0]);
      if (value && isSeq(value) && !value.flow && value.items.length > 0) {
        const start = value.range![0];
        this.edits.push({ start, end: this.beforeBreak(contentEnd(value)), text: items.map((item) => `- ${scalarText(item)}`).join(`${this.eol}${' '.repeat(this.column(start))}`) });
        return;
      }
      // Empty, a scalar or a flow list on the key's line: the key's value becomes a block list below it.
      const colon = this.text.indexOf(':', keyNode.range![1]);
      const start = value?.range && value.range[0] > colon ? value.range[0] : colon + 1;
      const end = value?.range ? Math.max(contentEnd(value), start) : start;
      const lines = items.length === 0 ? ' []' : items.map((item) => `${this.eol}${' '.repeat(keyColumn + 2)}- ${scalarText(item)}`).join('');
      this.edits.push({ start: colon + 1, end, text: lines });
      return;
    }
    this.insertPair(step.parent, key, items);
  }

  /** Adds `items` at the end of the list at `path` (which must exist). */
  public appendToList(path: readonly Key[], items: readonly string[]): void {
    if (items.length === 0) return;
    const step = this.find(path);
    const list = step?.node;
    if (!list || !isSeq(list) || !list.range) throw new Error(`internal: no list at ${path.join('.')}`);
    if (list.flow || list.items.length === 0) {
      const close = this.text.lastIndexOf(']', list.range[1]);
      const before = this.text.slice(list.range[0] + 1, close).trim();
      const separator = before === '' || before.endsWith(',') ? '' : ', ';
      this.edits.push({ start: close, end: close, text: `${separator}${items.map((item) => scalarText(item, undefined, true)).join(', ')}` });
      return;
    }
    // After the last item's line, its comment included.
    const end = this.lineEnd(contentEnd(list));
    const column = this.column((list.items[0] as Node).range![0]) - 2;
    this.edits.push({ start: end, end, text: items.map((item) => `${this.eol}${' '.repeat(column)}- ${scalarText(item)}`).join('') });
  }

  /** Sets the scalar at `path` (replacing it, or adding the key at the end of its mapping). */
  public setScalar(path: readonly Key[], value: string): void {
    const step = this.find(path);
    if (!step || !isMap(step.parent)) throw new Error(`internal: no mapping for ${path.join('.')}`);
    if (step.pair && step.node && isScalar(step.node) && (step.node.source !== '' || step.node.type !== Scalar.PLAIN)) {
      this.replaceScalar(path, value);
      return;
    }
    if (step.pair) {
      const keyNode = step.pair.key as Node;
      // An empty value: the scalar goes right after the colon, and what followed it (spaces, a comment) stays.
      const colon = this.text.indexOf(':', keyNode.range![1]);
      this.edits.push({ start: colon + 1, end: colon + 1, text: ` ${scalarText(value, undefined, this.inFlow(colon))}` });
      return;
    }
    this.insertPair(step.parent, String(path[path.length - 1]), value);
  }

  /** Adds `key: value` as the last entry of a mapping, in its style (block or flow). */
  private insertPair(map: YAMLMap, key: string, value: string | readonly string[]): void {
    const range = map.range!;
    if (map.flow || this.text[range[0]] === '{') {
      const close = this.text.lastIndexOf('}', range[1]);
      const before = this.text.slice(range[0] + 1, close).trim();
      const separator = before === '' || before.endsWith(',') ? '' : ', ';
      const text = typeof value === 'string' ? scalarText(value, undefined, true) : flowList(value);
      this.edits.push({ start: close, end: close, text: `${separator}${key}: ${text}` });
      return;
    }
    const first = map.items.find(isPair)?.key as Node | undefined;
    if (!first?.range) throw new EditRefused(`the mapping that must hold ${key} is empty; write it out as a mapping with at least one key`, range[0]);
    const column = this.column(first.range[0]);
    const indent = ' '.repeat(column);
    const body =
      typeof value === 'string'
        ? `${indent}${key}: ${scalarText(value)}`
        : value.length === 0
          ? `${indent}${key}: []`
          : `${indent}${key}:${value.map((item) => `${this.eol}${indent}  - ${scalarText(item)}`).join('')}`;
    const end = contentEnd(map);
    // A block scalar's text ends after its line breaks; anything else ends on its line.
    let at = this.text[end - 1] === '\n' ? end - 1 : this.text.indexOf('\n', end);
    if (at === -1) {
      this.edits.push({ start: this.text.length, end: this.text.length, text: `${this.eol}${body}${this.eol}` });
      return;
    }
    at += 1;
    this.edits.push({ start: at, end: at, text: `${body}${this.eol}` });
  }

  /** An offset moved back before the line break it follows (a block scalar's text ends after its breaks). */
  private beforeBreak(offset: number): number {
    if (this.text[offset - 1] !== '\n') return offset;
    return this.text[offset - 2] === '\r' ? offset - 2 : offset - 1;
  }

  /** The end of the line `offset` is on, before its line break. */
  private lineEnd(offset: number): number {
    if (this.text[offset - 1] === '\n') return this.beforeBreak(offset);
    const newline = this.text.indexOf('\n', offset);
    if (newline === -1) return this.text.length;
    return this.text[newline - 1] === '\r' ? newline - 1 : newline;
  }

  /** The column a node starts at, its tag and anchor (`!!merge `, `&a `) included. */
  private column(offset: number): number {
    const lineStart = this.text.lastIndexOf('\n', offset - 1) + 1;
    return this.text.slice(lineStart, offset).replace(/(?:[!&][^\s]*[ \t]+)+$/, '').length;
  }

  /** Whether an offset lies inside a flow collection (`[...]` or `{...}`), where list items are written inline. */
  private inFlow(offset: number): boolean {
    let inside = false;
    visit(this.document, {
      Node: (_key, node) => {
        if (isCollection(node) && node.flow && node.range && node.range[0] < offset && offset < node.range[1]) inside = true;
      },
    });
    return inside;
  }
}

/** Where a node's own text ends (a block collection's range ends after its last line break). */
function contentEnd(node: unknown): number {
  if (isCollection(node) && !node.flow && node.items.length > 0) {
    const last = node.items[node.items.length - 1];
    if (isPair(last)) return contentEnd(last.value ?? last.key);
    return contentEnd(last);
  }
  return (node as Node).range![1];
}

/** A list written inline: `[a, "b c"]`. */
function flowList(items: readonly string[]): string {
  return `[${items.map((item) => scalarText(item, undefined, true)).join(', ')}]`;
}

/** Characters of a plain scalar that no YAML context reads as structure. */
const SIMPLE = /^[A-Za-z0-9._/~][A-Za-z0-9._/~-]*$/;

/** Whether a plain scalar of this text is this string to Psych 3.0 and 4.0; a mesh writes the same peers into every file, so each is decided once. */
const plainReadsAsItself = memoize((value: string): boolean => {
  const same = (reading: ReturnType<typeof tokenizePsych3>) => reading.type === 'str' && reading.value === value;
  return SIMPLE.test(value) && same(tokenizePsych3(value)) && same(tokenizePsych4(value));
});

/**
 * A string as scalar text that Psych 3.0 and 4.0 (and the yaml package) read as this same string:
 * plain when it can be, else in the quoting style given, else double-quoted.
 */
export function scalarText(value: string, style?: Scalar.Type, inFlow = false): string {
  void inFlow; // SIMPLE holds none of the characters a flow collection reads as structure.
  if ((style === undefined || style === Scalar.PLAIN) && plainReadsAsItself(value)) return value;
  if (style === Scalar.QUOTE_SINGLE && !/[\r\n]/.test(value)) return `'${value.replace(/'/g, "''")}'`;
  return JSON.stringify(value).replace(/\u2028/g, '\\L').replace(/\u2029/g, '\\P');
}
