// Needs: ruby
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { Document, parseDocument } from 'yaml';
import { WeaveMesh } from '../constructs/weave-mesh';
import { loadInventory } from '../src/inventory/load';
import { Inventory } from '../src/mesh/declaration';
import { codeClusterText } from '../src/output/pharos-yaml';
import { readWithPsych } from './psych';
import { TABLE } from './psych-versions';
import { PEER_B, run, runCli, synth, tempDir } from './helpers';

/**
 * The rendered cluster.yml is the inventory file's own text with surgical edits (issue 19): what is
 * kept byte for byte, what is edited, what is refused with file:line, as Ruby's Psych reads it (test/psych.ts: Debian's Psych 4.0, a stand-in
 * for Pharos's 3.0.2; the scalars they read differently are the table of test/psych-versions.ts).
 */

const root = tempDir();
let counter = 0;

/** Renders cluster-a (the text under test) beside a plain cluster-b; returns the result and cluster-a's rendered text. */
function render(clusterA: string | Buffer, options: { args?: string[] } = {}) {
  const dir = path.join(root, `case-${++counter}`);
  const inventory = path.join(dir, 'clusters');
  fs.mkdirSync(inventory, { recursive: true });
  fs.writeFileSync(path.join(inventory, 'cluster-a.yml'), clusterA);
  fs.writeFileSync(path.join(inventory, 'cluster-b.yml'), PEER_B);
  const outdir = path.join(dir, 'dist');
  const result = synth(['--clusters', inventory, '--outdir', outdir, ...(options.args ?? [])]);
  const file = path.join(outdir, 'cluster-a', 'pharos', 'cluster.yml');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  return { result, text, inventory, outdir, body: text.replace(/^(# .*\r?\n)+/, '') };
}

const A = (network: string, extra = '') => `hosts:
  - address: 192.0.2.10
    role: master
  - address: 192.0.2.11
    role: worker
${extra}network:
${network}`;

describe('kept byte for byte', () => {
  it('keeps labels Psych reads differently from the YAML 1.1 spec (09, y, 1e3, a MAC), comments, quoting and a %YAML 1.1 directive', () => {
    // In a flow mapping a plain `x:y` is refused by libyaml before 0.2.2 (test/libyaml-versions.ts): those are block style here.
    const source = `%YAML 1.1
---
# cluster A, by hand
hosts:
  - address: 192.0.2.10
    role: master
    ssh_port: 022 # 18 for Pharos
  - address: '192.0.2.11'
    role: "worker"
    labels:
      rack: 09
      gpu: y
      ratio: 1e3
      mac: 00:50:56:12:34:56
      big: 123456789012345678901234567890
      sexagesimal: 1:20
network:
  weave:
    password: ./shared_password   # spaces kept
    ipalloc_default_subnet: 10.33.0.0/16
`;
    const { result, body } = render(source);
    expect(result.stderr).toBe('');
    expect(body).toBe(source.replace('./shared_password   #', '../../../clusters/shared_password   #') + '    known_peers:\n      - 198.51.100.11\n');
    const [before, after] = readWithPsych([source, body]);
    expect((after.value as any).map[0][1][0].map).toEqual((before.value as any).map[0][1][0].map);
    expect(JSON.stringify(before.value)).toContain('{"int":"18"}');
    expect(JSON.stringify(after.value)).toContain('"09"');
  });

  it('keeps CRLF line ends, header included', () => {
    const source = A('  weave:\r\n    password: ./shared_password\r\n    ipalloc_default_subnet: 10.33.0.0/16\r\n').replace(/\r?\n/g, '\r\n');
    const { result, text } = render(source);
    expect(result.stderr).toBe('');
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(text).toContain('    known_peers:\r\n      - 198.51.100.11\r\n');
  });

  it('keeps anchors and merge keys that no edit touches', () => {
    const source = A('  weave:\n    password: ./shared_password\n    ipalloc_default_subnet: 10.33.0.0/16\n', 'addons:\n  a: &labels {zone: "1"}\n  b: {<<: *labels, rack: 2}\n');
    const { result, body } = render(source);
    expect(result.stderr).toBe('');
    expect(body).toContain('addons:\n  a: &labels {zone: "1"}\n  b: {<<: *labels, rack: 2}\n');
  });
});

describe('edited', () => {
  it('renders an inline merge key without an alias and a !!merge << (issue 22: these crashed with exit 2)', () => {
    const inline = render(A('  weave: {<<: {password: ./shared_password}, ipalloc_default_subnet: 10.33.0.0/16}\n'));
    expect(inline.result.stderr).toBe('');
    expect(inline.result.code).toBe(0);
    expect(inline.body).toContain('  weave: {<<: {password: ../../../clusters/shared_password}, ipalloc_default_subnet: 10.33.0.0/16, known_peers: [198.51.100.11]}\n');
    const tagged = render(A('  weave:\n    !!merge <<: {password: ./shared_password}\n    ipalloc_default_subnet: 10.33.0.0/16\n'));
    expect(tagged.result.code).toBe(0);
    const [read] = readWithPsych([tagged.body]);
    expect(read.error).toBeUndefined();
    expect(JSON.stringify(read.value)).toContain('["password","../../../clusters/shared_password"]');
  });

  it('reads firewalld.enabled as Psych does (TRue is true) and appends the peers to trusted_subnets in its own style', () => {
    const block = render(A('  firewalld:\n    enabled: TRue\n    trusted_subnets:\n      - 203.0.113.0/24 # office\n  weave:\n    password: ./shared_password\n    ipalloc_default_subnet: 10.33.0.0/16\n'));
    expect(block.result.stderr).toBe('');
    expect(block.body).toContain('    enabled: TRue\n    trusted_subnets:\n      - 203.0.113.0/24 # office\n      - 198.51.100.11\n');
    const flow = render(A('  firewalld: {enabled: on, trusted_subnets: ["203.0.113.0/24"]}\n  weave:\n    password: ./shared_password\n    ipalloc_default_subnet: 10.33.0.0/16\n'));
    expect(flow.body).toContain('  firewalld: {enabled: on, trusted_subnets: ["203.0.113.0/24", 198.51.100.11]}\n');
    const none = render(A('  firewalld:\n    enabled: yes\n  weave:\n    password: ./shared_password\n    ipalloc_default_subnet: 10.33.0.0/16\n'));
    expect(none.body).toContain('    enabled: yes\n    trusted_subnets:\n      - 198.51.100.11\n  weave:\n');
  });

  it("rebases external etcd's certificate, key and CA (pharos-cluster v3.2.1 phases/setup_master.rb lines 29-31: File.open(@config.etcd.*))", () => {
    const { result, body } = render(
      A('  weave:\n    password: ./shared_password\n    ipalloc_default_subnet: 10.33.0.0/16\n', 'etcd:\n  endpoints: ["https://192.0.2.5:2379"]\n  certificate: certs/etcd.pem\n  key: "certs/etcd-key.pem"\n  ca_certificate: /etc/ssl/ca.pem\n'),
    );
    expect(result.stderr).toBe('');
    expect(body).toContain('  certificate: ../../../clusters/certs/etcd.pem\n  key: "../../../clusters/certs/etcd-key.pem"\n  ca_certificate: /etc/ssl/ca.pem\n');
  });

  it('replaces known_peers written in the file with the derived list, in place', () => {
    const { body } = render(A('  weave:\n    known_peers: [203.0.113.9] # outside the inventory\n    password: ./shared_password\n    ipalloc_default_subnet: 10.33.0.0/16\n'));
    expect(body).toContain('    known_peers:\n      - 198.51.100.11\n      - 203.0.113.9 # outside the inventory\n    password:');
  });
});

describe('the inventory parsed once', () => {
  it('splices the parse the file was validated with, and parses again a text given without its own parse', () => {
    const { inventory } = render(A('  weave:\n    password: ./shared_password\n    ipalloc_default_subnet: 10.33.0.0/16\n', '# a comment\n'));
    const rendered = (inventory: Inventory) => new WeaveMesh(new App(), 'mesh', { inventory, outdir: 'dist', gitops: { repoURL: 'https://git.example.org/mesh.git' } }).render().get('cluster-a/pharos/cluster.yml');
    const loaded = loadInventory(inventory);
    const expected = rendered(loaded);
    expect(expected).toMatch(/# a comment\n[^]*known_peers:\n {6}- 198\.51\.100\.11\n$/);
    // A declaration with the text and no parse, or with the parse of another text (positions elsewhere), renders the same.
    const withDocument = (document: (text: string) => Document | undefined): Inventory => ({
      ...loaded,
      declarations: loaded.declarations.map((declaration) => ({ ...declaration, document: document(declaration.text!) })),
    });
    expect(rendered(withDocument(() => undefined))).toBe(expected);
    expect(rendered(withDocument((text) => parseDocument(`# shifted\n${text}`, { version: '1.1' })))).toBe(expected);
  });
});

describe('refused with file:line', () => {
  it.each([
    [
      'weave from an anchor used elsewhere',
      `${A('  weave: &w\n    password: ./shared_password\n    ipalloc_default_subnet: 10.33.0.0/16\n')}addons:\n  copy: *w\n`,
      /cluster-a\.yml:8:5: network\.weave has the anchor &w, which an alias repeats elsewhere/,
    ],
    [
      'the password merged from an anchor',
      A('  weave:\n    <<: *p\n    ipalloc_default_subnet: 10.33.0.0/16\n', 'addons:\n  p: &p {password: ./shared_password}\n'),
      /cluster-a\.yml:10:5: network\.weave\.password comes from the merge key \(<<\) here, of an anchor written elsewhere/,
    ],
    [
      'a Symbol (:10254)',
      A('  weave:\n    password: ./shared_password\n    ipalloc_default_subnet: 10.33.0.0/16\n', 'addons:\n  port: :10254\n'),
      /cluster-a\.yml:7:9: addons\.port: ":10254" is read by Pharos's YAML reader \(Ruby 2\.5's Psych 3\.0\) as a Symbol/,
    ],
    [
      'a !ruby/object tag',
      A('  weave:\n    password: ./shared_password\n    ipalloc_default_subnet: 10.33.0.0/16\n', 'addons:\n  x: !ruby/object:Object {}\n'),
      /cluster-a\.yml:7:\d+: addons\.x: "!ruby\/object:Object" .*which YAML\.safe_load refuses, so pharos up cannot load the file; remove the tag/,
    ],
    [
      'a port Psych 3.0 and 4.0 read differently',
      A('  weave:\n    password: ./shared_password\n    ipalloc_default_subnet: 10.33.0.0/16\n').replace('role: master', 'role: master\n    ssh_port: 22_'),
      /cluster-a\.yml:4:15: hosts\[0\]\.ssh_port: "22_" is read by Pharos's YAML reader \(Ruby 2\.5's Psych 3\.0\) as 22, by Psych 4\.0 as the string "22_"/,
    ],
  ])('%s', (_what, source, message) => {
    const { result, text } = render(source);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(text).toBe('');
  });

  it('names every value Pharos cannot load, and every one the two Psych versions read differently, at once', () => {
    const source = A('  weave:\n    password: ./shared_password\n    ipalloc_default_subnet: 10.33.0.0/16\n', 'addons:\n  port: :10254\n  x: !ruby/object:Object {}\n').replace('role: master', 'role: master\n    ssh_port: 22_');
    const { result } = render(source);
    expect(result.code).toBe(1);
    const errors = result.stderr.split('\n').filter((line) => line.startsWith('error: '));
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/hosts\[0\]\.ssh_port: "22_" is read by Pharos's YAML reader/);
    expect(errors[1]).toMatch(/addons\.port: ":10254" is read by Pharos's YAML reader \(Ruby 2\.5's Psych 3\.0\) as a Symbol/);
    expect(errors[2]).toMatch(/addons\.x: "!ruby\/object:Object" /);
  });

  it('refuses a Latin-1 file, as libyaml does, rather than decoding it with U+FFFD', () => {
    const source = Buffer.concat([Buffer.from(`${A('  weave:\n    password: ./shared_password\n    ipalloc_default_subnet: 10.33.0.0/16\n')}addons:\n  city: M`), Buffer.from([0xfc]), Buffer.from('nchen\n')]);
    const { result } = render(source);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cluster-a\.yml:11:10: is not valid UTF-8 \(byte 0xfc\)/);
  });

  it('says what Pharos reads when a field we read holds another type (role: on is true)', () => {
    const { result } = render(A('  weave:\n    password: ./shared_password\n    ipalloc_default_subnet: 10.33.0.0/16\n').replace('role: worker', 'role: On'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/hosts\[1\]\.role: must be master or worker, not true \(a boolean\); Pharos's YAML reader \(Ruby 2\.5's Psych 3\.0\) reads the plain On as true/);
  });
});

