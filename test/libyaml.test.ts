// Needs: ruby
import * as fs from 'fs';
import * as path from 'path';
import { foreignLineBreak } from '../src/inventory/load';
import { libyamlRefusals } from '../src/util/libyaml';
import { parseForEditing } from '../src/util/yaml-splice';
import { LIBYAML_TABLE, LIBYAML_VERSIONS } from './libyaml-versions';
import { PSYCH_UNDER_TEST, readWithPsych } from './psych';
import { synth, tempDir } from './helpers';

/**
 * Nothing is rendered that a libyaml Pharos can run on (0.1.7 to 0.2.5) refuses. CI runs only
 * libyaml 0.2.5 (PSYCH_UNDER_TEST); the older versions' readings are the cited table of
 * test/libyaml-versions.ts, recorded locally with ruby/psych v3.0.2 built on each libyaml.
 */

/** The message of a Psych::SyntaxError as the table records it. */
function short(error: string | undefined): string {
  if (error === undefined) return 'ok';
  return error.replace('Psych::SyntaxError: (cluster.yml): ', '').split(' while ')[0].split(' at line')[0];
}

describe(`the table's libyaml ${PSYCH_UNDER_TEST.libyaml} column is what the real libyaml ${PSYCH_UNDER_TEST.libyaml} (under Psych ${PSYCH_UNDER_TEST.psych}) does`, () => {
  const real = readWithPsych(LIBYAML_TABLE.map((row) => row.text));
  it.each(LIBYAML_TABLE.map((row, index) => [row.name, row, index] as const))('%s', (_name, row, index) => {
    expect(short(real[index].error)).toBe(row['0.2.5']);
  });
});

describe('weave-mesh refuses a text exactly when some libyaml from 0.1.7 to 0.2.5 refuses it (test/libyaml-versions.ts)', () => {
  it.each(LIBYAML_TABLE.map((row) => [row.name, LIBYAML_VERSIONS.map((version) => `${version}: ${row[version]}`).join(', '), row] as const))('%s (%s)', (_name, _readings, row) => {
    const refusedBySome = LIBYAML_VERSIONS.some((version) => row[version] !== 'ok');
    const ours = libyamlRefusals(row.text);
    const before = parseForEditing(row.text, { uniqueKeys: true, logLevel: 'error' }).errors.length > 0 || foreignLineBreak(row.text) !== undefined;
    expect(ours.length > 0 || before).toBe(refusedBySome || row.overRefused !== undefined);
    if (row.refusedBefore === undefined && refusedBySome) expect(ours.length).toBeGreaterThan(0);
    // A rule that only some versions hold says which.
    if (refusedBySome && !LIBYAML_VERSIONS.every((version) => row[version] !== 'ok')) expect(ours.map((refusal) => refusal.message).join('\n')).toMatch(/\b0\.\d\.\d\b/);
  });

  it('the table reaches every rule that differs between versions', () => {
    const differing = LIBYAML_TABLE.filter((row) => new Set(LIBYAML_VERSIONS.map((version) => row[version] === 'ok')).size > 1).map((row) => row.name);
    expect(differing).toEqual(expect.arrayContaining(['yaml12', 'flow-x:y-seq', 'flow-q', 'esc-slash', 'esc-squote', 'tag-comma-block']));
  });
});

describe('a cluster file with what libyaml refuses', () => {
  const root = tempDir();
  const PEER = 'hosts:\n  - {address: 198.51.100.10, role: master}\n  - {address: 198.51.100.11, role: worker}\nnetwork:\n  service_cidr: 172.17.0.0/16\n  weave: {password: ./shared_password, ipalloc_default_subnet: 10.34.0.0/16}\n';

  it('is refused with every place as file:line:column, exit 1, and nothing written', () => {
    const dir = path.join(root, 'many');
    fs.mkdirSync(path.join(dir, 'clusters'), { recursive: true });
    const text = [
      '%YAML 1.2',
      '---',
      'hosts:',
      '  - address: 192.0.2.10 # \f form feed',
      '    role: master',
      '  - address: 192.0.2.11',
      '    role: worker',
      '    labels: {registry: registry.local:5000, window: "02:00-04:00"}',
      '\t',
      'network:',
      '  weave:',
      '    password: "./shared\\/password"',
      '    ipalloc_default_subnet: &sub.net 10.33.0.0/16',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'clusters', 'cluster-a.yml'), text);
    fs.writeFileSync(path.join(dir, 'clusters', 'cluster-b.yml'), PEER);
    const result = synth(['--clusters', path.join(dir, 'clusters'), '--outdir', path.join(dir, 'dist')]);
    expect(result.code).toBe(1);
    const errors = result.stderr.split('\n').filter((line) => line.startsWith('error:'));
    expect(errors.map((line) => /cluster-a\.yml:(\d+:\d+): /.exec(line)?.[1])).toEqual(['1:1', '4:27', '8:38', '9:1', '12:24', '13:29']);
    expect(errors[0]).toMatch(/%YAML 1\.2.*0\.1\.7 to 0\.2\.2 refuse it/);
    expect(errors[1]).toMatch(/control character U\+000C.*even in a comment/);
    expect(errors[2]).toMatch(/"registry\.local:5000" .*0\.1\.7 to 0\.2\.1 refuse.*quote it/);
    expect(errors[3]).toMatch(/tab where libyaml expects indentation/);
    expect(errors[4]).toMatch(/escape "\\\\\/".*0\.1\.7 refuses/);
    expect(errors[5]).toMatch(/anchor name "sub\.net"/);
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });

  it('an entry without a key (`: value`) is refused as libyaml refuses it, not read as a null key', () => {
    const dir = path.join(root, 'empty-key');
    fs.mkdirSync(path.join(dir, 'clusters'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'clusters', 'cluster-a.yml'),
      'hosts:\n  - address: 192.0.2.10\n    role: master\n  - address: 192.0.2.11\n    role: worker\n    labels:\n      : a\nnetwork:\n  weave: {password: ./shared_password, ipalloc_default_subnet: 10.33.0.0/16}\n',
    );
    fs.writeFileSync(path.join(dir, 'clusters', 'cluster-b.yml'), PEER);
    const result = synth(['--clusters', path.join(dir, 'clusters'), '--outdir', path.join(dir, 'dist')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cluster-a\.yml:7:7: has ':' with no key before it, which every libyaml refuses/);
  });
});
