import * as z from 'zod/mini';

/**
 * The one description of a cluster's shape: a Pharos `cluster.yml` (kontena/pharos-cluster,
 * lib/pharos/config_schema.rb), as far as weave-mesh reads it. From it come the structural check of
 * every cluster however it was declared (types, required keys, unknown keys) and the JSON Schema
 * that editors use for `clusters/*.yml` (`npm run schema`). The public TypeScript type of a cluster
 * declared in code is the hand-written `PharosClusterConfig` (pharos-cluster-config.ts); a
 * compile-time test keeps the two in agreement.
 *
 * Only structure lives here; what values mean (CIDRs that parse and fit together, addresses,
 * the mesh rules) is checked by the rules in `rules.ts`.
 */

/** How a value reads in a message: `a list`, `a mapping`, `empty`, `a number`. */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

/** Messages for a value of the wrong type, and for a required value that is missing. */
function expect(what: string, missing?: string, hint?: string) {
  return {
    error: (issue: { input?: unknown }) =>
      issue.input === undefined && missing !== undefined ? `is missing; ${missing}` : `must be ${what}, not ${typeName(issue.input)}${hint ? `; ${hint}` : ''}`,
  };
}

/** Messages for a whole number: a fraction is named by its value (`must be a port number, not 22.5`). */
function expectWhole(what: string) {
  return { error: (issue: { input?: unknown }) => (typeof issue.input === 'number' ? `must be ${what}, not ${issue.input}` : expect(what).error(issue)) };
}

const ADDRESS = 'an IPv4 address or host name written as a string';
const CIDR = 'an IPv4 CIDR written as a string';

const bastion = z.looseObject({}).check(z.meta({ description: 'SSH bastion host: address, user, ssh_key_path, ssh_port, ssh_proxy_command.' }));

/** One host of a cluster: Pharos's host keys. */
export const HostSchema = z
  .strictObject(
    {
      /** The host's IPv4 address or host name, as SSH and the other clusters' Weave peers reach it. */
      address: z
        .string(expect(ADDRESS, "give the host's IPv4 address or host name"))
        .check(z.meta({ description: 'IPv4 address or host name: SSH target and, for workers, the Weave peer address other clusters connect to.' })),
      /** The host's address inside its cluster, when it has one. @default - the address of the private interface, else `address` */
      private_address: z.optional(z.string(expect(ADDRESS))).check(z.meta({ description: 'IPv4 address or host name inside the cluster.' })),
      private_interface: z.optional(z.string(expect('a network interface name'))),
      /** `master` or `worker`; the workers are the other clusters' Weave peers. */
      role: z.enum(['master', 'worker'], expect('master or worker', 'set role: master or role: worker')).check(z.meta({ description: 'master or worker' })),
      labels: z.optional(z.record(z.string(), z.unknown())),
      taints: z.optional(z.array(z.unknown())),
      user: z.optional(z.string(expect('a user name written as a string'))),
      ssh_key_path: z.optional(z.string(expect('a file path written as a string'))),
      ssh_port: z.optional(z.int(expectWhole('a port number'))),
      ssh_proxy_command: z.optional(z.string(expect('a command written as a string'))),
      container_runtime: z.optional(z.string(expect('a container runtime name'))),
      environment: z.optional(z.record(z.string(), z.unknown())),
      bastion: z.optional(bastion),
      repositories: z.optional(z.array(z.unknown())),
    },
    expect('a mapping with address and role'),
  )
  .check(z.meta({ description: 'A host of the cluster (Pharos hosts[] entry).' }));

/** `network.weave`: the Weave settings of the cluster. */
export const WeaveSchema = z.strictObject(
  {
    // In the order of Pharos's config_schema.rb.
    trusted_subnets: z.optional(z.array(z.string(expect(CIDR)), expect('a list of IPv4 CIDRs'))),
    /** Weave peers outside the inventory; the other clusters' workers are added by weave-mesh. @default [] */
    known_peers: z
      .nullish(z.array(z.string(expect('an address written as a string')), expect('a list of peer addresses', undefined, 'peers inside the inventory are added automatically')))
      .check(z.meta({ description: 'Extra Weave peers outside the inventory; the other clusters\' workers are added automatically.' })),
    /** Path of the file holding the Weave secret shared by every cluster of the mesh; never the secret itself. */
    password: z
      .string(expect('a file path written as a string', 'give the path of the shared Weave secret file, such as ./shared_password'))
      .check(z.meta({ description: 'Path of the file holding the shared Weave secret (the same in every cluster), never the secret itself.' })),
    /** This cluster's own subnet inside `pod_network_cidr`; `npm run allocate -- <cluster>` picks a free one. */
    ipalloc_default_subnet: z
      .nullish(z.string(expect(CIDR)))
      .check(z.meta({ description: "This cluster's own subnet inside pod_network_cidr, /30 or larger, unique in the mesh." })),
    /** Weave's `--no-masq-local`. @default false */
    no_masq_local: z.optional(z.boolean(expect('true or false'))),
  },
  expect('a mapping', 'add weave: with password and ipalloc_default_subnet'),
);

