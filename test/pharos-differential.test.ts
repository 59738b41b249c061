// Needs: ruby
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { readWithPsych } from './psych';
import { TABLE } from './psych-versions';
import { synth, tempDir } from './helpers';

/**
 * Differential test with the real parser: generated inventory files (labels, annotations, ports,
 * booleans, numbers, quoting, merge keys, anchors) are rendered, and Ruby's Psych must read the
 * inventory and the rendered file identically except for the derived fields. The rendered file is the
 * inventory's bytes with surgical edits, so this holds for any Psych; the tests run Debian's Psych
 * 4.0.3, a stand-in for Pharos's 3.0.2. A file weave-mesh refuses must be refused with file:line; one
 * refused because Pharos cannot load it must fail in Psych 4 too, unless what 3.0.2 cannot load is a
 * row of test/psych-versions.ts that only 3.0.2 raises on. All files are read in one ruby process.
 */

const root = tempDir();

const TRICKY = [
  'on',
  'On',
  'TRue',
  'yes',
  'y',
  'n',
  'no',
  'off',
  'null',
  'Null',
  '~',
  '09',
  '010',
  '022',
  '0x1f',
  '0b1_0',
  '1_000',
  '1,000',
  '1_',
  '1e3',
  '1.5e+3',
  '1.',
  '.5',
  '.inf',
  '-.Inf',
  '.NaN',
  '1:20',
  '-1:30',
  '1:20.5',
  '00:50:56:12:34:56',
  '123456789012345678901234567890',
  '0o17',
  'abc',
  'a-b',
  'node-1.example.com',
  '192.0.2.10',
  '10.32.0.0/12',
  '2001-13-40',
  '+1',
  '-0',
  '00',
  '0x_',
  '1,,0',
  'é',
  // Every scalar Psych 3.0.2 and 4.0.3 read differently (test/psych-versions.ts).
  ...TABLE.filter((row) => row.why4 !== undefined).map((row) => row.text),
];

/** Scalars only Psych 3.0.2 cannot load, and only Psych 4.0.3 cannot load (the table's rows). */
const RAISES_ONLY_IN_3 = TABLE.filter((row) => row.why4 !== undefined && row.v3 !== null && typeof row.v3 === 'object' && 'raises' in row.v3).map((row) => row.text);
const RAISES_ONLY_IN_4 = TABLE.filter((row) => row.why4 !== undefined && row.v4 !== null && typeof row.v4 === 'object' && 'raises' in row.v4).map((row) => row.text);

const scalarText = fc.oneof(fc.constantFrom(...TRICKY), fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9._,+~-]{0,7}$/));
/** A scalar as written: plain, single- or double-quoted. */
const written = fc
  .tuple(scalarText, fc.constantFrom('plain', 'plain', 'plain', 'single', 'double', '!!str', '!local "..."'))
  .map(([text, style]) => (style === 'single' ? `'${text.replace(/'/g, "''")}'` : style === 'double' ? JSON.stringify(text) : style === '!!str' ? `!!str ${text}` : style === '!local "..."' ? `!local ${JSON.stringify(text)}` : text));
const key = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_.-]{0,6}$/), fc.constantFrom('on', 'y', '1', '010', 'null'));

/** A labels mapping: explicit keys, inline merges (before or after explicit keys), in block or flow style. */
const labels = fc
  .tuple(
    fc.array(
      fc.oneof(
        fc.tuple(key, written).map(([k, v]) => `${k}: ${v}`),
        fc.tuple(key, written).map(([k, v]) => `<<: {${k}: ${v}}`),
      ),
      { minLength: 1, maxLength: 5 },
    ),
    fc.boolean(),
  )
  .map(([entries, flow]) => (flow ? ` {${entries.join(', ')}}` : entries.map((entry) => `\n      ${entry}`).join('')));

