// Needs: ruby
import { parseDocument } from 'yaml';
import { YamlTextEditor } from '../src/util/yaml-splice';
import { readWithPsych } from './psych';

/** The editor's splices, each checked by what Ruby's Psych (Debian's 4.0.3, test/psych.ts) reads before and after. */
describe('YamlTextEditor', () => {
  const CASES: [string, (string | number)[]][] = [
    ['a:\n  b: |\n    text\n\nc: 1\n', ['a', 'z']],
    ['a:\n  b: |+\n    text\n\n\nc: 1\n', ['a', 'z']],
    ['a:\n  b: >-\n    text\nc: 1\n', ['a', 'z']],
    ['a:\n  b:\n    - x\n    - y # last\nc: 1\n', ['a', 'z']],
    ['a:\n  b: x', ['a', 'z']],
    ['- a:\n    b: 1\n', [0, 'a', 'z']],
    ['a: {b: 1, }\n', ['a', 'z']],
    ['a: {}\n', ['a', 'z']],
    ['a:\n  &x b: 1\n', ['a', 'z']],
    ['a:\n  z: [old] # kept\n  b: 1\n', ['a', 'z']],
    ['a:\n  z:\n  - old\n  - |\n    block\n  b: 1\n', ['a', 'z']],
    ['a:\r\n  b: 1\r\n', ['a', 'z']],
  ];

  it.each(CASES)('sets a list in %j as Psych reads it, and nothing else', (text, path) => {
    const editor = new YamlTextEditor(text, parseDocument(text, { version: '1.1' }));
    editor.setList(path, ['192.0.2.1', 'on']);
    const result = editor.result();
    const [before, after] = readWithPsych([text, result]);
    expect(after.error).toBeUndefined();
    // Psych's reading of the result is the original's with the list set.
    const set = (value: any, at: (string | number)[]): any => {
      if (at.length === 0) return ['192.0.2.1', 'on'];
      const [head, ...rest] = at;
      if (typeof head === 'number') return value.map((item: any, index: number) => (index === head ? set(item, rest) : item));
      const pairs: [unknown, unknown][] = value.map;
      const found = pairs.some(([k]) => k === head);
      return { map: found ? pairs.map(([k, v]) => [k, k === head ? set(v, rest) : v]) : [...pairs, [head, set(undefined, rest)]] };
    };
    expect(after.value).toEqual(set(before.value, path));
    if (text.includes('\r\n')) expect(result.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it.each(['a:\n  z:\n  - old\n  - |\n    block\n  b: 1\n', 'a:\r\n  z:\r\n      - old\r\n  b: 1\r\n', 'a:\n  b: 1\n'])('sets the list in %j to no items as Psych reads an empty list', (text) => {
    const editor = new YamlTextEditor(text, parseDocument(text, { version: '1.1' }));
    editor.setList(['a', 'z'], []);
    const [before, after] = readWithPsych([text, editor.result()]);
    expect(after.error).toBeUndefined();
    // a.z becomes [] where it was, or is added after a's other keys.
    const pairs = (before.value as { map: [unknown, { map: [unknown, unknown][] }][] }).map[0][1].map;
    const set = pairs.some(([k]) => k === 'z') ? pairs.map(([k, v]) => [k, k === 'z' ? [] : v]) : [...pairs, ['z', []]];
    expect(after.value).toEqual({ map: [['a', { map: set }]] });
  });

  it.each(['a:\n  - x # comment\nb: 1\n', 'a: [x, ]\nb: 1\n', 'a: [x]\n', 'a:\n- x\n- |\n  block\nb: 1\n', 'a:\r\n  - x\r\n'])('appends to the list in %j as Psych reads it, and nothing else', (text) => {
    const editor = new YamlTextEditor(text, parseDocument(text, { version: '1.1' }));
    editor.appendToList(['a'], ['192.0.2.1', 'yes']);
    const [before, after] = readWithPsych([text, editor.result()]);
    expect(after.error).toBeUndefined();
    const pairs = (before.value as { map: [unknown, unknown[]][] }).map;
    expect(after.value).toEqual({ map: pairs.map(([k, v]) => [k, k === 'a' ? [...v, '192.0.2.1', 'yes'] : v]) });
  });
});
