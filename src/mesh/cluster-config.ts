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

/**
 * How a value that was given reads in a message: `boss` for a word, `"two words"` quoted, `12 (a number)`,
 * `true (a boolean)`, `a list`, `a mapping`, `empty`. A value with `secret` set is named by its type only.
 */
export function givenValue(value: unknown, secret = false): string {
  if (secret || value === null || value === undefined || typeof value === 'object') return typeName(value);
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    // JSON.stringify leaves U+0085, U+2028 and U+2029 raw; a terminal may break the one-line message there.
    return /^[\w./:-]+$/.test(shown) ? shown : JSON.stringify(shown).replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  return `${String(value)} (${typeName(value)})`;
}

/** Messages for a value of the wrong type or not one of the values allowed, naming the value given, and for a required value that is missing. */
function expect(what: string, missing?: string, hint?: string, secret = false) {
  return {
    error: (issue: { input?: unknown }) => (issue.input === undefined && missing !== undefined ? `is missing; ${missing}` : `must be ${what}, not ${givenValue(issue.input, secret)}${hint ? `; ${hint}` : ''}`),
  };
}

/** Messages for a whole number: a fraction is named by its value (`must be a port number, not 22.5`). */
function expectWhole(what: string) {
  // An integer beyond 2^53 is read exactly (a bigint), as Psych reads it: named by its value too.
  return { error: (issue: { input?: unknown }) => (typeof issue.input === 'number' || typeof issue.input === 'bigint' ? `must be ${what}, not ${issue.input}` : expect(what).error(issue)) };
}

const ADDRESS = 'an IPv4 address or host name written as a string';
const CIDR = 'an IPv4 CIDR written as a string';

/*
 * Patterns for editors only (the JSON Schema, through z.meta): the CLI checks the same values with
 * better messages in validate.ts, so zod itself does not test them and nothing is reported twice.
 * Each accepts at most what the CLI accepts; what a pattern cannot say (host bits, reserved ranges,
 * the mesh rules) is left to the CLI.
 */
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4 = `${OCTET}(\\.${OCTET}){3}`;
// A DNS name, but not one that reads as a number (every label decimal or 0x-hex), as validate.ts's isHostName.
const LABEL = '[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?';
const HOST_NAME = `(?!(0[xX][0-9a-fA-F]*|[0-9]+)(\\.(0[xX][0-9a-fA-F]*|[0-9]+))*$)${LABEL}(\\.${LABEL})*`;
/** An IPv4 address in dotted decimal, or a host name. */
export const ADDRESS_PATTERN = `^(${IPV4}|${HOST_NAME})$`;
/** An IPv4 CIDR: dotted decimal, a prefix length 0-32 without a leading zero. */
export const CIDR_PATTERN = `^${IPV4}/(3[0-2]|[12]?[0-9])$`;
/** A CIDR that Weave takes as a cluster's subnet: /30 or larger. */
export const SUBNET_PATTERN = `^${IPV4}/(30|[12]?[0-9])$`;
/** A file path, never a secret: with a `/`, in the characters file names use (validate.ts's PATH_LIKE). */
/**
 * `weave.password` as an unmistakable path (src/mesh/validate.ts isUnmistakablePath, which uses this
 * pattern): `./`, `../` or `~/` and names of letters, digits, `.`, `_` and `-`; or an absolute path
 * that is all lower case, or whose file name holds `.`, `_` or `-` (base64 has none of them).
 */
export const PASSWORD_PATTERN = '^(?:(?:\\.{1,2}|~)(?:/[\\w.-]+)+|(?:/[a-z0-9_.-]+)+|(?:/[\\w.-]+)*/[\\w.-]*[._-][\\w.-]*)$';

const address = (description: string) => z.meta({ description, pattern: ADDRESS_PATTERN, maxLength: 253 });
const cidr = (description: string, pattern = CIDR_PATTERN) => z.meta({ description, pattern });
const described = (description: string) => z.meta({ description });

const bastion = z.looseObject({}).check(described('SSH bastion host to reach this host through: address, user, ssh_key_path, ssh_port, ssh_proxy_command (Pharos host bastion).'));

