import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { WeaveMesh, WeaveMeshProps } from '../constructs/weave-mesh';
import { runCli } from '../src/cli';
import { loadInventory } from '../src/inventory/load';
import { formatProblem } from '../src/mesh/problem';
import { locateKey } from '../src/util/locate-key';
import { readTree, REPO, tempDir, threeClusterInventory } from './helpers';

/**
 * Settings (the props of WeaveMesh; in this repository `settings` in main.ts) are input like the
 * inventory: a wrong one is a located problem with exit 1, reported with every other problem, never an
 * unlocated "failed" with exit 2.
 */

const root = tempDir();
const SETTINGS = `import { settingsOf } from 'somewhere';

export const settings = {
  routeAgent: {
    intervalSeconds: 0,
  },
  gitops: {
    repoURL: 'https://git.example.org/platform/mesh.git',
    revision: 'main branch',
  },
};
`;

function cli(props: Partial<WeaveMeshProps>, extra: string[] = []) {
  const { opts } = threeClusterInventory(root);
  const out: string[] = [];
  const err: string[] = [];
  const factory = (clusters: string, outdir: string) => new WeaveMesh(new App(), 'weave-mesh', { inventory: loadInventory(clusters), outdir, ...props });
  const code = runCli(['synth', ...opts, ...extra], factory, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err, outdir: opts[opts.indexOf('--outdir') + 1] };
}

describe('settings', () => {
  it('a wrong setting in a settings file is reported at its line there, with every other wrong one, exit 1, nothing written', () => {
    const file = path.join(root, 'settings.ts');
    fs.writeFileSync(file, SETTINGS);
    const shown = path.relative(process.cwd(), file);
    const result = cli({ settingsFile: shown, routeAgent: { intervalSeconds: 0 }, gitops: { repoURL: 'https://git.example.org/platform/mesh.git', revision: 'main branch' } });
    expect(result.code).toBe(1);
    expect(result.err).toEqual([
      `error: ${shown}:5:5: routeAgent.intervalSeconds: must be a whole number of seconds from 1 to 3600, not 0 [settings]`,
      `error: ${shown}:9:5: gitops.revision: "main branch" is not a branch name [settings]`,
      `weave-mesh: 2 errors in ${shown}; nothing was written to ${result.outdir}`,
    ]);
    expect(fs.existsSync(result.outdir)).toBe(false);
  });

  it('without a settings file, a wrong setting is located at the construct path (a cdk8s app)', () => {
    const result = cli({ routeAgent: { routeProtocol: 2 }, gitops: { repoURL: 'https://git.example.org/platform/mesh.git', tools: ['helm' as 'flux'] } });
    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(/^error: weave-mesh: routeAgent\.routeProtocol: must be a route protocol number from 5 to 254 .*, not 2 \[settings\]$/);
    expect(result.err[1]).toBe('error: weave-mesh: gitops.tools: unknown tool "helm"; use argocd and/or flux [settings]');
    expect(result.err[2]).toBe('weave-mesh: 2 errors in the settings of weave-mesh; nothing was written to ' + result.outdir);
  });

  it('app.synth() refuses them as lines too, and the construct itself does not throw', () => {
    const app = new App({ outdir: path.join(root, 'app-out') });
    const { opts } = threeClusterInventory(root);
    const mesh = new WeaveMesh(app, 'mesh', { inventory: loadInventory(opts[opts.indexOf('--clusters') + 1]), routeAgent: { intervalSeconds: 2.5 }, gitops: { repoURL: 'not a url' } });
    expect(mesh.errors().map(formatProblem)).toEqual([
      'error: mesh: gitops.repoURL: "not a url" is not a git URL (https://, ssh:// or user@host:path) [settings]',
      'error: mesh: routeAgent.intervalSeconds: must be a whole number of seconds from 1 to 3600, not 2.5 [settings]',
    ]);
    expect(() => app.synth()).toThrow(/nothing was written:\n {2}error: mesh: gitops\.repoURL: "not a url" is not a git URL/);
  });

  it("this repository's main.ts is named as the culprit when --outdir disagrees with its gitops.pathPrefix", () => {
    const outdir = path.join('build', `settings-test-${process.pid}`);
    const line =
      fs
        .readFileSync(path.join(REPO, 'main.ts'), 'utf8')
        .split('\n')
        .findIndex((text) => /^ {4}pathPrefix: /.test(text)) + 1;
    expect(line).toBeGreaterThan(0);
    const result = spawnSync(process.execPath, [path.join(REPO, 'build', 'main.js'), 'synth', '--outdir', outdir], { cwd: REPO, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^error: main\\.ts:${line}:5: gitops\\.pathPrefix: is dist, but the tree is written to ${outdir}, .*; set gitops\\.pathPrefix in main\\.ts to ${outdir}, .*\\[gitops-path\\]$`, 'm'));
    expect(result.stderr).toContain(`weave-mesh: 1 error in main.ts; nothing was written to ${outdir}`);
    expect(fs.existsSync(path.join(REPO, outdir))).toBe(false);
    expect(readTree(path.join(REPO, 'dist')).size).toBeGreaterThan(0);
  });
});

describe('locateKey', () => {
  const text = "const a = {\n  gitops: {\n    'repoURL': 'x',\n    pathPrefix: 'dist',\n  },\n  routeAgent: {},\n};\n";
  it.each([
    [['gitops', 'pathPrefix'], { line: 4, column: 5 }],
    [['gitops', 'repoURL'], { line: 3, column: 5 }],
    // Not written: the nearest key before it that is.
    [['routeAgent', 'intervalSeconds'], { line: 6, column: 3 }],
    [['gitops', 'tools'], { line: 2, column: 3 }],
    [['nothing'], undefined],
  ])('%j', (keys, expected) => {
    expect(locateKey(text, keys)).toEqual(expected);
  });
});

describe('route agent settings', () => {
  it.each([
    [{ namespace: 'Kube_System' }, 'routeAgent.namespace: must be a DNS-1123 label (lower-case letters, digits and \'-\', at most 63 characters), not "Kube_System"'],
    [{ name: 'route config' }, 'routeAgent.name: must be a DNS-1123 label (lower-case letters, digits and \'-\', at most 63 characters), not "route config"'],
    [{ image: '' }, 'routeAgent.image: must be a container image reference such as docker.io/weaveworks/weave-kube:2.6.5, not ""'],
  ])('%j is refused before anything renders an invalid object', (routeAgent, line) => {
    const result = cli({ routeAgent, gitops: { repoURL: 'https://git.example.org/platform/mesh.git' } });
    expect(result.code).toBe(1);
    expect(result.err[0]).toBe(`error: weave-mesh: ${line} [settings]`);
  });
});
