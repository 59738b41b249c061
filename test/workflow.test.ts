// Needs: git
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { addClusterC, commitAll, copyExample, initRepository } from './git-repo';
import { REPO, run, tempDir } from './helpers';

/**
 * The shipped GitHub Actions workflow, read as GitHub reads it (YAML), checked for the structure
 * Actions requires and for what it must do: annotate each problem once, load br_netfilter before the
 * datapath test, and run only commands that exist.
 */
const FILE = path.join(REPO, 'docs', 'github-actions.yml');
const document = parseDocument(fs.readFileSync(FILE, 'utf8'), { uniqueKeys: true });
const workflow = document.toJS() as { name: string; on: unknown; jobs: Record<string, { 'runs-on': string; steps: Record<string, unknown>[] }> };
const steps = Object.values(workflow.jobs ?? {}).flatMap((job) => job.steps ?? []);
const scratch = tempDir();
const runs = steps.flatMap((step) => (typeof step.run === 'string' ? [step.run] : []));

describe('docs/github-actions.yml', () => {
  it('parses as YAML without errors or warnings, with name, triggers and jobs', () => {
    expect(document.errors).toEqual([]);
    expect(document.warnings).toEqual([]);
    expect(typeof workflow.name).toBe('string');
    expect(workflow.on).toBeTruthy();
    expect(Object.keys(workflow.jobs).length).toBeGreaterThan(0);
  });

  it('has, in every job, runs-on and steps that each do exactly one of uses and run, with only keys Actions knows', () => {
    const known = ['id', 'if', 'name', 'uses', 'run', 'with', 'env', 'shell', 'working-directory', 'continue-on-error', 'timeout-minutes'];
    for (const job of Object.values(workflow.jobs)) {
      expect(typeof job['runs-on']).toBe('string');
      expect(Array.isArray(job.steps)).toBe(true);
      for (const step of job.steps) {
        expect(Object.keys(step).filter((key) => !known.includes(key))).toEqual([]);
        expect(['uses' in step, 'run' in step].filter(Boolean)).toHaveLength(1);
        if ('uses' in step) expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
      }
    }
  });

  it('has every run script pass bash -n (GitHub runs them with bash -e)', () => {
    expect(runs.length).toBeGreaterThan(0);
    for (const script of runs) {
      const result = spawnSync('bash', ['-n', '-e'], { input: script, encoding: 'utf8' });
      expect({ script, stderr: result.stderr, status: result.status }).toEqual({ script, stderr: '', status: 0 });
    }
  });

  it('annotates each problem once: only one command uses --format github', () => {
    expect(runs.filter((script) => script.includes('--format github'))).toEqual(['npm run --silent check -- --format github']);
    expect(runs).toContain('npm run --silent plan -- --summary --base "$BASE_SHA" --base-may-be-empty');
  });

  it("plans against the pull request's base commit, with the history that holds it", () => {
    const checkout = steps.find((step) => String(step.uses).startsWith('actions/checkout@'));
    expect(checkout?.with).toEqual({ 'fetch-depth': 0 });
    const planStep = steps.find((step) => String(step.run).includes('plan --'))!;
    expect(planStep.env).toEqual({ BASE_SHA: '${{ github.event.pull_request.base.sha }}' });
    expect(planStep.if).toBe("always() && github.event_name == 'pull_request'");
  });

  it('loads br_netfilter before the tests that run the datapath', () => {
    const load = runs.findIndex((script) => /\bmodprobe br_netfilter\b/.test(script));
    const test = runs.findIndex((script) => /\bnpm test\b/.test(script));
    expect(load).toBeGreaterThanOrEqual(0);
    expect(load).toBeLessThan(test);
  });

  it('runs only npm scripts that package.json defines, with options the CLI takes', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).scripts;
    const outdir = path.join(scratch, 'dist');
    expect(run(['synth', '--outdir', outdir]).code).toBe(0);
    for (const script of runs) {
      for (const [, name, args] of script.matchAll(/npm run (?:--silent )?([\w:-]+)(?: -- ([^\n&|;]*))?/g)) {
        expect(Object.keys(scripts)).toContain(name);
        // The weave-mesh commands, with the workflow's own options, on a current output folder: exit 0.
        // (Options from the step's environment are run for real in the pull request below.)
        const words = (args ?? '')
          .trim()
          .split(/\s+/)
          .filter((word) => word && !word.includes('$'));
        if (words.includes('--base')) words.splice(words.indexOf('--base'), 1);
        // What --base-may-be-empty is about needs a base: run for real in the pull requests below.
        if (words.includes('--base-may-be-empty')) words.splice(words.indexOf('--base-may-be-empty'), 1);
        if (['check', 'plan'].includes(name)) expect(run([name, ...words, '--outdir', outdir]).code).toBe(0);
      }
    }
  });
});

/** A throwaway repository whose package.json stands in for one that installs weave-mesh: its scripts run this checkout's build. */
function inventoryRepository(name: string): string {
  const repo = path.join(scratch, name);
  fs.mkdirSync(repo);
  const cli = path.join(REPO, 'build', 'main.js');
  fs.writeFileSync(path.join(repo, 'package.json'), JSON.stringify({ name: 'mesh-inventory', private: true, scripts: Object.fromEntries(['synth', 'check', 'plan'].map((name) => [name, `node ${JSON.stringify(cli)} ${name}`])) }, null, 2));
  return repo;
}

/**
 * Runs each workflow step that runs a weave-mesh command under bash -e as Actions runs it, in `repo`,
 * with its env (expressions filled in from a pull request event whose base is `base`) and
 * GITHUB_STEP_SUMMARY at `summary`.
 */
