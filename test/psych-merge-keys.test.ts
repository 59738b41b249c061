// Needs: ruby
import * as fs from 'fs';
import * as path from 'path';
import { LineCounter, parseDocument } from 'yaml';
import { readAsPsych } from '../src/util/psych-read';
import { readWithPsych } from './psych';
import { synth, tempDir } from './helpers';

/**
 * A merge key `<<` whose value is not a hash: Psych keeps it as an ordinary key. ruby/psych v3.0.2
 * lib/psych/visitors/to_ruby.rb `revive_hash` branches on the node as written: an alias or a mapping
 * goes to `hash.merge! val`, a sequence to `merge!` item by item, each in `begin ... rescue TypeError;
 * hash[key] = val`; any other node is `hash[key] = val`. Checked with Psych 3.0.2 built from that tag
 * on libyaml 0.1.7; the test runs Debian's Psych 4.0.3, whose revive_hash is the same code.
 */
const BASE = 'hosts:\n  - address: 192.0.2.10\n    role: master\n  - address: 192.0.2.11\n    role: worker\nnetwork:\n';
const B = 'hosts:\n  - {address: 198.51.100.1, role: master}\n  - {address: 198.51.100.2, role: worker}\nnetwork:\n  service_cidr: 172.17.0.0/16\n  weave: {password: ./shared_password, ipalloc_default_subnet: 10.34.0.0/16}\n';

const root = tempDir();
let count = 0;
function caseDir(): string {
  const dir = path.join(root, String(count++));
  fs.mkdirSync(dir);
  return dir;
}

function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe('merge values Psych keeps as keys (revive_hash v3.0.2)', () => {
  it.each([
    ['a scalar', 'a:\n  x: 1\n  <<: ./x\n', { a: { x: 1, '<<': './x' } }],
    ['an alias of a list of scalars', 'l: &l [10.200.0.0/16]\na:\n  <<: *l\n', { l: ['10.200.0.0/16'], a: { '<<': ['10.200.0.0/16'] } }],
    ['an alias of a list of maps (merge! of an Array)', 'h: &h [{x: 1}]\na: {<<: *h, y: 2}\n', { h: [{ x: 1 }], a: { '<<': [{ x: 1 }], y: 2 } }],
    ['a list holding a non-map, nothing merged', 'a:\n  x: 1\n  <<: [{x: 2}, 3]\n', { a: { x: 1, '<<': [{ x: 2 }, 3] } }],
    ['an alias of a scalar', 's: &s ./x\na: {<<: *s}\n', { s: './x', a: { '<<': './x' } }],
    ['no value', 'a:\n  <<:\n', { a: { '<<': null } }],
  ])('%s', (_what, text, expected) => {
    const [real] = readWithPsych([text]);
    expect(real.error).toBeUndefined();
    const ours = readAsPsych(parseDocument(text, { version: '1.1', uniqueKeys: false }), new LineCounter()).data;
    expect(plain(ours)).toEqual(expected);
  });

  it.each([
    ['<<: ./x in weave (mrg3)', `${BASE}  weave:\n    password: ./shared_password\n    ipalloc_default_subnet: 10.33.0.0/16\n    <<: ./x\n`, /cluster-a\.yml:10:5: .*network\.weave\.<<: is not a Pharos setting/],
    [
      '<<: *alias of a list in firewalld (mrg2)',
      `${BASE}  weave: {password: ./shared_password, ipalloc_default_subnet: 10.33.0.0/16}\n  firewalld:\n    enabled: true\n    trusted_subnets: &t [10.200.0.0/16]\n    <<: *t\n`,
      /cluster-a\.yml:10:25: network\.firewalld\.trusted_subnets has the anchor &t/,
    ],
  ])('synth refuses %s with file:line, not "Merge sources must be maps"', (_what, text, message) => {
    const dir = caseDir();
    fs.mkdirSync(path.join(dir, 'clusters'));
    fs.writeFileSync(path.join(dir, 'clusters', 'cluster-a.yml'), text);
    fs.writeFileSync(path.join(dir, 'clusters', 'cluster-b.yml'), B);
    const result = synth(['--clusters', path.join(dir, 'clusters'), '--outdir', path.join(dir, 'dist')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain('Merge sources');
  });
});

describe('errors point at the value Psych reads, through merges', () => {
  it('a later merge overrides ipalloc_default_subnet: the error names the merged value (qm1)', () => {
    const dir = caseDir();
    fs.mkdirSync(path.join(dir, 'clusters'));
    const text = `${BASE}  weave:\n    password: ./shared_password\n    ipalloc_default_subnet: 10.33.0.0/16\n    "<<": {ipalloc_default_subnet: 10.99.0.0/16}\n`;
    fs.writeFileSync(path.join(dir, 'clusters', 'cluster-a.yml'), text);
    fs.writeFileSync(path.join(dir, 'clusters', 'cluster-b.yml'), B);
    const [real] = readWithPsych([text]);
    expect(JSON.stringify(real.value)).toContain('10.99.0.0/16');
    const result = synth(['--clusters', path.join(dir, 'clusters'), '--outdir', path.join(dir, 'dist')]);
    expect(result.code).toBe(1);
    // Line 10 `    "<<": {ipalloc_default_subnet: 10.99.0.0/16}`, the value at column 36; not line 9 (10.33.0.0/16).
    expect(result.stderr).toMatch(/cluster-a\.yml:10:36: .*ipalloc_default_subnet: 10\.99\.0\.0\/16 is not inside pod_network_cidr/);
  });
});
