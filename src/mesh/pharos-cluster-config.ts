/**
 * The public TypeScript shape of a cluster declared in code: a Pharos `cluster.yml`
 * (kontena/pharos-cluster, lib/pharos/config_schema.rb), as far as weave-mesh reads it.
 *
 * Hand-written so that the package's types are plain, documented interfaces that compile in any
 * app (no schema library in the public API). `test/pharos-cluster-config.test.ts` asserts at compile
 * time that they and the schema in `cluster-config.ts`, which checks every cluster, accept the same
 * values, so the two cannot drift.
 */

/** One host of a cluster: an entry of Pharos's `hosts:`. */
export interface PharosHostConfig {
  /** The host's IPv4 address or host name: the SSH target and, for workers, the Weave peer address other clusters connect to. */
  readonly address: string;
  /**
   * The host's IPv4 address or host name inside its cluster.
   * @default - the address of `private_interface`, else `address`
   */
  readonly private_address?: string;
  /**
   * The network interface whose address is the host's private address.
   * @default - none
   */
  readonly private_interface?: string;
  /** `master` or `worker`. Every cluster needs a master; the workers are the other clusters' Weave peers. */
  readonly role: 'master' | 'worker';
  /**
   * Kubernetes node labels.
   * @default - none
   */
  readonly labels?: Record<string, unknown>;
  /**
   * Kubernetes node taints.
   * @default - none
   */
  readonly taints?: unknown[];
  /**
   * SSH user.
   * @default - none in Pharos: the SSH client's default user
   */
  readonly user?: string;
  /**
   * SSH private key; a relative path is read from the folder of the rendered cluster.yml, so weave-mesh rebases it.
   * @default - none in Pharos: the SSH client's default keys
   */
  readonly ssh_key_path?: string;
  /**
   * SSH port.
   * @default 22
   */
  readonly ssh_port?: number;
  /**
   * Command SSH runs to reach the host (ProxyCommand).
   * @default - none
   */
  readonly ssh_proxy_command?: string;
  /**
   * Container runtime of the host.
   * @default 'docker'
   */
  readonly container_runtime?: string;
  /**
   * Environment variables set on the host.
   * @default - none
   */
  readonly environment?: Record<string, unknown>;
  /**
   * SSH bastion host: `address`, `user`, `ssh_key_path`, `ssh_port`, `ssh_proxy_command`.
   * @default - none
   */
  readonly bastion?: { [key: string]: unknown };
  /**
   * Extra package repositories of the host.
   * @default - none
   */
  readonly repositories?: unknown[];
}

/** `network.weave`: the cluster's Weave settings, where the mesh lives. */
export interface PharosWeaveConfig {
  /**
   * Subnets whose traffic Weave does not encrypt.
   * @default - none
   */
  readonly trusted_subnets?: string[];
  /**
   * Extra Weave peers outside the mesh; the other clusters' workers are added by weave-mesh.
   * @default - the other clusters' workers only
   */
  readonly known_peers?: string[] | null;
  /**
   * Path of the file holding the Weave secret shared by every cluster of the mesh; never the secret
   * itself. A relative path is relative to the working directory of the app and rebased for the
   * rendered cluster.yml.
   */
  readonly password: string;
  /**
   * This cluster's own subnet inside `pod_network_cidr`, /30 or larger, unique in the mesh. Without
   * it the mesh is refused, and the message names the free subnet to set.
   * @default - none (required by weave-mesh)
   */
  readonly ipalloc_default_subnet?: string | null;
  /**
   * Weave's `--no-masq-local`.
   * @default false
   */
  readonly no_masq_local?: boolean;
}

/** `network.firewalld`: Pharos's firewalld settings (config_schema.rb v3.2.1 l.123-135). */
export interface PharosFirewalldConfig {
  /** Whether Pharos manages firewalld; required by Pharos under `firewalld:`. With true, weave-mesh adds the other clusters' workers to `trusted_subnets`. */
  readonly enabled: boolean;
  /**
   * Addresses and CIDRs firewalld trusts; the other clusters' workers are appended by weave-mesh.
   * @default - none
   */
  readonly trusted_subnets?: string[];
  /** Other firewalld settings (`open_ports`), passed through as given. */
  readonly [key: string]: unknown;
}

