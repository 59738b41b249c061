import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO, tempDir } from './helpers';

/**
 * The runbooks (the README's "Add a cluster, end to end" and "Hook up Argo CD or Flux", docs/operations.md's
 * Runbooks) say what plan's next steps say. Each case changes a copy of the shipped example as a runbook
 * describes (add, remove, rename a cluster), takes the next steps plan prints (--json), and finds each
 * command in the runbook's own words: the --context placeholder dropped (the runbook runs against the
 * current context), the cluster's name in place of the runbook's <name>. Text is compared with its runs
 * of blanks (line breaks, indentation) as one space. The sentences this pins are in PINS below.
 */
const flat = (text: string) => text.replace(/\s+/g, ' ');
const README = flat(fs.readFileSync(path.join(REPO, 'README.md'), 'utf8'));
const operations = fs.readFileSync(path.join(REPO, 'docs', 'operations.md'), 'utf8');
const runbooks = flat(operations.slice(operations.indexOf('## Runbooks')));
const root = tempDir();

type Step = { phase: 'before-merge' | 'after-merge'; clusters: string[]; commands: string[]; why: string };

function nextStepsAfter(name: string, change: (dir: string) => void): Step[] {
  const dir = path.join(root, name);
  for (const entry of ['clusters', 'dist']) fs.cpSync(path.join(REPO, entry), path.join(dir, entry), { recursive: true });
  change(dir);
  const result = spawnSync(process.execPath, [path.join(REPO, 'build', 'main.js'), 'plan', '--json'], { cwd: dir, encoding: 'utf8' });
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout).nextSteps;
}

const withoutContext = (command: string) => command.replace(/ --context <context of [^>]+>/, '');

/** The exact text each case relies on (README.md for add, docs/operations.md for remove and rename); moving it must keep these sentences. */
export const PINS = {
  add: [
    "The new cluster's **first** `pharos up` must already use `dist/cluster-c/pharos/cluster.yml`",
    'The Weave password file must exist at the path the rendered cluster.yml names (`clusters/shared_password` here) in the checkout you run that first `pharos up` from',
    'flux bootstrap git --url=<repoURL> --branch=main --path=dist/_gitops/flux/clusters/cluster-a',
    'argocd cluster add <context> --name cluster-a',
  ],
  remove: [
    'kubectl -n kube-system delete daemonset route-config --ignore-not-found',
    'kubectl apply -k dist/_teardown',
    'kubectl -n kube-system rollout status daemonset route-config-teardown',
    'kubectl delete -k dist/_teardown',
    "run `weave rmpeer` with every node of the departed cluster, masters too, each by its nickname (the node's hostname) or peer name",
    'kubectl -n kube-system exec ds/weave-net -c weave -- /home/weave/weave --local rmpeer <hostname> <hostname> ...',
  ],
  rename: ['leave and join: its nodes stay in the mesh, so no teardown and no `weave rmpeer`', 'Run `pharos up -c dist/<new>/pharos/cluster.yml` from then on; with Argo CD, `argocd cluster set <old> --name <new>`'],
};

