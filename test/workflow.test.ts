import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseDocument } from 'yaml';
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
    expect(runs).toContain('npm run --silent plan -- --summary');
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
        if (['check', 'plan'].includes(name)) expect(run([name, ...(args ?? '').trim().split(/\s+/).filter(Boolean), '--outdir', outdir]).code).toBe(0);
      }
    }
  });
});
