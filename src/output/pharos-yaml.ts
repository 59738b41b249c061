import { Document, parse, Scalar, visit, YAMLSeq } from 'yaml';
import { memoize } from '../util/memoize';

/** How a Pharos cluster.yml is written: no line folding, two-space indent, sequences indented under their key. */
export const CLUSTER_FILE_OPTIONS = { lineWidth: 0, indent: 2, indentSeq: true } as const;

/** A cluster.yml's text: the document written with {@link CLUSTER_FILE_OPTIONS}. */
export function clusterFileText(document: Document): string {
  const { directives } = document;
  // The yaml package looks through the whole document for tags that need a %TAG line, even when the
  // document declares no tag handle of its own, and then none can. Without a handle, a %YAML line
  // or a `---`, it would write no directives at all: say so, and it skips the search.
  const none =
    directives !== undefined &&
    !directives.yaml.explicit &&
    !directives.docStart &&
    Object.entries(directives.tags).every(([handle, prefix]) => handle === '!!' && prefix === 'tag:yaml.org,2002:');
  return document.toString(none ? { ...CLUSTER_FILE_OPTIONS, directives: false } : CLUSTER_FILE_OPTIONS);
}

/**
 * Rewrites scalars whose spelling YAML 1.1 and 1.2 read differently: numbers and booleans lose
 * 1.1-only spellings (`017`, `0x1f`, `yes`, `on`), and strings that either version would read as
 * something else (`0o17`, `yes`, `1_000`) are quoted. Then switches the document to the YAML 1.2
 * core schema (keeping `!!binary`, which both read), with which it is written.
 */
export function readSameInYaml11And12(document: Document): void {
  visit(document, {
    Scalar(_key, node) {
      if (typeof node.value === 'number' && typeof node.source === 'string' && /^[-+]?[1-9][0-9]*$/.test(node.source) && !Number.isSafeInteger(node.value)) {
        // Beyond 2^53 a JavaScript number has lost digits; Psych reads them all, so write the integer as written.
        node.value = BigInt(node.source);
      } else if (typeof node.value === 'number' || typeof node.value === 'boolean') {
        delete node.format;
        node.source = undefined;
      } else if (typeof node.value === 'string' && (node.type === undefined || node.type === Scalar.PLAIN) && !plainInBoth(node.value)) {
        node.type = Scalar.QUOTE_DOUBLE;
      }
    },
  });
  document.setSchema('1.2', { customTags: ['binary'] });
}

/** A string scalar that YAML 1.1 and 1.2 read as this same string: quoted when a plain one would not be. */
export function sameInBoth(value: string): Scalar<string> {
  const node = new Scalar(value);
  if (!plainInBoth(value)) node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

// Plain scalars of these characters, starting with a letter or digit, are never structure (no
// indicator, space, `:` or `#`): only the schema's tag tests can read them as anything but themselves.
const SIMPLE = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const TAG_TESTS = ['1.1', '1.2'].flatMap((version) =>
  new Document(null, { version: version as '1.1' | '1.2' }).schema.tags.flatMap((tag) => (tag.default === true && tag.test ? [tag.test] : [])),
);

/**
 * True when a plain scalar reads as this same string under YAML 1.1 and 1.2. A mesh writes the same
 * peer addresses into every cluster's file: each string is decided once.
 */
export const plainInBoth = memoize((value: string): boolean => {
  if (SIMPLE.test(value)) return !TAG_TESTS.some((test) => test.test(value));
  try {
    return parse(value, { version: '1.1' }) === value && parse(value, { version: '1.2' }) === value;
  } catch {
    return false;
  }
});

type StringifyContext = NonNullable<Parameters<YAMLSeq['toString']>[0]>;

/** Each distinct string's text as a block-sequence item, per set of writing options: a process writes many files alike. */
const itemTexts = new Map<string, Map<string, string>>();

/**
 * A block sequence of strings, for the long derived lists of a cluster.yml (a 256-cluster mesh
 * writes 2,040 `known_peers` into each of 256 files). Written exactly as a YAMLSeq of
 * {@link sameInBoth} scalars would be, but each distinct string is stringified once per process
 * rather than once per file: the yaml package writes it, as an item of a sequence with the same
 * context, and its text is reused wherever that string is an item again. With `lineWidth: 0` a
 * one-line scalar reads the same at any indent; a list with an item the package writes on several
 * lines, a comment or flow style is written by the package as a whole. Items are strings, not
 * nodes: a document visitor does not see them, and they are already written for both YAML versions.
 */
export class StringList extends YAMLSeq<string> {
  public constructor(items: readonly string[]) {
    super();
    this.items = [...items];
  }

  public override toString(ctx?: StringifyContext, onComment?: () => void, onChompKeep?: () => void): string {
    if (!ctx || ctx.inFlow || this.flow || this.comment || ctx.options.lineWidth !== 0 || this.items.length === 0) {
      return this.asNodes().toString(ctx, onComment, onChompKeep);
    }
    // How a string is written depends on the writing options and on which tags could read it as
    // something else: the cache is per options and schema tags (every cluster.yml has the same).
    const { schema } = ctx.doc;
    const tags = [...schema.tags, ...(schema.compat ?? [])].map((tag) => `${tag.tag} ${tag.format ?? ''} ${tag.default} ${tag.test ?? ''}`);
    const key = `${tags.join('\n')}\n${JSON.stringify(ctx.options)}`;
    let texts = itemTexts.get(key);
    if (!texts) itemTexts.set(key, (texts = new Map()));
    const missing = [...new Set(this.items.filter((item) => !texts.has(item)))];
    if (missing.length > 0) {
      const lines = new StringList(missing).asNodes().toString({ ...ctx, indent: '' }).split('\n');
      if (lines.length !== missing.length) return this.asNodes().toString(ctx, onComment, onChompKeep);
      missing.forEach((item, index) => texts.set(item, lines[index]));
    }
    return this.items.map((item) => texts.get(item)).join(`\n${ctx.indent}`);
  }

  /** The same list as the yaml package's own sequence of scalar nodes. */
  public asNodes(): YAMLSeq<Scalar<string>> {
    const seq = new YAMLSeq<Scalar<string>>();
    seq.items = this.items.map(sameInBoth);
    seq.flow = this.flow;
    seq.comment = this.comment;
    return seq;
  }
}
