/**
 * Small builders for strict JSON Schemas (draft-07, for ajv) and the conversion of a CRD's
 * OpenAPI v3 schema into one. "Strict" means what a reader that refuses unknown fields does:
 * every object with declared properties has `additionalProperties: false`; only what the source
 * marks open (a map, `x-kubernetes-preserve-unknown-fields`, an object without properties) stays open.
 */
export type Schema = { [key: string]: unknown };

export const string = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
export const boolean: Schema = { type: 'boolean' };
export const integer: Schema = { type: 'integer' };
export const array = (items: Schema): Schema => ({ type: 'array', items });
/** A map of strings (`additionalProperties: {type: string}` in a CRD, `map[string]string` in Go). */
export const stringMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };
/** Any JSON value: `x-kubernetes-preserve-unknown-fields` without a type, or Go's `interface{}`. */
export const anything: Schema = {};
/** `x-kubernetes-int-or-string`. */
export const intOrString: Schema = { anyOf: [{ type: 'integer' }, { type: 'string' }] };

/** An object that refuses any field not listed. */
export function object(properties: Record<string, Schema>, required: readonly string[] = []): Schema {
  return { type: 'object', properties, ...(required.length > 0 ? { required: [...required] } : {}), additionalProperties: false };
}

/**
 * Converts a CRD version's `openAPIV3Schema` (or the JSON Schema a model package derived from one)
 * into a strict JSON Schema: `additionalProperties: false` on every object that declares
 * properties, unless it preserves unknown fields (an empty `properties` declares none); `x-kubernetes-int-or-string` as integer or
 * string; descriptions, `nullable` (weave-mesh never writes null) and other `x-kubernetes-` marks dropped.
 */
export function strictFromOpenApi(source: unknown): Schema {
  if (Array.isArray(source)) return source.map(strictFromOpenApi) as unknown as Schema;
  if (source === null || typeof source !== 'object') return source as Schema;
  const input = source as Schema;
  if (input['x-kubernetes-int-or-string']) return intOrString;
  // Model generators write a nullable field without a type as oneOf: [itself, {type: null}].
  const alternatives = input.oneOf as Schema[] | undefined;
  if (Object.keys(input).length === 1 && alternatives?.length === 2 && JSON.stringify(alternatives[1]) === '{"type":"null"}') return strictFromOpenApi(alternatives[0]);
  const output: Schema = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === 'description' || key === 'nullable' || key.startsWith('x-kubernetes-')) continue;
    if (key === 'properties') {
      // An empty list of properties (model generators write one beside additionalProperties and
      // for x-kubernetes-preserve-unknown-fields) declares nothing: the object stays as open as it was.
      if (Object.keys(value as Schema).length === 0) continue;
      output.properties = Object.fromEntries(Object.entries(value as Schema).map(([name, child]) => [name, strictFromOpenApi(child)]));
    } else if (key === 'items' || key === 'additionalProperties' || key === 'not') {
      output[key] = typeof value === 'object' ? strictFromOpenApi(value) : value;
    } else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') {
      output[key] = (value as unknown[]).map(strictFromOpenApi);
    } else {
      output[key] = value;
    }
  }
  if (output.properties && input.additionalProperties === undefined && !input['x-kubernetes-preserve-unknown-fields']) output.additionalProperties = false;
  return output;
}

/** Every place, as a JSON path, where a schema leaves an object with declared properties open. */
export function openObjects(schema: unknown, at = '$'): string[] {
  if (schema === null || typeof schema !== 'object') return [];
  const node = schema as Schema;
  const open: string[] = node.properties && node.additionalProperties !== false ? [at] : [];
  for (const [name, child] of Object.entries((node.properties as Schema) ?? {})) open.push(...openObjects(child, `${at}.${name}`));
  if (node.items) open.push(...openObjects(node.items, `${at}[]`));
  if (typeof node.additionalProperties === 'object') open.push(...openObjects(node.additionalProperties, `${at}.*`));
  for (const key of ['allOf', 'anyOf', 'oneOf']) for (const child of (node[key] as unknown[]) ?? []) open.push(...openObjects(child, at));
  for (const [name, child] of Object.entries((node.definitions as Schema) ?? {})) open.push(...openObjects(child, `#${name}`));
  return open;
}
