// Needs: ruby
import * as fs from 'fs';
import * as path from 'path';
import { readWithPsych } from './psych';
import { synth, tempDir } from './helpers';

/**
 * Every field weave-mesh reads is taken with the type Pharos's own schema gives it
 * (kontena/pharos-cluster v3.2.1 lib/pharos/config_schema.rb, lines cited per row), read as Psych
 * 3.0.2 reads the text; a value refused is named with file:line:column, exit 1, and nothing written.
 * Pharos validates with dry-validation 0.12.1's Params schema, whose dry-types 0.13.2 coercions
 * (coercions/params.rb l.8-10, l.32-40) also turn text into booleans and integers (`y` -> true,
 * `"22"` -> 22); weave-mesh takes only the YAML type itself, so that it and Pharos read one value.
 */

const root = tempDir();
let counter = 0;

const PEER = 'hosts:\n  - {address: 198.51.100.10, role: master}\n  - {address: 198.51.100.11, role: worker}\nnetwork:\n  service_cidr: 172.17.0.0/16\n  weave: {password: ./shared_password, ipalloc_default_subnet: 10.34.0.0/16}\n';

/** cluster-a with `host` lines added to its worker, `network` lines added under network:, and `weave` lines under weave:. */
function clusterA(parts: { host?: string; network?: string; weave?: string; password?: string; extra?: string } = {}): string {
  return [
    'hosts:',
    '  - address: 192.0.2.10',
    '    role: master',
    '  - address: 192.0.2.11',
    '    role: worker',
    ...(parts.host ? [`    ${parts.host}`] : []),
    'network:',
    ...(parts.network ? [`  ${parts.network}`] : []),
    '  weave:',
    `    password: ${parts.password ?? './shared_password'}`,
    '    ipalloc_default_subnet: 10.33.0.0/16',
    ...(parts.weave ? [`    ${parts.weave}`] : []),
    ...(parts.extra ? [parts.extra] : []),
    '',
  ].join('\n');
}

function render(text: string) {
  const dir = path.join(root, `case-${++counter}`);
  fs.mkdirSync(path.join(dir, 'clusters'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'clusters', 'cluster-a.yml'), text);
  fs.writeFileSync(path.join(dir, 'clusters', 'cluster-b.yml'), PEER);
  fs.writeFileSync(path.join(dir, 'clusters', 'shared_password'), 'not-a-real-secret\n');
  const result = synth(['--clusters', path.join(dir, 'clusters'), '--outdir', path.join(dir, 'dist')]);
  return { result, dist: path.join(dir, 'dist') };
}

