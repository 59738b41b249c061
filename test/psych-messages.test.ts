import * as fs from 'fs';
import * as path from 'path';
import { synth, tempDir } from './helpers';

/** Messages about how Pharos's Psych reads a value say what was written: its tag, or nothing at all. */
const HOSTS = 'hosts:\n  - address: 192.0.2.10\n    role: master\n  - address: 192.0.2.11\n    role: worker\n';
const B = 'hosts:\n  - {address: 198.51.100.1, role: master}\n  - {address: 198.51.100.2, role: worker}\nnetwork:\n  service_cidr: 172.17.0.0/16\n  weave: {password: ./shared_password, ipalloc_default_subnet: 10.34.0.0/16}\n';
const root = tempDir();
let count = 0;

function synthA(text: string) {
  const dir = path.join(root, String(count++));
  fs.mkdirSync(path.join(dir, 'clusters'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'clusters', 'cluster-a.yml'), text);
  fs.writeFileSync(path.join(dir, 'clusters', 'cluster-b.yml'), B);
  return synth(['--clusters', path.join(dir, 'clusters'), '--outdir', path.join(dir, 'dist')]);
}

describe('an empty or tagged trusted_subnets', () => {
  it.each([
    ['a tab before a flow end', `${HOSTS}network:\n  weave: {password: ./shared_password, ipalloc_default_subnet: 10.33.0.0/16,\ttrusted_subnets:\t}\n`, /network\.weave\.trusted_subnets: must be a list of IPv4 CIDRs, not empty \[shape\]/],
    [
      'nothing before a flow end',
      `${HOSTS}network:\n  weave: {password: ./shared_password, ipalloc_default_subnet: 10.33.0.0/16}\n  firewalld: {enabled: true, trusted_subnets: }\n`,
      /network\.firewalld\.trusted_subnets: must be a list of IPv4 addresses or CIDRs, not empty \[shape\]/,
    ],
    [
      '!!null',
      `${HOSTS}network:\n  weave: {password: ./shared_password, ipalloc_default_subnet: 10.33.0.0/16}\n  firewalld:\n    enabled: true\n    trusted_subnets: !!null\n`,
      /trusted_subnets: must be a list of IPv4 addresses or CIDRs, not empty; Pharos's YAML reader \(Ruby 2\.5's Psych 3\.0\) reads "!!null" as null \(an empty value\): the tag !!null applied to an empty value \[shape\]/,
    ],
  ])('%s: the message says what was written', (_what, text, message) => {
    const result = synthA(text);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain('the plain  as');
  });
});

describe('nested lists that Pharos v3.2.1 config_schema.rb refuses', () => {
  it.each([
    [
      'manifests',
      `${HOSTS}network:\n  weave: {password: ./shared_password, ipalloc_default_subnet: 10.33.0.0/16}\nmanifests: [./m1.yml, [./n.yml]]\n`,
      /cluster-a\.yml:8:23: cluster cluster-a: manifests\[1\]: must be a file path written as a string, not a list; .*config_schema\.rb l\.232 .*no nested list \[shape\]/,
    ],
    [
      'firewalld trusted_subnets',
      `${HOSTS}network:\n  weave: {password: ./shared_password, ipalloc_default_subnet: 10.33.0.0/16}\n  firewalld: {enabled: true, trusted_subnets: [10.1.0.0/16, [10.2.0.0/16]]}\n`,
      /cluster-a\.yml:8:61: cluster cluster-a: network\.firewalld\.trusted_subnets\[1\]: must be an IPv4 address or CIDR written as a string, not a list; .*config_schema\.rb l\.134 .*no nested list \[shape\]/,
    ],
  ])('%s: refused with file:line and the schema line', (_what, text, message) => {
    const result = synthA(text);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
  });
});

/**
 * A relative ssh_key_path shared between hosts through an anchor or a merge stays refused (docs/yaml-splicing.md,
 * "Shared paths"): Psych reads each host's path as written, but the splicer edits text, and one anchored text
 * may also land in places weave-mesh does not rebase. The message says exactly what to write instead.
 */
describe('a relative ssh_key_path shared through an anchor or a merge', () => {
  it.each([
    [
      'an anchor and an alias (an1)',
      `hosts:\n  - address: 192.0.2.10\n    role: master\n    ssh_key_path: &k ./id_rsa\n  - address: 192.0.2.11\n    role: worker\n    ssh_key_path: *k\nnetwork:\n  weave: {password: ./shared_password, ipalloc_default_subnet: 10.33.0.0/16}\n`,
      /cluster-a\.yml:4:22: hosts\.0\.ssh_key_path has the anchor &k, .*Write ssh_key_path: \.\/id_rsa at each place instead of &k and every \*k/,
    ],
    [
      'quoted, the quotes kept in the advice',
      `hosts:\n  - address: 192.0.2.10\n    role: master\n    ssh_key_path: &k "./id_rsa"\n  - address: 192.0.2.11\n    role: worker\n    ssh_key_path: *k\nnetwork:\n  weave: {password: ./shared_password, ipalloc_default_subnet: 10.33.0.0/16}\n`,
      /Write ssh_key_path: "\.\/id_rsa" at each place/,
    ],
    [
      'a merge of an anchored mapping (an2)',
      `x-host: &h\n  role: worker\n  ssh_key_path: ./id_rsa\nhosts:\n  - address: 192.0.2.10\n    role: master\n  - <<: *h\n    address: 192.0.2.11\nnetwork:\n  weave: {password: ./shared_password, ipalloc_default_subnet: 10.33.0.0/16}\n`,
      /cluster-a\.yml:7:5: hosts\.1\.ssh_key_path comes from the merge key \(<<\) here, .*Write ssh_key_path: \.\/id_rsa out in this mapping, after the merge/,
    ],
  ])('%s: refused, saying what to write', (_what, text, message) => {
    const result = synthA(text);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
  });

  it('written out per host as the message says, it is accepted and rebased for each host', () => {
    const result = synthA(
      `hosts:\n  - address: 192.0.2.10\n    role: master\n    ssh_key_path: ./id_rsa\n  - address: 192.0.2.11\n    role: worker\n    ssh_key_path: ./id_rsa\nnetwork:\n  weave: {password: ./shared_password, ipalloc_default_subnet: 10.33.0.0/16}\n`,
    );
    expect(result.code).toBe(0);
    const rendered = fs.readFileSync(path.join(root, String(count - 1), 'dist', 'cluster-a', 'pharos', 'cluster.yml'), 'utf8');
    expect(rendered.match(/ssh_key_path: \.\.\/\.\.\/\.\.\/clusters\/id_rsa$/gm)).toHaveLength(2);
  });
});
