import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { buildApp } from '../main';
import { Output, runCli as runCliInProcess } from '../src/cli';
import { listFiles } from '../src/output/write';

export const REPO = path.resolve(__dirname, '..');

/** A fresh temporary folder, removed after the test file. */
export function tempDir(prefix = 'weave-mesh-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface ClusterOptions {
  subnet: string;
  workers: string[];
  masters?: string[];
  serviceCidr?: string;
  podNetworkCidr?: string;
  password?: string;
  extraPeers?: string[];
  /** Hosts' private_address, by their address. */
  privateAddresses?: Record<string, string>;
}

/** A valid Pharos cluster.yml as data. */
export function clusterConfig(options: ClusterOptions): Record<string, any> {
  // Pharos refuses a cluster without a master: by default one, named after the first worker (Pharos takes host names).
  const masters = options.masters ?? [`master-${(options.workers[0] ?? 'none').replace(/\./g, '-')}.example.test`];
  const host = (address: string, role: string) => ({ address, ...(options.privateAddresses?.[address] ? { private_address: options.privateAddresses[address] } : {}), role });
  const hosts = [...masters.map((address) => host(address, 'master')), ...options.workers.map((address) => host(address, 'worker'))];
  return {
    hosts,
    network: {
      provider: 'weave',
      service_cidr: options.serviceCidr ?? '172.16.0.0/16',
      pod_network_cidr: options.podNetworkCidr ?? '10.32.0.0/12',
      weave: {
        password: options.password ?? './shared_password',
        ipalloc_default_subnet: options.subnet,
        ...(options.extraPeers ? { known_peers: options.extraPeers } : {}),
      },
    },
  };
}

/** Writes an inventory folder: name -> config data (stringified) or raw file text. File names may carry .yml/.yaml. */
export function writeInventory(dir: string, clusters: Record<string, Record<string, any> | string>): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(clusters)) {
    const file = /\.ya?ml$/.test(name) ? name : `${name}.yml`;
    fs.writeFileSync(path.join(dir, file), typeof content === 'string' ? content : stringify(content));
  }
  return dir;
}

/** The three-cluster mesh used across tests: A and B as in the reference, C added. */
export function threeClusters(): Record<string, Record<string, any>> {
  return {
    'cluster-a': clusterConfig({ subnet: '10.33.0.0/16', workers: ['192.0.2.11', '192.0.2.12'], masters: ['192.0.2.10'] }),
    'cluster-b': clusterConfig({ subnet: '10.34.0.0/16', workers: ['198.51.100.11', '198.51.100.12'], serviceCidr: '172.17.0.0/16' }),
    'cluster-c': clusterConfig({ subnet: '10.35.0.0/16', workers: ['203.0.113.11'], serviceCidr: '172.18.0.0/16' }),
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command (synth, check) in-process, with output captured. */
export function run(args: string[]): RunResult {
  const { output, result } = captured();
  const code = runCliInProcess(args, buildApp, output);
  if (typeof code !== 'number') throw new Error(`internal: ${args[0]} answers asynchronously; use runAsync`);
  return result(code);
}

/** run, for a command that may answer asynchronously (status). */
export async function runAsync(args: string[]): Promise<RunResult> {
  const { output, result } = captured();
  return result(await runCliInProcess(args, buildApp, output));
}

/** An Output that keeps every line, and the result of a run with it. */
function captured(): { output: Output; result: (code: number) => RunResult } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    output: { out: (line) => stdout.push(line), err: (line) => stderr.push(line) },
    result: (code) => withoutPlaceholderWarning({ code, stdout: stdout.join('\n'), stderr: stderr.join('\n') }),
  };
}

/**
 * main.ts ships the placeholder GitOps repoURL, so every run of it warns about that (test/formats.test.ts
 * asserts it). Other tests look at everything else: this removes exactly that warning, in any format.
 */
export function withoutPlaceholderWarning(result: RunResult): RunResult {
  const placeholder = (line: string) => line.includes('gitops-placeholder') || line.includes('is still the placeholder https://github.com/example-org/weave-mesh.git');
  let { stdout } = result;
  try {
    const document = JSON.parse(stdout);
    if (Array.isArray(document?.problems)) {
      document.problems = document.problems.filter((problem: { rule?: string }) => problem.rule !== 'gitops-placeholder');
      stdout = JSON.stringify(document, null, 2);
    }
  } catch {
    stdout = stdout
      .split('\n')
      .filter((line) => !placeholder(line))
      .join('\n');
  }
  return {
    ...result,
    stdout,
    stderr: result.stderr
      .split('\n')
      .filter((line) => !placeholder(line))
      .join('\n'),
  };
}

/** Runs synth in-process, with output captured. */
export function synth(args: string[]): RunResult {
  return run(['synth', ...args]);
}

/** Runs the compiled CLI as a user would (`node build/main.js`), in `cwd`. */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RunResult {
  const result = spawnSync(process.execPath, [path.join(REPO, 'build', 'main.js'), ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
  });
  return withoutPlaceholderWarning({ code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr });
}

/** Every file below `root`, relative path -> content, in path order. */
export function readTree(root: string): Map<string, string> {
  return new Map(listFiles(root).map((file) => [file, fs.readFileSync(path.join(root, file), 'utf8')]));
}

/** Tools the tests call through here, with the Debian package that brings each (.ci/run installs them); a file that uses one declares it (test/tools.js). */
const TOOLS: Record<string, string> = { kubectl: 'kubernetes-client' };

/**
 * `kubectl kustomize DIR`, as Argo CD and Flux build a synced folder. The kubectl here (Debian's, with
 * kustomize v5.x) is a newer stand-in for the kustomize of kubectl 1.18 (v2.0.3), Flux v0.25.3
 * (v4.4.1) and Argo CD 2.8 (v5.1.0); test/schema.test.ts checks kustomization.yaml against the
 * fields each of those knows. Without kubectl the test fails
 * saying which tool is missing and how to get it, not with `spawnSync kubectl ENOENT`.
 */
export function kustomize(dir: string): string {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', env: process.env });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`kubectl is not installed, and the tests build synced folders with kubectl kustomize as Argo CD and Flux do: install it (Debian: apt-get install ${TOOLS.kubectl}; .ci/run does)`);
  }
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${result.stderr}`);
  return result.stdout;
}

/**
 * A fresh folder below `root` holding the three-cluster inventory in `clusters/` (changed by `change`)
 * and room for `dist/`: the folders and the --clusters/--outdir options that point at them.
 */
export function threeClusterInventory(root: string, change?: (clusters: Record<string, any>) => void) {
  const dir = fs.mkdtempSync(path.join(root, 'case-'));
  const clusters: Record<string, any> = threeClusters();
  change?.(clusters);
  const folder = writeInventory(path.join(dir, 'clusters'), clusters);
  const outdir = path.join(dir, 'dist');
  return { dir, folder, outdir, opts: ['--clusters', folder, '--outdir', outdir] };
}

/** A minimal block-style cluster.yml of a second cluster, for tests that edit or splice a first one beside it. */
export const PEER_B = `hosts:
  - address: 198.51.100.10
    role: master
  - address: 198.51.100.11
    role: worker
network:
  service_cidr: 172.17.0.0/16
  weave:
    password: ./shared_password
    ipalloc_default_subnet: 10.34.0.0/16
`;