/** One host of a cluster: Pharos's host keys. */
export const HostSchema = z
  .strictObject(
    {
      /** The host's IPv4 address or host name, as SSH and the other clusters' Weave peers reach it. */
      address: z.string(expect(ADDRESS, "give the host's IPv4 address or host name")).check(address('IPv4 address or host name: SSH target and, for workers, the Weave peer address other clusters connect to.')),
      /** The host's address inside its cluster, when it has one. @default - the address of the private interface, else `address` */
      private_address: z.optional(z.string(expect(ADDRESS))).check(address('IPv4 address or host name inside the cluster, outside every pod and service range.')),
      private_interface: z.optional(z.string(expect('a network interface name'))).check(described('Network interface whose address Pharos uses as the private address.')),
      /** `master` or `worker`; the workers are the other clusters' Weave peers. */
      role: z.enum(['master', 'worker'], expect('master or worker', 'set role: master or role: worker')).check(described("master or worker; the workers are the other clusters' Weave peers.")),
      labels: z.optional(z.record(z.string(), z.unknown())).check(described('Kubernetes node labels Pharos sets on this host.')),
      taints: z.optional(z.array(z.unknown())).check(described('Kubernetes node taints Pharos sets on this host.')),
      user: z.optional(z.string(expect('a user name written as a string'))).check(described('SSH user Pharos logs in as.')),
      ssh_key_path: z.optional(z.string(expect('a file path written as a string'))).check(described('SSH private key file, relative to this file; rebased in the rendered cluster.yml.')),
      ssh_port: z
        .optional(z.int(expectWhole('a port number from 1 to 65535')).check(z.gte(1, expectWhole('a port number from 1 to 65535')), z.lte(65535, expectWhole('a port number from 1 to 65535'))))
        .check(described('SSH port, 1-65535; address:ssh_port must be unique in the cluster.')),
      ssh_proxy_command: z.optional(z.string(expect('a command written as a string'))).check(described('SSH ProxyCommand Pharos uses to reach this host.')),
      container_runtime: z.optional(z.string(expect('a container runtime name'))).check(described('Container runtime of this host (docker, cri-o or containerd).')),
      environment: z.optional(z.record(z.string(), z.unknown())).check(described('Environment variables Pharos sets on this host.')),
      bastion: z.optional(bastion),
      repositories: z.optional(z.array(z.unknown())).check(described('Extra package repositories Pharos configures on this host.')),
    },
    expect('a mapping with address and role'),
  )
  .check(z.meta({ description: 'A host of the cluster (Pharos hosts[] entry).' }));

/** `network.weave`: the Weave settings of the cluster. */
export const WeaveSchema = z
  .strictObject(
    {
      // In the order of Pharos's config_schema.rb.
      trusted_subnets: z.optional(z.array(z.string(expect(CIDR)).check(cidr('An IPv4 CIDR Weave trusts (no encryption).')), expect('a list of IPv4 CIDRs'))).check(described('IPv4 CIDRs over which Weave sends traffic unencrypted.')),
      /** Weave peers outside the inventory; the other clusters' workers are added by weave-mesh. @default [] */
      known_peers: z
        .nullish(
          z.array(
            z.string(expect('an address written as a string')).check(address('IPv4 address or host name of a Weave peer outside the inventory.')),
            expect('a list of peer addresses', undefined, 'peers inside the inventory are added automatically'),
          ),
        )
        .check(z.meta({ description: "Extra Weave peers outside the inventory; the other clusters' workers are added automatically." })),
      /** Path of the file holding the Weave secret shared by every cluster of the mesh; never the secret itself. */
      password: z
        .string(expect('a file path written as a string', 'give the path of the shared Weave secret file, such as ./shared_password', undefined, true))
        .check(z.meta({ description: 'Path of the file holding the shared Weave secret (the same in every cluster), never the secret itself, such as ./shared_password.', pattern: PASSWORD_PATTERN })),
      /** This cluster's own subnet inside `pod_network_cidr`; `npm run allocate -- <cluster>` picks a free one. */
      ipalloc_default_subnet: z.nullish(z.string(expect(CIDR))).check(cidr("This cluster's own subnet inside pod_network_cidr, /30 or larger, unique in the mesh; npm run allocate -- <cluster> writes a free one.", SUBNET_PATTERN)),
      /** Weave's `--no-masq-local`. @default false */
      no_masq_local: z.optional(z.boolean(expect('true or false'))).check(described("Weave's NO_MASQ_LOCAL: keep client source addresses for traffic to local pods (default false).")),
    },
    expect('a mapping', 'add weave: with password and ipalloc_default_subnet'),
  )
  .check(described("Weave's settings: the mesh's password file and this cluster's subnet; known_peers are derived."));