describe("refused where Pharos's schema types the field otherwise (config_schema.rb v3.2.1)", () => {
  it.each([
    // [what, the file's parts, line:column of the value, message]
    ['l.124 firewalld.enabled `filled(:bool?)`: y is the string "y" to Psych 3.0.2 (Pharos would coerce it to true)', { network: 'firewalld: {enabled: y}' }, '7:24', /network\.firewalld\.enabled: must be true or false, not y; write true or false/],
    ['l.124 firewalld.enabled: 09 is the string "09"', { network: 'firewalld: {enabled: 09}' }, '7:24', /network\.firewalld\.enabled: must be true or false, not 09/],
    ['l.124 firewalld.enabled: ~ is null, which `filled` refuses', { network: 'firewalld: {enabled: ~}' }, '7:24', /network\.firewalld\.enabled: must be true or false, not empty/],
    ['l.124 firewalld.enabled: 1 is an Integer', { network: 'firewalld: {enabled: 1}' }, '7:24', /network\.firewalld\.enabled: must be true or false, not 1 \(a number\)/],
    ['l.124 firewalld.enabled: !!bool "y" is the string "y" in Psych 3.0.2 (to_ruby.rb l.117: tokenize the text)', { network: 'firewalld: {enabled: !!bool "y"}' }, '7:31', /network\.firewalld\.enabled: must be true or false, not y/],
    ['l.124 `required(:enabled)` under firewalld', { network: 'firewalld: {trusted_subnets: [203.0.113.0/24]}' }, '7:14', /network\.firewalld\.enabled: is missing; add enabled: true or enabled: false/],
    ['l.134 firewalld.trusted_subnets `each(:str?)`', { network: 'firewalld: {enabled: true, trusted_subnets: [10]}' }, '7:48', /network\.firewalld\.trusted_subnets\[0\]: must be an IPv4 address or CIDR written as a string, not 10 \(a number\)/],
    ['l.119 dns_replicas `filled(:int?, gt?: 0)`', { network: 'dns_replicas: 0' }, '7:17', /network\.dns_replicas: must be a whole number from 1, not 0/],
    ['l.90 ssh_port `filled(:int?, gt?: 0, lt?: 65_536)`: !!int "22\\r" is the string "22\\r" (no crash)', { host: 'ssh_port: !!int "22\\r"' }, '6:21', /hosts\[1\]\.ssh_port: must be a port number from 1 to 65535, not "22\\r"/],
    [
      'l.141 weave.no_masq_local `filled(:bool?)`: !!bool "yes\\u2028" is a string in Ruby (its $ ends lines at \\n only)',
      { weave: 'no_masq_local: !!bool "yes\\u2028"' },
      '10:27',
      /network\.weave\.no_masq_local: must be true or false, not "yes\\u2028"/,
    ],
    [
      'l.46-48 hostname_or_ip?: /\\A[a-z0-9\\-\\.]+\\z/, no capitals',
      { host: 'private_address: Worker-1.example.com' },
      '6:22',
      /hosts\[1\]\.private_address: "Worker-1\.example\.com" has capital letters, which Pharos refuses .* write "worker-1\.example\.com"/,
    ],
    ['l.232 manifests `each(type?: String)`: a path weave-mesh rebases', { extra: 'manifests: [10]' }, '10:13', /manifests\[0\]: must be a file path written as a string, not 10 \(a number\)/],
    ['l.188 cloud.config `filled(:str?)`', { extra: 'cloud: {provider: external, config: ~}' }, '10:37', /cloud\.config: must be a file path written as a string, not empty/],
    ['l.156-158 etcd.key `filled(:str?)`', { extra: 'etcd: {endpoints: ["https://192.0.2.5:2379"], key: ""}' }, '10:52', /etcd\.key: must be a file path written as a string, not ""/],
  ] as const)('%s', (_what, parts, at, message) => {
    const { result, dist } = render(clusterA(parts));
    expect(result.code).toBe(1);
    const line = result.stderr.split('\n').find((l) => message.test(l));
    expect([result.stderr, line]).toEqual([result.stderr, expect.stringContaining(`cluster-a.yml:${at}: `)]);
    expect(fs.existsSync(dist)).toBe(false);
  });
});

describe("accepted where both Psych versions read a value Pharos's schema takes (no over-refusal)", () => {
  it.each([
    ['firewalld.enabled: TRUE (a boolean in both versions)', { network: 'firewalld: {enabled: TRUE}' }],
    ['firewalld.enabled: !!bool "on"', { network: 'firewalld: {enabled: !!bool "on"}' }],
    ['ssh_port: !!int "22" (22 in both)', { host: 'ssh_port: !!int "22"' }],
    ['no_masq_local: !!bool "yes"', { weave: 'no_masq_local: !!bool "yes"' }],
    ['password as a block scalar |- (./shared_password in both)', { password: '|-\n      ./shared_password' }],
    ['password as a block scalar >- with a trailing blank line', { password: '>-\n      ./shared_password\n' }],
    ['password as a block scalar |2- (an indentation indicator)', { password: '|2-\n      ./shared_password' }],
    ['password tagged !!str', { password: '!!str ./shared_password' }],
    ['password tagged ! (non-specific: the scanner, a string)', { password: '! "./shared_password"' }],
    ['password double-quoted over two lines with an escaped line break', { password: '"./shared_\\\n      password"' }],
  ] as const)('%s', (_what, parts) => {
    const text = clusterA(parts);
    const [psych] = readWithPsych([text]);
    expect(psych.error).toBeUndefined();
    const { result, dist } = render(text);
    expect(result.stderr).not.toMatch(/^error:/m);
    expect(result.code).toBe(0);
    // The rendered file is read by Psych as the inventory, the password rebased.
    const [rendered] = readWithPsych([fs.readFileSync(path.join(dist, 'cluster-a', 'pharos', 'cluster.yml'), 'utf8')]);
    expect(rendered.error).toBeUndefined();
    expect(JSON.stringify(rendered.value)).toContain('["ipalloc_default_subnet","10.33.0.0/16"]');
    if ('password' in parts) expect(JSON.stringify(rendered.value)).toContain('["password","../../../clusters/shared_password"]');
  });

  it('the block-scalar passwords above are ./shared_password to Psych (so the rows test what they say)', () => {
    const texts = ['|-\n      ./shared_password', '>-\n      ./shared_password\n', '|2-\n      ./shared_password', '"./shared_\\\n      password"'].map((password) => clusterA({ password }));
    for (const read of readWithPsych(texts)) expect(JSON.stringify(read.value)).toContain('["password","./shared_password"]');
  });
});

