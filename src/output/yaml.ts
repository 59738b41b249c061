import { stringify, ToStringOptions } from 'yaml';

const OPTIONS: ToStringOptions & { aliasDuplicateObjects: boolean } = { lineWidth: 0, indent: 2, indentSeq: true, aliasDuplicateObjects: false };

/**
 * Serialises a Kubernetes object or kustomization the same way on every machine: no line folding,
 * two-space indent, sequences indented under their key, and no anchors for repeated objects. The
 * yaml package writes every value; there is no hand-made fast path to fool.
 */
export function toYaml(value: unknown): string {
  return stringify(value, OPTIONS);
}