const clusterFile = fc
  .record({
    labels,
    annotations: fc.array(fc.tuple(key, written), { maxLength: 3 }),
    port: fc.constantFrom('22', '022', '0x16', '2_2', '1:20', '0b10110', '+22'),
    noMasq: fc.constantFrom('on', 'TRue', 'yes', 'no', 'NO', 'false', 'Off'),
    firewalld: fc.constantFrom('', 'on', 'Off', 'y', 'TRUE'),
    anchored: fc.boolean(),
    crlf: fc.boolean(),
    // %YAML 1.2 is refused by libyaml before 0.2.3 (test/libyaml-versions.ts), so weave-mesh refuses it.
    directive: fc.constantFrom('', '%YAML 1.1\n---\n', '---\n'),
    dns: fc.constantFrom('2', '02', '0x2', '2_0', '1,0', '0:2'),
  })
  .map((file) => {
    const text = [
      `${file.directive}# generated`,
      'hosts:',
      '  - address: 192.0.2.10',
      '    role: master',
      `    ssh_port: ${file.port}`,
      '  - address: 192.0.2.11',
      '    role: worker',
      `    labels:${file.labels}`,
      ...(file.anchored ? ['    environment: &env {A: "1", B: on}'] : []),
      'network:',
      `  dns_replicas: ${file.dns}`,
      ...(file.firewalld ? [`  firewalld: {enabled: ${file.firewalld}}`] : []),
      '  weave:',
      '    password: ./shared_password',
      '    ipalloc_default_subnet: 10.33.0.0/16',
      `    no_masq_local: ${file.noMasq}`,
      ...(file.annotations.length > 0 || file.anchored ? ['addons:', ...file.annotations.map(([k, v]) => `  ${k}: ${v}`)] : []),
      ...(file.anchored ? ['  copy: *env', '  merged: {<<: *env, C: 010}'] : []),
      '',
    ].join('\n');
    return file.crlf ? text.replace(/\n/g, '\r\n') : text;
  });

const PEER = 'hosts:\n  - {address: 198.51.100.10, role: master}\n  - {address: 198.51.100.11, role: worker}\nnetwork:\n  service_cidr: 172.17.0.0/16\n  weave: {password: ./shared_password, ipalloc_default_subnet: 10.34.0.0/16}\n';