/** `network`: the cluster's network settings. */
export const NetworkSchema = z.strictObject(
  {
    /** Must be `weave` for a multi-cluster pod network. @default 'weave' */
    provider: z.optional(z.string(expect('weave'))),
    dns_replicas: z.optional(z.int(expectWhole('a whole number'))),
    node_local_dns_cache: z.optional(z.boolean(expect('true or false'))),
    /** The cluster's service CIDR. @default '10.96.0.0/12' (Pharos's default) */
    service_cidr: z.optional(z.string(expect(CIDR))).check(z.meta({ description: "The cluster's service CIDR; Pharos's default is 10.96.0.0/12." })),
    /** The pod network, the same in every cluster of the mesh. @default '10.32.0.0/12' (Pharos's default) */
    pod_network_cidr: z
      .optional(z.string(expect(CIDR)))
      .check(z.meta({ description: "The pod network: the same in every cluster of the mesh; Pharos's default is 10.32.0.0/12." })),
    firewalld: z.optional(z.looseObject({}, expect('a mapping'))),
    weave: WeaveSchema,
    calico: z.optional(z.looseObject({}, expect('a mapping'))),
    custom: z.optional(z.looseObject({}, expect('a mapping'))),
  },
  expect('a mapping', 'add the network: block of the Pharos cluster.yml'),
);

/** Other top-level keys of a Pharos cluster.yml: passed through, not interpreted. */
const passThrough = z.optional(z.unknown());

/** A Pharos `cluster.yml`: one cluster of the mesh. */
export const ClusterSchema = z
  .strictObject(
    {
      /** The cluster's hosts; every cluster needs at least one worker. */
      hosts: z.array(HostSchema, expect('a list of hosts', 'list the cluster hosts with address and role')),
      /** The cluster's network; `network.weave` holds the mesh's settings. */
      network: NetworkSchema,
      name: z.optional(z.string(expect('a name written as a string'))),
      api: passThrough,
      etcd: passThrough,
      authentication: passThrough,
      cloud: passThrough,
      audit: passThrough,
      kube_proxy: passThrough,
      kubelet: passThrough,
      control_plane: passThrough,
      pod_security_policy: passThrough,
      admission_plugins: passThrough,
      container_runtime: passThrough,
      manifests: passThrough,
      addons: passThrough,
      addon_paths: passThrough,
      telemetry: passThrough,
    },
    expect('a YAML mapping with hosts: and network: (a Pharos cluster.yml)'),
  )
  .check(z.meta({ title: 'Pharos cluster.yml for weave-mesh', description: 'One cluster of a weave-mesh inventory: a Pharos cluster.yml with the multi-cluster Weave settings.' }));

/** A structural problem: where in the cluster's config, and what is wrong. */
export interface StructuralIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** For an unknown key: the keys that are known at that place. */
  readonly unknownKey?: { readonly key: string; readonly known: readonly string[] };
}

/** Every structural problem of one cluster's config, all at once (never throws). */
export function structuralIssues(config: unknown): StructuralIssue[] {
  const result = ClusterSchema.safeParse(config);
  if (result.success) return [];
  return result.error.issues.flatMap((issue): StructuralIssue[] => {
    const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(path);
      return issue.keys.map((key) => ({ path: [...path, key], message: '', unknownKey: { key, known } }));
    }
    return [{ path, message: issue.message }];
  });
}

/** What knownKeysAt reads of a schema's definition (zod's `_zod.def`, documented for libraries built on zod). */
interface Definition {
  readonly type: string;
  readonly shape?: Readonly<Record<string, z.core.$ZodType>>;
  readonly element?: z.core.$ZodType;
  readonly innerType?: z.core.$ZodType;
}

/** The keys the schema knows in the mapping at `path` of a cluster config. */
function knownKeysAt(path: readonly (string | number)[]): string[] {
  let def: Definition | undefined = unwrap(ClusterSchema);
  for (const part of path) {
    if (typeof part === 'number' && def?.type === 'array') def = unwrap(def.element);
    else if (def?.type === 'object') def = unwrap(def.shape?.[part]);
  }
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** The definition of a schema, without its optional and nullable wrappers. */
function unwrap(schema: z.core.$ZodType | undefined): Definition | undefined {
  let def = schema?._zod.def as Definition | undefined;
  while (def && (def.type === 'optional' || def.type === 'nullable')) def = def.innerType?._zod.def as Definition | undefined;
  return def;
}

/** The JSON Schema of a cluster file, for editors (yaml-language-server) and `npm run schema`. */
export function clusterJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ClusterSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
