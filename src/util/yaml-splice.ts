import { Alias, CST, Document, DocumentOptions, isAlias, isCollection, isMap, isPair, isScalar, isSeq, Node, Pair, parseDocument, ParseOptions, Parser, Scalar, SchemaOptions, visit, YAMLMap, YAMLSeq } from 'yaml';
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
/** The last key of a dotted field name (`hosts.1.ssh_key_path` → `ssh_key_path`). */
function lastKey(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

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

/** Where a mapping pair or list item is written: its CST item and the collection holding it. */
interface Written {
  readonly item: CST.CollectionItem;
  readonly collection: CST.BlockMap | CST.BlockSequence | CST.FlowCollection;
}

/** The CST of a document, indexed by the offsets the document's nodes record. */
class CstIndex {
  /** Pairs by the offset of their key, list items by the offset of their value. */
  public readonly items = new Map<number, Written>();
  /** Collections and block scalars by their offset and type (a block map and its first key share an offset). */
  public readonly tokens = new Map<string, CST.Token>();

  public constructor(tokens: readonly CST.Token[]) {
    for (const token of tokens) if (token.type === 'document' && token.value) this.add(token.value);
  }

  private add(token: CST.Token): void {
    if (token.type === 'block-scalar') this.tokens.set(`${token.offset}:${token.type}`, token);
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') return;
    this.tokens.set(`${token.offset}:${token.type}`, token);
    for (const item of token.items as CST.CollectionItem[]) {
      if (item.key) {
        if (!this.items.has(item.key.offset)) this.items.set(item.key.offset, { item, collection: token });
        this.add(item.key);
      } else if (item.value && !item.sep?.some((sep) => sep.type === 'map-value-ind')) {
        // A list item (a flow map's `? key`-less pair has a colon and is no list item).
        if (!this.items.has(item.value.offset)) this.items.set(item.value.offset, { item, collection: token });
      }
      if (item.value) this.add(item.value);
    }
  }
}

/** The `:` of a pair as written, if it has one (`? key` alone, or `{key}`, has none). */
function colonOf(item: CST.CollectionItem): CST.SourceToken | undefined {
  return item.sep?.find((token) => token.type === 'map-value-ind');
}

/** The end of a pair's value indicator and the value's own properties (tag, anchor) written after it. */
function afterColon(item: CST.CollectionItem, colon: CST.SourceToken): number {
  let end = colon.offset + 1;
  let past = false;
  for (const token of item.sep ?? []) {
    if (token === colon) past = true;
    else if (past && (token.type === 'tag' || token.type === 'anchor')) end = token.offset + token.source.length;
  }
  return end;
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

  private index?: CstIndex;

  /**
   * The file's concrete syntax tree, indexed: read on the first edit that needs it, and dropped with
   * the editor (kept with every parsed inventory file, the trees of a large mesh cost more memory
   * than reading each again costs time).
   */
  private get cst(): CstIndex {
    this.index ??= new CstIndex([...new Parser().parse(this.text)]);
    return this.index;
  }

  /** Where a pair is written in the file, found by its key (undefined for a pair without one, `: value`). */
  private writtenOrNot(pair: Pair): Written | undefined {
    const offset = (pair.key as Node | null)?.range?.[0];
    return offset === undefined ? undefined : this.cst.items.get(offset);
  }

  /** Where a pair with a key is written in the file. */
  private written(pair: Pair): Written {
    const written = this.writtenOrNot(pair);
    if (!written) throw new Error(`internal: no written pair at ${(pair.key as Node | null)?.range?.[0]}`);
    return written;
  }

  /** The CST collection a mapping or list of the document is written as. */
  private collection(node: YAMLMap | YAMLSeq): CST.BlockMap | CST.BlockSequence | CST.FlowCollection {
    for (const item of node.items as unknown[]) {
      const written = isPair(item) ? this.writtenOrNot(item) : undefined;
      if (written) return written.collection;
    }
    const type = node.flow ? 'flow-collection' : isMap(node) ? 'block-map' : 'block-seq';
    const token = this.cst.tokens.get(`${node.range![0]}:${type}`);
    if (!token || (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection')) throw new Error(`internal: no written collection at ${node.range![0]}`);
    return token;
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
            `${name} comes from the merge key (<<) here, of an anchor written elsewhere; weave-mesh must edit ${name}, and the edit would change the anchored text too. Write ${this.writtenOut(this.mergedValue(source, key), key)} out in this mapping, after the merge (the merge may stay for the other keys)`,
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
        `${name} is an alias (*${node.source}) of text written at another place; weave-mesh must edit it and will not edit the anchored text it repeats. ${isScalar(target) ? `Write ${this.writtenOut(target, lastKey(name))} here instead of *${node.source}, and drop the anchor &${node.source} where no alias is left` : 'Write it out here instead of the alias'}`,
        node.range?.[0] ?? target?.range?.[0] ?? 0,
      );
    }
    const anchor = (node as { anchor?: string } | null | undefined)?.anchor;
    if (anchor && this.aliased.has(anchor)) {
      throw new EditRefused(
        `${name} has the anchor &${anchor}, which an alias repeats elsewhere; weave-mesh must edit ${name}, and the edit would change that other place too. ${isScalar(node) ? `Write ${this.writtenOut(node, lastKey(name))} at each place instead of &${anchor} and every *${anchor} (weave-mesh then edits each one)` : `Write the repeated part out instead of the alias *${anchor}`}`,
        (node as Node).range?.[0] ?? 0,
      );
    }
  }

  /** `key: value` as the value is written (its text, quotes included), to say what to write instead of an alias or merge. */
  private writtenOut(node: unknown, key: string): string {
    const range = (node as Node | undefined)?.range;
    const text = isScalar(node) && range ? this.text.slice(range[0], range[1]).trim() : '...';
    return `${key}: ${text}`;
  }

  /** The value node that a merge value (a mapping, an alias of one, or a list of them) gives `key`: the first that sets it. */
  private mergedValue(value: unknown, key: string): unknown {
    const target = isAlias(value) ? (value as Alias).resolve(this.document) : value;
    const items = isMap(target) ? [target] : isSeq(target) ? target.items : [];
    for (const item of items) {
      const map = isAlias(item) ? (item as Alias).resolve(this.document) : item;
      if (!isMap(map)) continue;
      let found: unknown;
      for (const pair of map.items.filter(isPair)) {
        if (keyText(pair.key) === key) found = pair.value;
        else if (isMergeKey(pair) && this.mergeSets(pair.value, key)) found = this.mergedValue(pair.value, key);
      }
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Whether a merge value (a mapping, an alias of one, or a list of them) sets `key`. */
  private mergeSets(value: unknown, key: string): boolean {
    const target = isAlias(value) ? (value as Alias).resolve(this.document) : value;
    if (isMap(target)) return target.items.some((pair) => isPair(pair) && (keyText(pair.key) === key || (isMergeKey(pair) && this.mergeSets(pair.value, key))));
    if (isSeq(target)) return target.items.some((item) => this.mergeSets(item, key));
    return false;
  }

  /**
   * Replaces the scalar at `path` by `value`, kept in the quoting style it had where that reads the
   * same. A block scalar (`|-`, `>`) becomes a scalar on its header's line: its header is replaced,
   * a comment after the header stays, and its content lines go, up to (not including) the line break
   * that ends them, so the next key keeps its own line.
   */
  public replaceScalar(path: readonly Key[], value: string): void {
    const step = this.find(path);
    const node = step?.node;
    if (!node || !isScalar(node) || !node.range) throw new Error(`internal: no scalar at ${path.join('.')}`);
    const [start, end] = node.range;
    if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
      const token = this.cst.tokens.get(`${start}:block-scalar`) as CST.BlockScalar | undefined;
      const header = token?.props.find((prop) => prop.type === 'block-scalar-header') as CST.SourceToken | undefined;
      if (!token || !header) throw new Error(`internal: no block scalar at ${start}`);
      this.edits.push({ start: header.offset, end: header.offset + header.source.length, text: scalarText(value) });
      const newline = token.props.find((prop) => prop.type === 'newline') as CST.SourceToken | undefined;
      const last = token.source.search(/\S\s*$/);
      if (newline && last !== -1) {
        const contentStart = newline.offset + newline.source.length;
        this.edits.push({ start: this.beforeBreak(contentStart), end: contentStart + last + 1, text: '' });
      }
      return;
    }
    this.edits.push({ start, end, text: scalarText(value, node.type, this.inFlow(start)) });
  }

  /** Sets the list at `path` to `items`: its value replaced when the key is written, else the key added at the end of its mapping. */
  public setList(path: readonly Key[], items: readonly string[]): void {
    const step = this.find(path);
    if (!step || !isMap(step.parent)) throw new Error(`internal: no mapping for ${path.join('.')}`);
    const key = String(path[path.length - 1]);
    if (!step.pair) {
      this.insertPair(step.parent, key, items);
      return;
    }
    const value = step.node;
    const { collection } = this.written(step.pair);
    if (collection.type === 'flow-collection') {
      this.setValue(step.pair, ` ${flowList(items)}`);
      return;
    }
    // No items: `[]` below, never an empty replacement (which left the key null) nor a lone `- ` (a list of one null).
    if (value && isSeq(value) && !value.flow && value.items.length > 0 && items.length > 0) {
      // The items replaced, written as the list was: at the column of its first `-`.
      const start = value.range![0];
      this.edits.push({ start, end: this.beforeBreak(this.end(value)), text: `- ${joinedItems(items, `${this.eol}${' '.repeat(this.column(start))}- `)}` });
      return;
    }
    // Empty, a scalar or a flow list: the value becomes a block list below the key, indented under it.
    const indent = ' '.repeat(collection.indent + 2);
    const lead = `${this.eol}${indent}- `;
    this.setValue(step.pair, items.length === 0 ? ' []' : `${lead}${joinedItems(items, lead)}`);
  }

  /** Adds `items` at the end of the list at `path` (which must exist). */
  public appendToList(path: readonly Key[], items: readonly string[]): void {
    if (items.length === 0) return;
    const step = this.find(path);
    const list = step?.node;
    if (!list || !isSeq(list) || !list.range) throw new Error(`internal: no list at ${path.join('.')}`);
    if (list.flow) {
      const collection = this.collection(list) as CST.FlowCollection;
      const texts = items.map((item) => scalarText(item, undefined, true)).join(', ');
      // After the last item, before a comma or comment that follows it: `[a, # c` becomes `[a, new, # c`.
      const last = list.items[list.items.length - 1] as unknown;
      if (last === undefined) this.edits.push({ start: collection.start.offset + 1, end: collection.start.offset + 1, text: texts });
      else this.edits.push({ start: this.end(last), end: this.end(last), text: `${isPair(last) && isEmpty(last.value) ? ' ' : ''}, ${texts}` });
      return;
    }
    // After the last item's line (its comment included), at the column of the list's `-`, however far its items are indented.
    const end = this.lineEnd(this.end(list));
    const column = this.column(list.range[0]);
    const lead = `${this.eol}${' '.repeat(column)}- `;
    this.edits.push({ start: end, end, text: `${lead}${joinedItems(items, lead)}` });
  }

  /** Sets the scalar at `path` (replacing it, or adding the key at the end of its mapping). */
  public setScalar(path: readonly Key[], value: string): void {
    const step = this.find(path);
    if (!step || !isMap(step.parent)) throw new Error(`internal: no mapping for ${path.join('.')}`);
    if (!step.pair) {
      this.insertPair(step.parent, String(path[path.length - 1]), value);
      return;
    }
    const node = step.node;
    if (node && isScalar(node) && (node.source !== '' || node.type !== Scalar.PLAIN)) {
      this.replaceScalar(path, value);
      return;
    }
    if (!isEmpty(node)) {
      throw new EditRefused(
        `${path.join('.')} holds a ${isSeq(node) ? 'list' : isMap(node) ? 'mapping' : 'value'} where weave-mesh must write a scalar; write ${path[path.length - 1]}: with no value, or remove it`,
        (node as Node).range?.[0] ?? (step.pair.key as Node).range![0],
      );
    }
    const { collection } = this.written(step.pair);
    this.setValue(step.pair, ` ${scalarText(value, undefined, collection.type === 'flow-collection')}`);
  }

  /**
   * Writes `text` as the value of a pair whose key is written: in place of the value (from its `:`
   * to the end of its text; a comment after an empty value stays), or, for a key written without
   * `:` (`? key` alone, `{key}`), with a `:` of its own: on the next line at the `?`'s column in a
   * block mapping, right after the key in a flow mapping. `text` starts with what separates it
   * from the `:` (a space, or a line break for a block list).
   */
  private setValue(pair: Pair, text: string): void {
    const { item, collection } = this.written(pair);
    const colon = colonOf(item);
    const value = pair.value as Node | null;
    if (colon) {
      const start = colon.offset + 1;
      // An empty value's node lies at what follows it (a comment, the next line): only its tag and anchor are its own.
      const end = isEmpty(value) ? afterColon(item, colon) : Math.max(afterColon(item, colon), this.beforeBreak(this.end(value)));
      this.edits.push({ start, end, text });
      return;
    }
    const keyEnd = this.end(pair.key);
    if (collection.type === 'flow-collection') {
      this.edits.push({ start: keyEnd, end: keyEnd, text: `:${text}` });
      return;
    }
    const at = this.lineEnd(keyEnd);
    this.edits.push({ start: at, end: at, text: `${this.eol}${' '.repeat(collection.indent)}:${text}` });
  }

  /** Adds `key: value` as the last entry of a mapping, in its style (block or flow). */
  private insertPair(map: YAMLMap, key: string, value: string | readonly string[]): void {
    const collection = this.collection(map);
    if (collection.type === 'flow-collection') {
      const text = `${key}: ${typeof value === 'string' ? scalarText(value, undefined, true) : flowList(value)}`;
      const last = map.items[map.items.length - 1];
      // After the last pair's text, before a comma or comment that follows it; in `{}`, right after the `{`.
      // After an empty value a space first: libyaml reads `key:,` as one plain scalar and refuses `!!null,`.
      if (last === undefined) this.edits.push({ start: collection.start.offset + 1, end: collection.start.offset + 1, text });
      else this.edits.push({ start: this.end(last), end: this.end(last), text: `${isPair(last) && isEmpty(last.value) ? ' ' : ''}, ${text}` });
      return;
    }
    if (map.items.length === 0) throw new EditRefused(`the mapping that must hold ${key} is empty; write it out as a mapping with at least one key`, map.range![0]);
    // At the mapping's own column (that of its keys, or of the `?` of an explicit key), after the line its last entry ends on.
    const indent = ' '.repeat(collection.indent);
    const lead = `${this.eol}${indent}  - `;
    const body = typeof value === 'string' ? `${indent}${key}: ${scalarText(value)}` : value.length === 0 ? `${indent}${key}: []` : `${indent}${key}:${lead}${joinedItems(value, lead)}`;
    const at = this.lineEnd(this.end(map));
    this.edits.push({ start: at, end: at, text: `${this.eol}${body}` });
  }

  /**
   * Where a node's own text ends: a pair's with its value, or with its `:` (and the value's tag or
   * anchor) when the value is empty, or with its key when it has no `:`; a block collection's with
   * its last entry (its range ends after its last line break).
   */
  private end(node: unknown): number {
    if (isPair(node)) {
      const key = node.key as Node | null;
      const written = this.writtenOrNot(node);
      let end = written && key?.range ? this.end(key) : 0;
      const colon = written && colonOf(written.item);
      if (written && colon) end = Math.max(end, afterColon(written.item, colon));
      return isEmpty(node.value) ? end : Math.max(end, this.end(node.value));
    }
    if (isCollection(node) && !node.flow && node.items.length > 0) return this.end(node.items[node.items.length - 1]);
    return (node as Node).range![1];
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

/** Whether a pair's value is empty as written (`key:`, `key: # comment`): the yaml package places such a node at what follows it. */
function isEmpty(value: unknown): boolean {
  return !value || (isScalar(value) && value.source === '' && value.type === Scalar.PLAIN);
}

/**
 * Block list items as scalar text, `lead` (a line break, the indent and `- `) between them. One join,
 * not a string per item: known_peers lists every worker of the mesh, 2,040 items per file at 256 clusters.
 */
function joinedItems(items: readonly string[], lead: string): string {
  return items.map((item) => scalarText(item)).join(lead);
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
  if (style === Scalar.QUOTE_SINGLE && !/[\x00-\x08\x0a-\x1f]/.test(value) && !LIBYAML_UNSAFE.test(value)) return `'${value.replace(/'/g, "''")}'`;
  return escapeForLibyaml(JSON.stringify(value));
}

/**
 * Characters JSON.stringify leaves as they are and libyaml must not meet raw in a quoted scalar:
 * NEL, LS and PS it reads as line breaks (folded to a space or a line end: another string), DEL, the C1
 * controls, U+FFFE and U+FFFF it refuses ("control characters are not allowed", the whole file), and
 * U+FEFF, a byte order mark to many tools. libyaml 0.1.7 to 0.2.5 alike: `yaml_parser_update_buffer`
 * in reader.c accepts only #x9, #xA, #xD, #x20-#x7E, #x85, #xA0-#xD7FF, #xE000-#xFFFD and #x10000 and
 * above, and `IS_BREAK` in yaml_private.h counts #x85, #x2028 and #x2029 as breaks. Every version reads
 * the escapes `\N`, `\L`, `\P`, `\xXX` and `\uXXXX` (scanner.c, `yaml_parser_scan_flow_scalar`).
 */
const LIBYAML_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;

/**
 * A double-quoted scalar's text with every character of LIBYAML_UNSAFE written as an escape. Only for
 * text in which such characters can stand inside double quotes alone (no comments, no other style).
 */
export function escapeForLibyaml(doubleQuoted: string): string {
  return doubleQuoted.replace(new RegExp(LIBYAML_UNSAFE.source, 'g'), (char) => {
    const code = char.charCodeAt(0);
    if (code === 0x85) return '\\N';
    if (code === 0x2028) return '\\L';
    if (code === 0x2029) return '\\P';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