function runWorkflow(repo: string, base: string, summary: string) {
  const event = { 'github.event.pull_request.base.sha': base, 'github.event_name': 'pull_request' };
  const fill = (value: string) =>
    value.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_all, name: string) => {
      if (!(name in event)) throw new Error(`the workflow uses \${{ ${name} }}, which this test does not know`);
      return event[name as keyof typeof event];
    });
  return steps
    .filter((step) => typeof step.run === 'string' && /npm run --silent (check|plan)\b/.test(step.run))
    .map((step) => {
      const env = Object.fromEntries(Object.entries((step.env ?? {}) as Record<string, string>).map(([key, value]) => [key, fill(value)]));
      const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run as string], {
        cwd: repo,
        encoding: 'utf8',
        env: { ...process.env, ...env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, NO_COLOR: '1' },
      });
      return {
        script: step.run as string,
        code: result.status,
        stdout: result.stdout,
        stderr: result.stderr
          .split('\n')
          .filter((line) => line && !line.includes('placeholder'))
          .join('\n'),
      };
    });
}

/**
 * The workflow's own commands, as written, on a pull request: a throwaway repository whose base commit
 * holds the shipped example, and a pull request commit that adds cluster-c to the inventory with its
 * rendered dist/.
 */
describe('docs/github-actions.yml on a pull request', () => {
  const repo = inventoryRepository('repository');
  copyExample(REPO, repo);
  const base = initRepository(repo);
  addClusterC(repo);
  const synthesised = spawnSync('npm', ['run', '--silent', 'synth'], { cwd: repo, encoding: 'utf8' });
  commitAll(repo, 'cluster-c joins the mesh');
  const summary = path.join(scratch, 'summary.md');
  const ran = runWorkflow(repo, base, summary);

  it('runs check and plan, each exit 0', () => {
    expect(synthesised.status).toBe(0);
    expect(ran.map(({ script }) => script)).toEqual(['npm run --silent check -- --format github', 'npm run --silent plan -- --summary --base "$BASE_SHA" --base-may-be-empty']);
    for (const { script, code, stderr } of ran) expect({ script, code, stderr }).toEqual({ script, code: 0, stderr: '' });
  });

  it('shows the change and its next steps, in the log and the job summary, with repository paths', () => {
    const log = ran[1].stdout;
    expect(log).toContain('+ cluster cluster-c joins the mesh with subnet 10.35.0.0/16');
    expect(log).toContain('  $ pharos up -c dist/cluster-c/pharos/cluster.yml');
    expect(log).toContain('  $ pharos up -c dist/cluster-a/pharos/cluster.yml');
    const markdown = fs.readFileSync(summary, 'utf8');
    // The marker a workflow finds its comment by, and the base the plan compares with.
    expect(markdown.split('\n')[0]).toBe('<!-- weave-mesh-plan -->');
    expect(markdown).toContain(`the base commit's \`dist\` (\`${base.slice(0, 12)}\``);
    expect(markdown).toContain('| joins | cluster-c | `10.35.0.0/16` |');
    expect(markdown).toContain('#### Next steps, once this is merged');
    expect(markdown).toContain('  pharos up -c dist/cluster-c/pharos/cluster.yml');
    expect(markdown).not.toContain('No changes');
    expect(log + markdown).not.toContain(scratch);
  });
});

/**
 * The pull request that introduces weave-mesh: its base commit has no clusters/ and no dist/ (only the
 * repository's package.json), the pull request adds the inventory and its rendered dist/. The plan step
 * must not fail: every cluster joins, and a note says the base had no output folder.
 */
describe('docs/github-actions.yml on the pull request that adopts weave-mesh', () => {
  const repo = inventoryRepository('adoption');
  const base = initRepository(repo, 'before weave-mesh');
  copyExample(REPO, repo);
  commitAll(repo, 'adopt weave-mesh');
  const summary = path.join(scratch, 'adoption-summary.md');
  const ran = runWorkflow(repo, base, summary);

  it('runs check and plan, each exit 0, and plans every cluster as joining, with a note', () => {
    for (const { script, code, stderr } of ran) expect({ script, code, stderr }).toEqual({ script, code: 0, stderr: '' });
    const log = ran[1].stdout;
    expect(log).toContain('+ cluster cluster-a joins the mesh with subnet 10.33.0.0/16');
    expect(log).toContain('+ cluster cluster-b joins the mesh with subnet 10.34.0.0/16');
    expect(log).toContain(`NOTE: the base ${base.slice(0, 12)} has no dist/ folder (this change introduces weave-mesh)`);
    const markdown = fs.readFileSync(summary, 'utf8');
    expect(markdown).toContain('| joins | cluster-a | `10.33.0.0/16` |');
    expect(markdown).toContain('| joins | cluster-b | `10.34.0.0/16` |');
    expect(markdown).toContain('> [!NOTE]');
    expect(markdown).toContain('has no dist/ folder (this change introduces weave-mesh)');
    expect(markdown).not.toContain('No plan was made');
  });

  it('still fails the plan step, with its one line, when the base is not in the clone', () => {
    const summaryMissing = path.join(scratch, 'missing-summary.md');
    const missing = runWorkflow(repo, 'f'.repeat(40), summaryMissing)[1];
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`error: the base ${'f'.repeat(40)} is not a commit of this repository: fetch it (git fetch origin ${'f'.repeat(40)}), or give a branch, tag or commit SHA that exists [base]`);
    expect(fs.readFileSync(summaryMissing, 'utf8')).toContain('**No plan was made:**');
  });
});
