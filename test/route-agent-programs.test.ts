// Needs: shellcheck busybox
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { AGENT_FILES, PREAMBLE_END, RouteAgentScriptOptions, routeAgentProbeScript, routeAgentScript, routeAgentTeardownProbeScript, routeAgentTeardownScript } from '../constructs/route-agent-script';
import { forwardRules, natRules } from './agent-rules';
import { FakeNode, Layout } from './fake-tools';
import { connecting, connectionsBody, DECRYPT, established, failed, IPAM_SPLIT, noForwarders, peerName, pending, refused, retrying, timedOut } from './weave-status';

/**
 * The node agent's programs (constructs/agent/*.sh) as rendered, run without root against fake ip
 * and iptables tools: backend choice on each image layout, every failure mode, adoption, placement
 * and cleanup. The netns end-to-end test runs them against the real kernel.
 */

const OPTIONS: RouteAgentScriptOptions = { localSubnet: '10.33.0.0/16', routedSubnets: ['10.34.0.0/16'], intervalSeconds: 2, routeProtocol: 87, iptablesBackend: 'auto' };
/** The agent's limits, shortened so that a hang costs a test one second. */
const quick = (program: string) => program.replace('\nip_limit=5\n', '\nip_limit=1\n').replace('\nsave_limit=10\n', '\nsave_limit=1\n').replace('\nrestore_limit=15\n', '\nrestore_limit=1\n').replace('\nstatus_limit=3\n', '\nstatus_limit=1\n');
const agent = (options: Partial<RouteAgentScriptOptions> = {}) => quick(routeAgentScript({ ...OPTIONS, ...options }));
const probe = (options: Partial<RouteAgentScriptOptions> = {}) => routeAgentProbeScript({ ...OPTIONS, ...options });
const teardown = (options: Partial<RouteAgentScriptOptions> = {}) => quick(routeAgentTeardownScript({ ...OPTIONS, ...options }));
const teardownProbe = (options: Partial<RouteAgentScriptOptions> = {}) => routeAgentTeardownProbeScript({ ...OPTIONS, ...options });

const NOTE = `-m comment --comment "NOTE: this must go before '-j KUBE-FORWARD'"`;
/** Weave's own rules (11 lines starting with -), as iptables-save prints them; `mesh` adds the agent's chains in place. */
function weaveSave(mesh = false): string {
  const jump = (chain: string) => `-m comment --comment "weave-mesh/route-config" -j ${chain}`;
  return [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':WEAVE - [0:0]',
    ...(mesh ? [':WMESH-POSTROUTING - [0:0]', `-A POSTROUTING ${jump('WMESH-POSTROUTING')}`] : []),
    '-A POSTROUTING -j WEAVE',
    '-A WEAVE -s 10.33.0.0/16 -d 224.0.0.0/4 -j RETURN',
    '-A WEAVE ! -s 10.33.0.0/16 -d 10.33.0.0/16 -j MASQUERADE',
    '-A WEAVE -s 10.33.0.0/16 ! -d 10.33.0.0/16 -j MASQUERADE',
    ...(mesh ? natRules(OPTIONS) : []),
    'COMMIT',
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':WEAVE-NPC - [0:0]',
    ':WEAVE-NPC-EGRESS - [0:0]',
    ...(mesh ? [':WMESH-FORWARD - [0:0]', ':WMESH-OUTPUT - [0:0]', `-A OUTPUT ${jump('WMESH-OUTPUT')}`] : []),
    '-A INPUT -i weave -j WEAVE-NPC-EGRESS',
    `-A FORWARD -i weave ${NOTE} -j WEAVE-NPC-EGRESS`,
    ...(mesh ? [`-A FORWARD ${jump('WMESH-FORWARD')}`] : []),
    `-A FORWARD -o weave ${NOTE} -j WEAVE-NPC`,
    '-A FORWARD -o weave -m state --state NEW -j NFLOG --nflog-group 86',
    '-A FORWARD -o weave -j DROP',
    '-A FORWARD -i weave ! -o weave -j ACCEPT',
    '-A FORWARD -o weave -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    ...(mesh ? [...forwardRules(OPTIONS), '-A WMESH-OUTPUT -o weave -p icmp -m icmp --icmp-type 5 -j DROP'] : []),
    'COMMIT',
  ].join('\n');
}

type Answers = [string, Parameters<FakeNode['on']>[1]][];
const nodes: FakeNode[] = [];
afterAll(() => nodes.forEach((fake) => fake.remove()));

/**
 * A node of cluster A whose weave bridge has 10.33.0.1, with Weave's rules in the given iptables
 * (and the agent's too, with `mesh`). The test's own answers come first: the first match wins.
 */
function node(layout: Layout, weaveIn: 'legacy' | 'nft' | 'plain' | 'none', answers: Answers = [], options: { mesh?: boolean; routes?: string; timeout?: 'busybox' | 'dash-t' } = {}): FakeNode {
  const fake = new FakeNode(layout, { timeout: options.timeout });
  nodes.push(fake);
  for (const [pattern, answer] of answers) fake.on(pattern, answer);
  return fake
    .on('ip -o -4 addr show dev weave', { out: '5: weave    inet 10.33.0.1/16 brd 10.33.255.255 scope global weave\\       valid_lft forever preferred_lft forever' })
    .on('ip -4 route show table main proto 87', { out: options.routes ?? '' })
    .on('ip -4 route get 10.34.0.1', { out: '10.34.0.1 dev weave src 10.33.0.1 uid 0' })
    .on('iptables-legacy-save', { out: weaveIn === 'legacy' ? weaveSave(options.mesh) : '' })
    .on('iptables-nft-save', { out: weaveIn === 'nft' ? weaveSave(options.mesh) : '' })
    .on('iptables-save', { out: weaveIn === 'plain' ? weaveSave(options.mesh) : '' });
}

const lines = (result: { lines: string[] }) => result.lines.map((line) => line.replace(/^route-config: /, ''));