describe('the README runbooks agree with the next steps plan prints', () => {
  it('holds every pinned sentence', () => {
    for (const pin of PINS.add) expect(README).toContain(pin);
    for (const pin of [...PINS.remove, ...PINS.rename]) expect(runbooks).toContain(pin);
  });

  it('adding a cluster: its first pharos up, the password file where pharos up runs, one GitOps hook-up', () => {
    const steps = nextStepsAfter('add', (dir) =>
      fs.writeFileSync(
        path.join(dir, 'clusters', 'cluster-c.yml'),
        fs
          .readFileSync(path.join(dir, 'clusters', 'cluster-b.yml'), 'utf8')
          .replace(/198\.51\.100\./g, '203.0.113.')
          .replace(/10\.1\.0\./g, '10.2.0.')
          .replace('172.17.0.0/16', '172.18.0.0/16')
          .replace('10.34.0.0/16', '10.35.0.0/16'),
      ),
    );
    const [first, gitops] = steps;
    expect(first.commands).toEqual(['pharos up -c dist/cluster-c/pharos/cluster.yml']);
    expect(README).toContain(`must already use \`${first.commands[0].replace('pharos up -c ', '')}\``);
    expect(first.why).toContain('must exist at clusters/shared_password in the checkout pharos up runs from');
    expect(README).toContain('(`clusters/shared_password` here) in the checkout you run that first `pharos up` from');
    // The Syncing section's commands, for cluster-a, are the step's for cluster-c.
    const [flux, argocd] = gitops.commands.filter((command) => !command.startsWith('#'));
    expect(README).toContain(flux.replace('https://github.com/example-org/weave-mesh.git', '<repoURL>').replace('cluster-c', 'cluster-a'));
    expect(README).toContain(argocd.replace('<context of cluster-c>', '<context>').replace('cluster-c', 'cluster-a'));
  });

  it('removing a cluster: the teardown block and weave rmpeer of every node by nickname', () => {
    const steps = nextStepsAfter('remove', (dir) => fs.rmSync(path.join(dir, 'clusters', 'cluster-b.yml')));
    const teardown = steps.find((step) => step.commands.some((command) => command.includes('_teardown')))!;
    // Each command is a line of the runbook's block (its comments aside).
    const lines = operations
      .slice(operations.indexOf('## Runbooks'))
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim());
    for (const command of teardown.commands) expect(lines).toContain(withoutContext(command));
    // Flux may have pruned the DaemonSet once the cluster's folder emptied: the first command must not
    // stop the teardown with NotFound, in the steps as in the runbook.
    expect(teardown.commands[0]).toBe('kubectl --context <context of cluster-b> -n kube-system delete daemonset route-config --ignore-not-found');
    const rmpeer = steps.find((step) => step.commands.some((command) => command.includes('rmpeer')))!;
    // cluster-b's master and both workers.
    expect(rmpeer.commands).toEqual(['kubectl --context <context of cluster-a> -n kube-system exec ds/weave-net -c weave -- /home/weave/weave --local rmpeer <hostname of 198.51.100.10> <hostname of 198.51.100.11> <hostname of 198.51.100.12>']);
    expect(runbooks).toContain(
      withoutContext(rmpeer.commands[0])
        .replace(/ <hostname of [^>]+>/g, ' <hostname>')
        .replace(/( <hostname>)+$/, ' <hostname> <hostname> ...'),
    );
    expect(rmpeer.why).toContain('masters too');
    expect(runbooks).toContain('masters too');
  });

  it('renaming a cluster: no teardown or weave rmpeer, the new pharos up path, the Argo CD cluster renamed', () => {
    const steps = nextStepsAfter('rename', (dir) => fs.renameSync(path.join(dir, 'clusters', 'cluster-b.yml'), path.join(dir, 'clusters', 'cluster-z.yml')));
    const commands = steps.flatMap((step) => step.commands);
    expect(commands.filter((command) => /teardown|rmpeer/.test(command))).toEqual([]);
    // The suspend is the one step to run before the merge; the rest once it is merged.
    expect(
      steps
        .filter((step) => step.phase === 'before-merge')
        .flatMap((step) => step.commands)
        .map(withoutContext),
    ).toEqual(['flux suspend kustomization flux-system']);
    const after = steps.filter((step) => step.phase === 'after-merge');
    expect(after).toHaveLength(steps.length - 1);
    expect(after[0].why).toContain('its cluster.yml is now dist/cluster-z/pharos/cluster.yml, the path for pharos up -c from now on');
    expect(runbooks).toContain('Run `pharos up -c dist/<new>/pharos/cluster.yml` from then on');
    expect(commands).toContain('argocd cluster set cluster-b --name cluster-z');
    expect(runbooks).toContain('`argocd cluster set <old> --name <new>`');
    expect(commands).toContain('flux bootstrap git --url=https://github.com/example-org/weave-mesh.git --branch=main --path=dist/_gitops/flux/clusters/cluster-z');
    expect(runbooks).toContain('bootstrap it again on `dist/_gitops/flux/clusters/<new>`');
    // Flux is suspended before the merge and resumed after, in the runbook as in the steps.
    for (const verb of ['suspend', 'resume']) {
      const command = withoutContext(commands.find((entry) => entry.includes(` ${verb} `))!).replace(/\s+#.*$/, '');
      expect(command).toBe(`flux ${verb} kustomization flux-system`);
      expect(runbooks).toContain(`\`${command}\``);
    }
    expect(runbooks).toContain('before merging');
    expect(after[1].why).toContain('git rm -r dist/_gitops/flux/clusters/cluster-b/flux-system');
    expect(runbooks).toContain('`git rm -r dist/_gitops/flux/clusters/<old>/flux-system`');
  });
});
