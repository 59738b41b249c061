import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { parse } from 'yaml';
import { FLUX_APIS, FluxApi } from '../constructs/gitops-settings';
import { WeaveMesh } from '../constructs/weave-mesh';
import { generateInventory, writeGeneratedInventory } from '../scripts/generate-inventory';
import { loadInventory } from '../src/inventory/load';
import { kustomizationProblems, objectProblems } from './schema';
import { applicationSetSpec, argoCdPackageVersion } from './schemas/argo-cd';
import { FLUX_SCHEMAS } from './schemas/flux';
import { openObjects } from './schemas/json-schema';
import { KUSTOMIZE_SCHEMAS } from './schemas/kustomize';
import { readTree, REPO, synth, tempDir, threeClusters, writeInventory } from './helpers';

const root = tempDir();

/** The YAML files of a rendered tree, parsed: Kubernetes objects and kustomization.yaml files (not the Pharos cluster.yml). */
function renderedFiles(tree: ReadonlyMap<string, string>): { objects: [string, any][]; kustomizations: [string, any][] } {
  const yamls = [...tree.entries()].filter(([file]) => file.endsWith('.yaml')).map(([file, content]): [string, any] => [file, parse(content)]);
  const isKustomization = (file: string) => path.basename(file) === 'kustomization.yaml';
  return { objects: yamls.filter(([file]) => !isKustomization(file)), kustomizations: yamls.filter(([file]) => isKustomization(file)) };
}

/** The longest cluster name the rules accept. */
const LONGEST_NAME = `c${'x'.repeat(51)}`;

/**
 * The Applications Argo CD's git directory generator makes of the rendered ApplicationSet, one per
 * cluster folder of the tree, with the Go template filled in as Argo CD fills it (`.path.path`,
 * `index .path.segments N`).
 */
function generatedApplications(tree: ReadonlyMap<string, string>, applicationSet: any): any[] {
  const clusters = [...tree.keys()].map((file) => /^([^/_][^/]*)\/kubernetes\/kustomization\.yaml$/.exec(file)?.[1]).filter((cluster): cluster is string => cluster !== undefined);
  const template = JSON.stringify(applicationSet.spec.template);
  return applicationSet.spec.generators.flatMap((generator: any) =>
    generator.git.directories.flatMap(({ path: pattern }: { path: string }) =>
      clusters.map((cluster) => {
        const folder = pattern.replace('*', cluster);
        const segments = folder.split('/');
        const filled = template.replace(/\{\{ *index \.path\.segments (\d+) *\}\}/g, (_all, index) => segments[Number(index)]).replace(/\{\{ *\.path\.path *\}\}/g, folder);
        expect(filled).not.toContain('{{');
        return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...JSON.parse(filled), cluster };
      }),
    ),
  );
}

const kinds = (objects: [string, any][]) => [...new Set(objects.map(([, object]) => `${object.apiVersion}/${object.kind}`))].sort();
const noProblems = (problems: Record<string, string[]>) => Object.fromEntries(Object.keys(problems).map((reader) => [reader, []]));

// A larger mesh than the example: 24 clusters of 3 workers, from the generator the benchmarks use.
const generatedInventory = path.join(root, 'generated');
writeGeneratedInventory(generatedInventory, generateInventory(24, { workers: 3 }));

