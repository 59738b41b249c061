import { Alias, Document, isAlias, parseDocument, isMap, isPair, isScalar, isSeq, LineCounter, Node, Scalar, stringify, Tags } from 'yaml';
import { describeReading, PsychScalar, sameReading, tokenizePsych3, tokenizePsych4 } from './psych';

/**
 * YAML aliases allowed per document (the yaml package's `maxAliasCount`), far below what an alias
 * bomb needs to expand: readAsPsych expands aliases, so untrusted text (the inventory, the output
 * folder) is checked with `document.toJS({ maxAliasCount: MAX_ALIAS_COUNT })` before it is read.
 */
export const MAX_ALIAS_COUNT = 50;

/**
 * Refuses alias bombs (`toJS` with `maxAliasCount`) before readAsPsych expands aliases. The yaml
 * package's own merge throws for a `<<` whose value is not a map (`<<: ./x`, `<<: *list`), which Psych
 * 3.0.2 keeps as an ordinary key: for such a file the count is taken on a parse without merge keys.
 */
export function checkAliasBudget(document: Document, text: string): void {
  try {
    document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof Error && error.message === 'Merge sources must be maps or map aliases')) throw error;
    // (`merge: false` does not remove the 1.1 schema's merge tag; dropping the tag does.)
    const withoutMerge = (tags: Tags) => tags.filter((tag) => !(typeof tag === 'object' && tag.tag === 'tag:yaml.org,2002:merge'));
    parseDocument(text, { version: '1.1', customTags: withoutMerge, uniqueKeys: false, logLevel: 'silent' }).toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  }
}

/** A place in the data: keys and list indexes. */
export type FieldPath = readonly (string | number)[];

/** A value of the file that Psych would not load, or reads differently from what its text suggests. */
export interface PsychNote {
  /** Where the value lands in the data (after merges and aliases). */
  readonly path: FieldPath;
  readonly line: number;
  readonly column: number;
  /** The scalar as written. */
  readonly text: string;
  /** Its tag as written (`!!null`, `!local`), if it has one. */
  readonly tag?: string;
  /** What Psych 3.0.2 (Pharos) makes of it. */
  readonly psych3: PsychScalar;
  /** What Psych 4.0.3 makes of it. */
  readonly psych4: PsychScalar;
}

export interface PsychReading {
  /** The document's data as Pharos's Psych 3.0.2 reads it (integers beyond 2^53 as bigint). */
  readonly data: unknown;
  /** Values YAML.safe_load raises on (Symbols, Dates, Times, unreadable floats, ruby tags): the file cannot be loaded. */
  readonly refused: readonly PsychNote[];
  /** Plain scalars that are not read as the string written, or read differently by Psych 3.0 and 4.0. */
  readonly notes: readonly PsychNote[];
  /**
   * Where each value of `data` is written: the key and value nodes of the pair Psych 3.0.2 keeps (an
   * explicit pair, or one brought in by a merge `<<`, whichever wins), per hash and per list.
   */
  readonly origins: WeakMap<object, Map<string | number, Origin>>;
}

/** The nodes a value of the data was read from. */
export interface Origin {
  readonly key?: Node;
  readonly value: Node | undefined;
}

/**
 * The nodes of the deepest value along `path` that the data holds, following merges and aliases as
 * Psych 3.0.2 does (the value it actually reads, not the first key of that name in the text).
 */
export function originAt(reading: PsychReading, path: FieldPath, exact = false): Origin | undefined {
  let current: unknown = reading.data;
  let found: Origin | undefined;
  for (const part of path) {
    const origin = typeof current === 'object' && current !== null ? reading.origins.get(current)?.get(part) : undefined;
    if (!origin) return exact ? undefined : found;
    found = origin;
    current = (current as Record<string | number, unknown>)[part];
  }
  return found;
}

const STR = new Set(['tag:yaml.org,2002:str', '!str']);
const FLOAT = new Set(['tag:yaml.org,2002:float', '!float']);
const BINARY = new Set(['tag:yaml.org,2002:binary', '!binary']);
/** Collection tags that Psych 3.0.2's to_ruby.rb turns into a Ruby class (Set, Omap, Struct, objects): safe_load raises. */
const UNLOADABLE_COLLECTION = /^(?:!ruby\/|tag:ruby\.yaml\.org,|!set$|!omap$|!map:|!seq:|!str|tag:yaml\.org,2002:(?:set|omap|str)$)/;

