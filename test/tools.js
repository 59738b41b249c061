// The tools some tests need, how each is found, and the explicit opt-out WEAVE_MESH_SKIP.
//
// A test file that needs a tool says so in a line of its own, `// Needs: ruby kubectl`. When one of
// those tools is missing, the file fails before any of its tests runs, naming the tool and how to get
// it. Only WEAVE_MESH_SKIP (a comma-separated list of names, e.g. WEAVE_MESH_SKIP=netns,ruby) leaves
// such files out: jest.config.js ignores them, and the closing summary line names what was skipped.
// Used by jest.config.js, test/needs-setup.js and test/summary-reporter.js (CommonJS, like them).
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const has = (command, env) => spawnSync('sh', ['-c', `command -v ${command}`], { env }).status === 0;

/** Each name a test can need: what for, the Debian package, and why it is missing here (undefined when present). */
const TOOLS = {
  ruby: {
    why: "Ruby's Psych reads YAML as Pharos does",
    package: 'ruby',
    missing: (env) => (spawnSync('ruby', ['-e', 'require "yaml"; require "json"'], { env }).status === 0 ? undefined : 'ruby (with yaml and json) is not installed'),
  },
  kubectl: { why: 'kubectl kustomize builds the synced folders as Argo CD and Flux do', package: 'kubernetes-client', missing: (env) => (has('kubectl', env) ? undefined : 'kubectl is not installed') },
  shellcheck: { why: "shellcheck -s sh lints the node agent's programs", package: 'shellcheck', missing: (env) => (has('shellcheck', env) ? undefined : 'shellcheck is not installed') },
  busybox: { why: 'the node agent runs under BusyBox, as in the weave-kube image', package: 'busybox', missing: (env) => (has('busybox', env) ? undefined : 'busybox is not installed') },
  git: { why: 'git records the subnets and tracks the password file', package: 'git', missing: (env) => (has('git', env) ? undefined : 'git is not installed') },
  iptables: {
    why: "the simulated nodes run Weave's rules with both iptables backends",
    package: 'iptables',
    missing: (env) => (has('iptables-legacy', env) && has('iptables-nft', env) ? undefined : 'iptables-legacy and iptables-nft are not both installed'),
  },
  ipset: { why: "Weave's network policy rules match ipsets", package: 'ipset', missing: (env) => (has('ipset', env) ? undefined : 'ipset is not installed') },
  root: {
    why: 'network namespaces and iptables need root',
    package: undefined,
    missing: () => (process.getuid && process.getuid() === 0 ? undefined : 'the tests do not run as root'),
  },
  netns: {
    why: 'network namespaces simulate the nodes',
    package: 'iproute2',
    missing: (env) => {
      if (process.platform !== 'linux') return 'network namespaces need Linux';
      if (!has('ip', env)) return 'ip (iproute2) is not installed';
      const probe = `wmprobe${process.pid}`;
      if (spawnSync('ip', ['netns', 'add', probe], { env }).status !== 0) return '`ip netns add` is not permitted here';
      spawnSync('ip', ['netns', 'del', probe], { env });
      return undefined;
    },
  },
  br_netfilter: {
    why: "bridged traffic must pass iptables, as Weave's launch.sh ensures",
    package: undefined,
    missing: () => (fs.existsSync('/proc/sys/net/bridge') ? undefined : 'the br_netfilter kernel module is not loaded (modprobe br_netfilter, as root)'),
  },
};

/** The names WEAVE_MESH_SKIP lists; an unknown name is an error, so a typo never skips silently. */
function skipList(env = process.env) {
  const names = (env.WEAVE_MESH_SKIP ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !Object.hasOwn(TOOLS, name));
  if (unknown.length > 0) throw new Error(`WEAVE_MESH_SKIP names ${unknown.join(', ')}, which no test needs; the names are ${Object.keys(TOOLS).join(', ')}`);
  return names;
}

/** The names a test file's `// Needs:` line declares (none when it has no such line). */
function needsOf(file) {
  const line = /^\/\/ Needs: (.*)$/m.exec(fs.readFileSync(file, 'utf8'));
  const names = line ? line[1].split(/\s+/).filter(Boolean) : [];
  const unknown = names.filter((name) => !Object.hasOwn(TOOLS, name));
  if (unknown.length > 0) throw new Error(`${file}: // Needs: names ${unknown.join(', ')}; the names are ${Object.keys(TOOLS).join(', ')}`);
  return names;
}

/** The test files WEAVE_MESH_SKIP leaves out, each with the names that made it skip. */
function skippedFiles(testDir, env = process.env) {
  const skip = skipList(env);
  if (skip.length === 0) return [];
  return fs
    .readdirSync(testDir)
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => ({ file: path.join(testDir, name), names: needsOf(path.join(testDir, name)).filter((need) => skip.includes(need)) }))
    .filter(({ names }) => names.length > 0);
}

/** One line per missing tool a file needs: what is missing, what for, and how to get it or skip it. */
function missingTools(names, env = process.env) {
  return names.flatMap((name) => {
    const tool = TOOLS[name];
    const reason = tool.missing(env);
    if (reason === undefined) return [];
    const fix = tool.package ? `install it (Debian package ${tool.package}; .ci/run installs it)` : 'run the tests where it is';
    return [`${name}: ${reason}, and ${tool.why}; ${fix}, or set WEAVE_MESH_SKIP=${name} to skip the tests that need it`];
  });
}

module.exports = { TOOLS, skipList, needsOf, skippedFiles, missingTools };