describe('allocate', () => {
  it('adds exactly the subnet line, and nothing else changes (slot: 010 stays, CRLF stays)', () => {
    const dir = path.join(root, 'allocate');
    fs.mkdirSync(path.join(dir, 'clusters'), { recursive: true });
    const source = A('  weave:\r\n    password: ./shared_password # the shared secret\r\n', 'addons:\r\n  slot: 010\r\n  long: ' + 'x'.repeat(200) + '\r\n').replace(/\r?\n/g, '\r\n');
    fs.writeFileSync(path.join(dir, 'clusters', 'cluster-a.yml'), source);
    fs.writeFileSync(path.join(dir, 'clusters', 'cluster-b.yml'), PEER_B);
    const result = run(['allocate', 'cluster-a', '--clusters', path.join(dir, 'clusters'), '--outdir', path.join(dir, 'dist')]);
    expect(result.stderr).toBe('');
    expect(fs.readFileSync(path.join(dir, 'clusters', 'cluster-a.yml'), 'utf8')).toBe(`${source}    ipalloc_default_subnet: 10.32.0.0/16\r\n`);
  });

  it('replaces exactly an empty value', () => {
    const dir = path.join(root, 'allocate-empty');
    fs.mkdirSync(path.join(dir, 'clusters'), { recursive: true });
    const source = A('  weave:\n    ipalloc_default_subnet:   # to allocate\n    password: ./shared_password\n');
    fs.writeFileSync(path.join(dir, 'clusters', 'cluster-a.yml'), source);
    fs.writeFileSync(path.join(dir, 'clusters', 'cluster-b.yml'), PEER_B);
    const result = run(['allocate', 'cluster-a', '--clusters', path.join(dir, 'clusters'), '--outdir', path.join(dir, 'dist')]);
    expect(result.stderr).toBe('');
    expect(fs.readFileSync(path.join(dir, 'clusters', 'cluster-a.yml'), 'utf8')).toBe(source.replace('ipalloc_default_subnet:   #', 'ipalloc_default_subnet: 10.32.0.0/16   #'));
  });
});

