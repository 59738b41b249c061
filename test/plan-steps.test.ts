import { Plan } from '../src/output/plan-change';
import { gitopsTools, nextSteps } from '../src/output/plan-steps';

const empty: Plan = { clustersAdded: [], clustersRemoved: [], clustersRenamed: [], clusters: [], warnings: [], files: [] };
const config = (workers: string[], comment = '') =>
  `${comment}hosts:\n  - address: 192.0.2.10\n    role: master\n${workers.map((address) => `  - address: ${address}\n    role: worker\n`).join('')}network:\n  weave:\n    password: ../../../clusters/shared_password\n`;
const flux = (cluster: string, url = 'https://git.example/mesh.git') =>
  new Map([
    [`_gitops/flux/clusters/${cluster}/flux-system.gitrepository.weave-mesh.yaml`, `spec:\n  url: ${url}\n  ref:\n    branch: main\n`],
    [`_gitops/flux/clusters/${cluster}/flux-system.kustomization.weave-mesh.yaml`, `spec:\n  path: ./dist/${cluster}/kubernetes\n`],
  ]);
const argocd = new Map([['_gitops/argocd/kustomization.yaml', 'resources: []\n']]);

describe('next steps derived from a change', () => {
  it('asks for nothing when nothing changes', () => {
    expect(nextSteps(empty, new Map(), new Map(), 'dist')).toEqual([]);
  });

  it('asks for pharos up where known_peers change, once for every cluster with the same change', () => {
    const plan: Plan = {
      ...empty,
      clusters: ['a', 'b', 'c'].map((cluster) => ({ cluster, routesAdded: [], routesRemoved: [], peersAdded: ['1.2.3.4'], peersRemoved: [] })),
      files: ['a', 'b', 'c'].map((cluster) => ({ file: `${cluster}/pharos/cluster.yml`, change: 'modified' as const })),
    };
    const [step, ...rest] = nextSteps(plan, new Map(), new Map(), 'dist');
    expect(rest).toEqual([]);
    expect(step.clusters).toEqual(['a', 'b', 'c']);
    expect(step.commands).toEqual(['pharos up -c dist/a/pharos/cluster.yml', 'pharos up -c dist/b/pharos/cluster.yml', 'pharos up -c dist/c/pharos/cluster.yml']);
    expect(step.why).toMatch(/^3 clusters' known_peers change \(\+1\), and GitOps does not carry cluster\.yml/);
    // Two are told one by one.
    const two = nextSteps({ ...plan, clusters: plan.clusters.slice(0, 2), files: plan.files.slice(0, 2) }, new Map(), new Map(), 'dist');
    expect(two.map(({ why }) => why.split(' known')[0])).toEqual(["cluster a's", "cluster b's"]);
  });

  it('asks for nothing when only the comments of a cluster.yml change (cluster-c.yml renamed cluster-c.yaml)', () => {
    const plan: Plan = { ...empty, files: [{ file: 'c/pharos/cluster.yml', change: 'modified' }] };
    const before = new Map([['c/pharos/cluster.yml', config(['203.0.113.11'], '# rendered from c.yml\n')]]);
    const after = new Map([['c/pharos/cluster.yml', config(['203.0.113.11'], '# rendered from c.yaml\n')]]);
    expect(nextSteps(plan, before, after, 'dist')).toEqual([]);
    const changed = new Map([['c/pharos/cluster.yml', config(['203.0.113.12'])]]);
    expect(nextSteps(plan, before, changed, 'dist').map(({ commands }) => commands)).toEqual([['pharos up -c dist/c/pharos/cluster.yml']]);
  });

  it('says when a cluster.yml changes in its hosts, rather than in known_peers or trusted_subnets', () => {
    const plan: Plan = { ...empty, files: [{ file: 'b/pharos/cluster.yml', change: 'modified' }] };
    const before = new Map([['b/pharos/cluster.yml', config(['192.0.2.11'])]]);
    const steps = nextSteps(plan, before, new Map([['b/pharos/cluster.yml', config(['192.0.2.11', '192.0.2.13'])]]), 'dist');
    expect(steps).toEqual([
      {
        phase: 'after-merge',
        clusters: ['b'],
        commands: ['pharos up -c dist/b/pharos/cluster.yml'],
        why: "cluster b's hosts change (+192.0.2.13), and GitOps does not carry cluster.yml: only pharos up sets up a node that joins (and the other clusters learn it as a peer by their own pharos up)",
      },
    ]);
    const other = nextSteps(plan, before, new Map([['b/pharos/cluster.yml', config(['192.0.2.11']).replace('  weave:\n', '  firewalld:\n    enabled: true\n  weave:\n')]]), 'dist');
    expect(other.map(({ why }) => why.split(',')[0])).toEqual(["cluster b's cluster.yml settings change"]);
  });

  it('gives a joining cluster its first pharos up with where the password file must be, and one GitOps hook-up: Flux or Argo CD', () => {
    const plan: Plan = { ...empty, clustersAdded: [{ cluster: 'c', subnet: '10.35.0.0/16' }] };
    const rendered = new Map([['c/pharos/cluster.yml', config(['203.0.113.11'])], ...flux('c'), ...argocd]);
    const [up, gitops, ...rest] = nextSteps(plan, new Map(), rendered, 'dist');
    expect(rest).toEqual([]);
    expect(up.commands).toEqual(['pharos up -c dist/c/pharos/cluster.yml']);
    expect(up.why).toContain("the mesh's Weave password file must exist at clusters/shared_password in the checkout pharos up runs from");
    expect(gitops.commands).toEqual(['# with Flux:', 'flux bootstrap git --url=https://git.example/mesh.git --branch=main --path=dist/_gitops/flux/clusters/c', '# or with Argo CD:', 'argocd cluster add <context of c> --name c']);
    expect(gitops.why).toMatch(/^Flux or Argo CD, whichever syncs the mesh/);
    // Only the tool rendered.
    expect(nextSteps(plan, new Map(), new Map([...rendered].filter(([file]) => !file.startsWith('_gitops/argocd'))), 'dist')[1].commands).toEqual([
      'flux bootstrap git --url=https://git.example/mesh.git --branch=main --path=dist/_gitops/flux/clusters/c',
    ]);
    expect(gitopsTools(argocd)).toEqual({ flux: false, argocd: true });
  });

  it('gives a leaving cluster the teardown, and weave rmpeer of every node, masters too, by nickname, on one remaining peer', () => {
    const plan: Plan = { ...empty, clustersRemoved: [{ cluster: 'b', subnet: '10.34.0.0/16' }] };
    const before = new Map([['b/pharos/cluster.yml', config(['198.51.100.11', '198.51.100.12'])]]);
    const after = new Map([['a/pharos/cluster.yml', config(['192.0.2.11'])]]);
    const [teardown, rmpeer, ...rest] = nextSteps(plan, before, after, 'dist');
    expect(rest).toEqual([]);
    expect(teardown.commands[1]).toBe('kubectl --context <context of b> apply -k dist/_teardown');
    expect(rmpeer.commands).toEqual(['kubectl --context <context of a> -n kube-system exec ds/weave-net -c weave -- /home/weave/weave --local rmpeer <hostname of 192.0.2.10> <hostname of 198.51.100.11> <hostname of 198.51.100.12>']);
    expect(rmpeer.why).toContain('masters too (master 192.0.2.10, worker 198.51.100.11, worker 198.51.100.12)');
    expect(rmpeer.why).toContain('its hostname (weave-kube passes $HOSTNAME as --nickname)');
  });

  it('gives a renamed cluster its own steps, never a teardown or weave rmpeer', () => {
    const plan: Plan = {
      ...empty,
      clustersRenamed: [{ from: 'b', to: 'z', subnet: '10.34.0.0/16' }],
      files: [
        { file: 'b/pharos/cluster.yml', change: 'removed' },
        { file: 'z/pharos/cluster.yml', change: 'added' },
      ],
    };
    const before = new Map([['b/pharos/cluster.yml', config(['198.51.100.11'], '# from b.yml\n')], ...flux('b'), ...argocd]);
    const after = new Map([['z/pharos/cluster.yml', config(['198.51.100.11'], '# from z.yml\n')], ...flux('z'), ...argocd]);
    const steps = nextSteps(plan, before, after, 'dist');
    expect(steps.flatMap(({ commands }) => commands).join('\n')).not.toMatch(/teardown|rmpeer/);
    // Flux's suspend is the one step before the merge (the old folder empties on merge), and comes first.
    expect(steps[0]).toEqual({
      phase: 'before-merge',
      clusters: ['z'],
      commands: ['flux --context <context of b> suspend kustomization flux-system'],
      why: 'if Flux syncs the mesh: Flux on cluster b was bootstrapped on dist/_gitops/flux/clusters/b, which empties on merge: suspend it before merging, so it prunes nothing',
    });
    expect(steps.slice(1).map(({ phase }) => phase)).toEqual(steps.slice(1).map(() => 'after-merge'));
    expect(
      steps
        .slice(1)
        .flatMap(({ commands }) => commands)
        .join('\n'),
    ).not.toContain('suspend');
    expect(steps[1]).toEqual({
      phase: 'after-merge',
      clusters: ['z'],
      commands: [],
      why: 'cluster b is renamed z: the same hosts and subnet 10.34.0.0/16, so its nodes stay in the mesh (no teardown, no weave rmpeer); its cluster.yml is now dist/z/pharos/cluster.yml, the path for pharos up -c from now on, and its settings are unchanged, so nothing needs to run now',
    });
    expect(steps[2].commands).toContain('argocd cluster set b --name z');
    expect(steps[2].commands).toContain('flux bootstrap git --url=https://git.example/mesh.git --branch=main --path=dist/_gitops/flux/clusters/z');
    expect(steps[2].commands).toContain('flux --context <context of z> resume kustomization flux-system');
  });

  it('asks to apply the hub objects again when repoURL or pathPrefix change', () => {
    const plan: Plan = {
      ...empty,
      files: [
        { file: '_gitops/argocd/argocd.applicationset.weave-mesh.yaml', change: 'modified' },
        { file: '_gitops/flux/clusters/a/flux-system.gitrepository.weave-mesh.yaml', change: 'modified' },
      ],
    };
    const before = new Map([...flux('a'), ...argocd]);
    const after = new Map([...flux('a', 'https://git.example/moved.git'), ...argocd]);
    const steps = nextSteps(plan, before, after, 'dist');
    // Both tools rendered: one step, Flux or Argo CD (the mesh runs on one of them), not two to run.
    expect(steps.map(({ commands }) => commands)).toEqual([
      ['# with Flux:', 'flux bootstrap git --url=https://git.example/moved.git --branch=main --path=dist/_gitops/flux/clusters/a', '# or with Argo CD:', 'kubectl --context <context of the Argo CD cluster> apply -k dist/_gitops/argocd'],
    ]);
    expect(steps[0].why).toMatch(/^Flux or Argo CD, whichever syncs the mesh \(both are rendered; do one\): the Flux source or path changes .*; or the ApplicationSet changes/);
    // One tool rendered: its step alone.
    const argocdOnly = nextSteps({ ...plan, files: plan.files.slice(0, 1) }, argocd, argocd, 'dist');
    expect(argocdOnly.map(({ commands }) => commands)).toEqual([['kubectl --context <context of the Argo CD cluster> apply -k dist/_gitops/argocd']]);
    const fluxOnly = nextSteps({ ...plan, files: plan.files.slice(1) }, flux('a'), flux('a', 'https://git.example/moved.git'), 'dist');
    expect(fluxOnly.map(({ commands }) => commands)).toEqual([['flux bootstrap git --url=https://git.example/moved.git --branch=main --path=dist/_gitops/flux/clusters/a']]);
  });
});
