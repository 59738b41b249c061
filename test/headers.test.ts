import { App } from 'cdk8s';
import { WeaveMesh } from '../constructs/weave-mesh';
import { PharosClusterConfig } from '../src/mesh/pharos-cluster-config';
import { loadInventory } from '../src/inventory/load';
import { tempDir, threeClusters, writeInventory } from './helpers';

/**
 * Every rendered file says where changes belong: the inventory and npm run synth in this repository,
 * the app's code and cdk8s synth in a cdk8s app that declares its clusters in TypeScript.
 */

const root = tempDir();
const gitops = { repoURL: 'https://git.example.org/platform/mesh.git' };

/** The first line of every file that has a header, by file. */
function headers(mesh: WeaveMesh): Map<string, string> {
  return new Map([...mesh.render()].filter(([file]) => file !== 'kustomization.yaml' && !file.endsWith('/kustomization.yaml')).map(([file, content]) => [file, content.split(/\r?\n/)[0]]));
}

describe('rendered headers', () => {
  it("of a mesh declared in code name the app's code and cdk8s synth, never the inventory", () => {
    const { 'cluster-a': a, 'cluster-b': b } = threeClusters();
    const mesh = new WeaveMesh(new App(), 'mesh', { clusters: { 'cluster-a': a as PharosClusterConfig, 'cluster-b': b as PharosClusterConfig }, gitops, outdir: 'dist' });
    expect(mesh.errors()).toEqual([]);
    const lines = headers(mesh);
    expect(lines.get('cluster-a/kubernetes/kube-system.daemonset.route-config.yaml')).toBe("# Rendered by weave-mesh from mesh/cluster-a. Do not edit: change the mesh in the app's code and synthesise the app again (cdk8s synth).");
    expect(lines.get('_gitops/argocd/argocd.applicationset.weave-mesh.yaml')).toBe("# Rendered by weave-mesh. Do not edit: change the mesh in the app's code and synthesise the app again (cdk8s synth).");
    expect(lines.get('README.md')).toBe("<!-- Rendered by weave-mesh. Do not edit: change the mesh in the app's code and synthesise the app again (cdk8s synth). -->");
    expect(lines.get('.weave-mesh')).toBe("This folder is rendered by weave-mesh (the app's synth, such as cdk8s synth) and replaced as a whole on every run.");
    const rendered = [...mesh.render().values()].join('\n');
    expect(rendered).not.toContain('change the inventory');
    expect(rendered).not.toContain('npm run synth');
    expect(rendered).toContain('Pharos cluster.yml of cluster cluster-a, rendered by weave-mesh from mesh/cluster-a');
  });

  it('of a mesh from the inventory name the inventory and npm run synth', () => {
    const inventory = writeInventory(`${root}/clusters`, threeClusters());
    const mesh = new WeaveMesh(new App(), 'mesh', { inventory: loadInventory(inventory), gitops, outdir: 'dist' });
    const lines = headers(mesh);
    expect(lines.get('cluster-a/kubernetes/kube-system.daemonset.route-config.yaml')).toBe('# Rendered by weave-mesh from cluster-a.yml. Do not edit: change the inventory and run npm run synth.');
    expect(lines.get('_teardown/kube-system.daemonset.route-config-teardown.yaml')).toBe('# Rendered by weave-mesh. Do not edit: change the inventory and run npm run synth.');
    expect([...mesh.render().values()].join('\n')).not.toContain("app's code");
  });

  it('of a mesh from both say both where the mesh is concerned, and each cluster its own source', () => {
    const clusters = threeClusters();
    // One password file for clusters from files and from code: an absolute path means the same from both.
    for (const config of Object.values(clusters)) config.network.weave.password = `${root}/shared_password`;
    const { 'cluster-c': c, ...fromFiles } = clusters;
    const inventory = writeInventory(`${root}/both`, fromFiles);
    const mesh = new WeaveMesh(new App(), 'mesh', { inventory: loadInventory(inventory), clusters: { 'cluster-c': c as PharosClusterConfig }, gitops, outdir: 'dist' });
    expect(mesh.errors()).toEqual([]);
    const lines = headers(mesh);
    expect(lines.get('_teardown/kube-system.daemonset.route-config-teardown.yaml')).toBe("# Rendered by weave-mesh. Do not edit: change the inventory or the mesh in the app's code, and synthesise the app again (cdk8s synth).");
    expect(lines.get('cluster-a/kubernetes/kube-system.daemonset.route-config.yaml')).toContain('from cluster-a.yml. Do not edit: change the inventory');
    expect(lines.get('cluster-c/kubernetes/kube-system.daemonset.route-config.yaml')).toContain("from mesh/cluster-c. Do not edit: change the mesh in the app's code");
  });
});