describe('real paths (issue 22): the output is the same however --clusters and --outdir are spelled', () => {
  it('renders byte-identical files from a relative, an absolute, a symlinked and a .. spelling', () => {
    fs.mkdirSync(path.join(root, 'spelling'));
    const dir = fs.realpathSync(path.join(root, 'spelling'));
    fs.mkdirSync(path.join(dir, 'work', 'clusters'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'work', 'clusters', 'cluster-a.yml'), A('  weave:\n    password: ./shared_password\n    ipalloc_default_subnet: 10.33.0.0/16\n'));
    fs.writeFileSync(path.join(dir, 'work', 'clusters', 'cluster-b.yml'), PEER_B);
    fs.symlinkSync(path.join(dir, 'work'), path.join(dir, 'link'));
    const spellings: [string, string[]][] = [
      [path.join(dir, 'work'), ['--clusters', 'clusters', '--outdir', 'dist']],
      [path.join(dir, 'work'), ['--clusters', path.join(dir, 'work', 'clusters'), '--outdir', path.join(dir, 'work', 'dist')]],
      [path.join(dir, 'link'), ['--clusters', path.join(dir, 'link', 'clusters'), '--outdir', path.join(dir, 'link', 'dist')]],
      [path.join(dir, 'work'), ['--clusters', '../link/clusters', '--outdir', '../work/./dist']],
    ];
    const texts = spellings.map(([cwd, args]) => {
      fs.rmSync(path.join(dir, 'work', 'dist'), { recursive: true, force: true });
      const result = runCli(['synth', ...args], { cwd, env: { PWD: cwd } });
      expect(result.stderr).toBe('');
      return fs.readFileSync(path.join(dir, 'work', 'dist', 'cluster-a', 'pharos', 'cluster.yml'), 'utf8');
    });
    expect(texts[0]).toContain('password: ../../../clusters/shared_password');
    expect(new Set(texts).size).toBe(1);
  });
});

