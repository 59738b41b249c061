import { stringify } from 'yaml';
import { toYaml } from '../src/output/yaml';

const OPTIONS = { lineWidth: 0, indent: 2, indentSeq: true, aliasDuplicateObjects: false };

const TRICKY = ['true', 'null', '- a', '? x', 'a: b', '#c', ' lead', 'trail ', '"q"', "'s'", '---', '...', '@x', '%x', '1.5', '0x1F', '~', '', 'é', 'a #b', '[x]', '{y}', '*a', '&a', '!t', '|', '>', '-', 'yes', 'NaN', '.inf', 'peer.example.org'];

function list(length: number, offset = 0): string[] {
  return Array.from({ length }, (_, i) => (i % 5 === 0 ? TRICKY[(i + offset) % TRICKY.length] : `100.64.${(i + offset) >> 8}.${(i + offset) & 255}`));
}

describe('toYaml', () => {
  it.each([
    ['a Pharos network config with a long known_peers list', { network: { provider: 'weave', weave: { password: './p', known_peers: list(300) } } }],
    ['long lists inside sequence items', { items: [{ peers: list(40), name: 'x' }, { nested: [{ deeper: list(33, 7) }] }] }],
    ['a list of lists', { lists: [list(40), list(50, 3)] }],
    ['a long list with a multi-line string', { peers: [...list(40), 'two\nlines'] }],
    ['a long list at the top level', list(64)],
    ['short lists and scalars only', { a: list(3), b: 1, c: true, d: null, e: { f: 'g' } }],
    ['a string that looks like the placeholder', { a: '__weave_mesh_list_0__', b: list(40) }],
  ])('writes exactly what the yaml package writes: %s', (_name, value) => {
    expect(toYaml(value)).toBe(stringify(value, OPTIONS));
  });
});
