import { parse } from 'yaml';
import { toYaml } from '../src/output/yaml';

describe('toYaml', () => {
  it('never folds long lines, so a rendered script reads as written', () => {
    const long = `echo ${'x'.repeat(300)}`;
    expect(toYaml({ args: [long] })).toBe(`args:\n  - echo ${'x'.repeat(300)}\n`);
  });

  it('indents sequences under their key by two spaces', () => {
    expect(toYaml({ a: { b: ['x', 'y'] } })).toBe('a:\n  b:\n    - x\n    - y\n');
  });

  it('writes a repeated object twice, never as an anchor and alias that a reviewer must chase', () => {
    const shared = { key: 'value' };
    const text = toYaml({ first: shared, second: shared });
    expect(text).not.toMatch(/[&*]/);
    expect(parse(text)).toEqual({ first: shared, second: shared });
  });

  it('quotes what YAML would read as something else, including strings that look like internal markers', () => {
    const value = { a: 'true', b: '__weave_mesh_list_0__', c: 'null', d: '0x1F', e: 'peer.example.org' };
    expect(parse(toYaml(value))).toEqual(value);
  });
});
