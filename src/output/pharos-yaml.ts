import { Document, isScalar, Scalar, visit } from 'yaml';
import { scalarText } from '../util/yaml-splice';

/** How a Pharos cluster.yml declared in code is written: no line folding, two-space indent, sequences indented under their key. */
export const CLUSTER_FILE_OPTIONS = { lineWidth: 0, indent: 2, indentSeq: true } as const;

/**
 * The text of a cluster declared in code (no inventory file to keep): every string that Psych 3.0
 * or 4.0 would read as something else (`on`, `010`, `1:20`, `:x`) is double-quoted, integers are
 * written in decimal, and no anchors are made for repeated objects.
 */
export function codeClusterText(config: unknown): string {
  const document = new Document(config, { version: '1.1', aliasDuplicateObjects: false });
  visit(document, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && scalarText(node.value) !== node.value) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return document.toString(CLUSTER_FILE_OPTIONS);
}
