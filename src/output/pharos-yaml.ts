import { Document, isScalar, Scalar, visit } from 'yaml';
import { escapeForLibyaml, scalarText } from '../util/yaml-splice';

/** How a Pharos cluster.yml declared in code is written: no line folding, two-space indent, sequences indented under their key. */
export const CLUSTER_FILE_OPTIONS = { lineWidth: 0, indent: 2, indentSeq: true } as const;

/**
 * The text of a cluster declared in code (no inventory file to keep): every string that Psych 3.0
 * or 4.0 would read as something else (`on`, `010`, `1:20`, `:x`) is double-quoted, integers are
 * written in decimal, characters libyaml would read as a line break or refuse are escaped, and no
 * anchors are made for repeated objects.
 */
export function codeClusterText(config: unknown): string {
  const document = new Document(config, { version: '1.1', aliasDuplicateObjects: false });
  visit(document, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && scalarText(node.value) !== node.value) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  // The yaml package writes NEL, LS, PS, DEL and the C1 controls raw inside double quotes, where libyaml
  // reads a line break or refuses the file; every string holding one is double-quoted above (keys
  // included) and the text has no comments, so each such character stands inside double quotes.
  return escapeForLibyaml(document.toString(CLUSTER_FILE_OPTIONS));
}
