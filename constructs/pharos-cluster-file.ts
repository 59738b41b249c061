import * as path from 'path';
import { Construct } from 'constructs';
import { Document, parseDocument } from 'yaml';
import { ClusterSpec } from '../src/mesh/model';
import { derivedFields, isRelativePath, PATH_KEYS } from '../src/mesh/pharos-paths';
import { codeClusterText } from '../src/output/pharos-yaml';
import { realPath } from '../src/util/real-path';
import { YamlTextEditor } from '../src/util/yaml-splice';

export { PATH_KEYS };

export interface PharosClusterFileProps {
  /** The validated cluster, with its cluster.yml as read. */
  readonly cluster: ClusterSpec;
  /** Derived Weave peers: the other clusters' workers and the cluster's own extra peers. */
  readonly knownPeers: readonly string[];
  /** The other clusters' worker addresses, which firewalld must trust for Weave to connect; asked for only when firewalld is enabled. */
  readonly otherPeers: () => readonly string[];
  /**
   * The folder the rendered file is written to: relative paths in the cluster's config are rebased
   * from the folder they were written for to this one (both taken as real paths).
   */
  readonly folder: string;
}

/**
 * A cluster's complete Pharos `cluster.yml`, as `pharos up -c` takes it: the inventory file's own
 * text with surgical edits to the derived fields only: `network.weave.known_peers` set, relative
 * paths rebased to the rendered file's folder, and, with firewalld enabled, the other clusters'
 * peers appended to `network.firewalld.trusted_subnets`. Every other byte (comments, quoting,
 * anchors, merge keys, line ends, directives) is the inventory's, so Pharos reads every untouched
 * value exactly as it reads the inventory. A cluster declared in code is written out first (strings
 * quoted wherever Psych would read them as something else), then edited the same way.
 */
export class PharosClusterFile extends Construct {
  /** The rendered text, without the header comment. */
  public readonly text: string;
  /** True when firewalld is enabled and the other clusters' peers were added to its trusted subnets. */
  public readonly trustsPeers: boolean;

  public constructor(scope: Construct, id: string, props: PharosClusterFileProps) {
    super(scope, id);
    const { cluster } = props;
    // A file's text was parsed when it was loaded, and the editor reuses that parse; a cluster declared in code is parsed here.
    const editor = new YamlTextEditor(cluster.text ?? codeClusterText(cluster.config), cluster.document);
    dropSchemaLines(editor);
    this.trustsPeers = false;
    for (const field of derivedFields(cluster.config)) {
      if (field.edit === 'list') {
        if (props.knownPeers.length > 0) editor.setList(field.path, props.knownPeers);
      } else if (field.edit === 'append') {
        this.trustsPeers = true;
        const current = (cluster.config as { network: { firewalld: { trusted_subnets?: unknown } } }).network.firewalld.trusted_subnets;
        const own = Array.isArray(current) ? current.map(String) : [];
        const added = props.otherPeers().filter((peer) => !own.includes(peer));
        if (Array.isArray(current) && current.length > 0) editor.appendToList(field.path, added);
        else if (added.length > 0) editor.setList(field.path, added);
      } else {
        const rebased = rebase(field.value!, cluster.baseDir, props.folder);
        if (rebased !== field.value) editor.replaceScalar(field.path, rebased);
      }
    }
    this.text = editor.result();
  }

  /** The rendered file as a YAML document (YAML 1.1, as Pharos reads it). */
  public get document(): Document {
    return parseDocument(this.text, { version: '1.1' });
  }
}

/** The editor's schema line (`# yaml-language-server: $schema=...`) names a path relative to the inventory: it means nothing in dist. */
function dropSchemaLines(editor: YamlTextEditor): void {
  const { text } = editor;
  let offset = text.startsWith('\uFEFF') ? 1 : 0;
  if (offset === 1) editor.removeLines(0, 1);
  // Only the comments and blank lines that open the file: below, a `#` may be inside a block scalar.
  while (offset < text.length) {
    const end = text.indexOf('\n', offset);
    const next = end === -1 ? text.length : end + 1;
    const line = text.slice(offset, next);
    if (!/^\s*(#.*)?\r?\n?$/.test(line)) break;
    if (/^\s*#\s*yaml-language-server:/.test(line)) editor.removeLines(offset, next);
    offset = next;
  }
}

/**
 * The same file from the rendered file's folder: a path relative to the folder it was written for
 * becomes relative to `folder`, both taken as real paths (symbolic links resolved), so the result is
 * the same however the folders were named. `~/...` (expanded by Ruby) and absolute paths stay as written.
 */
export function rebase(value: string, baseDir: string, folder: string): string {
  if (!isRelativePath(value)) return value;
  const relative = path
    .relative(realPath(folder), path.resolve(realPath(baseDir), value))
    .split(path.sep)
    .join('/');
  return relative.startsWith('../') ? relative : `./${relative}`;
}