/** What the compared (rendered) files must include between them. */
const FEATURES: Record<string, RegExp> = {
  'block labels': /labels:\r?\n/,
  'flow labels': /labels: \{/,
  'a merge key after an explicit key': /: [^\n]*\n?[^\n]*<<: \{/,
  'a quoted value': /: ['"]/,
  'a tagged value': /: !/,
  annotations: /^addons:\r?\n {2}(?!copy)/m,
  'an anchor and aliases': /&env[\s\S]*\*env/,
  'a port in octal, hex, with _, sexagesimal or binary': /ssh_port: (?:0|0x|2_2|1:20|0b|\+)/,
  'booleans of any case': /no_masq_local: (?:TRue|NO|Off|on)/,
  'firewalld enabled': /firewalld: \{enabled: /,
  'a number with , or _': /dns_replicas: (?:2_0|1,0)/,
  'CRLF line ends': /\r\n/,
  'a %YAML 1.1 directive': /^%YAML 1\.1/,
};

type Typed = unknown;

/** The typed reading without the fields weave-mesh derives. */
function withoutDerived(value: Typed): Typed {
  const drop: Record<string, string[]> = { network: ['weave', 'firewalld'], weave: ['known_peers', 'password'], firewalld: ['trusted_subnets'] };
  const walk = (node: Typed, name: string): Typed => {
    if (!node || typeof node !== 'object' || !Array.isArray((node as { map?: unknown }).map)) return node;
    const pairs = (node as { map: [Typed, Typed][] }).map;
    return {
      map: pairs.filter(([k]) => !(name in drop && name !== 'network' && drop[name].includes(k as string))).map(([k, v]) => [k, typeof k === 'string' && (name === '' || name === 'network') ? walk(v, k) : v]),
    };
  };
  return walk(value, '');
}

describe('Psych reads the inventory and the rendered cluster.yml the same, but for the derived fields', () => {
  it('holds for generated cluster files', () => {
    const files = fc.sample(clusterFile, { numRuns: 60, seed: 1919 });
    const outcomes = files.map((text, index) => {
      const dir = path.join(root, `file-${index}`);
      fs.mkdirSync(path.join(dir, 'clusters'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'clusters', 'cluster-a.yml'), text);
      fs.writeFileSync(path.join(dir, 'clusters', 'cluster-b.yml'), PEER);
      const result = synth(['--clusters', path.join(dir, 'clusters'), '--outdir', path.join(dir, 'dist')]);
      const rendered = path.join(dir, 'dist', 'cluster-a', 'pharos', 'cluster.yml');
      return { text, result, rendered: result.code === 0 ? fs.readFileSync(rendered, 'utf8') : undefined };
    });
    const texts = outcomes.flatMap(({ text, rendered }) => [text, rendered ?? '']);
    const readings = readWithPsych(texts);
    let compared = 0;
    let raisedIn4 = 0;
    const covered = new Set<string>();
    outcomes.forEach(({ text, result, rendered }, index) => {
      const [inventory, output] = [readings[2 * index], readings[2 * index + 1]];
      if (rendered === undefined) {
        // Refused: exit 1, every error located in the file; "cannot load" only when Psych cannot, or
        // when what it names is a scalar only Psych 3.0.2 raises on (+.inf: its l.13 FLOAT, then Float()).
        expect([text, result.code]).toEqual([text, 1]);
        const errors = result.stderr.split('\n').filter((l) => l.startsWith('error:'));
        for (const line of errors) expect([text, line]).toEqual([text, expect.stringMatching(/cluster-a\.yml:\d+:\d+: /)]);
        if (/pharos up cannot load the file/.test(result.stderr) && inventory.error === undefined) {
          for (const line of errors.filter((l) => /pharos up cannot load the file/.test(l))) {
            expect([text, line]).toEqual([text, expect.stringMatching(new RegExp(`: (${RAISES_ONLY_IN_3.map((t) => JSON.stringify(t).replace(/[.+]/g, '\\$&')).join('|')}) is read by Pharos's YAML reader`))]);
          }
        }
        return;
      }
      if (inventory.error !== undefined) {
        // Psych 3.0.2 loads it (weave-mesh rendered it) but Psych 4 raises: a scalar of the table only 4.0.3
        // raises on (0x_: its INTEGER matches, Integer("0x") raises). The rendered file raises the same.
        raisedIn4++;
        expect([text, inventory.error]).toEqual([text, expect.stringMatching(/^ArgumentError: invalid value for Integer\(\): "0[xb]"$/)]);
        expect(RAISES_ONLY_IN_4.some((scalar) => text.includes(scalar))).toBe(true);
        expect([text, output.error]).toEqual([text, inventory.error]);
        return;
      }
      compared++;
      for (const [feature, pattern] of Object.entries(FEATURES)) if (pattern.test(text)) covered.add(feature);
      expect([text, result.code]).toEqual([text, 0]);
      expect([text, output.error]).toEqual([text, undefined]);
      expect([text, withoutDerived(output.value)]).toEqual([text, withoutDerived(inventory.value)]);
      // The derived fields are what was derived: Pharos reads the rebased password and the peer.
      expect(JSON.stringify(output.value)).toContain('["password","../../../clusters/shared_password"]');
      expect(JSON.stringify(output.value)).toContain('["known_peers",["198.51.100.11"]]');
    });
    // The generator must not be refused wholesale: most files render and are compared, with every feature.
    expect(compared).toBeGreaterThan(files.length / 3);
    expect(raisedIn4).toBeLessThan(files.length / 4);
    expect([...covered].sort()).toEqual(Object.keys(FEATURES).sort());
  });
});
