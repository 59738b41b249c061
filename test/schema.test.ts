import * as path from 'path';
import { parse } from 'yaml';
import { objectProblems } from './schema';
import { readTree, REPO, synth, tempDir, threeClusters, writeInventory } from './helpers';

const root = tempDir();

/** Every Kubernetes object of a rendered tree (kustomization.yaml and the Pharos config are not objects). */
function renderedObjects(tree: Map<string, string>): [string, any][] {
  return [...tree.entries()]
    .filter(([file]) => file.endsWith('.yaml') && !file.endsWith('/kustomization.yaml'))
    .map(([file, content]) => [file, parse(content)]);
}

describe('every rendered object validates against its schema', () => {
  const inventory = writeInventory(path.join(root, 'clusters'), threeClusters());
  const outdir = path.join(root, 'dist');
  expect(synth(['--clusters', inventory, '--outdir', outdir]).code).toBe(0);
  const objects = [...renderedObjects(readTree(outdir)), ...renderedObjects(readTree(path.join(REPO, 'dist')))];

  it('covers every kind weave-mesh renders', () => {
    expect([...new Set(objects.map(([, object]) => `${object.apiVersion}/${object.kind}`))].sort()).toEqual([
      'apps/v1/DaemonSet',
      'argoproj.io/v1alpha1/ApplicationSet',
      'kustomize.toolkit.fluxcd.io/v1/Kustomization',
      'source.toolkit.fluxcd.io/v1/GitRepository',
    ]);
  });

  it.each(objects.map(([file, object]) => [file, object]))('%s', (_file, object) => {
    expect(objectProblems(object)).toEqual([]);
  });
});

describe('the schema check catches broken objects', () => {
  const [, daemonSet] = renderedObjects(readTree(path.join(REPO, 'dist'))).find(([file]) => file.endsWith('daemonset.route-config.yaml'))!;
  const broken = (change: (object: any) => void) => {
    const copy = structuredClone(daemonSet);
    change(copy);
    return objectProblems(copy);
  };

  it('a DaemonSet without selector', () => {
    expect(broken((object) => delete object.spec.selector)).toEqual([expect.stringMatching(/^schema: data\/spec must have required property selector$/)]);
  });

  it('a container without image name', () => {
    expect(broken((object) => delete object.spec.template.spec.containers[0].name)).toEqual([expect.stringMatching(/^schema: .*name/)]);
  });

  it('an unknown top-level field', () => {
    expect(broken((object) => (object.specs = {}))).toEqual(['unknown top-level field specs']);
  });

  it('a name that is not DNS-1123', () => {
    expect(broken((object) => (object.metadata.name = 'Route_Config'))).toEqual(['metadata.name "Route_Config" is not a DNS-1123 subdomain']);
  });

  it('a namespaced object without namespace', () => {
    expect(broken((object) => delete object.metadata.namespace)).toEqual(['metadata.namespace undefined is not a DNS-1123 label']);
  });

  it('a kind without a schema', () => {
    expect(objectProblems({ apiVersion: 'v1', kind: 'Unknown', metadata: { name: 'x' } })).toEqual(['no schema for v1/Unknown']);
  });
});