/**
 * The document's data as Psych 3.0.2's `Psych::Visitors::ToRuby` builds it (lib/psych/visitors/to_ruby.rb
 * at v3.0.2): quoted and block scalars are strings whatever their tag (`deserialize`: `return o.value
 * if o.quoted`), plain ones go through the scalar scanner; `!!str` is a string, `!!float` a Float;
 * `<<` (any key that reads as `<<` and is not tagged `!!str`) merges in document order, so a merge
 * written after an explicit key overrides it, and a list of maps merges with the first winning
 * (`revive_hash`). A `%YAML` directive changes nothing: libyaml and Psych ignore its version.
 */
export function readAsPsych(document: Document, lineCounter?: LineCounter): PsychReading {
  const refused: PsychNote[] = [];
  const notes: PsychNote[] = [];
  const origins = new WeakMap<object, Map<string | number, Origin>>();
  const note = (node: Scalar, text: string, path: FieldPath, psych3: PsychScalar, psych4: PsychScalar): PsychNote => {
    const { line, col } = lineCounter?.linePos(node.range?.[0] ?? 0) ?? { line: 0, col: 0 };
    return { path, line, column: col, text, ...(node.tag ? { tag: writtenTag(node) } : {}), psych3, psych4 };
  };

  const scalar = (node: Scalar, path: FieldPath): unknown => {
    const tag = node.tag;
    // The text as libyaml hands it to Psych: quotes, escapes and folding resolved, no tag applied yet
    // (the yaml package's `source`; its `value` already has its own reading of the tag, `!!bool "y"` as true).
    const text = String(node.source ?? node.value ?? '');
    // libyaml marks a quoted or block scalar "quoted_implicit" only when it has no tag: then Psych
    // returns it as written; with a tag (`!` included) it goes through the scanner like a plain one.
    if (node.type !== Scalar.PLAIN && !tag) return text;
    if (tag) {
      // to_ruby.rb v3.0.2 `deserialize`, l.62-118: these tags decide; every other one (`!!int`,
      // `!!bool`, `!!null`, `!foo`) falls to `@ss.tokenize o.value`, the text as written.
      const strTag = /^!(?:str|ruby\/string)(?::(.*))?$/.exec(tag);
      if (STR.has(tag) || (strTag && !strTag[1])) return text;
      if (strTag || /^(!ruby\/|tag:ruby\.yaml\.org,)/.test(tag)) {
        const what: PsychScalar = { type: 'refused', what: `a Ruby object (${tag}), which YAML.safe_load refuses` };
        refused.push(note(node, text, path, what, what));
        return null;
      }
      if (BINARY.has(tag)) return Buffer.from(text, 'base64').toString('latin1');
    }
    let psych3 = tokenizePsych3(text);
    let psych4 = tokenizePsych4(text);
    if (tag && FLOAT.has(tag)) [psych3, psych4] = [toFloat(psych3), toFloat(psych4)];
    if (psych3.type === 'refused') {
      refused.push(note(node, text, path, psych3, psych4));
      return null;
    }
    if (psych3.type !== 'str' || !sameReading(psych3, psych4)) notes.push(note(node, text, path, psych3, psych4));
    return value(psych3);
  };

  const convert = (node: unknown, path: FieldPath, seen: readonly Node[]): unknown => {
    if (isAlias(node)) {
      const target = (node as Alias).resolve(document);
      // A cycle (an alias inside its own anchor) is refused by the yaml package before this; guard anyway.
      if (!target || seen.includes(target)) return null;
      return convert(target, path, [...seen, target]);
    }
    if (isScalar(node)) return scalar(node, path);
    const tag = (node as { tag?: string } | null)?.tag;
    if ((isSeq(node) || isMap(node)) && tag && UNLOADABLE_COLLECTION.test(tag)) {
      const what: PsychScalar = { type: 'refused', what: `a ${tag} collection (a Ruby class), which YAML.safe_load refuses` };
      const { line, col } = lineCounter?.linePos(node.range?.[0] ?? 0) ?? { line: 0, col: 0 };
      refused.push({ path, line, column: col, text: tag, psych3: what, psych4: what });
      return null;
    }
    if (isSeq(node)) {
      const list = node.items.map((item, index) => convert(item, [...path, index], seen));
      origins.set(list, new Map(node.items.map((item, index) => [index, { value: item as Node }])));
      return list;
    }
    if (isMap(node)) {
      const hash: Record<string, unknown> = {};
      const written = new Map<string | number, Origin>();
      origins.set(hash, written);
      const set = (key: string, item: unknown, origin: Origin | undefined) => {
        Object.defineProperty(hash, key, { value: item, enumerable: true, writable: true, configurable: true });
        if (origin) written.set(key, origin);
        else written.delete(key);
      };
      const mergeFrom = (source: Record<string, unknown>) => {
        const from = origins.get(source);
        for (const [k, v] of Object.entries(source)) set(k, v, from?.get(k));
      };
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key;
        const keyTag = isScalar(keyNode) ? keyNode.tag : undefined;
        const key = convert(keyNode, path, seen);
        // A collection as a key (`? [a, b]`) is named as written; no Pharos setting has such a key.
        const keyText = isSeq(keyNode) || isMap(keyNode) ? stringify(keyNode).trim() : typeof key === 'bigint' ? key.toString() : String(key);
        if (key === '<<' && !(keyTag && STR.has(keyTag))) {
          // revive_hash v3.0.2 branches on the node as written: an alias or a mapping is merged with
          // `hash.merge!`, a sequence item by item; a value that is not a hash (an alias of a list or of
          // a scalar, a list holding a non-map) raises TypeError there, which Psych rescues by keeping
          // `<<` as an ordinary key. Any other value (a scalar) is an ordinary key too.
          const merged = convert(pair.value, path, seen);
          if ((isAlias(pair.value) || isMap(pair.value)) && isHash(merged)) {
            mergeFrom(merged);
            continue;
          }
          if (isSeq(pair.value) && Array.isArray(merged) && merged.every(isHash)) {
            for (const item of [...merged].reverse()) mergeFrom(item as Record<string, unknown>);
            continue;
          }
          set(keyText, merged, { key: keyNode as Node, value: pair.value as Node });
          continue;
        }
        set(keyText, convert(pair.value, [...path, keyText], seen), { key: keyNode as Node, value: pair.value as Node });
      }
      return hash;
    }
    return null;
  };

  const data = convert(document.contents, [], []);
  return { data, refused, notes, origins };
}

