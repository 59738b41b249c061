import { App } from 'cdk8s';
import { WeaveMesh, WeaveMeshProps } from './constructs/weave-mesh';
import { appSourceFile, runCli } from './src/cli';
import { loadInventory } from './src/inventory/load';
import { recordedSubnets } from './src/output/plan';

/** Mesh-wide settings: everything about the mesh that is not in the inventory. */
export const settings: Omit<WeaveMeshProps, 'clusters' | 'inventory'> = {
  routeAgent: {
    intervalSeconds: 10,
  },
  gitops: {
    // The repository this output is committed to, as Argo CD and Flux clone it.
    repoURL: 'https://github.com/example-org/weave-mesh.git',
    revision: 'main',
    pathPrefix: 'dist',
    tools: ['argocd', 'flux'],
    // Flux objects for Flux v0.18–v0.25.3, the only Flux that runs on Pharos' Kubernetes 1.18; 'v1' for Flux 2.
    fluxApi: 'v1beta2',
  },
};

/** The cdk8s app: an App holding one WeaveMesh, with the clusters of the inventory folder and the settings above. */
export function buildApp(inventory = 'clusters', outdir = 'dist'): WeaveMesh {
  const app = new App();
  // settingsFile: a wrong setting is reported at its line here (from any working directory), as inventory problems are at theirs.
  return new WeaveMesh(app, 'weave-mesh', { inventory: loadInventory(inventory), outdir, recordedSubnets: recordedSubnets(outdir), settingsFile: appSourceFile(__dirname, 'main.ts'), ...settings });
}

/**
 * Synthesis: `npm run synth` (and `cdk8s synth`, through cdk8s.yaml) renders the app into dist/;
 * `check`, `plan` and `allocate` read the same app. Returns the exit code.
 */
export function main(argv: readonly string[]): number | Promise<number> {
  return runCli(argv, buildApp);
}

if (require.main === module) {
  void Promise.resolve(main(process.argv.slice(2))).then((code) => {
    process.exitCode = code;
  });
}
