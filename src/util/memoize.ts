/**
 * A function of a string that computes each result once per process: for pure functions with
 * immutable results, over keys the inventory bounds (addresses, CIDRs, names), which a large mesh
 * asks about again and again.
 */
export function memoize<T>(compute: (key: string) => T): (key: string) => T {
  const results = new Map<string, T>();
  return (key) => {
    if (results.has(key)) return results.get(key) as T;
    const result = compute(key);
    results.set(key, result);
    return result;
  };
}
