/** A YAML mapping (or a plain object of props) as parsed data: an object that is neither null nor an array. */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
