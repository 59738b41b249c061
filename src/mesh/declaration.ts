import { Document } from 'yaml';

/** Where a value of a cluster declaration stands: a file position, or a construct path for clusters declared in code. */
export interface Location {
  /** The cluster file as the user named it. */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** The construct path of a cluster declared in code, such as `weave-mesh/cluster-a`. */
  readonly construct?: string;
}

export type FieldPath = readonly (string | number)[];

/** A field as messages name it: `['hosts', 1, 'address']` reads as `hosts[1].address`. */
export function formatFieldPath(path: FieldPath): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('');
}

/**
 * One cluster as a front-end hands it to the model: the YAML inventory (a file) or TypeScript (a
 * construct). The model checks both the same way; only the way to point at a value differs.
 */
export interface ClusterDeclaration {
  /** The cluster's name: the file name without `.yml`, or the key it was declared under. */
  readonly name: string;
  /** Where the name comes from: a file's name, or code. */
  readonly origin: 'file' | 'code';
  /** How rendered files name where the cluster was declared: the file's name, or the construct path. */
  readonly source: string;
  /** The folder relative paths in the config (weave.password, ssh_key_path, ...) are relative to. */
  readonly baseDir: string;
  /** The config as a YAML document, when it was read from one: rendered files keep its comments. */
  readonly document?: Document;
  /** The file's text, when it was read from one: the rendered cluster.yml is this text with surgical edits. */
  readonly text?: string;
  /** The cluster's Pharos `cluster.yml` content, not yet checked: anything may be in it. */
  readonly config: unknown;
  /** Where the value at `path` stands (or its nearest parent that exists). */
  locate(path: FieldPath): Location;
  /**
   * Where the key of the value at `path` is written, for problems with the key itself (an unknown
   * key): `netwrok:` at its own line, not at its value's. Declarations without keys of their own leave it out.
   * @default - locate(path)
   */
  locateKey?(path: FieldPath): Location;
  /** How Pharos reads the value at `path` when that is not the text written (`010` is 8), for messages. */
  explain?(path: FieldPath): string | undefined;
}

/** A declaration made in code: values are located by the cluster's construct path and field name. */
export function declaredInCode(name: string, config: unknown, constructPath: string): ClusterDeclaration {
  return { name, origin: 'code', source: constructPath, baseDir: '.', config, locate: () => ({ construct: constructPath }) };
}

/** What a front-end hands to the model: the clusters it declares, and what it could not read. */
export interface Inventory {
  readonly declarations: readonly ClusterDeclaration[];
  /** Problems found while reading (files that are not YAML, say): they fail the mesh like rule violations. */
  readonly problems: readonly import('./problem').Problem[];
}
