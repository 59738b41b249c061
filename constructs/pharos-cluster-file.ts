import * as path from 'path';
import { Construct } from 'constructs';
import { Document, isScalar, isSeq, visit } from 'yaml';
import { ClusterSpec } from '../src/mesh/model';
import { readSameInYaml11And12, sameInBoth, StringList } from '../src/output/pharos-yaml';

export interface PharosClusterFileProps {
  /** The validated cluster, with its cluster.yml as read. */
  readonly cluster: ClusterSpec;
  /** Derived Weave peers: the other clusters' workers and the cluster's own extra peers. */
  readonly knownPeers: readonly string[];
  /** The other clusters' worker addresses, which firewalld must trust for Weave to connect; asked for only when firewalld is enabled. */
  readonly otherPeers: () => readonly string[];
  /**
   * The folder the rendered file is written to, relative to the working directory: relative paths
   * in the cluster's config are rebased from the folder they were written for to this one.
   */
  readonly folder: string;
}

/**
 * The keys of a Pharos cluster.yml that hold file paths (resolved by Pharos from the folder of the
 * file it reads). `*` is every item of a list.
 */
export const PATH_KEYS: readonly (readonly (string | '*')[])[] = [
  ['network', 'weave', 'password'],
  ['hosts', '*', 'ssh_key_path'],
  ['hosts', '*', 'bastion', 'ssh_key_path'],
  ['network', 'custom', 'manifest_path'],
  ['manifests', '*'],
  ['addon_paths', '*'],
  ['cloud', 'config'],
  ['authentication', 'oidc', 'ca_file'],
  ['authentication', 'token_webhook', 'config', 'cluster', 'certificate_authority'],
  ['authentication', 'token_webhook', 'config', 'user', 'client_certificate'],
  ['authentication', 'token_webhook', 'config', 'user', 'client_key'],
];

/**
 * A cluster's complete Pharos `cluster.yml`, as `pharos up -c` takes it: the inventory file with its
 * comments, every key kept, and only the derived fields filled in: `network.weave.known_peers`,
 * relative paths rebased to the rendered file's folder, and, with firewalld enabled, the other
 * clusters' peers in `network.firewalld.trusted_subnets`. Written so that YAML 1.1 (Pharos's Psych)
 * and YAML 1.2 read the same values.
 */
export class PharosClusterFile extends Construct {
  /** The rendered document. */
  public readonly document: Document;
  /** True when firewalld is enabled and the other clusters' peers were added to its trusted subnets. */
  public readonly trustsPeers: boolean;

  public constructor(scope: Construct, id: string, props: PharosClusterFileProps) {
    super(scope, id);
    const { cluster } = props;
    // Aliases and merge keys read differently under YAML 1.2: such a file is written out resolved (without its comments).
    let hasAlias = false;
    visit(cluster.document, { Alias: () => void (hasAlias = true) });
    const document = hasAlias ? new Document(cluster.config) : cluster.document.clone();
    // The editor's schema line names a path relative to the inventory; it means nothing here.
    const dropSchemaLine = (holder: { commentBefore?: string | null }) => {
      if (holder.commentBefore) holder.commentBefore = holder.commentBefore.split('\n').filter((line) => !/^\s*yaml-language-server:/.test(line)).join('\n');
    };
    dropSchemaLine(document);
    visit(document, (_key, node) => {
      if (node && typeof node === 'object') dropSchemaLine(node as { commentBefore?: string | null });
    });

    for (const key of PATH_KEYS) {
      for (const at of expand(document, key)) {
        const value = document.getIn(at);
        if (typeof value === 'string') document.setIn(at, rebase(value, cluster.baseDir, props.folder));
      }
    }
    readSameInYaml11And12(document);
    // Derived lists are written for both YAML versions as they are added (a peer named `on`, say).
    if (props.knownPeers.length > 0) document.setIn(['network', 'weave', 'known_peers'], new StringList(props.knownPeers));
    this.trustsPeers = document.getIn(['network', 'firewalld', 'enabled']) === true;
    if (this.trustsPeers) {
      const current = document.getIn(['network', 'firewalld', 'trusted_subnets']);
      const own = isSeq(current) ? current.items.map((item) => (isScalar(item) ? String(item.value) : '')) : [];
      const added = props.otherPeers().filter((peer) => !own.includes(peer));
      if (isSeq(current)) current.items.push(...added.map(sameInBoth));
      else if (added.length > 0) document.setIn(['network', 'firewalld', 'trusted_subnets'], new StringList(added));
    }
    this.document = document;
  }
}

/** Every concrete path a key pattern names in the document (`*` over the items of a list). */
function expand(document: Document, pattern: readonly (string | '*')[]): (string | number)[][] {
  let paths: (string | number)[][] = [[]];
  for (const part of pattern) {
    if (part !== '*') {
      paths = paths.map((at) => [...at, part]);
      continue;
    }
    paths = paths.flatMap((at) => {
      const list = document.getIn(at, true);
      return isSeq(list) ? list.items.map((_, index) => [...at, index]) : [];
    });
  }
  return paths;
}

/**
 * The same file from the rendered file's folder: a path relative to the folder it was written for
 * becomes relative to `folder`. `~/...` (expanded by Ruby) and absolute paths stay as written.
 */
export function rebase(value: string, baseDir: string, folder: string): string {
  if (value.startsWith('~') || path.posix.isAbsolute(value) || value === '') return value;
  const relative = path.relative(path.resolve(folder), path.resolve(baseDir, value)).split(path.sep).join('/');
  return relative.startsWith('../') ? relative : `./${relative}`;
}
