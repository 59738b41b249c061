import { Document } from 'yaml';

/** A host of a cluster, as far as the mesh cares. Other Pharos host keys are not interpreted. */
export interface HostSpec {
  readonly address: string;
  readonly role: 'master' | 'worker';
  /**
   * Its `private_address`, as written (an IPv4 address or a host name): the address it may talk to hosts of its own network from.
   * @default - none
   */
  readonly privateAddress?: string;
  /**
   * Its `private_interface`: Pharos reads that interface's address on the host (gather_facts.rb,
   * private_interface_address), which the inventory does not name.
   * @default - none
   */
  readonly privateInterface?: string;
}

/** One validated cluster of the mesh: every address and CIDR here is canonical IPv4 text. */
export interface ClusterSpec {
  /** DNS-1123 label, from the file name. */
  readonly name: string;
  /** Where it was declared, as rendered headers name it: the inventory file's name, or the construct path. */
  readonly source: string;
  /**
   * Whether it was declared in an inventory file or in code, for rendered headers' "change ... and run ...".
   * @default 'file'
   */
  readonly origin?: 'file' | 'code';
  /** The folder relative paths in its config are relative to. */
  readonly baseDir: string;
  /** Its Pharos cluster.yml as a YAML document (with the inventory's comments, when it came from a file). */
  readonly document: Document;
  /** Its inventory file's text, when it came from a file: the rendered cluster.yml is this text with surgical edits. */
  readonly text?: string;
  /** Its Pharos cluster.yml as data, read as Pharos reads it (Psych 3.0). */
  readonly config: unknown;
  readonly hosts: readonly HostSpec[];
  readonly serviceCidr: string;
  readonly podNetworkCidr: string;
  /** `network.weave.ipalloc_default_subnet`: the part of the pod network this cluster allocates from. */
  readonly subnet: string;
  /** `network.weave.password`: a path to the shared secret file, never its content. */
  readonly passwordFile: string;
  /** `network.weave.known_peers` as written: peers outside the inventory. */
  readonly extraPeers: readonly string[];
}

/** A validated inventory: clusters in name order, all mesh rules satisfied. */
export interface MeshSpec {
  readonly clusters: readonly ClusterSpec[];
}

export function workerAddresses(cluster: ClusterSpec): string[] {
  return cluster.hosts.filter((host) => host.role === 'worker').map((host) => host.address);
}
