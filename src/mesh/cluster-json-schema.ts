import { clusterJsonSchema as fromSchema } from './cluster-config';

/**
 * The JSON Schema of a cluster file, for editors (yaml-language-server). The package's public entry
 * for it: a plain function, so that the package's types never import the schema library.
 */
export function clusterJsonSchema(): Record<string, unknown> {
  return fromSchema();
}
