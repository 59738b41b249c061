/**
 * Every rule id weave-mesh reports. The ids are public: `--format json` and `--format github` print
 * them, CI scripts and reviewers match on them, and `[rule]` ends every text line. A problem can only
 * name an id listed here (`Problem.rule` is a `RuleId`), and docs/rules.md is tested against this list.
 *
 * Each entry: the stage that reports it, and one line on what it checks (the message itself names the
 * value and the fix). An id, once published, is never renamed; a retired one is removed here.
 */
export const RULES = {
  // The cluster file: what Pharos's schema and its YAML reader accept.
  'cluster-file': {
    stage: 'cluster file',
    doc: 'A cluster file that cannot be loaded as Pharos loads it, so it is refused as a whole: a YAML syntax error, a duplicate key, a git merge conflict, a second document, a link, a binary or oversized file.',
  },
  shape: { stage: 'cluster file', doc: "A value has the wrong type, or a key Pharos requires is missing (Pharos's config_schema.rb, as the one zod schema states it)." },
  'known-keys': { stage: 'cluster file', doc: 'A key Pharos does not know, reported at the key, with the nearest known key when one is close.' },
  'pharos-yaml': { stage: 'cluster file', doc: "A value Pharos's YAML.safe_load refuses (a YAML 1.1 timestamp, a !!set), or one no cluster.yml can hold (a function, a cycle)." },

  // Each value of one cluster.
  cidr: { stage: 'value', doc: 'A CIDR that is not an IPv4 network address with a prefix length, such as 10.32.0.0/12.' },
  'reserved-range': { stage: 'value', doc: 'A pod or service range that overlaps reserved space (loopback, multicast, ...).' },
  address: { stage: 'value', doc: 'A host address that is neither an IPv4 address nor a host name.' },
  'reserved-address': { stage: 'value', doc: 'A host address no other host can reach: a reserved range or a localhost name.' },
  'password-file': { stage: 'value', doc: 'weave.password is empty or does not look like a file path (it must never be the secret itself).' },
  'weave-provider': { stage: 'value', doc: 'network.provider is not weave.' },
  worker: { stage: 'value', doc: "A cluster without a worker: its workers are the other clusters' Weave peers." },

  // The mesh: rules between clusters, and Pharos's rules for one cluster.
  'cluster-name': { stage: 'mesh', doc: 'A cluster name (file name, or key in code) that is not a DNS-1123 label.' },
  'unique-cluster-name': { stage: 'mesh', doc: 'The same cluster declared twice (in two files, or in a file and in code).' },
  'pharos-master': { stage: 'mesh', doc: 'A cluster without a master host; Pharos refuses it ("No master hosts defined").' },
  'pharos-name': { stage: 'mesh', doc: "The top-level name: differs from the cluster's name." },
  'pharos-unique-address': { stage: 'mesh', doc: 'Two hosts of one cluster with the same address and SSH port; Pharos refuses that.' },
  'same-pod-network': { stage: 'mesh', doc: 'pod_network_cidr differs between clusters; Weave refuses to join different ranges.' },
  'same-password': { stage: 'mesh', doc: 'weave.password names different files in different clusters; the secret must be one.' },
  'subnet-size': { stage: 'mesh', doc: 'ipalloc_default_subnet is smaller than Weave allocates from (a /30 at most).' },
  'subnet-inside-pod-network': { stage: 'mesh', doc: 'ipalloc_default_subnet lies outside pod_network_cidr, or is all of it.' },
  'subnet-overlap': { stage: 'mesh', doc: "Two clusters' ipalloc_default_subnet overlap." },
  'missing-subnet': { stage: 'mesh', doc: 'A cluster without ipalloc_default_subnet; npm run allocate writes one (the recorded one, if the output folder has it).' },
  'service-cidr': { stage: 'mesh', doc: "A cluster's service_cidr overlaps the pod network." },
  'shared-service-cidr': { stage: 'mesh', doc: 'Warning: clusters share service CIDRs, so a service IP means different services in each.' },
  'unique-host-address': { stage: 'mesh', doc: 'A host address used by hosts of two clusters.' },
  'host-outside-pod-network': { stage: 'mesh', doc: 'A node address inside a pod or service range.' },
  'firewalld-host-name': { stage: 'mesh', doc: 'Warning: with firewalld, a peer known only by host name cannot be trusted, so its connections are blocked.' },
  'trusted-subnet-peers': { stage: 'mesh', doc: "Warning: a weave.trusted_subnets entry covers another cluster's Weave peers, so traffic between them goes unencrypted (docs/warnings.md)." },
  'weave-peer-count': { stage: 'mesh', doc: 'Warning: more Weave peers in the mesh than Weave is known to handle well (docs/warnings.md).' },
  'known-peers': { stage: 'mesh', doc: 'An extra known_peers entry that is listed twice, is a host of the mesh, or lies in a pod or service range.' },
  'weave-peer-limit': { stage: 'mesh', doc: 'More Weave peers in the mesh than one Weave network carries.' },

  // Settings: the props of WeaveMesh (in this repository, the settings of main.ts).
  clusters: { stage: 'settings', doc: 'A mesh that declares no clusters at all.' },
  settings: { stage: 'settings', doc: 'A setting of WeaveMesh (gitops, routeAgent) with a value it cannot take, located at its line when the settings file is known.' },
  'gitops-repo-url': { stage: 'settings', doc: 'gitops.repoURL is not set while Argo CD or Flux manifests are rendered.' },
  'gitops-placeholder': { stage: 'settings', doc: 'Warning: gitops.repoURL is still the placeholder weave-mesh ships with.' },
  'gitops-path': { stage: 'settings', doc: 'gitops.pathPrefix does not name the folder the tree is written to.' },

  // The output folder and the commands.
  'inventory-folder': { stage: 'output', doc: 'The inventory folder (--clusters) is missing, unreadable, or holds no cluster file.' },
  'output-folder': { stage: 'output', doc: 'The output folder cannot be replaced (it holds files weave-mesh did not write, or is not a folder).' },
  'output-unreadable': { stage: 'output', doc: 'Warning: a rendered cluster.yml no longer parses (a merge conflict), so it records no subnet.' },
  renumbering: { stage: 'output', doc: "Warning: a running cluster's subnet changes, which renumbers its pods." },
  'out-of-date': { stage: 'output', doc: 'check: the output folder differs from what the inventory renders.' },
  'flux-system-left': { stage: 'output', doc: "Warning: a cluster leaves, but its Flux folder still holds flux bootstrap's flux-system/." },
  'password-tracked': { stage: 'output', doc: 'Warning: git tracks the Weave password file.' },
  base: { stage: 'output', doc: "plan --base: the base commit's output folder cannot be read from git." },
  allocate: { stage: 'output', doc: 'allocate cannot write a subnet (no such cluster, no free subnet, or a file it cannot edit).' },
} as const satisfies Record<string, { readonly stage: RuleStage; readonly doc: string }>;

/** Where a rule is checked: the order of the pipeline, and of docs/rules.md. */
export type RuleStage = 'cluster file' | 'value' | 'mesh' | 'settings' | 'output';

/** The id of a rule, as `[rule]`, `--format json`'s `rule` and `--format github`'s title show it. */
export type RuleId = keyof typeof RULES;

/** Every rule id, in the order of RULES. */
export const RULE_IDS: readonly RuleId[] = Object.keys(RULES) as RuleId[];
