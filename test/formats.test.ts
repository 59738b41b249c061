import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { parse } from 'yaml';
import { WeaveMesh } from '../constructs/weave-mesh';
import { runCli as runCliInProcess } from '../src/cli';
import { annotation, escapeData, escapeProperty } from '../src/commands/report';
import { loadInventory } from '../src/inventory/load';
import { REPO, run, runCli, synth, tempDir, threeClusterInventory, threeClusters, writeInventory } from './helpers';

/** How commands report in CI: GitHub annotations, one JSON document, a Markdown plan, documented exit codes. */
const root = tempDir();
/** The three-cluster inventory in a fresh folder, changed by `change`. */
const inventory = (change?: (clusters: Record<string, any>) => void) => threeClusterInventory(root, change);

/**
 * GitHub's workflow command syntax (docs: "Workflow commands for GitHub Actions"):
 * `::error file={name},line={line},col={col},title={title}::{message}`, properties comma-separated,
 * values with % CR LF : , escaped, the message with % CR LF escaped.
 */
const ANNOTATION = /^::(error|warning|notice)( (file=[^,:\r\n]+)?(,?line=\d+)?(,?col=\d+)?(,?title=[^,:\r\n]+)?)?::[^\r\n]*$/;

describe('--format github', () => {
  const broken = inventory((c) => {
    c['cluster-b'].network.weave.ipalloc_default_subnet = '10.33.128.0/17';
    c['cluster-c'].network.service_cidr = '172.17.0.0/16';
  });
  const result = run(['synth', ...broken.opts, '--format', 'github']);
  const annotations = result.stdout.split('\n').filter((line) => line.startsWith('::'));

  it("prints one annotation per problem in GitHub's syntax, with the file, line and column", () => {
    expect(result.code).toBe(1);
    expect(annotations).toHaveLength(2);
    for (const line of annotations) expect(line).toMatch(ANNOTATION);
    expect(annotations[0]).toMatch(/^::error file=.*cluster-b\.yml,line=\d+,col=\d+,title=weave-mesh subnet-overlap::cluster cluster-b: network\.weave\.ipalloc_default_subnet: 10\.33\.128\.0\/17 overlaps 10\.33\.0\.0\/16 of cluster cluster-a/);
    expect(annotations[1]).toMatch(/^::warning file=.*cluster-c\.yml,line=\d+,col=\d+,title=weave-mesh shared-service-cidr::cluster cluster-c: network\.service_cidr: 172\.17\.0\.0\/16 is also the service CIDR of cluster cluster-b/);
  });

  it('names files relative to the repository root, where the pull request shows them', () => {
    const shipped = runCli(['check', '--format', 'github', '--clusters', 'clusters', '--outdir', 'dist']);
    expect(shipped.code).toBe(0);
    const sub = path.join(root, 'repo');
    fs.mkdirSync(path.join(sub, '.git'), { recursive: true });
    writeInventory(path.join(sub, 'infra', 'clusters'), { ...threeClusters(), 'cluster-b': { ...threeClusters()['cluster-b'], network: { provider: 'calico' } } });
    const nested = runCli(['synth', '--format', 'github', '--clusters', 'clusters', '--outdir', 'dist'], { cwd: path.join(sub, 'infra') });
    expect(nested.stdout.split('\n').filter((line) => line.startsWith('::'))[0]).toMatch(/^::error file=infra\/clusters\/cluster-b\.yml,line=\d+,col=\d+,/);
  });

  it('escapes as GitHub specifies', () => {
    expect(escapeData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
    const line = annotation({ severity: 'error', file: 'clusters/a,b:c.yml', line: 3, column: 7, cluster: 'a', field: 'hosts', message: 'two\nlines 100%', rule: 'shape' }, process.cwd());
    expect(line).toBe('::error file=clusters/a%2Cb%3Ac.yml,line=3,col=7,title=weave-mesh shape::cluster a: hosts: two%0Alines 100%25');
    expect(line).toMatch(ANNOTATION);
  });
});

describe('--format json', () => {
  it('prints one JSON document with every problem on stdout, and nothing else there', () => {
    const broken = inventory((c) => (c['cluster-b'].network.provider = 'calico'));
    const result = run(['check', ...broken.opts, '--format', 'json']);
    expect(result.code).toBe(1);
    const document = JSON.parse(result.stdout);
    expect(document.command).toBe('check');
    expect(document.exitCode).toBe(1);
    expect(document.problems).toEqual([
      {
        severity: 'error',
        file: expect.stringMatching(/cluster-b\.yml$/),
        line: expect.any(Number),
        column: expect.any(Number),
        cluster: 'cluster-b',
        field: 'network.provider',
        rule: 'weave-provider',
        message: 'is "calico"; a multi-cluster pod network needs provider: weave in every cluster',
      },
    ]);
    expect(result.stderr).toMatch(/nothing was compared with/);
  });

  it("reports each command's result", () => {
    const { opts, folder } = inventory((c) => delete c['cluster-c'].network.weave.ipalloc_default_subnet);
    const allocate = JSON.parse(run(['allocate', 'cluster-c', ...opts, '--format', 'json']).stdout);
    expect(allocate).toMatchObject({ command: 'allocate', exitCode: 0, cluster: 'cluster-c', subnet: '10.32.0.0/16', restored: false });
    const written = JSON.parse(run(['synth', ...opts, '--format', 'json']).stdout);
    expect(written).toMatchObject({ command: 'synth', exitCode: 0, written: true });
    expect(written.clusters.map((cluster: any) => cluster.cluster)).toEqual(['cluster-a', 'cluster-b', 'cluster-c']);
    expect(JSON.parse(run(['check', ...opts, '--format', 'json']).stdout)).toMatchObject({ upToDate: true, files: [] });
    expect(fs.existsSync(folder)).toBe(true);
  });
});

describe('plan --format markdown', () => {
  const { folder, opts, dir } = inventory();
  expect(synth(opts).code).toBe(0);
  fs.rmSync(path.join(folder, 'cluster-c.yml'));
  const file = path.join(folder, 'cluster-b.yml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('10.34.0.0/16', '10.36.0.0/16'));
  // cluster-c's subnet under another name, on other hosts: a leave and a join (the same hosts would be a rename).
  const d = threeClusters()['cluster-c'];
  d.hosts = d.hosts.map((host: { address: string }) => ({ ...host, address: host.address.replace('203.0.113.11', '203.0.113.41') }));
  writeInventory(folder, { 'cluster-d': d });

  it('summarises joins, leaves, routes and peers per cluster, renumbering warnings and the files, for a pull-request comment', () => {
    const result = run(['plan', ...opts, '--format', 'markdown']);
    expect(result.code).toBe(0);
    const markdown = result.stdout;
    expect(markdown.split('\n').slice(0, 2)).toEqual(['<!-- weave-mesh-plan -->', '### weave-mesh plan']);
    expect(markdown).toContain("> [!WARNING]\n> cluster cluster-b's subnet changes from 10.34.0.0/16 to 10.36.0.0/16");
    expect(markdown).toContain('| joins | cluster-d | `10.35.0.0/16` |');
    expect(markdown).toContain('| leaves | cluster-c | `10.35.0.0/16` |');
    expect(markdown).toMatch(/^\| cluster-a \| {2}\| `10\.36\.0\.0\/16` \| `10\.34\.0\.0\/16` \| .* \|$/m);
    expect(markdown).toMatch(/<details><summary>\d+ files change in <code>.*dist<\/code><\/summary>/);
    expect(markdown).toContain('- removed: `cluster-c/pharos/cluster.yml`');
  });

  it('appends the Markdown to $GITHUB_STEP_SUMMARY in any format', () => {
    const summary = path.join(dir, 'summary.md');
    fs.writeFileSync(summary, '# earlier step\n');
    const result = runCli(['plan', ...opts], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^weave-mesh plan: /);
    const written = fs.readFileSync(summary, 'utf8');
    expect(written.startsWith('# earlier step\n<!-- weave-mesh-plan -->\n### weave-mesh plan\n')).toBe(true);
    expect(written).toContain('| leaves | cluster-c |');
  });

  it('is a plan option only', () => {
    expect(run(['check', ...opts, '--format', 'markdown']).code).toBe(2);
  });
});

describe('exit codes', () => {
  it.each([
    ['0: synth of a valid inventory', (o: string[]) => ['synth', ...o], 0],
    ['0: check of an output folder that is up to date', (o: string[]) => ['check', ...o], 0],
    ['1: check of an output folder that is out of date', (o: string[], f: string) => (fs.rmSync(path.join(f, 'cluster-c.yml')), ['check', ...o]), 1],
    ['1: synth of an invalid inventory', (o: string[], f: string) => (fs.writeFileSync(path.join(f, 'cluster-c.yml'), 'hosts: ['), ['synth', ...o]), 1],
    ['2: an unknown option', (o: string[]) => ['synth', ...o, '--bogus'], 2],
    ['2: an unknown command', (o: string[]) => ['deploy', ...o], 2],
    ['2: an unknown format', (o: string[]) => ['synth', ...o, '--format', 'xml'], 2],
  ])('%s', (_name, args, code) => {
    const { opts, folder } = inventory();
    expect(synth(opts).code).toBe(0);
    expect(run(args(opts, folder)).code).toBe(code);
  });
});

describe('the shipped placeholder repoURL', () => {
  // main.ts is where the setting lives: the warning points at its line there, as at an inventory file's.
  const line =
    fs
      .readFileSync(path.join(REPO, 'main.ts'), 'utf8')
      .split('\n')
      .findIndex((text) => /^ {4}repoURL: /.test(text)) + 1;
  it.each([
    [
      'text',
      `warning: main.ts:${line}:5: gitops.repoURL: is still the placeholder https://github.com/example-org/weave-mesh.git, so Argo CD and Flux would clone a repository that is not yours; set gitops.repoURL in main.ts to this repository's URL [gitops-placeholder]\n`,
    ],
    ['github', `::warning file=main.ts,line=${line},col=5,title=weave-mesh gitops-placeholder::gitops.repoURL: is still the placeholder`],
  ])('is warned about by synth and check (%s), naming the setting and its line in main.ts', (format, warning) => {
    expect(line).toBeGreaterThan(0);
    for (const command of ['synth', 'check']) {
      const result = spawnSync(process.execPath, [path.join(REPO, 'build', 'main.js'), command, '--format', format, '--outdir', path.join(root, `placeholder-${format}`)], { cwd: REPO, encoding: 'utf8' });
      expect(`${result.stdout}${result.stderr}`).toContain(warning);
    }
  });

  it('is gone once the setting names a real repository', () => {
    const { opts } = inventory();
    const factory = (clusters: string, outdir: string) => new WeaveMesh(new App(), 'weave-mesh', { inventory: loadInventory(clusters), outdir, gitops: { repoURL: 'https://git.example.org/platform/mesh.git' } });
    const lines: string[] = [];
    expect(runCliInProcess(['synth', ...opts], factory, { out: () => undefined, err: (line) => lines.push(line) })).toBe(0);
    expect(lines).toEqual([]);
  });
});

describe('the workflow for users (docs/github-actions.yml)', () => {
  const workflow = parse(fs.readFileSync(path.join(REPO, 'docs', 'github-actions.yml'), 'utf8'));
  const commands = workflow.jobs.check.steps.map((step: any) => step.run).filter(Boolean);

  it('runs the tests, check with annotations, and the plan into the job summary', () => {
    expect(workflow.on.pull_request).toBeDefined();
    expect(commands).toContain('npm ci');
    expect(commands.some((command: string) => /npm test$/.test(command))).toBe(true);
    expect(commands).toContain('npm run --silent check -- --format github');
    // Text, not --format github: check annotates every problem already.
    expect(commands).toContain('npm run --silent plan -- --summary --base "$BASE_SHA" --base-may-be-empty');
  });

  it('uses commands and formats the CLI has', () => {
    for (const command of commands.filter((line: string) => line.startsWith('npm run --silent'))) {
      const [, name, rest] = /^npm run --silent (\w+) -- (.*)$/.exec(command)!;
      expect(['check', 'plan']).toContain(name);
      // $BASE_SHA as the workflow's env sets it: a commit of this repository that holds dist/ (test/workflow.test.ts runs the steps for real).
      const args = rest.split(' ').map((word: string) => (word === '"$BASE_SHA"' ? 'HEAD' : word));
      expect(run([name, '--clusters', path.join(REPO, 'clusters'), '--outdir', path.join(REPO, 'dist'), ...args]).code).toBe(0);
    }
  });
});