describe('no scalar or tag combination crashes a command (exit 1 with file:line at worst)', () => {
  const tags = ['', '!!int ', '!!bool ', '!!float ', '!!null ', '!!str ', '!!binary ', '!!timestamp ', '!!map ', '!!seq ', '!foo ', '! ', '!ruby/string ', '!ruby/sym ', '!!set ', '!!omap '];
  const chars = ['0', '1', '2', '7', '9', 'x', 'y', 'e', 'n', 'o', 'f', '.', ',', '_', ':', '-', '+', '~', ' ', 'ſ', 'ﬀ', 'é', '\r', '\n', '\u2028', '\u2029', '\u0085', '\t'];
  /** A YAML double-quoted scalar, every control and line-break character escaped. */
  const quoted = (text: string) => `"${[...text].map((c) => (c === '"' || c === '\\' ? `\\${c}` : /[\u0000-\u001f\u0085\u2028\u2029]/.test(c) ? `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}` : c)).join('')}"`;
  const fields: readonly ((value: string) => Parameters<typeof clusterA>[0])[] = [
    (value) => ({ host: `ssh_port: ${value}` }),
    (value) => ({ host: `private_address: ${value}` }),
    (value) => ({ host: `labels: {${value}: a}` }),
    (value) => ({ host: `labels: {a: ${value}}` }),
    (value) => ({ network: `firewalld: {enabled: ${value}}` }),
    (value) => ({ network: `dns_replicas: ${value}` }),
    (value) => ({ network: `service_cidr: ${value}` }),
    (value) => ({ weave: `no_masq_local: ${value}` }),
    (value) => ({ weave: `known_peers: [${value}]` }),
    (value) => ({ password: value }),
  ];

  it('holds for generated values in every field weave-mesh reads', () => {
    let random = 28;
    const next = (n: number) => {
      random = (random * 1103515245 + 12345) % 2147483648;
      return random % n;
    };
    const codes = new Map<number, number>();
    for (let sample = 0; sample < 240; sample++) {
      const text = Array.from({ length: 1 + next(6) }, () => chars[next(chars.length)]).join('');
      const plain = next(3) === 0 && /^[0-9a-z.+~_-][0-9a-z.,_+~-]*$/.test(text);
      const value = `${tags[next(tags.length)]}${plain ? text : quoted(text)}`;
      const file = clusterA(fields[next(fields.length)](value));
      const { result } = render(file);
      codes.set(result.code, (codes.get(result.code) ?? 0) + 1);
      expect([file, [0, 1].includes(result.code)]).toEqual([file, true]);
      expect([file, result.stderr]).toEqual([file, expect.not.stringMatching(/internal|\n\s+at |TypeError|is not iterable|undefined/)]);
      for (const line of result.stderr.split('\n').filter((l) => l.startsWith('error:'))) expect([file, line]).toEqual([file, expect.stringMatching(/cluster-a\.yml:\d+:\d+: /)]);
    }
    // Both outcomes are reached: values accepted and values refused.
    expect(codes.get(0)).toBeGreaterThan(10);
    expect(codes.get(1)).toBeGreaterThan(10);
  });
});