describe.each([
  ['the shipped example (dist/)', () => readTree(path.join(REPO, 'dist'))],
  [
    'a generated mesh of 24 clusters, rendered by synth',
    () => {
      const outdir = path.join(root, 'dist-generated');
      expect(synth(['--clusters', generatedInventory, '--outdir', outdir]).code).toBe(0);
      return readTree(outdir);
    },
  ],
  [
    'a mesh with a 52-character cluster name (the longest the rules take), rendered by synth',
    () => {
      const clusters = threeClusters();
      const inventory = writeInventory(path.join(root, 'long-name'), { 'cluster-a': clusters['cluster-a'], [LONGEST_NAME]: clusters['cluster-b'] });
      const outdir = path.join(root, 'dist-long-name');
      expect(synth(['--clusters', inventory, '--outdir', outdir]).code).toBe(0);
      return readTree(outdir);
    },
  ],
])('%s is accepted by Kubernetes 1.18, Flux v0.25.3, Argo CD 2.8 and kustomize v2.0.3/v4.4.1/v5.1.0, unknown fields refused', (_name, tree) => {
  const { objects, kustomizations } = renderedFiles(tree());

  it('holds every kind weave-mesh renders, in the API versions of those releases', () => {
    expect(kinds(objects)).toEqual(['apps/v1/DaemonSet', 'argoproj.io/v1alpha1/ApplicationSet', 'kustomize.toolkit.fluxcd.io/v1beta2/Kustomization', 'source.toolkit.fluxcd.io/v1beta1/GitRepository']);
    expect(kustomizations.length).toBeGreaterThan(1);
  });

  it('every object validates', () => {
    const problems = objects.map(([file, object]) => [file, objectProblems(object)]);
    expect(problems).toEqual(objects.map(([file]) => [file, []]));
  });

  it('every Application Argo CD generates from the ApplicationSet has a name that is also a valid value of its instance label (at most 63 characters)', () => {
    const applicationSet = objects.find(([, object]) => object.kind === 'ApplicationSet')![1];
    const applications = generatedApplications(tree(), applicationSet);
    expect(applications.length).toBeGreaterThan(1);
    for (const application of applications) {
      // Argo CD labels what it deploys with app.kubernetes.io/instance=<Application name>.
      expect(application.metadata.name).toBe(`weave-mesh-${application.cluster}`);
      expect(application.metadata.name).toMatch(/^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(application.spec.destination.name).toBe(application.cluster);
    }
  });

  it('every kustomization.yaml validates', () => {
    const problems = kustomizations.map(([file, data]) => [file, kustomizationProblems(data)]);
    expect(problems).toEqual(kustomizations.map(([file, data]) => [file, noProblems(kustomizationProblems(data))]));
  });
});

describe.each(FLUX_APIS.map((api) => [api]))('with gitops.fluxApi %s, the Flux objects of the generated mesh validate against that generation', (fluxApi: FluxApi) => {
  const tree = new WeaveMesh(new App(), 'mesh', { inventory: loadInventory(generatedInventory), gitops: { repoURL: 'https://git.example.org/mesh.git', fluxApi, tools: ['flux'] } }).render();
  const { objects } = renderedFiles(tree);
  const flux = objects.filter(([, object]) => object.apiVersion.includes('fluxcd.io'));

  it('renders that generation, one GitRepository and one Kustomization per cluster', () => {
    expect(kinds(flux)).toEqual(FLUX_SCHEMAS[fluxApi].map((kind) => `${kind.apiVersion}/${kind.kind}`).sort());
    expect(flux).toHaveLength(48);
  });

  it('every object validates', () => {
    expect(objects.map(([file, object]) => [file, objectProblems(object, { fluxApi })])).toEqual(objects.map(([file]) => [file, []]));
  });

  it('the other generation refuses them', () => {
    const other = FLUX_APIS.find((api) => api !== fluxApi)!;
    expect(objectProblems(flux[0][1], { fluxApi: other })).toEqual([expect.stringMatching(/^no schema for .*fluxcd\.io/)]);
  });
});

describe('the strict schemas', () => {
  it('leave no object with declared fields open to unknown ones', () => {
    expect(openObjects(applicationSetSpec())).toEqual([]);
    for (const kinds of Object.values(FLUX_SCHEMAS)) for (const kind of kinds) expect(openObjects(kind.spec)).toEqual([]);
    for (const schema of Object.values(KUSTOMIZE_SCHEMAS)) expect(openObjects(schema)).toEqual([]);
    expect(openObjects(JSON.parse(fs.readFileSync(path.join(__dirname, 'schemas', 'kubernetes-1.18.json'), 'utf8')))).toEqual([]);
  });

  it('come from the Argo CD model package generated from Argo CD v2.8 CRDs', () => {
    expect(argoCdPackageVersion()).toBe('2.4.0');
  });
});

describe('the strict schemas refuse what those versions refuse', () => {
  const { objects } = renderedFiles(readTree(path.join(REPO, 'dist')));
  const first = (kind: string) => structuredClone(objects.find(([, object]) => object.kind === kind)![1]);
  const daemonSet = () => first('DaemonSet');
  const broken = (object: any, change: (object: any) => void) => {
    change(object);
    return objectProblems(object);
  };

  it('a seccompProfile on the DaemonSet (Kubernetes 1.19+)', () => {
    expect(broken(daemonSet(), (object) => (object.spec.template.spec.containers[0].securityContext.seccompProfile = { type: 'RuntimeDefault' }))).toEqual([
      'schema: /spec/template/spec/containers/0/securityContext must NOT have additional properties (seccompProfile)',
    ]);
    expect(broken(daemonSet(), (object) => (object.spec.template.spec.securityContext = { seccompProfile: { type: 'RuntimeDefault' } }))).toEqual(['schema: /spec/template/spec/securityContext must NOT have additional properties (seccompProfile)']);
  });

  it('a DaemonSet maxSurge (Kubernetes 1.21+)', () => {
    expect(broken(daemonSet(), (object) => (object.spec.updateStrategy.rollingUpdate.maxSurge = 1))).toEqual(['schema: /spec/updateStrategy/rollingUpdate must NOT have additional properties (maxSurge)']);
  });

  it('an unknown top-level field', () => {
    expect(broken(daemonSet(), (object) => (object.specs = {}))).toEqual([expect.stringMatching(/^schema: \/ must NOT have additional properties \(specs\)$/)]);
  });

  it('a DaemonSet without selector, and a container without name', () => {
    expect(broken(daemonSet(), (object) => delete object.spec.selector)).toEqual(["schema: /spec must have required property 'selector'"]);
    expect(broken(daemonSet(), (object) => delete object.spec.template.spec.containers[0].name)).toEqual(["schema: /spec/template/spec/containers/0 must have required property 'name'"]);
  });

  it('a fraction where Kubernetes takes an integer', () => {
    expect(broken(daemonSet(), (object) => (object.spec.template.spec.terminationGracePeriodSeconds = 5.5))).toEqual(['schema: /spec/template/spec/terminationGracePeriodSeconds must be integer']);
  });

  it('int-or-string and quantity fields take both forms, and nothing else', () => {
    expect(broken(daemonSet(), (object) => (object.spec.updateStrategy.rollingUpdate.maxUnavailable = '10%'))).toEqual([]);
    expect(broken(daemonSet(), (object) => (object.spec.template.spec.containers[0].resources.limits.cpu = 1))).toEqual([]);
    expect(broken(daemonSet(), (object) => (object.spec.updateStrategy.rollingUpdate.maxUnavailable = true))).toEqual(expect.arrayContaining(['schema: /spec/updateStrategy/rollingUpdate/maxUnavailable must match a schema in anyOf']));
  });

  it('a Flux v1 object, by the default (Flux v0.25.3) schemas', () => {
    const kustomization = first('Kustomization');
    expect(broken(structuredClone(kustomization), (object) => (object.apiVersion = 'kustomize.toolkit.fluxcd.io/v1'))).toEqual(['no schema for kustomize.toolkit.fluxcd.io/v1/Kustomization']);
    expect(broken(first('GitRepository'), (object) => (object.apiVersion = 'source.toolkit.fluxcd.io/v1'))).toEqual(['no schema for source.toolkit.fluxcd.io/v1/GitRepository']);
    // A field Flux v2 added (kustomize-controller v1.0.0) that v0.19.1's v1beta2 does not have.
    expect(broken(structuredClone(kustomization), (object) => (object.spec.commonMetadata = { labels: { a: 'b' } }))).toEqual(['schema: /spec must NOT have additional properties (commonMetadata)']);
  });

  it('a Flux GitRepository URL without scheme', () => {
    expect(broken(first('GitRepository'), (object) => (object.spec.url = 'git@github.com:org/repo.git'))).toEqual(['schema: /spec/url must match pattern "^(http|https|ssh)://"']);
  });

  it('typos in the ApplicationSet', () => {
    expect(broken(first('ApplicationSet'), (object) => (object.spec.syncPolicy = { preserveResourceOnDeletion: true }))).toEqual(['schema: /spec/syncPolicy must NOT have additional properties (preserveResourceOnDeletion)']);
    expect(broken(first('ApplicationSet'), (object) => (object.spec.template.spec.destination.namepsace = 'x'))).toEqual(['schema: /spec/template/spec/destination must NOT have additional properties (namepsace)']);
    expect(broken(first('ApplicationSet'), (object) => (object.spec.generators[0].git.directories[0].exculde = true))).toEqual(['schema: /spec/generators/0/git/directories/0 must NOT have additional properties (exculde)']);
  });

  it('an ApplicationSet field newer than Argo CD 2.8 (templatePatch, 2.10)', () => {
    expect(broken(first('ApplicationSet'), (object) => (object.spec.templatePatch = '{}'))).toEqual(['schema: /spec must NOT have additional properties (templatePatch)']);
  });

  it('names that are not DNS-1123, and a namespaced object without namespace', () => {
    expect(broken(daemonSet(), (object) => (object.metadata.name = 'Route_Config'))).toEqual(['metadata.name "Route_Config" is not a DNS-1123 subdomain']);
    expect(broken(daemonSet(), (object) => delete object.metadata.namespace)).toEqual(['metadata.namespace undefined is not a DNS-1123 label']);
  });

  it('a kind without a schema', () => {
    expect(objectProblems({ apiVersion: 'v1', kind: 'Unknown', metadata: { name: 'x' } })).toEqual(['no schema for v1/Unknown']);
  });

  it('kustomization.yaml fields each kustomize version does not know', () => {
    const base = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['a.yaml'] };
    expect(kustomizationProblems({ ...base, labels: [{ pairs: { a: 'b' } }] })).toEqual({
      'kustomize v2.0.3 (kubectl 1.18)': ['/ must NOT have additional properties (labels)'],
      'kustomize api v0.10.1 (Flux v0.25.3)': [],
      'kustomize v5.1.0 (Argo CD v2.8.0)': [],
    });
    expect(kustomizationProblems({ ...base, sortOptions: { order: 'fifo' } })).toEqual({
      'kustomize v2.0.3 (kubectl 1.18)': ['/ must NOT have additional properties (sortOptions)'],
      'kustomize api v0.10.1 (Flux v0.25.3)': ['/ must NOT have additional properties (sortOptions)'],
      'kustomize v5.1.0 (Argo CD v2.8.0)': [],
    });
    expect(kustomizationProblems({ ...base, resources: ['../other'] })['kustomize v2.0.3 (kubectl 1.18)']).toEqual([expect.stringMatching(/^\/resources\/0 must match pattern/)]);
    expect(kustomizationProblems({ ...base, kind: 'Component' })['kustomize v2.0.3 (kubectl 1.18)']).toEqual(['/kind must be equal to one of the allowed values ["Kustomization"]']);
  });
});
