// Needs: ruby
import * as fs from 'fs';
import * as path from 'path';
import { LineCounter, parseDocument } from 'yaml';
import { PATH_KEYS } from '../src/mesh/pharos-paths';
import { readAsPsych } from '../src/util/psych-read';
import { readWithPsych } from './psych';
import { synth, tempDir } from './helpers';

/**
 * What weave-mesh reads is what Psych 3.0.2 reads: the data of readAsPsych against the real Psych (Debian's
 * 4.0.3: merge order, tags and directives are the same code in 3.0.2's to_ruby.rb), as typed JSON.
 */
function typed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(typed);
  if (typeof value === 'bigint') return { int: value.toString() };
  if (typeof value === 'number') return Number.isInteger(value) && !Object.is(value, -0) ? { int: String(value) } : { float: Number.isInteger(value) ? `${value}.0` : String(value) };
  if (value && typeof value === 'object') return { map: Object.entries(value).map(([k, v]) => [k, typed(v)]) };
  return value;
}

describe('readAsPsych', () => {
  it.each([
    ['a merge after an explicit key wins (revive_hash: hash.merge! in document order)', 'a:\n  x: 1\n  <<: {x: 2, y: 3}\n'],
    ['an explicit key after a merge wins', 'a:\n  <<: {x: 2}\n  x: 1\n'],
    ['a list of merges: the first map wins', 'a:\n  <<: [{x: 1}, {x: 2, y: 2}]\n'],
    ['a merge of an alias', 'b: &b {x: 1}\na: {<<: *b, y: 2}\n'],
    ['!!merge and a quoted "<<" (no !!str tag: also a merge in Psych 3.0.2)', 'a:\n  !!merge <<: {x: 1}\n  "<<": {y: 2}\n'],
    ['a %YAML 1.2 directive changes nothing', '%YAML 1.2\n---\na: 022\nb: on\nc: 0o17\n'],
    ['integers beyond 2^53 stay exact, with _ and hex', 'a: 123_456_789_012_345_678_901\nb: 0xFFFFFFFFFFFFFFFFFF\n'],
    ['tags: !!str, !!float, !!int and a local tag', 'a: !!str 010\nb: !!float .5\nc: !!int 12\nd: !local on\n'],
    ['a quoted scalar with a tag goes through the scanner (libyaml: quoted_implicit only without a tag)', 'a: !!int "010"\nb: !local "on"\nc: "on"\nd: ! "12"\n'],
  ])('%s', (_what, text) => {
    const [real] = readWithPsych([text]);
    expect(real.error).toBeUndefined();
    expect(typed(readAsPsych(parseDocument(text, { version: '1.1', uniqueKeys: false }), new LineCounter()).data)).toEqual(real.value);
  });
});

describe('every path Pharos resolves from the config folder is rebased (src/mesh/pharos-paths.ts, read from pharos-cluster v3.2.1)', () => {
  const root = tempDir();

  it.each(PATH_KEYS.map((key) => [key.join('.'), key] as const))('%s', (_name, key) => {
    // The file holding this path key with a relative value, beside a valid cluster.
    const data: Record<string, any> = {
      hosts: [
        { address: '192.0.2.10', role: 'master' },
        { address: '192.0.2.11', role: 'worker' },
      ],
      network: { weave: { password: './shared_password', ipalloc_default_subnet: '10.33.0.0/16' } },
    };
    let holder: any = data;
    key.forEach((part, index) => {
      const last = index === key.length - 1;
      const at = part === '*' ? 0 : part;
      // The password is taken only as an unmistakable path (./ and the like): issue 22's rule.
      if (last) holder[at] = key.join('.') === 'network.weave.password' ? './files/x.pem' : 'files/x.pem';
      else holder = holder[at] ??= key[index + 1] === '*' ? [] : {};
    });
    const dir = path.join(root, key.join('-').replace(/\*/g, 'all'));
    fs.mkdirSync(path.join(dir, 'clusters'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'clusters', 'cluster-a.yml'), JSON.stringify(data));
    fs.writeFileSync(
      path.join(dir, 'clusters', 'cluster-b.yml'),
      JSON.stringify({
        hosts: [
          { address: '198.51.100.1', role: 'master' },
          { address: '198.51.100.2', role: 'worker' },
        ],
        network: { service_cidr: '172.17.0.0/16', weave: { password: key.join('.') === 'network.weave.password' ? './files/x.pem' : './shared_password', ipalloc_default_subnet: '10.34.0.0/16' } },
      }),
    );
    const result = synth(['--clusters', path.join(dir, 'clusters'), '--outdir', path.join(dir, 'dist')]);
    expect(result.code).toBe(0);
    const rendered = fs.readFileSync(path.join(dir, 'dist', 'cluster-a', 'pharos', 'cluster.yml'), 'utf8');
    const [read] = readWithPsych([rendered]);
    expect(read.error).toBeUndefined();
    expect(JSON.stringify(read.value)).toContain(key[key.length - 1] === '*' ? '"../../../clusters/files/x.pem"' : `["${key[key.length - 1]}","../../../clusters/files/x.pem"]`);
    expect(rendered).not.toContain('"files/x.pem"');
  });
});
