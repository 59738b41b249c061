import { stringify, ToStringOptions } from 'yaml';

const OPTIONS: ToStringOptions & { aliasDuplicateObjects: boolean } = { lineWidth: 0, indent: 2, indentSeq: true, aliasDuplicateObjects: false };

/** Lists at least this long take the fast path below. */
const LONG_LIST = 32;
// The key's column is its indentation plus any `- ` of the sequence items it opens.
const PLACEHOLDER = /^( *(?:- )*)(.*?): __weave_mesh_list_(\d+)__$/gm;

/**
 * Serialises YAML the same way on every machine: no line folding, two-space indent, sequences
 * indented under their key.
 *
 * Long lists of one-line strings (a 256-cluster mesh has 2,000 known_peers per cluster) are the
 * bulk of a large render, and the yaml package spends microseconds on every scalar. They are cut
 * out, the rest is stringified, and each list is spliced back in with every distinct string
 * stringified once. The bytes are exactly what `stringify` would produce; a test holds it to that.
 */
export function toYaml(value: unknown): string {
  const lists: string[][] = [];
  const text = stringify(cutLongLists(value, lists), OPTIONS);
  if (lists.length === 0) return text;
  let spliced = 0;
  const result = text.replace(PLACEHOLDER, (line: string, prefix: string, key: string, index: string) => {
    const items = lists[Number(index)].map(scalar);
    if (items.some((item) => item === undefined)) return line;
    spliced++;
    const indent = ' '.repeat(prefix.length + 2);
    return `${prefix}${key}:\n${items.map((item) => `${indent}- ${item}`).join('\n')}`;
  });
  // A list that is not a mapping value, or holds a string the yaml package writes on several lines: the slow way.
  return spliced === lists.length ? result : stringify(value, OPTIONS);
}

function cutLongLists(value: unknown, lists: string[][]): unknown {
  if (Array.isArray(value)) {
    if (value.length >= LONG_LIST && value.every((item) => typeof item === 'string' && !/[\n\r]/.test(item))) {
      lists.push(value as string[]);
      return `__weave_mesh_list_${lists.length - 1}__`;
    }
    return value.map((item) => cutLongLists(item, lists));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cutLongLists(item, lists)]));
  }
  return value;
}

const scalars = new Map<string, string | undefined>();

/** A string as the yaml package writes it as a sequence item, or undefined when that takes more than one line. */
function scalar(text: string): string | undefined {
  if (!scalars.has(text)) {
    const item = stringify([text], OPTIONS);
    scalars.set(text, /^- [^\n]*\n$/.test(item) ? item.slice(2, -1) : undefined);
  }
  return scalars.get(text);
}