/** `network`: the cluster's network settings. */
export const NetworkSchema = z
  .strictObject(
    {
      /** Must be `weave` for a multi-cluster pod network. @default 'weave' */
      provider: z.optional(z.string(expect('weave'))).check(z.meta({ description: 'The pod network provider: weave, the only one a multi-cluster mesh can use (the default).', enum: ['weave'] })),
      // config_schema.rb v3.2.1 l.119 `optional(:dns_replicas).filled(:int?, gt?: 0)`
      dns_replicas: z.optional(z.int(expectWhole('a whole number from 1')).check(z.gte(1, expectWhole('a whole number from 1')))).check(described('Number of CoreDNS replicas, at least 1.')),
      node_local_dns_cache: z.optional(z.boolean(expect('true or false'))).check(described('Run the node-local DNS cache.')),
      /** The cluster's service CIDR. @default '10.96.0.0/12' (Pharos's default) */
      service_cidr: z.optional(z.string(expect(CIDR))).check(cidr("The cluster's service CIDR, outside pod_network_cidr; Pharos's default is 10.96.0.0/12.")),
      /** The pod network, the same in every cluster of the mesh. @default '10.32.0.0/12' (Pharos's default) */
      pod_network_cidr: z.optional(z.string(expect(CIDR))).check(cidr("The pod network: the same in every cluster of the mesh; Pharos's default is 10.32.0.0/12.")),
      firewalld: z
        .optional(
          z.looseObject(
            {
              // config_schema.rb v3.2.1 l.124 `required(:enabled).filled(:bool?)`. Pharos's Params schema
              // (dry-types 0.13.2 coercions/params.rb l.8-10) also turns the text y, t, 1, On... into a
              // boolean, which weave-mesh would read as text (firewalld off): only a YAML boolean is taken.
              enabled: z
                .boolean(expect('true or false', 'add enabled: true or enabled: false (Pharos requires it under firewalld:)', 'write true or false (Pharos reads some text such as y or 1 as a boolean, weave-mesh would read it as text)'))
                .check(described("Whether Pharos manages firewalld: true or false; with true the other clusters' workers are added to trusted_subnets.")),
              // l.134 `optional(:trusted_subnets).each(:str?)`
              trusted_subnets: z
                .optional(
                  z.array(
                    z.string(
                      expect(
                        'an IPv4 address or CIDR written as a string',
                        undefined,
                        "Pharos's schema refuses anything else (kontena/pharos-cluster v3.2.1 config_schema.rb l.134 `optional(:trusted_subnets).each(:str?)`); write one address or CIDR per item, no nested list",
                      ),
                    ),
                    expect('a list of IPv4 addresses or CIDRs'),
                  ),
                )
                .check(described("Addresses and CIDRs firewalld trusts; weave-mesh appends the other clusters' workers.")),
            },
            expect('a mapping'),
          ),
        )
        .check(described("Pharos's firewalld settings; with enabled: true the other clusters' workers are added to trusted_subnets.")),
      weave: WeaveSchema,
      calico: z.optional(z.looseObject({}, expect('a mapping'))).check(described('Calico settings (unused: the mesh needs provider: weave).')),
      custom: z.optional(z.looseObject({}, expect('a mapping'))).check(described('Custom network provider settings (unused: the mesh needs provider: weave).')),
    },
    expect('a mapping', 'add the network: block of the Pharos cluster.yml'),
  )
  .check(described("The cluster's network: pod and service CIDRs and Weave."));

/** Other top-level keys of a Pharos cluster.yml: passed through, not interpreted. */
const passThrough = (what: string) => z.optional(z.unknown()).check(described(`${what} (Pharos setting, copied into the rendered cluster.yml as written).`));

/** A Pharos `cluster.yml`: one cluster of the mesh. */
export const ClusterSchema = z
  .strictObject(
    {
      /** The cluster's hosts; every cluster needs at least one worker. */
      hosts: z.array(HostSchema, expect('a list of hosts', 'list the cluster hosts with address and role')).check(described('The hosts of the cluster: at least one master and one worker.')),
      /** The cluster's network; `network.weave` holds the mesh's settings. */
      network: NetworkSchema,
      name: z.optional(z.string(expect('a name written as a string'))).check(described("Pharos's cluster name: when set, the same as the file's name.")),
      api: passThrough('Kubernetes API endpoint and certificate names'),
      etcd: passThrough('External etcd endpoints and certificates'),
      authentication: passThrough('Token webhook and OIDC authentication'),
      cloud: passThrough('Cloud provider and its config file'),
      audit: passThrough('API server audit logging'),
      kube_proxy: passThrough('kube-proxy mode and settings'),
      kubelet: passThrough('Kubelet settings'),
      control_plane: passThrough('Control plane settings'),
      pod_security_policy: passThrough('Default pod security policy'),
      admission_plugins: passThrough('API server admission plugins'),
      container_runtime: passThrough('Default container runtime'),
      manifests: passThrough('Extra manifest files applied by Pharos'),
      addons: passThrough('Pharos addons and their settings'),
      addon_paths: passThrough('Folders of extra addons'),
      telemetry: passThrough('Pharos telemetry'),
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