describe('a cluster declared in TypeScript', () => {
  it('is written so that Psych reads back exactly its strings, numbers and booleans, even the strings Psych 3.0.2 and 4.0 read differently', () => {
    const strings = [
      'on',
      'TRue',
      'y',
      '010',
      '09',
      '0x1f',
      '1_000',
      '1,000',
      '1e3',
      '1:20',
      ':10254',
      '2001-12-14',
      '.inf',
      '~',
      '',
      'null',
      'a: b',
      '- a',
      '#x',
      'plain',
      '192.0.2.10',
      'é',
      'line\nbreak',
      ...TABLE.filter((row) => row.why4 !== undefined).map((row) => row.text),
    ];
    const config = { labels: Object.fromEntries(strings.map((value, index) => [`k${index}`, value])), port: 22, big: 2 ** 40, flag: true, none: null };
    const text = codeClusterText(config);
    const [read] = readWithPsych([text]);
    expect(read.error).toBeUndefined();
    expect(read.value).toEqual({
      map: [
        ['labels', { map: strings.map((value, index) => [`k${index}`, value]) }],
        ['port', { int: '22' }],
        ['big', { int: String(2 ** 40) }],
        ['flag', true],
        ['none', null],
      ],
    });
    expect(text).toContain('k19: plain\n');
  });

  it('escapes the characters libyaml reads as a line break or refuses, in values and in keys', () => {
    // The yaml package writes these raw inside double quotes. Read back locally with Psych 3.0.2 on
    // libyaml 0.1.7 (built from ruby/psych v3.0.2 and yaml/libyaml 0.1.7), before this escape: NEL
    // folded to a space ("a\u0085b" read as "a b"), and DEL, U+0080 or U+FFFE made it refuse the whole
    // file ("control characters are not allowed at line 1 column 1"); libyaml 0.2.5 (CI) does the same.
    const odd = ['a\u0085b', 'a\u007fb', 'a\u0080b', 'a\u009fb', 'a\u2028b', 'a\u2029b', 'a\ufeffb', 'a\ufffeb', 'a\uffffb'];
    const config = { labels: Object.fromEntries(odd.map((value) => [value, value])) };
    const text = codeClusterText(config);
    expect(text).not.toMatch(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/);
    expect(text).toContain('"a\\Nb": "a\\Nb"\n');
    expect(text).toContain('"a\\x7fb": "a\\x7fb"\n');
    expect(text).toContain('"a\\ufffeb": "a\\ufffeb"\n');
    const [read] = readWithPsych([text]);
    expect(read.error).toBeUndefined();
    expect(read.value).toEqual({ map: [['labels', { map: odd.map((value) => [value, value]) }]] });
  });
});
