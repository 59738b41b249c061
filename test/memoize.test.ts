import { memoize } from '../src/util/memoize';

describe('memoize', () => {
  it('computes each key once and returns the same result after', () => {
    const calls: string[] = [];
    const length = memoize((key: string) => {
      calls.push(key);
      return { length: key.length };
    });
    const first = length('10.32.0.0/12');
    expect(length('10.32.0.0/12')).toBe(first);
    expect(length('a')).toEqual({ length: 1 });
    expect(calls).toEqual(['10.32.0.0/12', 'a']);
  });

  it('remembers undefined and null results too', () => {
    let calls = 0;
    const nothing = memoize(() => (calls++, undefined));
    nothing('x');
    nothing('x');
    expect(calls).toBe(1);
  });
});
