import * as fs from 'fs';
import * as path from 'path';
import { clusterJsonSchema } from '../mesh/cluster-config';
import { Command } from './command';

/** Where the JSON Schema of cluster files is committed; `clusters/*.yml` point editors at it. */
export const SCHEMA_FILE = 'schema/cluster.schema.json';

/** The committed file's content: the schema as JSON, two-space indented, with a final newline. */
export function schemaFileContent(): string {
  return `${JSON.stringify(clusterJsonSchema(), null, 2)}\n`;
}

export const schema: Command = {
  summary: `write the JSON Schema of cluster files to ${SCHEMA_FILE}, for editors`,
  run(_options, _factory, output) {
    fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
    fs.writeFileSync(SCHEMA_FILE, schemaFileContent());
    output.out(`weave-mesh: wrote ${SCHEMA_FILE}`);
    return 0;
  },
};
