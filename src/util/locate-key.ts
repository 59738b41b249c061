/**
 * Where a nested key of an object literal is written in a source file (`gitops: { pathPrefix: ...`),
 * for messages about settings given in code: each key is the first line, after the line of the key
 * before it, that starts with it (`key:`, `'key':` or `"key":`). A key not written there is shown at
 * the nearest one before it that is; none at all gives undefined. A reading of the text, not a parse:
 * good enough to point a person at a line of a settings file, never used to decide anything.
 */
export function locateKey(text: string, keys: readonly string[]): { line: number; column: number } | undefined {
  const lines = text.split('\n');
  let found: { line: number; column: number } | undefined;
  let from = 0;
  for (const key of keys) {
    const pattern = new RegExp(`^(\\s*)(['"]?)${key.replace(/[^\w]/g, '\\$&')}\\2\\s*:`);
    const index = lines.findIndex((line, number) => number >= from && pattern.test(line));
    if (index < 0) break;
    found = { line: index + 1, column: pattern.exec(lines[index])![1].length + 1 };
    from = index + 1;
  }
  return found;
}