describe('shellcheck', () => {
  const shellcheck = (args: string[], input?: string) => spawnSync('shellcheck', args, { encoding: 'utf8', input });

  it.each([
    ['the agent', routeAgentScript(OPTIONS)],
    ['the agent with no other cluster', routeAgentScript({ ...OPTIONS, routedSubnets: [] })],
    ['the probe', routeAgentProbeScript(OPTIONS)],
    ['the teardown', routeAgentTeardownScript(OPTIONS)],
    ['the teardown probe', routeAgentTeardownProbeScript(OPTIONS)],
  ])('finds nothing in %s, exactly as rendered into the DaemonSet', (_name, program) => {
    const result = shellcheck(['-s', 'sh', '-'], program);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each([
    ['each file alone, as the guide lints them (shellcheck -s sh constructs/agent/*.sh)', ['-s', 'sh']],
    ['with the files each one sources (-x)', ['-s', 'sh', '-x']],
  ])('finds nothing in the source files, %s: each file says that the preamble and the other files set its parameters (SC2154, SC2034)', (_how, args) => {
    const dir = path.join(__dirname, '..', 'constructs', 'agent');
    const result = shellcheck([...args, ...AGENT_FILES.map((file) => path.join(dir, file))]);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('has teeth: an unquoted expansion in a program is reported', () => {
    const result = shellcheck(['-s', 'sh', '-'], `${routeAgentScript(OPTIONS)}\nx=$(ls $desired *)\necho "$x"\n`);
    expect(result.stdout).toMatch(/SC2086|SC2035/);
  });

  it('renders each program as the generated preamble, then the files', () => {
    const program = routeAgentScript(OPTIONS);
    const [preamble, rest] = program.split(`\n${PREAMBLE_END}\n`);
    expect(preamble.split('\n').slice(2)).toEqual(['proto=87', 'interval=2', 'iptables_setting=auto', 'local_subnet=10.33.0.0/16', 'desired="10.34.0.0/16"', 'peers=""']);
    // Each file's code, in order, without its comment lines (shellcheck's directives stay): they do not run.
    const source = (file: string, from: number) =>
      fs
        .readFileSync(path.join(__dirname, '..', 'constructs', 'agent', file), 'utf8')
        .split('\n')
        .slice(from)
        .filter((line) => !/^\s*#(?! shellcheck disable=)/.test(line))
        .join('\n');
    expect(rest).toContain(source('lib.sh', 2));
    expect(rest).toContain(source('links.sh', 3));
    expect(rest).toContain(source('route-agent.sh', 7));
    expect(rest).toContain('  # shellcheck disable=SC2086 # one word per process\n  kill -TERM "$body" $below 2>/dev/null');
    expect(rest.split('\n').filter((line) => /^\s*#/.test(line) && !line.includes('# shellcheck disable='))).toEqual([]);
    expect(rest).not.toMatch(/^\. /m);
  });
});

describe("the agent picks the iptables that holds Weave's rules, on every image layout", () => {
  it('amd64, Weave on iptables-legacy: uses it, and reads iptables-nft only once, at start', () => {
    const fake = node('amd64', 'legacy');
    const result = fake.run(agent(), 1);
    expect(result.status).toBe(0);
    expect(lines(result)).toEqual([
      'added route 10.34.0.0/16 dev weave src 10.33.0.1',
      "using iptables-legacy: Weave's rules are there",
      "firewall: filter WMESH-FORWARD was missing; set it to the mesh's rules, its jump right after Weave's WEAVE-NPC-EGRESS rule at position 2 of FORWARD",
      "firewall: nat WMESH-POSTROUTING was missing; set it to the mesh's rules, its jump ahead of Weave's WEAVE chain in POSTROUTING",
      "firewall: filter WMESH-OUTPUT was missing; set it to the mesh's rules, its jump first in OUTPUT: no ICMP redirects out of weave",
      'stopping; routes and firewall rules stay in place for the next route-config pod',
    ]);
    // Once, when it starts: does the other iptables hold chains of an earlier agent? Its save creates no table.
    expect(fake.calls().filter((call) => call.includes('nft'))).toEqual(['iptables-nft-save']);
    expect(fake.calls()).toContain('ip route replace 10.34.0.0/16 dev weave src 10.33.0.1 proto 87 table main');
    expect(fake.calls().filter((call) => call.startsWith('iptables-legacy-restore'))).toEqual(['iptables-legacy-restore -w 5 --noflush', 'iptables-legacy-restore -w 5 --noflush', 'iptables-legacy-restore -w 5 --noflush']);
    expect(fake.restored()[0]).toBe('*filter\n:WMESH-FORWARD - [0:0]\n-A WMESH-FORWARD -s 10.33.0.0/16 -d 10.34.0.0/16 -i weave -o weave -j ACCEPT\n-I FORWARD 2 -m comment --comment "weave-mesh/route-config" -j WMESH-FORWARD\nCOMMIT\n');
    expect(fake.restored()[2]).toContain('-A WMESH-OUTPUT -o weave -p icmp -m icmp --icmp-type 5 -j DROP\n-I OUTPUT 1 -m comment');
  });

  it('amd64, Weave on iptables-nft: uses it, and never makes the kernel create a legacy table (no iptables-legacy, only its save)', () => {
    const fake = node('amd64', 'nft');
    const result = fake.run(agent(), 1);
    expect(lines(result)).toContain("using iptables-nft: Weave's rules are there");
    expect(fake.calls().filter((call) => call.startsWith('iptables-legacy'))).toEqual(['iptables-legacy-save', 'iptables-legacy-save']);
    expect(fake.calls().filter((call) => call.startsWith('iptables-nft-restore'))).toHaveLength(3);
  });

  it("an nft-only host where iptables-legacy-save fails: uses nft, where Weave's rules are", () => {
    const fake = node('amd64', 'nft', [['iptables-legacy-save', { status: 1 }]]);
    const result = lines(fake.run(agent(), 1));
    expect(result).toContain("using iptables-nft: Weave's rules are there");
    expect(result).toContain('firewall: could not check iptables-legacy for chains an earlier agent left: iptables-legacy-save could not read the tables (exit 1: no permission, or the kernel refused)');
  });

  it('switching from the other iptables: removes the chains an earlier agent left there', () => {
    const fake = node('amd64', 'nft', [['iptables-legacy-save', { out: weaveSave(true).replace(/^:WEAVE - \[0:0\]\n/m, '') }]]);
    const result = lines(fake.run(agent(), 1));
    expect(result).toContain('removed chain WMESH-FORWARD and its jump from FORWARD (iptables-legacy)');
    expect(fake.calls()).toContain('iptables-legacy -w 5 -t nat -X WMESH-POSTROUTING');
    expect(fake.calls().filter((call) => call.startsWith('iptables-nft-restore'))).toHaveLength(3);
  });

  it("neither holds Weave's rules: chooses as Weave's launch.sh (legacy with at least as many rules)", () => {
    const fake = node('amd64', 'none', [['iptables-nft-save', { out: '*filter\n-A FORWARD -j ACCEPT\nCOMMIT' }]]);
    expect(lines(fake.run(agent(), 1))).toContain("using iptables-nft: Weave's rules were not found, so chosen as Weave's launch.sh would (0 legacy rules, 1 nft rules)");
  });

  it("arm64 (iptables 1.6: only iptables, iptables-save, iptables-restore; BusyBox 1.28's timeout -t): uses the plain tools", () => {
    const fake = node('arm64', 'plain', [], { timeout: 'dash-t' });
    const result = fake.run(agent(), 1);
    expect(lines(result)).toContain('using iptables: the image has only iptables 1.6, which is legacy, as Weave on this node');
    expect(lines(result)).not.toContain('no timeout tool in the image: a hanging ip or iptables would stop the agent');
    expect(fake.calls().filter((call) => call.startsWith('iptables'))).toEqual(['iptables-save', 'iptables-restore -w 5 --noflush', 'iptables-restore -w 5 --noflush', 'iptables-restore -w 5 --noflush']);
    expect(fake.run(probe()).lines).toEqual(['not ready: iptables filter WMESH-FORWARD was missing']);
  });

  it('iptablesBackend overrides: nft reads only nft; nft on a 1.6 image says why nothing happens, once', () => {
    const amd64 = node('amd64', 'nft');
    expect(lines(amd64.run(agent({ iptablesBackend: 'nft' }), 1))).toContain('using iptables-nft: set in the DaemonSet');
    expect(amd64.calls().filter((call) => call.includes('legacy'))).toEqual([]);
    const arm64 = node('arm64', 'plain');
    const result = arm64.run(agent({ iptablesBackend: 'nft' }), 3);
    expect(lines(result).filter((line) => line.startsWith('firewall'))).toEqual(['firewall: iptablesBackend is nft, but this image has only iptables 1.6 (legacy); rules unchanged until it can be read']);
  });

  it('an image without iptables tools says so', () => {
    const fake = node('none', 'none');
    expect(lines(fake.run(agent(), 1))).toContain("firewall: no iptables-save in the image (neither iptables 1.8's iptables-legacy-save/iptables-nft-save nor 1.6's iptables-save); rules unchanged until it can be read");
  });
});

describe('nothing can hang the agent or its probe, and every failure is logged once when it starts and once when it ends', () => {
  it('iptables-nft-save hangs (the iptables 1.8.3 loop) on an nft node: logged once, routes still kept, cleared when it answers', () => {
    const fake = node('amd64', 'nft', [['iptables-nft-save', { hang: true, rounds: [0, 1, 2] }]]);
    const result = fake.run(agent(), 4);
    expect(result.status).toBe(0);
    expect(lines(result).slice(0, 3)).toEqual([
      'added route 10.34.0.0/16 dev weave src 10.33.0.1',
      'firewall: cannot tell which iptables Weave uses: iptables-legacy-save shows no Weave rules; iptables-nft-save timed out after 1 s (exit 143); rules unchanged until it can be read',
      'added route 10.34.0.0/16 dev weave src 10.33.0.1',
    ]);
    expect(lines(result).filter((line) => line.startsWith('firewall: cannot tell'))).toHaveLength(1);
    expect(lines(result)).toContain('firewall: iptables can be read again');
    expect(lines(result)).toContain("using iptables-nft: Weave's rules are there");
  });

  it.each([
    [4, 'hit a resource problem (exit 4: the xtables lock is held, or the kernel is out of memory)'],
    [1, 'failed (exit 1: no such chain or rule, or the kernel refused the change)'],
    [137, 'was killed (exit 137: SIGKILL, out of memory?)'],
  ])('iptables-legacy-restore exits %i: "%s", once, then "works again"', (status, meaning) => {
    const fake = node('amd64', 'legacy', [['iptables-legacy-restore*', { status, out: 'iptables-restore: line 2 failed', rounds: [0, 1] }]]);
    const result = lines(fake.run(agent(), 3));
    const failed = `firewall: filter WMESH-FORWARD was missing, and could not be set: iptables-legacy-restore ${meaning}: iptables-restore: line 2 failed; retrying every 2 s`;
    expect(result.filter((line) => line === failed)).toHaveLength(1);
    expect(result.filter((line) => line === 'firewall: iptables-legacy-restore works again')).toHaveLength(3);
  });

  it.each([
    [127, 'ip addr show dev weave is not in the image (exit 127)'],
    [143, 'ip addr show dev weave timed out after 1 s (exit 143)'],
  ])('ip fails with %i: "%s", once', (status, text) => {
    const fake = node('amd64', 'legacy', [['ip -o -4 addr show dev weave', { status: status === 143 ? 0 : status, hang: status === 143 }]]);
    const result = lines(fake.run(agent(), 2));
    expect(result.filter((line) => line === `${text}; routes unchanged until it answers`)).toHaveLength(1);
    expect(fake.calls().filter((call) => call.startsWith('ip route replace'))).toEqual([]);
  });

  it('iptables-legacy-save cannot initialise a table (exit 3) on a 1.6 image: named with its meaning', () => {
    const fake = node('arm64', 'plain', [['iptables-save', { status: 3 }]]);
    expect(lines(fake.run(agent(), 1))).toContain('firewall: iptables-save could not read the tables (exit 3: no permission, or the kernel refused); rules unchanged until it can be read');
  });

  it('the probe answers within its limit when a tool hangs, and says which', () => {
    const fake = node('amd64', 'nft', [['iptables-nft-save', { hang: true }]]);
    // Interval 3: the probe has 2 s in all, each call 1 s.
    const result = fake.run(probe({ intervalSeconds: 3 }));
    expect(result.lines).toEqual(['not ready: cannot tell which iptables Weave uses: iptables-legacy-save shows no Weave rules; iptables-nft-save timed out after 1 s (exit 143)']);
    expect(result.status).toBe(1);
    expect(result.ms).toBeLessThan(2900);
  });

  it('the probe stops itself after its limit even if every call is slow but within its own', () => {
    const fake = node('amd64', 'legacy', [['ip -4 route get*', { hang: true }]]);
    // Each ip route get hangs for its 1 s: three of them would take 3 s, the probe stops at 2.
    fake.on('ip -4 route get*', { hang: true });
    const result = fake.run(probe({ intervalSeconds: 3 }));
    expect(result.lines).toEqual(['not ready: ip route get 10.34.0.1 timed out after 1 s (exit 143)']);
    const all = node('amd64', 'legacy', [
      ['ip -4 route get*', { out: '10.34.0.1 dev weave src 10.33.0.1', status: 0 }],
      ['iptables-legacy-save', { hang: true }],
    ]);
    const slow = all.run(probe({ intervalSeconds: 3 }));
    expect(slow.lines).toEqual([
      'not ready: cannot tell which iptables Weave uses: iptables-legacy-save timed out after 1 s (exit 143); iptables-nft-save printed no table (exit 0): nf_tables could not be read (iptables 1.8.3 prints nothing when the kernel refuses it) or holds no table yet',
    ]);
    expect(slow.ms).toBeLessThan(2900);
  });

  it('the probe is ready when routes and rules are in place, on each layout', () => {
    expect(node('amd64', 'legacy', [], { mesh: true }).run(probe())).toMatchObject({ status: 0, lines: [] });
    expect(node('amd64', 'nft', [], { mesh: true }).run(probe())).toMatchObject({ status: 0, lines: [] });
    expect(node('arm64', 'plain', [], { mesh: true }).run(probe())).toMatchObject({ status: 0, lines: [] });
  });

  it('logs nothing while all is in place', () => {
    const fake = node('amd64', 'legacy', [], { mesh: true, routes: '10.34.0.0/16 dev weave scope link src 10.33.0.1' });
    expect(lines(fake.run(agent(), 3))).toEqual(["using iptables-legacy: Weave's rules are there", 'stopping; routes and firewall rules stay in place for the next route-config pod']);
    expect(fake.calls().filter((call) => !/^(ip -o -4 addr show dev weave|ip -4 route show table main proto 87|iptables-legacy-save)$/.test(call))).toEqual(['iptables-nft-save']);
  });
});

describe('adoption and placement', () => {
  it('adopts a route to a mesh subnet that another tool added, and leaves a foreign blackhole alone, saying so once', () => {
    const fake = node('amd64', 'legacy', [
      ['ip -4 route show table main exact 10.34.0.0/16', { out: '10.34.0.0/16 dev weave scope link src 10.33.0.9' }],
      ['ip -4 route show table main exact 10.35.0.0/16', { out: 'blackhole 10.35.0.0/16' }],
    ]);
    const result = lines(fake.run(agent({ routedSubnets: ['10.34.0.0/16', '10.35.0.0/16'] }), 2));
    expect(result).toContain('adopted route 10.34.0.0/16 dev weave src 10.33.0.9 that another tool added (such as the hand-applied route-config DaemonSet of the Pharos documentation): it now has src 10.33.0.1 and protocol 87');
    expect(result.filter((line) => line.startsWith('not touching'))).toEqual(['not touching the blackhole route to 10.35.0.0/16 that route-config did not add: traffic to 10.35.0.0/16 fails until it is removed']);
    expect(fake.calls().filter((call) => call.includes('10.35.0.0/16') && !call.includes('exact'))).toEqual([]);
  });

  it('removes its own routes that left the mesh, and a superseded metric', () => {
    const fake = node('amd64', 'legacy', [], { mesh: true, routes: '10.34.0.0/16 dev weave scope link src 10.33.0.1\n10.34.0.0/16 dev weave scope link src 10.33.0.1 metric 87\n10.35.0.0/16 dev weave scope link src 10.33.0.1' });
    const result = lines(fake.run(agent(), 1));
    expect(result).toContain('removed route 10.34.0.0/16 dev weave metric 87 (superseded by the route with metric 0)');
    expect(result).toContain('removed route 10.35.0.0/16 dev weave metric 0 (no longer in the mesh)');
    expect(fake.calls()).toContain('ip route del 10.35.0.0/16 proto 87 metric 0 table main');
  });

  it("puts its jump back after Weave's egress rule when Weave re-inserted its rules above it, deleting the old one in the same restore", () => {
    const save = weaveSave(true).split('\n');
    const jump = save.findIndex((line) => line === '-A FORWARD -m comment --comment "weave-mesh/route-config" -j WMESH-FORWARD');
    const [moved] = save.splice(jump, 1);
    save.splice(save.indexOf('-A FORWARD -o weave -j DROP') + 1, 0, moved);
    const fake = node('amd64', 'legacy', [['iptables-legacy-save', { out: save.join('\n') }]], { routes: '10.34.0.0/16 dev weave scope link src 10.33.0.1' });
    expect(lines(fake.run(agent(), 1))).toContain("firewall: filter WMESH-FORWARD had its jump out of place in FORWARD; set it to the mesh's rules, its jump right after Weave's WEAVE-NPC-EGRESS rule at position 2 of FORWARD");
    expect(fake.restored()).toEqual([expect.stringContaining('-D FORWARD -m comment --comment "weave-mesh/route-config" -j WMESH-FORWARD\n-I FORWARD 2 ')]);
    expect(fake.run(probe()).lines).toEqual(['not ready: iptables-legacy filter WMESH-FORWARD had its jump out of place in FORWARD']);
  });
});

describe("the agent on the image's real tool versions (iptables 1.6.2 and 1.8.3, BusyBox 1.28.4 and 1.30.1)", () => {
  /**
   * The awk programs of a shell file: the text between `awk [-F X] [-v V=X]... '` and its closing quote
   * (`'"'"'` is a quote inside it). The options are skipped, `-F '\t'` too: its quotes are not the program's.
   */
  const awkPrograms = (text: string): string[] => {
    const programs: string[] = [];
    const start = /\bawk(?:[ \t]+-(?:F[ \t]*(?:'[^'\n]*'|[^\s']+)|v[ \t]*[^\s']+))*[ \t]+'/g;
    for (let match = start.exec(text); match; match = start.exec(text)) {
      let at = match.index + match[0].length;
      let program = '';
      for (;;) {
        const end = text.indexOf("'", at);
        program += text.slice(at, end);
        at = end + 1;
        if (!text.startsWith(`"'"'`, at)) break;
        program += "'";
        at += 4;
      }
      programs.push(program);
      start.lastIndex = at;
    }
    return programs;
  };
  /** Its code only: string literals, regular expressions and comments emptied. */
  const awkCode = (program: string): string =>
    program
      .split('\n')
      .map((line) =>
        line
          .replace(/"(?:\\.|[^"\\])*"/g, '""')
          .replace(/(^|[~(,!&|]\s*)\/(?:\\.|[^/\\])+\//g, '$1//')
          .replace(/#.*$/, ''),
      )
      .join('\n');

  it("no awk program has a name before a space and a parenthesis, which BusyBox 1.28.4's and 1.30.1's awk read as a call", () => {
    // `mtus = mtus (x ? "" : ",") m` concatenates in POSIX awk and in Debian's BusyBox 1.35, which the
    // tests run; the image's BusyBox awk stops with "Call to undefined function" and the agent reported
    // only its first cluster's links. Found and checked with both versions built from source (docs/contributing.md).
    const programs = AGENT_FILES.flatMap((file) => awkPrograms(fs.readFileSync(path.join(__dirname, '..', 'constructs', 'agent', file), 'utf8')).map((program) => ({ file, code: awkCode(program) })));
    expect(programs.length).toBeGreaterThanOrEqual(15);
    // Each is a program, not an option's quoted value (`awk -F '\t' '...'` once read as the program `\t`).
    expect(programs.filter(({ code }) => !/[{}]|==|~/.test(code))).toEqual([]);
    const keywords = new Set(['if', 'while', 'for', 'return', 'in', 'print', 'printf', 'getline', 'exit', 'delete', 'do', 'else']);
    const calls = programs.flatMap(({ file, code }) => [...code.matchAll(/\b([A-Za-z_]\w*)[ \t]+\(/g)].filter((match) => !keywords.has(match[1])).map((match) => `${file}: ${code.slice(match.index, match.index + 30)}`));
    expect(calls).toEqual([]);
    // The check sees the line that broke the report.
    expect([...awkCode('{ mtus = mtus (mtus == "" ? "" : ",") m }').matchAll(/\b([A-Za-z_]\w*)[ \t]+\(/g)].map((match) => match[1])).toEqual(['mtus']);
  });

  it('iptables-restore exit 2 says what it means: a table or match could not be loaded', () => {
    const fake = node('amd64', 'legacy', [['iptables-legacy-restore*', { status: 2, out: "iptables-restore v1.8.3 (legacy): Couldn't load match `comment':No such file or directory", rounds: [0] }]]);
    expect(lines(fake.run(agent(), 2))).toContain(
      "firewall: filter WMESH-FORWARD was missing, and could not be set: iptables-legacy-restore could not load a table or match (exit 2: kernel module missing, no permission to load it, or the kernel refused nf_tables): iptables-restore v1.8.3 (legacy): Couldn't load match `comment':No such file or directory; retrying every 2 s",
    );
  });

  it('iptables-nft-save 1.8.3 exiting 0 with no output (nf_tables refused) is "could not read", not "no rules": the agent does not pick legacy by count', () => {
    const fake = node('amd64', 'none', [['iptables-legacy-save', { out: '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT' }]]);
    const result = lines(fake.run(agent(), 2));
    expect(result).toContain(
      'firewall: cannot tell which iptables Weave uses: iptables-legacy-save shows no Weave rules; iptables-nft-save printed no table (exit 0): nf_tables could not be read (iptables 1.8.3 prints nothing when the kernel refuses it) or holds no table yet; rules unchanged until it can be read',
    );
    expect(result.filter((line) => line.startsWith('using '))).toEqual([]);
    expect(fake.calls().filter((call) => call.includes('-restore'))).toEqual([]);
  });

  it.each([
    ['iptables-legacy-restore*', 'a hanging iptables-restore (15 s limit)'],
    ['ip route replace*', 'a hanging ip route replace (5 s limit)'],
  ])('SIGTERM stops the agent at once, with its last line, even during %s: within the 5 s grace period, the call killed', (pattern) => {
    const fake = node('amd64', 'legacy', [[pattern, { terminate: true, hang: true }]]);
    // The rendered limits, not the shortened ones: the call would hang for 5 or 15 s.
    const result = fake.run(routeAgentScript(OPTIONS));
    expect(result.status).toBe(0);
    expect(lines(result)[lines(result).length - 1]).toBe('stopping; routes and firewall rules stay in place for the next route-config pod');
    expect(result.ms).toBeLessThan(4000);
    expect(fake.stillHanging()).toEqual([]);
  });

  it('SIGTERM stops the teardown at once, even during a hanging call', () => {
    const fake = node('amd64', 'legacy', [['iptables-legacy-save', { terminate: true, hang: true }]]);
    const result = fake.run(routeAgentTeardownScript(OPTIONS));
    expect(result.status).toBe(0);
    expect(result.ms).toBeLessThan(4000);
    expect(fake.stillHanging()).toEqual([]);
  });

  it("the stand-in for BusyBox 1.28.4's timeout takes 1.28's syntax (-t SECS) and refuses 1.30's (exit 127), as the agent's find_timeout expects", () => {
    const fake = new FakeNode('arm64', { timeout: 'dash-t' });
    nodes.push(fake);
    const run = (command: string) => fake.run(`${command}\necho "exit $?"`).lines;
    expect(run('timeout 5 true 2>/dev/null')).toEqual(['exit 127']);
    expect(run('timeout -t 5 true')).toEqual(['exit 0']);
    expect(run('timeout -t 1 -s TERM sleep 5')).toContain('exit 143');
    const started = fake.run('find_timeout() { :; }\n' + routeAgentScript({ ...OPTIONS }).split('\nfind_timeout\n')[0] + '\nfind_timeout\necho "$timeout_style"');
    expect(started.lines).toEqual(['dash-t']);
  });
});

describe("Weave's links per remote cluster, read from Weave 2.6.5's /status/connections", () => {
  const PEERS = {
    peers: [
      { cluster: 'cluster-b', addresses: ['198.51.100.11', '198.51.100.12'] },
      { cluster: 'cluster-c', addresses: ['203.0.113.11'] },
    ],
  };
  const B1 = peerName(1, 'node-b1');
  const B2 = peerName(2, 'node-b2');
  const C1 = peerName(3, 'node-c1');
  const weave = (fake: FakeNode, body: string, rounds?: number[]) => fake.on('curl -sS --max-time 1 http://127.0.0.1:6784/status/connections', { out: body, rounds });
  const linkLines = (result: { lines: string[] }) => lines(result).filter((line) => line.startsWith('weave: '));
  const statusFile = (fake: FakeNode) => fs.readFileSync(path.join(fake.statusDir, 'links'), 'utf8').split('\n').slice(1).filter(Boolean);
  const healthy = connectionsBody([
    established('198.51.100.11:6783', B1),
    // An inbound connection: the peer's ephemeral port.
    established('198.51.100.12:41562', B2, { outbound: false }),
    established('203.0.113.11:6783', C1, { encrypted: false, datapath: 'sleeve', mtu: 1410 }),
    // Another cluster's master, or anything not in the mesh: not counted.
    established('192.0.2.99:6783', peerName(4, 'elsewhere')),
  ]);

  it("the body of the stand-in is Weave's format, byte for byte (template fields padded, attributes run together)", () => {
    expect(healthy.split('\n')[0]).toBe(`-> 198.51.100.11:6783    established encrypted   fastdp ${B1} encrypted=truemtu=1376`);
    expect(connectionsBody([failed('198.51.100.12:6783', DECRYPT)])).toBe('-> 198.51.100.12:6783    failed      Unable to decrypt TCP msg, retry: 2026-12-04 21:40:01.123456789 +0000 UTC m=+65.123456789 \n');
    expect(connectionsBody([connecting('198.51.100.12:6783')])).toBe('-> 198.51.100.12:6783    connecting   \n');
  });

  it('established links: per cluster, connections of expected, encryption, datapath and MTU, logged once; the status file holds them', () => {
    const fake = node('amd64', 'legacy');
    weave(fake, healthy);
    const result = fake.run(agent(PEERS), 3);
    expect(linkLines(result)).toEqual([
      'weave: links to cluster-b: 2 of 2 connections established, encrypted, fastdp, mtu 1376',
      "weave: links to cluster-c: 1 of 1 connections established, unencrypted, sleeve, mtu 1410 (unencrypted: no Weave password, or network.weave.trusted_subnets covers these peers) (sleeve, not fastdp: 6784/udp or, when encrypted, ESP is blocked, or the underlay carries less than Weave's MTU plus its overhead)",
    ]);
    expect(statusFile(fake)).toEqual([
      'weave\tok',
      'link\tcluster-b\t2\t2\tencrypted\tfastdp\t1376\tup\t2 of 2 connections established, encrypted, fastdp, mtu 1376',
      expect.stringMatching(/^link\tcluster-c\t1\t1\tunencrypted\tsleeve\t1410\tup\t1 of 1 connections established, unencrypted, sleeve, mtu 1410 \(unencrypted/),
    ]);
    expect(fake.calls().filter((call) => call.startsWith('curl'))).toHaveLength(3);
  });

  it.each([
    [
      'a password that differs',
      [failed('198.51.100.11:6783', DECRYPT), retrying('198.51.100.12:6783', DECRYPT)],
      'cluster-b: 0 of 2 connections established; 198.51.100.11, 198.51.100.12 rejected by the Weave password (Weave: "Unable to decrypt TCP msg"): the clusters use different password files; give all the same network.weave.password, then delete the kube-system/weave-passwd Secret and restart weave-net where it differs',
    ],
    [
      'an IPAM split',
      [failed('198.51.100.11:6783', IPAM_SPLIT), established('198.51.100.12:6783', B2)],
      'cluster-b: 1 of 2 connections established, encrypted, fastdp, mtu 1376; 198.51.100.11 refused as a separate Weave network (Weave: "IP allocation was seeded by different peers"): the clusters started Weave apart; on the smaller side remove Weave\'s persisted data (/var/lib/weave/weave-netdata.db) on every node and restart weave-net there',
    ],
    [
      '6783/tcp refused',
      [retrying('198.51.100.11:6783', refused('198.51.100.11:6783')), failed('198.51.100.12:6783', refused('198.51.100.12:6783'))],
      'cluster-b: 0 of 2 connections established; 198.51.100.11, 198.51.100.12 refused on 6783/tcp (connection refused): Weave is not running there, or a firewall rejects 6783/tcp',
    ],
    [
      '6783/tcp dropped',
      [failed('198.51.100.11:6783', timedOut('198.51.100.11:6783')), connecting('198.51.100.12:6783')],
      'cluster-b: 0 of 2 connections established; 198.51.100.11 unreachable on 6783/tcp (dial tcp :0->198.51.100.11:6783: connect: connection timed out): a firewall drops 6783/tcp between the clusters (firewalld: trusted_subnets); 198.51.100.12 connecting (no answer on 6783/tcp yet: a firewall that drops it looks like this)',
    ],
    [
      'UDP blocked',
      [failed('198.51.100.11:6783', noForwarders(B1)), failed('198.51.100.12:6783', noForwarders(B2))],
      'cluster-b: 0 of 2 connections established; 198.51.100.11, 198.51.100.12 without UDP (TCP up, no UDP heartbeat): a firewall blocks 6783/udp and 6784/udp between the clusters',
    ],
    // Every new connection is pending until its first UDP heartbeat, for about a second: not yet a blocked port.
    [
      'a connection just made (pending)',
      [pending('198.51.100.11:6783', B1), established('198.51.100.12:6783', B2)],
      "cluster-b: 1 of 2 connections established, encrypted, fastdp, mtu 1376; 198.51.100.11 pending (TCP up, Weave's UDP heartbeat not confirmed yet): normal for a few seconds after a connection starts; if it stays, a firewall blocks 6783/udp and 6784/udp between the clusters",
    ],
    [
      'a peer Weave does not know',
      [established('198.51.100.11:6783', B1)],
      'cluster-b: 1 of 2 connections established, encrypted, fastdp, mtu 1376; 198.51.100.12 unknown to Weave on this node: not in its known_peers; run pharos up with the rendered cluster.yml',
    ],
  ])('%s: the cause in words, with the fix', (_what, connections, words) => {
    const fake = node('amd64', 'legacy');
    weave(fake, connectionsBody([...connections, established('203.0.113.11:6783', C1)]));
    const result = fake.run(agent(PEERS), 2);
    expect(linkLines(result)).toEqual([`weave: links to ${words}`, 'weave: links to cluster-c: 1 of 1 connections established, encrypted, fastdp, mtu 1376']);
    expect(statusFile(fake)[1]).toMatch(/^link\tcluster-b\t[01]\t2\t/);
  });

  it('runs of consecutive peer addresses, rendered FIRST+N, are expanded on the node, across an octet boundary', () => {
    const fake = node('amd64', 'legacy');
    weave(fake, connectionsBody([established('10.0.0.255:6783', B1), failed('10.0.1.0:6783', DECRYPT), established('10.0.1.1:6783', B2)]));
    const script = agent({ peers: [{ cluster: 'cluster-z', addresses: ['10.0.1.1', '10.0.0.255', '10.0.1.0', '10.0.1.2'] }] });
    expect(script).toContain('\npeers="cluster-z 10.0.0.255+3"\n');
    expect(linkLines(fake.run(script, 1))).toEqual([
      expect.stringMatching(/^weave: links to cluster-z: 2 of 4 connections established, encrypted, fastdp, mtu 1376; 10\.0\.1\.0 rejected by the Weave password .*; 10\.0\.1\.2 unknown to Weave on this node: /),
    ]);
  });

  it("a worker that connects from its private address (two clusters in one network) is that worker's link, a run of them expanded across an octet boundary", () => {
    const fake = node('amd64', 'legacy');
    const privateAddresses = [
      { privateAddress: '10.1.0.255', address: '198.51.100.11' },
      { privateAddress: '10.1.1.0', address: '198.51.100.12' },
      { privateAddress: '10.1.1.7', address: 'worker-3.b.example.com' },
    ];
    const script = agent({ peers: [{ cluster: 'cluster-b', addresses: ['198.51.100.11', '198.51.100.12', 'worker-3.b.example.com'], privateAddresses }] });
    expect(script).toContain('\npeers="cluster-b 198.51.100.11+1 worker-3.b.example.com 10.1.0.255+1=198.51.100.11 10.1.1.7=worker-3.b.example.com"\n');
    weave(
      fake,
      connectionsBody([
        // The attempt at the address known_peers gives failed; the worker's own connection from its private address is up: the link is.
        failed('198.51.100.11:6783', timedOut('198.51.100.11:6783')),
        established('10.1.0.255:48110', B1, { outbound: false }),
        failed('10.1.1.0:6783', DECRYPT),
        // A worker given by host name is known by its private address.
        established('10.1.1.7:6783', peerName(5, 'node-b3'), { datapath: 'sleeve' }),
        // Not in the mesh: not counted.
        established('10.1.1.1:6783', peerName(4, 'elsewhere')),
      ]),
    );
    expect(linkLines(fake.run(script, 1))).toEqual([
      expect.stringMatching(/^weave: links to cluster-b: 2 of 3 connections established, encrypted, 1 fastdp, 1 sleeve, mtu 1376 \(sleeve, not fastdp: .*\); 198\.51\.100\.12 rejected by the Weave password \(Weave: "Unable to decrypt TCP msg"\): /),
    ]);
    expect(statusFile(fake)[1]).toMatch(/^link\tcluster-b\t2\t3\tencrypted\t1 fastdp, 1 sleeve\t1376\tdegraded\t/);
  });

  it("a private address never shadows another cluster's peer address, and one given for two workers names neither (peers passed to RouteAgent directly, which synth's mesh rule never renders)", () => {
    const fake = node('amd64', 'legacy');
    const script = agent({
      peers: [
        // cluster-b's 198.51.100.11 is also cluster-x's private address, listed before it; 10.9.0.1 is given for a worker of each.
        { cluster: 'cluster-a', addresses: ['192.0.2.11'], privateAddresses: [{ privateAddress: '10.9.0.1', address: '192.0.2.11' }] },
        { cluster: 'cluster-b', addresses: ['198.51.100.11'] },
        {
          cluster: 'cluster-x',
          addresses: ['203.0.113.11'],
          privateAddresses: [
            { privateAddress: '198.51.100.11', address: '203.0.113.11' },
            { privateAddress: '10.9.0.1', address: '203.0.113.11' },
          ],
        },
      ],
    });
    weave(fake, connectionsBody([established('198.51.100.11:6783', B1), established('10.9.0.1:6783', B2)]));
    expect(linkLines(fake.run(script, 1))).toEqual([
      expect.stringMatching(/^weave: links to cluster-a: 0 of 1 connections established; 192\.0\.2\.11 unknown to Weave/),
      'weave: links to cluster-b: 1 of 1 connections established, encrypted, fastdp, mtu 1376',
      expect.stringMatching(/^weave: links to cluster-x: 0 of 1 connections established; 203\.0\.113\.11 unknown to Weave/),
    ]);
  });

  it('a peer given by host name (Pharos takes them): Weave lists addresses, so the link is said to be unknowable, not missing from known_peers', () => {
    const fake = node('amd64', 'legacy');
    weave(fake, connectionsBody([established('198.51.100.11:6783', B1), established('198.51.100.12:6783', B2)]));
    const script = agent({ peers: [{ cluster: 'cluster-b', addresses: ['198.51.100.11', 'worker-2.b.example.com', 'worker-3.b.example.com'] }] });
    expect(linkLines(fake.run(script, 1))).toEqual([
      "weave: links to cluster-b: 1 of 3 connections established, encrypted, fastdp, mtu 1376; worker-2.b.example.com, worker-3.b.example.com given by host name: Weave lists its connections by IP address, so whether these links are up cannot be told; give the workers' IP addresses as hosts[].address to have them checked",
    ]);
    expect(statusFile(fake)[1]).toMatch(/^link\tcluster-b\t1\t3\t.*\tdegraded\t/);
  });

  it('a change is logged once when it happens: a link that comes up', () => {
    const fake = node('amd64', 'legacy');
    weave(fake, connectionsBody([failed('198.51.100.11:6783', DECRYPT), failed('198.51.100.12:6783', DECRYPT), established('203.0.113.11:6783', C1)]), [0, 1]);
    weave(fake, healthy);
    const result = linkLines(fake.run(agent(PEERS), 4)).filter((line) => line.includes('cluster-b'));
    expect(result).toHaveLength(2);
    expect(result[0]).toMatch(/^weave: links to cluster-b: 0 of 2 connections established; 198.51.100.11, 198.51.100.12 rejected by the Weave password/);
    expect(result[1]).toBe('weave: links to cluster-b: 2 of 2 connections established, encrypted, fastdp, mtu 1376');
  });

  it.each([
    [
      'not running (connection refused)',
      { status: 7, out: 'curl: (7) Failed to connect to 127.0.0.1 port 6784: Connection refused' },
      'weave: Weave does not answer on 127.0.0.1:6784 (connection refused): weave-net is not running on this node, or is starting; links to the other clusters unknown',
    ],
    [
      'hanging (a slow answer)',
      { hang: true },
      'weave: Weave did not answer on 127.0.0.1:6784 within 1 s: weave-net is overloaded or hanging; see its log (kubectl -n kube-system logs -l name=weave-net -c weave); links to the other clusters unknown',
    ],
  ])('Weave %s: said once, the status file says so, and routes and rules are kept all the same', (_what, answer, line) => {
    const fake = node('amd64', 'legacy', [['curl*', answer]]);
    const result = fake.run(agent(PEERS), 3);
    expect(linkLines(result)).toEqual([line]);
    expect(lines(result)).toContain('added route 10.34.0.0/16 dev weave src 10.33.0.1');
    expect(statusFile(fake)).toEqual([`weave\t${line.replace(/^weave: /, '').replace(/; links to the other clusters unknown$/, '')}`]);
  });

  it('an image without curl: BusyBox wget reads the same status', () => {
    const fake = new FakeNode('amd64', { curl: false });
    nodes.push(fake);
    fake.on('wget -q -O - http://127.0.0.1:6784/status/connections', { out: healthy });
    for (const [pattern, answer] of [
      ['ip -o -4 addr show dev weave', { out: '5: weave    inet 10.33.0.1/16 brd 10.33.255.255 scope global weave' }],
      ['iptables-legacy-save', { out: weaveSave(true) }],
    ] as const)
      fake.on(pattern, answer);
    expect(linkLines(fake.run(agent(PEERS), 1))[0]).toBe('weave: links to cluster-b: 2 of 2 connections established, encrypted, fastdp, mtu 1376');
  });

  it('readiness stays about this node: links down leave a ready probe ready; a probe that fails mentions them', () => {
    const fake = node('amd64', 'legacy', [], { mesh: true });
    weave(fake, connectionsBody([failed('198.51.100.11:6783', DECRYPT), failed('198.51.100.12:6783', DECRYPT), established('203.0.113.11:6783', C1)]));
    fake.run(agent(PEERS), 1);
    expect(statusFile(fake)[1]).toMatch(/^link\tcluster-b\t0\t2\t-\t-\t-\tdown\t/);
    const ready = fake.run(probe());
    expect(ready.status).toBe(0);
    expect(ready.lines).toEqual([]);
    const broken = node('amd64', 'legacy', [['ip -4 route get 10.34.0.1', { out: '10.34.0.1 via 192.0.2.1 dev eth0 src 192.0.2.11' }]], { mesh: true });
    fs.copyFileSync(path.join(fake.statusDir, 'links'), path.join(broken.statusDir, 'links'));
    const notReady = broken.run(probe());
    expect(notReady.status).toBe(1);
    expect(notReady.lines).toEqual([
      "not ready: ip route get 10.34.0.1 gives '10.34.0.1 via 192.0.2.1 dev eth0 src 192.0.2.11', not dev weave src 10.33.0.1 (Weave links: 1 of 2 other clusters fully connected; readiness does not wait for them; weave-mesh status shows every link)",
    ]);
  });

  it('cannot write its status file: says so once, and goes on', () => {
    const fake = node('amd64', 'legacy');
    weave(fake, healthy);
    fs.rmSync(fake.statusDir, { recursive: true });
    const result = lines(fake.run(agent(PEERS), 3));
    expect(result.filter((line) => line.startsWith('could not write'))).toEqual([`could not write the status file ${fake.statusDir}/links (read-only, or the volume is missing): weave-mesh status cannot show this node`]);
  });
});

describe('cleanup', () => {
  it('the teardown removes the routes with its protocol and its chains from the iptables that has them, and says it is done', () => {
    const fake = node('amd64', 'legacy', [], { mesh: true, routes: '10.34.0.0/16 dev weave scope link src 10.33.0.1' });
    const result = lines(fake.run(teardown(), 1));
    expect(result).toEqual([
      'teardown: removing the routes with protocol 87 and the firewall rules route-config added',
      'removed route 10.34.0.0/16 dev weave (teardown)',
      'removed chain WMESH-FORWARD and its jump from FORWARD (iptables-legacy)',
      'removed chain WMESH-POSTROUTING and its jump from POSTROUTING (iptables-legacy)',
      'removed chain WMESH-OUTPUT and its jump from OUTPUT (iptables-legacy)',
      'teardown done: nothing of route-config is left on this node',
    ]);
    // Only the save of nft, which has nothing of the agent: no nft table touched.
    expect(fake.calls().filter((call) => call.includes('nft'))).toEqual(['iptables-nft-save']);
    expect(fake.calls()).toContain('iptables-legacy -w 5 -t filter -D FORWARD -m comment --comment weave-mesh/route-config -j WMESH-FORWARD');
    expect(fake.calls()).toContain('iptables-legacy -w 5 -t nat -X WMESH-POSTROUTING');
  });

  it('the teardown never says done when it could not read iptables: it says what is left, once, and retries', () => {
    const fake = node('amd64', 'legacy', [['iptables-nft-save', { hang: true }]], { mesh: true });
    const result = lines(fake.run(teardown(), 3));
    expect(result.filter((line) => line.startsWith('teardown'))).toEqual([
      'teardown: removing the routes with protocol 87 and the firewall rules route-config added',
      "teardown not finished: left on this node: the agent's chains in iptables-nft, maybe (iptables-nft-save timed out after 1 s (exit 143)); retrying every 2 s",
    ]);
  });

  it('the teardown probe is ready only on a clean node, and says why not', () => {
    expect(node('amd64', 'legacy').run(teardownProbe())).toMatchObject({ status: 0, lines: [] });
    expect(node('amd64', 'nft', [], { mesh: true }).run(teardownProbe()).lines).toEqual(['not ready: chains of route-config remain in iptables-nft']);
    expect(node('amd64', 'legacy', [], { routes: '10.34.0.0/16 dev weave scope link src 10.33.0.1' }).run(teardownProbe()).lines).toEqual(['not ready: routes with protocol 87 remain']);
    expect(node('arm64', 'plain', [['iptables-save', { status: 4 }]]).run(teardownProbe()).lines).toEqual(['not ready: iptables-save could not read the tables (exit 4: no permission, or the kernel refused)']);
  });
});
