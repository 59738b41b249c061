import { Alias, Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Node, Scalar, stringify } from 'yaml';
import { describeReading, PsychScalar, sameReading, tokenizePsych3, tokenizePsych4 } from './psych';

/**
 * YAML aliases allowed per document (the yaml package's `maxAliasCount`), far below what an alias
 * bomb needs to expand: readAsPsych expands aliases, so untrusted text (the inventory, the output
 * folder) is checked with `document.toJS({ maxAliasCount: MAX_ALIAS_COUNT })` before it is read.
 */
export const MAX_ALIAS_COUNT = 50;

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
  const note = (node: Scalar, text: string, path: FieldPath, psych3: PsychScalar, psych4: PsychScalar): PsychNote => {
    const { line, col } = lineCounter?.linePos(node.range?.[0] ?? 0) ?? { line: 0, col: 0 };
    return { path, line, column: col, text, psych3, psych4 };
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
    if (isSeq(node)) return node.items.map((item, index) => convert(item, [...path, index], seen));
    if (isMap(node)) {
      const hash: Record<string, unknown> = {};
      const set = (key: string, item: unknown) => Object.defineProperty(hash, key, { value: item, enumerable: true, writable: true, configurable: true });
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key;
        const keyTag = isScalar(keyNode) ? keyNode.tag : undefined;
        const key = convert(keyNode, path, seen);
        // A collection as a key (`? [a, b]`) is named as written; no Pharos setting has such a key.
        const keyText = isSeq(keyNode) || isMap(keyNode) ? stringify(keyNode).trim() : typeof key === 'bigint' ? key.toString() : String(key);
        if (key === '<<' && !(keyTag && STR.has(keyTag))) {
          const valueNode = isAlias(pair.value) ? (pair.value as Alias).resolve(document) : pair.value;
          if (isMap(valueNode)) {
            const merged = convert(pair.value, path, seen);
            if (isHash(merged)) {
              for (const [k, v] of Object.entries(merged)) set(k, v);
              continue;
            }
          } else if (isSeq(valueNode)) {
            const list = convert(pair.value, path, seen) as unknown[];
            if (list.every(isHash)) {
              for (const item of [...list].reverse()) for (const [k, v] of Object.entries(item as Record<string, unknown>)) set(k, v);
              continue;
            }
          }
        }
        set(keyText, convert(pair.value, [...path, keyText], seen));
      }
      return hash;
    }
    return null;
  };

  const data = convert(document.contents, [], []);
  return { data, refused, notes };
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