/** `network`: the cluster's network settings. */
export interface PharosNetworkConfig {
  /**
   * The network provider; must be `weave` for a multi-cluster pod network.
   * @default 'weave'
   */
  readonly provider?: string;
  /**
   * Number of CoreDNS replicas.
   * @default - none in the file: Pharos chooses by the number of hosts
   */
  readonly dns_replicas?: number;
  /**
   * Whether nodes run the node-local DNS cache.
   * @default true
   */
  readonly node_local_dns_cache?: boolean;
  /**
   * The cluster's service CIDR.
   * @default '10.96.0.0/12'
   */
  readonly service_cidr?: string;
  /**
   * The pod network: the same in every cluster of the mesh.
   * @default '10.32.0.0/12'
   */
  readonly pod_network_cidr?: string;
  /**
   * Pharos's firewalld settings; weave-mesh adds the other clusters' peers to `trusted_subnets` when enabled.
   * @default - firewalld not managed
   */
  readonly firewalld?: PharosFirewalldConfig;
  /** The Weave settings: `password` and `ipalloc_default_subnet`. */
  readonly weave: PharosWeaveConfig;
  /**
   * Calico settings (not used by a Weave mesh).
   * @default - none
   */
  readonly calico?: { [key: string]: unknown };
  /**
   * Custom network provider settings (not used by a Weave mesh).
   * @default - none
   */
  readonly custom?: { [key: string]: unknown };
}

/** A cluster as declared in TypeScript: the Pharos `cluster.yml` of one cluster of the mesh. */
export interface PharosClusterConfig {
  /** The cluster's hosts: at least one master and one worker. */
  readonly hosts: PharosHostConfig[];
  /** The cluster's network; `network.weave` holds the mesh's settings. */
  readonly network: PharosNetworkConfig;
  /**
   * The cluster's name in Pharos.
   * @default - random, chosen by Pharos at the first `pharos up`
   */
  readonly name?: string;
  /**
   * Pharos `api:` (endpoint, load balancer), passed through as given.
   * @default - none
   */
  readonly api?: unknown;
  /**
   * Pharos `etcd:`, passed through as given.
   * @default - none
   */
  readonly etcd?: unknown;
  /**
   * Pharos `authentication:`, passed through as given (relative paths rebased).
   * @default - none
   */
  readonly authentication?: unknown;
  /**
   * Pharos `cloud:`, passed through as given (relative paths rebased).
   * @default - none
   */
  readonly cloud?: unknown;
  /**
   * Pharos `audit:`, passed through as given.
   * @default - none
   */
  readonly audit?: unknown;
  /**
   * Pharos `kube_proxy:`, passed through as given.
   * @default - none
   */
  readonly kube_proxy?: unknown;
  /**
   * Pharos `kubelet:`, passed through as given.
   * @default - none
   */
  readonly kubelet?: unknown;
  /**
   * Pharos `control_plane:`, passed through as given.
   * @default - none
   */
  readonly control_plane?: unknown;
  /**
   * Pharos `pod_security_policy:`, passed through as given.
   * @default - none
   */
  readonly pod_security_policy?: unknown;
  /**
   * Pharos `admission_plugins:`, passed through as given.
   * @default - none
   */
  readonly admission_plugins?: unknown;
  /**
   * Pharos `container_runtime:`, passed through as given.
   * @default - none
   */
  readonly container_runtime?: unknown;
  /**
   * Pharos `manifests:`, passed through as given (relative paths rebased).
   * @default - none
   */
  readonly manifests?: unknown;
  /**
   * Pharos `addons:`, passed through as given.
   * @default - none
   */
  readonly addons?: unknown;
  /**
   * Pharos `addon_paths:`, passed through as given (relative paths rebased).
   * @default - none
   */
  readonly addon_paths?: unknown;
  /**
   * Pharos `telemetry:`, passed through as given.
   * @default - none
   */
  readonly telemetry?: unknown;
}

/** @deprecated Use PharosNetworkConfig. */
export type PharosNetworkConfigInput = PharosNetworkConfig;
