import fc from 'fast-check';
import { Document, parse, parseDocument } from 'yaml';
import { CLUSTER_FILE_OPTIONS, clusterFileText, plainInBoth, readSameInYaml11And12, StringList } from '../src/output/pharos-yaml';

/** The definition plainInBoth implements faster: a plain scalar of this text reads as this text under both YAML versions. */
function oracle(value: string): boolean {
  try {
    return parse(value, { version: '1.1' }) === value && parse(value, { version: '1.2' }) === value;
  } catch {
    return false;
  }
}

const TRICKY = [
  '192.0.2.10', '10.32.0.0/12', 'node-1.example.com', 'on', 'On', 'ON', 'off', 'yes', 'no', 'y', 'n', 'Y', 'true', 'null', '~', '',
  '017', '0o17', '0x1f', '0b101', '1_000', '1e3', '1.5', '.5', '.inf', '-.inf', '.nan', '12:30', '1:20:30.5', '2001-12-14', '2001-12-14t21:59:43.10-05:00',
  '<<', '=', '-', '- a', 'a: b', 'a #b', '#a', ' a', 'a ', '"a"', "'a'", 'a"b', "a'b", '[a]', '{a}', '&a', '*a', '!a', '|', '>', '@a', '`a', '%a', '?', '? a',
  '---', '...', 'a\nb', 'a\tb', 'é', 'a/b', '1.2.3.4.5', '256.1.1.1', '-1', '+1', '0', '00', '1-2', 'a_b', 'A.B', '9a',
];

describe('plainInBoth', () => {
  it.each(TRICKY)('agrees with parsing %j under both YAML versions', (value) => {
    expect(plainInBoth(value)).toBe(oracle(value));
  });

  it('agrees with parsing for any string of address and host-name characters', () => {
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9._/:+ -]{0,12}$/), (value) => plainInBoth(value) === oracle(value)), { numRuns: 3000 });
  });
});

/** A document as a cluster.yml is written: compat treatment, then the list under test at a nested key. */
function written(list: unknown, otherKey = 'x'): string {
  const document = new Document({ network: { weave: { [otherKey]: 1 } } });
  readSameInYaml11And12(document);
  document.setIn(['network', 'weave', 'known_peers'], list);
  return document.toString(CLUSTER_FILE_OPTIONS);
}

describe('StringList', () => {
  it.each([
    ['addresses and names', ['192.0.2.10', '192.0.2.2', 'node-1.example.com']],
    ['strings both YAML versions would misread', ['on', 'yes', '0o17', '1_000', '017', 'null', '']],
    ['strings that need quoting anyway', ['a: b', '#a', ' a', 'a"b', "a'b", '- a', '---']],
    ['a string the package writes on several lines', ['a\nb', '192.0.2.10']],
    ['repeated strings', ['192.0.2.10', '192.0.2.10', 'on', 'on']],
  ])('writes %s byte for byte as the yaml package writes them as nodes', (_what, items) => {
    const list = new StringList(items);
    expect(written(list)).toBe(written(list.asNodes()));
  });

  it('reads back as its items under YAML 1.1 and 1.2', () => {
    const items = ['192.0.2.10', 'on', '0o17', 'a: b', 'a\nb', '1_000'];
    const text = written(new StringList(items));
    expect(parse(text, { version: '1.1' }).network.weave.known_peers).toEqual(items);
    expect(parse(text, { version: '1.2' }).network.weave.known_peers).toEqual(items);
  });

  it('writes any list byte for byte as the yaml package does, in any order of first use', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.ipV4(), fc.string({ maxLength: 8 }), fc.constantFrom(...TRICKY)), { maxLength: 20 }), (items) => {
        const list = new StringList(items);
        return written(list) === written(list.asNodes());
      }),
      { numRuns: 500 },
    );
  });

  it("writes a string as each document's schema requires, whatever was written before in another", () => {
    const list = new StringList(['192.0.2.10', 'plain']);
    written(list); // fills the cache for the usual schema
    // A schema with a tag that reads 192.0.2.10 as something else: the package quotes it there.
    const address = { tag: 'tag:example.com,2026:address', default: true, test: /^192\./, resolve: (text: string) => ({ text }) };
    const document = new Document({ peers: [] }, { customTags: [address] });
    document.set('peers', list);
    const ours = document.toString(CLUSTER_FILE_OPTIONS);
    document.set('peers', list.asNodes());
    expect(ours).toBe(document.toString(CLUSTER_FILE_OPTIONS));
    expect(ours).toContain('- "192.0.2.10"');
  });

  it('is written as an empty flow list when empty, as the package writes one', () => {
    expect(written(new StringList([]))).toBe(written(new StringList([]).asNodes()));
    expect(written(new StringList([]))).toContain('known_peers: []');
  });
});

describe('clusterFileText', () => {
  it.each([
    ['no directives', 'a: 1\nb: [x]\n'],
    ['a document start', '---\na: 1\n'],
    ['a %YAML directive', '%YAML 1.1\n---\na: 1\n'],
    ['a %TAG handle in use', '%TAG !e! tag:example.com,2000:\n---\na: !e!thing 1\n'],
    ['a %TAG handle not in use', '%TAG !e! tag:example.com,2000:\n---\na: 1\n'],
    ['a local tag', 'a: !local 1\n'],
    ['!!binary', 'a: !!binary aGVsbG8=\n'],
  ])('writes a document with %s as the yaml package does with the same options', (_what, source) => {
    const document = parseDocument(source, { version: '1.1' });
    readSameInYaml11And12(document);
    document.setIn(['peers'], new StringList(['192.0.2.10', 'on']));
    expect(clusterFileText(document)).toBe(document.toString(CLUSTER_FILE_OPTIONS));
  });
});
