import * as fs from 'fs';
import * as path from 'path';
import Ajv2020 from 'ajv/dist/2020';
import { parse, stringify } from 'yaml';
import { schemaFileContent, SCHEMA_FILE } from '../src/commands/schema';
import { REPO, run, tempDir, writeInventory } from './helpers';

/** The JSON Schema editors use for clusters/*.yml (yaml-language-server), emitted from the one zod schema. */
describe('the JSON Schema of cluster files', () => {
  const committed = fs.readFileSync(path.join(REPO, SCHEMA_FILE), 'utf8');
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(committed));
  const shipped = fs.readdirSync(path.join(REPO, 'clusters')).filter((file) => file.endsWith('.yml'));

  it('is committed as npm run schema emits it', () => {
    expect(committed).toBe(schemaFileContent());
  });

  it.each(shipped)('validates the shipped %s, which points editors at it', (file) => {
    const text = fs.readFileSync(path.join(REPO, 'clusters', file), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/cluster.schema.json');
    expect(validate(parse(text))).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
  });

  it('rejects what the model rejects for its shape: a misspelt key, a wrong type, a missing field', () => {
    const config = parse(fs.readFileSync(path.join(REPO, 'clusters', shipped[0]), 'utf8'));
    config.network.weave.ipalloc_defualt_subnet = '10.40.0.0/16';
    config.network.service_cidr = 172;
    delete config.hosts[0].role;
    expect(validate(config)).toBe(false);
    expect(validate.errors!.map((error) => `${error.instancePath} ${error.message}`).sort()).toEqual(["/hosts/0 must have required property 'role'", '/network/service_cidr must be string', '/network/weave must NOT have additional properties']);
  });
});

/**
 * The schema refuses what the CLI refuses wherever a pattern or range can say it, and never more:
 * each value is tried in the editor's schema (ajv) and in a real synth of the shipped pair.
 */
describe('the JSON Schema and the CLI agree on values', () => {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(fs.readFileSync(path.join(REPO, SCHEMA_FILE), 'utf8')));
  const root = tempDir();
  let counter = 0;
  type Setter = (config: any, value: unknown) => void;
  const fields: Record<string, Setter> = {
    address: (c, v) => (c.hosts[1].address = v),
    private_address: (c, v) => (c.hosts[1].private_address = v),
    known_peers: (c, v) => (c.network.weave.known_peers = [v]),
    service_cidr: (c, v) => (c.network.service_cidr = v),
    pod_network_cidr: (c, v) => {
      c.network.pod_network_cidr = v;
    },
    ipalloc_default_subnet: (c, v) => (c.network.weave.ipalloc_default_subnet = v),
    trusted_subnets: (c, v) => (c.network.weave.trusted_subnets = [v]),
    ssh_port: (c, v) => (c.hosts[1].ssh_port = v),
    password: (c, v) => (c.network.weave.password = v),
    provider: (c, v) => (c.network.provider = v),
  };
  function tryBoth(field: string, value: unknown) {
    const config = parse(fs.readFileSync(path.join(REPO, 'clusters', 'cluster-a.yml'), 'utf8'));
    fields[field](config, value);
    const dir = path.join(root, `case-${++counter}`);
    // The password is the same in every cluster (a mesh rule): cluster-b gets it too.
    const other = parse(fs.readFileSync(path.join(REPO, 'clusters', 'cluster-b.yml'), 'utf8'));
    if (field === 'password') fields[field](other, value);
    writeInventory(path.join(dir, 'clusters'), { 'cluster-a': stringify(config), 'cluster-b': stringify(other) });
    const cli = run(['check', '--clusters', path.join(dir, 'clusters'), '--outdir', path.join(dir, 'dist')]);
    return { schema: validate(config), cli: !cli.stderr.includes('error: ') };
  }

  it.each([
    ['address', 'banana.example'],
    ['address', '192.0.2.99'],
    ['known_peers', '203.0.113.77'],
    ['service_cidr', '172.20.0.0/16'],
    ['ipalloc_default_subnet', '10.40.0.0/30'],
    ['trusted_subnets', '192.0.2.0/24'],
    ['ssh_port', 2222],
    ['password', './shared_password'],
    ['password', '~/weave/secret'],
    ['password', '/etc/weave/secret'],
    ['password', '/srv/Weave/shared_password'],
    ['provider', 'weave'],
  ])('both accept %s: %j', (field, value) => {
    expect(tryBoth(field, value)).toEqual({ schema: true, cli: true });
  });

  it.each([
    ['address', '192.0.2.300'],
    ['address', '0xc6.51.100.11'],
    ['address', 'under_score'],
    ['private_address', '10.0.0.256'],
    ['known_peers', 'not an address'],
    ['service_cidr', 'banana'],
    ['service_cidr', '172.20.0.0/33'],
    ['service_cidr', '172.20.0.0'],
    ['pod_network_cidr', '10.32.0.0/012'],
    ['ipalloc_default_subnet', '10.40.0.0/31'],
    ['trusted_subnets', '192.0.2.0/x'],
    ['ssh_port', 0],
    ['ssh_port', 65536],
    ['password', 'hunter2'],
    ['password', 'secrets/shared_password'],
    ['password', '/Zx9Kq2mB7vT4nL8pR3sW6yU1oE5iA0c'],
    ['password', './shared password'],
    ['provider', 'calico'],
  ])('both refuse %s: %j', (field, value) => {
    expect(tryBoth(field, value)).toEqual({ schema: false, cli: false });
  });

  it.each([
    ['address', '127.0.0.1'],
    ['service_cidr', '172.20.0.1/16'],
    ['ipalloc_default_subnet', '10.96.0.0/16'],
  ])('leaves to the CLI what no pattern can say (%s: %j): the schema accepts, the CLI refuses', (field, value) => {
    expect(tryBoth(field, value)).toEqual({ schema: true, cli: false });
  });

  it('describes every key', () => {
    const undescribed: string[] = [];
    const walk = (node: any, at: string): void => {
      if (!node || typeof node !== 'object') return;
      for (const [key, child] of Object.entries<any>(node.properties ?? {})) {
        if (typeof child.description !== 'string' || child.description.length < 10) undescribed.push(`${at}.${key}`);
        walk(child, `${at}.${key}`);
      }
      if (node.items) walk(node.items, `${at}[]`);
    };
    walk(JSON.parse(fs.readFileSync(path.join(REPO, SCHEMA_FILE), 'utf8')), '');
    expect(undescribed).toEqual([]);
  });
});
