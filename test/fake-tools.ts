import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Fake `ip` and iptables tools for running the node agent's programs without root: each records its
 * call, then answers as the test told it (output, exit status, or hanging until killed), optionally
 * only in some rounds of the agent. The programs run under the machine's BusyBox sh with its applets
 * (Debian's BusyBox 1.35, not the image's 1.30.1 or 1.28.4; its real `timeout` takes 1.30's syntax,
 * and a stand-in takes 1.28's), and only the tools of the chosen image layout exist.
 */

/** The iptables tools of weave-kube:2.6.5 per architecture: 1.8.3 on amd64, 1.6 on arm, arm64 and ppc64le. */
export const LAYOUTS = {
  amd64: ['iptables-legacy', 'iptables-legacy-save', 'iptables-legacy-restore', 'iptables-nft', 'iptables-nft-save', 'iptables-nft-restore'],
  arm64: ['iptables', 'iptables-save', 'iptables-restore'],
  none: [],
} as const;
export type Layout = keyof typeof LAYOUTS;

export interface Answer {
  /** What the tool prints on standard output. */
  readonly out?: string;
  /** Its exit status. @default 0 */
  readonly status?: number;
  /** Never returns (until killed). */
  readonly hang?: boolean;
  /** First sends SIGTERM to the program (as Kubernetes does to the container's first process), then answers. */
  readonly terminate?: boolean;
  /** Only in these rounds of the agent (0 is the first). @default every round */
  readonly rounds?: readonly number[];
}

let busyboxDir: string | undefined;
/** A folder of BusyBox applets (sh, awk, timeout, ...), made once per test file. */
export function busybox(): string {
  if (busyboxDir) return busyboxDir;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weave-mesh-bb-'));
  const binary = execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim();
  for (const applet of execFileSync(binary, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    // The image's ip is iproute2 (faked here), not BusyBox's applet.
    if (applet !== 'ip') fs.symlinkSync(binary, path.join(dir, applet));
  }
  busyboxDir = dir;
  return dir;
}

/**
 * A stand-in for BusyBox 1.28.4's `timeout` (Alpine 3.8: the arm, arm64 and ppc64le images), wrapping
 * the machine's BusyBox (Debian's 1.35, whose own applet takes 1.30's `timeout [-s SIG] SECS PROG`):
 * 1.28 takes `timeout [-t SECS] [-s SIG] PROG ARGS` (10 seconds without -t), so its first non-option
 * word is the program: `timeout 5 true` tries to run "5" and exits 127, as 1.28 does.
 */
export function busybox128Timeout(busyboxDir: string): string {
  return `#!${busyboxDir}/sh
secs=10
sig=TERM
while [ $# -gt 0 ]; do
  case $1 in
    -t) secs=$2; shift 2 ;;
    -t*) secs=\${1#-t}; shift ;;
    -s) sig=$2; shift 2 ;;
    -s*) sig=\${1#-s}; shift ;;
    --) shift; break ;;
    -*) echo "timeout: invalid option -- '\${1#-}'" >&2; exit 1 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "BusyBox v1.28.4 multi-call binary. Usage: timeout [-t SECS] [-s SIG] PROG ARGS" >&2; exit 1; }
command -v "$1" >/dev/null 2>&1 || { echo "timeout: can't execute '$1': No such file or directory" >&2; exit 127; }
exec ${busyboxDir}/timeout -s "$sig" "$secs" "$@"
`;
}

/** Quotes a pattern with * wildcards for a shell `case`. */
function casePattern(pattern: string): string {
  return pattern
    .split('*')
    .map((part) => (part ? `'${part.replace(/'/g, `'\\''`)}'` : ''))
    .join('*');
}

export class FakeNode {
  public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weave-mesh-fake-'));
  private readonly bin = path.join(this.dir, 'bin');
  private readonly answers: string[] = [];

  /** Where the agent keeps its status file (WEAVE_MESH_STATUS_DIR). */
  public readonly statusDir = path.join(this.dir, 'status');

  /** `curl: false`: an image without curl, where the agent reads Weave's status with BusyBox wget. */
  public constructor(layout: Layout, options: { timeout?: 'busybox' | 'dash-t'; curl?: boolean } = {}) {
    fs.mkdirSync(this.bin);
    fs.mkdirSync(this.statusDir);
    const fake = path.join(this.dir, 'fake');
    fs.writeFileSync(
      fake,
      `#!${busybox()}/sh
tool=\${0##*/}
cmd="$tool\${*:+ $*}"
echo "$cmd" >> "$FAKE/calls"
round=$(cat "$FAKE/round" 2>/dev/null || echo 0)
case $tool in *-restore) cat > "$FAKE/restored.$(wc -l < "$FAKE/calls" | tr -d ' ')" ;; esac
. "$FAKE/answers"
exit 0
`,
      { mode: 0o755 },
    );
    // weave-kube's image has curl (prog/weaver/Dockerfile.template at v2.6.5); the agent reads Weave's status with it.
    for (const tool of ['ip', ...(options.curl === false ? ['wget'] : ['curl']), ...LAYOUTS[layout]]) fs.symlinkSync(fake, path.join(this.bin, tool));
    // The agent's sleep between rounds counts rounds and, after the last, stops the agent as Kubernetes
    // would: SIGTERM to the program's first process (PID 1 in the container), recorded by run().
    fs.writeFileSync(
      path.join(this.bin, 'sleep'),
      `#!${busybox()}/sh
[ -n "$FAKE_ROUNDS" ] || exec ${busybox()}/sleep "$@"
round=$(($(cat "$FAKE/round" 2>/dev/null || echo 0) + 1))
echo $round > "$FAKE/round"
[ $round -lt "$FAKE_ROUNDS" ] || { kill -TERM "$(cat "$FAKE/pid")" 2>/dev/null; exec ${busybox()}/sleep 1000; }
exec ${busybox()}/sleep 0.05
`,
      { mode: 0o755 },
    );
    if (options.timeout === 'dash-t') {
      // BusyBox before 1.30 (Alpine 3.8's 1.28, in the arm images): timeout -t SECS PROG.
      fs.writeFileSync(path.join(this.bin, 'timeout'), busybox128Timeout(busybox()), { mode: 0o755 });
    }
    this.write();
  }

  /** Tells the tools how to answer a command line (`tool args`, `*` matching anything); the first match wins. */
  public on(pattern: string, answer: Answer): this {
    const n = this.answers.length;
    if (answer.out !== undefined) fs.writeFileSync(path.join(this.dir, `out.${n}`), answer.out.endsWith('\n') || !answer.out ? answer.out : `${answer.out}\n`);
    const when = answer.rounds ? `case " ${answer.rounds.join(' ')} " in *" $round "*) ;; *) false ;; esac` : 'true';
    const act = [answer.terminate ? 'kill -TERM "$(cat "$FAKE/pid")"' : '', answer.hang ? `echo $$ >> "$FAKE/hung"; exec ${busybox()}/sleep 1000` : '', answer.out !== undefined ? `cat "$FAKE/out.${n}"` : '', `exit ${answer.status ?? 0}`].filter(
      Boolean,
    );
    this.answers.push(`case "$cmd" in ${casePattern(pattern)}) if ${when}; then ${act.join('; ')}; fi ;; esac`);
    this.write();
    return this;
  }

  /** Every call the programs made, in order. */
  public calls(): string[] {
    const file = path.join(this.dir, 'calls');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  }

  /** The hanging calls (their process ids) still running a second after the program ended (a signal takes effect when its process next runs). */
  public stillHanging(): number[] {
    const file = path.join(this.dir, 'hung');
    const pids = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : [];
    // A process that was killed but not yet reaped (a zombie: state Z) is not running.
    const running = () =>
      pids.filter((pid) => {
        try {
          return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
        } catch {
          return false;
        }
      });
    for (let tries = 0; tries < 20 && running().length > 0; tries++) spawnSync('sleep', ['0.05']);
    return running();
  }

  /** What each iptables-restore got on standard input, in order. */
  public restored(): string[] {
    return fs
      .readdirSync(this.dir)
      .filter((file) => file.startsWith('restored.'))
      .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
      .map((file) => fs.readFileSync(path.join(this.dir, file), 'utf8'));
  }

  /** Runs a rendered program; `rounds` stops an agent or teardown after that many rounds. */
  public run(program: string, rounds?: number): { status: number | null; lines: string[]; ms: number } {
    fs.rmSync(path.join(this.dir, 'round'), { force: true });
    const file = path.join(this.dir, 'program.sh');
    fs.writeFileSync(file, program);
    const start = Date.now();
    const result = spawnSync(path.join(busybox(), 'sh'), ['-c', 'echo $$ > "$FAKE/pid"; exec sh "$0"', file], {
      encoding: 'utf8',
      env: { PATH: `${this.bin}:${busybox()}`, FAKE: this.dir, WEAVE_MESH_STATUS_DIR: this.statusDir, ...(rounds ? { FAKE_ROUNDS: String(rounds) } : {}) },
      timeout: 60000,
    });
    const lines = `${result.stdout}${result.stderr}`.split('\n').filter(Boolean);
    return { status: result.status, lines, ms: Date.now() - start };
  }

  public remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private write(): void {
    fs.writeFileSync(path.join(this.dir, 'answers'), `${this.answers.join('\n')}\n`);
  }
}
