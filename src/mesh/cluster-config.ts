import { z } from 'zod';

/**
 * The one description of a cluster's shape: a Pharos `cluster.yml` (kontena/pharos-cluster,
 * lib/pharos/config_schema.rb), as far as weave-mesh reads it. From it come the TypeScript type of
 * a cluster declared in code (`PharosClusterConfig`), the structural check of every cluster
 * however it was declared (types, required keys, unknown keys), and the JSON Schema that editors
 * use for `clusters/*.yml` (`npm run schema`).
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

const ADDRESS = 'an IPv4 address or host name written as a string';
const CIDR = 'an IPv4 CIDR written as a string';

const bastion = z.looseObject({}).meta({ description: 'SSH bastion host: address, user, ssh_key_path, ssh_port, ssh_proxy_command.' });

/** One host of a cluster: Pharos's host keys. */
export const HostSchema = z
  .strictObject(
    {
      /** The host's IPv4 address or host name, as SSH and the other clusters' Weave peers reach it. */
      address: z
        .string(expect(ADDRESS, "give the host's IPv4 address or host name"))
        .meta({ description: 'IPv4 address or host name: SSH target and, for workers, the Weave peer address other clusters connect to.' }),
      /** The host's address inside its cluster, when it has one. @default - the address of the private interface, else `address` */
      private_address: z.string(expect(ADDRESS)).optional().meta({ description: 'IPv4 address or host name inside the cluster.' }),
      private_interface: z.string(expect('a network interface name')).optional(),
      /** `master` or `worker`; the workers are the other clusters' Weave peers. */
      role: z.enum(['master', 'worker'], expect('master or worker', 'set role: master or role: worker')).meta({ description: 'master or worker' }),
      labels: z.record(z.string(), z.unknown()).optional(),
      taints: z.array(z.unknown()).optional(),
      user: z.string(expect('a user name written as a string')).optional(),
      ssh_key_path: z.string(expect('a file path written as a string')).optional(),
      ssh_port: z.number(expect('a port number')).int().optional(),
      ssh_proxy_command: z.string(expect('a command written as a string')).optional(),
      container_runtime: z.string(expect('a container runtime name')).optional(),
      environment: z.record(z.string(), z.unknown()).optional(),
      bastion: bastion.optional(),
      repositories: z.array(z.unknown()).optional(),
    },
    expect('a mapping with address and role'),
  )
  .meta({ description: 'A host of the cluster (Pharos hosts[] entry).' });

/** `network.weave`: the Weave settings of the cluster. */
export const WeaveSchema = z.strictObject(
  {
    // In the order of Pharos's config_schema.rb.
    trusted_subnets: z.array(z.string(expect(CIDR)), expect('a list of IPv4 CIDRs')).optional(),
    /** Weave peers outside the inventory; the other clusters' workers are added by weave-mesh. @default [] */
    known_peers: z
      .array(z.string(expect('an address written as a string')), expect('a list of peer addresses', undefined, 'peers inside the inventory are added automatically'))
      .nullish()
      .meta({ description: 'Extra Weave peers outside the inventory; the other clusters\' workers are added automatically.' }),
    /** Path of the file holding the Weave secret shared by every cluster of the mesh; never the secret itself. */
    password: z
      .string(expect('a file path written as a string', 'give the path of the shared Weave secret file, such as ./shared_password'))
      .meta({ description: 'Path of the file holding the shared Weave secret (the same in every cluster), never the secret itself.' }),
    /** This cluster's own subnet inside `pod_network_cidr`; `npm run allocate -- <cluster>` picks a free one. */
    ipalloc_default_subnet: z
      .string(expect(CIDR))
      .nullish()
      .meta({ description: "This cluster's own subnet inside pod_network_cidr, /30 or larger, unique in the mesh." }),
    /** Weave's `--no-masq-local`. @default false */
    no_masq_local: z.boolean(expect('true or false')).optional(),
  },
  expect('a mapping', 'add weave: with password and ipalloc_default_subnet'),
);

/** `network`: the cluster's network settings. */
export const NetworkSchema = z.strictObject(
  {
    /** Must be `weave` for a multi-cluster pod network. @default 'weave' */
    provider: z.string(expect('weave')).optional(),
    dns_replicas: z.number(expect('a number')).int().optional(),
    node_local_dns_cache: z.boolean(expect('true or false')).optional(),
    /** The cluster's service CIDR. @default '10.96.0.0/12' (Pharos's default) */
    service_cidr: z.string(expect(CIDR)).optional().meta({ description: "The cluster's service CIDR; Pharos's default is 10.96.0.0/12." }),
    /** The pod network, the same in every cluster of the mesh. @default '10.32.0.0/12' (Pharos's default) */
    pod_network_cidr: z
      .string(expect(CIDR))
      .optional()
      .meta({ description: "The pod network: the same in every cluster of the mesh; Pharos's default is 10.32.0.0/12." }),
    firewalld: z.looseObject({}, expect('a mapping')).optional(),
    weave: WeaveSchema,
    calico: z.looseObject({}, expect('a mapping')).optional(),
    custom: z.looseObject({}, expect('a mapping')).optional(),
  },
  expect('a mapping', 'add the network: block of the Pharos cluster.yml'),
);

/** Other top-level keys of a Pharos cluster.yml: passed through, not interpreted. */
const passThrough = z.unknown().optional();

/** A Pharos `cluster.yml`: one cluster of the mesh. */
export const ClusterSchema = z
  .strictObject(
    {
      /** The cluster's hosts; every cluster needs at least one worker. */
      hosts: z.array(HostSchema, expect('a list of hosts', 'list the cluster hosts with address and role')),
      /** The cluster's network; `network.weave` holds the mesh's settings. */
      network: NetworkSchema,
      name: z.string(expect('a name written as a string')).optional(),
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
  .meta({ title: 'Pharos cluster.yml for weave-mesh', description: 'One cluster of a weave-mesh inventory: a Pharos cluster.yml with the multi-cluster Weave settings.' });

/** A cluster as declared in TypeScript: the shape of its Pharos `cluster.yml`. */
export type PharosClusterConfig = z.input<typeof ClusterSchema>;
export type PharosHostConfig = z.input<typeof HostSchema>;
export type PharosNetworkConfigInput = z.input<typeof NetworkSchema>;

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

/** The keys the schema knows in the mapping at `path` of a cluster config. */
function knownKeysAt(path: readonly (string | number)[]): string[] {
  let schema: z.ZodType = ClusterSchema;
  for (const part of path) {
    schema = unwrap(schema);
    if (typeof part === 'number' && schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[part];
  }
  schema = unwrap(schema);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable) current = current.unwrap() as z.ZodType;
  return current;
}

/** The JSON Schema of a cluster file, for editors (yaml-language-server) and `npm run schema`. */
export function clusterJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ClusterSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