/** A scalar's tag as the text spells it (`!!null`, not `tag:yaml.org,2002:null`). */
function writtenTag(node: Scalar): string {
  const tag = node.tag ?? '';
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

function isHash(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `Float(@ss.tokenize(o.value))` for a `!!float` scalar (to_ruby.rb v3.0.2 l.89-90): an Integer becomes a
 * Float; nil, true and false raise TypeError; a String goes through Ruby's strict `Float()`, which takes
 * surrounding whitespace and `_` between digits. Strings beyond plain decimal notation (Ruby's hexadecimal
 * floats) are refused: no Pharos setting is a float, and they are not worth emulating.
 */
function toFloat(reading: PsychScalar): PsychScalar {
  if (reading.type === 'float' || reading.type === 'refused') return reading;
  if (reading.type === 'int') return { type: 'float', value: Number(reading.value) };
  if (reading.type === 'str') {
    const trimmed = reading.value.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
    const digits = '[0-9]+(?:_[0-9]+)*';
    if (new RegExp(`^[-+]?(?:${digits}(?:\\.${digits})?|\\.${digits})(?:[eE][-+]?${digits})?$`).test(trimmed)) {
      return { type: 'float', value: Number(trimmed.replace(/_/g, '')) };
    }
  }
  return { type: 'refused', what: `an error: a !!float that Ruby's Float() cannot read (${describeReading(reading)})` };
}

/** A reading as JavaScript data: integers beyond 2^53 stay exact as bigint. */
export function value(reading: PsychScalar): unknown {
  switch (reading.type) {
    case 'null':
    case 'refused':
      return null;
    case 'int':
      return reading.value >= BigInt(Number.MIN_SAFE_INTEGER) && reading.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(reading.value) : reading.value;
    default:
      return reading.value;
  }
}
