import { isMapping } from '../util/mapping';

/**
 * The keys of a Pharos cluster.yml that hold file paths on the machine running `pharos up`, which
 * Pharos resolves from the folder of the config file (`up_command.rb`: every phase runs inside
 * `Dir.chdir(config_yaml.dirname)`). Read from kontena/pharos-cluster at v3.2.1; `*` is every item
 * of a list. Each entry names the code that opens the file. Helm addons' `values` files, which the
 * issue for this list named, are absent on purpose: v3.2.1 ships no addons and no code of it reads an
 * addon's file (`git grep -e File.read -e File.open lib/` at v3.2.1), so there is nothing to rebase.
 */
export const PATH_KEYS: readonly (readonly (string | '*')[])[] = [
  // phases/configure_weave.rb: File.exist?(password_file), File.read(password_file)
  ['network', 'weave', 'password'],
  // configuration/host.rb, configuration/bastion.rb: the SSH key the transport loads
  ['hosts', '*', 'ssh_key_path'],
  ['hosts', '*', 'bastion', 'ssh_key_path'],
  // phases/configure_custom_network.rb: the manifest folder or file applied as a stack
  ['network', 'custom', 'manifest_path'],
  // phases/apply_manifests.rb: File.file?(path) / Pathname.glob(path.join('*.{yml,yaml,...}'))
  ['manifests', '*'],
  // config_schema.rb line 20 (default []): addon folders of Pharos 2.x's addon manager; no code of v3.2.1 reads it, kept for older Pharos
  ['addon_paths', '*'],
  // phases/setup_master.rb line 72 and configure_kubelet.rb line 44: File.open(File.expand_path(@config.cloud.config))
  ['cloud', 'config'],
  // phases/setup_master.rb line 78: File.open(File.expand_path(@config.authentication.oidc.ca_file))
  ['authentication', 'oidc', 'ca_file'],
  // phases/setup_master.rb lines 52-54: the token webhook's certificate authority, client certificate and key
  ['authentication', 'token_webhook', 'config', 'cluster', 'certificate_authority'],
  ['authentication', 'token_webhook', 'config', 'user', 'client_certificate'],
  ['authentication', 'token_webhook', 'config', 'user', 'client_key'],
  // phases/setup_master.rb lines 29-31: File.open(@config.etcd.ca_certificate / certificate / key) of an external etcd
  ['etcd', 'ca_certificate'],
  ['etcd', 'certificate'],
  ['etcd', 'key'],
];

/**
 * Every value at a path key, where the cluster has one: Pharos's schema takes each as a string
 * (config_schema.rb v3.2.1: `filled(:str?)` for cloud.config l.188, oidc.ca_file l.183, etcd l.156-158,
 * custom.manifest_path l.150, bastion.ssh_key_path l.98; `filled` for the token webhook's files
 * l.166-171 and hosts[].ssh_key_path l.89, which Pharos then opens as paths; `each(type?: String)` for
 * manifests l.232). `addon_paths` has no rule in v3.2.1 and no code reads it: it is left out.
 */
export function pathValues(config: unknown): { path: (string | number)[]; value: unknown; mayBeEmpty: boolean }[] {
  return PATH_KEYS.filter((pattern) => pattern[0] !== 'addon_paths').flatMap((pattern) =>
    expand(config, pattern).flatMap((path) => {
      const value = at(config, path);
      return value === undefined ? [] : [{ path, value, mayBeEmpty: pattern[0] === 'manifests' }];
    }),
  );
}

/** A field of a cluster.yml that weave-mesh writes when it renders the file. */
export interface DerivedField {
  readonly path: readonly (string | number)[];
  /** `list`: set to the derived list; `append`: derived items added; `path`: a relative path rebased. */
  readonly edit: 'list' | 'append' | 'path';
  /** For `path`: the path as written. */
  readonly value?: string;
}

/** Whether Pharos resolves this path from the config file's folder: relative, not `~/...` (Ruby expands it). */
export function isRelativePath(value: string): boolean {
  return value !== '' && !value.startsWith('~') && !value.startsWith('/');
}

/**
 * The fields the rendered cluster.yml changes, read from the cluster's config (as Pharos reads it):
 * `network.weave.known_peers`, with firewalld enabled `network.firewalld.trusted_subnets`, and every
 * relative path of {@link PATH_KEYS}.
 */
export function derivedFields(config: unknown): DerivedField[] {
  const fields: DerivedField[] = [{ path: ['network', 'weave', 'known_peers'], edit: 'list' }];
  const firewalld = at(config, ['network', 'firewalld']);
  if (isMapping(firewalld) && firewalld.enabled === true) fields.push({ path: ['network', 'firewalld', 'trusted_subnets'], edit: 'append' });
  for (const pattern of PATH_KEYS) {
    for (const path of expand(config, pattern)) {
      const value = at(config, path);
      if (typeof value === 'string' && isRelativePath(value)) fields.push({ path, edit: 'path', value });
    }
  }
  return fields;
}

function at(data: unknown, path: readonly (string | number)[]): unknown {
  let current = data;
  for (const key of path) {
    if (typeof key === 'number' ? !Array.isArray(current) : !isMapping(current)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** Every concrete path a key pattern names in the data (`*` over the items of a list). */
function expand(data: unknown, pattern: readonly (string | '*')[]): (string | number)[][] {
  let paths: (string | number)[][] = [[]];
  for (const part of pattern) {
    if (part !== '*') {
      paths = paths.map((path) => [...path, part]);
      continue;
    }
    paths = paths.flatMap((path) => {
      const list = at(data, path);
      return Array.isArray(list) ? list.map((_, index) => [...path, index]) : [];
    });
  }
  return paths;
}
